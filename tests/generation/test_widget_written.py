"""The widget with a model configured, in headless Chromium: the model's tokens stream into the
answer, and when `done` comes the widget shows the checked answer in their place."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from llama_process import LlamaServer
from playwright.sync_api import expect, sync_playwright
from written import serve, settings_for

from casebook.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["serve"]  # the fixture, imported from written.py

CHROMIUM = "/usr/bin/chromium"  # Debian's package, as tests/browser drives
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
MUSLIM = "How did others reach Muslim communities about vaccines?"
# the text the answer's paragraph showed while it was streaming (the last seen)
WATCH = """() => { window.__streamed = null;
  new MutationObserver(() => {
    const box = document.querySelector('.casebook-msg-assistant');
    if (box && box.getAttribute('data-casebook-state') === 'streaming')
      window.__streamed = box.querySelector('.casebook-answer').textContent;
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true}); }"""


def drive(base: str) -> dict[str, Any]:
    """Ask in the widget and read what it shows. Runs in a thread of its own: Playwright's sync
    API refuses a thread where an event loop runs (tests/browser's session keeps one)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(base + "/")
            page.evaluate(WATCH)
            page.get_by_role("button", name="Ask the case studies").click()
            box = page.get_by_role("textbox", name="Your question")
            with page.expect_response(lambda r: r.url.endswith("/v1/chat")) as caught:
                box.fill(MUSLIM)
                box.press("Enter")
            answer = page.locator(".casebook-msg-assistant").first
            expect(answer).to_have_attribute("data-casebook-state", "done", timeout=240_000)
            done = [line for line in caught.value.text().splitlines() if line.startswith("data:")]
            return {"done": json.loads(done[-1][5:]), "errors": errors,
                    "streamed": page.evaluate("() => window.__streamed"),
                    "shown": answer.locator(".casebook-answer").first.text_content() or "",
                    "whole": answer.text_content() or "",
                    "note": answer.locator(".casebook-generated").all_text_contents(),
                    "links": answer.locator(".casebook-ref").count(),
                    "items": answer.locator(".casebook-item").count()}
        finally:
            browser.close()


def test_the_widget_streams_the_reply_then_shows_the_checked_answer(
        llm_server: LlamaServer, index_settings: Settings,
        serve: Callable[[Settings], str]) -> None:
    base = serve(settings_for(index_settings, llm_server))
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(drive, base).result()
    done = seen["done"]
    assert not seen["errors"], seen["errors"]
    assert seen["streamed"], "the model's text should show as it comes"
    if done["generated"]:
        # what the check kept, in place of what streamed; each "[n]" a link whose text is n
        assert seen["shown"] == re.sub(r"\[(\d+)\]", r"\1", done["answer"])
        assert len(seen["note"]) == 1 and "Written by a language model" in seen["note"][0]
        assert seen["links"] >= 1
    else:  # the check left too little: the quoted answer replaces the model's text
        assert done["generation"]["reason"] == "checked_out"
        assert seen["note"] == [] and seen["items"] == len(done["items"])
        if not done["items"]:  # one case study's sentences, each "[n]" a link whose text is n
            assert seen["shown"] == re.sub(r"\[(\d+)\]", r"\1", done["answer"])
            assert seen["links"] >= 1
        assert "Hounslow" in seen["whole"]
        assert seen["streamed"] not in seen["whole"]
