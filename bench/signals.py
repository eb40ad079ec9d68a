"""What each signal of the query path costs, and what the e5 cascade saves, in one run.

Times every stage of `Searcher.score` per question (median and p95 ms), then the whole query as
search serves it (the cascade: e5 only when the cheap views are unsure or the question is not
English; BM25 alone when it leads clearly) against every view always, and the shares of
questions that called e5 and that BM25 settled without MiniLM. The ranking
side of the trade-off (Hit@1 and MRR@10 at each margin) is `casebook eval`'s cascade table.

    .venv/bin/python bench/signals.py [--split dev] [--limit 120]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from casebook.eval.questions import load_questions, select
from casebook.index.retrieval import signals as views
from casebook.index.retrieval.language import is_english
from casebook.index.retrieval.searcher import Searcher
from casebook.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, default=120)
    args = parser.parse_args()
    # no query cache: every question is timed as if it were new
    searcher = Searcher.open(Settings(query_cache_size=0))
    questions = [q for q in select(load_questions(REPO / "eval" / "questions.jsonl"), args.split)
                 if not q.follows][: args.limit]
    searcher.score("warm up")
    costs: dict[str, list[float]] = {}
    called, settled = [], []
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
        if searcher.e5 is not None:
            e5, t = timed(searcher.e5.query, text if english else q.question)
            costs.setdefault("e5 query embedding", []).append(t)
            _, t = timed(views.dense_views, e5, searcher.stored.e5_passage_vectors,
                         searcher.e5_case_vectors, searcher.rows.passage_case)
            costs.setdefault("e5 passage + case views", []).append(t)
        scored, t = timed(searcher.score, q.question)
        costs.setdefault("score() as served (cascade)", []).append(t)
        called.append("e5_passage" in scored.signals)
        settled.append(scored.english and scored.query_vector is None)
        _, t = timed(searcher.score, q.question, full=True)
        costs.setdefault("score() with every view", []).append(t)
    for name, values in costs.items():
        print(json.dumps({"signal": name, "questions": len(values),
                          "median_ms": round(statistics.median(values), 3),
                          "p95_ms": round(float(np.percentile(values, 95)), 3)}))
    print(json.dumps({"split": args.split, "questions": len(called),
                      "cascade_margin": searcher.tuned.cascade_margin,
                      "lexical_margin": searcher.tuned.served_lexical_margin,
                      "e5_called": round(float(np.mean(called)), 3),
                      "bm25_settled": round(float(np.mean(settled)), 3)}))


if __name__ == "__main__":
    main()
