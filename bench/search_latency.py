"""GET /v1/search over HTTP against embedding one query with the runtime the server embeds with.

Starts `casebook serve` as its own process on a free loopback port (using the current index, its
query caches off so that every request is embedded), times every question of the evaluation set
through the API and through the build's own query encoder (the exported ONNX model on
onnxruntime, or sentence-transformers where CASEBOOK_EMBED_RUNTIME=torch) in this process,
alternating the two, and reads the server's peak memory from /proc. Run:

    .venv/bin/python bench/search_latency.py [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from casebook.eval.questions import load_questions
from casebook.index import layout
from casebook.index.encoders import query_embedder
from casebook.index.manifest import IndexManifest
from casebook.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(url: str, timeout: float = 120) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server at {url} not ready after {timeout}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--questions", type=Path, default=REPO / "eval/questions.jsonl")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    questions = [q.question for q in load_questions(args.questions)]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "CASEBOOK_PORT": str(port), "CASEBOOK_RATE_LIMIT_PER_MINUTE": "0",
           "CASEBOOK_QUERY_CACHE_SIZE": "0"}
    casebook = str(Path(sys.executable).with_name("casebook"))
    server = subprocess.Popen([casebook, "serve"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready_s = wait_ready(url)
        settings = Settings(query_cache_size=0)
        build = layout.current_build(settings.index_dir)
        embedder = query_embedder(settings, build, IndexManifest.read(build).encoder_runtime).load()
        embedder.encode_one("warm up")
        search_ms: list[float] = []
        embed_ms: list[float] = []
        with httpx.Client(base_url=url, timeout=30) as client:
            client.get("/v1/search", params={"q": "warm up", "k": 10}).raise_for_status()
            for _ in range(args.rounds):
                for question in questions:
                    start = time.perf_counter()
                    client.get("/v1/search", params={"q": question, "k": 10}).raise_for_status()
                    search_ms.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    embedder.encode_one(question)
                    embed_ms.append((time.perf_counter() - start) * 1000)
        peak = peak_rss_mib(server.pid)
        runtime = type(embedder).__name__
    finally:
        server.terminate()
        server.wait(timeout=30)

    ratios = [s / e for s, e in zip(search_ms, embed_ms)]
    figures = {
        "requests": len(search_ms),
        "search_ms": {"median": statistics.median(search_ms), "p95": percentile(search_ms, 0.95)},
        "embed_ms": {"median": statistics.median(embed_ms), "p95": percentile(embed_ms, 0.95)},
        "ratio_of_medians": statistics.median(search_ms) / statistics.median(embed_ms),
        "median_pairwise_ratio": statistics.median(ratios),
        "server_peak_rss_mib": peak,
        "server_ready_s": ready_s,
        "runtime": runtime,
    }
    print(f"{len(search_ms)} requests ({len(questions)} questions x {args.rounds} rounds)")
    print(f"GET /v1/search over HTTP  median {figures['search_ms']['median']:.1f} ms  "
          f"p95 {figures['search_ms']['p95']:.1f} ms")
    print(f"embed one query ({figures['runtime']})  median {figures['embed_ms']['median']:.1f} ms  "
          f"p95 {figures['embed_ms']['p95']:.1f} ms")
    print(f"ratio search/embed: of medians {figures['ratio_of_medians']:.2f}, "
          f"median of pairs {figures['median_pairwise_ratio']:.2f}")
    print(f"serving process peak RSS {peak:.0f} MiB; ready {ready_s:.1f} s after start")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
