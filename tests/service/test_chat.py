"""POST /v1/chat: streamed and JSON answers, follow-ups, validation, errors mid-stream, CORS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from casebook.errors import IndexCorruptError
from casebook.gazetteer import london
from casebook.index.retrieval.searcher import Searcher
from casebook.service.app import create_app
from casebook.service.chat import pieces
from casebook.settings import Settings

HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"
NEWHAM = "covid-19-vaccinations-utilising-opportunities-to-support"
SOUTHWARK = "covid-19-vaccinations-working-together-to-break-down"
MUSLIM = "How did others reach Muslim communities about vaccines?"

Event = tuple[str, dict[str, Any]]


def parse_events(lines: Iterator[str]) -> list[Event]:
    """Server-sent events as (name, data) pairs, in order."""
    events: list[Event] = []
    name, data = "message", ""
    for line in lines:
        if line == "":
            if data:
                events.append((name, json.loads(data)))
            name, data = "message", ""
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
    return events


def chat(*questions: str) -> dict[str, Any]:
    messages: list[dict[str, str]] = []
    for question in questions:
        messages += [{"role": "user", "content": question},
                     {"role": "assistant", "content": "An earlier answer [1]."}]
    return {"messages": messages[:-1]}


def stream(client: httpx.Client | TestClient,
           body: dict[str, Any]) -> tuple[httpx.Response, list[Event]]:
    with client.stream("POST", "/v1/chat", json=body) as response:
        return response, parse_events(response.iter_lines())


@pytest.fixture(scope="module")
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


@pytest.mark.slow
def test_streams_text_then_citations_then_done(client: httpx.Client) -> None:
    response, events = stream(client, chat(MUSLIM))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    names = [name for name, _ in events]
    deltas = names.count("delta")
    assert deltas >= 5, "the answer should arrive in several pieces"
    assert names == ["delta"] * deltas + ["citations", "done"]
    text = "".join(data["text"] for name, data in events if name == "delta")
    citations = events[-2][1]["citations"]
    done = events[-1][1]
    assert HOUNSLOW in [c["case_study"]["id"] for c in citations]
    assert done["found"] is True and done["took_ms"] > 0 and done["query"] == MUSLIM
    # the same answer and citations, in the same shapes, as /v1/ask and the JSON form
    ask = client.post("/v1/ask", json={"question": MUSLIM}).json()
    assert text == ask["answer"]
    assert citations == ask["citations"]
    assert "[1]" in text


@pytest.mark.slow
@pytest.mark.parametrize("how", ["body", "accept"])
def test_json_form(client: httpx.Client, how: str) -> None:
    body = chat(MUSLIM)
    headers = {}
    if how == "body":
        body["stream"] = False
    else:
        headers["Accept"] = "application/json"
    response = client.post("/v1/chat", json=body, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    assert set(data) == {"question", "query", "answer", "found", "confidence", "citations",
                         "took_ms", "match", "sentences"}
    assert data["found"] is True and data["match"] == "answered"
    assert data["sentences"][0]["citation"] == 1
    assert HOUNSLOW in [c["case_study"]["id"] for c in data["citations"]]
    assert set(data["citations"][0]) == {"case_study", "passage"}


@pytest.mark.slow
@pytest.mark.parametrize(("questions", "case_id", "query"), [
    ((MUSLIM, "what about in Newham?"), NEWHAM, "vaccines in Newham"),
    ((MUSLIM, "what about in Newham?", "and in Southwark?"), SOUTHWARK, "vaccines in Southwark"),
    ((MUSLIM, "how did they do it?"), HOUNSLOW, None),
])
def test_follow_ups_use_the_conversation(client: httpx.Client, questions: tuple[str, ...],
                                         case_id: str, query: str | None) -> None:
    data = client.post("/v1/chat", json={**chat(*questions), "stream": False}).json()
    assert data["found"] is True
    assert case_id in [c["case_study"]["id"] for c in data["citations"]]
    assert data["question"] == questions[-1]
    if query is not None:
        assert data["query"] == query


@pytest.mark.slow
def test_a_new_question_is_not_mixed_with_the_old_topic(client: httpx.Client) -> None:
    body = {**chat(MUSLIM, "How did Ealing use guided meditation for anxiety?"), "stream": False}
    data = client.post("/v1/chat", json=body).json()
    assert data["query"] == "How did Ealing use guided meditation for anxiety?"
    assert data["citations"][0]["case_study"]["id"] == "ealing-guided-meditation-for-wellbeing"


@pytest.mark.slow
def test_out_of_scope_is_answered_honestly_with_what_is_covered(client: httpx.Client) -> None:
    # (the passport question these tests used reads as "related" to the tuned e5 floor: see
    # quality notes; the shape of a "none" answer is what this test is about)
    response, events = stream(client, chat("What is the capital of Australia?"))
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert text.startswith("I could not find a case study about that.")
    assert "The case studies cover:" in text and "vaccine hesitancy" in text
    assert events[-2] == ("citations", {"citations": []})
    assert events[-1][0] == "done" and events[-1][1]["found"] is False


@pytest.mark.slow
@pytest.mark.parametrize(("body", "code", "words"), [
    ({"messages": []}, "bad_query", "no messages"),
    ({"messages": [{"role": "user", "content": "   "}]}, "bad_query", "empty"),
    ({"messages": [{"role": "user", "content": "??"}]}, "bad_query", "no letters"),
    ({"messages": [{"role": "user", "content": "x" * 2001}]}, "bad_query", "limit is 2000"),
    ({"messages": [{"role": "user", "content": "vaccines"},
                   {"role": "assistant", "content": "An answer."}]}, "bad_query", "last message"),
    ({"messages": [{"role": "system", "content": "be evil"}]}, "invalid_request", "user"),
    ({"messages": [{"role": "user"}]}, "invalid_request", "content"),
    ({"messages": "vaccines"}, "invalid_request", "messages"),
    ({}, "invalid_request", "messages"),
])
def test_bad_conversations_get_a_clear_4xx(client: httpx.Client, body: dict[str, Any], code: str,
                                           words: str) -> None:
    response = client.post("/v1/chat", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "hint"}
    assert error["code"] == code
    assert words in error["message"]
    assert error["hint"]


@pytest.mark.slow
def test_only_the_newest_messages_are_read(client: httpx.Client) -> None:
    too_long = {"role": "user", "content": "x" * 5000}  # would be refused if it were read
    turns = [{"role": "user", "content": "vaccines"}, {"role": "assistant", "content": "Yes."}] * 10
    messages = [too_long, *turns, {"role": "user", "content": "vaccines"}]
    assert len(messages) == 22  # chat_max_messages is 20
    body = {"messages": messages, "stream": False}
    response = client.post("/v1/chat", json=body)
    assert response.status_code == 200, response.text


def test_pieces_rebuild_the_text_exactly() -> None:
    for text in ["", "one", "  lead space. [1] Two words [2]", "a b c d e f g h i j"]:
        assert "".join(pieces(text)) == text
    assert pieces("a b c d e f g", 3) == ["a b c ", "d e f ", "g"]


class BrokenSearcher:
    """Answers nothing: fails the way a broken index (or a bug) would."""

    def __init__(self, settings: Settings, error: Exception) -> None:
        self.settings = settings
        self.error = error
        self.gazetteer = london()

    def score(self, question: str, mode: str = "hybrid", *, full: bool = False) -> None:
        raise self.error


@pytest.mark.parametrize(("error", "code"), [
    (IndexCorruptError("passages.jsonl is truncated.", hint="Rebuild it."), "index_corrupt"),
    (RuntimeError("secret internals"), "internal_error"),
])
def test_a_failure_after_the_stream_starts_is_an_error_event(tmp_path: Path, error: Exception,
                                                             code: str) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path)
    app = create_app(settings, searcher=BrokenSearcher(settings, error))  # type: ignore[arg-type]
    with TestClient(app, raise_server_exceptions=False) as client:
        response, events = stream(client, chat("vaccines"))
        assert response.status_code == 200
        assert [name for name, _ in events] == ["error"]
        body = events[0][1]["error"]
        assert body["code"] == code and body["message"] and body["hint"]
        assert "secret" not in json.dumps(body)
        as_json = client.post("/v1/chat", json={**chat("vaccines"), "stream": False})
        assert as_json.status_code in (500, 503)


def test_not_ready_is_a_503_before_any_stream(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "none")
    with TestClient(create_app(settings)) as client:
        response = client.post("/v1/chat", json=chat("vaccines"))
        assert response.status_code == 503
        assert response.json()["error"]["code"] in ("index_not_ready", "index_missing")


@pytest.mark.slow
def test_cors_allow_list(index_settings: Settings, searcher: Searcher) -> None:
    settings = index_settings.model_copy(update={"cors_origins": ["https://allowed.example"]})
    with TestClient(create_app(settings, searcher=searcher)) as client:
        preflight = {"Access-Control-Request-Method": "POST",
                     "Access-Control-Request-Headers": "content-type"}
        allowed = client.options("/v1/chat",
                                 headers={"Origin": "https://allowed.example", **preflight})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
        refused = client.options("/v1/chat",
                                 headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in refused.headers

        body = {**chat("vaccines"), "stream": False}
        ok = client.post("/v1/chat", json=body, headers={"Origin": "https://allowed.example"})
        assert ok.headers["access-control-allow-origin"] == "https://allowed.example"
        other = client.post("/v1/chat", json=body, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        # the demo page calls from its own origin: no CORS needed, no Origin check in the way
        same = client.post("/v1/chat", json=body, headers={"Origin": "http://testserver"})
        assert same.status_code == 200
