"""Print how dev's lists, counts and borough questions read at each bar of ask.NEAR_THEME.

    python scripts/sweep_near_theme.py [dev|test]

The bar is chosen on dev: the one that gets most questions right less those padded (a case
study cited outside the labels), the highest on a tie. 1.01 reads no theme by meaning.
"""

from __future__ import annotations

import sys
from pathlib import Path

from casebook.cli.common import load_settings
from casebook.eval.answer_checks import content_right, padded
from casebook.eval.questions import load_questions, select
from casebook.index.answering import ask
from casebook.index.retrieval.searcher import Searcher

BARS = (0.40, 0.45, 0.50, 0.525, 0.55, 0.575, 0.60, 0.65, 0.70, 1.01)


def main(split: str = "dev") -> None:
    searcher = Searcher.open(load_settings())
    root = Path(__file__).resolve().parents[1] / "eval"
    sets = [q for q in select(load_questions(root / "answers.jsonl"), split)
            if q.kind in ("list", "count", "where")]
    near = [q for q in select(load_questions(root / "questions.jsonl"), split)
            if q.kind == "near_miss"]
    for bar in BARS:
        ask.NEAR_THEME = bar
        answers = [(q, ask.ask(searcher, q.question)) for q in sets]
        right = sum(content_right(q, a) for q, a in answers)
        pad = sum(padded(q, a) for q, a in answers)
        claimed = sum(ask.ask(searcher, q.question).match == "answered" for q in near)
        print(f"{bar:5.3f}  right {right}/{len(answers)}  padded {pad}  right less padded "
              f"{right - pad}  near misses claimed {claimed}/{len(near)}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
