"""Messages that ask nothing of the case studies: a greeting, thanks, what Casebook does, or a
question that points back ("who runs it?") with nothing before it to point at.

Searched like questions, they were answered as if they were topics: "hi" got "No case study
here is about hi.", "help" was read as the field's own word, and "who runs it?" as the first
message quoted whichever case study scored best on "runs". Pure: strings in, strings out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from casebook.gazetteer import Gazetteer, london
from casebook.index.answering.conversation import (
    ANAPHORA,
    EXISTENTIAL,
    definite_ellipsis,
    points_back,
)
from casebook.index.answering.selection import PROPER, asked_words

_GREETING = re.compile(r"^(?:hi|hello|hey|hiya|howdy|greetings|good\s+(?:morning|afternoon|"
                       r"evening|day))(?:\s+(?:there|all|everyone|casebook))?$", re.IGNORECASE)
# "that's helpful", "great", "really useful": praise of the answer before, with thanks or alone
_PRAISE = (r"(?:(?:that's|thats|that\s+is|this\s+is|it's|its)\s+)?(?:(?:really|very|so)\s+)?"
           r"(?:great|helpful|useful|brilliant|perfect|lovely|interesting|good|excellent|"
           r"fantastic|amazing|ok|okay|cool|nice)")
_THANKS = re.compile(rf"^(?:(?:{_PRAISE})\s+)?(?:thanks|thank\s+you|many\s+thanks|cheers|ta|thx)"
                     r"(?:\s+(?:a\s+lot|very\s+much|so\s+much|again|for\s+(?:your|the|that|this|"
                     r"all\s+the)\s+(?:help|answer|answers|information|info)))?"
                     rf"(?:\s+{_PRAISE})?$", re.IGNORECASE)
_PRAISED = re.compile(rf"^{_PRAISE}$", re.IGNORECASE)
_ABOUT = re.compile(r"^(?:help|help\s+me|what\s+can\s+you\s+do|what\s+do\s+you\s+do|"
                    r"who\s+are\s+you|what\s+are\s+you|what\s+is\s+this|how\s+does\s+this\s+work|"
                    r"how\s+do\s+i\s+use\s+(?:this|you|casebook))$", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z']+")
# "has anyone evaluated their service?": an indefinite before the pronoun is what it points to
_BOUND = re.compile(r"\b(?:any(?:one|body)|some(?:one|body)|every(?:one|body)|others|"
                    r"(?:any|other|each|every)\s+(?!of\b)\w+)\b.*\b(?:their|theirs|they|them|its|it)\b",
                    re.IGNORECASE)

ASK = ("Ask about a topic (such as loneliness or vaccines), a London borough, or a project by "
       "its name.")


def _bare(text: str) -> str:
    return " ".join(_WORD.findall(text))


def small_talk(question: str, sections: Callable[[], Sequence[str]]) -> str | None:
    """The reply to a greeting, thanks or a question about Casebook itself; None for any
    other message. `sections` is asked only for the reply that lists them."""
    bare = _bare(question)
    if _GREETING.match(bare):
        return f"Hello. I answer questions from London's social prescribing case studies. {ASK}"
    if _THANKS.match(bare):
        return f"You're welcome. {ASK}"
    if _PRAISED.match(bare):
        return f"Glad it helped. {ASK}"
    if _ABOUT.match(bare):
        named = sections()
        covered = f" The case studies cover: {'; '.join(named)}." if named else ""
        return ("I answer questions from London's social prescribing case studies, quoting them "
                f"with citations. {ASK}{covered}")
    return None


def unanchored(question: str, gazetteer: Gazetteer | None = None) -> str | None:
    """The reply to a question that points back ("who runs it?", "when did they start?") and
    says nothing else it could be about, asked with nothing before it; None for any other."""
    definite = definite_ellipsis(question)
    # "how many video case studies are there?": "there" is no place pointed back to
    if not (definite or points_back(EXISTENTIAL.sub(" ", question), gazetteer)) \
            or len(asked_words(question)) > 1 \
            or (gazetteer or london()).find(question) or PROPER.search(question) \
            or _BOUND.search(question):
        return None
    # "what were the results?": the results of nothing named
    pointer = definite or next(
        (w for w in _WORD.findall(question) if w.lower() in ANAPHORA), "that")
    return (f"There is nothing earlier in this conversation for \u201c{pointer.lower()}\u201d to "
            "point to. Name the project, place or case study you mean, and ask again.")


def _said(message: Mapping[str, object] | object, key: str) -> str:
    value = message.get(key, "") if isinstance(message, Mapping) else getattr(message, key, "")
    return str(value)


def without_small_talk(messages: Sequence[Mapping[str, object] | object]
                       ) -> list[Mapping[str, object] | object]:
    """The conversation less its small talk before the last message: a greeting and its reply
    are no topic a follow-up borrows ("hi", then "who runs it?" was searched as "hi: who runs
    it?")."""
    kept: list[Mapping[str, object] | object] = []
    skipping = False
    for i, message in enumerate(messages):
        last = i == len(messages) - 1
        if _said(message, "role") == "user":
            skipping = not last and small_talk(_said(message, "content"), lambda: ()) is not None
        if not skipping or last:
            kept.append(message)
    return kept
