"""`casebook ingest`: crawl the live site (--live) or re-parse a snapshot (--from)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casebook.cli.common import load_settings, print_json, reported


def ingest(
    live: Annotated[bool, typer.Option(
        "--live", help="Crawl URL (default: CASEBOOK_SOURCE_URL, the Healthy London Partnership "
                       "case studies page) into a new snapshot, then parse it.")] = False,
    url: Annotated[str | None, typer.Argument(
        metavar="[URL]", help="The page to crawl with --live.", show_default=False)] = None,
    source: Annotated[Path | None, typer.Option(
        "--from", metavar="DIR", help="Parse this snapshot directory (default: corpus/snapshot).")] = None,
    allow_shrink: Annotated[bool, typer.Option(
        "--allow-shrink", help="With --live: accept a crawl that loses more than "
                               "CASEBOOK_CRAWL_MAX_SHRINK of the current case studies.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON report.")] = False,
) -> None:
    """Make corpus/case_studies.jsonl from a snapshot, crawling a fresh one first with --live."""
    if url is not None and not live:
        raise typer.BadParameter(f"A URL ({url}) only makes sense with --live.")
    if live and source is not None:
        raise typer.BadParameter("Use --live or --from, not both.")
    if allow_shrink and not live:
        raise typer.BadParameter("--allow-shrink only makes sense with --live.")
    # imported here: the crawler and parsers would slow every other subcommand's start
    from casebook.ingest.corpus import (
        build_corpus,
        build_source_page,
        write_case_studies,
        write_source_page,
    )
    from casebook.ingest.live import ingest_live

    settings = load_settings()
    report: dict[str, object] = {}
    with reported():
        if live:
            start_url = url or settings.source_url
            # The new snapshot is parsed before it replaces the old one, so a page that is no
            # longer the case studies page (a redesign, a login wall) keeps the last good one.
            done = ingest_live(start_url, settings, allow_shrink=allow_shrink)
            crawl, cases = done.report, done.cases
            report["crawl"] = {"fetched": crawl.fetched, "skipped": len(crawl.skipped)}
            if not as_json:
                typer.echo(f"Crawled {start_url}: {crawl.fetched} documents kept, "
                           f"{len(crawl.skipped)} skipped (see {settings.snapshot_dir}/manifest.json).")
        else:
            cases = build_corpus(source or settings.snapshot_dir)
        write_case_studies(settings.case_studies_path, cases)
        # the page's own words (what it says social prescribing is), from the snapshot parsed
        write_source_page(settings.source_page_path,
                          build_source_page(source or settings.snapshot_dir))
    report.update(case_studies=len(cases), path=str(settings.case_studies_path))
    if as_json:
        print_json(report)
    else:
        typer.echo(f"Wrote {len(cases)} case studies to {settings.case_studies_path}. "
                   "Next: `casebook index build`.")
