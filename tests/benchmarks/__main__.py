"""Coding benchmark on realistic text: ``python -m tests.benchmarks [--mb 5,25,50] [--quick]``.

Builds a corpus by resampling, with a fixed seed, the sentences of the real-text
development set (``../shared/gold/real-dev/corpus``, split with
``analysis.segment.split_sentences``; the seed articles when that folder is missing) up to
each size in MB, and codes it end to end with ``analysis.indicators.code_sentences``. In
the same run it times the speed reference: one compiled alternation of the keyword
baseline (tests/keyword_baseline.py) in a plain Python loop, ``for s in texts:
rx.search(s)``, over the same sentences. Optionally (``--rules-loop-size``) it also
applies the whole codebook with a plain ``re`` loop (tests/benchmarks/baseline.py) on a
sample. Each measurement runs in its own subprocess so that its peak memory
(``ru_maxrss``, which also sees Rust allocations) is its own. Results go to
``reports/bench/coding.json``.
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

#: Sentences per synthetic document (pronouns look back within a document).
DOC_SIZE = 40
REAL_DEV_CORPUS = PROJ_ROOT.parent / "shared" / "gold" / "real-dev" / "corpus"
#: Cores the measurements run on (POLARS_MAX_THREADS in each subprocess).
THREADS = 2


def source_sentences(source: str) -> tuple[pl.DataFrame, str]:
    """(the sentences to resample, a note naming where they come from)."""
    from analysis.corpus import load_corpus
    from analysis.segment import split_sentences

    if source == "real-dev" and REAL_DEV_CORPUS.is_dir():
        docs = load_corpus(REAL_DEV_CORPUS)
        note = f"real-dev: {REAL_DEV_CORPUS.name}/ of ../shared/gold/real-dev"
    else:
        docs = load_corpus()
        note = "seed articles (seeds/)"
        if source == "real-dev":
            note += f"; {REAL_DEV_CORPUS} is missing, so the seed sentences stand in"
    sents = split_sentences(docs)
    if "is_heading" not in sents.columns:
        sents = sents.with_columns(is_heading=pl.lit(False))
    if "speaker" not in sents.columns:
        sents = sents.with_columns(speaker=pl.lit(None, dtype=pl.String))
    return sents.select("text", pl.col("is_heading").fill_null(False), "speaker"), note


def synth_corpus(mb: float, *, seed: int, source: str = "real-dev") -> pl.DataFrame:
    """Sentences resampled from ``source`` until the text reaches ``mb`` MB (UTF-8), as a
    ``sentences`` table of ``DOC_SIZE``-sentence documents."""
    pool, _ = source_sentences(source)
    target = int(mb * 1e6)
    mean = max(pool["text"].str.len_bytes().mean() or 1.0, 1.0)
    n = int(target / mean * 1.05) + DOC_SIZE
    drawn = pool.sample(n, with_replacement=True, seed=seed)
    # cut at the first sentence that reaches the target (draw again in the rare case the
    # first draw falls short)
    while drawn["text"].str.len_bytes().sum() < target:
        drawn = pl.concat([drawn, pool.sample(n // 10 + 1, with_replacement=True, seed=seed + 1)])
    reached = (drawn["text"].str.len_bytes().cum_sum() >= target).arg_true()[0]
    return (
        drawn.head(int(reached) + 1)
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
            "is_heading",
            "speaker",
        )
    )


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _cpu_seconds() -> float:
    """CPU time of this process so far, all threads (user + system)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


#: Calls of the one-sentence measurement (each on a sentence of its own).
SMALL_CALLS = 21


def _small_calls(seed: int, source: str) -> dict:
    """The fixed cost of a call: ``SMALL_CALLS`` calls that each code one sentence (after
    one call that compiles the codebook's regexes), the median call reported. What a
    notebook cell, a test or an article coded alone pays, whatever the speed per MB."""
    from analysis.codebook import load_codebook
    from analysis.indicators import code_sentences

    cb = load_codebook()
    sents = synth_corpus(0.05, seed=seed, source=source)
    code_sentences(sents.slice(0, 1), cb)
    times = []
    for i in range(1, SMALL_CALLS + 1):
        one = sents.slice(i, 1)
        t0 = time.perf_counter()
        code_sentences(one, cb)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "kind": "one-sentence",
        "calls": SMALL_CALLS,
        "median_seconds": round(times[len(times) // 2], 4),
        "min_seconds": round(times[0], 4),
        "max_seconds": round(times[-1], 4),
    }


def _worker(kind: str, mb: float, seed: int, source: str, sample: int) -> dict:
    from analysis.codebook import load_codebook
    from analysis.indicators import code_sentences

    if kind == "one-sentence":
        return _small_calls(seed, source)
    cb = load_codebook()
    sents = synth_corpus(mb, seed=seed, source=source)
    if kind == "rules-loop":
        sents = sents.head(sample)
    texts = sents["text"].to_list() if kind == "keyword-loop" else None
    text_mb = sents["text"].str.len_bytes().sum() / 1e6
    if kind == "engine":
        code_sentences(sents.head(2000), cb)  # warm caches (regex compilation)
    before = _rss_mb()
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    if kind == "engine":
        n_out = code_sentences(sents, cb).height
    elif kind == "null":
        n_out = 0
    elif kind == "keyword-loop":
        from tests.keyword_baseline import keyword_regex

        rx = keyword_regex()
        n_out = 0
        for s in texts:
            if rx.search(s):
                n_out += 1
    else:
        from tests.benchmarks.baseline import code_loop

        rows = sents.select("doc_id", "sent_id", "start", "text").iter_rows()
        n_out = len(code_loop(rows, cb))
    seconds = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KiB -> MB (Linux)
    return {
        "kind": kind,
        "target_mb": mb,
        "n_sentences": sents.height,
        "text_mb": round(text_mb, 3),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "mb_per_s": round(text_mb / seconds, 2) if seconds else None,
        "sentences_per_s": round(sents.height / seconds) if seconds else None,
        "n_out": n_out,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak, 1),
    }


def _per_mb(a: dict, b: dict) -> float:
    """Seconds per MB added from measurement ``a`` to the larger ``b``."""
    return (b["seconds"] - a["seconds"]) / (b["text_mb"] - a["text_mb"])


def _measure(kind: str, mb: float, args: argparse.Namespace) -> dict:
    env = dict(os.environ, POLARS_MAX_THREADS=str(THREADS))
    cmd = [sys.executable, "-m", "tests.benchmarks", "--worker", kind, "--mb", str(mb)]
    cmd += ["--seed", str(args.seed), "--source", args.source]
    cmd += ["--rules-loop-size", str(args.rules_loop_size)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=PROJ_ROOT, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(args: argparse.Namespace) -> dict:
    """Every measurement; the result written to ``args.out``."""
    sizes = [float(x) for x in args.mb.split(",") if x.strip()]
    load_before = os.getloadavg()[0]
    engine = []
    for mb in sizes:
        # each call in a process of its own (its peak memory is its own); the median of
        # ``repeats`` such calls, since the machine's other work makes single calls vary
        runs = sorted((_measure("engine", mb, args) for _ in range(args.repeats)),
                      key=lambda r: r["seconds"])  # fmt: skip
        e = dict(runs[len(runs) // 2])
        e["runs_seconds"] = [r["seconds"] for r in runs]
        e["runs_peak_rss_mb"] = sorted(r["peak_rss_mb"] for r in runs)
        e["peak_rss_mb"] = e["runs_peak_rss_mb"][len(runs) // 2]
        null = _measure("null", mb, args)  # same process without coding: the floor
        e["null_peak_rss_mb"] = null["peak_rss_mb"]
        e["coding_peak_mb"] = round(max(e["peak_rss_mb"] - null["peak_rss_mb"], 0.0), 1)
        e["coding_peak_over_text"] = round(e["coding_peak_mb"] / e["text_mb"], 2)
        engine.append(e)
    largest = engine[-1]
    loop = _measure("keyword-loop", sizes[-1], args)
    rules = _measure("rules-loop", sizes[-1], args) if args.rules_loop_size > 0 else None
    small = _measure("one-sentence", sizes[0], args)
    growth = marginal = None
    if len(engine) >= 2:
        a, b = engine[0], engine[-1]
        growth = round((b["seconds"] / a["seconds"]) / (b["text_mb"] / a["text_mb"]), 3)
    if len(engine) >= 3:
        # seconds per added MB over the last step against the first: 1.0 when each MB costs
        # the same however large the corpus (linear), above 1 when later MB cost more
        first = _per_mb(engine[0], engine[1])
        if first > 0:
            marginal = round(_per_mb(engine[-2], engine[-1]) / first, 3)
    _, source_note = source_sentences(args.source)
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "threads": THREADS,
            "python": platform.python_version(),
            "polars": pl.__version__,
            "platform": platform.platform(),
            # other work on the machine slows every measurement, the Python loop and the
            # coder alike but not by the same factor: compare runs on an idle machine
            "load_average_1min": {
                "before": round(load_before, 2),
                "after": round(os.getloadavg()[0], 2),
            },
        },
        "seed": args.seed,
        "repeats": args.repeats,
        "source": source_note,
        "doc_size": DOC_SIZE,
        "engine": engine,
        "keyword_loop": loop,
        "speedup_vs_keyword_loop": round(largest["mb_per_s"] / loop["mb_per_s"], 2),
        "rules_loop_sample": rules,
        "speedup_vs_rules_loop": (
            round(largest["mb_per_s"] / rules["mb_per_s"], 1) if rules else None
        ),
        "growth_ratio": growth,
        "marginal_growth_ratio": marginal,
        "one_sentence": small,
        "targets": {
            "mb_per_s": 50,
            "speedup_vs_keyword_loop": 10,
            "coding_peak_over_text": 3,
            "growth": "linear: marginal_growth_ratio within 0.8 to 1.25",
        },
        "notes": (
            "Wall clock on POLARS_MAX_THREADS=2 (cpu_seconds: CPU time of all threads). "
            "growth_ratio = (time at largest / time at smallest) / (MB ratio); 1.0 is "
            "proportional, below 1 when fixed costs weigh on the smallest size. "
            "marginal_growth_ratio = seconds per added MB between the two largest sizes / "
            "between the two smallest; 1.0 is linear. keyword_loop: the keyword baseline as one"
            " compiled Python re alternation, for s in texts: rx.search(s), over the largest "
            "corpus; the speed-up compares MB/s at that size. rules_loop_sample: the whole "
            "codebook in a plain re loop on the first rules_loop_size sentences. coding_peak_mb"
            " = peak RSS (ru_maxrss) of the coding subprocess minus that of an identical "
            "subprocess that builds the corpus but does not code it. one_sentence: the median"
            " of calls that each code one sentence (the fixed cost of a call)."
        ),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m tests.benchmarks", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--mb", default="5,25,50", help="comma-separated corpus sizes in MB of text, ascending"
    )
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument(
        "--source",
        choices=["real-dev", "seeds"],
        default="real-dev",
        help="sentences to resample (real-dev falls back to seeds when missing)",
    )
    ap.add_argument(
        "--rules-loop-size",
        type=int,
        default=5_000,
        help="sentences for the whole-codebook plain re loop (0: skip it)",
    )
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="coding calls per size, each in its own process; the median is reported",
    )
    ap.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--out", default=str(REPORTS_DIR / "bench" / "coding.json"))
    ap.add_argument(
        "--worker",
        choices=["engine", "null", "keyword-loop", "rules-loop", "one-sentence"],
        help=argparse.SUPPRESS,
    )
    args = ap.parse_args(argv)
    if args.worker:
        mb = float(args.mb.split(",")[0])
        print(json.dumps(_worker(args.worker, mb, args.seed, args.source, args.rules_loop_size)))
        return
    if args.quick:
        args.mb, args.rules_loop_size = "0.5,1,2", min(args.rules_loop_size, 2_000)
    result = run(args)
    print(f"corpus: sentences resampled from the {result['source']}")
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for e in result["engine"]:
        print(
            f"coder        {e['text_mb']:7.1f} MB {e['n_sentences']:>9,} sentences "
            f"{e['seconds']:7.2f} s {e['mb_per_s']:7.1f} MB/s (cpu {e['cpu_seconds']:.1f} s)  "
            f"peak +{e['coding_peak_mb']:.0f} MB "
            f"over the uncoded process ({e['coding_peak_over_text']}x text)"
        )
    k = result["keyword_loop"]
    print(
        f"keyword loop {k['text_mb']:7.1f} MB {k['n_sentences']:>9,} sentences "
        f"{k['seconds']:7.2f} s {k['mb_per_s']:7.1f} MB/s"
    )
    r = result["rules_loop_sample"]
    if r:
        print(
            f"rules loop   {r['text_mb']:7.1f} MB {r['n_sentences']:>9,} sentences "
            f"{r['seconds']:7.2f} s {r['mb_per_s']:7.1f} MB/s"
        )
    o = result["one_sentence"]
    print(
        f"one sentence {o['median_seconds']:.3f} s a call (median of {o['calls']}, "
        f"{o['min_seconds']:.3f} to {o['max_seconds']:.3f} s)"
    )
    print(
        f"coder {result['speedup_vs_keyword_loop']}x the keyword loop"
        + (f", {result['speedup_vs_rules_loop']}x the rules loop" if r else "")
        + f"; growth ratio {result['growth_ratio']}, marginal growth ratio "
        + f"{result['marginal_growth_ratio']}; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
