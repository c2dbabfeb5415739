"""Build benchmark: ``python -m tests.benchmarks.build [--out FILE]``.

Times the report build the way a user meets it, into a temporary reports folder so the
project's own ``reports/`` is left alone:

1. a cold build (every notebook executed, the report rendered);
2. a rebuild with nothing changed (every notebook cached);
3. a rebuild with one parameter changed (``n_boot``), which should re-run only the
   notebooks whose code uses it.

Targets on a 2-core machine with the fallback renderer: cold build <= 60 s, no-change
rebuild <= 3 s. Results go to ``reports/bench/build.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from analysis.build import run_build
from analysis.config import REPORTS_DIR

TARGETS = {"cold_s": 60.0, "no_change_s": 3.0}


def _timed(reports_dir: Path, **options) -> dict:
    start = time.perf_counter()
    result = run_build(reports_dir=reports_dir, **options)
    return {
        "seconds": round(time.perf_counter() - start, 2),
        "executed": result.executed,
        "cached": result.cached,
        "renderer": result.renderer,
        "rendered": result.rendered,
    }


def measure() -> dict:
    """Run the three builds and return their timings and what each re-ran."""
    with tempfile.TemporaryDirectory(prefix="coco-bench-") as tmp:
        reports_dir = Path(tmp) / "reports"
        cold = _timed(reports_dir, force=True)
        unchanged = _timed(reports_dir)
        one_parameter = _timed(reports_dir, overrides={"n_boot": 500})
    return {
        "cold": cold,
        "no_change": unchanged,
        "n_boot_changed": one_parameter,
        "targets": TARGETS,
        "meets_targets": {
            "cold_s": cold["seconds"] <= TARGETS["cold_s"],
            "no_change_s": unchanged["seconds"] <= TARGETS["no_change_s"],
            "no_change_runs_nothing": not unchanged["executed"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.build", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "bench" / "build.json")
    args = parser.parse_args(argv)
    result = measure()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for name in ("cold", "no_change", "n_boot_changed"):
        run = result[name]
        print(
            f"{name:>15}: {run['seconds']:6.2f} s, executed {len(run['executed'])}, "
            f"cached {len(run['cached'])} ({', '.join(run['executed']) or 'nothing re-run'})"
        )
    print(f"targets met: {result['meets_targets']}; written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
