"""The test server itself: the bundled GGUF is the published file, joined from its parts and
checked, and llama_cpp.server answers an OpenAI-style chat completion by streaming tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from llama_process import LlamaServer, bundled_gguf

Parts = bundled_gguf.Parts
BundledModelError = bundled_gguf.BundledModelError


def test_the_bundled_gguf_is_the_published_file(gguf_path: Path) -> None:
    parts = bundled_gguf.installed_parts()
    assert [p.name for p in parts.paths] == [f"gemma-3-270m-q4_k_m.gguf.part0{i}" for i in range(4)]
    assert gguf_path.name == "gemma-3-270m-q4_k_m.gguf"
    assert gguf_path.stat().st_size == parts.size == 253_113_024
    with gguf_path.open("rb") as file:
        assert file.read(4) == b"GGUF"
    assert bundled_gguf.sha256_of(gguf_path) == parts.sha256


def _parts(directory: Path, chunks: list[bytes], *, sha256: str | None = None) -> Parts:
    directory.mkdir()
    paths = []
    for i, chunk in enumerate(chunks):
        path = directory / f"model.gguf.part0{i}"
        path.write_bytes(chunk)
        paths.append(path)
    whole = bundled_gguf.hashlib.sha256(b"".join(chunks)).hexdigest()
    return Parts(name="model.gguf", paths=tuple(paths), sha256=sha256 or whole)


def test_assemble_joins_the_parts_in_order_and_rejoins_a_damaged_file(tmp_path: Path) -> None:
    parts = _parts(tmp_path / "parts", [b"GGUF\x03\x00", b"second", b"third"])
    out = tmp_path / "models"
    path = bundled_gguf.assemble(out, parts)
    assert path.read_bytes() == b"GGUF\x03\x00secondthird"

    path.write_bytes(b"GGUF\x03\x00secondthirX")  # same size, one byte off: only the hash tells
    assert bundled_gguf.assemble(out, parts).read_bytes() == b"GGUF\x03\x00secondthird"
    assert [p.name for p in out.iterdir()] == ["model.gguf"]  # nothing half-written left


def test_assemble_refuses_parts_that_do_not_make_the_published_file(tmp_path: Path) -> None:
    wrong_sum = _parts(tmp_path / "a", [b"GGUF", b"data"], sha256="0" * 64)
    with pytest.raises(BundledModelError, match="not the published"):
        bundled_gguf.assemble(tmp_path / "out_a", wrong_sum)
    assert list((tmp_path / "out_a").iterdir()) == []

    not_gguf = _parts(tmp_path / "b", [b"PK\x03\x04", b"data"])
    with pytest.raises(BundledModelError, match="GGUF magic"):
        bundled_gguf.assemble(tmp_path / "out_b", not_gguf)


def test_the_server_lists_its_model(llm_server: LlamaServer) -> None:
    response = httpx.get(f"{llm_server.base_url}/models", timeout=10)
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["data"]] == [llm_server.model]


def test_a_chat_completion_streams_tokens(llm_server: LlamaServer) -> None:
    request = {
        "model": llm_server.model,
        "messages": [{"role": "user", "content": "Name three colours."}],
        "max_tokens": 24,
        "temperature": 0,
        "stream": True,
    }
    deltas: list[str] = []
    finish_reasons: list[str] = []
    events: list[str] = []
    with httpx.stream("POST", f"{llm_server.base_url}/chat/completions", json=request,
                      timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            events.append(line[len("data: "):])
            if events[-1] == "[DONE]":
                break
            choice = json.loads(events[-1])["choices"][0]
            deltas.append(choice["delta"].get("content") or "")
            if choice.get("finish_reason"):
                finish_reasons.append(choice["finish_reason"])
    assert events[-1] == "[DONE]"
    assert sum(1 for d in deltas if d) >= 2, deltas  # token by token, not one block at the end
    assert "".join(deltas).strip(), deltas
    assert finish_reasons in (["length"], ["stop"])


def test_a_server_of_the_tests_own_wants_its_key_stops_and_starts_again(
        start_llm_server: Callable[..., LlamaServer]) -> None:
    server = start_llm_server(api_key="sk-test-secret")
    assert server.running
    assert httpx.get(f"{server.base_url}/models", timeout=10).status_code == 401
    assert httpx.get(f"{server.base_url}/models", headers=server.headers, timeout=10).status_code == 200

    server.stop()
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/models", timeout=5)

    server.start()  # the same port again
    assert httpx.get(f"{server.base_url}/models", headers=server.headers, timeout=10).status_code == 200
