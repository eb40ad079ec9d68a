"""List membership's features and probabilities (pure): each case study read on its own."""

import numpy as np
import pytest

from casebook.index.answering.membership import (
    best_sentence,
    gated,
    holds_rarest,
    phrase_shares,
    probabilities,
    said_outright,
    same_word,
    says_all,
    themes_named,
    topic_stems,
)
from casebook.themes import Themes

TEXTS = ("Our care coordinators run clinics.", "Care homes and their coordinators.",
         "Nothing here.")


def test_a_topic_is_its_stems_in_order_with_acronyms_spelled_out() -> None:
    assert topic_stems("care coordinators care") == ["care", "coordin+"]
    assert topic_stems("CCG") == topic_stems("clinical commissioning group")


def test_a_phrase_counts_only_where_its_words_stand_side_by_side() -> None:
    assert phrase_shares(topic_stems("care coordinators"), TEXTS).tolist() == [1.0, 0.0, 0.0]
    # half the pairs of "coordinators run homes": "coordinators run" yes, "run homes" no
    assert phrase_shares(topic_stems("coordinators run homes"), TEXTS).tolist() == [0.5, 0.0, 0.0]


def test_a_one_word_topic_is_held_or_not_and_no_words_is_nowhere() -> None:
    assert phrase_shares(topic_stems("homes"), TEXTS).tolist() == [0.0, 1.0, 0.0]
    assert phrase_shares([], TEXTS).tolist() == [0.0, 0.0, 0.0]


SAYING = ("Hospital based social prescribing link workers see children.",
          "Link workers meet the hospital board, then the team is based elsewhere in town.",
          "The link workers are based in the community.",
          "Pressure from their peers, and also due to the support needed.")


def test_a_topic_said_close_together_in_any_order_is_said_outright() -> None:
    stems = topic_stems("link workers based in a hospital")
    # two stems stand between "hospital based" and "link workers": said; the second text
    # holds every word, but spread over a sentence
    assert said_outright(stems, SAYING, common=0.5).tolist() == [1.0, 0.0, 0.0, 0.0]
    assert said_outright(topic_stems("workers based"), SAYING, common=0.9).tolist() == \
        [0.0, 0.0, 1.0, 0.0]
    # one stem may stand between two, not two: "peers ... also due ... support"
    assert said_outright(topic_stems("peer support"), SAYING, common=0.9).tolist() == \
        [0.0, 0.0, 0.0, 0.0]
    assert said_outright(topic_stems("peer support"), ("Peers give support.",), common=1.1
                         ).tolist() == [1.0]


def test_one_word_inside_a_name_is_not_said_and_a_phrase_inside_one_is() -> None:
    texts = ("Funded by Macmillan Cancer Support.", "Supporting people with cancer.",
             "They joined the Vaccine Peer Support Champions.")
    assert said_outright(topic_stems("cancer"), texts, common=0.9).tolist() == [0.0, 1.0, 0.0]
    assert said_outright(topic_stems("peer support"), texts, common=0.9).tolist() == \
        [0.0, 0.0, 1.0]
    # a title is a name itself: every word of it counts
    titles = ("Social Prescribing Case Study COVID-19: Welfare Checks", "The Well Centre")
    assert said_outright(topic_stems("covid"), titles, common=1.1, titles=True).tolist() == \
        [1.0, 0.0]


def test_a_topic_most_texts_say_picks_none_out_and_no_words_say_nothing() -> None:
    # "link workers": three texts of four, the field's own words
    assert said_outright(topic_stems("link workers"), SAYING, common=0.5).tolist() == \
        [0.0, 0.0, 0.0, 0.0]
    assert said_outright(topic_stems("link workers"), SAYING, common=0.9).tolist() == \
        [1.0, 1.0, 1.0, 0.0]
    assert said_outright([], SAYING, common=0.5).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_a_case_studys_best_sentence_speaks_for_it_and_none_reads_zero() -> None:
    cosines = np.array([0.1, 0.7, 0.3, 0.9])
    rows = {"a": [0, 1], "b": [2, 3]}
    assert best_sentence(cosines, rows, ["a", "b", "c"]).tolist() == [0.7, 0.9, 0.0]


def test_probabilities_are_the_logistic_of_the_weighted_features() -> None:
    values = {"x": np.array([0.0, 1.0, 2.0]), "y": np.array([1.0, 1.0, 1.0])}
    p = probabilities(values, (2.0, -1.0), 0.5, ("x", "y"))
    assert p == pytest.approx(1 / (1 + np.exp(-(np.array([0.0, 2.0, 4.0]) - 1.0 + 0.5))))
    assert list(np.argsort(p)) == [0, 1, 2]


def test_the_rarest_word_of_each_side_of_a_topic_is_what_a_case_study_must_hold() -> None:
    # "care" is in two texts, "clinics" in one: a case study holds "care clinics" by "clinics"
    assert holds_rarest([topic_stems("care clinics")], TEXTS).tolist() == [1.0, 0.0, 0.0]
    # "homes or clinics": either side's rarest word will do
    assert holds_rarest([topic_stems("homes"), topic_stems("clinics")], TEXTS).tolist() == \
        [1.0, 1.0, 0.0]
    # a side no text holds a word of gives nothing to read
    assert holds_rarest([topic_stems("gardening")], TEXTS) is None


def test_the_gate_keeps_a_case_study_without_the_word_only_where_the_model_is_sure() -> None:
    p = np.array([0.9, 0.5, 0.3])
    holds = np.array([0.0, 0.0, 1.0])
    assert gated(p, holds, 0.6, 0.3).tolist() == [0.9, 0.0, 0.3]
    assert gated(p, holds, None, 0.3).tolist() == p.tolist()
    assert gated(p, None, 0.6, 0.3).tolist() == p.tolist()
    # the word's only holder is no likely member: a word of the topic in another sense
    assert gated(p, holds, 0.6, 0.4).tolist() == p.tolist()


CATALOGUE = Themes.from_dict({"sources": {"s": "a source"}, "themes": [
    {"id": "lonely", "label": "Loneliness and isolation", "source": "s", "definition": "",
     "terms": ["lonel*", "isolated", "socialise"]},
    {"id": "active", "label": "Physical activity", "source": "s", "definition": "",
     "terms": ["sport*", "exercise", "gardening"]}]})


def test_a_topic_names_a_theme_by_the_words_of_its_label() -> None:
    assert themes_named("loneliness", CATALOGUE) == {"lonely"}
    assert themes_named("isolation loneliness", CATALOGUE) == {"lonely"}
    assert themes_named("physical activities", CATALOGUE) == {"active"}
    # a term is not the theme: "gardening" asks about less than physical activity
    assert themes_named("gardening", CATALOGUE) == set()
    # a topic with a word beyond the theme asks for more than the theme
    assert themes_named("loneliness dementia", CATALOGUE) == set()
    assert themes_named("", CATALOGUE) == set()


def test_a_topic_names_a_theme_by_its_label_in_another_form() -> None:
    # the stemmer reads "lonely" and "loneliness" apart; one word in two forms still names it
    assert themes_named("lonely", CATALOGUE) == {"lonely"}
    assert same_word("isolated", "isolation") and same_word("vaccinated", "vaccination")
    # an agent noun is not its act, and a shared start alone is not one word
    assert not same_word("vaccinators", "vaccination")
    assert not same_word("training", "transport") and not same_word("care", "career")


def test_the_person_who_does_a_thing_is_not_the_thing() -> None:
    texts = ("Concerns about the vaccine were common.", "There was a low number of vaccinators.",
             "They trained as a vaccinator.")
    assert said_outright(topic_stems("vaccinators"), texts, common=0.9).tolist() == \
        [0.0, 1.0, 1.0]
    assert holds_rarest([topic_stems("vaccinators")], texts).tolist() == [0.0, 1.0, 1.0]
    assert phrase_shares(topic_stems("care coordination"), TEXTS).tolist() == [0.0, 0.0, 0.0]


def test_a_sentence_says_a_topic_where_it_holds_every_stem_of_one_side() -> None:
    sides = (tuple(topic_stems("peer support")), tuple(topic_stems("volunteers")))
    assert says_all(sides, "Vaccine Peer Support Champions share facts.")
    assert says_all(sides, "Volunteers rang people.")
    assert not says_all(sides, "Peers gave advice.")
    assert not says_all((), "Anything at all.")
