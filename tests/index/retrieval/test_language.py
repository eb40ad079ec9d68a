"""Is a question in English (pure: script, stop words and an English lexicon)."""

import pytest

from casebook.index.retrieval.language import is_english


@pytest.mark.parametrize("text", [
    "loneliness",
    "How did others reach Muslim communities about vaccines?",
    # "bin" and "die" are German stop words, "con" Spanish: the rest are English words
    "bin collection day Lewisham",
    "die hard movie times",
    "con artists targeting older people",
    # "A&E" is one abbreviation: its "a" and "e" are stop words of Italian and Portuguese
    "Lewisham hospital A&E waiting times",
])
def test_english(text: str) -> None:
    assert is_english(text)


@pytest.mark.parametrize("text", [
    "Y a-t-il des ateliers artistiques à l'hôpital ?",
    "hilfe für senioren",
    "ayuda para mayores",
    "con mi madre",
    "aiuto per anziani",
    "كيف يمكن دعم الأطفال",
])
def test_not_english(text: str) -> None:
    assert not is_english(text)


def test_a_typo_put_right_can_show_the_words_are_english() -> None:
    # Dutch's "wat" and "is" outnumber English's stop words, and "prescibing" is no word
    # until the corpus's spelling puts it right
    assert not is_english("wat is social prescibing")
    assert is_english("wat is social prescibing", "wat is social prescribing")
    # another language's words put right are still mostly not English
    assert not is_english("ayuda para mayores", "ayuda para majors")
