"""The answer checks on hand-made Answer records (pure: no model, no index), and the answer set."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from casebook.eval.answer_checks import (
    KINDS,
    all_titles,
    content_right,
    first_cited,
    is_whole,
    numbers,
    padded,
    reading_failures,
    summarise,
)
from casebook.eval.questions import Question, load_questions, root_text, split_of
from casebook.eval.render import answer_lines
from casebook.eval.run import reply
from casebook.records import Answer, AnswerItem, AnswerSentence, CaseStudy, Citation, Passage

ROOT = Path(__file__).resolve().parents[2]
HOUNSLOW = CaseStudy("hounslow", "Social Prescribing Case Study_Covid-19 Vaccinations – "
                     "Understanding and supporting faith groups and their practices", "Vaccines",
                     "u", "t", boroughs=("Hounslow",))
WALTHAM = CaseStudy("waltham", "Utilising your networks to reach communities in Waltham Forest",
                    "Vaccines", "u", "t", boroughs=("Waltham Forest",))
LEWISHAM = CaseStudy("lewisham", "Reducing Health Inequalities: health inclusion and "
                     "homelessness in Lewisham", "Health inequalities", "u", "t",
                     boroughs=("Lewisham",))
CASES = (HOUNSLOW, WALTHAM, LEWISHAM)
TITLES = all_titles(CASES)
PORK = ("People in the Muslim community have been reluctant to have the Covid-19 vaccine due "
        "to concerns it may contain pork, and the side effects.")
FARAH = "Farah is Pakistani and Saiba is Bangladeshi, they both hear the stories."


def cite(case: CaseStudy) -> Citation:
    return Citation(case, Passage(f"{case.id}#0", case.id, 0, "t", 0))


def answer(*sentences: tuple[str, CaseStudy | None], items: tuple[CaseStudy, ...] = (),
           shape: str = "open") -> Answer:
    """An answer whose sentences cite the given case studies (one citation per case study)."""
    cited: list[CaseStudy] = []
    out = []
    for text, case in sentences:
        if case is not None and case not in cited:
            cited.append(case)
        out.append(AnswerSentence(text, None if case is None else cited.index(case) + 1))
    for case in items:
        if case not in cited:
            cited.append(case)
    flat = " ".join(s.text if s.citation is None else f"{s.text} [{s.citation}]" for s in out)
    return Answer("q", flat, tuple(cite(c) for c in cited), True, 0.9, "answered", tuple(out),
                  shape=shape, items=tuple(AnswerItem(c) for c in items))


def question(kind: str, *relevant: CaseStudy, **labels: object) -> Question:
    return Question("x", "q?", tuple(c.id for c in relevant), kind, **labels)  # type: ignore[arg-type]


TWO_VACCINE = answer(("Two case studies are about reaching Muslim communities.", None),
                     (PORK, HOUNSLOW), (FARAH, WALTHAM), items=(HOUNSLOW, WALTHAM))


# ---------------------------------------------------------------- content


def test_a_list_must_cite_every_relevant_case_study() -> None:
    q = question("list", HOUNSLOW, WALTHAM)
    assert content_right(q, TWO_VACCINE)
    assert not content_right(q, answer((PORK, HOUNSLOW)))  # one of two


def test_a_count_gives_the_right_number_in_its_first_sentence() -> None:
    q = question("count", HOUNSLOW, WALTHAM, count=2)
    assert content_right(q, TWO_VACCINE)  # "Two" in words
    digits = answer(("2 case studies.", None), (PORK, HOUNSLOW), (FARAH, WALTHAM))
    assert content_right(q, digits)
    late = answer((PORK, HOUNSLOW), ("There are two.", None), (FARAH, WALTHAM))
    assert not content_right(q, late)  # the number is not first
    wrong = answer(("Three case studies.", None), (PORK, HOUNSLOW), (FARAH, WALTHAM))
    assert not content_right(q, wrong)
    assert numbers("twenty-one of 34, forty two, nine") == [21, 34, 42, 9]


def test_a_where_answer_names_every_borough() -> None:
    q = question("where", HOUNSLOW, WALTHAM, boroughs=("Hounslow", "Waltham Forest"))
    both = answer(("Hounslow and Waltham Forest.", None), (PORK, HOUNSLOW), (FARAH, WALTHAM))
    assert content_right(q, both)
    assert not content_right(q, TWO_VACCINE)  # cites both, names neither borough
    amp = question("where", LEWISHAM, boroughs=("Kensington and Chelsea",))
    assert content_right(amp, answer(("In Kensington & Chelsea.", LEWISHAM)))


def test_a_fact_answer_holds_every_fact_in_any_case() -> None:
    q = question("fact", HOUNSLOW, facts=("15", "Mosques"))
    assert content_right(q, answer(("There are 15 mosques.", HOUNSLOW)))
    assert not content_right(q, answer(("There are mosques.", HOUNSLOW)))


def test_a_comparison_gives_each_case_study_its_own_item() -> None:
    q = question("compare", HOUNSLOW, WALTHAM)
    assert content_right(q, TWO_VACCINE)
    flat = answer((PORK, HOUNSLOW), (FARAH, WALTHAM))  # both cited, compared nowhere
    assert not content_right(q, flat)


@pytest.mark.parametrize("kind", ["how", "describe", "followup"])
def test_one_case_study_answers_lead_with_it_and_cite_nothing_else(kind: str) -> None:
    q = question(kind, HOUNSLOW, WALTHAM)
    assert content_right(q, TWO_VACCINE)
    assert not content_right(q, answer((FARAH, WALTHAM), (PORK, HOUNSLOW)))  # wrong lead
    padded_answer = answer((PORK, HOUNSLOW), ("Lewisham hired someone.", LEWISHAM))
    assert not content_right(q, padded_answer) and padded(q, padded_answer)
    assert first_cited(TWO_VACCINE) == "hounslow"  # the notice before it cites nothing


def test_padding_is_a_citation_outside_relevant() -> None:
    q = question("list", HOUNSLOW, WALTHAM)
    assert not padded(q, TWO_VACCINE)
    assert padded(q, answer((PORK, HOUNSLOW), ("In Lewisham, a care coordinator.", LEWISHAM)))


def test_an_unknown_kind_has_no_content_check() -> None:
    with pytest.raises(ValueError):
        content_right(question("paraphrase", HOUNSLOW), TWO_VACCINE)


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("text", [
    "There was a low number of vaccinators from the Muslim community",  # cut at its semicolon
    "Understanding and supporting faith groups and their practices",  # a bare title
    "some women felt uncomfortable.",  # starts mid-sentence
    "There are 15 Mosques;",
])
def test_fragments_fail(text: str) -> None:
    assert not is_whole(text)
    assert "fragment" in reading_failures(answer((text, HOUNSLOW)), TITLES)


@pytest.mark.parametrize("text", [
    PORK, "Nine.", "“There are 15 Mosques.”", '15 mosques serve the borough (see the "full" '
    'case study).', 'The page gives only its title: "Utilising your networks to reach '
    'communities in Waltham Forest".', "Is there more?"])
def test_whole_sentences_pass(text: str) -> None:
    assert reading_failures(answer((text, HOUNSLOW)), TITLES) == {}


@pytest.mark.parametrize("text", [
    "This includes partnering with charity Groundswell to hire a Care Coordinator.",
    "Their We Stand Together Programme has a strong track record.",
    "“They both hear the different stories.”",
    "This case study by Healthy London Partnership shows the Care Coordinator model.",
    "It arose out of a programme."])
def test_a_sentence_may_not_open_on_a_pronoun_with_nothing_before_it(text: str) -> None:
    assert "pronoun" in reading_failures(answer((text, LEWISHAM)), TITLES)


def test_an_introduced_sentence_or_one_continuing_its_passage_reads() -> None:
    introduced = answer(("In Lewisham, this includes partnering with Groundswell.", LEWISHAM),
                        ("Lewisham's summary says the model tackles inequalities.", LEWISHAM))
    assert reading_failures(introduced, TITLES) == {}
    continued = answer(("Lewisham uses the Care Coordinator model.", LEWISHAM),
                       ("This includes partnering with charity Groundswell.", LEWISHAM))
    assert reading_failures(continued, TITLES) == {}
    # the same pronoun after another case study's sentence points at the wrong thing
    jumped = answer((PORK, HOUNSLOW), ("This includes partnering with Groundswell.", LEWISHAM))
    assert "pronoun" in reading_failures(jumped, TITLES)
    # "This case study" never has a referent the reader can see
    this_case = answer(("Lewisham uses the model.", LEWISHAM),
                       ("This case study shows the model.", LEWISHAM))
    assert "pronoun" in reading_failures(this_case, TITLES)


@pytest.mark.parametrize("text", [
    "Understanding and supporting faith groups and their practices.",  # the part after the dash
    "“Utilising your networks to reach communities in Waltham Forest.”",  # quoted, whole title
    "Reducing Health Inequalities.",  # the part before the colon
])
def test_a_title_is_not_a_sentence(text: str) -> None:
    assert reading_failures(answer((text, HOUNSLOW)), TITLES) == {"title": [text]}


def test_a_sentence_from_a_case_study_off_the_question_is_off_topic() -> None:
    padded_answer = answer((PORK, HOUNSLOW), ("Lewisham hired a care coordinator.", LEWISHAM))
    relevant = ("hounslow", "waltham")
    assert reading_failures(padded_answer, TITLES, relevant) == {
        "off_topic": ["Lewisham hired a care coordinator."]}
    assert reading_failures(padded_answer, TITLES) == {}  # no labels: not judged
    notice = answer(("No case study here is about gambling.", None))
    assert reading_failures(notice, TITLES, relevant) == {}


def test_the_citation_marker_is_not_part_of_the_sentence() -> None:
    assert reading_failures(answer((PORK + " [1]", HOUNSLOW)), TITLES) == {}


# ---------------------------------------------------------------- figures


def test_summarise_counts_per_kind_and_failure_type() -> None:
    good = question("compare", HOUNSLOW, WALTHAM)
    bad = Question("y", "Who funds it?", ("hounslow",), "followup", follows="x")
    bad_answer = answer(("Understanding and supporting faith groups and their practices", HOUNSLOW),
                        ("This includes partnering with Groundswell.", LEWISHAM))
    plain = Question("p", "mosques?", ("hounslow",), "paraphrase")
    report = summarise([(good, TWO_VACCINE), (bad, bad_answer)],
                       [(plain, answer(("Understanding and supporting faith groups and their "
                                        "practices", HOUNSLOW)))], CASES)
    compare, followup = report.kinds["compare"], report.kinds["followup"]
    assert (compare.n, compare.content_right.mean, compare.read_badly.mean) == (1, 1.0, 0.0)
    assert (followup.content_right.mean, followup.read_badly.mean, followup.padding.mean) == (
        0.0, 1.0, 1.0)
    assert followup.failures == {"fragment": 1, "pronoun": 1, "title": 1, "off_topic": 1}
    assert report.kinds["all"].n == 2 and report.kinds["all"].read_badly.mean == 0.5
    assert report.followup.mean == 1.0 and report.followup.n == 1  # it does lead with Hounslow
    reading = report.reading["in_scope"]
    assert (reading.n, reading.read_badly.mean, reading.content_right.n) == (1, 1.0, 0)
    lines = "\n".join(answer_lines(report))
    assert "== answers" in lines and "\ncompare" in lines and "\nin_scope" in lines
    assert "follow-ups cite the right case study first: 1.000" in lines


def test_a_follow_up_sends_back_the_case_studies_the_answer_cited() -> None:
    assert reply(TWO_VACCINE) == {"role": "assistant", "content": TWO_VACCINE.answer,
                                  "case_studies": ["hounslow", "waltham"]}


# ---------------------------------------------------------------- the answer set


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_the_answer_set_is_labelled_split_and_written_in_its_own_words() -> None:
    questions = load_questions(ROOT / "eval" / "answers.jsonl")
    cases = {json.loads(line)["id"]: json.loads(line)
             for line in (ROOT / "corpus" / "case_studies.jsonl").read_text().splitlines()}
    by_id = {q.id: q for q in questions}
    runs = set()
    for case in cases.values():
        words = _words(case["title"] + " " + case["text"])
        runs |= {tuple(words[i:i + 7]) for i in range(len(words) - 6)}
    per_split = Counter()
    for q in questions:
        assert q.kind in KINDS and q.relevant and set(q.relevant) <= set(cases), q.id
        words = _words(q.question)
        assert not {tuple(words[i:i + 7]) for i in range(len(words) - 6)} & runs, q.id
        text = " ".join(cases[c]["text"] for c in q.relevant).lower()
        assert all(f.lower() in text for f in q.facts), q.id
        assert (q.kind == "fact") == bool(q.facts) and (q.kind == "where") == bool(q.boroughs)
        assert q.count is None or q.count == len(q.relevant)
        named = {b for c in q.relevant for b in cases[c]["boroughs"]}
        assert all(any(b in n for n in named) for b in q.boroughs), q.id
        assert (q.kind == "followup") == (q.follows in by_id), q.id
        per_split[q.kind, split_of(root_text(q, by_id))] += 1
    assert min(per_split[k, s] for k in KINDS for s in ("dev", "test")) >= 8
