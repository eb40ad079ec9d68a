"""Every error the API returns has one shape: {"error": {"code", "message", "hint"}}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from casebook.errors import CasebookError


def error_body(code: str, message: str, hint: str | None = None) -> dict[str, dict[str, str | None]]:
    """The one error envelope, for JSON responses, middleware and server-sent events alike."""
    return {"error": {"code": code, "message": message, "hint": hint}}


def error_response(status: int, code: str, message: str, hint: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, hint), status_code=status, headers=headers)


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
        return error_response(exc.status, exc.code, exc.message, exc.hint)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _describe(exc),
                              "See the API documentation at /docs.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        hint = "See the API documentation at /docs." if exc.status_code in (404, 405) else None
        return error_response(exc.status_code, code, str(exc.detail), hint,
                              headers=getattr(exc, "headers", None))
