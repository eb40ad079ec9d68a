"""What a "related" answer says no case study is about: the asker's own phrase for it (pure).

"No case study here is about gambling problems" reads as an answer; "... about refer stop
smoking" (the question's content words in a row) does not. The phrase is the run of the
question's own words around the words the corpus lacks: no case study holds them at all where
some such word exists (the surest sign of the topic), else the best case studies do not. It
reaches from the first such word to the last within MAX_WORDS, loses the question's scaffolding
at either end ("did", "anyone", "any"), and takes in the content words written right next to
it ("new mothers with postnatal depression", "sexual health"), never across punctuation. The
question's first word loses the capital it has only for being first.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from casebook.index.text.terms import stem

MAX_WORDS = 7  # a phrase, not a sentence: long descriptions keep their first topic
NEIGHBOURS = 2  # content words joined on at either end
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’&+\-]*")
POSSESSIVE = re.compile(r"['’]s?$")


def subject(question: str, absent: Collection[str], missing: Collection[str],
            shaping: Collection[str]) -> str | None:
    """The phrase of `question` about what the corpus lacks; None where nothing is lacking.

    `absent`: stems no case study holds; `missing`: stems the best case studies do not hold;
    `shaping`: lower-case words that shape a question or are too common to name a topic."""
    tokens = list(WORD.finditer(question))
    lower = [t.group(0).lower() for t in tokens]
    # "case" of "case study" is the unit a question counts, not its topic ("the most recent
    # case study" is not about "recent case")
    content = [w not in shaping and not w.isdigit()
               and not (w == "case" and i + 1 < len(lower) and lower[i + 1].startswith("stud"))
               for i, w in enumerate(lower)]
    stems = [stem(POSSESSIVE.sub("", w)) for w in lower]
    for wanted in (absent, missing):
        marked = [i for i, s in enumerate(stems) if content[i] and s in wanted]
        if marked:
            break
    else:
        return None
    first = marked[0]
    last = max(i for i in marked if i - first < MAX_WORDS)

    def joined(a: int, b: int) -> bool:  # nothing but spaces between tokens a and b
        return not question[tokens[a].end():tokens[b].start()].strip()

    for _ in range(NEIGHBOURS):
        if first > 0 and content[first - 1] and joined(first - 1, first):
            first -= 1
        if last + 1 < len(tokens) and content[last + 1] and joined(last, last + 1):
            last += 1
    while first < last and not content[first]:
        first += 1
    while last > first and not content[last]:
        last -= 1
    said = question[tokens[first].start():tokens[last].end()]
    word = tokens[first].group(0)
    after = tokens[first + 1].group(0) if first < last else ""
    # capitalised only for being first, unless the next word is too ("Men's Sheds": a name)
    if first == 0 and word[:1].isupper() and word[1:].islower() and not after.istitle():
        said = said[0].lower() + said[1:]
    return said


# Words that make the phrase before or in them a clause rather than a topic: after an
# interrogative or an auxiliary the question's subject and verb follow ("who paid", "what role
# can a family doctor play", "what is the evidence"); a phrase may not end on a word that needs
# another after it ("loneliness in older").
_VERB_BEFORE = frozenset("who whom whose what which can could did does do will would should may "
                         "might must has have had is are was were am i'm im still".split())
_DETERMINERS = frozenset("a an the any some this that these those my our your their its".split())
_OPEN_ENDED = frozenset("in on of for with to at by from about and or but than as into older "
                        "younger more less very most new old other like unlike near via per "
                        "despite towards toward through within without across around between "
                        "among under over after before during outside inside beyond behind "
                        "beside against along upon onto".split())
# nouns too common to name a topic alone that still finish one ("older people")
HEADS = frozenset("people residents patients communities families adults children men women "
                   "workers services groups carers".split())


def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """Part of speech -> the lemmas an English word has as it (lemminflect's bundled
    lexicon); empty for a word it does not know (a name, a misspelling)."""
    from lemminflect import getAllLemmas  # its lexicon loads on first use, not at import

    return dict(getAllLemmas(word.lower()))


def _senses(word: str) -> frozenset[str]:
    """The parts of speech an English word can take; empty for a word it does not know."""
    return frozenset(_lemmas(word))


def only_a_verb(word: str) -> bool:
    """`word` can be nothing but a verb ("write", "funded"), not a noun a topic is named by."""
    return _senses(word) == {"VERB"}


def _holds_a_verb(said: str, before: str) -> bool:
    """Whether `said` is a clause, not a noun phrase: it holds an auxiliary or interrogative
    ("where everyone could see"), a word that can only be a verb ("older people avoid scams",
    "the pandemic started"), or a verb with its object's determiner ("keep their homes warm");
    or it is one word that can be a verb after an auxiliary earlier in the question ("when did
    social prescribing start?")."""
    words = WORD.findall(said)
    lower = [w.lower() for w in words]
    if any(w in _VERB_BEFORE for w in lower):
        return True
    senses = [_senses(w) for w in words]
    # a gerund names a topic where it opens the phrase, or follows a preposition or a word that
    # can be an adjective ("gambling problems", "help with gambling", "human trafficking");
    # after a noun or a name it is a clause ("surgeries getting together")
    if any(s == {"VERB"} and not (w.endswith("ing") and (
            i == 0 or lower[i - 1] in _OPEN_ENDED or "ADJ" in senses[i - 1]))
           for i, (w, s) in enumerate(zip(lower, senses))):
        return True
    if any("VERB" in s and nxt in _DETERMINERS for s, nxt in zip(senses, lower[1:])):
        return True
    asked = {w.lower() for w in WORD.findall(before)}
    return len(words) == 1 and "VERB" in senses[0] and bool(asked & _AUXILIARIES)


def is_clause(phrase: str) -> bool:
    """Whether a phrase standing alone (a title's) is a clause, not a noun phrase: "The
    training hub in Waltham Forest compared options for supervision"."""
    words = WORD.findall(phrase)
    # a participle opening a title describes what follows it ("Guided meditation")
    if len(words) > 1 and words[0].lower().endswith("ed"):
        phrase = phrase[phrase.find(words[1]):]
    return bool(words) and _holds_a_verb(phrase, "")


_FUNCTION = _DETERMINERS | _OPEN_ENDED | _VERB_BEFORE | {"you", "we", "they", "he", "she", "it"}
_AUXILIARIES = frozenset("can could did does do will would should may might must".split())
# the adverbs that finish a phrasal verb ("cut off", "drop out", "set up")
_PARTICLES = frozenset("off out up down away back over".split())


def grammatical(question: str, said: str) -> str | None:
    """`said` as a topic a sentence can name ("No case study here is about ..."), finished
    with the common noun that completes it ("loneliness in older people"); None where it is
    the question's subject and verb, or stops mid-phrase: then the answer leaves it out."""
    start = question.find(said)
    if start < 0 or not said.strip():
        return None
    before = [w.lower() for w in WORD.findall(question[:start])]
    while before and before[-1] in _DETERMINERS:
        before.pop()
    if before and before[-1] in _VERB_BEFORE:
        return None
    # a past tense straight after a name or a noun is the question's verb ("how Southwark
    # approached vaccine hesitancy"); after a preposition it describes ("for isolated people")
    first = WORD.findall(said)[0].lower()
    if first.endswith("ed") and before and before[-1] not in _OPEN_ENDED:
        return None
    if _holds_a_verb(said, question[:start]):
        return None
    after = WORD.findall(question[start + len(said):])
    rest = question[start + len(said):]
    if after and rest.startswith(" ") and after[0].lower() in _PARTICLES \
            and "VERB" in _senses(WORD.findall(said)[-1]):
        # a verb's particle is part of it: "people being cut off", not "people being cut"
        said, after = f"{said} {after[0]}", after[1:]
        rest = question[start + len(said):]
    unit = len(after) > 1 and after[0].lower() == "case" and after[1].lower().startswith("stud")
    if after and rest.startswith(" ") and not unit and (after[0].lower() in HEADS or (
            _adjective_only(said) and "NOUN" in _senses(after[0]))):
        # a common noun finishes the phrase ("older people"), as does the noun an adjective
        # the phrase stops on describes ("regular reflective support")
        said = f"{said} {after[0]}"
    last = WORD.findall(said)[-1].lower()
    if last in _OPEN_ENDED or _adjective_only(said):
        return None
    # the asker's article stays with the noun it introduces: "the NHS app", "a phone line"
    article = re.search(r"\b(the|a|an)\s+$", question[:start], re.IGNORECASE)
    if article:
        return f"{article.group(1).lower()} {said}"
    return _as_gerund(said, before)


def _as_gerund(said: str, before: list[str]) -> str:
    """A phrase that opens on the question's own verb, after its auxiliary and subject ("how
    did link workers keep in touch with patients?"), named as an activity: "keeping in touch
    with patients", not "about keep in touch". A subject that could itself be the verb ("do
    any case studies cover sleep problems?") leaves the phrase as it is."""
    from lemminflect import getInflection  # its lexicon loads on first use, not at import

    first = WORD.findall(said)[0]
    lemmas = _lemmas(first)
    if not before or not set(before) & _AUXILIARIES or not first.islower() \
            or lemmas.get("VERB", ())[:1] != (first,):
        return said
    # the subject: a noun or a name ("link workers", "Croydon"); not a verb that could be the
    # question's own, nor a preposition ("refer people to stop smoking services")
    senses = _senses(before[-1])
    named = not senses and before[-1] not in _FUNCTION
    if senses != {"NOUN"} and not named:
        return said
    gerund = getInflection(first, tag="VBG")
    return f"{gerund[0]}{said[len(first):]}" if gerund else said


def _adjective_only(phrase: str) -> bool:
    """Whether the phrase's last word can only be an adjective: it stops before its noun."""
    return _senses(WORD.findall(phrase)[-1]) == {"ADJ"}
