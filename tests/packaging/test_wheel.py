"""The project installed from its built wheel (not editable) answers from outside the checkout:
prompts, lexicons and static web files ship as package data, found through the package."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.data import CORPUS, REPO

pytestmark = pytest.mark.slow

PACKAGE_DATA = ("assistant/data/prompts", "assistant/data/lexicons", "server/static")
SOURCES = ("assistant", "server", "evals", "benchmarks", "pyproject.toml", "README.md")


def _run(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _build_wheel(tmp: Path, env: dict[str, str]) -> Path:
    """Build from a copy of the sources, so the checkout gets no build/ or egg-info."""
    src = tmp / "src"
    for name in SOURCES:
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy
        ignore = (
            {"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}
        )
        copy(REPO / name, src / name, **ignore)  # type: ignore[operator]
    out = tmp / "dist"
    _run(
        sys.executable, "-m", "build", "--wheel", "--no-isolation", "-o", out, src, cwd=tmp, env=env
    )
    (wheel,) = out.glob("followup-*.whl")
    return wheel


def _venv(tmp: Path, env: dict[str, str]) -> Path:
    """A fresh venv that sees this venv's dependencies (offline, fast) but not its editable
    install of the project: a .pth line adds the directory without running its .pth files."""
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp, env=env)
    (new_site,) = venv.glob("lib/python*/site-packages")
    (new_site / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return venv


def test_wheel_ships_package_data_and_answers_outside_the_checkout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("OPENAI_")}
    env = {k: v for k, v in env.items() if not k.startswith("FOLLOWUP_")}
    wheel = _build_wheel(tmp_path, env)
    shipped = set(zipfile.ZipFile(wheel).namelist())
    for folder in PACKAGE_DATA:
        for path in (REPO / folder).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert path.relative_to(REPO).as_posix() in shipped, f"{path} is not in the wheel"

    venv = _venv(tmp_path, env)
    python = venv / "bin" / "python"
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=tmp_path, env=env)
    work = tmp_path / "elsewhere"
    shutil.copytree(CORPUS, work / "corpus")
    env |= {"FOLLOWUP_DATA_DIR": str(work / "data"), "HF_HUB_OFFLINE": "1"}
    where = _run(
        python, "-c", "import assistant, server; print(assistant.__file__)", cwd=work, env=env
    )
    assert where.startswith(str(venv)), where  # the project itself comes from the wheel

    followup = venv / "bin" / "followup"
    _run(followup, "ingest", work / "corpus", cwd=work, env=env)
    out = _run(
        followup,
        "ask",
        "What dose of mebendazole for a 14 kg child with roundworm?",
        cwd=work,
        env=env,
    )
    assert "500 mg" in out and "[1]" in out
    assert "Professional medical disclaimer" in out and "Pending human review" in out
