"""Run one ingest in this process and kill it (``os._exit``) before its N-th write step.

``python -m tests.index.crash_ingest CORPUS INDEX N STEPS_FILE``: N = -1 records every step
name into STEPS_FILE and lets the ingest finish. Used by test_crash.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from assistant.config import IndexSettings
from assistant.index.indexer import ingest
from tests.support.embedders import HashEmbedder

KILLED = 17  # exit status of a process killed at its step


def main(argv: list[str]) -> None:
    corpus, index, crash_at, steps_file = Path(argv[0]), Path(argv[1]), int(argv[2]), argv[3]
    steps: list[str] = []

    def hook(step: str) -> None:
        if len(steps) == crash_at:
            os._exit(KILLED)  # no cleanup, no finally blocks: as a kill -9 would
        steps.append(step)

    ingest(
        [corpus], index, HashEmbedder(), IndexSettings(embed_batch_size=1), prune=True, hook=hook
    )
    Path(steps_file).write_text("\n".join(steps), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
