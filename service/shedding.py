"""Load shedding and deadlines, as pure ASGI middleware:

- a request body must arrive within `body_timeout_s` (else 408), and no larger than `max_bytes`;
  one client address may have at most `max_client_bodies` bodies arriving at once (else 429,
  before the body is read);
- past `max_in_flight` requests being answered, a new one gets 503 at once (no queue building up
  behind a busy CPU, where every caller would wait seconds). A request counts once its body has
  arrived: clients that send headers and then stall hold no slot (64 stalled bodies locked
  everyone out while they did);
- a response must start within `request_timeout_s` (else 503 with Retry-After); a stream that
  has started runs to its end.

Health, readiness and metrics are never shed: they must answer when the service is busiest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebook.service.limits import send_error

EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class SheddingMiddleware:
    def __init__(self, app: ASGIApp, *, max_in_flight: int, request_timeout_s: float,
                 body_timeout_s: float, max_bytes: int, max_client_bodies: int = 0) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.request_timeout_s = request_timeout_s
        self.body_timeout_s = body_timeout_s
        self.max_bytes = max_bytes
        self.max_client_bodies = max_client_bodies  # 0: no limit
        self.in_flight = 0
        self.reading: Counter[str] = Counter()  # bodies arriving, by client address
        self.shed = 0  # refused at the cap, since start (for /metrics)
        self.timed_out = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        if scope["method"] in BODY_METHODS:
            length = dict(scope["headers"]).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.max_bytes:
                await self._too_large(send)  # declared too large: no need to read it
                return
            client = scope["client"][0] if scope.get("client") else "unknown"
            if self.max_client_bodies and self.reading[client] >= self.max_client_bodies:
                await send_error(send, 429, "too_many_bodies",
                                 f"This address already has {self.max_client_bodies} requests "
                                 f"whose bodies are still arriving.",
                                 "Send each request's body with its headers.",
                                 {"Retry-After": "1", "Connection": "close"})
                return
            self.reading[client] += 1
            try:
                body = await self._read_body(receive)
            finally:
                self.reading[client] -= 1
                if self.reading[client] <= 0:
                    del self.reading[client]
            if body is None:
                await send_error(send, 408, "request_timeout",
                                 f"The request body did not arrive within "
                                 f"{self.body_timeout_s:g} seconds.",
                                 "Send the whole request at once.",
                                 {"Connection": "close"})
                return
            if len(body) > self.max_bytes:
                await self._too_large(send)
                return
            receive = _replay(body, receive)
        # only now, the request whole, does it take a slot
        if self.in_flight >= self.max_in_flight:
            self.shed += 1
            await send_error(send, 503, "overloaded",
                             "The server is answering as many requests as it can.",
                             "Retry in a second.", {"Retry-After": "1"})
            return
        self.in_flight += 1
        try:
            await self._within_deadline(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _too_large(self, send: Send) -> None:
        await send_error(send, 413, "request_too_large",
                         f"The request body is over the limit of {self.max_bytes} bytes.",
                         "Send a shorter question or conversation.")

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, read by the deadline (None if it was not); stops past the size cap."""
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        break
                    chunks.append(message.get("body", b""))
                    size += len(chunks[-1])
                    if size > self.max_bytes or not message.get("more_body", False):
                        break
        except TimeoutError:
            return None
        return b"".join(chunks)

    async def _within_deadline(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = asyncio.Event()
        abandoned = False

        async def tracking(message: Message) -> None:
            if abandoned:
                return  # we answered 503 already; the late answer goes nowhere
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, tracking))
        waiter = asyncio.ensure_future(started.wait())
        try:
            await asyncio.wait({task, waiter}, timeout=self.request_timeout_s,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if task.done() or started.is_set():
            await task  # finished, or streaming: let it run to its end
            return
        abandoned = True
        self.timed_out += 1
        # a worker thread cannot be stopped; its result is dropped when it comes
        task.cancel()
        task.add_done_callback(_swallow)
        await send_error(send, 503, "deadline_exceeded",
                         f"The answer took longer than {self.request_timeout_s:g} seconds.",
                         "Retry in a few seconds.", {"Retry-After": "5"})


def _replay(body: bytes, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replaying() -> Message:
        return pending.pop() if pending else await receive()

    return replaying


def _swallow(task: asyncio.Future[None]) -> None:
    with contextlib.suppress(BaseException):
        task.result()
