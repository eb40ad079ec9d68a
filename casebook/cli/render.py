"""Human-readable output of results for the terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from casebook.records import Answer, CaseResult


def shorten(text: str, width: int = 220) -> str:
    return textwrap.shorten(" ".join(text.split()), width=width, placeholder=" …")


def results(items: Sequence[CaseResult], *, passages: int = 1,
            explain: Sequence[dict[str, float] | None] = ()) -> None:
    if not items:
        typer.echo("No case studies matched.")
        return
    for rank, item in enumerate(items, 1):
        case = item.case_study
        typer.secho(f"{rank}. {case.title}", bold=True)
        typer.echo(f"   {case.section} · {', '.join(case.boroughs) or 'London'} · score {item.score:.4f}")
        typer.echo(f"   id: {case.id}  {case.url}")
        for hit in item.passages[:passages]:
            typer.echo(textwrap.indent(textwrap.fill(shorten(hit.passage.text), 96), "   > "))
        signals = explain[rank - 1] if rank - 1 < len(explain) else None
        if signals:
            typer.echo("   signals: " + ", ".join(f"{k} {v:.3f}" for k, v in signals.items()))


def answer(item: Answer) -> None:
    if item.match and item.match != "answered":
        typer.secho(f"({item.match}: no case study covers this question)", bold=True)
    # a list answer keeps its lines: one per case study, each wrapped under its dash
    for line in item.answer.splitlines():
        typer.echo(textwrap.fill(line, 100, subsequent_indent="  " if line.startswith("- ") else ""))
    for n, citation in enumerate(item.citations, 1):
        typer.echo(f"  [{n}] {citation.case_study.title} — {citation.case_study.url}")
    if not item.found:
        typer.echo(f"  (best match scored {item.confidence:.3f}, coverage {item.coverage:.2f})")
    if item.generated:
        removed = f"; the citation check removed {len(item.removed)} sentence(s)" if item.removed \
            else ""
        typer.echo(f"  (written by the model from the passages above{removed})")
    elif item.generation != "off":
        typer.echo(f"  (quoted: the model's answer was not used: {item.generation})")
