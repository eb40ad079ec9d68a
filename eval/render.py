"""The evaluation report as plain-text tables and as JSON (pure: a Report in, text out)."""

from __future__ import annotations

import dataclasses
from typing import Any

from casebook.eval.metrics import Estimate
from casebook.eval.run import MATCHES, SCOPES, Report

MAIN = ("bm25", "minilm_passage", "minilm_case", "e5_passage", "e5_case", "rrf", "fusion")


def _cell(e: Estimate) -> str:
    return f"{e.mean:.3f} [{e.low:.2f},{e.high:.2f}]" if e.n else "   -"


def text(report: Report) -> list[str]:
    lines = [f"split {report.split}: {report.questions} questions "
             "(95% bootstrap intervals over questions)"]
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
        row = report.decisions[scope]
        lines.append(f"{scope:<12}{row['answered'].n:>5}"
                     + "".join(f"{_cell(row[m]):>19}" for m in MATCHES))
    lines += ["", f"lead sentence holds the expected fact: {_cell(report.lead_fact)} "
              f"(n={report.lead_fact.n})"]
    lines.append("non-English Hit@1: " + ", ".join(
        f"{m} {_cell(report.non_english[m])}" for m in MAIN if m in report.non_english)
        + f" (n={report.non_english.get('fusion', Estimate(0, 0, 0, 0)).n})")
    lines.append("similar projects precision@3: " + ", ".join(
        f"{m} {_cell(e)} (n={e.n})" for m, e in report.similar.items()))
    return lines


def as_json(report: Report) -> dict[str, Any]:
    data = dataclasses.asdict(report)
    data.pop("asked")
    return data
