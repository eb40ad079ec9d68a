"""A response body's Content-Encoding undone with a cap, for the crawler.

Every layer's output counts against the byte limit as it inflates, a bounded piece at a
time, so a small body that claims to be a document (`Content-Encoding: gzip, gzip` of
gigabytes of zeros, in 2 KB) is refused once `limit` bytes came out of any layer, having
held no more than that in memory. httpx's own decoding would inflate each network chunk
whole before anyone could count it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

# What the crawler asks for: what it can undo with the standard library.
ACCEPT_ENCODING = "gzip, deflate"
MAX_LAYERS = 3  # more than anyone compresses a document; each layer holds a 32 KiB window
STEP = 64 * 1024  # the most one decompressor call returns, so no single call balloons


class Undecodable(Exception):
    """A Content-Encoding we do not undo, or a body that is not what it claims."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Overflow(Exception):
    """More than the limit came out of one layer."""


class _Layer:
    """One encoding undone incrementally; deflate is zlib-wrapped or, from some servers, raw."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = False
        wbits = zlib.MAX_WBITS | 16 if name in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.inflater = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """What `data` inflates to, STEP bytes at most a piece; data past the end is ignored."""
        while not self.inflater.eof:
            try:
                out = self.inflater.decompress(data, STEP)
            except zlib.error as exc:
                if self.name == "deflate" and not self.started:
                    self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.started = True
                    continue
                raise Undecodable(f"the body is not valid {self.name} ({exc})") from None
            self.started = True
            if out:
                yield out
            data = self.inflater.unconsumed_tail
            if not data and len(out) < STEP:
                return  # all input taken and nothing more pending


class Decoder:
    """Undo a Content-Encoding header's layers, last listed first, feeding each the output
    of the one before. :raises Undecodable: for an encoding we cannot undo, or too many."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        names = [n.strip().lower() for n in content_encoding.split(",")]
        names = [n for n in names if n and n != "identity"]
        unknown = [n for n in names if n not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise Undecodable(f"unsupported Content-Encoding {', '.join(unknown)}")
        if len(names) > MAX_LAYERS:
            raise Undecodable(f"{len(names)} layers of Content-Encoding (at most {MAX_LAYERS})")
        self.layers = [_Layer(name) for name in reversed(names)]
        self.limit = limit
        self.produced = [0] * len(self.layers)

    def feed(self, raw: bytes) -> Iterator[bytes]:
        """The decoded pieces of the next raw bytes. :raises Overflow: past the limit."""
        return self._through(0, raw)

    def _through(self, depth: int, data: bytes) -> Iterator[bytes]:
        if depth == len(self.layers):
            yield data
            return
        for piece in self.layers[depth].feed(data):
            self.produced[depth] += len(piece)
            if self.produced[depth] > self.limit:
                raise Overflow()
            yield from self._through(depth + 1, piece)
