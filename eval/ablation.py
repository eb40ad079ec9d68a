"""What each view, stage and fitted model earns, under cross-validation on the dev split.

Every figure is out of fold: what is fitted (fusion weights, the cascade's margins, the scope
model) is fitted on four fifths of the dev questions and scored on the fifth, over the same
repeated folds `selection.py` uses, once with the part and once without. `casebook eval
--ablation` prints the table; docs/evaluation.md explains how the parts were kept or removed.
What a part costs in time is measured apart, by bench/stage_costs.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from casebook.eval.calibration import auc
from casebook.eval.questions import SimilarGroup
from casebook.eval.run import Asked
from casebook.eval.selection import folds
from casebook.eval.tradeoff import (
    LEXICAL_MARGINS,
    MARGINS,
    Row,
    choose_margin,
    lexical_table,
    table,
)
from casebook.eval.tune import (
    FOREIGN_VIEWS,
    SIMILAR_FALLBACK,
    fit_calibrations,
    fit_field_model,
    fit_weights,
    fused_for,
    out_of_fold_field,
    similar_pairs,
)
from casebook.index.retrieval.calibrate import calibrated
from casebook.index.retrieval.cascade import CHEAP_SIGNALS
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.signals import SIGNALS
from casebook.index.retrieval.similar import FEATURES
from casebook.index.retrieval.tuned import FOREIGN_CALIBRATION, Tuned


@dataclass(frozen=True)
class Contribution:
    """One part, scored out of fold with it and without it (higher is better for both)."""

    part: str
    metric: str
    with_part: float
    without: float
    note: str = ""

    @property
    def earns(self) -> float:
        return self.with_part - self.without


def _views(group: Sequence[Asked], searcher: Searcher, path: str,
           views: Sequence[str]) -> list[Contribution]:
    """Each view of `views` left out, the fusion weights refitted (and their fitting procedure
    chosen again) without it: the chosen procedure's cross-validated MRR@10."""
    def cv(chosen: Sequence[str]) -> float:
        fit = fit_weights(group, searcher, chosen)
        return fit.cv_mrr[fit.chosen]

    full = cv(views)
    return [Contribution(f"view {v} ({path})", "CV MRR@10", full,
                         cv([x for x in views if x != v]), f"n={len(group)}") for v in views]


def choose(rows: np.ndarray, margins: Sequence[float]) -> float:
    """The margin `casebook eval --tune` would choose from these questions' rows."""
    mean = rows.mean(axis=0)
    return choose_margin([Row(m, 0.0, 0.0, 0.0, float(mean[i, 0])) for i, m in enumerate(margins)])


def margin_cv(per_question: np.ndarray, margins: Sequence[float]) -> tuple[float, float, float]:
    """Out-of-fold (MRR@10 at the margin chosen on the other folds, MRR@10 with the stage off,
    share of questions the stage acted on). `per_question` is questions x margins x (rr, act);
    the last margin is the stage switched off."""
    kept, off, acted, total = 0.0, 0.0, 0.0, 0
    for labels in folds(len(per_question)):
        for fold in np.unique(labels):
            held = labels == fold
            col = list(margins).index(choose(per_question[~held], margins))
            kept += per_question[held, col, 0].sum()
            off += per_question[held, -1, 0].sum()
            acted += per_question[held, col, 1].sum()
            total += int(held.sum())
    return kept / total, off / total, acted / total


def _stages(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned) -> list[Contribution]:
    """The e5 cascade and the lexical stage: their margins chosen out of fold. They earn time,
    so `with_part` is the MRR@10 they keep and the note the share of work they save."""
    inside = [(a.scored.signals, a.scored.english, a.question.relevant) for a in asked
              if a.question.in_scope and "e5_passage" in a.scored.signals]
    cascade = np.array([[[r.mrr_at_10, r.e5_calls] for r in table([q], tuned, searcher.rows)]
                        for q in inside])
    english = [q for q in inside if q[1]]
    lexical = np.array([[[r.mrr_at_10, r.settled] for r in lexical_table([q], tuned, searcher.rows)]
                        for q in english])

    kept, off, calls = margin_cv(cascade, MARGINS)
    lex_kept, lex_off, settled = margin_cv(lexical, LEXICAL_MARGINS)
    return [Contribution("stage e5 cascade", "CV MRR@10", kept, off,
                         f"e5 runs for {calls:.0%} of in-scope questions, not all (n={len(inside)})"),
            Contribution("stage lexical (BM25 alone)", "CV MRR@10", lex_kept, lex_off,
                         f"settles {settled:.0%} of English questions without MiniLM or e5 "
                         f"(n={len(english)})")]


def _scope_model(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned) -> Contribution:
    """The scope factor of the calibrated score: out-of-fold AUC of the top score, in scope
    against out of scope, with the scope model and with the case model alone."""
    tops: dict[bool, list[float]] = {True: [], False: []}
    positive: list[bool] = []
    labels = folds(len(asked), repeats=1)[0]
    for fold in np.unique(labels):
        train = [a for a, lab in zip(asked, labels) if lab != fold]
        fitted = fit_calibrations(train, searcher, tuned)
        for a in (a for a, lab in zip(asked, labels) if lab == fold):
            mode = "hybrid" if a.scored.english else FOREIGN_CALIBRATION
            fused = fused_for(mode, a.scored.signals, a.scored.english, fitted)
            for with_scope in (True, False):
                scope = fitted.scope.get(mode) if with_scope else None
                score = calibrated(fused, a.scored.features, fitted.calibration[mode], scope)
                tops[with_scope].append(float(np.max(score)))
            positive.append(a.question.in_scope)
    return Contribution("model scope (calibrated score)", "CV AUC in/out of scope",
                        auc(tops[True], positive), auc(tops[False], positive),
                        f"without: the case model alone (n={len(asked)})")


def _log_loss(logits: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(1 / (1 + np.exp(-logits)), 1e-9, 1 - 1e-9)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _similar_model(searcher: Searcher, groups: Sequence[SimilarGroup]) -> Contribution:
    """The similar-projects model: leave-one-group-out precision@3 (and log loss: its score is
    shown as a probability), fitted against its fixed fallback weights."""
    from casebook.eval.logistic import fit_logistic

    x, y, g = similar_pairs(searcher, groups)
    fixed_coef, fixed_bias = np.array(SIMILAR_FALLBACK[:-1]), SIMILAR_FALLBACK[-1]
    precision: dict[str, list[float]] = {"fitted": [], "fixed": []}
    loss: dict[str, list[float]] = {"fitted": [], "fixed": []}
    for held in np.unique(g):
        coef, bias = fit_logistic(x[g != held], y[g != held])
        mine = g == held
        for name, logits in (("fitted", x[mine] @ coef + bias),
                             ("fixed", x[mine] @ fixed_coef + fixed_bias)):
            top = np.argsort(-logits, kind="stable")[:3]
            precision[name].append(float(y[mine][top].sum()) / 3)
            loss[name].append(_log_loss(logits, y[mine]))
    return Contribution(
        "model similar projects", "LOGO precision@3", float(np.mean(precision["fitted"])),
        float(np.mean(precision["fixed"])),
        f"log loss {np.mean(loss['fitted']):.3f} against {np.mean(loss['fixed']):.3f}; without: "
        f"fixed weights {SIMILAR_FALLBACK} over {', '.join(FEATURES)} (groups={len(loss['fixed'])})")


def ablation(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned,
             groups: Sequence[SimilarGroup]) -> list[Contribution]:
    """Every part's contribution on the dev questions `asked` (every view scored)."""
    english = [a for a in asked if a.question.in_scope and a.scored.english]
    foreign = [a for a in asked if a.question.in_scope and not a.scored.english]
    rows = _views(english, searcher, "English", SIGNALS)
    rows += _views(english, searcher, "cheap stage", CHEAP_SIGNALS)
    rows += _views(foreign, searcher, "other languages", FOREIGN_VIEWS)
    rows += _stages(asked, searcher, tuned)
    # the scope model reads the field model's log-odds: out of fold, as tuning does
    tuned, _, logits = fit_field_model(asked, tuned)
    out_of_fold_field(asked, logits)
    rows.append(_scope_model(asked, searcher, tuned))
    if groups:
        rows.append(_similar_model(searcher, groups))
    return rows + _decision_models(tuned)


def _decision_models(tuned: Tuned) -> list[Contribution]:
    """The answered / related / none models, as tuning cross-validated them (nested, at the
    chosen ridge), against one answer for every question (balanced accuracy 0.5)."""
    decided = tuned.provenance.get("decision", {})
    rows = []
    for name, facts in sorted(decided.items()) if isinstance(decided, dict) else ():
        nested = facts.get("nested_cv_balanced") if isinstance(facts, dict) else None
        if nested:
            score = nested.get(str(facts["ridge"]), max(nested.values()))
            rows.append(Contribution(f"model {name}", "nested CV balanced acc", float(score), 0.5,
                                     "from tuning's provenance; without: one answer for all"))
    return rows


def render(rows: Sequence[Contribution]) -> list[str]:
    lines = ["== ablation on dev, out of fold: each part with and without (earns = with - without)",
             f"{'part':40s} {'metric':24s} {'with':>6s} {'without':>8s} {'earns':>7s}  note"]
    for r in rows:
        earns = "" if math.isnan(r.earns) else f"{r.earns:+.3f}"
        lines.append(f"{r.part:40s} {r.metric:24s} {r.with_part:6.3f} {r.without:8.3f} "
                     f"{earns:>7s}  {r.note}")
    return lines
