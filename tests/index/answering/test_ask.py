"""ask and ask_conversation over the real index: cited answers, honest refusals."""

from __future__ import annotations

import re

import pytest

from casebook.errors import BadQuery
from casebook.index.answering.answer import ENGLISH_SOURCES, NOT_FOUND
from casebook.index.answering.ask import ask, ask_conversation, in_corpus_words
from casebook.index.retrieval.searcher import Searcher

HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"


def test_ask_quotes_the_top_case_study_with_citations(searcher: Searcher) -> None:
    answer = ask(searcher, "How did others reach Muslim communities about vaccines?")
    assert answer.found
    assert HOUNSLOW in [c.case_study.id for c in answer.citations]
    assert "[1]" in answer.answer
    for citation in answer.citations:
        assert citation.passage.case_id == citation.case_study.id
    # every quote is a whole sentence of the case study it cites (an introduction such as
    # "In Hounslow, " aside); Casebook's own sentences say what the summary does not
    for sentence in answer.sentences:
        if sentence.citation is None or "not what was done" in sentence.text:
            continue
        text = answer.citations[sentence.citation - 1].case_study.text
        quote = re.sub(r"^In [^,]+, (\w)", lambda m: m.group(1).upper(), sentence.text)
        assert quote in text or sentence.text in text


def test_sentences_join_into_the_answer_and_the_lead_comes_first(searcher: Searcher) -> None:
    answer = ask(searcher, "How many mosques are there in Hounslow?")
    assert answer.match == "answered" and answer.found
    joined = " ".join(s.text if s.citation is None else f"{s.text} [{s.citation}]"
                      for s in answer.sentences)
    assert joined == answer.answer
    assert answer.sentences[0].citation == 1
    assert any(ch.isdigit() for ch in answer.sentences[0].text)  # a "how many" lead has a number


def test_a_fact_whose_lead_gives_the_figure_stops_there(searcher: Searcher) -> None:
    answer = ask(searcher, "How many link workers are there in North Southwark now?")
    assert [s.text[:26] for s in answer.sentences] == ["There are now 11 link work"]
    # a name in the lead is not enough: "Barnet CCG" is not the charity that runs it
    named = ask(searcher, "Which charity runs the Barnet Wellbeing Service day to day?")
    assert "CommUNITY Barnet" in named.answer


def test_a_near_miss_is_not_claimed_as_answered(searcher: Searcher) -> None:
    answer = ask(searcher, "Social prescribing for people with gambling problems")
    assert answer.match == "related" and not answer.found
    assert answer.sentences[0].citation is None
    # the asker's own phrase for what no case study covers, not a bag of its words
    assert answer.answer.startswith("No case study here is about gambling problems. The closest")
    assert answer.citations


def test_a_list_in_words_no_case_study_says_is_read_in_the_words_they_do(
        searcher: Searcher) -> None:
    question = "Which case studies are about oncology patients?"
    assert in_corpus_words(searcher, question) == "Which case studies are about cancer patients?"
    # a word with nothing near it stays as asked, and the list is not claimed
    assert in_corpus_words(searcher, "Is there anything on dementia?") == \
        "Is there anything on dementia?"
    answer = ask(searcher, question)
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == {
        "macmillan-community-link-worker-service-supporting-cancer",
        "macmillan-cancer-care-navigation-service-enhancing-patient",
        "bromley-by-bow-micro-commissioning"}
    # the reader is told it was read in other words
    assert [s.text for s in answer.sentences[:2]] == [
        "Three case studies are about oncology patients.",
        "No case study uses the word \u201concology\u201d; the list reads it as \u201ccancer\u201d."]
    assert ask(searcher, "Is there anything on dementia?").match != "answered"


def test_a_list_whose_topic_only_its_head_noun_holds_is_not_claimed(searcher: Searcher) -> None:
    # "women" is said (Hounslow's women vaccinators), "pregnant" nowhere, nor a word near it:
    # a head noun that finishes many topics holds none alone
    answer = ask(searcher, "Are there case studies about pregnant women?")
    assert answer.match == "related"
    assert answer.answer.startswith("No case study here is about pregnant women.")
    # where the word before it is held, the list stands ("homeless people")
    homeless = ask(searcher, "Which case studies help homeless people?")
    assert homeless.match == "answered"
    assert "reducing-health-inequalities-health-inclusion" in {
        c.case_study.id for c in homeless.citations}


def test_a_list_of_what_mentions_a_word_holds_every_case_study_that_says_it(
        searcher: Searcher) -> None:
    # eleven case studies say "Covid-19": too many for the word to pick a topic out, and the
    # vaccine section's name holds it, but the asker asked which mention it
    answer = ask(searcher, "Which case studies mention Covid-19?")
    cited = {i.case_study.id for i in answer.items}
    saying = {c.id for c in searcher.case_studies()
              if re.search(r"covid.19", f"{c.title} {c.text}", re.IGNORECASE)}
    assert len(saying) == 11 and cited == saying
    assert answer.sentences[0].text == "Eleven case studies mention Covid-19."
    # asked what they are about, the vaccine section is still read from its name
    about = ask(searcher, "Which case studies are about Covid-19 vaccine hesitancy?")
    assert len(about.items) == 5
    # a section named before the verb is still the field the words are looked for in
    videos = ask(searcher, "Which video case studies mention young people?")
    assert {i.case_study.id for i in videos.items} == {
        "the-well-centre", "the-royal-london-hospital-barts-health-nhs-trust"}


def test_a_word_with_a_hyphen_finds_the_case_studies_that_write_it_whole(
        searcher: Searcher) -> None:
    # "well-being" was "well": The Well Centre, and none of those that say "wellbeing"
    answer = ask(searcher, "Which case studies are about well-being?")
    cited = {i.case_study.id for i in answer.items}
    assert {"ealing-guided-meditation-for-wellbeing",
            "barnet-community-embedded-social-prescribing"} <= cited
    assert answer.sentences[0].text.endswith("about well-being.")


def test_a_list_about_covid_is_not_the_vaccine_section(searcher: Searcher) -> None:
    # "Covid-19" is one word of the section "Social prescribing and COVID-19 vaccine
    # hesitancy", not two of its four: every case study whose title says Covid is on the list
    answer = ask(searcher, "Which case studies are about Covid-19?")
    cited = {i.case_study.id for i in answer.items}
    titled = {c.id for c in searcher.case_studies() if re.search(r"covid", c.title, re.I)}
    assert len(titled) == 10 and titled <= cited
    assert "reducing-health-inequalities-long-covid-19-clinics-in-merton" in cited


def test_a_how_question_naming_a_title_others_outscore_is_answered_from_it(
        searcher: Searcher) -> None:
    # "supported ... Covid" fits two vaccine case studies better than Merton's "long Covid-19
    # clinics", whose title the question names by "long Covid"
    answer = ask(searcher, "How have others supported people with long Covid?")
    assert answer.match == "answered"
    assert [c.case_study.id for c in answer.citations] == [
        "reducing-health-inequalities-long-covid-19-clinics-in-merton"]
    assert "vaccine" not in answer.answer.lower()


CHILDREN = {"a-holistic-approach-to-support-children-and-young-people-cyp",
            "the-royal-london-hospital-barts-health-nhs-trust", "the-well-centre"}


def test_a_list_no_case_study_says_in_its_words_holds_the_theme_it_means(
        searcher: Searcher) -> None:
    # no case study says "adolescents": the theme Children and young people is near it in
    # meaning, and its case studies are the list, whichever of their words says so
    answer = ask(searcher, "Which projects help adolescents?")
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == CHILDREN
    assert [s.text for s in answer.sentences[:2]] == [
        "Three case studies help adolescents.",
        "No case study uses the word \u201cadolescents\u201d; the list holds those on children "
        "and young people."]


def test_a_side_of_x_or_y_in_other_words_reads_its_theme(searcher: Searcher) -> None:
    # "workouts" is read as "exercise", a term of Physical activity some case study says; one
    # side held is enough to claim the list, though no case study says "keeping fit"
    answer = ask(searcher, "Which case studies cover workouts or keeping fit?")
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == {
        "reducing-health-inequalities-supporting-refugees", "bromley-by-bow-micro-commissioning"}


def test_a_list_that_names_a_theme_in_another_form_of_its_label_holds_it(
        searcher: Searcher) -> None:
    # no case study says "lonely"; Crawley Posh Club says "socialise"
    answer = ask(searcher, "Which case studies help lonely people?")
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == {
        "crawley-posh-club", "lewisham-working-in-partnership-to-meet-community-need"}


def test_a_borough_set_aside_is_not_in_the_answer(searcher: Searcher) -> None:
    answer = ask(searcher, "Which boroughs other than Lambeth have case studies about young people?")
    assert answer.match == "answered"
    assert answer.citations and all("Lambeth" not in c.case_study.boroughs
                                    for c in answer.citations)
    assert "Lambeth" not in answer.sentences[0].text


def test_a_verb_no_case_study_says_does_not_unname_a_list(searcher: Searcher) -> None:
    # no case study says "write", which tells what the name did; "parkrun", a noun none says,
    # is the topic, and the name's case studies do not answer it
    answer = ask(searcher, "Which case studies did Healthy London Partnership write?")
    assert answer.match == "answered"
    assert answer.sentences[0].text == "Healthy London Partnership wrote five case studies."
    assert {c.case_study.id for c in answer.citations} == {
        c.id for c in searcher.case_studies() if "healthy london partnership" in c.text.lower()}
    assert ask(searcher, "Does any GP practice prescribe parkrun?").match != "answered"


def test_a_topic_that_says_a_themes_term_is_read_as_the_theme(searcher: Searcher) -> None:
    # "A&E" is a term of Urgent and emergency care that two case studies write; the two high
    # intensity user services, which write "emergency services" or nothing of it, are on the
    # list too
    answer = ask(searcher, "Which case studies help people who use A&E a lot?")
    assert answer.match == "answered"
    assert {c.case_study.id for c in answer.citations} == {
        "community-alternatives-to-a-and-e-working-with-clinical",
        "community-alternatives-to-a-and-e-working-with-community",
        "a-high-intensity-user-service-for-individuals-with-complex",
        "westminster-high-intensity-care-hub-which-population-health"}
    assert "the list holds those on urgent and emergency care" in answer.answer


def test_a_topic_another_restricts_is_read_as_the_case_studies_on_both_themes(
        searcher: Searcher) -> None:
    answer = ask(searcher, "Which case studies support children with long-term conditions?")
    assert {c.case_study.id for c in answer.citations} == {
        "a-holistic-approach-to-support-children-and-young-people-cyp",
        "the-royal-london-hospital-barts-health-nhs-trust"}
    assert answer.sentences[1].text == (
        "No case study puts it in the question's words; the list holds those on children and "
        "young people that are also on long-term conditions.")
    # a possessive restricts too: the one case study on both children and mental health
    assert {c.case_study.id for c in ask(
        searcher, "Which case studies are about children's mental health?").citations} == {
        "the-well-centre"}
    # "young people" is near no theme: the topic is read by its words, not as every case
    # study on mental health
    answer = ask(searcher, "Which case studies support young people with mental health problems?")
    assert "the list holds" not in answer.answer
    assert "barnet-community-embedded-social-prescribing" not in {
        c.case_study.id for c in answer.citations}


def test_a_theme_near_in_meaning_does_not_read_an_opposite_or_a_narrower_topic(
        searcher: Searcher) -> None:
    # "older adults" and "adults" are near Children and young people too: their sentences do
    # not claim it, nor is either read in a word of the theme
    for question in ("Which case studies help older adults?", "Which projects help adults?"):
        assert not CHILDREN & {c.case_study.id for c in ask(searcher, question).citations}
    # a term of a theme that no case study says is no reading of it: "fuel poverty"
    assert ask(searcher, "Which case studies cover fuel poverty?").match != "answered"
    # a topic said outright keeps its own words: two case studies mention vaccinators, not
    # every case study on vaccination
    assert {c.case_study.id for c in ask(
        searcher, "Which case studies mention vaccinators?").citations} == {
        HOUNSLOW, "covid-19-vaccinations-utilising-opportunities-to-support"}


def test_a_related_answer_does_not_name_the_questions_scaffolding(searcher: Searcher) -> None:
    # "set" (of "set up") is missing from the closest case studies but common in the others
    answer = ask(searcher, "How can I set up social prescribing in a care home?")
    assert answer.match == "related"
    assert answer.sentences[0].text == "No case study here answers that."


def test_a_question_in_another_language_finds_english_sources(searcher: Searcher) -> None:
    answer = ask(searcher, "¿Cómo contrató Lewisham a una persona que había vivido sin hogar?")
    assert answer.citations and answer.match != "none"
    assert "Lewisham" in answer.citations[0].case_study.boroughs
    assert answer.sentences[-1].text == ENGLISH_SOURCES and answer.answer.endswith(ENGLISH_SOURCES)


def test_ask_out_of_scope_is_honest(searcher: Searcher) -> None:
    answer = ask(searcher, "What is the capital of Australia?")
    assert not answer.found and answer.match == "none"
    assert answer.answer.startswith(NOT_FOUND)
    # what the case studies do cover, by topic
    assert "The case studies cover long-term conditions" in answer.answer
    assert answer.citations == ()


def test_ask_about_a_place_no_case_study_is_from(searcher: Searcher) -> None:
    answer = ask(searcher, "Are there social prescribing case studies for dementia in Manchester?")
    assert not answer.found and answer.match != "answered"
    assert "None of the case studies is from Manchester" in answer.answer
    assert ask(searcher, "How did link workers in Hounslow work with mosques?").found


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000])
def test_bad_questions_raise_bad_query(searcher: Searcher, question: str) -> None:
    with pytest.raises(BadQuery):
        ask(searcher, question)


def test_a_follow_up_is_answered_in_the_context_of_the_question_before(searcher: Searcher) -> None:
    messages = [{"role": "user", "content": "How did link workers tackle vaccine hesitancy?"},
                {"role": "user", "content": "What about in Newham?"}]
    query, answer = ask_conversation(searcher, messages)
    assert "Newham" in query and "vaccine" in query
    assert answer.found
    assert "Newham" in answer.citations[0].case_study.boroughs


def test_a_change_of_subject_is_answered_on_its_own(searcher: Searcher) -> None:
    messages = [{"role": "user", "content": "How did link workers tackle vaccine hesitancy?"},
                {"role": "user", "content": "and guided meditation for anxiety?"}]
    query, answer = ask_conversation(searcher, messages)
    assert answer.found
    assert "meditation" in answer.answer.lower() or "meditation" in query


@pytest.mark.parametrize("question", ["What time does my local pharmacy close on Sunday?",
                                      "Can I bring my own food to the ward when visiting my mum?"])
def test_a_health_service_errand_is_outside_the_field(searcher: Searcher, question: str) -> None:
    # words and cosines near GP and hospital case studies; the kind of question is not theirs
    assert searcher.tuned.field_e5 is not None
    answer = ask(searcher, question)
    assert answer.evidence["field_e5"] < 0 and answer.match == "none"
    assert answer.citations == ()


@pytest.mark.parametrize("question", ["Where can I park in Lambeth?",
                                      "Where can I buy cheap food in Croydon?"])
def test_a_where_question_within_a_borough_it_names_is_not_a_borough_question(
        searcher: Searcher, question: str) -> None:
    # read as "which borough ...?", the borough it names answered it from the records: the
    # Well Centre for parking, Croydon's refugees for cheap food
    answer = ask(searcher, question)
    assert answer.match == "none" and answer.citations == ()


def test_a_place_does_not_carry_a_topic_no_case_study_holds_into_the_field(
        searcher: Searcher) -> None:
    # Hounslow's case study names its mosques: the place and "mosque" lifted it to "answered"
    assert ask(searcher, "Hounslow mosque prayer times").match == "none"
    # a question about the case study itself still is about it
    assert ask(searcher, "How long did the Bromley by Bow pilot run?").match == "answered"
    # "end" is the question's verb, no topic beside the place no case study holds (it was
    # "I could not find a case study about that")
    ended = ask(searcher, "What year did the Bromley by Bow pilot end?")
    assert ended.match == "answered" and "2015 to 2019" in ended.sentences[0].text


def test_a_question_about_what_projects_did_is_in_the_field(searcher: Searcher) -> None:
    answer = ask(searcher, "How did link workers support unpaid carers?")
    assert answer.evidence["field_e5"] > 0 and answer.match != "none"


def test_a_bare_title_that_shares_only_the_fields_words_does_not_answer(searcher: Searcher
                                                                         ) -> None:
    # the closest case studies are titles the page gives no summary for, and they share
    # "link workers" with the question, nothing of carers or dementia
    answer = ask(searcher, "Link workers helping carers of people with dementia")
    assert answer.match == "related" and not answer.found
    bare = {c.id for c in searcher.case_studies() if c.text.strip() == c.title.strip()}
    assert not {c.case_study.id for c in answer.citations} & bare


def test_a_short_english_question_with_a_foreign_stop_word_is_read_as_english(
        searcher: Searcher) -> None:
    # "bin" is a German stop word: read as German, the borough alone carried it to "answered"
    answer = ask(searcher, "bin day Southwark")
    assert answer.match == "none" and answer.citations == ()


def test_a_follow_up_naming_a_place_asks_the_question_before_of_it(searcher: Searcher) -> None:
    # "Muslim" is a word Hounslow's text alone holds, but the question is now asked of Newham,
    # whose vaccine case study does not say it: Hounslow's is offered as from outside Newham
    messages = [{"role": "user", "content": "How did others reach Muslim communities about vaccines?"},
                {"role": "user", "content": "what about in Newham?"}]
    query, answer = ask_conversation(searcher, messages)
    assert query == "How did others reach Muslim communities about vaccines in Newham?"
    assert answer.match == "related"
    assert answer.sentences[0].text == "No Newham case study answers that."
    assert [i.case_study.id for i in answer.items] == [
        "covid-19-vaccinations-understanding-and-supporting-faith",
        "covid-19-vaccinations-utilising-opportunities-to-support"]
    # the place swapped is the one the question before named; the question is kept
    query, answer = ask_conversation(searcher, [{"role": "user", "content": "Tell me about Hounslow"},
                                                {"role": "user", "content": "And Newham?"}])
    assert query == "Tell me about Newham"
    assert {c.case_study.boroughs for c in answer.citations} == {("Newham",)}


def test_a_topic_another_restricts_lists_what_is_about_both_parts(searcher: Searcher) -> None:
    # every vaccine case study says "vaccine", and three others say "young people": the five
    # on vaccines are not all about vaccines for young people
    answer = ask(searcher, "Which case studies are about vaccines for young people?")
    vaccine = {c.id for c in searcher.case_studies() if "vaccination" in c.themes}
    listed = {i.case_study.id for i in answer.items}
    # none is about both: the answer says so, and offers only vaccine case studies as closest
    assert answer.match == "related" and listed <= vaccine
    assert answer.sentences[0].text == "No case study here is about vaccines for young people."


def test_small_talk_is_answered_as_such_and_cites_nothing(searcher: Searcher) -> None:
    hello = ask(searcher, "hi")
    assert hello.match == "none" and not hello.citations and hello.answer.startswith("Hello.")
    assert hello.shape == "chat"
    # a greeting before it is no topic the question leans on
    _, after_hi = ask_conversation(searcher, [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": hello.answer},
        {"role": "user", "content": "Who runs it?"}])
    assert after_hi.shape == "chat" and "nothing earlier" in after_hi.answer
    # asked first, a question that points back has nothing to point at
    _, first = ask_conversation(searcher, [{"role": "user", "content": "Who runs it?"}])
    assert first.match == "none" and not first.citations
    assert "nothing earlier in this conversation" in first.answer
    # after an answer it is about that answer's case study
    told = ask(searcher, "Tell me about the Barnet Wellbeing Service")
    _, then = ask_conversation(searcher, [
        {"role": "user", "content": "Tell me about the Barnet Wellbeing Service"},
        {"role": "assistant", "content": told.answer,
         "case_studies": [c.case_study.id for c in told.citations]},
        {"role": "user", "content": "Who runs it?"}])
    assert then.match == "answered"
    assert then.sentences[0].text.startswith("The service is managed by CommUNITY Barnet")


def test_who_runs_it_is_told_by_who_manages_it_not_who_funds_it(searcher: Searcher) -> None:
    runs = ask(searcher, "Who runs the Barnet Wellbeing Service?")
    assert runs.sentences[0].text.startswith("The service is managed by CommUNITY Barnet")
    funds = ask(searcher, "Who funds the Barnet Wellbeing Service?")
    assert "funded by Barnet CCG" in funds.sentences[0].text


def test_a_preposition_is_no_topic_a_related_answer_names(searcher: Searcher) -> None:
    answer = ask(searcher, "What is it like to be a link worker?")
    assert "about like" not in answer.answer


def test_a_question_about_a_named_case_study_is_not_out_of_the_field(searcher: Searcher) -> None:
    # the field model reads "how long did the ... pilot run?" as flying; the question names
    # the place of the one case study it is about, and that case study holds the years
    pilot = ask(searcher, "How long did the Bromley by Bow pilot run?")
    assert pilot.match == "answered" and "from 2015 to 2019" in pilot.sentences[0].text
    # a place lifts its case studies, but a question about parking is still outside the field
    assert ask(searcher, "Parking permits in Ealing").match == "none"


def test_how_did_others_lists_every_case_study_about_the_topic(searcher: Searcher) -> None:
    # Bromley by Bow's cancer service scores 0.02 for the words of the question; it is about
    # cancer patients as a list reads it
    answer = ask(searcher, "How have others helped cancer patients?")
    assert answer.shape == "how"
    assert {i.case_study.id for i in answer.items} == {
        "bromley-by-bow-micro-commissioning",
        "macmillan-community-link-worker-service-supporting-cancer",
        "macmillan-cancer-care-navigation-service-enhancing-patient"}


def test_how_did_others_tackle_a_theme_no_case_study_names_is_answered(
        searcher: Searcher) -> None:
    # no case study says "loneliness"; the theme holds Community Connections and the Posh Club
    answer = ask(searcher, "How have others tackled loneliness?")
    assert answer.match == "answered"
    assert {i.case_study.id for i in answer.items} == {
        "lewisham-working-in-partnership-to-meet-community-need", "crawley-posh-club"}
