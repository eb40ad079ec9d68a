"""Q4_0 blocks: the nibble order, the dequantisation, and rows read back from disk."""

from pathlib import Path

import numpy as np

from casebook.index.encoders.e5 import q4


def test_a_block_dequantises_low_nibbles_first_then_high() -> None:
    scale = np.float16(0.5)
    packed = bytes((j | ((15 - j) << 4)) for j in range(16))  # byte j: weights j and j + 16
    raw = np.frombuffer(scale.tobytes() + packed, dtype=np.uint8)
    nibbles, scales = q4.split_blocks(raw, rows=1, cols=32)
    weights = q4.dequantise(nibbles, scales)[0]
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_rows_read_from_disk_equal_the_table(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    nibbles = rng.integers(0, 256, size=(50, 3, 16), dtype=np.uint8)
    scales = rng.random((50, 3)).astype(np.float16)
    q4.save_rows(tmp_path / "table.npy", nibbles, scales)
    table = q4.RowFile(tmp_path / "table.npy")
    ids = np.array([[7, 0, 49, 7], [3, 3, 1, 0]])
    assert table.rows == 50
    assert np.array_equal(table.dequantised(ids), q4.dequantise(nibbles[ids], scales[ids]))
