"""The chat widget in headless Chromium against the real service: streaming, citations,
follow-ups, keyboard, phone width, accessibility, inert markup, CORS, limits and timings."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from casebook.index.build import build_index
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.retrieval.searcher import Searcher
from casebook.service.app import create_app
from casebook.settings import Settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _bench() -> Any:
    """bench/widget_latency.py: the timing code the test shares with the standalone benchmark."""
    path = Path(__file__).resolve().parents[2] / "bench" / "widget_latency.py"
    spec = importlib.util.spec_from_file_location("widget_latency", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()

TITLE = "Ask the case studies"
PHONE = {"width": 375, "height": 740}
MUSLIM = "How did others reach Muslim communities about vaccines?"
# answered from one case study (no list): its citations are the answer's Sources
ONE_PLACE = "How did Hounslow reach Muslim communities about vaccines?"
HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"
NEWHAM = "covid-19-vaccinations-utilising-opportunities-to-support"
BROMLEY = "bromley-by-bow-micro-commissioning"
COMPARISON = ("How does funding for social prescribing differ between Barnet and Hammersmith "
              "and Fulham?")
VACCINE_LIST = "Which case studies are about Covid-19 vaccine hesitancy?"
# while the answer streams, the text its paragraph shows (the last seen)
STREAMED = """(index) => { window.__casebookStreamed = null;
  new MutationObserver(() => {
    const box = document.querySelectorAll('.casebook-msg-assistant')[index];
    if (box && box.getAttribute('data-casebook-state') === 'streaming')
      window.__casebookStreamed = box.querySelector('.casebook-answer').textContent;
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true}); }"""


def as_shown(text: str) -> str:
    """Text as the widget shows it: each "[n]" marker is a link whose text is n."""
    return re.sub(r"\[(\d+)\]", r"\1", text)


class Widget:
    """The widget on a page, found the way assistive technology finds it: by role and name."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name=TITLE)
        self.dialog = page.get_by_role("dialog", name=TITLE)
        self.input = page.get_by_role("textbox", name="Your question")
        self.answers = page.locator(".casebook-msg-assistant")

    def open(self) -> None:
        self.launcher.click()
        expect(self.dialog).to_be_visible()
        expect(self.input).to_be_focused()

    def ask(self, question: str, state: str = "done") -> Locator:
        """Type the question, press Enter, wait for the answer; returns the answer's bubble."""
        index = self.answers.count()
        self.page.evaluate(bench.TIMER, index)
        self.input.fill(question)
        self.input.press("Enter")
        answer = self.answers.nth(index)
        expect(answer).to_have_attribute("data-casebook-state", state, timeout=30_000)
        return answer

    def timing(self) -> dict[str, Any]:
        return self.page.evaluate("() => window.__casebookTiming")


def citation_titles(answer: Locator) -> list[str]:
    return [t.replace(" (opens in a new tab)", "")
            for t in answer.locator(".casebook-cite-title").all_text_contents()]


@pytest.fixture
def widget(page: Page, live_server: str) -> Widget:
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    return Widget(page)


def test_ask_streams_a_cited_answer_then_follows_up_and_starts_over(
        widget: Widget, searcher: Searcher, artifacts: Path) -> None:
    page = widget.page
    expect(widget.launcher).to_be_visible()
    expect(widget.dialog).to_be_hidden()
    page.screenshot(path=str(artifacts / "widget-closed.png"), animations="disabled")

    widget.open()
    expect(page.locator(".casebook-starter")).to_have_count(4)
    answer = widget.ask(ONE_PLACE)
    timing = widget.timing()
    assert timing["first"] < timing["done"], "text should appear before the answer is complete"
    assert timing["partials"] >= 1
    expect(page.locator(".casebook-msg-user .casebook-text")).to_have_text([ONE_PLACE])
    assert "Muslim community" in answer.locator(".casebook-answer").inner_text()
    # two sentences quoting one passage carry the same marker
    expect(answer.get_by_role("link", name="source 1").first).to_be_visible()
    titles = citation_titles(answer)
    assert searcher.get(HOUNSLOW).title in titles
    # the widget shows what the service answered: its first cited case study first
    from casebook.index.answering.ask import ask as ask_library

    cited = [c.case_study for c in ask_library(searcher, ONE_PLACE).citations]
    assert titles[0] == cited[0].title
    expect(answer.locator(".casebook-cite-section").first).to_have_text(cited[0].section)
    link = answer.locator("a.casebook-cite-title").first
    assert link.get_attribute("href") == cited[0].url
    assert link.get_attribute("target") == "_blank"
    assert link.get_attribute("rel") == "noopener noreferrer"
    # one entry per case study: every marker citing the first case study leads to its entry
    numbers = [str(i) for i, c in enumerate(cited, 1) if c.id == cited[0].id]
    first_entry = answer.locator(".casebook-citation").first
    expect(first_entry.locator(".casebook-cite-num")).to_have_text(", ".join(numbers))
    refs = [ref for n in numbers for ref in answer.get_by_role("link", name=f"source {n}").all()]
    assert refs, "the answer's text cites its first case study"
    for ref in refs:
        expect(ref).to_have_attribute("href", "#" + (first_entry.get_attribute("id") or ""))
    answer.evaluate("(el) => el.scrollIntoView({block: 'end'})")
    page.screenshot(path=str(artifacts / "widget-answer.png"), animations="disabled")

    # a reference marker jumps to its citation without touching the host page's URL
    answer.get_by_role("link", name="source 1").first.click()
    expect(link).to_be_focused()
    assert page.url.endswith("/")

    follow = widget.ask("what about in Newham?")
    expect(follow.locator(".casebook-query")).to_have_text(
        "Searched for: How did Newham reach Muslim communities about vaccines?")
    # no Newham case study says how it reached Muslim communities: the answer says so, and
    # lists Hounslow's, from outside Newham, then Newham's closest
    expect(follow.locator(".casebook-answer").first).to_contain_text(
        "No Newham case study answers that.")
    expect(follow.locator("ul.casebook-items > li .casebook-item-boroughs")).to_have_text(
        ["Hounslow", "Newham"])

    page.get_by_role("button", name="Start over").click()
    expect(page.locator(".casebook-msg")).to_have_count(0)
    expect(page.locator(".casebook-starter")).to_have_count(4)
    expect(widget.input).to_be_focused()
    # the new conversation has no memory of the old one
    fresh = widget.ask("and in Southwark?")
    expect(fresh.locator(".casebook-query")).to_have_count(0)


def test_a_list_answer_shows_each_case_study_as_a_list_item(
        widget: Widget, live_server: str, artifacts: Path) -> None:
    """The widget shows exactly the items /v1/ask gives for the same question, in order: each
    case study's title as a link, its boroughs and its quoted sentences, after the lead."""
    api = httpx.post(live_server + "/v1/ask", json={"question": VACCINE_LIST}, timeout=60).json()
    assert len(api["items"]) >= 2, "the service should answer this question with a list"
    in_items = {s["text"] for item in api["items"] for s in item["sentences"]}
    lead = [s for s in api["sentences"] if s["text"] not in in_items]
    page = widget.page
    widget.open()
    page.evaluate(STREAMED, 0)
    answer = widget.ask(VACCINE_LIST)
    # while it streamed, the plain answer text; once done, the list in its place
    assert page.evaluate("() => window.__casebookStreamed") == as_shown(api["answer"])
    expect(answer).to_have_attribute("data-casebook-shape", api["shape"])
    entries = answer.locator("ul.casebook-items > li")
    expect(entries).to_have_count(len(api["items"]))
    for entry, item in zip(entries.all(), api["items"], strict=True):
        study = item["case_study"]
        # named by what its title says (the label), not the source page's long title
        assert item["label"] and len(item["label"]) < len(study["title"]) + 1
        link = entry.get_by_role("link", name=item["label"] + " (opens in a new tab)")
        expect(link).to_have_attribute("href", study["url"])
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        boroughs = entry.locator(".casebook-item-boroughs")
        if study["boroughs"]:
            expect(boroughs).to_have_text(", ".join(study["boroughs"]))
        else:
            expect(boroughs).to_be_hidden()
        expect(entry.locator(".casebook-item-quote")).to_have_text(
            [as_shown(f"{s['text']} [{s['citation']}]" if s["citation"] else s["text"])
             for s in item["sentences"]])
    # the sentences in no item, and only those, outside the list
    outside = [t for t in answer.locator(".casebook-answer").all_text_contents() if t]
    assert " ".join(outside) == as_shown(" ".join(
        f"{s['text']} [{s['citation']}]" if s["citation"] else s["text"] for s in lead))
    # a case study shown as an item is not listed again under Sources; its markers lead to it
    listed = {item["case_study"]["title"] for item in api["items"]}
    assert not listed & set(citation_titles(answer))
    quoted = [(i, s["citation"]) for i, item in enumerate(api["items"])
              for s in item["sentences"] if s["citation"]]
    if quoted:
        i, n = quoted[0]
        answer.locator(".casebook-item-quote").get_by_role("link", name=f"source {n}") \
            .first.click()
        expect(entries.nth(i).locator(".casebook-item-title")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text(lead[0]["text"] if lead else "source")
    for selector in [".casebook-item-title", ".casebook-item-boroughs", ".casebook-item-quote"]:
        if page.locator(selector).count():
            assert contrast(page, selector) >= 4.5, selector

    # scroll the conversation itself (scrollIntoView would scroll the panel's header away)
    top = ("(el) => { const log = el.closest('.casebook-log');"
           " log.scrollTop = el.offsetTop - log.offsetTop - 8; }")
    answer.evaluate(top)
    page.screenshot(path=str(artifacts / "widget-list.png"), animations="disabled")
    page.set_viewport_size(PHONE)
    answer.evaluate(top)
    assert answer.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "no sideways scrolling"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "widget-list-phone.png"), animations="disabled")


def test_a_comparison_is_shown_aspect_by_aspect(widget: Widget, live_server: str,
                                               artifacts: Path) -> None:
    """A comparison shows an entry per aspect /v1/ask gives, in order: the aspect as a label
    (not a link), then a line per case study naming it; the case studies are listed under
    Sources, and the status counts those sources, not the aspects."""
    api = httpx.post(live_server + "/v1/ask", json={"question": COMPARISON}, timeout=60).json()
    assert api["shape"] == "compare" and len(api["aspects"]) >= 2
    page = widget.page
    widget.open()
    answer = widget.ask(COMPARISON)
    entries = answer.locator("ul.casebook-items > li.casebook-aspect")
    expect(entries).to_have_count(len(api["aspects"]))
    for entry, aspect in zip(entries.all(), api["aspects"], strict=True):
        title = entry.locator(".casebook-item-title")
        expect(title).to_have_text(aspect["label"])
        assert title.evaluate("(el) => el.tagName") == "SPAN"
        expect(entry.locator(".casebook-item-quote")).to_have_text(
            [as_shown(f"{side['label']}: " + " ".join(f"{s['text']} [{s['citation']}]"
                                                      for s in side["sentences"]))
             for side in aspect["items"]])
    compared = {item["case_study"]["title"] for item in api["items"]}
    assert compared <= set(citation_titles(answer))
    expect(page.get_by_role("status")).to_contain_text(f"{len(compared)} sources.")
    answer.locator(".casebook-item-quote").get_by_role("link", name="source 1").first.click()
    expect(answer.locator(".casebook-citation").first.get_by_role("link")).to_be_focused()
    assert contrast(page, ".casebook-aspect .casebook-item-title") >= 4.5
    answer.evaluate("(el) => { const log = el.closest('.casebook-log');"
                    " log.scrollTop = el.offsetTop - log.offsetTop - 8; }")
    page.screenshot(path=str(artifacts / "widget-comparison.png"), animations="disabled")


def test_a_follow_up_sends_back_the_case_studies_of_the_answer_before(
        widget: Widget, live_server: str) -> None:
    first_question = "Tell me about the Bromley by Bow micro-commissioning case study"
    api = httpx.post(live_server + "/v1/chat", timeout=60, json={
        "messages": [{"role": "user", "content": first_question}], "stream": False}).json()
    assert api["case_studies"][0] == BROMLEY
    bodies: list[dict[str, Any]] = []
    widget.page.on("request", lambda r: bodies.append(json.loads(r.post_data or "{}"))
                   if r.url.endswith("/v1/chat") else None)
    widget.open()
    widget.ask(first_question)
    follow = widget.ask("Who paid for it?")
    assert len(bodies) == 2
    assert bodies[0]["messages"] == [{"role": "user", "content": first_question}]
    assert bodies[1]["messages"] == [
        {"role": "user", "content": first_question},
        {"role": "assistant", "content": api["answer"], "case_studies": api["case_studies"]},
        {"role": "user", "content": "Who paid for it?"}]
    assert citation_titles(follow)[0] == "Bromley by Bow Micro-commissioning – Case Study"


def test_asked_whether_it_is_in_a_place_the_widget_shows_yes_or_no_first(
        widget: Widget, artifacts: Path) -> None:
    widget.open()
    widget.ask("Tell me about the Well Centre")
    answer = widget.ask("is it in Croydon?")
    expect(answer).to_have_attribute("data-casebook-match", "answered")
    expect(answer).to_contain_text("No: \u201cThe Well Centre\u201d is from Lambeth.")
    # where it is from, as the case study's own entry: its title a link, its borough beside it
    item = answer.locator("li.casebook-item")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link", name="The Well Centre")).to_be_visible()
    expect(item.locator(".casebook-item-boroughs")).to_have_text("Lambeth")
    widget.page.screenshot(path=str(artifacts / "widget-in-a-place.png"), animations="disabled")


def test_a_follow_up_asked_of_them_all_shows_an_entry_for_each(
        widget: Widget, artifacts: Path) -> None:
    # the widget sends back the case studies the list cited; the server answers for each
    widget.open()
    widget.ask("Which case studies are in Lewisham?")
    answer = widget.ask("who funded them?")
    expect(answer).to_contain_text("Here is what each of the two case studies says.")
    items = answer.locator("li.casebook-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("funded by Lewisham Council")
    expect(items.nth(1)).to_contain_text("does not say who funded it")
    widget.page.screenshot(path=str(artifacts / "widget-each.png"), animations="disabled")


def test_an_answer_that_is_not_a_match_says_so(widget: Widget, searcher: Searcher) -> None:
    from casebook.index.answering.ask import ask

    widget.open()
    answered = widget.ask(MUSLIM)
    expect(answered).to_have_attribute("data-casebook-match", "answered")
    expect(answered.locator(".casebook-match")).to_have_count(0)
    # whichever way the tuned thresholds read this question, the widget shows the service's word
    question = "Are there social prescribing case studies for dementia in Manchester?"
    said = ask(searcher, question)
    match = said.match
    assert match != "answered"
    other = widget.ask(question)
    expect(other).to_have_attribute("data-casebook-match", match)
    label = other.locator(".casebook-match")
    expect(label).to_be_visible()
    closest = "No exact match: the closest case studies" if said.citations else "No exact match"
    expect(label).to_have_text(closest if match == "related"
                               else "Outside what the case studies cover")
    # none offered as closest: the label promises none
    far = widget.ask("Which case studies are about gardening?")
    expect(far.locator(".casebook-match")).to_have_text("No exact match")
    # a greeting is answered with what to ask, under no label
    hello = widget.ask("hi")
    expect(hello).to_have_attribute("data-casebook-shape", "chat")
    expect(hello.locator(".casebook-match")).to_have_count(0)
    expect(hello.locator(".casebook-answer")).to_contain_text("Ask about a topic")


def test_a_field_with_nothing_on_the_topic_shows_what_is_elsewhere_as_a_list(
        widget: Widget, live_server: str, artifacts: Path) -> None:
    question = "Which case studies in Lambeth are about cancer?"
    api = httpx.post(live_server + "/v1/ask", json={"question": question}, timeout=60).json()
    assert api["match"] == "related" and api["items"]
    widget.open()
    answer = widget.ask(question)
    expect(answer).to_have_attribute("data-casebook-match", "related")
    # the label, then the service's own sentences saying none is in Lambeth, then the list
    expect(answer.locator(".casebook-match")).to_have_text(
        "No exact match: the closest case studies")
    expect(answer.locator(".casebook-answer").first).to_contain_text(
        "No case study in Lambeth is about cancer.")
    expect(answer.locator("ul.casebook-items > li")).to_have_count(len(api["items"]))
    top = ("(el) => { const log = el.closest('.casebook-log');"
           " log.scrollTop = el.offsetTop - log.offsetTop - 8; }")
    answer.evaluate(top)
    page = widget.page
    page.screenshot(path=str(artifacts / "widget-none-in-field.png"), animations="disabled")


def _list_said_above_items(widget: Widget, live_server: str, question: str, said: str,
                           items: int) -> Page:
    """Ask `question` of the API and of the widget: an answered list of `items` case studies
    whose answer shows `said` above them, scrolled into view for its screenshot."""
    api = httpx.post(live_server + "/v1/ask", json={"question": question}, timeout=60).json()
    assert api["match"] == "answered" and len(api["items"]) == items
    widget.open()
    answer = widget.ask(question)
    expect(answer).to_have_attribute("data-casebook-match", "answered")
    expect(answer.locator(".casebook-answer").first).to_contain_text(said)
    expect(answer.locator("ul.casebook-items > li")).to_have_count(items)
    top = ("(el) => { const log = el.closest('.casebook-log');"
           " log.scrollTop = el.offsetTop - log.offsetTop - 8; }")
    answer.evaluate(top)
    return widget.page


def test_a_list_read_in_other_words_says_so_above_its_items(
        widget: Widget, live_server: str, artifacts: Path) -> None:
    page = _list_said_above_items(
        widget, live_server, "Which case studies are about oncology patients?",
        "No case study uses the word \u201concology\u201d; the list reads it as \u201ccancer\u201d.",
        3)
    page.screenshot(path=str(artifacts / "widget-reworded.png"), animations="disabled")


def test_a_list_read_as_a_theme_says_which_above_its_items(
        widget: Widget, live_server: str, artifacts: Path) -> None:
    page = _list_said_above_items(
        widget, live_server, "Which case studies cover workouts or keeping fit?",
        "No case study uses the word \u201cworkouts\u201d; the list holds those on physical "
        "activity.", 2)
    page.screenshot(path=str(artifacts / "widget-theme.png"), animations="disabled")


def test_keyboard_alone(widget: Widget) -> None:
    page = widget.page
    for _ in range(10):
        page.keyboard.press("Tab")
        if widget.launcher.evaluate("(el) => el === document.activeElement"):
            break
    expect(widget.launcher).to_be_focused()
    assert widget.launcher.evaluate("(el) => getComputedStyle(el).outlineStyle") != "none", \
        "keyboard focus must be visible"
    page.keyboard.press("Enter")
    expect(widget.dialog).to_be_visible()
    # the launcher steps aside while the panel is open (the panel has its own Close)
    expect(page.locator(".casebook-launcher")).to_have_attribute("aria-expanded", "true")
    expect(widget.input).to_be_focused()

    # a starter question, chosen with Tab and Enter (backwards from the input: the last starter)
    page.keyboard.press("Shift+Tab")
    expect(page.locator(".casebook-starter").last).to_be_focused()
    page.keyboard.press("Enter")
    expect(widget.answers.first).to_have_attribute("data-casebook-state", "done", timeout=30_000)

    page.keyboard.type("what about in Lewisham?")
    index = widget.answers.count()
    page.keyboard.press("Enter")
    expect(widget.answers.nth(index)).to_have_attribute("data-casebook-state", "done",
                                                        timeout=30_000)

    # back from the input: the conversation's last link is the last citation
    widget.input.focus()
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "casebook-cite-title" in focused

    # start over from the header, by keyboard
    for _ in range(40):
        if page.evaluate("() => document.activeElement.textContent") == "Start over":
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".casebook-msg")).to_have_count(0)
    expect(widget.input).to_be_focused()

    page.keyboard.press("Escape")
    expect(widget.dialog).to_be_hidden()
    expect(widget.launcher).to_be_focused()
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")


def test_a_long_conversation_sends_only_its_newest_turns(widget: Widget) -> None:
    bodies: list[dict[str, Any]] = []
    widget.page.on("request", lambda r: bodies.append(json.loads(r.post_data or "{}"))
                   if r.url.endswith("/v1/chat") else None)
    widget.open()
    questions = [MUSLIM, "what about in Newham?", "and in Southwark?", "how did they do it?",
                 "What helps young people's mental health?", "and in Lambeth?",
                 "who funded it?"]
    for question in questions:
        widget.ask(question)
    assert [len(b["messages"]) for b in bodies] == [1, 3, 5, 7, 9, 10, 10]
    assert bodies[-1]["messages"][-1] == {"role": "user", "content": "who funded it?"}
    assert [b["messages"][-2]["role"] for b in bodies[1:]] == ["assistant"] * 6


def test_phone_width(browser: Browser, live_server: str, artifacts: Path) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        widget = Widget(page)
        box = widget.launcher.bounding_box()
        assert box and box["x"] + box["width"] <= PHONE["width"] and box["height"] >= 44
        widget.launcher.tap()
        expect(widget.dialog).to_be_visible()
        widget.dialog.evaluate("(el) => Promise.all(el.getAnimations().map((a) => a.finished))")
        box = widget.dialog.bounding_box()
        assert box and {k: round(v) for k, v in box.items()} == {"x": 0, "y": 0, **PHONE}, \
            "full screen on a phone"
        assert widget.dialog.get_attribute("aria-modal") == "true"
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        assert widget.input.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)") >= 16, \
            "under 16px, phones zoom in on focus"
        for target in [page.get_by_role("button", name="Send question"),
                       page.get_by_role("button", name="Close"),
                       page.get_by_role("button", name="Start over"),
                       page.locator(".casebook-starter").first]:
            size = target.bounding_box()
            assert size and size["height"] >= 44 and size["width"] >= 44, target

        answer = widget.ask(ONE_PLACE)
        expect(answer.locator(".casebook-citation").first).to_be_visible()
        assert answer.evaluate("(el) => el.scrollWidth <= el.clientWidth"), "no sideways scrolling"
        page.screenshot(path=str(artifacts / "widget-phone.png"), animations="disabled")

        # full screen, so Tab stays inside the panel
        for _ in range(25):
            page.keyboard.press("Tab")
            assert page.evaluate("() => !!document.activeElement.closest('.casebook-panel')")
        page.get_by_role("button", name="Close").tap()
        expect(widget.launcher).to_be_visible()
    finally:
        context.close()


def contrast(page: Page, selector: str) -> float:
    """WCAG contrast ratio of an element's text colour against its nearest opaque background."""
    return float(page.eval_on_selector(selector, """(el) => {
      const rgb = (s) => s.match(/[\\d.]+/g).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map((c) => { c /= 255;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); })
        .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
      let node = el, bg = null;
      while (node && !bg) { const c = rgb(getComputedStyle(node).backgroundColor);
        if (c.length === 3 || c[3] === 1) bg = c; node = node.parentElement; }
      const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg || [255, 255, 255]);
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }"""))


ACCESSIBILITY_CHECKS = [
    "launcher is a button named 'Ask the case studies' with aria-expanded, aria-controls and "
    "aria-haspopup=dialog",
    "panel is role=dialog named by its heading and described by its intro",
    "conversation is role=log named 'Conversation', not live (no word-by-word chatter)",
    "a role=status region announces 'Searching…' and then the whole answer once",
    "the streaming answer is aria-busy until complete",
    "input has a label ('Your question'); every button and link has an accessible name",
    "citation markers are links named 'source n' to their citation",
    "citation links say '(opens in a new tab)' and use rel=noopener noreferrer",
    "errors are role=alert with a 'Try again' button",
    "focus moves to the input on open and back to the launcher on Escape or Close",
    "keyboard focus is visible (3px outline)",
    "text contrast at least 4.5:1 (launcher, messages, citations, muted text)",
    "prefers-reduced-motion turns animations off",
    "phone width: full-screen panel, aria-modal, focus kept inside, 44px targets, 16px input",
]


def test_accessibility(widget: Widget, artifacts: Path) -> None:
    page = widget.page
    expect(widget.launcher).to_have_attribute("aria-expanded", "false")
    expect(widget.launcher).to_have_attribute("aria-haspopup", "dialog")
    assert widget.launcher.get_attribute("aria-controls") == "casebook-panel"
    widget.open()
    expect(widget.dialog).to_have_accessible_description(
        "Answers quote London's social prescribing case studies and link to each one.")
    log = page.get_by_role("log", name="Conversation")
    expect(log).to_have_attribute("aria-live", "off")
    status = page.get_by_role("status")

    # aria-busy lasts only while the answer streams: record it as the answer appears
    page.evaluate("""() => { window.__casebookBusy = [];
      new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => {
        if (n.classList && n.classList.contains('casebook-msg-assistant'))
          window.__casebookBusy.push(n.getAttribute('aria-busy'));
      }))).observe(document.querySelector('.casebook-log'), {childList: true}); }""")
    answer = widget.ask(ONE_PLACE)
    assert page.evaluate("() => window.__casebookBusy") == ["true"]
    expect(answer).not_to_have_attribute("aria-busy", "true")
    expect(status).to_contain_text("Muslim community")
    expect(status).to_contain_text(re.compile(r"\b\d+ sources?\."))
    assert "[1]" not in status.inner_text()
    expect(answer.get_by_role("link", name="source 1").first).to_have_attribute(
        "href", "#casebook-cite-1-1")
    expect(answer.get_by_role("link").filter(has_text="opens in a new tab").first).to_be_visible()

    nameless = page.evaluate("""() => [...document.querySelectorAll(
        '.casebook-root button, .casebook-root a, .casebook-root input')]
      .filter((el) => !(el.getAttribute('aria-label') || el.textContent.trim() ||
                        (el.labels && el.labels.length)))
      .map((el) => el.outerHTML)""")
    assert nameless == []

    for selector in [".casebook-launcher-label", ".casebook-title", ".casebook-intro",
                     ".casebook-msg-user .casebook-text", ".casebook-answer",
                     ".casebook-cite-title", ".casebook-cite-section", ".casebook-sources-label"]:
        ratio = contrast(page, selector)
        assert ratio >= 4.5, f"{selector}: contrast {ratio:.2f}"

    (artifacts / "widget-aria.yaml").write_text(widget.dialog.aria_snapshot(), encoding="utf-8")
    page.emulate_media(reduced_motion="reduce")
    assert page.eval_on_selector(".casebook-panel",
                                 "(el) => getComputedStyle(el).animationName") == "none"


def test_rate_limit_is_shown_politely(page: Page, index_settings: Settings, searcher: Searcher,
                                      server_thread: Any) -> None:
    settings = index_settings.model_copy(update={"rate_limit_per_minute": 1})
    with server_thread(create_app(settings, searcher=searcher)) as server:
        page.goto(server.url + "/")
        widget = Widget(page)
        widget.open()
        widget.ask(MUSLIM)
        refused = widget.ask("What helps young people's mental health?", state="error")
        alert = refused.get_by_role("alert")
        expect(alert).to_contain_text("Lots of questions at once")
        expect(alert).to_contain_text("Try again in")
        expect(refused.get_by_role("button", name="Try again")).to_be_visible()
        # the failed question is not part of the conversation the next request sends
        page.close()


PLANTED_TITLE = 'Vaccine outreach at the mosque <img src=x onerror="window.__pwned=1">'
PLANTED_SCRIPT = "<script>window.__pwned=2</script>"
PLANTED_CASES = [
    {"id": "planted", "title": PLANTED_TITLE, "section": "<b>Planted</b> section",
     "url": "javascript:window.__pwned=3", "boroughs": ["Hounslow"],
     "text": f"{PLANTED_TITLE}\n\nLink workers visited the mosque after Friday prayers to talk "
             f"about Covid-19 vaccine worries {PLANTED_SCRIPT} and answered questions about the "
             "vaccine's ingredients. Imams shared vaccine facts with worshippers."},
    {"id": "gardening", "title": "Community gardening for wellbeing", "section": "Wellbeing",
     "url": "https://example.org/gardening", "boroughs": [],
     "text": "Community gardening for wellbeing\n\nResidents grew vegetables together on an "
             "estate allotment, which eased loneliness and improved mood."},
    {"id": "debt", "title": "Debt advice in GP surgeries", "section": "Wellbeing",
     "url": "https://example.org/debt", "boroughs": [],
     "text": "Debt advice in GP surgeries\n\nA money adviser met patients in the surgery and "
             "helped them claim benefits and deal with debt."},
]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, server_thread: Any,
          host_site: Any) -> Iterator[tuple[str, str, str]]:
    """(service, allowed site, stranger site): the service over a corpus with markup and
    scripts planted in a case study, allowing calls from one other site but not another."""
    root = tmp_path_factory.mktemp("planted")
    (root / "corpus").mkdir()
    (root / "corpus" / "case_studies.jsonl").write_text(
        "".join(json.dumps(case) + "\n" for case in PLANTED_CASES), encoding="utf-8")
    with host_site() as partner, host_site() as stranger:
        settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index",
                            cors_origins=[partner.origin], rate_limit_per_minute=0)
        build_index(settings, embedder, progress=False)
        app = create_app(settings, searcher=Searcher.open(settings, embedder))
        with server_thread(app) as server:
            partner.embed(server.url)
            stranger.embed(server.url)
            yield server.url, partner.origin, stranger.origin


def test_markup_from_the_corpus_or_the_user_stays_text(page: Page,
                                                       sites: tuple[str, str, str]) -> None:
    service, partner, _ = sites
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(partner + "/")
    widget = Widget(page)
    widget.open()
    answer = widget.ask("How did link workers talk to the mosque about vaccine worries?")
    typed = '<img src=x onerror="window.__pwned=4"><b>bold</b> vaccine at the mosque?'
    second = widget.ask(typed)

    assert page.evaluate("() => window.__pwned") is None
    root = page.locator(".casebook-root")
    for tag in ["img", "script", "b"]:
        expect(root.locator(tag)).to_have_count(0)
    expect(page.locator(".casebook-msg-user .casebook-text").last).to_have_text(typed)
    assert PLANTED_SCRIPT in answer.locator(".casebook-answer").inner_text()
    title = answer.locator(".casebook-cite-title").first
    expect(title).to_have_text(PLANTED_TITLE)
    assert title.evaluate("(el) => el.tagName") == "SPAN", "a javascript: URL must not be a link"
    expect(answer.locator(".casebook-cite-section").first).to_have_text("<b>Planted</b> section")
    expect(second.locator(".casebook-cite-title").first).to_have_text(PLANTED_TITLE)
    title.click()
    assert page.evaluate("() => window.__pwned") is None

    # one tag, and the page talks to no one but its own site and the Casebook service
    assert [url for url in requests if not url.startswith((partner + "/", service + "/"))] == []


def test_a_site_off_the_allow_list_is_refused(page: Page, sites: tuple[str, str, str]) -> None:
    _, _, stranger = sites
    page.goto(stranger + "/")
    widget = Widget(page)
    widget.open()
    refused = widget.ask("vaccine at the mosque?", state="error")
    expect(refused.get_by_role("alert")).to_have_text(
        "Could not reach Casebook. Check your connection and try again.")


def test_timings(page: Page, live_server: str, artifacts: Path) -> None:
    """Enter to first streamed text and to complete answer, against GET /v1/search, in-browser
    (bench/widget_latency.py runs the same against any running server)."""
    page.goto(live_server + "/")
    report = bench.measure(page, live_server)
    (artifacts / "widget_timings.json").write_text(json.dumps(report, indent=2) + "\n",
                                                   encoding="utf-8")
    print("\n" + bench.describe(report))
    rows = report["questions"]
    assert len(rows) == len(bench.QUESTIONS)
    assert all(0 < r["first_text_ms"] <= r["complete_ms"] for r in rows)
    assert report["median"]["complete_ms"] < 5000
    assert report["widget_js_bytes"] < 20_000, "the widget should stay small"
