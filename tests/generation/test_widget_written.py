"""The widget with a model configured, in headless Chromium: the model's tokens stream into the
answer, and when `done` comes the widget shows the checked answer in their place."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from llama_process import LlamaServer
from playwright.sync_api import Browser, expect, sync_playwright
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_the_widget_streams_the_reply_then_shows_the_checked_answer(
        chromium: Browser, llm_server: LlamaServer, index_settings: Settings,
        serve: Callable[[Settings], str]) -> None:
    base = serve(settings_for(index_settings, llm_server))
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/")
    page.evaluate(WATCH)
    page.get_by_role("button", name="Ask the case studies").click()
    with page.expect_response(lambda r: r.url.endswith("/v1/chat")) as caught:
        page.get_by_role("textbox", name="Your question").fill(MUSLIM)
        page.get_by_role("textbox", name="Your question").press("Enter")
    answer = page.locator(".casebook-msg-assistant").first
    expect(answer).to_have_attribute("data-casebook-state", "done", timeout=180_000)
    body = caught.value.text()
    done = [line for line in body.splitlines() if line.startswith("data:")][-1]
    finished = json.loads(done[5:])
    streamed = page.evaluate("() => window.__streamed")
    assert streamed, "the model's text should show as it comes"
    shown = answer.locator(".casebook-answer").first.text_content() or ""
    note = answer.locator(".casebook-generated")
    if finished["generated"]:
        # what the check kept, in place of what streamed; each "[n]" a link whose text is n
        assert shown == re.sub(r"\[(\d+)\]", r"\1", finished["answer"])
        expect(note).to_have_text(re.compile("Written by a language model"))
        assert answer.locator(".casebook-ref").count() >= 1
    else:  # the check left too little: the quoted answer, a list, replaces the model's text
        assert finished["generation"]["reason"] == "checked_out"
        expect(note).to_have_count(0)
        assert answer.locator(".casebook-item").count() >= 2
        assert streamed not in (answer.text_content() or "")
    assert not errors, errors
