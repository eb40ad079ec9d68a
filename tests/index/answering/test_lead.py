"""Answer types, what each sentence holds, and the share of a question's words it holds."""

import pytest

from casebook.index.answering.lead import (
    AnswerType,
    answer_type,
    headline,
    holds,
    overlap,
    pick_lead,
    problem_only,
    rarity,
    terms,
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [("How many mosques are there in Hounslow?", "number"),
     ("How much funding did the hub get?", "number"),
     ("How often does the club meet?", "number"),
     ("How long did the pilot run?", "number"),
     ("What percentage of referrals came from GPs?", "number"),
     ("When did social prescribing go live in Lambeth?", "date"),
     ("In what year did the Barnet hub open?", "date"),
     ("Which month were the link workers recruited?", "date"),
     ("Who ran the befriending calls?", "name"),
     ("Which charity hired the care coordinator?", "name"),
     # who it is for: the people served, said by a common noun, not a name
     ("who is it for?", "any"),
     ("Who is the Crawley Posh Club for?", "any"),
     ("Which organisation delivers social prescribing in Ealing?", "name"),
     ("What case management system do the link workers use?", "name"),
     ("Why were people reluctant to have the vaccine?", "reason"),
     ("What made sharing information hard in Southwark?", "reason"),
     ("How did they persuade people to get the vaccine?", "action"),
     ("What did the link workers do during lockdown?", "action"),
     ("What gap did the team find?", "action"),
     ("In what ways did the training hub help?", "action"),
     ("What results did the Barnet Wellbeing Hub achieve?", "outcome"),
     ("Did the Merton long Covid clinics work?", "outcome"),
     ("What difference did the club make?", "outcome"),
     ("How successful was the pilot?", "outcome"),
     # results as a word of the topic, not what is asked
     ("What did Sutton put at the heart of its plan for unequal health outcomes?", "action"),
     ("Which case studies show the impact of link workers?", "any"),
     ("How did the team work together?", "action"),
     ("vaccine hesitancy", "any"),
     ("Tell me about befriending", "any")],
)
def test_answer_type(question: str, kind: str) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "question", "expected"),
    [("date", "It went live in December 2019.", "When did it go live?", True),
     ("date", "It began on the 20th of March.", "When did it begin?", True),
     ("date", "The pilot ran from 2015 to 2019.", "When did the pilot run?", True),
     ("date", "It started in the spring of 2021.", "When did it start?", True),
     ("date", "It went live after a pilot.", "When did it go live?", False),
     ("date", "In 2019 the team grew.", "What happened in 2019?", False),  # given, not an answer
     ("date", "May we help you?", "When did it open?", False),
     ("number", "There are 15 mosques in the borough.", "How many mosques?", True),
     ("number", "Corina is one of four link workers.", "How many link workers?", True),
     ("number", "Over 40% of clients were referred by GPs.", "What share?", True),
     # a year is when, not how many
     ("number", "The first link worker was in post in October 2019.", "How many link workers?",
      False),
     ("number", "It cost £20,000 a year.", "How much did it cost?", True),
     ("number", "The club meets once a week.", "How often does it meet?", True),
     ("number", "The team has grown steadily.", "How many are in the team?", False),
     # a number in a name is no figure
     ("number", "Services closed during the Covid-19 pandemic.", "How many people came?", False),
     # "how much funding?" asks for a sum: a count of boroughs is none
     ("number", "It was funded by Macmillan across four boroughs.",
      "How much funding did it get?", False),
     ("number", "Macmillan gave £300,000 to the service.", "How much funding did it get?", True),
     ("name", "It is managed by CommUNITY Barnet, a charity.", "Who manages it?", True),
     ("name", "The work was led by the Bromley by Bow Centre.", "Who led the work?", True),
     ("name", "The hub founder Dr Stephanie Lamb speaks.", "Who founded The Well Centre?", True),
     ("name", "Watch how The Well Centre supports young people.", "Who founded The Well Centre?",
      False),
     ("name", "the team was led by local people.", "Who led the team?", False),
     # a possessive is the name the question gives: "The Royal London's nurses" answer no "who"
     ("name", "Watch how The Royal London\u2019s nurses help.", "Who funds the Royal London?",
      False),
     ("reason", "They were reluctant due to concerns it may contain pork.", "Why?", True),
     ("reason", "Few speak English, which has made sharing information hard.", "Why?", True),
     ("reason", "There are 15 mosques in the borough.", "Why?", False),
     ("action", "The team set up drop-in sessions at the mosque.", "How did they?", True),
    ("action", "Refugees are being supported by Croydon Voluntary Action through sports.",
     "How did they?", True),
     ("action", "Corina has used her background in meditation to support clients.", "How?", True),
     ("action", "Community Connections provided a phone line for isolated people.", "How?", True),
     ("action", "People were reluctant because of concerns about pork.", "How?", False),
     ("any", "There are 15 mosques in the borough.", "mosques", False)],
)
def test_what_a_sentence_holds(kind: str, sentence: str, question: str, expected: bool) -> None:
    assert holds(kind, sentence, question) is expected  # type: ignore[arg-type]


def test_terms_drop_question_words_and_spell_out_acronyms() -> None:
    assert terms("How many PCNs are there?") >= {"primari", "care", "network"}
    assert not terms("How many PCNs are there?") & {"how", "mani"}


@pytest.mark.parametrize(
    ("question", "sentence", "given", "share"),
    [("Who founded the hub?", "Its founder is Dr Lamb.", (), 0.5),  # founded ~ founder, not hub
     ("Who founded the hub?", "Its founder is Dr Lamb.", ("hub",), 0.5),  # given still weighs
     ("Who founded the hub?", "The hub is in Lambeth.", ("hub",), 0.0),
     ("Who founded the hub?", "The hub was founded by Dr Lamb.", (), 1.0),
     ("How many?", "There are 15.", (), 0.0)],
)
def test_overlap_is_the_share_of_the_question_held(question: str, sentence: str,
                                                   given: tuple[str, ...], share: float) -> None:
    assert overlap(terms(question), sentence, {}, terms(" ".join(given))) == pytest.approx(share)


def test_rarer_words_weigh_more() -> None:
    weight = rarity(["the link workers met", "link workers trained", "a mosque visit"])
    assert weight["mosqu"] > weight["link"]
    question = terms("Did link workers visit a mosque?")
    assert overlap(question, "The mosque visit", weight) > overlap(question, "link workers", weight)


@pytest.mark.parametrize(("title", "said"), [
    ("Social Prescribing Case Study_Covid-19 Vaccinations – Understanding and supporting faith "
     "groups and their practices", "Understanding and supporting faith groups and their practices"),
    ("Macmillan Community Link Worker Service: supporting cancer patients with their wider social "
     "needs", "Supporting cancer patients with their wider social needs"),
    ("Stockwell – Clinicians taking the lead – Case Study", "Clinicians taking the lead"),
    ("Bromley by Bow Micro-commissioning – Case Study", "Bromley by Bow Micro-commissioning"),
    ("The Well Centre", None),  # a bare name says nothing of what was done
    ("Ealing – Case Study", "Ealing"),
    ("Case Study – Social Prescribing Case Study", None),
])
def test_headline(title: str, said: str | None) -> None:
    assert headline(title) == said


CASE = ("People were reluctant because of concerns about pork.",
        "There was a low number of vaccinators from the community.")


@pytest.mark.parametrize(("kind", "lead", "sentences", "problem"), [
    ("action", CASE[0], CASE, True),
    ("action", CASE[1], CASE, True),  # a shortfall is a problem too
    # the case study says what was done elsewhere: that sentence should have led
    ("action", CASE[0], (*CASE, "The link workers ran sessions at the mosque."), False),
    ("action", "Waltham Forest has many different community groups.", CASE, False),
    ("reason", CASE[0], CASE, False),  # the problem is what "why" asks for
    # "problem solving" is a skill the sessions taught, not a problem
    ("action", "Read how the hub helped staff lead sessions on learning and problem solving.",
     ("Read how the hub helped staff lead sessions on learning and problem solving.",), False),
])
def test_problem_only(kind: AnswerType, lead: str, sentences: tuple[str, ...],
                      problem: bool) -> None:
    assert problem_only(kind, lead, sentences, "How?") is problem


TEXTS = {
    0: "Social prescribing in the borough is overseen by the GP Federation.",
    1: "The team has grown since, with a total of 12 team members now in post.",
    2: "Funding comes from several sources.",
}


@pytest.mark.parametrize(
    ("question", "relevance", "share", "lead"),
    [  # the type breaks the tie between sentences holding as much of the question
     ("How many people are in the team?", {0: 0.9, 1: 0.6, 2: 0.2}, {0: 0.4, 1: 0.4, 2: 0.0}, 1),
     # a sentence of the right type holding far less of the question does not lead
     ("How many people are in the team?", {0: 0.9, 1: 0.6, 2: 0.2}, {0: 0.6, 1: 0.1, 2: 0.0}, 0),
     # none of the right type: the most relevant
     ("When did the team start?", {0: 0.5, 1: 0.9, 2: 0.2}, {0: 0.1, 1: 0.3, 2: 0.0}, 1),
     # no shared words: only the most relevant sentence counts as relevant
     ("How many people are in the team?", {0: 0.9, 1: 0.6, 2: 0.2}, {0: 0.0, 1: 0.0, 2: 0.0}, 0),
     ("Who oversees it?", {0: 0.5, 1: 0.9, 2: 0.2}, {0: 0.5, 1: 0.5, 2: 0.0}, 0)],
)
def test_pick_lead(question: str, relevance: dict[int, float], share: dict[int, float],
                   lead: int) -> None:
    assert pick_lead([0, 1, 2], relevance, share, TEXTS, answer_type(question), question) == lead


def test_pick_lead_of_nothing() -> None:
    assert pick_lead([], {}, {}, {}, "any", "anything") is None


def test_among_tied_sentences_one_that_stands_alone_leads() -> None:
    texts = {0: "She was worried about him having the vaccine.",
             1: "A 40-year-old woman was worried about the Covid-19 vaccine.",
             2: "The weather was fine."}
    relevance = {0: 0.9, 1: 0.85, 2: 0.1}
    share = {0: 0.5, 1: 0.5, 2: 0.0}
    question = "Which case studies are about vaccine worries?"
    assert pick_lead([0, 1, 2], relevance, share, texts, answer_type(question), question) == 1
    # not tied (it holds too few of the question's words): the most relevant still leads
    assert pick_lead([0, 1, 2], relevance, {0: 0.5, 1: 0.1, 2: 0.0}, texts,
                     answer_type(question), question) == 0


def test_a_who_question_prefers_the_sentence_that_names_a_doer_after_by() -> None:
    texts = {0: "There are now 11 link workers in place, using the Elemental system.",
             1: "Delivery began in April 2020 delivered by Quay Health Solutions CIC."}
    flat = {0: 1.0, 1: 1.0}
    # both hold a name and tie on the question's words: the doer of "delivered by" leads
    assert pick_lead([0, 1], {0: 0.2, 1: 0.1}, flat, texts, "name", "Who runs it?") == 1
    # asked for no name, relevance decides as before
    assert pick_lead([0, 1], {0: 0.2, 1: 0.1}, flat, texts, "any", "What happened?") == 0


def test_a_how_was_it_set_up_question_leads_with_how_it_began() -> None:
    texts = {0: "The Hub is the front door of the Wellbeing Service.",
             1: "The service is managed by CommUNITY Barnet, a charity.",
             2: "It arose out of the CCG's Reimagining Mental Health Programme.",
             3: "It is delivered by a partnership and provides services."}
    rel = {0: 1.2, 1: 0.5, 2: 0.4, 3: 0.1}
    share = {0: 0.3, 1: 0.0, 2: 0.0, 3: 0.0}
    # "set up" is in none of them: the sentence that tells how it began leads, though it
    # shares no word with the question and points back
    assert pick_lead(list(texts), rel, share, texts, "action",
                     "How did Barnet set up its hub?") == 2
    # asked what it does, not how it began, relevance leads as before
    assert pick_lead(list(texts), rel, share, texts, "action", "How does the hub help?") != 2


def test_a_who_runs_question_prefers_the_sentence_that_names_someone_by_a_leading_title() -> None:
    texts = {0: "Watch how Lambeth's youth hub The Well Centre supports young people.",
             1: "The film features young people and clinical director and hub founder "
                "Dr Stephanie Lamb on the role social prescribing plays."}
    flat = {0: 1.0, 1: 1.0}
    # both name someone the question does not; the one named as its director answers it
    assert pick_lead([0, 1], {0: 0.2, 1: 0.1}, flat, texts, "name",
                     "Who runs the Well Centre?") == 1
    # a title without a name after it names no one
    texts[1] = "The film features young people and their director on the role it plays."
    assert pick_lead([0, 1], {0: 0.2, 1: 0.1}, flat, texts, "name",
                     "Who runs the Well Centre?") == 0
