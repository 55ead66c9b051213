"""Webhook URLs: which may be posted to, how they are shown, and the one HTTP POST that reaches them.

A URL is accepted when it is https on the platform's own host with the platform's path shape
(WeCom ``/cgi-bin/webhook/send?key=…``, DingTalk ``/robot/send?access_token=…``, Feishu/Lark
``/open-apis/bot/v2/hook/…``), or on an origin listed in ``CHAT_WEBHOOK_ALLOWED_ORIGINS`` (private
deployments of the platforms; an ``http://`` origin is allowed only when listed as such). It is
checked when a channel is saved and again before every post, so the product never posts elsewhere;
redirects are not followed.

The URL carries the bot's key, so it never appears in errors or logs: ``webhook_hint`` shows the
host and the key's last four characters.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Platform

PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    Platform.WECOM: ("qyapi.weixin.qq.com",),
    Platform.DINGTALK: ("oapi.dingtalk.com",),
    Platform.FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}
# The path shape and where the key sits (a query parameter, or the path's last part).
PLATFORM_PATHS: dict[str, tuple[re.Pattern, str | None]] = {
    Platform.WECOM: (re.compile(r"^/cgi-bin/webhook/send$"), "key"),
    Platform.DINGTALK: (re.compile(r"^/robot/send$"), "access_token"),
    Platform.FEISHU: (re.compile(r"^/open-apis/bot/v2/hook/(?P<key>[A-Za-z0-9_-]+)$"), None),
}


def _origin(scheme: str, host: str, port: int | None) -> str:
    default = {"https": 443, "http": 80}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def allowed_origins() -> set[str]:
    origins = set()
    for entry in settings.CHAT_WEBHOOK_ALLOWED_ORIGINS:
        parts = urlsplit(entry if "://" in entry else f"https://{entry}")
        origins.add(_origin(parts.scheme, (parts.hostname or "").lower(), parts.port))
    return origins


def webhook_key(platform: str, url: str) -> str:
    """The bot's key or token inside ``url`` ("" when there is none)."""
    parts = urlsplit(url)
    pattern, param = PLATFORM_PATHS[platform]
    if param:
        return (parse_qs(parts.query).get(param) or [""])[0]
    match = pattern.match(parts.path)
    return match["key"] if match else ""


def validate_webhook_url(platform: str, url: str) -> None:
    """ValidationError (saying what is wrong, never repeating the URL) unless ``url`` may be posted to."""
    if platform not in PLATFORM_HOSTS:
        raise ValidationError(_("Choose a platform."), code="platform")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValidationError(_("This is not a URL."), code="invalid") from exc
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise ValidationError(_("This is not a webhook URL."), code="invalid")
    origin = _origin(parts.scheme, host, port)
    if origin not in allowed_origins():
        if parts.scheme != "https":
            raise ValidationError(_("A webhook URL must start with https://."), code="https")
        if host not in PLATFORM_HOSTS[platform] or port not in (None, 443):
            raise ValidationError(
                _("%(platform)s webhooks are on %(hosts)s; other hosts must be added to CHAT_WEBHOOK_ALLOWED_ORIGINS.")
                % {"platform": Platform(platform).label, "hosts": ", ".join(PLATFORM_HOSTS[platform])},
                code="host",
            )
    pattern, _param = PLATFORM_PATHS[platform]
    if not pattern.match(parts.path) or not webhook_key(platform, url.strip()):
        raise ValidationError(
            _("This is not a %(platform)s webhook: copy the whole URL from the bot's settings.")
            % {"platform": Platform(platform).label},
            code="path",
        )


def webhook_hint(platform: str, url: str) -> str:
    """What the admin shows instead of the URL: the host and the key's last four characters."""
    parts = urlsplit(url)
    key = webhook_key(platform, url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return f"{host} …{key[-4:]}" if key else host


@dataclass
class Reply:
    """What the platform answered: the HTTP status and the JSON body (``{}`` when it was not JSON)."""

    status: int
    body: dict


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer, not somewhere else to post


_opener = urllib.request.build_opener(_NoRedirect)


class WebhookUnreachable(OSError):
    """The network failed (refused, reset, timed out); worth another try. The message never holds the URL."""


def post_json(url: str, payload: dict, *, timeout: float) -> Reply:
    """POST ``payload`` as JSON to ``url`` (already validated) and read the JSON answer."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            status, raw = response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read(65536)
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookUnreachable(f"{type(reason).__name__}: {_scrub(str(reason), url)}") from None
    try:
        body = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = {}
    return Reply(status=status, body=body if isinstance(body, dict) else {})


def _scrub(text: str, url: str) -> str:
    """``text`` without the URL or its query (where keys and signatures sit)."""
    parts = urlsplit(url)
    for secret in filter(None, (url, parts.query, parts.path)):
        text = text.replace(secret, "…")
    return text
