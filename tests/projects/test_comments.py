"""Directors answer weekly updates: comments and acknowledgements, who may write them, who is told."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.models import UpdateComment
from projects.signals import comment_posted
from reports.mail.mailings import deliver_one
from reports.models import Delivery
from tests import factories

pytestmark = pytest.mark.django_db
W53 = date(2023, 12, 25)


@pytest.fixture
def update(owner):
    project = factories.ProjectFactory(name="POS acquiring", owner=owner)
    return factories.ProgressUpdateFactory(project=project, week_start=W53, summary="Trial transactions passed.")


def post(capture, **kwargs) -> UpdateComment:
    """Write a comment and run what follows its commit (the hook), as a real request would."""
    with capture() as callbacks:
        comment = services.update_comment_post(**kwargs)
    for callback in callbacks:  # the send tasks these enqueue stay inside the test's transaction
        callback()
    return comment


def test_director_comment_reaches_the_owner_once_per_comment(
    update, director, owner, django_capture_on_commit_callbacks
):
    first = post(django_capture_on_commit_callbacks, update=update, author=director, text="Which bank window?")
    second = post(django_capture_on_commit_callbacks, update=update, author=director, acknowledge=True)

    rows = Delivery.objects.filter(kind=Delivery.Kind.UPDATE_COMMENT).order_by("pk")
    assert [(r.comment_id, r.email, r.period) for r in rows] == [
        (first.pk, owner.email, W53),
        (second.pk, owner.email, W53),
    ]
    for row in rows:
        assert deliver_one(row.pk) == "sent"
        assert deliver_one(row.pk) == "done"  # a retried task sends nothing twice
    assert len(mail.outbox) == 2
    assert "Diana commented on POS acquiring (2023-W53)" in mail.outbox[0].subject
    assert "Which bank window?" in mail.outbox[0].body
    assert "/rollup/2023-W53/#project-" in mail.outbox[0].body
    assert "acknowledged your update on POS acquiring" in mail.outbox[1].subject
    assert mail.outbox[0].to == [owner.email]


def test_owner_reply_tells_the_directors_in_the_thread(update, director, owner, django_capture_on_commit_callbacks):
    post(django_capture_on_commit_callbacks, update=update, author=director, text="Which bank window?")
    reply = post(django_capture_on_commit_callbacks, update=update, author=owner, text="Next Tuesday.")

    assert list(Delivery.objects.filter(comment=reply).values_list("email", flat=True)) == [director.email]


def test_the_hook_hears_each_comment_after_commit(update, director, owner, django_capture_on_commit_callbacks):
    heard = []

    def receiver(sender, comment, recipients, **kwargs):
        heard.append((comment.text, [u.username for u in recipients]))

    comment_posted.connect(receiver)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            services.update_comment_post(update=update, author=director, text="Good progress.")
            assert heard == []  # nothing is said before the comment is committed
        for callback in callbacks:
            callback()
    finally:
        comment_posted.disconnect(receiver)
    assert heard == [("Good progress.", [owner.username])]


def test_who_may_comment_and_acknowledge(update, director, owner, other_owner):
    with pytest.raises(PermissionDenied):
        services.update_comment_post(update=update, author=other_owner, text="Not my project.")
    with pytest.raises(PermissionDenied):
        services.update_comment_post(update=update, author=owner, acknowledge=True)  # only directors acknowledge
    director.is_active = False
    director.save()
    with pytest.raises(PermissionDenied):
        services.update_comment_post(update=update, author=director, text="Gone.")
    with pytest.raises(ValidationError):
        services.update_comment_post(update=update, author=owner, text="   ")
    assert not UpdateComment.objects.exists()
    services.update_comment_post(update=update, author=owner, text="A note for the record.")
    assert UpdateComment.objects.get().history.count() == 1  # comments keep their history like updates


@time_machine.travel(datetime(2023, 12, 29, 15, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_comment_from_the_rollup_page_shows_in_the_thread(client, owner, director, other_owner):
    project = factories.ProjectFactory(name="POS acquiring", owner=owner)
    update = factories.ProgressUpdateFactory(project=project, week_start=W53, summary="Trial transactions passed.")
    url = f"/rollup/2023-W53/projects/{update.project_id}/comments/"
    client.force_login(other_owner)
    assert client.post(url, {"text": "Me too"}).status_code == 403
    assert 'name="text"' not in client.get("/rollup/2023-W53/").content.decode()  # no form for them either

    client.force_login(director)
    response = client.post(url, {"text": "Which bank window?", "acknowledge": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/rollup/2023-W53/#project-{update.project_id}")
    html = client.get("/rollup/2023-W53/").content.decode()
    assert "Which bank window?" in html and "acknowledged" in html
    assert client.post("/rollup/2023-W53/projects/999999/comments/", {"text": "x"}).status_code == 404
    assert client.post("/rollup/2023-W99/projects/1/comments/", {"text": "x"}).status_code == 404
    assert client.get(url).status_code == 405


def test_director_comments_in_the_admin_without_changing_the_update(client, update, director, owner):
    url = f"/admin/projects/progressupdate/{update.pk}/change/"
    client.force_login(director)
    page = client.get(url)
    assert page.status_code == 200 and 'name="comments-0-text"' in page.content.decode()
    form = {
        "project": update.project_id,
        "week_start": "2023-12-25",
        "percent": "99",
        "health": "off_track",
        "summary": "Rewritten by someone else",
        "comments-TOTAL_FORMS": "1",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
        "comments-0-text": "Seen, thanks.",
        "comments-0-acknowledged": "on",
    }
    assert client.post(url, form).status_code == 302
    update.refresh_from_db()
    assert update.summary == "Trial transactions passed." and update.health == "on_track"  # read-only for them
    comment = UpdateComment.objects.get()
    assert (comment.author, comment.text, comment.acknowledged) == (director, "Seen, thanks.", True)

    client.force_login(owner)
    project_page = client.get(f"/admin/projects/project/{update.project_id}/change/").content.decode()
    assert "Seen, thanks." in project_page  # the thread beside the project's recent updates
    reply = client.get(url).content.decode()
    assert 'name="comments-1-text"' in reply and 'name="comments-1-acknowledged"' not in reply  # a reply
