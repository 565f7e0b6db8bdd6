"""The `followup` command as a subprocess over a copy of the sample index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.data import REPO


def followup(
    data_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    # These tests are about the offline default: no model endpoint from the caller's shell.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "FOLLOWUP_LLM"))}
    env |= {"FOLLOWUP_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
