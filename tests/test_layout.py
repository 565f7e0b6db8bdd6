"""The test tree's own rules: shared helpers live in tests/support, and no module under tests
imports a test module or a conftest (moving or deleting one test never breaks another)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # code run in a child process names its imports in a string
            found.update(line.split()[1] for line in node.value.splitlines() if _is_from(line))
    return found


def _is_from(line: str) -> bool:
    words = line.split()
    return len(words) > 3 and words[0] == "from" and words[2] == "import"


def test_no_module_under_tests_imports_a_test_module_or_a_conftest() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        for module in imported_modules(path):
            last = module.rsplit(".", 1)[-1]
            if module.startswith("tests.") and (last.startswith("test_") or last == "conftest"):
                offenders.append(f"{path.relative_to(TESTS)} imports {module}")
    assert offenders == []


def test_the_layout_rule_sees_an_import_of_a_test_module(tmp_path: Path) -> None:
    module = tmp_path / "test_example.py"
    bad = "tests.llm.test_adversary", "tests.index.test_crash"  # split: this file obeys the rule
    module.write_text(f'from {bad[0]} import ask\nCHILD = """\nfrom {bad[1]} import sample\n"""\n')
    assert imported_modules(module) >= set(bad)


def test_test_modules_sit_in_folders_named_for_what_they_test() -> None:
    flat = sorted(p.name for p in TESTS.glob("test_*.py") if p.name != Path(__file__).name)
    assert flat == [], "move them under the folder of the source they test"
