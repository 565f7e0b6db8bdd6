"""The ``followup`` command as a package: one exit-code table for every error category, one
place that reports library errors, groups that import nothing above them, and the same
commands however the command is started."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from assistant import errors
from assistant.cli import app, exits
from tests.support.data import REPO

PACKAGE = REPO / "assistant" / "cli"


def test_every_category_has_an_exit_code_and_errors_exit_2() -> None:
    assert set(exits.EXIT_CODES) == {*errors.CATEGORIES, errors.FollowupError}
    for category in set(errors.CATEGORIES) - {errors.RateLimitedError}:
        assert exits.exit_code(category("x")) == exits.ERROR
    assert exits.exit_code(errors.RateLimitedError("x", retry_after=3)) == exits.ERROR
    assert exits.exit_code(errors.StoreConflictError("dup")) == exits.ERROR
    assert exits.exit_code(errors.FollowupError("bare")) == exits.ERROR


def _raising(exc: errors.FollowupError) -> typer.Typer:
    """A command group like ``followup``'s, with one nested command that raises ``exc``."""
    root = typer.Typer(cls=exits.Commands, add_completion=False)
    nested = typer.Typer()

    @nested.command("go")
    def go() -> None:
        typer.echo("started")
        raise exc

    group = typer.Typer()
    group.add_typer(nested)
    root.add_typer(group, name="group")
    return root


@pytest.mark.parametrize(
    "exc",
    [
        errors.NotFoundError("No answer 'a1'."),
        errors.AuthenticationError("Unknown API key."),
        errors.IndexNotReadyError(Path("/data/index")),
        errors.GenerationError("The model timed out."),
    ],
    ids=lambda e: type(e).__name__,
)
def test_a_library_error_in_any_nested_command_is_one_line_and_its_exit_code(
    exc: errors.FollowupError,
) -> None:
    result = CliRunner().invoke(_raising(exc), ["group", "go"])
    assert result.exit_code == exits.exit_code(exc) == 2
    assert result.stdout == "started\n"
    assert result.stderr == f"error: {exc}\n"
    assert not isinstance(result.exception, errors.FollowupError)  # no traceback


def test_a_bug_is_not_dressed_as_a_library_error() -> None:
    root = typer.Typer(cls=exits.Commands, add_completion=False)

    @root.command("go")
    def go() -> None:
        raise KeyError("bug")

    @root.command("other")  # two commands: a group, as followup is
    def other() -> None: ...

    result = CliRunner().invoke(root, ["go"])
    assert isinstance(result.exception, KeyError)


def _cli_imports(path: Path) -> set[str]:
    """The modules of assistant.cli that ``path`` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "assistant.cli":
                found |= {f"assistant.cli.{a.name}" for a in node.names}
                found.add("assistant.cli")
            elif node.module.startswith("assistant.cli."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("assistant.cli")}
    return found


def test_no_import_cycle_and_no_group_imports_the_root() -> None:
    graph = {f"assistant.cli.{p.stem}": _cli_imports(p) for p in PACKAGE.glob("*.py")}
    graph["assistant.cli"] = graph.pop("assistant.cli.__init__")
    for module, imported in graph.items():
        if module not in ("assistant.cli", "assistant.cli.__main__", "assistant.cli.root"):
            assert not imported & {"assistant.cli", "assistant.cli.root"}, module

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join((*path, module))
        for nxt in graph.get(module, set()) - {"assistant.cli"}:
            visit(nxt, (*path, module))

    for module in graph:
        visit(module, ())


def test_the_module_lists_every_command_in_the_entry_points_order() -> None:
    group = typer.main.get_command(app)
    names = group.list_commands(click.Context(group))  # type: ignore[attr-defined]
    assert names == ["ingest", "ask", "chat", "articles", "eval", "serve", "users", "review"]
    as_module = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "--help"],
        cwd=REPO,
        env={**os.environ, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert as_module.returncode == 0, as_module.stderr
    listed = re.findall(r"^│ ([a-z][a-z-]*) ", as_module.stdout, flags=re.MULTILINE)
    assert listed == names
