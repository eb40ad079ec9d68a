"""Closed-loop load on GET /v1/search: requests/s, latency percentiles and peak RSS per level.

Each of C clients sends a query, waits for the answer and sends the next, for S seconds per
level. Queries are the evaluation questions in a fixed shuffled order (the file is grouped by
kind: sent in file order, 32 clients would all ask the long non-English questions at once), each
made distinct with a request number so that no cache answers them (--repeat sends them as they
are, so the query caches answer after the first round: what is left is the server's cost without
the encoders). The numbers run on across levels from a random start: numbered from 1 at each
level, the 32-client level re-sent the 8-client level's questions, and the e5 query cache, which
holds the last 1,024 of the one question in six that reaches e5, answered most of them. One JSON
line per measurement.

    python bench/load.py URL --clients 1,8,32 --seconds 20 [--pid SERVER_PID]
    python bench/load.py --compare --clients 1,8,32 --seconds 20 [--workers N]

--compare starts `casebook serve` (current index) and bench/naive_peer.py (sentence-transformers
on PyTorch + flat FAISS over corpus/case_studies.jsonl) on free loopback ports, measures how
soon each is ready, runs every level against both in turn, and prints the ratios.

The clients are aiohttp on uvloop: on a 2-core machine the load generator shares the cores with
the server, and httpx spent 2.3 to 3 ms of CPU a request (aiohttp 0.2 to 0.5), a third of what
the server itself spends. `client_cpu_ms_per_request` reports what it took.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import httpx
import uvloop

REPO = Path(__file__).resolve().parent.parent


def questions(path: Path, seed: int = 0) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["question"] for line in lines if line.strip()]
    random.Random(seed).shuffle(texts)
    return texts


# request numbers, unique within one run of this script whatever the levels
NUMBERS = itertools.count(random.SystemRandom().randrange(10**6, 10**7))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def peak_rss_mb(pid: int | None) -> float | None:
    """VmHWM of the server and its worker processes, summed (MB = 2**20 bytes)."""
    if pid is None:
        return None
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(c) for c in (task / "children").read_text().split()]
    total = 0
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return round(total / 1024, 1)


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of the server and its worker processes so far."""
    if pid is None:
        return None
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(c) for c in (task / "children").read_text().split()]
    ticks = 0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(url: str, clients: int, seconds: float, texts: list[str],
             pid: int | None, repeat: bool = False) -> dict[str, object]:
    """One level, with the server's CPU time per request and its peak RSS."""
    before = cpu_seconds(pid)
    own = time.process_time()
    result = uvloop.run(level(url, clients, seconds, texts, repeat))
    own = time.process_time() - own
    after = cpu_seconds(pid)
    if before is not None and after is not None and result["requests"]:
        result["server_cpu_ms_per_request"] = round(
            (after - before) * 1000 / int(result["requests"]), 2)  # type: ignore[call-overload]
    if result["requests"]:
        # on a small machine the load generator competes with the server for the cores
        result["client_cpu_ms_per_request"] = round(own * 1000 / int(result["requests"]), 2)  # type: ignore[call-overload]
    result["peak_rss_mb"] = peak_rss_mb(pid)
    return result


async def level(url: str, clients: int, seconds: float, texts: list[str],
                repeat: bool = False) -> dict[str, object]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    counter = 0
    deadline = time.perf_counter() + seconds

    async def client(http: aiohttp.ClientSession) -> None:
        nonlocal counter, errors
        while time.perf_counter() < deadline:
            counter += 1
            query = texts[counter % len(texts)]
            if not repeat:
                query = f"{query} (request {next(NUMBERS)})"
            start = time.perf_counter()
            try:
                async with http.get("/v1/search", params={"q": query, "k": 10}) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
            except (TimeoutError, aiohttp.ClientError):
                errors += 1
                continue
            latencies.append((time.perf_counter() - start) * 1000)

    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
        async with http.get("/v1/search", params={"q": "warm up", "k": 10}) as response:
            await response.read()
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50), 2),
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "non_200": sum(n for code, n in statuses.items() if code != 200) + errors,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(command: list[str], probe: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
    """Start a server; returns it and the seconds until `probe` first answered 200."""
    began = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    while time.perf_counter() - began < 180:
        try:
            if httpx.get(probe, timeout=5).status_code == 200:
                return process, time.perf_counter() - began
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"{command} exited with {process.returncode}")
        time.sleep(0.02)
    process.terminate()
    raise SystemExit(f"{command} was not ready after 180 s")


def emit(record: dict[str, object]) -> None:
    print(json.dumps(record), flush=True)


def compare(args: argparse.Namespace, texts: list[str]) -> None:
    env = {**os.environ, "CASEBOOK_RATE_LIMIT_PER_MINUTE": "0", "HF_HUB_OFFLINE": "1"}
    cb_port, peer_port = free_port(), free_port()
    casebook = str(Path(sys.executable).with_name("casebook"))
    servers = {}
    try:
        servers["casebook"] = start(
            [casebook, "serve", "--port", str(cb_port), "--workers", str(args.workers)],
            f"http://127.0.0.1:{cb_port}/readyz", env)
        servers["naive_peer"] = start(
            [sys.executable, str(REPO / "bench/naive_peer.py"), str(peer_port),
             str(REPO / "corpus/case_studies.jsonl")],
            f"http://127.0.0.1:{peer_port}/v1/search?q=ready", env)
        urls = {"casebook": f"http://127.0.0.1:{cb_port}",
                "naive_peer": f"http://127.0.0.1:{peer_port}"}
        for name, (process, ready) in servers.items():
            emit({"server": name, "ready_s": round(ready, 2), "pid": process.pid})
        for clients in args.clients:
            results = {}
            for name in urls:  # alternate, so drift on the shared machine hits both
                results[name] = measured(urls[name], clients, args.seconds, texts,
                                         servers[name][0].pid, args.repeat)
                emit({"server": name, **results[name]})
            cb, peer = results["casebook"], results["naive_peer"]
            emit({"ratio": "casebook/naive_peer", "clients": clients,
                  "p50": round(cb["p50_ms"] / peer["p50_ms"], 3),  # type: ignore[operator]
                  "p95": round(cb["p95_ms"] / peer["p95_ms"], 3),  # type: ignore[operator]
                  "rps": round(cb["rps"] / peer["rps"], 3),  # type: ignore[operator]
                  "peak_rss": round(cb["peak_rss_mb"] / peer["peak_rss_mb"], 3)})  # type: ignore[operator]
        emit({"ratio": "casebook/naive_peer", "ready": round(
            servers["casebook"][1] / servers["naive_peer"][1], 3)})
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="Base URL of a running Casebook (or peer).")
    parser.add_argument("--clients", default="1,8,32",
                        type=lambda s: [int(c) for c in s.split(",")])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--pid", type=int, default=None, help="Server pid, for its peak RSS.")
    parser.add_argument("--compare", action="store_true", help="Start Casebook and the naive peer.")
    parser.add_argument("--workers", type=int, default=1, help="With --compare: casebook workers.")
    parser.add_argument("--questions", type=Path, default=REPO / "eval/questions.jsonl")
    parser.add_argument("--repeat", action="store_true",
                        help="Send the questions unchanged, so query caches answer repeats.")
    args = parser.parse_args()
    texts = questions(args.questions)
    if args.compare:
        compare(args, texts)
        return
    if not args.url:
        parser.error("give a URL, or --compare")
    for clients in args.clients:
        result = measured(args.url.rstrip("/"), clients, args.seconds, texts, args.pid,
                          args.repeat)
        emit({"server": args.url, **result})


if __name__ == "__main__":
    main()
