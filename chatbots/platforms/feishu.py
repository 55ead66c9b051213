"""Feishu / Lark (飞书) custom bot: ``POST …/open-apis/bot/v2/hook/TOKEN``.

Signed when the bot has a secret: ``timestamp`` (seconds) and ``sign``, the base64 of HMAC-SHA256
keyed with "timestamp\\nsecret" over an empty message, in the body. Reminders and alerts are ``text``
messages mentioning people as ``<at user_id="ou_…">name</at>``; the digest is an ``interactive``
card (lark_md text and a button to the rollup). A request body may hold 20 KB; text is kept under
18,000 bytes to leave room for the envelope. Success is ``{"code": 0}``; 9499 and 11232 mean too many
requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from html import escape

from .base import ChatMessage, Line, judge, numbered, pack

LIMIT = 18000
RATE_LIMITED = {9499, 11232}


def _mention(line: Line) -> str:
    if line.mention and line.mention.feishu_open_id:
        return f'<at user_id="{line.mention.feishu_open_id}">{escape(line.mention.name)}</at> '
    return ""


def _text_line(line: Line) -> str:
    if line.heading:
        return f"【{line.text}】"
    return f"{_mention(line)}{line.text} {line.url}".strip()


def _md_line(line: Line) -> str:
    if line.heading:
        return f"**{line.text}**"
    text = f"[{line.text}]({line.url})" if line.url else line.text
    return f"- {_mention(line)}{text}"


def payloads(message: ChatMessage) -> list[dict]:
    if message.card:
        texts = pack([_md_line(line) for line in message.lines], head=lambda part, parts: "", tail="", limit=LIMIT)
        cards = []
        for number, (text, _) in enumerate(texts, start=1):
            elements: list[dict] = [{"tag": "div", "text": {"tag": "lark_md", "content": text.strip()}}]
            if number == len(texts) and message.link_url:
                button = {
                    "tag": "button",
                    "text": {"tag": "plain_text", "content": message.link_label},
                    "url": message.link_url,
                    "type": "primary",
                }
                elements.append({"tag": "action", "actions": [button]})
            header = {"title": {"tag": "plain_text", "content": numbered(message.title)(number, len(texts))}}
            cards.append(
                {"msg_type": "interactive", "card": {"header": {**header, "template": "blue"}, "elements": elements}}
            )
        return cards
    tail = f"{message.link_label}: {message.link_url}" if message.link_url else message.link_label
    texts = pack([_text_line(line) for line in message.lines], head=numbered(message.title), tail=tail, limit=LIMIT)
    return [{"msg_type": "text", "content": {"text": text}} for text, _ in texts]


def signature(timestamp: int, secret: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def prepare(url: str, payload: dict, secret: str | None, now: datetime) -> tuple[str, dict]:
    if not secret:
        return url, payload
    timestamp = int(now.timestamp())
    return url, {"timestamp": str(timestamp), "sign": signature(timestamp, secret), **payload}


def check(reply, *, window: float) -> None:
    judge(reply, code_field="code", rate_limit_codes=RATE_LIMITED, window=window)
