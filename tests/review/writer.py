"""A decision-writing process for the concurrency and crash tests (and latency figures).

    python -m tests.review.writer DB_FILE_OR_URL KEY_FILE REVIEWER N OWN_ANSWER SHARED_ANSWER...

Edits one of the shared answers, comments on the shared answers in turn, and approves
OWN_ANSWER last (never a text it wrote itself: four eyes), N decisions in all (N < 0: comments
forever). After each decision returns (committed) it prints ``ack <decision id> <milliseconds>``
and flushes: a printed id is an acknowledged decision.
"""

from __future__ import annotations

import sys
import time
from itertools import count
from pathlib import Path
from typing import Any

from assistant.errors import InvalidTransitionError
from assistant.review import workflow
from assistant.review.records import AnswerVersion
from assistant.review.store import AnswerStore
from assistant.review.users import Role, User


def seen(store: AnswerStore, answer_id: str) -> dict[str, Any]:
    """The current version, as a reviewer reads it before deciding."""
    latest = store.versions(answer_id)[-1]
    return {"version": latest.version, "sha256": latest.sha256}


def edit(store: AnswerStore, target: str, who: User) -> AnswerVersion:
    """Edit the version read; when another writer's edit came first (409), read again and retry,
    as a reviewer whose console says so would."""
    text = f"Revised by {who.name}: 1 to 5 mg [1]."
    while True:
        try:
            return workflow.edit(store, target, who, **seen(store, target), text=text)
        except InvalidTransitionError:
            continue


def decide(store: AnswerStore, who: User, i: int, n: int, own: str, shared: list[str]) -> str:
    if i == 0 and n > 1:
        target = shared[sum(map(ord, who.name)) % len(shared)]
        made = edit(store, target, who)
        edits = [d for d in workflow.decisions(store, target) if d.user == who.name]
        return next(d.id for d in edits if d.result_version == made.version)
    if i == n - 1 and n > 1:
        return workflow.approve(store, own, who, **seen(store, own)).id
    return workflow.comment(store, shared[i % len(shared)], who, text=f"{who.name} note {i}").id


def main(argv: list[str]) -> None:
    db, key_file, reviewer, n, own, *shared = argv
    if db.startswith("postgresql://"):
        store = AnswerStore(url=db, key_file=Path(key_file))
    else:
        store = AnswerStore(Path(db), key_file=Path(key_file))
    who = User(reviewer, Role.REVIEWER)
    total = int(n)
    for i in count() if total < 0 else range(total):
        started = time.perf_counter()
        decision_id = decide(store, who, i, total, own, shared)
        elapsed = (time.perf_counter() - started) * 1000
        sys.stdout.write(f"ack {decision_id} {elapsed:.3f}\n")
        sys.stdout.flush()
    store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
