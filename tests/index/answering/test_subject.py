"""The phrase a "related" answer says no case study is about (pure)."""

from __future__ import annotations

import pytest

from casebook.index.answering.subject import grammatical, is_clause, subject
from casebook.index.text.terms import stem

SHAPING = frozenset("how did can link workers people social prescribing for with to the and of "
                    "any has anyone used support in on a we want run our".split())


def stems(*words: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words)


@pytest.mark.parametrize(("question", "absent", "missing", "said"), [
    ("Social prescribing for people with gambling problems", stems("gambling"),
     stems("gambling", "problems"), "gambling problems"),
    # content words right next to the lacking one join it; scaffolding at the ends does not
    ("Community groups for new mothers with postnatal depression", stems("mothers", "postnatal"),
     stems("postnatal", "mothers"), "new mothers with postnatal depression"),
    # from the first lacking word to the last: the words between are the asker's phrase
    ("Community groups for new mothers with postnatal depression", stems("postnatal"),
     stems("postnatal", "mothers"), "postnatal depression"),
    ("Has anyone used social prescribing to support survivors of domestic abuse?",
     stems("survivors", "abuse"), stems("survivors", "abuse"), "survivors of domestic abuse"),
    ("Can link workers refer people to stop smoking services?", stems("smoking"),
     stems("smoking", "refer"), "stop smoking services"),
    # no word is absent from the whole corpus: the best case studies' lacking words mark it
    ("sexual health", frozenset(), stems("sexual"), "sexual health"),
    # a possessive is its word
    ("a football club's community foundation", stems("club"), stems("club"),
     "football club's community foundation"),
    # the first word of the question loses its capital; an acronym keeps its capitals
    ("Dementia cafes for carers", stems("dementia"), stems("dementia"), "dementia cafes"),
    ("BSL users accessing link workers", stems("bsl"), stems("bsl"), "BSL users accessing"),
    ("Deaf BSL users", stems("deaf"), stems("deaf"), "deaf BSL users"),
    ("Men's Sheds for older men", stems("shed"), stems("shed"), "Men's Sheds"),  # a name
    # never across punctuation
    ("tinnitus. We want to run a group", stems("tinnitus"), stems("tinnitus"), "tinnitus"),
])
def test_subject(question: str, absent: frozenset[str], missing: frozenset[str],
                 said: str) -> None:
    assert subject(question, absent, missing, SHAPING) == said


def test_a_long_description_keeps_its_first_topic() -> None:
    question = ("dementia cafes for carers and then later also we want gardening and allotments "
                "and walking football")
    said = subject(question, stems("dementia", "allotments"), frozenset(), SHAPING)
    assert said is not None and said.startswith("dementia") and "allotments" not in said


def test_nothing_lacking_says_nothing() -> None:
    assert subject("How did link workers help?", frozenset(), frozenset(), SHAPING) is None
    assert subject("", stems("x"), stems("x"), SHAPING) is None


@pytest.mark.parametrize(("question", "said", "shown"), [
    ("Is there anything on gambling?", "gambling", "gambling"),
    ("Community groups for new mothers with postnatal depression",
     "new mothers with postnatal depression", "new mothers with postnatal depression"),
    # the common noun that finishes the phrase joins it
    ("Help with loneliness in older people at home", "loneliness in older",
     "loneliness in older people"),
    # the question's subject and verb are not its topic: left out
    ("Who paid for that service?", "paid", None),
    ("What role can a family doctor play in leading it?", "family doctor play", None),
    ("What is the evidence that it works?", "evidence", None),
    # a phrase that stops mid-way is left out, or finished by the noun that follows
    ("loneliness in older", "loneliness in older", None),
    # a verb's particle finishes it
    ("Is there anything on people being cut off from others?", "people being cut",
     "people being cut off"),
    ("loneliness in older age", "loneliness in older", "loneliness in older age"),
    # an adjective is finished by the noun it describes, or the phrase is left out
    ("How can link workers get regular reflective support from a mentor?",
     "regular reflective", "regular reflective support"),
    ("Which projects are reflective?", "reflective", None),
])
def test_grammatical(question: str, said: str, shown: str | None) -> None:
    assert grammatical(question, said) == shown


@pytest.mark.parametrize(("question", "said", "shown"), [
    # the question's verb after its auxiliary and subject opens an activity
    ("How did link workers keep in touch with patients during lockdown?",
     "keep in touch with patients during lockdown",
     "keeping in touch with patients during lockdown"),
    ("How did Croydon support refugees with visas?", "support refugees with visas",
     "supporting refugees with visas"),
    # not after a preposition, nor where the word before could be the verb itself
    ("Can link workers refer people to stop smoking services?", "stop smoking services",
     "stop smoking services"),
    ("Do any case studies cover sleep problems?", "sleep problems", "sleep problems"),
    # the asker's article stays with its noun
    ("Which case studies mention the NHS app?", "NHS app", "the NHS app"),
    ("Are there case studies about a food bank?", "food bank", "a food bank"),
])
def test_a_topic_reads_as_a_phrase(question: str, said: str, shown: str) -> None:
    assert grammatical(question, said) == shown


def test_a_past_tense_after_a_name_is_the_questions_verb() -> None:
    assert grammatical("Compare how Southwark approached vaccine hesitancy",
                       "approached vaccine hesitancy") is None
    assert grammatical("Support for isolated people", "isolated people") == "isolated people"


@pytest.mark.parametrize(("question", "said", "shown"), [
    # a word that can only be a verb makes the phrase a clause
    ("How do link workers help older people avoid phone scams?",
     "older people avoid phone scams", None),
    ("How did referrals change after the pandemic started?", "pandemic started", None),
    # a verb with its object's determiner
    ("Helping people in fuel poverty keep their homes warm",
     "fuel poverty keep their homes warm", None),
    # an auxiliary inside it
    ("Women who did not want their jab done where everyone could see",
     "jab done where everyone could see", None),
    # one word that can be a verb, after an auxiliary: the question's own verb
    ("When did social prescribing start in Lambeth?", "start", None),
    # a gerund after a noun is a clause; opening the phrase, or after an adjective, a topic
    ("Surgeries getting together to swap problems", "Surgeries getting together", None),
    ("Is there anything on gambling problems?", "gambling problems", "gambling problems"),
    ("Support for survivors of human trafficking", "survivors of human trafficking",
     "survivors of human trafficking"),
    ("Is there anything on stop smoking services?", "stop smoking services",
     "stop smoking services"),
    ("Is there a start-up grant for gardening?", "gardening", "gardening"),
])
def test_a_clause_is_not_a_topic(question: str, said: str, shown: str | None) -> None:
    assert grammatical(question, said) == shown


@pytest.mark.parametrize(("title", "clause"), [
    ("The training hub in Waltham Forest compared options for supervision", True),
    ("Utilising your networks to reach communities in Waltham Forest", True),
    ("Recruiting local people into local jobs", False),
    ("Guided meditation for wellbeing", False),  # a participle describing what follows
    ("deprived areas and long term conditions in Richmond", False),
    ("Art Prescription Link Worker (LW) & Community Artist based in hospital settings", False),
])
def test_a_title_that_is_a_clause_is_told_from_one_that_names_a_topic(title: str,
                                                                      clause: bool) -> None:
    assert is_clause(title) is clause
