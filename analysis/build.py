"""Build the report: execute the notebooks, cache by content, render, record.

``coco build`` (see :mod:`analysis.cli`) calls :func:`run_build`, which

1. executes each notebook in ``notebooks/`` with papermill into ``reports/notebooks/``,
   with the run's parameters (the notebook's ``parameters`` cell, overridden by
   ``--param`` / ``--params-file``), two at a time;
2. skips a notebook whose inputs have not changed since the last build: the hash of the
   notebook file, the seeds folder, the codebook, the parameters it uses and the
   library's source, compared with ``reports/build.json``;
3. renders the executed notebooks into ``reports/site/``, with Quarto when a ``quarto``
   executable is on PATH, otherwise with nbconvert (a self-contained HTML page per
   notebook, ``index.html`` being the report);
4. writes ``reports/build.json``: parameters, input hashes, package versions, timings and
   the renderer used.

All of it is written into one folder, ``reports/.build-<id>/``, published at the end by
one rename (the ``reports/.current`` link; ``notebooks``, ``data``, ``site`` and
``build.json`` are links into it), under the lock ``reports/.lock``: see
:func:`run_build` for the exact guarantee.

This module, with :mod:`analysis.corpus` (reading) and :mod:`analysis.cli`, is one of the
places allowed to touch the file system; the notebooks' one writing call is
:func:`write_tables`, and their one reading call is :func:`load_dataset`.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import polars as pl
import yaml

from analysis.config import (
    CODEBOOK_PATH,
    GOLD_DIR,
    NOTEBOOKS_DIR,
    PACKAGE_DIR,
    PROJ_ROOT,
    QUARTO_PROJECT,
    REAL_DEV_DIR,
    REPORTS_DIR,
    SEEDS_DIR,
)

QUARTO_URL = "https://quarto.org/docs/get-started/"
RECORD_NAME = "build.json"
#: Where :func:`write_tables` writes when given no folder, if set (see bless_notebooks).
TABLES_ENV = "COCO_TABLES_DIR"
PATH_PARAMETERS: tuple[str, ...] = ("seeds_dir", "codebook_path", "output_dir")
# Where a notebook's outputs go is not one of its inputs: it stays out of the cache key
# (a notebook is still re-run when its output folder moved or its tables are gone).
UNHASHED_PARAMETERS: tuple[str, ...] = ("output_dir",)
VERSIONED_PACKAGES: tuple[str, ...] = (
    "cooperation-or-coercion",
    "polars",
    "pyarrow",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "pyyaml",
    "pydantic",
    "sentencex",
    "dateparser",
    "trafilatura",
)
Renderer = Literal["auto", "quarto", "nbconvert"]
RENDERERS: tuple[str, ...] = ("auto", "quarto", "nbconvert")


class BuildError(RuntimeError):
    """The build cannot go on; the message says why and what to do."""


class NotebookError(BuildError):
    """A notebook raised while executing.

    Attributes
    ----------
    notebook : str
        The notebook's file name.
    cell_index : int or None
        0-based index of the failing cell in the source notebook.
    cell_source : str
        The failing cell's first source line.
    error : str
        ``"ExceptionName: message"``.
    """

    def __init__(self, notebook: str, cell_index: int | None, cell_source: str, error: str):
        self.notebook = notebook
        self.cell_index = cell_index
        self.cell_source = cell_source
        self.error = error
        where = f"cell {cell_index}" if cell_index is not None else "an unknown cell"
        super().__init__(
            f"notebook {notebook} failed in {where} ({cell_source!r}): {error}. "
            "The previous report and build record were left in place."
        )


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Dataset:
    """The core tables of one corpus (``documents``, ``sentences``, ``codes``) and the
    codebook that coded it."""

    documents: pl.DataFrame
    sentences: pl.DataFrame
    codes: pl.DataFrame
    codebook: Any


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


def load_dataset(
    *,
    seeds_dir: str | Path | None = None,
    codebook_path: str | Path | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    language: str | Sequence[str] | None = None,
) -> Dataset:
    """Read, filter, split and code the corpus: what every notebook starts from.

    Parameters
    ----------
    seeds_dir : str, Path or None, keyword-only
        Corpus folder; None is ``analysis.config.SEEDS_DIR``.
    codebook_path : str, Path or None, keyword-only
        Codebook YAML; None is the packaged ``analysis/codebook.yaml``.
    date_from, date_to, language
        As in :func:`filter_documents`.

    Returns
    -------
    Dataset
        ``documents``, ``sentences``, ``codes`` and the ``codebook``.

    Examples
    --------
    >>> data = load_dataset()
    >>> data.codes.columns[:3]
    ['doc_id', 'sent_id', 'stance']
    """
    from analysis import codebook, indicators, segment

    documents = load_documents(
        seeds_dir=seeds_dir, date_from=date_from, date_to=date_to, language=language
    )
    sentences = segment.split_sentences(documents)
    book = codebook.load_codebook(None if codebook_path is None else Path(codebook_path))
    codes = indicators.code_sentences(sentences, book)
    return Dataset(documents=documents, sentences=sentences, codes=codes, codebook=book)


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


# --------------------------------------------------------------------------- parameters


def parse_parameters_cell(source: str) -> dict[str, Any]:
    """Read the defaults of a ``parameters`` cell: ``name = literal`` assignments.

    Examples
    --------
    >>> parse_parameters_cell("seed = 20260101  # bootstrap seed\\nseeds_dir = None")
    {'seed': 20260101, 'seeds_dir': None}
    """
    tree = ast.parse(source)
    params: dict[str, Any] = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            raise ValueError(
                f"parameters cell line {node.lineno}: only `name = literal` assignments are "
                "allowed, so the build can read the defaults"
            )
        try:
            params[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            raise ValueError(
                f"parameters cell line {node.lineno}: the value of "
                f"{node.targets[0].id!r} is not a Python literal"
            ) from None
    return params


def notebook_parameters(path: str | Path) -> dict[str, Any]:
    """The defaults of the cell tagged ``parameters`` in a notebook ({} if none).

    Examples
    --------
    >>> from analysis.config import NOTEBOOKS_DIR
    >>> "seed" in notebook_parameters(NOTEBOOKS_DIR / "00_report.ipynb")
    True
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            try:
                return parse_parameters_cell(cell.source)
            except (ValueError, SyntaxError) as err:
                raise BuildError(f"{Path(path).name}: {err}") from None
    return {}


def _yaml_scalar(text: str) -> Any:
    value = yaml.safe_load(text) if text.strip() else None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()  # papermill injects literals; dates travel as ISO text
    return value


def parse_param(text: str) -> tuple[str, Any]:
    """Parse one ``--param key=value``; the value is read as a YAML scalar.

    Examples
    --------
    >>> parse_param("n_boot=200")
    ('n_boot', 200)
    >>> parse_param("language=null")
    ('language', None)
    >>> parse_param("date_from=2025-01-01")
    ('date_from', '2025-01-01')
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise ValueError(
            f"--param expects key=value with key a Python name (e.g. n_boot=200), got {text!r}"
        )
    try:
        return key, _yaml_scalar(value)
    except yaml.YAMLError:
        raise ValueError(f"--param {key}: cannot read {value!r} as a YAML value") from None


def load_params_file(path: str | Path) -> dict[str, Any]:
    """Read a parameters file (YAML or JSON): a mapping of name to value.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "p.yaml"
    >>> _ = p.write_text("n_boot: 200\\nlanguage: en\\n")
    >>> load_params_file(p)
    {'n_boot': 200, 'language': 'en'}
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"parameters file {path} does not exist") from None
    except yaml.YAMLError as err:
        raise ValueError(f"parameters file {path} is not valid YAML or JSON: {err}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ValueError(
            f"parameters file {path} must hold a mapping of names to values, "
            f"got a {type(data).__name__}"
        )
    return {
        k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v for k, v in data.items()
    }


def resolve_parameters(
    defaults: Mapping[str, Any], overrides: Mapping[str, Any], *, base: Path | None = None
) -> dict[str, Any]:
    """The parameters one notebook runs with: its defaults, overridden where it declares them.

    Path parameters (``seeds_dir``, ``codebook_path``, ``output_dir``) given as relative
    paths are made absolute against ``base`` (default: the current directory), since the
    notebook runs in another folder.

    Examples
    --------
    >>> resolve_parameters({"seed": 1, "seeds_dir": None}, {"seed": 2, "other": 3})
    {'seed': 2, 'seeds_dir': None}
    """
    params = {k: overrides.get(k, v) for k, v in defaults.items()}
    root = Path.cwd() if base is None else base
    for key in PATH_PARAMETERS:
        if params.get(key) is not None:
            params[key] = str((root / Path(str(params[key]))).resolve())
    return params


# --------------------------------------------------------------------------- hashing


def hash_bytes(data: bytes) -> str:
    """SHA-256 of some bytes, as hex.

    Examples
    --------
    >>> hash_bytes(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def hash_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes; ``"missing"`` when the file does not exist.

    Examples
    --------
    >>> hash_file("/nonexistent/file")
    'missing'
    """
    try:
        return hash_bytes(Path(path).read_bytes())
    except FileNotFoundError:
        return "missing"


def hash_tree(folder: str | Path, *, suffixes: Iterable[str] | None = None) -> str:
    """One SHA-256 over a folder's files: relative paths and contents, in sorted order.

    Hidden files and ``__pycache__`` are ignored, as are files not ending in one of
    ``suffixes`` when given. Renaming, adding, removing or editing a file changes the hash;
    touching it does not.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> empty = hash_tree(d)
    >>> _ = (d / "a.txt").write_text("x")
    >>> hash_tree(d) != empty
    True
    """
    root = Path(folder)
    if not root.exists():
        return "missing"
    wanted = tuple(suffixes) if suffixes is not None else None
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(
            part.startswith(".") or part == "__pycache__" for part in rel.parts
        ):
            continue
        if wanted is not None and not path.name.endswith(wanted):
            continue
        digest.update(rel.as_posix().encode("utf-8") + b"\0")
        digest.update(hash_file(path).encode("ascii") + b"\n")
    return digest.hexdigest()


def hash_parameters(params: Mapping[str, Any]) -> str:
    """SHA-256 of the parameters that shape a notebook's results (not ``output_dir``).

    Examples
    --------
    >>> hash_parameters({"a": 1, "output_dir": "x"}) == hash_parameters({"a": 1})
    True
    """
    used = {k: v for k, v in params.items() if k not in UNHASHED_PARAMETERS}
    return hash_bytes(json.dumps(used, sort_keys=True, default=str).encode("utf-8"))


def used_parameters(path: str | Path, names: Iterable[str]) -> set[str]:
    """The parameters among ``names`` that a notebook's code refers to, outside its
    ``parameters`` cell: only these enter its cache key, so changing a parameter re-runs
    only the notebooks that use it. A name counts wherever it appears as a whole word,
    which errs on the side of re-running.

    Examples
    --------
    >>> from analysis.config import NOTEBOOKS_DIR
    >>> sorted(used_parameters(NOTEBOOKS_DIR / "01_corpus.ipynb", ["n_boot", "seeds_dir"]))
    ['seeds_dir']
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    code = "\n".join(
        cell.source
        for cell in nb.cells
        if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", [])
    )
    return {name for name in names if re.search(rf"\b{re.escape(name)}\b", code)}


def input_hashes(notebook: Path, params: Mapping[str, Any]) -> dict[str, str]:
    """The content hashes a notebook's cache key is made of.

    Parameters
    ----------
    notebook : Path
        The source notebook.
    params : mapping
        The notebook's resolved parameters (:func:`resolve_parameters`).

    Returns
    -------
    dict
        ``notebook``, ``seeds``, ``codebook``, ``parameters``, ``library``, ``gold`` (the
        hand-coded validation sets) and ``real_dev`` hashes and the combined ``key``.
    """
    seeds = params.get("seeds_dir") or SEEDS_DIR
    codebook = params.get("codebook_path") or CODEBOOK_PATH
    used = used_parameters(notebook, params)
    hashes = {
        "notebook": hash_file(notebook),
        "seeds": hash_tree(seeds),
        "codebook": hash_file(codebook),
        "parameters": hash_parameters({k: params[k] for k in used}),
        "library": hash_tree(PACKAGE_DIR, suffixes=(".py", ".yaml", ".yml", ".json")),
        # the hand-coded validation sets are read from here whatever seeds_dir is
        "gold": hash_tree(GOLD_DIR),
        # and the real-text development set beside the project ("missing" where absent)
        "real_dev": hash_tree(REAL_DEV_DIR),
    }
    hashes["key"] = hash_bytes(json.dumps(hashes, sort_keys=True).encode("utf-8"))
    return hashes


# --------------------------------------------------------------------------- notebooks


def clean_notebook(nb: Any) -> Any:
    """Strip volatile metadata (papermill records, execution timings) and keep outputs.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook; it is not modified.

    Returns
    -------
    nbformat.NotebookNode
        A copy without ``metadata.papermill``, cell ``metadata.papermill`` /
        ``metadata.execution`` / ``metadata.ExecuteTime``; ``language_info.version``
        is kept out too, so the stored notebooks do not churn across patch releases.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(metadata={"papermill": {"duration": 1.0}})
    >>> "papermill" in clean_notebook(nb).metadata
    False
    """
    import copy

    out = copy.deepcopy(nb)
    out.metadata.pop("papermill", None)
    out.metadata.get("language_info", {}).pop("version", None)
    for cell in out.cells:
        for key in ("papermill", "execution", "ExecuteTime"):
            cell.metadata.pop(key, None)
    return out


def _failing_cell(source_nb: Path, err: Exception) -> tuple[int | None, str]:
    import nbformat

    source = getattr(err, "source", "") or ""
    index = getattr(err, "cell_index", None)
    nb = nbformat.read(str(source_nb), as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and source and cell.source == source:
            index = i
            break
    lines = [ln for ln in source.splitlines() if ln.strip() and not ln.startswith("#|")]
    return index, (lines[0] if lines else "")


def execute_notebook(
    source: Path,
    target: Path,
    parameters: Mapping[str, Any],
    *,
    cwd: Path,
    kernel_name: str = "python3",
) -> None:
    """Run one notebook with papermill; raise :class:`NotebookError` if a cell fails.

    Parameters
    ----------
    source, target : Path
        Notebook to run and where to write the executed copy.
    parameters : mapping
        Values injected after the ``parameters`` cell (nothing is injected when empty).
    cwd : Path, keyword-only
        Working directory of the kernel (the notebooks' folder, as in JupyterLab).
    kernel_name : str, keyword-only
        Jupyter kernel; ``python3`` is the environment the build runs in.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=dict(parameters),
            kernel_name=kernel_name,
            # The kernel's working directory, set through nbclient: papermill's own `cwd`
            # changes the directory of this whole process, which races between threads.
            resources={"metadata": {"path": str(cwd)}},
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            # Keep the kernel's own start-up and shutdown chatter out of the build's output;
            # cell errors still reach us through papermill.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as err:
        index, first_line = _failing_cell(source, err)
        raise NotebookError(source.name, index, first_line, f"{err.ename}: {err.evalue}") from None
    except Exception as err:  # kernel died, timeout, unreadable notebook
        raise NotebookError(source.name, None, "", f"{type(err).__name__}: {err}") from None


# --------------------------------------------------------------------------- rendering


_CELL_OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")
_IPYNB_LINK = re.compile(r"\]\(([A-Za-z0-9_.-]+)\.ipynb(#[^)]*)?\)")
_CROSSREF = re.compile(r"@((?:fig|tbl)-[A-Za-z0-9_-]+)")


def cell_options(source: str) -> dict[str, Any]:
    """Quarto cell options: the leading ``#| key: value`` lines of a code cell.

    Examples
    --------
    >>> cell_options("#| label: fig-x\\n#| fig-cap: Rates\\nshow(x)")
    {'label': 'fig-x', 'fig-cap': 'Rates'}
    """
    options: dict[str, Any] = {}
    for line in source.splitlines():
        match = _CELL_OPTION.match(line)
        if not match:
            break
        options[match[1]] = _yaml_scalar(match[2])
    return options


def page_names(notebooks: Sequence[str]) -> dict[str, str]:
    """Page stem for each notebook: the first (the report) is ``index``, others keep theirs.

    Examples
    --------
    >>> page_names(["00_report.ipynb", "01_corpus.ipynb"])
    {'00_report.ipynb': 'index', '01_corpus.ipynb': '01_corpus'}
    """
    ordered = sorted(notebooks)
    return {name: ("index" if i == 0 else Path(name).stem) for i, name in enumerate(ordered)}


def rewrite_links(nb: Any, pages: Mapping[str, str], *, suffix: str) -> Any:
    """Point markdown links between notebooks at their rendered pages (a copy).

    ``[corpus](01_corpus.ipynb)`` becomes ``[corpus](01_corpus.html)`` (``suffix=".html"``),
    and a link to the report becomes ``index`` + suffix.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("[r](00_report.ipynb)")])
    >>> rewrite_links(nb, {"00_report.ipynb": "index"}, suffix=".html").cells[0].source
    '[r](index.html)'
    """
    import copy

    out = copy.deepcopy(nb)

    def link(match: re.Match[str]) -> str:
        stem = pages.get(f"{match[1]}.ipynb", match[1])
        return f"]({stem}{suffix}{match[2] or ''})"

    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = _IPYNB_LINK.sub(link, cell.source)
    return out


def number_captions(nb: Any) -> Any:
    """Number figures and tables and resolve ``@fig-…``/``@tbl-…`` references (a copy).

    For renderers without Quarto's cross-references: each code cell with a ``#| label:
    fig-…`` (or ``tbl-…``) option gets an anchored caption ("Figure 2: …") from its
    ``fig-cap`` (``tbl-cap``) option, and markdown references become links to it.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("See @fig-a."),
    ...     nbformat.v4.new_code_cell("#| label: fig-a\\n#| fig-cap: Rates\\nx")])
    >>> number_captions(nb).cells[0].source
    'See [Figure 1](#fig-a).'
    """
    import copy

    import nbformat

    out = copy.deepcopy(nb)
    numbers: dict[str, str] = {}
    counters = {"fig": 0, "tbl": 0}
    names = {"fig": "Figure", "tbl": "Table"}
    for cell in out.cells:
        if cell.cell_type != "code":
            continue
        options = cell_options(cell.source)
        label = str(options.get("label", ""))
        kind = label.split("-", 1)[0]
        if kind not in counters:
            continue
        counters[kind] += 1
        numbers[label] = f"{names[kind]} {counters[kind]}"
        caption = html.escape(str(options.get(f"{kind}-cap", "")))
        text = f'<p class="coco-caption" id="{html.escape(label)}"><strong>{numbers[label]}'
        text += f":</strong> {caption}</p>" if caption else "</strong></p>"
        output = nbformat.v4.new_output("display_data", data={"text/html": text})
        # Quarto places table captions above the table and figure captions below.
        cell.outputs = [output, *cell.outputs] if kind == "tbl" else [*cell.outputs, output]

    def ref(match: re.Match[str]) -> str:
        label = match[1]
        return f"[{numbers[label]}](#{label})" if label in numbers else match[0]

    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = _CROSSREF.sub(ref, cell.source)
    return out


def front_matter(nb: Any) -> dict[str, Any]:
    """The YAML front matter of a notebook: its first cell, when raw and fenced by ``---``.

    Examples
    --------
    >>> import nbformat
    >>> front_matter(nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_raw_cell("---\\ntitle: Corpus\\n---")]))
    {'title': 'Corpus'}
    """
    if nb.cells and nb.cells[0].cell_type == "raw":
        text = nb.cells[0].source.strip()
        if text.startswith("---") and text.endswith("---"):
            data = yaml.safe_load(text.strip("-").strip()) or {}
            return data if isinstance(data, dict) else {}
    return {}


def notebook_title(nb: Any, default: str) -> str:
    """The notebook's title: from its front matter, else its first ``# heading``.

    Examples
    --------
    >>> import nbformat
    >>> notebook_title(nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# Corpus\\ntext")]), "x")
    'Corpus'
    """
    title = front_matter(nb).get("title")
    if title:
        return str(title)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{#- Offline: no require.js, MathJax, Mermaid or widget scripts from a CDN. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
body { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
nav.coco-nav { font-family: sans-serif; padding: 0.8rem 0; border-bottom: 1px solid #ddd; }
nav.coco-nav a { margin-right: 1.2rem; text-decoration: none; color: #0072B2; }
nav.coco-nav a.current { font-weight: bold; color: #000; }
h1.title, p.subtitle { font-family: sans-serif; }
p.subtitle { color: #444; font-size: 1.1rem; margin-top: -0.5rem; }
.jp-RenderedHTMLCommon table.coco-table { border-collapse: collapse; font-size: 0.85rem;
  margin: 0.5rem 0; table-layout: auto; }
.jp-RenderedHTMLCommon table.coco-table th,
.jp-RenderedHTMLCommon table.coco-table td { border: 1px solid #ddd; padding: 0.2rem 0.4rem;
  text-align: left; vertical-align: top; max-width: 40rem; }
.jp-RenderedHTMLCommon table.coco-table td.num { text-align: right;
  font-variant-numeric: tabular-nums; }
p.coco-caption { font-size: 0.9rem; color: #333; }
footer.coco-footer { font-size: 0.8rem; color: #555; border-top: 1px solid #ddd;
  margin-top: 2rem; padding: 0.8rem 0; }
</style>
{%- endblock extra_css -%}
{#- A chart's alt text is its description, kept in the output's metadata (charts.show). -#}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
<img src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}"
  alt="{{ (output.metadata.get('image/svg+xml') or {}).get('alt', '') | escape_html }}">
</div>
{%- endblock data_svg %}
{%- block body_header -%}
{{ super() }}
{{ resources.coco_nav }}
{{ resources.coco_heading }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.coco_footer }}
{{ super() }}
{% endblock body_footer %}
"""

_EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|img|iframe)[^>]+src\s*=\s*[\"']?(?:https?:)?//"
    r"|<link[^>]+href\s*=\s*[\"']?(?:https?:)?//"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//",
    re.IGNORECASE,
)


def external_resources(page: str) -> list[str]:
    """Scripts, images, stylesheets and CSS imports a page would fetch from the network.

    Examples
    --------
    >>> external_resources('<script src="https://cdn.example/x.js"></script>')
    ['<script src="https://']
    >>> external_resources('<a href="https://quarto.org">Quarto</a>')
    []
    """
    return [m[0] for m in _EXTERNAL_RESOURCE.finditer(page)]


def _nav(pages: Sequence[tuple[str, str]], current: str) -> str:
    links = []
    for stem, title in pages:
        cls = ' class="current"' if stem == current else ""
        links.append(f'<a href="{stem}.html"{cls}>{html.escape(title)}</a>')
    return '<nav class="coco-nav">' + "".join(links) + "</nav>"


def _render_nbconvert(executed: Sequence[Path], out_dir: Path) -> None:
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"coco.html.j2": _TEMPLATE})],
        template_file="coco.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    pages = page_names([p.name for p in executed])
    nbs = {p.name: nbformat.read(str(p), as_version=4) for p in executed}
    titles = [(pages[n], notebook_title(nbs[n], Path(n).stem)) for n in sorted(nbs)]
    footer = (
        '<footer class="coco-footer">Rendered with nbconvert (Quarto was not found; '
        f'get it from <a href="{QUARTO_URL}">{QUARTO_URL}</a> for the Quarto site and PDF).'
        "</footer>"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, nb in sorted(nbs.items()):
        meta = front_matter(nb)
        title = notebook_title(nb, Path(name).stem)
        nb = number_captions(rewrite_links(nb, pages, suffix=".html"))
        if meta:  # the front matter is for Quarto; here it becomes the page heading
            nb.cells = nb.cells[1:]
        heading = f'<h1 class="title">{html.escape(title)}</h1>'
        if meta.get("subtitle"):
            heading += f'<p class="subtitle">{html.escape(str(meta["subtitle"]))}</p>'
        resources = {
            "metadata": {"name": title},
            "coco_nav": _nav(titles, pages[name]),
            "coco_heading": heading,
            "coco_footer": footer,
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        leaks = external_resources(body)
        if leaks:
            raise BuildError(
                f"{name}: the rendered page would load {leaks[0]!r}... from the network"
            )
        (out_dir / f"{pages[name]}.html").write_text(body, encoding="utf-8")


def find_quarto() -> str | None:
    """Path of the ``quarto`` executable, or None when it is not on PATH."""
    return shutil.which("quarto")


def stage_quarto_project(executed: Sequence[Path], stage: Path, *, project: Path) -> Path:
    """Lay out a Quarto project to render: ``_quarto.yml`` and the executed notebooks.

    The report notebook is staged as ``index.ipynb`` (a website's home page); links
    between notebooks are rewritten to the staged names and HTML outputs become raw
    HTML blocks (:func:`html_outputs_as_raw_markdown`). Returns the stage folder.
    """
    import nbformat

    stage.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(project, stage / "_quarto.yml")
    pages = page_names([p.name for p in executed])
    for path in executed:
        nb = rewrite_links(nbformat.read(str(path), as_version=4), pages, suffix=".ipynb")
        staged = chart_alt_as_fig_alt(html_outputs_as_raw_markdown(nb))
        nbformat.write(staged, str(stage / f"{pages[path.name]}.ipynb"))
    return stage


# Quarto (src/core/jupyter/widgets.ts, extractJupyterWidgetDependencies) treats a notebook
# with any display output carrying one of these MIME types as holding JavaScript widgets,
# and then puts require.js and jQuery from cdn.jsdelivr.net into every page it renders.
QUARTO_WIDGET_MIME_TYPES: tuple[str, ...] = (
    "text/html",
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
)


def quarto_widget_outputs(nb: Any) -> list[tuple[int, str]]:
    """(cell index, MIME type) of each output that makes Quarto load widget scripts.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
    ...     "display_data", data={"text/html": "<b>x</b>", "text/plain": "x"})])
    >>> quarto_widget_outputs(nbformat.v4.new_notebook(cells=[cell]))
    [(0, 'text/html')]
    """
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") in ("display_data", "execute_result"):
                data = output.get("data", {})
                found.extend((index, m) for m in data if m in QUARTO_WIDGET_MIME_TYPES)
    return found


def html_outputs_as_raw_markdown(nb: Any) -> Any:
    """A copy of ``nb`` whose ``text/html`` outputs are ``text/markdown`` raw HTML blocks.

    For a ``text/html`` output Quarto writes the same raw block (jupyter.ts,
    ``mdHtmlOutput``), then reads an HTML table in it into a real table for both HTML and
    Typst; but the ``text/html`` key itself makes Quarto load widget scripts from a CDN
    (:data:`QUARTO_WIDGET_MIME_TYPES`). Other outputs, and outputs with scripts, are
    left as they are.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
    ...     "execute_result", data={"text/html": "<table></table>", "text/plain": "t"})])
    >>> out = html_outputs_as_raw_markdown(nbformat.v4.new_notebook(cells=[cell]))
    >>> out.cells[0].outputs[0].data["text/markdown"]
    '```{=html}\\n<table></table>\\n```\\n'
    """
    nb = deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if "text/html" not in data or "application/javascript" in data:
                continue
            source = data.pop("text/html")
            source = "".join(source) if isinstance(source, list) else source
            if "text/markdown" not in data:
                runs = re.findall(r"`+", source)
                fence = "`" * max(3, 1 + max(map(len, runs), default=0))
                data["text/markdown"] = f"{fence}{{=html}}\n{source.rstrip(chr(10))}\n{fence}\n"
    return nb


def chart_alt_as_fig_alt(nb: Any) -> Any:
    """A copy of ``nb`` whose chart cells carry their text description as ``fig-alt``.

    Quarto takes a figure's alt text from the ``fig-alt`` cell option (else the caption),
    not from the output's metadata, where :func:`analysis.charts.show` puts it; so the
    staged copy gets a ``#| fig-alt:`` line after the cell's other options. A cell that
    sets ``fig-alt`` itself is left alone.

    Examples
    --------
    >>> import nbformat
    >>> out = nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>"},
    ...     metadata={"image/svg+xml": {"alt": 'Bars: "coercion" 24.7'}})
    >>> cell = nbformat.v4.new_code_cell("#| label: fig-a\\nshow(c)", outputs=[out])
    >>> print(chart_alt_as_fig_alt(nbformat.v4.new_notebook(cells=[cell])).cells[0].source)
    #| label: fig-a
    #| fig-alt: "Bars: \\"coercion\\" 24.7"
    show(c)
    """
    nb = deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        alts = [
            (o.get("metadata", {}).get("image/svg+xml") or {}).get("alt")
            for o in cell.get("outputs", [])
            if "image/svg+xml" in o.get("data", {})
        ]
        alts = [a for a in alts if a]
        lines = cell.source.splitlines()
        if not alts or any(re.match(r"#\|\s*fig-alt:", line) for line in lines):
            continue
        options = next((i for i, line in enumerate(lines) if not line.startswith("#|")), len(lines))
        # a JSON string is a YAML double-quoted scalar: the description stays text
        option = "#| fig-alt: " + json.dumps(" ".join(alts[0].split()), ensure_ascii=False)
        cell.source = "\n".join([*lines[:options], option, *lines[options:]])
    return nb


def _quarto_output_dir(project: Path) -> str:
    config = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
    return str(config.get("project", {}).get("output-dir", "_site"))


# Quarto reports each file of a project render as "[3/6] name.ipynb" on stderr
# (src/command/render/render-files.ts), after a carriage return and maybe colours.
_QUARTO_PROGRESS = re.compile(r"\[\s*(\d+)/(\d+)\]\s+(\S.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _run_quarto(command: list[str], *, label: str, emit: Callable[[BuildEvent], None]) -> None:
    """Run one ``quarto render``, passing its per-file progress on as build events."""
    started = time.perf_counter()
    emit(BuildEvent(None, "rendering", f"{label}: starting"))
    tail: list[str] = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as proc:
        assert proc.stdout is not None
        for chunk in proc.stdout:
            for line in _ANSI.sub("", chunk).replace("\r", "\n").splitlines():
                line = line.strip()
                if not line:
                    continue
                tail = [*tail[-14:], line]
                found = _QUARTO_PROGRESS.search(line)
                if found:
                    n, total, name = found.groups()
                    elapsed = time.perf_counter() - started
                    detail = f"{label}: {n}/{total} {name} ({elapsed:.0f} s)"
                    emit(BuildEvent(None, "rendering", detail))
    if proc.returncode != 0:
        raise BuildError(f"`{' '.join(command[1:])}` failed:\n" + "\n".join(tail))
    emit(BuildEvent(None, "rendered", f"{label} in {time.perf_counter() - started:.1f} s"))


def _render_quarto(
    executed: Sequence[Path],
    out_dir: Path,
    *,
    quarto: str,
    project: Path,
    pdf: bool,
    emit: Callable[[BuildEvent], None],
) -> None:
    stage = stage_quarto_project(executed, out_dir.parent / "quarto", project=project)
    formats = ["html", "typst"] if pdf else ["html"]
    for step, to in enumerate(formats, start=1):
        command = [quarto, "render", str(stage), "--to", to]
        if step > 1:
            command.append("--no-clean")
        what = "HTML site" if to == "html" else "Typst PDF"
        _run_quarto(command, label=f"quarto {what} ({step} of {len(formats)})", emit=emit)
    os.replace(stage / _quarto_output_dir(project), out_dir)
    for page in sorted(out_dir.rglob("*.html")):
        leaks = external_resources(page.read_text(encoding="utf-8", errors="replace"))
        if leaks:
            raise BuildError(
                f"{page.relative_to(out_dir)}: the Quarto page would load {leaks[0]!r}... "
                "from the network"
            )


def _swap_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target`` with renames only (same file system)."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)


def choose_renderer(renderer: Renderer, *, pdf: bool = False) -> Literal["quarto", "nbconvert"]:
    """The renderer a build will use: Quarto when asked for or found, nbconvert otherwise.

    Raises
    ------
    ValueError
        ``renderer`` is not one of "auto", "quarto", "nbconvert".
    BuildError
        Quarto is asked for (``renderer="quarto"`` or ``pdf=True``) but not on PATH.

    Examples
    --------
    >>> choose_renderer("nbconvert")
    'nbconvert'
    """
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {list(RENDERERS)}, got {renderer!r}")
    found = find_quarto() is not None
    if renderer == "quarto" and not found:
        raise BuildError(
            f"renderer 'quarto' asked for, but quarto is not on PATH; see {QUARTO_URL}"
        )
    use = "quarto" if renderer == "quarto" or (renderer == "auto" and found) else "nbconvert"
    if pdf and use != "quarto":
        raise BuildError(f"--pdf needs Quarto (Typst PDF), which is not on PATH; see {QUARTO_URL}")
    return use


def render_site(
    executed: Sequence[Path],
    site_dir: Path,
    *,
    renderer: Renderer = "auto",
    pdf: bool = False,
    project: Path = QUARTO_PROJECT,
    on_event: Callable[[BuildEvent], None] | None = None,
) -> str:
    """Render executed notebooks into ``site_dir``; return the renderer used.

    Parameters
    ----------
    executed : sequence of Path
        Executed notebooks; the first in name order becomes ``index.html``.
    site_dir : Path
        Destination; replaced as a whole once the new site is complete.
    renderer : {"auto", "quarto", "nbconvert"}, keyword-only
        "auto" uses Quarto when ``quarto`` is on PATH, nbconvert otherwise.
    pdf : bool, keyword-only
        Also render a PDF (Typst) through Quarto.
    project : Path, keyword-only
        The Quarto project file.
    on_event : callable or None, keyword-only
        Called with ``rendering`` events naming the renderer, the format, the file and
        the time so far, and a ``rendered`` event when each format is done.

    Returns
    -------
    str
        ``"quarto"`` or ``"nbconvert"``.
    """
    emit = on_event or (lambda event: None)
    use = choose_renderer(renderer, pdf=pdf)
    quarto = find_quarto()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".render-", dir=site_dir.parent))
    try:
        out_dir = work / "site"
        if use == "quarto":
            _render_quarto(
                executed, out_dir, quarto=str(quarto), project=project, pdf=pdf, emit=emit
            )
        else:
            started = time.perf_counter()
            emit(BuildEvent(None, "rendering", f"nbconvert HTML site: {len(executed)} pages"))
            _render_nbconvert(executed, out_dir)
            elapsed = time.perf_counter() - started
            emit(BuildEvent(None, "rendered", f"nbconvert HTML site in {elapsed:.1f} s"))
        _swap_dir(out_dir, site_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return use


# --------------------------------------------------------------------------- the build


def package_versions() -> dict[str, str]:
    """Python and the versions of the packages the results depend on.

    Examples
    --------
    >>> "python" in package_versions() and "polars" in package_versions()
    True
    """
    versions = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class BuildEvent:
    """Progress of a build, for a display: ``notebook`` is None for build-wide steps."""

    notebook: str | None
    status: Literal["cached", "running", "done", "failed", "rendering", "rendered", "skipped"]
    detail: str = ""


@dataclass
class BuildResult:
    """What a build did; ``record`` is what was written to ``build.json``."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    renderer: str | None = None
    rendered: bool = False
    record: dict[str, Any] = field(default_factory=dict)
    site: Path | None = None


def read_record(reports_dir: Path) -> dict[str, Any]:
    """The last build record (``build.json``), or {} when missing or unreadable."""
    try:
        record = json.loads((reports_dir / RECORD_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _relative(path: str | Path) -> str:
    path = Path(path)
    try:
        return path.resolve().relative_to(PROJ_ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def record_parameters(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as shown in the report: paths relative to the project when inside it.

    Examples
    --------
    >>> from analysis.config import SEEDS_DIR
    >>> record_parameters({"seeds_dir": str(SEEDS_DIR), "n_boot": 10})
    {'seeds_dir': 'seeds', 'n_boot': 10}
    """
    return {
        k: (_relative(published_path(v)) if k in PATH_PARAMETERS and v is not None else v)
        for k, v in params.items()
    }


def published_path(path: str | Path) -> str:
    """Where a path inside a build's staging folder is published (other paths as they are).

    A notebook writes its tables into the build's own folder; the report names the
    folder they are published in.

    Examples
    --------
    >>> published_path("/p/reports/.build-k2x/data")
    '/p/reports/data'
    >>> published_path("/p/tables/.out.staging-.build-k2x")
    '/p/tables/out'
    >>> published_path("/p/seeds")
    '/p/seeds'
    """
    text = str(path)
    text = re.sub(r"/\.([^/]+)\.staging-\.build-[^/]+$", r"/\1", text)
    return re.sub(r"/\.build-[^/]+(?=/|$)", "", text)


def parameters_table(params: Mapping[str, Any]) -> pl.DataFrame:
    """The run's parameters for the reproducibility record: name, value, and what None means.

    Examples
    --------
    >>> parameters_table({"seeds_dir": None, "n_boot": 1000}).rows()
    [('seeds_dir', 'None', 'seeds'), ('n_boot', '1000', '1000')]
    """
    from analysis.config import DATA_DIR

    defaults = {"seeds_dir": SEEDS_DIR, "codebook_path": CODEBOOK_PATH, "output_dir": DATA_DIR}
    names, values, used = [], [], []
    for name, value in params.items():
        names.append(name)
        values.append(str(record_parameters({name: value})[name]))
        if value is None and name in defaults:
            used.append(_relative(defaults[name]))
        elif value is None:
            used.append("(no filter)")
        else:
            used.append(values[-1])
    return pl.DataFrame({"parameter": names, "value": values, "in_effect": used})


def versions_table() -> pl.DataFrame:
    """Versions of Python and the packages, as ``name==version`` requirement lines.

    Examples
    --------
    >>> versions_table()["requirement"][0].startswith("python==")
    True
    """
    return pl.DataFrame({"requirement": [f"{k}=={v}" for k, v in package_versions().items()]})


def run_build(
    *,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    reports_dir: Path = REPORTS_DIR,
    overrides: Mapping[str, Any] | None = None,
    force: bool = False,
    renderer: Renderer = "auto",
    pdf: bool = False,
    only: Sequence[str] | None = None,
    workers: int = 2,
    on_event: Callable[[BuildEvent], None] | None = None,
    project: Path = QUARTO_PROJECT,
) -> BuildResult:
    """Execute the notebooks that changed, render the report, write ``build.json``.

    Everything a build writes (executed notebooks, tables, site, record) goes into a new
    folder ``<reports_dir>/.build-<id>/``, and is published at the very end by one
    atomic rename: the symbolic link ``<reports_dir>/.current`` is pointed at the new
    folder. ``notebooks``, ``data``, ``site`` and ``build.json`` in ``reports_dir`` are
    fixed links into ``.current``, so a reader sees either the whole previous report or
    the whole new one, whatever stops the build process (a failing notebook, Ctrl-C,
    ``kill -9``, the out-of-memory killer). Files are not fsync'ed: after a crash of the
    machine itself, what survives is up to the file system. Leftovers of a stopped build
    are removed when the next build starts. A tables folder given outside the reports
    folder (``--param output_dir=DIR``) is staged beside itself and swapped in by renames
    just before the report is published; if the build stops between the two, the record
    no longer matches those tables and the next build re-runs their notebooks. Two
    builds cannot run at once on one reports folder: each holds the lock
    ``<reports_dir>/.lock`` (see :func:`lock_reports`); the second fails at once.

    Parameters
    ----------
    notebooks_dir : Path, keyword-only
        Source notebooks (``notebooks/``).
    reports_dir : Path, keyword-only
        Output root: ``notebooks/``, ``data/``, ``site/`` and ``build.json`` go here.
    overrides : mapping or None, keyword-only
        Parameter values; each notebook takes those its ``parameters`` cell declares.
        A name no notebook declares is an error.
    force : bool, keyword-only
        Execute every notebook and render, whatever the cache says.
    renderer : {"auto", "quarto", "nbconvert"}, keyword-only
        See :func:`render_site`.
    pdf : bool, keyword-only
        Also render the PDF (needs Quarto).
    only : sequence of str or None, keyword-only
        Notebook stems or names to run (e.g. ``["01_corpus"]``); None runs all.
    workers : int, keyword-only
        Notebooks executed at once.
    on_event : callable or None, keyword-only
        Called with a :class:`BuildEvent` as the build progresses.

    Returns
    -------
    BuildResult

    Raises
    ------
    NotebookError
        A notebook failed: nothing is published, the previous report is left as it was.
    BuildLockedError
        Another build holds the lock of ``reports_dir``.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    renderer_used = choose_renderer(renderer, pdf=pdf)  # fail before running anything
    emit = on_event or (lambda event: None)
    started = time.perf_counter()
    overrides = dict(overrides or {})
    notebooks = sorted(notebooks_dir.glob("*.ipynb"))
    if not notebooks:
        raise BuildError(f"no notebooks (*.ipynb) in {notebooks_dir}")
    if only:
        wanted = {Path(n).stem for n in only}
        unknown = sorted(wanted - {p.stem for p in notebooks})
        if unknown:
            raise ValueError(
                f"only: no notebook named {unknown}; choose from {[p.stem for p in notebooks]}"
            )
        selected = [p for p in notebooks if p.stem in wanted]
    else:
        selected = notebooks

    defaults = {p.name: notebook_parameters(p) for p in selected}
    declared = set().union(*(d.keys() for d in defaults.values()))
    unknown = sorted(set(overrides) - declared)
    if unknown:
        raise ValueError(
            f"parameter(s) {unknown} are not declared by any notebook; declared: {sorted(declared)}"
        )
    reports_dir = reports_dir.resolve()
    plans: dict[str, dict[str, Any]] = {}
    for path in selected:
        params = resolve_parameters(defaults[path.name], overrides)
        if "output_dir" in params and params["output_dir"] is None:
            params["output_dir"] = str(reports_dir / "data")
        plans[path.name] = {"path": path, "params": params}
    # before anything is created or replaced
    _check_filters(plan["params"] for plan in plans.values())

    reports_dir.mkdir(parents=True, exist_ok=True)
    with lock_reports(reports_dir):
        clean_leftovers(reports_dir, [Path(f) for f in _output_dirs(plans)])
        return _build_locked(
            plans=plans,
            notebooks=notebooks,
            notebooks_dir=notebooks_dir,
            reports_dir=reports_dir,
            force=force,
            renderer=renderer,
            renderer_used=renderer_used,
            pdf=pdf,
            workers=workers,
            emit=emit,
            project=project,
            started=started,
        )


def _build_locked(
    *,
    plans: dict[str, dict[str, Any]],
    notebooks: Sequence[Path],
    notebooks_dir: Path,
    reports_dir: Path,
    force: bool,
    renderer: Renderer,
    renderer_used: str,
    pdf: bool,
    workers: int,
    emit: Callable[[BuildEvent], None],
    project: Path,
    started: float,
) -> BuildResult:
    """The build proper, under the reports folder's lock: plan, stage, publish."""
    executed_dir = reports_dir / "notebooks"
    site_dir = reports_dir / "site"
    data_dir = reports_dir / "data"
    previous = read_record(reports_dir)
    prev_notebooks: dict[str, Any] = previous.get("notebooks", {})
    prev_data: dict[str, dict[str, str]] = previous.get("data", {})

    for name, plan in plans.items():
        params = plan["params"]
        hashes = input_hashes(plan["path"], params)
        prev = prev_notebooks.get(name, {})
        out = params.get("output_dir")
        plan["hashes"] = hashes
        plan["fresh"] = (
            not force
            and prev.get("inputs", {}).get("key") == hashes["key"]
            and (executed_dir / name).exists()
            # the tables it wrote last time must still be where this build wants them
            and prev.get("output_dir") == (None if out is None else str(out))
            and (out is None or _tables_intact(Path(out), prev_data.get(str(out))))
        )

    to_run = [name for name, plan in plans.items() if not plan["fresh"]]
    result = BuildResult(cached=[n for n in plans if n not in to_run])
    for name in result.cached:
        emit(BuildEvent(name, "cached"))
    must_render = (
        force
        or bool(to_run)
        or pdf
        or not (site_dir / "index.html").exists()
        or previous.get("renderer") != renderer_used
    )

    timings: dict[str, float] = {}
    stage = Path(tempfile.mkdtemp(prefix=BUILD_PREFIX, dir=reports_dir))
    published = False
    # Each tables folder is written in a staged copy: the default one inside the build's
    # folder, one given elsewhere (--param output_dir=...) beside itself.
    staged_tables = {
        folder: (
            stage / "data"
            if Path(folder) == data_dir
            else Path(folder).with_name(f".{Path(folder).name}{STAGED_TABLES}{stage.name}")
        )
        for folder in _output_dirs(plans)
    }
    try:
        # Start from the published report: the executed notebooks and tables of the
        # notebooks this build does not run are carried into the new one.
        _copy_dir(executed_dir, stage / "notebooks")
        _copy_dir(data_dir, stage / "data")
        for folder, staged in staged_tables.items():
            if staged.parent != stage:
                _copy_dir(Path(folder), staged)
        if not must_render:
            _copy_dir(site_dir, stage / "site")

        runs = {
            name: {
                **plan,
                "params": {
                    **plan["params"],
                    **(
                        {"output_dir": str(staged_tables[plan["params"]["output_dir"]])}
                        if plan["params"].get("output_dir") is not None
                        else {}
                    ),
                },
            }
            for name, plan in plans.items()
        }
        if to_run:
            executing = stage / ".executing"
            executing.mkdir()
            _execute_all(runs, to_run, executing, notebooks_dir, workers, emit, timings)
            for name in to_run:
                os.replace(executing / name, stage / "notebooks" / name)
            executing.rmdir()
        result.executed = to_run

        # The site shows every notebook of notebooks_dir that has an executed copy.
        pages = [
            stage / "notebooks" / p.name
            for p in notebooks
            if (stage / "notebooks" / p.name).exists()
        ]
        if must_render:
            emit(BuildEvent(None, "rendering", renderer_used))
            t0 = time.perf_counter()
            result.renderer = render_site(
                pages, stage / "site", renderer=renderer, pdf=pdf, project=project,
                on_event=emit,
            )
            timings["render"] = round(time.perf_counter() - t0, 3)
            result.rendered = True
            emit(BuildEvent(None, "rendered", result.renderer))
        else:
            result.renderer = previous.get("renderer")
            emit(BuildEvent(None, "skipped", "site is up to date"))
        timings["total"] = round(time.perf_counter() - started, 3)

        record = _build_record(
            plans, prev_notebooks, notebooks_dir, reports_dir, staged_tables, result, timings
        )
        _write_json(stage / RECORD_NAME, record)
        # Tables folders outside the reports folder first, the report last: if the build
        # stops in between, the record still describes the previous tables, whose hashes
        # no longer match, and the next build runs those notebooks again.
        for folder, staged in staged_tables.items():
            if staged.parent != stage:
                _swap_dir(staged, Path(folder))
        publish_build(stage, reports_dir)
        published = True
    finally:
        if not published:
            shutil.rmtree(stage, ignore_errors=True)
            for staged in staged_tables.values():
                shutil.rmtree(staged, ignore_errors=True)
    result.record = record
    result.site = site_dir
    return result


def _build_record(
    plans: Mapping[str, dict[str, Any]],
    prev_notebooks: Mapping[str, Any],
    notebooks_dir: Path,
    reports_dir: Path,
    staged_tables: Mapping[str, Path],
    result: BuildResult,
    timings: Mapping[str, float],
) -> dict[str, Any]:
    """``build.json``: paths as published, table hashes as staged (the same files)."""
    executed_dir = reports_dir / "notebooks"
    record_notebooks = {k: v for k, v in prev_notebooks.items() if (notebooks_dir / k).exists()}
    for name, plan in plans.items():
        entry = dict(prev_notebooks.get(name, {})) if plan["fresh"] else {}
        entry.update(
            {
                "parameters": record_parameters(plan["params"]),
                "inputs": plan["hashes"],
                "executed": _relative(executed_dir / name),
                "output_dir": (
                    None if plan["params"].get("output_dir") is None
                    else str(plan["params"]["output_dir"])
                ),
            }
        )
        if name in timings:
            entry["seconds"] = timings[name]
        record_notebooks[name] = entry
    return {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "renderer": result.renderer,
        "site": _relative(reports_dir / "site" / "index.html"),
        "notebooks": dict(sorted(record_notebooks.items())),
        "executed": result.executed,
        "cached": result.cached,
        "data": {
            folder: _table_manifest(staged_tables[folder]) for folder in sorted(staged_tables)
        },
        "versions": package_versions(),
        "timings": dict(timings),
        "quarto": find_quarto(),
    }


# --------------------------------------------------------------------------- publishing

LOCK_NAME = ".lock"
CURRENT_LINK = ".current"
BUILD_PREFIX = ".build-"
STAGED_TABLES = ".staging-"
#: What a reports folder publishes: links into ``.current``, the last complete build.
PUBLISHED: tuple[str, ...] = ("notebooks", "data", "site", RECORD_NAME)


class BuildLockedError(BuildError):
    """Another build holds the lock of the reports folder."""


@contextmanager
def lock_reports(reports_dir: Path) -> Iterator[Path]:
    """Hold ``<reports_dir>/.lock`` for the time of a build, or fail at once.

    The lock is an ``fcntl.flock`` on that file: the operating system releases it when
    the process holding it ends, however it ends, so a killed build never leaves a
    stale lock. The file keeps the holder's pid, for the message of the next build.

    Raises
    ------
    BuildLockedError
        Another process holds the lock; the message names the lock file and its pid.
    """
    import fcntl

    lock = reports_dir / LOCK_NAME
    with open(lock, "a+", encoding="ascii") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildLockedError(
                f"another build is running in {reports_dir} (pid {holder}): it holds the "
                f"lock {lock}. Wait for it to finish and run the build again; the lock is "
                "released as soon as that process ends."
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
            yield lock
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _output_dirs(plans: Mapping[str, dict[str, Any]]) -> list[str]:
    return sorted(
        {str(p["params"]["output_dir"]) for p in plans.values()
         if p["params"].get("output_dir") is not None}
    )


def _copy_dir(source: Path, target: Path) -> None:
    """Copy a folder (following a link to it), or create an empty one if it is missing."""
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)


def current_build(reports_dir: Path) -> Path | None:
    """The build folder the reports folder publishes (``.current``), or None."""
    link = reports_dir / CURRENT_LINK
    if not link.is_symlink():
        return None
    return reports_dir / os.readlink(link)


def clean_leftovers(reports_dir: Path, tables_dirs: Iterable[Path] = ()) -> list[Path]:
    """Remove what stopped builds left: build folders that are not published, staged
    tables folders, renders and links half made. Call it under :func:`lock_reports`.

    Returns
    -------
    list of Path
        The paths removed.
    """
    keep = current_build(reports_dir)
    patterns = [
        (reports_dir, f"{BUILD_PREFIX}*"),  # also the backups older builds left
        (reports_dir, f"*{STAGED_TABLES}*"),
        (reports_dir, ".render-*"),
        (reports_dir, ".*.link"),
        (reports_dir, ".*.old"),
        *((Path(d).parent, f".{Path(d).name}{STAGED_TABLES}*") for d in tables_dirs),
        *((Path(d).parent, f".{Path(d).name}.old") for d in tables_dirs),
    ]
    removed = []
    for folder, pattern in patterns:
        for path in sorted(folder.glob(pattern)) if folder.is_dir() else []:
            if keep is not None and path == keep:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _link(target: str, link: Path) -> None:
    """Make ``link`` a symbolic link to ``target``, replacing a link or file atomically."""
    tmp = link.with_name(f".{link.name}.link")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    if link.is_dir() and not link.is_symlink():
        # a folder from before links were used: renames cannot swap a folder for a link
        old = link.with_name(f".{link.name}.old")
        os.replace(link, old)
        os.replace(tmp, link)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, link)


def publish_build(stage: Path, reports_dir: Path) -> None:
    """Publish a complete build folder: one rename of the ``.current`` link.

    ``notebooks``, ``data``, ``site`` and ``build.json`` are links to
    ``.current/<name>``, made once; after the rename they all show the new build. The
    previous build folder is then removed. A reports folder written before links were
    used has real folders there: each is swapped for its link once, by renames.
    """
    previous = current_build(reports_dir)
    _link(stage.name, reports_dir / CURRENT_LINK)  # the publishing rename
    for name in PUBLISHED:
        link = reports_dir / name
        target = f"{CURRENT_LINK}/{name}"
        if not (link.is_symlink() and os.readlink(link) == target):
            _link(target, link)
    if previous is not None and previous != stage:
        shutil.rmtree(previous, ignore_errors=True)


def _check_filters(runs: Iterable[Mapping[str, Any]]) -> None:
    """Load the corpus once per filter set that the notebooks run with, so that a filter
    matching nothing stops the build before any notebook or table is replaced."""
    names = ("seeds_dir", "date_from", "date_to", "language")
    seen: set[str] = set()
    for params in runs:
        given = {k: params.get(k) for k in names}
        key = json.dumps(given, sort_keys=True, default=str)
        if key in seen or all(given[k] is None for k in names[1:]):
            continue
        seen.add(key)
        load_documents(**given)


def _table_manifest(folder: Path) -> dict[str, str]:
    """SHA-256 of each file of a tables folder ({} when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {p.name: hash_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def _tables_intact(folder: Path, manifest: Mapping[str, str] | None) -> bool:
    """Whether the tables recorded after the last build are still there, unchanged."""
    if not manifest:
        return False
    return all(
        (folder / name).is_file() and hash_file(folder / name) == digest
        for name, digest in manifest.items()
    )


def _execute_all(
    plans: Mapping[str, dict[str, Any]],
    names: Sequence[str],
    staging: Path,
    cwd: Path,
    workers: int,
    emit: Callable[[BuildEvent], None],
    timings: dict[str, float],
) -> None:
    def run(name: str) -> None:
        plan = plans[name]
        emit(BuildEvent(name, "running"))
        t0 = time.perf_counter()
        try:
            execute_notebook(plan["path"], staging / name, plan["params"], cwd=cwd)
        except NotebookError as err:
            emit(BuildEvent(name, "failed", str(err)))
            raise
        timings[name] = round(time.perf_counter() - t0, 3)
        emit(BuildEvent(name, "done", f"{timings[name]:.1f} s"))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, name) for name in names]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        for future in pending:
            future.cancel()
    # Leaving the pool waited for the notebooks still running; report the first failure.
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]


def bless_notebooks(
    *,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    only: Sequence[str] | None = None,
    workers: int = 2,
    on_event: Callable[[BuildEvent], None] | None = None,
) -> list[Path]:
    """Re-run the notebooks in place with their defaults; keep outputs, strip volatile metadata.

    Each notebook is executed to a temporary file and replaces the original only when
    it ran without error, so a failure leaves the stored notebook as it was.

    Returns
    -------
    list of Path
        The notebooks rewritten.
    """
    import nbformat

    emit = on_event or (lambda event: None)
    notebooks = sorted(notebooks_dir.glob("*.ipynb"))
    if only:
        wanted = {Path(n).stem for n in only}
        notebooks = [p for p in notebooks if p.stem in wanted]
    if not notebooks:
        raise BuildError(f"no notebooks to bless in {notebooks_dir}")
    staging = Path(tempfile.mkdtemp(prefix=".bless-"))
    plans = {p.name: {"path": p, "params": {}} for p in notebooks}
    # The notebooks run with their defaults (output_dir None, the published tables
    # folder): their kernels inherit this variable and write their tables here instead.
    saved = os.environ.get(TABLES_ENV)
    os.environ[TABLES_ENV] = str(staging / "tables")
    try:
        _execute_all(plans, list(plans), staging, notebooks_dir, workers, emit, {})
        for path in notebooks:
            nb = clean_notebook(nbformat.read(str(staging / path.name), as_version=4))
            tmp = path.with_name(f".{path.name}.tmp")
            nbformat.write(nb, str(tmp))
            os.replace(tmp, path)
    finally:
        if saved is None:
            os.environ.pop(TABLES_ENV, None)
        else:
            os.environ[TABLES_ENV] = saved
        shutil.rmtree(staging, ignore_errors=True)
    return notebooks
