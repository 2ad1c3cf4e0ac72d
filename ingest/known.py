"""What the warehouse already holds: the files it read, as the current parsers read them."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ingest.forms import CURRENT_PARSERS

__all__ = ["CURRENT_PARSERS", "KnownFiles", "NOTHING_KNOWN", "modified_us"]

@dataclass(frozen=True)
class KnownFiles:
    """What the warehouse already holds, as today's parsers read it: the SHA-256 of those files, and
    each one's path, size and modification time when it was read. A file found at a known path with
    the same size and modification time is taken as unchanged without being read (as rsync and make
    do); any other file is read and hashed, and one with known content is not parsed again."""

    hashes: frozenset[str] = frozenset()
    # (path, size in bytes, modification time in microseconds since the epoch, as stored)
    stats: frozenset[tuple[str, int, int]] = frozenset()
    # what each path held when it was last read: path -> SHA-256
    holding: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def __bool__(self) -> bool:
        return bool(self.hashes)

    def unchanged(self, path: Path | str, st: os.stat_result) -> bool:
        return bool(self.stats) and (str(path), st.st_size, modified_us(st)) in self.stats

    def settled(self, path: Path | str, sha256: str) -> bool:
        """Whether a file whose content is known needs no reading: it is what its path held when
        last read, or the same content under another name (loaded once). A path that held other
        content since (a file reverted to an earlier version) is read again, so that what the
        path holds now is current."""
        if sha256 not in self.hashes:
            return False
        held = self.holding.get(str(path))
        return held is None or held == sha256

    def by_content(self) -> "KnownFiles":
        """The hashes and what each path held: what a worker needs for the files the stats did
        not settle."""
        return KnownFiles(hashes=self.hashes, holding=self.holding)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def modified_us(st: os.stat_result) -> int:
    """A file's modification time as raw.documents stores it (to the microsecond, rounded as
    `datetime.fromtimestamp` rounds), in microseconds since the epoch."""
    return (datetime.fromtimestamp(st.st_mtime, timezone.utc) - _EPOCH) // _MICROSECOND


NOTHING_KNOWN = KnownFiles()
