"""Build benchmark: ``python -m tests.benchmarks.build [--repeat N] [--test] [--out FILE]``.

Times the report build the way a user meets it, into a temporary reports folder so the
project's own ``reports/`` is left alone:

1. a cold build (every notebook executed, the report rendered, nothing cached);
2. a rebuild with nothing changed (every notebook cached);
3. a rebuild with one parameter changed (``n_boot``), which should re-run only the
   notebooks whose code uses it.

With ``--test`` it also times what ``make test`` spends on the notebooks: nbval executing
every notebook with its default parameters (``pytest notebooks --nbval``), from a cold
cache. Each measurement is repeated ``--repeat`` times and the minimum kept, since the
machine may be shared.

Targets on a 2-core machine with the fallback renderer: cold build <= 60 s, no-change
rebuild <= 3 s. Results go to ``reports/bench/build.json``; ``--label NAME`` files them
under that name beside the results already there (e.g. ``before`` and ``after``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.build import run_build
from analysis.config import PROJ_ROOT, REPORTS_DIR

TARGETS = {"cold_s": 60.0, "no_change_s": 3.0}
NBVAL = [
    "-m", "pytest", "-q", "-p", "no:cacheprovider", "notebooks", "--nbval",
    "--nbval-current-env", "--nbval-sanitize-with", "tests/nbval_sanitize.cfg",
]


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


def _isolated_env(tmp: Path) -> dict[str, str]:
    """The environment of a measured run: its own dataset cache and tables folder, so
    each run starts cold and the project's reports are left alone."""
    return {
        **os.environ,
        "COCO_CACHE_DIR": str(tmp / "cache"),
        "COCO_TABLES_DIR": str(tmp / "tables"),
    }


def _builds() -> dict:
    with tempfile.TemporaryDirectory(prefix="coco-bench-") as tmp:
        saved = dict(os.environ)
        os.environ.update(_isolated_env(Path(tmp)))
        try:
            reports_dir = Path(tmp) / "reports"
            cold = _timed(reports_dir, force=True)
            unchanged = _timed(reports_dir)
            one_parameter = _timed(reports_dir, overrides={"n_boot": 500})
        finally:
            os.environ.clear()
            os.environ.update(saved)
    return {"cold": cold, "no_change": unchanged, "n_boot_changed": one_parameter}


def _nbval() -> dict:
    with tempfile.TemporaryDirectory(prefix="coco-bench-") as tmp:
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, *NBVAL], cwd=PROJ_ROOT, env=_isolated_env(Path(tmp)),
            capture_output=True, text=True,
        )
        seconds = round(time.perf_counter() - start, 2)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return {"seconds": seconds, "passed": done.returncode == 0, "summary": last}


def measure(*, repeat: int = 1, test: bool = False) -> dict:
    """Run the builds (and nbval) ``repeat`` times; keep each one's fastest run."""
    runs = [_builds() for _ in range(repeat)]
    best = {
        name: min((run[name] for run in runs), key=lambda r: r["seconds"])
        for name in ("cold", "no_change", "n_boot_changed")
    }
    result = {
        **best,
        "repeat": repeat,
        "all_seconds": {name: [run[name]["seconds"] for run in runs] for name in best},
        "targets": TARGETS,
        "meets_targets": {
            "cold_s": best["cold"]["seconds"] <= TARGETS["cold_s"],
            "no_change_s": best["no_change"]["seconds"] <= TARGETS["no_change_s"],
            "no_change_runs_nothing": not best["no_change"]["executed"],
        },
    }
    if test:
        tests = [_nbval() for _ in range(repeat)]
        result["nbval"] = min(tests, key=lambda r: r["seconds"])
        result["all_seconds"]["nbval"] = [t["seconds"] for t in tests]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.build", description=__doc__)
    parser.add_argument("--out", type=Path, default=REPORTS_DIR / "bench" / "build.json")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (min kept)")
    parser.add_argument("--test", action="store_true", help="also time nbval on the notebooks")
    parser.add_argument("--label", help="file the result under this name in --out")
    args = parser.parse_args(argv)
    result = measure(repeat=args.repeat, test=args.test)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.label:
        try:
            kept = json.loads(args.out.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            kept = {}
        kept = kept if "cold" not in kept else {}  # a file from before labels: replaced
        kept[args.label] = result
        written = kept
    else:
        written = result
    args.out.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    for name in ("cold", "no_change", "n_boot_changed"):
        run = result[name]
        print(
            f"{name:>15}: {run['seconds']:6.2f} s, executed {len(run['executed'])}, "
            f"cached {len(run['cached'])} ({', '.join(run['executed']) or 'nothing re-run'})"
        )
    if "nbval" in result:
        print(f"{'nbval':>15}: {result['nbval']['seconds']:6.2f} s ({result['nbval']['summary']})")
    print(f"targets met: {result['meets_targets']}; written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
