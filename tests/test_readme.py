"""The README cannot drift from the code: settings, routes, and the test command."""

import re
from pathlib import Path

from casebook.service.app import create_app
from casebook.settings import Settings

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    table = README.split("## Configuration", 1)[1]
    for name in Settings.model_fields:
        assert f"| `CASEBOOK_{name.upper()}` |" in table, f"CASEBOOK_{name.upper()} is undocumented"


def route_paths() -> list[str]:
    """Every path the app serves, including those of included routers."""
    paths: list[str] = []
    pending = list(create_app(Settings()).routes)
    while pending:
        route = pending.pop()
        if getattr(route, "path", None):
            paths.append(route.path)
        inner = getattr(route, "original_router", None) or getattr(route, "routes", None)
        if inner is not None:
            pending.extend(getattr(inner, "routes", inner))
    return paths


def as_pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


def test_every_curl_example_names_a_real_route() -> None:
    patterns = [as_pattern(p) for p in route_paths()]
    urls = re.findall(r"curl [^\n]*?http://127\.0\.0\.1:8000(/[^\s'?]*)", README)
    assert len(urls) >= 10
    for path in urls:
        assert any(p.match(path) for p in patterns), f"README shows {path}, which is no route"


def test_every_api_route_has_a_curl_example() -> None:
    shown = set(re.findall(r"http://127\.0\.0\.1:8000(/[^\s'?]*)", README))
    paths = [p for p in route_paths() if not p.startswith(("/docs", "/redoc", "/openapi"))]
    assert "/v1/search" in paths
    for path in paths:
        assert any(as_pattern(path).match(s) for s in shown), f"route {path} has no curl example"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in README
    assert "make test" in (REPO / ".ci" / "run").read_text()
