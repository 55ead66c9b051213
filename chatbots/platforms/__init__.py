"""One adapter per chat platform: how a message is written, split, signed and judged by the platform.

Each adapter offers ``payloads(message) -> list[dict]`` (one request body per part, each within the
platform's size limit), ``prepare(url, payload, secret, now) -> (url, payload)`` (signing) and
``check(reply)`` (raises ``SendError`` unless the platform accepted the message).
"""

from __future__ import annotations

from ..models import Platform
from . import dingtalk, feishu, wecom
from .base import ChatMessage, Line, Mention, SendError

ADAPTERS = {Platform.WECOM: wecom, Platform.DINGTALK: dingtalk, Platform.FEISHU: feishu}


def adapter(platform: str):
    return ADAPTERS[platform]


__all__ = ["ADAPTERS", "ChatMessage", "Line", "Mention", "SendError", "adapter"]
