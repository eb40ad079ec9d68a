"""`casebook serve` sets up its process before anything loads: few malloc arenas."""

import os

import pytest

from casebook.cli import serve


def test_malloc_arenas_are_capped_for_this_process_and_its_workers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    serve._few_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == str(serve.MALLOC_ARENAS)


def test_the_operators_malloc_arena_max_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    serve._few_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == "8"
