"""llama.cpp's OpenAI-compatible server (llama-cpp-python) on a free loopback port.

Installed by scripts/test-deps/llama.sh; the Qwen2.5-Coder GGUF files are assembled into the
model cache by scripts/test-deps/qwen.sh.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

MODEL_CACHE = Path(os.environ.get("FOLLOWUP_MODEL_CACHE", "/root/.cache/followup-models"))
QWEN = {
    "0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    "1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
}


def qwen_model(size: str) -> Path:
    """The checked GGUF file of a Qwen2.5-Coder Instruct model, or a failure saying how to
    get it (qwen.sh writes ``<file>.ok`` only after the SHA-256 matched the pinned value)."""
    path = MODEL_CACHE / QWEN[size]
    if not (path.is_file() and path.with_name(path.name + ".ok").is_file()):
        pytest.fail(
            f"{path} is missing: run `QWEN_MODELS={size} bash scripts/test-deps/qwen.sh` "
            "(or `make test-deps`)"
        )
    return path


@contextmanager
def llama_server(
    model: Path, alias: str, log_dir: Path, *, n_ctx: int = 4096, start_s: float = 180
) -> Iterator[str]:
    """Serve ``model`` on 127.0.0.1; yield the ``/v1`` base URL; stop the server after."""
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.fail("llama-cpp-python is not installed: run `make test-deps`")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = log_dir / f"{alias}.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx)]
    command += ["--model_alias", alias, "--seed", "7", "--n_threads", str(os.cpu_count() or 2)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(server, url, log, start_s)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_ready(server: subprocess.Popen[bytes], url: str, log: Path, start_s: float) -> None:
    deadline = time.monotonic() + start_s
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text(errors="replace")[-2000:]
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    pytest.fail(f"llama.cpp server did not start within {start_s:g}s")
