"""The answer store's files are private to this account (issue 11, finding 11).

Probed: the database, its WAL/SHM files and the catalog were 0644, so any local user could
read every question and answer.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from assistant.review.store import AnswerStore
from tests.support.records import save_answer

FOLLOWUP = Path(sys.executable).with_name("followup")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_is_0600_in_a_0700_folder_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = AnswerStore(tmp_path / "data" / "followup.db")
        save_answer(store)
        files = sorted((tmp_path / "data").iterdir())
        wal = tmp_path / "data" / "followup.db-wal"
        assert wal.exists() and (tmp_path / "data" / "followup.db-shm").exists()
        assert mode(tmp_path / "data") == 0o700
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(store.key_file) == 0o600
        store.close()
    finally:
        os.umask(old)


def test_an_existing_world_readable_store_is_made_private(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    AnswerStore(tmp_path / "data" / "followup.db").close()
    os.chmod(tmp_path / "data" / "followup.db", 0o644)
    AnswerStore(tmp_path / "data" / "followup.db").close()
    assert mode(tmp_path / "data" / "followup.db") == 0o600


def test_the_followup_command_writes_private_files(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    env = {**os.environ, "FOLLOWUP_DATA_DIR": str(data)}
    subprocess.run(
        [str(FOLLOWUP), "users", "add", "dr.lee", "--role", "clinician"],
        env=env,
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert mode(data) == 0o700
    made = [p for p in data.rglob("*")]
    assert made and all(mode(p) & 0o077 == 0 for p in made), {str(p): oct(mode(p)) for p in made}
