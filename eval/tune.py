"""Fit on the dev split: convex fusion weights (the fitting procedure chosen by repeated
k-fold cross-validation, see selection.py), then the logistic calibration of scores, and the
answered/related/none thresholds."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from casebook.eval.logistic import fit_logistic
from casebook.eval.questions import Question, SimilarGroup
from casebook.eval.run import Asked, ask_all
from casebook.eval.selection import Selection, select
from casebook.index.retrieval.calibrate import query_features
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.signals import SIGNALS, case_max, convex, normalised
from casebook.index.retrieval.similar import FEATURES
from casebook.index.retrieval.tuned import Logistic, Tuned

CAL_FEATURES = ("fused", "minilm_top", "e5_top", "bm25_top", "english")
FOREIGN_VIEWS = ("bm25", "minilm_passage", "e5_passage", "e5_case")


def _case_matrix(a: Asked, searcher: Searcher, views: Sequence[str],
                 grid: np.ndarray) -> np.ndarray:
    """Case-study scores (cases x grid) for every weight vector."""
    norm = normalised({v: a.scored.signals[v] for v in views})
    stacked = np.stack([norm[v] for v in views], axis=1) @ grid.T  # passages x grid
    cases = len(searcher.case_order)
    out = np.full((cases, grid.shape[0]), -np.inf)
    np.maximum.at(out, searcher._passage_case, stacked)
    return out


def _rr_matrix(asked: Sequence[Asked], searcher: Searcher, views: Sequence[str],
               grid: np.ndarray) -> np.ndarray:
    """Reciprocal rank@10 of the first relevant case (questions x grid)."""
    rows = []
    for a in asked:
        scores = _case_matrix(a, searcher, views, grid)
        relevant = [searcher._case_row[c] for c in a.question.relevant if c in searcher._case_row]
        best = scores[relevant].max(axis=0)
        # ties count against the relevant case: a constant view must not look perfect
        others = np.delete(scores, relevant, axis=0)
        rank = 1 + (others >= best[None, :]).sum(axis=0)
        rows.append(np.where(rank <= 10, 1.0 / rank, 0.0))
    return np.array(rows)


def fit_weights(asked: Sequence[Asked], searcher: Searcher, views: Sequence[str]) -> Selection:
    """The weight-fitting procedure with the best cross-validated MRR@10, fitted on `asked`."""
    return select(lambda grid: _rr_matrix(asked, searcher, views, grid), views, len(asked))


def fit_calibration(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned,
                    mode: str) -> Logistic:
    """Logistic over (fused score of each case study, the query's raw top scores)."""
    xs, ys = [], []
    for a in asked:
        raw = a.scored.signals
        if mode == "hybrid":
            fused = convex(normalised(raw), tuned.weights if a.scored.english
                           else tuned.weights_foreign)
        else:
            fused = normalised(raw)["minilm_passage" if mode == "dense" else "bm25"]
        per_case = case_max(fused, searcher._passage_case, len(searcher.case_order))
        features = query_features(raw, a.scored.english)
        for row, cid in enumerate(searcher.case_order):
            xs.append([per_case[row]] + [features[f] for f in CAL_FEATURES[1:]])
            ys.append(1.0 if cid in a.question.relevant else 0.0)
    coef, bias = fit_logistic(np.array(xs), np.array(ys))
    return Logistic(CAL_FEATURES, tuple(float(c) for c in coef), bias)


def fit_thresholds(asked: Sequence[Asked], tuned: Tuned) -> Tuned:
    """Thresholds with the best weighted mean of the right-decision rates on dev: in scope
    answered (weight 2: refusing a question the case studies answer costs the user most),
    near miss not answered, far none. none_below is on the domain (best e5 cosine), answered
    on the calibrated score, coverage on the question's covered share."""
    score = np.array([a.answer.confidence for a in asked])
    cover = np.array([a.answer.coverage for a in asked])
    domain = np.array([a.answer.domain for a in asked])
    scope = np.array([a.question.scope for a in asked])
    weights = np.array([2.0, 1.0, 1.0])
    best, best_value = tuned, -1.0
    for none_below in np.unique(np.r_[0.0, domain]):
        outside = domain < none_below
        for answered in np.unique(np.r_[0.0, score]):
            for coverage in np.linspace(0, 1, 21):
                match = np.where(outside, "none",
                                 np.where((score >= answered) & (cover >= coverage),
                                          "answered", "related"))
                rates = np.array([
                    np.mean(match[scope == "in_scope"] == "answered"),
                    np.mean(match[scope == "near_miss"] != "answered")
                    if (scope == "near_miss").any() else 1.0,
                    np.mean(match[scope == "far"] == "none") if (scope == "far").any() else 1.0])
                # ties: the most lenient thresholds that reach it, so answers are not refused
                value = float(rates @ weights / weights.sum()) - 1e-4 * (answered + coverage)
                if value > best_value:
                    best, best_value = tuned.with_(answered=float(answered),
                                                   coverage=float(coverage),
                                                   none_below=float(none_below)), value
    # The search lands on an observed score, so a question scoring a hair under a dev question
    # would flip. Move each cut to the middle of the gap below it (a maximum-margin cut, as
    # for any threshold between two classes): the same dev decisions, a margin on both sides.
    return best.with_(answered=_mid_gap(best.answered, score),
                      none_below=_mid_gap(best.none_below, domain))


def _mid_gap(cut: float, observed: np.ndarray) -> float:
    """Halfway between `cut` (an observed value, or 0) and the largest observed value below it:
    every value decides as before on the observed set, with room on either side."""
    below = observed[observed < cut]
    return float((cut + below.max()) / 2) if cut > 0 and below.size else float(cut)


def similar_pairs(searcher: Searcher, groups: Sequence[SimilarGroup],
                  features: Sequence[str] = FEATURES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, group) over every pair (group's case study, another case study): the pair
    features, 1 when the group lists the other as similar, and the group's index."""
    matrices = searcher.projects.features
    xs, ys, gs = [], [], []
    for number, g in enumerate(groups):
        row = searcher._case_row.get(g.id)
        if row is None:
            continue
        for j, cid in enumerate(searcher.case_order):
            if j != row:
                xs.append([matrices[f][row, j] for f in features])
                ys.append(1.0 if cid in g.similar else 0.0)
                gs.append(number)
    return np.array(xs).reshape(len(xs), len(features)), np.array(ys), np.array(gs)


def fit_similar(searcher: Searcher, groups: Sequence[SimilarGroup]) -> Logistic:
    """P(a programme lead calls j similar to i) from the pair features of retrieval/similar.py,
    a logistic model over every (group, other case study) pair of the dev groups. The features
    were chosen by leave-one-group-out precision@3 on dev (`similar_cross_validated`)."""
    x, y, _ = similar_pairs(searcher, groups)
    if not len(x) or y.min() == y.max():
        return Logistic(FEATURES, (4.0, 4.0, 2.0, 2.0), -8.0)
    coef, bias = fit_logistic(x, y)
    return Logistic(FEATURES, tuple(float(c) for c in coef), bias)


def similar_cross_validated(searcher: Searcher, groups: Sequence[SimilarGroup],
                            features: Sequence[str] = FEATURES, depth: int = 3) -> float:
    """Mean precision@depth of each group's neighbours ranked by a model fitted on the others."""
    x, y, g = similar_pairs(searcher, groups, features)
    out = []
    for held in np.unique(g):
        coef, bias = fit_logistic(x[g != held], y[g != held])
        mine = g == held
        top = np.argsort(-(x[mine] @ coef + bias), kind="stable")[:depth]
        out.append(float(y[mine][top].sum()) / depth)
    return float(np.mean(out)) if out else 0.0


def tune(searcher: Searcher, dev: Sequence[Question], everything: Sequence[Question],
         start: Tuned, groups: Sequence[SimilarGroup] = ()) -> tuple[Tuned, dict[str, object]]:
    asked = ask_all(searcher, dev, everything)
    english = [a for a in asked if a.question.in_scope and a.scored.english]
    foreign = [a for a in asked if a.question.in_scope and not a.scored.english]
    fit_en = fit_weights(english, searcher, SIGNALS)
    fit_fx = fit_weights(foreign, searcher, FOREIGN_VIEWS) if foreign else None
    tuned = start.with_(weights=fit_en.weights,
                        weights_foreign=fit_fx.weights if fit_fx else dict(start.weights_foreign))
    tuned = tuned.with_(calibration={**start.calibration, **{
        mode: fit_calibration([a for a in asked], searcher, tuned, mode)
        for mode in ("hybrid", "dense", "bm25")}, "similar": fit_similar(searcher, groups)})
    searcher.tuned = tuned
    tuned = fit_thresholds(ask_all(searcher, dev, everything), tuned)
    searcher.tuned = tuned
    facts = {"dev_questions": len(asked), "english_in_scope": len(english),
             "foreign_in_scope": len(foreign), "weights_chosen": fit_en.chosen,
             "weights_dev_mrr": fit_en.dev_mrr, "weights_cv_mrr": fit_en.cv_mrr[fit_en.chosen],
             "foreign_chosen": fit_fx.chosen if fit_fx else None,
             "foreign_dev_mrr": fit_fx.dev_mrr if fit_fx else None,
             "foreign_cv_mrr": fit_fx.cv_mrr[fit_fx.chosen] if fit_fx else None}
    selection = {"english": fit_en.provenance(),
                 **({"foreign": fit_fx.provenance()} if fit_fx else {})}
    return tuned.with_(provenance={"fitted_on": "dev split of eval/questions.jsonl",
                                   "command": "casebook eval --tune", **facts,
                                   "weights_selection": selection}), facts
