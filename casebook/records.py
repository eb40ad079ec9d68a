"""Typed records passed between pipeline stages; JSON-serialisable, never pickled."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

# An answer's match and shape: answering decides them (answering/match.py, shapes.py), the API
# reports them (service/schemas.py). A value answering adds or the API lacks is a type error.
AnswerMatch = Literal["answered", "related", "none"]
AnswerShape = Literal["fact", "list", "count", "where", "compare", "how", "describe", "open",
                      "chat"]


@dataclass(frozen=True)
class CaseStudy:
    """One case study as parsed from the source page (and the documents it links to)."""

    id: str  # stable: slug of the title (or of the linked URL), never a position
    title: str
    section: str
    url: str  # where a reader can see it: the linked page or PDF, else the section anchor
    text: str  # full text, title first, paragraphs separated by blank lines
    boroughs: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # absolute URLs of linked pages/PDFs whose text was merged in
    sources: tuple[str, ...] = ()  # every URL the text came from, the source page first
    themes: tuple[str, ...] = ()  # theme ids from casebook/data/themes.json, by its rule

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseStudy:
        return cls(
            id=data["id"],
            title=data["title"],
            section=data["section"],
            url=data["url"],
            text=data["text"],
            boroughs=tuple(data.get("boroughs", ())),
            links=tuple(data.get("links", ())),
            sources=tuple(data.get("sources", ())),
            themes=tuple(data.get("themes", ())),
        )


@dataclass(frozen=True)
class SourcePage:
    """The case studies page itself: where it is, its title and the paragraphs that open it
    before its first section (where it says what social prescribing is)."""

    url: str
    title: str
    intro: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourcePage:
        return cls(url=data["url"], title=data["title"], intro=tuple(data.get("intro", ())))


@dataclass(frozen=True)
class Passage:
    """A run of whole sentences from one case study: the unit that is embedded and retrieved."""

    id: str  # f"{case_id}#{ordinal}": stable while the case study's text is unchanged
    case_id: str
    ordinal: int
    text: str
    char_start: int  # offset of `text` in the case study's text
    title: str = ""
    section: str = ""

    @property
    def embed_text(self) -> str:
        """What the model sees: the passage in the context of its case study."""
        return f"{self.title}. {self.section}. {self.text}" if self.title else self.text

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Passage:
        return cls(**{f.name: data[f.name] for f in dataclasses.fields(cls) if f.name in data})


@dataclass(frozen=True)
class PassageHit:
    passage: Passage
    score: float


@dataclass(frozen=True)
class CaseResult:
    """One case study in a ranked result list, with the passages that matched best."""

    case_study: CaseStudy
    score: float
    passages: tuple[PassageHit, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Citation:
    case_study: CaseStudy
    passage: Passage


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citation: int | None  # 1-based index into the answer's citations; None for a notice


@dataclass(frozen=True)
class AnswerItem:
    """One case study in an answer that lists or compares several: shown as one list entry."""

    case_study: CaseStudy
    sentences: tuple[AnswerSentence, ...] = ()  # whole sentences, each with its citation
    label: str = ""  # what its title says it is about, without the source page's labels


@dataclass(frozen=True)
class AnswerAspect:
    """One thing a comparison sets its case studies side by side on ("Funding", "What was
    done"): an entry for each compared case study whose summary says something of it."""

    label: str
    items: tuple[AnswerItem, ...] = ()  # each labelled with what the comparison calls it


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    citations: tuple[Citation, ...]
    found: bool  # False: the honest "no case study about that" answer
    # calibrated score of the best case study (a follow-up answered about the case studies of
    # the answer before: its best passage's MiniLM cosine)
    confidence: float
    match: AnswerMatch | Literal[""] = ""  # found == (match == "answered")
    sentences: tuple[AnswerSentence, ...] = ()  # in order; the first is the lead
    coverage: float = 1.0  # share of the question's content the best case studies hold
    domain: float = 1.0  # best e5 cosine: how near the field of social prescribing it is
    # what answered / related / none was decided on (answering/evidence.py), and the two
    # probabilities the decision read ("p_domain", "p_answer")
    evidence: dict[str, float] = field(default_factory=dict)
    # the question's shape (answering/shapes.py): fact, list, count, where, compare, how,
    # describe or open; it decided the answer's shape
    shape: AnswerShape = "open"
    # lists, counts, borough questions and comparisons: one entry per case study, in order
    items: tuple[AnswerItem, ...] = ()
    # comparisons: the same sentences as `items`, set out aspect by aspect
    aspects: tuple[AnswerAspect, ...] = ()
    # written by a language model (index/generation/) and checked against its citations;
    # False: the extractive answer, and `generation` says why (off, not_answerable, timeout,
    # unavailable, rate_limited, bad_reply, checked_out, breaker_open)
    generated: bool = False
    generation: str = "off"
    removed: tuple[str, ...] = ()  # the model's sentences the citation check took out


@dataclass(frozen=True, eq=False)
class CaseRows:
    """How one index build's passages group into its case studies: what turns one score per
    passage into one per case study. Case row i is `case_order[i]`; passage row p belongs to
    case row `passage_case[p]`."""

    case_order: tuple[str, ...]
    passage_case: np.ndarray  # int, one per passage
    row_of: Mapping[str, int]  # case study id -> case row

    @classmethod
    def of(cls, case_order: Sequence[str], passage_case: np.ndarray) -> CaseRows:
        order = tuple(case_order)
        return cls(order, passage_case, {cid: i for i, cid in enumerate(order)})

    @property
    def cases(self) -> int:
        return len(self.case_order)


@dataclass(frozen=True)
class Scored:
    """Per-passage scores for one query (row i = passage i): what ranking and answering share,
    so neither runs a model on the query again nor reads the searcher's insides."""

    # MiniLM's query vector and cosines; None where a search in another language skipped
    # MiniLM (it reads English only). Answering always runs it.
    query_vector: np.ndarray | None
    dense: np.ndarray | None
    lexical: np.ndarray
    final: np.ndarray
    # every raw view that ran (name -> per-passage score), the query-level features the
    # calibration read, and the fused score before calibration
    signals: dict[str, np.ndarray] = field(default_factory=dict)
    features: dict[str, float] = field(default_factory=dict)
    fused: np.ndarray | None = None
    e5_vector: np.ndarray | None = None  # None where the cascade did not call e5
    english: bool = True
    # the query as the views read it (acronyms spelled out, typos corrected)
    normalised: str = field(kw_only=True)
    rows: CaseRows = field(kw_only=True)  # the build's passages -> case studies
