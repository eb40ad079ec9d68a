"""The HTTP contract of DESIGN.md, exercised over a real server on loopback."""

from collections.abc import Iterator

import httpx
import pytest

pytestmark = pytest.mark.slow

HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"


@pytest.fixture(scope="module")
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


def test_health_and_readiness(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["case_studies"] == 34


def test_search_shape_and_ranking(client: httpx.Client) -> None:
    response = client.get("/v1/search", params={"q": "How did others reach Muslim communities about vaccines?", "k": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["query"].startswith("How did others") and body["took_ms"] >= 0
    assert len(body["results"]) == 5
    first = body["results"][0]
    ids = [r["case_study"]["id"] for r in body["results"]]
    assert HOUNSLOW in ids[:2]
    assert set(first["case_study"]) == {"id", "title", "url", "section", "boroughs", "themes"}
    hounslow = body["results"][ids.index(HOUNSLOW)]["case_study"]
    assert hounslow["boroughs"] == ["Hounslow"]
    assert "vaccination" in hounslow["themes"]
    assert first["passages"] and set(first["passages"][0]) == {"id", "text", "score"}
    ids = [r["case_study"]["id"] for r in body["results"]]
    assert len(ids) == len(set(ids))


def test_search_filters(client: httpx.Client) -> None:
    body = client.get("/v1/search", params={"q": "young people", "borough": "Lambeth"}).json()
    assert {r["case_study"]["id"] for r in body["results"]} == {
        "the-well-centre", "stockwell-clinicians-taking-the-lead"}
    body = client.get("/v1/search", params={"q": "vaccine", "section": "Health inequalities case studies"}).json()
    assert {r["case_study"]["section"] for r in body["results"]} == {"Health inequalities case studies"}


def test_ask_answers_with_citations(client: httpx.Client) -> None:
    body = client.post("/v1/ask", json={"question": "How did others reach Muslim communities about vaccines?"}).json()
    assert body["found"] is True
    assert HOUNSLOW in [c["case_study"]["id"] for c in body["citations"]]
    assert set(body["citations"][0]["passage"]) >= {"id", "text"}
    assert "[1]" in body["answer"]
    assert body["match"] == "answered"
    # Hounslow leads: its work with mosques is the answer, whatever else is cited beside it
    assert body["citations"][0]["case_study"]["id"] == HOUNSLOW
    lead = body["sentences"][0]
    assert body["answer"].startswith(lead["text"])
    cited_numbers = [s["citation"] for s in body["sentences"] if s["citation"]]
    assert cited_numbers and all(1 <= n <= len(body["citations"]) for n in cited_numbers)
    assert 0.0 <= body["confidence"] <= 1.0


def test_scores_are_calibrated_and_explained(client: httpx.Client) -> None:
    for mode in ("hybrid", "dense", "bm25"):
        body = client.get("/v1/search", params={"q": "vaccine hesitancy", "k": 5,
                                                "mode": mode}).json()
        scores = [r["score"] for r in body["results"]]
        assert all(0.0 <= x <= 1.0 for x in scores) and scores == sorted(scores, reverse=True)
        assert body["results"][0]["explain"] is None
    # the views that ran are explained: whether e5 runs for an English question is the
    # cascade's call on the cheap views' margin, which a rebuilt index on another CPU can tip
    explained = client.get("/v1/search", params={"q": "vaccine hesitancy", "explain": "true"})
    signals = explained.json()["results"][0]["explain"]
    assert {"bm25", "minilm_passage", "minilm_case", "fused", "query_e5_top"} <= set(signals)
    assert ("e5_passage" in signals) == (signals["query_e5_top"] > 0)
    # e5 always reads a question in another language, and its views are explained
    foreign = client.get("/v1/search", params={
        "q": "\u00bfC\u00f3mo ayudaron a los latinoamericanos con las vacunas?", "explain": "true"})
    signals = foreign.json()["results"][0]["explain"]
    assert {"e5_passage", "e5_case", "fused"} <= set(signals) and signals["query_e5_top"] > 0


def test_ask_out_of_scope(client: httpx.Client) -> None:
    body = client.post("/v1/ask", json={"question": "What is the capital of Australia?"}).json()
    assert body["found"] is False and body["match"] == "none"
    assert body["answer"].startswith("I could not find a case study about that.")
    assert body["citations"] == []


def test_case_studies_list_and_detail(client: httpx.Client) -> None:
    listing = client.get("/v1/case-studies").json()
    assert listing["count"] == 34 == len(listing["case_studies"])
    detail = client.get(f"/v1/case-studies/{HOUNSLOW}").json()
    assert "15 Mosques" in detail["text"] and detail["sources"]


def test_similar_by_id_and_by_text(client: httpx.Client) -> None:
    body = client.get(f"/v1/case-studies/{HOUNSLOW}/similar", params={"k": 3}).json()
    ids = [r["case_study"]["id"] for r in body["results"]]
    assert len(ids) == 3 and HOUNSLOW not in ids
    body = client.post("/v1/similar", json={"text": "Link workers teaching guided meditation to anxious clients", "k": 2}).json()
    assert body["results"][0]["case_study"]["id"] == "ealing-guided-meditation-for-wellbeing"


def test_openapi_docs(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/search", "/v1/ask", "/v1/case-studies/{case_id}/similar"} <= set(paths)


BAD_REQUESTS = [
    ("GET", "/v1/search", {"params": {"q": ""}}, 422, "bad_query", "empty"),
    ("GET", "/v1/search", {"params": {}}, 422, "bad_query", "empty"),
    ("GET", "/v1/search", {"params": {"q": "x" * 10_000}}, 422, "bad_query", "limit is 2000"),
    ("GET", "/v1/search", {"params": {"q": "vaccines", "k": 0}}, 422, "bad_query", "between 1 and 50"),
    ("GET", "/v1/search", {"params": {"q": "vaccines", "k": 1000}}, 422, "bad_query", "between 1 and 50"),
    ("GET", "/v1/search", {"params": {"q": "vaccines", "k": "ten"}}, 422, "invalid_request", "k"),
    ("GET", "/v1/search", {"params": {"q": "vaccines", "borough": "Gotham"}}, 422, "bad_query", "Gotham"),
    ("GET", "/v1/search", {"params": {"q": "vaccines", "section": "nope"}}, 422, "bad_query", "section"),
    ("GET", "/v1/search", {"params": {"q": "vaccines", "mode": "magic"}}, 422, "bad_query", "hybrid"),
    ("POST", "/v1/ask", {"json": {"question": ""}}, 422, "bad_query", "empty"),
    ("POST", "/v1/ask", {"json": {"question": "x" * 10_000}}, 422, "bad_query", "limit"),
    ("POST", "/v1/ask", {"json": {}}, 422, "invalid_request", "question"),
    ("POST", "/v1/ask", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "invalid_request", "JSON"),
    ("GET", "/v1/case-studies/no-such-case", {}, 404, "not_found", "no-such-case"),
    ("GET", "/v1/case-studies/no-such-case/similar", {}, 404, "not_found", "no-such-case"),
    ("GET", f"/v1/case-studies/{HOUNSLOW}/similar", {"params": {"k": 0}}, 422, "bad_query", "k must be"),
    ("POST", "/v1/similar", {"json": {"text": "  "}}, 422, "bad_query", "description is empty"),
    ("GET", "/v1/nothing-here", {}, 404, "not_found", "Not Found"),
    ("DELETE", "/v1/search", {}, 405, "method_not_allowed", "Method Not Allowed"),
]


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "code", "says"), BAD_REQUESTS)
def test_bad_input_gets_a_clear_4xx_in_one_shape(client: httpx.Client, method: str, path: str,
                                                 kwargs: dict, status: int, code: str,
                                                 says: str) -> None:
    response = client.request(method, path, **kwargs)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "hint"}
    assert body["error"]["code"] == code
    assert says in body["error"]["message"] + (body["error"]["hint"] or "")
