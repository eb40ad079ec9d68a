"""Can a client threshold `score`? The calibration of search scores on one split.

- the AUC of the top result's score between in-scope and out-of-scope questions (near misses
  and far ones), as `/v1/search` serves it (the cascade: whichever views ran), with a bootstrap
  interval over questions: how well one threshold tells "a case study answers" from "none does",
- a reliability table: every case study's score for every question, binned, against the share
  of them that are relevant (every case study a question's `relevant` lists), and
- precision and recall of `score >= t` per case study, for the scores search serves and for
  those answering reads (every view: `/v1/ask`'s case studies), for choosing a floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from casebook.eval.metrics import BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED, Estimate
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Scored

BINS = 10
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    n: int  # (question, case study) pairs whose score falls in [low, high)
    mean_score: float
    share_relevant: float


@dataclass(frozen=True)
class Threshold:
    t: float
    precision: float  # of the pairs scoring >= t, the share relevant
    recall: float  # of the relevant pairs, the share scoring >= t
    kept: int  # pairs scoring >= t


@dataclass(frozen=True)
class Calibration:
    auc: Estimate  # top served score, in scope (positive) against out of scope
    top_in_median: float
    top_out_median: float
    bins: list[Bin]
    ece: float  # expected calibration error over the bins, weighted by their pairs
    search: list[Threshold]  # `score >= t` of the scores search serves
    ask: list[Threshold]  # the same over the scores answering reads (every view)


def auc(scores: Sequence[float] | np.ndarray, positive: Sequence[bool] | np.ndarray) -> float:
    """P(a positive scores above a negative), ties counting half (Mann-Whitney); nan without
    both classes."""
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(positive, dtype=bool)
    if y.all() or not y.any():
        return float("nan")
    below = (s[y][:, None] > s[~y][None, :]).sum() + 0.5 * (s[y][:, None] == s[~y][None, :]).sum()
    return float(below / (y.sum() * (~y).sum()))


def auc_estimate(scores: Sequence[float] | np.ndarray, positive: Sequence[bool] | np.ndarray, *,
                 samples: int = BOOTSTRAP_SAMPLES, seed: int = BOOTSTRAP_SEED) -> Estimate:
    """auc with a percentile bootstrap 95% interval, resampling questions (fixed seed)."""
    s, y = np.asarray(scores, dtype=np.float64), np.asarray(positive, dtype=bool)
    if not len(s):
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    rng = np.random.default_rng(seed)
    draws = [auc(s[idx], y[idx]) for idx in rng.integers(0, len(s), (samples, len(s)))]
    kept = [d for d in draws if not np.isnan(d)]  # a draw of one class has no AUC
    if not kept:
        return Estimate(auc(s, y), float("nan"), float("nan"), len(s))
    low, high = np.percentile(kept, [2.5, 97.5])
    return Estimate(auc(s, y), float(low), float(high), len(s))


def case_scores(searcher: Searcher, final: np.ndarray) -> dict[str, float]:
    """Every case study's score (its best passage's) for one query."""
    return {r.case_study.id: r.score for r in searcher.group(final, len(searcher.case_order))}


def reliability(scores: np.ndarray, labels: np.ndarray, bins: int = BINS) -> list[Bin]:
    """The pairs in equal-width score bins (empty ones left out)."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(scores, edges) - 1, 0, bins - 1)
    return [Bin(float(edges[b]), float(edges[b + 1]), int(inside.sum()),
                float(scores[inside].mean()), float(labels[inside].mean()))
            for b in range(bins) if (inside := which == b).any()]


def thresholds(scores: np.ndarray, labels: np.ndarray,
               ts: Sequence[float] = THRESHOLDS) -> list[Threshold]:
    relevant = max(float(labels.sum()), 1.0)
    out = []
    for t in ts:
        kept = scores >= t
        out.append(Threshold(t, float(labels[kept].mean()) if kept.any() else float("nan"),
                             float(labels[kept].sum()) / relevant, int(kept.sum())))
    return out


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if len(values) else float("nan")


def calibration(searcher: Searcher, asked: Sequence[tuple[str, Sequence[str], Scored]]
                ) -> Calibration | None:
    """From each question's (searched query, relevant ids, answering's scores): search scores
    the query again as `/v1/search` would (the cascade), which costs milliseconds. None
    without questions."""
    if not asked:
        return None
    served_pairs, ask_pairs, tops, in_scope = [], [], [], []
    for query, relevant, scored in asked:
        served = case_scores(searcher, searcher.score(query).final)
        served_pairs += [(s, cid in relevant) for cid, s in served.items()]
        ask_pairs += [(s, cid in relevant) for cid, s in case_scores(searcher,
                                                                    scored.final).items()]
        tops.append(max(served.values(), default=0.0))
        in_scope.append(bool(relevant))
    scores, labels = (np.array(v, dtype=np.float64) for v in zip(*served_pairs))
    ask_scores, ask_labels = (np.array(v, dtype=np.float64) for v in zip(*ask_pairs))
    bins = reliability(scores, labels)
    ece = sum(b.n * abs(b.mean_score - b.share_relevant) for b in bins) / max(len(scores), 1)
    top, inside = np.array(tops), np.array(in_scope)
    return Calibration(auc_estimate(top, inside), _median(top[inside]), _median(top[~inside]),
                       bins, float(ece), thresholds(scores, labels),
                       thresholds(ask_scores, ask_labels))


def lines(cal: Calibration) -> list[str]:
    """The calibration as plain-text tables."""
    out = ["", "== score calibration: top search score, in scope against out of scope "
           "(near miss and far)",
           f"AUC {cal.auc.mean:.3f} [{cal.auc.low:.2f},{cal.auc.high:.2f}] (n={cal.auc.n}); "
           f"median top score in scope {cal.top_in_median:.3f}, out of scope "
           f"{cal.top_out_median:.3f}",
           "", "== reliability: every case study's search score for every question, binned "
           f"(expected calibration error {cal.ece:.3f})",
           f"{'bin':>11}{'pairs':>8}{'mean score':>12}{'share relevant':>16}"]
    out += [f"{b.low:>5.1f}-{b.high:<5.1f}{b.n:>8}{b.mean_score:>12.3f}{b.share_relevant:>16.3f}"
            for b in cal.bins]
    out += ["", "== score >= t per case study: precision, recall (kept pairs), for search and "
            "for answering's scores", f"{'t':>5}{'search P':>10}{'R':>7}{'kept':>6}"
            f"{'ask P':>9}{'R':>7}{'kept':>6}"]
    out += [f"{s.t:>5.1f}{s.precision:>10.3f}{s.recall:>7.3f}{s.kept:>6}"
            f"{a.precision:>9.3f}{a.recall:>7.3f}{a.kept:>6}" for s, a in zip(cal.search, cal.ask)]
    return out
