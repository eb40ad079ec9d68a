"""A real OpenAI-compatible server on loopback for the generation tests: llama-cpp-python's
`python -m llama_cpp.server` running the bundled Gemma 3 270M GGUF as a subprocess."""

from __future__ import annotations

import contextlib
import importlib.util
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import httpx

REPO = Path(__file__).resolve().parents[2]
MODEL_ALIAS = "gemma-3-270m"  # the id /v1/models lists and requests name
N_CTX = 4096  # room for a question, a conversation and a handful of numbered passages
START_TIMEOUT_S = 120.0  # loading 253 MB and warming up takes seconds; a fresh CI machine more
# This GGUF is of the base model and carries no chat template, so llama-cpp-python would fall back
# to Llama 2's [INST] format, after which the model ends its turn at once (an empty answer). Gemma's
# own turn format gets text out of it. That format drops system messages: send rules in a user one.
CHAT_FORMAT = "gemma"
# One thread: ggml's threads meet at a barrier after every step, so with two on a 2-core machine
# that the test run shares, one descheduled thread stalls the other; measured here under load,
# 48 tokens took 9 to 21 s with one thread and 119 to 168 s with two.
THREADS = 1
# llama-cpp-python's server keeps every prompt token's logits by default (only logprobs need
# them): 1 MB a token with this 262k vocabulary, 2.3 GB resident after one 789-token prompt
# against 485 MB without, and the prompt read twice as fast.
KEEP_ALL_LOGITS = "false"
LOG_TAIL_CHARS = 4000


def _load_bundled_gguf() -> ModuleType:
    """scripts/bundled_gguf.py, which `scripts/llm-server` runs too: one place joins the parts."""
    spec = importlib.util.spec_from_file_location("bundled_gguf", REPO / "scripts" / "bundled_gguf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bundled_gguf = _load_bundled_gguf()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LlamaServer:
    """One `llama_cpp.server` process on 127.0.0.1. `start()` returns once /v1/models answers;
    `stop()` ends it (and is safe to call twice); `start()` again brings it back on the same port.
    With `api_key`, the server refuses requests that do not send it as a bearer token."""

    def __init__(self, gguf: Path, log: Path, *, port: int | None = None,
                 api_key: str | None = None, threads: int = THREADS, n_ctx: int = N_CTX) -> None:
        self.gguf = gguf
        self.log_path = log
        self.port = port or free_port()
        self.api_key = api_key
        self.model = MODEL_ALIAS
        self.threads = threads
        self.n_ctx = n_ctx
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base: clients post to f"{base_url}/chat/completions"."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.gguf),
                   "--model_alias", self.model, "--chat_format", CHAT_FORMAT,
                   "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
                   "--n_threads", str(self.threads), "--n_threads_batch", str(self.threads),
                   "--logits_all", KEEP_ALL_LOGITS]
        if self.api_key:
            command += ["--api_key", self.api_key]
        return command

    def start(self, timeout: float = START_TIMEOUT_S) -> LlamaServer:
        if self.running:
            return self
        with self.log_path.open("ab") as log:  # appended: a restart keeps the earlier run's log
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=REPO)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.stop()
                raise AssertionError(f"llama_cpp.server exited with {code} before answering "
                                     f"/v1/models; the end of {self.log_path}:\n{self.log_tail()}")
            with contextlib.suppress(httpx.TransportError):
                response = httpx.get(f"{self.base_url}/models", headers=self.headers, timeout=2)
                if response.status_code == 200:
                    return self
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"llama_cpp.server did not answer /v1/models within {timeout:.0f} s; "
                             f"the end of {self.log_path}:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGINT (uvicorn's clean shutdown), then SIGKILL if it has not exited 10 s later."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        return self.log()[-chars:]

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
