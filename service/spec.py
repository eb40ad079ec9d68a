"""The OpenAPI document tells the truth: every constraint the code enforces, with this server's
limits (they are settings) and the sections, boroughs and themes of the build it serves, and every error
status a route can answer, in the one error shape."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from casebook.index.retrieval.queries import MODES
from casebook.service.schemas import TEXT_PATTERN
from casebook.service.state import SearcherSlot
from casebook.settings import Settings

ERROR_STATUSES = {
    "400": "The request is not valid HTTP or JSON the server can read.",
    "404": "No such case study (or route).",
    "408": "The request body did not arrive in time.",
    "413": "The request body is over the size limit.",
    "422": "The input breaks a rule of this document (empty, too long, out of range, wrong type).",
    "429": "Over the rate limit; Retry-After says when to try again.",
    "503": "No index is loaded yet, the server is overloaded or draining, or the answer took too "
           "long; Retry-After says when to try again.",
}
BODY_ONLY = {"408", "413"}
# Users' words: at least one character that is not a control, white space, ASCII punctuation
# or an invisible format character (blank or punctuation-only text is refused, as validate_query
# checks), and no control character but white space (schemas.usable checks).
WORDS = TEXT_PATTERN


def _text(schema: dict[str, Any], settings: Settings) -> None:
    schema.update(minLength=1, maxLength=settings.max_query_chars, pattern=WORDS)


def _k(schema: dict[str, Any], settings: Settings) -> None:
    schema.update(minimum=1, maximum=settings.max_k)


def _param(operation: dict[str, Any], name: str) -> dict[str, Any]:
    for param in operation.get("parameters", []):
        if param["name"] == name:
            schema: dict[str, Any] = param["schema"]
            return schema
    raise KeyError(name)


def _choices(schema: dict[str, Any], values: list[str]) -> None:
    """An optional filter: one of `values`, or empty for none (anyOf [string, null] today)."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string":
            option["enum"] = ["", *values]


def constrain(schema: dict[str, Any], settings: Settings, slot: SearcherSlot) -> dict[str, Any]:
    """`schema` (FastAPI's document) with the limits and choices this server enforces."""
    paths = schema["paths"]
    search = paths["/v1/search"]["get"]
    _text(_param(search, "q"), settings)
    next(p for p in search["parameters"] if p["name"] == "q")["required"] = True
    _k(_param(search, "k"), settings)
    _param(search, "mode")["enum"] = list(MODES)
    searcher = slot.current
    if searcher is not None:
        _choices(_param(search, "section"), searcher.sections())
        _choices(_param(search, "borough"), searcher.boroughs())
        _choices(_param(search, "theme"), searcher.themes())
    _k(_param(paths["/v1/case-studies/{case_id}/similar"]["get"], "k"), settings)
    models = schema["components"]["schemas"]
    _text(models["AskRequest"]["properties"]["question"], settings)
    _text(models["SimilarTextRequest"]["properties"]["text"], settings)
    _k(models["SimilarTextRequest"]["properties"]["k"], settings)
    models["ChatRequest"]["properties"]["messages"]["minItems"] = 1
    for path, methods in paths.items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            for status, text in ERROR_STATUSES.items():
                if status in BODY_ONLY and method not in ("post", "put", "patch"):
                    continue
                responses[status] = {"description": text, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    return schema


def install(app: FastAPI) -> None:
    """Serve the constrained document at /openapi.json (rebuilt per request: a reload can
    change the sections and boroughs)."""
    base: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not base:
            base.update(get_openapi(title=app.title, version=app.version, summary=app.summary,
                                    routes=app.routes))
        return constrain(copy.deepcopy(base), app.state.settings, app.state.slot)

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise it
