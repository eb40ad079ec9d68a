"""POST /admin/reload: load the newest build now, for operators holding CASEBOOK_ADMIN_TOKEN."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from casebook.service.errors import error_response
from casebook.service.reload import Reloader

router = APIRouter()


def _authorised(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(),
                                                                 token.encode())


# Not in the public OpenAPI document: an operator's route, off unless a token is set.
@router.post("/admin/reload", include_in_schema=False)
async def reload(request: Request) -> JSONResponse:
    token = request.app.state.settings.admin_token
    if token is None or not token.get_secret_value():
        return error_response(404, "not_found", "Admin routes are off on this server.",
                              "Set CASEBOOK_ADMIN_TOKEN to enable POST /admin/reload.")
    if not _authorised(request, token.get_secret_value()):
        return error_response(401, "unauthorized", "This route needs the admin token.",
                              "Send Authorization: Bearer <CASEBOOK_ADMIN_TOKEN>.",
                              headers={"WWW-Authenticate": "Bearer"})
    reloader: Reloader = request.app.state.reloader
    result = await run_in_threadpool(reloader.check, force=True)
    if result.outcome == "failed" and result.error is not None:
        served = f"Still serving build {result.build}." if result.build else "No build is served."
        return error_response(503, "reload_failed", result.error.message,
                              f"{served} {result.error.hint or ''}".strip())
    return JSONResponse({"status": result.outcome, "build": result.build})
