"""What each signal of the query path costs, and the e5 cascade's trade-off, in one run.

Times every stage of `Searcher.score` per question (median and p95 ms), then simulates a
cascade that calls e5 only for questions not in English or whose cheap fusion (BM25 + MiniLM,
the tuned weights without e5) has a small margin between its top two case studies. Run:

    .venv/bin/python bench/signals.py [--split test] [--limit 80]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from casebook.eval.methods import fusion
from casebook.eval.questions import load_questions, select
from casebook.index.retrieval import signals as views
from casebook.index.retrieval.language import is_english
from casebook.index.retrieval.searcher import Searcher
from casebook.settings import Settings

REPO = Path(__file__).resolve().parent.parent
MARGINS = (0.0, 0.02, 0.05, 0.1, 0.2, 1.01)


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="test")
    parser.add_argument("--limit", type=int, default=80)
    args = parser.parse_args()
    searcher = Searcher.open(Settings())
    questions = [q for q in select(load_questions(REPO / "eval" / "questions.jsonl"), args.split)
                 if q.in_scope and not q.follows][: args.limit]
    searcher.score("warm up")
    costs: dict[str, list[float]] = {}
    cases = len(searcher.case_order)
    rows = []
    for q in questions:
        text, t = timed(searcher.normalise, q.question)
        costs.setdefault("normalise (acronyms, spelling)", []).append(t)
        vector, t = timed(searcher.embedder.encode_one, text)
        costs.setdefault("minilm query embedding", []).append(t)
        _, t = timed(searcher.stored.dense.search, vector[None, :], len(searcher.stored.passages))
        costs.setdefault("minilm passage view (faiss)", []).append(t)
        _, t = timed(np.matmul, searcher.case_vectors, vector)
        costs.setdefault("minilm case view", []).append(t)
        _, t = timed(searcher.stored.lexical.scores, text)
        costs.setdefault("bm25", []).append(t)
        english, t = timed(is_english, q.question)
        costs.setdefault("language check", []).append(t)
        e5, t = timed(searcher.e5.query, text if english else q.question)
        costs.setdefault("e5 query embedding", []).append(t)
        _, t = timed(views.dense_views, e5, searcher.stored.e5_passage_vectors,
                     searcher.e5_case_vectors, searcher._passage_case)
        costs.setdefault("e5 passage + case views", []).append(t)
        scored, t = timed(searcher.score, q.question)
        costs.setdefault("whole score() (all views, fusion, calibration)", []).append(t)
        raw = scored.signals
        cheap_raw = {k: v for k, v in raw.items() if not k.startswith("e5")}
        cheap = views.case_max(fusion(cheap_raw, True, searcher.tuned), searcher._passage_case,
                               cases)
        full = views.case_max(fusion(raw, scored.english, searcher.tuned),
                              searcher._passage_case, cases)
        top2 = np.sort(cheap)[-2:]
        rows.append((scored.english, float(top2[1] - top2[0]),
                     searcher.case_order[int(np.argmax(cheap))] in q.relevant,
                     searcher.case_order[int(np.argmax(full))] in q.relevant))
    print(f"{len(questions)} in-scope {args.split} questions; ms per query")
    print(f"{'signal':<50}{'median':>8}{'p95':>8}")
    for name, values in costs.items():
        p95 = float(np.percentile(values, 95))
        print(f"{name:<50}{statistics.median(values):>8.2f}{p95:>8.2f}")
    print("\ncascade: e5 only when not English or the cheap margin is under m")
    print(f"{'m':>6}{'e5 calls':>10}{'Hit@1':>8}")
    for m in MARGINS:
        calls = [not en or margin < m for en, margin, _, _ in rows]
        hits = [full if call else cheap for call, (_, _, cheap, full) in zip(calls, rows)]
        print(f"{m:>6.2f}{np.mean(calls):>10.2f}{np.mean(hits):>8.3f}")


if __name__ == "__main__":
    main()
