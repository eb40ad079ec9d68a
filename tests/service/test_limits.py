"""Per-client rate limit (the `limits` library): pure ASGI, the API's error shape, RateLimit
headers, streams intact."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from casebook.service.app import create_app
from casebook.service.limits import LimitsMiddleware
from casebook.settings import Settings


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"bytes": len(body), "tail": body[-5:].decode()})


async def stream(_: Request) -> StreamingResponse:
    async def parts() -> AsyncIterator[str]:
        for i in range(5):
            yield f"event: delta\ndata: {i}\n\n"

    return StreamingResponse(parts(), media_type="text/event-stream")


def make_app(per_minute: int = 3, limit: str | None = None) -> Starlette:
    app = Starlette(routes=[
        Route("/v1/echo", echo, methods=["GET", "POST", "OPTIONS"]),
        Route("/v1/stream", stream, methods=["POST"]),
        Route("/healthz", lambda _: PlainTextResponse("ok")),
    ])
    app.add_middleware(LimitsMiddleware, per_minute=per_minute, limit=limit)
    return app


def client_at(app: Starlette, ip: str = "10.0.0.1") -> TestClient:
    return TestClient(app, client=(ip, 50000))


def test_the_request_over_the_limit_gets_429_with_retry_after() -> None:
    client = client_at(make_app(per_minute=3))
    answered = [client.get("/v1/echo") for _ in range(3)]
    assert [r.status_code for r in answered] == [200, 200, 200]
    assert [r.headers["ratelimit-remaining"] for r in answered] == ["2", "1", "0"]
    assert {r.headers["ratelimit-limit"] for r in answered} == {"3"}
    refused = client.get("/v1/echo")
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 55 <= wait <= 60
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["ratelimit-reset"] == str(wait)
    assert refused.json() == {"error": {
        "code": "rate_limited", "message": "Too many requests: the limit is 3 a minute.",
        "hint": f"Try again in {wait} seconds."}}


def test_the_window_slides() -> None:
    client = client_at(make_app(limit="2/second"))
    assert [client.get("/v1/echo").status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.1)  # both requests have left the one-second window
    assert [client.get("/v1/echo").status_code for _ in range(3)] == [200, 200, 429]


def test_clients_are_counted_apart() -> None:
    app = make_app(per_minute=1)
    assert client_at(app, "10.0.0.1").get("/v1/echo").status_code == 200
    assert client_at(app, "10.0.0.1").get("/v1/echo").status_code == 429
    assert client_at(app, "10.0.0.2").get("/v1/echo").status_code == 200


def test_only_v1_is_limited_and_preflights_are_free() -> None:
    client = client_at(make_app(per_minute=1))
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))
    assert all(client.options("/v1/echo").status_code == 200 for _ in range(3))
    assert client.get("/v1/echo").status_code == 200


def test_zero_turns_the_rate_limit_off() -> None:
    client = client_at(make_app(per_minute=0))
    assert all(client.get("/v1/echo").status_code == 200 for _ in range(200))


@pytest.mark.parametrize("uri", ["memory://", "async+memory://"])
def test_the_count_lives_in_the_storage_the_uri_names(uri: str) -> None:
    app = Starlette(routes=[Route("/v1/echo", echo)])
    app.add_middleware(LimitsMiddleware, per_minute=1, storage_uri=uri)
    client = client_at(app)
    assert [client.get("/v1/echo").status_code for _ in range(2)] == [200, 429]


@pytest.mark.parametrize("uri", ["memroy://", "redis", "http://cache.example"])
def test_an_unknown_storage_uri_is_a_settings_error(uri: str) -> None:
    with pytest.raises(ValidationError, match="rate-limit storage URI"):
        Settings(rate_limit_storage_uri=uri)


def test_streamed_responses_pass_through_whole() -> None:
    client = client_at(make_app())
    with client.stream("POST", "/v1/stream", json={}) as response:
        text = "".join(response.iter_text())
    assert response.headers["content-type"].startswith("text/event-stream")
    assert text.count("event: delta") == 5


class NoSearcher:
    def case_studies(self) -> list[object]:
        return []


def test_the_service_applies_its_settings(tmp_path: Path) -> None:
    path = "/v1/case-studies"
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path, rate_limit_per_minute=2,
                        max_request_bytes=1024, cors_origins=["https://allowed.example"])
    app = create_app(settings, searcher=NoSearcher())  # type: ignore[arg-type]
    with TestClient(app, client=("10.1.1.1", 1)) as client:
        assert [client.get(path).status_code for _ in range(3)] == [200, 200, 429]
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200
        # CORS wraps the limit, so a page on an allowed site can read why it was refused
        refused = client.get(path, headers={"Origin": "https://allowed.example"})
        assert refused.status_code == 429
        assert refused.headers["access-control-allow-origin"] == "https://allowed.example"
    with TestClient(app, client=("10.1.1.2", 1)) as client:
        big = client.post("/v1/chat", content=b"{" + b" " * 2000 + b"}",
                          headers={"content-type": "application/json"})
        assert big.status_code == 413
        assert set(big.json()["error"]) == {"code", "message", "hint"}
