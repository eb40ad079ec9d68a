"""Fit on the dev split: convex fusion weights (the fitting procedure chosen by repeated
k-fold cross-validation, see selection.py), then the logistic calibration of scores, and the
answered / related / none models."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from casebook.eval import decision
from casebook.eval.field import fit_field
from casebook.eval.logistic import fit_logistic
from casebook.eval.membership import fit_claim, fit_membership
from casebook.eval.questions import Question, SimilarGroup
from casebook.eval.run import Asked, ask_all
from casebook.eval.selection import Selection, select
from casebook.eval.tradeoff import choose_margin, lexical_table, table
from casebook.index.answering.evidence import ANY_LANGUAGE
from casebook.index.answering.evidence import FEATURES as EVIDENCE
from casebook.index.retrieval.cascade import CHEAP_SIGNALS, cheap_fusion, lexical_fusion
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.signals import SIGNALS, case_max, convex, normalised
from casebook.index.retrieval.similar import FEATURES
from casebook.index.retrieval.tuned import (
    FOREIGN_CALIBRATION,
    LEXICAL_CALIBRATION,
    Logistic,
    Tuned,
)

# The calibrations (retrieval/calibrate.py): each path's scope model reads the query-level
# evidence that path has (the lexical stage has BM25 alone, the cheap stage MiniLM too, the
# hybrid e5's top, sentence and field model too; questions not in English get e5's evidence
# only). These sets and SCOPE_RIDGE were chosen on dev by 5x5-fold cross-validated AUC of the
# served top score, in scope against out of scope (0.963; the earlier calibration's 0.825).
CHEAP_SCOPE = ("minilm_top", "bm25_top", "sentence_minilm_top", "minilm_z", "known_share")
SCOPE_FEATURES = {
    "hybrid": ("minilm_top", "e5_top", "bm25_top", "sentence_e5_top", "field_e5", "e5_z",
               "known_share"),
    "hybrid_cheap": CHEAP_SCOPE, "dense": (*CHEAP_SCOPE, "english"),
    "bm25": (*CHEAP_SCOPE, "english"),
    LEXICAL_CALIBRATION: ("bm25_top", "lexical_margin", "bm25_z", "known_share"),
    FOREIGN_CALIBRATION: ("e5_top", "sentence_e5_top", "field_e5", "e5_z")}
CAL_MODES = ("hybrid", "hybrid_cheap", "dense", "bm25")
# the case model: where a passage sits below the query's best, in fused units
CASE_FEATURES = ("fused", "fused_top")
# which questions a calibration serves: English only, other languages only, or any (None)
SERVES_ENGLISH = {"hybrid": True, "hybrid_cheap": True, LEXICAL_CALIBRATION: True,
                  FOREIGN_CALIBRATION: False}
SCOPE_RIDGE = 1.0  # on standardised features
# the similar-projects model when there are no groups to fit it on: coefficients, then the bias
SIMILAR_FALLBACK = (4.0, 4.0, 2.0, 2.0, -8.0)
FOREIGN_VIEWS = ("bm25", "minilm_passage", "e5_passage", "e5_case")
# What each wrong decision costs, relative to its opposite. "none" tells a user there is nothing
# on the subject and cites nothing, so calling an in-field question "none" costs four times
# calling a far one "related" (which says no case study covers it and cites the closest);
# "related" for an in-scope question still cites the right case studies, so refusing it costs
# once answering a near miss with a case study that is not about it: it still cites the right
# case studies, but a claimed near miss tells the asker something false. Nested cross-validation
# on dev (the feature selection refitted without each outer fold) put a weight of 2 at 0.913 of
# in-scope questions answered and 0.225 of near misses claimed, and 1 at 0.901 and 0.075.
DOMAIN_WEIGHT = 4.0
ANSWER_WEIGHT = 1.0
# What the decision models may read: every feature of the evidence but those read from the
# calibrated score. The calibration is fitted on the same dev questions, so on dev the score
# knows their answers and its cross-validated gain flatters it: chosen, it lost 0.02 of
# in-scope answered and 0.03 of near misses refused on test. Read out of fold instead (each dev
# question's score from calibrations fitted without it), it was chosen first and the English
# answer model's cross-validated score fell from 0.926 to 0.880: the scope model tells in-scope
# questions from far ones more than from near misses, which is the answer model's whole job.
FROM_SCORE = ("score", "entropy")
DECISION = tuple(f for f in EVIDENCE if f not in FROM_SCORE)
DECISION_ANY = tuple(f for f in ANY_LANGUAGE if f not in FROM_SCORE)


def _case_matrix(a: Asked, searcher: Searcher, views: Sequence[str],
                 grid: np.ndarray) -> np.ndarray:
    """Case-study scores (cases x grid) for every weight vector."""
    norm = normalised({v: a.scored.signals[v] for v in views})
    stacked = np.stack([norm[v] for v in views], axis=1) @ grid.T  # passages x grid
    cases = len(searcher.case_order)
    out = np.full((cases, grid.shape[0]), -np.inf)
    np.maximum.at(out, searcher.rows.passage_case, stacked)
    return out


def _rr_matrix(asked: Sequence[Asked], searcher: Searcher, views: Sequence[str],
               grid: np.ndarray) -> np.ndarray:
    """Reciprocal rank@10 of the first relevant case (questions x grid)."""
    rows = []
    for a in asked:
        scores = _case_matrix(a, searcher, views, grid)
        relevant = [searcher.rows.row_of[c] for c in a.question.relevant if c in searcher.rows.row_of]
        best = scores[relevant].max(axis=0)
        # ties count against the relevant case: a constant view must not look perfect
        others = np.delete(scores, relevant, axis=0)
        rank = 1 + (others >= best[None, :]).sum(axis=0)
        rows.append(np.where(rank <= 10, 1.0 / rank, 0.0))
    return np.array(rows)


def fit_weights(asked: Sequence[Asked], searcher: Searcher, views: Sequence[str]) -> Selection:
    """The weight-fitting procedure with the best cross-validated MRR@10, fitted on `asked`."""
    return select(lambda grid: _rr_matrix(asked, searcher, views, grid), views, len(asked))


def fused_for(mode: str, raw: dict[str, np.ndarray], english: bool, tuned: Tuned) -> np.ndarray:
    """The per-passage score a calibration maps, as the searcher makes it in that mode."""
    if mode in ("hybrid", FOREIGN_CALIBRATION):
        return convex(normalised(raw), tuned.weights if english else tuned.weights_foreign)
    if mode == "hybrid_cheap":
        return cheap_fusion(raw, tuned)
    if mode == LEXICAL_CALIBRATION:
        return lexical_fusion(raw, tuned)
    return normalised(raw)["minilm_passage" if mode == "dense" else "bm25"]


def _serves(mode: str, a: Asked) -> bool:
    wanted = SERVES_ENGLISH.get(mode)
    return wanted is None or a.scored.english == wanted


def fit_calibration(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned,
                    mode: str) -> Logistic:
    """The case model: P(relevant | in scope) over (fused score of each case study, the query's
    best), fitted on the in-scope questions `mode` serves, every relevant case study a positive."""
    xs, ys = [], []
    for a in asked:
        if not a.question.in_scope or not _serves(mode, a):
            continue
        per_case = case_max(fused_for(mode, a.scored.signals, a.scored.english, tuned),
                            searcher.rows.passage_case, len(searcher.case_order))
        top = float(per_case.max())
        for row, cid in enumerate(searcher.case_order):
            xs.append([per_case[row], top])
            ys.append(1.0 if cid in a.question.relevant else 0.0)
    coef, bias = fit_logistic(np.array(xs), np.array(ys))
    if coef[0] <= 0:  # the score would no longer keep the fused ranking
        raise ValueError(f"the {mode} case model falls with the fused score ({coef[0]:.3f})")
    return Logistic(CASE_FEATURES, tuple(float(c) for c in coef), bias)


def fit_scope(asked: Sequence[Asked], mode: str) -> Logistic:
    """The scope model: P(some case study answers) from `mode`'s query-level evidence, over every
    question it serves (out-of-scope ones the negatives), on standardised features with a ridge;
    the coefficients are stored on the raw scale."""
    names = SCOPE_FEATURES[mode]
    rows = [a for a in asked if _serves(mode, a)]
    x = np.array([[a.scored.features.get(f, 0.0) for f in names] for a in rows])
    y = np.array([float(a.question.in_scope) for a in rows])
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    coef, bias = fit_logistic((x - mean) / std, y, ridge=SCOPE_RIDGE)
    raw = coef / std
    return Logistic(names, tuple(float(c) for c in raw), float(bias - raw @ mean))


def fit_calibrations(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned) -> Tuned:
    """Every search path's case and scope models (the foreign one only with questions not in
    English); `similar` is fitted apart."""
    modes = [*CAL_MODES, LEXICAL_CALIBRATION,
             *([FOREIGN_CALIBRATION] if any(not a.scored.english for a in asked) else [])]
    return tuned.with_(
        calibration={**tuned.calibration,
                     **{m: fit_calibration(asked, searcher, tuned, m) for m in modes}},
        scope={**tuned.scope, **{m: fit_scope(asked, m) for m in modes}})


def fit_cascade(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned) -> float:
    """The margin under which search calls e5, chosen on the in-scope questions of `asked`."""
    rows = table([(a.scored.signals, a.scored.english, a.question.relevant) for a in asked
                  if a.question.in_scope], tuned, searcher.rows)
    return choose_margin(rows)


def fit_lexical(asked: Sequence[Asked], searcher: Searcher, tuned: Tuned) -> float:
    """The lexical margin from which BM25 alone serves an English question, chosen on the
    English in-scope questions of `asked` at `tuned`'s e5 margin."""
    rows = lexical_table([(a.scored.signals, a.scored.english, a.question.relevant)
                          for a in asked if a.question.in_scope], tuned, searcher.rows)
    return choose_margin(rows)


def fit_field_model(asked: Sequence[Asked], tuned: Tuned
                    ) -> tuple[Tuned, dict[str, object], dict[str, float]]:
    """The field model (eval/field.py) on every question's e5 vector, far against the rest, and
    each question's out-of-fold log-odds by id, which the scope calibration and fit_decision
    read in place of the model's own (stacking: the model has seen its dev questions)."""
    if not asked or any(a.scored.e5_vector is None for a in asked):
        return tuned, {"fitted": False, "why": "not every dev question has an e5 vector"}, {}
    vectors = [a.scored.e5_vector for a in asked if a.scored.e5_vector is not None]  # all of them
    fitted = fit_field(vectors, [float(a.question.scope != "far") for a in asked], DOMAIN_WEIGHT)
    out_of_fold = {a.question.id: float(logit) for a, logit in zip(asked, fitted.out_of_fold)}
    return tuned.with_(field_e5=fitted.model), {
        "fitted": True, "ridge": fitted.ridge,
        "cv_balanced": {str(r): v for r, v in fitted.cv_balanced.items()}}, out_of_fold


def out_of_fold_field(asked: Sequence[Asked], logits: dict[str, float]) -> None:
    """Each question's field log-odds, where the calibration and the decision read it, from
    models that did not see it."""
    for a in asked:
        if a.question.id in logits:
            if a.answer.evidence:  # an answer decided without the models has none
                a.answer.evidence["field_e5"] = logits[a.question.id]
            if "field_e5" in a.scored.features and a.scored.e5_vector is not None:
                a.scored.features["field_e5"] = logits[a.question.id]


def fit_decision(asked: Sequence[Asked], tuned: Tuned) -> tuple[Tuned, dict[str, object]]:
    """The answered / related / none models (eval/decision.py), fitted on
    questions answered with `tuned`'s weights and calibration; errors cost DOMAIN_WEIGHT and
    ANSWER_WEIGHT. The English pair reads every feature and is fitted on English questions;
    the any-language pair reads ANY_LANGUAGE only and is fitted on every question."""
    # a follow-up answered about the case studies its conversation was about is decided
    # without the models, and its answer carries no evidence to fit them on
    asked = [a for a in asked if all(f in a.answer.evidence for f in EVIDENCE)]
    english = [a for a in asked if a.scored.english]
    fits = {}
    # the any-language pair always reads "english": cross-lingual cosines run lower than
    # English ones, and without that offset a question in Spanish looks far from the field
    for name, group, names, required in (("", english, DECISION, ()),
                                         ("_any", asked, DECISION_ANY, ("english",))):
        answer_rows = [a for a in group if a.question.scope != "far"]
        fits[f"domain{name}"] = decision.fit_chosen(
            [a.answer.evidence for a in group],
            [float(a.question.scope != "far") for a in group], names,
            positive_weight=DOMAIN_WEIGHT, required=required)
        fits[f"answer{name}"] = decision.fit_chosen(
            [a.answer.evidence for a in answer_rows],
            [float(a.question.in_scope) for a in answer_rows], names,
            positive_weight=ANSWER_WEIGHT, required=required)
    facts: dict[str, object] = {
        k: {"features": f.chosen, "cv_balanced": f.cv, "path": f.path, "ridge": f.ridge,
            "nested_cv_balanced": dict(f.nested)} for k, f in fits.items()}
    return tuned.with_(**{k: f.model for k, f in fits.items()}), facts


def similar_pairs(searcher: Searcher, groups: Sequence[SimilarGroup],
                  features: Sequence[str] = FEATURES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y, group) over every pair (group's case study, another case study): the pair
    features, 1 when the group lists the other as similar, and the group's index."""
    matrices = searcher.projects.features
    xs, ys, gs = [], [], []
    for number, g in enumerate(groups):
        row = searcher.rows.row_of.get(g.id)
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
        return Logistic(FEATURES, SIMILAR_FALLBACK[:-1], SIMILAR_FALLBACK[-1])
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


def refit_decision(searcher: Searcher, dev: Sequence[Question], everything: Sequence[Question],
                   tuned: Tuned) -> tuple[Tuned, dict[str, object]]:
    """`tuned` with the answered / related / none models alone refitted on dev, as `tune` fits
    them: the field model's log-odds read out of fold (the model itself kept)."""
    searcher.tuned = tuned
    asked = ask_all(searcher, dev, everything)
    _, _, field_logits = fit_field_model(asked, tuned)
    out_of_fold_field(asked, field_logits)
    tuned, decided = fit_decision(asked, tuned)
    searcher.tuned = tuned
    # what earlier fits said of the decision models describes models no longer served
    kept = {k: v for k, v in tuned.provenance.items() if not k.startswith("decision")}
    return tuned.with_(provenance={**kept, "decision": decided,
                                   "decision_refitted": "casebook eval --refit decision"}), decided


def tune_lists(searcher: Searcher, answers: Sequence[Question], tuned: Tuned,
               dev: Sequence[Question] = ()) -> tuple[Tuned, dict[str, object]]:
    """`tuned` with the list-membership model and floor fitted on `answers` (dev) under it,
    and the claim on `answers` and `dev` (the retrieval questions' dev split, which hold the
    near misses and far questions a claim must not answer)."""
    searcher.tuned = tuned
    model, floor, facts = fit_membership(searcher, answers)
    unheld = facts.get("unheld")
    tuned = tuned.with_(membership=model, membership_floor=floor, membership_claim=None,
                        membership_unheld=float(unheld) if isinstance(unheld, float) else None)
    searcher.tuned = tuned
    if model is not None:
        claim, facts["claim"] = fit_claim(searcher, [*answers, *dev])
        tuned = tuned.with_(membership_claim=claim)
        searcher.tuned = tuned
    return tuned.with_(provenance={**tuned.provenance, "membership": facts}), facts


def tune(searcher: Searcher, dev: Sequence[Question], everything: Sequence[Question],
         start: Tuned, groups: Sequence[SimilarGroup] = (),
         answers: Sequence[Question] = ()) -> tuple[Tuned, dict[str, object]]:
    asked = ask_all(searcher, dev, everything)
    english = [a for a in asked if a.question.in_scope and a.scored.english]
    foreign = [a for a in asked if a.question.in_scope and not a.scored.english]
    fit_en = fit_weights(english, searcher, SIGNALS)
    fit_cheap = fit_weights(english, searcher, CHEAP_SIGNALS)
    fit_fx = fit_weights(foreign, searcher, FOREIGN_VIEWS) if foreign else None
    # the lexical stage stays off while the e5 margin is chosen: that margin is the reference
    tuned = start.with_(weights=fit_en.weights, weights_cheap=fit_cheap.weights,
                        weights_foreign=fit_fx.weights if fit_fx else dict(start.weights_foreign),
                        lexical_margin=math.inf)
    tuned = tuned.with_(cascade_margin=fit_cascade(asked, searcher, tuned))
    tuned = tuned.with_(lexical_margin=fit_lexical(asked, searcher, tuned))
    # the field model first: the hybrid paths' scope calibration reads its log-odds
    tuned, field_facts, field_logits = fit_field_model(asked, tuned)
    out_of_fold_field(asked, field_logits)
    tuned = fit_calibrations(asked, searcher, tuned)
    tuned = tuned.with_(calibration={**tuned.calibration,
                                     "similar": fit_similar(searcher, groups)})
    searcher.tuned = tuned
    decision_asked = ask_all(searcher, dev, everything)
    out_of_fold_field(decision_asked, field_logits)
    tuned, decided = fit_decision(decision_asked, tuned)
    decided["field_e5"] = field_facts
    searcher.tuned = tuned
    facts = {"dev_questions": len(asked), "english_in_scope": len(english),
             "foreign_in_scope": len(foreign), "weights_chosen": fit_en.chosen,
             "cheap_chosen": fit_cheap.chosen, "cheap_cv_mrr": fit_cheap.cv_mrr[fit_cheap.chosen],
             "cascade_margin": tuned.cascade_margin,
             "lexical_margin": tuned.lexical_margin, "decision": decided,
             "weights_dev_mrr": fit_en.dev_mrr, "weights_cv_mrr": fit_en.cv_mrr[fit_en.chosen],
             "foreign_chosen": fit_fx.chosen if fit_fx else None,
             "foreign_dev_mrr": fit_fx.dev_mrr if fit_fx else None,
             "foreign_cv_mrr": fit_fx.cv_mrr[fit_fx.chosen] if fit_fx else None}
    selection = {"english": fit_en.provenance(), "cheap": fit_cheap.provenance(),
                 **({"foreign": fit_fx.provenance()} if fit_fx else {})}
    tuned = tuned.with_(provenance={"fitted_on": "dev split of eval/questions.jsonl",
                                    "command": "casebook eval --tune", **facts,
                                    "weights_selection": selection})
    tuned, facts["membership"] = tune_lists(searcher, answers, tuned, dev)
    return tuned, facts
