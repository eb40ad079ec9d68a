"""Questions after case studies like one named ("projects like the Well Centre", "anything
similar to Crawley Posh Club?"): the similar-projects view answers them, not the words'
match, which finds the named case study itself (pure).
"""

from __future__ import annotations

import re

# what is asked for, then how it is like: "case studies similar to", "projects like", "others
# like", "anything like", "more like"
_LIKE = re.compile(
    r"\b(?:case\s+stud(?:y|ies)|projects?|services?|schemes?|programmes?|examples?|others?|"
    r"anything|something|any|ones?|more|work)\s+(?:\w+\s+){0,2}?(?:similar\s+to|like|resembling)\s+"
    r"(?P<named>[^?!.]+?)\s*[?!.]*\s*$", re.IGNORECASE)
# "like this", "like mine", "like that one": what it names is no case study
_NO_NAME = re.compile(r"^(?:this|that|these|those|mine|ours|it|them|ours|my|our)\b", re.IGNORECASE)


def named_alike(question: str) -> str | None:
    """What a question asks case studies to be like: the words after "like" or "similar to"
    ("the Well Centre"); None where it asks for no such thing, or names nothing ("like this")."""
    found = _LIKE.search(question)
    if found is None or _NO_NAME.match(found.group("named")):
        return None
    return found.group("named")


# "any others like it?", "find similar projects", "more like that one": like the case study
# the conversation is about
_LIKE_POINTED = re.compile(
    r"\b(?:like|similar\s+to)\s+(?:it|this|that|them|these|those)(?:\s+one)?\s*[?!.]*\s*$|"
    r"\bsimilar\s+(?:ones|projects?|case\s+stud(?:y|ies)|examples?|services?|schemes?|work)\b",
    re.IGNORECASE)


def points_alike(question: str) -> bool:
    """Whether a follow-up asks for case studies like the one before ("any others like it?",
    "find similar projects") and names none of its own. A longer message that asks for case
    studies "like this" means the project it describes."""
    return len(question.split()) <= POINTED_MOST_WORDS and named_alike(question) is None \
        and bool(_LIKE_POINTED.search(question))


POINTED_MOST_WORDS = 8  # "are there any other projects like that one?"
