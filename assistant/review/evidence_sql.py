"""The evidence tables' SQL: fingerprints per answer version, the index from passage hash to the
answers that cite it, and the lease that lets one re-check run at a time.

Only the *live* fingerprints (the current version of an answer that is pending or approved) are
in the passage index: those are the answers a changed passage can put in front of a clinician.
A rejected answer, or a superseded version, keeps its rows for the record with ``live = 0``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from assistant.models import AnswerRecord, ReviewStatus
from assistant.review.db import Database, Tx
from assistant.review.records import AnswerVersion, Fingerprint, version_from_row

# Parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
BATCH = 500
_COLUMNS = "n, chunk_id, source_id, passage_sha256, document_version, state"
LEASE_LOCK = "recheck-lease"


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _batches(items: Sequence[str], size: int = BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fingerprint_from_row(row: Sequence[object]) -> Fingerprint:
    n, chunk_id, source_id, passage_sha256, document_version, state = row
    return Fingerprint(
        n=n,
        chunk_id=chunk_id,
        source_id=source_id,
        passage_sha256=passage_sha256,
        document_version=document_version,
        state=state,
    )


def add(tx: Tx, answer_id: str, version: int, fingerprints: Iterable[Fingerprint]) -> None:
    """Store ``fingerprints`` as the live evidence of ``version``; earlier versions' rows stop
    being live."""
    retire(tx, answer_id)
    for f in fingerprints:
        tx.execute(
            f"INSERT INTO answer_evidence (answer_id, version, {_COLUMNS}, live)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)",
            (answer_id, version, f.n, f.chunk_id, f.source_id, f.passage_sha256,
             f.document_version, f.state),
        )  # fmt: skip


def retire(tx: Tx, answer_id: str) -> None:
    """The answer's evidence leaves the passage index (a new version, or a rejection)."""
    tx.execute("UPDATE answer_evidence SET live = 0 WHERE answer_id = ? AND live = 1", (answer_id,))


def live(tx: Tx, answer_id: str) -> list[Fingerprint]:
    """The live fingerprints of one answer, read inside ``tx``."""
    rows = tx.execute(
        f"SELECT {_COLUMNS} FROM answer_evidence WHERE answer_id = ? AND live = 1 ORDER BY n",
        (answer_id,),
    ).fetchall()
    return [fingerprint_from_row(tuple(r)) for r in rows]


def mark_fingerprinted(tx: Tx, answer_id: str) -> None:
    tx.execute("UPDATE answers SET fingerprinted = 1 WHERE id = ?", (answer_id,))


@dataclass(frozen=True)
class Snapshot:
    """An answer as a re-check plans on it, read outside any write transaction."""

    record: AnswerRecord
    status: ReviewStatus
    version: AnswerVersion
    evidence: tuple[Fingerprint, ...]


class EvidenceTable:
    """Reads of the evidence tables, and the re-check lease."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def cited_hashes(self) -> set[str]:
        """Every passage hash some live answer version cites (from the passage index)."""
        rows = self._db.read(
            "SELECT DISTINCT passage_sha256 FROM answer_evidence WHERE live = 1 AND state = 'ok'"
        )
        return {r["passage_sha256"] for r in rows}

    def citing(self, hashes: Iterable[str]) -> list[str]:
        """Answers whose live evidence cites one of ``hashes`` (each once, in id order)."""
        found: set[str] = set()
        for batch in _batches(sorted(set(hashes))):
            rows = self._db.read(
                "SELECT DISTINCT answer_id FROM answer_evidence WHERE live = 1 AND state = 'ok'"
                f" AND passage_sha256 IN ({_marks(len(batch))})",
                batch,
            )
            found.update(r["answer_id"] for r in rows)
        return sorted(found)

    def withdrawn(self) -> list[tuple[str, str]]:
        """(answer, source) of every live citation whose passage was withdrawn."""
        rows = self._db.read(
            "SELECT DISTINCT answer_id, source_id FROM answer_evidence"
            " WHERE live = 1 AND state = 'withdrawn'"
        )
        return [(r["answer_id"], r["source_id"]) for r in rows]

    def not_fingerprinted(self, limit: int) -> list[str]:
        """Answers stored without fingerprints (before they existed), ``limit`` at a time."""
        rows = self._db.read(
            "SELECT id FROM answers WHERE fingerprinted = 0 ORDER BY id LIMIT ?", (limit,)
        )
        return [r["id"] for r in rows]

    def snapshots(self, answer_ids: Sequence[str]) -> list[Snapshot]:
        """Each answer's record, status, current version and live evidence."""
        found = []
        for batch in _batches(answer_ids):
            marks = _marks(len(batch))
            answers = self._db.read(
                f"SELECT id, record_json, review_status FROM answers WHERE id IN ({marks})", batch
            )
            versions = self._db.read(
                "SELECT answer_id, version, text, sha256, created_at, author, comment, findings"
                f" FROM answer_versions WHERE answer_id IN ({marks}) ORDER BY answer_id, version",
                batch,
            )
            evidence = self._db.read(
                f"SELECT answer_id, {_COLUMNS} FROM answer_evidence"
                f" WHERE live = 1 AND answer_id IN ({marks}) ORDER BY answer_id, n",
                batch,
            )
            latest = {r["answer_id"]: version_from_row(r) for r in versions}
            cites: dict[str, list[Fingerprint]] = {}
            for r in evidence:
                row = tuple(r[k] for k in _COLUMNS.split(", "))
                cites.setdefault(r["answer_id"], []).append(fingerprint_from_row(row))
            for r in answers:
                found.append(
                    Snapshot(
                        record=AnswerRecord.model_validate_json(r["record_json"]),
                        status=ReviewStatus(r["review_status"]),
                        version=latest[r["id"]],
                        evidence=tuple(cites.get(r["id"], [])),
                    )
                )
        return found

    def versions_of(self, answer_id: str) -> dict[int, list[Fingerprint]]:
        """Every version's fingerprints of one answer (superseded ones included)."""
        rows = self._db.read(
            f"SELECT version, {_COLUMNS} FROM answer_evidence WHERE answer_id = ?"
            " ORDER BY version, n",
            (answer_id,),
        )
        found: dict[int, list[Fingerprint]] = {}
        for r in rows:
            row = tuple(r[k] for k in _COLUMNS.split(", "))
            found.setdefault(r["version"], []).append(fingerprint_from_row(row))
        return found

    # The lease -------------------------------------------------------------------------------
    def take_lease(
        self, name: str, owner: str, now: float, lease_s: float, *, dead: str | None = None
    ) -> str | None:
        """Hold lease ``name`` for ``owner`` until ``now + lease_s`` (taking it over when its
        holder let it run out, or when it is ``dead``, a holder known to have died): None when
        held now, else the owner that holds it."""
        with self._db.write(lock=LEASE_LOCK) as tx:
            row = tx.execute(
                "SELECT owner, expires_at FROM recheck_lease WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[0] not in (owner, dead) and float(row[1]) > now:
                return str(row[0])
            tx.execute(
                "INSERT INTO recheck_lease (name, owner, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                " expires_at = excluded.expires_at",
                (name, owner, now + lease_s),
            )
        return None

    def drop_lease(self, name: str, owner: str) -> None:
        with self._db.write(lock=LEASE_LOCK) as tx:
            tx.execute("DELETE FROM recheck_lease WHERE name = ? AND owner = ?", (name, owner))
