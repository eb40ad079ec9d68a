"""/readyz is 503 until the index is loaded, and says why when it cannot be."""

import threading
import time
from pathlib import Path

import httpx
import pytest

from casebook.errors import IndexNotReady
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.retrieval.searcher import Searcher
from casebook.service import app as app_module
from casebook.service.app import create_app
from casebook.service.state import SearcherSlot
from casebook.settings import Settings


def test_slot_says_loading_until_set() -> None:
    slot = SearcherSlot()
    with pytest.raises(IndexNotReady, match="still loading"):
        slot.get()
    assert not slot.ready


def test_missing_index_is_503_with_the_command_to_run(tmp_path: Path, server_thread) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "no-index")
    with server_thread(create_app(settings)) as server:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = httpx.get(f"{server.url}/readyz")
            if ready.json()["error"]["code"] != "index_not_ready":
                break
            time.sleep(0.05)
        assert ready.status_code == 503
        assert ready.json()["error"]["code"] == "index_missing"
        assert "casebook index build" in ready.json()["error"]["hint"]
        search = httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"})
        assert search.status_code == 503
        assert httpx.get(f"{server.url}/healthz").status_code == 200


@pytest.mark.slow
def test_ready_only_after_the_index_loads(index_settings: Settings, embedder: Embedder,
                                          server_thread, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real_open = Searcher.open

    def held_open(settings: Settings) -> Searcher:
        release.wait(30)
        return real_open(settings, embedder)

    monkeypatch.setattr(app_module.Searcher, "open", held_open)
    with server_thread(create_app(index_settings)) as server:
        before = httpx.get(f"{server.url}/readyz")
        assert before.status_code == 503
        assert before.json()["error"]["message"] == "The index is still loading."
        assert httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"}).status_code == 503
        release.set()
        deadline = time.monotonic() + 60
        while httpx.get(f"{server.url}/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the index never became ready"
            time.sleep(0.1)
        assert httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"}).status_code == 200


@pytest.mark.slow
def test_index_from_another_model_is_503_saying_so(index_settings: Settings,
                                                   server_thread) -> None:
    settings = index_settings.model_copy(update={"model": "some/other-model"})
    with server_thread(create_app(settings)) as server:
        deadline = time.monotonic() + 30
        while (body := httpx.get(f"{server.url}/readyz").json())["error"]["code"] == "index_not_ready":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert body["error"]["code"] == "index_mismatch"
        assert "all-MiniLM-L6-v2" in body["error"]["message"]
        assert "some/other-model" in body["error"]["message"]
        assert "casebook index build" in body["error"]["hint"]
        search = httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"})
        assert search.status_code == 503 and search.json()["error"]["code"] == "index_mismatch"
