"""Hyphenated words respelled the way the corpus writes them (text/compounds.py)."""

from casebook.index.text.compounds import as_the_corpus_writes, compounds

TEXTS = ("Guided meditation for wellbeing.", "Working with Non-Clinical Care Coordinators.",
         "A 40-year-old woman; long-term conditions and long term care.")


def test_a_hyphenated_word_the_corpus_writes_whole_is_joined() -> None:
    known = compounds(TEXTS)
    assert as_the_corpus_writes("Which case studies are about well-being?", known) \
        == "Which case studies are about wellbeing?"


def test_a_word_the_corpus_writes_only_with_hyphens_is_hyphenated() -> None:
    known = compounds(TEXTS)
    assert as_the_corpus_writes("nonclinical care coordinators", known) \
        == "non-clinical care coordinators"


def test_other_words_are_kept_as_written() -> None:
    known = compounds(TEXTS)
    # "longterm" is no word of the corpus, and "Covid-19" holds a number: both as asked
    for text in ("long-term conditions", "Covid-19 clinics", "a 40-year-old", "wellbeing",
                 "self-care", "care"):
        assert as_the_corpus_writes(text, known) == text
    assert as_the_corpus_writes("well-being", compounds(())) == "well-being"
