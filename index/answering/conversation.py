"""Conversations to queries: a follow-up that names a place and nothing more ("what about in
Newham?") asks the question before it again of that place, one that names a topic borrows the
topic of the question before it; a self-contained question stands alone. Pure: strings in,
string out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from casebook.gazetteer import Gazetteer, london
from casebook.index.answering.corpus_words import is_generic, question_words
from casebook.index.answering.selection import asked_words
from casebook.index.answering.shapes import question_shape, without_comparison
from casebook.index.answering.subject import only_a_verb
from casebook.index.text.terms import tokenize
from casebook.regions import regions

# Words that shape a question (NLTK's stop words and request words) and words so common in
# this corpus that they cannot carry a topic across turns: data, see corpus_words.py.
STOP = question_words()


# Pronouns that point back at the previous answer. "that" counts only as the last word
# ("how did they do that?"), never as a conjunction ("studies that help carers").
ANAPHORA = frozenset(
    "they them their theirs it its he she him his her hers this these those".split())

# Openers of an elliptical follow-up ("what about in Newham?", "and in Southwark?", "same
# question for Barnet").
OPENER = re.compile(
    r"^\s*(?:(?:what|how)\s+about|what\s+of|and|also|"
    r"(?:(?:ask|asking|repeat)\s+)?(?:the\s+)?same(?:\s+(?:question|thing|again))?[\s,]*"
    r"(?:but\s+)?(?:for|in|about|of)|but|or|then|now|ok(?:ay)?|so)\b[\s,]*",
    re.IGNORECASE,
)
EXISTENTIAL = re.compile(r"\b(?:is|are|was|were)\s+there\b|\bthere\s+(?:is|are|was|were)\b",
                         re.IGNORECASE)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'&\-]*")


def _text(message: Mapping[str, str] | object, key: str) -> str:
    if isinstance(message, Mapping):
        return str(message.get(key, ""))
    return str(getattr(message, key, ""))


def _user_questions(messages: Sequence[Mapping[str, str] | object]) -> list[str]:
    return [_text(m, "content").strip() for m in messages
            if _text(m, "role") == "user" and _text(m, "content").strip()]


def _places(text: str, gazetteer: Gazetteer | None) -> tuple[str, ...]:
    # people type place names in lower case in a chat box; the gazetteer wants proper nouns
    return (gazetteer or london()).find(text.title())


def _content_words(text: str) -> list[str]:
    return [w for w in WORD.findall(EXISTENTIAL.sub(" ", text)) if w.lower() not in STOP]


# "that" after an auxiliary is the inverted subject ("which borough is that in?"), not the
# relative pronoun ("case studies that involve ...") it is elsewhere
AUXILIARY_THAT = re.compile(r"\b(?:is|was|are|were|do|does|did|has|have|had|can|could|will|"
                            r"would)\s+that\b", re.IGNORECASE)


def _points_back(text: str) -> bool:
    words = [w.lower() for w in WORD.findall(text)]
    return any(w in ANAPHORA for w in words) or (bool(words) and words[-1] in ("that", "there")) \
        or bool(AUXILIARY_THAT.search(text))


# "that service", "this project", "the same team": a noun phrase that points back
POINTING_PHRASE = re.compile(
    r"\b(?:that|this|those|these|the\s+same)\s+(?:service|project|scheme|programme|program|"
    r"case\s+study|team|work|one|ones|hub|club|centre|center|clinic|pilot|initiative|model|"
    r"approach|charity|organi[sz]ation|partnership|network|group|borough|area|place|film|video)s?\b",
    re.IGNORECASE)
PLURAL = frozenset("they them their theirs these those".split())
# "the second one", "the last case study", "number 2": a place in the list the answer before
# gave, read as that case study ("the first link worker" is a topic, not a place in a list)
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5,
             "last": -1}
ORDINAL = re.compile(
    rf"\bthe\s+(?P<word>{'|'.join(_ORDINALS)})(?:\s+(?:one|case\s+study|example|project|"
    r"service)\b|\s*(?=[?.!]|$))|\b(?:number|no\.|#)\s*(?P<digit>[1-9])\b", re.IGNORECASE)


# "compare the two", "both of them", "how do the three differ?": as many case studies as it
# says, the last ones the conversation was about
# ("both loneliness and food" joins two topics)
GROUP = re.compile(r"\b(?:both(?!.*\band\b)|the\s+(?:first\s+|top\s+)?(?P<n>two|three|four))\b(?!\s*-)",
                   re.IGNORECASE)
_GROUP_SIZES = {"two": 2, "three": 3, "four": 4}


def group_size(question: str) -> int | None:
    """How many case studies a follow-up that points back at a group names ("the two": 2,
    "both": 2); None where it names no group."""
    match = GROUP.search(question)
    if not match:
        return None
    return _GROUP_SIZES[match.group("n").lower()] if match.group("n") else 2


def position(question: str) -> int | None:
    """The place in the last answer's list a follow-up points at (0 the first, -1 the last),
    None where it points at none."""
    match = ORDINAL.search(question)
    if not match:
        return None
    if match.group("digit"):
        return int(match.group("digit")) - 1
    return _ORDINALS[match.group("word").lower()]


# "is it in Croydon?", "was that service based in south London?", "are they all in Newham?":
# whether what the answer before was about is in a place, asked of it
_IN_PLACE = re.compile(
    r"^\s*(?:and\s+|but\s+|so\s+)?(?:is|was|are|were)\s+(?P<subject>it|that|this|they|these|"
    r"those|(?:the|that|this|these|those)\s+(?:[\w'’-]+\s+){0,2}?(?:service|project|scheme|"
    r"programme|case\s+study|one|hub|club|centre|center|clinic|team|work)s?)\s+(?:all\s+|both\s+)?"
    r"(?:(?:based|located|run|delivered|held|situated|set\s+up)\s+)?(?:in|at|from|within)\s+"
    r"(?:the\s+)?(?P<place>[^?!.]+)$", re.IGNORECASE)
_LONDON = re.compile(r"^(?:greater\s+)?london$", re.IGNORECASE)


@dataclass(frozen=True)
class PlaceAsked:
    """The place a yes-or-no follow-up asks about: boroughs (a place in one counts as it),
    parts of London, or London as a whole."""

    boroughs: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    london: bool = False

    @property
    def name(self) -> str:
        return "London" if self.london else " and ".join(self.boroughs or self.regions)


def place_asked(question: str, gazetteer: Gazetteer | None = None) -> PlaceAsked | None:
    """The place "is it in Croydon?" asks whether the case studies a conversation is about are
    in; None for any other question, or a place that is neither London, a part of it nor a
    place in a borough ("is it in the community?")."""
    # the closing marks are cut here, not in the pattern: a run of spaces read by two
    # patterns in turn is tried every way it splits, cubic in its length
    match = _IN_PLACE.match(question.strip().rstrip("?.! \t\n"))
    # "is the Well Centre in Lambeth?" names a case study of its own, which it asks about
    if not match or any(w[0].isupper() for w in match.group("subject").split()[1:]):
        return None
    phrase = match.group("place").strip()
    if _LONDON.match(phrase):
        return PlaceAsked(london=True)
    named = regions().find(phrase)
    if named and regions().without(phrase).strip() == "":
        return PlaceAsked(regions=tuple(r for n in named for r in n.regions))
    boroughs = _places(phrase, gazetteer)
    rest = (gazetteer or london()).without_places(phrase.title())
    if boroughs and not [w for w in _content_words(rest) if w.lower() not in _PLACE_LINKS]:
        return PlaceAsked(boroughs=boroughs)
    return None


def points_back(question: str, gazetteer: Gazetteer | None = None) -> bool:
    """Whether a follow-up is about what the answer before it was about ("who funded it?",
    "which charity did that service work with?", "what else happened there?"). One that names
    a place of its own ("how is it funded in Hammersmith?") moves on, and so does one that
    names a topic of its own."""
    picking = _picking(question)
    if picking and (_points_back(question) or picking.group("one")):
        return True  # "how many of them are in Newham?": the place picks among them
    if place_asked(question, gazetteer) is not None:
        return True  # "is it in Croydon?": asked of what the answer before was about
    if group_size(question) is not None and not _places(question, gazetteer):
        # "compare the two", "how do both differ?": nothing asked of them but a comparison
        # ("compare the two vaccine case studies" names a group of its own)
        rest = GROUP.sub(" ", without_comparison(question))
        return not [w for w in _content_words(rest) if not is_generic(w)]
    ordinal = bool(ORDINAL.search(question))  # "and the second one?" opens, and points back
    # an opener swaps what the question before asked about ("and in Newham?"), unless what
    # follows it points back ("and who manages it?")
    opens = OPENER.match(question) and not _points_back(standalone(question))
    if not ordinal and (_places(question, gazetteer) or opens):
        return False
    if not (ordinal or _points_back(question) or POINTING_PHRASE.search(question)):
        return False
    # what it asks of them, in a few words of its own ("which charity helped set up services
    # there?"): words too common in the corpus to carry a topic do not count
    pointer = ORDINAL.sub(" it ", POINTING_PHRASE.sub(" it ", question))
    own = [w for w in _content_words(pointer)
           if w.lower() not in ANAPHORA and not is_generic(w)]
    return len(own) <= 3


# "what were the results?", "who was the funder?", "when did the service start?": a question of
# a wh-word and "the" with a word or two, no name: the thing it asks of is the one the
# conversation is on. Lower case after "the": "what is the Well Centre?" names its own
_DEFINITE_ELLIPSIS = re.compile(
    r"^\s*(?:(?i:and|so|but|ok(?:ay)?)[\s,]+)?(?i:what|who|when|where|why|which|how(?:\s+\w+)?)"
    r"\s+(?:(?P<aux>\w+)\s+)?(?P<phrase>(?i:the)\s+[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*){0,2})$")


def definite_ellipsis(question: str) -> str | None:
    """What a question asks about with "the" where it names nothing ("the results" of "what
    were the results?"): in a conversation, a follow-up about what the answer before was
    about. None for any other question."""
    match = _DEFINITE_ELLIPSIS.match(question.strip().rstrip("?.! "))
    if not match:
        return None
    words = match.group("phrase").split()
    # "when did the service start?": the verb after "did" is no part of what it names
    if (match.group("aux") or "").lower() in ("do", "does", "did") and len(words) > 2:
        words = words[:-1]
    if names_its_topic(words):
        return None
    return " ".join(words)


# what tells one of several things pointed back to from another: "the other projects", "the
# two case studies", "the first one"
_POINTING = frozenset("other others same first second third last previous earlier above both "
                      "these those two three four five".split())


# "the homelessness one", "the one about cancer": one of those before, told apart by its topic
_NAMED_ONE = re.compile(r"\bthe\s+(?:(?P<before>(?:[\w'’&-]+\s+){0,3}?[\w'’&-]+)\s+one|"
                        r"one\s+(?:about|on|for|with|in)\s+(?P<after>[^?.!,]+))\b", re.IGNORECASE)


def named_one(question: str) -> str | None:
    """What tells the one a follow-up points at from the others before it ("what about the
    homelessness one?" -> "homelessness"); None where it points by place in a list ("the second
    one") or names nothing ("that one")."""
    match = _NAMED_ONE.search(question)
    if match is None:
        return None
    words = (match.group("before") or match.group("after")).split()
    return " ".join(words) if not {w.lower() for w in words} & (_POINTING | ANAPHORA) else None


def names_its_topic(words: Sequence[str]) -> bool:
    """Whether a phrase with "the" names what it is about: "the refugee projects" are the
    projects about refugees, found afresh; "the other projects" and "the results" point back."""
    lowered = [w.lower() for w in words]
    while lowered and lowered[-1] in _COLLECTION:
        lowered.pop()
    return len(lowered) < len(words) and any(
        w not in _POINTING and w != "the" for w in lowered)


# "how many patients?", "and how much funding?": a measure of a word or two and nothing else,
# no verb, no name; in a conversation, asked of what the answer before was about
_BARE_MEASURE = re.compile(r"^\s*(?:(?i:and|so|but|ok(?:ay)?)[\s,]+)?(?i:how\s+(?:many|much))\s+"
                           r"(?P<what>[a-z][\w'’-]*(?:\s+[a-z][\w'’-]*)?)$")
# what the collection itself is counted in: "how many case studies?" asks of the whole
_COLLECTION = frozenset({"case", "studies", "study", "projects", "project", "examples",
                         "boroughs", "areas", "places", "sections"})


# "what else happened there?", "anything more on it?", "tell me more": more than was said
_MORE = re.compile(r"\b(?:else|more|further)\b", re.IGNORECASE)


def describing(question: str) -> bool:
    """Whether a follow-up asks what a case study says ("tell me more about the Ealing one",
    "describe it"), or for more than the answer before said."""
    return bool(_DESCRIBING.match(question)) or asks_for_more(question)


def asks_for_more(question: str) -> bool:
    """Whether a follow-up asks for more than the answer before it said."""
    return bool(_MORE.search(question))


# "tell me more", "anything else?", "go on": more, of nothing named
_MORE_ALONE = re.compile(r"^\s*(?:(?:ok(?:ay)?|thanks|and|so)[\s,]+)?(?:(?:can\s+you\s+|could\s+you\s+|"
                         r"please\s+)?(?:tell|say|show)\s+(?:me\s+)?(?:a\s+bit\s+|some\s+)?more|"
                         r"(?:is\s+there\s+)?anything\s+(?:else|more)|what\s+else|more|go\s+on|"
                         r"continue|keep\s+going)(?:\s+please)?\s*[?.!]*\s*$", re.IGNORECASE)


def more_alone(question: str) -> bool:
    """Whether a follow-up asks for more and names nothing ("tell me more", "anything else?")."""
    return bool(_MORE_ALONE.match(question))


_WH = re.compile(r"^\s*(?:(?:and|so|but|ok(?:ay)?)[\s,]+)?(?:who|what|when|where|why|how)\b",
                 re.IGNORECASE)
VERB_ONLY_MOST_WORDS = 5  # "who was involved?", "who took the lead?"


def verb_only_wh(question: str) -> bool:
    """Whether a short wh-question asks of nothing it names: its words beside the wh-word are
    verbs ("who was involved?", "who helped?", "why?"), no name among them; in a conversation,
    it is asked of what the answer before was about."""
    words = question.split()
    # "how many boroughs are covered?" asks of the collection itself
    units = _COLLECTION & {w.lower().strip("?.!,") for w in words}
    return bool(_WH.match(question)) and len(words) <= VERB_ONLY_MOST_WORDS and not units \
        and not any(w[:1].isupper() for w in words[1:]) \
        and all(only_a_verb(w) for w in asked_words(question))


def bare_measure(question: str) -> bool:
    """Whether a question asks how many or how much of a word or two and says nothing else
    ("how many patients?"); not of the collection's own units ("how many case studies?")."""
    match = _BARE_MEASURE.match(question.strip().rstrip("?.! "))
    return match is not None and not _COLLECTION & set(match.group("what").lower().split())


DEFINITE = re.compile(r"\bthe\b", re.IGNORECASE)


def names_from_answer(question: str, answer: str, gazetteer: Gazetteer | None = None) -> bool:
    """Whether a follow-up asks, with "the", after something the answer before it said ("who
    are the champions?", "who runs the clinics?" after an answer quoting them): a question of
    a few words of its own whose words after "the" are all in that answer. One that names a
    place, opens elliptically or has no such word is points_back's or merge's to read."""
    definite = DEFINITE.search(question)
    if not answer or not definite or _places(question, gazetteer) or OPENER.match(question):
        return False
    own = [w for w in _content_words(question) if w.lower() not in ANAPHORA and not is_generic(w)]
    named = [w for w in _content_words(question[definite.end():])
             if w.lower() not in ANAPHORA and not is_generic(w)]
    if not named or len(own) > 3:
        return False
    said = set(tokenize(answer))
    return all(set(tokenize(w)) <= said for w in named)


# "which of them ...?": a list (or count) over the case studies the answer before it was about
# ("which one is in Wandsworth?", "which ones are about supervision?": one of them)
_AMONG = re.compile(r"^\s*(?:and\s+|so\s+)?(?P<ask>which|what|how\s+many)\s+(?:of\s+(?:them|these|"
                    r"those|the\s+\w+)|(?P<one>ones?)(?:\s+of\s+(?:them|these|those))?)\s+"
                    r"(?P<rest>[^?!]+?)\s*[?.!]*\s*$", re.IGNORECASE)


_PLURAL_BE = {"is": "are", "was": "were", "has": "have", "does": "do"}


def _picking(question: str) -> re.Match[str] | None:
    """_AMONG's match, where "one" is picked by "which" ("what one thing ...?" picks none)."""
    match = _AMONG.match(question)
    if match and match.group("one") and match.group("ask").lower() != "which":
        return None
    return match


def among(question: str) -> tuple[str, str] | None:
    """The list question a follow-up that picks among the last answer's case studies asks of
    them, and what it asks of them: "which of them are in hospitals?" -> ("Which case studies
    are in hospitals?", "are in hospitals"); None for any other question."""
    match = _picking(question)
    if not match:
        return None
    ask = "How many" if match.group("ask").lower().startswith("how") else "Which"
    first, _, tail = match.group("rest").partition(" ")
    # "which of them is in Lambeth?" asks of several: "which case studies are in Lambeth?"
    rest = f"{_PLURAL_BE.get(first.lower(), first)} {tail}".strip()
    return f"{ask} case studies {rest}?", rest


# "how many is that?", "how many are there?", "how many in all?": the number of what the answer
# before listed, with nothing of its own to count
_COUNTS_BACK = re.compile(r"^\s*(?:(?:and|so|ok(?:ay)?)[\s,]+)?how\s+many"
                          r"(?:\s+of\s+(?:them|these|those))?(?:\s+(?:is|are|were)\s+"
                          r"(?:that|it|there|they|those|these))?"
                          r"(?:\s+(?:in\s+(?:total|all)|altogether))?\s*[?.!]*\s*$", re.IGNORECASE)


def counts_back(question: str) -> bool:
    """Whether a follow-up asks how many of what the answer before listed ("how many is that?")."""
    return bool(_COUNTS_BACK.match(question))


def plural(question: str) -> bool:
    """Whether the follow-up points back at several ("what did they all do?"), picks among
    several ("which one is in Wandsworth?"), or counts them ("how many is that?")."""
    return any(w.lower() in PLURAL for w in WORD.findall(question)) or \
        group_size(question) is not None or _picking(question) is not None or \
        counts_back(question)


def is_follow_up(question: str, gazetteer: Gazetteer | None = None) -> bool:
    """Whether `question` leans on the one before it: elliptical, or pointing back."""
    content = [w for w in _content_words(question) if w.lower() not in ANAPHORA]
    if OPENER.match(question):
        # "what about loneliness among older people?" names a topic of its own
        places = {w.lower() for p in _places(question, gazetteer) for w in p.split()}
        return sum(not is_generic(w) and w.lower() not in places for w in content) <= 1
    if _points_back(question):
        return len(content) <= 3
    return len(content) <= 1 and bool(_places(question, gazetteer))  # "Newham?", "in Croydon"


def topic(question: str, gazetteer: Gazetteer | None = None) -> str:
    """The subject of a question without its places, named groups or scaffolding: what a
    follow-up that swaps the place or group ("what about in Newham?") keeps."""
    kept = []
    places = {w.lower() for p in _places(question, gazetteer) for w in p.split()}
    for i, word in enumerate(WORD.findall(question)):
        lower = word.lower()
        if lower in STOP or is_generic(lower) or lower in ANAPHORA or lower in places:
            continue
        # a capitalised word inside the sentence names a place, group or organisation;
        # acronyms and words with digits ("NHS", "Covid-19") name the topic itself
        proper = i > 0 and word[0].isupper() and not word.isupper() and not any(
            c.isdigit() for c in word)
        if not proper:
            kept.append(lower if i == 0 else word)
    return " ".join(kept)


def standalone(question: str) -> str:
    """A follow-up asked on its own, less the opener that ties it to the turn before ("And
    the Royal London?" is asked as "the Royal London?"); the question itself where nothing of
    its own would remain."""
    rest = OPENER.sub("", question, count=1).strip()
    return rest if WORD.search(rest) else question


def _tail(question: str) -> str:
    return OPENER.sub("", question, count=1).strip().rstrip("?.! ").strip()


_PLACE_LINKS = frozenset({"in", "for", "at", "from", "of", "the", "london", "borough"})
_DESCRIBING = re.compile(r"^\s*(?:(?:ok(?:ay)?|and|so|thanks)[\s,]+)?(?:(?:can|could)\s+you\s+|"
                         r"please\s+)?(?:tell\s+me|describe|explain)\b", re.IGNORECASE)


def _place_swapped(previous: str, follow_up: str, gazetteer: Gazetteer | None) -> str | None:
    """The previous question asked again of the places a follow-up names and nothing more
    ("and in Southwark?" after "how did Hounslow reach Muslim communities?": "how did
    Southwark reach Muslim communities?"; after "who runs social prescribing?": "who runs
    social prescribing in Southwark?"). None where the follow-up asks more than a place, or
    the previous question names places in more than one spot."""
    places = _places(follow_up, gazetteer)
    # "tell me more about the Ealing one" asks what Ealing's case study says, not the
    # question before of Ealing
    if not places or describing(follow_up):
        return None
    found = gazetteer or london()
    rest = [w for w in _content_words(found.without_places(_tail(follow_up).title()))
            if w.lower() not in _PLACE_LINKS]
    if rest:
        return None
    named = " and ".join(places)
    spans = found.place_spans(previous.title())
    if not spans:
        return f"{previous.rstrip('?.! ')} in {named}?"
    if len(spans) > 1:
        return None
    start, end = spans[0]
    return f"{previous[:start]}{named}{previous[end:]}"


# "and for young people?" narrows the question before, or swaps a part of its topic; "and
# about cancer?" swaps the whole topic
_NARROWING = re.compile(r"^(?:for|in|among|amongst|with|within|at|from|by|during|of|to)\b",
                        re.IGNORECASE)
_ABOUT = re.compile(r"^(?:about|on|regarding|re)\s+", re.IGNORECASE)


def _topic_swapped(previous: str, follow_up: str, gazetteer: Gazetteer | None) -> str | None:
    """A list, count or borough question asked again of the topic a follow-up swaps in
    ("what about mental health?" after "which case studies in Lambeth are about young
    people?": "which case studies in Lambeth are about mental health?"); None where the
    follow-up does not open so, opens on a preposition ("and for young people?", "what about
    among Latin Americans?": narrowing the topic or swapping a part of it, which merge
    reads), names a place or points back, or the question before is of another shape."""
    if not OPENER.match(follow_up) or question_shape(previous) not in ("list", "count", "where"):
        return None
    tail = _ABOUT.sub("", _tail(follow_up))
    if not tail or _NARROWING.match(tail) or _places(tail, gazetteer) or _points_back(tail) \
            or not [w for w in _content_words(tail) if not is_generic(w)]:
        return None
    asked = asked_words((gazetteer or london()).without_places(previous))
    tokens = [(m.start(), m.end(), m.group(0).lower()) for m in WORD.finditer(previous)]
    starts = [t for t in tokens if asked and t[2].removesuffix("'s") == asked[0]]
    if not starts:
        return None
    ends = [t for t in tokens if t[0] >= starts[0][0] and t[2].removesuffix("'s") == asked[-1]]
    return f"{previous[:starts[0][0]]}{tail}{previous[ends[-1][1]:]}"


def merge(previous: str, follow_up: str, gazetteer: Gazetteer | None = None) -> str:
    """The follow-up in the context of the (already contextual) previous question."""
    swapped = _place_swapped(previous, follow_up, gazetteer)
    if swapped is not None:
        return swapped
    if _places(follow_up, gazetteer) or OPENER.match(follow_up):
        subject = topic(previous, gazetteer) or " ".join(_content_words(previous))
        if OPENER.match(follow_up):
            tail = _tail(follow_up)
        else:  # "how did they do it in Newham?": the place is the news, the pronouns are not
            tail = " ".join(w for w in _content_words(follow_up) if w.lower() not in ANAPHORA)
        return f"{subject} {tail}".strip()
    # pointing back at the same case study ("how did they do it?"): keep everything
    return f"{previous.rstrip('?.! ')}: {follow_up}"


def contextual_query(messages: Sequence[Mapping[str, str] | object], max_chars: int = 2000,
                     gazetteer: Gazetteer | None = None) -> str:
    """The query to search for: the last user message, merged with the earlier question's topic
    when it is a follow-up. Messages are {"role": "user"|"assistant", "content": str} (mappings
    or objects with those attributes). Raises ValueError when there is no user message."""
    questions = _user_questions(messages)
    if not questions:
        raise ValueError("the conversation has no user message")
    query = questions[0]
    for at, question in enumerate(questions[1:], start=1):
        if at < len(questions) - 1 and (points_back(question, gazetteer)
                                        or definite_ellipsis(question) or bare_measure(question)):
            # "who were the champions?", "did it work?": asked of the case studies before,
            # not a topic of their own; a later "what about Waltham Forest?" swaps the place
            # of the question they were asked after
            continue
        swapped = _topic_swapped(query, question, gazetteer)
        query = swapped if swapped is not None else merge(query, question, gazetteer) \
            if is_follow_up(question, gazetteer) else question
    if len(query) > max_chars:
        # keep the newest words: the follow-up itself is at the end
        query = query[-max_chars:].lstrip()
    return query
