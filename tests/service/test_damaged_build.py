"""A damaged build never takes `casebook serve` down: real processes on loopback, a private copy
of the session's index each, its files truncated or written in place under the live server.

The server reads its build whole (nothing memory-mapped: a truncated mapping is a SIGBUS), and
each reload poll stats the served files: a build whose files changed is dropped for the last
good one, or /readyz and every request answer 503 saying which file changed. A CURRENT pointer
that is not UTF-8 is a clear error on /readyz, the metrics and POST /admin/reload, logged once.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from serve_process import ServeProcess, copy_index

from casebook.index import layout
from casebook.index.build import build_index
from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR, WORDS_FILE
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.manifest import IndexManifest
from casebook.settings import Settings

pytestmark = pytest.mark.slow

TOKEN = "s3cret"
WORD_TABLE = f"{E5_ENCODER_DIR}/{WORDS_FILE}"
ENGLISH = "How did others reach Muslim communities about vaccines?"
FOREIGN = "¿Cómo llegaron otros a las comunidades musulmanas sobre las vacunas?"  # e5 runs


@pytest.fixture
def index_copy(index_settings: Settings, tmp_path: Path) -> Settings:
    """A private copy of the session's corpus and index, free to damage."""
    index_dir = copy_index(index_settings.index_dir, tmp_path / "index")
    return index_settings.model_copy(update={"index_dir": index_dir})


def serve(settings: Settings, log: Path, *, ready: bool = True) -> ServeProcess:
    env = {"CASEBOOK_INDEX_DIR": str(settings.index_dir),
           "CASEBOOK_CORPUS_DIR": str(settings.corpus_dir),
           "CASEBOOK_RELOAD_POLL_S": "0.2", "CASEBOOK_RATE_LIMIT_PER_MINUTE": "0",
           "CASEBOOK_ADMIN_TOKEN": TOKEN}
    return ServeProcess(env, log).start(ready=ready)


@pytest.fixture
def server(index_copy: Settings, tmp_path: Path) -> Iterator[ServeProcess]:
    process = serve(index_copy, tmp_path / "serve.log")
    yield process
    process.stop()


def wait_for(url: str, predicate: Callable[[httpx.Response], bool], timeout: float = 60,
             path: str = "/readyz") -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(url + path, timeout=10)
        if predicate(response):
            return response
        assert time.monotonic() < deadline, response.text
        time.sleep(0.05)


def scores(body: object) -> list[object]:
    """Every value named "score" anywhere in a JSON body."""
    if isinstance(body, dict):
        found = [v for k, v in body.items() if k == "score"]
        return found + [s for v in body.values() for s in scores(v)]
    if isinstance(body, list):
        return [s for v in body for s in scores(v)]
    return []


def probe(url: str) -> list[int]:
    """Similar, search (English, and not: the e5 path) and ask: each must be answered in JSON,
    200 with every case study's score a number, or 503 saying the index is damaged."""
    statuses = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for response in (client.post("/v1/similar", json={"text": ENGLISH, "k": 3}),
                         client.get("/v1/search", params={"q": ENGLISH}),
                         client.get("/v1/search", params={"q": FOREIGN}),
                         client.post("/v1/ask", json={"question": FOREIGN})):
            body = response.json()
            assert response.status_code in (200, 503), response.text
            if response.status_code == 503:
                assert body["error"]["code"] in ("index_corrupt", "index_not_ready"), body
            else:
                results = body.get("results") or [{"score": 0.5}]
                assert all(isinstance(r["score"], float) and math.isfinite(r["score"])
                           for r in results), response.text
            statuses.append(response.status_code)
    return statuses


def served_build(settings: Settings) -> Path:
    return layout.current_build(settings.index_dir)


@pytest.mark.parametrize("name", ["passage_vectors.npy", "sentence_vectors.npy", "dense.faiss",
                                  WORD_TABLE, "encoder/model.onnx.data"])
def test_truncating_a_served_file_never_kills_the_server(index_copy: Settings,
                                                         server: ServeProcess, name: str) -> None:
    assert probe(server.url) == [200, 200, 200, 200]
    os.truncate(served_build(index_copy) / name, 0)
    probe(server.url)  # at once, before any poll: answered, never a crash
    assert server.proc is not None and server.proc.poll() is None, server.log()

    ready = wait_for(server.url, lambda r: r.status_code == 503)
    error = ready.json()["error"]
    assert error["code"] == "index_corrupt"
    assert name in error["message"] and "0 bytes" in error["message"]
    assert "casebook index build" in error["hint"]
    assert probe(server.url) == [503, 503, 503, 503]
    assert server.proc.poll() is None, server.log()
    metrics = httpx.get(f"{server.url}/metrics").text
    assert "casebook_index_reload_failures 1.0" in metrics and "casebook_ready 0.0" in metrics
    assert "Traceback" not in server.log()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_build_damaged_under_the_server_gives_way_to_the_last_good_one(
        index_copy: Settings, server: ServeProcess, embedder: Embedder) -> None:
    first = served_build(index_copy)
    good_table = sha256(first / WORD_TABLE)

    # a rebuild shares no file with the build it replaces, so damage to it stays in it
    second = build_index(index_copy, embedder, progress=False).path
    wait_for(server.url, lambda r: r.status_code == 200 and r.json()["build"] == second.name)
    first_files = {p.stat().st_ino for p in first.rglob("*") if p.is_file()}
    assert not first_files & {p.stat().st_ino for p in second.rglob("*") if p.is_file()}
    assert all(p.stat().st_nlink == 1 for p in second.rglob("*") if p.is_file())

    # write over the new build's e5 word table in place: every scale NaN (0xffff)
    with open(second / WORD_TABLE, "r+b") as table:
        table.seek(4096)
        table.write(b"\xff" * ((second / WORD_TABLE).stat().st_size - 4096))
    assert sha256(first / WORD_TABLE) == good_table
    probe(server.url)  # before the poll sees it: 503 or a right answer, never a null score

    ready = wait_for(server.url, lambda r: r.status_code == 200
                     and r.json()["build"] == first.name).json()
    assert ready["reload_failed"]["build"] == second.name
    assert ready["reload_failed"]["code"] == "index_corrupt"
    assert WORD_TABLE in ready["reload_failed"]["message"]
    assert probe(server.url) == [200, 200, 200, 200]  # served by the last good build
    assert "casebook_index_reload_failures 1.0" in httpx.get(f"{server.url}/metrics").text

    # a rebuild neither copies the damaged table nor records its checksum as good
    third = build_index(index_copy, embedder, progress=False)
    assert sha256(third.path / WORD_TABLE) == good_table
    assert third.manifest.files[WORD_TABLE] == good_table
    wait_for(server.url, lambda r: r.status_code == 200 and r.json()["build"] == third.path.name
             and "reload_failed" not in r.json())
    assert probe(server.url) == [200, 200, 200, 200]
    assert server.proc is not None and server.proc.poll() is None


def not_utf8(index_dir: Path) -> None:
    (index_dir / layout.CURRENT).write_bytes(b"\xff\xfe2\x000\x002\x006\x00\n")


def test_a_current_pointer_that_is_not_utf8_is_reported_once(index_copy: Settings,
                                                            server: ServeProcess) -> None:
    build = served_build(index_copy).name
    not_utf8(index_copy.index_dir)
    ready = wait_for(server.url, lambda r: "reload_failed" in r.json()).json()
    assert ready["build"] == build  # the build already loaded goes on being served
    assert ready["reload_failed"]["code"] == "index_corrupt"
    assert "not UTF-8" in ready["reload_failed"]["message"]
    assert "casebook_index_reload_failures 1.0" in httpx.get(f"{server.url}/metrics").text

    reload = httpx.post(f"{server.url}/admin/reload",
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert reload.status_code == 503
    assert reload.json()["error"]["code"] == "reload_failed"
    assert "not UTF-8" in reload.json()["error"]["message"]
    assert build in reload.json()["error"]["hint"]  # still serving it
    assert httpx.get(f"{server.url}/v1/search", params={"q": "vaccines"}).status_code == 200

    time.sleep(1.5)  # seven polls meet the same pointer: one line says so
    log = server.log()
    assert "Traceback" not in log
    assert log.count("not UTF-8") == 1, log

    (index_copy.index_dir / layout.CURRENT).write_text(build + "\n")
    wait_for(server.url, lambda r: r.status_code == 200 and "reload_failed" not in r.json())


def test_a_cold_start_says_why_a_pointer_that_is_not_utf8_cannot_load(
        index_copy: Settings, tmp_path: Path) -> None:
    not_utf8(index_copy.index_dir)
    process = serve(index_copy, tmp_path / "serve.log", ready=False)
    try:
        ready = wait_for(process.url, lambda r: r.json()["error"]["code"] != "index_not_ready")
        assert ready.status_code == 503
        assert ready.json()["error"]["code"] == "index_corrupt"
        assert "not UTF-8" in ready.json()["error"]["message"]
        assert "casebook index build" in ready.json()["error"]["hint"]
        search = httpx.get(f"{process.url}/v1/search", params={"q": "vaccines"})
        assert search.status_code == 503 and "not UTF-8" in search.json()["error"]["message"]
        time.sleep(1.5)
        log = process.log()
        assert "Traceback" not in log and log.count("not UTF-8") == 1, log
    finally:
        process.stop()


def test_the_manifest_records_each_file_size(index_settings: Settings) -> None:
    build = served_build(index_settings)
    manifest = IndexManifest.read(build)
    assert set(manifest.sizes) == set(manifest.files)
    assert all((build / name).stat().st_size == size for name, size in manifest.sizes.items())
    assert json.loads((build / "manifest.json").read_text())["sizes"] == manifest.sizes
