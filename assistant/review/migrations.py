"""Numbered, append-only schema migrations. Never edit a migration that has shipped: add one.

Each migration's SQL is written for SQLite and also runs on PostgreSQL unless
``POSTGRES_SQL`` gives that dialect its own text (triggers and functions differ).
"""

from __future__ import annotations

from assistant.models import utc_now
from assistant.review.db import Database

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "conversations and answers",
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            owner TEXT,
            anchor_article_id TEXT,
            audience TEXT NOT NULL DEFAULT 'clinician'
        );
        CREATE TABLE answers (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id),
            turn INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            question TEXT NOT NULL,
            standalone_question TEXT NOT NULL,
            answer TEXT NOT NULL,
            review_status TEXT NOT NULL,
            generator TEXT NOT NULL,
            corpus_version TEXT NOT NULL,
            record_json TEXT NOT NULL,
            UNIQUE (conversation_id, turn)
        );
        CREATE INDEX answers_by_status ON answers(review_status, created_at);
        """,
    ),
    (
        2,
        "users with hashed API keys",
        """
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('clinician', 'reviewer', 'admin')),
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        """,
    ),
    (
        3,
        "answer versions, review decisions and the append-only audit chain",
        """
        CREATE TABLE answer_versions (
            answer_id TEXT NOT NULL REFERENCES answers(id),
            version INTEGER NOT NULL,
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL,
            author TEXT NOT NULL,
            comment TEXT,
            PRIMARY KEY (answer_id, version)
        );
        INSERT INTO answer_versions
            SELECT id, 1, answer, sha256_hex(answer), created_at, 'generator:' || generator, NULL
            FROM answers;
        CREATE TABLE decisions (
            id TEXT PRIMARY KEY,
            answer_id TEXT NOT NULL REFERENCES answers(id),
            audit_seq INTEGER NOT NULL,
            action TEXT NOT NULL,
            user_name TEXT NOT NULL,
            role TEXT NOT NULL,
            at TEXT NOT NULL,
            meaning TEXT NOT NULL,
            comment TEXT,
            version INTEGER NOT NULL,
            version_sha256 TEXT NOT NULL,
            from_status TEXT NOT NULL,
            to_status TEXT NOT NULL,
            result_version INTEGER,
            result_sha256 TEXT
        );
        CREATE INDEX decisions_by_answer ON decisions(answer_id, audit_seq);
        CREATE TABLE audit_log (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            answer_id TEXT,
            payload TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL,
            mac TEXT NOT NULL
        );
        CREATE INDEX audit_by_answer ON audit_log(answer_id, seq);
        CREATE TABLE audit_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            mac TEXT NOT NULL
        );
        INSERT INTO audit_head VALUES (1, 0, '', '');
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;
        """,
    ),
    (
        4,
        "four eyes: verification findings on versions, justification on decisions",
        """
        ALTER TABLE answer_versions ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE decisions ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE decisions ADD COLUMN justification TEXT;
        """,
    ),
    (
        5,
        "server state shared by every process: sessions, rate buckets, generation slots",
        """
        CREATE TABLE sessions (
            id_hash TEXT PRIMARY KEY,
            user_name TEXT NOT NULL REFERENCES users(name),
            csrf TEXT NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX sessions_by_user ON sessions(user_name);
        CREATE TABLE rate_buckets (
            bucket TEXT PRIMARY KEY,
            tokens DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE generation_slots (
            holder TEXT PRIMARY KEY,
            expires_at DOUBLE PRECISION NOT NULL
        );
        """,
    ),
    (
        6,
        "generation slots as renewed leases: who holds each and since when",
        """
        ALTER TABLE generation_slots ADD COLUMN acquired_at DOUBLE PRECISION NOT NULL DEFAULT 0;
        ALTER TABLE generation_slots ADD COLUMN owner TEXT NOT NULL DEFAULT '';
        """,
    ),
]

_PG_APPEND_ONLY = """
    CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END $$;
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
"""

POSTGRES_SQL: dict[int, str] = {
    3: MIGRATIONS[2][2]
    .replace("sha256_hex(answer)", "encode(sha256(convert_to(answer, 'UTF8')), 'hex')")
    .split("CREATE TRIGGER", 1)[0]
    + _PG_APPEND_ONLY,
}


def _sql_for(db: Database, version: int, sql: str) -> str:
    return POSTGRES_SQL.get(version, sql) if db.dialect == "postgresql" else sql


def migrate(db: Database) -> list[int]:
    """Apply every migration not yet applied, each in its own write transaction.

    The applied set is read again inside the transaction, so processes opening a new store
    at the same moment do not apply a migration twice.
    """
    with db.write() as tx:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    applied = []
    for version, name, sql in MIGRATIONS:
        with db.write() as tx:
            done = tx.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
            ).fetchone()
            if done:
                continue
            db.script(tx, _sql_for(db, version, sql))
            tx.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, utc_now()))
        applied.append(version)
    return applied
