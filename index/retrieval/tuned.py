"""What was fitted on the dev split: fusion weights, score calibration, match thresholds.

The numbers live in `casebook/data/tuned.json`, written by `casebook eval --tune` (which
reads the dev split only) and reviewed in a diff like any other data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping, Sequence

DATA_FILE = "tuned.json"


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
class Tuned:
    weights: dict[str, float]  # English questions
    weights_foreign: dict[str, float]  # questions not in English
    calibration: dict[str, Logistic]  # by search mode: hybrid, dense, bm25, similar
    answered: float = 0.5  # calibrated score at or above which a covered question is answered
    coverage: float = 0.5  # share of the question's content (by idf) the best passages hold
    none_below: float = 0.0  # calibrated score under which the question is outside the domain
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"weights": self.weights, "weights_foreign": self.weights_foreign,
                "calibration": {k: v.to_dict() for k, v in self.calibration.items()},
                "answered": self.answered, "coverage": self.coverage,
                "none_below": self.none_below, "provenance": self.provenance}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Tuned:
        return cls(dict(data["weights"]), dict(data["weights_foreign"]),
                   {k: Logistic.from_dict(v) for k, v in data["calibration"].items()},
                   float(data.get("answered", 0.5)), float(data.get("coverage", 0.5)),
                   float(data.get("none_below", 0.0)), dict(data.get("provenance", {})))

    def with_(self, **changes: Any) -> Tuned:
        return Tuned(**{**self.__dict__, **changes})


def uniform(views: Sequence[str]) -> dict[str, float]:
    return {v: 1.0 / len(views) for v in views}


@lru_cache(maxsize=1)
def packaged() -> Tuned:
    """The tuned numbers shipped with casebook."""
    text = resources.files("casebook").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    return Tuned.from_dict(json.loads(text))
