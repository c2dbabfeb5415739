"""Notebook parameters: what each notebook declares, what a run overrides, what it uses.

Every notebook has a cell tagged ``parameters`` of ``name = literal  # help`` lines.
papermill reads it (:func:`papermill.inspect_notebook`) and injects a run's values after
it; this module turns its answer into defaults, reads ``--param key=value`` and
``--params-file FILE``, and resolves the values one notebook runs with.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "PATH_PARAMETERS",
    "Parameter",
    "inspect_parameters",
    "load_params_file",
    "notebook_parameters",
    "parse_param",
    "resolve_parameters",
    "used_parameters",
    "yaml_scalar",
]

#: Parameters holding a path: made absolute against the caller's folder, since the
#: notebooks run in theirs.
PATH_PARAMETERS: tuple[str, ...] = ("dataset", "seeds_dir", "codebook_path", "output_dir")


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: its name, default value and the comment that documents it."""

    name: str
    default: Any
    help: str = ""


def inspect_parameters(path: str | Path) -> dict[str, Parameter]:
    """The parameters a notebook declares, in order, read by papermill.

    Parameters
    ----------
    path : str or Path
        A notebook with a code cell tagged ``parameters``.

    Returns
    -------
    dict of str to Parameter
        Name to :class:`Parameter`; {} when the notebook has no ``parameters`` cell.

    Raises
    ------
    ValueError
        A default is not a Python literal; the message names the notebook and parameter.

    Examples
    --------
    >>> from analysis.config import NOTEBOOKS_DIR
    >>> inspect_parameters(NOTEBOOKS_DIR / "00_report.ipynb")["n_boot"]
    Parameter(name='n_boot', default=1000, help='bootstrap resamples per interval')
    """
    import papermill

    found = papermill.inspect_notebook(str(path))
    params: dict[str, Parameter] = {}
    for name, spec in found.items():
        try:
            default = ast.literal_eval(spec["default"])
        except (ValueError, SyntaxError):
            raise ValueError(
                f"{Path(path).name}: the default of parameter {name!r} "
                f"({spec['default']!r}) is not a Python literal; the parameters cell holds "
                "`name = literal  # help` lines only"
            ) from None
        params[name] = Parameter(name=name, default=default, help=spec.get("help") or "")
    return params


def notebook_parameters(path: str | Path) -> dict[str, Any]:
    """The defaults of a notebook's ``parameters`` cell: name to value ({} if none).

    Examples
    --------
    >>> from analysis.config import NOTEBOOKS_DIR
    >>> notebook_parameters(NOTEBOOKS_DIR / "00_report.ipynb")["seed"]
    20260101
    """
    return {name: p.default for name, p in inspect_parameters(path).items()}


def yaml_scalar(text: str) -> Any:
    """A value written on the command line or in a cell option, read as YAML.

    Dates stay ISO text: papermill injects Python literals.

    Examples
    --------
    >>> yaml_scalar("2025-01-01"), yaml_scalar("0.5"), yaml_scalar("")
    ('2025-01-01', 0.5, None)
    """
    value = yaml.safe_load(text) if text.strip() else None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
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
        return key, yaml_scalar(value)
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

    Path parameters (:data:`PATH_PARAMETERS`) given as relative paths are made absolute
    against ``base`` (default: the current directory), since the notebook runs in
    another folder.

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
