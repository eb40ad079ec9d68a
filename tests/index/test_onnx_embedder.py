"""The exported ONNX encoder reproduces the PyTorch model, and queries are batched and cached."""

import json
from pathlib import Path

import numpy as np
import pytest

from casebook.errors import IndexMismatchError
from casebook.hashing import sha256_file, sha256_files
from casebook.index import layout
from casebook.index.build import build_index
from casebook.index.embedder import Embedder
from casebook.index.manifest import IndexManifest
from casebook.index.onnx_embedder import ENCODER_DIR, MODEL_FILE, WEIGHTS_FILE, OnnxEmbedder
from casebook.index.retrieval.searcher import Searcher
from casebook.settings import Settings

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def questions() -> list[str]:
    lines = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def onnx(index_settings: Settings) -> OnnxEmbedder:
    return OnnxEmbedder(layout.current_build(index_settings.index_dir) / ENCODER_DIR).load()


def test_onnx_vectors_match_pytorch(onnx: OnnxEmbedder, embedder: Embedder,
                                    questions: list[str]) -> None:
    texts = questions + ["x", "social prescribing " * 400]  # one past the 256-token truncation
    cosines = np.sum(onnx.encode(texts) * embedder.encode(texts), axis=1)
    assert cosines.min() > 0.9999
    assert onnx.dimension == embedder.dimension == 384


def test_batch_order_is_input_order(onnx: OnnxEmbedder, questions: list[str]) -> None:
    texts = sorted(questions[:9], key=len, reverse=True) + ["hi"]
    one_by_one = np.stack([onnx._run([t])[0] for t in texts])
    assert np.allclose(onnx.encode(texts), one_by_one, atol=1e-5)


def test_a_micro_batch_of_mixed_lengths_is_each_query_alone(onnx: OnnxEmbedder,
                                                            questions: list[str]) -> None:
    texts = questions[:32] + ["hi", "social prescribing " * 60]
    one_by_one = np.stack([onnx._run([t])[0] for t in texts])
    assert np.allclose(onnx._run_grouped(texts), one_by_one, atol=1e-5)


def test_manifest_records_encoder_checksum(index_settings: Settings) -> None:
    build = layout.current_build(index_settings.index_dir)
    manifest = IndexManifest.read(build)
    assert manifest.encoder_runtime == "onnx"
    encoder = build / ENCODER_DIR
    assert manifest.encoder_sha256 == sha256_files([encoder / MODEL_FILE, encoder / WEIGHTS_FILE])
    assert manifest.files[f"{ENCODER_DIR}/{MODEL_FILE}"] == sha256_file(encoder / MODEL_FILE)
    assert manifest.files[f"{ENCODER_DIR}/{WEIGHTS_FILE}"] == sha256_file(encoder / WEIGHTS_FILE)


def test_repeated_query_comes_from_the_cache(index_settings: Settings) -> None:
    fresh = OnnxEmbedder(layout.current_build(index_settings.index_dir) / ENCODER_DIR)
    first = fresh.encode_one("befriending for older people")
    again = fresh.encode_one("befriending for older people")
    assert again is first and not again.flags.writeable
    assert (fresh.cache_info().hits, fresh.cache_info().misses) == (1, 1)


def test_searcher_uses_the_build_encoder(searcher: Searcher) -> None:
    assert isinstance(searcher.embedder, OnnxEmbedder)


def test_torch_runtime_keeps_the_pytorch_path(index_settings: Settings) -> None:
    searcher = Searcher.open(index_settings.model_copy(update={"embed_runtime": "torch"}))
    assert isinstance(searcher.embedder, Embedder)
    assert searcher.search("mosque vaccine", 1)


def test_index_without_encoder_is_refused_for_onnx(tmp_path: Path, index_settings: Settings,
                                                   embedder: Embedder) -> None:
    torch_settings = index_settings.model_copy(update={
        "index_dir": tmp_path / "index", "embed_runtime": "torch"})
    report = build_index(torch_settings, embedder, progress=False)
    assert report.manifest.encoder_runtime == "torch"
    assert not (report.path / ENCODER_DIR).exists()
    with pytest.raises(IndexMismatchError, match="CASEBOOK_EMBED_RUNTIME=torch"):
        Searcher.open(torch_settings.model_copy(update={"embed_runtime": "onnx"}))


def test_the_exported_graph_runs_fused_bert_kernels(index_settings: Settings) -> None:
    import onnx

    encoder = layout.current_build(index_settings.index_dir) / ENCODER_DIR
    # the weights are a file of their own (memory-mapped when served); the graph is small
    assert (encoder / MODEL_FILE).stat().st_size < 1_000_000 < (encoder / WEIGHTS_FILE).stat().st_size
    model = onnx.load(str(encoder / MODEL_FILE), load_external_data=False)
    ops = {node.op_type for node in model.graph.node}
    assert {"Attention", "SkipLayerNormalization", "EmbedLayerNormalization", "BiasGelu"} <= ops
    assert "Softmax" not in ops  # every layer's attention went into the fused kernel
