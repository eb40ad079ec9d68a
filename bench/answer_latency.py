"""POST /v1/ask and POST /v1/chat latency, one server or two compared request by request.

Sends every question of eval/answers.jsonl, or of --questions (with --kind, those of one kind),
a follow-up as a chat after the question it follows, its answer's case studies carried back the
way the widget sends them, to /v1/ask and /v1/chat (JSON), one request at a time, and prints p50
and p95 per route. With two URLs the servers are asked in turn, A then B for each question, so
that both see the same machine state, and the ratio of the medians is printed. Start the servers
first (`casebook serve --port N`), e.g. one on an older checkout, then:

    .venv/bin/python bench/answer_latency.py http://127.0.0.1:8001 [http://127.0.0.1:8002]
        [--rounds 2] [--json out.json] [--questions eval/questions.jsonl --kind topic]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import httpx

from casebook.eval.questions import Question, load_questions

ANSWERS = Path(__file__).resolve().parent.parent / "eval" / "answers.jsonl"


def chat_messages(q: Question, by_id: dict[str, Question], client: httpx.Client,
                  url: str) -> list[dict[str, object]]:
    """The conversation a question belongs to, earlier answers asked for and carried back."""
    messages: list[dict[str, object]] = []
    if q.follows and q.follows in by_id:
        first = by_id[q.follows].question
        before = client.post(f"{url}/v1/chat", json={"messages": [
            {"role": "user", "content": first}], "stream": False}).json()
        cases = [c["case_study"]["id"] for c in before.get("citations", [])]
        messages = [{"role": "user", "content": first},
                    {"role": "assistant", "content": before.get("answer", ""),
                     "case_studies": list(dict.fromkeys(cases))}]
    return [*messages, {"role": "user", "content": q.question}]


def timed(client: httpx.Client, url: str, body: dict[str, object]) -> float:
    start = time.perf_counter()
    response = client.post(url, json=body)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.text[:200]}")
    return elapsed


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("urls", nargs="+", help="one server, or two to compare (A B)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--questions", type=Path, default=ANSWERS,
                        help="another labelled set, e.g. eval/questions.jsonl")
    parser.add_argument("--kind", help="only its questions of this kind, e.g. topic")
    args = parser.parse_args()
    questions = [q for q in load_questions(args.questions)
                 if args.kind is None or q.kind == args.kind]
    by_id = {q.id: q for q in questions}
    times: dict[str, dict[str, list[float]]] = {u: {"ask": [], "chat": []} for u in args.urls}
    with httpx.Client(timeout=60) as client:
        for url in args.urls:  # warm each server's caches of the model sessions
            timed(client, f"{url}/v1/ask", {"question": "warm up"})
        for _ in range(args.rounds):
            for q in questions:
                for url in args.urls:
                    times[url]["ask"].append(timed(client, f"{url}/v1/ask",
                                                   {"question": q.question}))
                    messages = chat_messages(q, by_id, client, url)
                    times[url]["chat"].append(timed(client, f"{url}/v1/chat",
                                                    {"messages": messages, "stream": False}))
    report: dict[str, object] = {}
    for url, routes in times.items():
        for route, values in routes.items():
            report[f"{url} {route}"] = {"n": len(values), "p50_ms": statistics.median(values),
                                        "p95_ms": percentile(values, 0.95)}
            print(f"{url:28s} /v1/{route:4s} n={len(values):4d} "
                  f"p50 {statistics.median(values):7.1f} ms  p95 {percentile(values, 0.95):7.1f} ms")
    if len(args.urls) == 2:
        a, b = args.urls
        for route in ("ask", "chat"):
            ratio = statistics.median(times[b][route]) / statistics.median(times[a][route])
            report[f"ratio {route} B/A"] = ratio
            print(f"/v1/{route}: p50 B/A = {ratio:.2f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
