"""A real answer from the pipeline, reviewed and published through `followup review`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.compose import Composed
from assistant.ingest.articles import read_article
from assistant.language import markers
from assistant.models import ReviewStatus
from assistant.pipeline import Ask, answer
from assistant.render import answer_text
from tests.support.records import tamper

QUESTION = "At what dose does naltrexone change from partial to full opioid blockade?"


@pytest.fixture
def cli(services: Composed) -> tuple[CliRunner, dict[str, str]]:
    env = {"FOLLOWUP_DATA_DIR": str(services.settings.data_dir), "FOLLOWUP_API_KEY": ""}
    runner = CliRunner()
    keys = {}
    for name, role in [("rita", "reviewer"), ("cleo", "clinician")]:
        result = runner.invoke(app, ["users", "add", name, "--role", role], env=env)
        assert result.exit_code == 0, result.output
        keys[name] = result.output.strip().splitlines()[-1]
    return runner, {**env, **{f"KEY_{k}": v for k, v in keys.items()}}


def run(cli: tuple[CliRunner, dict[str, str]], who: str, *args: str) -> tuple[int, str]:
    runner, env = cli
    result = runner.invoke(
        app, ["review", *args], env={**env, "FOLLOWUP_API_KEY": env[f"KEY_{who}"]}
    )
    return result.exit_code, result.output


def test_review_a_pipeline_answer_from_the_command_line(
    services: Composed, cli: tuple[CliRunner, dict[str, str]], tmp_path: Path
) -> None:
    record = answer(services.pipeline, Ask(QUESTION, owner="cleo"))
    assert record.citations and record.review_status is ReviewStatus.PENDING

    code, out = run(cli, "rita", "list")
    assert code == 0 and record.id in out
    code, out = run(cli, "rita", "show", record.id)
    assert code == 0 and QUESTION in out
    assert all(c.passage[:40] in out.replace("\n      ", " ") for c in record.citations)

    code, out = run(cli, "cleo", "approve", record.id, "--version", "1")
    assert code == 2 and "cleo is a clinician" in out
    code, out = run(cli, "rita", "reject", record.id, "--version", "1", "--reason", " ")
    assert code == 2 and "A reason is required" in out
    code, out = run(cli, "rita", "approve", record.id)  # which version was read is required
    assert code == 2 and "--version" in out
    code, out = run(cli, "rita", "approve", record.id, "--version", "2")
    assert code == 2 and "now at version 1" in out
    code, out = run(cli, "rita", "approve", record.id, "--version", "1", "--sha256", "ab" * 32)
    assert code == 2 and "not that of version 1" in out
    missing = tmp_path / "no-such-edit.txt"
    code, out = run(cli, "rita", "edit", record.id, "--version", "1", "--file", str(missing))
    assert code == 2 and "Cannot read the edited text" in out and "Traceback" not in out
    code, out = run(
        cli, "rita", "approve", record.id, "--version", "1", "--comment", "matches the label"
    )
    assert code == 0 and "approved answer" in out

    shown = services.store.get_answer(record.id)
    assert shown.review_status is ReviewStatus.APPROVED
    assert answer_text(shown).endswith(f"Approved by a reviewer — answer {record.id}")
    code, out = run(cli, "rita", "approve", record.id, "--version", "1")
    assert code == 2 and "it is approved" in out

    code, out = run(cli, "rita", "publish", record.id, "--corpus", str(tmp_path / "corpus"))
    assert code == 0, out
    (path,) = (tmp_path / "corpus" / "articles").glob("*.md")
    article = read_article(path)  # the corpus reader accepts it
    assert article.status == "submitted"
    used = set(markers.cited_indices(record.answer))
    sources = {c.source_id for c in record.citations if c.n in used}
    assert {r.id for r in article.references} == sources and sources
    code, out = run(cli, "rita", "publish", record.id, "--corpus", str(tmp_path / "corpus"))
    assert code == 2 and "already published" in out

    code, out = run(cli, "rita", "verify")
    assert code == 0 and "verified: 3 entries" in out  # create, approve, publish
    tamper(services.store, ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", ()))
    code, out = run(cli, "rita", "verify")
    assert code == 1 and "FAILED at entry 2" in out


def test_review_commands_need_a_valid_key(cli: tuple[CliRunner, dict[str, str]]) -> None:
    runner, env = cli
    result = runner.invoke(app, ["review", "list"], env={**env, "FOLLOWUP_API_KEY": "fu_wrong"})
    assert result.exit_code == 2 and "Invalid or missing API key" in result.output
    code, out = run(cli, "cleo", "list")
    assert code == 2 and "needs reviewer" in out
