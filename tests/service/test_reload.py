"""Reload in process: the poll finds a new build and swaps it in with the same model; a broken
build leaves the old one serving; /admin/reload needs its token; prune spares a served build."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from serve_process import clone_build, copy_index

from casebook.index import layout
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.retrieval.searcher import Searcher
from casebook.service.app import create_app
from casebook.settings import Settings

pytestmark = pytest.mark.slow


def wait_for(url: str, predicate, timeout: float = 60) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        body = httpx.get(f"{url}/readyz").json()
        if predicate(body):
            return body  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


@pytest.fixture
def own_settings(index_settings: Settings, tmp_path: Path) -> Settings:
    index_dir = copy_index(index_settings.index_dir, tmp_path / "index")
    return index_settings.model_copy(update={"index_dir": index_dir, "reload_poll_s": 0.2,
                                             "admin_token": SecretStr("s3cret")})


def test_the_poll_swaps_in_a_new_build_with_the_same_model(own_settings: Settings,
                                                           embedder: Embedder,
                                                           server_thread) -> None:
    searcher = Searcher.open(own_settings, embedder)
    app = create_app(own_settings, searcher=searcher)
    with server_thread(app) as server:
        first = wait_for(server.url, lambda b: "build" in b)["build"]
        new = clone_build(own_settings.index_dir)
        assert wait_for(server.url, lambda b: b["build"] == new)["build"] != first
        assert app.state.slot.current.embedder is embedder  # reused, not loaded again
        assert layout.leased_builds(own_settings.index_dir) == {new}
        search = httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"})
        assert search.status_code == 200

        broken = clone_build(own_settings.index_dir, corrupt=True)
        ready = wait_for(server.url, lambda b: "reload_failed" in b)
        assert ready["build"] == new
        assert ready["reload_failed"]["build"] == broken
        assert ready["reload_failed"]["code"] == "index_corrupt"
        assert httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"}).status_code == 200
        metrics = httpx.get(f"{server.url}/metrics").text
        assert "casebook_index_reloads 1.0" in metrics
        assert "casebook_index_reload_failures 1.0" in metrics
        assert f'build="{new}"' in metrics


def test_prune_never_removes_the_build_a_live_server_serves(own_settings: Settings,
                                                           embedder: Embedder,
                                                           server_thread) -> None:
    settings = own_settings.model_copy(update={"reload_poll_s": 0})  # keeps its first build
    with server_thread(create_app(settings, searcher=Searcher.open(settings, embedder))) as server:
        served = wait_for(server.url, lambda b: "build" in b)["build"]
        for _ in range(3):  # three rebuilds: the served one is now the oldest of four
            clone_build(settings.index_dir)
            time.sleep(0.002)
        removed = layout.prune(settings.index_dir, keep=2)
        assert served not in {p.name for p in removed}
        assert (settings.index_dir / layout.BUILDS / served).is_dir()
        assert httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"}).status_code == 200


def test_admin_reload_needs_its_token(own_settings: Settings, embedder: Embedder,
                                      server_thread) -> None:
    settings = own_settings.model_copy(update={"reload_poll_s": 0})
    with server_thread(create_app(settings, searcher=Searcher.open(settings, embedder))) as server:
        url = f"{server.url}/admin/reload"
        assert httpx.post(url).status_code == 401
        wrong = httpx.post(url, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
        ok = {"Authorization": "Bearer s3cret"}
        assert httpx.post(url, headers=ok).json()["status"] == "unchanged"
        new = clone_build(settings.index_dir)
        assert httpx.post(url, headers=ok).json() == {"status": "loaded", "build": new}
        assert httpx.get(f"{server.url}/readyz").json()["build"] == new
        clone_build(settings.index_dir, corrupt=True)
        failed = httpx.post(url, headers=ok)
        assert failed.status_code == 503
        assert failed.json()["error"]["code"] == "reload_failed"
        assert new in failed.json()["error"]["hint"]
        assert str(settings.index_dir) not in failed.text


def test_admin_routes_are_off_without_a_token(tmp_path: Path, server_thread) -> None:
    settings = Settings(corpus_dir=tmp_path, index_dir=tmp_path / "index", reload_poll_s=0)
    with server_thread(create_app(settings)) as server:
        response = httpx.post(f"{server.url}/admin/reload",
                              headers={"Authorization": "Bearer anything"})
    assert response.status_code == 404
    assert "CASEBOOK_ADMIN_TOKEN" in response.json()["error"]["hint"]


def test_a_preloaded_searcher_is_the_first_served_and_later_builds_swap_in(
        own_settings: Settings) -> None:
    from casebook.service.preload import Preload
    from casebook.service.reload import Reloader
    from casebook.service.state import SearcherSlot

    slot = SearcherSlot()
    reloader = Reloader(own_settings, slot, Preload(own_settings))
    first = reloader.check()
    assert first.outcome == "loaded" and slot.build == first.build
    assert slot.first_load_s is not None and slot.reloads == 0
    assert layout.leased_builds(own_settings.index_dir) == {first.build}
    assert reloader.check().outcome == "unchanged"
    new = clone_build(own_settings.index_dir)
    assert reloader.check().build == new and slot.reloads == 1


def test_a_failed_preload_is_retried_once_an_index_appears(own_settings: Settings,
                                                          tmp_path: Path) -> None:
    from casebook.service.preload import Preload
    from casebook.service.reload import Reloader
    from casebook.service.state import SearcherSlot

    settings = own_settings.model_copy(update={"index_dir": tmp_path / "later"})
    slot = SearcherSlot()
    reloader = Reloader(settings, slot, Preload(settings))
    result = reloader.check()
    assert result.outcome == "failed" and not slot.ready
    assert "No index has been built yet" in str(result.error)
    copy_index(own_settings.index_dir, settings.index_dir)  # the build arrives after start-up
    assert reloader.check().outcome == "loaded" and slot.ready
