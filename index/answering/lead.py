"""Which sentence answers: the question's expected answer type, matched against each sentence.

Classic question answering (answer-type matching): a "when" question wants a sentence with a
date, "how many" a number, "who"/"which organisation" a name, and "how did they" / "what did
they do" a sentence that says what was done rather than the problem that led to it. The type
only breaks near-ties in relevance: a sentence of the right type that is off the topic still loses.
"""

from __future__ import annotations

import re
from typing import Literal

AnswerType = Literal["date", "number", "name", "action", "any"]

_WHEN = re.compile(r"^\s*(?:when|what\s+year|since\s+when|how\s+long)\b", re.I)
_HOW_MANY = re.compile(r"\bhow\s+(?:many|much)\b|\bwhat\s+(?:number|percentage|proportion|share)\b",
                       re.I)
_WHO = re.compile(r"^\s*(?:who|whom|whose|which\s+(?:organi[sz]ation|charity|council|trust|"
                  r"team|partner|group|service|provider)s?)\b|\bwho\s+(?:ran|runs|led|leads|"
                  r"delivered|delivers|funded|funds|set)\b", re.I)
_ACTION = re.compile(r"^\s*(?:how\s+(?:did|do|does|have|has|can|could|were|was|are|is)|"
                     r"what\s+(?:did|do|does|have|has|was\s+done|were)|in\s+what\s+way)\b", re.I)

DATE = re.compile(r"\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|"
                  r"September|October|November|December)\b")
NUMBER = re.compile(r"\b\d[\d,.]*%?|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
                    r"eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|dozen)\b", re.I)
# a capitalised word inside the sentence (not its first word), or an acronym: a name
NAME = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+(?: [A-Z][a-z]+)*|\b[A-Z]{2,}\b")
# a verb in the past tense or a present perfect after a subject: something that was done
DONE = re.compile(r"\b(?:we|they|the\s+team|link\s+workers?|the\s+service|the\s+project|"
                  r"it|this)\s+(?:\w+\s+)?(?:have\s+|has\s+|had\s+)?\w+ed\b|"
                  r"\b(?:set\s+up|ran|began|built|held|gave|made|brought|took|led|sent|"
                  r"wrote|met|found|grew|spent|taught)\b", re.I)
PROBLEM = re.compile(r"\b(?:reluctan\w*|concern\w*|worr\w*|hesitan\w*|barrier\w*|challenge\w*|"
                     r"problem\w*|lack\w*|difficult\w*|struggl\w*)\b", re.I)

TYPE_BONUS = 0.08  # in cosine units: a tie-breaker among sentences on the topic
# a number or a date is a sharper cue than a capital letter or a verb: it may outweigh more
PRECISE_BONUS = 0.35  # chosen on dev fact questions (9 of 11 leads hold the fact; 8 at 0.15 and 0.25)


def answer_type(question: str) -> AnswerType:
    if _HOW_MANY.search(question):
        return "number"
    if _WHEN.search(question):
        return "date"
    if _WHO.search(question):
        return "name"
    if _ACTION.search(question):
        return "action"
    return "any"


def type_bonus(kind: AnswerType, sentence: str) -> float:
    """How well a sentence fits the answer type, in cosine units (0 for "any")."""
    if kind == "date":
        return PRECISE_BONUS if DATE.search(sentence) else 0.0
    if kind == "number":
        return PRECISE_BONUS if NUMBER.search(sentence) else 0.0
    if kind == "name":
        return TYPE_BONUS if NAME.search(sentence) else 0.0
    if kind == "action":
        done = TYPE_BONUS if DONE.search(sentence) else 0.0
        return done - (TYPE_BONUS / 2 if PROBLEM.search(sentence) else 0.0)
    return 0.0
