"""Question shapes and the predicates list and count answers reuse (pure)."""

import pytest

from casebook.index.answering.shapes import (
    across_topic,
    acted_on,
    asks_across,
    predicate,
    question_shape,
    singular,
    where_clause,
)


@pytest.mark.parametrize(("question", "shape"), [
    # what the page holds of a kind
    ("Which training hubs are featured?", "list"),
    ("What hospitals are included?", "list"),
    ("anything in Croydon?", "list"),
    ("How many case studies are in the Personalised Care in Secondary Care section?", "count"),
    ("how many projects involved mosques", "count"),
    ("How many people did Ealing reach?", "fact"),
    ("Which boroughs worked on Covid-19 vaccine hesitancy?", "where"),
    ("In which borough were the long Covid clinics?", "where"),
    # how many places: the places, with their number
    ("How many boroughs have vaccine case studies?", "where"),
    ("How many places have case studies about loneliness?", "where"),
    # one case study's own figure of places is a fact its text gives
    ("In how many boroughs was the Bromley by Bow service delivered?", "open"),
    ("Compare the Hounslow and Newham vaccine approaches", "compare"),
    ("How did Westminster's approach differ from Kensington's?", "compare"),
    ("What's the difference between the Ealing and Merton case studies?", "compare"),
    # what came of one thing, not how two differ
    ("What difference did guided meditation make in Ealing?", "open"),
    ("Which case studies involve Age UK?", "list"),
    ("Is there anything on gambling?", "list"),
    # one asked for is any of them: "is there an example of ...?"
    ("Is there an example of a service paying for activities?", "list"),
    ("Is there a case study about carers?", "list"),
    # "different" before its noun describes; asked of two things, it compares
    ("People in different surgeries getting together to swap ideas", "open"),
    ("How is Barnet different from Ealing?", "compare"),
    ("How are Barnet and Ealing different?", "compare"),
    ("Has anyone used sport to support refugees?", "list"),
    ("What's in the section on social prescribing through the pandemic?", "list"),
    # what exists, wherever it is: a list; "what is there?" names nothing
    ("What support is there for people with long-term conditions in hospital?", "list"),
    ("What help is there for refugees?", "list"),
    ("What is there?", "open"),
    # a word that carries the conversation on leaves the question's own shape
    ("And who manages it?", "fact"),
    ("But when did it start?", "fact"),
    ("So which case studies involve Age UK?", "list"),
    ("Andrew Smith's project?", "open"),
    ("Tell me about the Well Centre", "describe"),
    ("What does the Macmillan Cancer Care Navigation Service do?", "describe"),
    ("What did Ealing do for wellbeing?", "how"),
    # a possessive is one word of the subject
    ("What did Waltham Forest's link workers do about vaccine rumours?", "how"),
    # a place of two words after the doer: the verb is still within reach
    ("What did link workers in Waltham Forest do about vaccine misconceptions?", "how"),
    ("How did others reach Muslim communities about vaccines?", "how"),
    ("Who paid for it?", "fact"),
    ("When did Lewisham pause regular activities?", "fact"),
    ("What is social prescribing?", "open"),
    # the case studies of a topic, asked for by "the"
    ("What are the vaccine case studies?", "list"),
    ("Which are the loneliness projects?", "list"),
    ("What were the results of the Ealing project?", "open"),
])
def test_shape(question: str, shape: str) -> None:
    assert question_shape(question) == shape


@pytest.mark.parametrize(("question", "said"), [
    ("Which case studies involve Age UK?", "involve Age UK"),
    ("How many case studies are in Southwark?", "are in Southwark"),
    ("Is there anything on gambling?", "are about gambling"),
    ("Are there case studies that work with carers?", "work with carers"),
    ("Are there examples for children?", "are for children"),
    # nothing a sentence can reuse: an auxiliary and its subject, or no units named
    ("How many case studies does the page have about vaccines?", None),
    ("How many case studies are there?", None),
    ("Which case studies did Healthy London Partnership write?", None),  # acted_on's
    ("Which case studies have a video?", "have a video"),  # "have" their own verb
    # asked of whoever did it: the verb in its plain present, for "Two case studies use sport."
    ("Has anyone used sport?", "use sport"),
    ("Has anyone dealt with vaccine worries?", "deal with vaccine worries"),
    ("Did other boroughs train link workers as vaccinators?", "train link workers as vaccinators"),
    ("Does any case study involve Age UK?", "involve Age UK"),
    ("Do any of the projects mention volunteers?", None),  # "of the": no verb follows units
    ("Do any projects use sport?", "use sport"),
    # a gerund after "is there anything": its verb in the plain present; a word that only
    # looks like one ("anything interesting") gives nothing
    ("Is there anything involving Age UK?", "involve Age UK"),
    ("Is there anything interesting?", None),
    ("Are there case studies where coaches are part of the team?", None),  # where_clause's
    # a second question after the first: the sentence says what the first asks
    ("Which case studies involve Age UK, and what did Age UK do in each?", "involve Age UK"),
    ("How many case studies involve care coordinators and where are they?",
     "involve care coordinators"),
    ("Which case studies are about sport and exercise?", "are about sport and exercise"),
    # what is described is the case studies' funding models, not the case studies
    ("What funding models are described?", "describe funding models"),
    ("What training programmes are mentioned?", "mention training programmes"),
    ("Which vaccine projects are described?", "are described"),
    # a preposition and no verb: what the case studies are
    ("How many case studies about loneliness?", "are about loneliness"),
])
def test_predicate(question: str, said: str | None) -> None:
    assert predicate(question) == said


@pytest.mark.parametrize(("question", "acted"), [
    ("Which case studies did Healthy London Partnership write?",
     ("Healthy London Partnership", "wrote")),
    ("How many case studies did Macmillan fund?", ("Macmillan", "funded")),
    # "Age UK worked with two case studies" is not what was asked
    ("How many case studies did Age UK work with?", None),
    ("Which case studies did they run?", None),  # points back: a sentence would too
    ("Which case studies does the CCG fund?", None),  # a present verb agrees with its subject
    ("Which case studies did the CCG commission in 2020?", None),  # where would the number go?
    ("Which case studies involve Age UK?", None),
])
def test_a_list_whose_case_studies_its_subject_acted_on(
        question: str, acted: tuple[str, str] | None) -> None:
    assert acted_on(question) == acted


@pytest.mark.parametrize(("plural", "one"), [
    ("are in Southwark", "is in Southwark"), ("involve Age UK", "involves Age UK"),
    ("focus on young people", "focuses on young people"), ("reach carers", "reaches carers"),
    ("worked with mosques", "worked with mosques"), ("have a link worker", "has a link worker"),
    ("tidy gardens", "tidies gardens"),
    # a past tense without "-ed" stays too
    ("had volunteers making calls", "had volunteers making calls"), ("ran clinics", "ran clinics"),
    # a plural noun after "are" is one of them; a phrase that opens otherwise stays
    ("are films", "is a film"), ("are community projects", "is a community project"),
    ("are evaluations", "is an evaluation"), ("are about vaccines", "is about vaccines"),
    ("are based in hospitals", "is based in hospitals"), ("are ongoing", "is ongoing"),
])
def test_singular(plural: str, one: str) -> None:
    assert singular(plural) == one


@pytest.mark.parametrize(("question", "across"), [
    ("How did others reach Muslim communities about vaccines?", True),
    ("Has anyone used peer champions?", True),
    ("What have other boroughs done about loneliness?", True),
    ("How did Hounslow reach Muslim communities?", False),
    ("How did a link worker support a worried mother?", False),
    ("How do link workers help other people?", False),
    # the field's own practice in general, of no place or project named
    ("How is social prescribing funded?", True),
    ("How are link workers trained?", True),
    ("How is social prescribing funded in Barnet?", False),
    ("How is the Well Centre funded?", False),
])
def test_a_question_asked_across_case_studies(question: str, across: bool) -> None:
    assert asks_across(question) is across


@pytest.mark.parametrize(("question", "topic"), [
    ("How did others reach Muslim communities about vaccines?",
     "reaching Muslim communities about vaccines"),
    ("How have other boroughs tackled vaccine myths?", "tackling vaccine myths"),
    ("How has anyone used peer champions", "using peer champions"),
    ("How did Hounslow reach Muslim communities?", None),
    ("Which case studies are about cancer?", None),
])
def test_what_a_how_question_across_case_studies_asks_about(question: str,
                                                             topic: str | None) -> None:
    assert across_topic(question) == topic


@pytest.mark.parametrize(("question", "clause"), [
    ("Are there case studies where coaches are part of the team?", "coaches are part of the team"),
    ("Are there any examples where a GP led the work?", "a GP led the work"),
    ("Are there case studies about coaches?", None),
])
def test_where_clause(question: str, clause: str | None) -> None:
    assert where_clause(question) == clause
