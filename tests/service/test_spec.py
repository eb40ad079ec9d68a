"""The OpenAPI document tells the truth, and schemathesis, with every check, finds nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from casebook.index.retrieval.searcher import Searcher
from casebook.service.app import create_app
from casebook.service.schemas import CONTENT_PATTERN, TEXT_PATTERN
from casebook.settings import Settings

HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"


@pytest.fixture(scope="module")
def app_client(index_settings: Settings, searcher: Searcher) -> Iterator[TestClient]:
    settings = index_settings.model_copy(update={"rate_limit_per_minute": 0, "reload_poll_s": 0})
    with TestClient(create_app(settings, searcher=searcher), client=("10.0.0.9", 1)) as client:
        yield client


@pytest.fixture(scope="module")
def openapi(app_client: TestClient) -> dict[str, Any]:
    schema: dict[str, Any] = app_client.get("/openapi.json").json()
    return schema


def param(schema: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    for p in schema["paths"][path]["get"]["parameters"]:
        if p["name"] == name:
            found: dict[str, Any] = p["schema"]
            return found
    raise KeyError(name)


@pytest.mark.slow
def test_the_document_declares_what_the_code_enforces(openapi: dict[str, Any],
                                                      searcher: Searcher) -> None:
    q = param(openapi, "/v1/search", "q")
    assert (q["minLength"], q["maxLength"], q["pattern"]) == (1, 2000, TEXT_PATTERN)
    k = param(openapi, "/v1/search", "k")
    assert (k["minimum"], k["maximum"]) == (1, 50)
    assert param(openapi, "/v1/search", "mode")["enum"] == ["hybrid", "dense", "bm25"]
    section = next(o for o in param(openapi, "/v1/search", "section")["anyOf"]
                   if o.get("type") == "string")
    assert section["enum"] == ["", *searcher.sections()]
    models = openapi["components"]["schemas"]
    assert models["AskRequest"]["properties"]["question"]["maxLength"] == 2000
    content = models["ChatMessage"]["properties"]["content"]  # a message is never blank
    assert (content["minLength"], content["pattern"]) == (1, CONTENT_PATTERN)
    assert models["SimilarTextRequest"]["properties"]["k"]["maximum"] == 50
    for path, statuses in [("/v1/search", {"400", "404", "413", "422", "429", "503"})]:
        responses = openapi["paths"][path]["get"]["responses"]
        assert statuses - {"413"} <= set(responses)
    ask = openapi["paths"]["/v1/ask"]["post"]["responses"]
    assert {"400", "404", "408", "413", "422", "429", "503"} <= set(ask)
    assert ask["429"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")


@pytest.mark.slow
@pytest.mark.parametrize(("path", "body", "where"), [
    ("/v1/chat", {"messages": [{"role": "user", "content": "vaccines"}], "stream": 0}, "stream"),
    ("/v1/similar", {"text": "link workers", "k": True}, "k"),
    ("/v1/similar", {"text": "link workers", "k": "3"}, "k"),
    ("/v1/ask", {"question": 7}, "question"),
])
def test_request_bodies_are_strict(app_client: TestClient, path: str, body: dict[str, Any],
                                   where: str) -> None:
    response = app_client.post(path, json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert where in response.json()["error"]["message"]


@pytest.mark.slow
@pytest.mark.parametrize("body", [b'{"question": ', b'{"question": "\xff\xfe"}', b"\xff", b"nul\x00"])
def test_malformed_json_and_invalid_utf8_are_422(app_client: TestClient, body: bytes) -> None:
    response = app_client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message", "hint"}


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/v1/search?q=vaccines", "/v1/case-studies",
                                  f"/v1/case-studies/{HOUNSLOW}", f"/v1/case-studies/{HOUNSLOW}/similar",
                                  "/", "/widget.js", "/widget.css", "/metrics", "/openapi.json"])
def test_head_works_on_every_get_route(app_client: TestClient, path: str) -> None:
    get = app_client.get(path)
    head = app_client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.slow
def test_errors_echo_little_of_the_input(app_client: TestClient) -> None:
    huge = "x" * 60_000  # the client refuses URLs over 65,536 characters
    response = app_client.get(f"/v1/case-studies/{huge}")
    assert response.status_code == 404
    assert len(response.text) < 600
    assert len(response.json()["error"]["message"]) <= 240


def test_unavailable_index_bodies_name_no_server_path(tmp_path: Path, server_thread) -> None:
    import time

    import httpx

    index_dir = tmp_path / "deep" / "secret" / "index"
    (index_dir / "builds" / "20250101T000000000000Z").mkdir(parents=True)
    (index_dir / "CURRENT").write_text("20250101T000000000000Z\n")
    settings = Settings(corpus_dir=tmp_path, index_dir=index_dir, reload_poll_s=0)
    from casebook.service.app import create_app as make

    with server_thread(make(settings)) as server:
        deadline = time.monotonic() + 30
        while (body := httpx.get(f"{server.url}/readyz").json())["error"]["code"] == "index_not_ready":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        search = httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"}).text
    for text in (str(body), search):
        assert str(tmp_path) not in text and "/deep/secret" not in text
    assert body["error"]["code"] in ("index_corrupt", "index_missing")


# -- schemathesis: every operation, every check -------------------------------------------

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CONFIG = Path(__file__).with_name("schemathesis.toml")


@pytest.mark.slow
def test_schemathesis_with_every_check_finds_nothing(index_settings: Settings, searcher: Searcher,
                                                     server_thread, tmp_path: Path) -> None:
    settings = index_settings.model_copy(update={"rate_limit_per_minute": 0, "reload_poll_s": 0})
    with server_thread(create_app(settings, searcher=searcher)) as server:
        run = subprocess.run(
            [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{server.url}/openapi.json",
             "--checks", "all", "--max-examples", "50", "--seed", "1", "--workers", "1",
             "--report", "ndjson", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=300, cwd=tmp_path)  # its cache goes there
    summary = run.stdout[-6000:]
    assert run.returncode == 0, summary
    counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert counts and counts[1] == counts[2] and int(counts[1]) > 300, summary
    assert "Failures:" not in run.stdout, summary
