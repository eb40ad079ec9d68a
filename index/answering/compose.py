"""Answers shaped like their questions: a count leads with its number, a list names every case
study that matches, a comparison sets the named ones side by side, "how did they" says what
was done (or that the summary does not say), a fact quotes the sentence that holds it.

Every sentence is either a whole sentence quoted from a case study (answering/prose.py) or one
built from the records (titles, boroughs, sections, counts); nothing is invented.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import pairwise
from urllib.parse import urlsplit

import numpy as np

from casebook.gazetteer import london
from casebook.index.answering import aspects
from casebook.index.answering.answer import (
    ENGLISH_SOURCES,
    covered_text,
    elsewhere_text,
    not_found_text,
    sentence_scores,
)
from casebook.index.answering.conversation import PlaceAsked
from casebook.index.answering.corpus_words import generic_words, question_words
from casebook.index.answering.evidence import Evidence
from casebook.index.answering.figures import Figure
from casebook.index.answering.lead import (
    MONEY,
    OUTCOME,
    PARTNER_ASKED,
    PARTNER_TOLD,
    AnswerType,
    answer_type,
    asks_how_long,
    asks_who_paid,
    holds,
    names_the_doer,
    pick_lead,
    problem_only,
)
from casebook.index.answering.match import Match
from casebook.index.answering.membership import holds_rarest, says_all, topic_stems
from casebook.index.answering.prose import (
    POINTING,
    case_studies,
    count_words,
    focus,
    is_title,
    join,
    leans_back,
    name,
    opens_on_connective,
    opens_on_first_name,
    opens_on_person,
    quoted,
    said_in,
    title_only,
    whole_focus,
    whole_sentence,
)
from casebook.index.answering.selection import (
    ACROSS_FLOOR,
    HOW_FLOOR,
    Keep,
    Selection,
    asked_words,
    boroughs_named,
    boroughs_said,
    fields_named,
    group_named,
    mentions,
    named_cases,
    scopes,
    select,
    topic_words,
)
from casebook.index.answering.shapes import (
    Shape,
    across_topic,
    acted_on,
    asks_across,
    leading_setting,
    predicate,
    question_shape,
    singular,
    where_clause,
    without_comparison,
)
from casebook.index.answering.subject import grammatical, is_clause, subject
from casebook.index.answering.tally import Asked, tally_asked, tally_sentences
from casebook.index.store import StoredIndex
from casebook.index.text.chunking import split_sentences
from casebook.index.text.terms import tokenize
from casebook.records import (
    Answer,
    AnswerAspect,
    AnswerItem,
    AnswerSentence,
    CaseResult,
    CaseStudy,
    Citation,
    Scored,
)
from casebook.regions import regions
from casebook.themes import Theme

HOW_MOST = 4  # case studies a how-question across case studies quotes
COMPARE_MOST = 4
SINGLE_SENTENCES = 2  # a fact or an open question: the lead and one more from its case study
DESCRIBE_SENTENCES = 4
_WHICH_BOROUGHS = re.compile(r"^\s*(?:which|what)\s+(?:london\s+)?(?:boroughs?|areas?|places?)\s+"
                             r"(?P<rest>.+?)\s*[?.!]*\s*$", re.I)
_COUNT_KIND = re.compile(r"^\s*how\s+many\s+(?P<kind>[\w’'&-]+(?:\s+[\w’'&-]+){0,3}?)\s+case\s+"
                         r"stud(?:y|ies)\s+are\s+there\b", re.I)
# an auxiliary then its subject: the question's own inversion ("was that in?"), no predicate
_AUX_SUBJECT = re.compile(r"^(?:do|does|did|have|has|are|is|were|was|can|could)\s+(?:the|this|"
                          r"these|that|those|it|they|he|she|you|we|i|any|case|there)\b", re.I)


@dataclass
class Context:
    """What every shape of answer reads: the question, its views, the stored sentences, and
    what was decided about it; then, as they are read, its sentences' relevance."""

    question: str
    scored: Scored
    ranked: Sequence[CaseResult]  # every case study the answer may draw on, best first
    stored: StoredIndex
    sections: Sequence[str]
    boroughs: Sequence[str]
    match: Match = "answered"
    evidence: Evidence | None = None  # None: decided without it (a follow-up that points back)
    relevance: dict[int, float] = field(default_factory=dict)
    shares: dict[int, float] = field(default_factory=dict)
    # a list about a topic alone: each case study's P(about it), and the floor a list keeps
    # (answering/membership.py); None: the calibrated score decides
    members: dict[str, float] | None = None
    member_floor: float = 0.5
    # a list read in the case studies' words where the question's were none of theirs: each
    # (asker's word, the word read in its place), said in the answer
    reworded: Sequence[tuple[str, str]] = ()
    # a list read as the themes its topic is near in meaning (no case study says the topic in
    # the asker's words), one group per part of the topic, a listed case study carrying a
    # theme of each: said in the answer, and each listed case study quoted where it says one
    # of the themes' terms
    themes: Sequence[Sequence[Theme]] = ()
    # a list that names a field and a topic: each case study's P(about the topic asked alone)
    field_members: dict[str, float] | None = None
    # case studies a "related" answer does not offer as closest: bare titles that bear on
    # nothing the question asks
    unoffered: frozenset[str] = frozenset()
    # what the case studies cover, as a "none" or "related" answer names it (Searcher.topics)
    topics: Sequence[str] = ()
    # case studies carrying a theme a word of the question's topic names: a "related" answer
    # offers them as closest where nothing scores near, rather than say none is close
    neighbours: frozenset[str] = frozenset()
    # a description asked of a name several case studies hold ("what does Age UK do?"): the
    # name, listed as the case studies that name it
    shared: Sequence[str] = ()
    # a list about a topic alone: the topic's stems as the asker says them, and each side's of
    # a topic "X or Y"; a listed case study is quoted by a sentence that says one of them
    topic: tuple[tuple[str, ...], ...] = ()
    # each side's stem the fewest case studies hold ("volunt" of "used volunteers"): where no
    # sentence says the whole topic, the one that says this is what puts the case study on it
    rarest: tuple[str, ...] = ()
    # the themes those stems name ("art": arts and creative activities)
    rarest_themes: Sequence[Theme] = ()
    # the question names the title of a case study that others outscored ("how have others
    # supported people with long Covid?": Merton's "long Covid-19 clinics"), now first: those
    # others share the question's other words, not what it names
    retitled: bool = False
    # the answer before a follow-up asking for more ("what else happened there?"): its
    # sentences are not quoted again while others remain
    shown: str = ""

    def rows(self, case_id: str) -> list[int]:
        return list(self.stored.sentence_rows.get(case_id, ()))

    def read(self, cases: Sequence[CaseResult]) -> None:
        """Score the sentences of `cases` against the question (no rank penalty: within an
        answer over several case studies each is quoted for itself)."""
        rows = [r for c in cases for r in self.rows(c.case_study.id) if r not in self.relevance]
        if not rows:
            return
        rank_of = {c.case_study.id: 0 for c in cases}
        studies = {c.case_study.id: c.case_study for c in cases}
        relevance, shares = sentence_scores(self.question, self.scored, rows, rank_of,
                                             self.stored, studies)
        self.relevance.update(relevance)
        self.shares.update(shares)


class Quotes:
    """The answer's citations and sentences, numbered as they are first cited, and the
    citation each listed case study's heading carries."""

    def __init__(self, stored: StoredIndex) -> None:
        self.stored = stored
        self.citations: list[Citation] = []
        self.marker: dict[str, int] = {}
        self.headings: dict[str, int] = {}

    def head(self, result: CaseResult, rows: Sequence[int] = ()) -> int:
        """Cite a listed case study for its heading: the passage of its first quoted sentence
        (`rows`), so a heading and its quote carry one number, else its best passage."""
        case = result.case_study
        passage = (self.stored.sentences[rows[0]].passage_id if rows else
                   result.passages[0].passage.id if result.passages else None)
        self.headings[case.id] = self.cite(case, passage)
        return self.headings[case.id]

    def cite(self, case: CaseStudy, passage_id: str | None = None) -> int:
        passage = (self.stored.passage_by_id[passage_id] if passage_id else
                   next(p for p in self.stored.passages if p.case_id == case.id))
        if passage.id not in self.marker:
            self.citations.append(Citation(case, passage))
            self.marker[passage.id] = len(self.citations)
        return self.marker[passage.id]

    def sentence(self, case: CaseStudy, row: int, follows: bool = False) -> AnswerSentence:
        """`follows`: the sentence is shown right after the one before it in the text."""
        stored = self.stored.sentences[row]
        return AnswerSentence(quoted(case, stored.char_start, stored.text, follows),
                              self.cite(case, stored.passage_id))


def _best_rows(ctx: Context, case: CaseStudy, n: int, kind_question: str = "",
               fact: bool = False) -> list[int]:
    """The case study's `n` most relevant sentences, the first holding the expected answer
    type where one nearly as relevant does; title lines left out; in the case's own order
    after the first. Two clauses of one sentence count once."""
    own = [r for r in ctx.rows(case.id) if not is_title(ctx.stored.sentences[r].text, case)]
    unseen = [r for r in own if not said_in(ctx.stored.sentences[r].text, ctx.shown)]
    own = unseen if ctx.shown and unseen else own
    if not own:
        return []
    texts = {r: ctx.stored.sentences[r].text for r in own}
    kind = answer_type(kind_question or ctx.question)
    shares = ctx.shares
    if fact and kind in ("date", "number", "name") and not any(ctx.shares[r] for r in own):
        # no sentence holds a word of the question's own ("when did it run?", "who runs it?"
        # of the case study a conversation is about): words cannot tell them apart, the date,
        # the figure or the name does
        shares = {r: 1.0 for r in own}
    # a case study on a list about "vaccinators" is quoted where it says "vaccinator", not by
    # its sentence nearest the whole question ("concerns about the vaccines")
    # a sentence that opens on a person ("she uses guided meditation") is not quoted alone
    # for it: a place put before it ("In Ealing, ...") does not say who she is
    saying = [r for r in own if says_all(ctx.topic, texts[r]) and not opens_on_person(texts[r])] \
        if ctx.topic else []
    if not saying and ctx.themes:
        # a list read as a theme: what puts the case study on it is a term of the theme
        saying = [r for r in own if any(t.pattern.search(texts[r]) for part in ctx.themes
                                        for t in part) and not opens_on_person(texts[r])]
    if not saying and ctx.rarest:
        saying = [r for r in own if says_all([(t,) for t in ctx.rarest], texts[r])
                  and not opens_on_person(texts[r])]
    if not saying and ctx.rarest_themes:
        # that rarest word names a theme ("art"): where the case study says one of its terms
        # ("creative activities"), not its sentence sharing a lighter word ("use" of a budget)
        saying = [r for r in own if any(t.pattern.search(texts[r]) for t in ctx.rarest_themes)
                  and not opens_on_person(texts[r])]
    lead = pick_lead(saying or own, ctx.relevance, shares, texts, kind, ctx.question)
    chosen = [lead] if lead is not None else []
    given = f"{ctx.question} {case.title}"
    if kind in TOLD_BY_ONE and chosen and n > 1 and not holds(kind, texts[chosen[0]], given):
        # the lead is the most relevant sentence but not the fact asked for; a sentence that
        # holds one ("Formally launched in April 2017" for "when did it officially open?")
        # follows it, or the answer would neither give the fact nor say the summary lacks it
        typed = next((r for r in sorted(own, key=lambda r: (-ctx.relevance[r], r))
                      if r not in chosen and holds(kind, texts[r], given)), None)
        if typed is not None:
            # a date or a figure asked of one case study leads ("When did it start?": "The
            # first ... link worker was in post in October 2019", not who oversees it)
            chosen = [typed, *chosen] if fact and kind in ("date", "number") \
                else [*chosen, typed]
    seen = {whole_sentence(case, ctx.stored.sentences[r].char_start, texts[r]) for r in chosen}
    for r in sorted(own, key=lambda r: (-ctx.relevance[r], r)):
        if len(chosen) >= n:
            break
        whole = whole_sentence(case, ctx.stored.sentences[r].char_start, texts[r])
        if r not in chosen and whole not in seen:
            chosen.append(r)
            seen.add(whole)
    return chosen[:1] + sorted(chosen[1:], key=lambda r: ctx.stored.sentences[r].char_start)


# A comparison reads aspect by aspect: for each case study, the need or the people it served,
# then what was done, then what came of it; an aspect a summary does not tell is passed over.
def _aspect_rows(ctx: Context, case: CaseStudy, n: int, asked: str | None = None
                 ) -> list[tuple[str, int]]:
    """Up to `n` sentences of `case`, each under the aspect it tells: the most relevant of each
    aspect in the aspects' order; where the comparison asks about one thing (`asked`: "Who",
    "Funding"), first the sentence that best tells it, as an answer to that alone would lead."""
    own = [r for r in ctx.rows(case.id) if not is_title(ctx.stored.sentences[r].text, case)]
    ranked = sorted(own, key=lambda r: (-ctx.relevance[r], r))
    texts = {r: ctx.stored.sentences[r].text for r in own}
    chosen: list[tuple[str, int]] = []
    # an aspect of its own ("What came of it") is told by its kind's sentence, picked below
    if asked and asked not in aspects.ORDER:
        lead = _asked_lead(ctx, own, texts, aspects.kind_asked(asked))
        chosen = [(asked, lead)] if lead is not None else []
    for label, tells in aspects.KINDS:
        row = next((r for r in ranked if r not in {c for _, c in chosen} and tells(texts[r])),
                   None)
        if row is not None and len(chosen) < n:
            chosen.append((label, row))
    wholes = {whole_sentence(case, ctx.stored.sentences[r].char_start, texts[r])
              for _, r in chosen}
    for r in ranked:
        whole = whole_sentence(case, ctx.stored.sentences[r].char_start, texts[r])
        if len(chosen) >= n:
            break
        if r not in {c for _, c in chosen} and whole not in wholes:
            chosen.append((aspects.kind_of(texts[r]), r))
            wholes.add(whole)
    return chosen


def _asked_lead(ctx: Context, own: Sequence[int], texts: dict[int, str],
                kind: AnswerType | None) -> int | None:
    """The sentence that best tells what a comparison asks of one case study; for a kind of
    fact ("When"), one that holds it, else none: "While the service is funded by Barnet CCG"
    is no answer to when it started."""
    lead = pick_lead(own, ctx.relevance, ctx.shares, texts, answer_type(ctx.question),
                     ctx.question)
    if kind is None or (lead is not None and holds(kind, texts[lead], ctx.question)):
        return lead
    ranked = sorted(own, key=lambda r: (-ctx.relevance[r], r))
    return next((r for r in ranked if holds(kind, texts[r], ctx.question)), None)


def _has_body(ctx: Context, case: CaseStudy) -> bool:
    return any(not is_title(ctx.stored.sentences[r].text, case) for r in ctx.rows(case.id))


def _plain(intro: Sequence[AnswerSentence], items: Sequence[AnswerItem],
           headings: dict[str, int]) -> str:
    """The answer as one text: the intro, then a line per item."""
    def said(sentences: Sequence[AnswerSentence]) -> str:
        return " ".join(s.text if s.citation is None else f"{s.text} [{s.citation}]"
                        for s in sentences)

    lines = [said(intro)] if intro else []
    for item in items:
        head = f"- {heading(item.case_study, item.label)} [{headings[item.case_study.id]}]"
        lines.append(f"{head} \u2014 {said(item.sentences)}" if item.sentences else head)
    return "\n".join(lines)


def in_sentence(case: CaseStudy) -> str:
    label, about = name(case), focus(case)
    return f"\u201c{about}\u201d" if label == about else f"\u201c{about}\u201d ({label})"


def heading(case: CaseStudy, about: str = "") -> str:
    """A case study as a list entry names it: its place or name, and what its title says
    (`about`, where the entry says it otherwise)."""
    label, about = name(case), about or focus(case)
    return f"\u201c{about}\u201d" if about.startswith(label) else f"{label}: \u201c{about}\u201d"


def _answer(ctx: Context, shape: Shape, intro: list[AnswerSentence], items: list[AnswerItem],
            quotes: Quotes, tail: Sequence[AnswerSentence] = ()) -> Answer:
    if not ctx.scored.english:
        tail = [*tail, AnswerSentence(ENGLISH_SOURCES, None)]
    sentences = [*intro, *(s for i in items for s in i.sentences), *tail]
    text = _plain(intro, items, quotes.headings)
    if tail:
        text += ("\n" if items else " ") + " ".join(s.text for s in tail)
    confidence, cover, domain, signals = _evidence(ctx)
    return Answer(ctx.question, text, tuple(quotes.citations), ctx.match == "answered",
                  confidence, ctx.match, tuple(sentences), cover, domain, signals, shape,
                  tuple(items))


def _set_out(answer: Answer, intro: int, sides: Sequence[AnswerAspect]) -> Answer:
    """A comparison's answer with its text and sentences in the order of its aspects (`sides`),
    between its `intro` first sentences and those after its items; as it was if it has none."""
    if not sides:
        return answer
    quoted = [s for a in sides for i in a.items for s in i.sentences]
    after = answer.sentences[intro + sum(len(i.sentences) for i in answer.items):]
    lines = [" ".join(s.text for s in answer.sentences[:intro]), *aspects.plain(sides)]
    if after:
        lines.append(" ".join(s.text for s in after))
    return replace(answer, answer="\n".join(lines),
                   sentences=(*answer.sentences[:intro], *quoted, *after), aspects=tuple(sides))


def _evidence(ctx: Context) -> tuple[float, float, float, dict[str, float]]:
    evidence = ctx.evidence
    if evidence is None:
        dense = ctx.scored.dense
        best = float(np.max(dense)) if dense is not None and len(dense) else 0.0
        return best, 1.0, 1.0, {}
    return evidence.score, evidence.coverage, evidence.domain, dict(evidence.features)


def _items(ctx: Context, cases: Sequence[CaseResult], quotes: Quotes, per_case: int,
           how: bool = False, in_order: bool = False) -> list[AnswerItem]:
    """`in_order`: each case study's sentences as its text has them (a description)."""
    ctx.read(cases)
    items = []
    for result in cases:
        case = result.case_study
        rows = _best_rows(ctx, case, per_case)
        first_leans = bool(rows) and leans_back(ctx.stored.sentences[rows[0]].text)
        rows = _with_antecedents(ctx, case, rows)
        if in_order or first_leans or (rows and leans_back(ctx.stored.sentences[rows[0]].text)):
            # "she was worried about him" after the sentence that says who she is
            rows = sorted(rows, key=lambda r: ctx.stored.sentences[r].char_start)
        heading_citation = quotes.head(result, rows)
        sentences = _quote_rows(ctx, quotes, case, rows)
        if how and sentences and _tells_only_need(ctx, case):
            sentences.append(_need_only(case, heading_citation))
        items.append(AnswerItem(case, tuple(sentences),
                                focus(case) if _has_body(ctx, case) else whole_focus(case)))
    return items


def _compared_items(ctx: Context, cases: Sequence[CaseResult], quotes: Quotes, per_case: int
                    ) -> tuple[list[AnswerItem], list[AnswerAspect]]:
    """Each compared case study's sentences, picked aspect by aspect and cited in the order
    the aspects are read, as an item per case study and as the aspects side by side."""
    ctx.read(cases)
    asked = _asked_aspect(ctx, cases)
    labels = aspects.order(asked)
    compared = []
    for result, who in zip(cases, _told_apart([r.case_study for r in cases])):
        case = result.case_study
        groups = aspects.grouped(_aspect_rows(ctx, case, per_case, asked),
                                 partial(_one_with_antecedents, ctx, case))
        quotes.head(result, next((groups[a] for a in labels if a in groups), []))
        compared.append((result, who[:1].upper() + who[1:], groups))
    said: dict[str, dict[str, tuple[AnswerSentence, ...]]] = {r.case_study.id: {}
                                                                for r, _, _ in compared}
    for label in labels:
        for result, _, groups in compared:
            if label in groups:
                said[result.case_study.id][label] = tuple(
                    _quote_rows(ctx, quotes, result.case_study, groups[label]))
            elif label == asked and groups and any(asked in g for _, _, g in compared):
                # what was asked, side by side: a summary silent on it is said to be
                said[result.case_study.id][label] = (AnswerSentence(SILENT, None),)
    items = [AnswerItem(r.case_study, tuple(s for a in labels
                                            for s in said[r.case_study.id].get(a, ())),
                        focus(r.case_study)) for r, _, _ in compared]
    sides = [(AnswerItem(r.case_study, (), who), said[r.case_study.id]) for r, who, _ in compared]
    return items, aspects.by_aspect(labels, sides)


SILENT = "The summary does not say."


def _one_with_antecedents(ctx: Context, case: CaseStudy, row: int) -> list[int]:
    # a date, figure or name a comparison asks for is the line's first word, even on "it"
    kind = answer_type(ctx.question)
    asked = kind in TOLD_BY_ONE and holds(kind, ctx.stored.sentences[row].text, ctx.question)
    return _with_antecedents(ctx, case, [row], lead_on_it=not asked)


def _asked_aspect(ctx: Context, cases: Sequence[CaseResult]) -> str | None:
    """What a comparison asks about beyond the case studies it names: a fact ("who runs
    social prescribing in each?") or a topic none of their titles or places holds ("funding",
    "vaccine hesitancy"); "compare the two Lewisham case studies" asks none."""
    named = set(tokenize(" ".join(r.case_study.title for r in cases)))
    places = [b for r in cases for b in r.case_study.boroughs]
    return aspects.asked_label(ctx.question, named, places)


def _quote_rows(ctx: Context, quotes: Quotes, case: CaseStudy, rows: Sequence[int]
                ) -> list[AnswerSentence]:
    """`rows` quoted, a sentence shown right after the one before it in the text not
    introduced again ("They have hired ..." after the sentence that says who they are)."""
    own = ctx.rows(case.id)
    return [quotes.sentence(case, r, i > 0 and _next_in(own, rows[i - 1]) == r)
            for i, r in enumerate(rows)]


def _next_in(own: Sequence[int], row: int) -> int | None:
    at = own.index(row) if row in own else -1
    return own[at + 1] if 0 <= at < len(own) - 1 else None


def _with_antecedents(ctx: Context, case: CaseStudy, rows: Sequence[int],
                      lead_on_it: bool = True) -> list[int]:
    """`rows`, each sentence whose subject is a person said before it ("She uses a range of
    techniques"), or that opens by joining itself to the sentence before ("However, since the
    pandemic hit, ..."), preceded by the sentence before it, where that is not shown: the place
    an orphan pronoun is introduced by ("In Ealing, she ...") does not say who she is.
    `lead_on_it`: so is the first of `rows` where its subject is "it" or "they" (not where it
    is the fact a comparison sets side by side). A sentence an earlier answer in the
    conversation showed (ctx.shown) is not shown again as an antecedent."""
    own = ctx.rows(case.id)

    def whole(row: int) -> str:
        return whole_sentence(case, ctx.stored.sentences[row].char_start,
                              ctx.stored.sentences[row].text)

    out: list[int] = []
    for r in rows:
        added: list[int] = []
        at = r
        # back to the sentence that names the person ("A 40-year-old Caribbean woman ...
        # She also has a son ... She was worried about him"), three at most
        while at in own and len(added) < 3:
            before = next((b for b in reversed(own[:own.index(at)]) if whole(b) != whole(at)),
                          None)
            if not (opens_on_person(whole(at)) or opens_on_connective(whole(at)) or (
                    before is not None and opens_on_first_name(whole(at), whole(before)))
                    or (lead_on_it and r == rows[0] and (
                        _IT_OPENS.match(whole(at)) or _IT_AFTER_OPENER.match(whole(at))
                        or _THIS_OPENS.match(whole(at))))):
                break
            if before is None or before in rows or before in out \
                    or said_in(ctx.stored.sentences[before].text, ctx.shown) \
                    or is_title(ctx.stored.sentences[before].text, case):
                break
            added.insert(0, before)
            at = before
        out.extend(added)
        out.append(r)
    return _after_their_antecedents(out, own, whole)


# "It arose out of ...", "They have hired ...": a subject the sentence before names; a place
# put before it ("In Barnet, it arose ...") does not say what "it" is
_IT_OPENS = re.compile(r"^(?:it|they)\s+(?!is\s+(?:possible|important|clear|hoped|thought)\b)",
                       re.IGNORECASE)
# "This includes partnering with charity Groundswell ...": what "this" is, the sentence before
# says; a place put before it ("In Lewisham, this includes ...") leaves "this" pointing at
# nothing ("This case study ..." names its own subject once its place is put in)
_THIS_OPENS = re.compile(r"^(?:this|these|that|those)\s+(?!case\s+stud)", re.IGNORECASE)
# "For many, it's the one time a week ...": the same subject after an opening phrase
_IT_AFTER_OPENER = re.compile(r"^[^,.;:]{1,40},\s+(?:it|they)(?:\b|['’])", re.IGNORECASE)


def _after_their_antecedents(rows: list[int], own: Sequence[int],
                             whole: Callable[[int], str]) -> list[int]:
    """`rows` with each that opens by joining itself to the sentence before it in the text
    moved to right after that sentence where both are shown but that one comes later
    ("However, since the pandemic hit, ..." after the sentence on the referrals it sets itself
    against), or opens on a word that points back to it ("This includes ..."). A sentence on a
    person that leads stays first: it tells what was asked, and the sentence that names her
    follows it."""
    out = list(rows)
    for r in rows:
        # "This includes partnering with charity Groundswell ..." reads after the sentence on
        # the model it points to, not before it with a place put in front
        points = bool(POINTING.match(whole(r))) and not opens_on_person(whole(r))
        if not (opens_on_connective(whole(r)) or points) or r not in own:
            continue
        at = own.index(r)
        before = own[at - 1] if at > 0 else None
        if before is not None and before in out and out.index(before) > out.index(r):
            out.remove(r)
            out.insert(out.index(before) + 1, r)
    return out


def _need_row(ctx: Context, case: CaseStudy, shown: Sequence[int]) -> int | None:
    """Of the lead a how-question would get and the rows it `shown`, the first that tells the
    need, where no sentence of the summary says what was done; None otherwise. The need may
    sit beside the lead rather than in it ("some women felt uncomfortable ..." after "There
    was a low number of vaccinators ...")."""
    texts = [ctx.stored.sentences[r].text for r in ctx.rows(case.id)]
    lead = _best_rows(ctx, case, 1, "how did they do it")
    if not lead:
        return None
    def seen(row: int) -> str:  # the sentence as shown, a clause with the rest of it
        stored = ctx.stored.sentences[row]
        return whole_sentence(case, stored.char_start, stored.text)

    return next((r for r in dict.fromkeys([lead[0], *shown])
                 if problem_only("action", seen(r), texts, ctx.question)), None)


def _tells_only_need(ctx: Context, case: CaseStudy) -> bool:
    return _need_row(ctx, case, ()) is not None


NEED_ONLY = "describes the need, not what was done"


def _need_only(case: CaseStudy, citation: int) -> AnswerSentence:
    return AnswerSentence(f"{_summary(case)} {NEED_ONLY}; {_more(case)}.", citation)


# what a summary does not say, by the answer type the question expects (answering/lead.py)
UNTOLD = {"outcome": "does not say what came of it", "date": "does not say when",
          "number": "gives no figure for it", "name": "does not say who"}


# answer types one sentence tells outright: a date, a figure, a name
TOLD_BY_ONE = ("date", "number", "name")


def _untold(ctx: Context, case: CaseStudy) -> str | None:
    """What the question asks that none of the case study's sentences tells: a result, a date,
    a figure or a name ("who funds the Crawley Posh Club?" of a summary that names nobody);
    None where some sentence holds an answer of the type, or the question expects none."""
    kind = answer_type(ctx.question)
    if kind not in UNTOLD:
        return None
    if kind == "outcome":
        # "Read how ... and the impact it had", "Watch how ... to improve": a teaser names
        # what the full case study tells, and tells none of it
        told = any(OUTCOME.search(text) and not _TEASER.match(text)
                   for text in (ctx.stored.sentences[r].text for r in ctx.rows(case.id)))
    else:
        # the case study's own name is not who ran it ("Posh Club" of "Crawley Posh Club"), nor
        # is a name of the field's own words ("Social Prescribing Link Workers") who funded it
        given = " ".join([ctx.question, case.title, *sorted(generic_words())])
        money = asks_who_paid(ctx.question)
        texts = [ctx.stored.sentences[r].text for r in ctx.rows(case.id)]
        told = any(holds(kind, text, given) and (not money or MONEY.search(text))
                   for text in texts)
        # "who do they work with?": a partner may be named by a common noun ("in partnership
        # with Social Prescribing Link Workers"), which the check for a name does not count
        told = told or (bool(PARTNER_ASKED.search(ctx.question))
                        and any(PARTNER_TOLD.search(text) for text in texts))
    if told:
        return None
    if kind == "number" and asks_how_long(ctx.question):
        return "does not say how long"
    measured = _HOW_MANY_WHAT.match(ctx.question.strip().rstrip("?.! ")) \
        if kind == "number" else None
    if measured:  # "does not say how many patients": the asker's own measure
        return f"does not say how {measured.group(1).lower()} {measured.group(2)}"
    verb = _WHO_DID.match(ctx.question) if kind == "name" else None
    # "does not say who funds it", "who paid for it": the asker's own verb, where "who" is
    # its subject, with its preposition; "which charity funds it": the asker's own noun
    if verb is None:
        return UNTOLD[kind]
    which, *said = verb.groups()
    asked = f"which {which.lower()}" if which else "who"
    return f"does not say {asked} {' '.join(w.lower() for w in said if w)} " \
        f"{_asked_of(ctx.question[verb.end():])}"


def _asked_of(rest: str) -> str:
    """What a who-question asks about, as the answer names it: the asker's own common noun
    ("who supervises link workers in Waltham Forest?": "link workers"), or "it" for a
    pronoun, a name (the summary's subject already names it) or a longer phrase."""
    rest = _PLACED_END.sub("", rest.strip().rstrip("?.! "))
    words = rest.split()
    if not words or len(words) > 4 or not rest[0].islower() \
            or any(w[0].isupper() for w in words) or words[-1].lower() in _POINTING:
        return "it"
    return rest


# where a who-question's object ends: a place or a name after a preposition ("in Waltham Forest")
_PLACED_END = re.compile(r"\s+(?:in|at|across|for|from)\s+(?:the\s+)?[A-Z].*$")
_POINTING = frozenset({"it", "them", "they", "this", "that", "these", "those", "there", "one",
                       "ones", "service", "project", "scheme", "programme", "work"})


_TEASER = re.compile(r"^\s*(?:read|watch|see|find\s+out|learn|hear)\s+(?:how|what|about)\b",
                     re.IGNORECASE)


# "who funds ...", "who founded ...", "who paid for ...", "which charity runs ...": not "who
# is ...", and a verb that takes a preposition keeps it ("who paid it" would misquote "who paid
# for it")
_WHO_DID = re.compile(r"^\s*(?:who|which\s+([a-z]+))\s+(?!(?:is|are|was|were|has|have|had|does|"
                      r"do|did|will|would|can|could|should|may|might|must)\b)"
                      r"([a-z]+(?:ed|s)|paid|ran|led)"
                      r"(?:\s+(for|to|with|on|in|at|by|from|of|about|into|up|out))?\b",
                      re.IGNORECASE)


# "how many patients (did they see)?", "how much funding (was there)?": the measure and what
# it counts, in lower-case words, up to a verb or the end
_HOW_MANY_WHAT = re.compile(r"^\s*(?:(?i:and|so|but)[\s,]+)?(?i:how\s+(many|much))\s+"
                            r"([a-z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,2}?)(?=$|\s+(?i:did|do|does|"
                            r"were|was|are|is|have|has|had|will|would|can|could|took|take|got|get|\w+ed)\b)")


_ASKS_WHO = re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?who\b", re.IGNORECASE)


def _not_told(case: CaseStudy, untold: str, citation: int) -> AnswerSentence:
    return AnswerSentence(f"{_summary(case)} {untold}; {_more(case)}.", citation)


def _summary(case: CaseStudy) -> str:
    # a place names a summary ("The Hounslow summary"); a title is quoted after it
    return (f"The {name(case)} summary" if case.boroughs else
            f"The summary of \u201c{name(case)}\u201d")


def _more(case: CaseStudy) -> str:
    return ("the full case study, linked here, has the detail" if case.links else
            "the page says no more about it")


def _field_phrases(selection: Selection) -> list[str]:
    return [p for p in (*selection.boroughs, selection.region or "") if p]


def _setting(selection: Selection) -> str:
    """Where a selection's case studies are, as a phrase after "case studies"."""
    if selection.boroughs:
        return f"from {join(selection.boroughs)}"
    if selection.region:
        return f"from {selection.region}"
    return f"in the \u201c{selection.section}\u201d section" if selection.section else ""


def _without_setting(verb: str, selection: Selection) -> str:
    """A verb phrase less the field it names ("involve refugees in north London" -> "involve
    refugees"): what the case studies elsewhere do."""
    for phrase in _field_phrases(selection):
        verb = re.sub(rf"\s*\b(?:in|from|within|across|around)\s+(?:the\s+)?"
                      rf"{re.escape(phrase)}\b", "", verb, flags=re.IGNORECASE)
    return verb.strip()


def split_setting(said: str, selection: Selection) -> tuple[str, str]:
    """A list's predicate as the setting it names and its verb phrase (leading_setting). A
    setting the question gives before its unit ("which Southwark case studies ...") is the
    selection's own; none where the selection names no field, or the predicate names it
    further on ("are in Southwark")."""
    setting, verb = leading_setting(said, _field_phrases(selection))
    if setting:
        return setting, verb
    named = _field_phrases(selection) or [w for w in (selection.section or "").split()
                                           if len(w) > 3]
    if any(p.lower() in said.lower() for p in named):
        return "", said
    return _setting(selection), said


def topic_phrase(question: str) -> str:
    """A list's topic as the asker put it, from its first word to its last, where that makes a
    phrase a sentence can name ("care homes", "vaccines for young people"); else ""."""
    words = topic_words(question, None, ())
    lowered = question.lower()
    first = lowered.find(words[0].lower()) if words else -1
    last = lowered.rfind(words[-1].lower()) if words else -1
    if first < 0 or last < first:
        return ""
    return grammatical(question, question[first:last + len(words[-1])]) or ""


def _count_sentence(ctx: Context, selection: Selection, n: int, shape: Shape,
                    topic: bool = True) -> str:
    """The first sentence of a list: its number and what its case studies do, in the
    question's words; where `topic` is False, only where they are."""
    units = case_studies(n)
    number = count_words(n, capital=True)
    if ctx.shared:  # "what does Age UK do?": the case studies that name it
        return f"{number} {units} {'names' if n <= 1 else 'name'} {join(list(ctx.shared))}."
    said = predicate(ctx.question) if topic else None
    if said and shape in ("list", "count"):
        setting, verb = split_setting(said, selection)
        return " ".join(filter(None, (number, units, setting,
                                      singular(verb) if n <= 1 else verb))) + "."
    acted = acted_on(ctx.question) if topic and shape in ("list", "count") else None
    if acted:  # "Healthy London Partnership wrote five case studies."
        subject, verb = acted
        return f"{subject[0].upper()}{subject[1:]} {verb} {count_words(n)} {units}."
    clause = where_clause(ctx.question) if shape in ("list", "count") else None
    if clause and not (selection.section or selection.boroughs or selection.region):
        return f"In {count_words(n)} {units}, {clause}."
    if selection.section:
        return f"{number} {units} {'is' if n <= 1 else 'are'} in the \u201c{selection.section}\u201d section."
    if selection.boroughs:
        return f"{number} {units} {'is' if n <= 1 else 'are'} from {join(selection.boroughs)}."
    if selection.region:
        return f"{number} {units} {'is' if n <= 1 else 'are'} from {selection.region}."
    if shape == "count" and re.search(r"\bare\s+there\b", ctx.question, re.I):
        # "how many video case studies are there?": the kind it asked about, in its own words
        kind = _COUNT_KIND.match(ctx.question)
        units = f"{kind.group('kind')} {units}" if kind else units
        return f"There {'is' if n <= 1 else 'are'} {count_words(n)} {units}."
    # a list read as themes or in other words holds what the words near it say, not the topic
    # as phrased: "about helping local residents into jobs" would claim more than it lists
    asked = _EXAMPLES_OF.match(ctx.question) if topic and shape in ("list", "count") \
        and not ctx.themes and not ctx.reworded else None
    phrase = ctx.question[asked.end():].strip().rstrip("?.!").strip() if asked else ""
    if phrase and not _PRONOUN.match(phrase):
        # "give me examples of partnership working": what they are about, in its words
        return f"{number} {units} {'is' if n <= 1 else 'are'} about {phrase}."
    return f"{number} {units} {'answers' if n <= 1 else 'answer'} this."


_PRONOUN = re.compile(r"^(?:it|this|that|these|those|them|they)\b", re.IGNORECASE)
# a request for case studies of a topic, the topic after "of", "on" or "about" and nothing more
_EXAMPLES_OF = re.compile(r"^\s*(?:(?:please\s+)?(?:give|show)\s+(?:me\s+)?|list\s+|find\s+(?:me\s+)?|"
                          r"(?:are\s+there\s+)?(?:any\s+)?)(?:some\s+)?(?:examples?|case\s+stud(?:y|ies)|"
                          r"projects?)\s+(?:of|on|about)\s+", re.IGNORECASE)


def _listing(ctx: Context, shape: Shape) -> Answer:
    selection = select(ctx.question, shape, ctx.ranked, ctx.sections, ctx.boroughs,
                       Keep(members=ctx.members, member_floor=ctx.member_floor,
                            topic_members=ctx.field_members))
    if selection.everything:
        return _answer(ctx, shape, _collection(selection.results, ctx.sections), [],
                       Quotes(ctx.stored))
    if selection.unmatched:
        return _none_in_field(ctx, shape, selection)
    cases = selection.results
    quotes = Quotes(ctx.stored)
    # "how many case studies are in Lambeth?" is answered by the records; one with a topic
    # quotes what says it
    structural = shape == "count" and ctx.field_members is None and (
        selection.section or selection.boroughs or selection.region)
    total = len(cases) + selection.cut
    if shape == "where":
        intro = _where_sentences(ctx, cases)
        # a case study that names no borough nor a part of London says nothing of where:
        # counted, not listed
        cases = tuple(c for c in cases if c.case_study.boroughs or _parts(c.case_study)) or cases
    else:
        unsaid = _unsaid(ctx.question, selection, total)
        intro = [AnswerSentence(_count_sentence(ctx, selection, total, shape,
                                                topic=unsaid is None), None)]
        if unsaid is not None:
            # the field is listed, but what the question asks of it no case study says
            intro.append(AnswerSentence(unsaid, None))
            ctx.match = "related"
    read_as = _themes_listed(ctx, selection)
    if (ctx.reworded or read_as) and cases:
        # the reader is told the list was read in other words, and can judge it by them: next
        # to the sentence that says what the list is of, which "it" points back to
        intro.insert(1, AnswerSentence(_reworded(ctx.reworded, read_as), None))
    if selection.region:
        intro.append(AnswerSentence(region_read(selection.region), None))
    items = _items(ctx, cases, quotes, 0 if structural else 1)
    if selection.cut:
        intro.append(AnswerSentence(f"The {count_words(len(cases))} that match best are listed.",
                                    None))
    # titles and nothing under them read as an answer cut short: say the page has no more
    bare = not structural and items and not any(_has_body(ctx, i.case_study) for i in items)
    tail = [AnswerSentence(_only_titles(items), None)] if bare else []
    return _answer(ctx, shape, intro, items, quotes, tail)


def _only_titles(items: Sequence[AnswerItem]) -> str:
    its = "its title" if len(items) == 1 else "their titles"
    linked = any(i.case_study.links for i in items)
    more = "; the full case studies, linked here, have the detail" if linked else ""
    return f"The page gives only {its}{more}."


def _reworded(pairs: Sequence[tuple[str, str]],
              read_as: Sequence[Sequence[Theme]] = ()) -> str:
    """"No case study uses the word “oncology”; the list reads it as “cancer”.", or, of a list
    read as themes, "...; the list holds those on children and young people." (of a topic
    another restricts, "... those on children and young people that are also on long-term
    conditions.")."""
    asked = join([f"\u201c{word}\u201d" for word, _ in pairs])
    read = join([f"\u201c{near}\u201d" for _, near in pairs])
    noun, pronoun = ("the word", "it") if len(pairs) == 1 else ("the words", "them")
    said = f"No case study uses {noun} {asked}" if pairs \
        else "No case study puts it in the question's words"
    if read_as:
        labels = [join([_lowered(t.label) for t in part]) for part in read_as]
        return f"{said}; the list holds those on {' that are also on '.join(labels)}."
    return f"{said}; the list reads {pronoun} as {read}."


def _themes_listed(ctx: Context, selection: Selection) -> Sequence[Sequence[Theme]]:
    """The themes a list was read as, where it lists every case study they hold: "where did
    ...?" names one place of a theme's several, and is not the theme's list."""
    listed = {r.case_study.id for r in selection.results}
    held = {r.case_study.id for r in ctx.ranked if ctx.themes and all(
        {t.id for t in part} & set(r.case_study.themes) for part in ctx.themes)}
    return ctx.themes if held and held <= listed else ()


def _unsaid(question: str, selection: Selection, n: int) -> str | None:
    """"None of them mentions Black people.": what a list of a field asks of it that no case
    study says; None where the question asks nothing more of it, or its words beside the
    field are no phrase a sentence can name (a verb: "which case studies showcase Lambeth?")."""
    if not selection.unsaid:
        return None
    shaping = question_words() | generic_words()
    said = subject(question, set(tokenize(" ".join(selection.unsaid))), (), shaping)
    phrase = grammatical(question, said) if said else None
    if not phrase or any(f.lower() in phrase.lower() for f in _field_phrases(selection)):
        return None  # "showcase Lambeth": the field's own name is no topic beside it
    return (f"The case study does not mention {phrase}." if n == 1 else
            f"Neither mentions {phrase}." if n == 2 else f"None of them mentions {phrase}.")


def _none_in_field(ctx: Context, shape: Shape, selection: Selection) -> Answer:
    """No case study in the field the question names is about its topic: said so, with the
    case studies about it elsewhere. Not an answer to what was asked: related."""
    said = predicate(ctx.question) if shape in ("list", "count") else None
    setting, verb = split_setting(said, selection) if said else (_setting(selection), "")
    intro = [AnswerSentence(" ".join(filter(None, ("No case study", setting,
                                                   singular(verb) if verb else "answers this")))
                            + ".", None)]
    if selection.region:
        intro.append(AnswerSentence(region_read(selection.region), None))
    quotes = Quotes(ctx.stored)
    found = selection.elsewhere
    alone = _without_setting(verb, selection)
    units = case_studies(len(found))
    if found and alone:
        intro.append(AnswerSentence(f"Elsewhere, {count_words(len(found))} {units} "
                                    f"{singular(alone) if len(found) <= 1 else alone}.", None))
    elif found:
        intro.append(AnswerSentence(f"{count_words(len(found), capital=True)} {units} "
                                    f"elsewhere {'answers' if len(found) <= 1 else 'answer'} "
                                    "it.", None))
    ctx.match = "related"
    return _answer(ctx, shape, intro, _items(ctx, found, quotes, 1), quotes)


def region_read(phrase: str) -> str:
    """What a part of London a question names is read as: the integrated care systems it
    stands for, and how a case study counts as in one (its borough, or its text naming it)."""
    parts = regions().find(phrase)[0].regions
    several = len(parts) > 1
    systems = f"{join(list(parts))} integrated care system{'s' if several else ''}"
    return (f"{phrase[0].upper()}{phrase[1:]} is read as the {systems}: a case study from one "
            f"of {'their' if several else 'its'} boroughs, or one that names "
            f"{'them' if several else 'it'}.")


def _collection(cases: Sequence[CaseResult], order: Sequence[str]) -> list[AnswerSentence]:
    """The whole collection, by section in the page's `order`: a list of every case study
    would bury the reader."""
    counted = Counter(c.case_study.section for c in cases)
    sections = {s: counted[s] for s in [*order, *counted] if counted[s]}
    parts = [f"\u201c{section}\u201d ({count_words(n)})" for section, n in sections.items()]
    return [AnswerSentence(f"There are {count_words(len(cases))} case studies, in "
                           f"{count_words(len(sections))} sections: {join(parts)}.", None),
            AnswerSentence("Ask about a section, a borough or a topic to see its case studies.",
                           None)]


def _where_sentences(ctx: Context, cases: Sequence[CaseResult]) -> list[AnswerSentence]:
    places = list(dict.fromkeys(b for c in cases for b in c.case_study.boroughs))
    unplaced = sum(not c.case_study.boroughs for c in cases)
    units = "borough" if len(places) == 1 else "boroughs"
    match = _WHICH_BOROUGHS.match(ctx.question)
    rest = match.group("rest") if match else ""
    if not places and len(cases) == 1:
        # one case study ("where is it?" of the one a conversation is about) is told of by name
        case = cases[0].case_study
        parts = _parts(case)
        first = f"The case study \u201c{focus(case)}\u201d " + (
            f"covers {join(list(parts))}, a part of London rather than a borough." if parts
            else "names no London borough.")
    elif not places:
        first = "None of the case studies that answer this names a borough."
    elif rest and not _AUX_SUBJECT.match(rest):
        setting, verb = leading_setting(rest, [f.phrase for f in scopes(ctx.question)])
        verb = singular(verb) if len(places) == 1 else verb
        said = " ".join(filter(None, (setting, verb)))
        first = f"{count_words(len(places), capital=True)} {units} {said}: {join(places)}."
    elif len(cases) == 1:
        first = f"The case study \u201c{focus(cases[0].case_study)}\u201d is from {join(places)}."
        inside = _place_within(ctx.question, places)
        if inside:  # "where is Stockwell?": where the place is, then its case study
            first = f"{inside} is in {join(places)}, and the case study " \
                    f"\u201c{focus(cases[0].case_study)}\u201d is from there."
    else:
        first = (f"The case studies that answer this come from {count_words(len(places))} "
                 f"{units}: {join(places)}.")
    out = [AnswerSentence(first, None)]
    if not (unplaced and places):
        return out
    # "Champion ARRs roles ... in South West London": where, though no borough
    parted = [c.case_study for c in cases if not c.case_study.boroughs and _parts(c.case_study)]
    if parted:
        more = "One more case study covers" if len(parted) == 1 else \
            f"{count_words(len(parted), capital=True)} more case studies cover"
        said = join([_placed_title(c) for c in parted])
        out.append(AnswerSentence(f"{more} a part of London rather than a borough: {said}.",
                                  None))
    unnamed = [c.case_study for c in cases if not c.case_study.boroughs
               and not _parts(c.case_study)]
    if unnamed:
        # which they are, by title: the reader is told of them, and the list shows the places
        more = "One more case study names" if len(unnamed) == 1 else \
            f"{count_words(len(unnamed), capital=True)} more case studies name"
        titles = join([in_sentence(c) for c in unnamed])
        out.append(AnswerSentence(f"{more} no borough: {titles}.", None))
    return out


_WHERE_IS = re.compile(r"^\s*(?i:where\s+(?:is|are))\s+(?P<place>[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,3})"
                       r"\s*\??\s*$")


def _place_within(question: str, places: Sequence[str]) -> str | None:
    """The place a "where is X?" question names, where X is a place inside the boroughs
    `places` rather than one of them ("Stockwell", "Bromley by Bow"); else None."""
    match = _WHERE_IS.match(question)
    if not match:
        return None
    place = match.group("place")
    found = london().find(place)
    if not found or set(found) - set(places) or place.lower() in {p.lower() for p in places}:
        return None
    return place


def _whereabouts(case: CaseStudy) -> str:
    """Where a case study is from, as the rest of a sentence about it: "is from Lambeth"."""
    if case.boroughs:
        return f"is from {join(list(case.boroughs))}"
    parts = _parts(case)
    return f"covers {join(list(parts))}" if parts else "names no London borough"


def _in_place(case: CaseStudy, place: PlaceAsked) -> bool:
    if place.london:
        return bool(case.boroughs or _parts(case))
    return bool(set(case.boroughs) & set(place.boroughs)) or (
        bool(place.regions) and regions().holds(case, place.regions))


def compose_placed(ctx: Context, place: PlaceAsked) -> Answer:
    """Whether the case studies a follow-up points back at are in the place it names ("is it
    in Croydon?"): yes or no first, then where each is from, with its lead sentence."""
    cases = ctx.ranked
    inside = [r for r in cases if _in_place(r.case_study, place)]
    if len(cases) == 1:
        case = cases[0].case_study
        first = f"{'Yes' if inside else 'No'}: \u201c{focus(case)}\u201d {_whereabouts(case)}."
    elif len(inside) == len(cases):
        first = f"Yes: {'both' if len(cases) == 2 else f'all {count_words(len(cases))}'} " \
                f"are in {place.name}."
    elif not inside:
        first = f"No: none of {'the two' if len(cases) == 2 else 'them'} is in {place.name}."
    else:
        verb = "is" if len(inside) == 1 else "are"
        first = (f"{count_words(len(inside), capital=True)} of the {count_words(len(cases))} "
                 f"{verb} in {place.name}: {join([in_sentence(r.case_study) for r in inside])}.")
    quotes = Quotes(ctx.stored)
    return _answer(ctx, "where", [AnswerSentence(first, None)], _items(ctx, cases, quotes, 1),
                   quotes)


def _placed_title(case: CaseStudy) -> str:
    # a title that names its part of London says it once
    title = f"\u201c{focus(case)}\u201d"
    return title if regions().named(focus(case)) else f"{title} ({join(list(_parts(case)))})"


def _parts(case: CaseStudy) -> tuple[str, ...]:
    """The parts of London (integrated care systems) a case study's title or text names."""
    return regions().named(f"{case.title}\n{case.text}")


def _comparison(ctx: Context, named: list[tuple[str, list[str]]]) -> Answer:
    rank = {r.case_study.id: i for i, r in enumerate(ctx.ranked)}
    by_id = {r.case_study.id: r for r in ctx.ranked}
    chosen: list[CaseResult] = []
    for _, ids in named[:COMPARE_MOST]:
        best = min((i for i in ids if i in by_id and by_id[i] not in chosen),
                   key=lambda i: rank[i], default=None)
        if best is not None:
            chosen.append(by_id[best])
    # what the question describes rather than names ("the chronic pain case study"): the best
    # matches stand for it, two at least
    for result in ctx.ranked:
        if len(chosen) >= 2:
            break
        if result not in chosen:
            chosen.append(result)
    quotes = Quotes(ctx.stored)
    items, sides = _compared_items(ctx, chosen, quotes, 3)
    if len(chosen) < 2:
        # a conversation about one case study, asked to compare with nothing it names
        only = [AnswerSentence(f"There is one case study to compare here, "
                               f"{in_sentence(chosen[0].case_study)}; name another to compare "
                               "it with.", None)] if chosen else []
        return _answer(ctx, "compare", only, items, quotes)
    left = [by_id[i].case_study for _, ids in named[COMPARE_MOST:] for i in ids[:1]
            if i in by_id]
    intro = _compare_sentences(chosen)
    return _set_out(_answer(ctx, "compare", intro, items, quotes,
                            [*_titles_only(items), *_none_done(ctx, chosen, items, sides),
                             *_others_of(ctx, named[:COMPARE_MOST], chosen, by_id),
                             *_not_compared(left)]), len(intro), sides)


def _others_of(ctx: Context, named: Sequence[tuple[str, Sequence[str]]],
               chosen: Sequence[CaseResult], by_id: Mapping[str, CaseResult]
               ) -> list[AnswerSentence]:
    """Where a name compared stands for several case studies ("Lewisham": two), the ones
    the comparison did not take: a reader would otherwise take the one compared for all of
    the borough's work. None where the question says which it means by a topic ("Lewisham's
    work on homelessness")."""
    if topic_words(without_comparison(ctx.question), None, ctx.boroughs):
        return []
    taken = {r.case_study.id for r in chosen}
    out = []
    for label, ids in named:
        rest = [by_id[i].case_study for i in ids if i in by_id and i not in taken]
        if not rest or not taken & set(ids):
            continue
        verb = "is" if len(rest) == 1 else "are"
        which = "the other one" if len(rest) == 1 else f"the other {count_words(len(rest))}"
        out.append(AnswerSentence(
            f"{label} has {count_words(len(ids))} case studies; {which}, "
            f"{join([_quoted(focus(c)) for c in rest])}, {verb} not compared here.", None))
    return out


def _quoted(title: str) -> str:
    return f"\u201c{title}\u201d"


def _none_done(ctx: Context, chosen: Sequence[CaseResult], items: Sequence[AnswerItem],
               sides: Sequence[AnswerAspect]) -> list[AnswerSentence]:
    """Asked how each did something, where no summary quoted says what was done: said, or
    the needs side by side read as the answer."""
    if not all(i.sentences for i in items) or any(a.label == aspects.DONE for a in sides) \
            or _asked_aspect(ctx, chosen) != aspects.DONE:
        return []
    which = "Neither summary" if len(items) == 2 else "None of the summaries"
    return [AnswerSentence(f"{which} says what was done; the full case studies have the "
                           "detail.", None)]


EACH_MOST = 6  # case studies a follow-up asked of each ("what did they do?") answers for


def compose_each(ctx: Context, shape: Shape) -> Answer:
    """A follow-up asked of several case studies at once ("what did they do?", "who funded
    them?" after a list): each answers in its own item, the fact asked for where its summary
    holds it, else said not to; one case study's answer would drop the rest."""
    cases = list(ctx.ranked[:EACH_MOST])
    quotes = Quotes(ctx.stored)
    per_case = 2 if shape == "describe" else 1
    ctx.read(cases)
    items = []
    for result in cases:
        notice = _each_untold(ctx, result, quotes, shape)
        items.extend([AnswerItem(result.case_study, (notice,), focus(result.case_study))]
                     if notice else _items(ctx, [result], quotes, per_case, how=shape == "how",
                                           in_order=shape == "describe"))
    intro = AnswerSentence(f"Here is what each of the {count_words(len(items))} case studies "
                           "says.", None)
    return _answer(ctx, shape, [intro], items, quotes)


def _each_untold(ctx: Context, result: CaseResult, quotes: Quotes, shape: Shape
                 ) -> AnswerSentence | None:
    """What one case study asked of with others does not tell: that the page gives only its
    title, or the fact asked for; None where it tells it."""
    case = result.case_study
    if not _has_body(ctx, case):
        more = f"; {_more(case)}" if case.links else ""
        return AnswerSentence(f"The page gives only its title{more}.", quotes.head(result))
    untold = _untold(ctx, case) if shape != "describe" else None
    return _not_told(case, untold, quotes.head(result)) if untold else None


def compose_nothing_more(ctx: Context, case: CaseStudy) -> Answer:
    """Asked for more of a case study whose every sentence the answer before quoted: said so,
    and where the rest is, not the same sentences again."""
    quotes = Quotes(ctx.stored)
    citation = quotes.cite(case)
    more = f"; {_more(case)}" if case.links else ""
    text = f"{_summary(case)} says no more than the answers above{more}."
    return _answer(ctx, "open", [AnswerSentence(text, citation)], [], quotes)


def compose_alike(ctx: Context, case: CaseStudy, alike: Sequence[CaseResult], near: bool
                  ) -> Answer:
    """Case studies like one the question names ("projects like the Well Centre"), each with
    its sentence nearest the question; `near`: they are like it (the similar-projects model's
    P at ALIKE_FLOOR or more), else `alike` holds the nearest, said not to be close."""
    quotes = Quotes(ctx.stored)
    items = _items(ctx, alike, quotes, 1)
    named = in_sentence(case)
    if near:
        verb = "is" if len(items) == 1 else "are"
        intro = f"{count_words(len(items), capital=True)} {case_studies(len(items))} {verb} " \
                f"like {named}."
    else:
        intro = f"No case study is close to {named}; the nearest is " \
                f"{in_sentence(alike[0].case_study)}."
    return _answer(ctx, "list", [AnswerSentence(intro, None)], items, quotes)


def compose_figures(ctx: Context, noun: str, most: bool,
                    found: Sequence[tuple[CaseResult, int, Figure]], shape: Shape = "list",
                    among: bool = False) -> Answer:
    """The number each summary that gives one gives of `noun` ("how many link workers are
    there?"), the largest first, each case study quoted where it gives it; `most`: which gives
    the most. The summaries' figures are never added up: one counts a team, another a
    federation's practices, and most give none: a total would be false. `among`: of the case
    studies a conversation was about, not all of them."""
    quotes = Quotes(ctx.stored)
    ordered = sorted(found, key=lambda f: -f[2].value)
    items = []
    for result, row, _ in ordered:
        case = result.case_study
        rows = _with_antecedents(ctx, case, [row])
        quotes.head(result, rows)
        items.append(AnswerItem(case, tuple(_quote_rows(ctx, quotes, case, rows)), focus(case)))
    first, rest = ordered[0], ordered[1:]
    if most and rest:
        top = [f for f in ordered if f[2].value == first[2].value]
        who = join([_the_summary(f[0].case_study) for f in top])
        each = " each" if len(top) > 1 else ""
        verb = "give" if len(top) > 1 else "gives"
        intro = f"Of the {count_words(len(ordered))} summaries that give a number of {noun}, " \
                f"{who} {verb} the most: {first[2].said}{each}."
    elif not rest:
        intro = f"Only {_the_summary(first[0].case_study)} gives a number of {noun}: " \
                f"{first[2].said}."
    else:
        parts = join([f"{f[2].said} in {_the_summary(f[0].case_study)}" for f in ordered])
        intro = f"{count_words(len(ordered), True)} summaries give a number of {noun}: {parts}."
    others = "None of the others gives" if among else "No other summary gives"
    tail = [AnswerSentence(f"{others} a number of {noun}.", None)]
    return _answer(ctx, shape, [AnswerSentence(intro, None)], items, quotes, tail)


def _the_summary(case: CaseStudy) -> str:
    """_summary within a sentence: "the Southwark summary"."""
    said = _summary(case)
    return said[0].lower() + said[1:]


def compose_counted(ctx: Context) -> Answer:
    """"How many is that?" after a list: how many case studies the answer before listed, and
    which, by title (their sentences were just quoted)."""
    n = len(ctx.ranked)
    quotes = Quotes(ctx.stored)
    intro = [AnswerSentence(f"That is {count_words(n)} {case_studies(n)}.", None)]
    items = []
    for result in ctx.ranked:
        quotes.head(result)
        case = result.case_study
        items.append(AnswerItem(case, (), focus(case) if _has_body(ctx, case) else whole_focus(case)))
    return _answer(ctx, "count", intro, items, quotes)


def compose_compared(ctx: Context, ids: Sequence[str]) -> Answer:
    """A comparison of the case studies a conversation settled ("how do the three differ?"
    after a list of three): each of them, as a comparison of named ones."""
    return _comparison(ctx, [(case, [case]) for case in ids])


def _not_compared(left: Sequence[CaseStudy]) -> list[AnswerSentence]:
    """The case studies a comparison names beyond the few it compares: named, not dropped."""
    if not left:
        return []
    verb = "is" if len(left) == 1 else "are"
    titles = join([in_sentence(c) for c in left])
    return [AnswerSentence(f"{count_words(len(left), True)} more {verb} not compared here: "
                           f"{titles}.", None)]


def _titles_only(items: Sequence[AnswerItem]) -> list[AnswerSentence]:
    """What a comparison says of case studies the page gives only a title for: a reader
    otherwise sees two headings and nothing to compare, and cannot tell why."""
    bare = [item.case_study for item in items if not item.sentences]
    if not bare:
        return []
    if len(bare) == len(items):
        which = "Neither summary" if len(items) == 2 else "None of the summaries"
        return [AnswerSentence(f"{which} says more than its title; the full case studies "
                               "have the detail.", None)]
    return [AnswerSentence(f"For {name(c)}, the page gives only the title.", None)
            for c in bare]


def _compare_sentences(chosen: Sequence[CaseResult]) -> list[AnswerSentence]:
    """Built from the records: where each sits on the page and what each title says it did."""
    cases = [c.case_study for c in chosen]
    named = _told_apart(cases)
    sections = {c.section for c in cases}
    if len(sections) == 1:
        both = "Both" if len(cases) == 2 else f"All {count_words(len(cases))}"
        first = f"{both} case studies are in the \u201c{cases[0].section}\u201d section."
    else:
        first = "They sit in different sections: " + join(
            [f"{who} in \u201c{c.section}\u201d" for who, c in zip(named, cases)]) + "."
        first = "The case studies sit in different sections: " + first.split(": ", 1)[1]
    # what each title says it is about, where the title says more than the name
    # a title that is a clause is quoted, not named as a topic
    aims = [_aim(who, c, who == name(c)) for who, c in zip(named, cases) if name(c) != focus(c)]
    if not aims:
        return [AnswerSentence(first, None)]
    # a case study whose name is its whole title is still one of those compared: named after
    # the others by its place among them, or the sentence reads as if it were left out
    aims += [f"the {'other' if len(cases) == 2 else ORDINALS[i]} is \u201c{focus(c)}\u201d"
             for i, c in enumerate(cases) if name(c) == focus(c)]
    second = "; ".join(aims) + "."
    return [AnswerSentence(first, None), AnswerSentence(second[0].upper() + second[1:], None)]


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _aim(who: str, case: CaseStudy, by_name: bool) -> str:
    """What one compared case study's title says it is about: "Barnet's is about ...", or,
    of one told apart by its place, "the first is about ..."; a title that is a clause is
    quoted, not named as a topic."""
    if is_clause(focus(case)):
        return f"{_possessive(who)} title is \u201c{focus(case)}\u201d" if by_name \
            else f"{who} is titled \u201c{focus(case)}\u201d"
    return f"{_possessive(who) if by_name else who} is about {_lowered(focus(case))}"


def _told_apart(cases: Sequence[CaseStudy]) -> list[str]:
    """What the comparison calls each case study: its name, or where two share one (the two
    from Westminster), its place among them: "the first", "the second"."""
    names = [name(c) for c in cases]
    if len(set(names)) == len(names):
        return names
    return [f"the {ORDINALS[i]}" if i < len(ORDINALS) else names[i] for i in range(len(names))]


def _possessive(label: str) -> str:
    return f"{label}\u2019" if label.endswith("s") else f"{label}\u2019s"


def _lowered(phrase: str) -> str:
    """A title's phrase inside a sentence: its first capital dropped, unless it opens a name
    (an acronym, or a word the next word of three letters or more continues in capitals:
    "Art Prescription Link Worker", "Community Embedded Social Prescribing")."""
    words = phrase.split()
    first = words[0] if words else ""
    following = [w for w in words[1:] if len(w) >= 3 and w[:1].isalpha()]
    named = bool(following) and following[0][:1].isupper()
    if (len(first) > 1 and (first.isupper() or any(ch.isupper() for ch in first[1:]))) or named:
        return phrase
    return phrase[0].lower() + phrase[1:]


def _single(ctx: Context, shape: Shape) -> Answer:
    """One case study answers: the lead (and what follows it), or the whole of a short one."""
    top = ctx.ranked[0]
    case = top.case_study
    ctx.read([top])
    quotes = Quotes(ctx.stored)
    if not _has_body(ctx, case):
        citation = quotes.cite(case, top.passages[0].passage.id if top.passages else None)
        # the title is all there is: say so, rather than leave the reader to wonder whether
        # the answer was cut short
        more = _more(case)
        return _answer(ctx, shape, [AnswerSentence(title_only(case), citation),
                                    AnswerSentence(f"{more[0].upper()}{more[1:]}.", None)],
                       [], quotes)
    n = DESCRIBE_SENTENCES if shape == "describe" else SINGLE_SENTENCES
    rows = _best_rows(ctx, case, n, fact=shape == "fact")
    lead = ctx.stored.sentences[rows[0]].text
    if shape == "describe" or (shape == "open" and answer_type(ctx.question) == "any"
                               and leans_back(lead)):
        # a lead that points back ("Formally launched in 2017, it is delivered by ...") reads
        # after the sentence it points to, where that one is quoted too; an answer of the type
        # asked for (a fact, a result) leads wherever it stands
        rows = sorted(rows, key=lambda r: ctx.stored.sentences[r].char_start)
        rows = _naming_first(ctx, case, rows) if shape == "describe" else rows
    if shape != "fact":
        rows = _with_antecedents(ctx, case, rows)
    elif len(rows) > 1 and opens_on_first_name(ctx.stored.sentences[rows[0]].text,
                                               ctx.stored.sentences[rows[1]].text):
        # "Farah is Pakistani ..." after the sentence that gives her full name, which answers
        # "who are Farah and Saiba?" as well
        rows = [rows[1], rows[0], *rows[2:]]
    elif _told(ctx, case, rows[0]):
        # the lead gives the date, the figure or the name asked for: a second sentence would
        # only be the case study's next nearest, about something else ("Although there have
        # been significant challenges ..." after "There are now 11 link workers")
        rows = rows[:1]
    need = _need_row(ctx, case, rows) if shape == "how" else None
    if need is not None:
        # what bears on the question as far as the need, then what the summary does not tell
        shown = rows[:rows.index(need) + 1] if need in rows else [need]
        quoted = _quote_rows(ctx, quotes, case, shown)
        return _answer(ctx, shape, [*quoted, _need_only(case, quoted[0].citation or 1)], [],
                       quotes)
    untold = _untold(ctx, case) if shape != "describe" else None
    if untold:
        # the need or the service is what there is; the reader asked for what it does not tell,
        # and hears so first: a quote that led would read as the answer ("The group video
        # clinics involve a GP ..." to "who funded the clinics?"). No sentence answers, so one
        # that leans on another ("For many, it's ...") gives way
        first = quotes.sentence(case, min(rows, key=lambda r: (
            leans_back(ctx.stored.sentences[r].text), rows.index(r))))
        notice = _not_told(case, untold, first.citation or 1)
        # "which staff ...?" may be answered by a common noun ("specialist clinical nurses")
        # the check for a name misses: there the quote leads, and may be the answer
        plain = answer_type(ctx.question) != "name" or _ASKS_WHO.match(ctx.question) \
            or _WHO_DID.match(ctx.question)
        return _answer(ctx, shape, [notice, first] if plain else [first, notice], [], quotes)
    return _answer(ctx, shape, _quote_rows(ctx, quotes, case, rows), [], quotes)


def _naming_first(ctx: Context, case: CaseStudy, rows: list[int]) -> list[int]:
    """`rows` with the one that names what a description asks about first, where that is a
    name inside the case study rather than its own ("what is the Social Welfare Alliance?"
    of Newham's vaccine work: the sentence that names it, not the summary's first)."""
    asked = _WHAT_IS_NAMED.match(ctx.question)
    name = asked.group("name") if asked else ""
    if not name or name.lower() in case.title.lower():
        return rows
    naming = [r for r in rows if name.lower() in ctx.stored.sentences[r].text.lower()]
    return [*naming, *(r for r in rows if r not in naming)]


# "what is the Social Welfare Alliance?", "who are Groundswell?": the name a description asks of
_WHAT_IS_NAMED = re.compile(r"^\s*(?i:what|who)\s+(?i:is|are|was|were)\s+(?i:the\s+|an?\s+)?"
                            r"(?P<name>[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*)*)")


def _told(ctx: Context, case: CaseStudy, row: int) -> bool:
    """The sentence holds an answer of the type a fact question asks for, a date or a figure,
    one the question does not give itself. A name is not enough: "Barnet CCG" is a name, and
    not the charity that runs the service, which the next sentence names."""
    kind = answer_type(ctx.question)
    return kind in ("date", "number") and holds(kind, ctx.stored.sentences[row].text,
                                         f"{ctx.question} {case.title}")


def _how(ctx: Context) -> Answer:
    # "how did others ...?" asks across case studies: each that matches is quoted, as in a list
    if ctx.retitled:  # what the question names is one case study's; the rest share its frame
        return _single(ctx, "how")
    across = asks_across(ctx.question)
    floor = ACROSS_FLOOR if across else HOW_FLOOR
    selection = select(ctx.question, "how", ctx.ranked, ctx.sections, ctx.boroughs, Keep(floor))
    named = _named_across(ctx, floor) if across else None
    if named is not None and len(named.results) > len(selection.results):
        # "how did others use GP federations?": every case study that names it, as a list is
        selection = named
    elif across and ctx.members and len(selection.results) < 2:
        # asked across case studies, where the question's words pick out one, the topic's
        # members are read as a list's are: "how have others helped cancer patients?" scores
        # Bromley by Bow's cancer service at 0.02 beside the Macmillan title's 0.77
        selection = select(ctx.question, "how", ctx.ranked, ctx.sections, ctx.boroughs,
                           Keep(floor, ctx.members, ctx.member_floor))
    cases = _on_topic(ctx, selection.results[:HOW_MOST]) if selection.boroughs \
        else selection.results[:HOW_MOST]
    if len(cases) < 2:
        return _single(ctx, "how")
    quotes = Quotes(ctx.stored)
    items = _items(ctx, cases, quotes, 1, how=True)
    return _answer(ctx, "how", [_how_intro(ctx.question, items)], items, quotes)


def _named_across(ctx: Context, floor: float) -> Selection | None:
    """The case studies a list would give of the name a how-question asks across ("GP
    federations"); None where it names none the texts hold."""
    texts = tuple(r.case_study.text for r in ctx.ranked)
    if not fields_named(ctx.question, "list", ctx.sections, ctx.boroughs, texts).named:
        return None
    return select(ctx.question, "list", ctx.ranked, ctx.sections, ctx.boroughs, Keep(floor))


def _on_topic(ctx: Context, cases: Sequence[CaseResult]) -> list[CaseResult]:
    """The first of `cases`, and those of the rest that hold the rarest word of what the
    question asks beside its places: a borough's name lifts all its case studies alike, so
    "what does a care coordinator do in Lewisham?" found Community Connections, which has none,
    beside the care coordinator who does."""
    asked = topic_stems(" ".join(asked_words(london().without_places(ctx.question))))
    texts = tuple(sorted(r.case_study.text for r in ctx.ranked))
    held = holds_rarest([asked], texts) if asked else None
    if held is None:
        return list(cases)
    holding = {text for text, h in zip(texts, held) if h}
    return [c for i, c in enumerate(cases) if not i or c.case_study.text in holding]


def _how_intro(question: str, items: Sequence[AnswerItem]) -> AnswerSentence:
    """The first sentence of a how-answer across case studies: how many, and about what; not
    "say how" where every summary tells only the need."""
    number = count_words(len(items), capital=True)
    about = across_topic(question)
    if about:
        return AnswerSentence(f"{number} case studies are about {about}.", None)
    if all(any(NEED_ONLY in s.text for s in item.sentences) for item in items):
        return AnswerSentence(f"{number} case studies bear on this; their summaries describe "
                              "the need more than what was done.", None)
    return AnswerSentence(f"{number} case studies say how.", None)


def _group_described(ctx: Context) -> list[str]:
    """The case studies of a group a description is asked of ("give me a summary of the
    vaccine case studies", "tell me about the training hub case studies"); none for a
    description of one."""
    if not _PLURAL_UNITS.search(ctx.question):
        return []
    return group_named(ctx.question, [r.case_study for r in ctx.ranked], ctx.sections)


_PLURAL_UNITS = re.compile(r"\b(?:case\s+studies|projects|examples|stories|services)\b",
                           re.IGNORECASE)


def _borough_alone(ctx: Context) -> bool:
    """The question names boroughs by name and nothing else, and two or more case studies
    come from them (a place inside one, "Stockwell", means its own case study)."""
    named = boroughs_said(ctx.question, ctx.boroughs)
    if not named or topic_words(london().without_places(ctx.question), None, ()):
        return False
    return sum(bool(set(r.case_study.boroughs) & set(named)) for r in ctx.ranked) >= 2


def _tally(ctx: Context, asked: Asked) -> Answer:
    """"Which boroughs have more than one case study?": counted from the records, with the
    case studies of the boroughs it names."""
    said, places = tally_sentences(asked, [r.case_study for r in ctx.ranked])
    order = {b: i for i, b in enumerate(places)}
    cases = sorted((r for r in ctx.ranked if set(r.case_study.boroughs) & set(places)),
                   key=lambda r: min(order.get(b, len(order)) for b in r.case_study.boroughs))
    quotes = Quotes(ctx.stored)
    return _answer(ctx, "where", [AnswerSentence(s, None) for s in said],
                   _items(ctx, cases, quotes, 1), quotes)


_WHERE_FIRST = re.compile(r"^\s*where\b", re.IGNORECASE)


def told_outright(ctx: Context) -> Answer | None:
    """The answer to a when or how-many question judged "related", where the best case study's
    lead sentence holds the date or the figure asked; None otherwise. The judge reads how much
    of the question a case study covers, and "start" of "when did social prescribing start in
    Lambeth?" is missing from a summary that says it "went live in December 2019"."""
    kind = answer_type(ctx.question)
    if kind not in ("date", "number", "name") or question_shape(ctx.question) != "fact":
        return None
    answer = compose_answered(replace(ctx, match="answered"))
    lead = answer.sentences[0] if answer.sentences else None
    if lead is None or lead.citation is None:
        return None
    case = answer.citations[lead.citation - 1].case_study
    if kind == "name":  # "who runs ...?": "managed by CommUNITY Barnet" is the one asked for
        return answer if names_the_doer(lead.text, ctx.question) else None
    return answer if holds(kind, lead.text, f"{ctx.question} {case.title}") else None


def compose_answered(ctx: Context, shape: Shape | None = None) -> Answer:
    """The answer to a question some case study covers (or that a conversation settled
    they do), shaped like the question."""
    shape = shape or question_shape(ctx.question)
    if shape == "where" and _WHERE_FIRST.match(ctx.question) \
            and boroughs_named(ctx.question, ctx.boroughs) \
            and topic_words(london().without_places(ctx.question), None, ()):
        # "where do Barnet residents get signposted?": the place is given, what is there is
        # not; "where is Bromley by Bow?" asks where the place named is
        shape = "open"
    asked = tally_asked(ctx.question, topic_words(ctx.question, None, ()))
    if asked is not None:
        return _tally(ctx, asked)
    if shape not in ("list", "count", "where", "compare") and _borough_alone(ctx) \
            and answer_type(ctx.question) not in ("number", "date") \
            and not (shape == "how" and asked_words(london().without_places(ctx.question))):
        # "tell me about Lambeth", "what is happening in Lewisham?": every case study from
        # it, as a list; "how many link workers are there in Southwark?" asks a figure one
        # sentence holds, not for the borough's case studies, and "how did Waltham Forest
        # link workers reach their communities?" how the best of them did what it names
        return _listing(ctx, "list")
    group = _group_described(ctx) if shape == "describe" else []
    if len(group) >= 2:
        # "give me a summary of the vaccine case studies": each of the group, as a follow-up
        # asked of several is answered
        ctx.ranked = [r for r in ctx.ranked if r.case_study.id in group]
        return compose_each(ctx, "describe")
    if shape in ("list", "count", "where"):
        return _listing(ctx, shape)
    if shape == "compare":
        named = named_cases(ctx.question, [r.case_study for r in ctx.ranked], ctx.boroughs)
        if len(named) == 1 and len(named[0][1]) >= 2:
            # "compare the two Lewisham case studies": one name, several case studies
            named = [(named[0][0], [case]) for case in named[0][1]]
        group = group_named(ctx.question, [r.case_study for r in ctx.ranked], ctx.sections) \
            if len(named) < 2 else []
        if len(group) >= 2:
            # "what do the vaccine case studies have in common?": each of the group
            named = [(case, [case]) for case in group]
        return _comparison(ctx, named)
    if shape == "how":
        return _how(ctx)
    return _single(ctx, shape)


def compose_none(question: str, sections: Sequence[str], elsewhere: Sequence[str],
                 confidence: float, evidence: Evidence | None, topics: Sequence[str] = ()
                 ) -> Answer:
    text = not_found_text(sections, elsewhere, topics)
    cover = evidence.coverage if evidence else 1.0
    domain = evidence.domain if evidence else 1.0
    signals = dict(evidence.features) if evidence else {}
    return Answer(question, text, (), False, confidence, "none", (AnswerSentence(text, None),),
                  cover, domain, signals, question_shape(question))



# A "related" answer offers a case study as the closest only when its calibrated score reaches
# this floor: below it, nothing shares the topic's meaning and saying so helps more. Chosen on
# dev as the highest floor that keeps every right offer (an in-scope question answered
# "related" whose closest include a case study that answers it: 8 of 8), which offers closest
# case studies for 26 of 37 near misses against 33 at 0.05 and 37 with no floor.
RELATED_FLOOR = 0.1
# The second closest is offered beside the first only when its score is at least this share of
# the first's: on dev's in-scope questions answered "related", every second closest that answers
# the question scored 0.83 to 0.95 of the first, and two of the eight that do not 0.30 and 0.55.
RELATED_SECOND = 0.8
# The membership a topic list's closest case study needs to be offered: membership is noisier
# below a list's claim than the calibrated score, and a wrong offer reads worse than "none is
# close". The lowest of eval/membership.py's FLOORS that offers no near miss on dev (its one
# related topic list, "survivors of domestic abuse", had a likeliest member at 0.43).
RELATED_MEMBER_FLOOR = 0.5


def _closest(ctx: Context) -> list[CaseResult]:
    """The one or two case studies a "related" answer offers as closest. For a list about a
    topic alone, those the topic's meaning reads as likeliest about it (membership at
    RELATED_MEMBER_FLOOR): the whole question's search can rank first a case study that shares
    its scaffolding, not its topic ("vaccine confidence" and a summary of the borough's health
    inequalities). Otherwise the calibrated score's best, at RELATED_FLOOR."""
    if ctx.members is not None:
        p = ctx.members
        by_topic = sorted(ctx.ranked, key=lambda r: -p.get(r.case_study.id, 0.0))[:2]
        best = p.get(by_topic[0].case_study.id, 0.0) if by_topic else 0.0
        close = [r for r in by_topic if p.get(r.case_study.id, 0.0) >= RELATED_MEMBER_FLOOR
                 and p.get(r.case_study.id, 0.0) >= RELATED_SECOND * best]
    else:
        close = [r for r in ctx.ranked[:2] if r.score >= RELATED_FLOOR
                 and r.score >= RELATED_SECOND * ctx.ranked[0].score
                 and r.case_study.id not in ctx.unoffered]
    # a theme the topic names is shared meaning, however its case studies score; the best by
    # score may share only the question's other words ("worked with" of "working with
    # housing associations")
    near = [r for r in ctx.ranked if r.case_study.id in ctx.neighbours]
    if near and not any(r.case_study.id in ctx.neighbours for r in close):
        close = near[:2]
    # asked of a borough with case studies of its own, the nearest of them is among those
    # offered: "No Croydon case study answers that" then offering only Lambeth's hides Croydon's
    named = set(boroughs_said(ctx.question, ctx.boroughs))
    local = [r for r in ctx.ranked if named & set(r.case_study.boroughs)]
    if local and close and not any(named & set(r.case_study.boroughs) for r in close):
        close = [local[0], *close][:2]
    return close


def compose_field_alone(ctx: Context) -> Answer:
    """A question in the field's own words and nothing more ("what is social prescribing?",
    "tell me about link workers"): every case study is about that, so none is closer than
    another, and the answer says what they cover instead. Not an answer to it: related."""
    ctx = replace(ctx, match="related")
    said = _page_says(ctx)
    intro = [AnswerSentence(said, None),
             AnswerSentence("Every case study here is an example of it; ask about a topic, a "
                            "place or a project to see one.", None)] if said else [
        AnswerSentence("Every case study here is about that, and none explains it on its "
                       "own; ask about a topic, a place or a project.", None)]
    intro.append(AnswerSentence(covered_text(ctx.topics, ctx.sections), None))
    return _answer(ctx, question_shape(ctx.question), intro, [], Quotes(ctx.stored))


def _page_says(ctx: Context) -> str | None:
    """What the page the case studies come from says of the field's words a question asks
    about ("Social Prescribing is a way of linking people ..."), quoted as its own: the first
    sentence of its opening that names them, two in a row as the question has them, and holds
    the rest bar the field's common words ("work" of "how does social prescribing work?");
    None where none does, or the build kept no page. "Linking people" names no link workers."""
    page = ctx.stored.page
    scaffolding = set(tokenize(" ".join(question_words())))
    order = [s for s in tokenize(ctx.question) if s not in scaffolding]
    if page is None or not order:
        return None
    common = set(tokenize(" ".join(generic_words())))

    def holds(sentence: str) -> bool:
        said = tokenize(sentence)
        named = set(pairwise(order)) & set(pairwise(said))
        return bool(named) and set(order) - set(said) <= common
    said = next((s for p in page.intro for _, s in split_sentences(p) if holds(s)), None)
    if said is None:
        return None
    host = urlsplit(page.url).hostname or ""
    where = f" ({host.removeprefix('www.')})" if host else ""
    return f"The page these case studies come from{where} says: \u201c{said.rstrip('.')}\u201d."


def _away_first(ctx: Context, head: str, away: CaseResult, close: Sequence[CaseResult],
                quotes: Quotes) -> tuple[list[AnswerSentence], list[AnswerItem]]:
    """What a related answer offers where the question asked of no place is answered from
    outside the boroughs it names: that case study first, then the closest within them."""
    places = " or ".join(boroughs_said(ctx.question, ctx.boroughs))
    near = [r for r in close if r.case_study.id != away.case_study.id
            and set(r.case_study.boroughs) & set(boroughs_said(ctx.question, ctx.boroughs))][:1]
    intro = [AnswerSentence(head, None),
             AnswerSentence(f"Outside {places}, {in_sentence(away.case_study)} is about that.",
                            None)]
    if near:
        intro.append(AnswerSentence(f"The closest in {places} is {in_sentence(near[0].case_study)}.",
                                    None))
    return intro, _items(ctx, [away, *near], quotes, 1)


def _none_covers(ctx: Context, topic: str) -> str:
    """That no case study covers the question, said of the boroughs it names where it names
    some with case studies: "how did Newham support refugees?" is not told that no case study
    anywhere answers, when Croydon's is about refugees."""
    places = " or ".join(boroughs_said(ctx.question, ctx.boroughs))
    who = f"No {places} case study" if places else "No case study"
    if not topic:
        return f"{who} answers that." if places else "No case study here answers that."
    # "which case studies mention the NHS app?" asks what they say, not what they are about
    verb = "mentions" if mentions(ctx.question) else "is about" if places else "here is about"
    return f"{who} {verb} {topic}."


def compose_related(ctx: Context, elsewhere: Sequence[str], topic: str,
                    place_alone: bool = False, away: CaseResult | None = None) -> Answer:
    """No case study covers the question: say so in the asker's words, then offer the closest
    where they really are close, else what the case studies do cover. `elsewhere`: the places
    it names that no case study is from; `topic`: what it asks about (answering/subject.py);
    `place_alone`: it asks about those places and nothing more, so where the case studies are
    from is what it can be told; `away`: the case study that answers it asked of no place,
    from outside the boroughs it names, offered first."""
    ctx = replace(ctx, match="related")
    head = elsewhere_text(elsewhere) if elsewhere else _none_covers(ctx, topic)
    quotes = Quotes(ctx.stored)
    shape = question_shape(ctx.question)
    if place_alone:
        intro = [AnswerSentence(f"None of the case studies is from {' or '.join(elsewhere)}.",
                                None),
                 AnswerSentence(f"The case studies come from these London boroughs: "
                                f"{join(list(ctx.boroughs))}.", None)]
        return _answer(ctx, shape, intro, [], quotes)
    close = _closest(ctx)
    if away is not None:
        intro, items = _away_first(ctx, head, away, close, quotes)
        return _answer(ctx, shape, intro, items, quotes)
    if not close:
        intro = [AnswerSentence(head, None), AnswerSentence("None is close.", None),
                 AnswerSentence(covered_text(ctx.topics, ctx.sections), None)]
        return _answer(ctx, shape, intro, [], quotes)
    titles = join([in_sentence(r.case_study) for r in close])
    intro = [AnswerSentence(head, None),
             AnswerSentence(f"The closest {'is' if len(close) == 1 else 'are'} {titles}.", None)]
    return _answer(ctx, shape, intro, _items(ctx, close, quotes, 1), quotes)
