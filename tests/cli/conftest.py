"""Fixtures for the CLI tests: tests/fixtures/site/ served on loopback, and a scratch corpus."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback_site import CORPUS_DIR, Site


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus directory holding a copy of the committed snapshot and no case_studies.jsonl."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR / "snapshot", root / "snapshot")
    return root
