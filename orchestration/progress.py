"""Progress of a command's long steps (ingest, dbt build, checks, reports): a line now and then on
stderr while its job runs, when stderr is a terminal and the logs are not shown (`--verbose` shows
those instead). The steps say where they are; the command line decides whether anyone hears."""
from __future__ import annotations

import sys
import time

ENABLED = False  # set by the command line


def say(step: str, text: str) -> None:
    if ENABLED:
        print(f"fiscal: {step}: {text}", file=sys.stderr, flush=True)


class Ticker:
    """A step's progress, said at most once every `seconds` (and at its end, by `done`)."""

    def __init__(self, step: str, seconds: float = 3.0):
        self.step, self.seconds = step, seconds
        self.started = self._last = time.monotonic()

    def tick(self, text) -> None:
        """Say `text()` if the last line is `seconds` old (`text` is called only then)."""
        now = time.monotonic()
        if ENABLED and now - self._last >= self.seconds:
            self._last = now
            say(self.step, text())

    def done(self, text: str) -> None:
        say(self.step, f"{text} ({time.monotonic() - self.started:.1f} s)")
