"""Sample the resident memory of each service (its process and children) while a case runs."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Mapping
from types import TracebackType

import psutil


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and its descendants (uvicorn's worker processes)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):  # it ended meanwhile
            total += process.memory_info().rss
    return total


class RssSampler:
    """``with RssSampler({"asset-service": pid}) as s: …`` then ``s.max_mb``: the highest RSS
    seen per name (MB), sampled every ``interval`` seconds; ``peaks`` keeps the highest across
    every use of the sampler."""

    def __init__(self, pids: Mapping[str, int], interval: float = 0.25) -> None:
        self.pids = dict(pids)
        self.interval = interval
        self.max_mb: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            mb = tree_rss(pid) / 2**20
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
