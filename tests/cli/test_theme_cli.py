"""`casebook search --theme`."""

import json

import pytest
from typer.testing import CliRunner

from casebook.cli.main import app
from casebook.settings import Settings

pytestmark = pytest.mark.slow


def invoke(index_settings: Settings, *args: str):  # type: ignore[no-untyped-def]
    env = {"CASEBOOK_CORPUS_DIR": str(index_settings.corpus_dir),
           "CASEBOOK_INDEX_DIR": str(index_settings.index_dir)}
    return CliRunner().invoke(app, list(args), env=env)


def test_search_theme_json(index_settings: Settings) -> None:
    result = invoke(index_settings, "search", "people", "--theme", "refugees-and-migrants", "--json")
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)["results"]
    assert [r["case_study"]["id"] for r in results] == ["reducing-health-inequalities-supporting-refugees"]
    assert "refugees-and-migrants" in results[0]["case_study"]["themes"]


def test_search_unknown_theme_exits_2(index_settings: Settings) -> None:
    result = invoke(index_settings, "search", "people", "--theme", "astrology")
    assert result.exit_code == 2
    assert "Unknown theme 'astrology'" in result.output and "mental-health" in result.output
