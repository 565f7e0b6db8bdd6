"""A small copy of the sample corpus and the edit the crash suites apply to it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.support.data import CORPUS

EDITED = "umbilical-cord-prolapse"


DELETED = "mebendazole-ascariasis-child"


ARTICLES = [EDITED, DELETED, "albendazole-ascariasis-alternative"]


def small_corpus(root: Path) -> Path:
    (root / "articles").mkdir(parents=True)
    for name in ARTICLES:
        shutil.copy(CORPUS / "articles" / f"{name}.md", root / "articles")
    shutil.copytree(CORPUS / "sources", root / "sources")
    return root


def edit_corpus(root: Path) -> None:
    """An edit that keeps chunk ids but changes their text, a deleted article, new sources."""
    path = root / "articles" / f"{EDITED}.md"
    path.write_text(path.read_text().replace("## Direct answer\n", "## Direct answer\nZyxel.\n"))
    (root / "articles" / f"{DELETED}.md").unlink()
    lines = [
        json.dumps({"id": f"sample-{n}", "title": f"Sample source {n}", "text": f"Sample {n}."})
        for n in range(40)  # enough new passages for several embedding windows
    ]
    (root / "sources" / "zz-sample.jsonl").write_text("\n".join(lines) + "\n")
