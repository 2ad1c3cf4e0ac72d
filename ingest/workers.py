"""A pool of forked reading processes that survives the death of one: a file whose reading kills
its worker (native code that aborts on a failed allocation, a fault in a reader's library, the
kernel's out-of-memory killer) costs that file, never the batch; and a file whose reading never
ends (native code the worker's own alarm cannot interrupt) is stopped from outside."""
from __future__ import annotations

import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

DIED = "resource limit: its reading ended the process reading it (out of memory, or a fault in a reader)"
POLL_SECONDS = 1.0  # how often the command looks for a file read for too long
_FIELDS = 4  # per worker, in the watch table: pid, chunk, position in the chunk, when its reading began

# in a worker: the pool's watch table, this worker's row in it, and the chunk it is reading
_watch: tuple[Any, int] | None = None
_chunk = [-1.0, 0]  # chunk number, files begun in it


@contextmanager
def reading_file():
    """Mark the block as the reading of the current chunk's next file, so that the command can stop
    this worker when the block outlives its deadline (outside a pool: nothing)."""
    if _watch is None:
        yield
        return
    table, row = _watch
    base = row * _FIELDS
    table[base + 1], table[base + 2] = _chunk[0], float(_chunk[1])
    table[base + 3] = time.monotonic()
    _chunk[1] += 1
    try:
        yield
    finally:
        table[base + 3] = 0.0


def extend_reading(seconds: float) -> None:
    """The file this worker reads may take `seconds` longer before the command stops it."""
    if _watch is None:
        return
    table, row = _watch
    if table[row * _FIELDS + 3]:
        table[row * _FIELDS + 3] += seconds


def _begin_worker(table, taken, initializer: Callable[..., Any], initargs: tuple) -> None:
    global _watch
    with taken.get_lock():
        row, taken.value = taken.value, taken.value + 1
    if row * _FIELDS < len(table):
        table[row * _FIELDS] = float(os.getpid())
        _watch = (table, row)
    initializer(*initargs)


def _run_chunk(run: Callable[[list[Path]], T], number: int, first: int, chunk: list[Path]) -> T:
    _chunk[0], _chunk[1] = float(number), first
    return run(chunk)


class SurvivingPool:
    """`run(chunk)` over chunks of files in `workers` processes, the results in chunk order.

    When a worker dies, which chunk it was reading is not known: the first unfinished chunk is read
    again one file at a time, each in a process of its own until one dies, and `lost(path, reason)`
    stands for the file that killed it; the chunks after it go back to a fresh pool. A chunk that was
    not the cause reads as before, only slower; each death costs one restart.

    A worker whose current file has been read for longer than `deadline` seconds is killed, and that
    file (known from the worker's row in a shared table) is `lost` with `overdue` as its reason,
    without being read again.
    """

    def __init__(self, workers: int, run: Callable[[list[Path]], T], lost: Callable[[Path, str], T],
                 initializer: Callable[..., Any], initargs: tuple = (), deadline: float | None = None,
                 overdue: str = ""):
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._workers = workers
        self._run, self._lost = run, lost
        self._init = (initializer, initargs)
        self._deadline, self._overdue = deadline, overdue
        self._pool: ProcessPoolExecutor | None = None
        self._table = None
        self._chunks: list[list[Path]] = []
        self._stopped: set[Path] = set()

    def map(self, chunks: Sequence[list[Path]]) -> Iterator[T]:
        """Start the workers now (so that they are forked before the caller opens a database) and
        return the results as they come."""
        self._chunks = list(chunks)
        pending = deque(range(len(self._chunks)))
        return self._results(pending, self._submit(pending))

    def _submit(self, pending: deque[int]) -> deque[Future]:
        self._pool = self._start(self._workers)
        return deque(self._pool.submit(_run_chunk, self._run, n, 0, self._chunks[n]) for n in pending)

    def _results(self, pending: deque[int], futures: deque[Future]) -> Iterator[T]:
        try:
            while pending:
                try:
                    while futures:
                        result = self._wait(futures[0])
                        futures.popleft()
                        pending.popleft()
                        yield result
                except BrokenProcessPool:
                    self.close()
                    # a stopped file is read no more: every chunk up to the last that holds one is
                    # read file by file, the stopped ones standing for themselves
                    last = max((n for n in pending if self._stopped.intersection(self._chunks[n])), default=pending[0])
                    while pending and pending[0] <= last:
                        yield from self._one_by_one(pending.popleft())
                    if pending:
                        futures = self._submit(pending)
        finally:
            self.close()

    def _one_by_one(self, number: int) -> Iterator[T]:
        for position, path in enumerate(self._chunks[number]):
            if path in self._stopped:
                yield self._lost(path, self._overdue)
                continue
            if self._pool is None:
                self._pool = self._start(1)
            try:
                result = self._wait(self._pool.submit(_run_chunk, self._run, number, position, [path]))
            except BrokenProcessPool:
                self.close()
                result = self._lost(path, self._overdue if path in self._stopped else DIED)
            yield result
        self.close()

    def _wait(self, future: Future) -> T:
        """The future's result; meanwhile, every worker reading one file for too long is killed."""
        if self._deadline is None:
            return future.result()
        while True:
            try:
                return future.result(timeout=POLL_SECONDS)
            except FutureTimeout:
                self._stop_overdue()

    def _stop_overdue(self) -> None:
        now, table = time.monotonic(), self._table
        for base in range(0, len(table), _FIELDS):
            pid, number, position, began = table[base:base + _FIELDS]
            if began and now - began > self._deadline:
                self._stopped.add(self._chunks[int(number)][int(position)])
                table[base + 3] = 0.0
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _start(self, workers: int) -> ProcessPoolExecutor:
        initializer, initargs = self._init
        self._table = self._context.Array("d", workers * _FIELDS, lock=False)
        taken = self._context.Value("i", 0)
        return ProcessPoolExecutor(max_workers=workers, mp_context=self._context, initializer=_begin_worker,
                                   initargs=(self._table, taken, initializer, initargs))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
