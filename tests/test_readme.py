"""The README and docs/ cannot drift from the code: settings, routes, links, the test command,
and the examples, which run against a real server."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from doc_examples import differences, examples_in

from casebook.service.app import create_app
from casebook.settings import Settings
from casebook.settings_doc import COMMAND, render

REPO = Path(__file__).resolve().parent.parent
README_PATH = REPO / "README.md"
README = README_PATH.read_text(encoding="utf-8")
DOCS = REPO / "docs"
PAGES = {path: path.read_text(encoding="utf-8") for path in [README_PATH, *sorted(DOCS.glob("*.md"))]}
EVERYTHING = "\n".join(PAGES.values())
CONFIGURATION = DOCS / "configuration.md"
API = (DOCS / "api.md").read_text(encoding="utf-8")
EXAMPLES = README + "\n" + API
BASE = "http://127.0.0.1:8000"
MOST_README_LINES = 170


def test_every_setting_is_in_the_configuration_table() -> None:
    table = CONFIGURATION.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"| `CASEBOOK_{name.upper()}` |" in table, f"CASEBOOK_{name.upper()} is undocumented"


def test_the_configuration_page_is_what_the_settings_class_writes() -> None:
    assert CONFIGURATION.read_text(encoding="utf-8") == render(), (
        f"docs/configuration.md is stale: run `.venv/bin/{COMMAND}` (or `make docs`) and commit it")


def test_every_documented_setting_exists() -> None:
    known = {f"CASEBOOK_{name.upper()}" for name in Settings.model_fields}
    # CASEBOOK_NOTEBOOK_OUT is the notebook's own (where it saves its charts), not a setting
    named = set(re.findall(r"\bCASEBOOK_[A-Z0-9_]*[A-Z0-9]\b", EVERYTHING)) - {"CASEBOOK_NOTEBOOK_OUT"}
    assert named - known == set(), f"the docs name settings that do not exist: {named - known}"


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
    urls = re.findall(r"curl [^\n]*?http://127\.0\.0\.1:8000(/[^\s'?]*)", EXAMPLES)
    assert len(urls) >= 10
    for path in urls:
        assert any(p.match(path) for p in patterns), f"the docs show {path}, which is no route"


def test_every_api_route_has_a_curl_example() -> None:
    shown = set(re.findall(r"http://127\.0\.0\.1:8000(/[^\s'?]*)", EXAMPLES))
    paths = [p for p in route_paths() if not p.startswith(("/docs", "/redoc", "/openapi"))]
    assert "/v1/search" in paths
    for path in paths:
        assert any(as_pattern(path).match(s) for s in shown), f"route {path} has no curl example"


def test_ci_runs_the_readme_test_command() -> None:
    assert "make test" in README
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_the_readme_reads_in_five_minutes() -> None:
    lines = README.count("\n")
    assert lines <= MOST_README_LINES, (
        f"README.md has {lines} lines; keep it under {MOST_README_LINES} and move detail into docs/")


def github_anchor(heading: str) -> str:
    """The fragment GitHub gives a Markdown heading: lower case, punctuation dropped, spaces as -."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(text: str) -> set[str]:
    body = re.sub(r"```.*?```", "", text, flags=re.S)  # a "#" comment in a code block is no heading
    return {github_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", body, re.M)}


@pytest.mark.parametrize("page", sorted(PAGES), ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    links = re.findall(r"\]\(([^)\s]+)\)", PAGES[page])
    if page == README_PATH:
        assert sum(link.startswith("docs/") for link in links) >= 7, "the README links into docs/"
    for link in links:
        if re.match(r"[a-z]+:", link):
            continue  # an absolute URL: not ours to check offline
        target, _, fragment = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        assert path.exists(), f"{page.name} links to {link}, which does not exist"
        if fragment and path.suffix == ".md":
            assert fragment in anchors(path.read_text(encoding="utf-8")), (
                f"{page.name} links to {link}, but {path.name} has no heading #{fragment}")


@dataclass
class CurlRequest:
    method: str = "GET"
    path: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


def curl_commands(text: str) -> list[str]:
    """Each `curl …` command in the text, its continuation lines and quoted newlines included."""
    commands: list[str] = []
    pending: list[str] = []
    for line in text.splitlines():
        if not pending and not line.lstrip().startswith("curl "):
            continue
        pending.append(line)
        joined = "\n".join(pending).replace("\\\n", " ")
        if line.endswith("\\"):
            continue
        try:
            shlex.split(joined)
        except ValueError:  # a quoted body still open on the next line
            continue
        commands.append(joined)
        pending = []
    assert not pending, f"an unfinished curl command: {pending}"
    return commands


def as_request(command: str) -> CurlRequest:
    """The request a documented curl command sends; the options the docs may use, no others."""
    tokens = shlex.split(command)
    assert tokens[0] == "curl", command
    request = CurlRequest()
    words = iter(tokens[1:])
    for word in words:
        if word in {"-s", "-sN"}:
            continue
        if word == "-X":
            request.method = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            request.headers[name.strip()] = value.strip()
        elif word == "-d":
            request.body = next(words)
            request.method = "POST" if request.method == "GET" else request.method
        elif word.startswith(BASE):
            request.path = word.removeprefix(BASE)
        else:
            raise AssertionError(f"this test cannot read curl's {word!r} in: {command}")
    return request


def test_curl_commands_are_read_whole() -> None:
    sample = ("x\ncurl -s 'http://127.0.0.1:8000/a?q=1'\n"
              "curl -s -X POST http://127.0.0.1:8000/b -H 'Content-Type: application/json' \\\n"
              "     -d '{\"a\": 1,\n  \"b\": 2}'\n")
    first, second = [as_request(c) for c in curl_commands(sample)]
    assert (first.method, first.path, first.body) == ("GET", "/a?q=1", None)
    assert (second.method, second.path) == ("POST", "/b")
    assert second.headers == {"Content-Type": "application/json"}
    assert second.body == '{"a": 1,\n  "b": 2}'


@pytest.mark.slow
def test_every_curl_example_runs_against_a_real_server(live_server: str) -> None:
    requests = [as_request(c) for c in curl_commands(EXAMPLES)]
    # /admin/reload needs the operator's token; tests/service/test_reload.py drives it
    runnable = [r for r in requests if not r.path.startswith("/admin/")]
    assert len(runnable) >= 15
    with httpx.Client(base_url=live_server, timeout=60) as client:
        for request in runnable:
            response = client.request(request.method, request.path, headers=request.headers,
                                      content=request.body)
            where = f"{request.method} {request.path}"
            assert response.is_success, f"{where}: {response.status_code} {response.text[:300]}"
            if response.headers["content-type"].startswith("text/event-stream"):
                assert "event: done" in response.text, f"{where} did not finish its stream"


@pytest.mark.slow
def test_the_readme_example_answers_are_what_the_service_gives(live_server: str) -> None:
    examples = examples_in(README)
    assert len(examples) >= 2
    problems = differences(examples, live_server, "README.md")
    assert not problems, "\n".join(problems) + "\nUpdate the README's examples to what it says now."
