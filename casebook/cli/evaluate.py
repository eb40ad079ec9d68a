"""`casebook eval`: every method side by side on the test split (dev with --split dev)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from casebook.cli.common import load_settings, print_json, reported

DEFAULT_QUESTIONS = Path("eval/questions.jsonl")
DEFAULT_SIMILAR = Path("eval/similar.jsonl")
DEFAULT_ANSWER_SET = Path("eval/answers.jsonl")
TUNED_OUT = Path("casebook/data/tuned.json")


def evaluate(
    questions: Annotated[Path, typer.Argument(help="Labelled questions (JSONL).")] = DEFAULT_QUESTIONS,
    split: Annotated[str, typer.Option("--split", help="test (default), dev or all.")] = "test",
    dev: Annotated[bool, typer.Option("--dev", help="Shorthand for --split dev.")] = False,
    similar: Annotated[Path, typer.Option("--similar", help="Labelled similar-project groups.")]
    = DEFAULT_SIMILAR,
    tune: Annotated[bool, typer.Option(
        "--tune", help="Fit fusion weights, calibration and match thresholds on DEV, write "
        "them to --tuned-out, then report.")] = False,
    tuned_out: Annotated[Path, typer.Option("--tuned-out")] = TUNED_OUT,
    as_json_: Annotated[bool, typer.Option("--json")] = False,
    answer_set: Annotated[Path, typer.Option(
        "--answer-set", help="Answer questions by kind, with what a right answer holds "
        "(skipped when the file is absent).")] = DEFAULT_ANSWER_SET,
    answers: Annotated[bool, typer.Option(
        "--answers", help="Print every question and its full answer, with what the answer "
        "checks found, instead of the tables.")] = False,
) -> None:
    """Score retrieval, answers and similar projects on one split of a labelled question set."""
    # imported here: every casebook command, `serve` first, would otherwise load evaluation
    from casebook.eval.answer_checks import all_titles
    from casebook.eval.questions import (
        SPLITS,
        load_questions,
        load_similar,
        select,
        select_similar,
    )
    from casebook.eval.render import answers_in_full, as_json, text
    from casebook.eval.run import report
    from casebook.index.retrieval.searcher import Searcher

    chosen = "dev" if dev else split
    if chosen not in SPLITS:
        raise typer.BadParameter(f"--split must be one of {', '.join(SPLITS)}")
    with reported():
        settings = load_settings()
        searcher = Searcher.open(settings)
        everything = load_questions(questions)
        groups = load_similar(similar) if similar.is_file() else []
        if tune:
            from casebook.eval.tune import tune as fit

            tuned, facts = fit(searcher, select(everything, "dev"), everything, searcher.tuned,
                               select_similar(groups, "dev"))
            tuned_out.write_text(json.dumps(tuned.to_dict(), indent=1) + "\n", encoding="utf-8")
            typer.echo(f"tuned on dev, written to {tuned_out}: {facts}", err=True)
        answer_all = load_questions(answer_set) if answer_set.is_file() else []
        result = report(searcher, select(everything, chosen), everything,
                        select_similar(groups, chosen), chosen,
                        answer_set=select(answer_all, chosen),
                        answer_all=answer_all)
    if answers:
        for line in answers_in_full(result, all_titles(searcher.case_studies())):
            typer.echo(line)
        return
    if as_json_:
        print_json(as_json(result))
        return
    for line in text(result):
        typer.echo(line)
