"""Fixtures for the generation tests: a real OpenAI-compatible server (llama-cpp-python) on
loopback, running the bundled Gemma 3 270M. Its answers are poor; the tests check the plumbing.

    llm_server        one server for the whole session, started on first use
    start_llm_server  starts more (to stop, or with an API key); each is stopped after its test

Both give a LlamaServer: .base_url (ends in /v1), .model, .api_key, .headers, .port, .running,
.stop(), .start(), .log_tail(). A test that uses either is marked `slow` here, so that
`make test-fast` never starts a server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from llama_process import LlamaServer, bundled_gguf

SERVER_FIXTURES = {"llm_server", "start_llm_server"}


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def gguf_path() -> Path:
    """The bundled GGUF, joined from its parts into var/models/ once and checked every session."""
    return bundled_gguf.assemble()


@pytest.fixture(scope="session")
def llm_server(gguf_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaServer]:
    """The shared server. Do not stop it: use start_llm_server for a server a test stops."""
    log = tmp_path_factory.mktemp("llm_server") / "server.log"
    server = LlamaServer(gguf_path, log).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_llm_server(gguf_path: Path, tmp_path: Path) -> Iterator[Callable[..., LlamaServer]]:
    """start_llm_server(api_key=None, port=None, threads=1) -> a started LlamaServer of the
    test's own; all of them are stopped when the test ends."""
    servers: list[LlamaServer] = []

    def start(**options: Any) -> LlamaServer:
        server = LlamaServer(gguf_path, tmp_path / f"llm_server_{len(servers)}.log", **options)
        servers.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
