"""What the written-answer tests share: Casebook's settings pointed at a model, a real Casebook
server on loopback, and readers of its events and metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from llama_process import LlamaServer

from casebook.index.retrieval.searcher import Searcher
from casebook.records import Citation
from casebook.service.app import create_app
from casebook.settings import Settings

Event = tuple[str, dict[str, Any]]


def settings_for(base: Settings, server: LlamaServer | str, **extra: Any) -> Settings:
    """`base` pointed at the model `server` runs, validated as CASEBOOK_* variables would be."""
    url = server if isinstance(server, str) else server.base_url
    return Settings(**{
        **base.model_dump(), "rate_limit_per_minute": 0, "llm_url": url,
        "llm_model": "gemma-3-270m",
        # the small model on two shared cores: a generous deadline (under the request's) and
        # a short reply; the tests check the plumbing, not what it writes
        "llm_timeout_s": 100.0, "request_timeout_s": 120.0, "llm_max_tokens": 64, **extra})


@pytest.fixture
def serve(searcher: Searcher, server_thread: type) -> Iterator[Callable[[Settings], str]]:
    """serve(settings) -> the base URL of a real Casebook server on loopback with them."""
    running: list[Any] = []

    def start(settings: Settings) -> str:
        server = server_thread(create_app(settings, searcher=searcher))
        running.append(server.__enter__())
        return str(server.url)

    yield start
    for server in running:
        server.__exit__(None, None, None)


def events_of(response: httpx.Response) -> list[Event]:
    events: list[Event] = []
    name, data = "message", ""
    for line in response.iter_lines():
        if line == "":
            if data:
                events.append((name, json.loads(data)))
            name, data = "message", ""
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()
    return events


def citations_of(searcher: Searcher, shown: list[dict[str, Any]]) -> list[Citation]:
    """The citations a response listed, as the records the prompt was built from."""
    out = []
    for c in shown:
        case = searcher.get(c["case_study"]["id"])
        passage = next(p for p in searcher.stored.passages if p.id == c["passage"]["id"])
        out.append(Citation(case, passage))
    return out


def metric(text: str, name: str, **labels: str) -> float:
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}(?:\{{{re.escape(inner)}\}})? (\S+)$" if inner else \
        rf"^{re.escape(name)} (\S+)$"
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0
