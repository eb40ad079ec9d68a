"""The exported ONNX encoder reproduces the PyTorch model, and queries are batched and cached."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from casebook.errors import IndexMismatchError
from casebook.hashing import sha256_file, sha256_files
from casebook.index import layout
from casebook.index.build import build_index
from casebook.index.encoders.minilm.onnx_encoder import ENCODER_DIR, MODEL_FILE, WEIGHTS_FILE, OnnxEmbedder
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.manifest import IndexManifest
from casebook.index.retrieval.searcher import Searcher
from casebook.settings import Settings

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow

# the lowest cosine an int8 vector may keep to the full-precision one (see the int8 tests)
INT8_FLOOR = 0.955


@pytest.fixture(scope="module")
def questions() -> list[str]:
    lines = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def onnx(index_settings: Settings) -> OnnxEmbedder:
    """The session build's encoder: the default, int8."""
    return OnnxEmbedder(layout.current_build(index_settings.index_dir) / ENCODER_DIR).load()


@pytest.fixture(scope="module")
def fp32_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """An fp32 export of the default model (what int8 is quantised from)."""
    from casebook.index.encoders.minilm.export import export_onnx

    directory = tmp_path_factory.mktemp("fp32") / ENCODER_DIR
    export_onnx(embedder, directory, precision="fp32")
    return directory


@pytest.fixture(scope="module")
def fp32(fp32_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(fp32_dir, query_cache_size=0).load()


def test_fp32_vectors_match_pytorch(fp32: OnnxEmbedder, embedder: Embedder,
                                    questions: list[str]) -> None:
    texts = [*questions, "x", "social prescribing " * 400]  # one past the 256-token truncation
    cosines = np.sum(fp32.encode(texts) * embedder.encode(texts), axis=1)
    assert cosines.min() > 0.9999
    assert fp32.dimension == embedder.dimension == 384


def test_int8_vectors_stay_close_to_pytorch(onnx: OnnxEmbedder, embedder: Embedder,
                                            questions: list[str]) -> None:
    texts = [*questions, "x", "social prescribing " * 400]
    cosines = np.sum(onnx.encode(texts) * embedder.encode(texts), axis=1)
    # INT8_FLOOR: the worst text's cosine moves with the quantiser's release and settings
    # (0.9607 with the locked onnx 1.23.2 / onnxruntime 1.32.0 and 7-bit weights, the same with
    # or without VNNI); the median says the vectors as a whole stay put
    assert cosines.min() > INT8_FLOOR and float(np.median(cosines)) > 0.99


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_batch_order_is_input_order(precision: str, onnx: OnnxEmbedder, fp32: OnnxEmbedder,
                                    questions: list[str]) -> None:
    encoder = fp32 if precision == "fp32" else onnx
    texts = [*sorted(questions[:9], key=len, reverse=True), "hi"]
    one_by_one = np.stack([encoder._run([t])[0] for t in texts])
    assert np.allclose(encoder.encode(texts), one_by_one, atol=1e-5)


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_a_micro_batch_of_mixed_lengths_is_each_query_alone(precision: str, onnx: OnnxEmbedder,
                                                            fp32: OnnxEmbedder,
                                                            questions: list[str]) -> None:
    encoder = fp32 if precision == "fp32" else onnx
    texts = [*questions[:32], "hi", "social prescribing " * 60]
    one_by_one = np.stack([encoder._run([t])[0] for t in texts])
    assert np.allclose(encoder._run_grouped(texts), one_by_one, atol=1e-5)


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


def test_the_exported_graph_runs_fused_bert_kernels(fp32_dir: Path) -> None:
    import onnx

    encoder = fp32_dir
    # the weights are a file of their own (memory-mapped when served); the graph is small
    assert (encoder / MODEL_FILE).stat().st_size < 1_000_000 < (encoder / WEIGHTS_FILE).stat().st_size
    model = onnx.load(str(encoder / MODEL_FILE), load_external_data=False)
    ops = {node.op_type for node in model.graph.node}
    assert {"Attention", "SkipLayerNormalization", "EmbedLayerNormalization", "BiasGelu"} <= ops
    assert "Softmax" not in ops  # every layer's attention went into the fused kernel


def test_int8_quantisation_keeps_the_vectors_close(tmp_path: Path, fp32_dir: Path,
                                                   fp32: OnnxEmbedder,
                                                   questions: list[str]) -> None:
    import onnx as onnx_format
    from onnx import numpy_helper

    from casebook.index.encoders.minilm.export import quantise_int8

    int8 = tmp_path / "int8"
    shutil.copytree(fp32_dir, int8)  # not hard links: onnx will not read external data through one
    quantise_int8(int8)
    ops = {n.op_type for n in onnx_format.load(str(int8 / MODEL_FILE),
                                               load_external_data=False).graph.node}
    # every matrix product runs on int8: attention and the feed-forward layers
    assert {"QAttention", "DynamicQuantizeMatMul"} <= ops and not {"Attention", "MatMul"} & ops
    assert (int8 / WEIGHTS_FILE).stat().st_size < (fp32_dir / WEIGHTS_FILE).stat().st_size / 3
    # 7-bit weights: no uint8 x int8 pair saturates 16 bits on a CPU without VNNI, so it
    # computes the same vectors as one with VNNI (quantise_int8)
    graph = onnx_format.load(str(int8 / MODEL_FILE)).graph
    weights = [numpy_helper.to_array(t) for t in graph.initializer
               if t.data_type == onnx_format.TensorProto.INT8]
    assert weights and max(int(np.abs(w).max()) for w in weights) <= 64
    quantised = OnnxEmbedder(int8, query_cache_size=0).load()
    alone = np.stack([quantised._run([q])[0] for q in questions])
    cosines = np.sum(alone * fp32.encode(questions), axis=1)
    assert cosines.min() > INT8_FLOOR and float(np.median(cosines)) > 0.99
    # activations are scaled per tensor, from the whole batch: each text runs alone, so its
    # vector does not depend on what it was embedded with
    assert np.array_equal(quantised.encode(questions), alone)
    assert np.array_equal(quantised._run_grouped(questions[:32]), alone[:32])


def test_an_fp32_build_exports_its_own_encoder(tmp_path: Path, index_settings: Settings,
                                               embedder: Embedder) -> None:
    settings = index_settings.model_copy(update={"index_dir": tmp_path / "index",
                                                 "onnx_precision": "fp32"})
    report = build_index(settings, embedder, progress=False)
    int8 = IndexManifest.read(layout.current_build(index_settings.index_dir))
    # a different fingerprint: an int8 export is never reused for fp32, nor the reverse
    assert report.manifest.encoder_source != int8.encoder_source
    assert report.manifest.embedding_key != int8.embedding_key
    config = json.loads((report.path / ENCODER_DIR / "encoder.json").read_text(encoding="utf-8"))
    assert config["precision"] == "fp32"
    top = Searcher.open(settings).search("How did others reach Muslim communities about vaccines?", 1)
    # Hounslow's work with mosques and faith groups
    assert top[0].case_study.id == "covid-19-vaccinations-understanding-and-supporting-faith"
