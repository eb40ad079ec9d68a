"""Dense (and BM25) search at corpus sizes Casebook does not have yet, on synthetic passages.

Synthetic vectors are drawn near the real passages' and sentences' embeddings of the current
build: a point on the segment between two real vectors, plus gaussian noise, renormalised (so the
data has the real vectors' structure, not uniform noise). Queries are the evaluation questions
embedded by the build's encoder, plus perturbed copies. The index is the one `casebook index
build` would choose at that size (CASEBOOK_DENSE_INDEX=auto|flat|hnsw|ivfpq overrides). One
JSON line:

    python bench/scale.py --passages 200000 --json [--bm25]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from casebook.index import layout
from casebook.index.encoders import onnx_embedder
from casebook.index.encoders.minilm.onnx_encoder import ENCODER_DIR
from casebook.index.reuse import PASSAGE_VECTORS_FILE
from casebook.index.vectors import FaissIndex, choose_kind
from casebook.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def synthetic(real: np.ndarray, n: int, rng: np.random.Generator, noise: float) -> np.ndarray:
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        a, b = real[rng.integers(0, len(real), m)], real[rng.integers(0, len(real), m)]
        mix = rng.uniform(0, 0.5, (m, 1)).astype(np.float32)
        out[start:start + m] = unit(a + mix * (b - a) + rng.normal(scale=noise, size=a.shape))
    return out


def timed_search(index: object, queries: np.ndarray, k: int) -> tuple[np.ndarray, list[float]]:
    rows, times = [], []
    for query in queries:
        start = time.perf_counter()
        _, found = index.search(query[None, :], k)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
        rows.append(found[0])
    return np.array(rows), times


PASSAGES_PER_CASE = 10


def synthetic_bm25(n: int, rng: np.random.Generator) -> tuple[object, dict[str, float]]:
    """BM25 over n synthetic passages whose words follow the corpus's own word frequencies."""
    from casebook.index.lexical import LexicalIndex
    from casebook.index.text.terms import words

    settings = Settings()
    build = layout.current_build(settings.index_dir)
    text = " ".join(json.loads(line)["text"] for line in
                    (build / layout.PASSAGES_FILE).read_text(encoding="utf-8").splitlines())
    vocab, counts = np.unique(np.array(words(text)), return_counts=True)
    p = counts / counts.sum()
    start = time.perf_counter()
    texts = [" ".join(rng.choice(vocab, 60, p=p)) for _ in range(n)]
    generate_s = time.perf_counter() - start
    start = time.perf_counter()
    lexical = LexicalIndex.build(texts)
    build_s = time.perf_counter() - start
    return lexical, {"bm25_generate_s": round(generate_s, 1), "bm25_build_s": round(build_s, 1)}


def bm25_figures(lexical: object, questions: list[str]) -> dict[str, float]:
    times = []
    for question in questions:
        start = time.perf_counter()
        lexical.scores(question)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
    return {"bm25_p50_ms": round(float(np.median(times)), 2),
            "bm25_p95_ms": round(float(np.percentile(times, 95)), 2)}


def score_figures(index: object, lexical: object, case_vectors: np.ndarray, queries: np.ndarray,
                  questions: list[str], depth: int) -> dict[str, object]:
    """Scoring all passages (today) against the candidate union, alternating, and agreement."""
    from candidates import Corpus, full, union

    from casebook.index.retrieval.tuned import packaged

    tuned = packaged()
    n = len(case_vectors) * PASSAGES_PER_CASE
    corpus = Corpus(np.arange(n) // PASSAGES_PER_CASE, case_vectors, index, lexical,  # type: ignore[arg-type]
                    tuned.weights, tuned.calibration["hybrid"])
    full_ms, union_ms, same = [], [], 0
    for vector, question in zip(queries, questions):
        start = time.perf_counter()
        expected = full(corpus, vector, question, 10, depth)
        full_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        got = union(corpus, vector, question, 10, depth)
        union_ms.append((time.perf_counter() - start) * 1000)
        same += [(c, rows) for c, _, rows in got] == [(c, rows) for c, _, rows in expected] and \
            np.allclose([s for _, s, _ in got], [s for _, s, _ in expected], rtol=0, atol=1e-12)
    return {"score_all_p50_ms": round(float(np.median(full_ms)), 2),
            "score_union_p50_ms": round(float(np.median(union_ms)), 2),
            "score_union_p95_ms": round(float(np.percentile(union_ms, 95)), 2),
            "score_union_identical": round(same / len(full_ms), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.03, help="Gaussian noise per dimension.")
    parser.add_argument("--bm25", action="store_true", help="Also time BM25 at this size.")
    parser.add_argument("--score", action="store_true",
                        help="Also time whole-query scoring: all passages vs the candidate union.")
    parser.add_argument("--json", action="store_true", help="Print one JSON line (the default).")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.score and args.passages % PASSAGES_PER_CASE:
        parser.error(f"--score needs --passages a multiple of {PASSAGES_PER_CASE}")
    rng = np.random.default_rng(args.seed)
    settings = Settings()
    build = layout.current_build(settings.index_dir)
    real = np.vstack([np.load(build / PASSAGE_VECTORS_FILE),
                      np.load(build / layout.SENTENCE_VECTORS_FILE)]).astype(np.float32)
    lines = (REPO / "eval/questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    asked = onnx_embedder(settings, build / ENCODER_DIR).encode(questions)
    extra = max(0, args.queries - len(asked))
    queries = np.vstack([asked, synthetic(asked, extra, rng, args.noise)])[:args.queries]

    data = synthetic(real, args.passages, rng, args.noise)
    kind = choose_kind(settings.dense_index, args.passages)
    start = time.perf_counter()
    index = FaissIndex(data.shape[1], kind, expected=args.passages)
    index.add(data)
    build_s = time.perf_counter() - start
    exact = FaissIndex(data.shape[1], "flat")
    exact.add(data)
    case_vectors = unit(data.reshape(-1, PASSAGES_PER_CASE, data.shape[1]).sum(axis=1)) \
        if args.score else None
    del data
    import faiss

    faiss.omp_set_num_threads(1)  # as FaissIndex.load sets it for serving: one query per call
    truth, exact_ms = timed_search(exact, queries, 10)
    found, approx_ms = timed_search(index, queries, 10)
    recall = float(np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found)]))
    record: dict[str, object] = {
        "passages": args.passages, "index": kind, "build_s": round(build_s, 1),
        "p50_ms": round(float(np.median(approx_ms)), 3),
        "p95_ms": round(float(np.percentile(approx_ms, 95)), 3),
        "exact_p50_ms": round(float(np.median(exact_ms)), 3),
        "recall_at_10": round(recall, 4),
    }
    del exact
    if args.bm25 or args.score:
        lexical, built = synthetic_bm25(args.passages, rng)
        record |= built
        if args.bm25:
            record |= bm25_figures(lexical, questions)
        if args.score:
            texts = questions + [questions[i % len(questions)] for i in range(len(queries))]
            record |= score_figures(index, lexical, case_vectors, queries,  # type: ignore[arg-type]
                                    texts[:len(queries)], settings.candidate_depth)
    del index
    record["rss_mb"] = peak_rss_mb()
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
