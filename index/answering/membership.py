"""Which case studies belong in a list: P(this case study is about the question's topic), read
for each case study on its own (pure).

The calibrated search score is P(relevant) for the best-ranked case study: it keeps the fused
ranking, whose per-query normalisation puts the second and third case studies on a list far
below the first even when they are as much about the topic. A list, a count and "which
boroughs" need the chance that each case study is about the topic, whatever the others score.
So membership reads evidence that keeps its absolute size, and reads the topic alone: the
question's words less its scaffolding ("which case studies involve care coordinators?" asks
about "care coordinators"), embedded on its own and matched against every sentence of each case
study, which a whole question's vector dilutes.

The features, per case study (MEMBERSHIP_FEATURES):

- fused: its fused search score (the ranking retrieval already made),
- minilm_gap: how far its best passage's MiniLM cosine sits below the best case study's,
- bm25_share: its best passage's BM25 as a share of the best one's,
- phrase: the share of the topic's word pairs its text holds side by side (its single word,
  held or not, when the topic is one word),
- topic_minilm, topic_e5: its best sentence's cosine to the topic alone, by each model,
- topic_minilm_gap, topic_e5_gap: how far those sit below the best case study's.

A logistic model over them is fitted on the dev split's list, count and borough questions,
which label every case study that matches (eval/membership.py); `casebook eval --tune` writes it
to the tuned numbers with the floor a case study's probability must reach.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise, takewhile

import numpy as np

from casebook.index.answering.evidence import case_level
from casebook.index.text.acronyms import expand_acronyms
from casebook.index.text.terms import tokenize_roles
from casebook.records import Scored
from casebook.themes import Themes

MEMBERSHIP_FEATURES: tuple[str, ...] = (
    "fused", "minilm_gap", "bm25_share", "phrase", "topic_minilm", "topic_e5",
    "topic_minilm_gap", "topic_e5_gap")


def topic_stems(topic: str) -> list[str]:
    """The topic's stems in order, each once, acronyms spelled out in place."""
    return list(dict.fromkeys(tokenize_roles(expand_acronyms(topic, keep=False))))


@lru_cache(maxsize=4)
def _case_terms(texts: tuple[str, ...]) -> tuple[tuple[frozenset[str],
                                                         frozenset[tuple[str, str]]], ...]:
    """Per case study text: its stems, and its stems' pairs side by side."""
    out = []
    for text in texts:
        stems = tokenize_roles(expand_acronyms(text))
        out.append((frozenset(stems), frozenset(pairwise(stems))))
    return tuple(out)


def phrase_shares(stems: Sequence[str], texts: tuple[str, ...]) -> np.ndarray:
    """Per case study: the share of the topic's word pairs its text holds side by side; for a
    one-word topic, 1 where the text holds the word. 0 for a topic of no words."""
    pairs = list(pairwise(stems))
    out = np.zeros(len(texts))
    for i, (held, held_pairs) in enumerate(_case_terms(texts)):
        if pairs:
            out[i] = sum(p in held_pairs for p in pairs) / len(pairs)
        elif stems:
            out[i] = float(stems[0] in held)
    return out


# a case study says a topic outright where the topic's stems all stand within one more stem
# for every two the topic has: "hospital based Social Prescribing Link Workers" says "link
# workers based in a hospital" (two between four), "from their peers but also due to the
# support needed" does not say "peer support" (two between two)
SAID_SLACK_PER_STEM = 0.5


# a name of two capitalised words or more ("Macmillan Cancer Support", "Croydon Voluntary
# Action"): a word inside it names the organisation, not what the case study is about
_NAME = re.compile(r"\b[A-Z][\w'’&-]*(?:\s+(?:of\s+|and\s+|for\s+|by\s+|&\s+)?[A-Z][\w'’&-]*)+")


@lru_cache(maxsize=8)
def _case_sequences(texts: tuple[str, ...], names: bool = True) -> tuple[tuple[str, ...], ...]:
    """Per text: its stems in order, acronyms spelled out; without the words of its names
    where `names` is False."""
    kept = texts if names else tuple(_NAME.sub(" ", text) for text in texts)
    return tuple(tuple(tokenize_roles(expand_acronyms(text))) for text in kept)


def _says(stems: frozenset[str], sequence: tuple[str, ...], width: int) -> bool:
    return any(term in stems and stems <= set(sequence[i:i + width])
               for i, term in enumerate(sequence))


def _in_order(phrase: tuple[str, ...], sequence: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(sequence[i:i + n] == phrase for i in range(len(sequence) - n + 1))


def said_outright(stems: Sequence[str], texts: tuple[str, ...], common: float,
                  titles: bool = False) -> np.ndarray:
    """Per case study: 1 where its text says every stem of the topic close together, in any
    order (SAID_SLACK_PER_STEM), else 0. A case study that says the topic in the asker's own
    words is about it, however its sentences score: a list of what mentions "welfare checks"
    holds the one that mentions them in passing. All 0 where `common` (a share) or more of the
    texts say it: the field's own words ("link workers") pick no case study out. `titles`: the
    texts are titles, names themselves, whose every word counts."""
    wanted = frozenset(stems)
    if not wanted:
        return np.zeros(len(texts))
    width = len(wanted) + int(len(wanted) * SAID_SLACK_PER_STEM)
    # a topic is said outside a name: "Macmillan Cancer Support" funding a service does not
    # say the service is about cancer, nor about "supporting cancer"; a name says a phrase
    # in the asker's own order ("Vaccine Peer Support Champions" says "peer support")
    said = np.array([float(_says(wanted, seq, width))
                     for seq in _case_sequences(texts, names=titles)])
    if len(stems) > 1 and not titles:
        phrase = tuple(stems)
        said = np.maximum(said, [float(_in_order(phrase, seq))
                                 for seq in _case_sequences(texts, names=True)])
    return np.zeros(len(texts)) if said.sum() >= common * len(texts) else said


def says_all(sides: Sequence[Sequence[str]], text: str) -> bool:
    """Whether `text` (a sentence) holds every stem of some side of a topic."""
    held = set(tokenize_roles(expand_acronyms(text)))
    return any(side and set(side) <= held for side in sides)


def holds_rarest(sides: Sequence[Sequence[str]], texts: tuple[str, ...]) -> np.ndarray | None:
    """Per case study: 1 where its text holds the rarest stem of some side of the topic (a
    topic "X or Y" has two sides), the stem that sets the topic apart from what the field's
    texts all say ("federation" of "GP federations", "faith" of "faith groups"); else 0.
    None where a side holds no stem some text holds: nothing to read it by."""
    terms = _case_terms(texts)
    rarest: list[str] = []
    for stems in sides:
        df = {t: sum(t in held for held, _ in terms) for t in stems}
        kept = [t for t in stems if df[t] > 0]
        if not kept:
            return None
        rarest.append(min(kept, key=lambda t: (df[t], stems.index(t))))
    return np.array([float(any(t in held for t in rarest)) for held, _ in terms])


def scattered_rarest(sides: Sequence[Sequence[str]], texts: tuple[str, ...]) -> tuple[str, ...]:
    """Per side of a topic whose every stem some text holds, the stem the fewest texts hold
    (of a tie, the later: English puts the head last, "volunteers" of "used volunteers"). A
    side with a stem no text holds is read by its themes, not by a word of it, so is left out."""
    terms = _case_terms(texts)
    rarest: list[str] = []
    for stems in sides:
        df = [sum(t in held for held, _ in terms) for t in stems]
        if stems and min(df) > 0:
            rarest.append(stems[min(reversed(range(len(stems))), key=df.__getitem__)])
    return tuple(rarest)


def gated(p: np.ndarray, holds: np.ndarray | None, unheld: float | None,
          floor: float) -> np.ndarray:
    """`p` with a case study that lacks the topic's rarest stem kept only where its probability
    reaches `unheld` (else 0): a case study near the topic in meaning ("GP" for "GP
    federations") is on the list only if the model is sure of it. No gate (None), or none
    where no case study that holds the stem reaches `floor`: the stem is then the topic's word
    in another sense ("confidence" of "vaccine confidence", held by "build confidence")."""
    if holds is None or unheld is None or not np.any((holds > 0) & (p >= floor)):
        return p
    return np.where((holds > 0) | (p >= unheld), p, 0.0)


def themes_named(topic: str, catalogue: Themes) -> set[str]:
    """The themes (casebook/data/themes.json) a topic names: every word of it is a word of the
    theme's label ("loneliness", "isolation", "arts and creativity"), in any form ("lonely"). One of a theme's terms
    does not name it: "supervision" is a term of training and workforce, and asks about less;
    "gardening" is a term of physical activity that no case study says."""
    stems = set(tokenize_roles(topic))
    said = re.findall(r"[a-z]+", topic.lower())
    return {t.id for t in catalogue.themes if stems and (
        stems <= set(tokenize_roles(t.label)) or all(
            any(same_word(w, n) for n in re.findall(r"[a-z]+", t.label.lower())) for w in said))}


def same_word(a: str, b: str) -> bool:
    """Two forms of one word, as a stemmer may not see them: "lonely" and "loneliness",
    "isolated" and "isolation" (a shared start of five letters or more, with three at most
    left over of the shorter), an agent noun apart, as tokenize_roles keeps it."""
    if a == b:
        return True
    if bool(_AGENT.search(a)) != bool(_AGENT.search(b)):
        return False  # an agent noun is not its act: "vaccinators" are not "vaccination"
    shared = sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(a, b)))
    return shared >= 5 and min(len(a), len(b)) - shared <= 3


_AGENT = re.compile(r"(?:at|is|iz)(?:or|er)s?$")


def best_sentence(cosines: np.ndarray, sentence_rows: Mapping[str, Sequence[int]],
                  case_order: Sequence[str]) -> np.ndarray:
    """Per case study (in case_order): its best sentence's cosine, 0 where it has none."""
    out = np.zeros(len(case_order))
    for i, case_id in enumerate(case_order):
        rows = list(sentence_rows.get(case_id, ()))
        if rows:
            out[i] = float(np.max(cosines[rows]))
    return out


def features(scored: Scored, phrase: np.ndarray, topic_minilm: np.ndarray,
             topic_e5: np.ndarray) -> dict[str, np.ndarray]:
    """MEMBERSHIP_FEATURES per case study (in case_order), from one question's views and its
    topic's per-case evidence."""
    passage_case, cases = scored.rows.passage_case, scored.rows.cases
    fused = case_level(scored.fused if scored.fused is not None else scored.final,
                       passage_case, cases)
    minilm = case_level(scored.signals["minilm_passage"], passage_case, cases)
    bm25 = case_level(scored.signals.get("bm25", scored.lexical), passage_case, cases)
    top_bm25 = float(bm25.max()) if cases else 0.0
    return {
        "fused": fused,
        "minilm_gap": float(minilm.max()) - minilm,
        "bm25_share": bm25 / top_bm25 if top_bm25 > 0 else np.zeros(cases),
        "phrase": phrase,
        "topic_minilm": topic_minilm,
        "topic_e5": topic_e5,
        "topic_minilm_gap": float(topic_minilm.max()) - topic_minilm,
        "topic_e5_gap": float(topic_e5.max()) - topic_e5,
    }


def probabilities(values: Mapping[str, np.ndarray], coef: Sequence[float], bias: float,
                  names: Sequence[str] = MEMBERSHIP_FEATURES) -> np.ndarray:
    """sigmoid(bias + coef . features) per case study."""
    z = np.full(len(next(iter(values.values()))), bias, dtype=np.float64)
    for name, c in zip(names, coef):
        z += c * values[name]
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
