"""A re-check that kills itself (SIGKILL) at its Nth answer write, for the crash test.

    python -m tests.review.recheck_child DB_FILE_OR_URL KEY_FILE CORPUS_JSON N

N counts the "write <answer>" steps, which happen inside a batch's transaction: the kill lands
with part of a batch written and not committed.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from assistant.review.recheck import recheck
from assistant.review.store import AnswerStore
from tests.support.evidence import read_corpus


def main() -> None:
    where, key, corpus, kill_at = (
        sys.argv[1],
        Path(sys.argv[2]),
        Path(sys.argv[3]),
        int(sys.argv[4]),
    )
    is_url = where.startswith("postgresql://")
    store = AnswerStore(
        None if is_url else Path(where), url=where if is_url else None, key_file=key
    )
    writes = 0

    def hook(step: str) -> None:
        nonlocal writes
        if step.startswith("write"):
            writes += 1
            if writes == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    recheck(store, read_corpus(corpus), min_support=0.6, batch=3, hook=hook)


if __name__ == "__main__":
    main()
