"""Which case studies a list, count, borough or comparison answer covers (pure)."""

from casebook.index.answering.selection import named_cases, section_named, select
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
]


def ids(results: tuple[CaseResult, ...]) -> list[str]:
    return [r.case_study.id for r in results]


def test_a_section_is_named_by_its_own_words() -> None:
    assert section_named("How many case studies are in the secondary care section?", SECTIONS) \
        == SECTIONS[0]
    assert section_named("List the training hub case studies.", SECTIONS) == SECTIONS[1]
    assert section_named("Which boroughs worked on vaccine hesitancy?", SECTIONS) == SECTIONS[2]
    assert section_named("How did they support people with pain?", SECTIONS) is None


def test_a_named_section_lists_every_case_study_in_it_whatever_its_score() -> None:
    chosen = select("Which case studies are in the vaccine hesitancy section?", "list", RANKED,
                    SECTIONS, BOROUGHS, floor=0.5)
    assert ids(chosen.results) == ["hounslow", "newham", "southwark"]


def test_a_named_borough_lists_its_case_studies() -> None:
    assert ids(select("Which case studies are in Lambeth?", "list", RANKED, SECTIONS, BOROUGHS,
                      floor=0.5).results) == ["well"]


def test_a_name_the_texts_hold_lists_every_case_study_that_holds_it() -> None:
    assert ids(select("Which case studies involve Age UK?", "list", RANKED, SECTIONS, BOROUGHS,
                      floor=0.5).results) == ["hounslow", "well"]


def test_a_topic_lists_what_reaches_the_floor_and_never_nothing() -> None:
    assert ids(select("Which case studies tackle myths?", "list", RANKED, SECTIONS, BOROUGHS,
                      floor=0.5).results) == ["hounslow", "newham"]
    assert ids(select("Which case studies tackle myths?", "list", RANKED, SECTIONS, BOROUGHS,
                      floor=0.99).results) == ["hounslow"]


def test_which_borough_in_the_singular_is_one_case_studys_place() -> None:
    assert ids(select("In which borough were the peer champions?", "where", RANKED, SECTIONS,
                      BOROUGHS, floor=0.5).results) == ["hounslow"]
    assert len(select("Which boroughs tackled myths?", "where", RANKED, SECTIONS, BOROUGHS,
                      floor=0.5).results) == 2


def test_a_comparison_names_places_and_titles_in_the_order_asked() -> None:
    cases = [r.case_study for r in RANKED]
    named = named_cases("Compare the Well Centre and Newham", cases, BOROUGHS)
    assert [ids for _, ids in named] == [["well"], ["newham"]]
    # "The Holistic" is not a name: a stop word opens it
    assert named_cases("Compare the holistic approach and young people", cases, BOROUGHS) == []
