"""The shared JSONL reader/writer and sha256 helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casebook.errors import CorpusError, IndexCorruptError
from casebook.jsonl import read_json_object, read_jsonl, write_jsonl, write_text_atomic


def pair(row: dict[str, Any]) -> tuple[str, int]:
    return (row["name"], int(row["n"]))


def test_round_trip_keeps_text_as_written(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "rows.jsonl"
    write_jsonl(path, [{"name": "Café “quoted”", "n": 1}, {"name": "b", "n": 2}])
    assert "Café “quoted”" in path.read_text(encoding="utf-8")
    assert read_jsonl(path, pair, error=CorpusError, what="a pair") == [("Café “quoted”", 1), ("b", 2)]
    assert [p.name for p in path.parent.iterdir()] == ["rows.jsonl"]  # no temporary file left


@pytest.mark.parametrize(("line", "detail"), [
    ("{oops", "Expecting property name"),
    ('{"name": "x"}', "missing field 'n'"),
    ('"text"', "expected a JSON object, got str"),
    ('{"name": "x", "n": "many"}', "invalid literal"),
])
def test_a_bad_line_raises_the_callers_error_naming_file_and_line(
        tmp_path: Path, line: str, detail: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"name": "a", "n": 1}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(IndexCorruptError) as info:
        read_jsonl(path, pair, error=IndexCorruptError, what="a pair", hint="Rebuild it.")
    assert info.value.message.startswith(f"{path}, line 3: not a pair (")
    assert detail in info.value.message and info.value.hint == "Rebuild it."


def test_a_missing_file_gets_the_callers_message(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"^No pairs at .*nope\.jsonl\. Make them\.$"):
        read_jsonl(tmp_path / "nope.jsonl", pair, error=CorpusError, what="a pair",
                   missing="No pairs at {path}.", hint="Make them.")


def test_one_object_is_read_none_where_absent_and_a_bad_one_raises_the_callers_error(
        tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    assert read_json_object(path, dict, error=IndexCorruptError, what="a page record") is None
    write_text_atomic(path, '{"title": "Case studies"}')
    assert read_json_object(path, dict, error=IndexCorruptError, what="a page record") == {
        "title": "Case studies"}
    path.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=r"page\.json is not a page record") as raised:
        read_json_object(path, dict, error=IndexCorruptError, what="a page record", hint="Rebuild.")
    assert raised.value.hint == "Rebuild."
