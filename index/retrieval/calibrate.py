"""Calibrated relevance: a logistic model maps a passage's fused score, with how strongly the
query matched anything at all, to P(relevant) in [0, 1] (fitted on dev by `casebook eval --tune`).

The query-level features are the same for every passage of one query, so the calibrated score
keeps the fused ranking while moving the whole list up or down: a 0.8 means as much for
"loneliness" as for a paragraph describing a project.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from casebook.index.retrieval.tuned import Logistic


def query_features(raw: Mapping[str, np.ndarray], english: bool) -> dict[str, float]:
    """How well the query matched its best passage in each raw view, before normalisation."""
    top = {name: float(np.max(values)) if len(values) else 0.0 for name, values in raw.items()}
    return {
        "minilm_top": top.get("minilm_passage", 0.0),
        "e5_top": top.get("e5_passage", 0.0),
        "bm25_top": float(np.log1p(max(top.get("bm25", 0.0), 0.0))),
        "english": 1.0 if english else 0.0,
    }


def calibrated(fused: np.ndarray, features: Mapping[str, float], model: Logistic) -> np.ndarray:
    """sigmoid(bias + coef . features) per passage; "fused" is the per-passage feature."""
    z = np.full(len(fused), model.bias, dtype=np.float64)
    for name, coef in zip(model.features, model.coef):
        z += coef * (fused if name == "fused" else features[name])
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
