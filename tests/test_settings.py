"""Settings through the real environment: list forms, paths read from one base folder, and
errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from casebook.cli.main import app
from casebook.settings import Settings


@pytest.mark.parametrize(("value", "expected"), [
    ("https://a.example", ["https://a.example"]),
    ("https://a.example, https://b.example", ["https://a.example", "https://b.example"]),
    ('["https://a.example", "https://b.example"]', ["https://a.example", "https://b.example"]),
    ("", []),
])
def test_list_settings_take_comma_separated_and_json(monkeypatch: pytest.MonkeyPatch, value: str,
                                                     expected: list[str]) -> None:
    monkeypatch.setenv("CASEBOOK_CORS_ORIGINS", value)
    monkeypatch.setenv("CASEBOOK_TRUSTED_PROXIES", value)
    settings = Settings()
    assert settings.cors_origins == expected
    assert settings.trusted_proxies == expected


@pytest.mark.parametrize(("env", "words"), [
    ({"CASEBOOK_CORS_ORIGINS": '["unclosed'}, ["CASEBOOK_CORS_ORIGINS", "JSON list"]),
    ({"CASEBOOK_PORT": "eighty"}, ["CASEBOOK_PORT", "valid integer", "'eighty'"]),
    ({"CASEBOOK_MAX_K": "0"}, ["CASEBOOK_MAX_K", "greater than or equal to 1"]),
    ({"CASEBOOK_RATE_LIMIT_STORAGE_URI": "redis"}, ["CASEBOOK_RATE_LIMIT_STORAGE_URI", "memory://"]),
    ({"CASEBOOK_CANDIDATE_DEPTH": "10", "CASEBOOK_MAX_K": "40"},
     ["CASEBOOK_CANDIDATE_DEPTH", "CASEBOOK_MAX_K"]),
    ({"CASEBOOK_FUSION": "rrf"}, ["CASEBOOK_FUSION", "rrf mode", "was removed", "convex"]),
    ({"CASEBOOK_FUSION": "weighted"}, ["CASEBOOK_FUSION", "weighted mode", "was removed", "convex"]),
])
@pytest.mark.parametrize("command", [["serve"], ["index", "info"], ["search", "vaccines"]])
def test_a_bad_setting_names_its_variable_without_a_traceback(env: dict[str, str], words: list[str],
                                                              command: list[str]) -> None:
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 2
    output = result.output
    for word in words:
        assert word in output
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_comma_separated_origin_starts_the_server_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from casebook.service.app import create_app

    monkeypatch.setenv("CASEBOOK_CORS_ORIGINS", "https://a.example")
    app = create_app()
    assert app.state.settings.cors_origins == ["https://a.example"]


@pytest.mark.parametrize("removed", ["rrf", "weighted", " RRF "])
def test_a_removed_fusion_names_what_replaced_it(monkeypatch: pytest.MonkeyPatch, removed: str) -> None:
    monkeypatch.setenv("CASEBOOK_FUSION", removed)
    with pytest.raises(ValidationError, match="was removed: search serves the convex fusion"):
        Settings()


def test_convex_is_the_fusion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEBOOK_FUSION", "convex")
    assert Settings().fusion == "convex"
    monkeypatch.setenv("CASEBOOK_FUSION", "max")
    with pytest.raises(ValidationError, match="'convex'"):
        Settings()


PATH_VARIABLES = ("CASEBOOK_BASE_DIR", "CASEBOOK_CORPUS_DIR", "CASEBOOK_INDEX_DIR",
                  "CASEBOOK_TUNED_PATH")


def test_paths_default_to_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PATH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.corpus_dir == Path("corpus") and settings.index_dir == Path("var/index")
    assert settings.tuned_file == Path("var/index/tuned.json")  # beside the builds it fits


def test_relative_paths_are_read_from_the_base_dir(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    for name in PATH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASEBOOK_BASE_DIR", str(tmp_path))
    settings = Settings()
    assert settings.case_studies_path == tmp_path / "corpus" / "case_studies.jsonl"
    assert settings.index_dir == tmp_path / "var" / "index"
    assert settings.tuned_file == tmp_path / "var" / "index" / "tuned.json"
    monkeypatch.setenv("CASEBOOK_INDEX_DIR", "/srv/casebook/index")  # absolute: as given
    monkeypatch.setenv("CASEBOOK_TUNED_PATH", "fitted/tuned.json")
    settings = Settings()
    assert settings.index_dir == Path("/srv/casebook/index")
    assert settings.tuned_file == tmp_path / "fitted" / "tuned.json"
    assert settings.corpus_dir == tmp_path / "corpus"
