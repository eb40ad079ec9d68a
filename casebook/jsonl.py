"""JSON Lines files (one JSON object a line) and single JSON objects, read with errors that name
the file and line."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from casebook.errors import CasebookError

T = TypeVar("T")


def read_jsonl(path: Path, convert: Callable[[dict[str, Any]], T], *,
               error: type[CasebookError], what: str, missing: str = "No file at {path}.",
               hint: str | None = None) -> list[T]:
    """`convert` applied to each object in the file, in file order; blank lines are skipped.

    `what` names one record ("a case study"); `missing` is the message for an absent file,
    with `{path}` filled in.

    :raises error: (the caller's CasebookError subclass, with `hint`) when the file is missing
        or unreadable, or a line (named by number) is not JSON, not an object, or not `what`
        (convert raised KeyError, TypeError or ValueError).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise error(missing.format(path=path), hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"Cannot read {path} ({exc}).", hint=hint) from exc
    rows: list[T] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise TypeError(f"expected a JSON object, got {type(data).__name__}")
            rows.append(convert(data))
        except (KeyError, TypeError, ValueError) as exc:  # JSONDecodeError is a ValueError
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise error(f"{path}, line {number}: not {what} ({detail}).", hint=hint) from exc
    return rows


def read_json_object(path: Path, convert: Callable[[dict[str, Any]], T], *,
                     error: type[CasebookError], what: str, hint: str | None = None
                     ) -> T | None:
    """`convert` applied to the one JSON object in the file; None where there is no file.

    :raises error: (with `hint`) when the file is unreadable, or is not `what`.
    """
    try:
        return convert(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise error(f"{path} is not {what} ({exc}).", hint=hint) from exc


def dumps_jsonl(rows: Iterable[Mapping[str, Any]]) -> str:
    """The JSONL text of `rows`: UTF-8 as written (no \\u escapes), one object a line."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    """Write `rows` atomically and durably: a reader sees the old file or the new, never half."""
    write_text_atomic(path, dumps_jsonl(rows))


def write_text_atomic(path: Path, body: str) -> None:
    """Write `body` as UTF-8, atomically and durably, as write_jsonl does."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes it 0600; every other file Casebook writes has the umask's mode (0644)
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask, read without changing it where Linux says it (/proc), else set and
    put back at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
