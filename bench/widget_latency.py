"""Chat widget latency as a reader sees it: from pressing Enter to the first streamed text and
to the complete answer, in headless Chromium, against GET /v1/search for the same question.

Measures a running server (the demo page at URL/ embeds the widget). Run:

    .venv/bin/casebook serve --port 8000 &
    .venv/bin/python bench/widget_latency.py http://127.0.0.1:8000 [--rounds 3] [--json out.json]

The browser tests run the same `measure` and write tests/artifacts/widget_timings.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
QUESTIONS = [
    "How did others reach Muslim communities about vaccines?",
    "How can link workers support people with long term conditions?",
    "What helps young people's mental health?",
    "How did Ealing use guided meditation for anxiety?",
    "How did social prescribing carry on through the pandemic?",
]

# Installed before Enter is pressed: records, in the page's own clock, when Enter goes down,
# when the answer's first text is on the page, how many different partial texts were seen while
# it streamed, and when the answer is complete (citations rendered).
TIMER = """(index) => {
  const t = {start: null, first: null, done: null, partials: 0, state: null};
  const seen = new Set();
  window.__casebookTiming = t;
  const check = () => {
    const box = document.querySelectorAll('.casebook-msg-assistant')[index];
    if (!box || t.done !== null) return;
    const now = performance.now();
    const state = box.getAttribute('data-casebook-state');
    const text = box.querySelector('.casebook-answer').textContent;
    if (state === 'streaming' && text) {
      if (t.first === null) t.first = now;
      seen.add(text.length);
      t.partials = seen.size;
    }
    if (state === 'done' || state === 'error') {
      if (t.first === null) t.first = now;
      t.done = now; t.state = state; observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true,
                                   attributes: true});
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && t.start === null) t.start = performance.now();
  }, {capture: true});
}"""

DONE = "() => window.__casebookTiming && window.__casebookTiming.done !== null"

SEARCH = """async ([base, q]) => {
  const start = performance.now();
  const response = await fetch(base + '/v1/search?q=' + encodeURIComponent(q));
  await response.json();
  return performance.now() - start;
}"""


def ask(page: Any, question: str, timeout_ms: float = 30_000) -> dict[str, Any]:
    """Ask through the widget (already open) by typing and pressing Enter; the page's timings."""
    index = page.locator(".casebook-msg-assistant").count()
    page.evaluate(TIMER, index)
    field = page.get_by_role("textbox", name="Your question")
    field.fill(question)
    field.press("Enter")
    page.wait_for_function(DONE, timeout=timeout_ms)
    timing: dict[str, Any] = page.evaluate("() => window.__casebookTiming")
    if timing["state"] != "done":
        raise RuntimeError(f"the widget showed an error for {question!r}")
    return timing


def measure(page: Any, base_url: str, questions: list[str] = QUESTIONS,
            rounds: int = 1) -> dict[str, Any]:
    """Per question: Enter to first text, Enter to complete answer, and GET /v1/search, all in
    the page; each question starts a fresh conversation. Returns rows and their medians."""
    base_url = base_url.rstrip("/")
    page.get_by_role("button", name="Ask the case studies").click()
    ask(page, "vaccines")  # warm-up: first-use costs are not what a reader waits for
    rows = []
    for _ in range(rounds):
        for question in questions:
            page.get_by_role("button", name="Start over").click()
            t = ask(page, question)
            search_ms = page.evaluate(SEARCH, [base_url, question])
            rows.append({"question": question,
                         "first_text_ms": round(t["first"] - t["start"], 1),
                         "complete_ms": round(t["done"] - t["start"], 1),
                         "search_ms": round(search_ms, 1),
                         "partial_renders": t["partials"]})
    medians = {key: round(statistics.median(r[key] for r in rows), 1)
               for key in ("first_text_ms", "complete_ms", "search_ms")}
    widget_js = page.evaluate("async (u) => (await (await fetch(u)).arrayBuffer()).byteLength",
                              base_url + "/widget.js")
    widget_css = page.evaluate("async (u) => (await (await fetch(u)).arrayBuffer()).byteLength",
                               base_url + "/widget.css")
    browser = page.context.browser
    return {"median": medians, "questions": rows, "runs": len(rows),
            "browser": f"chromium {browser.version}" if browser else None,
            "widget_js_bytes": widget_js, "widget_css_bytes": widget_css}


def describe(report: dict[str, Any]) -> str:
    lines = [f"widget timings, ms (median of {report['runs']}): "
             + json.dumps(report["median"])]
    for row in report["questions"]:
        lines.append(f"  first text {row['first_text_ms']:7.1f}  complete {row['complete_ms']:7.1f}"
                     f"  search {row['search_ms']:7.1f}  ({row['partial_renders']} partial"
                     f" renders)  {row['question']}")
    lines.append(f"widget.js {report['widget_js_bytes']} bytes, "
                 f"widget.css {report['widget_css_bytes']} bytes")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="Base URL of a running Casebook service.")
    parser.add_argument("--rounds", type=int, default=1, help="Times each question is asked.")
    parser.add_argument("--json", type=Path, help="Also write the report here.")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: run scripts/setup.", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(args.url.rstrip("/") + "/")
            report = measure(page, args.url, rounds=args.rounds)
        finally:
            browser.close()
    print(describe(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
