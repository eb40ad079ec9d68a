"""The TEST split keeps retrieval, answers and similar projects from regressing.

Floors sit below what the tuned build achieved on test (`casebook eval`, figures below),
with room for the bootstrap interval's width, not at a level any build would pass.
"""

from pathlib import Path

import pytest

from casebook.eval.questions import load_questions, load_similar, select, select_similar
from casebook.eval.run import Report, report
from casebook.index.retrieval.searcher import Searcher

pytestmark = pytest.mark.slow
EVAL = Path(__file__).resolve().parents[2] / "eval"
# achieved on test with casebook/data/tuned.json, fitted on dev with the default int8 MiniLM
# views (`casebook eval`, 269 test questions; since 2026-12-07 the int8 weights are 7-bit, so
# CPUs with and without VNNI compute the same vectors): fusion Hit@1 0.895 [0.85,0.94], Recall@5 0.940
# [0.91,0.97], MRR@10 0.926 [0.89,0.96]; the served cascade 0.895 / 0.944 / 0.928; non-English
# Hit@1 0.810 [0.62,0.95]; in scope answered 0.937 [0.90,0.97], near miss not answered 0.907
# [0.81,0.98] of 43 (0.882 [0.76,0.97] of the 34 before 2026-12-07's list-shaped ones; 0.824
# before bare titles had to share a topic word), far none 1.000 (0.971
# [0.91,1.00] before the English lexicon); lead fact 0.892 [0.78,0.97]; similar precision@3
# 0.815 [0.72,0.91]. Each floor sits at or under the lower end of its interval.
FLOOR_HIT, FLOOR_RECALL, FLOOR_MRR = 0.84, 0.90, 0.89
FLOOR_NON_ENGLISH = 0.62
FLOOR_ANSWERED, FLOOR_NEAR_MISS_NOT_ANSWERED, FLOOR_FAR_NONE = 0.90, 0.75, 0.91
FLOOR_LEAD = 0.75
FLOOR_SIMILAR = 0.70
# what the cascade may lose against always calling e5 (it was chosen to lose at most 0.005 on dev)
CASCADE_MRR_LOSS = 0.02
# The top search score, in scope against out of scope (eval/calibration.py): AUC 0.949
# [0.92,0.97] on test with the scope calibration (0.824 [0.77,0.88] before it; 0.950 with 7-bit
# weights); the floor is the achieved value less the interval's width. The score is calibrated:
# its expected calibration error over the reliability bins was 0.007.
FLOOR_TOP_SCORE_AUC = 0.90
CEILING_CALIBRATION_ERROR = 0.03
# Answers as a reader meets them (eval/answers.jsonl, eval/answer_checks.py), achieved on test
# (`casebook eval`, 154 answer questions; 13 lists and counts were added on 2026-12-06, 14 more on
# 2026-12-07 in words the case studies do not use: "teenagers", "oncology", "the coronavirus
# jab", and 16 more that day by a writer who never ran Casebook, asking beyond one topic word:
# "coordinators of any sort", "say how many link workers they have"): content right fact 1.000,
# list 0.674 [0.53,0.81], count 0.889 [0.72,1.00], where 0.714 [0.50,0.93], compare, how,
# describe and follow-up 1.000, all 0.870 [0.81,0.92] (with 8-bit weights on a VNNI CPU: list
# 0.698, all 0.877). On the 138 before that writer's: list 0.750, count 0.941, where 0.900, all
# 0.928 (0.913 before a topic no case study says outright was read as the themes near it in
# meaning; before issue 18's rewrite: all 0.171; before list membership: list 0.400, count
# 0.500, where 0.600, all 0.820); on those 16: 6 right. Reads badly 0.052 [0.02,0.09] of them
# (0.000 of the 138) and 0.078 [0.05,0.11] of questions.jsonl's answers (before: 0.94 and
# 0.84), every failure an off-topic sentence: no
# fragment, no pronoun with nothing before it, no bare title. Each floor sits at or under the
# lower end of its interval, each ceiling at the upper end; the three reading failures that no
# answer has stay at none.
FLOOR_CONTENT = {"fact": 0.80, "list": 0.53, "count": 0.70, "where": 0.50, "compare": 0.75,
                 "how": 0.80, "describe": 0.95, "followup": 0.75, "all": 0.82}
CEILING_READS_BADLY = {"answers": 0.09, "questions": 0.12}
NEVER = ("fragment", "pronoun", "title")
FLOOR_FOLLOW_UP = 0.75


@pytest.fixture(scope="module")
def test_report(searcher: Searcher) -> Report:
    everything = load_questions(EVAL / "questions.jsonl")
    groups = load_similar(EVAL / "similar.jsonl")
    answers = load_questions(EVAL / "answers.jsonl")
    return report(searcher, select(everything, "test"), everything,
                  select_similar(groups, "test"), "test",
                  answer_set=select(answers, "test"), answer_all=answers)


def test_question_set_is_labelled_and_split(searcher: Searcher) -> None:
    questions = load_questions(EVAL / "questions.jsonl")
    ids = {c.id for c in searcher.case_studies()}
    for q in questions:
        assert set(q.relevant) <= ids, f"{q.id} names an unknown case study"
    test, dev = select(questions, "test"), select(questions, "dev")
    assert len(test) + len(dev) == len(questions) and min(len(test), len(dev)) >= 100


def test_fusion_meets_the_floor_on_test(test_report: Report) -> None:
    fusion = test_report.methods["fusion"]["all"]
    assert fusion.hit_at_1.mean >= FLOOR_HIT
    assert fusion.recall_at_5.mean >= FLOOR_RECALL
    assert fusion.mrr_at_10.mean >= FLOOR_MRR


def test_the_cascade_search_serves_keeps_the_fusions_ranking(test_report: Report) -> None:
    cascade, fusion = test_report.methods["cascade"]["all"], test_report.methods["fusion"]["all"]
    assert cascade.hit_at_1.mean >= FLOOR_HIT and cascade.recall_at_5.mean >= FLOOR_RECALL
    assert cascade.mrr_at_10.mean >= fusion.mrr_at_10.mean - CASCADE_MRR_LOSS
    served = next(r for r in test_report.cascade if r.margin == test_report.cascade_margin)
    assert served.e5_calls < 1.0  # it does skip e5 for some questions


def test_fusion_beats_the_old_hybrid_and_every_single_view(test_report: Report) -> None:
    m = test_report.methods
    singles = ("bm25", "minilm_passage", "minilm_case", "e5_passage", "e5_case")
    assert m["fusion"]["all"].mrr_at_10.mean >= max(m[s]["all"].mrr_at_10.mean for s in singles)
    assert m["fusion"]["all"].mrr_at_10.mean > m["rrf"]["all"].mrr_at_10.mean


def test_questions_in_other_languages_find_english_case_studies(test_report: Report) -> None:
    assert test_report.non_english["fusion"].n >= 8
    assert test_report.non_english["fusion"].mean >= FLOOR_NON_ENGLISH


def test_a_client_can_threshold_the_score(test_report: Report) -> None:
    calibration = test_report.calibration
    assert calibration is not None and calibration.auc.n == test_report.questions
    assert calibration.auc.mean >= FLOOR_TOP_SCORE_AUC
    assert calibration.ece <= CEILING_CALIBRATION_ERROR
    assert calibration.top_out_median < 0.5 <= calibration.top_in_median


def test_answers_are_honest(test_report: Report) -> None:
    d = test_report.decisions
    assert d["in_scope"]["answered"].mean >= FLOOR_ANSWERED
    assert 1 - d["near_miss"]["answered"].mean >= FLOOR_NEAR_MISS_NOT_ANSWERED
    assert d["far"]["none"].mean >= FLOOR_FAR_NONE


def test_the_lead_sentence_holds_the_fact(test_report: Report) -> None:
    assert test_report.lead_fact.n >= 10
    assert test_report.lead_fact.mean >= FLOOR_LEAD


def test_similar_projects(test_report: Report) -> None:
    assert test_report.similar["similar"].n >= 10
    assert test_report.similar["similar"].mean >= FLOOR_SIMILAR


def test_answers_hold_what_a_right_answer_holds(test_report: Report) -> None:
    answers = test_report.answers
    assert answers is not None
    for kind, floor in FLOOR_CONTENT.items():
        assert answers.kinds[kind].n >= 8, kind
        assert answers.kinds[kind].content_right.mean >= floor, kind


def test_answers_read(test_report: Report) -> None:
    answers = test_report.answers
    assert answers is not None
    assert answers.kinds["all"].read_badly.mean <= CEILING_READS_BADLY["answers"]
    assert answers.reading["all"].n == test_report.questions
    assert answers.reading["all"].read_badly.mean <= CEILING_READS_BADLY["questions"]
    for failure in NEVER:
        assert answers.kinds["all"].failures[failure] == 0, failure
        assert answers.reading["all"].failures[failure] == 0, failure


def test_follow_ups_stay_with_the_case_study_the_conversation_was_about(
        test_report: Report) -> None:
    answers = test_report.answers
    assert answers is not None and answers.followup.n >= 8
    assert answers.followup.mean >= FLOOR_FOLLOW_UP
