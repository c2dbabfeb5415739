"""The data the notebooks read and write: the coded data set, filtered, and tidy tables.

A notebook starts from :func:`load_dataset` (the ``documents``, ``sentences`` and
``codes`` of the corpus, coded once per build and read from the cache of
:mod:`analysis.cache`, or read from a coded dataset on disk) and ends with
:func:`write_tables` (its tables as parquet and CSV). These two, with
:mod:`analysis.corpus`, are the notebooks' only file input and output.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from analysis.config import CODEBOOK_PATH, SEEDS_DIR

__all__ = [
    "TABLES_ENV",
    "Dataset",
    "check_filters",
    "describe_corpus",
    "filter_documents",
    "load_dataset",
    "load_documents",
    "write_tables",
]

#: Where :func:`write_tables` writes when given no folder, if set (``coco bless`` and the
#: tests set it, so that they never write into the published report).
TABLES_ENV = "COCO_TABLES_DIR"


@dataclass(frozen=True)
class Dataset:
    """The core tables of one corpus (``documents``, ``sentences``, ``codes``) and the
    codebook that coded it.

    The codebook is read when first asked for (``data.codebook``): a notebook that only
    reads the tables never pays for compiling it.
    """

    documents: pl.DataFrame
    sentences: pl.DataFrame
    codes: pl.DataFrame
    load_codebook: Callable[[], Any] = field(repr=False, compare=False)

    @functools.cached_property
    def codebook(self) -> Any:
        """The :class:`analysis.codebook.Codebook` that coded the tables."""
        return self.load_codebook()


def _as_date(value: str | dt.date | None, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(
            f"{name} must be a date written YYYY-MM-DD (or None), got {value!r}"
        ) from None


def filter_documents(
    documents: pl.DataFrame,
    *,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    language: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Keep the documents published in a date range and written in given languages.

    Parameters
    ----------
    documents : pl.DataFrame
        The ``documents`` table.
    date_from, date_to : str, date or None, keyword-only
        Inclusive bounds on ``published_date`` (``"YYYY-MM-DD"``). With a bound set, a
        document with an unknown date is left out. None: no bound.
    language : str, list of str or None, keyword-only
        Language code(s) to keep (``"en"``, ``["en", "es"]``). None: every language.

    Returns
    -------
    pl.DataFrame
        A new frame with the kept rows, in the input's order.

    Examples
    --------
    >>> docs = pl.DataFrame({"doc_id": ["a", "b"], "language": ["en", "es"],
    ...     "published_date": [dt.date(2025, 1, 1), None]})
    >>> filter_documents(docs, language="es")["doc_id"].to_list()
    ['b']
    >>> filter_documents(docs, date_from="2024-12-31")["doc_id"].to_list()
    ['a']
    """
    start = _as_date(date_from, "date_from")
    end = _as_date(date_to, "date_to")
    if start and end and start > end:
        raise ValueError(f"date_from ({start}) is after date_to ({end}); swap them")
    keep = pl.lit(True)
    if start is not None:
        keep = keep & (pl.col("published_date") >= start)
    if end is not None:
        keep = keep & (pl.col("published_date") <= end)
    if language is not None:
        languages = [language] if isinstance(language, str) else list(language)
        keep = keep & pl.col("language").is_in(languages)
    return documents.filter(keep.fill_null(False))


def _languages(language: str | Sequence[str] | None) -> list[str]:
    if language is None:
        return []
    return [language] if isinstance(language, str) else list(language)


def describe_corpus(documents: pl.DataFrame) -> str:
    """What a corpus holds, in words: documents, languages, date range.

    Examples
    --------
    >>> docs = pl.DataFrame({"doc_id": ["a", "b", "c"], "language": ["en", "es", "en"],
    ...     "published_date": [dt.date(2025, 1, 1), dt.date(2026, 1, 20), None]})
    >>> describe_corpus(docs)
    '3 documents, in en (2), es (1), published 2025-01-01 to 2026-01-20 (1 with no date)'
    """
    if documents.height == 0:
        return "no documents"
    counts = documents["language"].value_counts(sort=True, name="n").sort(
        ["n", "language"], descending=[True, False]
    )
    languages = ", ".join(f"{lang} ({n})" for lang, n in counts.iter_rows())
    dates = documents["published_date"].drop_nulls()
    span = f"published {dates.min()} to {dates.max()}" if len(dates) else "with no known date"
    undated = documents.height - len(dates)
    if len(dates) and undated:
        span += f" ({undated} with no date)"
    noun = "document" if documents.height == 1 else "documents"
    return f"{documents.height} {noun}, in {languages}, {span}"


def check_filters(
    documents: pl.DataFrame,
    *,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    language: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Filter like :func:`filter_documents`, but refuse a filter that matches nothing.

    A report built on no document would show empty tables under a narrative written for
    data, so an unknown language code, or filters that leave no document, are errors
    that name the parameter and say what the corpus holds.

    Parameters
    ----------
    documents : pl.DataFrame
        The whole ``documents`` table, before filtering.
    date_from, date_to, language
        As in :func:`filter_documents`.

    Returns
    -------
    pl.DataFrame
        The kept documents (at least one, when the corpus has any).

    Raises
    ------
    ValueError
        ``language`` is neither a language the coder reads nor one of the corpus, or the
        filters leave no document.

    Examples
    --------
    >>> docs = pl.DataFrame({"doc_id": ["a"], "language": ["en"],
    ...     "published_date": [dt.date(2025, 1, 1)]})
    >>> check_filters(docs, language="en").height
    1
    >>> check_filters(docs, language="es")
    Traceback (most recent call last):
    ...
    ValueError: no document matches language='es': the corpus holds 1 document, in en (1), ...
    """
    from analysis.lemmas import LANGUAGES

    held = sorted(documents["language"].unique().drop_nulls().to_list())
    known = sorted(set(LANGUAGES) | set(held))
    for code in _languages(language):
        if code not in known:
            raise ValueError(
                f"language={code!r} is not a language code this corpus or the coder knows; "
                f"use one of {known} (the corpus holds {describe_corpus(documents)}; "
                f"the codebook reads {', '.join(LANGUAGES)})"
            )
    kept = filter_documents(documents, date_from=date_from, date_to=date_to, language=language)
    if kept.height == 0 and documents.height > 0:
        given = {"date_from": date_from, "date_to": date_to, "language": language}
        named = " and ".join(
            f"{k}={v}" if isinstance(v, dt.date) else f"{k}={v!r}"
            for k, v in given.items()
            if v is not None
        )
        raise ValueError(
            f"no document matches {named}: the corpus holds {describe_corpus(documents)}"
        )
    return kept



def load_documents(
    *,
    seeds_dir: str | Path | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    language: str | Sequence[str] | None = None,
) -> pl.DataFrame:
    """Read the corpus (``analysis.corpus.load_corpus``) and apply the report's filters.

    Parameters
    ----------
    seeds_dir : str, Path or None, keyword-only
        Corpus folder; None is ``analysis.config.SEEDS_DIR``.
    date_from, date_to, language
        As in :func:`filter_documents`; filters that match nothing are an error
        (:func:`check_filters`).

    Examples
    --------
    >>> load_documents().columns[:2]
    ['doc_id', 'path']
    """
    from analysis import corpus

    documents = corpus.load_corpus(SEEDS_DIR if seeds_dir is None else Path(seeds_dir))
    return check_filters(documents, date_from=date_from, date_to=date_to, language=language)


def _dataset_codebook(folder: Path) -> Any:
    """The codebook a coded dataset names in its record, when that file exists; else the
    packaged one."""
    from analysis import codebook, dataset

    named = dataset.read_record(folder).get("codebook")
    path = Path(named) if isinstance(named, str) and Path(named).is_file() else CODEBOOK_PATH
    return codebook.load_codebook(path)


def load_dataset(
    *,
    dataset: str | Path | None = None,
    seeds_dir: str | Path | None = None,
    codebook_path: str | Path | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    language: str | Sequence[str] | None = None,
) -> Dataset:
    """The coded corpus, filtered: what every notebook starts from.

    Without ``dataset``, the corpus is read, split and coded once and the result kept in
    the cache (:func:`analysis.cache.coded_dataset`): the first call computes it, later
    calls (the other notebooks, the next build) read it. With ``dataset``, the tables
    are read from that coded dataset folder (as ``coco code`` writes it). Either way
    the filters are applied to the documents, and the sentences and codes of the
    documents left out are dropped.

    Parameters
    ----------
    dataset : str, Path or None, keyword-only
        A coded dataset folder (:mod:`analysis.dataset`); None codes the corpus. Its
        codebook is the one its ``run.json`` names, when that file exists, else the
        packaged one.
    seeds_dir : str, Path or None, keyword-only
        Corpus folder; None is ``analysis.config.SEEDS_DIR``. Not with ``dataset``.
    codebook_path : str, Path or None, keyword-only
        Codebook YAML; None is the packaged ``analysis/codebook.yaml``. Not with
        ``dataset``.
    date_from, date_to, language
        As in :func:`filter_documents`; filters that match nothing are an error
        (:func:`check_filters`).

    Returns
    -------
    Dataset
        ``documents``, ``sentences``, ``codes`` and the ``codebook``.

    Raises
    ------
    ValueError
        ``dataset`` given with ``seeds_dir`` or ``codebook_path``, or filters that match
        nothing.
    analysis.dataset.DatasetError
        ``dataset`` is not a coded dataset folder.

    Examples
    --------
    >>> data = load_dataset()
    >>> data.codes.columns[:3]
    ['doc_id', 'sent_id', 'stance']
    """
    from analysis import cache
    from analysis import dataset as stored

    if dataset is not None:
        given = [n for n, v in (("seeds_dir", seeds_dir), ("codebook_path", codebook_path)) if v]
        if given:
            raise ValueError(
                f"dataset={str(dataset)!r} is already coded: {' and '.join(given)} cannot "
                "apply to it; leave them None, or leave dataset None to code the corpus"
            )
        documents, sentences, codes = stored.read_dataset(dataset)
        book = functools.partial(_dataset_codebook, Path(dataset))
    else:
        entry, _ = cache.coded_dataset(seeds_dir=seeds_dir, codebook_path=codebook_path)
        documents, sentences, codes = cache.read_cached(entry)
        book = functools.partial(cache.read_codebook, entry)
    kept = check_filters(documents, date_from=date_from, date_to=date_to, language=language)
    if kept.height < documents.height:
        ids = kept["doc_id"].implode()
        sentences = sentences.filter(pl.col("doc_id").is_in(ids))
        codes = codes.filter(pl.col("doc_id").is_in(ids))
    return Dataset(documents=kept, sentences=sentences, codes=codes, load_codebook=book)

def _csv_ready(df: pl.DataFrame) -> pl.DataFrame:
    """Nested columns (lists, structs) as JSON text, since CSV cannot hold them."""
    nested = [c for c, t in df.schema.items() if isinstance(t, pl.List | pl.Struct | pl.Array)]
    return df.with_columns(
        pl.Series(
            c,
            [json.dumps(v, ensure_ascii=False, default=str) for v in df[c].to_list()],
            dtype=pl.String,
        )
        for c in nested
    )


def write_tables(
    tables: Mapping[str, pl.DataFrame], output_dir: str | Path | None = None
) -> list[Path]:
    """Write tidy tables as parquet and CSV: ``<output_dir>/<name>.parquet`` and ``.csv``.

    Parameters
    ----------
    tables : mapping of str to pl.DataFrame
        Table name (a file stem: letters, digits, ``_`` and ``-``) to table.
    output_dir : str, Path or None
        Folder to write into (created if missing); None is ``reports/data``, or the
        folder named by the environment variable ``COCO_TABLES_DIR`` when it is set
        (``coco bless`` sets it, so re-blessing never writes into the published report).

    Returns
    -------
    list of Path
        The files written, in name order (parquet then CSV for each table). Each file is
        written to a temporary name first and then renamed, so a reader never sees half
        a file.

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> [p.name for p in write_tables({"t": pl.DataFrame({"a": [1]})}, out)]
    ['t.parquet', 't.csv']
    """
    from analysis.config import DATA_DIR

    for name, table in tables.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise ValueError(
                f"table name {name!r} is not a valid file stem; use letters, digits, _ and -"
            )
        if not isinstance(table, pl.DataFrame):
            raise TypeError(f"table {name!r} is a {type(table).__name__}, not a polars DataFrame")
    if output_dir is None:
        output_dir = os.environ.get(TABLES_ENV) or DATA_DIR
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in sorted(tables):
        table = tables[name]
        for suffix, write in (
            (".parquet", table.write_parquet),
            (".csv", lambda p, t=table: _csv_ready(t).write_csv(p)),
        ):
            target = folder / f"{name}{suffix}"
            tmp = folder / f".{name}{suffix}.tmp"
            write(tmp)
            os.replace(tmp, target)
            written.append(target)
    return written

