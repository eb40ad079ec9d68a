"""Which sentence answers: relevance to the question's own words, then its expected answer type.

Classic question answering. A sentence is relevant by its cosine to the question and by the
share of the question's content words it holds (`overlap`: stemmed, acronyms spelled out,
weighted by rarity, leaving out the words that name the case study itself, which found the case
study and say nothing about which of its sentences answers). Among the sentences nearly as
relevant as the best, the first that holds the expected answer type leads (`holds`): a date for
"when", a number for "how many / how much / how often", a name not already in the question for
"who / which organisation", a reason for "why", and for "how did they / what did they do" a
sentence that says what was done rather than the problem that led to it. The type only breaks
near-ties: a sentence of the right type that is off the topic still loses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from casebook.index.answering.prose import POINTING
from casebook.index.answering.shapes import without_carry_on
from casebook.index.text.acronyms import expand_acronyms
from casebook.index.text.terms import tokenize

AnswerType = Literal["date", "number", "name", "reason", "outcome", "action", "any"]

_HOW_MANY = re.compile(r"\bhow\s+(?:many|much|often|long|old|big|large)\b|"
                       r"\bwhat\s+(?:number|percentage|proportion|share|amount|size)\b", re.I)
_WHEN = re.compile(r"^\s*(?:when|since\s+when)\b|\b(?:what|which)\s+(?:year|month|date|day|"
                   r"season)s?\b|\bin\s+what\s+year\b", re.I)
_WHO = re.compile(r"^\s*(?:who|whom|whose)\b|\bwho\s+(?:ran|runs|led|leads|delivered|delivers|"
                  r"funded|funds|set|founded|manages|oversees)\b|\b(?:which|what)\s+(?:\w+\s+){0,2}"
                  r"(?:organi[sz]ation|charity|charities|council|trust|team|partner|group|provider|"
                  r"federation|company|body|person|people|hospital|network|system|programme|"
                  r"borough|practice|clinic|centre|hub)s?\b", re.I)
_WHY = re.compile(r"^\s*why\b|\bwhat\s+(?:made|makes|caused|causes|led)\b|\bfor\s+what\s+reason\b"
                  r"|\bwhat\s+(?:was|were|is|are)\s+the\s+reasons?\b", re.I)
# asking what came of it: the results asked for ("what were the results", "what impact did
# it have", "what did it achieve", "did it work"), not a word of the topic ("a plan to tackle
# unequal health outcomes")
_RESULTS = r"(?:results?|outcomes?|impacts?|effects?|benefits?|difference|evidence)"
_OUTCOME_ASKED = re.compile(
    rf"^\s*what\s+(?:were|was|are|is|have\s+been)\s+(?:the\s+|its\s+|their\s+)?(?:\w+\s+)?"
    rf"{_RESULTS}\b|^\s*what\s+(?:\w+\s+)?{_RESULTS}\s+(?:did|does|do|has|have|had)\b|"
    r"^\s*what\s+(?:did|has|have|does)\s+.+\bachieve\w*|\bhow\s+(?:successful|effective|well)\b|"
    r"\bwhat\s+came\s+of\b|"
    r"(?:did|does|has)\s+(?:it|this|that|the\s+(?:\w+\s+){1,4}?)\s*work(?:ed)?\s*[?.!]*\s*$",
    re.I)
# "who is it for?", "who was the service aimed at?": the people served, told by a common noun
# ("local children and young people"), not a name
_WHO_FOR = re.compile(r"^\s*(?:and\s+)?who\s+(?:is|are|was|were)\s+(?:[\w’'-]+\s+){1,6}?(?:for|aimed\s+at|"
                      r"meant\s+for|designed\s+for)\s*[?.!]*\s*$", re.IGNORECASE)
_ACTION = re.compile(r"^\s*(?:how\s+(?:did|do|does|have|has|can|could|were|was|are|is|will|"
                     r"would|should)|what\s+(?:\w+\s+)?(?:did|do|does|have|has|was\s+done|were)|"
                     r"in\s+what\s+ways?)\b", re.I)

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
          r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?")
# months and seasons are dates only with a year, a day or a preposition of time ("in December",
# "the 20th of March", "spring 2021"): "May we help?" holds none
DATE = re.compile(rf"\b(?:19|20)\d\d(?:/\d\d)?\b|\b{_MONTH}\s+(?:19|20)\d\d|"
                  rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|"
                  rf"(?i:\b(?:in|during|from|since|by|until|till|early|late|mid|last|next|this)"
                  rf"[\s-]+(?:the\s+)?)(?:{_MONTH}|(?i:spring|summer|autumn|winter)\b)|"
                  r"(?i:\b(?:spring|summer|autumn|winter)\s+(?:of\s+)?(?:19|20)\d\d)")
_NUMBER_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                 r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
                 r"sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|dozens?|half|"
                 r"third|quarter|once|twice|weekly|monthly|daily|fortnightly|"
                 r"annually|yearly")
NUMBER = re.compile(rf"\b\d[\d,.]*\b|£\s?\d|\d\s?%|\bper\s?cent\b|\b(?:{_NUMBER_WORDS})\b", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")
# a capitalised word inside the sentence (not its first word), or an acronym: a name
NAME = re.compile(r"(?<=[a-z,;:()] )(?:Dr\.? |Mr\.? |Mrs\.? |Ms\.? )?[A-Z][\w&'’-]*"
                  r"(?: (?:of |and |for |by |the |& )?[A-Z][\w&'’-]*)*|\b[A-Z]{2,}[a-z]?s?\b")
REASON = re.compile(r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|caused\s+by|so\s+that|"
                    r"in\s+order\s+to|thanks\s+to|led\s+to|(?:which|this|that)\s+(?:has\s+|have\s+"
                    r"|had\s+)?(?:made|meant|means|makes|caused)|concerns?\s+(?:that|about|it)|"
                    r"fears?\s+(?:that|of|about)|worried\s+(?:that|about))\b", re.I)
# what came of it: a result, a change, a figure of one
OUTCOME = re.compile(r"\b(?:impact\w*|result\w*|outcome\w*|reduc\w*|increas\w*|improv\w*|"
                     r"saved|fewer|benefit\w*|success\w*|feedback)\b|\d\s?%|\bper\s?cent\b",
                     re.IGNORECASE)
# a verb in the past tense or a perfect after a subject: something that was done
DONE = re.compile(r"\b(?:we|they|she|he|it|this|the\s+\w+|\w+s)\s+(?:\w+ly\s+)?(?:have\s+|has\s+|"
                  r"had\s+|was\s+|were\s+)?\w+ed\b|\b(?:has|have|had)\s+(?:\w+\s+)?(?:used|run|"
                  r"set|built|made|brought|taken|led|given|held|grown|begun|met|found|taught|"
                  r"sent|spent|won)\b|\b(?:set\s+up|ran|began|built|held|gave|made|brought|took|"
                  r"led|sent|wrote|met|found|grew|spent|taught|uses|provides|offers|runs|"
                  r"delivers|supports|helps|works|brings|enables|hired|launched|trained|created|"
                  r"introduced|partner(?:ed|ing)\s+with)\b|\b(?:is|are|was|were)\s+being\s+\w+ed\b", re.I)
# what was wrong, not what was done ("problem solving" is a skill taught, not a problem)
PROBLEM = re.compile(r"\b(?:reluctan\w*|concern\w*|worr\w*|hesitan\w*|barrier\w*|challeng\w*|"
                     r"problem(?![\s-]+solv)\w*|lack\w*|difficult\w*|struggl\w*|unable|issues?|"
                     r"fears?|"
                     r"misconception\w*|myths?|rumou?rs?|misinformation|conspirac\w*|"
                     r"scaremonger\w*|scare\s+monger\w*|mistrust\w*|distrust\w*|"
                     r"pressure|shortage\w*|insufficient|inadequate|"
                     r"(?:too\s+)?(?:low|few|fewer|limited|poor)\s+(?:\w+\s+)?(?:number|numbers|"
                     r"levels?|rates?|uptake|access|supply|awareness))\b", re.I)

# a title's parts: "Name: what it did", "Borough – what it did – Case Study"
# who paid is its own question: a name in a sentence that says nothing of money is who ran it
# or who was helped ("Croydon Voluntary Action" of "who paid for it?"), not who paid
_MONEY_ASKED = re.compile(r"\b(?:fund(?:s|ed|ing)?|pa(?:y|ys|id)|financ\w*|sponsor\w*|"
                          r"bankroll\w*|money)\b", re.I)
MONEY = re.compile(r"\b(?:fund\w*|pa(?:y|ys|id|ying|yment)|financ\w*|budget\w*|grants?|"
                   r"sponsor\w*|money)\b", re.I)


# a number that is part of a name ("Covid-19"), no figure of anything
_NAME_NUMBER = re.compile(r"[A-Za-z]-$")
_HOW_MUCH_MONEY = re.compile(r"\bhow\s+much\s+(?:\w+\s+)?(?:money|funding|fund|budget|grant|"
                             r"cost|did\s+it\s+cost|was\s+spent)\b", re.I)
_HOW_LONG = re.compile(r"\bhow\s+long\b", re.I)
# a length of time: a number of time units, or a span between two dates or since one
_DURATION = re.compile(rf"\b(?:\d[\d,.]*|{_NUMBER_WORDS}|a|an|several|many|few)\s+(?:\w+\s+)?"
                       r"(?:years?|months?|weeks?|days?|decades?)\b|\bfrom\s+(?:\w+\s+)?"
                       r"(?:19|20)\d\d\s+(?:to|until|till)\s+(?:\w+\s+)?(?:19|20)\d\d\b|"
                       r"\b(?:since|for)\s+(?:\w+\s+)?(?:19|20)\d\d\b", re.I)
# a sum of money: "£1.2m", "£300,000", "300k", "2 million pounds"
_SUM = re.compile(r"£\s?\d[\d,.]*(?:\s?(?:k|m|bn|million|thousand|billion)\b)?|"
                  r"\b\d[\d,.]*\s?(?:k|m|million|thousand|billion|pounds)\b", re.I)


def asks_who_paid(question: str) -> bool:
    """A who-question about money: "who funds it?", "who paid for that service?"."""
    return answer_type(question) == "name" and bool(_MONEY_ASKED.search(question))


_TITLE_PARTS = re.compile(r"\s*:\s+|\s+[–—-]\s+")

# interrogatives and auxiliaries: the question's form, not its content (bm25s keeps them)
QUESTION_WORDS = frozenset(tokenize("who whom whose what when where which why how many much often "
                                    "long did does do doe was were"))
PREFIX = 5  # stems that share their first five letters match ("founded" / "founder")
# The lead is the most relevant of the top case study's sentences that holds the expected answer
# type, among its most relevant sentence and those that hold at least NEAR of the best share.
# Chosen on dev fact questions, with answer.OVERLAP_WEIGHT: a plateau over 0.5-0.75.
NEAR = 2 / 3


def answer_type(question: str) -> AnswerType:
    question = without_carry_on(question)
    if _HOW_MANY.search(question):
        return "number"
    if _WHEN.search(question):
        return "date"
    if _WHY.search(question):
        return "reason"
    if _OUTCOME_ASKED.search(question):
        return "outcome"
    if _WHO.search(question) and not _WHO_FOR.search(question):
        return "name"
    if _ACTION.search(question):
        return "action"
    return "any"


def terms(text: str) -> set[str]:
    """Content stems of a text, acronyms spelled out as well as kept."""
    return set(tokenize(expand_acronyms(text))) - QUESTION_WORDS


def _matches(term: str, held: set[str], prefixes: set[str]) -> bool:
    return term in held or (len(term) >= PREFIX and term[:PREFIX] in prefixes)


def overlap(question_terms: Iterable[str], sentence: str, weight: Mapping[str, float],
            given: Iterable[str] = ()) -> float:
    """The share of the question's terms (weighted by `weight`, 1 when absent) the sentence
    holds, not counting the `given` ones, which still weigh in the whole; 0 when there are none."""
    skip = set(given)
    wanted = set(question_terms)
    total = sum(weight.get(t, 1.0) for t in wanted)
    if not total:
        return 0.0
    held = terms(sentence)
    prefixes = {t[:PREFIX] for t in held if len(t) >= PREFIX}
    return sum(weight.get(t, 1.0) for t in wanted - skip if _matches(t, held, prefixes)) / total


def rarity(texts: Iterable[str]) -> dict[str, float]:
    """idf of every term over `texts` (the sentences answers are chosen from)."""
    df: dict[str, int] = {}
    count = 0
    for text in texts:
        count += 1
        for t in terms(text):
            df[t] = df.get(t, 0) + 1
    return {t: math.log((count + 1) / (n + 0.5)) for t, n in df.items()}


def _name_words(text: str) -> set[str]:
    # a possessive is its name: "The Royal London's nurses" names the Royal London
    return {re.sub(r"['’]s$", "", w.lower()) for w in re.findall(r"[\w&'’-]+", text)}


def _new_names(sentence: str, question: str) -> list[str]:
    given = _name_words(question)
    return [m.group(0) for m in NAME.finditer(sentence) if not _name_words(m.group(0)) <= given]


def holds(kind: AnswerType, sentence: str, question: str = "") -> bool:
    """Whether the sentence holds an answer of the expected type that the question did not
    already give (a date, a number or a name it names itself answers nothing)."""
    if kind == "date":
        return any(m.group(0).lower() not in question.lower() for m in DATE.finditer(sentence))
    if kind == "number":  # a year is a date, not how many
        if asks_how_long(question):
            # "how long ...?" asks for a length of time: "from 2015 to 2019", "six months";
            # "one of four link workers" is no answer to it
            return any(m.group(0).lower() not in question.lower()
                       for m in _DURATION.finditer(sentence))
        # "how much funding?" asks for a sum of money, which "four boroughs" is not
        wanted = _SUM if _HOW_MUCH_MONEY.search(question) else NUMBER
        return any(m.group(0).lower() not in question.lower() and not _YEAR.fullmatch(m.group(0))
                   and not _NAME_NUMBER.search(sentence, 0, m.start())
                   for m in wanted.finditer(sentence))
    if kind == "name":
        return bool(_new_names(sentence, question))
    if kind == "reason":
        return bool(REASON.search(sentence))
    if kind == "action":
        return bool(DONE.search(sentence)) and not PROBLEM.search(sentence)
    if kind == "outcome":
        return bool(OUTCOME.search(sentence))
    return False


def headline(title: str) -> str | None:
    """What a case study's title says it did: the longest of its parts that is not the source
    page's label ("Case Study", "Social Prescribing Case Study_Covid-19 Vaccinations"); None
    for a title of one part, a bare name ("The Well Centre")."""
    parts = [p.strip() for p in _TITLE_PARTS.split(title) if p.strip()]
    kept = [p for p in parts if "case study" not in p.lower()]
    if len(parts) < 2 or not kept:
        return None
    best = max(kept, key=len)
    return best[0].upper() + best[1:]


def problem_only(kind: AnswerType, lead: str, sentences: Sequence[str], question: str = "") -> bool:
    """A "how did they" question whose `lead` tells the problem, from a case study none of whose
    `sentences` says what was done."""
    return (kind == "action" and bool(PROBLEM.search(lead))
            and not any(holds(kind, s, question) for s in sentences))


def pick_lead(candidates: Sequence[int], relevance: Mapping[int, float],
              share: Mapping[int, float], texts: Mapping[int, str], kind: AnswerType,
              question: str) -> int | None:
    """The lead among `candidates`: the type is a tie-breaker among the relevant ones, namely the
    most relevant sentence and those holding at least NEAR of the best share of the question's
    words; the most relevant of them that holds the expected answer type, else the most relevant,
    one that does not open by pointing back first."""
    if not candidates:
        return None
    ranked = sorted(candidates, key=lambda i: (-relevance[i], i))
    best_share = max(share[i] for i in candidates)
    doer = kind == "name" and bool(_DOER_ASKED.search(question))
    origin = kind == "action" and bool(_SET_UP_ASKED.search(question))
    paid = doer and asks_who_paid(question)
    partner = kind == "name" and bool(PARTNER_ASKED.search(question))
    relevant = [i for n, i in enumerate(ranked)
                if n == 0 or (best_share > 0 and share[i] >= NEAR * best_share)
                # who did it is said in other words than the asker's ("runs": "managed by
                # CommUNITY Barnet"): the doer among the few most relevant is a candidate too
                or (doer and n < AGENT_WITHIN and _agent(texts[i], question) == 2)
                # and, asked who paid, a sentence about the money ("Funding is derived from")
                or (paid and n < AGENT_WITHIN and bool(MONEY.search(texts[i])))
                or (partner and n < AGENT_WITHIN and bool(PARTNER_TOLD.search(texts[i])))
                # so is how it began ("set up": "It arose out of ... workshops")
                or (origin and bool(ORIGIN.search(texts[i])))]
    # a sentence that points back ("she was worried about him") reads second-hand even when
    # introduced: among the tied, one that stands alone leads
    if origin and any(ORIGIN.search(texts[i]) for i in relevant):
        # the most relevant telling of how it began, though it points back ("It arose out
        # of ..."): the sentence it points to is shown before it (compose._with_antecedents)
        return next(i for i in relevant if ORIGIN.search(texts[i]))
    return min(relevant, key=lambda i: (not holds(kind, texts[i], question),
                                         -_agent(texts[i], question) if kind == "name" else 0,
                                         paid and not MONEY.search(texts[i]),
                                         partner and not PARTNER_TOLD.search(texts[i]),
                                         bool(POINTING.match(texts[i]))))


# a question after how something began: "how did Barnet set up its hub?", "how was the
# service started?"
_SET_UP_ASKED = re.compile(r"\b(?:set(?:ting)?\s+up|start(?:ed|ing)?|establish(?:ed|ing)?|"
                           r"launch(?:ed|ing)?|begin|began|begun|found(?:ed|ing)?|creat(?:e|ed|ing)|"
                           r"come\s+about|came\s+about|get\s+going|got\s+going)\b", re.I)
# how something began, told: "arose out of the programme", "went live in December 2019 after"
ORIGIN = re.compile(r"\b(?:arose|arisen|grew|grown|came|emerged|born|developed)\s+(?:out\s+of|from)\b|"
                    r"\b(?:went\s+live|was\s+(?:set\s+up|established|founded|created|launched|"
                    r"started|piloted)|were\s+(?:set\s+up|established|created|launched)|"
                    r"launched|began|started|originated)\b", re.I)
# "who do they work with?": a partner, who may be named by a common noun ("in partnership
# with Social Prescribing Link Workers")
PARTNER_ASKED = re.compile(r"\b(?:work(?:s|ed|ing)?|partner(?:s|ed|ing)?|collaborat\w*|"
                            r"team(?:s|ed)?\s+up|link(?:s|ed)?\s+(?:in|up))\s+with\b", re.I)
PARTNER_TOLD = re.compile(r"\b(?:in\s+partnership\s+with|partner(?:ed|ing|s)?\s+with|"
                           r"work(?:s|ed|ing)?\s+(?:closely\s+)?with|alongside|together\s+with|"
                           r"linked\s+in\s+with|collaborat\w*\s+with)\s+\S", re.I)
AGENT_WITHIN = 3  # how far down a case study's most relevant sentences a "who" lead is looked for
# a question after the doer of something: "who runs ...?", "which charity manages ...?"
_DOER_ASKED = re.compile(r"\b(?:who\s+|which\s+(?:\w+\s+){0,2}?)(?:ran|runs|run|led|leads|lead|"
                         r"delivered|delivers|deliver|funded|funds|fund|paid|pays|pay|founded|"
                         r"manages|managed|manage|oversees|oversaw|oversee|operates|operated|"
                         r"operate|commissioned|commissions|commission|provides|provided|"
                         r"provide|hosts|hosted|host|employs|employed|employ)\b", re.IGNORECASE)
# "delivered by Quay Health Solutions", "managed by CommUNITY Barnet": the doer of a passive
# verb, named; what a "who" question asks
_AGENT = re.compile(r"\b[a-z]+(?:ed|en|wn|un|id|lt)\s+by\s+(?:the\s+)?(?=[A-Z])")


# "clinical director and hub founder Dr Stephanie Lamb": a named person by the title of one
# who runs something, who a "who runs ...?" question asks for as much as a passive's doer
_LEADER = re.compile(r"\b(?:director|founder|lead|leader|manager|head|chair|chief executive)"
                     r"\s+(?=(?:(?:Dr|Mr|Mrs|Ms|Miss|Professor|Prof)\.?\s+)?[A-Z])")


def asks_how_long(question: str) -> bool:
    """Whether a question asks for a length of time ("how long did the pilot run?")."""
    return bool(_HOW_LONG.search(question))


def names_the_doer(sentence: str, question: str) -> bool:
    """Whether a "who runs ...?" question is answered by the sentence: it names, after a
    passive's "by" or by a leading title, who did what the question asks."""
    return bool(_DOER_ASKED.search(question)) and _agent(sentence, question) == 2


def _agent(sentence: str, question: str) -> int:
    """2 where the sentence names, after a passive verb's "by", someone the question does not
    who did what it asks: who paid ("funded by Barnet CCG") for a question about money, who
    did it otherwise ("managed by CommUNITY Barnet" for "who runs ...?"); 1 where the doer
    named did the other (who paid, asked who ran it); else 0."""
    given = _name_words(question)
    money = asks_who_paid(question)
    found = 0
    if not money:
        for title in _LEADER.finditer(sentence):
            doer = NAME.match(sentence, title.end())
            if doer is not None and not _name_words(doer.group(0)) <= given:
                found = 2
    for verb in _AGENT.finditer(sentence):
        doer = NAME.match(sentence, verb.end())
        if doer is not None and not _name_words(doer.group(0)) <= given:
            found = max(found, 2 if bool(MONEY.search(verb.group(0))) == money else 1)
    return found
