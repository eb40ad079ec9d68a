"""Soak: a real `casebook serve` on loopback under mixed, partly hostile load for --seconds
(default 600), then what held. Loopback only, bounded in time; prints JSON lines.

32 clients (--clients): three in four are well-formed and closed-loop (each sends a request,
waits for the answer, sends the next): GET /v1/search (half), POST /v1/ask (a quarter) and a
streamed POST /v1/chat read to its `done` event (a quarter), with evaluation questions made
distinct by a request number so that no cache answers them. The rest are hostile, in turn:

- stalled body: POST /v1/ask declaring 1,000 bytes, sending 13, then nothing;
- lone surrogate: a JSON question holding "\\ud800";
- long query: a 10,000-character question (GET /v1/search and POST /v1/ask in turn);
- malformed JSON: a body cut off mid-object;
- slowloris: request headers one line every 2 s, never finished.

Reported (a progress line each minute, then a summary): the server's RSS (with its workers) at
start, after minute 1 and at the end; p50/p95/p99 latency of the well-formed requests, overall
and by kind; errors, that is a 5xx or a broken connection answering a well-formed request; and
how each hostile request ended: answered 4xx or closed by the server (as it should), or answered
otherwise, or still open past its deadline (a violation). Exit status 1 when a target is missed:
a well-formed request failed, a hostile one was not refused, or RSS grew 50 MB or more after
minute 1.

    .venv/bin/python bench/soak.py [--seconds 600] [--clients 32] [--workers 1]
    .venv/bin/python bench/soak.py --url http://127.0.0.1:8000 --pid PID   # a running server

The server it starts serves CASEBOOK_INDEX_DIR (default var/index: `casebook index build`) with
no rate limit or per-address limits (all clients share one address) and the other settings at
their defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import aiohttp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "service"))  # the tests' server helper

from serve_process import ServeProcess  # noqa: E402

WELL_FORMED = ("search", "search", "ask", "chat")
HOSTILE = ("stalled_body", "lone_surrogate", "long_query", "malformed_json", "slowloris")
GROWTH_LIMIT_MB = 50.0
MINUTE = 60.0


def questions(path: Path = REPO / "eval" / "questions.jsonl") -> list[str]:
    texts = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    random.Random(0).shuffle(texts)
    return texts


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] * 1000, 1)


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of the server and its worker processes, summed (MB = 2**20 bytes)."""
    if pid is None:
        return None
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    except FileNotFoundError:
        return None
    total = 0
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return round(total / 1024, 1)


@dataclass
class Tally:
    started: float = field(default_factory=time.monotonic)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)  # "search 200"
    errors: Counter[str] = field(default_factory=Counter)  # "ask 503", "chat ServerDisconnected"
    hostile: Counter[str] = field(default_factory=Counter)  # "slowloris closed", "long_query 422"
    violations: Counter[str] = field(default_factory=Counter)  # hostile, neither 4xx nor closed
    rss: list[tuple[float, float]] = field(default_factory=list)

    def well_formed(self, kind: str, status: int | str, seconds: float) -> None:
        self.statuses[f"{kind} {status}"] += 1
        if isinstance(status, int) and status < 500:
            if status == 200:
                self.latencies.setdefault(kind, []).append(seconds)
        else:
            self.errors[f"{kind} {status}"] += 1

    def refused(self, kind: str, outcome: str) -> None:
        """A hostile request's end: a status ("422"), "closed", or "open" (past its deadline)."""
        self.hostile[f"{kind} {outcome}"] += 1
        if not (outcome == "closed" or (outcome.isdigit() and outcome.startswith("4"))):
            self.violations[f"{kind} {outcome}"] += 1

    def summary(self) -> dict[str, object]:
        every = [s for values in self.latencies.values() for s in values]
        return {
            "well_formed": sum(self.statuses.values()),
            "errors": sum(self.errors.values()), "error_kinds": dict(self.errors),
            "p50_ms": percentile(every, 0.5), "p95_ms": percentile(every, 0.95),
            "p99_ms": percentile(every, 0.99),
            "p95_ms_by_kind": {k: percentile(v, 0.95) for k, v in sorted(self.latencies.items())},
            "hostile": sum(self.hostile.values()), "hostile_outcomes": dict(self.hostile),
            "hostile_violations": sum(self.violations.values()),
        }


class Soak:
    def __init__(self, url: str, pid: int | None, clients: int, seconds: float,
                 header_timeout_s: float, body_timeout_s: float) -> None:
        self.url = url.rstrip("/")
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.pid = pid
        self.clients = clients
        self.seconds = seconds
        self.header_timeout_s = header_timeout_s
        self.body_timeout_s = body_timeout_s
        self.texts = questions()
        self.numbers = itertools.count(random.SystemRandom().randrange(10**6, 10**7))
        self.tally = Tally()
        self.deadline = 0.0

    def question(self) -> str:
        n = next(self.numbers)
        return f"{self.texts[n % len(self.texts)]} {n}"

    async def run(self) -> dict[str, object]:
        start_rss = rss_mb(self.pid)
        self.tally = Tally()
        self.deadline = time.monotonic() + self.seconds
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            hostile = max(1, self.clients // 4)
            tasks = [asyncio.create_task(self.well_formed_client(session, i))
                     for i in range(self.clients - hostile)]
            tasks += [asyncio.create_task(self.hostile_client(i)) for i in range(hostile)]
            sampler = asyncio.create_task(self.sample())
            await asyncio.gather(*tasks)
            sampler.cancel()
        end_rss = rss_mb(self.pid)
        after_minute = next((mb for t, mb in self.tally.rss if t >= MINUTE), None)
        growth = (round(end_rss - after_minute, 1)
                  if end_rss is not None and after_minute is not None else None)
        summary = self.tally.summary()
        result: dict[str, object] = {
            "measure": "soak", "seconds": self.seconds, "clients": self.clients,
            "rss_start_mb": start_rss, "rss_minute1_mb": after_minute, "rss_end_mb": end_rss,
            "rss_growth_after_minute1_mb": growth, **summary,
        }
        result["targets_met"] = (summary["errors"] == 0 and summary["hostile_violations"] == 0
                                 and (growth is None or growth < GROWTH_LIMIT_MB))
        return result

    async def sample(self) -> None:
        next_report = MINUTE
        while True:
            elapsed = time.monotonic() - self.tally.started
            mb = rss_mb(self.pid)
            if mb is not None:
                self.tally.rss.append((elapsed, mb))
            if elapsed >= next_report:
                print(json.dumps({"measure": "soak_progress", "t": round(elapsed),
                                  "rss_mb": mb, **self.tally.summary()}), flush=True)
                next_report += MINUTE
            await asyncio.sleep(1.0)

    # well-formed: closed loop until the deadline

    async def well_formed_client(self, session: aiohttp.ClientSession, i: int) -> None:
        for n in itertools.count(i):
            if time.monotonic() >= self.deadline:
                return
            kind = WELL_FORMED[n % len(WELL_FORMED)]
            started = time.perf_counter()
            try:
                status = await getattr(self, kind)(session)
            except (TimeoutError, aiohttp.ClientError) as exc:
                status = type(exc).__name__
            self.tally.well_formed(kind, status, time.perf_counter() - started)

    async def search(self, session: aiohttp.ClientSession) -> int:
        async with session.get(f"{self.url}/v1/search",
                               params={"q": self.question(), "k": "5"}) as response:
            await response.read()
            return response.status

    async def ask(self, session: aiohttp.ClientSession) -> int:
        async with session.post(f"{self.url}/v1/ask", json={"question": self.question()}) as response:
            await response.read()
            return response.status

    async def chat(self, session: aiohttp.ClientSession) -> int | str:
        body = {"messages": [{"role": "user", "content": self.question()}], "stream": True}
        async with session.post(f"{self.url}/v1/chat", json=body) as response:
            text = (await response.read()).decode("utf-8", "replace")
            if response.status == 200 and "event: done" not in text:
                return "stream_cut"  # a 200 whose stream never finished
            return response.status

    # hostile: raw sockets, in turn

    async def hostile_client(self, i: int) -> None:
        for n in itertools.count(i):
            if time.monotonic() >= self.deadline:
                return
            kind = HOSTILE[n % len(HOSTILE)]
            try:
                outcome = await getattr(self, kind)(n)
            except (ConnectionError, OSError) as exc:  # refused or reset: not answered
                outcome = "closed" if isinstance(exc, ConnectionResetError) else type(exc).__name__
            self.tally.refused(kind, outcome)

    def _request(self, method: str, target: str, body: bytes = b"", *,
                 length: int | None = None) -> bytes:
        head = (f"{method} {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Connection: close\r\n")
        if method == "POST":
            head += (f"Content-Type: application/json\r\n"
                     f"Content-Length: {len(body) if length is None else length}\r\n")
        return head.encode() + b"\r\n" + body

    async def _exchange(self, request: bytes, wait_s: float, *, drip: bool = False) -> str:
        """Send `request` (a header line every 2 s when `drip`, never finishing), then read until
        the server answers or closes: its status, "closed", or "open" after `wait_s`."""
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            async with asyncio.timeout(wait_s):
                writer.write(request)
                await writer.drain()
                for k in itertools.count():
                    try:  # the answer, or the end of the connection
                        data = await asyncio.wait_for(reader.read(64), 2.0 if drip else None)
                        break
                    except TimeoutError:  # only when dripping: one more header line
                        if writer.transport.is_closing():
                            return "closed"
                        writer.write(f"X-Drip-{k}: {k}\r\n".encode())
                        await writer.drain()
                if not data:
                    return "closed"
                line = data.split(b"\r\n", 1)[0].split()
                return line[1].decode() if len(line) > 1 else "closed"
        except TimeoutError:
            return "open"
        except (ConnectionResetError, BrokenPipeError, RuntimeError):  # RuntimeError: uvloop's
            return "closed"  # word for writing to a connection the server has closed
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def stalled_body(self, n: int) -> str:
        request = self._request("POST", "/v1/ask", b'{"question": ', length=1000)
        return await self._exchange(request, self.body_timeout_s + 10)

    async def lone_surrogate(self, n: int) -> str:
        body = b'{"question": "how did they reach people \\ud800 ' + str(n).encode() + b'"}'
        return await self._exchange(self._request("POST", "/v1/ask", body), 30)

    async def long_query(self, n: int) -> str:
        text = ("loneliness " * 1000)[:10_000]
        if n % 2:
            return await self._exchange(self._request("GET", f"/v1/search?q={quote(text)}"), 30)
        body = json.dumps({"question": text}).encode()
        return await self._exchange(self._request("POST", "/v1/ask", body), 30)

    async def malformed_json(self, n: int) -> str:
        return await self._exchange(self._request("POST", "/v1/ask", b'{"question": "x", '), 30)

    async def slowloris(self, n: int) -> str:
        request = (f"GET /v1/search?q=slow HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n").encode()
        return await self._exchange(request, self.header_timeout_s + 10, drip=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="casebook serve --workers")
    parser.add_argument("--url", help="soak this running server instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: its process id, for RSS")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k.startswith("CASEBOOK_")}
    from casebook.settings import Settings

    settings = Settings()
    server = None
    if args.url:
        url, pid = args.url, args.pid
    else:
        env.setdefault("CASEBOOK_INDEX_DIR", str(REPO / "var" / "index"))
        # every client here shares one address: per-address limits would refuse the well-formed
        # ones beside the stalled bodies, which is the limit working, not the soak's question
        env["CASEBOOK_RATE_LIMIT_PER_MINUTE"] = "0"
        env["CASEBOOK_MAX_BODIES_PER_CLIENT"] = "1000"
        env["CASEBOOK_MAX_CONNECTIONS_PER_CLIENT"] = "1000"
        log = Path(tempfile.mkdtemp(prefix="casebook-soak-")) / "serve.log"
        server = ServeProcess(env, log, args=("--workers", str(args.workers)))
        server.start(ready=True)
        url, pid = server.url, server.pid
        time.sleep(2.0)  # every worker loaded: the start RSS is a served index's
        print(json.dumps({"measure": "soak_server", "url": url, "pid": pid,
                          "workers": args.workers, "log": str(log)}), flush=True)
    try:
        soak = Soak(url, pid, args.clients, args.seconds, settings.header_timeout_s,
                    settings.body_timeout_s)
        try:
            import uvloop

            result = uvloop.run(soak.run())
        except ImportError:
            result = asyncio.run(soak.run())
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(result), flush=True)
    sys.exit(0 if result["targets_met"] else 1)


if __name__ == "__main__":
    main()
