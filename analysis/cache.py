"""Content hashes, and the coded data set as a cached stage of the build.

Two caches rest on these hashes:

- a notebook is re-run only when its inputs changed (:func:`input_hashes`, compared by
  :mod:`analysis.build` with the last ``build.json``);
- the coded data set (``documents``, ``sentences``, ``codes`` of the whole corpus) is
  computed once per corpus, codebook and coder, and stored as a coded dataset
  (:mod:`analysis.dataset`) in ``<cache>/dataset-<key>/``, which every notebook reads
  (:func:`coded_dataset`). The cache folder is ``reports/.cache``, or the folder named
  by the environment variable ``COCO_CACHE_DIR``.

One process computes an entry while the others that want it wait (an ``flock`` on
``.dataset-<key>.lock``, released by the system if that process dies), and the entry is
written into a temporary folder and renamed into place when complete: a reader sees
the whole entry or none. The eight most recently used entries are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from analysis.config import (
    CODEBOOK_PATH,
    GOLD_DIR,
    PACKAGE_DIR,
    REAL_DEV_DIR,
    REPORTS_DIR,
    SEEDS_DIR,
)
from analysis.parameters import used_parameters

__all__ = [
    "CACHE_ENV",
    "CODING_MODULES",
    "cache_dir",
    "coded_dataset",
    "dataset_inputs",
    "hash_bytes",
    "hash_file",
    "hash_parameters",
    "hash_tree",
    "input_hashes",
]

#: Environment variable naming the cache folder (default ``reports/.cache``).
CACHE_ENV = "COCO_CACHE_DIR"
DATASET_PREFIX = "dataset-"
CODEBOOK_PICKLE = "codebook.pickle"
#: Entries kept in the cache folder, the most recently used.
KEEP_ENTRIES = 8
#: The modules whose source the coded data set depends on: reading, splitting, coding.
CODING_MODULES: tuple[str, ...] = (
    "corpus", "segment", "indicators", "actors", "codebook", "lemmas", "scheme", "dataset",
    "cache",
)
#: Where a notebook's outputs go is not one of its inputs: it stays out of the cache key
#: (a notebook is still re-run when its output folder moved or its tables are gone).
UNHASHED_PARAMETERS: tuple[str, ...] = ("output_dir",)
LIBRARY_SUFFIXES: tuple[str, ...] = (".py", ".yaml", ".yml", ".json")


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


def _hash_json(data: Any) -> str:
    return hash_bytes(json.dumps(data, sort_keys=True, default=str).encode("utf-8"))


def hash_parameters(params: Mapping[str, Any]) -> str:
    """SHA-256 of the parameters that shape a notebook's results (not ``output_dir``).

    Examples
    --------
    >>> hash_parameters({"a": 1, "output_dir": "x"}) == hash_parameters({"a": 1})
    True
    """
    return _hash_json({k: v for k, v in params.items() if k not in UNHASHED_PARAMETERS})


def input_hashes(notebook: Path, params: Mapping[str, Any]) -> dict[str, str]:
    """The content hashes a notebook's cache key is made of.

    Parameters
    ----------
    notebook : Path
        The source notebook.
    params : mapping
        The notebook's resolved parameters (:func:`analysis.parameters.resolve_parameters`).

    Returns
    -------
    dict
        ``notebook``, ``seeds``, ``codebook``, ``dataset`` (a coded dataset given as
        ``dataset``; ``"none"`` without one), ``parameters``, ``library``, ``gold`` (the
        hand-coded validation sets) and ``real_dev`` hashes and the combined ``key``.
    """
    seeds = params.get("seeds_dir") or SEEDS_DIR
    codebook = params.get("codebook_path") or CODEBOOK_PATH
    dataset = params.get("dataset")
    used = used_parameters(notebook, params)
    hashes = {
        "notebook": hash_file(notebook),
        "seeds": hash_tree(seeds),
        "codebook": hash_file(codebook),
        "dataset": "none" if dataset is None else hash_tree(dataset),
        "parameters": hash_parameters({k: params[k] for k in used}),
        "library": hash_tree(PACKAGE_DIR, suffixes=LIBRARY_SUFFIXES),
        # the hand-coded validation sets are read from here whatever seeds_dir is
        "gold": hash_tree(GOLD_DIR),
        # and the real-text development set beside the project ("missing" where absent)
        "real_dev": hash_tree(REAL_DEV_DIR),
    }
    hashes["key"] = _hash_json(hashes)
    return hashes


# --------------------------------------------------------------------------- coded data set


def cache_dir() -> Path:
    """The cache folder: ``$COCO_CACHE_DIR`` when set, else ``reports/.cache``.

    Examples
    --------
    >>> cache_dir().name in (".cache", Path(os.environ.get(CACHE_ENV, ".cache")).name)
    True
    """
    return Path(os.environ.get(CACHE_ENV) or REPORTS_DIR / ".cache")


def dataset_inputs(
    *, seeds_dir: str | Path | None = None, codebook_path: str | Path | None = None
) -> dict[str, Any]:
    """What the coded data set depends on, as content hashes, and its cache ``key``.

    The corpus folder, the codebook file, the source of the modules that read, split
    and code (:data:`CODING_MODULES`) and the package version. Filters are not part of
    it: the whole corpus is coded once and each notebook keeps the documents it wants.

    Examples
    --------
    >>> inputs = dataset_inputs()
    >>> sorted(inputs)
    ['codebook', 'coder', 'key', 'seeds', 'version']
    """
    from importlib import metadata

    seeds = Path(seeds_dir) if seeds_dir is not None else SEEDS_DIR
    codebook = Path(codebook_path) if codebook_path is not None else CODEBOOK_PATH
    try:
        version = metadata.version("cooperation-or-coercion")
    except metadata.PackageNotFoundError:
        version = "unknown"
    inputs: dict[str, Any] = {
        "seeds": hash_tree(seeds),
        "codebook": hash_file(codebook),
        "coder": _hash_json({m: hash_file(PACKAGE_DIR / f"{m}.py") for m in CODING_MODULES}),
        "version": version,
    }
    inputs["key"] = _hash_json(inputs)[:20]
    return inputs


def _complete(folder: Path, key: str) -> bool:
    from analysis import dataset

    return (
        dataset.is_dataset(folder)
        and (folder / CODEBOOK_PICKLE).is_file()
        and dataset.read_record(folder).get("key") == key
    )


def coded_dataset(
    *,
    seeds_dir: str | Path | None = None,
    codebook_path: str | Path | None = None,
    folder: str | Path | None = None,
) -> tuple[Path, bool]:
    """The cached coded data set of a corpus: computed and stored on a miss.

    Parameters
    ----------
    seeds_dir : str, Path or None, keyword-only
        Corpus folder; None is ``analysis.config.SEEDS_DIR``.
    codebook_path : str, Path or None, keyword-only
        Codebook YAML; None is the packaged ``analysis/codebook.yaml``.
    folder : str, Path or None, keyword-only
        Cache folder; None is :func:`cache_dir`.

    Returns
    -------
    (Path, bool)
        The entry ``<folder>/dataset-<key>/`` (a coded dataset with a ``run.json``
        record of its inputs) and whether it was already there.

    Examples
    --------
    >>> import tempfile
    >>> entry, hit = coded_dataset(folder=tempfile.mkdtemp())
    >>> entry.name.startswith("dataset-"), hit
    (True, False)
    """
    inputs = dataset_inputs(seeds_dir=seeds_dir, codebook_path=codebook_path)
    root = Path(folder) if folder is not None else cache_dir()
    entry = root / f"{DATASET_PREFIX}{inputs['key']}"
    if _complete(entry, inputs["key"]):
        os.utime(entry)  # recently used: the last to be pruned
        return entry, True

    root.mkdir(parents=True, exist_ok=True)
    # One process computes an entry; the others wait for it here, then read it.
    with _exclusive(root / f".{entry.name}.lock"):
        if _complete(entry, inputs["key"]):
            return entry, True
        _store(entry, inputs, seeds_dir=seeds_dir, codebook_path=codebook_path)
    _prune(root, keep=KEEP_ENTRIES)
    return entry, False


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock``, waiting for it (released if the holder dies)."""
    import fcntl

    with open(lock, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _store(
    entry: Path,
    inputs: Mapping[str, Any],
    *,
    seeds_dir: str | Path | None,
    codebook_path: str | Path | None,
) -> None:
    """Compute the coded data set and store it as ``entry``, by one rename."""
    from analysis import codebook, corpus, dataset, indicators, segment

    root = entry.parent
    started = time.perf_counter()
    documents = corpus.load_corpus(Path(seeds_dir) if seeds_dir is not None else SEEDS_DIR)
    sentences = segment.split_sentences(documents)
    book = codebook.load_codebook(codebook_path)
    codes = indicators.code_sentences(sentences, book)
    work = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=root))
    try:
        tables = {"documents": documents, "sentences": sentences, "codes": codes}
        dataset.write_part(work, 0, tables)
        # the codebook as it coded, compiled: a notebook reads it in a tenth of a second
        # (the entry's key covers the codebook file and the code that compiles it)
        (work / CODEBOOK_PICKLE).write_bytes(pickle.dumps(book))
        dataset.write_record(
            work,
            {
                "key": inputs["key"],
                "inputs": inputs,
                "seeds_dir": str(seeds_dir or SEEDS_DIR),
                "codebook": book.path,
                "counts": {
                    "documents": documents.height,
                    "sentences": sentences.height,
                    "codes": codes.height,
                },
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        if entry.exists() and not _complete(entry, inputs["key"]):
            # damaged by hand (a part deleted): set aside, then replaced
            trash = Path(tempfile.mkdtemp(prefix=f".{entry.name}.old.", dir=root))
            os.replace(entry, trash)
            shutil.rmtree(trash, ignore_errors=True)
        try:
            os.rename(work, entry)  # the entry appears complete, or not at all
        except OSError:
            if not _complete(entry, inputs["key"]):
                raise
            # another process stored the same entry first: use theirs
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prune(root: Path, *, keep: int) -> None:
    """Remove all but the ``keep`` most recently used entries (each edit of the codebook
    or the coder makes a new one)."""
    entries = sorted(
        (p for p in root.glob(f"{DATASET_PREFIX}*") if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[keep:]:
        trash = root / f".{old.name}.old"
        with contextlib.suppress(OSError):
            os.replace(old, trash)
            shutil.rmtree(trash, ignore_errors=True)
            (root / f".{old.name}.lock").unlink(missing_ok=True)


def read_cached(entry: Path) -> tuple[Any, Any, Any]:
    """(documents, sentences, codes) of a cache entry, in the order they were computed."""
    from analysis import dataset

    documents, sentences, codes = (dataset.scan_table(entry, t).collect() for t in dataset.TABLES)
    return documents, sentences, codes


def read_codebook(entry: Path) -> Any:
    """The codebook that coded a cache entry (stored compiled beside its tables)."""
    return pickle.loads((entry / CODEBOOK_PICKLE).read_bytes())  # noqa: S301 - our own cache
