"""How long work says how it is going: a bar on a terminal, a line every few seconds in a log.

``followup eval > log 2>&1`` once wrote nothing for a 25-minute ingest; a log or CI run now
gets lines such as ``embedding: 1,536/50,000 passages (3%), 31.2/s, about 25m54s left``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

INTERVAL_S = 5.0  # between two lines in a log


class Progress(Protocol):
    """Progress reporting seam: the CLI plugs a progress bar in."""

    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    """Progress nobody watches."""

    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


ProgressFactory = Callable[[int], Progress]


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class LineProgress:
    """Progress as plain lines (done / total, rate, time left), at most one per ``interval``."""

    def __init__(
        self,
        total: int,
        *,
        what: str = "embedding",
        unit: str = "passages",
        stream: TextIO | None = None,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.done = total, 0
        self._what, self._unit, self._clock = what, unit, clock
        self._interval = INTERVAL_S if interval is None else interval
        self._stream = stream if stream is not None else sys.stderr
        self._started = self._last = clock()
        self._closed = False
        self._shown = -1  # ``done`` when the last line was printed

    def line(self) -> str:
        """The current state as one line."""
        elapsed = max(self._clock() - self._started, 1e-9)
        rate = self.done / elapsed
        share = f" ({100 * self.done // self.total}%)" if self.total else ""
        text = f"{self._what}: {self.done:,}/{self.total:,} {self._unit}{share}, {rate:.1f}/s"
        if 0 < self.done < self.total and rate > 0:
            text += f", about {_duration((self.total - self.done) / rate)} left"
        elif self.done >= self.total:
            text += f", done in {_duration(elapsed)}"
        return text

    def _emit(self) -> None:
        print(self.line(), file=self._stream, flush=True)
        self._last, self._shown = self._clock(), self.done

    def update(self, n: int) -> None:
        self.done += n
        # The total is an estimate made before chunking; it grows when passed.
        self.total = max(self.total, self.done)
        if self._clock() - self._last >= self._interval:
            self._emit()

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            if self._shown != self.done or not self.done:
                self._emit()


class BarProgress:
    """A tqdm bar (on a terminal)."""

    def __init__(self, total: int, *, what: str, unit: str, stream: TextIO) -> None:
        from tqdm import tqdm

        self._bar: Any = tqdm(total=total, unit=unit.rstrip("s"), desc=what, file=stream)

    def update(self, n: int) -> None:
        self._bar.update(n)

    def close(self) -> None:
        self._bar.close()


def progress_for(
    total: int, *, what: str = "embedding", unit: str = "passages", stream: TextIO | None = None
) -> LineProgress | BarProgress:
    """A bar when ``stream`` (stderr by default) is a terminal, else progress lines."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        return BarProgress(total, what=what, unit=unit, stream=stream)
    return LineProgress(total, what=what, unit=unit, stream=stream)
