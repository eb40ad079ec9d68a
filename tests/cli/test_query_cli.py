"""`casebook index`, `search`, `ask`, `similar` and `eval` through typer's CliRunner."""

import json

import pytest
from typer.testing import CliRunner

from casebook.cli.main import app
from casebook.settings import Settings

pytestmark = pytest.mark.slow
HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"
QUESTION = "How did others reach Muslim communities about vaccines?"


@pytest.fixture(scope="module")
def run(index_settings: Settings):  # type: ignore[no-untyped-def]
    env = {"CASEBOOK_CORPUS_DIR": str(index_settings.corpus_dir),
           "CASEBOOK_INDEX_DIR": str(index_settings.index_dir)}
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), env=env)

    return invoke


def test_search_human_and_json(run) -> None:  # type: ignore[no-untyped-def]
    human = run("search", QUESTION, "--k", "3")
    assert human.exit_code == 0, human.output
    as_json = run("search", QUESTION, "--k", "3", "--json")
    body = json.loads(as_json.stdout)
    ids = [r["case_study"]["id"] for r in body["results"]]
    assert HOUNSLOW in ids[:2]
    assert human.output.startswith(f"1. {body['results'][0]['case_study']['title']}")
    explained = json.loads(run("search", QUESTION, "--k", "1", "--json", "--explain").stdout)
    # explain shows the views that ran: the cascade's cheap ones always, e5's when it was called
    assert {"bm25", "minilm_passage", "minilm_case", "fused"} <= set(
        explained["results"][0]["explain"])
    assert len(body["results"]) == 3


def test_ask_json_and_out_of_scope(run) -> None:  # type: ignore[no-untyped-def]
    body = json.loads(run("ask", QUESTION, "--json").stdout)
    assert body["found"] and HOUNSLOW in [c["case_study"]["id"] for c in body["citations"]]
    human = run("ask", "What is the capital of Australia?")
    assert human.exit_code == 0
    assert "I could not find a case study about that." in human.output


def test_ask_shows_a_list_answer_as_a_list(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "Which boroughs worked on Covid-19 vaccine hesitancy?")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Four boroughs worked on Covid-19 vaccine hesitancy:")
    entries = [line for line in lines if line.startswith("- ")]
    assert sorted(e.split(":")[0] for e in entries) == ["- Hounslow", "- Newham", "- Southwark",
                                                         "- Waltham Forest"]


def test_similar_by_id_and_text(run) -> None:  # type: ignore[no-untyped-def]
    body = json.loads(run("similar", HOUNSLOW, "--json").stdout)
    assert HOUNSLOW not in [r["case_study"]["id"] for r in body["results"]]
    text = run("similar", "--text", "guided meditation for anxious clients", "--k", "1", "--json")
    assert json.loads(text.stdout)["results"][0]["case_study"]["id"] == "ealing-guided-meditation-for-wellbeing"
    both = run("similar", HOUNSLOW, "--text", "x")
    assert both.exit_code == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["search", ""], "The query is empty."),
        (["search", "x" * 10_000], "the limit is 2000"),
        (["search", "vaccines", "--k", "0"], "k must be between 1 and 50"),
        (["similar", "no-such-case"], "No case study has the id 'no-such-case'."),
    ],
)
def test_bad_input_exits_2_with_a_message(run, args: list[str], says: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


def test_index_info_and_mismatch_message(run, index_settings: Settings) -> None:  # type: ignore[no-untyped-def]
    info = json.loads(run("index", "info", "--json").stdout)
    assert info["model"] == "all-MiniLM-L6-v2" and info["case_studies"] == 34
    runner = CliRunner()
    other = runner.invoke(app, ["search", "vaccines"], env={
        "CASEBOOK_INDEX_DIR": str(index_settings.index_dir),
        "CASEBOOK_CORPUS_DIR": str(index_settings.corpus_dir),
        "CASEBOOK_MODEL": "some/other-model"})
    assert other.exit_code == 1
    assert "built with model 'all-MiniLM-L6-v2'" in other.output
    assert "casebook index build" in other.output


def test_eval_prints_every_method_per_split(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a few questions of each split keep the command quick; the floor test runs the whole set
    from casebook.eval.questions import split_of

    rows = [{"id": "a", "question": QUESTION, "relevant": [HOUNSLOW], "kind": "paraphrase"},
            {"id": "b", "question": "vaccine hesitancy in mosques", "relevant": [HOUNSLOW],
             "kind": "topic"},
            {"id": "c", "question": "Mosque outreach on the Covid jab", "relevant": [HOUNSLOW],
             "kind": "everyday"},
            {"id": "d", "question": "How do I renew my passport?", "relevant": [], "kind": "far"}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    answers = answer_set(tmp_path)
    tests = [r for r in rows if split_of(r["question"]) == "test"]
    result = run("eval", str(path), "--similar", str(tmp_path / "none.jsonl"), "--answer-set",
                 answers)
    assert result.exit_code == 0, result.output
    assert "split test" in result.output
    assert "in sample" not in result.output  # test is the split nothing was fitted on
    for method in ("bm25", "minilm_passage", "e5_passage", "rrf", "fusion"):
        assert f"\n{method} " in result.output
    assert "== answers" in result.output and "\nfollowup " in result.output
    body = json.loads(run("eval", str(path), "--split", "all", "--json", "--answer-set",
                          answers).stdout)
    assert body["answers"]["kinds"]["count"]["n"] == 1
    assert body["answers"]["kinds"]["followup"]["n"] == 1
    assert body["split"] == "all" and body["questions"] == 4
    assert body["methods"]["fusion"]["all"]["hit_at_1"]["n"] == 3
    far = body["decisions"]["far"]
    assert far["none"]["n"] == 1 and far["answered"]["mean"] + far["related"]["mean"] + far["none"]["mean"] == 1.0
    dev = json.loads(run("eval", str(path), "--dev", "--json", "--answer-set", answers).stdout)
    assert dev["questions"] == len(rows) - len(tests)
    assert "in sample: the weights" in run("eval", str(path), "--dev", "--answer-set",
                                           answers).output


def answer_set(tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A count question and a follow-up pair (eval/answers.jsonl's shape): quick to ask."""
    rows = [{"id": "c", "question": "How many case studies cover Covid-19 vaccine hesitancy?",
             "kind": "count", "relevant": [HOUNSLOW], "count": 1},
            {"id": "o", "question": "How did Hounslow approach faith groups?", "kind": "how",
             "relevant": [HOUNSLOW]},
            {"id": "f", "question": "And how many mosques are there?", "kind": "followup",
             "relevant": [HOUNSLOW], "follows": "o"}]
    path = tmp_path / "answers.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return str(path)


def test_eval_answers_prints_each_question_and_its_whole_answer(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "a", "question": QUESTION, "relevant": [HOUNSLOW],
                                "kind": "paraphrase"}) + "\n", encoding="utf-8")
    result = run("eval", str(path), "--split", "all", "--answers", "--answer-set",
                 answer_set(tmp_path), "--similar", str(tmp_path / "none.jsonl"))
    assert result.exit_code == 0, result.output
    for heading in ("## c [count]", "## o [how]", "## f [followup]", "(follows o)",
                    f"## a [paraphrase] {QUESTION}"):
        assert heading in result.output
    assert "Hit@1" not in result.output  # the answers, not the tables
    assert HOUNSLOW in result.output  # the citations are listed


def test_version_and_help(run) -> None:  # type: ignore[no-untyped-def]
    assert run("--version").output.startswith("casebook ")
    help_text = run("--help").output
    for command in ("ingest", "index", "serve", "search", "ask", "similar", "eval"):
        assert command in help_text


def test_paths_are_read_from_the_base_dir(index_settings: Settings) -> None:
    root = index_settings.index_dir.parent  # holds corpus/ and the index folder
    env = {"CASEBOOK_BASE_DIR": str(root), "CASEBOOK_CORPUS_DIR": "corpus",
           "CASEBOOK_INDEX_DIR": index_settings.index_dir.name}
    found = CliRunner().invoke(app, ["search", QUESTION, "--k", "3", "--json"], env=env)
    assert found.exit_code == 0, found.output
    assert HOUNSLOW in [r["case_study"]["id"] for r in json.loads(found.stdout)["results"]]
    missing = CliRunner().invoke(app, ["search", QUESTION],
                                 env={**env, "CASEBOOK_INDEX_DIR": "elsewhere"})
    assert missing.exit_code != 0
    assert f"No index has been built yet at {root / 'elsewhere'}." in missing.output


def test_eval_refit_refits_only_the_parts_named(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from casebook.eval.questions import split_of
    from casebook.index.retrieval.tuned import packaged

    wrong = run("eval", "--refit", "everything")
    assert wrong.exit_code != 0 and "--refit takes lists or decision" in wrong.output
    asked = [("Which case studies are about Covid-19 vaccine hesitancy?", "covid-19-vaccinations"),
             ("Is there anything on homelessness?", "reducing-health-inequalities-health-inclusion"),
             ("Which case studies involve care coordinators?", "reducing-health-inequalities"),
             ("How many case studies deal with vaccine worries?", "covid-19-vaccinations"),
             ("Are there case studies about young people?", "the-well-centre")]
    rows = [{"id": f"l{i}", "question": q, "kind": "list", "relevant": [HOUNSLOW, case]}
            for i, (q, case) in enumerate(asked) if split_of(q) == "dev"]
    assert len(rows) >= 2
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "tuned.json"
    result = run("eval", "--refit", "lists", "--tuned-out", str(out), "--answer-set",
                 str(answers), "--similar", str(tmp_path / "none.jsonl"))
    assert result.exit_code == 0, result.output
    written, shipped = json.loads(out.read_text(encoding="utf-8")), packaged().to_dict()
    # those about a topic alone: a question naming an organisation is read from the records
    assert 2 <= written["provenance"]["membership"]["questions"] <= len(rows)
    assert written["membership"] != shipped["membership"]
    assert written["provenance"]["membership"]["claim"]["claim"] == written["membership_claim"]
    for key in set(shipped) - {"membership", "membership_floor", "membership_claim",
                               "membership_unheld", "provenance"}:
        assert written[key] == shipped[key], key
