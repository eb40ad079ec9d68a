"""The shape of a question, which decides the shape of its answer (pure).

A count wants a number first; a list or a borough question wants every case study that
matches; a comparison wants each named case study side by side; "how did they" wants what was
done; "tell me about" wants one case study described; a fact wants the sentence that holds it.
Rules on the question's own scaffolding (its interrogatives and request verbs), not on its
topic words, so they carry over to questions nobody wrote down.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

Shape = Literal["fact", "list", "count", "where", "compare", "how", "describe", "open"]

# what the corpus calls its units, and what askers call them
UNITS = (r"(?:case[\s-]*stud(?:y|ies)|projects?|examples?|services?|schemes?|programmes?|"
         r"programs?|initiatives?|ones|stories|studies|pilots?|models?)")
_COUNT = re.compile(rf"\bhow\s+many\s+(?:\w+\s+){{0,2}}?{UNITS}\b|\bnumber\s+of\s+{UNITS}\b|"
                    rf"\bcount\s+(?:the\s+)?{UNITS}\b", re.I)
_WHERE = re.compile(r"\b(?:which|what)\s+(?:london\s+)?(?:boroughs?|areas?|places?|parts\s+of\s+"
                    r"london|councils?|locations?)\b|^\s*where\b|\bin\s+which\s+boroughs?\b", re.I)
# "how many boroughs have vaccine case studies?": the places of case studies, which the records
# hold; not "in how many boroughs was the Bromley by Bow service delivered?", a fact one text
# gives
_HOW_MANY_PLACES = re.compile(r"\bhow\s+many\s+(?:london\s+)?(?:boroughs?|areas?|places?|councils?|"
                              r"locations?)\b.*\b(?:case[\s-]*stud(?:y|ies)|projects?|examples?)\b",
                              re.I)
# "what difference did it make" asks what came of one thing, not how two differ; "different"
# before its noun ("in different surgeries") describes, where "how are they different (from
# ...)?" compares
_COMPARE = re.compile(r"\bcompar\w*|\bdiffer(?!ence\s+(?:did|does|do|has|have|had|will|would|"
                      r"can|could|it|this|that|to|for|in)\b)(?!ent\s+(?!from\b|to\b|than\b|"
                      r"in\b|and\b|or\b)[a-z])\w*|\bcontrast\w*|\bversus\b|\bvs\.?\b|"
                      r"\bsimilarit\w*|\bin\s+common\b|\bside\s+by\s+side\b", re.I)
_LIST = re.compile(rf"^\s*(?:(?:which|what)\s+(?:\w+\s+){{0,2}}?{UNITS}\b|"
                   # "what are the vaccine case studies?", "which are the loneliness projects?"
                   rf"(?:which|what)\s+(?:are|were)\s+the\s+(?:[\w-]+\s+){{1,3}}?{UNITS}\s*\W*$|"
                   # "is there an example of ...?", "is there a case study about ...?"
                   rf"(?:is|are)\s+there\s+(?:an?\s+)?(?:any|anything|examples?|{UNITS})|"
                   # "what support is there for ...?": whatever exists, wherever it is
                   r"what\s+(?:\w+\s+){1,3}?(?:is|are)\s+there\b|"
                   rf"(?:any|anything)\s+(?:\w+\s+)?(?:on|about|for|of|from|in)\b|"
                   rf"(?:list|name|show\s+me|give\s+me|find)\s+(?:\w+\s+){{0,3}}?{UNITS}\b|"
                   rf"(?:do|does)\s+(?:any|anyone|any\s+{UNITS})\b|"
                   rf"(?:has|have)\s+(?:anyone|any\s+{UNITS}|other\s+\w+)\b)|"
                   rf"\b(?:all|every|other|any)\s+(?:the\s+)?{UNITS}\b", re.I)
# "what is the Well Centre": a name (capitalised) after the verb, in any case of the verb
_DESCRIBE = re.compile(r"^\s*(?:(?i:(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:tell\s+me|"
                       r"explain|describe|summari[sz]e|give\s+(?:me\s+)?an?\s+(?:overview|summary))"
                       r")\b|(?i:what\s+(?:is|was|are|were)\s+(?:the\s+)?)[A-Z]|"
                       r"(?i:what\s+(?:does|do)\s+(?:the\s+)?)[A-Z][\w&'’-]*(?:\s+[\w&'’-]+)*\s+"
                       r"(?i:do|offer|provide)\b)")
_HOW = re.compile(r"^\s*(?:how\s+(?:did|do|does|have|has|can|could|were|was|are|is|will|would|"
                  r"should|to)|what\s+(?:\w+\s+)?(?:did|do|does|have|has|was\s+done|were)\s+"
                  r"(?:[\w'’]+\s+){0,6}?(?:do|done|use|used|try|tried|offer|set\s+up)|"
                  r"in\s+what\s+ways?)\b", re.I)
_FACT = re.compile(r"^\s*(?:who|whom|whose|when|how\s+(?:many|much|often|long|old)|what\s+"
                   r"(?:year|date|month|number|percentage|proportion|organi[sz]ation|charity|"
                   r"company|group|partner)s?|which\s+(?:organi[sz]ation|charity|company|"
                   r"group|partner|gp|practice|team|year)s?|why)\b", re.I)


def without_comparison(question: str) -> str:
    """The question less the words that ask for a comparison ("in common", "compared"): they
    shape it and never name its topic."""
    return _COMPARE.sub(" ", question)


# a word that carries a conversation on ("And who manages it?", "But when did it start?"):
# the question after it has the shape it would have alone
_CARRY_ON = re.compile(r"^\s*(?:and|but|so|also|then|now|ok(?:ay)?|well)\b[\s,]*(?=\w)", re.I)


def without_carry_on(question: str) -> str:
    """`question` less a word that opens it only to carry a conversation on."""
    return _CARRY_ON.sub("", question, count=1)


# "which training hubs are featured?", "what projects are included?": what the page holds of a
# kind, as a list of its case studies
_FEATURED = re.compile(r"^\s*(?:which|what)\s+(?:\w+\s+){0,2}?\w+s\s+(?:are|were)\s+(?:featured|"
                       r"included|covered|described|profiled|showcased|listed)\b", re.I)


def question_shape(question: str) -> Shape:
    """The shape of `question`. Order matters: a count names its units ("how many case
    studies"), which a fact's "how many people" does not; "which boroughs" is a list of places;
    a comparison may be phrased as a how-question ("how did X differ from Y")."""
    question = without_carry_on(question)
    if _HOW_MANY_PLACES.search(question):  # "how many boroughs have vaccine case studies?"
        return "where"
    if _COUNT.search(question):
        return "count"
    if _WHERE.search(question):
        return "where"
    if _COMPARE.search(question):
        return "compare"
    if _LIST.search(question) or _FEATURED.search(question) \
            or re.search(r"\bsections?\b", question, re.I):
        return "list"
    if _DESCRIBE.search(question):
        return "describe"
    if _FACT.search(question):
        return "fact"
    if _HOW.search(question):
        return "how"
    return "open"


# The run of a list or count question after its units: "which case studies [involve Age UK]",
# "how many projects [are in Southwark]". A first word that is an auxiliary followed by a
# subject ("does the page have") leaves nothing a sentence can reuse.
_PREDICATE = re.compile(rf"^\s*(?:which|what|how\s+many)\s+(?P<kind>(?:\w+\s+){{0,2}}?)"
                        rf"(?P<unit>{UNITS})\s+(?P<rest>.+?)\s*[?.!]*\s*$", re.I)
# "what funding models are described?": the case studies are not what is described, their
# funding models are (not so "which vaccine projects are described?": those are the records)
_RECORD_UNIT = re.compile(r"^(?:case[\s-]*stud(?:y|ies)|projects?|examples?|ones|stories|studies)$",
                          re.I)
_PREPOSITION = re.compile(r"^(?:about|on|in|from|for|with|within|across)\s", re.I)
_FINITE = re.compile(r"\b(?:are|is|were|was|have|has|had|do|does|did|can|could|will|would)\b",
                     re.I)
_BARE_PASSIVE = re.compile(r"^(?:are|is|were|was|get|gets)\s+(?P<participle>\w+(?:ed|en|wn|d|t))$",
                           re.I)
_THERE = re.compile(rf"^\s*(?:(?:is|are)\s+there|how\s+many\s+{UNITS}\s+are\s+there)\s+"
                    rf"(?:any\s+|anything\s+|an?\s+|examples?\s+|{UNITS}\s+)*(?P<rest>(?:on|about|of|for|"
                    r"in|with|from|that|which|who|where|\w+ing)\s+.+?)\s*[?.!]*\s*$", re.I)
# the case studies are what the rest's subject acted on ("did they run", "did Healthy London
# Partnership write"): the rest is no predicate of theirs; "have" may be their own verb
# ("have a video")
_AUXILIARY_SUBJECT = re.compile(r"^(?:(?:do|does|did|can|could|would|should|will)\s+\w|"
                                r"(?:have|has|had)\s+(?:the|this|these|that|those|it|they|he|"
                                r"she|you|we|i|casebook|there)\b)", re.I)
_BE = {"are": "is", "were": "was", "have": "has", "do": "does"}


# "how did others ...", "has anyone ...", "what have other boroughs done ...": a question asked
# across case studies, whose answer quotes each that says how
_ACROSS = re.compile(r"\b(?:others|other\s+(?:boroughs?|areas?|places?|projects?|services?|"
                     r"teams?|pcns?|councils?|organisations?|trusts?)|anyone|anybody|elsewhere)\b",
                     re.IGNORECASE)


# "how is social prescribing funded?", "how are link workers trained?": the field's own
# practice in the passive, of no place or project named (no capital after the verb)
_HOW_IN_GENERAL = re.compile(r"^\s*(?i:how\s+(?:is|are)\s+(?:social\s+prescribing|link\s+workers|"
                             r"patients|people|clients|referrals))\s+[a-z]+(?:\s+[a-z]+){0,3}"
                             r"\s*[?.!]*\s*$")


def asks_across(question: str) -> bool:
    """Whether a question asks what several case studies did, not what one did."""
    return bool(_ACROSS.search(question) or _HOW_IN_GENERAL.match(question))


_HOW_ACROSS = re.compile(r"^\s*how\s+(?:did|do|does|have|has|can|could)\s+(?:others|anyone|"
                         r"anybody|other\s+\w+)\s+(?P<verb>[a-z]+)\s+(?P<rest>[^?!]+?)\s*[?.!]*\s*$",
                         re.IGNORECASE)


# "has anyone dealt with ...?", "did other boroughs use ...?": a list asked of whoever did it
_ANYONE_DID = re.compile(r"^\s*(?:has|have|did|do|does)\s+(?:anyone|anybody|others|other\s+\w+|"
                         rf"any\s+(?:\w+\s+)?{UNITS})\s+"
                         r"(?P<verb>[a-z]+)\s+(?P<rest>[^?!]+?)\s*[?.!]*\s*$", re.IGNORECASE)


def _present(verb: str) -> str | None:
    """A verb's plain present form ("dealt" -> "deal"); None for a word lemminflect's lexicon
    does not hold as a verb ("anything": its rules would guess "anythe")."""
    from lemminflect import getAllLemmas  # its lexicon loads on first use

    lemmas = getAllLemmas(verb.lower(), upos="VERB").get("VERB", ())
    return lemmas[0] if lemmas else None


def across_topic(question: str) -> str | None:
    """What a how-question across case studies asks about, as a gerund phrase: "how did others
    reach Muslim communities about vaccines?" -> "reaching Muslim communities about vaccines";
    None for a question of another form."""
    match = _HOW_ACROSS.match(question)
    if not match:
        return None
    from lemminflect import getInflection  # its lexicon loads on first use

    lemma = _present(match.group("verb"))
    gerund = getInflection(lemma, tag="VBG") if lemma else ()
    return f"{gerund[0]} {match.group('rest')}" if gerund else None


# words in -ing that open a phrase as a preposition would, not a verb
_PREPOSITION_ING = frozenset({"during", "regarding", "concerning", "including", "following"})


def where_clause(question: str) -> str | None:
    """The clause a list question asks case studies to be the setting of ("are there case
    studies where health coaches are part of the team?" -> "health coaches are part of the
    team"); None for a question of another form."""
    there = _THERE.match(question)
    if not there:
        return None
    first, _, tail = there.group("rest").partition(" ")
    return tail if first.lower() == "where" and tail else None


# a second question asked after the first ("..., and what did Age UK do in each?"): the list's
# sentence says what the first asks; its items' quotes answer the second
# The separator is read from the start of its run only (the lookbehind): "\s*(?:[,;]\s*|\s+)"
# tried at every space of a long run, split every way, took a minute on 2,000 spaces
_SECOND_QUESTION = re.compile(r"(?<![\s,;])[\s,;]+(?:and|but)\s+(?:what|how|who|when|where|why|"
                              r"which|did|do|does|can|could)\b.*$", re.IGNORECASE | re.DOTALL)


def predicate(question: str) -> str | None:
    """What a list or count question says its case studies do, in the plural ("involve Age
    UK", "are about vaccines"); None where the question gives nothing a sentence can reuse."""
    question = _SECOND_QUESTION.sub("?", without_carry_on(question))
    anyone = _ANYONE_DID.match(question)
    if anyone:
        verb = _present(anyone.group("verb"))
        return f"{verb} {anyone.group('rest')}" if verb else None
    there = _THERE.match(question)
    if there:
        first, _, tail = there.group("rest").partition(" ")
        if first.lower() == "where":  # a clause of its own: where_clause's sentence
            return None
        if first.lower().endswith("ing") and first.lower() not in _PREPOSITION_ING:
            # "anything involving Age UK": the verb in its plain present
            verb = _present(first)
            return f"{verb} {tail}" if verb and tail else None
        if first.lower() in ("that", "which", "who"):
            return tail or None
        if first.lower() in ("of", "on"):
            return f"are about {tail}" if tail else None
        return f"are {there.group('rest')}"
    match = _PREDICATE.match(question)
    if not match:
        return None
    rest = match.group("rest")
    if _AUXILIARY_SUBJECT.match(rest) or rest.lower() in ("are there", "there are"):
        return None
    if rest.lower().startswith("are there "):
        return f"are {rest[len('are there '):]}"
    if _PREPOSITION.match(rest) and not _FINITE.search(rest):
        # "how many case studies about loneliness?": no verb asked
        return f"are {rest}"
    passive = _BARE_PASSIVE.match(rest)
    kind = match.group("kind").strip()
    if passive and kind and not _RECORD_UNIT.match(match.group("unit")):
        # "funding models are described" -> "describe funding models"
        verb = _present(passive.group("participle"))
        return f"{verb} {kind} {match.group('unit').lower()}" if verb else None
    return rest


# "did": a past verb agrees with any subject ("does" and "do" would have to agree)
_ACTED_ON = re.compile(rf"^\s*(?:which|what|how\s+many)\s+(?:\w+\s+){{0,2}}?{UNITS}\s+"
                       r"did\s+(?P<after>.+?)\s*[?.!]*\s*$", re.I)


def acted_on(question: str) -> tuple[str, str] | None:
    """A list question whose case studies are what its subject acted on, as (subject, its verb
    in the past): "which case studies did Healthy London Partnership
    write?" -> ("Healthy London Partnership", "wrote"); None for any other, where the subject
    points back ("they"), where no word after its first can be a verb, or where any word
    follows the verb."""
    from lemminflect import getAllLemmas, getInflection  # lexicon loads on first use

    match = _ACTED_ON.match(_SECOND_QUESTION.sub("?", without_carry_on(question)))
    if not match:
        return None
    words = match.group("after").split()
    if words[0].lower() in _PRONOUNS:
        return None  # a subject that points back: no sentence of its own
    for i, word in enumerate(words[1:], start=1):
        lemmas = getAllLemmas(word.lower(), upos="VERB").get("VERB", ())
        if not (word.islower() and word in lemmas):
            continue
        if words[i + 1:]:
            # an object, a time or a preposition of its own ("did Age UK work with"): where
            # the number goes, and what the sentence would claim, is unclear
            return None
        return " ".join(words[:i]), (getInflection(word, "VBD") or (word,))[0]
    return None


_PRONOUNS = frozenset("they it he she you we i this that these those".split())


def singular(verb_phrase: str) -> str:
    """The phrase's first verb agreeing with one subject: "are in" -> "is in", "involve" ->
    "involves"; a past tense ("worked", "had", "ran") stays."""
    first, _, rest = verb_phrase.partition(" ")
    lower = first.lower()
    if lower in _BE:
        word = _BE[lower]
        rest = _one_of(rest)
    elif lower.endswith("ed") or (lower.endswith("s") and not re.search(r"(?:ss|us)$", lower)) \
            or _inflected(lower):
        word = first
    elif re.search(r"(?:ch|sh|ss|us|x|z|o)$", lower):
        word = first + "es"
    elif re.search(r"[^aeiou]y$", lower):
        word = first[:-1] + "ies"
    else:
        word = first + "s"
    return f"{word} {rest}".strip()


def _one_of(complement: str) -> str:
    """A plural noun after "are", as one: "films" -> "a film", "community projects" -> "a
    community project" ("one case study is films" reads badly); any other complement as it
    was ("about vaccines", "in Lambeth", "based in hospitals")."""
    from lemminflect import getAllLemmas  # its lexicon loads on first use, not at import

    words = complement.split()
    if not 1 <= len(words) <= 2 or not all(w.isalpha() and w.islower() for w in words):
        return complement
    last = getAllLemmas(words[-1]).get("NOUN", ())
    if not last or words[-1] in last or (len(words) == 2 and "NOUN" not in getAllLemmas(words[0])):
        return complement
    words[-1] = last[0]
    return f"{'an' if words[0][0] in 'aeiou' else 'a'} {' '.join(words)}"


def _inflected(word: str) -> bool:
    """Whether an English verb is already inflected, not its base form ("had", "ran", "did":
    lemminflect's lexicon gives another lemma and never the word itself)."""
    from lemminflect import getAllLemmas  # its lexicon loads on first use, not at import

    lemmas = getAllLemmas(word).get("VERB", ())
    return bool(lemmas) and word not in lemmas


# a predicate that opens on where its case studies are: "in Lambeth are about cancer", "based
# in Lambeth involve ...", "are in west London about anxiety"
_LEADING_SETTING = re.compile(r"^(?P<be>(?:are|is)\s+)?(?:(?!are\b|is\b)[a-z]+\s+)?"
                              r"(?:in|from|within|across|around|covering|at)\s+(?:the\s+)?",
                              re.IGNORECASE)
_SECTION_SETTING = re.compile(r"^(?:in|from)\s+the\s+.+?\bsection\b\s*", re.IGNORECASE)
_AUXILIARY = re.compile(r"\b(?:have|has|are|is|were|was|do|does|did)\b", re.IGNORECASE)


def leading_setting(said: str, phrases: Sequence[str]) -> tuple[str, str]:
    """A predicate as the setting it opens on and the verb phrase after it: "in Lambeth are
    about cancer" -> ("in Lambeth", "are about cancer"); "are in west London about anxiety"
    -> ("in west London", "are about anxiety"); ("", said) where it opens on none."""
    if match := _SECTION_SETTING.match(said):
        return said[:match.end()].strip(), said[match.end():].strip()
    match = _LEADING_SETTING.match(said)
    if not match:
        return "", said
    rest = said[match.end():]
    be = match.group("be") or ""
    for phrase in sorted(phrases, key=len, reverse=True):
        if rest.lower().startswith(phrase.lower()):
            tail = rest[len(phrase):].strip()
            if not tail:  # "are from Lambeth": where they are is all the predicate says
                return "", said
            return said[len(be):match.end() + len(phrase)], f"{be}{tail}".strip()
    auxiliary = _AUXILIARY.search(rest)
    if not be and auxiliary:  # "in south London have case studies about ..."
        return said[:match.end() + auxiliary.start()].strip(), rest[auxiliary.start():]
    return "", said
