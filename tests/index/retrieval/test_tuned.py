"""The tuned numbers are read where `casebook eval --tune` writes them (`Settings.tuned_file`),
and the shipped ones while no file is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.errors import IndexNotReady
from casebook.index.retrieval.searcher import Searcher
from casebook.index.retrieval.tuned import load_tuned, packaged, save_tuned


def test_without_a_file_the_shipped_numbers_are_read(tmp_path: Path) -> None:
    assert load_tuned(tmp_path / "tuned.json") is packaged()


def test_what_is_saved_is_what_is_read(tmp_path: Path) -> None:
    fitted = packaged().with_(lexical_margin=0.35)
    save_tuned(fitted, tmp_path / "new" / "tuned.json")  # the folder is made
    assert load_tuned(tmp_path / "new" / "tuned.json").to_dict() == fitted.to_dict()
    assert load_tuned(tmp_path / "new" / "tuned.json").to_dict() != packaged().to_dict()


@pytest.mark.parametrize("content", ["{not json", '{"weights": {}}', "[]"])
def test_a_broken_file_is_named_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                content: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("tuned.json").write_text(content, encoding="utf-8")
    with pytest.raises(IndexNotReady) as caught:
        load_tuned(Path("tuned.json"))
    assert f"The tuned numbers at {tmp_path / 'tuned.json'} cannot be read" in caught.value.message
    assert "casebook eval --tune" in (caught.value.hint or "")


@pytest.mark.slow
def test_search_reads_the_numbers_from_where_tuning_writes_them(searcher: Searcher,
                                                                tmp_path: Path) -> None:
    # `casebook eval --tune` writes to settings.tuned_file unless --tuned-out says otherwise
    settings = searcher.settings.model_copy(update={"index_dir": tmp_path / "index"})
    assert settings.tuned_file == tmp_path / "index" / "tuned.json"
    fitted = packaged().with_(lexical_margin=0.35)
    save_tuned(fitted, settings.tuned_file)
    reading = Searcher(settings, searcher.stored, searcher.embedder, searcher.e5)
    assert reading.tuned.to_dict() == fitted.to_dict()
    assert Searcher(searcher.settings, searcher.stored, searcher.embedder,
                    searcher.e5).tuned is packaged()  # the session's index has no file
