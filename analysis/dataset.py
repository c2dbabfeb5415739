"""A coded dataset on disk: the ``documents``, ``sentences`` and ``codes`` tables as Parquet.

One layout serves the report build's cached stage and ``coco code`` on a large corpus::

    DIR/
      run.json                          the run record (inputs, codebook hash, counts, ...)
      documents/part-00000.parquet      one file per partition, same schema in every part
      sentences/part-00000.parquet
      codes/part-00000.parquet
      failures/part-00000.parquet       articles that could not be read (optional)

The schemas are those the notebooks use (``analysis.corpus.DOCUMENTS_SCHEMA``,
``analysis.segment.split_sentences``, ``analysis.indicators.CODES_SCHEMA``). Every part
is written to a temporary name and renamed, so a part that exists is complete.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

__all__ = [
    "FAILURES_SCHEMA",
    "RECORD_NAME",
    "SENTENCES_SCHEMA",
    "TABLES",
    "DatasetError",
    "is_dataset",
    "part_name",
    "read_dataset",
    "read_record",
    "scan_table",
    "table_schema",
    "write_part",
    "write_record",
]

#: The core tables, in the order the pipeline produces them.
TABLES = ("documents", "sentences", "codes")
RECORD_NAME = "run.json"
SENTENCES_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "sent_id": pl.Int64(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "text": pl.String(),
    "is_heading": pl.Boolean(),
    "speaker": pl.String(),
}
#: One row per article that was skipped: where it came from and why.
FAILURES_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "source": pl.String(),
    "stage": pl.String(),
    "reason": pl.String(),
}


class DatasetError(ValueError):
    """A folder that is not a readable coded dataset; the message says what is missing."""


def table_schema(name: str) -> dict[str, pl.DataType]:
    """The schema of one table of the dataset.

    Examples
    --------
    >>> list(table_schema("sentences"))[:3]
    ['doc_id', 'sent_id', 'start']
    """
    if name == "documents":
        from analysis.corpus import DOCUMENTS_SCHEMA

        return dict(DOCUMENTS_SCHEMA)
    if name == "sentences":
        return dict(SENTENCES_SCHEMA)
    if name == "codes":
        from analysis.indicators import CODES_SCHEMA

        return dict(CODES_SCHEMA)
    if name == "failures":
        return dict(FAILURES_SCHEMA)
    raise ValueError(f"unknown table {name!r}; expected one of {[*TABLES, 'failures']}")


def part_name(index: int) -> str:
    """File name of partition ``index``.

    Examples
    --------
    >>> part_name(7)
    'part-00007.parquet'
    """
    return f"part-{index:05d}.parquet"


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_part(root: str | Path, index: int, tables: Mapping[str, pl.DataFrame]) -> list[Path]:
    """Write one partition of each table (cast to the table's schema), atomically per file.

    Returns the paths written. A table missing from ``tables`` is not written.
    """
    root = Path(root)
    written = []
    for name, frame in tables.items():
        schema = table_schema(name)
        missing = [c for c in schema if c not in frame.columns]
        if missing:
            raise DatasetError(f"table {name!r} lacks column(s) {missing}; expected {list(schema)}")
        out = frame.select([pl.col(c).cast(t) for c, t in schema.items()])
        path = root / name / part_name(index)
        _atomic_write(path, lambda p, out=out: out.write_parquet(p, statistics=True))
        written.append(path)
    return written


def write_record(root: str | Path, record: Mapping[str, Any]) -> Path:
    """Write ``run.json`` atomically (sorted keys, so equal records give equal files)."""
    path = Path(root) / RECORD_NAME
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    _atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    return path


def read_record(root: str | Path) -> dict[str, Any]:
    """The run record of a dataset, or {} when it has none."""
    path = Path(root) / RECORD_NAME
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DatasetError(f"{path}: not valid JSON ({err})") from err


def is_dataset(root: str | Path) -> bool:
    """True when ``root`` holds at least one part of each core table."""
    root = Path(root)
    return all(any((root / name).glob("part-*.parquet")) for name in TABLES)


def scan_table(root: str | Path, name: str) -> pl.LazyFrame:
    """All parts of one table as a lazy frame (the table's empty schema when it has none)."""
    folder = Path(root) / name
    schema = table_schema(name)
    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        if name in TABLES:
            raise DatasetError(
                f"{folder}: no part-*.parquet files; a coded dataset has the folders "
                f"{list(TABLES)}, each with part-NNNNN.parquet files (as `coco code` writes)"
            )
        return pl.LazyFrame(schema=schema)
    lazy = pl.scan_parquet(parts)
    got = lazy.collect_schema()
    missing = [c for c in schema if c not in got]
    if missing:
        raise DatasetError(f"{folder}: column(s) {missing} missing; expected {list(schema)}")
    return lazy.select(list(schema))


def read_dataset(root: str | Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(documents, sentences, codes) of a coded dataset, sorted as the pipeline sorts them.

    Raises DatasetError naming the folder when it is not one.
    """
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(
            f"{root}: no such folder (expected a coded dataset, as `coco code` writes)"
        )
    documents = scan_table(root, "documents").sort("doc_id").collect()
    sentences = scan_table(root, "sentences").sort("doc_id", "sent_id").collect()
    codes = (
        scan_table(root, "codes")
        .sort("doc_id", "sent_id", "match_start", "category", maintain_order=True)
        .collect()
    )
    return documents, sentences, codes
