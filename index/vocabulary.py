"""The field's vocabulary: acronyms people type, spelled out so both forms match."""

from __future__ import annotations

import re
from functools import lru_cache

# Acronym -> what it stands for in London social prescribing and NHS commissioning.
ACRONYMS: dict[str, str] = {
    "SPLW": "social prescribing link worker",
    "SP": "social prescribing",
    "LW": "link worker",
    "ARRS": "additional roles reimbursement scheme",
    "PCN": "primary care network",
    "DES": "directed enhanced service",
    "VCSE": "voluntary community and social enterprise sector",
    "VCS": "voluntary and community sector",
    "HIU": "high intensity user",
    "LTC": "long term condition",
    "CYP": "children and young people",
    "MDT": "multi-disciplinary team",
    "CCG": "clinical commissioning group",
    "ICS": "integrated care system",
    "ICB": "integrated care board",
    "A&E": "accident and emergency emergency department",
    "ED": "emergency department accident and emergency",
    "GP": "general practice doctor",
    "NHS": "national health service",
    "HWBC": "health and wellbeing coach",
    "WBC": "wellbeing coach",
    "CC": "care coordinator",
    "RBKC": "royal borough of kensington and chelsea",
    "H&F": "hammersmith and fulham",
    "LBHF": "london borough of hammersmith and fulham",
    "K&C": "kensington and chelsea",
    "B&D": "barking and dagenham",
    "NCL": "north central london",
    "NWL": "north west london",
    "SWL": "south west london",
    "SEL": "south east london",
    "NEL": "north east london",
    "HLP": "healthy london partnership",
    "CSU": "commissioning support unit",
    "CIC": "community interest company",
    "VPSC": "vaccine peer support champions",
    "SWA": "social welfare alliance",
    "LBL": "lewisham council london borough of lewisham",
    "VSL": "voluntary services lewisham",
    "MH": "mental health",
    "LD": "learning disabilities",
    "BAME": "black asian and minority ethnic",
    "WHICH": "westminster high intensity care hub",
}

# Acronyms that are also everyday words: only their upper-case form is expanded.
CASE_SENSITIVE = {"WHICH", "SP", "CC", "ED", "DES", "LD", "MH", "SEL", "NEL"}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    names = sorted(ACRONYMS, key=len, reverse=True)
    alternation = "|".join(re.escape(name) for name in names)
    # optional plural "s" ("SPLWs", "PCNs"); letters or "&" may not continue the word
    return re.compile(rf"(?<![\w&])({alternation})(s?)(?![\w&])", re.IGNORECASE)


def expand_acronyms(text: str) -> str:
    """Append each acronym's expansion after it: "SPLWs" -> "SPLWs (social prescribing link worker)"."""

    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        key = word.upper()
        if key in CASE_SENSITIVE and word != key:
            return match.group(0)
        return f"{match.group(0)} ({ACRONYMS[key]})"

    return _pattern().sub(replace, text)
