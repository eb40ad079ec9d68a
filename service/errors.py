"""Every error the API returns has one shape: {"error": {"code", "message", "hint"}}."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from casebook.errors import CasebookError

MAX_HINT_CHARS = 2000
MAX_MESSAGE_CHARS = 240
# An absolute file path of two or more parts (not an API route such as /v1/case-studies/{id}).
ABSOLUTE_PATH = re.compile(r"(?<![\w:/.])/(?!v1/|admin/|docs|openapi|readyz|healthz|metrics)"
                           r"(?:[^\s/'\"`]+/)+([^\s/'\"`]*)")


def public(text: str | None, limit: int = MAX_MESSAGE_CHARS) -> str | None:
    """`text` fit to show a caller: server paths cut to their last part, and at most `limit`
    characters long (messages may quote the caller's input, which may be huge)."""
    if text is None:
        return None
    text = ABSOLUTE_PATH.sub(lambda m: m.group(1) or "the index directory", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def error_body(code: str, message: str, hint: str | None = None) -> dict[str, dict[str, str | None]]:
    """The one error envelope, for JSON responses, middleware and server-sent events alike."""
    # hints never quote the caller, and a list of valid values must reach them whole
    return {"error": {"code": code, "message": public(message) or "",
                      "hint": public(hint, MAX_HINT_CHARS)}}


def error_response(status: int, code: str, message: str, hint: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, hint), status_code=status, headers=headers)


BODY_UNREADABLE = "There was an error parsing the body"
# seconds a client should wait after a 503: an index loads in seconds; one that is missing or
# damaged waits for an operator
RETRY_AFTER_S = {"index_not_ready": 5}
RETRY_AFTER_DEFAULT_S = 30


def retry_after(exc: CasebookError) -> str:
    return str(RETRY_AFTER_S.get(exc.code, RETRY_AFTER_DEFAULT_S))


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "The request is not valid."


def install(app: FastAPI) -> None:
    """Map Casebook, validation and routing errors to the one JSON error shape."""

    @app.exception_handler(CasebookError)
    async def casebook_error(_: Request, exc: CasebookError) -> JSONResponse:
        headers = {"Retry-After": retry_after(exc)} if exc.status == 503 else None
        return error_response(exc.status, exc.code, exc.message, exc.hint, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _describe(exc),
                              "See the API documentation at /docs.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == BODY_UNREADABLE:
            # FastAPI's words for a body that is not UTF-8 JSON: invalid input, like bad JSON
            return error_response(422, "invalid_request",
                                  "The request body is not valid JSON in UTF-8.",
                                  "See the API documentation at /docs.")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        hint = "See the API documentation at /docs." if exc.status_code in (404, 405) else None
        return error_response(exc.status_code, code, str(exc.detail), hint,
                              headers=getattr(exc, "headers", None))
