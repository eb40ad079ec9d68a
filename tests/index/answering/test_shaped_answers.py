"""Answers shaped like their questions, on the real index (the session's searcher)."""

import re
from collections.abc import Callable
from dataclasses import replace

import pytest

from casebook.index.answering.ask import ask, ask_conversation, context, spelled
from casebook.index.answering.compose import compose_related
from casebook.index.answering.prose import count_words, focus, join
from casebook.index.retrieval.searcher import Searcher
from casebook.records import Answer

pytestmark = pytest.mark.slow
SECONDARY = "Personalised Care in Secondary Care case studies"
WHOLE = re.compile(r"^[\"“A-Z0-9].*[.!?][\"”’)]*$")


def carriers(searcher: Searcher, theme: str) -> set[str]:
    """The ids of the case studies that carry a theme."""
    return {c.id for c in searcher.case_studies() if theme in c.themes}


def reads_whole(answer) -> None:
    for i, sentence in enumerate(answer.sentences):
        assert WHOLE.match(sentence.text), sentence.text
        # a pronoun may open a sentence only right after the one it points to, which the
        # same passage is cited for
        follows = i > 0 and sentence.citation is not None \
            and sentence.citation == answer.sentences[i - 1].citation
        assert follows or not re.match(r"(?:This|They|Their|It|These|She|He)\b",
                                       sentence.text), sentence.text


def test_a_count_leads_with_its_number_and_lists_every_case_study(searcher: Searcher) -> None:
    answer = ask(searcher, "How many case studies are in the Personalised Care in Secondary "
                           "Care section?")
    in_section = {c.id for c in searcher.case_studies() if c.section == SECONDARY}
    assert answer.shape == "count" and answer.found
    assert answer.sentences[0].text.startswith("Nine case studies are in")
    assert {i.case_study.id for i in answer.items} == in_section
    assert {c.case_study.id for c in answer.citations} == in_section
    reads_whole(answer)


def test_a_borough_question_names_every_borough_from_the_records(searcher: Searcher) -> None:
    answer = ask(searcher, "Which boroughs worked on Covid-19 vaccine hesitancy?")
    assert answer.shape == "where"
    first = answer.sentences[0].text
    for borough in ("Hounslow", "Waltham Forest", "Newham", "Southwark"):
        assert borough in first
    # the one that names no borough is named by its title, not listed: it says nothing of
    # where, and the reader is still told which it is
    assert len(answer.items) == 4 and answer.sentences[1].text == (
        "One more case study names no borough: "
        "\u201cUnderstanding people and their individual circumstances\u201d.")
    reads_whole(answer)


def test_a_case_study_of_a_part_of_london_is_listed_where_it_names_no_borough(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Where are the training hub case studies from?")
    assert answer.shape == "where"
    assert answer.sentences[0].text.endswith("two boroughs: Waltham Forest and Wandsworth.")
    # its title says South West London: said once, not again in brackets
    assert answer.sentences[1].text == (
        "One more case study covers a part of London rather than a borough: \u201cChampion "
        "ARRs roles running monthly peer sessions in South West London\u201d.")
    assert "champion-arrs-roles-running-monthly-peer-sessions-in-south" in {
        i.case_study.id for i in answer.items}
    reads_whole(answer)


def test_a_how_question_within_a_part_of_london_is_answered_from_it(searcher: Searcher) -> None:
    # the whole question's words fit the North West London training case study better
    answer = ask(searcher, "How are link workers in South West London supported to learn from "
                           "each other?")
    assert answer.found and answer.shape == "how"
    assert answer.citations[0].case_study.id == \
        "champion-arrs-roles-running-monthly-peer-sessions-in-south"
    reads_whole(answer)


def test_a_list_of_a_name_lists_every_case_study_that_holds_it(searcher: Searcher) -> None:
    answer = ask(searcher, "Which case studies involve Macmillan?")
    holding = {c.id for c in searcher.case_studies() if "Macmillan" in c.text}
    assert answer.found and answer.shape == "list"
    assert {i.case_study.id for i in answer.items} == holding and len(holding) >= 3
    assert answer.sentences[0].text.startswith(f"{['', 'One', 'Two', 'Three', 'Four'][len(holding)]}"
                                               " case studies involve Macmillan")
    reads_whole(answer)


def test_a_list_verb_is_not_the_topic(searcher: Searcher) -> None:
    # "involve" ties a case study to its subject; read as topic it pulled the topic's vector
    # away from young people, and the list was judged "related"
    answer = ask(searcher, "Which case studies involve young people?")
    assert answer.found and answer.shape == "list"
    listed = {i.case_study.id for i in answer.items}
    assert {"the-well-centre", "a-holistic-approach-to-support-children-and-young-people-cyp"} \
        <= listed
    assert re.match(r"\w+ case studies involve young people\.$", answer.sentences[0].text)
    reads_whole(answer)


def test_a_list_of_the_people_who_do_a_thing_is_not_every_case_study_about_the_thing(
        searcher: Searcher) -> None:
    # "vaccinators" and "vaccine" share a stem; the three other vaccine case studies say
    # nothing of who gave the vaccines
    answer = ask(searcher, "Which case studies mention vaccinators?")
    assert answer.found and answer.shape == "list"
    assert [i.case_study.id for i in answer.items] == [
        "covid-19-vaccinations-understanding-and-supporting-faith",
        "covid-19-vaccinations-utilising-opportunities-to-support"]
    # each is quoted where it says so, not by its sentence nearest the whole question
    assert all("vaccinator" in i.sentences[0].text for i in answer.items)
    reads_whole(answer)


def test_a_topic_some_case_study_says_outright_keeps_its_neighbours_off_the_list(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Is there anything on patients with long Covid?")
    assert answer.found and [i.case_study.id for i in answer.items] == [
        "reducing-health-inequalities-long-covid-19-clinics-in-merton"]
    reads_whole(answer)


def test_a_person_is_named_before_a_pronoun_stands_for_her(searcher: Searcher) -> None:
    # "In Ealing, she uses ..." says where, not who: the sentence that names Corina comes first
    answer = ask(searcher, "Compare Barnet and Ealing.")
    assert answer.shape == "compare"
    texts = [s.text for s in answer.sentences]
    for i, text in enumerate(texts):
        assert not re.match(r"In [\w ]+, (?:she|he)\b", text), text
        if re.match(r"(?:She|He)\b", text):
            assert i > 0 and re.search(r"\b[A-Z][a-z]+ (?:has|was|is)\b", texts[i - 1]), texts[i - 1]
    reads_whole(answer)


def test_a_name_with_more_topic_keeps_the_case_studies_that_hold_the_rest(
        searcher: Searcher) -> None:
    # six case studies say "GP"; the question asks about federations
    answer = ask(searcher, "Which case studies involve GP federations?")
    assert answer.found and answer.items
    assert all("federation" in i.case_study.text.lower() for i in answer.items)
    reads_whole(answer)


def test_a_case_study_that_says_the_topic_in_passing_is_on_the_list(searcher: Searcher) -> None:
    # Bromley by Bow's "low-impact relaxing exercise" is one clause of a sentence about cancer,
    # and its sentences score far below Ealing's
    answer = ask(searcher, "Is there anything on relaxation?")
    assert answer.found and answer.shape == "list"
    assert {i.case_study.id for i in answer.items} == {"ealing-guided-meditation-for-wellbeing",
                                                       "bromley-by-bow-micro-commissioning"}
    reads_whole(answer)


def test_a_listed_case_study_is_quoted_where_it_says_the_topics_rarest_word(
        searcher: Searcher) -> None:
    # no sentence says "used" and "volunteers" together: the one that says "volunteers" is
    # what puts Newham on the list, not its sentence nearest the whole question
    answer = ask(searcher, "Which boroughs used volunteers?")
    assert answer.found and answer.shape == "where" and answer.items
    assert all("volunteer" in s.text.lower() for i in answer.items for s in i.sentences[:1])
    reads_whole(answer)


def test_a_listed_case_study_is_quoted_where_it_says_the_theme_the_rarest_word_names(
        searcher: Searcher) -> None:
    # Bromley by Bow never says "art"; "art" names arts and creative activities, and it says
    # "creative activities": that, not "Macmillan signed off on use of the budget"
    answer = ask(searcher, "Did any case study use art?")
    bromley = next(i for i in answer.items if i.case_study.boroughs == ("Tower Hamlets",))
    assert "creative activities" in bromley.sentences[0].text


def test_a_title_that_says_a_common_topic_puts_its_case_study_on_the_list(
        searcher: Searcher) -> None:
    # "Covid" is in ten titles and more texts: too common for a text's passing mention to
    # count, but a title says what its case study is about
    answer = ask(searcher, "Which case studies are about Covid?")
    listed = {i.case_study.id for i in answer.items}
    titled = {c.id for c in searcher.case_studies() if "covid" in c.title.lower()}
    assert answer.found and answer.shape == "list" and len(titled) == 10
    assert titled <= listed
    reads_whole(answer)


def test_a_name_is_held_however_the_text_writes_it(searcher: Searcher) -> None:
    # "Primary Care Networks (PCNs)", "Hampton PCN", "primary care network (PCN)-based"
    answer = ask(searcher, "Which case studies involve Primary Care Networks?")
    listed = {i.case_study.id for i in answer.items}
    assert answer.found and {"reducing-health-inequalities-deprived-areas-and-long-term",
                             "hammersmith-and-fulham-a-holistic-and-integrated-approach",
                             "stockwell-clinicians-taking-the-lead"} <= listed
    reads_whole(answer)


def test_a_comparison_of_title_only_case_studies_says_so(searcher: Searcher) -> None:
    answer = ask(searcher, "How do the Westminster and Kensington A&E projects differ?")
    assert answer.shape == "compare"
    assert [i.case_study.boroughs for i in answer.items] == [("Westminster",),
                                                              ("Kensington and Chelsea",)]
    assert not any(item.sentences for item in answer.items)
    assert answer.sentences[-1].text.startswith("Neither summary says more than its title")
    reads_whole(answer)


def test_a_comparison_has_an_item_for_each_named_case_study(searcher: Searcher) -> None:
    answer = ask(searcher, "Compare the Hounslow and Newham vaccine approaches")
    assert answer.shape == "compare"
    assert [i.case_study.boroughs for i in answer.items] == [("Hounslow",), ("Newham",)]
    assert answer.sentences[0].text.startswith("Both case studies are in")
    assert all(item.sentences for item in answer.items)
    reads_whole(answer)


def test_a_borough_compared_by_name_alone_says_which_of_its_case_studies_is_left_out(
        searcher: Searcher) -> None:
    # Lewisham has two case studies; one is compared, and the reader is told of the other
    answer = ask(searcher, "Compare Croydon and Lewisham")
    compared = {i.case_study.id for i in answer.items}
    lewisham = [c for c in searcher.case_studies() if "Lewisham" in c.boroughs]
    assert len(lewisham) == 2 and len(compared & {c.id for c in lewisham}) == 1
    other = next(c for c in lewisham if c.id not in compared)
    assert answer.sentences[-1].text == (
        f"Lewisham has two case studies; the other one, \u201c{focus(other)}\u201d, is not "
        "compared here.")
    reads_whole(answer)
    # a topic says which one is meant: nothing is left out
    meant = ask(searcher, "Compare Croydon's work with refugees and Lewisham's work on "
                          "homelessness.")
    assert "not compared here" not in meant.answer


def test_a_comparison_sets_its_case_studies_side_by_side_aspect_by_aspect(
        searcher: Searcher) -> None:
    """What the question asks about leads, with each case study's sentence on it; then the
    other aspects. The text, the sentences and the aspects read in one order, and each item
    holds the same sentences as its lines in the aspects."""
    answer = ask(searcher, "How does funding for social prescribing differ between Barnet and "
                           "Hammersmith and Fulham?")
    assert answer.shape == "compare"
    labels = [a.label for a in answer.aspects]
    assert labels[0] == "Funding for social prescribing" and len(labels) >= 2
    funding = answer.aspects[0]
    assert [i.label for i in funding.items] == ["Barnet", "Hammersmith and Fulham"]
    assert all(re.search(r"\bfund", s.text) for i in funding.items for s in i.sentences)
    lines = answer.answer.splitlines()
    assert lines[1] == "Funding for social prescribing:" and lines[2].startswith("- Barnet: ")
    sides = [s for a in answer.aspects for i in a.items for s in i.sentences]
    assert list(answer.sentences[len(answer.sentences) - len(sides):]) == sides
    for item in answer.items:
        assert set(item.sentences) == {s for a in answer.aspects for i in a.items
                                       if i.case_study == item.case_study for s in i.sentences}
    reads_whole(answer)


def test_a_comparison_that_asks_about_nothing_beyond_its_case_studies_has_no_asked_aspect(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Compare the two Lewisham case studies.")
    assert answer.shape == "compare" and answer.aspects
    assert {a.label for a in answer.aspects} <= {"The need", "What was done", "What came of it",
                                                 "Other detail"}


def test_a_comparison_asking_a_kind_of_fact_quotes_for_each_a_sentence_that_holds_it(
        searcher: Searcher) -> None:
    """Under "When", each case study's sentence gives a date ("While the service is funded by
    Barnet CCG" answers no "when"); under what was asked, a summary silent on it says so."""
    when = ask(searcher, "When did Lambeth and Barnet start social prescribing? Compare them.")
    first = when.aspects[0]
    assert first.label == "When" and [i.label for i in first.items] == ["Lambeth", "Barnet"]
    assert "December 2019" in first.items[0].sentences[0].text
    assert "April 2017" in first.items[1].sentences[0].text
    results = ask(searcher, "Compare the results in Ealing and Barnet.")
    came = results.aspects[0]
    assert came.label == "What came of it"
    assert [(i.label, [s.text for s in i.sentences]) for i in came.items][1] == (
        "Barnet", ["The summary does not say."])
    reads_whole(results)


def test_answers_of_other_shapes_have_no_aspects(searcher: Searcher) -> None:
    assert not ask(searcher, "Which case studies are about Covid-19 vaccine hesitancy?").aspects


def test_a_title_only_case_study_is_described_by_its_title_alone(searcher: Searcher) -> None:
    # and says that is all, so the reader does not wonder whether the answer was cut short
    answer = ask(searcher, "What does the Macmillan Cancer Care Navigation Service do?")
    assert answer.shape == "describe"
    assert [s.text for s in answer.sentences] == [
        "The page gives only its title: \u201cMacmillan Cancer Care Navigation Service: Enhancing "
        "patient experience through embedding a Macmillan Cancer Care Navigator within the "
        "MDT\u201d.", "The page says no more about it."]
    assert answer.sentences[1].citation is None


@pytest.mark.parametrize("carried", [True, False])
def test_a_follow_up_that_points_back_stays_with_its_case_study(searcher: Searcher,
                                                                 carried: bool) -> None:
    first = "Tell me about the Lewisham pandemic case study"
    _, before = ask_conversation(searcher, [{"role": "user", "content": first}])
    lewisham = before.citations[0].case_study.id
    assistant = {"role": "assistant", "content": before.answer}
    if carried:  # as the widget sends it; without, the server asks the first question again
        assistant["case_studies"] = [c.case_study.id for c in before.citations]
    _, answer = ask_conversation(searcher, [{"role": "user", "content": first}, assistant,
                                            {"role": "user", "content": "Who funded that service?"}])
    assert {c.case_study.id for c in answer.citations} == {lewisham}
    assert "funded by Lewisham Council" in answer.answer


def test_a_follow_up_that_opens_with_and_still_points_back(searcher: Searcher) -> None:
    first = "How did Barnet set up its wellbeing hub?"
    _, before = ask_conversation(searcher, [{"role": "user", "content": first}])
    messages = [{"role": "user", "content": first},
                {"role": "assistant", "content": before.answer,
                 "case_studies": [c.case_study.id for c in before.citations]},
                {"role": "user", "content": "And who manages it?"}]
    query, answer = ask_conversation(searcher, messages)
    # asked of the case study, not glued onto the first question's words
    assert query == "And who manages it?" and answer.shape == "fact"
    assert answer.sentences[0].text.startswith("The service is managed by CommUNITY Barnet")


@pytest.mark.parametrize(("asked", "first"), [
    ("is it in Croydon?", "No: \u201cThe Well Centre\u201d is from Lambeth."),
    ("Is that service based in London?", "Yes: \u201cThe Well Centre\u201d is from Lambeth."),
    ("was it in south London?", "Yes: \u201cThe Well Centre\u201d is from Lambeth."),
])
def test_a_follow_up_asking_if_it_is_in_a_place_is_answered_yes_or_no(
        searcher: Searcher, asked: str, first: str) -> None:
    messages = [{"role": "user", "content": "Tell me about the Well Centre"},
                {"role": "assistant", "content": "…", "case_studies": ["the-well-centre"]},
                {"role": "user", "content": asked}]
    _, answer = ask_conversation(searcher, messages)
    assert answer.match == "answered" and answer.shape == "where"
    assert answer.sentences[0].text == first
    assert [c.case_study.id for c in answer.citations] == ["the-well-centre"]


def test_a_follow_up_asking_if_a_list_is_in_a_place_counts_those_that_are(
        searcher: Searcher) -> None:
    listed = ["covid-19-vaccinations-understanding-and-supporting-faith",
              "covid-19-vaccinations-utilising-opportunities-to-support",
              "covid-19-vaccinations-utilising-your-networks-to-reach"]
    messages = [{"role": "user", "content": "Which case studies are about vaccines?"},
                {"role": "assistant", "content": "…", "case_studies": listed},
                {"role": "user", "content": "are they all in Newham?"}]
    _, answer = ask_conversation(searcher, messages)
    assert answer.sentences[0].text.startswith("One of the three is in Newham: \u201cUtilising")
    assert {i.case_study.id for i in answer.items} == set(listed)


def test_a_follow_up_asking_about_the_something_is_about_the_case_study_before(
        searcher: Searcher) -> None:
    # "what were the results?" names nothing: asked alone it found Lambeth's clinicians
    messages = [{"role": "user", "content": "How did Croydon support refugees?"},
                {"role": "assistant", "content": "…",
                 "case_studies": ["reducing-health-inequalities-supporting-refugees"]},
                {"role": "user", "content": "what were the results?"}]
    _, answer = ask_conversation(searcher, messages)
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == {
        "reducing-health-inequalities-supporting-refugees"}
    assert answer.sentences[0].text.startswith("The Croydon summary does not say what came of it")


def test_a_follow_up_asking_how_many_of_something_is_about_the_case_study_before(
        searcher: Searcher) -> None:
    # "how many patients?" names nothing: asked alone it was "every case study is about that"
    _, answer = _chat(searcher, "What did the Merton long covid clinics do?", "how many patients?")
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == {
        "reducing-health-inequalities-long-covid-19-clinics-in-merton"}
    assert answer.sentences[0].text.startswith(
        "The Merton summary does not say how many patients;")


def test_a_follow_up_asked_of_them_all_answers_for_each(searcher: Searcher) -> None:
    listed, did, funded = _chat(searcher, "Which case studies are in Lewisham?",
                                "what did they do?", "who funded them?")
    # before, "what did they do?" answered from the first alone
    assert [i.case_study.id for i in did.items] == [i.case_study.id for i in listed.items]
    assert did.sentences[0].text == "Here is what each of the two case studies says."
    assert all(i.sentences for i in did.items)
    reads_whole(did)
    # a fact one summary lacks is said to be lacking there, in its own item
    told, untold = funded.items
    assert "funded by Lewisham Council" in told.sentences[0].text
    assert untold.sentences[0].text.startswith("The Lewisham summary does not say who funded it")
    # "they" of one case study is that one alone
    _, one = _chat(searcher, "How did Hounslow reach Muslim communities?", "what did they do?")
    assert not one.items and len({c.case_study.id for c in one.citations}) == 1


def test_which_one_picks_among_every_case_study_the_answer_before_listed(
        searcher: Searcher) -> None:
    # it was asked of the first of them alone: "None of them are in Wandsworth."
    _, answer = _chat(searcher, "Which case studies are about training hubs?",
                      "which one is in Wandsworth?")
    assert [c.case_study.boroughs for c in answer.citations] == [("Wandsworth",)]


def test_a_new_topic_after_an_answer_starts_afresh(searcher: Searcher) -> None:
    messages = [{"role": "user", "content": "Tell me about the Well Centre"},
                {"role": "assistant", "content": "…", "case_studies": ["the-well-centre"]},
                {"role": "user", "content": "How did Croydon use sport to support refugees?"}]
    _, answer = ask_conversation(searcher, messages)
    assert answer.citations[0].case_study.boroughs == ("Croydon",)


@pytest.mark.parametrize("question", [
    "How did Hounslow reach Muslim communities about vaccines?",
    "Which boroughs worked on Covid-19 vaccine hesitancy?",
    "Compare the Hounslow and Newham vaccine approaches",
    "Who paid for the Bromley by Bow micro-commissioning?",
])
def test_every_citation_is_shown_and_every_marker_cites(searcher: Searcher, question: str) -> None:
    answer = ask(searcher, question)
    shown = {s.citation for s in answer.sentences if s.citation is not None}
    shown |= {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert shown == set(range(1, len(answer.citations) + 1))


def test_a_comparison_of_named_places_is_answered_from_the_records(searcher: Searcher) -> None:
    answer = ask(searcher, "Compare how Hounslow and Southwark approached vaccine hesitancy.")
    assert answer.match == "answered" and answer.shape == "compare"
    assert [i.case_study.boroughs for i in answer.items] == [("Hounslow",), ("Southwark",)]


def test_a_list_about_a_topic_names_every_case_study_about_it_not_just_the_best(
        searcher: Searcher) -> None:
    # the calibrated score ranks the Merton and Lewisham care coordinator case studies far
    # below the best one; membership reads each on its own
    answer = ask(searcher, "Are there case studies about care coordinators?")
    listed = {i.case_study.id for i in answer.items}
    assert answer.found and answer.shape == "list"
    assert {"a-high-intensity-user-service-for-individuals-with-complex",
            "reducing-health-inequalities-long-covid-19-clinics-in-merton",
            "reducing-health-inequalities-health-inclusion"} <= listed
    assert answer.sentences[0].text == f"{['', 'One', 'Two', 'Three', 'Four'][len(listed)]} " \
                                       "case studies are about care coordinators."
    reads_whole(answer)


def test_a_count_of_a_topic_counts_each_case_study_about_it(searcher: Searcher) -> None:
    answer = ask(searcher, "How many case studies deal with vaccine hesitancy?")
    vaccines = {c.id for c in searcher.case_studies() if c.id.startswith("covid-19-vaccinations")}
    assert answer.shape == "count" and len(vaccines) == 5
    assert {i.case_study.id for i in answer.items} == vaccines
    assert answer.sentences[0].text == "Five case studies deal with vaccine hesitancy."


def test_the_whole_collection_is_counted_by_section(searcher: Searcher) -> None:
    answer = ask(searcher, "How many case studies are there?")
    total = len(searcher.case_studies())
    assert answer.found and answer.shape == "count" and not answer.items
    assert answer.sentences[0].text.startswith(f"There are {total} case studies, in seven sections")
    for section in searcher.sections():
        assert f"\u201c{section}\u201d" in answer.sentences[0].text
    reads_whole(answer)


def test_a_count_of_a_kind_says_the_kind(searcher: Searcher) -> None:
    answer = ask(searcher, "How many homelessness case studies are there?")
    assert answer.shape == "count"
    assert answer.sentences[0].text == "There is one homelessness case study."
    assert [i.case_study.id for i in answer.items] == ["reducing-health-inequalities-health-inclusion"]


def test_a_section_named_by_its_one_own_word_is_counted_from_the_records(
        searcher: Searcher) -> None:
    answer = ask(searcher, "How many video case studies are there?")
    videos = {c.id for c in searcher.case_studies() if "video" in c.section}
    assert {i.case_study.id for i in answer.items} == videos
    assert answer.sentences[0].text == "Three case studies are in the \u201cSocial prescribing " \
                                       "\u2013 video case study\u201d section."


def test_a_how_question_across_case_studies_quotes_each_and_says_what_it_is_about(
        searcher: Searcher) -> None:
    # two case studies score 0.74 and 0.71, the next 0.07: well clear of the floor either way
    answer = ask(searcher, "How did others support people with long term conditions in hospital?")
    assert answer.shape == "how"
    assert answer.sentences[0].text == \
        "Two case studies are about supporting people with long term conditions in hospital."
    assert [i.case_study.id for i in answer.items] == [
        "a-holistic-approach-to-support-children-and-young-people-cyp",
        "improving-wellbeing-for-outpatients-with-long-term"]
    reads_whole(answer)


def test_a_how_question_whose_summaries_tell_only_the_need_says_so(searcher: Searcher) -> None:
    answer = ask(searcher, "How did others reach Muslim communities about vaccines?")
    assert answer.shape == "how" and answer.match == "answered"
    assert answer.sentences[0].text == \
        "Two case studies are about reaching Muslim communities about vaccines."
    # Waltham Forest scores 0.48: above the across floor (0.45), below a list's (0.5)
    assert [i.case_study.boroughs for i in answer.items] == [("Hounslow",), ("Waltham Forest",)]
    # the Hounslow summary tells the concerns, not what was done: the answer says so
    assert any("Hounslow summary describes the need" in s.text for s in answer.items[0].sentences)
    reads_whole(answer)


def test_a_how_question_about_one_case_study_quotes_that_one(searcher: Searcher) -> None:
    answer = ask(searcher, "How was social prescribing set up across Lambeth?")
    assert answer.shape == "how" and not answer.items
    assert {c.case_study.id for c in answer.citations} == {"stockwell-clinicians-taking-the-lead"}


def test_a_topic_list_the_whole_question_misses_is_answered_by_its_members(
        searcher: Searcher) -> None:
    # judged "related" as a whole question; the topic read alone finds Lewisham's befriending
    question = "Which boroughs have case studies about befriending?"
    shipped = searcher.tuned
    assert shipped.membership_claim is not None
    try:
        searcher.tuned = shipped.with_(membership_claim=None)
        unclaimed = ask(searcher, question)
    finally:
        searcher.tuned = shipped
    answer = ask(searcher, question)
    assert unclaimed.match == "related" and answer.match == "answered"
    assert [i.case_study.id for i in answer.items] == [
        "lewisham-working-in-partnership-to-meet-community-need"]
    reads_whole(answer)


def test_a_topic_no_case_study_holds_is_not_claimed_by_its_neighbour(searcher: Searcher) -> None:
    # no case study says "dementia"; the one about learning disabilities is its likeliest
    answer = ask(searcher, "Which case studies are about dementia?")
    assert answer.match != "answered" and not answer.found


def test_a_listed_case_studys_heading_and_its_quote_carry_one_number(searcher: Searcher) -> None:
    # "mention" is the question's wording, held by no case study: it cannot narrow Southwark's
    answer = ask(searcher, "How many case studies mention Southwark?")
    assert answer.sentences[0].text == "Three case studies mention Southwark."
    quoted = [i for i in answer.items if i.sentences]
    assert quoted
    for item in quoted:
        line = next(x for x in answer.answer.splitlines() if item.sentences[0].text in x)
        numbers = re.findall(r"\[(\d+)\]", line)
        assert len(set(numbers)) == 1, line


def test_where_a_case_study_pointed_back_at_is_says_so_of_it(searcher: Searcher) -> None:
    messages = [{"role": "user", "content": "Tell me about the Well Centre"},
                {"role": "assistant", "content": "…", "case_studies": ["the-well-centre"]},
                {"role": "user", "content": "Which borough is that in?"}]
    _, answer = ask_conversation(searcher, messages)
    assert answer.shape == "where"
    assert answer.sentences[0].text == "The case study \u201cThe Well Centre\u201d is from Lambeth."


@pytest.mark.parametrize(("second", "offered"), [(0.5, 2), (0.4, 1)])
def test_a_related_answer_offers_a_second_closest_only_near_the_first(
        searcher: Searcher, second: float, offered: int) -> None:
    question = "Is there a case study about gambling problems?"
    scored = searcher.score(question, full=True)
    ranked = searcher.group(scored.final, 2)
    rescored = [replace(ranked[0], score=0.6), replace(ranked[1], score=second)]
    answer = compose_related(context(searcher, question, scored, rescored, "related"), (), "")
    assert answer.match == "related"
    assert [i.case_study.id for i in answer.items] == [r.case_study.id for r in ranked][:offered]


def test_a_comparison_quotes_a_title_that_is_a_clause_and_names_one_that_is_a_topic(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Compare the training hubs in Waltham Forest and Wandsworth")
    assert answer.shape == "compare"
    assert answer.sentences[1].text == (
        "Waltham Forest\u2019s title is \u201cThe training hub in Waltham Forest compared options "
        "for supervision\u201d; Wandsworth\u2019s is about recruiting local people into local jobs.")


def test_a_compared_case_study_named_by_its_whole_title_is_not_left_out(searcher: Searcher
                                                                        ) -> None:
    # the South West London one names no borough: its name is its title
    answer = ask(searcher, "What do the training hub case studies have in common?")
    assert answer.shape == "compare" and len(answer.items) == 3
    assert answer.sentences[1].text.endswith(
        "; the third is \u201cChampion ARRs roles running monthly peer sessions in South West "
        "London\u201d.")


def test_a_place_alone_is_described_from_its_case_studies(searcher: Searcher) -> None:
    hounslow = ask(searcher, "Tell me about Hounslow")
    assert hounslow.match == "answered" and hounslow.shape == "describe"
    assert hounslow.citations[0].case_study.boroughs == ("Hounslow",)
    # a borough with two case studies lists both
    lambeth = ask(searcher, "Tell me about Lambeth")
    assert lambeth.shape == "list" and lambeth.sentences[0].text == "Two case studies are from Lambeth."
    assert {i.case_study.id for i in lambeth.items} == {
        c.id for c in searcher.case_studies() if "Lambeth" in c.boroughs}


def test_a_summary_without_a_place_is_named_by_its_quoted_title(searcher: Searcher) -> None:
    answer = ask(searcher, "How did a link worker help a mum worried about vaccinating her "
                           "disabled son?")
    said = [s.text for s in answer.sentences]
    assert "The summary of \u201cUnderstanding people and their individual circumstances\u201d " \
           "describes the need, not what was done; the page says no more about it." in said


def test_a_need_told_beside_the_lead_still_says_the_summary_tells_only_the_need(
        searcher: Searcher) -> None:
    # the lead is the clause about the women; the need is the clause before its semicolon, and
    # the next sentence the answer quotes ("they both hear the ... concerns")
    answer = ask(searcher, "How did Hounslow make women more comfortable getting vaccinated?")
    said = [s.text for s in answer.sentences]
    assert said[-1].startswith("The Hounslow summary describes the need, not what was done")
    waltham = ask(searcher, "How did Farah and Saiba use their own communities to counter "
                            "rumours about the jab?")
    said = [s.text for s in waltham.sentences]
    assert any(s.startswith("Farah is Pakistani and Saiba is Bangladeshi") for s in said)
    assert said[-1].startswith("The Waltham Forest summary describes the need")


def test_a_question_about_results_says_when_the_summary_tells_none(searcher: Searcher) -> None:
    answer = ask(searcher, "What impact did the Posh Club have?")
    assert answer.found and [c.case_study.id for c in answer.citations] == ["crawley-posh-club"]
    assert answer.sentences[0].text == (
        "The summary of \u201cCrawley Posh Club\u201d does not say what came of it; the page "
        "says no more about it.")
    assert len(answer.sentences) == 2
    reads_whole(answer)
    # a summary that tells one leads with it
    told = ask(searcher, "What difference did guided meditation make in Ealing?")
    assert "deep impact" in told.sentences[0].text
    assert not any("came of it" in s.text for s in told.sentences)


def test_a_fact_the_summary_does_not_hold_is_said_to_be_missing(searcher: Searcher) -> None:
    # the Posh Club's summary names nobody and gives no date: quoting it alone reads as if
    # its first sentence answered
    who = ask(searcher, "Who funds the Crawley Posh Club?")
    assert who.sentences[0].text == (
        "The summary of \u201cCrawley Posh Club\u201d does not say who funds it; the page says "
        "no more about it.")
    # the quote follows what the summary does not say: leading, it would read as the answer;
    # no sentence answers, so the one that names the club comes before "For many, it's ..."
    assert who.sentences[1].text.startswith("Crawley Posh Club brings people")
    when = ask(searcher, "When did the Crawley Posh Club start?")
    assert "does not say when" in when.sentences[0].text
    # a summary that holds the fact is quoted for it, with no such sentence
    mosques = ask(searcher, "How many mosques does Hounslow have?")
    assert "15 Mosques" in mosques.sentences[0].text
    assert not any("does not" in s.text for s in mosques.sentences)
    reads_whole(who)
    # the Royal London's nurses and "Social Prescribing Link Workers", the field's own words,
    # are not who funds it
    royal = ask(searcher, "Who funds the Royal London hospital link worker?")
    assert royal.sentences[0].text == (
        "The summary of \u201cThe Royal London Hospital Barts Health NHS Trust\u201d does not "
        "say who funds it; the page says no more about it.")
    # a verb that takes a preposition is quoted with it
    paid = ask(searcher, "Who paid for the Crawley Posh Club?")
    assert "does not say who paid for it;" in paid.sentences[0].text
    # the asker's own common noun is what is missing, not "it"; a name is the summary's own
    # subject, and stays "it"
    supervised = ask(searcher, "Who supervises link workers in Waltham Forest?")
    assert supervised.sentences[0].text.startswith(
        "The Waltham Forest summary does not say who supervises link workers;")
    sessions = ask(searcher, "Who runs the sessions at the Posh Club?")
    assert "does not say who runs the sessions;" in sessions.sentences[0].text
    # "Read how ... and the impact it had on them" names what the full case study tells,
    # and tells none of it: quoted alone, it read as the answer to "did it work?"
    hub = "How did the training hub in Waltham Forest support link workers?"
    _, worked = _chat(searcher, hub, "did it work?")
    assert worked.sentences[0].text.startswith(
        "The Waltham Forest summary does not say what came of it;")
    # "how long" asks for a length of time: "one of four link workers" gives none
    corina = ask(searcher, "How long has Corina been a link worker?")
    assert corina.sentences[0].text.startswith("The Ealing summary does not say how long;")
    pilot = ask(searcher, "How long did the Bromley by Bow pilot run?")
    assert "from 2015 to 2019" in pilot.sentences[0].text
    # a phrasal verb is not cut short ("who set it")
    founded = ask(searcher, "Who set up the Crawley Posh Club?")
    assert "does not say who;" in founded.sentences[0].text


def test_who_paid_is_told_only_by_a_sentence_that_says_who_paid(searcher: Searcher) -> None:
    # the Croydon summary names Croydon Voluntary Action, who runs the sports, and says nothing
    # of money; Barnet's says it is "funded by Barnet CCG"
    first = "Tell me about the Croydon refugees work"
    told = ask(searcher, first)
    messages = [{"role": "user", "content": first},
                {"role": "assistant", "content": told.answer,
                 "citations": [{"case_study_id": c.case_study.id} for c in told.citations]},
                {"role": "user", "content": "Who paid for it?"}]
    paid = ask_conversation(searcher, messages)[1]
    assert paid.citations[0].case_study.id == "reducing-health-inequalities-supporting-refugees"
    assert paid.sentences[0].text == ("The Croydon summary does not say who paid for it; the "
                                       "page says no more about it.")
    barnet = ask(searcher, "Who funds the Barnet Wellbeing Service?")
    assert "funded by Barnet CCG" in barnet.answer and "does not say" not in barnet.answer


def conversation(searcher: Searcher, first: str) -> tuple[Answer, Callable[[str], Answer]]:
    """The answer to `first`, and a function that asks a follow-up after it, its answer sent
    back as the widget sends it (text and cited case studies)."""
    asked = {"role": "user", "content": first}
    _, before = ask_conversation(searcher, [asked])
    said = {"role": "assistant", "content": before.answer,
            "case_studies": [c.case_study.id for c in before.citations]}

    def then(question: str) -> Answer:
        return ask_conversation(searcher, [asked, said, {"role": "user", "content": question}])[1]

    return before, then


def test_a_follow_up_naming_what_the_answer_said_is_about_that_case_study(
        searcher: Searcher) -> None:
    before, then = conversation(searcher, "How did Newham address vaccine concerns?")
    after = then("Who are the champions?")
    assert after.found
    assert after.citations[0].case_study.id == before.citations[0].case_study.id
    assert "Champions" in after.sentences[0].text
    # asked alone, nothing answers it
    _, alone = ask_conversation(searcher, [{"role": "user", "content": "Who are the champions?"}])
    assert not alone.found


def test_a_related_list_offers_the_case_study_closest_to_its_topic(searcher: Searcher) -> None:
    # no case study mentions ambulances; the two on alternatives to A&E are the nearest
    answer = ask(searcher, "Which case studies talk about ambulance call-outs?")
    assert answer.match == "related"
    assert {c.case_study.id for c in answer.citations} == {
        "community-alternatives-to-a-and-e-working-with-clinical",
        "community-alternatives-to-a-and-e-working-with-community"}
    # "vaccine" is a term of Vaccination that the case studies say: vaccine confidence is
    # read as that theme, whose boroughs are the answer
    answer = ask(searcher, "Which boroughs worked on vaccine confidence?")
    assert answer.match == "answered"
    assert {"Hounslow", "Newham", "Southwark", "Waltham Forest"} <= {
        b for c in answer.citations for b in c.case_study.boroughs}
    # no summary reads as about faith leaders, but the best by score holds the topic's rarest
    # word ("faith groups"): it is offered, where before the answer said none was close
    faith = ask(searcher, "Which projects worked with faith leaders?")
    assert faith.match == "related"
    assert [c.case_study.boroughs for c in faith.citations] == [("Hounslow",)]
    assert "None is close" not in faith.answer
    # nothing near a topic's meaning: none is offered
    far = ask(searcher, "Which case studies are about gardening?")
    assert far.match == "related" and not far.citations
    assert far.sentences[1].text.startswith("None is close")


def test_a_topic_typed_alone_that_a_theme_names_is_listed(searcher: Searcher) -> None:
    # "loneliness" is said by no case study, but names the theme two of them carry: as typed
    # it was "related", with none close
    answer = ask(searcher, "loneliness")
    listed = ask(searcher, "Which case studies are about loneliness?")
    assert answer.match == "answered" and answer.shape == "list"
    assert answer.question == "loneliness"
    assert [i.case_study.id for i in answer.items] == [i.case_study.id for i in listed.items]
    assert answer.sentences[0].text == "Two case studies are about loneliness."
    # one that finds a case study as typed is the list where the list holds more: "vaccines"
    # quoted Hounslow alone of five
    vaccines = ask(searcher, "vaccines")
    assert vaccines.shape == "list" and len(vaccines.items) == 5
    assert {i.case_study.id for i in vaccines.items} == {
        c.id for c in searcher.case_studies() if "vaccination" in c.themes}
    # typed with a capital, an English word is said in lower case and a name as typed
    assert ask(searcher, "Loneliness").sentences[0].text == "Two case studies are about loneliness."
    # a linking verb is no word of the topic: "people who feel lonely" are lonely, which names
    # the theme (before, "No case study here answers that")
    lonely = ask(searcher, "how many case studies are about people who feel lonely?")
    assert lonely.match == "answered"
    assert {i.case_study.id for i in lonely.items} == {i.case_study.id for i in answer.items}
    assert ask(searcher, "Macmillan").sentences[0].text.endswith(" case studies are about Macmillan.")
    # each word beyond the field's own is in some case study: the list reads it ("refugees");
    # a word no case study holds is not read by nearness ("suicide" as "depression")
    refugees = ask(searcher, "social prescribing for refugees")
    assert refugees.match == "answered" and [i.case_study.id for i in refugees.items] == [
        "reducing-health-inequalities-supporting-refugees"]
    assert ask(searcher, "Suicide prevention training for link workers").match == "related"
    # a topic one case study alone answers keeps its own answer
    focused = ask(searcher, "vaccine hesitancy muslim")
    assert focused.shape == "open" and {c.case_study.boroughs for c in focused.citations} == {
        ("Hounslow",)}


def test_a_related_answer_offers_the_case_studies_of_a_theme_its_topic_names(
        searcher: Searcher) -> None:
    # "loneliness" names a theme; "older people" narrows it past what any summary says
    answer = ask(searcher, "loneliness among older people")
    loneliness = carriers(searcher, "loneliness-and-isolation")
    assert answer.match == "related"
    assert {i.case_study.id for i in answer.items} == loneliness
    # "housing" names a theme: its case study is offered before one that shares only the
    # question's other words (Richmond's "worked with" for "working with")
    housing = ask(searcher, "Examples of working with housing associations")
    assert housing.match == "related" and housing.citations
    assert {c.case_study.id for c in housing.citations} <= carriers(
        searcher, "homelessness-and-housing")
    # a term of a theme that a case study says ("exercise") offers the theme's case studies
    exercise = ask(searcher, "exercise for older people")
    assert exercise.match == "related" and exercise.citations
    assert {c.case_study.id for c in exercise.citations} <= carriers(
        searcher, "physical-activity")
    # a word of the field's own ("health") names no theme: nothing is offered, and the
    # answer says what the case studies do cover, by topic
    far = ask(searcher, "sexual health")
    assert far.match == "related" and not far.citations
    assert [s.text for s in far.sentences[1:2]] == ["None is close."]
    assert far.sentences[2].text == f"The case studies cover {join(searcher.topics())}."
    assert searcher.topics()[0] == "long-term conditions"  # the most carried first


def test_an_abbreviation_that_is_a_themes_term_names_its_theme_for_a_related_answer(
        searcher: Searcher) -> None:
    # "A&E" is a term of urgent and emergency care: its case studies are offered, each listed
    # by its whole title, since the page gives nothing more ("Community Alternatives to A&E")
    answer = ask(searcher, "What evidence is there that social prescribing reduces A&E "
                           "attendance?")
    emergency = carriers(searcher, "emergency-care")
    assert answer.match == "related" and answer.items
    assert {i.case_study.id for i in answer.items} <= emergency
    assert all(i.label.startswith("Community Alternatives to A&E: ") for i in answer.items
               if not i.sentences)
    # a word that is a term ("gardening" of physical activity) asks about less than the theme
    garden = ask(searcher, "Green social prescribing: gardening and nature walks on prescription")
    assert not garden.citations


@pytest.mark.parametrize(("question", "lead"), [
    # judged "related" ("No Barnet case study answers that.") above a quote that answers it
    ("Who runs social prescribing in Barnet?", "The service is managed by CommUNITY Barnet"),
    # asked who paid, the sentence about the money, not the one about who oversees it
    ("who funds social prescribing in Hammersmith and Fulham?",
     "Funding is derived from multiple sources"),
    # asked who they linked in with, the sentence that says so
    ("who did Newham's link workers link in with?", "The SPLWs have linked in with Newham"),
    # "overseen by the borough's GP Federation" shares more words, but says no date
    ("When did social prescribing start in Hammersmith and Fulham?",
     "The first primary care network (PCN)-based DES-funded link worker was in post in October"),
])
def test_the_lead_sentence_is_the_one_that_tells_what_is_asked(
        searcher: Searcher, question: str, lead: str) -> None:
    answer = ask(searcher, question)
    assert answer.match == "answered" and answer.sentences[0].text.startswith(lead)


def test_a_partner_named_by_a_common_noun_answers_who_they_work_with(
        searcher: Searcher) -> None:
    # "in partnership with Social Prescribing Link Workers" names the partner in the field's
    # own words: the answer said the summary "does not say who" after quoting it
    answer = ask(searcher, "At the Royal London, which staff team up with link workers to "
                           "support children and young people?")
    assert not any("does not say" in s.text for s in answer.sentences)

def test_a_leading_sentence_on_it_follows_the_sentence_that_says_what_it_is(
        searcher: Searcher) -> None:
    # "In Barnet, it arose out of ..." said where Barnet is, not what "it" is: the hub
    answer = ask(searcher, "Which case studies are from the Case studies from around London "
                           "section?")
    barnet = next(i for i in answer.items if i.case_study.boroughs == ("Barnet",))
    assert barnet.sentences[0].text.startswith("The Barnet Wellbeing Hub is")
    assert not any(s.text.startswith("In Barnet, it") for s in answer.sentences)
    # so does one whose "it" follows an opening phrase ("Formally launched in April 2017, it")
    topic = ask(searcher, "mental health")
    barnet = next(i for i in topic.items if i.case_study.boroughs == ("Barnet",))
    assert barnet.sentences[0].text.startswith("The Barnet Wellbeing Hub is")


def test_how_the_field_does_something_in_general_quotes_each_case_study_that_says(
        searcher: Searcher) -> None:
    # it quoted Barnet's alone, of the three that say who funds them
    answer = ask(searcher, "How is social prescribing funded?")
    assert answer.shape == "how" and len(answer.items) >= 2
    assert {"Barnet", "Hammersmith and Fulham"} <= {b for i in answer.items
                                                    for b in i.case_study.boroughs}


def test_case_studies_like_one_named_are_read_by_the_similar_projects_view(
        searcher: Searcher) -> None:
    # by the words' match it was "related", offering the Well Centre itself as closest
    answer = ask(searcher, "Show me case studies similar to the Well Centre")
    alike = [r for r in searcher.similar("the-well-centre", 4) if r.score >= 0.5]
    assert alike and answer.match == "answered" and answer.shape == "list"
    assert [i.case_study.id for i in answer.items] == [r.case_study.id for r in alike]
    assert "the-well-centre" not in {c.case_study.id for c in answer.citations}
    assert answer.sentences[0].text.endswith("like \u201cThe Well Centre\u201d (Lambeth).")
    reads_whole(answer)


def test_others_like_the_case_study_before_are_read_by_the_similar_projects_view(
        searcher: Searcher) -> None:
    _, answer = _chat(searcher, "Tell me about the Well Centre", "are there any others like it?")
    assert answer.sentences[0].text.endswith("like \u201cThe Well Centre\u201d (Lambeth).")
    assert "the-well-centre" not in {c.case_study.id for c in answer.citations}
    # with nothing before it, it is told to name one
    alone = ask(searcher, "find similar projects")
    assert alone.match == "none" and not alone.citations
    assert alone.answer.startswith("There is nothing earlier in this conversation")


def test_a_related_answer_asked_of_a_borough_offers_its_own_case_study(
        searcher: Searcher) -> None:
    # it offered Lambeth's and North West London's, not Croydon's own
    answer = ask(searcher, "Who runs social prescribing in Croydon?")
    assert answer.match == "related"
    assert ("Croydon",) in [i.case_study.boroughs for i in answer.items]


def test_a_list_of_titles_alone_says_the_page_gives_no_more(searcher: Searcher) -> None:
    answer = ask(searcher, "Tell me about the case studies in Westminster")
    assert answer.items and not any(i.sentences for i in answer.items)
    assert answer.sentences[-1].text == "The page gives only their titles."
    # a count of a borough's case studies lists their titles by design, and says nothing more
    counted = ask(searcher, "How many case studies are in Westminster?")
    assert not any("gives only" in s.text for s in counted.sentences)


def test_a_follow_up_asking_for_more_does_not_repeat_what_was_said(searcher: Searcher) -> None:
    first, more, rest = _chat(searcher, "Tell me about Barnet", "tell me more", "anything else?")
    assert more.sentences and not any(s.text in first.answer for s in more.sentences)
    # once every sentence has been shown, it says so rather than repeat one
    assert rest.answer.startswith("The Barnet summary says no more than the answers above")
    # asked first, "tell me more" is told to name a topic
    assert ask(searcher, "tell me more").answer.startswith("There is nothing earlier")


def test_a_wh_question_of_verbs_alone_is_asked_of_the_case_study_before(
        searcher: Searcher) -> None:
    # "who was involved?" was "every case study here is about that"
    before, answer = _chat(searcher, "What did Lambeth's clinicians do?", "who was involved?")
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == {
        c.case_study.id for c in before.citations}
    assert ask(searcher, "who helped?").answer.startswith("There is nothing earlier")


def test_compare_the_first_two_compares_the_first_two_listed(searcher: Searcher) -> None:
    listed, answer = _chat(searcher, "Which case studies involve care coordinators?",
                           "compare the first two")
    assert answer.shape == "compare" and answer.match == "answered"
    assert [i.case_study.id for i in answer.items] == [
        c.case_study.id for c in listed.citations][:2]
    assert "First" not in {a.label for a in answer.aspects}


def test_a_need_told_in_the_first_person_is_shown_the_case_studies_of_its_theme(
        searcher: Searcher) -> None:
    # the field model reads a need told, not asked, as outside the field: "I feel lonely" was
    # "I could not find a case study about that" beside two loneliness case studies
    loneliness = carriers(searcher, "loneliness-and-isolation")
    for told in ("I feel lonely", "I live on my own and feel lonely"):
        answer = ask(searcher, told)
        assert answer.match == "answered" and answer.shape == "list"
        assert {i.case_study.id for i in answer.items} == loneliness
        assert answer.sentences[0].text == "Two case studies are about loneliness and isolation."
        reads_whole(answer)
    # not told in the first person, a word inside a label's word, or no theme's term at all:
    # still outside the field
    for far in ("dog training classes near me", "my kids need childcare over half term",
                "I'm stressed about my exams"):
        assert ask(searcher, far).match == "none", far


def test_a_related_topic_a_theme_names_whole_is_answered_as_the_themes_list(
        searcher: Searcher) -> None:
    # no case study says "loneliness" ("lonely", "isolated"): it was "No case study here is
    # about loneliness. The closest is “Guided meditation for wellbeing”."
    # (one it does not name whole, "loneliness among older people", stays related: above)
    answer = ask(searcher, "what helps with loneliness?")
    assert answer.match == "answered"
    assert {i.case_study.id for i in answer.items} == carriers(searcher, "loneliness-and-isolation")


def test_which_of_them_picks_among_the_case_studies_the_last_answer_listed(
        searcher: Searcher) -> None:
    _, then = conversation(searcher, "Which case studies involve Macmillan?")
    in_place = then("How many of them are in Hammersmith and Fulham?")
    assert in_place.shape == "count" and in_place.found
    assert in_place.sentences[0].text == "One case study is in Hammersmith and Fulham."
    assert [c.case_study.id for c in in_place.citations] == [
        "hammersmith-and-fulham-a-holistic-and-integrated-approach"]
    # none of them is from Lambeth, though Lambeth has case studies of its own
    elsewhere = then("Which of them is in Lambeth?")
    assert elsewhere.match == "answered" and not elsewhere.citations
    assert elsewhere.answer == "None of them are in Lambeth."
    # an answer that cites none leaves the conversation about the list before it
    turns = [{"role": "user", "content": "Which case studies involve Macmillan?"},
             {"role": "assistant", "content": "Four case studies involve Macmillan.",
              "case_studies": [c.case_study.id for c in in_place.citations] + [
                  "bromley-by-bow-micro-commissioning"]},
             {"role": "user", "content": "Which of them is in Lambeth?"},
             {"role": "assistant", "content": elsewhere.answer, "case_studies": []},
             {"role": "user", "content": "How many of them are in Tower Hamlets?"}]
    _, third = ask_conversation(searcher, turns)
    assert third.sentences[0].text == "One case study is in Tower Hamlets."
    assert [c.case_study.id for c in third.citations] == ["bromley-by-bow-micro-commissioning"]


def test_a_place_and_nothing_more_lists_the_case_studies_from_it(searcher: Searcher) -> None:
    answer = ask(searcher, "What is happening in Lewisham?")
    assert answer.found and answer.shape == "list"
    assert answer.sentences[0].text == "Two case studies are from Lewisham."
    assert all("Lewisham" in i.case_study.boroughs for i in answer.items)
    reads_whole(answer)
    alone = ask(searcher, "Croydon")
    assert alone.found and [c.case_study.id for c in alone.citations][:1] == [
        "reducing-health-inequalities-supporting-refugees"]
    # a topic of its own beside the place is still the topic's to answer
    assert not ask(searcher, "When are the bins collected in Croydon?").found


def test_a_list_of_a_theme_is_the_theme_s_case_studies(searcher: Searcher) -> None:
    # Crawley Posh Club says "socialise", and no sentence of it is near "loneliness" in meaning:
    # the theme the records tag it with puts it on the list
    answer = ask(searcher, "Is there anything about loneliness?")
    assert answer.match == "answered" and answer.shape == "list"
    assert {i.case_study.id for i in answer.items} == {
        "crawley-posh-club", "lewisham-working-in-partnership-to-meet-community-need"}
    assert answer.sentences[0].text == "Two case studies are about loneliness."
    # "house" shares housing's stem; the meditation case study is not about housing
    housing = ask(searcher, "Which case studies talk about housing?")
    assert [i.case_study.id for i in housing.items] == ["reducing-health-inequalities-health-inclusion"]
    reads_whole(answer)


def test_a_london_borough_without_a_case_study_is_told_where_they_are_from(
        searcher: Searcher) -> None:
    # Camden is in London: "they are from London" told the asker nothing, and the "closest"
    # case studies of a place and nothing more were any two
    answer = ask(searcher, "Is there a case study from Camden?")
    assert answer.match == "related" and not answer.citations
    assert answer.sentences[0].text == "None of the case studies is from Camden."
    assert answer.sentences[1].text.startswith(
        "The case studies come from these London boroughs: Barnet,")
    assert "London" not in answer.sentences[0].text
    reads_whole(answer)


def test_a_section_s_one_word_in_another_topic_does_not_name_the_section(
        searcher: Searcher) -> None:
    # "video" is the video section's own word; "group video clinics" are Merton's
    answer = ask(searcher, "Does any case study use group video clinics?")
    assert [i.case_study.id for i in answer.items] == [
        "reducing-health-inequalities-long-covid-19-clinics-in-merton"]
    # a section with a topic lists the section's case studies about it, not the whole section
    young = ask(searcher, "Which video case studies are about young people?")
    listed = {i.case_study.id for i in young.items}
    assert "the-well-centre" in listed and "crawley-posh-club" not in listed


def test_a_question_about_the_boroughs_as_a_whole_is_counted_from_the_records(
        searcher: Searcher) -> None:
    # no score tells which borough has the most case studies: the borough field does
    answer = ask(searcher, "Which boroughs have more than one case study?")
    assert answer.match == "answered"
    assert answer.sentences[0].text.startswith("Five boroughs have more than one case study: "
                                               "Southwark (three); ")
    boroughs = {b for i in answer.items for b in i.case_study.boroughs}
    assert {"Southwark", "Lambeth", "Lewisham", "Waltham Forest", "Westminster"} <= boroughs
    covered = ask(searcher, "How many boroughs are covered?")
    assert covered.match == "answered" and "nineteen London boroughs" in covered.answer
    reads_whole(answer)


def test_a_topic_that_is_a_heading_s_words_is_answered(searcher: Searcher) -> None:
    # a whole section is on vaccine hesitancy: "no case study here is about vaccine hesitancy"
    # told the asker the opposite of the page
    answer = ask(searcher, "vaccine hesitancy")
    assert answer.match == "answered"
    assert answer.citations[0].case_study.section == \
        "Social prescribing and COVID-19 vaccine hesitancy"


def test_a_follow_up_naming_a_place_in_the_list_is_about_that_case_study(
        searcher: Searcher) -> None:
    listed, then = conversation(searcher, "Is there anything about loneliness?")
    ids = [i.case_study.id for i in listed.items]
    assert len(ids) == 2
    second = then("Who runs the second one?")
    assert [c.case_study.id for c in second.citations] == [ids[1]]
    last = then("Tell me more about the last one")
    assert {c.case_study.id for c in last.citations} == {ids[-1]}


def test_a_where_question_that_gives_its_place_is_answered_with_what_is_there(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Where do Barnet residents with mental ill health get signposted?")
    assert answer.shape == "open" and "is from Barnet" not in answer.answer
    # the lead that says "it" comes after the sentence that names the hub
    assert answer.sentences[0].text.startswith("The Barnet Wellbeing Hub")


def test_a_comparison_of_a_group_compares_its_case_studies_and_names_the_rest(
        searcher: Searcher) -> None:
    answer = ask(searcher, "What do the vaccine case studies have in common?")
    assert answer.match == "answered" and answer.shape == "compare"
    compared = {i.case_study.id for i in answer.items}
    assert len(compared) == 4 and all(c.startswith("covid-19-vaccinations") for c in compared)
    # the fifth is named, not dropped
    assert answer.sentences[-1].text.startswith("One more is not compared here: ")
    assert "No case study here is about common" not in answer.answer
    # "she was worried about him" reads after the sentence that says who she is
    story = next(i for i in answer.items
                 if i.case_study.id == "covid-19-vaccinations-understanding-people-and-their")
    texts = [s.text for s in story.sentences]
    said = next(n for n, t in enumerate(texts) if "40-year-old" in t)
    assert all(n > said for n, t in enumerate(texts) if "she was worried" in t)


def test_a_related_answer_offers_first_the_title_the_question_names(searcher: Searcher) -> None:
    # search ranks a vaccine story first; the question names the Macmillan title's words
    answer = ask(searcher, "Tell me about social prescribing for cancer patients")
    assert answer.match == "related"
    assert answer.citations[0].case_study.id == \
        "macmillan-community-link-worker-service-supporting-cancer"


def test_a_when_question_quotes_the_sentence_that_holds_the_date(searcher: Searcher) -> None:
    # the most relevant sentence names the hub and holds no date; the one that does follows
    answer = ask(searcher, "When did the Barnet hub start?")
    assert answer.shape == "fact" and "April 2017" in answer.answer
    assert "does not say when" not in answer.answer


def test_each_side_of_or_puts_its_case_studies_on_the_list(searcher: Searcher) -> None:
    answer = ask(searcher, "Is there anything about food or money worries?")
    assert answer.match == "answered" and answer.shape == "list"
    assert "lewisham-working-in-partnership-to-meet-community-need" in {
        i.case_study.id for i in answer.items}
    reads_whole(answer)


def test_names_on_each_side_of_or_list_the_case_studies_of_either(searcher: Searcher) -> None:
    answer = ask(searcher, "Which case studies deal with Latin American or Caribbean people?")
    holding = {c.id for c in searcher.case_studies()
               if "Latin American" in c.text or "Caribbean" in c.text}
    assert len(holding) == 2 and {i.case_study.id for i in answer.items} == holding
    assert answer.sentences[0].text.startswith("Two case studies deal with")
    reads_whole(answer)


def test_a_date_the_best_case_study_states_answers_a_question_judged_related(
        searcher: Searcher) -> None:
    # "begin" is missing from the summary, which says social prescribing "went live"
    answer = ask(searcher, "When did social prescribing begin in Lambeth?")
    assert answer.match == "answered" and answer.found
    assert "December 2019" in answer.sentences[0].text
    assert answer.citations[0].case_study.id == "stockwell-clinicians-taking-the-lead"
    reads_whole(answer)


def test_a_figure_no_summary_states_is_still_related(searcher: Searcher) -> None:
    answer = ask(searcher, "How many veterans were helped by link workers?")
    assert answer.match == "related" and not answer.found


def test_a_question_that_only_names_a_case_study_is_answered_by_its_summary(
        searcher: Searcher) -> None:
    # two words, one of them the field's; the judge alone read it as outside the field
    answer = ask(searcher, "What is micro-commissioning?")
    assert answer.match == "answered" and answer.shape == "describe"
    assert answer.citations[0].case_study.id == "bromley-by-bow-micro-commissioning"
    assert answer.sentences[0].text.startswith("The Bromley by Bow Centre piloted")
    reads_whole(answer)


def test_a_question_that_names_a_title_among_other_words_is_not_taken_for_it(
        searcher: Searcher) -> None:
    answer = ask(searcher, "What are the visiting hours at the Royal London Hospital?")
    assert answer.match == "none"


def _chat(searcher: Searcher, *questions: str) -> list[Answer]:
    """Each answer of a conversation, every earlier answer sent back as the widget sends it."""
    messages: list[dict[str, object]] = []
    answers = []
    for question in questions:
        messages.append({"role": "user", "content": question})
        answer = ask_conversation(searcher, messages)[1]
        answers.append(answer)
        messages.append({"role": "assistant", "content": answer.answer,
                         "case_studies": [c.case_study.id for c in answer.citations]})
    return answers


def test_the_two_a_conversation_was_about_are_compared(searcher: Searcher) -> None:
    newham, southwark, both = _chat(searcher, "How did Newham tackle vaccine worries?",
                                    "And Southwark?", "Compare the two")
    assert both.match == "answered" and both.shape == "compare"
    assert [i.case_study.id for i in both.items] == [newham.citations[0].case_study.id,
                                                     southwark.citations[0].case_study.id]
    reads_whole(both)


def test_every_case_study_of_a_list_is_compared_when_asked_how_they_differ(
        searcher: Searcher) -> None:
    listed, differ = _chat(searcher, "Which case studies are about training hubs?",
                           "How do the three differ?")
    assert len(listed.items) == 3
    assert {i.case_study.id for i in differ.items} == {i.case_study.id for i in listed.items}
    assert differ.sentences[0].text.startswith("All three case studies")


def test_a_comparison_with_what_a_follow_up_names_joins_the_case_study_before(
        searcher: Searcher) -> None:
    _, compared = _chat(searcher, "Tell me about the Posh Club", "Compare it with the Well Centre")
    assert {i.case_study.id for i in compared.items} == {"crawley-posh-club", "the-well-centre"}
    # one case study and nothing named: say so, not "All one case studies"
    _, alone = _chat(searcher, "Tell me about the Posh Club", "Compare them")
    assert alone.sentences[0].text.startswith("There is one case study to compare here")
    reads_whole(alone)


def test_a_name_one_case_study_alone_holds_leads_its_answer(searcher: Searcher) -> None:
    # the whole question's ranking put Stockwell first and judged it related
    answer = ask(searcher, "What is Groundswell?")
    assert answer.match == "answered"
    assert answer.citations[0].case_study.id == "reducing-health-inequalities-health-inclusion"
    assert any("Groundswell" in s.text for s in answer.sentences)
    # a name does not pull an errand into the field
    assert ask(searcher, "Is Age UK Lambeth open today?").match == "none"


def test_a_part_of_london_is_read_as_its_integrated_care_systems(searcher: Searcher) -> None:
    answer = ask(searcher, "How many case studies are from south London?")
    assert answer.match == "answered" and answer.shape == "count"
    ids = {i.case_study.id for i in answer.items}
    # a borough in South East or South West London, or a text that names South West London
    assert {"stockwell-clinicians-taking-the-lead", "reducing-health-inequalities-supporting-refugees",
            "champion-arrs-roles-running-monthly-peer-sessions-in-south"} <= ids
    assert "barnet-community-embedded-social-prescribing" not in ids
    assert answer.sentences[1].text.startswith("South London is read as the South East London "
                                               "and South West London integrated care systems")
    reads_whole(answer)


def test_a_date_follow_up_no_sentence_shares_a_word_with_leads_with_the_date(
        searcher: Searcher) -> None:
    # "when did it run?" shares no word with the summary: its date is what it asks
    _, when = _chat(searcher, "Tell me about the Bromley by Bow case study", "When did it run?")
    assert "2015 to 2019" in when.sentences[0].text
    # a count's items quote what the case study is about, not a figure it happens to give
    count = ask(searcher, "How many case studies cover Covid-19 vaccine hesitancy?")
    hounslow = next(i for i in count.items if "Hounslow" in i.case_study.boroughs)
    assert "15 Mosques" not in hounslow.sentences[0].text


def test_a_field_with_nothing_on_the_topic_says_so_and_points_elsewhere(
        searcher: Searcher) -> None:
    # "Lambeth" lifts both Lambeth case studies' scores; neither is about cancer
    answer = ask(searcher, "Which case studies in Lambeth are about cancer?")
    assert answer.match == "related" and not answer.found
    assert answer.sentences[0].text == "No case study in Lambeth is about cancer."
    listed = {i.case_study.id for i in answer.items}
    assert "bromley-by-bow-micro-commissioning" in listed
    assert not any("Lambeth" in i.case_study.boroughs for i in answer.items)
    assert re.match(r"Elsewhere, \w+ case stud(?:y is|ies are) about cancer\.$",
                    answer.sentences[1].text)
    reads_whole(answer)


def test_a_part_of_london_with_nothing_on_the_topic_lists_none_of_its_own(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Which case studies involve refugees in north London?")
    assert not answer.found
    assert [i.case_study.id for i in answer.items] == [
        "reducing-health-inequalities-supporting-refugees"]
    assert answer.sentences[0].text == "No case study involves refugees in north London."


def test_a_field_and_a_topic_read_as_one_sentence(searcher: Searcher) -> None:
    answer = ask(searcher, "Which video case studies are about young people?")
    assert answer.found
    assert {"the-well-centre", "the-royal-london-hospital-barts-health-nhs-trust"} <= {
        i.case_study.id for i in answer.items}
    assert answer.sentences[0].text.startswith("Two case studies in the \u201cSocial prescribing")
    assert answer.sentences[0].text.endswith("section are about young people.")


def test_a_field_listed_whole_does_not_claim_what_no_case_study_says(searcher: Searcher) -> None:
    # no case study says "Black": the Southwark case studies are listed as Southwark's, and
    # the answer says none of them mentions it, where it claimed all three were about it
    answer = ask(searcher, "Which case studies in Southwark are about Black people?")
    assert answer.match == "related" and answer.items
    assert all("Southwark" in i.case_study.boroughs for i in answer.items)
    assert [s.text for s in answer.sentences[:2]] == [
        f"{['', 'One', 'Two', 'Three', 'Four'][len(answer.items)]} case studies are from "
        "Southwark.", "None of them mentions Black people."]
    # the field's own name beside a verb is no such topic
    named = ask(searcher, "Which case studies showcase Lambeth?")
    assert named.found and "mention" not in named.sentences[1].text
    reads_whole(answer)


def test_a_list_of_what_names_an_organisation_quotes_where_it_is_named(
        searcher: Searcher) -> None:
    # the records read the name; the quote is the sentence that says it, after the sentence
    # "this" points to ("In Lewisham, this includes ..." left "this" pointing at nothing)
    answer = ask(searcher, "Which case studies mention Groundswell?")
    assert [item.case_study.id for item in answer.items] == [
        "reducing-health-inequalities-health-inclusion"]
    texts = [s.text for s in answer.items[0].sentences]
    assert texts[0].startswith("The Lewisham case study by Healthy London Partnership shows")
    assert texts[1].startswith("This includes partnering with charity Groundswell")
    reads_whole(answer)
    # a fact leads with what it asks, introduced by its place
    partner = ask(searcher, "Who did Lewisham partner with on homelessness?")
    assert partner.sentences[0].text.startswith(
        "In Lewisham, this includes partnering with charity Groundswell")


def test_a_comparison_of_one_place_s_case_studies_compares_them(searcher: Searcher) -> None:
    # one name, two case studies: the records answer it, and two of one name are told apart
    # by their place among them
    answer = ask(searcher, "Compare the Westminster case studies.")
    assert answer.match == "answered" and answer.shape == "compare"
    assert [i.case_study.boroughs for i in answer.items] == [("Westminster",)] * 2
    assert answer.sentences[1].text.startswith("The first is about ")
    assert "; the second is about " in answer.sentences[1].text
    reads_whole(answer)


def test_a_comparison_of_how_each_did_something_says_when_no_summary_tells_it(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Compare how Hounslow and Southwark reached people about the vaccine")
    assert answer.shape == "compare" and len(answer.items) == 2
    assert answer.sentences[-1].text == ("Neither summary says what was done; the full case "
                                         "studies have the detail.")
    # where one does, its doing is set out as what was done: Croydon's refugees "are being
    # supported ... through sports activities"
    answer = ask(searcher, "How did Croydon and Newham differ in how they supported people?")
    done = next(a for a in answer.aspects if a.label == "What was done")
    croydon = next(i for i in done.items if i.case_study.boroughs == ("Croydon",))
    assert "sports activities" in croydon.sentences[0].text
    assert not any("Neither summary" in s.text for s in answer.sentences)


def test_a_comparison_that_asks_one_thing_leads_each_case_study_with_it(
        searcher: Searcher) -> None:
    answer = ask(searcher, "How do Ealing and Barnet differ in who runs social prescribing?")
    ealing = next(i for i in answer.items if i.case_study.boroughs == ("Ealing",))
    assert ealing.sentences[0].text == \
        "Social prescribing in Ealing is delivered by the Ealing GP Federation."
    # "However, ..." follows the sentence it sets itself against, wherever that is shown
    texts = [s.text for s in ealing.sentences]
    at = next(i for i, t in enumerate(texts) if t.startswith("However,"))
    assert texts[at - 1].startswith("Corina Pall is one of four link workers")
    # asked nothing but the comparison, each opens on its need, as before
    plain = ask(searcher, "Compare the Hounslow and Newham vaccine approaches")
    assert plain.items[0].sentences[0].text.startswith("People in the Muslim community")


def test_a_mention_no_case_study_makes_is_said_in_the_askers_words(searcher: Searcher) -> None:
    # "NHS" is in a title, "app" nowhere: the trust's name is no mention of the NHS app
    answer = ask(searcher, "Which case studies mention the NHS app?")
    assert answer.match == "related"
    assert answer.answer.startswith("No case study mentions the NHS app.")


def test_a_word_spelled_inside_another_is_not_read_as_it(searcher: Searcher) -> None:
    # "women" holds "men", and the model's word pieces make them near: not the same topic
    answer = ask(searcher, "Which case studies are about men?")
    assert answer.match == "related"
    assert answer.answer.startswith("No case study here is about men.")


@pytest.mark.parametrize("question", ["What is social prescribing?",
                                      "Tell me about social prescribing link workers"])
def test_a_question_in_the_fields_own_words_alone_quotes_no_example_as_its_answer(
        searcher: Searcher, question: str) -> None:
    # every case study is about social prescribing: the best match's sentences would pass an
    # example off as the definition; the page they come from says what it is
    answer = ask(searcher, question)
    assert answer.match == "related" and not answer.citations and not answer.items
    assert answer.sentences[0].text.startswith("The page these case studies come from")
    assert answer.sentences[-1].text.startswith("The case studies cover ")
    # a word of a topic beside them is asked about as before
    assert ask(searcher, "What do link workers do for refugees?").match == "answered"


def test_a_bare_title_sharing_only_the_fields_words_does_not_stand_before_the_answer(
        searcher: Searcher) -> None:
    # "Art Prescription Link Worker ..." (a title, no summary) scores first on "link workers"
    # alone; the Croydon refugees case study after it answers
    answer = ask(searcher, "What do link workers do for refugees?")
    assert answer.match == "answered"
    assert answer.citations[0].case_study.id == "reducing-health-inequalities-supporting-refugees"


@pytest.mark.parametrize(("first", "lead"), [
    ("Tell me about North Southwark", "Delivery of social prescribing in North Southwark began"),
    ("Tell me about the Barnet Wellbeing Service", "The service is managed by CommUNITY Barnet"),
])
def test_who_runs_it_after_a_case_study_leads_with_the_name_its_passive_verb_gives(
        searcher: Searcher, first: str, lead: str) -> None:
    # "who runs it?" shares no word with any sentence: the sentence that names a doer after
    # "delivered by" / "managed by" answers it
    _, before = ask_conversation(searcher, [{"role": "user", "content": first}])
    _, answer = ask_conversation(searcher, [
        {"role": "user", "content": first},
        {"role": "assistant", "content": before.answer,
         "citations": [{"case_study_id": c.case_study.id} for c in before.citations]},
        {"role": "user", "content": "Who runs it?"}])
    assert answer.sentences[0].text.startswith(lead)


def test_a_sentence_that_opens_on_however_follows_the_one_it_answers(searcher: Searcher) -> None:
    # Ealing's "However, since the pandemic hit, ..." sets itself against the sentence before
    # it: quoted alone, it contrasts with nothing the reader has seen
    answer = ask(searcher, "Which case studies talk about anxiety?")
    ealing = next(i for i in answer.items if i.case_study.boroughs == ("Ealing",))
    texts = [s.text for s in ealing.sentences]
    at = next(i for i, t in enumerate(texts) if t.startswith("However, since the pandemic"))
    assert at > 0 and texts[at - 1].startswith("Corina Pall is one of four link workers")


def test_what_a_name_several_case_studies_hold_does_lists_each_that_names_it(
        searcher: Searcher) -> None:
    # Age UK is a partner in Lambeth and in Lewisham, not a case study of its own: describing
    # the first case study found would quote nothing about it
    answer = ask(searcher, "What does Age UK do in these case studies?")
    assert answer.shape == "list" and answer.match == "answered"
    assert answer.sentences[0].text == "Two case studies name Age UK."
    assert {i.case_study.id for i in answer.items} == {
        "stockwell-clinicians-taking-the-lead", "lewisham-working-in-partnership-to-meet-community-need"}
    assert all("Age UK" in i.sentences[0].text for i in answer.items)
    # a name one case study alone holds is still that case study described
    assert ask(searcher, "What does Groundswell do?").shape == "describe"


def test_a_how_question_in_a_borough_quotes_only_its_case_studies_on_the_topic(
        searcher: Searcher) -> None:
    # "Lewisham" lifts both Lewisham case studies alike; only one says "care coordinator", and
    # its sentence that points back ("This includes ...") follows the one it points to
    answer = ask(searcher, "What does a care coordinator do in Lewisham?")
    assert answer.shape == "how"
    assert {c.case_study.id for c in answer.citations} == {
        "reducing-health-inequalities-health-inclusion"}
    texts = [s.text for s in answer.sentences]
    assert texts[0].startswith("The Lewisham case study by Healthy London Partnership")
    assert texts[1].startswith("This includes partnering with charity Groundswell")
    reads_whole(answer)


def test_a_list_of_what_names_a_word_quotes_where_it_says_the_word(searcher: Searcher) -> None:
    # "name" asks for the word; it is not a word of the topic a quote must hold
    answer = ask(searcher, "How many case studies name a charity?")
    lewisham = next(i for i in answer.items
                    if i.case_study.id == "reducing-health-inequalities-health-inclusion")
    assert "charity Groundswell" in " ".join(s.text for s in lewisham.sentences)
    reads_whole(answer)


def test_a_title_the_question_names_is_not_promoted_over_the_borough_it_asks_of(
        searcher: Searcher) -> None:
    """"How did Newham support refugees?" is asked of Newham: Croydon's title says
    "supporting refugees", but answering from it alone would pass Croydon's work off as
    Newham's. No Newham case study answers it, and the answer says so of Newham."""
    newham = ask(searcher, "How did Newham support refugees?")
    assert newham.match == "related"
    assert newham.sentences[0].text == "No Newham case study answers that."
    assert newham.sentences[1].text.startswith("Outside Newham, ")
    assert newham.items[0].case_study.id == "reducing-health-inequalities-supporting-refugees"
    croydon = ask(searcher, "How did Croydon support refugees?")
    assert croydon.match == "answered"
    assert {c.case_study.boroughs for c in croydon.citations} == {("Croydon",)}


def test_a_related_answer_names_a_borough_only_as_the_asker_named_it(searcher: Searcher) -> None:
    answer = ask(searcher, "Nurses at the big hospital in Whitechapel getting poorly kids out to "
                           "fun local activities")
    assert answer.match == "related"
    assert answer.sentences[0].text == "No case study here answers that."


def test_a_question_asked_of_a_borough_is_not_answered_from_another_as_if_it_were_its_own(
        searcher: Searcher) -> None:
    """Hounslow's work with mosques is no answer to how Barnet reached Muslim communities: the
    answer says no Barnet case study answers it, offers Hounslow's as what is about it
    elsewhere, then the closest in Barnet."""
    barnet = ask(searcher, "How did Barnet reach Muslim communities about vaccines?")
    assert barnet.match == "related"
    assert [s.text for s in barnet.sentences[:2]] == [
        "No Barnet case study answers that.",
        "Outside Barnet, \u201cUnderstanding and supporting faith groups and their practices\u201d "
        "(Hounslow) is about that."]
    assert [i.case_study.boroughs for i in barnet.items] == [("Hounslow",), ("Barnet",)]
    hounslow = ask(searcher, "How did Hounslow reach Muslim communities about vaccines?")
    assert hounslow.match == "answered"
    assert hounslow.citations[0].case_study.boroughs == ("Hounslow",)


def test_a_case_study_with_no_borough_is_not_offered_as_from_outside_one(searcher: Searcher
                                                                          ) -> None:
    # North West London's link worker training may be Ealing's: it names no borough
    assert ask(searcher, "How were link workers trained during the pandemic?") \
        .citations[0].case_study.id == "training-social-prescribing-link-workers-during-covid-19-nwl"
    answer = ask(searcher, "How were Ealing's link workers trained during the pandemic?")
    assert answer.match == "related"
    assert not any(s.text.startswith("Outside Ealing") for s in answer.sentences)


def test_a_figure_asked_of_a_borough_is_answered_by_the_sentence_that_holds_it(
        searcher: Searcher) -> None:
    """"How many link workers are there in Southwark?" asks a figure, not for Southwark's
    case studies, which "tell me about Lambeth" still lists."""
    answer = ask(searcher, "How many link workers are there in Southwark?")
    assert answer.shape == "fact" and not answer.items
    assert "11 link workers" in answer.sentences[0].text
    assert ask(searcher, "Tell me about Lambeth").items


def test_what_the_summary_does_not_tell_is_said_in_the_askers_words_before_the_quote(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Which charity funds the Posh Club?")
    assert answer.sentences[0].text == (
        "The summary of \u201cCrawley Posh Club\u201d does not say which charity funds it; the "
        "page says no more about it.")
    assert answer.sentences[1].text.startswith("Crawley Posh Club brings people")


def test_a_name_only_other_boroughs_case_studies_hold_is_not_answered_from_the_borough_asked(
        searcher: Searcher) -> None:
    """"Barnet" lifts Barnet's service to the top, which says nothing of Muslim communities:
    only Hounslow's does. A name one of the borough's own case studies holds is answered."""
    for place in ("Barnet", "Southwark"):
        answer = ask(searcher, f"How did {place} reach Muslim communities?")
        assert answer.match == "related"
        assert answer.sentences[1].text == (
            f"Outside {place}, \u201cUnderstanding and supporting faith groups and their "
            "practices\u201d (Hounslow) is about that.")
    lewisham = ask(searcher, "How did Lewisham work with Groundswell?")
    assert lewisham.match == "answered"
    assert "Groundswell" in " ".join(s.text for s in lewisham.sentences)


def test_a_place_that_follows_asks_the_question_before_of_it_though_none_there_answers(
        searcher: Searcher) -> None:
    """"What about Barnet?" after how Hounslow reached Muslim communities asks that of Barnet,
    which no Barnet case study answers; "Barnet?" alone is no question to fall back on."""
    _, barnet = _chat(searcher, "How did Hounslow reach Muslim communities?", "What about Barnet?")
    assert barnet.match == "related"
    assert barnet.sentences[0].text == "No Barnet case study answers that."
    assert barnet.items[0].case_study.boroughs == ("Hounslow",)


def test_a_count_of_a_thing_across_case_studies_gives_each_summary_s_figure(
        searcher: Searcher) -> None:
    # every case study is about link workers: before, the answer said so and gave none of
    # the numbers; "which borough has the most link workers?" was told Southwark has the most
    # case studies
    many = ask(searcher, "How many link workers are there?")
    assert many.match == "answered" and many.shape == "list"
    assert many.sentences[0].text == ("Two summaries give a number of link workers: 11 in the "
                                      "Southwark summary and four in the Ealing summary.")
    assert [i.case_study.id for i in many.items] == [
        "north-southwark-building-a-high-performing-team-in-the-time",
        "ealing-guided-meditation-for-wellbeing"]
    assert "11 link workers" in many.items[0].sentences[0].text
    assert many.sentences[-1].text == "No other summary gives a number of link workers."
    reads_whole(many)
    most = ask(searcher, "Which borough has the most link workers?")
    assert most.sentences[0].text == ("Of the two summaries that give a number of link "
                                      "workers, the Southwark summary gives the most: 11.")
    assert "most case studies" not in most.answer
    assert ask(searcher, "How many mosques are there?").sentences[0].text == (
        "Only the Hounslow summary gives a number of mosques: 15.")
    # how many case studies give a figure: a count, its number first
    giving = ask(searcher, "How many case studies say how many link workers they have?")
    assert giving.shape == "count" and giving.sentences[0].text.startswith("Two summaries")
    # a name one case study alone holds asks that one's figure ("Quay Health Solutions" is
    # North Southwark's), as a place does
    quay = ask(searcher, "How many GP practices does Quay Health Solutions cover?")
    assert quay.shape == "fact" and "17 GP practices" in quay.sentences[0].text
    # a place named asks its own case study; nothing counted that no summary gives a number
    # of is answered as before
    hounslow = ask(searcher, "How many mosques does Hounslow have?")
    assert hounslow.shape == "fact" and "15 Mosques" in hounslow.sentences[0].text
    assert ask(searcher, "Which borough has the most case studies?").sentences[0].text == (
        "Southwark has the most case studies: three.")


def test_a_list_no_case_study_reads_as_about_is_not_answered_by_shared_words(
        searcher: Searcher) -> None:
    # every word is some summary's ("care", "at home"), but no case study is about care
    # homes: before, a patient isolating "at home" was listed as the one that is
    homes = ask(searcher, "Is there a case study on social prescribing in care homes?")
    assert homes.match == "related" and not homes.citations
    assert homes.sentences[0].text == "No case study here is about care homes."


def test_a_related_answer_names_no_topic_from_the_question_s_scaffolding(
        searcher: Searcher) -> None:
    # "case" of "case study" and a lone preposition are no topic
    recent = ask(searcher, "What's the most recent case study?")
    assert "recent case" not in recent.answer
    outside = ask(searcher, "Are there any case studies from outside London?")
    assert "about outside" not in outside.answer
    # "everything" asks for all a place has, and names no topic of its own
    croydon = ask(searcher, "show me everything in Croydon")
    assert croydon.match == "answered"
    assert {c.case_study.boroughs for c in croydon.citations} == {("Croydon",)}


def test_a_part_of_london_typed_alone_lists_its_case_studies(searcher: Searcher) -> None:
    # before, "north London" and "east London" were "I could not find a case study about that"
    for typed in ("north London", "east London"):
        alone = ask(searcher, typed)
        listed = ask(searcher, f"Which case studies are in {typed}?")
        assert alone.match == "answered" and alone.shape == "list" and alone.question == typed
        assert [i.case_study.id for i in alone.items] == [i.case_study.id for i in listed.items]
    # a topic beside it is read within it, and the unit is no topic
    topic = ask(searcher, "north London mental health")
    assert topic.sentences[0].text.startswith("Two case studies in north London are about "
                                              "mental health.")
    assert ask(searcher, "case studies in north west London").sentences[0].text.startswith(
        "Seven case studies are in north west London.")


def test_tell_me_more_about_the_one_from_a_place_describes_that_one(searcher: Searcher) -> None:
    # before, "the Ealing one" asked the question before of Ealing ("how many link workers
    # are there in Ealing?") and quoted the sentence already shown
    listed, more = _chat(searcher, "How many link workers are there?",
                         "tell me more about the Ealing one")
    ealing = "ealing-guided-meditation-for-wellbeing"
    assert ealing in {i.case_study.id for i in listed.items}
    assert {c.case_study.id for c in more.citations} == {ealing}
    shown = {s.text for s in listed.sentences}
    assert more.sentences and not shown & {s.text for s in more.sentences}


def test_what_is_a_name_inside_a_case_study_leads_with_the_sentence_that_names_it(
        searcher: Searcher) -> None:
    # a name one case study alone holds is asked about though the field model reads it as far
    # (before: "I could not find a case study about that")
    elemental = ask(searcher, "What is the Elemental system?")
    assert elemental.match == "answered"
    assert "Elemental case management system" in elemental.sentences[0].text
    # the summary's first sentence said nothing of the Social Welfare Alliance
    alliance = ask(searcher, "What is the Social Welfare Alliance?")
    assert "Social Welfare Alliance" in alliance.sentences[0].text
    # a case study's own name keeps its summary in order
    well = ask(searcher, "What is the Well Centre?")
    assert well.sentences[0].text.startswith("Watch how Lambeth\u2019s youth health hub")


def test_which_of_them_has_the_most_reads_their_figures(searcher: Searcher) -> None:
    # before: "None of them had the most link workers."
    _, most = _chat(searcher, "Which case studies are about Covid?",
                    "which one had the most link workers?")
    assert most.sentences[0].text == "Only the Southwark summary gives a number of link workers: 11."
    assert most.sentences[-1].text == "None of the others gives a number of link workers."
    _, none = _chat(searcher, "Which case studies are in Lewisham?",
                    "which of them has the most link workers?")
    assert none.answer == "None of their summaries gives a number of link workers."


def test_which_one_is_in_london_reads_where_each_is(searcher: Searcher) -> None:
    # London as a whole is no field a list reads: before, "None of them are in London."
    _, london = _chat(searcher, "Which case studies are about loneliness?",
                      "which one is in London?")
    assert london.sentences[0].text == (
        "One of the two is in London: \u201cWorking in partnership to meet community need "
        "during Covid-19\u201d (Lewisham and Southwark).")


def test_what_social_prescribing_is_is_told_in_the_source_pages_words(searcher: Searcher) -> None:
    # before: "Every case study here is about that, and none explains it on its own; ..."
    for question in ("what is social prescribing?", "How does social prescribing work?"):
        answer = ask(searcher, question)
        assert answer.sentences[0].text.startswith(
            "The page these case studies come from (healthylondon.org) says: \u201cSocial "
            "Prescribing is a way of linking people with non-medical support"), question
        assert answer.sentences[0].text.endswith("\u201d.")
        reads_whole(answer)
    # "linking people" names no link workers: the page does not say what they are
    workers = ask(searcher, "tell me about link workers")
    assert "healthylondon.org" not in workers.answer


def test_what_an_acronym_stands_for_leads(searcher: Searcher) -> None:
    # the corpus's own definition, said of one where one is asked of
    splw = ask(searcher, "what does SPLW stand for?")
    assert splw.sentences[0].text == "SPLW stands for \u201csocial prescribing link worker\u201d."
    assert splw.sentences[0].citation is None and splw.sentences[1].citation == 1
    reads_whole(splw)
    # the NHS glossary's, for one the corpus uses without defining
    assert ask(searcher, "What does ARRS mean?").sentences[0].text == (
        "ARRS stands for \u201cadditional roles reimbursement scheme\u201d.")
    assert ask(searcher, "What are PCNs?").sentences[0].text.startswith("PCNs stand for")
    # before a noun it names the kind of, it is still what is asked
    assert ask(searcher, "What are ARRS roles?").sentences[0].text == (
        "ARRS stands for \u201cadditional roles reimbursement scheme\u201d.")
    # an acronym neither knows is left alone
    assert "stands for" not in ask(searcher, "What is PIP?").answer


def test_who_is_someone_leads_with_the_sentence_that_gives_the_full_name(
        searcher: Searcher) -> None:
    # before, "Farah is Pakistani ..." led, and the sentence saying who they are followed
    who = ask(searcher, "Who are Farah and Saiba?")
    assert who.sentences[0].text.startswith("Farah Ahmed and Saiba Salam are both")
    assert who.sentences[1].text.startswith("Farah is Pakistani")


def test_a_description_of_a_group_describes_each_of_it(searcher: Searcher) -> None:
    # before, one vaccine case study was described as if it were the group
    summary = ask(searcher, "Give me a summary of the vaccine case studies")
    assert {i.case_study.id for i in summary.items} == carriers(searcher, "vaccination")
    assert summary.sentences[0].text == "Here is what each of the five case studies says."
    assert all(i.sentences for i in summary.items)
    # one case study named is described alone
    assert not ask(searcher, "Tell me about the Well Centre").items


def test_a_theme_word_asked_of_the_list_is_never_none(searcher: Searcher) -> None:
    # before: "I could not find a case study about that. The case studies cover ... food and
    # financial hardship": none, yet the themes it named held the answer's closest
    food = ask(searcher, "Is there anything on food banks?")
    assert food.match == "related" and food.shape == "list"
    assert food.sentences[0].text == "No case study here is about food banks."
    assert [c.case_study.id for c in food.citations] == [
        "lewisham-working-in-partnership-to-meet-community-need"]
    # no theme word, no case study close: still none
    assert ask(searcher, "Is there anything about debt advice?").match == "none"


def test_a_title_named_by_two_words_of_its_own_outranks_the_field_words(
        searcher: Searcher) -> None:
    # before: NWL's "Training Social Prescribing Link Workers during Covid-19", on "link
    # workers" and "covid"; Merton's title alone says "long Covid"
    answer = ask(searcher, "How did link workers support people with long covid?")
    assert answer.found
    assert answer.citations[0].case_study.id == \
        "reducing-health-inequalities-long-covid-19-clinics-in-merton"
    assert "Long COVID" in answer.sentences[0].text


def test_where_a_place_inside_a_borough_is_says_the_borough(searcher: Searcher) -> None:
    # before: read as "the place is given" and answered from the Bromley by Bow pilot's lead
    answer = ask(searcher, "Where is Stockwell?")
    assert answer.shape == "where"
    assert answer.sentences[0].text == ("Stockwell is in Lambeth, and the case study "
                                        "\u201cClinicians taking the lead\u201d is from there.")
    assert ask(searcher, "Where is Bromley by Bow?").sentences[0].text.startswith(
        "Bromley by Bow is in Tower Hamlets")


def test_the_topic_projects_are_found_in_a_first_message(searcher: Searcher) -> None:
    # before: "There is nothing earlier in this conversation for “the refugee projects” to
    # point to."
    answer = ask_conversation(searcher, [{"role": "user",
                                          "content": "Where are the refugee projects?"}])[1]
    assert answer.found and answer.shape == "where"
    assert answer.citations[0].case_study.id == "reducing-health-inequalities-supporting-refugees"


def test_a_how_question_naming_a_borough_and_what_was_done_is_not_its_list(
        searcher: Searcher) -> None:
    # before: "Two case studies are from Waltham Forest." and both listed
    answer = ask(searcher, "How did Waltham Forest link workers reach their communities?")
    assert answer.shape == "how" and not answer.items
    assert answer.citations[0].case_study.id == \
        "covid-19-vaccinations-utilising-your-networks-to-reach"
    assert ask(searcher, "What did Newham do?").found
    assert ask(searcher, "Tell me about Waltham Forest").shape == "list"


def test_a_count_of_people_reads_no_number_in_a_name(searcher: Searcher) -> None:
    # before: "Only the Southwark summary gives a number of people: 19,." from "Covid-19,"
    answer = ask(searcher, "How many people did the Macmillan service support?")
    assert "19" not in answer.answer


def test_an_abbreviation_a_theme_holds_lists_the_theme(searcher: Searcher) -> None:
    # before: only the two titles that say "A&E", not the high intensity user services
    answer = ask(searcher, "Which case studies are about A&E?")
    assert {i.case_study.id for i in answer.items} == carriers(searcher, "emergency-care")
    assert answer.sentences[0].text == "Four case studies are about A&E."


def test_who_else_leaves_out_the_case_studies_given_before(searcher: Searcher) -> None:
    # before: "who else worked with faith groups?" quoted Hounslow's mosques again
    _, faith = _chat(searcher, "Tell me about the Hounslow vaccine work",
                     "who else worked with faith groups?")
    hounslow = "covid-19-vaccinations-understanding-and-supporting-faith"
    assert hounslow not in {c.case_study.id for c in faith.citations}
    assert faith.sentences[0].text == "No other case study here is about faith groups."
    _, others = _chat(searcher, "Tell me about the Merton long covid clinics",
                      "where else are care coordinators used?")
    assert others.sentences[0].text == ("\u201clong Covid-19 clinics in Merton\u201d, given "
                                        "before, is left out.")
    assert {i.case_study.id for i in others.items} == {
        "a-high-intensity-user-service-for-individuals-with-complex",
        "reducing-health-inequalities-health-inclusion"}
    reads_whole(others)


def test_a_request_for_examples_of_a_topic_says_what_they_are_about(searcher: Searcher) -> None:
    # before: "Two case studies answer this."
    assert ask(searcher, "Show me case studies on loneliness").sentences[0].text == \
        "Two case studies are about loneliness."
    assert ask(searcher, "Give me examples of partnership working").sentences[0].text == \
        "Five case studies are about partnership working."
    # a list read as a theme holds the theme's case studies, not the topic as phrased
    teenagers = ask(searcher, "Show me examples of helping teenagers")
    assert teenagers.sentences[0].text == "Three case studies answer this."
    assert "the list holds those on children and young people" in teenagers.sentences[1].text


def test_a_count_no_summary_gives_says_so(searcher: Searcher) -> None:
    # before: "Two summaries give a number of GPs: 17 ... and nine", read from "GP practices";
    # then a sentence with "GP practices" in it quoted as if it answered
    gps = ask(searcher, "How many GPs are involved?")
    assert gps.answer == "No summary gives a number of GPs." and not gps.citations
    # outside the field it is no count of theirs at all
    assert ask(searcher, "How many calories are in an apple?").match == "none"


def test_how_did_others_use_a_name_the_texts_hold_is_asked_of_every_case_study_naming_it(
        searcher: Searcher) -> None:
    # before: Ealing's alone (GP federations), and Richmond's, which names no Age UK
    federations = ask(searcher, "How did others use GP federations?")
    assert federations.shape == "how" and len(federations.items) == 3
    assert {b for i in federations.items for b in i.case_study.boroughs} == {
        "Ealing", "Hammersmith and Fulham", "Southwark"}
    age_uk = ask(searcher, "How have other areas worked with Age UK?")
    assert all("Age UK" in i.case_study.text for i in age_uk.items) and len(age_uk.items) == 2
    # a name fewer case studies hold than answer keeps those that answer
    assert len(ask(searcher, "How did others reach Muslim communities about vaccines?").items) == 2


def test_which_case_study_has_the_most_is_read_from_the_summaries_figures(
        searcher: Searcher) -> None:
    # before: the whole collection by section ("There are 34 case studies, in seven sections")
    most = ask(searcher, "Which case study has the most link workers?")
    assert most.sentences[0].text == ("Of the two summaries that give a number of link workers, "
                                      "the Southwark summary gives the most: 11.")
    # before: "Three case studies in Southwark has the most link workers."
    within = ask(searcher, "Which case study in Southwark has the most link workers?")
    assert within.sentences[0].text == "Only the Southwark summary gives a number of link workers: 11."
    assert {i.case_study.boroughs for i in within.items} == {("Southwark",)}
    # within a part of London, and none of whose summaries gives one: said of them alone
    assert ask(searcher, "Which east London case study has the most link workers?").answer == \
        "No east London summary gives a number of link workers."


def _chat_bare(searcher: Searcher, *questions: str) -> Answer:
    """The last answer of a conversation whose client sends back no citations, only text."""
    messages: list[dict[str, object]] = []
    answer = None
    for question in questions:
        messages.append({"role": "user", "content": question})
        answer = ask_conversation(searcher, messages)[1]
        messages.append({"role": "assistant", "content": answer.answer})
    assert answer is not None
    return answer


def test_compare_the_two_without_citations_carried_back_compares_two(searcher: Searcher) -> None:
    # before: "All four case studies are in ..." (every case study of the list asked again)
    first_two = _chat_bare(searcher, "Which case studies are about vaccines?",
                           "compare the first two")
    assert first_two.sentences[0].text.startswith("Both case studies are in")
    assert len({c.case_study.id for c in first_two.citations}) == 2
    # before: "There is one case study to compare here" (only the last turn asked again)
    places = _chat_bare(searcher, "How did Newham help?", "And Southwark?", "compare the two")
    assert [set(i.case_study.boroughs) & {"Newham", "Southwark"} for i in places.items] == [
        {"Newham"}, {"Southwark"}]


def test_how_many_after_a_list_counts_the_list(searcher: Searcher) -> None:
    # before: "The page gives only its title: ..." (a fact asked of the list's first alone)
    listed, counted = _chat(searcher, "Which case studies mention Macmillan?", "how many is that?")
    n = len(listed.items)
    assert n >= 2 and counted.shape == "count"
    assert counted.sentences[0].text == f"That is {count_words(n)} case studies."
    assert [i.case_study.id for i in counted.items] == [i.case_study.id for i in listed.items]
    # a client that sends back only the text: the list is asked again and counted the same
    assert _chat_bare(searcher, "Which case studies mention Macmillan?",
                      "how many are there?").sentences[0].text == counted.sentences[0].text
    # a count of something of its own is still asked of the case study
    _, mosques = _chat(searcher, "How did Hounslow reach Muslims?", "how many mosques are there?")
    assert "15" in mosques.sentences[0].text


def test_a_borough_asked_of_in_the_fields_words_alone_is_answered_from_that_borough(
        searcher: Searcher) -> None:
    # before: North West London's training case study, lifted by "link workers"; and with
    # "actually", "No Hounslow case study is about actually."
    for question in ("What did the Hounslow link workers do?",
                     "What did the Hounslow link workers actually do?"):
        answer = ask(searcher, question)
        assert answer.match == "answered", question
        assert answer.citations[0].case_study.boroughs == ("Hounslow",), question
        assert "actually" not in answer.answer
    # a topic of its own beside the borough is still the ranking's to answer
    trained = ask(searcher, "How did Newham link workers train as vaccinators?")
    assert trained.citations[0].case_study.boroughs == ("Newham",)


def test_the_one_a_follow_up_names_by_its_topic_is_the_one_answered(searcher: Searcher) -> None:
    listed, homeless = _chat(searcher, "Tell me about Lewisham", "what about the homelessness one?")
    assert len(listed.items) >= 2
    # before: the first of the list (Community Connections), whatever "the homelessness one" said
    assert {c.case_study.id for c in homeless.citations} == {
        next(i.case_study.id for i in listed.items if "homelessness" in i.case_study.title)}
    # one a place tells apart, though the place alone would move the conversation on
    _, newham = _chat(searcher, "Which case studies are about vaccines?", "who runs the one in Newham?")
    assert newham.match == "answered"
    assert {c.case_study.boroughs for c in newham.citations} == {("Newham",)}


def test_what_an_answer_says_of_the_question_is_spelled_as_search_reads_it(
        searcher: Searcher) -> None:
    # before: "Six case studies are about link worker trainning."
    training = ask(searcher, "link worker trainning")
    assert training.sentences[0].text == "Six case studies are about link worker training."
    assert training.question == "link worker trainning"  # the asker's, as asked
    # the case studies' own words, quoted, are never respelled
    assert all(s.text in training.answer for s in training.sentences)
    # a capital kept; a plural the lexicon lacks, or a word of a compound, is no typo
    assert spelled(searcher, "Where is Stokwell?") == "Where is Stockwell?"
    assert spelled(searcher, "weekly get-togethers") == "weekly get-togethers"
