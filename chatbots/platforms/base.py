"""What every platform adapter shares: the platform-neutral message, mentions, size-limited splitting,
and the errors a send can end with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mention:
    """Someone to @-mention, with whatever chat identities they have."""

    name: str
    wecom_user_id: str = ""
    dingtalk_user_id: str = ""
    mobile: str = ""
    feishu_open_id: str = ""


@dataclass
class Line:
    """One line of a message: text, optionally about someone (mentioned) and linking somewhere."""

    text: str
    mention: Mention | None = None
    url: str = ""
    heading: bool = False


@dataclass
class ChatMessage:
    """A message before a platform renders it. ``card`` asks for the platform's card (the digest)."""

    title: str
    lines: list[Line] = field(default_factory=list)
    link_url: str = ""
    link_label: str = ""
    card: bool = False

    @property
    def mentions(self) -> list[Mention]:
        seen, found = set(), []
        for line in self.lines:
            if line.mention and line.mention not in seen:
                seen.add(line.mention)
                found.append(line.mention)
        return found


class SendError(Exception):
    """A post that did not go through. ``retryable``: the network or a rate limit, try again later;
    otherwise the platform refused the message (bad key, bad signature, bad content): the delivery
    fails with the platform's code and can be re-sent from the admin once fixed."""

    def __init__(self, message: str, *, code: str = "", retryable: bool = False, retry_after: float = 0) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable
        self.retry_after = retry_after


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def truncate(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, with an ellipsis when cut."""
    if utf8_len(text) <= limit:
        return text
    cut = text.encode("utf-8")[: max(0, limit - 3)].decode("utf-8", errors="ignore")
    return cut + "…"


def pack(
    blocks: list[str], *, head: Callable[[int, int], str], tail: str, limit: int, joiner: str = "\n"
) -> list[tuple[str, list[int]]]:
    """Join ``blocks`` into as few texts as fit ``limit`` UTF-8 bytes each, every text opening with
    ``head(part, parts)`` and the last one closing with ``tail``. A block too long alone is cut.
    Returns each text with the indexes of the blocks it holds (to mention only who is in it)."""
    reserve = utf8_len(head(99, 99)) + utf8_len(joiner) * 2 + utf8_len(tail)
    room = limit - reserve
    if room <= 0:
        raise ValueError("The message's head and tail leave no room under the limit")
    chunks: list[list[int]] = [[]]
    cut = [truncate(block, room) for block in blocks]
    used = 0
    for index, block in enumerate(cut):
        size = utf8_len(block) + utf8_len(joiner)
        if chunks[-1] and used + size > room:
            chunks.append([])
            used = 0
        chunks[-1].append(index)
        used += size
    total = len(chunks)
    texts = []
    for number, chunk in enumerate(chunks, start=1):
        parts = [head(number, total), *(cut[i] for i in chunk)]
        if number == total and tail:
            parts.append(tail)
        texts.append((joiner.join(parts), chunk))
    return texts


def numbered(title: str) -> Callable[[int, int], str]:
    """A head: the title, with "(2/3)" when the message is in parts."""
    return lambda part, parts: title if parts == 1 else f"{title} ({part}/{parts})"


def judge(reply, *, code_field: str, rate_limit_codes: set[int], window: float) -> None:
    """Raise SendError unless ``reply`` is the platform's success (HTTP 200 and code 0)."""
    if reply.status == 429 or reply.status >= 500:
        raise SendError(f"HTTP {reply.status}", code=f"HTTP {reply.status}", retryable=True, retry_after=window)
    code = reply.body.get(code_field)
    if code is None and code_field == "code":
        code = reply.body.get("StatusCode")  # older Feishu answers
    message = str(reply.body.get("errmsg") or reply.body.get("msg") or reply.body.get("StatusMessage") or "")[:500]
    if reply.status != 200:
        raise SendError(f"HTTP {reply.status} {message}".strip(), code=str(code or f"HTTP {reply.status}"))
    if code == 0:
        return
    if code is None:
        raise SendError("The platform's answer has no result code", code="?")
    if code in rate_limit_codes:
        raise SendError(f"{code}: {message}", code=str(code), retryable=True, retry_after=window)
    raise SendError(f"{code}: {message}", code=str(code))
