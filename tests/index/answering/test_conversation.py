"""contextual_query: which questions are follow-ups, and what they are merged into."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from casebook.index.answering.conversation import (
    PlaceAsked,
    among,
    asks_for_more,
    bare_measure,
    contextual_query,
    counts_back,
    definite_ellipsis,
    group_size,
    is_follow_up,
    more_alone,
    named_one,
    names_from_answer,
    place_asked,
    points_back,
    position,
    standalone,
    topic,
    verb_only_wh,
)
from casebook.index.answering.shapes import predicate, question_shape

VACCINES = "How did others reach Muslim communities about vaccines?"


def conversation(*questions: str) -> list[dict[str, str]]:
    """User questions with an assistant reply between each."""
    messages: list[dict[str, str]] = []
    for question in questions:
        messages += [{"role": "user", "content": question},
                     {"role": "assistant", "content": "An answer [1]."}]
    return messages[:-1]


@pytest.mark.parametrize(("question", "follow_up"), [
    ("what about in Newham?", True),
    ("And in Southwark?", True),
    ("how did they do it?", True),
    ("Who funded it?", True),
    ("what were the results there?", True),
    ("how did they do that?", True),
    ("and for young people?", True),
    ("Newham?", True),
    ("in croydon", True),
    ("same question for Waltham Forest", True),
    ("The same thing in Barnet?", True),
    ("how did they do that in Newham?", True),
    (VACCINES, False),
    ("How did Ealing use guided meditation for anxiety?", False),
    ("What about loneliness among older people in Barnet?", False),
    ("Are there case studies that help carers?", False),
    ("Is there anything on homelessness?", False),
    ("What helps young people's mental health?", False),
    ("mental health", False),
])
def test_is_follow_up(question: str, follow_up: bool) -> None:
    assert is_follow_up(question) is follow_up


@pytest.mark.parametrize(("question", "expected"), [
    (VACCINES, "vaccines"),
    ("How did link workers help with Covid-19 vaccines in Hounslow?", "Covid-19 vaccines"),
    ("What helps young people's mental health?", "helps young people's mental health"),
    ("vaccines in Newham", "vaccines"),
])
def test_topic_drops_places_groups_and_scaffolding(question: str, expected: str) -> None:
    assert topic(question) == expected


@pytest.mark.parametrize(("questions", "expected"), [
    ((VACCINES,), VACCINES),
    # a follow-up that names a place and nothing more asks the question before of it
    ((VACCINES, "what about in Newham?"),
     "How did others reach Muslim communities about vaccines in Newham?"),
    ((VACCINES, "and in Southwark?"),
     "How did others reach Muslim communities about vaccines in Southwark?"),
    ((VACCINES, "what about in Newham?", "and in Southwark?"),
     "How did others reach Muslim communities about vaccines in Southwark?"),
    ((VACCINES, "how did they do it?"),
     "How did others reach Muslim communities about vaccines: how did they do it?"),
    ((VACCINES, "what about in Newham?", "how did they do it?"),
     "How did others reach Muslim communities about vaccines in Newham: how did they do it?"),
    ((VACCINES, "how did they do that in Newham?"),
     "How did others reach Muslim communities about vaccines in Newham?"),
    ((VACCINES, "and for young people?"), "vaccines for young people"),
    (("How did link workers tackle vaccine hesitancy?", "What about in Newham?"),
     "How did link workers tackle vaccine hesitancy in Newham?"),
    # the place the question before named is the one swapped, the rest of it kept
    (("Tell me about Hounslow", "And Newham?"), "Tell me about Newham"),
    # "the same question" asks it again of the place
    ((VACCINES, "same question for Newham"),
     "How did others reach Muslim communities about vaccines in Newham?"),
    (("Which case studies in Lambeth are about young people?", "Same question, but for Croydon"),
     "Which case studies in Croydon are about young people?"),
    (("Tell me about Hounslow", "ask the same about Barnet"), "Tell me about Barnet"),
    (("Which case studies in Lambeth are about young people?", "what about Southwark?"),
     "Which case studies in Southwark are about young people?"),
    (("Who runs social prescribing in Ealing?", "and in the London Borough of Barnet?"),
     "Who runs social prescribing in Barnet?"),
    # a list, count or borough question asked again of the topic a follow-up swaps in
    (("Which case studies in Lambeth are about young people?", "What about mental health?"),
     "Which case studies in Lambeth are about mental health?"),
    (("How many case studies are about vaccines?", "And about cancer?"),
     "How many case studies are about cancer?"),
    (("Which boroughs have case studies about refugees?", "what about homelessness?"),
     "Which boroughs have case studies about homelessness?"),
    (("Which case studies about vaccines are in Newham?", "And cancer?"),
     "Which case studies about cancer are in Newham?"),
    # a preposition narrows the topic or swaps a part of it, which no swap of the whole
    # topic reads: a follow-up that names a group of its own stands alone
    (("Has anyone dealt with Covid vaccine worries in Muslim communities?",
      "what about among Latin Americans?"), "what about among Latin Americans?"),
    ((VACCINES, "How did Ealing use guided meditation for anxiety?"),
     "How did Ealing use guided meditation for anxiety?"),
    ((VACCINES, "Is there anything on homelessness?"), "Is there anything on homelessness?"),
    # a new question resets the topic that later follow-ups borrow
    ((VACCINES, "What helps young people's mental health?", "what about in Lambeth?"),
     "What helps young people's mental health in Lambeth?"),
    # follow-ups asked of the case studies before are no topic a later place swaps into: it
    # was "who were the champions: did it work in Waltham Forest?"
    (("How did Newham address vaccine concerns?", "who were the champions?", "did it work?",
      "what about Waltham Forest?"), "How did Waltham Forest address vaccine concerns?"),
])
def test_contextual_query(questions: tuple[str, ...], expected: str) -> None:
    assert contextual_query(conversation(*questions)) == expected


def test_assistant_messages_and_blank_questions_are_ignored() -> None:
    messages = [
        {"role": "user", "content": VACCINES},
        {"role": "assistant", "content": "Newham and Southwark did something else entirely."},
        {"role": "user", "content": "   "},
        {"role": "user", "content": "what about in Newham?"},
    ]
    assert contextual_query(messages) == \
        "How did others reach Muslim communities about vaccines in Newham?"


def test_accepts_objects_with_role_and_content() -> None:
    messages = [SimpleNamespace(role="user", content=VACCINES),
                SimpleNamespace(role="user", content="and in Southwark?")]
    assert contextual_query(messages) == \
        "How did others reach Muslim communities about vaccines in Southwark?"


def test_long_context_is_trimmed_from_the_front() -> None:
    messages = conversation("x " * 60 + VACCINES, "how did they do it?")
    query = contextual_query(messages, max_chars=80)
    assert len(query) <= 80
    assert query.endswith("how did they do it?")


def test_no_user_message_is_an_error() -> None:
    with pytest.raises(ValueError, match="no user message"):
        contextual_query([{"role": "assistant", "content": "Hello"}])


@pytest.mark.parametrize(("question", "back"), [
    ("Who funded it?", True),
    ("Which charity helped run the services there?", True),
    ("Who paid for that service?", True),
    ("How is it funded in Hammersmith and Fulham?", False),  # a place of its own
    ("How many of them are in Hammersmith and Fulham?", True),  # the place picks among them
    ("What about in Newham?", False),  # ellipsis that swaps the place: borrows the topic
    ("And who manages it?", True),  # an opener, then a pronoun: still about the same one
    ("And in Southwark?", False),
    ("And how is it funded in Newham?", False),
    ("How did they use sport to support refugees and asylum seekers in sports clubs?", False),
    ("Which case studies involve Age UK?", False),
    # "that" after an auxiliary is the subject pointing back, not a relative pronoun
    ("Which borough is that in?", True),
    ("When did that start?", True),
    ("Which case studies that involve Age UK are in Lambeth?", False),
    # a place in the last answer's list, even after an opener
    ("Tell me more about the first one", True),
    ("And number 2?", True),
    ("Who runs the last one?", True),
    # a group the conversation gave, with nothing asked of it but a comparison
    ("Compare the two", True),
    ("How do the three differ?", True),
    ("What do both have in common?", True),
    ("Compare the two vaccine case studies", False),  # a group of its own
    ("Compare the two Lewisham case studies", False),
    ("Which case studies cover both loneliness and food?", False),
])
def test_points_back(question: str, back: bool) -> None:
    assert points_back(question) is back


NEWHAM = ("The SPLWs have linked in with Newham\u2019s Vaccine Peer Support Champions (VPSC), "
          "they are volunteers from the community. [2] The group video clinics involve a GP.")


@pytest.mark.parametrize(("question", "back"), [
    ("Who are the champions?", True),
    ("Who runs the clinics?", True),  # "runs" is asked of them, "clinics" names them
    ("What do the volunteers do?", True),
    # nothing after "the" that the answer said, or no "the" at all
    ("What is the Posh Club?", False),
    ("Who are champions?", False),
    # a place of its own, or an elliptical opener: a new place, not the answer's
    ("Who are the champions in Croydon?", False),
    ("What about the champions?", False),
    # more than a few words of its own: a question of its own
    ("How did the champions persuade older Caribbean men to trust vaccines?", False),
])
def test_names_from_answer(question: str, back: bool) -> None:
    assert names_from_answer(question, NEWHAM) is back
    assert names_from_answer(question, "") is False


@pytest.mark.parametrize(("question", "picked"), [
    ("Which of them are in hospitals?", ("Which case studies are in hospitals?", "are in hospitals")),
    ("which of these is in Lambeth?", ("Which case studies are in Lambeth?", "are in Lambeth")),
    ("How many of those involve Macmillan?", ("How many case studies involve Macmillan?",
                                             "involve Macmillan")),
    # "which one" picks one of them, as "which of them" does
    ("Which one is in Lambeth?", ("Which case studies are in Lambeth?", "are in Lambeth")),
    ("Which case studies are in Lambeth?", None),
])
def test_among_asks_a_list_question_of_the_last_answers_case_studies(
        question: str, picked: tuple[str, str] | None) -> None:
    assert among(question) == picked


@pytest.mark.parametrize(("question", "at"), [
    ("Tell me more about the first one", 0),
    ("What did the second case study do?", 1),
    ("And the last?", -1),
    ("number 3 please", 2),
    # an ordinal that is part of the topic is no place in a list
    ("When did the first link worker start?", None),
    ("Who funded it?", None),
])
def test_position_is_a_place_in_the_last_answers_list(question: str, at: int | None) -> None:
    assert position(question) == at


@pytest.mark.parametrize(("question", "size"), [
    ("Compare the two", 2), ("What did the three of them do?", 3), ("Compare both of them", 2),
    ("Tell me about the two-week programme", None), ("Which cover both food and debt?", None),
])
def test_group_size(question: str, size: int | None) -> None:
    assert group_size(question) == size


def test_standalone_drops_the_opener() -> None:
    assert standalone("And the Royal London?") == "the Royal London?"
    assert standalone("And?") == "And?"


@pytest.mark.parametrize(("question", "place"), [
    ("is it in Croydon?", PlaceAsked(boroughs=("Croydon",))),
    ("Is this in Stockwell?", PlaceAsked(boroughs=("Lambeth",))),  # a place in a borough
    ("are they all in Newham?", PlaceAsked(boroughs=("Newham",))),
    ("is it in London?", PlaceAsked(london=True)),
    ("was that service based in SWL?", PlaceAsked(regions=("South West London",))),
    # a name of its own, a place outside London, or no place at all: no such question
    ("is the Well Centre in Lambeth?", None),
    ("is it in Manchester?", None),
    ("is it in the community?", None),
    ("Which case studies are in Croydon?", None),
])
def test_place_asked(question: str, place: PlaceAsked | None) -> None:
    assert place_asked(question) == place
    if place is not None:
        assert points_back(question)



def test_a_run_of_spaces_does_not_stall_the_patterns() -> None:
    # a hang guard, not a speed figure: read every way a run of spaces splits, these took 10 s
    # ("is it in ...") and a minute (the second question of a list) on 2,000 characters; read
    # once, all of them take milliseconds, so the bound is hundreds of times what they need
    questions = [f"{head}{' ' * 1980}{tail}" for head in ("is it in x", "which case studies",
                                                           "what about", "and", "what were")
                 for tail in ("y?", "and what did they do?", "the results?")]
    started = time.monotonic()
    for question in questions:
        place_asked(question)
        definite_ellipsis(question)
        points_back(question)
        is_follow_up(question)
        contextual_query(conversation(VACCINES, question))
        question_shape(question)
        predicate(question)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(("question", "phrase"), [
    ("what were the results?", "the results"),
    ("And who was the funder?", "the funder"),
    ("when did the service start?", "the service"),  # the verb after "did" names nothing
    ("how much was the budget?", "the budget"),
    # a name, a topic of its own, or no "the": no such question
    ("What is the Well Centre?", None),
    ("what is the NHS?", None),
    ("what is the best way to reduce loneliness among older people?", None),
    ("what is social prescribing?", None),
])
def test_definite_ellipsis(question: str, phrase: str | None) -> None:
    assert definite_ellipsis(question) == phrase



@pytest.mark.parametrize(("question", "bare"), [
    ("how many patients?", True),
    ("And how much funding?", True),
    ("how many link workers", True),
    # the collection's own units, a verb, or a name: a question of its own
    ("how many case studies?", False),
    ("how many boroughs?", False),
    ("how many patients did Merton see?", False),
    ("how many in Croydon?", False),
])
def test_bare_measure(question: str, bare: bool) -> None:
    assert bare_measure(question) is bare


@pytest.mark.parametrize(("question", "back"), [
    ("how many is that?", True),
    ("So how many are there?", True),
    ("how many?", True),
    ("how many of them are there altogether?", True),
    ("and how many in total", True),
    # something of its own to count, or the collection's own count
    ("how many mosques are there?", False),
    ("how many patients?", False),
    ("how many case studies are there?", False),
    ("how many of them are in Lambeth?", False),
])
def test_counts_back(question: str, back: bool) -> None:
    assert counts_back(question) is back


@pytest.mark.parametrize(("question", "told"), [
    ("what about the homelessness one?", "homelessness"),
    ("tell me more about the one about cancer", "cancer"),
    ("who runs the one in Croydon?", "Croydon"),
    # by its place in a list, or by nothing: the conversation's order tells it
    ("and the second one?", None),
    ("what about that one?", None),
    ("the other one?", None),
])
def test_named_one(question: str, told: str | None) -> None:
    assert named_one(question) == told


@pytest.mark.parametrize(("question", "picked"), [
    ("which one is in Wandsworth?", "Which case studies are in Wandsworth?"),
    ("which ones are about supervision?", "Which case studies are about supervision?"),
    ("which of them is in Lambeth?", "Which case studies are in Lambeth?"),
    ("what one thing would you change?", None),  # "one" picked by "which" only
])
def test_picking_one_among_the_case_studies_before(question: str, picked: str | None) -> None:
    assert (among(question) or (None,))[0] == picked
    assert points_back(question) is (picked is not None)


@pytest.mark.parametrize(("question", "alone", "more"), [
    ("tell me more", True, True),
    ("Anything else?", True, True),
    ("go on", True, False),
    ("what else happened there?", False, True),
    ("tell me more about the Well Centre", False, True),  # names its own
    ("What is social prescribing?", False, False),
])
def test_asking_for_more(question: str, alone: bool, more: bool) -> None:
    assert more_alone(question) is alone
    assert asks_for_more(question) is more


def test_the_first_two_is_a_group_of_two() -> None:
    assert group_size("compare the first two") == 2
    assert group_size("how do the top three differ?") == 3


@pytest.mark.parametrize(("question", "bare"), [
    ("who was involved?", True),
    ("who helped?", True),
    ("why?", True),
    ("what happened next?", False),  # "next" is no verb
    ("who does vaccinations?", False),  # names a topic
    ("Who helped Hounslow?", False),  # names a place
    ("How many boroughs are covered?", False),  # asks of the collection
])
def test_verb_only_wh(question: str, bare: bool) -> None:
    assert verb_only_wh(question) is bare
