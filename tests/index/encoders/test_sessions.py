"""onnxruntime as Casebook runs it: telemetry off, weights read into memory (not mapped)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.index import layout
from casebook.index.encoders.minilm.onnx_encoder import ENCODER_DIR, MODEL_FILE
from casebook.settings import Settings

CASEBOOK = Path(sys.executable).parent / "casebook"
# onnxruntime keeps quiet by itself under CI and in its own unit tests: unset what says CI
CI_VARIABLES = ("CI", "CONTINUOUS_INTEGRATION", "BUILD_ID", "BUILD_NUMBER", "RUN_ID",
                "GITHUB_ACTIONS", "GITLAB_CI", "TF_BUILD", "JENKINS_URL", "TRAVIS", "CIRCLECI",
                "BUILDKITE", "TEAMCITY_VERSION", "APPVEYOR", "CODEBUILD_BUILD_ID",
                "BITBUCKET_BUILD_NUMBER", "DRONE", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI")


def telemetry_store(home: Path) -> list[Path]:
    return sorted((home / ".cache" / "Microsoft").rglob("*"))


def run_at_home(home: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in CI_VARIABLES and k != "ORT_DISABLE_TELEMETRY"}
    home.mkdir()
    return subprocess.run(args, env={**clean, "HOME": str(home), "XDG_CACHE_HOME": "", **env},
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_query_leaves_no_onnxruntime_telemetry_behind(index_settings: Settings,
                                                        tmp_path: Path) -> None:
    # the control: onnxruntime imported by itself does keep its event store under ~/.cache
    bare = run_at_home(tmp_path / "bare", [sys.executable, "-c", "import onnxruntime"])
    assert bare.returncode == 0, bare.stderr
    # without it this test would prove nothing: an onnxruntime that keeps no store fails here
    assert telemetry_store(tmp_path / "bare"), "onnxruntime no longer keeps a telemetry store"

    done = run_at_home(tmp_path / "home", [str(CASEBOOK), "search", "vaccines", "--json"],
                       CASEBOOK_INDEX_DIR=str(index_settings.index_dir),
                       CASEBOOK_CORPUS_DIR=str(index_settings.corpus_dir))
    assert done.returncode == 0, done.stderr
    assert telemetry_store(tmp_path / "home") == []


# in a process of its own: a mapped file truncated under a session is a SIGBUS, which would
# take the test run down with it
TRUNCATE_UNDER_A_SESSION = """
import os, sys
from pathlib import Path
import numpy as np
from casebook.index.encoders.sessions import cpu_session

encoder = Path(sys.argv[1])
session = cpu_session(encoder / "model.onnx", threads=1)
feeds = {i.name: np.ones((1, 6), dtype=np.int64) for i in session.get_inputs()}
before = session.run(None, feeds)[0]
for file in encoder.iterdir():
    os.truncate(file, 0)
assert np.array_equal(session.run(None, feeds)[0], before)
assert str(encoder) not in Path(f"/proc/{os.getpid()}/maps").read_text()
"""


@pytest.mark.slow
def test_a_session_holds_its_weights_so_a_truncated_file_cannot_touch_it(
        index_settings: Settings, tmp_path: Path) -> None:
    encoder = tmp_path / ENCODER_DIR
    shutil.copytree(layout.current_build(index_settings.index_dir) / ENCODER_DIR, encoder)
    assert (encoder / f"{MODEL_FILE}.data").is_file()  # the weights beside the graph
    done = subprocess.run([sys.executable, "-c", TRUNCATE_UNDER_A_SESSION, str(encoder)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
