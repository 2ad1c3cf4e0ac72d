"""A pool of forked reading processes that survives the death of one: a file whose reading kills
its worker (native code that aborts on a failed allocation, a fault in a reader's library, the
kernel's out-of-memory killer) costs that file, never the batch."""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class SurvivingPool:
    """`run(chunk)` over chunks of files in `workers` processes, the results in chunk order.

    When a worker dies, which chunk it was reading is not known: the first unfinished chunk is read
    again one file at a time, each in a process of its own until one dies, and `lost(path)` stands
    for the file that killed it; the chunks after it go back to a fresh pool. A chunk that was not
    the cause reads as before, only slower; each death costs one restart.
    """

    def __init__(self, workers: int, run: Callable[[list[Path]], T], lost: Callable[[Path], T],
                 initializer: Callable[..., Any], initargs: tuple = ()):
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        self._context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._workers = workers
        self._run, self._lost = run, lost
        self._init = (initializer, initargs)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, chunks: Sequence[list[Path]]) -> Iterator[T]:
        """Start the workers now (so that they are forked before the caller opens a database) and
        return the results as they come."""
        pending = deque(chunks)
        return self._results(pending, self._submit(pending))

    def _submit(self, pending: deque[list[Path]]) -> deque[Future]:
        self._pool = self._start(self._workers)
        return deque(self._pool.submit(self._run, chunk) for chunk in pending)

    def _results(self, pending: deque[list[Path]], futures: deque[Future]) -> Iterator[T]:
        try:
            while pending:
                try:
                    while futures:
                        result = futures[0].result()
                        futures.popleft()
                        pending.popleft()
                        yield result
                except BrokenProcessPool:
                    self.close()
                    yield from self._one_by_one(pending.popleft())
                    if pending:
                        futures = self._submit(pending)
        finally:
            self.close()

    def _one_by_one(self, chunk: list[Path]) -> Iterator[T]:
        for path in chunk:
            if self._pool is None:
                self._pool = self._start(1)
            try:
                result = self._pool.submit(self._run, [path]).result()
            except BrokenProcessPool:
                self.close()
                result = self._lost(path)
            yield result
        self.close()

    def _start(self, workers: int) -> ProcessPoolExecutor:
        initializer, initargs = self._init
        return ProcessPoolExecutor(max_workers=workers, mp_context=self._context, initializer=initializer,
                                   initargs=initargs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
