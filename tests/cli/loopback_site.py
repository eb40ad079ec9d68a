"""A loopback web server for the CLI tests: tests/fixtures/site/ as plain files, one redirect."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

REPO = Path(__file__).resolve().parents[2]
SITE_DIR = REPO / "tests" / "fixtures" / "site"
CORPUS_DIR = REPO / "corpus"


class _Handler(SimpleHTTPRequestHandler):
    server: Site

    def send_head(self) -> BinaryIO | None:
        path = self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.paths.append(path)
        if path in self.server.statuses:
            self.send_error(self.server.statuses[path])
            return None
        if path in self.server.redirects:
            self.send_response(302)
            self.send_header("Location", self.server.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        return super().send_head()

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class Site(ThreadingHTTPServer):
    """tests/fixtures/site/ on 127.0.0.1 at a free port; a path put in `statuses` fails.

    /old-case-study redirects, as in tests/ingest/site_server.py, so that most links from
    index.html resolve: two of five still 404, under the crawl's failure threshold.
    """

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), partial(_Handler, directory=str(SITE_DIR)))
        self.lock = threading.Lock()
        self.paths: list[str] = []  # every path requested, in arrival order
        self.statuses: dict[str, int] = {}
        self.redirects = {"/old-case-study": "/case-studies/camden-gardening.html"}

    def url(self, path: str) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{path}"
