"""Pydantic shapes of the HTTP API (the contract in DESIGN.md)."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from casebook.index.retrieval.queries import MEANINGFUL
from casebook.records import Answer, AnswerItem, CaseResult, CaseStudy, Passage


class CaseStudySummary(BaseModel):
    id: str
    title: str
    url: str
    section: str
    boroughs: list[str]
    themes: list[str] = Field(default_factory=list,
                              description="Theme ids, by the rule in casebook/data/themes.json.")

    @classmethod
    def of(cls, case: CaseStudy) -> CaseStudySummary:
        return cls(id=case.id, title=case.title, url=case.url, section=case.section,
                   boroughs=list(case.boroughs), themes=list(case.themes))


class CaseStudyFull(CaseStudySummary):
    text: str
    sources: list[str]

    @classmethod
    def of(cls, case: CaseStudy) -> CaseStudyFull:
        return cls(id=case.id, title=case.title, url=case.url, section=case.section,
                   boroughs=list(case.boroughs), themes=list(case.themes), text=case.text,
                   sources=list(case.sources))


class PassageOut(BaseModel):
    id: str
    text: str
    score: float | None = None

    @classmethod
    def of(cls, passage: Passage, score: float | None = None) -> PassageOut:
        return cls(id=passage.id, text=passage.text, score=score)


class ResultOut(BaseModel):
    case_study: CaseStudySummary
    score: float = Field(..., description="Calibrated relevance in [0, 1], one scale everywhere.")
    passages: list[PassageOut]
    explain: dict[str, float] | None = Field(
        None, description="With explain=true: the raw views of the best passage (bm25, "
        "minilm_*, e5_*, borough), its fused score and the query-level calibration features.")

    @classmethod
    def of(cls, result: CaseResult) -> ResultOut:
        return cls(case_study=CaseStudySummary.of(result.case_study), score=result.score,
                   passages=[PassageOut.of(h.passage, h.score) for h in result.passages])


class SearchResponse(BaseModel):
    query: str
    took_ms: float
    results: list[ResultOut]


class SimilarResponse(BaseModel):
    results: list[ResultOut]
    took_ms: float
    notice: str | None = Field(
        None, description="Set when the text is unlike every case study: the results are "
        "only the least unlike.")


# Request bodies are strict: "k": true or "stream": 0 is a mistake to report, not to coerce.
STRICT = ConfigDict(strict=True)


def _whole(value: object) -> object:
    """JSON's 3.0 is the integer 3 (JSON Schema says so); 3.5, "3" and true stay errors."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole)]

# Text the encoders can take, as one rule for the code and the OpenAPI document: no control
# character but white space (NUL and the like), and a character that can carry meaning and shows
# (MEANINGFUL less the zero-width and other format characters, Unicode's Cf, of the BMP: written
# as \u escapes, the pattern means the same in Python and in a JavaScript-style engine). Lone
# surrogates ("\ud800" in JSON) are no Unicode text at all and are refused as well.
CONTROLS = r"\x00-\x08\x0e-\x1f\x7f"


def _ranges(codes: list[int]) -> str:
    """`codes` (ascending) as a character class's body of \\u ranges."""
    spans: list[list[int]] = []
    for code in codes:
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in spans)


_FORMAT = _ranges([c for c in range(0xA1, 0x10000)
                   if unicodedata.category(chr(c)) == "Cf" and c != 0xFEFF])
VISIBLE = MEANINGFUL[:-1] + _FORMAT + "]"
TEXT_PATTERN = f"^[^{CONTROLS}]*{VISIBLE}[^{CONTROLS}]*$"  # q, question and text
CONTENT_PATTERN = rf"^[^{CONTROLS}]*\S[^{CONTROLS}]*$"  # a chat message: not blank
_CONTROL = re.compile(f"[{CONTROLS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MEANINGFUL = re.compile(MEANINGFUL)
_VISIBLE = re.compile(VISIBLE)


def usable(text: str) -> str:
    """`text` if the encoders can take it: valid Unicode, no control character but white space,
    and, where it holds a character that can carry meaning, one that shows (text with none at
    all is refused by the routes in their own words). ValueError (a 422) else: refused before
    it reaches the encoders' micro-batches."""
    if found := _SURROGATE.search(text):
        raise ValueError(f"not valid Unicode: it holds a lone surrogate "
                         f"(U+{ord(found[0]):04X}); send UTF-8")
    if found := _CONTROL.search(text):
        raise ValueError(f"holds a control character (U+{ord(found[0]):04X})")
    if _MEANINGFUL.search(text) and not _VISIBLE.search(text):
        raise ValueError("has no visible letters or digits, only invisible characters")
    return text


UsableText = Annotated[str, AfterValidator(usable)]


class AskRequest(BaseModel):
    model_config = STRICT
    question: UsableText = Field(..., description="A question in plain words.")


class SimilarTextRequest(BaseModel):
    model_config = STRICT
    text: UsableText = Field(..., description="A paragraph describing a project.")
    k: WholeNumber = Field(5, description="How many case studies to return.")


class CitationOut(BaseModel):
    case_study: CaseStudySummary
    passage: PassageOut


class SentenceOut(BaseModel):
    text: str
    citation: int | None = Field(
        None, description="1-based index into citations; null for a notice of Casebook's own.")


class ItemOut(BaseModel):
    case_study: CaseStudySummary
    label: str = Field("", description="What the case study's title says it is about, without "
                       "the source page's labels: a short name to show.")
    sentences: list[SentenceOut] = Field(
        default_factory=list, description="What the answer quotes from this case study.")

    @classmethod
    def of(cls, item: AnswerItem) -> ItemOut:
        return cls(case_study=CaseStudySummary.of(item.case_study), label=item.label,
                   sentences=[SentenceOut(text=s.text, citation=s.citation)
                              for s in item.sentences])


class AspectOut(BaseModel):
    label: str = Field(description="What the comparison sets side by side here: what the "
                       "question asks about (\"Funding for social prescribing\", \"Who\"), "
                       "\"The need\", \"What was done\", \"What came of it\" or "
                       "\"Other detail\".")
    items: list[ItemOut] = Field(
        default_factory=list, description="An entry for each compared case study whose summary "
        "says something of it, `label` naming it as the comparison does; its sentences are "
        "also in `items` and `sentences`.")


ShapeOut = Literal["fact", "list", "count", "where", "compare", "how", "describe", "open",
                   "chat"]
SHAPE_HELP = ("The question's shape, which decided the answer's: a fact in one case study, a "
              "list or count of every case study that matches, the boroughs, a comparison, what "
              "was done, one case study described, or open; chat: a greeting, thanks or a "
              "question about Casebook itself, answered with what to ask and citing nothing.")
MatchOut = Literal["answered", "related", "none"]
MATCH_HELP = ("answered: a case study covers the question; related: none does, the answer says "
              "so and cites the closest; none: outside what the case studies cover.")


GENERATED_HELP = ("true: the answer was written by the language model the deployment configured "
                  "(CASEBOOK_LLM_URL) from the cited passages, and every sentence passed the "
                  "citation check; false: the extractive answer (`generation.reason` says why).")


class GenerationOut(BaseModel):
    reason: str | None = Field(
        "off", description="Why the answer is not written by the model: off (no model "
        "configured), not_answerable (no case study covers the question: the model is not "
        "asked), breaker_open, timeout, unavailable, rate_limited, bad_reply, or checked_out "
        "(the citation check left too little); null when it is.")
    removed: int = Field(0, description="Sentences of the model's reply the citation check "
                         "removed (each lacked a citation, cited a passage not given, or held a "
                         "number, place or name none of its cited passages holds).")


class AskResponse(BaseModel):
    question: str
    answer: str
    found: bool
    confidence: float
    citations: list[CitationOut]
    took_ms: float
    match: MatchOut = Field("answered", description=MATCH_HELP)
    sentences: list[SentenceOut] = Field(
        default_factory=list, description="The answer's sentences in order; the first is the lead.")
    shape: ShapeOut = Field("open", description=SHAPE_HELP)
    items: list[ItemOut] = Field(
        default_factory=list, description="Lists, counts, borough questions and comparisons: one "
        "entry per case study, in order, with the sentences quoted from it (they are also in "
        "`sentences`).")
    aspects: list[AspectOut] = Field(
        default_factory=list, description="Comparisons: the same sentences set out aspect by "
        "aspect, in the order `answer` and `sentences` read them; empty for other shapes.")
    generated: bool = Field(False, description=GENERATED_HELP)
    generation: GenerationOut = Field(default_factory=GenerationOut)

    @classmethod
    def of(cls, answer: Answer, took_ms: float) -> AskResponse:
        return cls(
            question=answer.question, answer=answer.answer, found=answer.found,
            confidence=answer.confidence, took_ms=took_ms,
            citations=[CitationOut(case_study=CaseStudySummary.of(c.case_study),
                                   passage=PassageOut.of(c.passage)) for c in answer.citations],
            match=answer.match or ("answered" if answer.found else "none"),
            sentences=[SentenceOut(text=s.text, citation=s.citation) for s in answer.sentences],
            shape=answer.shape,
            items=[ItemOut.of(i) for i in answer.items],
            aspects=[AspectOut(label=a.label, items=[ItemOut.of(i) for i in a.items])
                     for a in answer.aspects],
            generated=answer.generated,
            generation=GenerationOut(reason=answer.generation or None,
                                     removed=len(answer.removed)),
        )


class CaseStudyList(BaseModel):
    count: int
    case_studies: list[CaseStudySummary]


class ErrorBody(BaseModel):
    code: str
    message: str
    hint: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ChatMessage(BaseModel):
    model_config = STRICT
    role: Literal["user", "assistant"]
    # never blank, the schema says as the code checks (a blank message was documented as valid)
    content: UsableText = Field(..., min_length=1, json_schema_extra={"pattern": CONTENT_PATTERN},
                                description="What was said (not blank).")
    case_studies: list[str] | None = Field(
        None, max_length=50, description="Assistant messages: the ids of the case studies that "
        "answer was about (its citations, in order), as /v1/chat returned them. A follow-up that "
        "points back (\"who funded it?\") is answered about these; where a client leaves them out, "
        "the server asks the earlier questions again to recover them.")


class ChatRequest(BaseModel):
    model_config = STRICT
    messages: list[ChatMessage] = Field(
        ..., description="The conversation so far, oldest first; the last is the user's question.")
    stream: bool | None = Field(
        None, description="false: one JSON response. Default: server-sent events, unless the "
        "Accept header asks for application/json only.")


class ChatResponse(AskResponse):
    """The answer to a conversation's last question: /v1/ask's shape, and what was searched."""

    question: str = Field(..., description="The last user message.")
    query: str = Field(
        ..., description="What was searched: the question in the conversation's context.")
    case_studies: list[str] = Field(
        default_factory=list, description="The ids of the cited case studies, first citation "
        "first: send them back as the `case_studies` of this answer's assistant message.")
