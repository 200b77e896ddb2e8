"""Sample the resident memory of each service (its process and children) while a case runs."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from types import TracebackType

import psutil


def _children() -> dict[int, list[int]]:
    """Every process's children, from one pass over the process table."""
    children: dict[int, list[int]] = {}
    for process in psutil.process_iter(["ppid"]):
        children.setdefault(process.info["ppid"], []).append(process.pid)
    return children


def trees_rss(pids: list[int], children: Mapping[int, list[int]]) -> dict[int, int]:
    """The resident bytes of each of ``pids`` with its descendants (uvicorn's worker
    processes)."""
    totals: dict[int, int] = {}
    for root in pids:
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, ()))
            with contextlib.suppress(psutil.Error):  # it ended meanwhile
                total += psutil.Process(pid).memory_info().rss
        totals[root] = total
    return totals


class RssSampler:
    """``with RssSampler({"asset-service": pid}) as s: …`` then ``s.max_mb``: the highest RSS
    seen per name (MB), sampled every ``interval`` seconds; ``peaks`` keeps the highest across
    every use of the sampler."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.5) -> None:
        self.pids = dict(pids)
        self.interval = interval
        self.max_mb: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        # One pass over the process table per sample, not one per service (psutil's
        # children(recursive=True) reads every process each time: with ten services, a fifth
        # of a core taken from the services under test).
        rss = trees_rss(list(self.pids.values()), _children())
        for name, pid in self.pids.items():
            mb = rss[pid] / 2**20
            self.max_mb[name] = max(self.max_mb.get(name, 0.0), mb)
            self.peaks[name] = max(self.peaks.get(name, 0.0), mb)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> RssSampler:
        self.max_mb = {}
        self._stop.clear()
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()
