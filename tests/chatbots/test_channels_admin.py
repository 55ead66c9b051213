"""Channels in the admin: webhook URLs checked (https, the platform's host, the allow-list), secrets
stored encrypted and never shown again; chat identities on people's profiles; the deliveries page
with the platform's error code and re-sending; who may do what, both ways."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from chatbots.models import Channel, ChatDelivery, ChatIdentity, Kind
from chatbots.webhooks import validate_webhook_url
from tests import factories

pytestmark = pytest.mark.django_db

WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789abcdef"
FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/2b3c4d5e-aaaa-bbbb-cccc-123456789abc"


@pytest.mark.parametrize(
    ("platform", "url", "problem"),
    [
        ("wecom", WECOM, None),
        ("dingtalk", DINGTALK, None),
        ("feishu", FEISHU, None),
        ("feishu", FEISHU.replace("open.feishu.cn", "open.larksuite.com"), None),
        ("wecom", WECOM.replace("https://", "http://"), "https"),
        ("wecom", WECOM.replace("qyapi.weixin.qq.com", "qyapi.weixin.qq.com.evil.example"), "host"),
        ("wecom", DINGTALK, "host"),  # another platform's URL
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "path"),  # no token
        ("feishu", "https://open.feishu.cn/open-apis/other", "path"),
        ("wecom", "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "invalid"),
        ("wecom", "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=x", "host"),
        ("wecom", "https://im.example.internal/cgi-bin/webhook/send?key=x", "host"),
    ],
)
def test_webhook_urls_must_be_https_on_the_platforms_host(platform, url, problem):
    if problem is None:
        validate_webhook_url(platform, url)
        return
    with pytest.raises(ValidationError) as raised:
        validate_webhook_url(platform, url)
    assert raised.value.code == problem
    assert "key=x" not in " ".join(raised.value.messages)


def test_a_private_deployment_is_allowed_only_when_listed(settings):
    private = "https://im.example.internal/cgi-bin/webhook/send?key=abc"
    settings.CHAT_WEBHOOK_ALLOWED_ORIGINS = ["https://im.example.internal"]
    validate_webhook_url("wecom", private)
    with pytest.raises(ValidationError):  # http only when the allow-list says http
        validate_webhook_url("wecom", private.replace("https://", "http://"))
    settings.CHAT_WEBHOOK_ALLOWED_ORIGINS = ["http://im.example.internal:8080"]
    validate_webhook_url("wecom", "http://im.example.internal:8080/cgi-bin/webhook/send?key=abc")


def add_channel(client, **data):
    form = {
        "name": "Payments group",
        "platform": "dingtalk",
        "team": "",
        "language": "",
        "is_active": "on",
        "receives_reminders": "on",
        "receives_digest": "on",
        "new_webhook_url": DINGTALK,
        "new_secret": "SECtop-secret-value",
    }
    form.update(data)
    return client.post(reverse("admin:chatbots_channel_add"), form)


def test_a_director_adds_a_channel_whose_secrets_are_encrypted_and_never_shown_again(client, director):
    client.force_login(director)
    response = add_channel(client)
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = Channel.objects.get()
    assert channel.webhook_url == DINGTALK and channel.secret == "SECtop-secret-value"
    assert channel.webhook_hint == "oapi.dingtalk.com …cdef"

    with connection.cursor() as cursor:
        cursor.execute("SELECT webhook_url, secret FROM chatbots_channel")
        stored = " ".join(cursor.fetchone())
    assert "0123456789abcdef" not in stored and "top-secret" not in stored  # encrypted at rest

    for url in (
        reverse("admin:chatbots_channel_change", args=[channel.pk]),
        reverse("admin:chatbots_channel_changelist"),
    ):
        page = client.get(url).content.decode()
        assert "oapi.dingtalk.com …cdef" in page
        assert "0123456789abcdef0123" not in page and "top-secret" not in page

    # Saving again without retyping them keeps both.
    response = client.post(
        reverse("admin:chatbots_channel_change", args=[channel.pk]),
        {"name": "Renamed", "platform": "dingtalk", "team": "", "language": "", "is_active": "on"},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.webhook_url, channel.secret) == ("Renamed", DINGTALK, "SECtop-secret-value")


def test_the_admin_refuses_a_webhook_on_another_host(client, director):
    client.force_login(director)
    response = add_channel(client, new_webhook_url="https://evil.example.com/robot/send?access_token=abc")
    assert response.status_code == 200 and not Channel.objects.exists()
    assert "oapi.dingtalk.com" in response.content.decode()  # says where DingTalk webhooks are


def test_changing_the_platform_checks_the_saved_url_again(client, director):
    client.force_login(director)
    add_channel(client)
    channel = Channel.objects.get()
    response = client.post(
        reverse("admin:chatbots_channel_change", args=[channel.pk]),
        {"name": "x", "platform": "wecom", "team": "", "language": "", "is_active": "on"},
    )
    assert response.status_code == 200
    assert Channel.objects.get().platform == "dingtalk"


def test_owners_cannot_see_channels_or_deliveries_and_directors_can(client, owner, director):
    client.force_login(owner)
    assert client.get(reverse("admin:chatbots_channel_changelist")).status_code == 403
    assert client.get(reverse("admin:chatbots_chatdelivery_changelist")).status_code == 403
    assert Channel.objects.visible_to(owner).query.is_empty()
    client.force_login(director)
    assert client.get(reverse("admin:chatbots_channel_changelist")).status_code == 200
    assert client.get(reverse("admin:chatbots_chatdelivery_changelist")).status_code == 200


def test_owners_give_their_own_chat_identity_and_directors_anyones(client, owner, other_owner, director):
    client.force_login(owner)
    add = reverse("admin:chatbots_chatidentity_add")
    response = client.post(add, {"user": other_owner.pk, "wecom_user_id": "not-mine"})
    assert response.status_code == 200 and not ChatIdentity.objects.exists()  # not their own: refused
    response = client.post(add, {"user": owner.pk, "wecom_user_id": "olivia.w", "feishu_open_id": "ou_olivia"})
    assert response.status_code == 302
    mine = ChatIdentity.objects.get(user=owner)
    response = client.post(
        reverse("admin:chatbots_chatidentity_change", args=[mine.pk]), {"user": owner.pk, "feishu_open_id": "olivia"}
    )
    assert response.status_code == 200 and "starts with ou_" in response.content.decode()  # bad ids are explained

    theirs = ChatIdentity.objects.create(user=other_owner, wecom_user_id="oscar.w")
    assert client.get(reverse("admin:chatbots_chatidentity_change", args=[theirs.pk])).status_code in (302, 403)
    assert list(ChatIdentity.objects.editable_by(owner)) == [mine]

    client.force_login(director)
    response = client.post(
        reverse("admin:chatbots_chatidentity_change", args=[theirs.pk]),
        {"user": other_owner.pk, "wecom_user_id": "oscar.w", "mobile": "12ab"},
    )
    assert response.status_code == 200 and "digits only" in response.content.decode()
    assert set(ChatIdentity.objects.editable_by(director)) == {mine, theirs}


def test_the_deliveries_page_shows_the_platforms_code_and_re_sends_failed_ones(client, director):
    team = factories.TeamFactory(name="Payments core")
    channel = Channel.objects.create(name="g", platform="wecom", team=team, webhook_url=WECOM, webhook_hint="h")
    failed = ChatDelivery.objects.create(
        kind=Kind.UPDATE_REMINDER,
        period=date(2023, 12, 25),
        channel=channel,
        status="failed",
        error_code="93000",
        last_error="93000: invalid webhook url",
    )
    sent = ChatDelivery.objects.create(kind=Kind.DIGEST, period=date(2023, 12, 25), channel=channel, status="sent")
    client.force_login(director)

    page = client.get(reverse("admin:chatbots_chatdelivery_changelist")).content.decode()
    assert "93000" in page and "invalid webhook url" in page

    response = client.post(
        reverse("admin:chatbots_chatdelivery_changelist"),
        {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert "1 chat message queued to be sent again." in response.content.decode()
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == ("pending", "sent")


def test_a_failed_message_has_a_resend_button_on_its_page(client, director, owner):
    channel = Channel.objects.create(name="g", platform="feishu", webhook_url=FEISHU, webhook_hint="h")
    failed = ChatDelivery.objects.create(
        kind=Kind.DIGEST, period=date(2023, 12, 25), channel=channel, status="failed", error_code="19021"
    )
    page = reverse("admin:chatbots_chatdelivery_change", args=[failed.pk])
    button = reverse("admin:chatbots_chatdelivery_resend", args=[failed.pk])

    client.force_login(owner)
    assert client.post(button).status_code in (302, 403, 404)
    failed.refresh_from_db()
    assert failed.status == "failed"  # owners cannot re-send

    client.force_login(director)
    assert button in client.get(page).content.decode()
    assert client.get(button).status_code == 405
    response = client.post(button, follow=True)
    assert "1 chat message queued to be sent again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == "pending"
    assert button not in client.get(page).content.decode()  # nothing to re-send any more
