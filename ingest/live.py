"""`casebook ingest --live`: crawl into a temporary folder, check it, and only then swap it in.

The new snapshot is parsed (and its PDFs read) once, as the check; the case studies that
check returns are what the caller writes. A failed, shrunken, interrupted or over-time crawl
leaves corpus/ byte-identical.
"""

from __future__ import annotations

import logging
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx

from casebook.errors import CasebookError, CorpusError, CrawlError
from casebook.ingest.corpus import build_corpus, load_case_studies
from casebook.ingest.crawl import CrawlReport, crawl
from casebook.ingest.fetch import Sleep
from casebook.ingest.snapshot import swap_in
from casebook.records import CaseStudy
from casebook.settings import Settings

log = logging.getLogger("casebook.crawl")

T = TypeVar("T")
RETRY_HINT = (
    "Check that the URL opens in a browser and that this machine is online, then run "
    "`casebook ingest --live URL` again (or `casebook ingest --from DIR` to use a saved snapshot)."
)
SHRINK_HINT = ("If the site really has fewer case studies now, run `casebook ingest --live "
               "--allow-shrink`; otherwise try again later.")
MAX_NAMED = 20  # missing case studies named in a refusal; the rest are counted


class CrawlShrunk(CrawlError):
    """A crawl that would lose too many of the current corpus's case studies."""

    code = "crawl_shrunk"


class _Terminated(BaseException):
    """SIGTERM arrived mid-crawl. A BaseException, so no `except Exception` swallows it."""


@dataclass(frozen=True)
class LiveIngest:
    report: CrawlReport
    cases: list[CaseStudy]  # the new snapshot's case studies, parsed once


def temporary_dirs(snapshot_dir: Path) -> list[Path]:
    """Leftover crawl folders beside `snapshot_dir` (`.snapshot.new-*`)."""
    return sorted(snapshot_dir.parent.glob(f".{snapshot_dir.name}.new-*"))


def lost_case_studies(old: Sequence[CaseStudy], new: Sequence[CaseStudy]) -> list[CaseStudy]:
    """The case studies of `old` whose id `new` no longer has, in `old`'s order."""
    kept = {case.id for case in new}
    return [case for case in old if case.id not in kept]


def check_shrink(old: Sequence[CaseStudy], new: Sequence[CaseStudy], max_share: float,
                 where: str = "the current corpus") -> None:
    """:raises CrawlShrunk: when more than `max_share` of `old` is missing from `new`."""
    lost = lost_case_studies(old, new)
    if not old or len(lost) / len(old) <= max_share:
        return
    named = "; ".join(f"{c.id} ({c.title})" for c in lost[:MAX_NAMED])
    more = f"; and {len(lost) - MAX_NAMED} more" if len(lost) > MAX_NAMED else ""
    raise CrawlShrunk(
        f"The new crawl lost {len(lost)} of the {len(old)} case studies in {where} "
        f"({len(lost) / len(old):.0%}; at most {max_share:.0%} allowed by "
        f"CASEBOOK_CRAWL_MAX_SHRINK). Missing: {named}{more}.", hint=SHRINK_HINT)


def ingest_live(start_url: str, settings: Settings, client: httpx.Client | None = None, *,
                allow_shrink: bool = False, sleep: Sleep = time.sleep) -> LiveIngest:
    """Crawl `start_url` into settings.snapshot_dir and return its case studies.

    The snapshot is swapped in only if it parses, and (unless `allow_shrink`) keeps all but
    CASEBOOK_CRAWL_MAX_SHRINK of the case studies in settings.case_studies_path.
    :raises CrawlError: otherwise, with corpus/ untouched.
    """
    path = settings.case_studies_path
    baseline = None if allow_shrink or not path.exists() else load_case_studies(path)

    def parse_and_compare(new_dir: Path) -> list[CaseStudy]:
        cases = build_corpus(new_dir)
        if baseline is not None:
            check_shrink(baseline, cases, settings.crawl_max_shrink, str(path))
        return cases

    report, cases = crawl_snapshot(start_url, settings.snapshot_dir, settings, client,
                                   check=parse_and_compare, sleep=sleep)
    return LiveIngest(report, cases)


def crawl_snapshot(start_url: str, snapshot_dir: Path, settings: Settings,
                   client: httpx.Client | None = None, *, check: Callable[[Path], T],
                   max_depth: int = 1, max_failure_ratio: float = 0.5,
                   sleep: Sleep = time.sleep) -> tuple[CrawlReport, T]:
    """Crawl into a temporary sibling of `snapshot_dir`; swap it in only if the crawl succeeded.

    Success: the start page was fetched as HTML, at most `max_failure_ratio` of the documents
    it links to failed, the crawl's deadline did not cut it short, and `check` (given the new
    directory) raised no CasebookError; its result is returned with the report. Leftover
    temporary folders of earlier crawls are removed first, and SIGTERM mid-crawl removes this
    one. :raises CrawlError: otherwise; `snapshot_dir` is then left untouched.
    """
    for stale in temporary_dirs(snapshot_dir):
        log.warning("removing %s, left by an interrupted crawl", stale)
        shutil.rmtree(stale, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    new_dir = snapshot_dir.parent / f".{snapshot_dir.name}.new-{stamp}"
    kept = (f"The previous snapshot in {snapshot_dir} is untouched." if snapshot_dir.exists()
            else f"Nothing was written to {snapshot_dir}.")
    swapped = False
    try:
        with _sigterm_raises():
            try:
                report, result = _crawl_checked(start_url, new_dir, settings, client, check,
                                                kept, max_depth, max_failure_ratio, sleep)
                with _sigterm_deferred():  # never half-way between two snapshots
                    _swap(new_dir, snapshot_dir, kept)
                    swapped = True
            finally:
                with _sigterm_deferred():
                    shutil.rmtree(new_dir, ignore_errors=True)
    except _Terminated:
        if swapped:
            raise CrawlError(f"Stopped by SIGTERM just after the new snapshot replaced "
                             f"{snapshot_dir}.", hint=f"Run `casebook ingest --from "
                             f"{snapshot_dir}` to write its case studies.") from None
        raise CrawlError(f"The crawl of {start_url} was stopped by SIGTERM. {kept}",
                         hint="Run it again when you are ready.") from None
    log.info("snapshot %s replaced: %d documents", snapshot_dir, report.fetched)
    return replace(report, out_dir=snapshot_dir), result


def _crawl_checked(start_url: str, new_dir: Path, settings: Settings,
                   client: httpx.Client | None, check: Callable[[Path], T], kept: str,
                   max_depth: int, max_failure_ratio: float, sleep: Sleep) -> tuple[CrawlReport, T]:
    try:
        report = crawl(start_url, new_dir, settings, client, max_depth=max_depth, sleep=sleep)
    except OSError as exc:
        raise CrawlError(f"The crawl of {start_url} could not write its files ({exc}). {kept}",
                         hint="Check free disk space and permissions, then try again.") from exc
    problem = report.start_error
    if not problem and report.deadline_passed:
        problem = (f"it did not finish within CASEBOOK_CRAWL_DEADLINE_S "
                   f"({settings.crawl_deadline_s:g}s)")
    if not problem and report.linked_failure_ratio > max_failure_ratio:
        examples = "; ".join(f"{s.url}: {s.reason}" for s in report.failed[:3])
        problem = (f"{report.linked_failure_ratio:.0%} of the linked documents failed "
                   f"(at most {max_failure_ratio:.0%} allowed), e.g. {examples}")
    if problem:
        raise CrawlError(f"The crawl of {start_url} failed: {problem}. {kept}", hint=RETRY_HINT)
    try:
        return report, check(new_dir)
    except CrawlError as exc:
        raise type(exc)(f"{exc.message} {kept}", hint=exc.hint) from exc
    except CasebookError as exc:
        raise CrawlError(f"The snapshot crawled from {start_url} is unusable: {exc.message} "
                         f"{kept}", hint=exc.hint) from exc


def _swap(new_dir: Path, snapshot_dir: Path, kept: str) -> None:
    try:
        swap_in(new_dir, snapshot_dir)
    except (OSError, CorpusError) as exc:
        raise CrawlError(
            f"The new snapshot could not replace {snapshot_dir} ({exc}). {kept}",
            hint="Check permissions on the corpus directory, then try again.",
        ) from exc


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the block runs, SIGTERM raises _Terminated (so `finally` cleans up) instead of
    killing the process outright. Signals can only be handled in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _sigterm_deferred() -> Iterator[None]:
    """Hold SIGTERM back until the block is done; it is delivered (and raises) afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
