"""A rebuild embeds only the passages and sentences whose text changed."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from casebook.index import layout
from casebook.index.build import build_index
from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR
from casebook.index.encoders.e5.onnx_encoder import MODEL_FILE as E5_MODEL_FILE
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.reuse import PASSAGE_VECTORS_FILE, embed_reusing, text_key
from casebook.index.store import load_index
from casebook.settings import Settings

pytestmark = pytest.mark.slow


class Counting:
    """Encodes each text as a vector of its length, and counts what it was asked to embed."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def encode(self, texts, *, progress: bool = False) -> np.ndarray:  # type: ignore[no-untyped-def]
        self.seen.extend(texts)
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)


def test_only_unknown_texts_are_embedded() -> None:
    known = {text_key("old"): np.array([9.0, 9.0], dtype=np.float32)}
    counting = Counting()
    out = embed_reusing(counting, ["old", "brand new", "old"], known, 2)
    assert counting.seen == ["brand new"]
    assert out.reused == 2 and out.keys[0] == out.keys[2] == text_key("old")
    assert out.vectors.tolist() == [[9, 9], [9, 1], [9, 9]]


def test_rebuild_after_one_changed_case_study(tmp_path: Path, index_settings: Settings,
                                              embedder: Embedder) -> None:
    shutil.copytree(index_settings.corpus_dir, tmp_path / "corpus")
    shutil.copytree(index_settings.index_dir, tmp_path / "index")
    settings = index_settings.model_copy(update={"corpus_dir": tmp_path / "corpus",
                                                 "index_dir": tmp_path / "index"})
    before = load_index(settings)
    lines = settings.case_studies_path.read_text(encoding="utf-8").splitlines()
    case = json.loads(lines[3])
    case["text"] = "A new opening sentence about a lunch club in a library. " + case["text"]
    lines[3] = json.dumps(case, ensure_ascii=False)
    settings.case_studies_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = build_index(settings, embedder, progress=False)
    # the e5 encoder, converted from the same weights, is copied rather than converted again
    # (a copy, not a hard link: builds share no file)
    model = Path(E5_ENCODER_DIR) / E5_MODEL_FILE
    assert (report.path / model).stat().st_ino != (before.path / model).stat().st_ino
    assert (report.path / model).read_bytes() == (before.path / model).read_bytes()
    assert report.manifest.e5_encoder_sha256 == before.manifest.e5_encoder_sha256
    total = report.manifest.passages + report.manifest.sentences
    changed = [p for p in load_index(settings).passages if p.case_id == case["id"]]
    assert 0 < total - report.manifest.reused_vectors <= len(changed) + 5
    assert report.path != before.path

    # the reused vectors are the ones a full build makes
    full = build_index(settings.model_copy(update={"index_dir": tmp_path / "full"}), embedder,
                       progress=False)
    assert full.manifest.reused_vectors == 0
    incremental = np.load(report.path / PASSAGE_VECTORS_FILE)
    assert np.allclose(incremental, np.load(full.path / PASSAGE_VECTORS_FILE), atol=1e-5)
    assert layout.current_build(settings.index_dir) == report.path
