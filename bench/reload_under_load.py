"""An operator's day, measured: a real rebuild and swap under 8-client load, the time from
`casebook index build` finishing to the server serving the new build (by poll and by SIGHUP),
a schemathesis run with every check, and SIGTERM under load. Loopback only, bounded in requests
and time. Prints one JSON line per measurement. Run:

    .venv/bin/python bench/reload_under_load.py [--clients 8] [--poll 5] [--rebuilds 2]
    .venv/bin/python bench/reload_under_load.py --poll 0 --skip-schemathesis   # by SIGHUP
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "service"))  # the tests' server and load helpers

from serve_process import Load, ServeProcess  # noqa: E402

BIN = Path(sys.executable).parent


def emit(measure: str, **fields: object) -> None:
    print(json.dumps({"measure": measure, **fields}), flush=True)


def build(env: dict[str, str]) -> float:
    """Run `casebook index build`; returns the wall-clock time the command exited."""
    subprocess.run([str(BIN / "casebook"), "index", "build", "--no-progress"], env=env, check=True,
                   cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return time.time()


def served(url: str) -> str:
    return str(httpx.get(f"{url}/readyz", timeout=10).json().get("build"))


def wait_build(url: str, old: str, timeout: float = 120) -> float:
    """The wall-clock time the server was first seen serving a build other than `old`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served(url) != old:
            return time.time()
        time.sleep(0.05)
    raise SystemExit(f"the server did not serve a new build within {timeout}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--poll", type=float, default=5.0,
                        help="CASEBOOK_RELOAD_POLL_S; 0: the rebuild is signalled with SIGHUP")
    parser.add_argument("--rebuilds", type=int, default=2)
    parser.add_argument("--skip-schemathesis", action="store_true")
    parser.add_argument("--max-examples", type=int, default=50)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="casebook-bench-"))
    try:
        (work / "corpus").mkdir()
        shutil.copy(REPO / "corpus" / "case_studies.jsonl", work / "corpus")
        env = {**os.environ, "CASEBOOK_INDEX_DIR": str(work / "index"),
               "CASEBOOK_CORPUS_DIR": str(work / "corpus"), "CASEBOOK_RATE_LIMIT_PER_MINUTE": "0",
               "CASEBOOK_RELOAD_POLL_S": str(args.poll), "CASEBOOK_DRAIN_S": "2"}
        build(env)
        server = ServeProcess({k: v for k, v in env.items() if k.startswith("CASEBOOK_")},
                              work / "serve.log").start(ready=True)
        try:
            how = "poll" if args.poll > 0 else "sighup"
            for _ in range(args.rebuilds):
                old = served(server.url)
                load = Load(server.url, clients=args.clients).start()
                time.sleep(1)
                exited = build(env)
                # CURRENT's time is when the build was complete and swapped in; the command
                # exits later (pruning, unloading the model), by when a poll may have loaded it
                swapped_in = (work / "index" / "CURRENT").stat().st_mtime
                if how == "sighup":
                    server.signal(signal.SIGHUP)
                signalled = time.time()
                seen = wait_build(server.url, old)
                time.sleep(1)
                load.stop()
                emit("rebuild_and_swap_under_load", noticed_by=how, poll_s=args.poll,
                     clients=args.clients, requests=load.answered + len(load.dropped),
                     failed=load.failed, statuses=dict(load.statuses), dropped=len(load.dropped),
                     seconds_from_current_swapped_to_served=round(seen - swapped_in, 2),
                     seconds_from_build_command_exit_to_served=round(seen - exited, 2),
                     seconds_from_sighup_to_served=round(seen - signalled, 2)
                     if how == "sighup" else None,
                     old_build=old, new_build=served(server.url))

            run = None if args.skip_schemathesis else subprocess.run(
                [str(BIN / "schemathesis"), "--config-file",
                 str(REPO / "tests" / "service" / "schemathesis.toml"), "run",
                 f"{server.url}/openapi.json", "--checks", "all", "--max-examples",
                 str(args.max_examples), "--seed", "1", "--workers", "1"],
                capture_output=True, text=True, timeout=600, cwd=work)  # its cache goes there
            if run is not None:
                counts = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
                ops = re.search(r"Tested: (\d+)", run.stdout)
                failures = re.findall(r"❌ (ST\d+[^:]*): (\d+)", run.stdout)
                emit("schemathesis_all_checks", operations=int(ops[1]) if ops else None,
                     examples=int(counts[1]) if counts else None,
                     passed=int(counts[2]) if counts else None,
                     failures=sum(int(n) for _, n in failures), exit_code=run.returncode)

            load = Load(server.url, clients=args.clients).start()
            time.sleep(1)
            sent = time.monotonic()
            server.signal(signal.SIGTERM)
            time.sleep(0.3)
            readyz = httpx.get(f"{server.url}/readyz", timeout=10).status_code
            code = server.wait(60)
            exited = time.monotonic() - sent
            load.stop()
            emit("sigterm_under_load", clients=args.clients, readyz_while_draining=readyz,
                 answered=load.answered, statuses=dict(load.statuses),
                 dropped_in_flight=len(load.dropped), refused_after_close=load.refused,
                 exit_code=code, seconds_to_exit=round(exited, 2))
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
