"""DingTalk (钉钉) custom robot: ``POST …/robot/send?access_token=TOKEN``.

Signed when the robot has a secret: ``timestamp`` (milliseconds) and ``sign``, the base64 of
HMAC-SHA256 over "timestamp\\nsecret" keyed with the secret, URL-encoded, as query parameters.
Reminders and alerts are ``markdown`` messages whose ``at.atUserIds`` / ``at.atMobiles`` mention
people, each also written "@id" in the text (DingTalk only highlights mentions that appear there);
the digest is an ``actionCard`` with a button to the rollup. Success is ``{"errcode": 0}``; 130101
means sending too fast (20 messages a minute). DingTalk gives no byte limit for markdown; messages
are kept under 20,000 bytes, the limit of its text content.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from urllib.parse import quote_plus

from .base import ChatMessage, Line, Mention, judge, numbered, pack

LIMIT = 20000
RATE_LIMITED = {130101}


def _at(mention: Mention) -> str:
    return mention.dingtalk_user_id or mention.mobile


def _line(line: Line) -> str:
    if line.heading:
        return f"#### {line.text}"
    text = f"[{line.text}]({line.url})" if line.url else line.text
    mention = f"@{_at(line.mention)} " if line.mention and _at(line.mention) else ""
    return f"- {mention}{text}"


def payloads(message: ChatMessage) -> list[dict]:
    title = message.title
    if message.card:
        texts = pack(
            [_line(line) for line in message.lines],
            head=lambda part, parts: f"### {numbered(title)(part, parts)}",
            tail="",
            limit=LIMIT,
        )
        return [
            {
                "msgtype": "actionCard",
                "actionCard": {
                    "title": numbered(title)(number, len(texts)),
                    "text": text,
                    "singleTitle": message.link_label,
                    "singleURL": message.link_url,
                    "btnOrientation": "0",
                },
            }
            for number, (text, _) in enumerate(texts, start=1)
        ]
    tail = f"[{message.link_label}]({message.link_url})" if message.link_url else message.link_label
    texts = pack(
        [_line(line) for line in message.lines],
        head=lambda part, parts: f"### {numbered(title)(part, parts)}",
        tail=tail,
        limit=LIMIT,
    )
    bodies = []
    for number, (text, indexes) in enumerate(texts, start=1):
        mentioned = [message.lines[i].mention for i in indexes if message.lines[i].mention]
        at = {
            "atUserIds": list(dict.fromkeys(m.dingtalk_user_id for m in mentioned if m.dingtalk_user_id)),
            "atMobiles": list(dict.fromkeys(m.mobile for m in mentioned if not m.dingtalk_user_id and m.mobile)),
            "isAtAll": False,
        }
        bodies.append(
            {"msgtype": "markdown", "markdown": {"title": numbered(title)(number, len(texts)), "text": text}, "at": at}
        )
    return bodies


def signature(timestamp_ms: int, secret: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def prepare(url: str, payload: dict, secret: str | None, now: datetime) -> tuple[str, dict]:
    if not secret:
        return url, payload
    timestamp = int(now.timestamp() * 1000)
    return f"{url}&timestamp={timestamp}&sign={signature(timestamp, secret)}", payload


def check(reply, *, window: float) -> None:
    judge(reply, code_field="errcode", rate_limit_codes=RATE_LIMITED, window=window)
