"""The build record: ``build.json``, package versions, and the tables of the
reproducibility record (parameters, versions) that the report shows."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from analysis.cache import hash_file
from analysis.config import CODEBOOK_PATH, PROJ_ROOT, SEEDS_DIR
from analysis.parameters import PATH_PARAMETERS

__all__ = [
    "RECORD_NAME",
    "VERSIONED_PACKAGES",
    "build_record",
    "package_versions",
    "parameters_table",
    "published_path",
    "read_record",
    "record_parameters",
    "table_manifest",
    "tables_intact",
    "versions_table",
    "write_json",
]

RECORD_NAME = "build.json"
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


def read_record(reports_dir: Path) -> dict[str, Any]:
    """The last build record (``build.json``), or {} when missing or unreadable."""
    try:
        record = json.loads((reports_dir / RECORD_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return record if isinstance(record, dict) else {}


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def relative(path: str | Path) -> str:
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
        k: (relative(published_path(v)) if k in PATH_PARAMETERS and v is not None else v)
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

    With a coded dataset, the corpus and codebook parameters do not apply:

    >>> parameters_table({"dataset": "/d", "seeds_dir": None}).rows()[1]
    ('seeds_dir', 'None', '(not used: the dataset is already coded)')
    """
    from analysis.config import DATA_DIR

    defaults = {"seeds_dir": SEEDS_DIR, "codebook_path": CODEBOOK_PATH, "output_dir": DATA_DIR}
    coded = params.get("dataset") is not None
    names, values, used = [], [], []
    for name, value in params.items():
        names.append(name)
        values.append(str(record_parameters({name: value})[name]))
        if coded and name in ("seeds_dir", "codebook_path"):
            used.append("(not used: the dataset is already coded)")
        elif value is None and name == "dataset":
            used.append("(none: the corpus is coded)")
        elif value is None and name in defaults:
            used.append(relative(defaults[name]))
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


def build_record(
    plans: Mapping[str, Mapping[str, Any]],
    prev_notebooks: Mapping[str, Any],
    *,
    notebooks_dir: Path,
    reports_dir: Path,
    staged_tables: Mapping[str, Path],
    executed: list[str],
    cached: list[str],
    renderer: str | None,
    timings: Mapping[str, float],
    datasets: list[dict[str, Any]],
    quarto: str | None,
) -> dict[str, Any]:
    """``build.json``: paths as published, table hashes as staged (the same files).

    ``plans`` maps each notebook of the run to its ``params``, input ``hashes`` and
    whether it was ``fresh`` (cached); ``datasets`` describes the coded data sets the
    notebooks read (:func:`analysis.build.fill_datasets`).
    """
    executed_dir = reports_dir / "notebooks"
    record_notebooks = {k: v for k, v in prev_notebooks.items() if (notebooks_dir / k).exists()}
    for name, plan in plans.items():
        entry = dict(prev_notebooks.get(name, {})) if plan["fresh"] else {}
        entry.update(
            {
                "parameters": record_parameters(plan["params"]),
                "inputs": plan["hashes"],
                "executed": relative(executed_dir / name),
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
        "renderer": renderer,
        "site": relative(reports_dir / "site" / "index.html"),
        "notebooks": dict(sorted(record_notebooks.items())),
        "executed": executed,
        "cached": cached,
        "datasets": datasets,
        "data": {
            folder: table_manifest(staged_tables[folder]) for folder in sorted(staged_tables)
        },
        "versions": package_versions(),
        "timings": dict(timings),
        "quarto": quarto,
    }


def table_manifest(folder: Path) -> dict[str, str]:
    """SHA-256 of each file of a tables folder ({} when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {p.name: hash_file(p) for p in sorted(folder.iterdir()) if p.is_file()}


def tables_intact(folder: Path, manifest: Mapping[str, str] | None) -> bool:
    """Whether the tables recorded after the last build are still there, unchanged."""
    if not manifest:
        return False
    return all(
        (folder / name).is_file() and hash_file(folder / name) == digest
        for name, digest in manifest.items()
    )

