"""`casebook search`, `ask` and `similar`: query the current index from the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from casebook.cli import render
from casebook.cli.common import load_settings, print_json, reported

if TYPE_CHECKING:
    from casebook.index.retrieval.searcher import Searcher
    from casebook.records import Answer

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _searcher() -> Searcher:
    # imported on use: `casebook serve` registers these commands too, and must not wait for
    # the index code on its main thread before its own load starts
    from casebook.index.retrieval.searcher import Searcher

    return Searcher.open(load_settings())


def search(
    question: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", "-k", help="How many case studies.")] = 5,
    section: Annotated[str | None, typer.Option(help="Only this section.")] = None,
    borough: Annotated[str | None, typer.Option(help="Only this borough.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or bm25.")] = "hybrid",
    theme: Annotated[str | None, typer.Option(
        help="Only this theme (e.g. mental-health, vaccination).")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show each result's raw signals.")]
    = False,
    as_json: JsonFlag = False,
) -> None:
    """Search the case studies; best first, one line each with its best passage."""
    from casebook.service.schemas import ResultOut

    with reported():
        searcher = _searcher()
        results, scored = searcher.search_scored(question, k, section=section, borough=borough,
                                                 mode=mode, theme=theme)
        signals = [searcher.explain(scored, r.passages[0].passage.id) if explain else None
                   for r in results]
        if as_json:
            out = [ResultOut.of(r) for r in results]
            for item, extra in zip(out, signals):
                item.explain = extra
            print_json({"query": question, "results": [o.model_dump() for o in out]})
        else:
            render.results(results, explain=signals)


def ask(
    question: Annotated[str, typer.Argument(help="A question in plain words.")],
    as_json: JsonFlag = False,
) -> None:
    """Answer a question with sentences quoted from the case studies, with citations (written
    by the model CASEBOOK_LLM_URL names, and checked, where one is set)."""
    from casebook.index.answering import ask as answering
    from casebook.service.schemas import AskResponse

    with reported():
        searcher = _searcher()
        answer = answering.ask(searcher, question)
        if searcher.settings.llm_url is not None:
            answer = _written(searcher, answer, question)
        if as_json:
            print_json(AskResponse.of(answer, took_ms=0.0).model_dump(exclude={"took_ms"}))
        else:
            render.answer(answer)


def _written(searcher: Searcher, answer: Answer, question: str) -> Answer:
    from casebook.index.generation.writer import Writer, blocking

    async def write() -> Answer:
        writer = Writer(searcher.settings, searcher.gazetteer)
        try:
            return (await writer.write(answer, question)).answer
        finally:
            await writer.aclose()

    return blocking(write)


def similar(
    case_id: Annotated[str | None, typer.Argument(help="A case study id.")] = None,
    text: Annotated[str | None, typer.Option(help="Describe a project instead of an id.")] = None,
    k: Annotated[int, typer.Option("--k", "-k", help="How many case studies.")] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Case studies like one case study (by id), or like a description of your project."""
    if (case_id is None) == (text is None):
        raise typer.BadParameter("Give either a case study ID or --text, not both.")
    from casebook.service.schemas import ResultOut

    with reported():
        searcher = _searcher()
        notice = None
        if case_id:
            results = searcher.similar(case_id, k)
        else:
            results, notice = searcher.similar_text_noticed(text or "", k)
        if as_json:
            print_json({"results": [ResultOut.of(r).model_dump() for r in results],
                        "notice": notice})
        else:
            if notice:
                typer.echo(notice)
            render.results(results)
