"""Wall time of one-shot CLI queries: `casebook search "..." --json`, start to exit.

Each run is a fresh process (imports, index check, ONNX session, one query), as a user at a
terminal pays it. One JSON line per run and one summary line:

    python bench/cli_wall.py [--runs 5] [QUESTION]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("question", nargs="?",
                        default="How did others reach Muslim communities about vaccines?")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    casebook = str(Path(sys.executable).with_name("casebook"))
    walls = []
    for run in range(args.runs):
        start = time.perf_counter()
        done = subprocess.run([casebook, "search", args.question, "--json"], cwd=REPO,
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        walls.append(wall)
        print(json.dumps({"run": run, "wall_s": round(wall, 3),
                          "results": len(json.loads(done.stdout)["results"])}), flush=True)
    print(json.dumps({"runs": args.runs, "median_wall_s": round(statistics.median(walls), 3),
                      "min_wall_s": round(min(walls), 3), "max_wall_s": round(max(walls), 3)}))


if __name__ == "__main__":
    main()
