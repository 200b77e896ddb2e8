"""The report: a table on standard output, ``bench/results/latest.json`` and a PNG chart."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .cases import Result, Target


def _cell(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def summary(r: Result) -> str:
    """One line: req/s, p50, p99, errors and the other figures of ``r``."""
    parts = [] if r.req_per_s is None else [f"{r.req_per_s:.0f} req/s"]
    parts += [f"{k} {v:.1f} ms" for k, v in (("p50", r.p50_ms), ("p99", r.p99_ms)) if v is not None]
    parts += [f"errors {r.errors}", *(f"{k} {v:g}" for k, v in r.figures.items())]
    return ", ".join(parts) + (f" ({r.note})" if r.note else "")


def table(results: Sequence[Result]) -> str:
    lines = [
        f"{'case':44}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}  notes",
    ]
    for r in results:
        notes = ", ".join(f"{k} {v:g}" for k, v in r.figures.items())
        if r.note:
            notes = f"{notes}; {r.note}" if notes else r.note
        lines.append(
            f"{r.name[:44]:44}{_cell(r.req_per_s):>10}{_cell(r.p50_ms):>10}{_cell(r.p99_ms):>10}"
            f"{r.errors:>8}  {notes}"
        )
    return "\n".join(lines)


def targets_table(targets: Sequence[Target]) -> str:
    return "\n".join(f"  {'ok  ' if t.ok else 'MISS'} {t.describe()}" for t in targets)


def write_json(
    path: Path,
    *,
    mode: str,
    sizes: Mapping[str, int],
    seed: Mapping[str, Mapping[str, float]],
    results: Sequence[Result],
    rss_mb: Mapping[str, float],
    rss_by_case: Mapping[str, Mapping[str, float]] | None = None,
    ok: bool,
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document: dict[str, Any] = {
        "mode": mode,
        "machine": {"python": platform.python_version(), "cpus": _cpus()},
        "sizes": dict(sizes),
        "seed": {name: dict(figures) for name, figures in seed.items()},
        "results": [
            {**asdict(r), "ok": r.ok, "targets": [{**asdict(t), "ok": t.ok} for t in r.targets]}
            for r in results
        ],
        "rss_max_mb": dict(rss_mb),
        "rss_max_mb_by_case": {case: dict(mb) for case, mb in (rss_by_case or {}).items()},
        "ok": ok,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def chart(path: Path, results: Sequence[Result], rss_mb: Mapping[str, float]) -> None:
    """Three panels: req/s, p50/p99 latency per load case, and max RSS per service."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    loaded = [r for r in results if r.req_per_s is not None]
    figure, (rps, latency, memory) = plt.subplots(
        3, 1, figsize=(10, 3 + 0.9 * max(len(results), len(rss_mb), 3)), constrained_layout=True
    )
    rps.barh([r.name for r in loaded], [r.req_per_s or 0 for r in loaded], color="tab:blue")
    rps.set_xlabel("requests per second")
    rps.invert_yaxis()
    timed = [r for r in results if r.p50_ms is not None]  # with event latency
    positions = range(len(timed))
    latency.barh([p - 0.2 for p in positions], [r.p50_ms or 0 for r in timed], 0.4, label="p50")
    latency.barh([p + 0.2 for p in positions], [r.p99_ms or 0 for r in timed], 0.4, label="p99")
    latency.set_yticks(list(positions), [r.name for r in timed])
    latency.set_xscale("log")  # pages of 3 ms beside payments of 1.6 s: both readable
    latency.set_xlabel("latency (ms, log scale)")
    latency.legend()
    latency.invert_yaxis()
    memory.barh(list(rss_mb), list(rss_mb.values()), color="tab:green")
    memory.axvline(200, color="tab:red", linestyle="--", label="200 MB")
    memory.set_xlabel("max RSS under load (MB)")
    memory.legend()
    memory.invert_yaxis()
    others = [
        f"{r.name}: {', '.join(f'{k} {v:g}' for k, v in r.figures.items())}"
        for r in results
        if r.p50_ms is None and r.figures
    ]
    if others:  # figures that are neither throughput nor latency (e.g. an import's seconds)
        figure.suptitle("\n".join(others), fontsize=9)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
