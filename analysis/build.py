"""Build the report: one pipeline run, staged and published under a lock.

``coco build`` (see :mod:`analysis.cli`) calls :func:`run_build`, which

1. reads each notebook's parameters (:mod:`analysis.parameters`) and overrides them
   with ``--param`` / ``--params-file``;
2. checks the filters against the corpus, before anything is written;
3. executes with papermill (:mod:`analysis.execute`) the notebooks whose inputs changed
   since the last build (content hashes compared with ``build.json``), two at a time,
   the longest first, while it fills the cache with the coded data set
   (:mod:`analysis.cache`): the corpus is read, split and coded once, and every
   notebook reads the result;
4. renders the report with Quarto or nbconvert (:mod:`analysis.render`);
5. writes ``build.json`` (:mod:`analysis.record`).

All of it is written into one folder, ``reports/.build-<id>/``, published at the end by
one rename (the ``reports/.current`` link; ``notebooks``, ``data``, ``site`` and
``build.json`` are links into it), under the lock ``reports/.lock``: see
:func:`run_build` for the exact guarantee. :func:`bless_notebooks` re-runs the
notebooks in place for ``coco bless``.

The notebooks' reading and writing calls live in :mod:`analysis.data` and are named
here too, as the notebooks call them: ``build.load_dataset``, ``build.write_tables``,
``build.parameters_table`` and ``build.versions_table``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import cache, data, review
from analysis import dataset as stored
from analysis.config import NOTEBOOKS_DIR, QUARTO_PROJECT, REPORTS_DIR, SEEDS_DIR
from analysis.data import TABLES_ENV, Dataset, load_dataset, load_documents, write_tables
from analysis.execute import BuildError, BuildEvent, NotebookError, clean_notebook, execute_all
from analysis.parameters import notebook_parameters, resolve_parameters
from analysis.record import (
    RECORD_NAME,
    build_record,
    parameters_table,
    read_record,
    relative,
    tables_intact,
    versions_table,
    write_json,
)
from analysis.render import Renderer, choose_renderer, find_quarto, render_site, swap_dir

__all__ = [
    "BuildError",
    "BuildEvent",
    "BuildLockedError",
    "BuildResult",
    "Dataset",
    "NotebookError",
    "bless_notebooks",
    "clean_leftovers",
    "lock_reports",
    "check_datasets",
    "fill_datasets",
    "prepare_datasets",
    "publish_build",
    "run_build",
    "select_notebooks",
    "store_notebook",
    # what the notebooks call
    "load_dataset",
    "load_documents",
    "parameters_table",
    "versions_table",
    "write_tables",
]


@dataclass
class BuildResult:
    """What a build did; ``record`` is what was written to ``build.json``."""

    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    renderer: str | None = None
    rendered: bool = False
    record: dict[str, Any] = field(default_factory=dict)
    site: Path | None = None


def select_notebooks(notebooks_dir: Path, only: Sequence[str] | None = None) -> list[Path]:
    """The notebooks of a folder, in name order, or those named in ``only``.

    ``coco build --only`` and ``coco bless --only`` both take a notebook's stem
    (``01_corpus``) or file name (``01_corpus.ipynb``), repeatable.

    Raises
    ------
    BuildError
        The folder holds no notebook.
    ValueError
        A name in ``only`` is not a notebook of the folder; the message lists them.

    Examples
    --------
    >>> [p.name for p in select_notebooks(NOTEBOOKS_DIR, ["01_corpus.ipynb", "00_report"])]
    ['00_report.ipynb', '01_corpus.ipynb']
    >>> select_notebooks(NOTEBOOKS_DIR, ["99_x"])
    Traceback (most recent call last):
    ...
    ValueError: only: no notebook named ['99_x']; choose from ['00_report', ...]
    """
    notebooks = sorted(notebooks_dir.glob("*.ipynb"))
    if not notebooks:
        raise BuildError(f"no notebooks (*.ipynb) in {notebooks_dir}")
    if not only:
        return notebooks
    wanted = {Path(n).stem for n in only}
    unknown = sorted(wanted - {p.stem for p in notebooks})
    if unknown:
        raise ValueError(
            f"only: no notebook named {unknown}; choose from {[p.stem for p in notebooks]}"
        )
    return [p for p in notebooks if p.stem in wanted]


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
    notebooks = select_notebooks(notebooks_dir)
    selected = select_notebooks(notebooks_dir, only)

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
    # filters that match nothing stop the build here, before anything is created
    sources = check_datasets([plan["params"] for plan in plans.values()])

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
            sources=sources,
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
    sources: list[dict[str, Any]],
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
        hashes = cache.input_hashes(plan["path"], params)
        prev = prev_notebooks.get(name, {})
        out = params.get("output_dir")
        plan["hashes"] = hashes
        plan["fresh"] = (
            not force
            and prev.get("inputs", {}).get("key") == hashes["key"]
            and (executed_dir / name).exists()
            # the tables it wrote last time must still be where this build wants them
            and prev.get("output_dir") == (None if out is None else str(out))
            and (out is None or tables_intact(Path(out), prev_data.get(str(out))))
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
    datasets: list[dict[str, Any]] = previous.get("datasets", []) if not to_run else []
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
            # The coded data set is filled while the first kernels start; a notebook
            # that asks for it before it is stored waits for it (analysis.cache).
            with ThreadPoolExecutor(max_workers=1) as filler:
                filling = filler.submit(fill_datasets, sources, on_event=emit)
                try:
                    order = _longest_first(to_run, prev_notebooks, notebooks_dir)
                    execute_all(runs, order, executing, notebooks_dir, workers, emit, timings)
                finally:
                    wait([filling])  # a notebook's failure is the one reported
                datasets = filling.result()
            timings["dataset"] = round(sum(d["seconds"] for d in datasets), 3)
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
                pages,
                stage / "site",
                renderer=renderer,
                pdf=pdf,
                project=project,
                on_event=emit,
            )
            timings["render"] = round(time.perf_counter() - t0, 3)
            result.rendered = True
            emit(BuildEvent(None, "rendered", result.renderer))
        else:
            result.renderer = previous.get("renderer")
            emit(BuildEvent(None, "skipped", "site is up to date"))
        timings["total"] = round(time.perf_counter() - started, 3)

        record = build_record(
            plans,
            prev_notebooks,
            notebooks_dir=notebooks_dir,
            reports_dir=reports_dir,
            staged_tables=staged_tables,
            executed=result.executed,
            cached=result.cached,
            renderer=result.renderer,
            timings=timings,
            datasets=datasets,
            quarto=find_quarto(),
        )
        write_json(stage / RECORD_NAME, record)
        # Tables folders outside the reports folder first, the report last: if the build
        # stops in between, the record still describes the previous tables, whose hashes
        # no longer match, and the next build runs those notebooks again.
        for folder, staged in staged_tables.items():
            if staged.parent != stage:
                swap_dir(staged, Path(folder))
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


# --------------------------------------------------------------------------- publishing

#: The folder, beside the notebooks, that keeps the numbers of the blessed outputs.
BLESSED_TABLES = "blessed"
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
        {
            str(p["params"]["output_dir"])
            for p in plans.values()
            if p["params"].get("output_dir") is not None
        }
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


# --------------------------------------------------------------------------- the data set


_SOURCE = ("dataset", "seeds_dir", "codebook_path")
_FILTERS = ("date_from", "date_to", "language")


def check_datasets(runs: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The data sets the notebook runs read, checked before anything runs.

    A run whose parameters name no corpus (``seeds_dir``) and no ``dataset`` reads
    none. For the others, the documents each filter set keeps are counted (from the
    coded dataset given, the cache entry, or the corpus itself), so that a filter
    matching nothing stops the build at once.

    Returns
    -------
    list of dict
        Each distinct source: ``dataset``, ``seeds_dir`` and ``codebook_path``.

    Raises
    ------
    ValueError
        Filters that match nothing, or a ``dataset`` given with ``seeds_dir`` or
        ``codebook_path``.
    analysis.dataset.DatasetError
        ``dataset`` is not a coded dataset folder.
    """
    from analysis import corpus

    sources: dict[str, dict[str, Any]] = {}
    checked: set[str] = set()
    documents: dict[str, Any] = {}
    for params in runs:
        if "dataset" not in params and "seeds_dir" not in params:
            continue
        source = {k: params.get(k) for k in _SOURCE}
        key = json.dumps(source, sort_keys=True, default=str)
        sources.setdefault(key, source)
        filters = {k: params.get(k) for k in _FILTERS}
        checking = json.dumps([key, filters], sort_keys=True, default=str)
        if checking in checked or (source["dataset"] is None and not any(filters.values())):
            continue
        checked.add(checking)
        if key not in documents:
            if source["dataset"] is not None:
                if source["seeds_dir"] is not None or source["codebook_path"] is not None:
                    data.load_dataset(**source)  # raises, naming the parameters
                documents[key] = stored.read_dataset(source["dataset"])[0]
            else:
                seeds = source["seeds_dir"]
                documents[key] = corpus.load_corpus(SEEDS_DIR if seeds is None else Path(seeds))
        data.check_filters(documents[key], **filters)
    return list(sources.values())


def fill_datasets(
    sources: Iterable[Mapping[str, Any]],
    *,
    on_event: Callable[[BuildEvent], None] | None = None,
) -> list[dict[str, Any]]:
    """Make sure the cache holds the coded data set of each source (:func:`check_datasets`).

    Returns
    -------
    list of dict
        One per source, for ``build.json``: ``source`` ("cache" or "dataset"),
        ``folder``, ``key`` (cache), ``reused`` and ``seconds``.
    """
    emit = on_event or (lambda event: None)
    filled = []
    for source in sources:
        t0 = time.perf_counter()
        if source["dataset"] is not None:
            folder = Path(source["dataset"])
            filled.append(
                {"source": "dataset", "folder": relative(folder), "reused": True, "seconds": 0.0}
            )
            continue
        emit(BuildEvent(None, "coding", "coded data set: looking it up"))
        folder, hit = cache.coded_dataset(
            seeds_dir=source["seeds_dir"], codebook_path=source["codebook_path"]
        )
        seconds = round(time.perf_counter() - t0, 3)
        filled.append(
            {
                "source": "cache",
                "folder": relative(folder),
                "key": folder.name.removeprefix(cache.DATASET_PREFIX),
                "reused": hit,
                "seconds": seconds,
            }
        )
        what = "read from the cache" if hit else "coded and cached"
        emit(BuildEvent(None, "coding", f"coded data set {what} ({seconds} s)"))
    return filled


def prepare_datasets(
    runs: Iterable[Mapping[str, Any]],
    *,
    on_event: Callable[[BuildEvent], None] | None = None,
) -> list[dict[str, Any]]:
    """:func:`check_datasets`, then :func:`fill_datasets`."""
    return fill_datasets(check_datasets(runs), on_event=on_event)


def _longest_first(names: Sequence[str], previous: Mapping[str, Any], folder: Path) -> list[str]:
    """The order to run notebooks in so that the longest start first and the workers end
    together: by their seconds in the last build when all are known, else by their
    number of code cells."""
    import nbformat

    if all("seconds" in previous.get(name, {}) for name in names):
        return sorted(names, key=lambda n: -previous[n]["seconds"])

    def cells(name: str) -> int:
        nb = nbformat.read(str(folder / name), as_version=4)
        return sum(cell.cell_type == "code" for cell in nb.cells)

    return sorted(names, key=lambda n: -cells(n))


# --------------------------------------------------------------------------- bless


def store_notebook(executed: Path, target: Path) -> Path:
    """Store an executed notebook as the expected results nbval compares against.

    Volatile metadata is stripped (:func:`analysis.execute.clean_notebook`) and the file
    is replaced in one rename, so the stored notebook is never half written. Every
    notebook ``coco bless`` writes goes through here.
    """
    import nbformat

    nb = clean_notebook(nbformat.read(str(executed), as_version=4))
    tmp = target.with_name(f".{target.name}.tmp")
    nbformat.write(nb, str(tmp))
    os.replace(tmp, target)
    return target


def bless_notebooks(
    *,
    notebooks_dir: Path = NOTEBOOKS_DIR,
    only: Sequence[str] | None = None,
    workers: int = 2,
    on_event: Callable[[BuildEvent], None] | None = None,
    on_changes: Callable[[list[review.Change]], None] | None = None,
) -> list[Path]:
    """Re-run the notebooks in place with their defaults; keep outputs, strip volatile metadata.

    Each notebook is executed to a temporary folder; only when all ran without error
    are they stored (:func:`store_notebook`), so a failure leaves the stored notebooks
    as they were. The tables they write go to that temporary folder too (``tables``,
    through ``COCO_TABLES_DIR``), never into the published report.

    The numbers those tables publish are kept beside the notebooks, as CSV without the
    corpus text, in ``<notebooks_dir>/blessed/`` (:data:`BLESSED_TABLES`; see
    :func:`analysis.review.store_tables`): the stored outputs' numbers in a form that
    ``git diff`` shows line by line. Before they are replaced, the new tables are
    compared with them (:func:`analysis.review.compare_tables`) and the list of changed
    values (table, row, column, old → new) goes to ``on_changes``: ``coco bless``
    prints it. With ``only``, the other notebooks' tables are kept as they were.

    Parameters
    ----------
    only : sequence of str or None, keyword-only
        As in :func:`select_notebooks` (``coco bless --only``).
    on_changes : callable or None, keyword-only
        Called once, after the notebooks are stored, with every change to the
        published numbers (an empty list when none moved).

    Returns
    -------
    list of Path
        The notebooks rewritten.
    """
    emit = on_event or (lambda event: None)
    notebooks = select_notebooks(notebooks_dir, only)
    plans = {p.name: {"path": p, "params": {}} for p in notebooks}
    prepare_datasets([notebook_parameters(p) for p in notebooks], on_event=emit)
    staging = Path(tempfile.mkdtemp(prefix=".bless-"))
    executed = staging / "notebooks"
    tables = staging / "tables"
    executed.mkdir()
    # The notebooks run with their defaults (output_dir None, the published tables
    # folder): their kernels inherit this variable and write their tables here instead.
    saved = os.environ.get(TABLES_ENV)
    os.environ[TABLES_ENV] = str(tables)
    try:
        execute_all(plans, list(plans), executed, notebooks_dir, workers, emit, {})
        blessed = notebooks_dir / BLESSED_TABLES
        kept = staging / "kept"
        review.store_tables(tables, kept)
        if only and blessed.is_dir():
            # the notebooks not re-run keep their tables: they compare as unchanged
            for previous in blessed.glob("*.csv"):
                if not (kept / previous.name).exists():
                    shutil.copy2(previous, kept / previous.name)
        changes = review.compare_tables(blessed, kept)
        for path in notebooks:
            store_notebook(executed / path.name, path)
        review.store_tables(kept, blessed)
        if on_changes is not None:
            on_changes(changes)
    finally:
        if saved is None:
            os.environ.pop(TABLES_ENV, None)
        else:
            os.environ[TABLES_ENV] = saved
        shutil.rmtree(staging, ignore_errors=True)
    return notebooks
