"""`casebook ask` and `casebook eval --generate` with a real model server, and without one."""

from __future__ import annotations

import json
from pathlib import Path

from llama_process import LlamaServer
from typer.testing import CliRunner

from casebook.cli.main import app
from casebook.settings import Settings

HOUNSLOW = "covid-19-vaccinations-understanding-and-supporting-faith"
QUESTION = "How did others reach Muslim communities about vaccines?"


def env_for(settings: Settings, server: LlamaServer | None = None) -> dict[str, str]:
    env = {"CASEBOOK_CORPUS_DIR": str(settings.corpus_dir),
           "CASEBOOK_INDEX_DIR": str(settings.index_dir), "CASEBOOK_LLM_URL": "",
           "CASEBOOK_LLM_MODEL": ""}
    if server is not None:
        env |= {"CASEBOOK_LLM_URL": server.base_url, "CASEBOOK_LLM_MODEL": server.model,
                # a short reply, as in written.py: 400 tokens outran the deadline on a busy machine
                "CASEBOOK_LLM_TIMEOUT_S": "100", "CASEBOOK_REQUEST_TIMEOUT_S": "120",
                "CASEBOOK_LLM_MAX_TOKENS": "64"}
    return env


def test_eval_generate_needs_a_model(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--generate"], env={
        "CASEBOOK_INDEX_DIR": str(tmp_path), "CASEBOOK_LLM_URL": ""})
    assert result.exit_code == 2
    assert "CASEBOOK_LLM_URL" in result.output


def test_a_url_without_a_model_name_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ask", "anything"], env={
        "CASEBOOK_LLM_URL": "http://127.0.0.1:9/v1", "CASEBOOK_LLM_MODEL": ""})
    assert result.exit_code == 2
    assert "CASEBOOK_LLM_MODEL" in result.output


def test_ask_and_eval_generate_against_the_real_server(
        llm_server: LlamaServer, index_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    env = env_for(index_settings, llm_server)
    asked = runner.invoke(app, ["ask", QUESTION, "--json"], env=env)
    assert asked.exit_code == 0, asked.output
    body = json.loads(asked.stdout)
    assert body["generation"]["reason"] in (None, "checked_out")
    human = runner.invoke(app, ["ask", QUESTION], env=env)
    assert "(written by the model" in human.output or \
        "(quoted: the model's answer was not used: checked_out)" in human.output

    rows = [{"id": "a", "question": QUESTION, "relevant": [HOUNSLOW], "kind": "paraphrase"},
            {"id": "d", "question": "How do I renew my passport?", "relevant": [], "kind": "far"}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(path), "--split", "all", "--generate", "--json"],
                           env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["questions"] == 2 and report["sent"] == 1  # the passport question is never sent
    assert report["generated"] + sum(report["fallbacks"].values()) == 1
    assert set(report["fallbacks"]) <= {"checked_out"}
    assert report["sentences"] >= 1 and 0 <= report["kept"] <= report["sentences"]
    assert report["latency_s"]["p50"] > 0 and "plumbing" in report["note"]
    text = runner.invoke(app, ["eval", str(path), "--split", "all", "--generate"], env=env)
    assert "sentences kept by the citation check" in text.output
    assert "latency of a call" in text.output
    full = runner.invoke(app, ["eval", str(path), "--split", "all", "--generate", "--answers"],
                         env=env)
    assert f"a [en] {QUESTION}" in full.output and "passport" not in full.output
