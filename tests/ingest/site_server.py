"""A loopback web server for crawler tests: tests/fixtures/site/ plus misbehaving and hostile
routes (slow, trickling, redirecting). A second server on another loopback address (127.0.0.2:
the whole of 127/8 is loopback) stands for an internal host the crawler must never reach."""

from __future__ import annotations

import collections
import mimetypes
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "site"
SLOW_S = 5.0  # far beyond the tests' client timeout; cut short when the server stops
BIG_BYTES = 5000
TRICKLE_S = 0.2  # one byte this often, for ever: each read is quick, the whole never ends
SHRUNK_PAGE = b"""<html><body><main><h2>Mental health and wellbeing</h2>
<h3>Bromley by Bow Centre</h3><p>The only case study left on a page that lost the others.</p>
</main></body></html>"""

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    server: SiteServer

    def do_GET(self) -> None:  # http.server's naming
        path = self.path.split("?", 1)[0]
        site = self.server
        with site.lock:
            site.requests.append((path, self.headers.get("User-Agent", "")))
            site.headers_seen.append(dict(self.headers))
            site.hits[path] += 1
        route = site.routes.get(path)
        if route is not None:
            route(self)
        else:
            serve_file(self, path)

    def send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None, *, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class SiteServer(ThreadingHTTPServer):
    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0,
                 tls: ssl.SSLContext | None = None) -> None:
        super().__init__((host, port), Handler)
        if tls is not None:  # each connection's handshake happens as it is accepted
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.root = root
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []  # (path, user agent) in arrival order
        self.headers_seen: list[dict[str, str]] = []  # each request's headers, in that order
        self.hits: collections.Counter[str] = collections.Counter()
        self.stopping = threading.Event()
        self.routes: dict[str, Route] = dict(DEFAULT_ROUTES)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.requests]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out closes its socket: the late write fails, as expected


def serve_file(handler: Handler, path: str) -> None:
    root = handler.server.root
    target = (root / path.lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(root) or not target.is_file():
        handler.send(404, b"<h1>Not Found</h1>")
        return
    ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if ctype.startswith("text/"):
        ctype += "; charset=utf-8"
    handler.send(200, target.read_bytes(), ctype)


def status(code: int, headers: dict[str, str] | None = None) -> Route:
    """A route that always answers `code` with a short HTML body."""
    return lambda h: h.send(code, f"<h1>{code}</h1>".encode(), headers=headers)


def flaky(failures: int, code: int = 503, headers: dict[str, str] | None = None) -> Route:
    """A route that fails `failures` times with `code`, then serves a small HTML page."""

    def route(h: Handler) -> None:
        if h.server.hits[h.path] <= failures:
            h.send(code, b"<h1>try later</h1>", headers=headers)
        else:
            h.send(200, b"<html><body><h1>Back up</h1><p>Recovered.</p></body></html>")

    return route


def text(body: str, content_type: str = "text/plain") -> Route:
    return lambda h: h.send(200, body.encode(), content_type)


def _slow(h: Handler) -> None:
    h.server.stopping.wait(SLOW_S)
    h.send(200, b"<h1>Finally</h1>")


def trickle(opening: bytes, drip: bytes) -> Route:
    """A route that sends `opening`, then `drip` every TRICKLE_S until the server stops."""

    def route(h: Handler) -> None:
        h.wfile.write(opening)
        while not h.server.stopping.wait(TRICKLE_S):
            h.wfile.write(drip)
            h.wfile.flush()

    return route


def redirect(location: str) -> Route:
    return status(302, {"Location": location})


def page(html: str) -> Route:
    return lambda h: h.send(200, html.encode())


def _big_stream(h: Handler) -> None:
    # No Content-Length: HTTP/1.0 ends the body by closing, so the client must count as it reads.
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    for _ in range(BIG_BYTES // 500):
        h.wfile.write(b"<p>" + b"x" * 493 + b"</p>")


DEFAULT_ROUTES: dict[str, Route] = {
    "/slow": _slow,
    "/old-case-study": status(302, {"Location": "/case-studies/camden-gardening.html"}),
    "/flaky": flaky(2),
    "/busy": flaky(1, 429, {"Retry-After": "3"}),
    "/broken": status(500),
    "/big": lambda h: h.send(200, b"<p>" + b"x" * BIG_BYTES + b"</p>"),
    "/big-stream": _big_stream,
    # a body that never ends, and headers that never end
    "/trickle": trickle(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<html>", b" "),
    "/trickle-headers": trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", b"X-Pad: x\r\n"),
    "/shrunk.html": lambda h: h.send(200, SHRUNK_PAGE),
}


@contextmanager
def serve_site(root: Path = SITE_DIR, host: str = "127.0.0.1", port: int = 0,
               tls: ssl.SSLContext | None = None) -> Iterator[SiteServer]:
    """Serve `root` on `host` at `port` (0: a free one), over TLS with `tls`, in a background
    thread, for the block's duration."""
    server = SiteServer(root, host, port, tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
