"""What was fitted on the dev split: fusion weights, the e5 cascade, score calibrations and the
answered / related / none models.

`casebook eval --tune` (which reads the dev split only) writes them to `Settings.tuned_file`
(tuned.json in the index folder, or CASEBOOK_TUNED_PATH), and search reads them from there; while
that file is absent, search reads those shipped with Casebook, `casebook/data/tuned.json`,
reviewed in a diff like any other data (copy a tuning run's file over it to ship its numbers).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from casebook.errors import IndexMismatchError, IndexNotReady

DATA_FILE = "tuned.json"
TUNED_HINT = ("Run `casebook eval --tune` to write them again, or delete the file to use the "
              "numbers shipped with Casebook.")
# one logistic per way a score is made: the hybrid with e5, the cascade's first stage without it,
# each single-view search mode, and similar projects
CALIBRATIONS = ("hybrid", "hybrid_cheap", "dense", "bm25", "similar")
# Optional: the hybrid for questions not in English, over views that read any language. When the
# foreign weights give MiniLM nothing either, search does not run MiniLM on such questions.
FOREIGN_CALIBRATION = "hybrid_foreign"
# Optional: the cascade's lexical stage (BM25 alone, retrieval/cascade.py); without it search
# never skips MiniLM for an English question.
LEXICAL_CALIBRATION = "hybrid_lexical"
# what a calibration reads from MiniLM's query vector
MINILM_FEATURES = ("minilm_top", "minilm_z", "sentence_minilm_top")
# past this the odds say nothing more, and a downstream logistic should not see extremes
LOGIT_LIMIT = 12.0


@dataclass(frozen=True)
class Logistic:
    """P(relevant) = sigmoid(bias + sum coef x feature): the calibrated score."""

    features: tuple[str, ...]
    coef: tuple[float, ...]
    bias: float

    def __call__(self, values: Mapping[str, float]) -> float:
        z = self.bias + sum(c * float(values[f]) for f, c in zip(self.features, self.coef))
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(self.features), "coef": list(self.coef), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Logistic:
        return cls(tuple(data["features"]), tuple(float(c) for c in data["coef"]),
                   float(data["bias"]))


@dataclass(frozen=True)
class Linear:
    """A logistic model's log-odds over a whole vector: bias + coef . vector."""

    coef: tuple[float, ...]
    bias: float

    @cached_property
    def _weights(self) -> np.ndarray:
        return np.asarray(self.coef, dtype=np.float32)

    def logit(self, vector: np.ndarray) -> float:
        if len(vector) != len(self.coef):
            raise IndexMismatchError(
                f"The tuned field model reads {len(self.coef)}-dimensional e5 vectors; this "
                f"e5 model makes {len(vector)}-dimensional ones.",
                hint="Run `casebook eval --tune` after changing the e5 model.")
        z = self.bias + float(self._weights @ np.asarray(vector, dtype=np.float32))
        return max(min(z, LOGIT_LIMIT), -LOGIT_LIMIT)

    def to_dict(self) -> dict[str, Any]:
        return {"coef": list(self.coef), "bias": self.bias}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Linear:
        return cls(tuple(float(c) for c in data["coef"]), float(data["bias"]))


@dataclass(frozen=True)
class Tuned:
    weights: dict[str, float]  # English questions
    weights_foreign: dict[str, float]  # questions not in English
    calibration: dict[str, Logistic]  # by search mode: hybrid, dense, bm25, similar
    # answered / related / none (answering/match.py): P(in the field), P(covered | in the field)
    domain: Logistic = Logistic((), (), 40.0)
    answer: Logistic = Logistic(("score",), (20.0,), -10.0)
    # the same for questions not in English, over features that mean the same in any language
    domain_any: Logistic = Logistic((), (), 40.0)
    answer_any: Logistic = Logistic(("score",), (20.0,), -10.0)
    provenance: dict[str, Any] = field(default_factory=dict)
    # the cascade's first stage (views without e5, English questions) and when it calls e5:
    # a top-two margin under cascade_margin (inf: always)
    weights_cheap: dict[str, float] = field(default_factory=dict)
    cascade_margin: float = math.inf
    # Optional: the log-odds that a question is about this field at all, read from its e5 query
    # vector (answering/evidence.py's field_e5); None until `casebook eval --tune` fits it
    field_e5: Linear | None = None
    # the cascade's lexical stage: BM25 alone serves an English query whose best case study
    # leads the second by this share of its score (inf: never)
    lexical_margin: float = math.inf
    # P(some case study answers the question) per calibration (retrieval/calibrate.py), from
    # query-level evidence; a calibration without one is the per-case model alone
    scope: dict[str, Logistic] = field(default_factory=dict)
    # Optional: P(a case study is about a list question's topic), for each case study on its
    # own (answering/membership.py), and the floor a list keeps; None until `casebook eval
    # --tune` fits it, and lists keep the calibrated score's floor
    membership: Logistic | None = None
    membership_floor: float = 0.5
    # Optional: the P(about the topic) at which a topic list's likeliest case study answers it
    # though the question as a whole was judged "related" or "none"; None: never
    membership_claim: float | None = None
    # Optional: the P(about the topic) a case study that lacks the topic's rarest word needs to
    # stay on a list (answering/membership.py's gated); None: no such gate
    membership_unheld: float | None = None

    def __post_init__(self) -> None:
        missing = [m for m in CALIBRATIONS if m not in self.calibration]
        if missing:
            raise ValueError(f"tuned numbers lack the calibration of {', '.join(missing)}: "
                             "run `casebook eval --tune` to fit them")
        if not self.weights_cheap:  # not fitted yet: the full weights without e5's views
            object.__setattr__(self, "weights_cheap", {
                k: w for k, w in self.weights.items() if not k.startswith("e5")})

    @property
    def served_lexical_margin(self) -> float:
        """The lexical stage's margin, inf where its calibration is missing."""
        return self.lexical_margin if LEXICAL_CALIBRATION in self.calibration else math.inf

    @property
    def foreign_reads_minilm(self) -> bool:
        """Whether a hybrid search in another language needs MiniLM's query vector: for its
        fusion weights or for the calibration of its score."""
        model = self.calibration.get(FOREIGN_CALIBRATION)
        weighted = any(k.startswith("minilm") and w > 0 for k, w in self.weights_foreign.items())
        scope = self.scope.get(FOREIGN_CALIBRATION)
        read = (*model.features, *(scope.features if scope else ())) if model else ()
        return model is None or weighted or any(name in MINILM_FEATURES for name in read)

    def to_dict(self) -> dict[str, Any]:
        return {"weights": self.weights, "weights_foreign": self.weights_foreign,
                "calibration": {k: v.to_dict() for k, v in self.calibration.items()},
                "domain": self.domain.to_dict(),
                "answer": self.answer.to_dict(), "domain_any": self.domain_any.to_dict(),
                "answer_any": self.answer_any.to_dict(), "weights_cheap": self.weights_cheap,
                "cascade_margin": self.cascade_margin if math.isfinite(self.cascade_margin)
                else None, "provenance": self.provenance,
                **({"field_e5": self.field_e5.to_dict()} if self.field_e5 is not None else {}),
                "lexical_margin": self.lexical_margin if math.isfinite(self.lexical_margin)
                else None,
                **({"scope": {k: v.to_dict() for k, v in self.scope.items()}}
                   if self.scope else {}),
                **({"membership": self.membership.to_dict(),
                    "membership_floor": self.membership_floor}
                   if self.membership is not None else {}),
                **({"membership_claim": self.membership_claim}
                   if self.membership_claim is not None else {}),
                **({"membership_unheld": self.membership_unheld}
                   if self.membership_unheld is not None else {})}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tuned:
        return cls(dict(data["weights"]), dict(data["weights_foreign"]),
                   {k: Logistic.from_dict(v) for k, v in data["calibration"].items()},
                   Logistic.from_dict(data["domain"]) if "domain" in data else cls.domain,
                   Logistic.from_dict(data["answer"]) if "answer" in data else cls.answer,
                   Logistic.from_dict(data["domain_any"]) if "domain_any" in data
                   else cls.domain_any,
                   Logistic.from_dict(data["answer_any"]) if "answer_any" in data
                   else cls.answer_any,
                   dict(data.get("provenance", {})),
                   dict(data.get("weights_cheap") or {}),
                   math.inf if data.get("cascade_margin") is None
                   else float(data["cascade_margin"]),
                   Linear.from_dict(data["field_e5"]) if data.get("field_e5") else None,
                   math.inf if data.get("lexical_margin") is None
                   else float(data["lexical_margin"]),
                   {k: Logistic.from_dict(v) for k, v in (data.get("scope") or {}).items()},
                   Logistic.from_dict(data["membership"]) if data.get("membership") else None,
                   float(data.get("membership_floor", cls.membership_floor)),
                   None if data.get("membership_claim") is None
                   else float(data["membership_claim"]),
                   None if data.get("membership_unheld") is None
                   else float(data["membership_unheld"]))

    def with_(self, **changes: Any) -> Tuned:
        return Tuned(**{**self.__dict__, **changes})


def uniform(views: Sequence[str]) -> dict[str, float]:
    return {v: 1.0 / len(views) for v in views}


@lru_cache(maxsize=1)
def packaged() -> Tuned:
    """The tuned numbers shipped with casebook."""
    text = resources.files("casebook").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return Tuned.from_dict(json.loads(text))


def load_tuned(path: Path) -> Tuned:
    """The numbers at `path` (`Settings.tuned_file`), or those shipped with Casebook while there
    is no file there."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return packaged()
    except OSError as exc:
        raise IndexNotReady(f"Cannot read the tuned numbers at {path.absolute()} "
                            f"({exc.strerror or exc}).", hint=TUNED_HINT) from None
    try:
        return Tuned.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexNotReady(f"The tuned numbers at {path.absolute()} cannot be read: {exc!r}.",
                            hint=TUNED_HINT) from None


def save_tuned(tuned: Tuned, path: Path) -> None:
    """Write `tuned` where `load_tuned(path)` reads it (its folder made if need be)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(tuned.to_dict(), indent=1) + "\n", encoding="utf-8")
