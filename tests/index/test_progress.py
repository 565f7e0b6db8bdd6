"""Long work says how it is going: progress lines in a log (not a terminal), a bar on one."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from assistant.config import IndexSettings
from assistant.index import progress
from assistant.index.indexer import ingest
from assistant.index.progress import BarProgress, LineProgress, progress_for
from tests.support.data import CORPUS
from tests.support.embedders import HashEmbedder

LINE = re.compile(r"^embedding: [\d,]+/[\d,]+ passages \(\d+%\), [\d.]+/s")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_log_gets_a_line_every_few_seconds_with_rate_and_time_left() -> None:
    out, clock = io.StringIO(), Clock()
    bar = LineProgress(1000, stream=out, interval=5.0, clock=clock)
    for _ in range(10):  # 100 passages a second, one update each second
        clock.now += 1.0
        bar.update(100)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines == [
        "embedding: 500/1,000 passages (50%), 100.0/s, about 5s left",
        "embedding: 1,000/1,000 passages (100%), 100.0/s, done in 10s",
    ]  # at most one a 5 s interval, and the last when it ends (once)


def test_a_terminal_gets_a_bar_and_a_pipe_gets_lines() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert isinstance(progress_for(10, stream=Tty()), BarProgress)
    assert isinstance(progress_for(10, stream=io.StringIO()), LineProgress)


def test_a_real_ingest_logged_to_a_pipe_says_how_it_is_going(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "INTERVAL_S", 0.0)  # every window, not every 5 s
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    settings = IndexSettings(embed_batch_size=2)  # windows of 32 passages: several lines
    report = ingest([corpus], tmp_path / "index", HashEmbedder(), settings, prune=True)
    lines = [line for line in capsys.readouterr().err.splitlines() if LINE.match(line)]
    assert report.chunks_embedded > 64 and len(lines) >= 3
    assert "left" in lines[0] and "done in" in lines[-1]
    done, total = (int(n.replace(",", "")) for n in lines[-1].split()[1].split("/"))
    assert done >= report.chunks_embedded - 1 and total > 0
