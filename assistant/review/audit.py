"""The tamper-evident audit trail: an append-only, hash-chained, HMAC-authenticated log.

Every entry's ``hash`` is SHA-256 over the previous entry's hash and the canonical JSON of the
entry (seq, time, actor, action, answer id, payload). Each entry's ``mac`` and the chain head's
``mac`` are HMAC-SHA-256 under a key kept outside the database, so rewriting the whole chain
consistently needs the key. The database itself refuses UPDATE and DELETE on ``audit_log``
(triggers); ``verify`` catches what someone with raw file access does anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.errors import AuditError
from assistant.review.db import Database, Tx, private_dir

GENESIS = "0" * 64
KEY_BYTES = 32


class AuditEntry(BaseModel):
    """One line of the audit trail, as stored."""

    seq: int
    at: str
    actor: str
    action: str  # create | approve | reject | edit | comment | publish
    answer_id: str | None
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    mac: str


class AuditReport(BaseModel):
    """What ``verify`` found: ``ok``, how many entries, and the first bad one with the problem."""

    ok: bool
    entries: int
    first_bad: int | None = None  # seq of the first bad entry (0 when the problem is the head)
    problem: str | None = None


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no insignificant whitespace, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    answer_id: str | None,
    payload: dict[str, Any],
) -> str:
    body = canonical(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "answer_id": answer_id,
            "payload": payload,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _mac(key: bytes, domain: str, message: str) -> str:
    # Distinct domains, so an entry's MAC can never stand in for the head's.
    return hmac.new(key, f"{domain}\n{message}".encode(), hashlib.sha256).hexdigest()


def entry_mac(key: bytes, digest: str) -> str:
    return _mac(key, "followup-audit-entry", digest)


def head_mac(key: bytes, seq: int, digest: str) -> str:
    return _mac(key, "followup-audit-head", f"{seq}:{digest}")


def _create_key(path: Path) -> None:
    try:
        private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # atomic: of processes racing here, exactly one key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    except OSError as exc:
        raise AuditError(
            f"Cannot create the audit key file {path} ({exc.strerror}); "
            "set FOLLOWUP_AUDIT__KEY_FILE to a writable path outside the data directory."
        ) from exc


def load_or_create_key(path: Path, *, may_create: bool = True) -> bytes:
    """The HMAC key in ``path``; created (mode 0600) on first use. The key is never logged."""
    path = path.expanduser()
    if not path.exists():
        if not may_create:
            raise AuditError(
                f"The audit key file {path} is missing but the audit trail already has entries: "
                "restore the key from its backup (a new key could not verify the old entries)."
            )
        _create_key(path)
    try:
        key = bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as exc:
        raise AuditError(
            f"The audit key file {path} is unreadable or not hex: fix or restore it."
        ) from exc
    if len(key) < 16:
        raise AuditError(f"The audit key in {path} is too short (need at least 16 bytes).")
    return key


def append(
    tx: Tx,
    key: bytes,
    *,
    at: str,
    actor: str,
    action: str,
    answer_id: str | None,
    payload: dict[str, Any],
) -> AuditEntry:
    """Append one entry inside the caller's write transaction (which serialises appenders)."""
    head = tx.execute("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    seq, prev = (head[0] + 1, head[1] or GENESIS) if head else (1, GENESIS)
    payload = json.loads(canonical(payload))  # what verify will read back, exactly
    digest = entry_hash(prev, seq, at, actor, action, answer_id, payload)
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        answer_id=answer_id,
        payload=payload,
        prev_hash=prev,
        hash=digest,
        mac=entry_mac(key, digest),
    )
    tx.execute(
        "INSERT INTO audit_log (seq, at, actor, action, answer_id, payload, prev_hash, hash, mac)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, answer_id, canonical(payload), prev, digest, entry.mac),
    )
    tx.execute(
        "UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1",
        (seq, digest, head_mac(key, seq, digest)),
    )
    return entry


def _row_entry(row: Any) -> tuple[AuditEntry | None, str | None]:
    try:
        payload = json.loads(row["payload"])
        if canonical(payload) != row["payload"]:
            return None, "payload is not in canonical form (edited by hand?)"
        return AuditEntry(**{**dict(row), "payload": payload}), None
    except (ValueError, TypeError) as exc:
        return None, f"unreadable entry: {exc}"


def entries(db: Database, answer_id: str | None = None) -> list[AuditEntry]:
    """Entries in chain order, optionally only those about one answer."""
    sql = "SELECT * FROM audit_log"
    params: tuple[object, ...] = ()
    if answer_id is not None:
        sql, params = sql + " WHERE answer_id = ?", (answer_id,)
    result = []
    for row in db.read(sql + " ORDER BY seq", params):
        entry, _ = _row_entry(row)
        if entry is not None:
            result.append(entry)
    return result


def _check_entry(key: bytes, expected_seq: int, prev: str, row: Any) -> str | None:
    entry, problem = _row_entry(row)
    if entry is None:
        return problem
    if entry.seq != expected_seq:
        return f"sequence gap: expected entry {expected_seq}, found {entry.seq} (deleted rows?)"
    if entry.prev_hash != prev:
        return "prev_hash does not match the previous entry's hash (rows removed or reordered?)"
    digest = entry_hash(
        prev, entry.seq, entry.at, entry.actor, entry.action, entry.answer_id, entry.payload
    )
    if digest != entry.hash:
        return "hash does not match the entry's content (a field was changed)"
    if not hmac.compare_digest(entry_mac(key, digest), entry.mac):
        return "HMAC does not match (chain recomputed without the key, or wrong key)"
    return None


def verify_chain(db: Database, key: bytes) -> AuditReport:
    """Walk the whole chain; report the first entry that fails and why."""
    prev, expected, count = GENESIS, 1, 0
    for row in db.read("SELECT * FROM audit_log ORDER BY seq"):
        problem = _check_entry(key, expected, prev, row)
        if problem:
            # The position where the chain breaks: for a removed entry, the one missing.
            return AuditReport(ok=False, entries=count, first_bad=expected, problem=problem)
        prev, expected, count = row["hash"], expected + 1, count + 1
    heads = db.read("SELECT seq, hash, mac FROM audit_head WHERE id = 1")
    if not heads:
        return AuditReport(ok=False, entries=count, first_bad=0, problem="chain head is missing")
    head = heads[0]
    last_seq = expected - 1
    if head["seq"] != last_seq or (last_seq and head["hash"] != prev):
        return AuditReport(
            ok=False,
            entries=count,
            first_bad=min(head["seq"], last_seq) + 1,
            problem=f"chain head says {head['seq']} entries but the log ends at {last_seq} "
            "(entries removed from the end?)",
        )
    if last_seq and not hmac.compare_digest(head_mac(key, last_seq, prev), head["mac"]):
        return AuditReport(
            ok=False, entries=count, first_bad=0, problem="chain head HMAC does not match"
        )
    return AuditReport(ok=True, entries=count)
