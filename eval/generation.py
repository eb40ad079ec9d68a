"""`casebook eval --generate`: the configured model writes each answer of a split, and the
figures say what the citation check kept, how often the extractive answer stood in, and how
long the model took. With a small local model these are plumbing figures, not quality ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from casebook.eval.questions import Question
from casebook.eval.run import Asked, ask_all
from casebook.index.generation.writer import Writer, Written, blocking
from casebook.index.retrieval.searcher import Searcher
from casebook.settings import Settings

CAVEAT = ("plumbing figures: they say the path works (prompt, stream, check, fallback) for this "
          "model, not how good its answers are")


@dataclass
class GenerationReport:
    split: str
    model: str
    questions: int
    sent: int = 0  # answered questions, given to the model
    generated: int = 0
    fallbacks: dict[str, int] = field(default_factory=dict)  # reason -> answers, sent ones only
    sentences: int = 0  # in the replies the check read
    kept: int = 0
    seconds: list[float] = field(default_factory=list)  # each call, to its last token
    first_token: list[float] = field(default_factory=list)
    completion_tokens: int = 0

    @property
    def kept_share(self) -> float:
        return self.kept / self.sentences if self.sentences else float("nan")

    @property
    def fallback_share(self) -> float:
        return sum(self.fallbacks.values()) / self.sent if self.sent else float("nan")

    def percentile(self, values: Sequence[float], q: float) -> float:
        return float(np.percentile(values, q)) if values else float("nan")


def tally(report: GenerationReport, written: Written) -> None:
    if written.reason == "not_answerable":
        return  # Casebook did not answer it: never the model's to write
    report.sent += 1
    if written.answer.generated:
        report.generated += 1
    else:
        report.fallbacks[written.reason] = report.fallbacks.get(written.reason, 0) + 1
    if written.checked is not None:
        report.sentences += written.checked.sentences
        report.kept += len(written.checked.kept)
    if written.called:
        report.seconds.append(written.seconds)
        report.completion_tokens += written.usage.completion_tokens
        if written.usage.first_token_s is not None:
            report.first_token.append(written.usage.first_token_s)


async def write_all(writer: Writer, asked: Sequence[Asked]) -> list[Written]:
    """One answer at a time, as a reader would wait for it (the figures are per call)."""
    try:
        return [await writer.write(a.answer, a.question.question, a.messages) for a in asked]
    finally:
        await writer.aclose()


def generation_report(searcher: Searcher, settings: Settings, questions: Sequence[Question],
                      everything: Sequence[Question], split: str,
                      limit: int | None = None) -> tuple[GenerationReport, list[Asked],
                                                         list[Written]]:
    asked = ask_all(searcher, questions, everything)
    if limit is not None:
        asked = asked[:limit]
    writer = Writer(settings, searcher.gazetteer)
    writings = blocking(lambda: write_all(writer, asked))
    report = GenerationReport(split, settings.llm_model, len(asked))
    for written in writings:
        tally(report, written)
    return report, asked, writings


def lines(report: GenerationReport) -> list[str]:
    """The report as text."""
    def seconds(values: list[float]) -> str:
        return (f"p50 {report.percentile(values, 50):.2f} s, p95 {report.percentile(values, 95):.2f} s"
                f" (n={len(values)})")

    reasons = Counter(report.fallbacks)
    out = [f"written answers on split {report.split}, model {report.model}: {CAVEAT}",
           f"questions {report.questions}; answered by Casebook and sent to the model "
           f"{report.sent} (the rest are related or none: never sent)",
           f"written answers shown {report.generated} of {report.sent}; fell back to the "
           f"extractive answer {sum(reasons.values())} ({report.fallback_share:.1%})"]
    out += [f"  fell back, {reason}: {n}" for reason, n in reasons.most_common()]
    out += [f"sentences kept by the citation check: {report.kept} of {report.sentences} "
            f"({report.kept_share:.1%})",
            f"latency of a call, to its last token: {seconds(report.seconds)}",
            f"to its first token: {seconds(report.first_token)}",
            f"tokens written: {report.completion_tokens}"]
    return out


def as_json(report: GenerationReport) -> dict[str, Any]:
    return {"split": report.split, "model": report.model, "questions": report.questions,
            "sent": report.sent, "generated": report.generated, "fallbacks": report.fallbacks,
            "fallback_share": report.fallback_share, "sentences": report.sentences,
            "kept": report.kept, "kept_share": report.kept_share,
            "latency_s": {"p50": report.percentile(report.seconds, 50),
                          "p95": report.percentile(report.seconds, 95)},
            "first_token_s": {"p50": report.percentile(report.first_token, 50),
                              "p95": report.percentile(report.first_token, 95)},
            "completion_tokens": report.completion_tokens, "note": CAVEAT}


def in_full(asked: Sequence[Asked], writings: Sequence[Written]) -> list[str]:
    """Every question sent to the model: what was shown, and what the check removed and why."""
    out: list[str] = []
    for a, written in zip(asked, writings):
        if written.reason == "not_answerable":
            continue
        state = "written" if written.answer.generated else f"extractive ({written.reason})"
        out += ["", f"{a.question.id} [{a.question.lang}] {a.question.question}", f"   {state}",
                written.answer.answer]
        if written.checked is not None:
            out += [f"  - removed: {r.text}  <- {r.why}" for r in written.checked.removed]
    return out
