"""Questions after case studies like one named (answering/alike.py)."""

from __future__ import annotations

import pytest

from casebook.index.answering.alike import named_alike, points_alike


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


@pytest.mark.parametrize(("question", "pointed"), [
    ("are there any others like it?", True),
    ("find similar projects", True),
    ("more like that one", True),
    ("projects like the Well Centre", False),  # names its own
    ("what is it like?", False),
    # a project described, then "like this": the project it describes
    ("We run walking football for men over 60 with GPs referring to us. Are there social "
     "prescribing case studies like this?", False),
])
def test_points_alike(question: str, pointed: bool) -> None:
    assert points_alike(question) is pointed
