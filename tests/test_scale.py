"""coco code (analysis.scale): a corpus coded partition by partition, locally and on Dask.

The corpus is the seed articles copied into three sub-folders (15 articles), cut into
partitions of two articles, so that runs take seconds; the Dask tests start a real
LocalCluster of two worker processes.
"""

from __future__ import annotations

import faulthandler
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import build, dataset, scale
from analysis.cli import app
from analysis.config import CODEBOOK_PATH, PROJ_ROOT, SEEDS_DIR

COPIES = ("a", "b", "c")
#: Seconds after which a hanging cluster test dumps its stacks and stops the run.
HANG_LIMIT = 180


def _replicate(folder: Path) -> Path:
    for name in COPIES:
        sub = folder / name
        sub.mkdir(parents=True)
        for path in SEEDS_DIR.iterdir():
            if path.is_file():
                shutil.copy2(path, sub / path.name)
    return folder


def _tables(root: Path) -> dict[str, pl.DataFrame]:
    documents, sentences, codes = dataset.read_dataset(root)
    failures = dataset.scan_table(root, "failures").sort("source").collect()
    return {"documents": documents, "sentences": sentences, "codes": codes, "failures": failures}


def _assert_same(got: dict[str, pl.DataFrame], want: dict[str, pl.DataFrame]) -> None:
    for name, frame in want.items():
        assert got[name].equals(frame), name


def _part_bytes(root: Path) -> dict[str, bytes]:
    return {
        f"{t}/{p.name}": p.read_bytes()
        for t in (*dataset.TABLES, "failures")
        for p in sorted((root / t).glob("part-*.parquet"))
    }


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    return _replicate(tmp_path_factory.mktemp("scale") / "corpus")


@pytest.fixture(scope="module")
def local_run(corpus_dir, tmp_path_factory) -> tuple[Path, dict]:
    """The replicated corpus coded on this machine: two processes, two articles a part."""
    out = tmp_path_factory.mktemp("scale") / "local"
    record = scale.code_corpus(corpus_dir, out, workers=2, partition_docs=2)
    return out, record


@pytest.fixture
def hang_guard():
    faulthandler.dump_traceback_later(HANG_LIMIT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _rows(documents: pl.DataFrame) -> list[dict]:
    """The seed articles as JSONL / Parquet rows: id, raw text and the manifest's metadata."""
    meta = pl.read_csv(SEEDS_DIR / "sources.csv", infer_schema=False)
    rows = []
    for row in meta.iter_rows(named=True):
        path = SEEDS_DIR / row["file"]
        rows.append(
            {
                "doc_id": path.stem,
                "text": path.read_text(encoding="utf-8"),
                "title": row["title"],
                "source": row["source"],
                "published": row["published"],
                "language": row["language"],
                "url": row["url"] or None,
                "section": "news",  # not a metadata column: ignored, and said so
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# One machine
# --------------------------------------------------------------------------------------------


def test_seed_corpus_gives_the_tables_of_load_dataset(tmp_path):
    out = tmp_path / "seeds-coded"
    result = CliRunner().invoke(app, ["code", str(SEEDS_DIR), "--out", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "Coded 5 document(s)" in result.output
    documents, sentences, codes = dataset.read_dataset(out)
    data = build.load_dataset()
    assert documents.equals(data.documents)
    assert sentences.equals(data.sentences)
    assert codes.equals(data.codes)
    # what `coco build --param dataset=DIR` reads: the same tables, and the same codebook
    stored = build.load_dataset(dataset=out)
    assert stored.codes.equals(data.codes)
    assert stored.codebook.path == str(CODEBOOK_PATH.resolve())
    record = dataset.read_record(out)
    assert record["counts"] == {
        "documents": 5,
        "sentences": data.sentences.height,
        "codes": data.codes.height,
        "failures": 0,
    }
    assert record["codebook_sha256"] == hashlib.sha256(CODEBOOK_PATH.read_bytes()).hexdigest()
    assert record["inputs"]["format"] == "folder"
    assert record["engine"]["name"] == "local"
    assert {"listing", "coding", "total"} <= set(record["timings"])


def test_folder_is_read_recursively_in_partitions(local_run):
    out, record = local_run
    tables = _tables(out)
    ids = tables["documents"]["doc_id"].to_list()
    assert len(ids) == 15
    assert ids[0] == "a/000_1ff6f1d578f5dc2b"
    assert tables["documents"]["path"][0] == "corpus/a/000_1ff6f1d578f5dc2b.txt"
    assert record["partitions"]["total"] == 8  # 5 articles a folder, two a part
    assert len(list((out / "codes").glob("part-*.parquet"))) == 8
    # every copy is coded as the seed articles are; the copies are reported as duplicates
    per_copy = tables["codes"].group_by(pl.col("doc_id").str.head(1)).len()["len"].to_list()
    assert len(set(per_copy)) == 1
    assert record["duplicates"]["sha256"]["groups"] == 5
    assert record["duplicates"]["doc_id"]["groups"] == 0


def test_rerun_reuses_every_partition(local_run, corpus_dir):
    out, _ = local_run
    before = {p: p.stat().st_mtime_ns for p in out.glob("*/part-*")}
    record = scale.code_corpus(corpus_dir, out, workers=2, partition_docs=2)
    assert record["partitions"]["reused"] == 8
    assert record["partitions"]["computed"] == 0
    assert record["counts"]["documents"] == 15
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/part-*")} == before


def test_changed_input_recomputes_its_partition_only(local_run, corpus_dir, tmp_path):
    src = shutil.copytree(corpus_dir, tmp_path / "corpus")
    out = shutil.copytree(local_run[0], tmp_path / "out")
    edited = src / "b" / "002_6de2af18773241aa.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nMexico agreed to extradite him.\n")
    (src / "c" / "004_4cffe1465ac322cd.txt").unlink()
    record = scale.code_corpus(src, out, workers=1, partition_docs=2)
    parts = record["partitions"]
    # two articles a part, in path order: b/002 is in part 3, c/004 was alone in part 7
    assert parts["total"] == 7
    assert parts["computed"] == 1 and parts["recomputed_because"] == {"input": 1}
    assert parts["removed_parts"] == 5  # part 7 of each table and its manifest
    documents, _, codes = dataset.read_dataset(out)
    assert documents.height == 14
    assert (
        "Mexico agreed to extradite him."
        in documents.filter(pl.col("doc_id") == "b/002_6de2af18773241aa")["text"].item()
    )


def test_another_codebook_recomputes_every_partition(tmp_path):
    src = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, src, ignore=shutil.ignore_patterns("gold"))
    out = tmp_path / "out"
    first = scale.code_corpus(src, out, workers=1, partition_docs=3)
    assert first["partitions"]["computed"] == 2
    other = tmp_path / "codebook.yaml"
    other.write_text(CODEBOOK_PATH.read_text(encoding="utf-8") + "\n# a local copy\n")
    record = scale.code_corpus(src, out, workers=1, partition_docs=3, codebook_path=other)
    assert record["partitions"]["recomputed_because"] == {"codebook": 2}
    assert record["codebook"] == str(other.resolve())


def test_jsonl_and_parquet_sources_code_as_the_folder_does(tmp_path, local_run):
    reference = _tables(local_run[0])
    want = {
        name: reference[name]
        .filter(pl.col("doc_id").str.starts_with("a/"))
        .with_columns(pl.col("doc_id").str.strip_prefix("a/"))
        for name in ("sentences", "codes")
    }
    rows = _rows(reference["documents"])
    jsonl = tmp_path / "corpus.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines[2:2] = ["", "{not json", json.dumps({"doc_id": "no-text", "title": "x"})]
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    pl.DataFrame(rows[:3]).write_parquet(parquet / "part-0.parquet")
    pl.DataFrame(rows[3:]).write_parquet(parquet / "part-1.parquet")

    for source, n_parts in ((jsonl, 4), (parquet, 3)):
        out = tmp_path / f"out-{source.stem}"
        record = scale.code_corpus(source, out, workers=1, partition_docs=2)
        assert record["partitions"]["total"] == n_parts
        tables = _tables(out)
        assert tables["sentences"].equals(want["sentences"]), source
        assert tables["codes"].equals(want["codes"]), source
        docs = tables["documents"]
        assert docs["source"].to_list() == [r["source"] for r in rows]
        assert docs["published"].to_list() == [r["published"] for r in rows]
        assert set(docs["date_basis"]) == {"JSONL field" if source == jsonl else "Parquet column"}
        assert record["inputs"]["ignored_columns"]
    # the JSONL run: the broken lines are failures, named by line
    failures = _tables(tmp_path / "out-corpus")["failures"]
    assert failures.select("source", "stage").rows() == [
        ("corpus.jsonl:4", "read"),
        ("corpus.jsonl:5", "read"),
    ]
    assert failures["reason"][0].startswith("not valid JSON")
    assert failures["doc_id"][1] == "no-text"
    assert "no text" in failures["reason"][1]
    assert docs["path"][0] == "parquet/part-0.parquet#0"


def test_bad_articles_are_left_out_and_listed(tmp_path):
    src = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, src, ignore=shutil.ignore_patterns("gold"))
    (src / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary")
    (src / "bad_front.md").write_text("---\ntitle: [unclosed\n---\nMexico agreed.\n")
    (src / "sub").mkdir()
    (src / "sub" / "empty.txt").write_text("   \n")
    (src / "notes.docx").write_bytes(b"not read")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["code", str(src), "--out", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "3 article(s) left out" in result.output
    failures = dataset.scan_table(out, "failures").sort("source").collect()
    assert failures.select("doc_id", "source", "stage").rows() == [
        ("bad_front", "corpus/bad_front.md", "read"),
        ("binary", "corpus/binary.txt", "read"),
        ("sub/empty", "corpus/sub/empty.txt", "read"),
    ]
    reasons = failures["reason"].to_list()
    assert "front matter is not valid YAML" in reasons[0]
    assert "binary file (NUL byte at offset 4)" in reasons[1]
    assert reasons[2].startswith("is empty")
    documents, _, _ = dataset.read_dataset(out)
    assert documents.height == 5
    record = dataset.read_record(out)
    assert record["failures"]["count"] == 3
    assert record["failures"]["by_stage"] == {"read": 3}
    assert record["inputs"]["ignored_files"] == ["notes.docx"]


def test_a_document_the_coder_fails_on_is_left_out_alone(tmp_path, monkeypatch):
    from analysis import indicators

    code = indicators.code_sentences

    def failing(sentences, codebook=None):
        if (sentences["doc_id"] == "003_4beff35bf11eeb42").any():
            raise RuntimeError("regex engine gave up")
        return code(sentences, codebook)

    monkeypatch.setattr(indicators, "code_sentences", failing)
    part = next(scale.plan_partitions(SEEDS_DIR))
    tables = scale.code_partition(part, scale._codebook_payload(CODEBOOK_PATH)[0])
    assert tables["failures"].rows() == [
        (
            "003_4beff35bf11eeb42",
            "003_4beff35bf11eeb42",
            "code",
            "RuntimeError: regex engine gave up",
        )
    ]
    for name in ("documents", "sentences", "codes"):
        ids = set(tables[name]["doc_id"])
        assert "003_4beff35bf11eeb42" not in ids and len(ids) == 4, name


def test_killed_run_resumes_and_gives_the_same_result(corpus_dir, local_run, tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ, CI="1")
    command = [sys.executable, "-m", "analysis.cli", "code", str(corpus_dir), "--out", str(out)]
    proc = subprocess.Popen(
        [*command, "-j", "2", "--partition-docs", "3"],
        cwd=PROJ_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its worker processes die with it
    )
    try:
        deadline = time.monotonic() + 90
        while not list((out / "partitions").glob("part-*.json")):
            assert proc.poll() is None, "coco code ended before it could be killed"
            assert time.monotonic() < deadline, "no partition finished in 90 s"
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    done_before = len(list((out / "partitions").glob("part-*.json")))
    assert 0 < done_before < 5
    assert not (out / "run.json").exists()

    record = scale.code_corpus(corpus_dir, out, workers=1, partition_docs=3)
    assert record["partitions"]["reused"] >= done_before
    assert record["partitions"]["computed"] == 5 - record["partitions"]["reused"] > 0
    assert not list(out.glob("*/.*.tmp"))
    _assert_same(_tables(out), _tables(local_run[0]))


# --------------------------------------------------------------------------------------------
# Clear errors
# --------------------------------------------------------------------------------------------


def test_missing_source_is_named(tmp_path):
    result = CliRunner().invoke(app, ["code", str(tmp_path / "nowhere"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "nowhere' does not exist" in result.output


def test_missing_doc_id_is_named_with_file_and_column(tmp_path):
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({"id": "x", "text": "Mexico agreed."}) + "\n")
    with pytest.raises(scale.ScaleError, match=r"in\.jsonl, line 1: no 'doc_id' field"):
        scale.code_corpus(jsonl, tmp_path / "out")
    parquet = tmp_path / "in.parquet"
    pl.DataFrame({"doc_id": ["x"], "body": ["Mexico agreed."]}).write_parquet(parquet)
    with pytest.raises(scale.ScaleError, match=r"in\.parquet: no column 'text'"):
        scale.code_corpus(parquet, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_folder_of_other_files_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("x")
    with pytest.raises(scale.ScaleError, match="holds files coco code did not write"):
        scale.code_corpus(SEEDS_DIR, out)


def test_options_are_checked():
    with pytest.raises(ValueError, match="engine must be one of"):
        scale.code_corpus(SEEDS_DIR, "x", engine="spark")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="partition_docs must be a positive number, got 0"):
        list(scale.plan_partitions(SEEDS_DIR, partition_docs=0))


# --------------------------------------------------------------------------------------------
# Dask
# --------------------------------------------------------------------------------------------


@pytest.mark.dask
def test_dask_local_cluster_gives_the_same_parts(corpus_dir, local_run, tmp_path, hang_guard):
    out = tmp_path / "out"
    record = scale.code_corpus(corpus_dir, out, engine="dask", workers=2, partition_docs=2)
    assert record["engine"]["name"] == "dask"
    assert record["partitions"]["computed"] == 8
    assert _part_bytes(out) == _part_bytes(local_run[0])


@pytest.mark.dask
def test_dask_run_survives_a_killed_worker(corpus_dir, local_run, tmp_path, hang_guard):
    from distributed import Client, LocalCluster

    out = tmp_path / "out"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        killed: list[int] = []

        def kill_one(event: scale.ScaleEvent) -> None:
            if event.status == "done" and not killed:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        record = scale.code_corpus(
            corpus_dir,
            out,
            scheduler=cluster.scheduler_address,
            partition_docs=2,
            on_event=kill_one,
        )
        assert killed
        assert pids[0] not in client.run(os.getpid).values()
    assert record["partitions"]["computed"] == 8
    assert record["engine"]["scheduler"] == cluster.scheduler_address
    assert not list(out.glob("*/.*.tmp"))
    assert _part_bytes(out) == _part_bytes(local_run[0])
