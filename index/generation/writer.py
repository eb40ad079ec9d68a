"""Writing an answer with the model: decide whether to ask it, ask it, check its reply, and
give the answer to show (written, or the extractive one with the reason it was kept).

Casebook has already answered extractively and decided `match`: only an answered question
with citations goes to the model, whatever the question says of itself. Any failure of the
model (down, slow past the deadline, rate-limited, garbage) and a reply the check leaves too
little of give the extractive answer, never an error.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncGenerator, Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from casebook.gazetteer import Gazetteer, london
from casebook.index.generation.breaker import Breaker
from casebook.index.generation.check import Checked, check
from casebook.index.generation.client import ChatClient, ModelFailure, Usage
from casebook.index.generation.prompt import messages, sources
from casebook.index.retrieval.language import is_english
from casebook.records import Answer, AnswerSentence
from casebook.settings import Settings

log = logging.getLogger("casebook.generation")

T = TypeVar("T")

REASONS = ("not_answerable", "breaker_open", "timeout", "unavailable", "rate_limited", "bad_reply",
           "checked_out")


@dataclass
class Written:
    """What one answer's generation came to."""

    answer: Answer  # the one to show: generated, or the extractive one with `generation` set
    called: bool = False  # the model was asked
    failed: bool = False  # ...and did not answer (the breaker counted it)
    seconds: float = 0.0  # the call, first byte sent to last received
    usage: Usage = field(default_factory=Usage)
    checked: Checked | None = None

    @property
    def reason(self) -> str:
        return self.answer.generation


def written(answer: Answer, checked: Checked) -> Answer:
    """The answer with the checked reply as its text: each kept sentence cited by the first
    passage it names (all of them stay in the text); no items or aspects, the reply is prose."""
    return dataclasses.replace(
        answer, answer=checked.text, generated=True, generation="", items=(), aspects=(),
        sentences=tuple(AnswerSentence(k.plain, k.cites[0]) for k in checked.kept),
        removed=tuple(r.text for r in checked.removed))


def kept_back(answer: Answer, reason: str, checked: Checked | None = None) -> Answer:
    removed = tuple(r.text for r in checked.removed) if checked is not None else ()
    return dataclasses.replace(answer, generated=False, generation=reason, removed=removed)


class Writer:
    """One per app: the client (its pooled connections) and the breaker live here."""

    def __init__(self, settings: Settings, gazetteer: Gazetteer | None = None,
                 client: ChatClient | None = None) -> None:
        self.settings = settings
        self.gazetteer = gazetteer or london()
        self.client = client or ChatClient(settings)
        self.breaker = Breaker(settings.llm_breaker_failures, settings.llm_breaker_open_s)

    def draft(self, answer: Answer, question: str,
              conversation: Sequence[Mapping[str, object] | object] = ()) -> Draft:
        return Draft(self, answer, question, conversation)

    async def write(self, answer: Answer, question: str,
                    conversation: Sequence[Mapping[str, object] | object] = ()) -> Written:
        draft = self.draft(answer, question, conversation)
        async for _ in draft.pieces():
            pass
        return draft.written

    async def aclose(self) -> None:
        await self.client.aclose()


def answerable(answer: Answer) -> bool:
    """Only what Casebook answered goes to the model: never a "none" or "related" question."""
    return answer.found and answer.match in ("answered", "") and bool(answer.citations)


class Draft:
    """One answer being written: iterate `pieces()` for the model's text as it comes; then
    `written` holds the outcome (set even when nothing came)."""

    def __init__(self, writer: Writer, answer: Answer, question: str,
                 conversation: Sequence[Mapping[str, object] | object]) -> None:
        self.writer = writer
        self.answer = answer
        self.question = question
        self.conversation = conversation
        self.written = Written(kept_back(answer, "not_answerable"))

    async def pieces(self) -> AsyncGenerator[str, None]:
        writer = self.writer
        if not answerable(self.answer):
            return
        attempt = writer.breaker.attempt()
        if attempt is None:
            self.written = Written(kept_back(self.answer, "breaker_open"))
            return
        english = is_english(self.question)
        numbered = sources(self.answer.citations)
        sent = messages(self.question, numbered, self.conversation, english)
        usage = Usage()
        started = time.perf_counter()
        parts: list[str] = []
        try:
            async for piece in writer.client.stream(sent, usage):
                parts.append(piece)
                yield piece
        except ModelFailure as failure:
            writer.breaker.failed(attempt, failure.reason)
            log.info("written answer fell back: %s", failure)
            self.written = Written(kept_back(self.answer, failure.reason), called=True,
                                   failed=True, seconds=time.perf_counter() - started, usage=usage)
            return
        except BaseException:  # cancelled (the client left): the probe must not stay taken
            writer.breaker.abandoned(attempt)
            raise
        writer.breaker.succeeded(attempt)
        seconds = time.perf_counter() - started
        checked = check("".join(parts), numbered, english, writer.gazetteer)
        if not checked.kept or checked.share < writer.settings.llm_min_kept:
            shown = kept_back(self.answer, "checked_out", checked)
        else:
            shown = written(self.answer, checked)
        self.written = Written(shown, called=True, seconds=seconds, usage=usage, checked=checked)


def blocking(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`work()` run to its end on an event loop of its own, in a thread of its own, for callers
    without one (the CLI, evaluation): they may be inside someone else's loop (a notebook's, a
    test runner's), where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1, thread_name_prefix="casebook-generation") as pool:
        return pool.submit(lambda: asyncio.run(work())).result()
