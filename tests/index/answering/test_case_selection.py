"""Which case studies a list, count, borough or comparison answer covers (pure)."""

import pytest

from casebook.index.answering.selection import (
    Keep,
    asked_words,
    fields_named,
    group_named,
    heading_named,
    holding,
    mentions,
    named_cases,
    names_in,
    passive_verbs,
    scopes,
    section_named,
    select,
    telling_verbs,
    topic_words,
    topical,
)
from casebook.index.text.acronyms import expand_acronyms
from casebook.records import CaseResult, CaseStudy

SECTIONS = ["Personalised Care in Secondary Care case studies",
            "Supporting Personalised Care Roles through Training Hubs case studies",
            "Social prescribing and COVID-19 vaccine hesitancy", "Case studies from around London"]
BOROUGHS = ["Hounslow", "Newham", "Southwark", "Lambeth"]


def case(id: str, section: str, boroughs: tuple[str, ...] = (), title: str = "",
         text: str = "") -> CaseStudy:
    return CaseStudy(id, title or id, section, "u", text or title or id, boroughs=boroughs)


RANKED = [
    CaseResult(case("hounslow", SECTIONS[2], ("Hounslow",), "Faith groups", "Mosques. Age UK."), 0.9),
    CaseResult(case("newham", SECTIONS[2], ("Newham",), "Peer champions", "Champions."), 0.6),
    CaseResult(case("well", SECTIONS[3], ("Lambeth",), "The Well Centre", "Young people. Age UK."), 0.2),
    CaseResult(case("southwark", SECTIONS[2], ("Southwark",), "Misconceptions"), 0.1),
    CaseResult(case("pain", SECTIONS[0], (), "A Holistic Approach For Chronic Pain"), 0.05),
    # a corpus of ten: a name two of them hold picks them out (a quarter or more would not)
    *(CaseResult(case(f"other{i}", SECTIONS[0], (), f"Other {i}"), 0.01) for i in range(5)),
]


def ids(results: tuple[CaseResult, ...]) -> list[str]:
    return [r.case_study.id for r in results]


@pytest.mark.parametrize(("question", "expected"), [
    ("Which case studies mention Covid-19?", True),
    ("How many case studies mentioned Macmillan?", True),
    ("Which projects that name a particular doctor are there?", True),
    ("Which case studies cite the NHS Long Term Plan?", True),
    ("Which case studies are about Covid-19?", False),
    ("Which case studies say who funded the service?", False),
    ("How many case studies help young people?", False),
])
def test_a_question_that_asks_what_mentions_its_words(question: str, expected: bool) -> None:
    assert mentions(question) is expected


def test_a_section_is_named_by_its_own_words() -> None:
    assert section_named("How many case studies are in the secondary care section?", SECTIONS) \
        == SECTIONS[0]
    assert section_named("List the training hub case studies.", SECTIONS) == SECTIONS[1]
    assert section_named("Which boroughs worked on vaccine hesitancy?", SECTIONS) == SECTIONS[2]
    assert section_named("How did they support people with pain?", SECTIONS) is None


def test_a_hyphenated_word_is_one_word_of_a_section() -> None:
    # "Covid-19" is one of the vaccine section's four own words, not two: the case studies
    # about Covid are more than the five about the vaccine
    assert section_named("Which case studies are about Covid-19?", SECTIONS) is None
    assert section_named("How many case studies have to do with COVID-19?", SECTIONS) is None
    assert section_named("Which case studies are about Covid-19 vaccines?", SECTIONS) \
        == SECTIONS[2]


def test_a_named_section_lists_every_case_study_in_it_whatever_its_score() -> None:
    chosen = select("Which case studies are in the vaccine hesitancy section?", "list", RANKED,
                    SECTIONS, BOROUGHS, Keep(0.5))
    assert ids(chosen.results) == ["hounslow", "newham", "southwark"]


def test_a_named_borough_lists_its_case_studies() -> None:
    assert ids(select("Which case studies are in Lambeth?", "list", RANKED, SECTIONS, BOROUGHS,
                      Keep(0.5)).results) == ["well"]


def test_a_name_the_texts_hold_lists_every_case_study_that_holds_it() -> None:
    assert ids(select("Which case studies involve Age UK?", "list", RANKED, SECTIONS, BOROUGHS,
                      Keep(0.5)).results) == ["hounslow", "well"]


def test_a_topic_lists_what_reaches_the_floor_and_never_nothing() -> None:
    assert ids(select("Which case studies tackle myths?", "list", RANKED, SECTIONS, BOROUGHS,
                      Keep(0.5)).results) == ["hounslow", "newham"]
    assert ids(select("Which case studies tackle myths?", "list", RANKED, SECTIONS, BOROUGHS,
                      Keep(0.99)).results) == ["hounslow"]


def test_which_borough_in_the_singular_is_one_case_studys_place() -> None:
    assert ids(select("In which borough were the peer champions?", "where", RANKED, SECTIONS,
                      BOROUGHS, Keep(0.5)).results) == ["hounslow"]
    assert len(select("Which boroughs tackled myths?", "where", RANKED, SECTIONS, BOROUGHS,
                      Keep(0.5)).results) == 2


def test_a_comparison_names_places_and_titles_in_the_order_asked() -> None:
    cases = [r.case_study for r in RANKED]
    named = named_cases("Compare the Well Centre and Newham", cases, BOROUGHS)
    assert [ids for _, ids in named] == [["well"], ["newham"]]
    # "The Holistic" is not a name: a stop word opens it
    assert named_cases("Compare the holistic approach and young people", cases, BOROUGHS) == []


def test_a_title_is_named_by_its_acronyms_spelled_out_and_the_fullest_match_wins() -> None:
    cases = [case("nwl", SECTIONS[1], (), "Training link workers during Covid-19 \u2013 NWL CCG"),
             case("swl", SECTIONS[1], (), "Peer sessions in South West London"),
             case("newham", SECTIONS[2], ("Newham",), "Peer champions")]
    named = named_cases("Compare link worker training in North West London with Newham.", cases,
                        BOROUGHS)
    # "West London" is in both titles; "North West London" only in the one NWL stands for
    assert [ids for _, ids in named] == [["nwl"], ["newham"]]


def test_a_topic_alone_lists_each_case_study_about_it_whatever_its_rank() -> None:
    # "southwark" scores 0.1 on the calibrated scale, but is as much about myths as the best one
    members = {"hounslow": 0.9, "newham": 0.2, "well": 0.1, "southwark": 0.8, "pain": 0.0}
    chosen = select("Which case studies tackle myths?", "list", RANKED, SECTIONS, BOROUGHS,
                    Keep(0.5, members, 0.4))
    assert ids(chosen.results) == ["hounslow", "southwark"]
    # nothing reaches the floor: the best-ranked one, never nothing
    assert ids(select("Which case studies tackle myths?", "list", RANKED, SECTIONS, BOROUGHS,
                      Keep(0.5, members, 0.95)).results) == ["hounslow"]


def test_membership_does_not_override_a_named_field() -> None:
    members = dict.fromkeys(("hounslow", "newham", "well", "southwark", "pain"), 1.0)
    assert ids(select("Which case studies are in Lambeth?", "list", RANKED, SECTIONS, BOROUGHS,
                      Keep(0.5, members, 0.4)).results) == ["well"]


def test_only_a_set_question_naming_no_field_is_about_a_topic_alone() -> None:
    texts = [r.case_study.text for r in RANKED]
    assert topical("Which case studies tackle myths?", "list", SECTIONS, BOROUGHS, texts)
    assert topical("How many case studies tackle myths?", "count", SECTIONS, BOROUGHS, texts)
    assert not topical("Which case studies are in Lambeth?", "list", SECTIONS, BOROUGHS, texts)
    assert not topical("Which case studies involve Age UK?", "list", SECTIONS, BOROUGHS, texts)
    assert not topical("How many case studies are in the secondary care section?", "count",
                       SECTIONS, BOROUGHS, texts)
    assert not topical("How did they tackle myths?", "how", SECTIONS, BOROUGHS, texts)


def test_london_is_the_whole_corpus_not_a_name_that_picks_case_studies() -> None:
    ranked = [CaseResult(case("a", SECTIONS[3], (), "A", "Across London, champions."), 0.9),
              CaseResult(case("b", SECTIONS[3], (), "B", "Champions in the community."), 0.8)]
    texts = [r.case_study.text for r in ranked]
    assert topical("Which case studies in London use champions?", "list", SECTIONS, BOROUGHS,
                   texts)
    assert ids(select("Which case studies in London use champions?", "list", ranked, SECTIONS,
                      BOROUGHS, Keep(0.5)).results) == ["a", "b"]


def test_a_name_most_case_studies_hold_is_the_fields_own_word_not_a_pick() -> None:
    ranked = [CaseResult(case(c, SECTIONS[3], (), c, "Covid changed it." if i < 4 else "No."),
                         0.9 - i / 10) for i, c in enumerate("abcdefgh")]
    texts = [r.case_study.text for r in ranked]
    # "Covid" is in half the texts: the question is about its topic, not a name
    assert topical("Which case studies talk about Covid welfare checks?", "list", SECTIONS,
                   BOROUGHS, texts)
    assert names_in("Which case studies talk about Covid welfare checks?", texts) == ["Covid"]


def test_a_section_of_one_own_word_is_named_by_that_word() -> None:
    sections = [*SECTIONS, "Social prescribing – video case study"]
    assert section_named("How many video case studies are there?", sections) == sections[-1]
    assert section_named("How did they use video calls for training?", SECTIONS) is None


def test_a_set_question_of_no_topic_and_no_field_is_about_the_whole_collection() -> None:
    chosen = select("How many case studies are there?", "count", RANKED, SECTIONS, BOROUGHS)
    assert chosen.everything and len(chosen.results) == len(RANKED)
    assert not select("How many case studies tackle myths?", "count", RANKED, SECTIONS,
                      BOROUGHS).everything


def test_a_place_is_narrowed_by_a_topic_its_case_studies_hold_not_by_the_wording() -> None:
    lambeth = [CaseResult(case("lead", SECTIONS[3], ("Lambeth",), "Clinicians lead",
                               "Clinicians lead. Age UK."), 0.9), *RANKED]
    # "mention" is no case study's word: the score it earns says nothing about Lambeth's
    assert ids(select("Which case studies mention Lambeth?", "list", lambeth, SECTIONS,
                      BOROUGHS, Keep(0.5)).results) == ["lead", "well"]
    # "clinicians" is: the Lambeth case study about it is kept, the other is not
    assert ids(select("Which case studies about clinicians are in Lambeth?", "list", lambeth,
                      SECTIONS, BOROUGHS, Keep(0.5)).results) == ["lead"]


def test_a_field_with_nothing_on_the_topic_says_so_and_keeps_what_is_elsewhere() -> None:
    # the whole question's score is lifted by the place's own name; the topic asked alone
    # is not
    lambeth = [CaseResult(case("lead", SECTIONS[3], ("Lambeth",), "Clinicians lead",
                               "Clinicians lead. Age UK."), 0.9), *RANKED]
    alone = {"hounslow": 0.9, "lead": 0.1, "well": 0.05}
    picked = select("Which case studies in Lambeth are about mosques?", "list", lambeth,
                    SECTIONS, BOROUGHS, Keep(0.5, member_floor=0.5, topic_members=alone))
    assert picked.unmatched and picked.results == ()
    assert ids(picked.elsewhere) == ["hounslow"] and picked.boroughs == ("Lambeth",)
    # one in the field about it: the list, likeliest first
    alone = {"hounslow": 0.9, "lead": 0.1, "well": 0.7}
    picked = select("Which case studies in Lambeth are about young people?", "list", lambeth,
                    SECTIONS, BOROUGHS, Keep(0.5, member_floor=0.5, topic_members=alone))
    assert not picked.unmatched and ids(picked.results) == ["well"]


def test_a_field_listed_whole_carries_the_topic_words_no_case_study_holds() -> None:
    picked = select("Which case studies in Lambeth are about dementia?", "list", RANKED,
                    SECTIONS, BOROUGHS, Keep(0.5))
    assert ids(picked.results) == ["well"] and picked.unsaid == ("dementia",)
    # a topic some case study holds narrows the field instead
    assert select("Which case studies in Lambeth are about young people?", "list", RANKED,
                  SECTIONS, BOROUGHS, Keep(0.5)).unsaid == ()


def test_two_own_words_of_a_heading_in_a_row_name_it() -> None:
    headings = ["Social prescribing and COVID-19 vaccine hesitancy", "Welfare Checks"]
    generic = frozenset({"people", "support"})
    assert heading_named("vaccine hesitancy", headings, generic)
    assert heading_named("What about welfare checks in lockdown?", headings, generic)
    # one word of a heading, or words apart, name nothing
    assert not heading_named("hesitancy about flu jabs", headings, generic)
    assert not heading_named("checks on welfare", headings, generic)
    # a pair with a generic word is any heading's
    assert not heading_named("support people", ["How we support people"], generic)
    # an acronym is one word: its spelled-out words are no pair ("NHS" is not "national
    # health" of "Health NHS Trust"), but it pairs with the words beside it
    trust = ["The Royal London Hospital Barts Health NHS Trust"]
    assert not heading_named(expand_acronyms("Which case studies mention the NHS app?"),
                             trust, generic)
    assert heading_named(expand_acronyms("the NHS trust"), trust, generic)


def test_a_comparison_of_a_group_names_a_section_s_or_a_theme_s_case_studies() -> None:
    def case(cid: str, section: str, *tags: str) -> CaseStudy:
        return CaseStudy(id=cid, title=cid, section=section, url=f"https://example.org/{cid}",
                         text="A sentence.", themes=list(tags))

    cases = [case("a", "Training hubs", "training-and-workforce"),
             case("b", "Training hubs"), case("c", "Vaccines", "vaccination"),
             case("d", "Other", "vaccination")]
    sections = ["Training hubs", "Vaccines", "Other"]
    assert group_named("Compare the training hubs case studies", cases, sections) == ["a", "b"]
    # "in common" asks for the comparison and names no topic; "vaccine" names the theme
    assert group_named("What do the vaccine case studies have in common?", cases,
                       ["Training hubs", "Covid jabs", "Other"]) == ["c", "d"]
    assert group_named("Compare Hounslow and Newham", cases, sections) == []


def test_names_on_two_sides_of_or_each_hold_a_case_study() -> None:
    ranked = [CaseResult(case("southwark", SECTIONS[2], text="Latin American communities."), 0.5),
              CaseResult(case("caribbean", SECTIONS[2], text="A Caribbean woman."), 0.4),
              CaseResult(case("both", SECTIONS[2], text="Latin American and Caribbean."), 0.3),
              CaseResult(case("neither", SECTIONS[2], text="Mosques."), 0.2)]
    names = ["Latin American", "Caribbean"]
    assert ids(tuple(holding(ranked, names, "Latin American or Caribbean people?"))) == [
        "southwark", "caribbean", "both"]
    # without "or", a case study holds every name
    assert ids(tuple(holding(ranked, names, "Latin American and Caribbean people?"))) == ["both"]


def test_a_side_of_or_that_gives_no_name_leaves_the_set_to_the_topic() -> None:
    texts = ["Funded by Macmillan.", "High intensity users of emergency services.",
             *(f"Other {i}." for i in range(8))]
    question = "How many case studies are about high intensity users or Macmillan services?"
    assert fields_named(question, "count", SECTIONS, BOROUGHS, texts).named == ()
    assert fields_named("How many case studies are about Macmillan services?", "count", SECTIONS,
                        BOROUGHS, texts).named == ("Macmillan",)


def test_a_themes_term_is_a_topic_not_a_name() -> None:
    # "A&E" is a term of Urgent and emergency care: the high intensity user services are on
    # that list though they never write it
    texts = ["Community Alternatives to A&E.", "High intensity users of emergency services.",
             *(f"Other {i}." for i in range(8))]
    assert fields_named("Which boroughs have case studies about frequent A&E users?", "where",
                        SECTIONS, BOROUGHS, texts).named == ()


@pytest.mark.parametrize(("question", "scope"), [
    ("How many case studies are from south London?", ["south London"]),
    ("Which south London case studies are about vaccines?", ["south London"]),
    ("Which boroughs in North West London have case studies?", ["North West London"]),
    # a region in a service's name is not where the question asks within
    ("Which boroughs does the North Central London high intensity user service cover?", []),
])
def test_scopes_are_the_parts_of_london_a_question_asks_within(question: str,
                                                               scope: list[str]) -> None:
    assert [found.phrase for found in scopes(question)] == scope


@pytest.mark.parametrize(("question", "topic"), [
    ("Which case studies say who funded the service?", ["funded"]),
    ("Is there anything that explains how they measured impact?", ["measured", "impact"]),
    ("Which case studies involve recruiting staff?", ["recruiting", "staff"]),
])
def test_a_verb_that_puts_a_question_of_its_own_is_no_word_of_the_topic(
        question: str, topic: list[str]) -> None:
    assert asked_words(question) == topic
    assert topic_words(question, None, ()) == topic


def test_only_a_verb_before_a_question_word_tells() -> None:
    assert telling_verbs("Which case studies say who funded the service?") == {"say"}
    assert telling_verbs("Which projects recruited volunteers who speak Spanish?") == set()


def test_a_generic_head_whose_topic_follows_it_is_no_word_of_the_topic() -> None:
    assert asked_words("How many case studies are about people with long Covid?") == \
        ["long", "covid"]
    assert asked_words("Is there anything on residents living in care homes?") == \
        ["living", "care", "homes"]
    # a generic word that is the topic stays
    assert asked_words("Which case studies involve older people?") == ["older", "people"]


def test_a_participle_before_its_agent_is_no_topic_word() -> None:
    # the case studies say "delivered by" and "overseen by": "run" is what was done, not what
    # a case study must say
    question = "In which areas is social prescribing run by a GP federation?"
    assert passive_verbs(question) == {"run"}
    assert topic_words(question, None, ()) == ["gp", "federation"]
    assert passive_verbs("Which services are funded by the council?") == {"funded"}
    # a noun before "by" stays ("support by volunteers")
    assert passive_verbs("Is there support by volunteers?") == set()
