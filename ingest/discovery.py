"""Which files a batch reads: every file under the given files and folders, in a stable order, and
a record of each thing found that cannot be read as a file (a FIFO, a device, a dangling link)."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

# Files that describe a corpus rather than belong to it.
IGNORED_NAMES = {"MANIFEST.md", "README.md", "SOURCE.md", "truth.json", "expected.json", "expected.md"}


def discover(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Every file under the given files and folders, in a stable order, without corpus notes or hidden files."""
    return [Path(name) for name in survey(paths, exclude)[0]]


def survey(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> tuple[list[str], list[tuple[str, str]]]:
    """The files to read under `paths` (path strings: at a hundred thousand files, making `Path`s
    takes a third of a second), and what was found but cannot be read, each with the reason:
    FIFOs, devices and sockets, dangling or looping links, folders that cannot be listed, names
    that are not UTF-8. Hidden files and folders are left out below an input, not above it, and
    so are the paths in `exclude` (the warehouse's own files and reports)."""
    found: set[str] = set()
    skipped: list[tuple[str, str]] = []
    excluded = tuple(os.path.abspath(p) for p in exclude)
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for name, reason in _files_under(str(path), excluded):
                if reason is None:
                    found.add(name)
                else:
                    skipped.append((name, reason))
        elif path.is_file():
            found.add(str(path))
        elif path.exists() or path.is_symlink():
            skipped.append((str(path), _not_a_file(path)))
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    kept = []
    for name in sorted(found):
        if os.path.basename(name) in IGNORED_NAMES or _outside(name, excluded):
            continue
        if not _utf8(name):
            skipped.append((name, "file name is not valid UTF-8; rename it to read it"))
            continue
        kept.append(name)
    return kept, sorted(skipped)


def _outside(name: str, excluded: tuple[str, ...]) -> bool:
    """Whether a path is one of the excluded paths or under one."""
    absolute = os.path.abspath(name)
    return any(absolute == e or absolute.startswith(e + os.sep) for e in excluded)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode kept the bytes as surrogates
        return False
    return True


def _not_a_file(path: Path) -> str:
    """Why something found is not read: what it is instead of a regular file."""
    import stat

    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"skipped: cannot be examined ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        try:
            path.stat()
        except OSError as exc:
            return "skipped: a link that loops" if exc.errno == 40 else "skipped: a link to nothing"
        return "skipped: a link to something that is not a file"
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return f"skipped: {kind}, not a regular file"


def _files_under(folder: str, excluded: tuple[str, ...] = ()) -> Iterator[tuple[str, str | None]]:
    """The files in a folder and its subfolders, each with None, and what cannot be read, each with
    the reason. Symbolic links to folders are not followed; hidden entries are left out. Read from
    the directory entries alone: no call per file to ask what it is."""
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as exc:
            yield current, f"skipped: the folder cannot be listed ({exc.strerror or exc})"
            continue
        for entry in listed:
            if entry.name.startswith(".") or _outside(entry.path, excluded):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif _follows_to(entry, "file"):
                yield entry.path, None
            elif not _follows_to(entry, "dir"):  # a link to a folder is not followed, and not a loss
                yield entry.path, _not_a_file(Path(entry.path))


def _follows_to(entry: os.DirEntry, kind: str) -> bool:
    """Whether an entry is (or links to) a file or a folder; a link that loops is neither."""
    try:
        return entry.is_file() if kind == "file" else entry.is_dir()
    except OSError:
        return False


def found_under(name: str, roots: Iterable[Path], exclude: Iterable[Path] = ()) -> bool:
    """Whether `survey(roots, exclude)` lists the path `name` when it is a file: it is one of the
    roots or under one with no hidden part below it, outside `exclude`, no corpus note, and its name
    is UTF-8. For a process told which paths changed, which must not list every file again."""
    absolute = os.path.abspath(name)
    excluded = tuple(os.path.abspath(p) for p in exclude)
    if os.path.basename(absolute) in IGNORED_NAMES or _outside(absolute, excluded) or not _utf8(absolute):
        return False
    for root in roots:
        root = os.path.abspath(root)
        if absolute == root:
            return True
        if absolute.startswith(root + os.sep):
            below = os.path.relpath(absolute, root).split(os.sep)
            if not any(part.startswith(".") for part in below):
                return True
    return False
