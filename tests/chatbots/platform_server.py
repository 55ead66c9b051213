"""A local stand-in for the three platforms' bot webhooks, on 127.0.0.1 and a free port.

It checks requests as the platforms document them — the bot's key or token, the signature with the
bot's secret (DingTalk: ``timestamp``/``sign`` query parameters over "timestamp\\nsecret"; Feishu:
``timestamp``/``sign`` in the body, HMAC keyed with "timestamp\\nsecret" over nothing; both within an
hour), the message type and its required fields, the size limits, the mention syntax — and answers
with the platform's success and error codes, including its rate-limit code past ``limit`` messages in
``window`` seconds (20 a minute by default). It is stricter than DingTalk in one way: an ``at`` entry
that does not appear as "@id" in the text is refused (DingTalk would post it without the mention).

Used by the tests and by scripts/bench_chat.py. Every accepted message is kept on its bot.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import select
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

AT_TAG = re.compile(r"<at\b([^>]*)>(.*?)</at>", re.S)
AT_OPEN = re.compile(r"<at\b")
WECOM_MENTION = re.compile(r"<@([^>]*)>")


@dataclass
class Bot:
    """One group bot: its platform, token, optional secret and what it received."""

    platform: str
    token: str
    secret: str | None = None
    limit: int = 20
    window: float = 60.0
    received: list[dict] = field(default_factory=list)
    received_at: list[float] = field(default_factory=list)
    answers: deque = field(default_factory=deque)  # per coming request: an error code to answer, or 0 to go on
    refused: list[tuple[int, str]] = field(default_factory=list)
    rate_limited: int = 0
    recent: deque = field(default_factory=deque)
    stall_next: int = 0  # requests to hold without answering until released (or the client goes away)
    stalled: threading.Event = field(default_factory=threading.Event)
    aborted: list[dict] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [text_of(self.platform, body) for body in self.received]


def text_of(platform: str, body: dict) -> str:
    """The text of an accepted message, whatever its type."""
    if platform == "wecom":
        return body.get(body["msgtype"], {}).get("content", "")
    if platform == "dingtalk":
        return body.get(body["msgtype"], {}).get("text") or body.get("text", {}).get("content", "")
    if body["msg_type"] == "text":
        return body["content"]["text"]
    card = body.get("card", {})
    texts = [card.get("header", {}).get("title", {}).get("content", "")]
    texts += [e.get("text", {}).get("content", "") for e in card.get("elements", []) if e.get("tag") == "div"]
    return "\n".join(texts)


class Refuse(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


CODE_FIELD = {"wecom": ("errcode", "errmsg"), "dingtalk": ("errcode", "errmsg"), "feishu": ("code", "msg")}
RATE_LIMIT_CODE = {"wecom": 45009, "dingtalk": 130101, "feishu": 11232}


class PlatformServer:
    """Start with ``with PlatformServer() as server:``; ``server.bot(platform)`` makes a bot and its URL."""

    def __init__(self) -> None:
        self.bots: dict[str, Bot] = {}
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.stall_next = 0  # like Bot.stall_next, for whichever bot is posted to first
        self.stalled = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer = server.handle(self.path, raw, self)
                if answer is None:
                    self.close_connection = True
                    return
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PlatformServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def bot(self, platform: str, *, secret: str | None = None, limit: int = 20, window: float = 60.0) -> Bot:
        bot = Bot(platform=platform, token=secrets.token_hex(16), secret=secret, limit=limit, window=window)
        with self.lock:
            self.bots[bot.token] = bot
        return bot

    def url(self, bot: Bot) -> str:
        return {
            "wecom": f"{self.origin}/cgi-bin/webhook/send?key={bot.token}",
            "dingtalk": f"{self.origin}/robot/send?access_token={bot.token}",
            "feishu": f"{self.origin}/open-apis/bot/v2/hook/{bot.token}",
        }[bot.platform]

    # --- the platforms' checks -------------------------------------------------------------------

    def handle(self, path: str, raw: bytes, handler) -> tuple[int, dict | None]:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        if parts.path == "/cgi-bin/webhook/send":
            platform, token = "wecom", (query.get("key") or [""])[0]
        elif parts.path == "/robot/send":
            platform, token = "dingtalk", (query.get("access_token") or [""])[0]
        elif parts.path.startswith("/open-apis/bot/v2/hook/"):
            platform, token = "feishu", parts.path.rsplit("/", 1)[-1]
        else:
            return 404, {"error": "not found"}
        code_field, message_field = CODE_FIELD[platform]
        with self.lock:
            bot = self.bots.get(token)
        try:
            if bot is None or bot.platform != platform:
                raise Refuse({"wecom": 93000, "dingtalk": 300001, "feishu": 19001}[platform], "invalid webhook token")
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise Refuse({"wecom": 40016, "dingtalk": 300005, "feishu": 9499}[platform], "invalid json") from None
            getattr(self, f"_check_{platform}")(bot, body, query, len(raw))
            with self.lock:
                code = bot.answers.popleft() if bot.answers else 0
                if code:
                    raise Refuse(code, "answered as told by the test")
                now = time.monotonic()
                while bot.recent and bot.recent[0] <= now - bot.window:
                    bot.recent.popleft()
                if len(bot.recent) >= bot.limit:
                    bot.rate_limited += 1
                    raise Refuse(RATE_LIMIT_CODE[platform], f"send too fast, exceed {bot.limit} times per window")
                bot.recent.append(now)
                stall = bot.stall_next > 0 or self.stall_next > 0
                if bot.stall_next > 0:
                    bot.stall_next -= 1
                elif self.stall_next > 0:
                    self.stall_next -= 1
            if stall and not self._hold(bot, body, handler):
                return 0, None  # the client went away before an answer: not accepted
            with self.lock:
                bot.received.append(body)
                bot.received_at.append(time.monotonic())
        except Refuse as refusal:
            if bot is not None:
                with self.lock:
                    bot.refused.append((refusal.code, refusal.message))
            return 200, {code_field: refusal.code, message_field: refusal.message}
        if platform == "feishu":
            return 200, {"code": 0, "msg": "success", "data": {}}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _hold(self, bot: Bot, body: dict, handler) -> bool:
        """Hold the request until released; False when the client closed the connection meanwhile."""
        bot.stalled.set()
        self.stalled.set()
        sock = handler.connection
        while not self.release.is_set():
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable:
                try:
                    peek = sock.recv(1, 2)  # MSG_PEEK
                except OSError:
                    peek = b""
                if not peek:
                    with self.lock:
                        bot.aborted.append(body)
                    return False
        return True

    @staticmethod
    def _limit(size: int, limit: int, code: int, what: str) -> None:
        if size > limit:
            raise Refuse(code, f"{what} exceeds {limit} bytes")

    def _check_wecom(self, bot: Bot, body: dict, query: dict, size: int) -> None:
        msgtype = body.get("msgtype")
        if msgtype not in ("text", "markdown"):
            raise Refuse(40008, "invalid message type")
        content = (body.get(msgtype) or {}).get("content")
        if not isinstance(content, str) or not content:
            raise Refuse(44004, "empty content")
        self._limit(len(content.encode()), 2048 if msgtype == "text" else 4096, 40058, "content")
        if msgtype == "text":
            for key in ("mentioned_list", "mentioned_mobile_list"):
                value = body["text"].get(key, [])
                if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                    raise Refuse(40058, f"{key} must be a list of strings")
        else:
            for user_id in WECOM_MENTION.findall(content):
                if not re.fullmatch(r"[A-Za-z0-9_.@-]+", user_id):
                    raise Refuse(40058, "invalid <@userid> mention")

    def _check_dingtalk(self, bot: Bot, body: dict, query: dict, size: int) -> None:
        if bot.secret:
            timestamp, sign = (query.get("timestamp") or [""])[0], (query.get("sign") or [""])[0]
            if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > 3600_000:
                raise Refuse(310000, "invalid timestamp")
            digest = hmac.new(bot.secret.encode(), f"{timestamp}\n{bot.secret}".encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(sign, base64.b64encode(digest).decode()):
                raise Refuse(310000, "sign not match")
        msgtype = body.get("msgtype")
        if msgtype == "text":
            text = (body.get("text") or {}).get("content")
        elif msgtype == "markdown":
            markdown = body.get("markdown") or {}
            if not markdown.get("title"):
                raise Refuse(300005, "markdown.title is required")
            text = markdown.get("text")
        elif msgtype == "actionCard":
            card = body.get("actionCard") or {}
            if not card.get("title") or not (card.get("singleURL") or card.get("btns")):
                raise Refuse(300005, "actionCard needs a title and a singleURL or btns")
            if card.get("singleURL") and not card.get("singleTitle"):
                raise Refuse(300005, "actionCard.singleTitle is required with singleURL")
            text = card.get("text")
        else:
            raise Refuse(300005, "invalid msgtype")
        if not isinstance(text, str) or not text:
            raise Refuse(300005, "empty content")
        self._limit(len(text.encode()), 20000, 460101, "message")
        at = body.get("at") or {}
        for key in ("atMobiles", "atUserIds"):
            for value in at.get(key, []):
                if f"@{value}" not in text:
                    raise Refuse(300005, f"{key} entry is not written as @{value} in the text")

    def _check_feishu(self, bot: Bot, body: dict, query: dict, size: int) -> None:
        if size > 20 * 1024:
            raise Refuse(9499, "request body exceeds 20 KB")
        if bot.secret:
            timestamp, sign = str(body.get("timestamp", "")), body.get("sign", "")
            if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > 3600:
                raise Refuse(19021, "sign match fail or timestamp is not within one hour from current time")
            key = f"{timestamp}\n{bot.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(str(sign), expected):
                raise Refuse(19021, "sign match fail or timestamp is not within one hour from current time")
        msg_type = body.get("msg_type")
        if msg_type == "text":
            text = (body.get("content") or {}).get("text")
            if not isinstance(text, str) or not text:
                raise Refuse(19002, "params error, content.text is required")
        elif msg_type == "interactive":
            card = body.get("card")
            if not isinstance(card, dict) or not card.get("elements"):
                raise Refuse(19002, "params error, card.elements is required")
            text = text_of("feishu", body)
        elif msg_type == "post":
            if not (body.get("content") or {}).get("post"):
                raise Refuse(19002, "params error, content.post is required")
            text = ""
        else:
            raise Refuse(19002, "params error, msg_type invalid")
        if len(AT_OPEN.findall(text)) != len(AT_TAG.findall(text)):
            raise Refuse(19002, "params error, unclosed <at> tag")
        for attrs, _name in AT_TAG.findall(text):
            match = re.fullmatch(r'\s+user_id="(ou_[A-Za-z0-9_]+|all)"\s*', attrs)
            if not match:
                raise Refuse(19002, 'params error, <at> needs user_id="ou_…"')


def mentions(bot: Bot) -> list[list[str]]:
    """Who each accepted message mentions, as the platform reads it (ids or mobiles), in order."""
    found = []
    for body in bot.received:
        if bot.platform == "wecom":
            if body["msgtype"] == "text":
                found.append(body["text"].get("mentioned_list", []) + body["text"].get("mentioned_mobile_list", []))
            else:
                found.append(WECOM_MENTION.findall(body["markdown"]["content"]))
        elif bot.platform == "dingtalk":
            at = body.get("at") or {}
            found.append(at.get("atUserIds", []) + at.get("atMobiles", []))
        else:
            found.append(
                [re.search(r'user_id="([^"]+)"', attrs)[1] for attrs, _ in AT_TAG.findall(text_of("feishu", body))]
            )
    return found
