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
BROMLEY = "bromley-by-bow-micro-commissioning"
MUSLIM = "How did others reach Muslim communities about vaccines?"
VACCINE_LIST = "Which case studies are about Covid-19 vaccine hesitancy?"

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


def cited(citations: list[dict[str, Any]]) -> list[str]:
    """The ids of the cited case studies, first citation first, each once."""
    return list(dict.fromkeys(c["case_study"]["id"] for c in citations))


def text_of(events: list[Event]) -> str:
    return "".join(data["text"] for name, data in events if name == "delta")


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
                         "took_ms", "match", "sentences", "shape", "items", "aspects",
                         "case_studies", "generated", "generation"}
    # no model configured: the extractive answer, saying so
    assert data["generated"] is False and data["generation"] == {"reason": "off", "removed": 0}
    assert data["case_studies"] == cited(data["citations"])
    assert data["found"] is True and data["match"] == "answered"
    cited_numbers = [s["citation"] for s in data["sentences"] if s["citation"]]
    assert cited_numbers and all(1 <= n <= len(data["citations"]) for n in cited_numbers)
    assert data["citations"][0]["case_study"]["id"] == HOUNSLOW
    assert set(data["citations"][0]) == {"case_study", "passage"}


@pytest.mark.slow
def test_done_carries_the_shape_the_items_and_the_cited_case_studies(
        client: httpx.Client) -> None:
    """A list answer streams its plain text; `done` carries what a client needs to show it as
    a list and to send back for a follow-up, the same as /v1/ask's (and the JSON form's)."""
    response, events = stream(client, chat(VACCINE_LIST))
    assert response.status_code == 200
    assert [name for name, _ in events][-2:] == ["citations", "done"]
    citations, done = events[-2][1]["citations"], events[-1][1]
    assert set(done) == {"answer", "found", "match", "sentences", "shape", "items", "aspects",
                         "case_studies", "took_ms", "query", "generated", "generation"}
    ask = client.post("/v1/ask", json={"question": VACCINE_LIST}).json()
    assert text_of(events) == ask["answer"] == done["answer"]
    assert done["generated"] is ask["generated"] is False
    assert done["shape"] == ask["shape"] == "list"
    assert done["items"] == ask["items"]
    assert len(done["items"]) >= 2
    assert done["sentences"] == ask["sentences"]
    assert done["case_studies"] == cited(citations)
    assert done["case_studies"][0] == citations[0]["case_study"]["id"]
    as_json = client.post("/v1/chat", json={**chat(VACCINE_LIST), "stream": False}).json()
    assert {k: as_json[k] for k in ("shape", "items", "case_studies")} == \
        {k: done[k] for k in ("shape", "items", "case_studies")}
    assert done["aspects"] == ask["aspects"] == []


@pytest.mark.slow
def test_done_carries_a_comparisons_aspects(client: httpx.Client) -> None:
    """A comparison's `done` carries its aspects as /v1/ask gives them: each a label and a
    line per case study, the sentences in the order the streamed text reads them."""
    question = "Compare the Hounslow and Newham vaccine approaches"
    _, events = stream(client, chat(question))
    done = events[-1][1]
    ask = client.post("/v1/ask", json={"question": question}).json()
    assert done["shape"] == "compare" and done["aspects"] == ask["aspects"]
    assert done["aspects"] and all(a["label"] and a["items"] for a in done["aspects"])
    lines = [s for a in done["aspects"] for i in a["items"] for s in i["sentences"]]
    assert done["sentences"][-len(lines):] == lines
    assert {i["case_study"]["id"] for a in done["aspects"] for i in a["items"]} == \
        {i["case_study"]["id"] for i in done["items"]}


@pytest.mark.slow
def test_case_studies_sent_back_carry_a_follow_up(client: httpx.Client) -> None:
    """What /v1/chat returns as `case_studies`, sent back on the assistant message, is what a
    follow-up that points back is answered about."""
    question = "Tell me about the Bromley by Bow micro-commissioning case study"
    first = client.post("/v1/chat", json={**chat(question), "stream": False}).json()
    assert first["case_studies"][0] == BROMLEY
    reply = {"role": "assistant", "content": first["answer"],
             "case_studies": first["case_studies"]}
    body = {"messages": [{"role": "user", "content": question}, reply,
                         {"role": "user", "content": "Who paid for it?"}]}
    response, events = stream(client, body)
    assert response.status_code == 200, response
    assert events[-1][0] == "done", events[-1]
    assert cited(events[-2][1]["citations"])[0] == BROMLEY
    assert events[-1][1]["case_studies"][0] == BROMLEY


@pytest.mark.slow
def test_a_follow_up_reads_the_case_studies_the_client_sent_back(client: httpx.Client) -> None:
    # the earlier question names no case study: only the ids sent back can say which "it" is
    body = {"messages": [
        {"role": "user", "content": "Tell me about one of the case studies"},
        {"role": "assistant", "content": "An earlier answer [1].", "case_studies": [BROMLEY]},
        {"role": "user", "content": "Who paid for it?"}], "stream": False}
    data = client.post("/v1/chat", json=body).json()
    assert data["citations"][0]["case_study"]["id"] == BROMLEY
    assert data["case_studies"][0] == BROMLEY


@pytest.mark.slow
@pytest.mark.parametrize(("questions", "case_id", "query", "match"), [
    # no Newham or Southwark case study is about Muslim communities: the question is asked of
    # the place, which says so, offers Hounslow's from outside it and cites the place's closest
    ((MUSLIM, "what about in Newham?"), NEWHAM,
     "How did others reach Muslim communities about vaccines in Newham?", "related"),
    ((MUSLIM, "what about in Newham?", "and in Southwark?"), SOUTHWARK,
     "How did others reach Muslim communities about vaccines in Southwark?", "related"),
    ((MUSLIM, "how did they do it?"), HOUNSLOW, None, "answered"),
])
def test_follow_ups_use_the_conversation(client: httpx.Client, questions: tuple[str, ...],
                                         case_id: str, query: str | None, match: str) -> None:
    data = client.post("/v1/chat", json={**chat(*questions), "stream": False}).json()
    assert data["match"] == match
    assert case_id in [c["case_study"]["id"] for c in data["citations"]]
    if match == "related":
        assert data["citations"][0]["case_study"]["id"] == HOUNSLOW
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
    _, events = stream(client, chat("What is the capital of Australia?"))
    text = text_of(events)
    assert text.startswith("I could not find a case study about that.")
    # what they cover, by the topics their themes name
    assert "The case studies cover " in text and "vaccination" in text
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
    ({"messages": [{"role": "user", "content": "vaccines"},
                   {"role": "assistant", "content": "An answer.", "case_studies": ["x"] * 51},
                   {"role": "user", "content": "who funded it?"}]}, "invalid_request",
     "case_studies"),
    ({"messages": [{"role": "user", "content": "vaccines"},
                   {"role": "assistant", "content": "An answer.", "case_studies": "x"},
                   {"role": "user", "content": "who funded it?"}]}, "invalid_request",
     "case_studies"),
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
