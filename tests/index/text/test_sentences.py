"""Answer sentences: semicolons that join two clauses cut them, offsets stay true."""

import pytest

from casebook.index.text.sentences import clauses

TWO = ("There was a low number of vaccinators from the community; some women felt uncomfortable "
       "having their vaccine in a public area.")
LIST = "Support was requested with anxiety and headaches caused by this; and the need to talk."
LEANS = ("To support the newly appointed link workers at a difficult time; the CCG worked closely "
         "with the provider to develop a training programme.")
SHORT = "Tea; cakes; raffles and live entertainment every week for everyone who comes along."


@pytest.mark.parametrize(
    ("text", "pieces"),
    [(TWO, ["There was a low number of vaccinators from the community",
            "some women felt uncomfortable having their vaccine in a public area."]),
     (LIST, [LIST]), (LEANS, [LEANS]), (SHORT, [SHORT]),
     ("No semicolon here at all.", ["No semicolon here at all."])],
)
def test_clauses(text: str, pieces: list[str]) -> None:
    spans = clauses(100, text)
    assert [piece for _, piece in spans] == pieces
    for start, piece in spans:
        assert text[start - 100:start - 100 + len(piece)] == piece
