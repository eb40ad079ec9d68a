"""Per-client limits on /v1: requests a minute (sliding window) and request body size.
Pure ASGI middleware, so streamed responses pass through untouched."""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebook.service.errors import error_body

WINDOW_S = 60.0
LIMITED_PREFIX = "/v1/"
SWEEP_EVERY = 1000  # requests between sweeps of idle clients' windows


class SlidingWindow:
    """Request times per client over the last WINDOW_S seconds."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._seen = 0

    def acquire(self, client: str) -> float:
        """Count one request; 0 if allowed, else seconds until the client may try again."""
        now = self.clock()
        self._seen += 1
        if self._seen % SWEEP_EVERY == 0:
            self._sweep(now)
        hits = self._hits.setdefault(client, deque())
        while hits and hits[0] <= now - WINDOW_S:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return hits[0] + WINDOW_S - now
        hits.append(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        for client in [c for c, h in self._hits.items() if not h or h[-1] <= now - WINDOW_S]:
            del self._hits[client]


async def send_error(send: Send, status: int, code: str, message: str, hint: str,
                     headers: dict[str, str] | None = None) -> None:
    body = json.dumps(error_body(code, message, hint)).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class LimitsMiddleware:
    """429 past `per_minute` requests a minute from one client IP (0: no limit), and 413 for a
    body over `max_bytes`, both in the API's error shape; only paths under /v1/."""

    def __init__(self, app: ASGIApp, *, per_minute: int, max_bytes: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.window = SlidingWindow(per_minute, clock) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIX):
            await self.app(scope, receive, send)
            return
        if scope["method"] != "OPTIONS" and self.window is not None:
            client = scope["client"][0] if scope.get("client") else "unknown"
            wait = self.window.acquire(client)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                await send_error(
                    send, 429, "rate_limited",
                    f"Too many requests: the limit is {self.window.per_minute} a minute.",
                    f"Try again in {seconds} second{'s' if seconds != 1 else ''}.",
                    {"Retry-After": str(seconds)})
                return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(send)
            return
        if length is None and scope["method"] in ("POST", "PUT", "PATCH"):
            # no declared length (chunked): read the body here, within the limit, and replay it
            buffered = await self._buffered(receive)
            if buffered is None:
                await self._too_large(send)
                return
            receive = buffered
        await self.app(scope, receive, send)

    async def _buffered(self, receive: Receive) -> Receive | None:
        """The body read within the limit, replayed to the app; None when it is over."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return None
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": b"".join(chunks),
                                  "more_body": False}]

        async def replaying() -> Message:
            return replay.pop() if replay else await receive()

        return replaying

    async def _too_large(self, send: Send) -> None:
        await send_error(send, 413, "request_too_large",
                         f"The request body is over the limit of {self.max_bytes} bytes.",
                         "Send a shorter question or conversation.")
