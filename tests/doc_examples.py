"""Example answers quoted in prose (the README, the notebook's summary), read back so that a test
can ask the real service the same questions and compare.

The form, in Markdown:

    Asked **"the question"** …, the service answers `match: "answered"` …:

    > the answer, as many lines as it takes
    >
    > [1] the titles it cites (optional)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

EXAMPLE = re.compile(r'Asked \*\*"([^"]+)"\*\*(.*?)\n\n((?:>[^\n]*(?:\n|$))+)', re.S)


@dataclass(frozen=True)
class Example:
    question: str
    match: str  # what the prose says /v1/ask's `match` is
    answer: str  # the quoted answer, white space collapsed
    cited: str  # the quote's part after its blank line: the titles cited, or ""


def examples_in(text: str) -> list[Example]:
    """Every example in `text`, in order."""
    found = []
    for question, said, quote in EXAMPLE.findall(text):
        match = re.search(r'match: "(\w+)"', said)
        assert match, f"the text does not say what match {question!r} gets"
        lines = [line[1:].strip() for line in quote.strip("\n").splitlines()]
        answer, _, cited = "\n".join(lines).partition("\n\n")
        found.append(Example(question, match.group(1), " ".join(answer.split()), cited))
    return found


def differences(examples: list[Example], base_url: str, where: str) -> list[str]:
    """What the service at `base_url` answers differently from the examples (empty: nothing)."""
    problems = []
    for example in examples:
        body = httpx.post(f"{base_url}/v1/ask", json={"question": example.question},
                          timeout=60).json()
        said = " ".join(body["answer"].split())
        if body["match"] != example.match or said != example.answer:
            problems.append(f"{where} quotes for {example.question!r} (match {example.match!r}):\n"
                            f"  {example.answer}\nbut the service answers (match "
                            f"{body['match']!r}):\n  {said}")
        cited = " ".join(example.cited.split())
        for citation in body["citations"] if cited else []:
            title = " ".join(citation["case_study"]["title"].split())
            if title not in cited:
                problems.append(f"{where} does not name {title!r}, which {example.question!r} cites")
    return problems
