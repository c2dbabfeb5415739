"""What a re-run changed: the published numbers, table by table, row by row.

``coco bless`` re-executes the notebooks, whose stored outputs are the expected results.
After a new article or a codebook change many outputs differ; what a reader needs is which
numbers moved. :func:`compare_tables` lines up the old and new version of each table the
notebooks write (``reports/data/*.csv``) by its key columns and lists every changed value
(table, row, column, old → new), and every row added or removed; :func:`format_changes`
prints that list briefly.

The key of a table is the shortest leading run of its text, date and boolean columns and
its integer columns named like identifiers (``*_id``, ``sent_id``, ``order``, ...) that
names each row; the other columns are its values. A table that no such run identifies is
compared as a multiset of rows (added, removed).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

__all__ = [
    "Change",
    "compare_frames",
    "compare_tables",
    "format_changes",
    "key_columns",
    "store_tables",
]

#: Integer columns that name a row rather than count something.
ID_NAMES = ("order", "rank", "year", "n_boot", "seed", "unit", "sent_id", "line")
#: Tables that copy the corpus text rather than publish numbers: not kept by
#: :func:`store_tables`; and columns of corpus text dropped from the tables kept.
TEXT_TABLES = ("sentences", "kwic")
TEXT_COLUMNS = ("text", "removed")
#: Floats closer than this (relative) print as unchanged: a CSV round trip is not a change.
REL_TOL = 1e-9


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new version of a table.

    ``kind`` is ``"changed"`` (a value), ``"added"`` or ``"removed"`` (a row),
    ``"new table"`` or ``"table removed"``; ``row`` names the row by its key
    (``"col=value, ..."``); ``column``, ``old`` and ``new`` are set for a changed value.
    """

    table: str
    kind: str
    row: str = ""
    column: str = ""
    old: str = ""
    new: str = ""


def key_columns(df: pl.DataFrame) -> list[str]:
    """The columns that identify a row of ``df`` (see the module's docstring).

    Examples
    --------
    >>> key_columns(pl.DataFrame({"doc_id": ["a"], "sent_id": [1], "n": [3], "x": [0.5]}))
    ['doc_id', 'sent_id']
    """
    keys = []
    for name, dtype in df.schema.items():
        named = dtype == pl.String or dtype.is_temporal() or dtype == pl.Boolean
        if named or (dtype.is_integer() and (name.endswith("_id") or name in ID_NAMES)):
            keys.append(name)
    return keys


def _number(value: object) -> float | None:
    """``value`` as a number: a float, or text that reads as one; else None."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _show(value: object) -> str:
    """A value as the change list prints it: numbers to six significant digits, other
    text as written (a version "2.0" stays "2.0")."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = str(value)
    number = _number(text)
    digits = sum(ch.isdigit() for ch in text.lstrip("-0."))
    if number is not None and digits > 6:
        return f"{number:.6g}"
    return text


def _same(a: object, b: object) -> bool:
    """Equal, or numbers equal to within ``REL_TOL``."""
    if a == b:
        return True
    x, y = _number(a), _number(b)
    if x is None or y is None:
        return False
    if math.isnan(x) and math.isnan(y):
        return True
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-12)


def _row_label(row: dict, keys: Iterable[str], *, width: int = 40) -> str:
    shown = (_show(row[k]) for k in keys)
    return ", ".join(
        f"{k}={v if len(v) <= width else v[: width - 1] + '…'}"
        for k, v in zip(keys, shown, strict=True)
    )


def _shortest_unique_key(old: pl.DataFrame, new: pl.DataFrame, keys: list[str]) -> list[str]:
    """The shortest leading run of ``keys`` that names each row of both tables, or []."""
    for n in range(1, len(keys) + 1):
        head = keys[:n]
        if (
            not old.select(head).is_duplicated().any()
            and not new.select(head).is_duplicated().any()
        ):
            return head
    return []


def compare_frames(
    table: str, old: pl.DataFrame, new: pl.DataFrame, *, keys: list[str] | None = None
) -> list[Change]:
    """Every difference between two versions of one table.

    ``keys``: the columns that may name a row, in order (default :func:`key_columns` of
    ``new``).

    Examples
    --------
    >>> old = pl.DataFrame({"stance": ["coop", "coer"], "balance": [0.25, -0.5]})
    >>> new = pl.DataFrame({"stance": ["coop", "coer", "resis"], "balance": [0.3, -0.5, 0.1]})
    >>> [(c.kind, c.row, c.column, c.old, c.new) for c in compare_frames("t", old, new)]
    [('changed', 'stance=coop', 'balance', '0.25', '0.3'), ('added', 'stance=resis', '', '', '')]
    """
    common = [c for c in new.columns if c in old.columns]
    changes: list[Change] = []
    for c in new.columns:
        if c not in old.columns:
            changes.append(
                Change(table, "changed", "(every row)", c, "(no column)", "(new column)")
            )
    for c in old.columns:
        if c not in new.columns:
            changes.append(Change(table, "changed", "(every row)", c, "(column)", "(removed)"))
    old, new = old.select(common), new.select(common)
    # a column read as text in one version and numbers in the other compares as text
    mixed = [c for c in common if old.schema[c] != new.schema[c]]
    if mixed:
        old = old.with_columns(pl.col(mixed).cast(pl.String))
        new = new.with_columns(pl.col(mixed).cast(pl.String))
    keys = [k for k in (keys if keys is not None else key_columns(new)) if k in common]
    keys = _shortest_unique_key(old, new, keys)
    if not keys:
        # no key names the rows: compare them as a multiset of whole rows
        keys = common
        for kind, a, b in (("removed", old, new), ("added", new, old)):
            counted_a = a.group_by(common).len("_n")
            counted_b = b.group_by(common).len("_n")
            extra = counted_a.join(counted_b, on=common, how="left", nulls_equal=True).filter(
                pl.col("_n_right").is_null() | (pl.col("_n") > pl.col("_n_right"))
            )
            for row in extra.sort(common, nulls_last=True).iter_rows(named=True):
                changes.append(Change(table, kind, _row_label(row, common)))
        return changes
    values = [c for c in common if c not in keys]
    joined = old.join(new, on=keys, how="full", suffix="_new", nulls_equal=True, coalesce=True)
    marker_old = old.select(keys).with_columns(pl.lit(True).alias("_in_old"))
    marker_new = new.select(keys).with_columns(pl.lit(True).alias("_in_new"))
    joined = joined.join(marker_old, on=keys, how="left", nulls_equal=True).join(
        marker_new, on=keys, how="left", nulls_equal=True
    )
    for row in joined.sort(keys, nulls_last=True).iter_rows(named=True):
        label = _row_label(row, keys)
        if not row["_in_old"]:
            changes.append(Change(table, "added", label))
        elif not row["_in_new"]:
            changes.append(Change(table, "removed", label))
        else:
            for c in values:
                a, b = row[c], row[f"{c}_new"]
                if not _same(a, b):
                    changes.append(Change(table, "changed", label, c, _show(a), _show(b)))
    return changes


def _read(path: Path) -> pl.DataFrame:
    """A table as the text its CSV holds: values compare as numbers where both read as
    numbers (:func:`_same`) and print as written (a version "2.0" is not the number 2)."""
    return pl.read_csv(path, infer_schema=False)


def _keys_of(path: Path) -> list[str]:
    """The key columns of a CSV table, from the types its values read as (a column of
    numbers is a value, not a name, though :func:`_read` keeps it as text)."""
    return key_columns(pl.read_csv(path, infer_schema_length=None, try_parse_dates=True))


def compare_tables(old_dir: str | Path, new_dir: str | Path) -> list[Change]:
    """Every difference between the CSV tables of two folders, table by table.

    A folder that does not exist counts as empty (every table new).
    """
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    old = {p.stem: p for p in sorted(old_dir.glob("*.csv"))} if old_dir.is_dir() else {}
    new = {p.stem: p for p in sorted(new_dir.glob("*.csv"))} if new_dir.is_dir() else {}
    changes: list[Change] = []
    for name in sorted(old.keys() | new.keys()):
        if name not in old:
            changes.append(Change(name, "new table"))
        elif name not in new:
            changes.append(Change(name, "table removed"))
        else:
            changes.extend(
                compare_frames(name, _read(old[name]), _read(new[name]), keys=_keys_of(new[name]))
            )
    return changes


def format_changes(changes: list[Change], *, per_table: int = 8) -> list[str]:
    """Lines to print: a summary, then up to ``per_table`` changes of each table.

    Examples
    --------
    >>> format_changes([Change("t", "changed", "stance=coop", "balance", "0.25", "0.3")])
    ['1 change in 1 table (t).', '  t: stance=coop: balance 0.25 → 0.3']
    >>> format_changes([])
    ['No published number changed.']
    """
    if not changes:
        return ["No published number changed."]
    tables = list(dict.fromkeys(c.table for c in changes))
    n = len(changes)
    lines = [
        f"{n} change{'s' if n != 1 else ''} in {len(tables)} table"
        f"{'s' if len(tables) != 1 else ''} ({', '.join(tables)})."
    ]
    for table in tables:
        mine = [c for c in changes if c.table == table]
        for c in mine[:per_table]:
            if c.kind == "changed":
                lines.append(f"  {table}: {c.row}: {c.column} {c.old} → {c.new}")
            elif c.kind in ("added", "removed"):
                lines.append(f"  {table}: row {c.kind}: {c.row}")
            else:
                lines.append(f"  {table}: {c.kind}")
        if len(mine) > per_table:
            lines.append(f"  {table}: … and {len(mine) - per_table} more")
    return lines


def store_tables(source_dir: str | Path, target_dir: str | Path) -> list[Path]:
    """Keep the published numbers of a run as CSV in ``target_dir`` (what the next
    :func:`compare_tables` compares against).

    Tables of corpus text (``TEXT_TABLES``) and text columns (``TEXT_COLUMNS``) are left
    out. Each file is written under a temporary name and renamed; CSV files in
    ``target_dir`` that the run no longer writes are removed.
    """
    import os

    source_dir, target_dir = Path(source_dir), Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source_dir.glob("*.csv")):
        if path.stem in TEXT_TABLES:
            continue
        frame = _read(path)
        frame = frame.drop([c for c in TEXT_COLUMNS if c in frame.columns])
        target = target_dir / path.name
        tmp = target.with_name(f".{path.name}.tmp")
        frame.write_csv(tmp)
        os.replace(tmp, target)
        written.append(target)
    keep = {p.name for p in written}
    for stale in target_dir.glob("*.csv"):
        if stale.name not in keep:
            stale.unlink()
    return written
