"""POST /admin/reload: load the newest build now, for operators holding CASEBOOK_ADMIN_TOKEN.

The token is checked by `AdminGate`, which also guards /metrics where CASEBOOK_METRICS_TOKEN
asks for it. Failed attempts are limited per client address (CASEBOOK_ADMIN_FAILURES_PER_MINUTE):
past the limit every attempt from that address, a right token too, gets 429 until the minute
has passed, so the token cannot be guessed at the speed of the network.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import deque

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import SecretStr
from starlette.concurrency import run_in_threadpool

from casebook.service.errors import error_response
from casebook.service.reload import Reloader

router = APIRouter()
WINDOW_S = 60.0
MAX_TRACKED = 10_000  # client addresses with recent failures kept; the oldest go first


def authorised(authorization: str, token: str) -> bool:
    """Whether an Authorization header value carries `token` as a bearer token. The scheme is
    matched ignoring case, as RFC 7235 (2.1) and RFC 6750 have it: "bearer" is as good as
    "Bearer"; the token itself is compared exactly, in constant time."""
    scheme, _, given = authorization.partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(),
                                                                 token.encode())


class AdminGate:
    """The admin token's check, with failed attempts limited per client address."""

    def __init__(self, token: SecretStr | None, failures_per_minute: int) -> None:
        self.token = token.get_secret_value() if token is not None else ""
        self.failures_per_minute = failures_per_minute  # 0: no limit
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()  # /metrics is answered in the threadpool

    def refuse(self, request: Request, what: str = "POST /admin/reload") -> JSONResponse | None:
        """The response refusing `request` for route `what` (404 while no token is set, 429 past
        the failure limit, 401 without the right token), or None to let it through."""
        if not self.token:
            return error_response(404, "not_found", f"{what} is off on this server.",
                                  f"Set CASEBOOK_ADMIN_TOKEN to enable {what}.")
        client = request.client.host if request.client else "unknown"
        now = time.monotonic()
        with self._lock:
            recent = self._recent(client, now)
            if self.failures_per_minute and len(recent) >= self.failures_per_minute:
                seconds = str(max(1, math.ceil(recent[0] + WINDOW_S - now)))
                return error_response(
                    429, "too_many_attempts",
                    f"Too many failed attempts with the admin token: the limit is "
                    f"{self.failures_per_minute} a minute.",
                    f"Try again in {seconds} seconds, with the right token.",
                    headers={"Retry-After": seconds})
            if authorised(request.headers.get("authorization", ""), self.token):
                return None
            self._fail(client, now)
        return error_response(401, "unauthorized", f"{what} needs the admin token.",
                              "Send Authorization: Bearer <CASEBOOK_ADMIN_TOKEN>.",
                              headers={"WWW-Authenticate": "Bearer"})

    def _recent(self, client: str, now: float) -> deque[float]:
        times = self._failures.get(client, deque())
        while times and times[0] <= now - WINDOW_S:
            times.popleft()
        if not times:
            self._failures.pop(client, None)
        return times

    def _fail(self, client: str, now: float) -> None:
        if not self.failures_per_minute:
            return
        times = self._failures.pop(client, deque())
        times.append(now)
        self._failures[client] = times  # the most recent last: dicts keep insertion order
        while len(self._failures) > MAX_TRACKED:
            del self._failures[next(iter(self._failures))]


# Not in the public OpenAPI document: an operator's route, off unless a token is set.
@router.post("/admin/reload", include_in_schema=False)
async def reload(request: Request) -> JSONResponse:
    gate: AdminGate = request.app.state.admin_gate
    refused = gate.refuse(request)
    if refused is not None:
        return refused
    reloader: Reloader = request.app.state.reloader
    result = await run_in_threadpool(reloader.check, force=True)
    if result.outcome == "failed" and result.error is not None:
        served = f"Still serving build {result.build}." if result.build else "No build is served."
        return error_response(503, "reload_failed", result.error.message,
                              f"{served} {result.error.hint or ''}".strip(),
                              headers={"Retry-After": "30"})
    return JSONResponse({"status": result.outcome, "build": result.build})
