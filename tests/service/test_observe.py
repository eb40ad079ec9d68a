"""/metrics in Prometheus text, a request id on every response, and a JSON access log that
leaves users' questions out unless asked to keep them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from casebook.index.retrieval.searcher import Searcher
from casebook.service.app import create_app
from casebook.settings import Settings

pytestmark = pytest.mark.slow
HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"
QUESTION = "How did others reach Muslim communities about vaccines?"


def client_for(settings: Settings, searcher: Searcher) -> TestClient:
    settings = settings.model_copy(update={"rate_limit_per_minute": 0, "reload_poll_s": 0})
    return TestClient(create_app(settings, searcher=searcher), client=("10.0.0.7", 1))


@pytest.fixture
def client(index_settings: Settings, searcher: Searcher) -> Iterator[TestClient]:
    with client_for(index_settings, searcher) as c:
        yield c


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def test_metrics_count_requests_by_route_template_and_answers_by_match(client: TestClient) -> None:
    client.get("/v1/search", params={"q": "vaccines"})
    client.get(f"/v1/case-studies/{HOUNSLOW}")
    client.get("/v1/case-studies/no-such-id")
    client.post("/v1/ask", json={"question": QUESTION})
    client.post("/v1/ask", json={"question": "How do I renew my passport?"})
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    by_id = "/v1/case-studies/{case_id}"
    assert found[("casebook_http_requests_total",
                  (("method", "GET"), ("route", by_id), ("status", "200")))] == 1
    assert found[("casebook_http_requests_total",
                  (("method", "GET"), ("route", by_id), ("status", "404")))] == 1
    assert found[("casebook_http_request_duration_seconds_count",
                  (("method", "GET"), ("route", "/v1/search"), ("status", "200")))] == 1
    assert not any(HOUNSLOW in str(key) for key in found)  # templates, never raw ids
    assert found[("casebook_answers_total", (("found", "true"), ("match", "answered")))] == 1
    assert sum(v for (name, labels), v in found.items()
               if name == "casebook_answers_total" and ("found", "false") in labels) == 1
    assert found[("casebook_index_build_age_seconds", ())] >= 0
    assert any(name == "casebook_index_build_info" for name, _ in found)
    assert found[("casebook_ready", ())] == 1
    # counted since the encoder loaded: it has embedded at least the questions above
    batches = found[("casebook_query_batches_total", ())]
    assert batches >= 1 and found[("casebook_query_batch_texts_total", ())] >= batches


def test_request_ids_are_honoured_when_sane_and_made_otherwise(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123.def"})
    assert given.headers["x-request-id"] == "abc-123.def"
    for bad in ["has space", "x" * 200, "quote\"s"]:
        made = client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert made != bad and len(made) == 32
    refused = client.get("/v1/case-studies/nope")
    assert len(refused.headers["x-request-id"]) == 32


def test_the_access_log_leaves_questions_out(client: TestClient,
                                             caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="casebook.access"):
        client.get("/v1/search", params={"q": "my diabetes and depression"},
                   headers={"X-Request-ID": "req-1"})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "casebook.access"]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["request_id"] == "req-1" and entry["path"] == "/v1/search"
    assert entry["route"] == "/v1/search" and entry["status"] == 200
    assert "query" not in entry and "diabetes" not in caplog.text


def test_queries_are_logged_only_when_opted_in(index_settings: Settings, searcher: Searcher,
                                               caplog: pytest.LogCaptureFixture) -> None:
    settings = index_settings.model_copy(update={"log_queries": True})
    with client_for(settings, searcher) as client, \
            caplog.at_level(logging.INFO, logger="casebook.access"):
        client.get("/v1/search", params={"q": "diabetes"})
    assert "q=diabetes" in caplog.text
