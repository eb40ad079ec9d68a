"""Per-client limits on /v1: requests a minute (the `limits` library's moving window, in memory
or in a shared store such as Redis) and request body size. Pure ASGI middleware, so streamed
responses pass through untouched; every /v1 response carries RateLimit-* headers."""

from __future__ import annotations

import json
import logging
import math
import time

from limits import RateLimitItem, RateLimitItemPerMinute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebook.service.errors import error_body
from casebook.service.ratestore import RateStore

log = logging.getLogger("casebook.service")

LIMITED_PREFIX = "/v1/"
KEY = "casebook"


async def send_error(send: Send, status: int, code: str, message: str, hint: str,
                     headers: dict[str, str] | None = None) -> None:
    body = json.dumps(error_body(code, message, hint)).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class LimitsMiddleware:
    """429 past the rate limit for one client IP (per_minute 0: no limit), in the API's error
    shape, with RateLimit headers; only paths under /v1/. `limit` (a `limits` string such as
    "5/second") replaces per_minute where tests need a short window. It runs before any body
    is read (bodies, their size and how many one client sends at once, are the shedding
    middleware's, inside this one)."""

    def __init__(self, app: ASGIApp, *, per_minute: int, storage_uri: str = "memory://",
                 limit: str | None = None, storage_timeout_s: float = 0.15,
                 storage_retry_s: float = 5.0) -> None:
        from limits import parse

        self.app = app
        self.item: RateLimitItem | None = (
            parse(limit) if limit else RateLimitItemPerMinute(per_minute) if per_minute > 0 else None)
        # a shared store is asked under a deadline and a circuit breaker (service/ratestore.py)
        self.store = RateStore(storage_uri, timeout_s=storage_timeout_s,
                               retry_s=storage_retry_s) if self.item is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(LIMITED_PREFIX):
            await self.app(scope, receive, send)
            return
        if scope["method"] != "OPTIONS" and self.store is not None and self.item is not None:
            client = scope["client"][0] if scope.get("client") else "unknown"
            headers = await self._count(client)
            if headers is not None and headers["RateLimit-Remaining"] == "-1":
                seconds = headers["RateLimit-Reset"]
                headers["RateLimit-Remaining"] = "0"
                await send_error(
                    send, 429, "rate_limited",
                    f"Too many requests: the limit is {self.item.amount} "
                    f"{_per(self.item)}.",
                    f"Try again in {seconds} second{'s' if seconds != '1' else ''}.",
                    {**headers, "Retry-After": seconds})
                return
            if headers is not None:
                send = _with_headers(send, headers)
        await self.app(scope, receive, send)

    async def _count(self, client: str) -> dict[str, str] | None:
        """Count one request; the RateLimit headers to send (Remaining -1: refused), or None
        when the store cannot be reached in time (then nobody is limited; the log says when the
        store is lost and when it is back)."""
        assert self.store is not None and self.item is not None
        counted = await self.store.hit(self.item, KEY, client)
        if counted is None:
            return None
        allowed, stats = counted
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return {"RateLimit-Limit": str(self.item.amount),
                "RateLimit-Remaining": str(stats.remaining if allowed else -1),
                "RateLimit-Reset": str(reset)}

def _per(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return f"a {unit}" if item.multiples == 1 else f"per {item.multiples} {unit}s"


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *raw]}
        await send(message)

    return sending
