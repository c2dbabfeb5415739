"""Code a corpus too large for memory: partitions in parallel, on one machine or a Dask cluster.

``coco code SOURCE --out DIR`` (see :mod:`analysis.cli`) calls :func:`code_corpus`, which

1. plans the work (:func:`plan_partitions`): SOURCE is a folder of articles (read
   recursively, each file as :func:`analysis.corpus.load_corpus` reads it, each folder's
   ``sources.csv`` describing its own files), a JSONL file (one JSON object per line) or a
   Parquet file, or a folder of JSONL or Parquet files. It is listed, never read whole:
   each :class:`Partition` names at most ``partition_docs`` documents and about
   ``partition_mb`` MB of input (whole files, line ranges, row ranges);
2. codes each partition with :func:`code_partition` (read, clean, split, code; pure apart
   from reading its own input) in worker processes, one per core, a bounded number in
   flight: a ``ProcessPoolExecutor`` (``engine="local"``) or the workers of a Dask cluster
   (``engine="dask"``, a ``LocalCluster`` or ``scheduler="tcp://host:8786"``);
3. writes each partition's tables as ``DIR/<table>/part-NNNNN.parquet``
   (:func:`analysis.dataset.write_part`, one atomic rename per file), then its manifest
   ``DIR/partitions/part-NNNNN.json``, keyed by the hashes of the partition's input, the
   codebook and the coder (the library modules that shape the tables, and the versions of
   polars, sentencex, simplemma and trafilatura);
4. writes ``DIR/run.json``: inputs, codebook hash, counts, timings, failures, engine,
   partition size.

Re-running into the same DIR skips every partition whose manifest carries the same three
hashes and whose parts exist, so a killed run resumes where it stopped. A partition
whose input, codebook or coder changed is recomputed (``run.json`` says how many and
why); parts left over from a larger earlier run are removed. A folder that holds
anything else is refused.

The input hash of a partition covers each input file's path, size and modification
time (and, for a folder, the ``sources.csv`` row of each file), not the bytes: it is
computed when listing, without reading the corpus. Copying a corpus without keeping
modification times (``cp -r`` rather than ``cp -a`` or ``rsync -a``) therefore recomputes
it.

An article that cannot be read (binary, not UTF-8, invalid front matter, no text after
cleaning, a JSONL line that is not JSON or lacks ``doc_id`` or ``text``) is left out and
listed in the ``failures`` table with where it was (``source``), the ``stage`` and the
``reason``; every other article is coded. Duplicates across the corpus (the same
``doc_id``, or the same bytes) are not removed, since a partition sees only its own
articles: ``run.json`` counts them and ``coco code`` names the first few.

With Dask, every worker must see SOURCE and DIR under the same paths (a shared file
system): workers read their partition's input and write its parts themselves, and a
task retried after a worker died writes the same part again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import pickle
import platform
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import polars as pl

from analysis import corpus
from analysis.codebook import Codebook, load_codebook
from analysis.config import CODEBOOK_PATH, PACKAGE_DIR
from analysis.dataset import (
    FAILURES_SCHEMA,
    RECORD_NAME,
    TABLES,
    part_name,
    scan_table,
    write_part,
    write_record,
)

__all__ = [
    "DEFAULT_PARTITION_DOCS",
    "DEFAULT_PARTITION_MB",
    "ENGINES",
    "FORMATS",
    "Partition",
    "ScaleError",
    "ScaleEvent",
    "code_corpus",
    "code_partition",
    "detect_format",
    "plan_partitions",
    "run_partition",
]

#: Documents per partition, at most.
DEFAULT_PARTITION_DOCS = 5000
#: Input per partition, about (a partition closes before the document that would pass it).
DEFAULT_PARTITION_MB = 32.0
ENGINES = ("local", "dask")
FORMATS = ("auto", "folder", "jsonl", "parquet")
#: The folder of per-partition manifests inside DIR.
MANIFESTS = "partitions"
#: Every name ``coco code`` writes into DIR; anything else makes DIR someone else's folder.
_OWN_NAMES = frozenset({*TABLES, "failures", MANIFESTS, RECORD_NAME, ".lock"})
JSONL_SUFFIXES = (".jsonl", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
#: Row columns read as document metadata (as in ``sources.csv``); others are ignored.
METADATA_COLUMNS = corpus.METADATA_KEYS
#: The library modules whose code shapes the tables (their source is part of the key).
CODER_MODULES = (
    "actors.py",
    "codebook.py",
    "corpus.py",
    "dataset.py",
    "indicators.py",
    "lemmas.py",
    "scale.py",
    "scheme.py",
    "segment.py",
)
CODER_PACKAGES = ("polars", "sentencex", "simplemma", "trafilatura")
#: Failures and warnings named in run.json (all failures are in the ``failures`` table).
_FIRST = 20
_READ_BLOCK = 8 << 20


class ScaleError(ValueError):
    """A SOURCE, DIR or option ``coco code`` cannot use; the message says what would work."""


@dataclass(frozen=True)
class Partition:
    """One unit of work: which inputs, where its parts go, and the hash of its inputs.

    ``items`` depends on ``kind``: for ``"folder"``, ``(relative path, doc_id, metadata
    JSON or "", refusal or "")`` per file; for ``"jsonl"``, one ``(file, start byte, end
    byte, first line number)``; for ``"parquet"``, one ``(file, first row, rows)``.
    """

    index: int
    kind: Literal["folder", "jsonl", "parquet"]
    root: str
    items: tuple[tuple[Any, ...], ...]
    n_docs: int
    n_bytes: int
    key: str


@dataclass(frozen=True)
class ScaleEvent:
    """Progress of :func:`code_corpus`, given to its ``on_event`` callback.

    ``status`` is "planned" (``total_docs`` known), "reused" (a partition already done
    for the same inputs, codebook and coder), "done" (a partition coded) or "writing"
    (the run record).
    """

    status: Literal["planned", "reused", "done", "writing"]
    index: int | None = None
    n_docs: int = 0
    total_docs: int | None = None
    detail: str = ""


# --------------------------------------------------------------------------------------------
# Hashing and small files
# --------------------------------------------------------------------------------------------


def _digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, default=str).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _stat_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def coder_hash() -> str:
    """SHA-256 of the code that shapes the tables: library modules and key packages."""
    h = hashlib.sha256()
    for name in CODER_MODULES:
        path = PACKAGE_DIR / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    for package in CODER_PACKAGES:
        try:
            h.update(f"{package}=={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package} missing\n".encode())
    return h.hexdigest()


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON atomically (a temporary file, then one rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=True, ensure_ascii=False, default=str)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


# --------------------------------------------------------------------------------------------
# The source: which format, and its partitions
# --------------------------------------------------------------------------------------------


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"


def _walk_files(root: Path) -> Iterator[Path]:
    """Files under ``root`` in sorted order, one directory listing at a time (hidden files
    and folders skipped; links to folders not followed)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not _is_hidden(e.name)), key=lambda e: e.name)
        subdirs = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(Path(entry.path))
            else:
                yield Path(entry.path)
        stack.extend(reversed(subdirs))


def detect_format(source: str | Path) -> Literal["folder", "jsonl", "parquet"]:
    """What kind of SOURCE this is: a folder of articles, JSONL or Parquet.

    A file is JSONL (``.jsonl``, ``.ndjson``) or Parquet (``.parquet``, ``.pq``) by its
    suffix. A folder is read by its first file (in path order) that is an article, a JSONL
    or a Parquet file: a folder of articles, a JSONL dataset or a Parquet dataset (whose
    other files are then not read: pass ``source_format`` to say otherwise).

    Raises
    ------
    ScaleError
        SOURCE does not exist, or is a file of another kind.

    Examples
    --------
    >>> from analysis.config import SEEDS_DIR
    >>> detect_format(SEEDS_DIR)
    'folder'
    """
    path = Path(source)
    if not path.exists():
        raise ScaleError(
            f"SOURCE {path.as_posix()!r} does not exist; pass a folder of articles (.txt, .md, "
            f".html), a JSONL file ({', '.join(JSONL_SUFFIXES)}) or a Parquet file or folder"
        )
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            return "jsonl"
        if suffix in PARQUET_SUFFIXES:
            return "parquet"
        raise ScaleError(
            f"SOURCE {path.as_posix()!r} is a {suffix or 'suffix-less'} file; a SOURCE file is "
            f"JSONL ({', '.join(JSONL_SUFFIXES)}) or Parquet ({', '.join(PARQUET_SUFFIXES)}) "
            "with the columns doc_id and text; for articles pass their folder"
        )
    # the first file that decides: an article, or a JSONL or Parquet file (a folder of
    # millions of articles is not walked to its end)
    for file in _walk_files(path):
        suffix = file.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            return "jsonl"
        if suffix in PARQUET_SUFFIXES:
            return "parquet"
        if corpus._is_article(file):
            return "folder"
    return "folder"


def _files_of(source: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if source.is_file():
        return [source]
    return [p for p in _walk_files(source) if p.suffix.lower() in suffixes]


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path != root else path.name


class _Packer:
    """Groups items into partitions by document count and bytes."""

    def __init__(self, kind: str, root: Path, max_docs: int, max_bytes: int):
        self.kind, self.root, self.max_docs, self.max_bytes = kind, root, max_docs, max_bytes
        self.items: list[tuple[Any, ...]] = []
        self.keys: list[Any] = []
        self.docs = 0
        self.bytes = 0
        self.index = 0

    def fits(self, n_docs: int, n_bytes: int) -> bool:
        return not self.items or (
            self.docs + n_docs <= self.max_docs and self.bytes + n_bytes <= self.max_bytes
        )

    def add(self, item: tuple[Any, ...], key: Any, n_docs: int, n_bytes: int) -> Partition | None:
        done = None if self.fits(n_docs, n_bytes) else self.close()
        self.items.append(item)
        self.keys.append(key)
        self.docs += n_docs
        self.bytes += n_bytes
        return done

    def close(self) -> Partition | None:
        if not self.items:
            return None
        part = Partition(
            index=self.index,
            kind=self.kind,  # type: ignore[arg-type]
            root=str(self.root),
            items=tuple(self.items),
            n_docs=self.docs,
            n_bytes=self.bytes,
            key=_digest(self.kind, self.keys),
        )
        self.index += 1
        self.items, self.keys, self.docs, self.bytes = [], [], 0, 0
        return part


def _plan_folder(root: Path, packer: _Packer, notes: dict[str, Any]) -> Iterator[Partition]:
    ignored: list[str] = notes.setdefault("ignored_files", [])
    refused_rows: list[tuple[str, str]] = notes.setdefault("manifest_rows_skipped", [])
    notes.setdefault("n_ignored", 0)
    manifest: dict[str, tuple[dict[str, str], int]] = {}
    seen: dict[str, str] = {}  # doc_id -> the file that has it, within one folder
    current: Path | None = None
    for path in _walk_files(root):  # a folder's files come together
        if path.parent != current:
            current, seen, skipped = path.parent, {}, []
            manifest = corpus._read_manifest(current, "skip", skipped)
            refused_rows.extend(skipped)
        if not corpus._is_article(path):
            if corpus._is_ignored(path):
                notes["n_ignored"] += 1
                if len(ignored) < _FIRST:
                    ignored.append(_rel(path, root))
            continue
        rel = _rel(path, root)
        # top-level files keep load_corpus's doc_id (the stem); deeper ones add their folder
        doc_id = rel.rsplit(".", 1)[0] if "/" in rel else path.stem
        meta = manifest.get(path.name, (None, 0))[0]
        meta_json = json.dumps(meta, sort_keys=True) if meta else ""
        refusal = ""
        if doc_id in seen:
            refusal = (
                f"has the same doc_id {doc_id!r} as {seen[doc_id]}; doc_id is the file's path "
                "without its extension, so rename one of them"
            )
        else:
            seen[doc_id] = corpus._display(path, root)
        try:
            size, mtime = _stat_key(path)
        except OSError:  # a broken link: the worker says so
            size, mtime = 0, 0
        done = packer.add((rel, doc_id, meta_json, refusal), (rel, size, mtime, meta_json), 1, size)
        if done is not None:
            yield done
    last = packer.close()
    if last is not None:
        yield last


def _line_spans(fh: Any) -> Iterator[tuple[int, int, bool]]:
    """(start, end, blank) of each line of a binary file, read in blocks."""
    offset = 0
    tail = b""
    while block := fh.read(_READ_BLOCK):
        data = tail + block
        base = offset - len(tail)
        pos = 0
        while (nl := data.find(b"\n", pos)) >= 0:
            yield base + pos, base + nl + 1, not data[pos:nl].strip()
            pos = nl + 1
        tail = data[pos:]
        offset += len(block)
    if tail:
        yield offset - len(tail), offset, not tail.strip()


def _first_record(file: Path) -> tuple[int, dict[str, Any] | None]:
    """(line number, object) of the first non-blank line of a JSONL file."""
    with file.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    value = json.loads(line)
                except json.JSONDecodeError:
                    return number, None
                return number, value if isinstance(value, dict) else None
    return 0, None


def _plan_jsonl(source: Path, packer: _Packer, notes: dict[str, Any]) -> Iterator[Partition]:
    base = source.parent if source.is_file() else source
    for file in _files_of(source, JSONL_SUFFIXES):
        where = _rel(file, base)
        number, first = _first_record(file)
        if first is not None:
            missing = [c for c in ("doc_id", "text") if c not in first]
            if missing:
                raise ScaleError(
                    f"{file.as_posix()}, line {number}: no {' or '.join(map(repr, missing))} "
                    f"field; each line of a JSONL SOURCE is an object with doc_id and text "
                    f"(optional: {', '.join(METADATA_COLUMNS)}); found {sorted(first)}"
                )
            extra = sorted(set(first) - {"doc_id", "text", *METADATA_COLUMNS})
            if extra:
                notes.setdefault("ignored_columns", {})[where] = extra
        size, mtime = _stat_key(file)
        # one pass over the bytes: each partition is a range of whole lines
        start = end = first_line = n_docs = 0
        with file.open("rb") as fh:
            for line_no, (a, b, blank) in enumerate(_line_spans(fh), start=1):
                if blank:
                    continue
                if n_docs and (n_docs + 1 > packer.max_docs or b - start > packer.max_bytes):
                    yield from _close_range(
                        packer, where, size, mtime, start, a, first_line, n_docs
                    )
                    n_docs = 0
                if n_docs == 0:
                    start, first_line = a, line_no
                n_docs += 1
                end = b
        if n_docs:
            yield from _close_range(packer, where, size, mtime, start, end, first_line, n_docs)
    last = packer.close()
    if last is not None:
        yield last


def _close_range(
    packer: _Packer, where: str, size: int, mtime: int, start: int, end: int, line: int, n: int
) -> Iterator[Partition]:
    # a line range is a partition of its own: close what came before it, then it
    before = packer.close()
    if before is not None:
        yield before
    packer.add((where, start, end, line), (where, size, mtime, start, end), n, end - start)
    done = packer.close()
    if done is not None:
        yield done


def _parquet_columns(file: Path) -> dict[str, pl.DataType]:
    try:
        return dict(pl.read_parquet_schema(file))
    except Exception as exc:
        raise ScaleError(
            f"{file.as_posix()}: not a readable Parquet file ({type(exc).__name__}: {exc})"
        ) from None


def _plan_parquet(source: Path, packer: _Packer, notes: dict[str, Any]) -> Iterator[Partition]:
    import pyarrow.parquet as pq

    base = source.parent if source.is_file() else source
    for file in _files_of(source, PARQUET_SUFFIXES):
        where = _rel(file, base)
        schema = _parquet_columns(file)
        missing = [c for c in ("doc_id", "text") if c not in schema]
        if missing:
            raise ScaleError(
                f"{file.as_posix()}: no column {' or '.join(map(repr, missing))}; a Parquet "
                f"SOURCE has the columns doc_id and text (optional: "
                f"{', '.join(METADATA_COLUMNS)}); found {list(schema)}"
            )
        if schema["text"] not in (pl.String, pl.Utf8, pl.Categorical):
            raise ScaleError(
                f"{file.as_posix()}: column 'text' holds {schema['text']}, not text; store the "
                "article text as a string column"
            )
        extra = sorted(set(schema) - {"doc_id", "text", *METADATA_COLUMNS})
        if extra:
            notes.setdefault("ignored_columns", {})[where] = extra
        meta = pq.ParquetFile(file).metadata
        rows = meta.num_rows
        raw = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        per_row = max(raw / rows, 1.0) if rows else 1.0
        step = max(1, min(packer.max_docs, int(packer.max_bytes / per_row)))
        size, mtime = _stat_key(file)
        for first in range(0, rows, step):
            n = min(step, rows - first)
            yield from _close_range_rows(packer, where, size, mtime, first, n, int(n * per_row))
    last = packer.close()
    if last is not None:
        yield last


def _close_range_rows(
    packer: _Packer, where: str, size: int, mtime: int, first: int, n: int, n_bytes: int
) -> Iterator[Partition]:
    before = packer.close()
    if before is not None:
        yield before
    packer.add((where, first, n), (where, size, mtime, first, n), n, n_bytes)
    done = packer.close()
    if done is not None:
        yield done


def _check_positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def plan_partitions(
    source: str | Path,
    *,
    source_format: Literal["auto", "folder", "jsonl", "parquet"] = "auto",
    partition_docs: int = DEFAULT_PARTITION_DOCS,
    partition_mb: float = DEFAULT_PARTITION_MB,
    notes: dict[str, Any] | None = None,
) -> Iterator[Partition]:
    """The partitions of SOURCE, in order, listed as they are found (a generator).

    Parameters
    ----------
    source : str or Path
        A folder of articles, a JSONL or Parquet file, or a folder of either.
    source_format : {"auto", "folder", "jsonl", "parquet"}, keyword-only
        "auto" decides with :func:`detect_format`.
    partition_docs : int, keyword-only
        Documents per partition, at most.
    partition_mb : float, keyword-only
        Input per partition in MB, about: a partition closes before the document that
        would take it past this (a longer document makes a partition of its own). A
        partition never spans two JSONL or Parquet files.
    notes : dict, optional
        Filled with what the listing saw but does not code: ``ignored_files`` (first 20,
        ``n_ignored`` in all), ``manifest_rows_skipped``, ``ignored_columns``.

    Raises
    ------
    ScaleError
        SOURCE is missing or of no known kind, or a JSONL or Parquet file lacks
        ``doc_id`` or ``text`` (the message names the file and the column).

    Examples
    --------
    >>> from analysis.config import SEEDS_DIR
    >>> parts = list(plan_partitions(SEEDS_DIR, partition_docs=2))
    >>> [p.n_docs for p in parts]
    [2, 2, 1]
    >>> parts[0].items[0][:2]
    ('000_1ff6f1d578f5dc2b.txt', '000_1ff6f1d578f5dc2b')
    """
    if source_format not in FORMATS:
        raise ValueError(f"source_format must be one of {list(FORMATS)}, got {source_format!r}")
    _check_positive("partition_docs", partition_docs)
    _check_positive("partition_mb", partition_mb)
    path = Path(source)
    kind = detect_format(path) if source_format == "auto" else source_format
    if not path.exists():
        detect_format(path)  # raises, naming SOURCE
    if kind == "folder" and not path.is_dir():
        raise ScaleError(f"SOURCE {path.as_posix()!r} is not a folder of articles")
    notes = {} if notes is None else notes
    root = path.resolve()
    packer = _Packer(kind, root, int(partition_docs), int(partition_mb * 1e6))
    if kind == "folder":
        return _plan_folder(root, packer, notes)
    if kind == "jsonl":
        return _plan_jsonl(root, packer, notes)
    return _plan_parquet(root, packer, notes)


# --------------------------------------------------------------------------------------------
# One partition: read, split, code
# --------------------------------------------------------------------------------------------


def _failure(doc_id: str | None, where: str, stage: str, reason: str) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "source": where,
        "stage": stage,
        "reason": reason.removeprefix(f"{where}: "),
    }


def _read_folder(part: Partition) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    root = Path(part.root)
    resolved = root.resolve()
    records, failures = [], []
    for rel, doc_id, meta_json, refusal in part.items:
        path = root / rel
        where = corpus._display(path, root)
        if refusal:
            failures.append(_failure(doc_id, where, "list", refusal))
            continue
        try:
            target = corpus._external_target(path, resolved)
            if target is not None:
                raise corpus.CorpusError(
                    f"{where}: is a symbolic link to {target.as_posix()}, outside the corpus "
                    f"folder {resolved.as_posix()}; copy the file into the folder to code it"
                )
            raw = path.read_bytes()
            text = corpus._decode(raw, where)
            meta = json.loads(meta_json) if meta_json else None
            try:
                record = corpus._build_record(path, raw, text, meta, root)
            except corpus.CorpusError:
                raise
            except Exception as exc:
                raise corpus.CorpusError(
                    f"{where}: reading the article failed ({type(exc).__name__}: {exc})"
                ) from exc
        except (corpus.CorpusError, OSError) as exc:
            failures.append(_failure(doc_id, where, "read", str(exc)))
            continue
        record["doc_id"] = doc_id
        records.append(record)
    return records, failures


def _text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _row_record(
    row: Mapping[str, Any], where: str, root: Path, basis: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(record, None) or (None, failure) for one JSONL object or Parquet row.

    ``where`` ("corpus.jsonl:12", "data/part-0.parquet#12") is relative to the parent of
    ``root``, the SOURCE, as a folder's article paths are.
    """
    doc_id = row.get("doc_id")
    doc_id = None if doc_id is None else _text_value(doc_id)
    if not doc_id:
        return None, _failure(None, where, "read", "no doc_id; every document needs one")
    text = row.get("text")
    if not isinstance(text, str):
        got = "no text" if text is None else f"text is {type(text).__name__}, not a string"
        return None, _failure(doc_id, where, "read", f"{got}; every document needs its text")
    if not text.strip():
        return None, _failure(doc_id, where, "read", "the text is empty; an article needs text")
    meta = {k: _text_value(row.get(k)) for k in METADATA_COLUMNS if row.get(k) is not None}
    if meta.get("published") and not meta.get("date_basis"):
        meta["date_basis"] = basis
    try:
        corpus._check_metadata(meta, where, None, None)
        # read as an article file would be: front matter, cleaning, inferred metadata (the
        # path only names the record; its suffix is never .html)
        record = corpus._build_record(root.parent / where, text.encode(), text, meta, root)
    except corpus.CorpusError as exc:
        return None, _failure(doc_id, where, "read", str(exc))
    except Exception as exc:
        return None, _failure(
            doc_id, where, "read", f"reading the article failed ({type(exc).__name__}: {exc})"
        )
    record["doc_id"] = doc_id
    record["path"] = where
    return record, None


def _source_file(part: Partition) -> tuple[Path, Path, str]:
    """(SOURCE, the partition's file, the file as shown: relative to SOURCE's parent)."""
    root = Path(part.root)
    file = root if root.is_file() else root / part.items[0][0]
    return root, file, corpus._display(file, root)


def _read_jsonl(part: Partition) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    records, failures = [], []
    ((_, start, end, first_line),) = part.items
    root, file, shown = _source_file(part)
    with file.open("rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    for number, line in enumerate(data.split(b"\n"), start=first_line):
        if not line.strip():
            continue
        where = f"{shown}:{number}"
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            failures.append(_failure(None, where, "read", f"not valid JSON ({exc})"))
            continue
        if not isinstance(row, dict):
            failures.append(
                _failure(None, where, "read", f"a JSON {type(row).__name__}, not an object")
            )
            continue
        record, failure = _row_record(row, where, root, "JSONL field")
        if record is not None:
            records.append(record)
        else:
            failures.append(failure)
    return records, failures


def _read_parquet(part: Partition) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    records, failures = [], []
    ((_, first, n),) = part.items
    root, file, shown = _source_file(part)
    schema = pl.read_parquet_schema(file)
    columns = [c for c in ("doc_id", "text", *METADATA_COLUMNS) if c in schema]
    # the slice is pushed down: only the row groups it covers are read
    frame = pl.scan_parquet(file).select(columns).slice(first, n).collect()
    for offset, row in enumerate(frame.iter_rows(named=True)):
        record, failure = _row_record(row, f"{shown}#{first + offset}", root, "Parquet column")
        if record is not None:
            records.append(record)
        else:
            failures.append(failure)
    return records, failures


def _by_document(
    frame: pl.DataFrame, run: Callable[[pl.DataFrame], pl.DataFrame], stage: str
) -> tuple[pl.DataFrame | None, list[dict[str, Any]]]:
    """``run(frame)``; when it fails, one document at a time, leaving out those that fail."""
    try:
        return run(frame), []
    except Exception:
        pass
    outs, failures = [], []
    for (doc_id,), group in frame.group_by("doc_id", maintain_order=True):
        try:
            outs.append(run(group))
        except Exception as exc:
            failures.append(
                _failure(str(doc_id), str(doc_id), stage, f"{type(exc).__name__}: {exc}")
            )
    return (pl.concat(outs) if outs else None), failures


def code_partition(part: Partition, codebook: Codebook) -> dict[str, pl.DataFrame]:
    """Read, clean, split and code one partition.

    Parameters
    ----------
    part : Partition
        As :func:`plan_partitions` gives it.
    codebook : Codebook
        A loaded codebook (:func:`analysis.codebook.load_codebook`).

    Returns
    -------
    dict of str to polars.DataFrame
        ``documents``, ``sentences``, ``codes`` (the tables of
        :func:`analysis.build.load_dataset`, for this partition's articles) and
        ``failures`` (doc_id, source, stage, reason: one row per article left out), each
        sorted. The same partition gives the same tables, wherever it runs.

    Examples
    --------
    >>> from analysis.config import SEEDS_DIR
    >>> part = next(plan_partitions(SEEDS_DIR, partition_docs=1))
    >>> tables = code_partition(part, load_codebook())
    >>> tables["documents"]["doc_id"].to_list(), tables["failures"].height
    (['000_1ff6f1d578f5dc2b'], 0)
    """
    from analysis.indicators import code_sentences
    from analysis.segment import split_sentences

    reader = {"folder": _read_folder, "jsonl": _read_jsonl, "parquet": _read_parquet}[part.kind]
    records, failures = reader(part)
    documents = pl.DataFrame(records, schema=corpus.DOCUMENTS_SCHEMA).sort("doc_id")
    sentences, failed = _by_document(documents, split_sentences, "segment")
    failures += failed
    if sentences is None:
        sentences = split_sentences(documents.clear())
    codes, failed_codes = _by_document(sentences, lambda s: code_sentences(s, codebook), "code")
    failures += failed_codes
    if codes is None:
        codes = code_sentences(sentences.clear(), codebook)
    if failed or failed_codes:
        bad = pl.Series([f["doc_id"] for f in failed + failed_codes], dtype=pl.String)
        documents = documents.filter(~pl.col("doc_id").is_in(bad.implode()))
        sentences = sentences.filter(~pl.col("doc_id").is_in(bad.implode()))
        codes = codes.filter(~pl.col("doc_id").is_in(bad.implode()))
    return {
        "documents": documents,
        "sentences": sentences.sort("doc_id", "sent_id"),
        "codes": codes.sort("doc_id", "sent_id", "match_start", "category", maintain_order=True),
        "failures": pl.DataFrame(failures, schema=FAILURES_SCHEMA, orient="row").sort(
            "source", "doc_id", maintain_order=True
        ),
    }


# --------------------------------------------------------------------------------------------
# Running a partition in a worker: code, write, record
# --------------------------------------------------------------------------------------------

_CODEBOOKS: dict[str, Codebook] = {}
_PAYLOADS: dict[tuple[str, str], tuple[Codebook, bytes]] = {}


def _codebook_payload(path: Path) -> tuple[Codebook, bytes, str]:
    """(codebook, pickled codebook, sha256 of its YAML), loaded once per file content.

    The codebook is used once before it is pickled, so that the tables it builds on first
    use (cue alternations over every inflection of each lemma) travel with it, instead of
    being rebuilt for seconds in each worker.
    """
    from analysis.indicators import code_sentences

    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        load_codebook(path)  # raises CodebookError, naming the file
        raise
    key = (str(path.resolve()), digest)
    if key not in _PAYLOADS:
        book = load_codebook(path)
        # every indicator's examples, so that every rule asks for its tables
        texts = [t for ind in book.indicators for t in ind.examples.match] or ["Mexico agreed."]
        warm = pl.DataFrame(
            {
                "doc_id": [f"warm{i:05d}" for i in range(len(texts))],
                "sent_id": [1] * len(texts),
                "start": [0] * len(texts),
                "text": texts,
            }
        )
        code_sentences(warm, book)
        if len(_PAYLOADS) >= 4:
            _PAYLOADS.pop(next(iter(_PAYLOADS)))
        _PAYLOADS[key] = (book, pickle.dumps(book))
    book, payload = _PAYLOADS[key]
    return book, payload, digest


def _worker_codebook(payload: bytes, digest: str) -> Codebook:
    """The codebook sent with each task, unpickled once per worker process."""
    if digest not in _CODEBOOKS:
        _CODEBOOKS.clear()
        _CODEBOOKS[digest] = pickle.loads(payload)
    return _CODEBOOKS[digest]


def _manifest_path(out: Path, index: int) -> Path:
    return out / MANIFESTS / part_name(index).replace(".parquet", ".json")


def run_partition(
    part: Partition, out: str | Path, codebook: bytes, hashes: Mapping[str, str]
) -> dict[str, Any]:
    """Code one partition and write its parts and manifest into ``out`` (what a worker runs).

    ``codebook`` is the pickled :class:`Codebook`; ``hashes`` holds ``input``,
    ``codebook`` and ``coder``. Returns the manifest (counts, seconds, warnings).
    """
    t0, c0 = time.perf_counter(), time.process_time()
    book = _worker_codebook(codebook, hashes["codebook"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tables = code_partition(part, book)
    out = Path(out)
    write_part(out, part.index, tables)
    manifest = {
        "index": part.index,
        "hashes": dict(hashes),
        "counts": {name: frame.height for name, frame in tables.items()},
        "input_bytes": part.n_bytes,
        "seconds": round(time.perf_counter() - t0, 3),
        "cpu_seconds": round(time.process_time() - c0, 3),
        "warnings": [str(w.message) for w in caught][:_FIRST],
        "n_warnings": len(caught),
        "failures": tables["failures"].head(_FIRST).to_dicts(),
        "pid": os.getpid(),
    }
    _write_json(_manifest_path(out, part.index), manifest)
    return manifest


def _set_worker_env() -> None:
    os.environ["POLARS_MAX_THREADS"] = "1"


# --------------------------------------------------------------------------------------------
# The output folder
# --------------------------------------------------------------------------------------------


def _prepare_out(out: Path, source: Path) -> None:
    src = source.resolve()
    dst = out.resolve()
    if dst == src or dst.is_relative_to(src) or (src.is_dir() and src.is_relative_to(dst)):
        raise ScaleError(
            f"--out {out.as_posix()!r} and SOURCE {source.as_posix()!r} overlap; write the "
            "dataset to a folder outside the corpus"
        )
    if out.exists() and not out.is_dir():
        raise ScaleError(f"--out {out.as_posix()!r} is a file; pass a folder")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in _OWN_NAMES)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise ScaleError(
                f"--out {out.as_posix()!r} holds files coco code did not write ({shown}); "
                "pass an empty or new folder, or one an earlier `coco code` wrote"
            )
    out.mkdir(parents=True, exist_ok=True)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    with (out / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScaleError(
                f"another `coco code` is writing into {out.as_posix()!r}; wait for it to end "
                "or pass another --out"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _clean_leftovers(out: Path) -> None:
    """Temporary files of a run that was killed while writing (never a finished part)."""
    for folder in (*TABLES, "failures", MANIFESTS):
        for tmp in (out / folder).glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def _remove_beyond(out: Path, n_parts: int) -> int:
    """Remove parts and manifests numbered ``n_parts`` or more (an earlier, larger run)."""
    removed = 0
    for folder in (*TABLES, "failures", MANIFESTS):
        for path in (out / folder).glob("part-*"):
            try:
                index = int(path.name.split("-")[1].split(".")[0])
            except (IndexError, ValueError):
                continue
            if index >= n_parts:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def _done_already(out: Path, part: Partition, hashes: Mapping[str, str]) -> tuple[bool, str]:
    """(True, "") when the partition's manifest and parts are there for the same hashes;
    else (False, why: "new", "input", "codebook" or "coder")."""
    manifest = _read_json(_manifest_path(out, part.index))
    if manifest is None:
        return False, "new"
    old = manifest.get("hashes", {})
    for name in ("input", "codebook", "coder"):
        if old.get(name) != hashes[name]:
            return False, name
    name = part_name(part.index)
    if not all((out / table / name).is_file() for table in (*TABLES, "failures")):
        return False, "new"
    return True, ""


# --------------------------------------------------------------------------------------------
# Engines
# --------------------------------------------------------------------------------------------


class _SerialEngine:
    """One worker: partitions coded in this process, one after the other (no pool)."""

    name = "local"
    workers = 1
    address = None

    def submit(self, fn: Callable[..., Any], *args: Any, key: str) -> Any:
        from concurrent.futures import Future

        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def completed(self, futures: set[Any]) -> tuple[set[Any], set[Any]]:
        return set(futures), set()

    def close(self, *, cancel: bool = False) -> None:
        pass


class _LocalEngine:
    """A process pool (spawned processes, so no state leaks from the parent)."""

    name = "local"

    def __init__(self, workers: int):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_set_worker_env,
        )
        self.address = None

    def submit(self, fn: Callable[..., Any], *args: Any, key: str) -> Any:
        return self.pool.submit(fn, *args)

    def completed(self, futures: set[Any]) -> tuple[set[Any], set[Any]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        done, pending = wait(futures, return_when=FIRST_COMPLETED)
        return done, pending

    def close(self, *, cancel: bool = False) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


class _DaskEngine:
    """The workers of a Dask cluster: a LocalCluster, or the one at ``scheduler``."""

    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None, timeout: float):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise ScaleError(
                    f"could not reach the Dask scheduler at {scheduler!r} ({exc}); start one "
                    "(`dask scheduler`) and workers (`dask worker ADDRESS --nthreads 1`), or "
                    "use --engine dask for a cluster on this machine"
                ) from None
        else:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                env={"POLARS_MAX_THREADS": "1"},
            )
            self.client = Client(self.cluster, timeout=timeout)
        self.address = self.client.scheduler.address
        self.workers = sum(self.client.nthreads().values())

    def submit(self, fn: Callable[..., Any], *args: Any, key: str) -> Any:
        # the key names the partition and its input: a retry after a lost worker writes
        # the same part
        return self.client.submit(fn, *args, key=key, pure=False, retries=2)

    def completed(self, futures: set[Any]) -> tuple[set[Any], set[Any]]:
        from distributed import wait

        # distributed.wait runs on the default client's event loop; with another client in
        # the process (a notebook's, a test's) that can be a different loop from this
        # client's, and the futures' events, bound there, then fail in future.result()
        # ("... is bound to a different event loop")
        with self.client.as_current():
            done, pending = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done), set(pending)

    def close(self, *, cancel: bool = False) -> None:
        with contextlib.suppress(Exception):
            self.client.close(timeout=10)
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close(timeout=10)


# --------------------------------------------------------------------------------------------
# The driver
# --------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    counts: Counter = field(default_factory=Counter)
    bytes: int = 0
    computed: int = 0
    reused: int = 0
    why: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    n_warnings: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def add(self, manifest: Mapping[str, Any], *, reused: bool) -> None:
        self.counts.update(manifest.get("counts", {}))
        self.bytes += int(manifest.get("input_bytes", 0))
        self.n_warnings += int(manifest.get("n_warnings", 0))
        room = _FIRST - len(self.warnings)
        if room > 0:
            self.warnings.extend(manifest.get("warnings", [])[:room])
        if reused:
            self.reused += 1
        else:
            self.computed += 1
            self.seconds += float(manifest.get("seconds", 0.0))
            self.cpu_seconds += float(manifest.get("cpu_seconds", 0.0))


def _count_docs(source: Path) -> int:
    """How many articles a folder holds (one listing, nothing read), for progress."""
    return sum(1 for p in _walk_files(source) if corpus._is_article(p))


def _duplicates(out: Path) -> dict[str, Any]:
    """Documents that share a doc_id or their bytes, across all partitions.

    Grouped on 64-bit hashes of the values, so that ten million documents take tens of
    MB here, not the strings themselves.
    """
    docs = scan_table(out, "documents").select("doc_id", "sha256", "path")
    result: dict[str, Any] = {}
    for column in ("doc_id", "sha256"):
        groups = (
            docs.group_by(pl.col(column).hash().alias("_h"))
            .len()
            .filter(pl.col("len") > 1)
            .collect(engine="streaming")
        )
        first = (
            docs.filter(pl.col(column).hash().is_in(groups["_h"].head(200).implode()))
            .group_by(column)
            .agg(pl.len().alias("n"), pl.col("path").sort().head(3).alias("paths"))
            .sort(column)
            .head(5)
            .collect()
        )
        result[column] = {
            "groups": groups.height,
            "documents": int(groups["len"].sum()) if groups.height else 0,
            "first": first.to_dicts(),
        }
    return result


def code_corpus(
    source: str | Path,
    out: str | Path,
    *,
    engine: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    codebook_path: str | Path | None = None,
    source_format: Literal["auto", "folder", "jsonl", "parquet"] = "auto",
    partition_docs: int = DEFAULT_PARTITION_DOCS,
    partition_mb: float = DEFAULT_PARTITION_MB,
    in_flight: int | None = None,
    timeout: float = 60.0,
    on_event: Callable[[ScaleEvent], None] | None = None,
) -> dict[str, Any]:
    """Code SOURCE into the coded dataset DIR (``out``), partition by partition.

    Parameters
    ----------
    source : str or Path
        A folder of articles (read recursively), a JSONL or Parquet file, or a folder of
        JSONL or Parquet files with ``doc_id``, ``text`` and optional metadata columns
        (source, title, author, published, date_precision, date_basis, language, url).
    out : str or Path
        The dataset folder (the layout of :mod:`analysis.dataset`); new, empty or written
        by an earlier run, whose finished partitions are reused.
    engine : {"local", "dask"}, keyword-only
        "local": a pool of ``workers`` processes. "dask": a ``LocalCluster`` of
        ``workers`` processes with one thread each, or the cluster at ``scheduler``.
    scheduler : str, optional, keyword-only
        Address of a Dask scheduler (``tcp://host:8786``); implies ``engine="dask"``.
    workers : int, optional, keyword-only
        Processes (default: the machine's cores); 1 codes in this process, without a
        pool. Ignored with ``scheduler``.
    codebook_path : str or Path, optional, keyword-only
        Codebook YAML; None is the packaged one.
    source_format : {"auto", "folder", "jsonl", "parquet"}, keyword-only
        How to read SOURCE; "auto" decides with :func:`detect_format`.
    partition_docs, partition_mb : keyword-only
        Partition size: at most this many documents, about this many MB of input.
    in_flight : int, optional, keyword-only
        Partitions submitted and not yet finished, at most (default: twice the workers):
        with the partition size, this bounds memory.
    timeout : float, keyword-only
        Seconds to wait for a Dask scheduler to answer.
    on_event : callable, optional, keyword-only
        Called with a :class:`ScaleEvent` as the run progresses (in this process).

    Returns
    -------
    dict
        The run record, as written to ``DIR/run.json``.

    Raises
    ------
    ScaleError
        Bad SOURCE or DIR (the message names it and says what would work), or a
        partition whose coding failed as a whole (named with its first input).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {list(ENGINES)}, got {engine!r}")
    if workers is not None:
        _check_positive("workers", workers)
    if in_flight is not None:
        _check_positive("in_flight", in_flight)
    if scheduler:
        engine = "dask"
    t_start = time.perf_counter()
    source_path, out_path = Path(source), Path(out)
    notes: dict[str, Any] = {}
    plan = plan_partitions(
        source_path,
        source_format=source_format,
        partition_docs=partition_docs,
        partition_mb=partition_mb,
        notes=notes,
    )
    kind = detect_format(source_path) if source_format == "auto" else source_format
    t_list = time.perf_counter()
    if kind == "folder":
        # listed as the run goes (a folder can hold millions of files); counted first
        total = _count_docs(source_path.resolve())
    else:
        # JSONL and Parquet partitions are small ranges: list them all now, which also
        # checks every file's columns before DIR is touched
        planned = list(plan)
        total = sum(p.n_docs for p in planned)
        plan = iter(planned)
    listing = time.perf_counter() - t_list
    book_file = Path(codebook_path) if codebook_path is not None else CODEBOOK_PATH
    book, payload, book_hash = _codebook_payload(book_file)
    base_hashes = {"codebook": book_hash, "coder": coder_hash()}
    _prepare_out(out_path, source_path)
    emit = on_event or (lambda event: None)

    with _locked(out_path):
        (out_path / RECORD_NAME).unlink(missing_ok=True)  # no run.json: not finished
        _clean_leftovers(out_path)
        emit(ScaleEvent("planned", total_docs=total))

        n_workers = int(workers) if workers else (os.cpu_count() or 1)
        saved_env = os.environ.get("POLARS_MAX_THREADS")
        os.environ["POLARS_MAX_THREADS"] = "1"  # inherited by the worker processes
        runner: _LocalEngine | _DaskEngine | None = None
        tally = _Tally()
        n_parts = 0
        t_code = time.perf_counter()
        try:
            pending: dict[Any, Partition] = {}
            limit = None
            for part in plan:
                n_parts += 1
                hashes = {**base_hashes, "input": part.key}
                done, why = _done_already(out_path, part, hashes)
                if done:
                    manifest = _read_json(_manifest_path(out_path, part.index)) or {}
                    tally.add(manifest, reused=True)
                    emit(ScaleEvent("reused", part.index, part.n_docs, total))
                    continue
                tally.why[why] += 1
                if runner is None:
                    if engine == "dask":
                        runner = _DaskEngine(n_workers, scheduler, timeout)
                    elif n_workers == 1:
                        runner = _SerialEngine()
                    else:
                        runner = _LocalEngine(n_workers)
                    limit = in_flight or 2 * max(runner.workers, 1)
                key = f"coco-code-{part.index:05d}-{part.key[:16]}"
                pending[
                    runner.submit(run_partition, part, str(out_path), payload, hashes, key=key)
                ] = part
                while len(pending) >= limit:
                    _collect(runner, pending, tally, emit, total)
            while pending:
                _collect(runner, pending, tally, emit, total)
        except BaseException:
            if runner is not None:
                runner.close(cancel=True)
                runner = None
            raise
        finally:
            if runner is not None:
                runner.close()
            if saved_env is None:
                os.environ.pop("POLARS_MAX_THREADS", None)
            else:
                os.environ["POLARS_MAX_THREADS"] = saved_env
        coding = time.perf_counter() - t_code

        emit(ScaleEvent("writing", total_docs=total))
        _clean_leftovers(out_path)  # of a worker that died while writing
        removed = _remove_beyond(out_path, n_parts)
        if n_parts == 0:
            raise ScaleError(
                f"SOURCE {source_path.as_posix()!r} holds no documents; a folder needs "
                f"{', '.join(corpus.ARTICLE_SUFFIXES)} files, a JSONL or Parquet SOURCE rows"
            )
        failures = scan_table(out_path, "failures")
        by_stage = dict(failures.group_by("stage").len().sort("stage").collect().iter_rows())
        first_failures = failures.sort("source").head(_FIRST).collect().to_dicts()
        duplicates = _duplicates(out_path)
        elapsed = time.perf_counter() - t_start
        docs = int(tally.counts["documents"])
        record = {
            "command": "coco code",
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "inputs": {
                "source": str(source_path.resolve()),
                "format": kind,
                "documents_listed": total,
                "bytes": tally.bytes,
                "ignored_files": notes.get("ignored_files", []),
                "n_ignored_files": notes.get("n_ignored", 0),
                "manifest_rows_skipped": [
                    {"where": w, "reason": r} for w, r in notes.get("manifest_rows_skipped", [])
                ],
                "ignored_columns": notes.get("ignored_columns", {}),
            },
            # the path as a string: analysis.data reads the codebook a dataset names here
            "codebook": str(book_file.resolve()),
            "codebook_sha256": base_hashes["codebook"],
            "codebook_version": f"{book.spec.name} {book.spec.version}",
            "coder": {
                "sha256": base_hashes["coder"],
                "modules": list(CODER_MODULES),
                "versions": {p: _version(p) for p in (*CODER_PACKAGES, "dask", "distributed")},
                "python": platform.python_version(),
            },
            "engine": {
                "name": engine,
                "workers": n_workers if not scheduler else None,
                "scheduler": scheduler,
                "in_flight": in_flight,
            },
            "partition": {"documents": int(partition_docs), "mb": float(partition_mb)},
            "partitions": {
                "total": n_parts,
                "computed": tally.computed,
                "reused": tally.reused,
                "recomputed_because": {k: v for k, v in tally.why.items() if k != "new"},
                "new": tally.why.get("new", 0),
                "removed_parts": removed,
            },
            "counts": {name: int(tally.counts[name]) for name in (*TABLES, "failures")},
            "failures": {
                "count": int(tally.counts["failures"]),
                "by_stage": by_stage,
                "first": first_failures,
            },
            "duplicates": duplicates,
            "warnings": {"count": tally.n_warnings, "first": tally.warnings},
            "timings": {
                "listing": round(listing, 3),
                "coding": round(coding, 3),
                "total": round(elapsed, 3),
                "worker_seconds": round(tally.seconds, 3),
                "worker_cpu_seconds": round(tally.cpu_seconds, 3),
                "documents_per_s": round(docs / coding, 1) if coding else None,
                "mb_per_s": round(tally.bytes / 1e6 / coding, 2) if coding else None,
            },
        }
        write_record(out_path, record)
    return record


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _collect(
    runner: _LocalEngine | _DaskEngine,
    pending: dict[Any, Partition],
    tally: _Tally,
    emit: Callable[[ScaleEvent], None],
    total: int | None,
) -> None:
    done, _ = runner.completed(set(pending))
    for future in sorted(done, key=lambda f: pending[f].index):
        part = pending.pop(future)
        try:
            manifest = future.result()
        except Exception as exc:
            first = part.items[0][0] if part.items else "?"
            raise ScaleError(
                f"partition {part.index} (from {first}, {part.n_docs} document(s)) failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        tally.add(manifest, reused=False)
        emit(ScaleEvent("done", part.index, part.n_docs, total))
