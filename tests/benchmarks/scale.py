"""Coding a large corpus: ``python -m tests.benchmarks.scale [--gb 1.0] [--quick]``.

Writes a synthetic JSONL corpus of ``--gb`` GB: documents of ``DOC_SIZE`` (40) sentences
resampled, with a fixed seed, from the real-text development set
(``tests.benchmarks.synth_corpus``; the seed articles when that set is missing), written
in chunks so that the corpus is never held whole. Then codes it twice with ``coco code``,
each time into a fresh folder, in a subprocess:

1. ``--engine local -j 2``: a pool of two worker processes;
2. ``--engine dask --workers 2``: a Dask ``LocalCluster`` of two worker processes.

While each runs, the resident memory of every process of its tree is sampled (psutil, or
``/proc`` without it) every 0.2 s: the peak of each worker, the peak of the coordinating
process and the peak of the whole tree. Throughput comes from each run's ``run.json``
(coding time, input bytes, documents) and the wall clock of the subprocess; the overhead
of the cluster is its wall clock over the pool's. The result goes to
``reports/bench/scale.json``; ``docs/scale.md`` turns it into the arithmetic for ten
million articles.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polars as pl

from analysis.config import PROJ_ROOT, REPORTS_DIR
from tests.benchmarks.__main__ import DOC_SIZE, source_sentences, synth_corpus

#: Corpus written per call of synth_corpus (bounds the memory of the generator).
CHUNK_MB = 100.0
SAMPLE_S = 0.2
WORKERS = 2


def write_corpus(path: Path, gb: float, *, seed: int) -> dict:
    """A JSONL corpus of about ``gb`` GB of text, ``DOC_SIZE`` sentences a document."""
    target = gb * 1e3
    written_mb, n_docs, chunk = 0.0, 0, 0
    with path.open("w", encoding="utf-8") as fh:
        while written_mb < target:
            mb = min(CHUNK_MB, target - written_mb)
            sents = synth_corpus(mb, seed=seed + chunk)
            docs = (
                sents.group_by("doc_id", maintain_order=True)
                .agg(pl.col("text").str.join(" "))
                .with_columns(
                    (pl.lit(f"c{chunk:03d}_") + pl.col("doc_id")).alias("doc_id"),
                    pl.lit("Synthetic").alias("source"),
                    pl.lit("en").alias("language"),
                )
            )
            fh.write(docs.write_ndjson())
            written_mb += sents["text"].str.len_bytes().sum() / 1e6
            n_docs += docs.height
            chunk += 1
    return {
        "path": str(path),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "text_mb": round(written_mb, 1),
        "documents": n_docs,
        "sentences_per_document": DOC_SIZE,
    }


def _tree_rss() -> tuple[object, object]:
    """(processes of a tree, resident bytes of one process), with psutil or /proc."""
    try:
        import psutil

        def tree(pid: int) -> list[tuple[int, str]]:
            try:
                root = psutil.Process(pid)
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                return []
            out = []
            for p in procs:
                try:
                    out.append((p.pid, " ".join(p.cmdline())))
                except psutil.Error:
                    continue
            return out

        def rss(pid: int) -> int:
            try:
                return psutil.Process(pid).memory_info().rss
            except psutil.Error:
                return 0

    except ImportError:  # pragma: no cover - psutil comes with distributed

        def children(pid: int) -> list[int]:
            out = []
            for task in Path(f"/proc/{pid}/task").glob("*"):
                kids = (task / "children").read_text().split() if task.exists() else []
                out.extend(int(k) for k in kids)
            return out

        def tree(pid: int) -> list[tuple[int, str]]:
            seen, stack = [], [pid]
            while stack:
                p = stack.pop()
                try:
                    cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                    stack.extend(children(p))
                except OSError:
                    continue
                seen.append((p, cmd))
            return seen

        def rss(pid: int) -> int:
            try:
                pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                return 0
            return pages * os.sysconf("SC_PAGE_SIZE")

    return tree, rss


def _role(cmdline: str, pid: int, root: int) -> str:
    if pid == root:
        return "driver"
    if "resource_tracker" in cmdline or "forkserver" in cmdline:
        return "helper"
    if "spawn_main" in cmdline or "distributed" in cmdline:
        return "worker"
    return "other"


def measure(name: str, source: Path, out: Path, engine_args: list[str]) -> dict:
    """Run ``coco code`` in a subprocess, sampling the memory of its process tree."""
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "analysis.cli", "code", str(source), "--out", str(out)]
    env = dict(os.environ, CI="1")
    tree, rss = _tree_rss()
    peaks: dict[int, tuple[str, int]] = {}
    total_peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*cmd, *engine_args],
        cwd=PROJ_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout), daemon=True)
    reader.start()
    while proc.poll() is None:
        total = 0
        for pid, cmdline in tree(proc.pid):
            value = rss(pid)
            total += value
            role = _role(cmdline, pid, proc.pid)
            if value > peaks.get(pid, (role, 0))[1]:
                peaks[pid] = (role, value)
        total_peak = max(total_peak, total)
        time.sleep(SAMPLE_S)
    wall = time.perf_counter() - t0
    reader.join(timeout=5)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: coco code failed ({proc.returncode}):\n{''.join(output)}")
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    workers = sorted((v for role, v in peaks.values() if role == "worker"), reverse=True)
    driver = max((v for role, v in peaks.values() if role == "driver"), default=0)
    counts, timings = record["counts"], record["timings"]
    mb = record["inputs"]["bytes"] / 1e6
    return {
        "engine": name,
        "command": " ".join(["coco code SOURCE --out DIR", *engine_args]),
        "wall_s": round(wall, 2),
        "coding_s": timings["coding"],
        "worker_seconds": timings["worker_seconds"],
        "worker_cpu_seconds": timings["worker_cpu_seconds"],
        "documents": counts["documents"],
        "sentences": counts["sentences"],
        "codes": counts["codes"],
        "failures": counts["failures"],
        "partitions": record["partitions"]["total"],
        "input_mb": round(mb, 1),
        "mb_per_s_wall": round(mb / wall, 2),
        "documents_per_s_wall": round(counts["documents"] / wall, 1),
        "mb_per_s_coding": timings["mb_per_s"],
        "mb_per_s_per_worker": round(mb / timings["worker_seconds"], 2),
        # what one worker with a core of its own codes per second
        "mb_per_cpu_s": round(mb / timings["worker_cpu_seconds"], 2),
        "documents_per_cpu_s": round(counts["documents"] / timings["worker_cpu_seconds"], 1),
        "peak_rss_mb_per_worker": [round(v / 1e6, 1) for v in workers],
        "peak_rss_mb_driver": round(driver / 1e6, 1),
        "peak_rss_mb_total": round(total_peak / 1e6, 1),
    }


def _same_tables(a: Path, b: Path) -> bool:
    from analysis.dataset import read_dataset

    return all(x.equals(y) for x, y in zip(read_dataset(a), read_dataset(b), strict=True))


def run(args: argparse.Namespace) -> dict:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="coco-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "corpus.jsonl"
    t0 = time.perf_counter()
    corpus = write_corpus(source, args.gb, seed=args.seed)
    corpus["write_s"] = round(time.perf_counter() - t0, 1)
    _, note = source_sentences("real-dev")
    corpus["sentences_from"] = note
    size = ["--partition-mb", str(args.partition_mb)]
    local = measure("local", source, work / "out-local", ["-j", str(WORKERS), *size])
    dask = measure(
        "dask", source, work / "out-dask", ["--engine", "dask", "--workers", str(WORKERS), *size]
    )
    same = _same_tables(work / "out-local", work / "out-dask")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "polars": pl.__version__,
            "platform": platform.platform(),
            "load_average_at_end": list(os.getloadavg()),
        },
        "seed": args.seed,
        "corpus": corpus,
        "partition_mb": args.partition_mb,
        "local": local,
        "dask": dask,
        "dask_overhead": round(dask["wall_s"] / local["wall_s"] - 1, 3),
        "same_tables": same,
        "notes": (
            "wall_s: the whole coco code subprocess (start-up, codebook, listing, coding, "
            "run.json); coding_s: from the first partition submitted to the last one "
            "written; worker_seconds: the sum of the partitions' own times, "
            "worker_cpu_seconds their CPU time (what a worker with a core of its own "
            "spends; on a shared machine wall time is longer). Peak RSS is "
            f"sampled every {SAMPLE_S} s over the process tree (workers: the spawned "
            "processes that code; driver: the coco process, which for dask also hosts "
            "the scheduler and the nannies). dask_overhead = dask wall / local wall - 1."
        ),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="python -m tests.benchmarks.scale", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--gb", type=float, default=1.0, help="corpus size in GB of text")
    ap.add_argument("--quick", action="store_true", help="a 20 MB corpus, for a smoke test")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--partition-mb", type=float, default=32.0)
    ap.add_argument("--workdir", help="where the corpus and outputs go (default: a temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the corpus and the outputs")
    ap.add_argument("--out", default=str(REPORTS_DIR / "bench" / "scale.json"))
    args = ap.parse_args(argv)
    if args.quick:
        args.gb, args.partition_mb = 0.02, min(args.partition_mb, 4.0)
    result = run(args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    c = result["corpus"]
    print(f"corpus: {c['text_mb']} MB of text, {c['documents']:,} documents ({c['file_mb']} MB)")
    for key in ("local", "dask"):
        r = result[key]
        print(
            f"{key:5} {r['wall_s']:7.1f} s wall {r['mb_per_s_wall']:6.2f} MB/s "
            f"{r['documents_per_s_wall']:8.1f} docs/s; per worker {r['mb_per_s_per_worker']} "
            f"MB/s ({r['mb_per_cpu_s']} MB per CPU second), "
            f"peak {max(r['peak_rss_mb_per_worker'], default=0):.0f} MB; "
            f"tree peak {r['peak_rss_mb_total']:.0f} MB"
        )
    print(
        f"dask overhead {result['dask_overhead']:+.1%}; same tables: {result['same_tables']}; "
        f"wrote {args.out}"
    )


if __name__ == "__main__":
    main()
