"""Questions after case studies like one named (answering/alike.py)."""

from __future__ import annotations

import pytest

from casebook.index.answering.alike import named_alike


@pytest.mark.parametrize(("question", "named"), [
    ("Show me case studies similar to the Well Centre", "the Well Centre"),
    ("projects like Crawley Posh Club?", "Crawley Posh Club"),
    ("Are there others like the Bromley by Bow pilot?", "the Bromley by Bow pilot"),
    # "like this" names nothing; "would like" asks for nothing alike
    ("Are there social prescribing case studies like this?", None),
    ("I would like to know about loneliness", None),
    ("What would you like to know?", None),
])
def test_named_alike(question: str, named: str | None) -> None:
    assert named_alike(question) == named
