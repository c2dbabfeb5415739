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

Hand-coded sets beyond the seed articles
----------------------------------------
``seeds/gold/sets.yaml`` lists them (:func:`load_sets`); :func:`evaluate_sets` scores each
beside its first measurement. A sentence set holds standalone sentences
(:func:`load_out_of_sample`). A document set holds whole articles (``corpus``), split and
coded like the seed corpus, with hand codes in the seed gold format; it may live outside
the project and is reported as not available where its folder is missing. Its units are
matched to our sentences by :func:`match_units` (same normalised text, else the best
word overlap) and scored on stance presence by :func:`evaluate_units`;
:func:`document_agreement` compares each document's balance from the hand codes with the
balance from the coder's codes on the same units.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import polars as pl

from analysis.config import GOLD_PATH, HELD_OUT_SETS_PATH, OUT_OF_SAMPLE_PATH, PROJ_ROOT
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
    "MIN_JACCARD",
    "SET_KINDS",
    "DocumentAgreement",
    "EvaluationResult",
    "UnitEvaluation",
    "align",
    "cohen_kappa",
    "describe_sets",
    "document_agreement",
    "evaluate",
    "evaluate_by_language",
    "evaluate_sets",
    "evaluate_units",
    "load_sets",
    "match_units",
    "set_document_agreement",
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
        The ``sentences`` table: doc_id, sent_id, start, end, text, is_heading, speaker
        (null: hand-written sentences have none); sorted by doc_id, sent_id.

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
        .with_columns(is_heading=pl.lit(False), speaker=pl.lit(None, dtype=pl.String))
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


# ------------------------------------------------------- matching units by text

_QUOTES = str.maketrans({"\u2019": "'", "\u201c": '"', "\u201d": '"'})
_LINK_LABEL = re.compile(r"\[([^\]]*)\]\([^)]*\)")
#: Word-overlap (Jaccard) a gold unit needs with a sentence to be matched to it when no
#: sentence has the same normalised text.
MIN_JACCARD = 0.6
MATCH_KINDS: tuple[str, ...] = ("exact", "overlap", "unmatched")


def _unit_norm(text: str) -> str:
    """The normalisation of :func:`match_units` (narrower than :func:`normalize_text`)."""
    text = text.replace("\\$", "$").translate(_QUOTES)
    text = _LINK_LABEL.sub(r"\1", text)
    return " ".join(text.lower().split())


def _unit_words(text: str) -> set[str]:
    return set(_TOKEN.findall(_unit_norm(text)))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


def match_units(gold: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """Match each gold unit to our sentences of the same document, by text.

    The rule used to score the real-document sets:

    1. both texts are normalised: ``\\$`` becomes ``$``, curly quotes straight, markdown
       links ``[label](target)`` their label, lower case, runs of whitespace one space;
    2. a unit matches **every** sentence of its document with the same normalised text
       (``exact``);
    3. failing that, it matches the one sentence with the highest word-overlap Jaccard
       (``|A & B| / |A | B|`` over sets of ``\\w+`` words; the first in ``sent_id`` order
       on a tie) when that is at least ``MIN_JACCARD`` = 0.6 (``overlap``);
    4. otherwise it is ``unmatched`` (also when the document has no sentence).

    Unlike :func:`align` nothing is aligned across units: several units may match the
    same sentence.

    Parameters
    ----------
    gold
        A gold table (:func:`load_gold`); ``doc_id``, ``unit`` and ``sentence`` are used.
    sentences
        The ``sentences`` table; ``doc_id``, ``sent_id`` and ``text`` are used.

    Returns
    -------
    pl.DataFrame
        One row per gold unit: ``doc_id``, ``unit``, ``sent_ids`` (list[i64], ascending;
        empty when unmatched), ``match`` (``exact``, ``overlap``, ``unmatched``) and
        ``jaccard`` (word overlap with the matched sentence, or with the closest sentence
        when unmatched; null when the document has no sentence). Sorted by doc_id, unit.

    Examples
    --------
    >>> gold = pl.DataFrame({"doc_id": ["a"] * 3, "unit": [1, 2, 3], "sentence": [
    ...     "Mexico sent [troops](#) to the border.",
    ...     "Q Mexico agreed to send troops, the President said.",
    ...     "It rained."]})
    >>> sentences = pl.DataFrame({"doc_id": ["a", "a"], "sent_id": [1, 2], "text": [
    ...     "Mexico sent troops to the border.",
    ...     "Mexico agreed to send troops, the President said."]})
    >>> match_units(gold, sentences).select("unit", "sent_ids", "match").rows()
    [(1, [1], 'exact'), (2, [2], 'overlap'), (3, [], 'unmatched')]
    """
    gold = _require(gold, "gold", ("doc_id", "unit", "sentence"))
    sentences = _require(sentences, "sentences", ("doc_id", "sent_id", "text"))
    by_doc: dict[str, list[tuple[int, str, set[str]]]] = defaultdict(list)
    for doc_id, sent_id, text in sentences.sort("doc_id", "sent_id").iter_rows():
        by_doc[doc_id].append((sent_id, _unit_norm(text), _unit_words(text)))
    units = gold.unique(["doc_id", "unit"], keep="first").sort("doc_id", "unit")
    rows = []
    for doc_id, unit, text in units.iter_rows():
        candidates = by_doc.get(doc_id, [])
        norm, words = _unit_norm(text), _unit_words(text)
        exact = [c for c in candidates if c[1] == norm]
        if exact:
            rows.append((doc_id, unit, [c[0] for c in exact], "exact",
                         _jaccard(words, exact[0][2])))
            continue
        best = max(candidates, key=lambda c: _jaccard(words, c[2]), default=None)
        overlap = None if best is None else _jaccard(words, best[2])
        if best is not None and overlap >= MIN_JACCARD:
            rows.append((doc_id, unit, [best[0]], "overlap", overlap))
        else:
            rows.append((doc_id, unit, [], "unmatched", overlap))
    schema = {
        "doc_id": pl.String, "unit": pl.Int64, "sent_ids": pl.List(pl.Int64),
        "match": pl.String, "jaccard": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _unit_codes(
    codes: pl.DataFrame, gold: pl.DataFrame, matches: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(gold codes, predicted codes) per unit: doc_id, unit, stance, category, actor,
    status; a unit's predicted codes are the distinct codes of its matched sentences."""
    fields = ("stance", "category", "actor", "status")
    gold_codes = (
        gold.filter(pl.col("stance").is_not_null())
        .select("doc_id", "unit", *fields)
        .unique(maintain_order=True)
    )
    predicted = (
        matches.select("doc_id", "unit", sent_id="sent_ids")
        .explode("sent_id")
        .drop_nulls("sent_id")
        .join(codes.select("doc_id", "sent_id", *fields), on=["doc_id", "sent_id"])
        .select("doc_id", "unit", *fields)
        .unique(maintain_order=True)
        .sort("doc_id", "unit", maintain_order=True)
    )
    return gold_codes, predicted


@dataclass(frozen=True)
class UnitEvaluation:
    """Agreement on stance presence per matched unit (see :func:`evaluate_units`).

    Attributes
    ----------
    by_stance
        ``stance, tp, fp, fn, precision, recall, f1, support``, one row per stance.
    actor_accuracy
        Share of true positives (unit and stance) where a predicted actor of the stance is
        among the hand-coded ones; None when there is no true positive.
    n_actor_checks
        Number of true positives compared on the actor.
    n_units, n_unmatched
        Gold units, and those matched to no sentence.
    matches
        :func:`match_units`.
    disagreements
        ``doc_id, unit, gold_stances, predicted_stances, sentence``: units whose sets of
        stances differ.
    """

    by_stance: pl.DataFrame
    actor_accuracy: float | None
    n_actor_checks: int
    n_units: int
    n_unmatched: int
    matches: pl.DataFrame
    disagreements: pl.DataFrame


def evaluate_units(
    codes: pl.DataFrame, gold: pl.DataFrame, sentences: pl.DataFrame
) -> UnitEvaluation:
    """Score codes against a gold set of whole documents, unit by unit, on stance presence.

    This is how the real-document sets (``corpus`` in ``seeds/gold/sets.yaml``) are
    scored. Gold units are matched to ``sentences`` by :func:`match_units`; a unit's
    predicted stances are the stances of the non-negated codes of the sentences it
    matches (none when unmatched), its gold stances those of its non-negated hand codes.
    Every gold unit counts, including units of a document ``sentences`` does not hold
    (they are unmatched, so each gold stance of theirs is a miss).

    - ``tp``, ``fp``, ``fn`` count units per stance; ``precision``, ``recall`` and
      ``f1 = 2tp / (2tp + fp + fn)`` are null when their denominator is 0;
      ``support = tp + fn``.
    - **Actor agreement**: for each true positive (unit, stance), whether one of the
      actors of the predicted non-negated codes of that stance is among the actors of
      the unit's non-negated hand codes of that stance.

    Parameters
    ----------
    codes
        The ``codes`` table (``doc_id, sent_id, stance, category, actor, status`` used).
    gold
        A gold table (:func:`load_gold`).
    sentences
        The ``sentences`` the codes were made from.

    Returns
    -------
    UnitEvaluation

    Examples
    --------
    >>> gold = pl.DataFrame({"doc_id": ["a", "a"], "unit": [1, 2],
    ...     "sentence": ["Trump threatened tariffs.", "It rained."],
    ...     "stance": ["coercion", None], "category": ["THREATEN", None],
    ...     "actor": ["US", None], "status": ["threatened", None]})
    >>> sentences = pl.DataFrame({"doc_id": ["a", "a"], "sent_id": [1, 2],
    ...     "text": ["Trump threatened tariffs.", "It rained."]})
    >>> codes = pl.DataFrame({"doc_id": ["a", "a"], "sent_id": [1, 2],
    ...     "stance": ["coercion", "cooperation"], "category": ["THREATEN", "CONSULT"],
    ...     "actor": ["US", "MX"], "status": ["threatened", "actual"]})
    >>> result = evaluate_units(codes, gold, sentences)
    >>> result.by_stance.select("stance", "tp", "fp", "precision").rows()
    [('cooperation', 0, 1, 0.0), ('coercion', 1, 0, 1.0), ('resistance', 0, 0, None)]
    >>> result.actor_accuracy
    1.0
    """
    fields = ("stance", "category", "actor", "status")
    codes = _require(codes, "codes", ("doc_id", "sent_id", *fields))
    gold = _require(gold, "gold", ("doc_id", "unit", "sentence", *fields))
    sentences = _require(sentences, "sentences", ("doc_id", "sent_id", "text"))
    matches = match_units(gold, sentences)
    gold_codes, predicted = _unit_codes(codes, gold, matches)

    def stances(frame: pl.DataFrame) -> dict[tuple[str, int], dict[str, set[str]]]:
        out: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        kept = frame.filter(pl.col("status") != "negated")
        for doc_id, unit, stance, actor in kept.select(
            "doc_id", "unit", "stance", "actor"
        ).iter_rows():
            out[(doc_id, unit)][stance].add(actor)
        return out

    gold_by_unit, pred_by_unit = stances(gold_codes), stances(predicted)
    sentence_of = dict(
        ((d, u), s) for d, u, s in gold.unique(["doc_id", "unit"], keep="first").select(
            "doc_id", "unit", "sentence"
        ).iter_rows()
    )
    counts = {s: Counter() for s in STANCES}
    actor_ok = actor_n = 0
    rows = []
    for doc_id, unit in matches.select("doc_id", "unit").iter_rows():
        g, p = gold_by_unit.get((doc_id, unit), {}), pred_by_unit.get((doc_id, unit), {})
        for stance in STANCES:
            g_has, p_has = stance in g, stance in p
            counts[stance]["tp"] += g_has and p_has
            counts[stance]["fp"] += p_has and not g_has
            counts[stance]["fn"] += g_has and not p_has
            if g_has and p_has:
                actor_n += 1
                actor_ok += bool(g[stance] & p[stance])
        if set(g) != set(p):
            rows.append((doc_id, unit, _stance_label(g), _stance_label(p),
                         sentence_of[(doc_id, unit)]))
    table = pl.DataFrame(
        [(s, counts[s]["tp"], counts[s]["fp"], counts[s]["fn"]) for s in STANCES],
        schema={"stance": pl.String, "tp": pl.Int64, "fp": pl.Int64, "fn": pl.Int64},
        orient="row",
    )
    tp, fp, fn = pl.col("tp"), pl.col("fp"), pl.col("fn")
    by_stance = table.with_columns(
        precision=pl.when(tp + fp > 0).then(tp / (tp + fp)).otherwise(None),
        recall=pl.when(tp + fn > 0).then(tp / (tp + fn)).otherwise(None),
        f1=pl.when(2 * tp + fp + fn > 0).then(2 * tp / (2 * tp + fp + fn)).otherwise(None),
        support=tp + fn,
    )
    disagreements = pl.DataFrame(
        rows,
        schema={
            "doc_id": pl.String, "unit": pl.Int64, "gold_stances": pl.String,
            "predicted_stances": pl.String, "sentence": pl.String,
        },
        orient="row",
    )
    return UnitEvaluation(
        by_stance=by_stance,
        actor_accuracy=actor_ok / actor_n if actor_n else None,
        n_actor_checks=actor_n,
        n_units=matches.height,
        n_unmatched=int((matches["match"] == "unmatched").sum()),
        matches=matches,
        disagreements=disagreements,
    )


# ------------------------------------------------------ document-level agreement


@dataclass(frozen=True)
class DocumentAgreement:
    """Per-document balance from the hand codes against the coder's (see
    :func:`document_agreement`).

    Attributes
    ----------
    by_document
        ``doc_id, n_units, balance_gold, balance_coder, diff``.
    pearson_r
        Pearson correlation of ``balance_gold`` and ``balance_coder`` over the documents
        where both are defined; None with fewer than two such documents or no variance.
    mean_abs_diff
        Mean of ``|diff|`` over the same documents; None when there is none.
    n_documents
        Documents where both balances are defined.
    note
        Why there is nothing to compare (e.g. the set is not available here); else None.
    """

    by_document: pl.DataFrame
    pearson_r: float | None
    mean_abs_diff: float | None
    n_documents: int
    note: str | None = None

    def summary(self) -> pl.DataFrame:
        """One row: n_documents, pearson_r, mean_abs_diff, note.

        Examples
        --------
        >>> empty = DocumentAgreement(_EMPTY_AGREEMENT, None, None, 0, "nothing to compare")
        >>> empty.summary().row(0)
        (0, None, None, 'nothing to compare')
        """
        return pl.DataFrame(
            {
                "n_documents": [self.n_documents],
                "pearson_r": [self.pearson_r],
                "mean_abs_diff": [self.mean_abs_diff],
                "note": [self.note],
            },
            schema={
                "n_documents": pl.Int64, "pearson_r": pl.Float64,
                "mean_abs_diff": pl.Float64, "note": pl.String,
            },
        )


_EMPTY_AGREEMENT = pl.DataFrame(
    schema={
        "doc_id": pl.String, "n_units": pl.Int64, "balance_gold": pl.Float64,
        "balance_coder": pl.Float64, "diff": pl.Float64,
    }
)


def _pearson(pairs: list[tuple[float, float]]) -> float | None:
    n = len(pairs)
    if n < 2:
        return None
    mx = sum(x for x, _ in pairs) / n
    my = sum(y for _, y in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs)
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((y - my) ** 2 for _, y in pairs)
    if sxx == 0 or syy == 0:
        return None
    return sxy / (sxx * syy) ** 0.5


def document_agreement(
    codes: pl.DataFrame, gold: pl.DataFrame, sentences: pl.DataFrame
) -> DocumentAgreement:
    """Does the coder give each document the balance the hand codes give it?

    For each gold document that ``sentences`` holds, the cooperation–coercion balance
    of :func:`analysis.metrics.balance` (``(C - K) / (C + K)`` over the non-negated codes,
    null when ``C + K = 0``) is computed twice on the document's gold units: from the hand
    codes, and from the coder's codes of the sentences each unit matches
    (:func:`match_units`; a unit's distinct codes, none when unmatched). Units are the
    same on both sides, so text outside the hand-coded range does not count.

    Parameters
    ----------
    codes
        The ``codes`` table (``doc_id, sent_id, stance, category, actor, status`` used).
    gold
        A gold table (:func:`load_gold`).
    sentences
        The ``sentences`` the codes were made from.

    Returns
    -------
    DocumentAgreement
        ``by_document``: ``doc_id, n_units, balance_gold, balance_coder, diff``
        (``balance_coder - balance_gold``), sorted by doc_id; with Pearson's r and the
        mean absolute difference across documents.

    Examples
    --------
    >>> gold = pl.DataFrame({"doc_id": ["a", "a", "b"], "unit": [1, 2, 1],
    ...     "sentence": ["They met.", "He threatened tariffs.", "They agreed."],
    ...     "stance": ["cooperation", "coercion", "cooperation"],
    ...     "category": ["CONSULT", "THREATEN", "AGREE"], "actor": ["UNSPECIFIED", "US", "MX"],
    ...     "status": ["actual", "threatened", "actual"]})
    >>> sentences = gold.select("doc_id", sent_id="unit", text="sentence")
    >>> codes = gold.filter(pl.col("unit") == 1).rename({"unit": "sent_id"})
    >>> agreement = document_agreement(codes, gold, sentences)
    >>> agreement.by_document.select("doc_id", "balance_gold", "balance_coder").rows()
    [('a', 0.0, 1.0), ('b', 1.0, 1.0)]
    >>> agreement.mean_abs_diff
    0.5
    """
    from analysis.metrics import balance

    fields = ("stance", "category", "actor", "status")
    codes = _require(codes, "codes", ("doc_id", "sent_id", *fields))
    gold = _require(gold, "gold", ("doc_id", "unit", "sentence", *fields))
    sentences = _require(sentences, "sentences", ("doc_id", "sent_id", "text"))
    gold = gold.filter(pl.col("doc_id").is_in(sentences["doc_id"].unique().implode()))
    matches = match_units(gold, sentences)
    gold_codes, predicted = _unit_codes(codes, gold, matches)
    units = gold.unique(["doc_id", "unit"], keep="first").select(
        "doc_id", sent_id="unit", text="sentence"
    )

    def doc_balance(unit_codes: pl.DataFrame, name: str) -> pl.DataFrame:
        as_codes = unit_codes.rename({"unit": "sent_id"}).with_columns(score=pl.lit(0.0))
        # the bootstrap interval is not used: one resample keeps it cheap
        table = balance(as_codes, units, by="doc_id", status="all", n_boot=1)
        return table.select(pl.col("group").alias("doc_id"), pl.col("balance").alias(name))

    by_document = (
        units.group_by("doc_id").agg(n_units=pl.len().cast(pl.Int64))
        .join(doc_balance(gold_codes, "balance_gold"), on="doc_id", how="left")
        .join(doc_balance(predicted, "balance_coder"), on="doc_id", how="left")
        .with_columns(diff=pl.col("balance_coder") - pl.col("balance_gold"))
        .sort("doc_id")
        .select(_EMPTY_AGREEMENT.columns)
    )
    pairs = [
        (g, c) for g, c in by_document.select("balance_gold", "balance_coder").iter_rows()
        if g is not None and c is not None
    ]
    return DocumentAgreement(
        by_document=by_document,
        pearson_r=_pearson(pairs),
        mean_abs_diff=sum(abs(c - g) for g, c in pairs) / len(pairs) if pairs else None,
        n_documents=len(pairs),
    )


# ------------------------------------------------------------ the sets manifest

_SET_KEYS = {"name", "file", "readme", "tuned_on", "first_measurement"}
_OPTIONAL_SET_KEYS = {"corpus"}
#: ``kind`` of a set: standalone sentences (``file`` in the format of
#: :func:`load_out_of_sample`) or whole documents (``corpus`` + ``file`` as
#: :func:`load_gold` reads it).
SET_KINDS: tuple[str, ...] = ("sentences", "documents")


def _shown(path: Path) -> str:
    """A path as the report shows it: relative to the project when it can be."""
    try:
        return Path(os.path.relpath(path, PROJ_ROOT)).as_posix()
    except ValueError:  # another drive
        return path.as_posix()


def load_sets(path: str | Path = HELD_OUT_SETS_PATH) -> list[dict]:
    """The hand-coded sets of ``seeds/gold/sets.yaml``, checked.

    Each entry names a set (``name``), its gold CSV (``file``), its ``readme``, the
    codebook version from which it was used to tune the codebook (``tuned_on``; null when
    never), and its ``first_measurement`` (codebook version and F1 per stance when the
    codebook first met it). Paths are relative to the manifest.

    A **sentence set** has no ``corpus``: ``file`` holds standalone sentences
    (:func:`load_out_of_sample`) and must exist. A **document set** adds ``corpus``, a
    folder of articles (:func:`analysis.corpus.load_corpus`), and ``file`` is in the
    seed gold format (:func:`load_gold`). Document sets may be kept outside the project:
    when the folder or the file is missing, the set is returned with ``available`` False
    and ``missing`` the path looked for, so a report can say so.

    Parameters
    ----------
    path
        The manifest; defaults to ``config.HELD_OUT_SETS_PATH``.

    Returns
    -------
    list of dict
        The entries in manifest order, with ``file``, ``readme`` and ``corpus`` (None
        for a sentence set) as absolute paths, and ``kind`` (``"sentences"`` or
        ``"documents"``), ``available`` (bool) and ``missing`` (Path or None) added.

    Raises
    ------
    FileNotFoundError
        When the manifest does not exist.
    ValueError
        For a malformed entry or a missing sentence-set file, naming the set and field.

    Examples
    --------
    >>> sets = load_sets()
    >>> [(s["name"], s["kind"]) for s in sets][:2]
    [('out-of-sample', 'sentences'), ('held-out', 'sentences')]
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
    base = path.parent.resolve()
    for i, entry in enumerate(entries, start=1):
        where = f"{path}: set {i}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping with keys {sorted(_SET_KEYS)}")
        missing = _SET_KEYS - set(entry)
        unknown = set(entry) - _SET_KEYS - _OPTIONAL_SET_KEYS
        if missing or unknown:
            raise ValueError(
                f"{where} ({entry.get('name', '?')}): missing {sorted(missing)}, "
                f"unknown {sorted(unknown)}; expected keys {sorted(_SET_KEYS)}, "
                f"optionally {sorted(_OPTIONAL_SET_KEYS)}"
            )
        where = f"{where} ({entry['name']})"
        first = entry["first_measurement"]
        f1 = first.get("f1") if isinstance(first, dict) else None
        if not isinstance(f1, dict) or set(f1) != set(STANCES) or not all(
            isinstance(v, int | float) and 0 <= v <= 1 for v in f1.values()
        ):
            raise ValueError(
                f"{where}: first_measurement.f1 must give a number in "
                f"[0, 1] for each of {', '.join(STANCES)}; got {f1!r}"
            )
        if entry["tuned_on"] is not None and not isinstance(entry["tuned_on"], str):
            raise ValueError(
                f"{where}: tuned_on must be a quoted codebook version such as \"1.3\", or "
                f"null; got {entry['tuned_on']!r}"
            )
        for key in ("file", "readme", *_OPTIONAL_SET_KEYS):
            if key in entry and (not isinstance(entry[key], str) or not entry[key]):
                raise ValueError(
                    f"{where}: {key} must be a path relative to the manifest; "
                    f"got {entry[key]!r}"
                )
        file = (base / entry["file"]).resolve()
        corpus = (base / entry["corpus"]).resolve() if "corpus" in entry else None
        looked_for = None
        if corpus is None and not file.is_file():
            raise ValueError(f"{where}: file {entry['file']} not found")
        if corpus is not None and not corpus.is_dir():
            looked_for = corpus
        elif corpus is not None and not file.is_file():
            looked_for = file
        sets.append(
            {
                **entry,
                "kind": "sentences" if corpus is None else "documents",
                "file": file,
                "readme": (base / entry["readme"]).resolve(),
                "corpus": corpus,
                "available": looked_for is None,
                "missing": looked_for,
            }
        )
    return sets


def _version(value: object) -> tuple[int, ...] | None:
    parts = re.findall(r"\d+", str(value))
    return tuple(int(p) for p in parts) if parts else None


def _is_blind(tuned_on: str | None, codebook_version: str) -> bool:
    """True when the codebook in use predates any tuning on the set."""
    if tuned_on is None:
        return True
    current, tuned = _version(codebook_version), _version(tuned_on)
    return current is not None and tuned is not None and current < tuned


def _code_document_set(entry: dict, codebook) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(codes, gold, sentences) of an available document set."""
    from analysis.corpus import load_corpus
    from analysis.indicators import code_sentences
    from analysis.segment import split_sentences

    sentences = split_sentences(load_corpus(entry["corpus"]))
    return code_sentences(sentences, codebook), load_gold(entry["file"]), sentences


_SETS_COLUMNS: tuple[str, ...] = (
    "set", "kind", "blind", "tuned_on", "first_codebook", "codebook", "stance", "f1_first",
    "f1", "precision", "recall", "support", "actor_accuracy", "available", "note",
)


def evaluate_sets(codebook=None, *, path: str | Path = HELD_OUT_SETS_PATH) -> pl.DataFrame:
    """Code every hand-coded set with ``codebook`` and score it per stance.

    Beside today's figures stand the first ones, taken when the codebook first met the
    set: those are the honest estimate for new text. ``blind`` is true while the codebook
    in use predates any tuning on the set (``tuned_on`` null, or a later version than
    ``codebook``): its current figures are then still out-of-sample.

    A sentence set is scored with :func:`evaluate_by_language` (all languages together);
    its ``actor_accuracy`` is agreement on matched code pairs. A document set is split and
    coded like the seed corpus and scored with :func:`evaluate_units`; its
    ``actor_accuracy`` is agreement on true-positive units. A document set that is not
    available here keeps its rows, with ``available`` False, today's figures null and
    ``note`` naming the path looked for.

    Parameters
    ----------
    codebook
        A loaded codebook (:func:`analysis.codebook.load_codebook`); None loads the
        packaged one.
    path
        The sets manifest; defaults to ``config.HELD_OUT_SETS_PATH``.

    Returns
    -------
    pl.DataFrame
        set, kind, blind, tuned_on, first_codebook, codebook (the version in use), stance,
        f1_first, f1, precision, recall, support, actor_accuracy, available, note; one row
        per set and stance, in the manifest's order.

    Examples
    --------
    >>> table = evaluate_sets()
    >>> table.filter(set="held-out-2", stance="coercion").select("blind", "f1_first").row(0)
    (True, 0.815)
    """
    from analysis.codebook import load_codebook
    from analysis.indicators import code_sentences

    if codebook is None:
        codebook = load_codebook()
    version = str(codebook.spec.version)
    rows = []
    for entry in load_sets(path):
        first = entry["first_measurement"]
        note = None
        if not entry["available"]:
            note = f"not available: {_shown(entry['missing'])} not found"
            table = pl.DataFrame({"stance": list(STANCES)}).with_columns(
                pl.lit(None, dtype=pl.Float64).alias(c)
                for c in ("precision", "recall", "f1", "actor_accuracy")
            ).with_columns(support=pl.lit(None, dtype=pl.Int64))
        elif entry["kind"] == "documents":
            result = evaluate_units(*_code_document_set(entry, codebook))
            table = result.by_stance.with_columns(
                actor_accuracy=pl.lit(result.actor_accuracy, dtype=pl.Float64)
            )
            if result.n_unmatched:
                note = f"{result.n_unmatched} of {result.n_units} units matched no sentence"
        else:
            gold = load_out_of_sample(entry["file"])
            sentences = out_of_sample_sentences(gold)
            table = evaluate_by_language(
                code_sentences(sentences, codebook), gold, sentences
            ).filter(pl.col("language") == "all")
        rows.append(
            table.with_columns(
                set=pl.lit(entry["name"]),
                kind=pl.lit(entry["kind"]),
                blind=pl.lit(_is_blind(entry["tuned_on"], version)),
                tuned_on=pl.lit(entry["tuned_on"], dtype=pl.String),
                first_codebook=pl.lit(str(first["codebook"])),
                codebook=pl.lit(version),
                f1_first=pl.col("stance").replace_strict(
                    first["f1"], return_dtype=pl.Float64
                ),
                available=pl.lit(entry["available"]),
                note=pl.lit(note, dtype=pl.String),
            ).select(
                pl.col(c).cast(pl.Int64) if c == "support" else pl.col(c)
                for c in _SETS_COLUMNS
            )
        )
    return pl.concat(rows)



def set_document_agreement(
    name: str, codebook=None, *, path: str | Path = HELD_OUT_SETS_PATH
) -> DocumentAgreement:
    """:func:`document_agreement` on a document set of the manifest, coded with ``codebook``.

    Parameters
    ----------
    name
        The set's ``name`` in the manifest; it must be a document set (with ``corpus``).
    codebook
        A loaded codebook; None loads the packaged one.
    path
        The sets manifest; defaults to ``config.HELD_OUT_SETS_PATH``.

    Returns
    -------
    DocumentAgreement
        Empty, with ``note`` naming the path looked for, when the set is not available.

    Raises
    ------
    ValueError
        When no set has that name, or the set is a sentence set.

    Examples
    --------
    >>> agreement = set_document_agreement("real-dev")
    >>> agreement.note is not None or agreement.n_documents > 0
    True
    """
    sets = {entry["name"]: entry for entry in load_sets(path)}
    if name not in sets:
        raise ValueError(f"name={name!r} is not a set of {path}; sets: {', '.join(sets)}")
    entry = sets[name]
    if entry["kind"] != "documents":
        documents = [n for n, e in sets.items() if e["kind"] == "documents"]
        raise ValueError(
            f"set {name!r} holds standalone sentences, not documents; document agreement "
            f"needs a set with a corpus: {', '.join(documents) or 'none in the manifest'}"
        )
    if not entry["available"]:
        note = f"set {name} not available: {_shown(entry['missing'])} not found"
        return DocumentAgreement(_EMPTY_AGREEMENT, None, None, 0, note)
    return document_agreement(*_code_document_set(entry, codebook))


def describe_sets(table: pl.DataFrame) -> str:
    """Say in words which sets the codebook was tuned on and which are still blind.

    Parameters
    ----------
    table
        :func:`evaluate_sets` (``set``, ``blind``, ``tuned_on``, ``first_codebook``,
        ``codebook``, ``available`` and ``note`` are used).

    Returns
    -------
    str
        Markdown: one sentence for the blind sets, one for the tuned ones, one for the
        sets not available here (each left out when empty).

    Examples
    --------
    >>> table = pl.DataFrame({"set": ["a", "b"], "blind": [True, False],
    ...     "tuned_on": [None, "1.1"], "first_codebook": ["1.3", "1.0"],
    ...     "codebook": ["1.3", "1.3"], "available": [True, True], "note": [None, None]})
    >>> print(describe_sets(table))
    Still blind (today's figures are out-of-sample): **a** (first measured at codebook 1.3).
    Tuned on (today's figures overstate performance on new text): **b** (first measured
    at codebook 1.0, tuned on from 1.1).
    """
    require_columns(
        table, "sets table",
        ("set", "blind", "tuned_on", "first_codebook", "codebook", "available", "note"),
    )
    sets = table.unique("set", keep="first", maintain_order=True)
    blind, tuned, absent = [], [], []
    for row in sets.iter_rows(named=True):
        first = f"first measured at codebook {row['first_codebook']}"
        if row["blind"]:
            later = (
                f", to be tuned on from {row['tuned_on']}" if row["tuned_on"] is not None
                else ""
            )
            blind.append(f"**{row['set']}** ({first}{later})")
        else:
            tuned.append(f"**{row['set']}** ({first}, tuned on from {row['tuned_on']})")
        if not row["available"]:
            absent.append(f"**{row['set']}** ({row['note']})")
    lines = []
    if blind:
        lines.append(f"Still blind (today's figures are out-of-sample): {', '.join(blind)}.")
    if tuned:
        lines.append(
            "Tuned on (today's figures overstate performance on new text): "
            f"{', '.join(tuned)}."
        )
    if absent:
        lines.append(f"Not available in this copy of the project: {', '.join(absent)}.")
    return "\n".join(lines)
