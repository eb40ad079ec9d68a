"""POST /v1/chat: a conversation in, a cited answer out, streamed as server-sent events or JSON."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from functools import partial
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from casebook.errors import BadQuery, CasebookError
from casebook.index.answering.ask import ask_conversation
from casebook.index.retrieval.queries import validate_query
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Answer
from casebook.service.compute import Compute
from casebook.service.errors import error_body
from casebook.service.observe import record_answer, record_generation
from casebook.service.routes import ERRORS, ComputeDep, SearcherDep
from casebook.service.schemas import AskResponse, ChatMessage, ChatRequest, ChatResponse
from casebook.service.timing import took_ms
from casebook.settings import Settings

if TYPE_CHECKING:
    from casebook.index.generation.writer import Writer, Written

log = logging.getLogger("casebook.service")
router = APIRouter()

WORDS_PER_DELTA = 3
PIECE = re.compile(r"\S+\s*")
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
# what `done` carries of /v1/ask's shape (the citations came before it); `answer` too: a model's
# streamed reply may hold sentences the citation check then removed
DONE_FIELDS = {"answer", "found", "match", "sentences", "shape", "items", "aspects", "generated",
               "generation"}
DONE_HELP = ("Events: delta {text} (pieces of the answer as they come, plain text, even when the "
             "answer has items), citations {citations}, done {answer, found, match, sentences, "
             "shape, items, aspects, generated, generation, case_studies, took_ms, query}, or "
             "error "
             "{error}. Show `answer` from done in place of the deltas: with a model configured "
             "the deltas are its reply as written, and done's answer is what the citation check "
             "kept (or the extractive answer, if too little was kept). Send `case_studies` back "
             "on the assistant message of the next request, so a follow-up that points back "
             "(\"who funded it?\") is answered about them.")


def checked_messages(body: ChatRequest, settings: Settings) -> list[ChatMessage]:
    """The messages the answer reads (the newest chat_max_messages); BadQuery if unusable."""
    if not body.messages:
        raise BadQuery("The conversation has no messages.",
                       hint='Send {"messages": [{"role": "user", "content": "your question"}]}.')
    messages = body.messages[-settings.chat_max_messages:]
    if messages[-1].role != "user":
        raise BadQuery("The last message must be the user's question.",
                       hint="End the conversation with a message whose role is \"user\".")
    validate_query(messages[-1].content, settings.max_query_chars, what="question")
    for message in messages[:-1]:
        if not message.content.strip():  # as the document says: no message is blank
            raise BadQuery("An earlier message is blank.",
                           hint="Leave it out, or send what was said.")
        if message.role == "user" and len(message.content) > settings.max_query_chars:
            raise BadQuery(f"An earlier question is over {settings.max_query_chars} characters.",
                           hint="Shorten it, or start a new conversation.")
    return messages


def pieces(text: str, words: int = WORDS_PER_DELTA) -> list[str]:
    """`text` in runs of a few words; joined, they give `text` back exactly."""
    tokens = PIECE.findall(text)
    head = text[: len(text) - len(text.lstrip())]
    runs = ["".join(tokens[i:i + words]) for i in range(0, len(tokens), words)]
    if runs and head:
        runs[0] = head + runs[0]
    return runs or ([text] if text else [])


def cited_case_studies(answer: Answer) -> list[str]:
    """The ids of the case studies the answer cites, first citation first: what a client sends
    back on its assistant message so a follow-up that points back is answered about them."""
    return list(dict.fromkeys(c.case_study.id for c in answer.citations))


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def event_stream(searcher: Searcher, messages: list[ChatMessage], lane: Compute,
                       on_answer: Callable[[Answer], None] | None = None,
                       writer: Writer | None = None,
                       on_written: Callable[[Written], None] | None = None) -> AsyncIterator[str]:
    """Retrieval first (in the compute lane), then the answer text in pieces (the model's as it
    writes, when one is configured), citations, done."""
    start = time.perf_counter()
    try:
        query, answer = await lane.run(partial(ask_conversation, searcher, messages))
    except CasebookError as exc:
        yield sse("error", error_body(exc.code, exc.message, exc.hint))
        return
    except Exception:  # the stream has started: report, never break the connection
        log.exception("chat answer failed")
        yield sse("error", error_body("internal_error", "Something went wrong while answering.",
                                      "Try again; if it persists, tell the site's owner."))
        return
    streamed = False
    if writer is not None:
        draft = writer.draft(answer, messages[-1].content.strip(), messages)
        # closed with the response: a client that leaves stops the model's reply too
        async with aclosing(draft.pieces()) as written:
            async for piece in written:
                streamed = True
                yield sse("delta", {"text": piece})
        answer = draft.written.answer
        if on_written is not None:
            on_written(draft.written)
    if on_answer is not None:
        on_answer(answer)
    if not streamed:  # extractive: its text in pieces (done carries it whole, as ever)
        for piece in pieces(answer.answer):
            yield sse("delta", {"text": piece})
            await asyncio.sleep(0)  # let the server flush each piece as its own chunk
    shaped = AskResponse.of(answer, 0)
    yield sse("citations", {"citations": [c.model_dump() for c in shaped.citations]})
    yield sse("done", {**shaped.model_dump(include=DONE_FIELDS), "took_ms": took_ms(start),
                       "query": query, "case_studies": cited_case_studies(answer)})


def wants_stream(body: ChatRequest, request: Request) -> bool:
    if body.stream is not None:
        return body.stream
    accept = request.headers.get("accept", "")
    return not ("application/json" in accept and "text/event-stream" not in accept)


@router.post(
    "/v1/chat", tags=["search"], response_model=ChatResponse,
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": DONE_HELP}},
)
async def chat(body: ChatRequest, request: Request, s: SearcherDep,
               lane: ComputeDep) -> StreamingResponse | JSONResponse:
    """Answer the conversation's last question, using the earlier ones for context.

    A follow-up that points back ("who funded it?") is answered about the case studies the
    conversation was about: those each assistant message carries in `case_studies` (as the
    previous answer returned them), or, where a client leaves them out, those the earlier
    questions find when asked again. Lists, counts, borough questions and comparisons come
    with `items`, one per case study, for a client to show as a list."""
    messages = checked_messages(body, request.app.state.settings)
    writer: Writer | None = request.app.state.writer
    if wants_stream(body, request):
        return StreamingResponse(event_stream(s, messages, lane, partial(record_answer, request),
                                              writer, partial(record_generation, request)),
                                 media_type="text/event-stream",
                                 headers=SSE_HEADERS)
    start = time.perf_counter()
    query, answer = await lane.run(partial(ask_conversation, s, messages))
    if writer is not None:
        written = await writer.write(answer, messages[-1].content.strip(), messages)
        record_generation(request, written)
        answer = written.answer
    record_answer(request, answer)
    ask = AskResponse.of(answer, took_ms(start))
    response = ChatResponse(**{**ask.model_dump(), "question": messages[-1].content.strip()},
                            query=query, case_studies=cited_case_studies(answer))
    return JSONResponse(response.model_dump())
