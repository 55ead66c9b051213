"""WeCom (企业微信) group bot: ``POST …/cgi-bin/webhook/send?key=KEY``.

Reminders and alerts are ``text`` messages, whose ``mentioned_list`` (user ids) and
``mentioned_mobile_list`` @-mention people (text content at most 2,048 bytes); the digest is a
``markdown`` message (at most 4,096 bytes), where ``<@userid>`` mentions. Success is
``{"errcode": 0}``; 45009 means more than 20 messages a minute.
"""

from __future__ import annotations

from datetime import datetime

from .base import ChatMessage, Line, judge, numbered, pack

TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096
RATE_LIMITED = {45009}


def _markdown_line(line: Line) -> str:
    if line.heading:
        return f"**{line.text}**"
    text = f"[{line.text}]({line.url})" if line.url else line.text
    mention = f"<@{line.mention.wecom_user_id}> " if line.mention and line.mention.wecom_user_id else ""
    return f"> {mention}{text}"


def _text_line(line: Line) -> str:
    if line.heading:
        return f"【{line.text}】"
    return f"{line.text} {line.url}".strip()


def payloads(message: ChatMessage) -> list[dict]:
    if message.card:
        tail = f"[{message.link_label}]({message.link_url})" if message.link_url else message.link_label
        texts = pack(
            [_markdown_line(line) for line in message.lines],
            head=lambda part, parts: f"### {numbered(message.title)(part, parts)}",
            tail=tail,
            limit=MARKDOWN_LIMIT,
        )
        return [{"msgtype": "markdown", "markdown": {"content": text}} for text, _ in texts]
    tail = f"{message.link_label}: {message.link_url}" if message.link_url else message.link_label
    texts = pack(
        [_text_line(line) for line in message.lines], head=numbered(message.title), tail=tail, limit=TEXT_LIMIT
    )
    bodies = []
    for text, indexes in texts:
        mentioned = [message.lines[i].mention for i in indexes if message.lines[i].mention]
        ids = list(dict.fromkeys(m.wecom_user_id for m in mentioned if m.wecom_user_id))
        mobiles = list(dict.fromkeys(m.mobile for m in mentioned if not m.wecom_user_id and m.mobile))
        body: dict = {"content": text}
        if ids:
            body["mentioned_list"] = ids
        if mobiles:
            body["mentioned_mobile_list"] = mobiles
        bodies.append({"msgtype": "text", "text": body})
    return bodies


def prepare(url: str, payload: dict, secret: str | None, now: datetime) -> tuple[str, dict]:
    return url, payload  # WeCom group bots are not signed: the key in the URL is the credential


def check(reply, *, window: float) -> None:
    judge(reply, code_field="errcode", rate_limit_codes=RATE_LIMITED, window=window)
