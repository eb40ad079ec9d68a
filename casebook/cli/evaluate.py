"""`casebook eval`: Hit@1, Recall@5 and MRR@10 for BM25, dense and hybrid side by side."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from casebook.cli.common import load_settings, print_json, reported
from casebook.eval.evaluate import evaluate as run_evaluation
from casebook.eval.evaluate import load_questions
from casebook.index.retrieval.searcher import Searcher

DEFAULT_QUESTIONS = Path("eval/questions.jsonl")


def evaluate(
    questions: Annotated[Path, typer.Argument(help="Labelled questions (JSONL).")] = DEFAULT_QUESTIONS,
    per_kind: Annotated[bool, typer.Option("--per-kind", help="Also break down by question kind.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Score retrieval on a labelled question set and calibrate the answer threshold."""
    with reported():
        settings = load_settings()
        searcher = Searcher.open(settings)
        loaded = load_questions(questions)
        result = run_evaluation(searcher, loaded)
    if as_json:
        print_json({
            "methods": {m: dataclasses.asdict(v) for m, v in result.methods.items()},
            "per_kind": {m: {k: dataclasses.asdict(v) for k, v in kinds.items()}
                         for m, kinds in result.per_kind.items()},
            "threshold": result.threshold, "threshold_accuracy": result.threshold_accuracy,
            "decision_accuracy": result.decision_accuracy, "out_of_area": result.out_of_area,
            "configured_threshold": settings.answer_threshold,
            "confidence_in": result.confidence_in, "confidence_out": result.confidence_out,
        })
        return
    n_in, n_out = len(result.confidence_in), len(result.confidence_out)
    in_scope = sum(1 for ids in result.rankings["hybrid"])
    typer.echo(f"{len(loaded)} questions from {questions}: {in_scope} in scope")
    typer.echo(f"hybrid = {settings.fusion} fusion"
               + (f" (dense weight {settings.dense_weight})" if settings.fusion == "weighted" else ""))
    typer.echo(f"{'method':<14}{'Hit@1':>8}{'Recall@5':>10}{'MRR@10':>9}")
    for name, m in result.methods.items():
        typer.echo(f"{name:<14}{m.hit_at_1:>8.3f}{m.recall_at_5:>10.3f}{m.mrr_at_10:>9.3f}")
    if per_kind:
        for name in ("bm25", "dense", "hybrid"):
            for kind, m in result.per_kind[name].items():
                typer.echo(f"  {name:<8}{kind:<18}n={m.questions:<3}Hit@1 {m.hit_at_1:.3f}  "
                           f"MRR@10 {m.mrr_at_10:.3f}")
    typer.echo(f"answer threshold: calibrated {result.threshold:.3f} (separates "
               f"{result.threshold_accuracy:.1%} of the {n_in + n_out} questions that name no "
               f"place outside the corpus); configured {settings.answer_threshold:.3f}")
    typer.echo(f"found / not found decided right for {result.decision_accuracy:.1%} of all "
               f"questions ({len(result.out_of_area)} refused for naming only places no case "
               "study is from)")
