"""Is an answer right, and does it read? Pure checks on Answer records (issue 18, point 6).

Content (eval/answers.jsonl, per kind): a list, count, where or comparison cites every relevant
case study; a count gives its number first; a where-answer names every borough; a fact answer
holds every fact; a comparison gives each case study its own item; how, describe and follow-up
answers lead with the right case study and cite nothing else.

Reading (every answer of the evaluation): each sentence a reader sees is whole, does not open on
a pronoun that points at nothing, is not a bare title, and (for an in-scope question) does not
quote a case study off the question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from casebook.eval.metrics import Estimate, estimate
from casebook.eval.questions import Question
from casebook.records import Answer, AnswerSentence, CaseStudy

KINDS = ("fact", "list", "count", "where", "compare", "how", "describe", "followup")
# kinds whose right answer names every relevant case study, not just the best one
COMPLETE = ("list", "count", "where", "compare")
# kinds whose right answer is about one case study: it leads, and nothing else is cited
FOCUSED = ("how", "describe", "followup")
FAILURES = ("fragment", "pronoun", "title", "off_topic")

MARKER = re.compile(r"\s*\[\d+\]\s*$")
OPENING = "\"'“‘«("
CLOSING = "\"'”’»)]"
WHOLE = re.compile(rf"^[{re.escape(OPENING)}]*[A-Z0-9£].*[.!?][{re.escape(CLOSING)}]*$", re.DOTALL)
# Words that point back at something said before: a sentence may not open on one unless the
# sentence shown just before it quotes the same passage (then it has its referent).
POINTERS = frozenset(
    "this these that those they their theirs them it its he she him his her hers we our us"
    .split())
# "This case study ..." points at a page the reader is not on, whatever came before it.
THIS_CASE_STUDY = re.compile(r"^\W*this\s+case\s+stud", re.IGNORECASE)
FIRST_WORD = re.compile(r"[A-Za-z]+")
TITLE_SEPARATORS = re.compile(r"\s*(?::|\s[–—-]\s|_)\s*")

_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
          "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
NUMBER = re.compile(r"\b(?:\d+|(?:" + "|".join(_TENS) + r")(?:[\s-](?:" + "|".join(_UNITS[1:10])
                    + r"))?|" + "|".join(_UNITS) + r")\b", re.IGNORECASE)


# ---------------------------------------------------------------- what an answer cites


def shown_text(sentence: AnswerSentence) -> str:
    """The sentence as a reader sees it, without its citation marker."""
    return MARKER.sub("", sentence.text).strip()


def cited_case(answer: Answer, sentence: AnswerSentence) -> str | None:
    index = sentence.citation
    if index is None or not 1 <= index <= len(answer.citations):
        return None
    return answer.citations[index - 1].case_study.id


def cited_ids(answer: Answer) -> list[str]:
    """Every case study the answer cites or lists as an item, first mention first."""
    ids = [c.case_study.id for c in answer.citations] + [i.case_study.id for i in answer.items]
    return list(dict.fromkeys(ids))


def first_cited(answer: Answer) -> str | None:
    """The case study of the first sentence that carries a citation (what a reader meets first)."""
    for sentence in answer.sentences:
        case = cited_case(answer, sentence)
        if case is not None:
            return case
    if answer.items:
        return answer.items[0].case_study.id
    return answer.citations[0].case_study.id if answer.citations else None


def answer_text(answer: Answer) -> str:
    return " ".join([answer.answer, *(s.text for s in answer.sentences),
                     *(s.text for i in answer.items for s in i.sentences)])


def numbers(text: str) -> list[int]:
    """Every number in the text, written in digits or in words (up to fifty-nine)."""
    out = []
    for token in NUMBER.findall(text):
        words = re.split(r"[\s-]+", token.lower())
        if words[0].isdigit():
            out.append(int(words[0]))
        elif words[0] in _TENS:
            out.append(_TENS[words[0]] + (_UNITS.index(words[1]) if len(words) > 1 else 0))
        else:
            out.append(_UNITS.index(words[0]))
    return out


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("&", " and ")).strip().lower()


# ---------------------------------------------------------------- content, per kind


def names_every_relevant(question: Question, answer: Answer) -> bool:
    return set(question.relevant) <= set(cited_ids(answer))


def count_first(question: Question, answer: Answer) -> bool:
    """The first sentence gives the number of case studies (digits or words)."""
    if question.count is None or not answer.sentences:
        return False
    return question.count in numbers(shown_text(answer.sentences[0]))


def names_boroughs(question: Question, answer: Answer) -> bool:
    text = _plain(answer_text(answer))
    return all(_plain(b) in text for b in question.boroughs)


def holds_facts(question: Question, answer: Answer) -> bool:
    text = answer_text(answer).lower()
    return bool(question.facts) and all(f.lower() in text for f in question.facts)


def compares_each(question: Question, answer: Answer) -> bool:
    itemised = {i.case_study.id for i in answer.items}
    return set(question.relevant) <= itemised


def padded(question: Question, answer: Answer) -> bool:
    """The answer cites a case study outside the question's relevant list."""
    return any(case not in question.relevant for case in cited_ids(answer))


def leads_right(question: Question, answer: Answer) -> bool:
    return bool(question.relevant) and first_cited(answer) == question.relevant[0]


def content_right(question: Question, answer: Answer) -> bool:
    kind = question.kind
    if kind == "fact":
        return holds_facts(question, answer)
    if kind in FOCUSED:
        return leads_right(question, answer) and not padded(question, answer)
    if kind not in COMPLETE:
        raise ValueError(f"no content check for kind {kind!r}")
    right = names_every_relevant(question, answer)
    if kind == "count":
        right = right and count_first(question, answer)
    elif kind == "where":
        right = right and names_boroughs(question, answer)
    elif kind == "compare":
        right = right and compares_each(question, answer)
    return right


# ---------------------------------------------------------------- reading


def is_whole(text: str) -> bool:
    """Opens on a capital, a digit or an opening quote; ends on . ! or ? (then quotes/brackets)."""
    return bool(WHOLE.match(text))


def opens_on_pointer(text: str) -> bool:
    word = FIRST_WORD.search(text)
    return word is not None and word.start() <= 2 and word.group(0).lower() in POINTERS


def title_parts(case: CaseStudy) -> set[str]:
    """A title and each run of it between separators (":", " – ", "_"), of two words or more."""
    title = case.title
    cuts = list(TITLE_SEPARATORS.finditer(title))
    starts = [0] + [c.end() for c in cuts]
    ends = [c.start() for c in cuts] + [len(title)]
    runs = {title[s:e] for s in starts for e in ends if s < e}
    return {_bare(r) for r in runs if len(r.split()) >= 2}


def _bare(text: str) -> str:
    stripped = text.strip().rstrip(".!?").strip(OPENING + CLOSING + " ").rstrip(".!?")
    return re.sub(r"\s+", " ", stripped).lower()


def sentence_failures(answer: Answer, index: int, titles: set[str],
                      relevant: Sequence[str] | None) -> list[str]:
    """What is wrong with the index-th displayed sentence (empty: it reads)."""
    sentence = answer.sentences[index]
    text = shown_text(sentence)
    failures = []
    if not is_whole(text):
        failures.append("fragment")
    if THIS_CASE_STUDY.match(text) or (opens_on_pointer(text) and not _continues(answer, index)):
        failures.append("pronoun")
    if _bare(text) in titles:
        failures.append("title")
    case = cited_case(answer, sentence)
    if relevant and case is not None and case not in relevant:
        failures.append("off_topic")
    return failures


def _continues(answer: Answer, index: int) -> bool:
    """The sentence before this one quotes the same passage, so a pronoun has its referent."""
    if index == 0:
        return False
    here, before = answer.sentences[index].citation, answer.sentences[index - 1].citation
    return here is not None and here == before


def reading_failures(answer: Answer, titles: set[str],
                     relevant: Sequence[str] | None = None) -> dict[str, list[str]]:
    """Failure type -> the sentences that fail it (empty: the answer reads).

    `relevant` is the question's relevant list for an in-scope labelled question (a cited
    sentence from any other case study is off topic); None where there is none."""
    out: dict[str, list[str]] = {}
    for index in range(len(answer.sentences)):
        for failure in sentence_failures(answer, index, titles, relevant):
            out.setdefault(failure, []).append(shown_text(answer.sentences[index]))
    return out


def all_titles(cases: Iterable[CaseStudy]) -> set[str]:
    return set().union(*(title_parts(c) for c in cases))


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Graded:
    """One answer, judged."""

    id: str
    kind: str
    question: str
    content_right: bool | None  # None: no content label (questions.jsonl)
    padded: bool
    failures: dict[str, list[str]] = field(default_factory=dict)
    first_cited: str | None = None

    @property
    def reads_badly(self) -> bool:
        return bool(self.failures)


@dataclass(frozen=True)
class KindFigures:
    n: int
    content_right: Estimate
    read_badly: Estimate
    failures: dict[str, int]  # failure type -> answers with at least one such sentence
    padding: Estimate


@dataclass(frozen=True)
class AnswerReport:
    kinds: dict[str, KindFigures]  # answers.jsonl, per kind and "all"
    reading: dict[str, KindFigures]  # questions.jsonl answers, reading only, per scope and "all"
    followup: Estimate  # answers.jsonl follow-ups whose first citation is the right case study
    followup_questions: Estimate  # the same on questions.jsonl's follow-ups
    graded: list[Graded] = field(default_factory=list)


def grade(question: Question, answer: Answer, titles: set[str], *, content: bool) -> Graded:
    relevant = question.relevant or None
    return Graded(question.id, question.kind, question.question,
                  content_right(question, answer) if content else None,
                  bool(question.relevant) and padded(question, answer),
                  reading_failures(answer, titles, relevant), first_cited(answer))


def figures(graded: Sequence[Graded]) -> KindFigures:
    counts = Counter(f for g in graded for f in g.failures)
    return KindFigures(
        len(graded),
        estimate([float(bool(g.content_right)) for g in graded if g.content_right is not None]),
        estimate([float(g.reads_badly) for g in graded]),
        {f: counts.get(f, 0) for f in FAILURES},
        estimate([float(g.padded) for g in graded]))


def _follow_rate(pairs: Sequence[tuple[Question, Answer]]) -> Estimate:
    return estimate([float(leads_right(q, a)) for q, a in pairs if q.follows and q.relevant])


def summarise(answer_set: Sequence[tuple[Question, Answer]],
              question_set: Sequence[tuple[Question, Answer]],
              cases: Iterable[CaseStudy]) -> AnswerReport:
    """Content and reading figures for the answer set, reading figures for the question set."""
    titles = all_titles(cases)
    labelled = [grade(q, a, titles, content=True) for q, a in answer_set]
    plain = [grade(q, a, titles, content=False) for q, a in question_set]
    scope_of: Mapping[str, str] = {q.id: q.scope for q, _ in question_set}
    kinds = {k: figures([g for g in labelled if g.kind == k]) for k in KINDS}
    kinds["all"] = figures(labelled)
    reading = {s: figures([g for g in plain if scope_of[g.id] == s])
               for s in ("in_scope", "near_miss", "far")}
    reading["all"] = figures(plain)
    return AnswerReport(kinds, reading, _follow_rate(answer_set), _follow_rate(question_set),
                        labelled + plain)
