"""docs/configuration.md, written from the Settings class so the page cannot drift from the code.

Run `python -m casebook.settings_doc docs/configuration.md` (or `make docs`) after changing a
setting; tests/test_readme.py fails while the committed page differs from what this writes.
"""

from __future__ import annotations

import sys
import types
import typing
from enum import Enum
from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from casebook.settings import Settings

COMMAND = "python -m casebook.settings_doc docs/configuration.md"

HEADER = f"""# Configuration

<!-- Generated from casebook/settings.py by `{COMMAND}`
(or `make docs`): edit the Settings class, then rerun it. tests/test_readme.py fails while this
page is stale. -->

Every setting is an environment variable `CASEBOOK_<NAME>` (or, for `casebook serve`, the
`--host`, `--port` and `--workers` options). Values are checked when a process starts: a value of
the wrong type or out of range stops it with a message naming the variable. Lists are read as a
JSON list or comma-separated. The table is in the order of `casebook/settings.py`, which groups
them: data locations; model and index; retrieval; input limits; service; crawl; operations.

Why the defaults are what they are (thread counts, the compute lane, int8) is in
[operations.md](operations.md) and [benchmarks.md](benchmarks.md).

| variable | type | default | meaning |
|---|---|---|---|
"""


def type_name(annotation: object) -> str:
    """A reader's name for a field's type: `int`, `one of: a, b`, `list`, `secret`."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is typing.Literal:
        return "one of: " + ", ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        named = [type_name(a) for a in args if a is not type(None)]
        return " or ".join(named) + (", optional" if type(None) in args else "")
    if origin is list:
        return "list"
    if annotation is SecretStr:
        return "secret"
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return "path"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of: " + ", ".join(f"`{m.value}`" for m in annotation)
    return getattr(annotation, "__name__", str(annotation))


def bounds(field: FieldInfo) -> str:
    """The range pydantic enforces, as `1 to 1024`, `>= 0`, `> 0 to 300`; "" when unbounded."""
    low = high = ""
    for rule in field.metadata:
        for name, sign in (("ge", ""), ("gt", "> ")):
            if getattr(rule, name, None) is not None:
                low = f"{sign}{getattr(rule, name)}"
        for name, sign in (("le", ""), ("lt", "< ")):
            if getattr(rule, name, None) is not None:
                high = f"{sign}{getattr(rule, name)}"
    if low and high:
        return f"{low} to {high}"
    if low:
        return low if low.startswith(">") else f">= {low}"
    return f"<= {high}" if high else ""


def default_text(field: FieldInfo) -> str:
    value = field.get_default(call_default_factory=True)  # the factory's value where it has one
    if value is None or value == [] or value == "":
        return "(none)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def render() -> str:
    """The whole page: the header, then one row per setting."""
    rows = []
    for name, field in Settings.model_fields.items():
        kind = type_name(field.annotation)
        limit = bounds(field)
        kind = f"{kind}, {limit}" if limit else kind
        rows.append(f"| `CASEBOOK_{name.upper()}` | {cell(kind)} | {cell(default_text(field))} "
                    f"| {cell(field.description or '')} |")
    return HEADER + "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    """Write the page to the path given, or print it."""
    if len(argv) > 1:
        print(f"usage: {COMMAND}", file=sys.stderr)
        return 2
    if argv:
        Path(argv[0]).write_text(render(), encoding="utf-8")
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
