"""Fixtures for the ingest tests: the committed snapshot page and what it parses to."""

from __future__ import annotations

from pathlib import Path

import pytest

from casebook.ingest.parse import parse_page
from casebook.records import CaseStudy
from casebook.settings import DEFAULT_SOURCE_URL

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_DIR = ROOT / "corpus" / "snapshot"
PAGE_PATH = SNAPSHOT_DIR / "social-prescribing-case-studies.html"
CASE_STUDIES_PATH = ROOT / "corpus" / "case_studies.jsonl"
DOCUMENTS_DIR = ROOT / "tests" / "fixtures" / "documents"
PAGE_URL = DEFAULT_SOURCE_URL


@pytest.fixture(scope="session")
def page_html() -> str:
    return PAGE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def cases(page_html: str) -> list[CaseStudy]:
    return parse_page(page_html, PAGE_URL)


@pytest.fixture
def snapshot_dir() -> Path:
    return SNAPSHOT_DIR


@pytest.fixture
def case_studies_path() -> Path:
    return CASE_STUDIES_PATH


@pytest.fixture
def documents_dir() -> Path:
    return DOCUMENTS_DIR
