"""`casebook eval`: every method side by side on the test split (dev with --split dev)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from casebook.cli.common import load_settings, print_json, reported

if TYPE_CHECKING:
    from casebook.eval.questions import Question
    from casebook.index.retrieval.searcher import Searcher
    from casebook.settings import Settings

DEFAULT_QUESTIONS = Path("eval/questions.jsonl")
DEFAULT_SIMILAR = Path("eval/similar.jsonl")
DEFAULT_ANSWER_SET = Path("eval/answers.jsonl")
REFIT_PARTS = ("lists", "decision")  # what `--refit` may refit alone, in the order it runs them


def evaluate(
    questions: Annotated[Path, typer.Argument(help="Labelled questions (JSONL).")] = DEFAULT_QUESTIONS,
    split: Annotated[str, typer.Option("--split", help="test (default), dev or all.")] = "test",
    dev: Annotated[bool, typer.Option("--dev", help="Shorthand for --split dev.")] = False,
    similar: Annotated[Path, typer.Option("--similar", help="Labelled similar-project groups.")]
    = DEFAULT_SIMILAR,
    tune: Annotated[bool, typer.Option(
        "--tune", help="Fit fusion weights, calibration and match thresholds on DEV, write "
        "them to --tuned-out, then report.")] = False,
    refit: Annotated[list[str] | None, typer.Option(
        "--refit", help="Refit only these parts on DEV, keeping every other tuned number, write "
        "them to --tuned-out, then report: `lists` (the list-membership model, its floor and "
        "its gate on case studies that lack the topic's rarest word, on --answer-set's list, "
        "count and borough questions, and the claim at which a topic "
        "list overrules a related or none decision, with the questions' near misses) or "
        "`decision` (the answered / related / none models). Repeatable.")] = None,
    tuned_out: Annotated[Path | None, typer.Option(
        "--tuned-out", help="Where --tune writes [default: where search reads them: "
        "CASEBOOK_TUNED_PATH, else tuned.json in the index folder]")] = None,
    as_json_: Annotated[bool, typer.Option("--json")] = False,
    answer_set: Annotated[Path, typer.Option(
        "--answer-set", help="Answer questions by kind, with what a right answer holds "
        "(skipped when the file is absent).")] = DEFAULT_ANSWER_SET,
    answers: Annotated[bool, typer.Option(
        "--answers", help="Print every question and its full answer, with what the answer "
        "checks found, instead of the tables.")] = False,
    ablation: Annotated[bool, typer.Option(
        "--ablation", help="Print what each view, stage and fitted model earns, out of fold on "
        "DEV (with it and without it), instead of the tables.")] = False,
    generate: Annotated[bool, typer.Option(
        "--generate", help="Have the model CASEBOOK_LLM_URL names write each answer, and report "
        "the share of sentences the citation check kept, the share of answers that fell back, "
        "and latency (only this report; with --answers, every written answer).")] = False,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="With --generate: only the first N questions of the split.")] = None,
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
    parts = list(dict.fromkeys(refit or []))
    unknown = [p for p in parts if p not in REFIT_PARTS]
    if unknown:
        raise typer.BadParameter(f"--refit takes {' or '.join(REFIT_PARTS)}, not "
                                 f"{', '.join(unknown)}")
    with reported():
        settings = load_settings()
        if generate and settings.llm_url is None:
            raise typer.BadParameter("--generate needs a model: set CASEBOOK_LLM_URL (an "
                                     "OpenAI-compatible base URL) and CASEBOOK_LLM_MODEL")
        searcher = Searcher.open(settings)
        everything = load_questions(questions)
        if generate:
            written(searcher, settings, select(everything, chosen), everything, chosen, limit,
                    answers, as_json_)
            return
        groups = load_similar(similar) if similar.is_file() else []
        answer_all = load_questions(answer_set) if answer_set.is_file() else []
        if tune or parts:
            from casebook.eval.tune import refit_decision
            from casebook.eval.tune import tune as fit
            from casebook.eval.tune import tune_lists as fit_lists
            from casebook.index.retrieval.tuned import save_tuned

            facts: dict[str, object] = {}
            tuned = searcher.tuned
            if tune:
                tuned, facts = fit(searcher, select(everything, "dev"), everything,
                                   searcher.tuned, select_similar(groups, "dev"),
                                   select(answer_all, "dev"))
            if "decision" in parts and not tune:
                tuned, facts["decision"] = refit_decision(searcher, select(everything, "dev"),
                                                          everything, tuned)
            if "lists" in parts and not tune:
                tuned, facts["lists"] = fit_lists(searcher, select(answer_all, "dev"), tuned,
                                                  select(everything, "dev"))
            tuned_path = tuned_out or settings.tuned_file  # where search reads them
            save_tuned(tuned, tuned_path)
            typer.echo(f"tuned on dev, written to {tuned_path}: {facts}", err=True)
        if ablation:
            from casebook.eval.ablation import ablation as contributions
            from casebook.eval.ablation import render
            from casebook.eval.run import ask_all

            asked = ask_all(searcher, select(everything, "dev"), everything)
            for line in render(contributions(asked, searcher, searcher.tuned,
                                             select_similar(groups, "dev"))):
                typer.echo(line)
            return
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


def written(searcher: Searcher, settings: Settings, questions: Sequence[Question],
            everything: Sequence[Question], split: str, limit: int | None, answers: bool,
            as_json_: bool) -> None:
    """`--generate`: the written answers' report (or, with --answers, each of them)."""
    from casebook.eval.generation import as_json, generation_report, in_full, lines

    report, asked, writings = generation_report(searcher, settings, questions, everything, split,
                                                limit)
    if answers:
        for line in in_full(asked, writings):
            typer.echo(line)
        return
    if as_json_:
        print_json(as_json(report))
        return
    for line in lines(report):
        typer.echo(line)
