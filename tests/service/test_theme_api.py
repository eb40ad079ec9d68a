"""`?theme=` on GET /v1/search, and themes on every case study the API returns."""

from collections.abc import Iterator

import httpx
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as c:
        yield c


def test_search_by_theme(client: httpx.Client) -> None:
    response = client.get("/v1/search", params={"q": "support", "theme": "homelessness-and-housing"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["case_study"]["id"] for r in results] == ["reducing-health-inequalities-health-inclusion"]
    assert results[0]["case_study"]["themes"] == ["homelessness-and-housing"]


def test_unknown_theme_is_a_422_listing_the_valid_ones(client: httpx.Client) -> None:
    response = client.get("/v1/search", params={"q": "support", "theme": "astrology"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "bad_query" and "Unknown theme 'astrology'" in error["message"]
    assert "mental-health" in error["hint"] and "vaccination" in error["hint"]


def test_case_study_routes_carry_themes(client: httpx.Client) -> None:
    rows = client.get("/v1/case-studies").json()["case_studies"]
    assert len(rows) == 34 and all("themes" in row for row in rows)
    assert sum(1 for row in rows if "vaccination" in row["themes"]) == 5
    one = client.get("/v1/case-studies/the-well-centre").json()
    assert one["themes"] == ["mental-health", "children-and-young-people"]
