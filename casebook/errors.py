"""Casebook's exceptions: each carries an HTTP status and tells the user what to do next."""

from __future__ import annotations


class CasebookError(Exception):
    """Base class. `status` is the HTTP status the service answers with."""

    status: int = 500
    code: str = "casebook_error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}" if self.hint else self.message


class BadQuery(CasebookError):
    """The caller's input cannot be answered as given (empty, too long, k out of range)."""

    status = 422
    code = "bad_query"


class NotFound(CasebookError):
    """An id that names no case study or passage."""

    status = 404
    code = "not_found"


class IndexNotReady(CasebookError):
    """The index is still loading, or failed to load."""

    status = 503
    code = "index_not_ready"


class IndexMissing(IndexNotReady):
    """No index has been built yet."""

    code = "index_missing"


class IndexMismatchError(IndexNotReady):
    """The index was built by another model, from another corpus, or by another version."""

    code = "index_mismatch"


class IndexCorruptError(IndexNotReady):
    """Index files are missing, truncated or inconsistent with each other."""

    code = "index_corrupt"


class CorpusError(CasebookError):
    """The snapshot or case_studies.jsonl is missing or unreadable."""

    code = "corpus_error"


class ParseError(CorpusError):
    """A page did not contain what the parser needs (e.g. no case study sections)."""

    code = "parse_error"


class CrawlError(CasebookError):
    """A crawl failed; the previous snapshot is left untouched."""

    status = 502
    code = "crawl_error"


class ModelError(CasebookError):
    """The embedding model cannot be loaded."""

    code = "model_error"
