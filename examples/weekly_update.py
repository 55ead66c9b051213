"""An owner's weekly update from a script, through the Python client generated from the API's schema.

The way a team wires its own tooling (a CI job after a release, a chat bot, a cron job) to the
tracker: generate the client once (README, "API clients"), create your token (admin: *API token*, or
``POST /api/v1/me/token/`` when signed in), then:

    OKR_URL=https://okr.example.com OKR_TOKEN=<your token> python examples/weekly_update.py \\
        --project 12 --percent 60 --summary "Trial transactions passed." --next-steps "Shift 5% of traffic."

It writes this week's update of the project (the week the server calls current, in its numbering;
``--week 2023-W53`` for another), created or replaced (the PUT is idempotent), and prints what the
tracker now says. ``--list`` prints your projects and whether they have this week's update.
Exit status: 0 written, 1 refused (with the server's messages), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys

from okrtracker_client import AuthenticatedClient
from okrtracker_client.api.me import me_retrieve
from okrtracker_client.api.projects import projects_list, projects_updates_update
from okrtracker_client.models import Error, FieldErrors, HealthEnum, ProgressUpdate, WeekUpdateWriteRequest
from okrtracker_client.types import UNSET


def client_from_env() -> AuthenticatedClient:
    url, token = os.environ.get("OKR_URL"), os.environ.get("OKR_TOKEN")
    if not url or not token:
        sys.exit("Set OKR_URL (the tracker's address) and OKR_TOKEN (your API token).")
    # The API expects "Authorization: Token <key>"; raise_on_unexpected_status makes an undocumented
    # answer an exception instead of None.
    return AuthenticatedClient(base_url=url, token=token, prefix="Token", raise_on_unexpected_status=True)


def list_projects(client: AuthenticatedClient, week: str) -> int:
    me = me_retrieve.sync(client=client)
    page = projects_list.sync(client=client, owner=me.id, page_size=100)
    for project in page.results:
        done = "updated" if project.last_update_week == week else "NO UPDATE"
        print(f"{project.id:>5}  {project.percent:>6.2f}%  {project.health.value:<9}  {done:<9}  {project.name}")
    return 0


def write_update(client: AuthenticatedClient, args: argparse.Namespace, week: str) -> int:
    body = WeekUpdateWriteRequest(
        summary=args.summary,
        percent=args.percent if args.percent is not None else UNSET,
        health=HealthEnum(args.health) if args.health else UNSET,
        next_steps=args.next_steps if args.next_steps is not None else UNSET,
        risks=args.risks if args.risks is not None else UNSET,
    )
    response = projects_updates_update.sync_detailed(args.project, week, client=client, body=body)
    answer = response.parsed
    if isinstance(answer, ProgressUpdate):
        verb = "created" if response.status_code == 201 else "replaced"
        print(f"{week}: update of {answer.project_name} {verb}: {answer.percent}% {answer.health.value}")
        return 0
    if isinstance(answer, FieldErrors):
        for field, messages in answer.additional_properties.items():
            print(f"{field}: {' '.join(messages)}", file=sys.stderr)
        if answer.detail:
            print(answer.detail, file=sys.stderr)
    elif isinstance(answer, Error):
        print(f"{response.status_code}: {answer.detail}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--project", type=int, help="the project's id (see --list)")
    parser.add_argument("--week", help="a week code like 2023-W53; default: this week")
    parser.add_argument("--summary", help="what happened this week")
    parser.add_argument("--percent", type=float)
    parser.add_argument("--health", choices=[h.value for h in HealthEnum])
    parser.add_argument("--next-steps")
    parser.add_argument("--risks")
    parser.add_argument("--list", action="store_true", help="list your projects and this week's updates")
    args = parser.parse_args(argv)
    with client_from_env() as client:
        week = args.week or me_retrieve.sync(client=client).current_week
        if args.list:
            return list_projects(client, week)
        if args.project is None or not args.summary:
            parser.error("--project and --summary are needed to write an update")
        return write_update(client, args, week)


if __name__ == "__main__":
    sys.exit(main())
