"""Validate the automatic codes against the hand-coded gold set.

:func:`load_gold` reads and checks the gold CSV; :func:`evaluate` compares a ``codes``
table with it, unit by unit, as the coding manual's validation section describes.

**The seed gold set is in-sample.** The codebook was written while reading the same five
seed articles, so agreement with it overstates how well the codebook generalises. Every
table or figure built from :func:`evaluate` on the seed gold set must say so; an
out-of-sample gold set is evaluated and reported separately.

Alignment
---------
The gold units carry offsets into the *raw* seed files, while our sentences are split from
the *cleaned* text (markdown link syntax removed, ``\\$`` unescaped, lines broken by PDF
page breaks joined, debris removed), and the two splitters need not agree. Gold units are
therefore aligned to our sentences by text, not by offsets:

1. both sides are normalised (:func:`normalize_text`: markdown links reduced to their
   label, backslash escapes removed, ``*`` and ``#`` removed, Unicode NFKC, casefolded,
   whitespace collapsed) and cut into word tokens;
2. within each document, the gold units' token stream is aligned with our sentences' token
   stream (``difflib.SequenceMatcher`` on tokens), which tolerates text that only one side
   has;
3. a gold unit maps to each of our sentences with which it shares at least half of the
   tokens of the shorter of the two (and at least one token).

A unit's predicted codes are the union of the codes of the sentences it maps to. The
``alignment`` table gives, for each unit, the sentences it maps to and its kind:
``one_to_one``; ``one_to_many`` (our splitter cut the unit in several sentences);
``many_to_one`` (one sentence of ours also covers another gold unit, e.g. the fragments of
a sentence broken across a page, which our cleaning joins; each fragment then receives the
whole sentence's codes); ``unmapped`` (no sentence of ours; predicted: no code).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import polars as pl

from analysis.config import GOLD_PATH, HELD_OUT_SETS_PATH, OUT_OF_SAMPLE_PATH
from analysis.scheme import (
    ACTORS,
    CATEGORIES,
    CATEGORY_MODE,
    CATEGORY_STANCE,
    MODES,
    STANCES,
    require_columns,
)
from analysis.scheme import STATUSES as STATUS_VALUES
from analysis.segment import SENTENCES_SCHEMA

__all__ = [
    "GOLD_COLUMNS",
    "OOS_CSV_COLUMNS",
    "OOS_DOC_ID",
    "EvaluationResult",
    "align",
    "cohen_kappa",
    "evaluate",
    "evaluate_by_language",
    "evaluate_sets",
    "load_sets",
    "format_codes",
    "load_gold",
    "load_out_of_sample",
    "normalize_text",
    "out_of_sample_sentences",
]

#: Columns of the gold CSV, in file order.
CSV_COLUMNS: tuple[str, ...] = (
    "doc", "unit", "start", "end", "sentence", "stance", "category", "actor", "mode",
    "status", "note",
)
#: Columns of the frame returned by :func:`load_gold`.
GOLD_COLUMNS: tuple[str, ...] = ("doc_id", *CSV_COLUMNS[1:])
CODE_FIELDS: tuple[str, ...] = ("stance", "category", "actor", "mode", "status")
ALIGNMENT_KINDS: tuple[str, ...] = ("one_to_one", "one_to_many", "many_to_one", "unmapped")
NO_CODE = "(none)"
NO_STANCE = "none"

_ALLOWED: dict[str, tuple[str, ...]] = {
    "stance": STANCES,
    "category": CATEGORIES,
    "actor": ACTORS,
    "mode": MODES,
    "status": STATUS_VALUES,
}
_INTEGER_COLUMNS = ("unit", "start", "end")


# ---------------------------------------------------------------------- loading


def _fail(path: Path, line: int, message: str, column: str | None = None) -> ValueError:
    where = f"{path}, line {line}" + (f", column '{column}'" if column else "")
    return ValueError(f"{where}: {message}")


def _check_row(path: Path, line: int, row: dict[str, str]) -> None:
    if not row["doc"]:
        raise _fail(path, line, "empty; give the seed file name, e.g. 000_abc.txt", "doc")
    for column in _INTEGER_COLUMNS:
        if not re.fullmatch(r"\d+", row[column]):
            raise _fail(
                path, line, f"{row[column]!r} is not a whole number >= 0", column
            )
    if int(row["unit"]) < 1:
        raise _fail(path, line, "units are numbered from 1", "unit")
    if int(row["end"]) < int(row["start"]):
        raise _fail(path, line, f"end {row['end']} is before start {row['start']}", "end")
    _check_code_fields(path, line, row)


def _check_code_fields(path: Path, line: int, row: dict[str, str]) -> None:
    """Check stance, category, actor, mode and status of one row (all set or all empty)."""
    if not row["stance"]:
        for column in CODE_FIELDS[1:]:
            if row[column]:
                raise _fail(
                    path, line,
                    f"{row[column]!r} given but stance is empty; an uncoded unit leaves "
                    "stance, category, actor, mode and status all empty",
                    column,
                )
        return
    for column in CODE_FIELDS:
        value = row[column]
        if not value:
            raise _fail(
                path, line,
                "empty, but the row has a stance; a coded row needs stance, category, "
                "actor, mode and status",
                column,
            )
        if value not in _ALLOWED[column]:
            allowed = ", ".join(_ALLOWED[column])
            raise _fail(path, line, f"unknown value {value!r}; allowed: {allowed}", column)
    category = row["category"]
    if CATEGORY_STANCE[category] != row["stance"]:
        raise _fail(
            path, line,
            f"{category} belongs to stance {CATEGORY_STANCE[category]!r}, "
            f"not {row['stance']!r}",
            "category",
        )
    if CATEGORY_MODE[category] != row["mode"]:
        raise _fail(
            path, line,
            f"{category} is {CATEGORY_MODE[category]!r} in the coding manual, "
            f"not {row['mode']!r}",
            "mode",
        )


def _csv_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each record of a hand-coded CSV, after checking its header
    and each record's field count; the line is where the record starts, so it stays right
    after quoted fields that span lines."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ValueError(
                f"{path}: the file is empty; expected a header line: {','.join(columns)}"
            )
        missing = [c for c in columns if c not in header]
        if missing:
            raise _fail(
                path, 1, f"missing column(s) {', '.join(missing)}; expected {','.join(columns)}"
            )
        line = reader.line_num + 1
        for fields in reader:
            if len(fields) != len(header):
                raise _fail(path, line, f"{len(fields)} fields, expected {len(header)}")
            yield line, dict(zip(header, fields, strict=True))
            line = reader.line_num + 1


def load_gold(path: str | Path = GOLD_PATH) -> pl.DataFrame:
    """Read and check the hand-coded gold CSV.

    The file follows ``seeds/gold/README.md``: one row per code, uncoded units on one row
    with empty code fields. Every row is checked: the columns, whole-number ``unit``,
    ``start`` and ``end``, known ``stance``, ``category``, ``actor``, ``mode`` and
    ``status``, a category of the row's stance, the manual's mode for the category, code
    fields all filled or all empty, no duplicate (stance, category, actor, status) within
    a unit, and the same ``start``, ``end`` and ``sentence`` on every row of a unit.

    The seed gold set is in-sample: the codebook was written while reading it.

    Parameters
    ----------
    path
        The CSV file; defaults to ``config.GOLD_PATH``.

    Returns
    -------
    pl.DataFrame
        ``doc_id`` (the file stem of ``doc``), ``unit``, ``start``, ``end`` (i64),
        ``sentence``, ``stance``, ``category``, ``actor``, ``mode``, ``status``, ``note``
        (str; empty strings become null). Sorted by doc_id and unit, file order within a
        unit.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        For a malformed file, naming the file, the line and the column.

    Examples
    --------
    >>> gold = load_gold()
    >>> gold.select("doc_id", "unit").unique().height  # units
    169
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"gold file {path} not found; expected the gold CSV here")
    rows: list[dict[str, object]] = []
    seen_codes: set[tuple[str, ...]] = set()
    units: dict[tuple[str, str], tuple[str, str, str]] = {}
    for line, row in _csv_rows(path, CSV_COLUMNS):
        _check_row(path, line, row)
        key = (row["doc"], row["unit"])
        span = (row["start"], row["end"], row["sentence"])
        if units.setdefault(key, span) != span:
            raise _fail(
                path, line,
                f"start, end or sentence differs from the unit's first row "
                f"(unit {row['unit']} of {row['doc']})",
            )
        if row["stance"]:
            code = (*key, row["stance"], row["category"], row["actor"], row["status"])
            if code in seen_codes:
                raise _fail(
                    path, line,
                    f"duplicate code {'/'.join(code[2:])} in unit {row['unit']} of "
                    f"{row['doc']}; merge the two rows and say so in the note",
                )
            seen_codes.add(code)
        rows.append(
            {
                "doc_id": Path(row["doc"]).stem,
                **{c: int(row[c]) for c in _INTEGER_COLUMNS},
                **{c: row[c] or None for c in CSV_COLUMNS[4:]},
            }
        )
    schema = {c: pl.Int64 if c in _INTEGER_COLUMNS else pl.String for c in GOLD_COLUMNS}
    gold = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(
        schema=schema
    )
    return gold.sort("doc_id", "unit", maintain_order=True)


# ------------------------------------------------------------ out-of-sample set

#: Columns of the out-of-sample CSV, in file order.
OOS_CSV_COLUMNS: tuple[str, ...] = (
    "sentence_id", "language", "sentence", "stance", "category", "actor", "mode", "status",
    "note",
)
#: The ``doc_id`` under which the out-of-sample sentences are evaluated.
OOS_DOC_ID = "oos"
_LANGUAGE = re.compile(r"[a-z]{2,3}")


def load_out_of_sample(path: str | Path = OUT_OF_SAMPLE_PATH) -> pl.DataFrame:
    """Read and check the out-of-sample gold CSV (``seeds/gold/README-out-of-sample.md``).

    The file holds standalone sentences, one row per code, uncoded sentences on one row
    with empty code fields; the code fields follow the same rules as :func:`load_gold`.
    The sentences are placed, in ``sentence_id`` order, in one synthetic document
    ``"oos"`` whose text is the sentences joined by ``"\\n"``; ``start`` and ``end`` are
    offsets into that text, matching :func:`out_of_sample_sentences`.

    Parameters
    ----------
    path
        The CSV file; defaults to ``config.OUT_OF_SAMPLE_PATH``.

    Returns
    -------
    pl.DataFrame
        The :func:`load_gold` columns (``doc_id`` is ``"oos"``, ``unit`` the
        ``sentence_id``) plus ``language`` (str). Sorted by unit, file order within a unit.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        For a malformed file, naming the file, the line and the column.

    Examples
    --------
    >>> gold = load_out_of_sample()
    >>> gold["doc_id"].unique().to_list()
    ['oos']
    >>> sorted(gold["language"].unique().to_list())
    ['en', 'es']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"out-of-sample file {path} not found; expected the out-of-sample gold CSV here"
        )
    rows: list[dict[str, str]] = []
    seen_codes: set[tuple[str, ...]] = set()
    units: dict[int, tuple[str, str]] = {}
    for line, row in _csv_rows(path, OOS_CSV_COLUMNS):
        if not re.fullmatch(r"\d+", row["sentence_id"]) or int(row["sentence_id"]) < 1:
            raise _fail(
                path, line, f"{row['sentence_id']!r} is not a whole number >= 1",
                "sentence_id",
            )
        if not _LANGUAGE.fullmatch(row["language"]):
            raise _fail(
                path, line,
                f"{row['language']!r} is not a lower-case ISO 639 code such as 'en'",
                "language",
            )
        if not row["sentence"].strip():
            raise _fail(path, line, "empty; give the sentence's text", "sentence")
        if "\n" in row["sentence"] or row["sentence"] != row["sentence"].strip():
            raise _fail(
                path, line,
                "has a line break or surrounding whitespace; give one stripped sentence",
                "sentence",
            )
        _check_code_fields(path, line, row)
        unit = int(row["sentence_id"])
        if units.setdefault(unit, (row["language"], row["sentence"])) != (
            row["language"], row["sentence"]
        ):
            raise _fail(
                path, line,
                f"language or sentence differs from the first row of sentence {unit}",
            )
        if row["stance"]:
            code = (str(unit), row["stance"], row["category"], row["actor"], row["status"])
            if code in seen_codes:
                raise _fail(
                    path, line,
                    f"duplicate code {'/'.join(code[1:])} in sentence {unit}; merge the "
                    "two rows and say so in the note",
                )
            seen_codes.add(code)
        rows.append(row)
    offsets: dict[int, tuple[int, int]] = {}
    position = 0
    for unit in sorted(units):
        length = len(units[unit][1])
        offsets[unit] = (position, position + length)
        position += length + 1
    records = [
        {
            "doc_id": OOS_DOC_ID,
            "unit": int(row["sentence_id"]),
            "start": offsets[int(row["sentence_id"])][0],
            "end": offsets[int(row["sentence_id"])][1],
            **{c: row[c] or None for c in CSV_COLUMNS[4:]},
            "language": row["language"],
        }
        for row in rows
    ]
    schema = {c: pl.Int64 if c in _INTEGER_COLUMNS else pl.String for c in GOLD_COLUMNS}
    schema["language"] = pl.String
    gold = pl.DataFrame(records, schema=schema, orient="row") if records else pl.DataFrame(
        schema=schema
    )
    return gold.sort("unit", maintain_order=True)


def out_of_sample_sentences(gold: pl.DataFrame) -> pl.DataFrame:
    """Build a ``sentences`` table from a gold frame of standalone sentences.

    Each distinct (``doc_id``, ``unit``) becomes one sentence with ``sent_id = unit``;
    ``start``/``end`` are taken from the gold frame (for :func:`load_out_of_sample`:
    offsets into the sentences joined by ``"\\n"``), ``is_heading`` is False. With it,
    ``evaluate(code_sentences(s), gold, s)`` scores the codebook on the set.

    Parameters
    ----------
    gold
        A gold frame with ``doc_id``, ``unit``, ``start``, ``end`` and ``sentence``, such
        as :func:`load_out_of_sample` returns (or a subset of its rows, e.g. one language);
        :func:`load_gold` works too, giving the seed units as sentences.

    Returns
    -------
    pl.DataFrame
        The ``sentences`` table: doc_id, sent_id, start, end, text, is_heading; sorted by
        doc_id, sent_id.

    Raises
    ------
    ValueError
        When ``gold`` lacks one of the columns used.

    Examples
    --------
    >>> gold = load_out_of_sample()
    >>> s = out_of_sample_sentences(gold)
    >>> s.height == gold["unit"].n_unique()
    True
    >>> s.row(0, named=True)["start"]
    0
    """
    require_columns(gold, "gold", ("doc_id", "unit", "start", "end", "sentence"))
    sentences = (
        gold.select(
            pl.col("doc_id").cast(pl.String),
            pl.col("unit").cast(pl.Int64).alias("sent_id"),
            pl.col("start").cast(pl.Int64),
            pl.col("end").cast(pl.Int64),
            pl.col("sentence").cast(pl.String).alias("text"),
        )
        .unique(["doc_id", "sent_id"], keep="first")
        .with_columns(is_heading=pl.lit(False))
        .sort("doc_id", "sent_id")
    )
    return sentences.select(pl.col(c).cast(t) for c, t in SENTENCES_SCHEMA.items())


# -------------------------------------------------------------------- alignment

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPE = re.compile(r"\\([^\w\s])")
_MARKERS = re.compile(r"[*#\[\]]")
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """Normalise text for alignment: markdown and escapes out, casefolded, one space.

    Markdown links ``[label](target)`` become ``label``; backslash escapes (``\\$``,
    ``\\(``) lose the backslash; ``*``, ``#`` and stray brackets are removed; Unicode is
    NFKC-normalised (ligatures, non-breaking spaces), casefolded, and runs of whitespace
    become one space.

    Examples
    --------
    >>> normalize_text("**Exports** rose to \\\\$552 billion ([USMCA](#)).")
    'exports rose to $552 billion (usmca).'
    """
    text = unicodedata.normalize("NFKC", text)
    text = _LINK.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _MARKERS.sub("", text)
    return _SPACE.sub(" ", text).strip().casefold()


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize_text(text))


def _align_doc(
    units: list[tuple[int, str]], sentences: list[tuple[int, str]]
) -> dict[int, tuple[list[int], float]]:
    """Map each gold unit of one document to our sentences: unit -> (sent_ids, coverage)."""
    gold_tokens: list[str] = []
    gold_owner: list[int] = []
    unit_size: dict[int, int] = {}
    for unit, text in units:
        tokens = _tokens(text)
        gold_tokens += tokens
        gold_owner += [unit] * len(tokens)
        unit_size[unit] = len(tokens)
    our_tokens: list[str] = []
    our_owner: list[int] = []
    sent_size: dict[int, int] = {}
    for sent_id, text in sentences:
        tokens = _tokens(text)
        our_tokens += tokens
        our_owner += [sent_id] * len(tokens)
        sent_size[sent_id] = len(tokens)
    shared: Counter[tuple[int, int]] = Counter()
    matcher = SequenceMatcher(None, gold_tokens, our_tokens, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            shared[(gold_owner[a + k], our_owner[b + k])] += 1
    mapped: dict[int, list[int]] = defaultdict(list)
    covered: Counter[int] = Counter()
    for (unit, sent_id), n in sorted(shared.items()):
        if n >= 0.5 * min(unit_size[unit], sent_size[sent_id]):
            mapped[unit].append(sent_id)
            covered[unit] += n
    return {
        unit: (
            mapped.get(unit, []),
            covered[unit] / unit_size[unit] if unit_size[unit] else 0.0,
        )
        for unit, _ in units
    }


def align(gold: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """Align gold units to our sentences by normalised text (see the module docstring).

    Parameters
    ----------
    gold
        The gold table (:func:`load_gold`); only ``doc_id``, ``unit`` and ``sentence``
        are used.
    sentences
        The ``sentences`` table.

    Returns
    -------
    pl.DataFrame
        One row per gold unit: ``doc_id``, ``unit``, ``sent_ids`` (list[i64], ascending),
        ``n_sentences``, ``coverage`` (share of the unit's tokens aligned to the mapped
        sentences) and ``kind`` (``one_to_one``, ``one_to_many``, ``many_to_one``,
        ``unmapped``). Sorted by doc_id and unit.

    Examples
    --------
    >>> import polars as pl
    >>> gold = pl.DataFrame({"doc_id": ["a", "a"], "unit": [1, 2],
    ...     "sentence": ["He [imposed tariffs](#) of \\\\$5.", "Talks followed."]})
    >>> sentences = pl.DataFrame({"doc_id": ["a", "a"], "sent_id": [1, 2],
    ...     "text": ["He imposed tariffs of $5.", "Talks followed."]})
    >>> align(gold, sentences)["kind"].to_list()
    ['one_to_one', 'one_to_one']
    """
    gold = _require(gold, "gold", ("doc_id", "unit", "sentence"))
    sentences = _require(sentences, "sentences", ("doc_id", "sent_id", "text"))
    units = gold.select("doc_id", "unit", "sentence").unique(["doc_id", "unit"], keep="first")
    units = units.sort("doc_id", "unit")
    ours = sentences.select("doc_id", "sent_id", "text").sort("doc_id", "sent_id")
    ours_by_doc = {
        doc_id: list(part.select("sent_id", "text").iter_rows())
        for (doc_id,), part in ours.partition_by("doc_id", as_dict=True).items()
    }
    rows = []
    for (doc_id,), part in sorted(units.partition_by("doc_id", as_dict=True).items()):
        doc_units = list(part.select("unit", "sentence").iter_rows())
        result = _align_doc(doc_units, ours_by_doc.get(doc_id, []))
        sharing = Counter(s for sent_ids, _ in result.values() for s in sent_ids)
        for unit, (sent_ids, coverage) in result.items():
            if not sent_ids:
                kind = "unmapped"
            elif len(sent_ids) > 1:
                kind = "one_to_many"
            elif sharing[sent_ids[0]] > 1:
                kind = "many_to_one"
            else:
                kind = "one_to_one"
            rows.append((doc_id, unit, sent_ids, len(sent_ids), coverage, kind))
    schema = {
        "doc_id": pl.String,
        "unit": pl.Int64,
        "sent_ids": pl.List(pl.Int64),
        "n_sentences": pl.Int64,
        "coverage": pl.Float64,
        "kind": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").sort("doc_id", "unit")


# ------------------------------------------------------------------- evaluation


def _require(df: pl.DataFrame, table: str, columns: Iterable[str]) -> pl.DataFrame:
    """Check that ``columns`` exist; return them cast to their contract dtypes."""
    columns = tuple(columns)
    require_columns(df, table, columns)
    integer = {"unit", "sent_id"}
    return df.select(
        pl.col(c).cast(pl.Int64 if c in integer else pl.String) for c in columns
    )


def cohen_kappa(tp: int, fp: int, fn: int, tn: int) -> float | None:
    """Cohen's kappa of a 2x2 agreement table (gold vs predicted presence).

    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o = (tp + tn) / n`` the observed
    agreement and ``p_e = ((tp + fp)(tp + fn) + (fn + tn)(fp + tn)) / n**2`` the agreement
    expected from the two margins. Returns None when it is undefined: an empty table, or
    ``p_e = 1`` (both codings put every unit in the same class).

    Parameters
    ----------
    tp, fp, fn, tn
        Units positive in both codings, only in the prediction, only in the gold, in
        neither.

    Examples
    --------
    >>> round(cohen_kappa(20, 5, 10, 15), 12)  # p_o = 0.7, p_e = 0.5
    0.4
    """
    n = tp + fp + fn + tn
    if n == 0:
        return None
    observed = (tp + tn) / n
    expected = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def _rank(column: str, order: tuple[str, ...]) -> pl.Expr:
    mapping = {value: i for i, value in enumerate(order)}
    return pl.col(column).replace_strict(mapping, default=len(mapping), return_dtype=pl.Int64)


def format_codes(codes: pl.DataFrame) -> str:
    """Format codes as ``stance/CATEGORY/ACTOR/status``, joined by ``"; "``.

    Codes are listed in the manual's order (stance, category, actor, status); duplicates
    are dropped; no code gives ``"(none)"``.

    Examples
    --------
    >>> import polars as pl
    >>> format_codes(pl.DataFrame({"stance": ["coercion"], "category": ["THREATEN"],
    ...     "actor": ["US"], "status": ["threatened"]}))
    'coercion/THREATEN/US/threatened'
    """
    fields = ["stance", "category", "actor", "status"]
    if codes.height == 0:
        return NO_CODE
    ordered = codes.select(fields).unique().sort(
        _rank("stance", STANCES), _rank("category", CATEGORIES), _rank("actor", ACTORS),
        _rank("status", STATUS_VALUES),
    )
    return "; ".join("/".join(str(v) for v in row) for row in ordered.iter_rows())


def _stance_label(stances: Iterable[str]) -> str:
    present = [s for s in STANCES if s in set(stances)]
    return "+".join(present) if present else NO_STANCE


def _stance_label_rank(label: str) -> tuple[int, ...]:
    if label == NO_STANCE:
        return (0,)
    parts = label.split("+")
    return (len(parts), *(STANCES.index(p) for p in parts))


def _agreement_table(
    units: pl.DataFrame, gold: pl.DataFrame, predicted: pl.DataFrame, key: str,
    labels: tuple[str, ...],
) -> pl.DataFrame:
    """tp, fp, fn, tn, precision, recall, f1, kappa, support for each label of ``key``."""
    def presence(codes: pl.DataFrame, name: str) -> pl.DataFrame:
        return (
            codes.filter(pl.col("status") != "negated")
            .select("doc_id", "unit", key)
            .unique()
            .with_columns(pl.lit(True).alias(name))
        )

    grid = units.join(pl.DataFrame({key: list(labels)}), how="cross")
    grid = (
        grid.join(presence(gold, "g"), on=["doc_id", "unit", key], how="left")
        .join(presence(predicted, "p"), on=["doc_id", "unit", key], how="left")
        .with_columns(pl.col("g", "p").fill_null(False))
    )
    counts = grid.group_by(key).agg(
        tp=(pl.col("g") & pl.col("p")).sum().cast(pl.Int64),
        fp=(~pl.col("g") & pl.col("p")).sum().cast(pl.Int64),
        fn=(pl.col("g") & ~pl.col("p")).sum().cast(pl.Int64),
        tn=(~pl.col("g") & ~pl.col("p")).sum().cast(pl.Int64),
    )
    # every label keeps its row, with zero counts when there is no unit to score
    counts = (
        pl.DataFrame({key: list(labels)})
        .join(counts, on=key, how="left")
        .with_columns(pl.col("tp", "fp", "fn", "tn").fill_null(0))
    )
    kappas = {
        row[key]: cohen_kappa(row["tp"], row["fp"], row["fn"], row["tn"])
        for row in counts.iter_rows(named=True)
    }
    tp, fp, fn = pl.col("tp"), pl.col("fp"), pl.col("fn")
    table = counts.with_columns(
        precision=pl.when(tp + fp > 0).then(tp / (tp + fp)).otherwise(None),
        recall=pl.when(tp + fn > 0).then(tp / (tp + fn)).otherwise(None),
        f1=pl.when(2 * tp + fp + fn > 0).then(2 * tp / (2 * tp + fp + fn)).otherwise(None),
        kappa=pl.col(key).replace_strict(kappas, return_dtype=pl.Float64),
        support=tp + fn,
    )
    return table.sort(_rank(key, labels)).select(
        key, "tp", "fp", "fn", "precision", "recall", "f1", "kappa", "support"
    )


def _pair_agreement(
    gold: pl.DataFrame, predicted: pl.DataFrame, field: str
) -> tuple[int, int]:
    """(pairs, agreeing pairs) over codes matched on unit + stance + category."""
    key = ["doc_id", "unit", "stance", "category"]
    g = gold.group_by(key).agg(pl.col(field).unique().alias("g"))
    p = predicted.group_by(key).agg(pl.col(field).unique().alias("p"))
    both = g.join(p, on=key, how="inner").with_columns(
        pairs=pl.min_horizontal(pl.col("g").list.len(), pl.col("p").list.len()),
        agree=pl.col("g").list.set_intersection("p").list.len(),
    )
    return int(both["pairs"].sum()), int(both["agree"].sum())


def _acts(codes: pl.DataFrame) -> set[tuple[str, str]]:
    kept = codes.filter(pl.col("status") != "negated")
    return set(kept.select("stance", "category").iter_rows())


@dataclass(frozen=True)
class EvaluationResult:
    """Agreement between automatic codes and a gold set (see :func:`evaluate`).

    On the seed gold set these figures are in-sample: the codebook was written while
    reading the same articles.

    Attributes
    ----------
    by_stance
        ``stance, tp, fp, fn, precision, recall, f1, kappa, support``, one row per stance.
    by_category
        ``category, stance, tp, fp, fn, precision, recall, f1, kappa, support``, one row
        per category of the manual.
    confusion
        ``gold_stance, predicted_stance, n``: units by the set of stances in the gold and
        in the prediction (e.g. ``cooperation+coercion``; ``none``).
    disagreements
        ``doc_id, unit, sentence, gold_codes, predicted_codes, differs_in``.
    actor_accuracy, status_accuracy
        Share of matched code pairs with the same actor (status); None when no code is
        matched.
    n_matched
        Number of matched code pairs (the denominator of ``actor_accuracy``).
    alignment
        One row per gold unit (:func:`align`).
    alignment_summary
        ``kind, n_units``: how many gold units mapped one to one, one to many, many to
        one, or not at all.
    """

    by_stance: pl.DataFrame
    by_category: pl.DataFrame
    confusion: pl.DataFrame
    disagreements: pl.DataFrame
    actor_accuracy: float | None
    status_accuracy: float | None
    n_matched: int
    alignment: pl.DataFrame
    alignment_summary: pl.DataFrame


def evaluate(
    codes: pl.DataFrame, gold: pl.DataFrame, sentences: pl.DataFrame
) -> EvaluationResult:
    """Compare automatic codes with the gold codes, unit by unit.

    The seed gold set is **in-sample** (the codebook was written while reading it): these
    figures overstate how well the codebook generalises; report them as such.

    Gold units are aligned to ``sentences`` by text (:func:`align`); a unit's predicted
    codes are the union of the codes of its sentences. Only documents both in ``gold`` and
    in ``sentences`` are evaluated (a report filtered by date or language is scored on the
    documents it shows), and every unit of those counts, unmapped ones included (they
    predict nothing).

    - **Per stance / per category**: a unit is positive for a stance (category) when it
      has at least one non-negated code of it (manual, validation). ``tp``, ``fp``,
      ``fn`` count units; precision, recall and ``f1 = 2tp / (2tp + fp + fn)`` are null
      when their denominator is 0; ``kappa`` is Cohen's kappa of presence vs absence over
      all gold units (:func:`cohen_kappa`); ``support`` is the gold-positive units.
    - **Confusion**: each unit's set of stances (non-negated) in the gold against the
      prediction; the diagonal is exact agreement on stances.
    - **Actor and status agreement**: codes are matched on unit + stance + category
      (any status, negated included). Within a match with gold actors ``G`` and
      predicted actors ``P`` (distinct values), codes pair one to one, same-actor pairs
      first: ``min(|G|, |P|)`` pairs, ``|G & P|`` of them agreeing. ``actor_accuracy`` is
      agreeing pairs over pairs; ``status_accuracy`` likewise with statuses.
    - **Disagreements**: units whose codes differ; ``differs_in`` is ``"category"`` when
      the sets of non-negated (stance, category) differ, else ``"actor_or_status"``.

    Parameters
    ----------
    codes
        The ``codes`` table (``doc_id, sent_id, stance, category, actor, status`` used).
    gold
        The gold table (:func:`load_gold`).
    sentences
        The ``sentences`` the codes were made from.

    Returns
    -------
    EvaluationResult

    Examples
    --------
    >>> import polars as pl
    >>> gold = pl.DataFrame({"doc_id": ["a", "a"], "unit": [1, 2],
    ...     "sentence": ["Trump threatened tariffs.", "It rained."],
    ...     "stance": ["coercion", None], "category": ["THREATEN", None],
    ...     "actor": ["US", None], "status": ["threatened", None]})
    >>> sentences = pl.DataFrame({"doc_id": ["a", "a"], "sent_id": [1, 2],
    ...     "text": ["Trump threatened tariffs.", "It rained."]})
    >>> codes = pl.DataFrame({"doc_id": ["a"], "sent_id": [1], "stance": ["coercion"],
    ...     "category": ["THREATEN"], "actor": ["US"], "status": ["threatened"]})
    >>> result = evaluate(codes, gold, sentences)
    >>> result.by_stance.filter(pl.col("stance") == "coercion")["f1"].item()
    1.0
    """
    code_fields = ("stance", "category", "actor", "status")
    codes = _require(codes, "codes", ("doc_id", "sent_id", *code_fields))
    gold = _require(gold, "gold", ("doc_id", "unit", "sentence", *code_fields))
    sentences = _require(sentences, "sentences", ("doc_id", "sent_id", "text"))
    # A gold document the corpus does not hold (filtered out by date or language, or a
    # different seeds folder) is not evaluated: its units would all count as misses.
    gold = gold.filter(pl.col("doc_id").is_in(sentences["doc_id"].unique().implode()))

    alignment = align(gold, sentences)
    units = gold.select("doc_id", "unit", "sentence").unique(["doc_id", "unit"], keep="first")
    units = units.sort("doc_id", "unit")
    gold_codes = (
        gold.filter(pl.col("stance").is_not_null())
        .select("doc_id", "unit", *code_fields)
        .unique()
    )
    predicted = (
        alignment.select("doc_id", "unit", sent_id="sent_ids")
        .explode("sent_id")
        .drop_nulls("sent_id")
        .join(codes.select("doc_id", "sent_id", *code_fields), on=["doc_id", "sent_id"])
        .select("doc_id", "unit", *code_fields)
        .unique()
    )

    keys = units.select("doc_id", "unit")
    by_stance = _agreement_table(keys, gold_codes, predicted, "stance", STANCES)
    by_category = _agreement_table(keys, gold_codes, predicted, "category", CATEGORIES)
    by_category = by_category.with_columns(
        stance=pl.col("category").replace_strict(CATEGORY_STANCE, return_dtype=pl.String)
    ).select("category", "stance", *by_category.columns[1:])

    def stances_of(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        return frame.filter(pl.col("status") != "negated").group_by("doc_id", "unit").agg(
            pl.col("stance").unique().alias(name)
        )

    per_unit = (
        keys.join(stances_of(gold_codes, "g"), on=["doc_id", "unit"], how="left")
        .join(stances_of(predicted, "p"), on=["doc_id", "unit"], how="left")
    )
    labels = [
        (_stance_label(g or []), _stance_label(p or []))
        for g, p in per_unit.select("g", "p").iter_rows()
    ]
    counts = Counter(labels)
    ordered = sorted(
        counts, key=lambda pair: (_stance_label_rank(pair[0]), _stance_label_rank(pair[1]))
    )
    confusion = pl.DataFrame(
        [(g, p, counts[(g, p)]) for g, p in ordered],
        schema={"gold_stance": pl.String, "predicted_stance": pl.String, "n": pl.Int64},
        orient="row",
    )

    actor_pairs, actor_agree = _pair_agreement(gold_codes, predicted, "actor")
    status_pairs, status_agree = _pair_agreement(gold_codes, predicted, "status")

    gold_by_unit = gold_codes.partition_by(["doc_id", "unit"], as_dict=True)
    pred_by_unit = predicted.partition_by(["doc_id", "unit"], as_dict=True)
    empty = gold_codes.clear()
    rows = []
    for doc_id, unit, sentence in units.iter_rows():
        g = gold_by_unit.get((doc_id, unit), empty)
        p = pred_by_unit.get((doc_id, unit), empty)

        g_all = set(g.select(*code_fields).iter_rows())
        p_all = set(p.select(*code_fields).iter_rows())
        if g_all == p_all:
            continue
        differs_in = "category" if _acts(g) != _acts(p) else "actor_or_status"
        rows.append((doc_id, unit, sentence, format_codes(g), format_codes(p), differs_in))
    disagreements = pl.DataFrame(
        rows,
        schema={
            "doc_id": pl.String, "unit": pl.Int64, "sentence": pl.String,
            "gold_codes": pl.String, "predicted_codes": pl.String, "differs_in": pl.String,
        },
        orient="row",
    )
    summary = pl.DataFrame({"kind": list(ALIGNMENT_KINDS)}).join(
        alignment.group_by("kind").agg(n_units=pl.len().cast(pl.Int64)), on="kind", how="left"
    ).with_columns(pl.col("n_units").fill_null(0)).sort(_rank("kind", ALIGNMENT_KINDS))

    return EvaluationResult(
        by_stance=by_stance,
        by_category=by_category,
        confusion=confusion,
        disagreements=disagreements,
        actor_accuracy=actor_agree / actor_pairs if actor_pairs else None,
        status_accuracy=status_agree / status_pairs if status_pairs else None,
        n_matched=actor_pairs,
        alignment=alignment,
        alignment_summary=summary,
    )


def evaluate_by_language(
    codes: pl.DataFrame, gold: pl.DataFrame, sentences: pl.DataFrame
) -> pl.DataFrame:
    """Per-stance agreement for the whole gold set and for each of its languages.

    For a gold set with a ``language`` column, such as :func:`load_out_of_sample`: the
    figures of :func:`evaluate` (``by_stance``) and its actor agreement, once over all
    units (``language`` "all") and once per language, so the Spanish figures are not
    hidden in the English ones.

    Returns
    -------
    pl.DataFrame
        language, stance, tp, fp, fn, precision, recall, f1, kappa, support,
        actor_accuracy; "all" first, then the languages in alphabetical order.

    Examples
    --------
    >>> gold = load_out_of_sample()
    >>> s = out_of_sample_sentences(gold)
    >>> codes = gold.filter(pl.col("stance").is_not_null()).select(
    ...     "doc_id", pl.col("unit").alias("sent_id"), "stance", "category", "actor", "status")
    >>> table = evaluate_by_language(codes, gold, s)
    >>> table.filter(language="es", stance="coercion")["f1"].item()
    1.0
    """
    require_columns(gold, "gold", ("language",))
    parts = []
    languages = ["all", *sorted(gold["language"].drop_nulls().unique().to_list())]
    for language in languages:
        subset = gold if language == "all" else gold.filter(pl.col("language") == language)
        units = subset.select("doc_id", pl.col("unit").alias("sent_id")).unique()
        result = evaluate(
            codes.join(units, on=["doc_id", "sent_id"], how="semi"),
            subset,
            sentences.join(units, on=["doc_id", "sent_id"], how="semi"),
        )
        parts.append(
            result.by_stance.with_columns(
                language=pl.lit(language), actor_accuracy=pl.lit(result.actor_accuracy)
            )
        )
    return pl.concat(parts).select("language", pl.exclude("language"))


# ------------------------------------------------------------ the sets manifest

_SET_KEYS = {"name", "file", "readme", "tuned_on", "first_measurement"}


def load_sets(path: str | Path = HELD_OUT_SETS_PATH) -> list[dict]:
    """The hand-coded sentence sets of ``seeds/gold/sets.yaml``, checked.

    Each entry names a set (``name``), its CSV (``file``, in the format of
    :func:`load_out_of_sample`, relative to the manifest), its ``readme``, the codebook
    version from which it was used to tune the codebook (``tuned_on``; null when never),
    and its ``first_measurement`` (codebook version and F1 per stance when the codebook
    first met it).

    Examples
    --------
    >>> [s["name"] for s in load_sets()][:2]
    ['out-of-sample', 'held-out']
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"sets manifest {path} not found; expected seeds/gold/sets.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("sets") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a top-level 'sets:' list of sets")
    sets = []
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: set {i}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping with keys {sorted(_SET_KEYS)}")
        missing, unknown = _SET_KEYS - set(entry), set(entry) - _SET_KEYS
        if missing or unknown:
            raise ValueError(
                f"{where} ({entry.get('name', '?')}): missing {sorted(missing)}, "
                f"unknown {sorted(unknown)}; expected keys {sorted(_SET_KEYS)}"
            )
        first = entry["first_measurement"]
        f1 = first.get("f1") if isinstance(first, dict) else None
        if not isinstance(f1, dict) or set(f1) != set(STANCES) or not all(
            isinstance(v, int | float) and 0 <= v <= 1 for v in f1.values()
        ):
            raise ValueError(
                f"{where} ({entry['name']}): first_measurement.f1 must give a number in "
                f"[0, 1] for each of {', '.join(STANCES)}; got {f1!r}"
            )
        if not (path.parent / entry["file"]).is_file():
            raise ValueError(f"{where} ({entry['name']}): file {entry['file']} not found")
        sets.append({**entry, "file": path.parent / entry["file"]})
    return sets


def evaluate_sets(codebook=None, *, path: str | Path = HELD_OUT_SETS_PATH) -> pl.DataFrame:
    """Code every hand-coded sentence set with ``codebook`` and score it per stance.

    Beside today's figures stand the first ones, taken when the codebook first met the
    set: those are the honest estimate for new text. ``blind`` is true for a set never
    used to tune the codebook, whose current figures are still out-of-sample.

    Returns
    -------
    pl.DataFrame
        set, blind, tuned_on, first_codebook, stance, f1_first, precision, recall, f1,
        support, actor_accuracy (all languages together), in the manifest's order.
    """
    from analysis.indicators import code_sentences

    rows = []
    for entry in load_sets(path):
        gold = load_out_of_sample(entry["file"])
        sentences = out_of_sample_sentences(gold)
        table = evaluate_by_language(code_sentences(sentences, codebook), gold, sentences)
        first = entry["first_measurement"]
        rows.append(
            table.filter(pl.col("language") == "all")
            .drop("language")
            .with_columns(
                set=pl.lit(entry["name"]),
                blind=pl.lit(entry["tuned_on"] is None),
                tuned_on=pl.lit(entry["tuned_on"], dtype=pl.String),
                first_codebook=pl.lit(str(first["codebook"])),
                f1_first=pl.col("stance").replace_strict(
                    first["f1"], return_dtype=pl.Float64
                ),
            )
        )
    return pl.concat(rows).select(
        "set", "blind", "tuned_on", "first_codebook", "stance", "f1_first",
        "precision", "recall", "f1", "support", "actor_accuracy",
    )
