"""The review's SQLite reproduction, run in its own process against a fresh SQLite file.

``python -m tests.projects.sqlite_race DB_PATH`` migrates the file, then races API writes from
threads: creating PUTs of one week's update, replacing PUTs, and PUTs while a long write (an import)
holds the database. It prints one JSON object of status codes; every one must be 200 or 201.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time


def main(path: str) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{path}",
        DEBUG="true",
        DJANGO_SETTINGS_MODULE="okrtracker.settings",
        API_THROTTLE_USER="100000/minute",
        ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from rest_framework.test import APIClient

    from projects.models import Objective, ProgressUpdate, Project
    from projects.weeks import Week
    from tests import factories

    call_command("migrate", verbosity=0)
    owner = factories.owner(username="racer")
    objective = Objective.objects.create(cycle=factories.CycleFactory(), code="O1", title="O1")
    projects = [Project.objects.create(objective=objective, name=f"P{i}", owner=owner) for i in range(8)]
    week = Week.current().code
    statuses: dict[str, list[int]] = {"create": [], "replace": [], "during_import": []}

    def put(kind: str, project: Project, barrier: threading.Barrier, summary: str) -> None:
        client = APIClient()
        client.force_authenticate(owner)
        try:
            barrier.wait()
            response = client.put(f"/api/v1/projects/{project.pk}/updates/{week}/", {"summary": summary}, format="json")
            statuses[kind].append(response.status_code)
        finally:
            connection.close()

    def race(kind: str, pairs: int = 2) -> None:
        for project in projects:
            barrier = threading.Barrier(pairs)
            threads = [threading.Thread(target=put, args=(kind, project, barrier, f"{kind} {i}")) for i in range(pairs)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    race("create")
    race("replace")

    started = threading.Event()

    def long_import() -> None:
        try:
            with transaction.atomic():
                Project.objects.filter(pk=projects[0].pk).update(description="importing…")
                started.set()
                time.sleep(1.5)
        finally:
            connection.close()

    importer = threading.Thread(target=long_import)
    importer.start()
    started.wait()
    barrier = threading.Barrier(len(projects))
    writers = [threading.Thread(target=put, args=("during_import", p, barrier, "while importing")) for p in projects]
    for thread in writers:
        thread.start()
    for thread in [*writers, importer]:
        thread.join()
    statuses["updates"] = ProgressUpdate.objects.count()
    print(json.dumps(statuses))


if __name__ == "__main__":
    main(sys.argv[1])
