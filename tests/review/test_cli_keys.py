"""API keys never come from argv, where `ps` shows them (issue 11, finding 11)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from assistant.review.store import AnswerStore
from assistant.review.users import add_user


def test_key_on_the_command_line_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["review", "list", "--key", "fu_secret"], env={"FOLLOWUP_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 2 and "No such option" in result.output


def test_key_comes_from_the_environment_or_a_hidden_prompt(tmp_path: Path) -> None:
    store = AnswerStore(tmp_path / "followup.db")
    _, key = add_user(store, "rita", "reviewer")
    store.close()
    env = {"FOLLOWUP_DATA_DIR": str(tmp_path), "FOLLOWUP_API_KEY": ""}
    runner = CliRunner()
    from_env = runner.invoke(app, ["review", "list"], env={**env, "FOLLOWUP_API_KEY": key})
    assert from_env.exit_code == 0 and "no answers" in from_env.output
    prompted = runner.invoke(app, ["review", "list"], env=env, input=key + "\n")
    assert prompted.exit_code == 0 and "API key" in prompted.output
    assert key not in prompted.output  # typed without echo
