"""constraints.txt is the lock scripts/setup installs from: the virtualenv the tests run in holds
exactly the versions it pins, and it pins every distribution there."""

from __future__ import annotations

import re
from importlib.metadata import distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# the virtualenv's own installers, which `pip freeze` leaves out as venv creates them
TOOLS = {"pip", "setuptools", "wheel", "casebook"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[_canonical(name)] = version.strip()
    return pins


def test_the_virtualenv_holds_what_the_lock_pins() -> None:
    pins = _pinned()
    installed = {_canonical(d.metadata["Name"]): d.version for d in distributions()
                 if _canonical(d.metadata["Name"]) not in TOOLS}
    unpinned = sorted(set(installed) - set(pins))
    assert not unpinned, f"installed but not in constraints.txt: {unpinned}; run `make lock`"
    differ = {n: (installed[n], pins[n]) for n in installed if installed[n] != pins[n]}
    assert not differ, f"installed != locked: {differ}; run scripts/setup or `make lock`"


def test_setup_installs_through_the_lock() -> None:
    setup = (REPO / "scripts" / "setup").read_text(encoding="utf-8")
    assert "-c constraints.txt" in setup
