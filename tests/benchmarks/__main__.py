"""Coding benchmark: ``python -m tests.benchmarks [--sizes 100000,1000000] [--quick]``.

Synthesises a corpus from the seed sentences (deterministic: the gold units resampled
with a fixed seed, 40 sentences per document), codes it end to end with
``analysis.indicators.code_sentences`` and, on a sample, with a plain Python ``re`` loop
applying the same codebook (tests/benchmarks/baseline.py). Each measurement runs in its own
subprocess so that its peak memory (``ru_maxrss``, which also sees Rust allocations) is
its own. Results go to ``reports/bench/coding.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time

import polars as pl

from analysis.config import PROJ_ROOT, REPORTS_DIR

DOC_SIZE = 40


def synth_corpus(n: int, *, seed: int) -> pl.DataFrame:
    """``n`` sentences resampled from the gold units, as a ``sentences`` table."""
    from tests.benchmarks.goldcheck import gold_frames

    seeds = gold_frames()[0].filter(~pl.col("is_heading")).select("text")
    return (
        seeds.sample(n, with_replacement=True, seed=seed)
        .with_row_index("_i")
        .with_columns(
            (pl.lit("synth_") + (pl.col("_i") // DOC_SIZE).cast(pl.String).str.zfill(7)).alias(
                "doc_id"
            ),
            (pl.col("_i") % DOC_SIZE + 1).cast(pl.Int64).alias("sent_id"),
            (pl.col("text").str.len_chars() + 1).cast(pl.Int64).alias("_len"),
        )
        .with_columns(
            (pl.col("_len").cum_sum().over("doc_id") - pl.col("_len")).alias("start"),
        )
        .select(
            "doc_id",
            "sent_id",
            "start",
            (pl.col("start") + pl.col("text").str.len_chars()).alias("end"),
            "text",
            pl.lit(False).alias("is_heading"),
        )
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _worker(kind: str, n: int, seed: int) -> dict:
    from analysis.codebook import load_codebook
    from analysis.indicators import code_sentences

    cb = load_codebook()
    sents = synth_corpus(n, seed=seed)
    mb = sents["text"].str.len_bytes().sum() / 1e6
    if kind == "engine":
        code_sentences(sents.head(2000), cb)  # warm caches (regex compilation)
    before = _rss_mb()
    t0 = time.perf_counter()
    if kind == "engine":
        n_codes = code_sentences(sents, cb).height
    elif kind == "null":
        n_codes = 0
    else:
        from tests.benchmarks.baseline import code_loop

        rows = sents.select("doc_id", "sent_id", "start", "text").iter_rows()
        n_codes = len(code_loop(rows, cb))
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KiB -> MB (Linux)
    return {
        "kind": kind,
        "n_sentences": n,
        "text_mb": round(mb, 3),
        "seconds": round(seconds, 3),
        "mb_per_s": round(mb / seconds, 2),
        "sentences_per_s": round(n / seconds),
        "n_codes": n_codes,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
    }


def _measure(kind: str, n: int, seed: int) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.benchmarks",
            "--worker",
            kind,
            "--sizes",
            str(n),
            "--seed",
            str(seed),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJ_ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated corpus sizes")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument(
        "--baseline-size",
        type=int,
        default=100_000,
        help="sentences for the plain re loop (timed on this sample)",
    )
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--out", default=str(REPORTS_DIR / "bench" / "coding.json"))
    ap.add_argument("--worker", choices=["engine", "baseline", "null"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    if args.worker:
        print(json.dumps(_worker(args.worker, sizes[0], args.seed)))
        return
    if args.quick:
        sizes, args.baseline_size = [2_000, 20_000], 2_000
    engine = []
    for n in sizes:
        e = _measure("engine", n, args.seed)
        null = _measure("null", n, args.seed)  # same process without coding: the floor
        e["null_peak_rss_mb"] = null["peak_rss_mb"]
        e["coding_peak_mb"] = round(max(e["peak_rss_mb"] - null["peak_rss_mb"], 0.0), 1)
        e["coding_peak_over_text"] = round(e["coding_peak_mb"] / e["text_mb"], 2)
        engine.append(e)
    base_n = args.baseline_size
    engine_at_base = next((e for e in engine if e["n_sentences"] == base_n), None)
    if engine_at_base is None:
        engine_at_base = _measure("engine", base_n, args.seed)
    baseline = _measure("baseline", base_n, args.seed)
    growth = None
    if len(engine) >= 2:
        a, b = engine[0], engine[-1]
        growth = round((b["seconds"] / a["seconds"]) / (b["n_sentences"] / a["n_sentences"]), 3)
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "polars": pl.__version__,
            "platform": platform.platform(),
        },
        "seed": args.seed,
        "engine": engine,
        "baseline_sample": baseline,
        "engine_at_baseline_size": engine_at_base,
        "speedup_vs_loop": round(engine_at_base["mb_per_s"] / baseline["mb_per_s"], 2),
        "growth_ratio": growth,
        "notes": (
            "growth_ratio = (time at largest / time at smallest) / (size ratio); 1.0 is "
            "linear. The plain re loop is timed on a sample of baseline_sample.n_sentences "
            "sentences; speedup compares MB/s at that same size. coding_peak_mb = peak RSS "
            "(ru_maxrss) of the coding subprocess minus that of an identical subprocess that "
            "builds the corpus but does not code it."
        ),
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for e in engine:
            print(
                f"engine   {e['n_sentences']:>9,} sentences {e['text_mb']:8.1f} MB "
                f"{e['seconds']:7.2f} s {e['mb_per_s']:7.1f} MB/s  "
                f"peak +{e['coding_peak_mb']:.0f} MB "
                f"over the uncoded process ({e['coding_peak_over_text']}x text)"
            )
        print(
            f"re loop  {baseline['n_sentences']:>9,} sentences {baseline['text_mb']:8.1f} MB "
            f"{baseline['seconds']:7.2f} s {baseline['mb_per_s']:7.1f} MB/s"
        )
        print(f"speedup {result['speedup_vs_loop']}x; growth ratio {growth}; wrote {args.out}")


if __name__ == "__main__":
    main()
