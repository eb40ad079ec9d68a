"""The widget's static files: read once, gzipped once, served with an ETag and Cache-Control."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from importlib import resources

from starlette.requests import Request
from starlette.responses import Response

STATIC = resources.files("casebook.service") / "static"
# The widget's URL carries no version, so browsers keep it briefly and then revalidate with
# If-None-Match, which costs a 304 and no body.
CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str

    @classmethod
    def read(cls, name: str, media_type: str) -> Asset:
        body = (STATIC / name).read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        # mtime=0: the same bytes in every process, so workers agree
        return cls(body, gzip.compress(body, compresslevel=9, mtime=0), media_type, etag)

    def response(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept-Encoding"}
        if self.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", "").lower():
            return Response(self.gzipped, media_type=self.media_type,
                            headers=headers | {"Content-Encoding": "gzip"})
        return Response(self.body, media_type=self.media_type, headers=headers)


def _etags(header: str) -> set[str]:
    """ETags named in an If-None-Match header; weak ones (W/"...") match too, as RFC 9110 says."""
    tags = {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
    return tags
