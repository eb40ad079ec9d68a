"""Searcher.group ends its scan early, yet returns what a scan of every passage returns."""

import numpy as np
import pytest

from casebook.index.retrieval.searcher import PASSAGES_PER_RESULT, Searcher

pytestmark = pytest.mark.slow


def scan_everything(searcher: Searcher, final: np.ndarray, k: int,
                    allowed: set[int] | None, exclude: str | None) -> list[tuple[str, list[str]]]:
    """The reference: every passage in score order (ties by row), then the k best cases."""
    best: dict[int, list[int]] = {}
    for row in np.argsort(-final, kind="stable"):
        case = int(searcher.rows.passage_case[row])
        if (allowed is not None and case not in allowed) or searcher.case_order[case] == exclude:
            continue
        hits = best.setdefault(case, [])
        if len(hits) < PASSAGES_PER_RESULT:
            hits.append(int(row))
    ranked = sorted(best.items(), key=lambda item: -final[item[1][0]])[:k]
    return [(searcher.case_order[case],
             [searcher.stored.passages[r].id for r in rows]) for case, rows in ranked]


@pytest.mark.parametrize("seed", range(40))
def test_grouping_matches_a_scan_of_every_passage(searcher: Searcher, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = len(searcher.stored.passages)
    # coarse scores: many ties, which the order by row must settle the same way
    final = rng.integers(0, 6 if seed % 2 else 1000, n).astype(np.float64) / 10
    k = int(rng.integers(1, len(searcher.case_order) + 3))
    cases = len(searcher.case_order)
    allowed = {int(c) for c in rng.choice(cases, cases // 2, replace=False)} if seed % 3 == 0 else None
    exclude = searcher.case_order[int(rng.integers(cases))] if seed % 4 == 1 else None
    got = searcher.group(final, k, allowed, exclude)
    assert [(r.case_study.id, [h.passage.id for h in r.passages]) for r in got] == \
        scan_everything(searcher, final, k, allowed, exclude)
    row_of = {p.id: i for i, p in enumerate(searcher.stored.passages)}
    assert [r.score for r in got] == [float(final[row_of[r.passages[0].passage.id]]) for r in got]
