"""The evaluation report as plain-text tables and as JSON (pure: a Report in, text out)."""

from __future__ import annotations

import dataclasses
from typing import Any

from casebook.eval.answer_checks import FAILURES, KINDS, AnswerReport, KindFigures, grade
from casebook.eval.calibration import lines as calibration_lines
from casebook.eval.metrics import Estimate
from casebook.eval.run import MATCHES, SCOPES, Asked, Report

MAIN = ("bm25", "minilm_passage", "minilm_case", "e5_passage", "e5_case", "rrf", "fusion",
        "fusion_cheap", "cascade")


DEV_CAVEAT = ("in sample: the weights, margins and models were fitted on dev, so dev flatters; "
              "test is the honest figure (tuned.json's provenance holds their cross-validated "
              "scores on dev)")


def _cell(e: Estimate) -> str:
    return f"{e.mean:.3f} [{e.low:.2f},{e.high:.2f}]" if e.n else "   -"


def text(report: Report) -> list[str]:
    lines = [f"split {report.split}: {report.questions} questions "
             "(95% bootstrap intervals over questions)"]
    if report.split != "test":
        # every weight, margin and model was fitted on dev: its figures here are in-sample
        lines.append(DEV_CAVEAT)
    header = f"{'method':<22}{'Hit@1':>19}{'Recall@5':>19}{'MRR@10':>19}"
    kinds = list(next(iter(report.methods.values()), {}))
    for kind in kinds:
        n = report.methods["fusion"][kind].n if "fusion" in report.methods else 0
        lines += ["", f"== {kind} (n={n})", header]
        names = [m for m in report.methods if m in MAIN or kind == "all"]
        for name in names:
            m = report.methods[name][kind]
            lines.append(f"{name:<22}{_cell(m.hit_at_1):>19}{_cell(m.recall_at_5):>19}"
                         f"{_cell(m.mrr_at_10):>19}")
    lines += ["", "== decisions (share of each group)",
              f"{'group':<12}{'n':>5}" + "".join(f"{m:>19}" for m in MATCHES)]
    for scope in SCOPES:
        shares = report.decisions[scope]
        lines.append(f"{scope:<12}{shares['answered'].n:>5}"
                     + "".join(f"{_cell(shares[m]):>19}" for m in MATCHES))
    lines += ["", f"lead sentence holds the expected fact: {_cell(report.lead_fact)} "
              f"(n={report.lead_fact.n})"]
    lines.append("non-English Hit@1: " + ", ".join(
        f"{m} {_cell(report.non_english[m])}" for m in MAIN if m in report.non_english)
        + f" (n={report.non_english.get('fusion', Estimate(0, 0, 0, 0)).n})")
    lines.append("similar projects precision@3: " + ", ".join(
        f"{m} {_cell(e)} (n={e.n})" for m, e in report.similar.items()))
    if report.cascade:
        lines += ["", "== e5 cascade: e5 runs when the question is not English or the cheap views'"
                  " top-two margin is under m (in-scope questions)",
                  f"{'m':>6}{'e5 calls':>10}{'English':>9}{'Hit@1':>8}{'MRR@10':>8}"]
        for row in report.cascade:
            mark = "  <- served" if row.margin == report.cascade_margin else ""
            lines.append(f"{row.margin:>6.2f}{row.e5_calls:>10.2f}{row.e5_calls_english:>9.2f}"
                         f"{row.hit_at_1:>8.3f}{row.mrr_at_10:>8.3f}{mark}")
    if report.lexical:
        lines += ["", "== lexical stage: BM25 alone ranks an English question (no MiniLM, no e5) "
                  "when its best case study leads the second by m of its score (English in-scope "
                  "questions)", f"{'m':>6}{'settled':>9}{'Hit@1':>8}{'MRR@10':>8}"]
        for skip in report.lexical:
            mark = "  <- served" if skip.margin == report.lexical_margin else ""
            lines.append(f"{skip.margin:>6.2f}{skip.settled:>9.2f}{skip.hit_at_1:>8.3f}"
                         f"{skip.mrr_at_10:>8.3f}{mark}")
    if report.calibration is not None:
        lines += calibration_lines(report.calibration)
    if report.answers is not None:
        lines += answer_lines(report.answers)
    return lines


def _figures_row(name: str, f: KindFigures) -> str:
    failures = " ".join(f"{f.failures[k]:>9}" for k in FAILURES)
    return (f"{name:<11}{f.n:>5}{_cell(f.content_right):>19}{_cell(f.read_badly):>19}"
            f" {failures}{_cell(f.padding):>19}")


def answer_lines(answers: AnswerReport) -> list[str]:
    """Answers as a reader meets them: right per kind, and how many read badly and why."""
    header = (f"{'kind':<11}{'n':>5}{'content right':>19}{'reads badly':>19} "
              + " ".join(f"{k:>9}" for k in FAILURES) + f"{'padding':>19}")
    lines = ["", "== answers (eval/answers.jsonl): content right per kind; reads badly = any "
             "sentence a fragment, opening on a pronoun with nothing before it, a bare title or "
             "off the question (answers with each failure); padding = cites a case study "
             "outside relevant", header]
    lines += [_figures_row(kind, answers.kinds[kind]) for kind in (*KINDS, "all")]
    lines += ["", "== reading checks on the retrieval questions' answers (eval/questions.jsonl)",
              header]
    lines += [_figures_row(scope, answers.reading[scope])
              for scope in (*SCOPES, "all")]
    lines += ["", f"follow-ups cite the right case study first: {_cell(answers.followup)} "
              f"(n={answers.followup.n}); questions.jsonl follow-ups "
              f"{_cell(answers.followup_questions)} (n={answers.followup_questions.n})"]
    return lines


def answers_in_full(report: Report, titles: set[str]) -> list[str]:
    """Every answer of the report, whole, with what the checks found: for reading."""
    lines: list[str] = []
    for a in report.answered:
        lines += ["", *_answer_block(a, titles, content=True)]
    for a in report.asked:
        lines += ["", *_answer_block(a, titles, content=False)]
    return lines


def _answer_block(a: Asked, titles: set[str], *, content: bool) -> list[str]:
    q, answer = a.question, a.answer
    judged = grade(q, answer, titles, content=content)
    verdict = ("" if judged.content_right is None
               else " content right" if judged.content_right else " CONTENT WRONG")
    lines = [f"## {q.id} [{q.kind}]{verdict} {q.question}"]
    if q.follows:
        lines.append(f"   (follows {q.follows})")
    lines += [f"   match={answer.match} shape={answer.shape}", "", answer.answer]
    for item in answer.items:
        lines.append(f"  - {item.case_study.title}: "
                     + " ".join(s.text for s in item.sentences))
    lines += [f"  [{n}] {c.case_study.id}" for n, c in enumerate(answer.citations, 1)]
    for failure, sentences in judged.failures.items():
        lines += [f"  ! {failure}: {s}" for s in sentences]
    return lines


def as_json(report: Report) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data.pop("asked")
    data.pop("answered", None)
    return data
