"""What an operator watches: Prometheus metrics at /metrics, a JSON access log line per request,
and a request id on every response.

Users' questions travel in query strings and bodies and may hold personal health details: the
access log records the path only, unless CASEBOOK_LOG_QUERIES opts in for debugging.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casebook.records import Answer
from casebook.service.errors import error_body, error_response
from casebook.service.limits import send_error
from casebook.service.state import SearcherSlot

if TYPE_CHECKING:
    from casebook.index.generation.writer import Written

access_log = logging.getLogger("casebook.access")
log = logging.getLogger("casebook.service")
router = APIRouter()

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LLM_BUCKETS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class IndexCollector(Collector):
    """Read at scrape time from the slot: which build is served, how old, how long loads took.
    Under --workers these are the scraped worker's (each loads the same builds), except the
    encoder's batch counts, which Metrics then keeps in counters shared by all workers."""

    def __init__(self, slot: SearcherSlot, *, encoder_counts: bool = True) -> None:
        self.slot = slot
        self.encoder_counts = encoder_counts

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily | InfoMetricFamily]:
        slot = self.slot
        ready = GaugeMetricFamily("casebook_ready", "1 while an index is served and not draining.")
        ready.add_metric([], 1.0 if slot.ready and not slot.draining else 0.0)
        yield ready
        searcher = slot.current
        if searcher is not None:
            manifest = searcher.stored.manifest
            info = InfoMetricFamily("casebook_index_build", "The index build being served.")
            info.add_metric([], {"build": slot.build or "", "model": manifest.model})
            yield info
            created = datetime.fromisoformat(manifest.created_at)
            age = GaugeMetricFamily("casebook_index_build_age_seconds",
                                    "Seconds since the served build was made.")
            age.add_metric([], max(0.0, (datetime.now(UTC) - created).total_seconds()))
            yield age
            counts = getattr(searcher.embedder, "batch_counts", None)
            if counts is not None and self.encoder_counts:  # onnxruntime: queries, in batches
                batches, texts = counts()
                ran = CounterMetricFamily("casebook_query_batches",
                                          "Micro-batches of queries the encoder ran.")
                ran.add_metric([], float(batches))
                yield ran
                held = CounterMetricFamily("casebook_query_batch_texts",
                                           "Queries those micro-batches held (texts / batches: "
                                           "the mean batch size).")
                held.add_metric([], float(texts))
                yield held
        if slot.first_load_s is not None:
            load = GaugeMetricFamily(
                "casebook_model_load_seconds",
                "Seconds to load the model and the first index at start-up.")
            load.add_metric([], slot.first_load_s)
            yield load
        if slot.last_load_s is not None:
            last = GaugeMetricFamily("casebook_index_load_seconds",
                                     "Seconds the newest index load took (the model reused).")
            last.add_metric([], slot.last_load_s)
            yield last
        for name, value, text in (("casebook_index_reloads", slot.reloads, "Builds swapped in."),
                                  ("casebook_index_reload_failures", slot.failed_reloads,
                                   "Newer builds that failed to load (the old one kept serving).")):
            family = GaugeMetricFamily(name, text)
            family.add_metric([], float(value))
            yield family


class Metrics:
    """One registry per app, so several apps in one process (tests) never collide.

    Under `casebook serve --workers N` (PROMETHEUS_MULTIPROC_DIR set by the supervisor before
    the worker imported prometheus-client) every worker's counters and histograms live in files
    there, and a scrape of any worker reads them all: totals of every worker, never going back."""

    def __init__(self, slot: SearcherSlot) -> None:
        self.slot = slot
        self.multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
        self.registry = CollectorRegistry()
        self.requests = Counter("casebook_http_requests", "HTTP requests answered.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("casebook_http_request_duration_seconds",
                                 "Seconds from request to the end of the response.",
                                 ["method", "route", "status"], buckets=BUCKETS,
                                 registry=self.registry)
        self.answers = Counter("casebook_answers", "Answers given, by match and found.",
                               ["match", "found"], registry=self.registry)
        self.llm_calls = Counter("casebook_llm_calls", "Calls to the model that writes answers, "
                                 "by outcome (ok, or the failure's reason).", ["outcome"],
                                 registry=self.registry)
        self.llm_fallbacks = Counter("casebook_llm_fallbacks", "Answers given extractive with a "
                                     "model configured, by reason.", ["reason"],
                                     registry=self.registry)
        self.llm_tokens = Counter("casebook_llm_tokens", "Tokens the model read (prompt) and "
                                  "wrote (completion).", ["kind"], registry=self.registry)
        self.llm_latency = Histogram("casebook_llm_call_duration_seconds",
                                     "Seconds one call to the model took, to its last token.",
                                     buckets=LLM_BUCKETS, registry=self.registry)
        self.llm_sentences = Counter("casebook_llm_sentences", "Sentences of the model's replies "
                                     "the citation check kept or removed.", ["verdict"],
                                     registry=self.registry)
        self.index = IndexCollector(slot, encoder_counts=self.multiprocess_dir is None)
        self.registry.register(self.index)
        if self.multiprocess_dir is not None:
            self.query_batches = Counter("casebook_query_batches",
                                         "Micro-batches of queries the encoder ran.",
                                         registry=self.registry)
            self.query_batch_texts = Counter("casebook_query_batch_texts",
                                             "Queries those micro-batches held (texts / batches: "
                                             "the mean batch size).", registry=self.registry)
            self._encoder_seen: tuple[int, int, int] = (0, 0, 0)  # id, batches, texts

    def exposition(self) -> bytes:
        """The text a scrape gets: this app's registry, or with workers every worker's counts
        and this worker's view of the index."""
        if self.multiprocess_dir is None:
            return generate_latest(self.registry)
        self.sync_encoder()
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)
        registry.register(self.index)
        return generate_latest(registry)

    def sync_encoder(self) -> None:
        """With workers: add what this worker's encoder ran since the last sync to the shared
        counters (after every request, so a scrape of another worker sees it)."""
        searcher = self.slot.current
        embedder = getattr(searcher, "embedder", None)
        counts = getattr(embedder, "batch_counts", None)
        if counts is None:
            return
        batches, texts = counts()
        key, seen_batches, seen_texts = self._encoder_seen
        if key != id(embedder) or batches < seen_batches:  # a new encoder counts from 0
            seen_batches = seen_texts = 0
        if batches > seen_batches:
            self.query_batches.inc(batches - seen_batches)
            self.query_batch_texts.inc(max(0, texts - seen_texts))
        self._encoder_seen = (id(embedder), batches, texts)

    def answer(self, answer: Answer) -> None:
        match = getattr(answer, "match", None) or ("answered" if answer.found else "not_found")
        self.answers.labels(match=match, found=str(answer.found).lower()).inc()

    def generation(self, written: Written) -> None:
        if written.called:
            self.llm_calls.labels(outcome=written.reason if written.failed else "ok").inc()
            self.llm_latency.observe(written.seconds)
            self.llm_tokens.labels(kind="prompt").inc(written.usage.prompt_tokens)
            self.llm_tokens.labels(kind="completion").inc(written.usage.completion_tokens)
        if written.checked is not None:
            self.llm_sentences.labels(verdict="kept").inc(len(written.checked.kept))
            self.llm_sentences.labels(verdict="removed").inc(len(written.checked.removed))
        if not written.answer.generated:
            self.llm_fallbacks.labels(reason=written.reason).inc()


def record_answer(request: Request, answer: Answer) -> None:
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.answer(answer)


def record_generation(request: Request, written: Written) -> None:
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.generation(written)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    settings = request.app.state.settings
    if settings.metrics_address:
        return error_response(404, "not_found", "Metrics are not served on this address.",
                              "Scrape the address CASEBOOK_METRICS_ADDRESS names.")
    if settings.metrics_token:
        refused: Response | None = request.app.state.admin_gate.refuse(request, "/metrics")
        if refused is not None:
            return refused
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


class MetricsListener:
    """/metrics on an address of its own (CASEBOOK_METRICS_ADDRESS: one that only the monitoring
    network reaches, say), served by a small threaded HTTP server beside the API's. The port is
    bound with SO_REUSEPORT, so each worker of `--workers` can listen on it."""

    def __init__(self, address: str, metrics: Metrics) -> None:
        host, _, port = address.rpartition(":")
        self.host, self.port = host.strip("[]"), int(port)
        self.metrics = metrics
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> MetricsListener:
        metrics = self.metrics

        class Handler(BaseHTTPRequestHandler):
            timeout = 10  # a client that stalls is dropped, as on the API's port

            def do_GET(self) -> None:  # http.server's name
                if self.path.split("?", 1)[0] == "/metrics":
                    self._send(200, metrics.exposition(), CONTENT_TYPE_LATEST)
                else:
                    body = json.dumps(error_body("not_found", "Only /metrics is served here.",
                                                 "GET /metrics.")).encode()
                    self._send(404, body, "application/json")

            def _send(self, status: int, body: bytes, media_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Request-ID", request_id_of(self.headers.get("X-Request-ID")))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass  # scrapes every few seconds would flood the log

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET

        class Server(ThreadingHTTPServer):
            address_family = family
            daemon_threads = True

            def server_bind(self) -> None:
                if hasattr(socket, "SO_REUSEPORT"):
                    self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                super().server_bind()

        self._server = Server((self.host, self.port), Handler)
        self.port = int(self._server.server_address[1])  # port 0: the one given
        threading.Thread(target=self._server.serve_forever, name="metrics", daemon=True).start()
        log.info("serving /metrics on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def request_id(scope: Scope) -> str:
    """The caller's X-Request-ID if it is a sane token, else a new one."""
    for key, value in scope["headers"]:
        if key == b"x-request-id":
            return request_id_of(value.decode("latin-1"))
    return uuid.uuid4().hex


def request_id_of(given: str | None) -> str:
    return given if given is not None and REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class ObserveMiddleware:
    """Request id in and out, one metric sample and one JSON access-log line per request."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, log_queries: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.log_queries = log_queries
        self._routed: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500
        sent = 0
        answering = False

        async def sending(message: Message) -> None:
            nonlocal status, sent, answering
            if message["type"] == "http.response.start":
                status = message["status"]
                answering = True
                message = {**message, "headers": [*message.get("headers", []),
                                                   (b"x-request-id", rid.encode())]}
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            try:
                await self.app(scope, receive, sending)
            except Exception:
                if answering:
                    raise  # a response under way cannot be taken back: the connection closes
                # Starlette's last resort would answer in plain text, without the request id,
                # then re-raise, and uvicorn would close the connection: answer here instead
                log.exception("unhandled error answering %s %s (request %s)",
                              scope["method"], scope["path"][:200], rid)
                await send_error(sending, 500, "internal_error",
                                 "Something went wrong while answering.",
                                 "Try again; if it persists, tell the site's owner and quote "
                                 "the X-Request-ID header.")
        finally:
            seconds = time.perf_counter() - started
            route = self._route(scope)
            labels = {"method": scope["method"], "route": route, "status": str(status)}
            self.metrics.requests.labels(**labels).inc()
            self.metrics.latency.labels(**labels).observe(seconds)
            if self.metrics.multiprocess_dir is not None:
                self.metrics.sync_encoder()
            self._log(scope, rid, route, status, seconds, sent)

    def _route(self, scope: Scope) -> str:
        """The route template (never the raw path: ids would explode the label set)."""
        route = scope.get("route")
        if route is not None and getattr(route, "path", None):
            return str(route.path)
        app = scope.get("app")  # answered before routing (429, 503…): match it ourselves
        for candidate in getattr(getattr(app, "router", None), "routes", []):
            match, _ = candidate.matches(scope) if hasattr(candidate, "matches") \
                else (Match.NONE, {})
            if match is not Match.NONE and getattr(candidate, "path", None):
                return str(candidate.path)
        return "unmatched"

    def _log(self, scope: Scope, rid: str, route: str, status: int, seconds: float,
             sent: int) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        entry: dict[str, object] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": rid, "method": scope["method"], "path": scope["path"][:200], "route": route,
            "status": status, "ms": round(seconds * 1000, 2), "bytes": sent,
            "client": scope["client"][0] if scope.get("client") else None,
        }
        if self.log_queries and scope.get("query_string"):
            entry["query"] = scope["query_string"].decode("latin-1")
        access_log.info(json.dumps(entry, ensure_ascii=False))
