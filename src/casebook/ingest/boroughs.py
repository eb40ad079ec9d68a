"""London's 33 local authorities, their aliases, and the places that name exactly one of them."""

from __future__ import annotations

import re

BOROUGHS: tuple[str, ...] = (
    "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "City of London",
    "Croydon", "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey",
    "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea",
    "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge",
    "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest",
    "Wandsworth", "Westminster",
)

# Other names of a borough as a whole; canonical_borough accepts these too.
ALIASES: dict[str, str] = {
    "Barking & Dagenham": "Barking and Dagenham",
    "Hammersmith & Fulham": "Hammersmith and Fulham",
    "LBHF": "Hammersmith and Fulham",
    "Kensington & Chelsea": "Kensington and Chelsea",
    "RBKC": "Kensington and Chelsea",
    "Kingston": "Kingston upon Thames",
    "Richmond": "Richmond upon Thames",
    "City of Westminster": "Westminster",
}

# Places inside one borough, counted only when the text names them. A value of None marks a
# name that contains a borough's name but is not that borough (matched first, then dropped).
PLACES: dict[str, str | None] = {
    "Bromley by Bow": "Tower Hamlets",
    "Poplar": "Tower Hamlets",
    "Whitechapel": "Tower Hamlets",
    "Stockwell": "Lambeth",
    "Brixton": "Lambeth",
    "Streatham": "Lambeth",
    "Hampton": "Richmond upon Thames",
    "Twickenham": "Richmond upon Thames",
    "Walthamstow": "Waltham Forest",
    "Tottenham": "Haringey",
    "Wimbledon": "Merton",
    "Peckham": "Southwark",
    "Shoreditch": "Hackney",
    "Dalston": "Hackney",
    "Battersea": "Wandsworth",
    "Putney": "Wandsworth",
    "Tooting": "Wandsworth",
    "Woolwich": "Greenwich",
    "Deptford": "Lewisham",
    "Catford": "Lewisham",
    "Romford": "Havering",
    "Ilford": "Redbridge",
    "Uxbridge": "Hillingdon",
    "Bexleyheath": "Bexley",
    "Stratford": "Newham",
    "Brent Cross": "Barnet",
    "Stratford upon Avon": None,
    "Kingston upon Hull": None,
    "Sutton Coldfield": None,
}

_ALL_NAMES: dict[str, str | None] = {
    **{name: name for name in BOROUGHS},
    **ALIASES,
    **PLACES,
}


def _name_pattern(name: str) -> str:
    # "Bromley by Bow" also matches "Bromley-by-Bow"; "&" and "and" are interchangeable.
    words = [r"(?:&|and)" if w in ("&", "and") else re.escape(w) for w in name.split()]
    return r"[\s\-]+".join(words)


# Longest names first, so that at any position "Bromley by Bow" wins over "Bromley".
_BY_LENGTH = sorted(_ALL_NAMES, key=len, reverse=True)
_GROUP_NAMES = {f"n{i}": name for i, name in enumerate(_BY_LENGTH)}
_PATTERN = re.compile(
    r"\b(?:" + "|".join(f"(?P<{g}>{_name_pattern(n)})" for g, n in _GROUP_NAMES.items()) + r")\b",
    re.IGNORECASE,
)

_BOROUGH_PREFIX = re.compile(r"^(?:the\s+)?(?:london|royal)\s+borough\s+of\s+", re.IGNORECASE)
_LOOKUP: dict[str, str] = {
    re.sub(r"\s+", " ", key.replace("&", " and ")).lower(): value
    for key, value in {**{name: name for name in BOROUGHS}, **ALIASES}.items()
}


def find_boroughs(text: str) -> tuple[str, ...]:
    """Canonical names of the boroughs `text` names, directly or through a place, sorted."""
    found: set[str] = set()
    for match in _PATTERN.finditer(text):
        if match.group(0).islower():  # proper nouns only: "harrow" the tool is no borough
            continue
        borough = _ALL_NAMES[_GROUP_NAMES[match.lastgroup or ""]]
        if borough is not None:
            found.add(borough)
    return tuple(sorted(found))


def canonical_borough(name: str) -> str | None:
    """The canonical borough for a name or alias ("rbkc", "London Borough of Hounslow"), else None.

    Case-insensitive. Place names inside a borough ("Stockwell") are not boroughs and give None.
    """
    key = _BOROUGH_PREFIX.sub("", name.strip())
    key = re.sub(r"[\s\-]+", " ", key.replace("&", " and ")).strip().lower()
    return _LOOKUP.get(key)
