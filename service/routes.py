"""HTTP routes: parse the request, call the Searcher, shape the response."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from casebook.index.answering.ask import ask as ask_question
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Answer
from casebook.service.compute import Compute
from casebook.service.errors import error_response, public
from casebook.service.observe import record_answer, record_generation
from casebook.service.schemas import (
    AskRequest,
    AskResponse,
    CaseStudyFull,
    CaseStudyList,
    CaseStudySummary,
    ErrorResponse,
    ResultOut,
    SearchResponse,
    SimilarResponse,
    SimilarTextRequest,
    UsableText,
)
from casebook.service.state import SearcherSlot
from casebook.service.timing import took_ms

router = APIRouter()
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (404, 422, 503)}


async def searcher(request: Request) -> Searcher:
    # async: FastAPI would run a plain function in the threadpool, one more thread hop a request
    slot: SearcherSlot = request.app.state.slot
    return slot.get()


SearcherDep = Annotated[Searcher, Depends(searcher)]


async def compute_lane(request: Request) -> Compute:
    lane: Compute = request.app.state.compute
    return lane


ComputeDep = Annotated[Compute, Depends(compute_lane)]


def json_body(model: BaseModel) -> bytes:
    return model.model_dump_json().encode()


async def off_loop(lane: Compute, work: Callable[[], BaseModel]) -> Response:
    """`work()`'s response, computed and serialised in a worker thread of the compute lane
    (service/compute.py), never on the event loop.

    One hop: FastAPI runs a plain `def` endpoint in the threadpool and then validates and
    serialises what it returned in a second hop (a copy of every field, and a second wait for a
    thread under load). The models here are valid by construction; `response_model` still
    documents them."""
    body = await lane.run(lambda: json_body(work()))
    return Response(body, media_type="application/json")


@router.get("/healthz", tags=["ops"])
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["ops"], responses={503: {"model": ErrorResponse}})
def readyz(request: Request) -> JSONResponse:
    slot: SearcherSlot = request.app.state.slot
    if slot.draining:
        return error_response(503, "draining", "The server is shutting down.",
                              "Send requests to another instance.", headers={"Retry-After": "5"})
    if slot.ready:
        manifest = slot.get().stored.manifest
        body: dict[str, object] = {
            "status": "ready", "build": slot.build, "model": manifest.model,
            "case_studies": manifest.case_studies, "passages": manifest.passages,
            "built_at": manifest.created_at}
        if slot.failure is not None:
            # still serving the build above; say that a newer one did not load
            body["reload_failed"] = {"build": slot.failure.build, "code": slot.failure.error.code,
                                     "message": public(slot.failure.error.message)}
        return JSONResponse(body)
    slot.get()  # raises IndexNotReady, rendered as a 503 with the reason
    raise AssertionError("unreachable")


@router.get("/v1/search", response_model=SearchResponse, tags=["search"], responses=ERRORS)
async def search(
    s: SearcherDep,
    lane: ComputeDep,
    q: Annotated[UsableText, Query(description="The question or keywords.")] = "",
    k: Annotated[int, Query(description="How many case studies to return.")] = 10,
    section: Annotated[str | None, Query(description="Only this section.")] = None,
    borough: Annotated[str | None, Query(description="Only case studies naming this borough.")] = None,
    mode: Annotated[str, Query(description="hybrid, dense or bm25.")] = "hybrid",
    theme: Annotated[str | None, Query(
        description="Only case studies with this theme (an id from casebook/data/themes.json).")] = None,
    explain: Annotated[bool, Query(description="Add each result's raw signals.")] = False,
) -> Response:
    def work() -> SearchResponse:
        start = time.perf_counter()
        results, scored = s.search_scored(q, k, section=section, borough=borough, mode=mode,
                                          theme=theme)
        out = [ResultOut.of(r) for r in results]
        if explain:
            for item, result in zip(out, results):
                item.explain = s.explain(scored, result.passages[0].passage.id)
        return SearchResponse(query=q, took_ms=took_ms(start), results=out)

    return await off_loop(lane, work)


@router.post("/v1/ask", response_model=AskResponse, tags=["search"], responses=ERRORS)
async def ask(body: AskRequest, s: SearcherDep, lane: ComputeDep, request: Request) -> Response:
    writer = request.app.state.writer

    def work() -> tuple[Answer, float, bytes]:
        start = time.perf_counter()
        answer = ask_question(s, body.question)
        out = json_body(AskResponse.of(answer, took_ms(start))) if writer is None else b""
        return answer, start, out

    answer, start, out = await lane.run(work)
    if writer is not None:  # the model writes it, off the compute lane: it only waits
        written = await writer.write(answer, body.question)
        record_generation(request, written)
        answer = written.answer
        out = json_body(AskResponse.of(answer, took_ms(start)))
    record_answer(request, answer)
    return Response(out, media_type="application/json")


@router.get("/v1/case-studies", response_model=CaseStudyList, tags=["case studies"],
            responses=ERRORS)
async def case_studies(s: SearcherDep, lane: ComputeDep) -> Response:
    def work() -> CaseStudyList:
        items = [CaseStudySummary.of(c) for c in s.case_studies()]
        return CaseStudyList(count=len(items), case_studies=items)

    return await off_loop(lane, work)


@router.get("/v1/case-studies/{case_id}", response_model=CaseStudyFull, tags=["case studies"],
            responses=ERRORS)
async def case_study(case_id: str, s: SearcherDep, lane: ComputeDep) -> Response:
    return await off_loop(lane, lambda: CaseStudyFull.of(s.get(case_id)))


@router.get("/v1/case-studies/{case_id}/similar", response_model=SimilarResponse,
            tags=["case studies"], responses=ERRORS)
async def similar(case_id: str, s: SearcherDep, lane: ComputeDep, k: int = 5) -> Response:
    def work() -> SimilarResponse:
        start = time.perf_counter()
        results = s.similar(case_id, k)
        return SimilarResponse(results=[ResultOut.of(r) for r in results], took_ms=took_ms(start))

    return await off_loop(lane, work)


@router.post("/v1/similar", response_model=SimilarResponse, tags=["case studies"],
             responses=ERRORS)
async def similar_text(body: SimilarTextRequest, s: SearcherDep, lane: ComputeDep) -> Response:
    def work() -> SimilarResponse:
        start = time.perf_counter()
        results, notice = s.similar_text_noticed(body.text, body.k)
        return SimilarResponse(results=[ResultOut.of(r) for r in results],
                               took_ms=took_ms(start), notice=notice)

    return await off_loop(lane, work)
