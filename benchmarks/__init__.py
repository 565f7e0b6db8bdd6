"""Speed and scale measurements (not timed tests); results go to benchmarks/out/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def publish(results: Any, path: Path) -> None:
    """Write a benchmark's figures to ``path`` as JSON and print them."""
    text = json.dumps(results, indent=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(text)
