"""Running notebooks: papermill execution, the failing cell, clean stored notebooks.

Also the errors and progress events every stage of a build reports
(:class:`BuildError`, :class:`NotebookError`, :class:`BuildEvent`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "BuildError",
    "BuildEvent",
    "NotebookError",
    "clean_notebook",
    "execute_all",
    "execute_notebook",
]


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


@dataclass
class BuildEvent:
    """Progress of a build, for a display: ``notebook`` is None for build-wide steps."""

    notebook: str | None
    status: Literal[
        "cached", "running", "done", "failed", "coding", "rendering", "rendered", "skipped"
    ]
    detail: str = ""


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



def execute_all(
    plans: Mapping[str, Mapping[str, Any]],
    names: Sequence[str],
    staging: Path,
    cwd: Path,
    workers: int,
    emit: Callable[[BuildEvent], None],
    timings: dict[str, float],
) -> None:
    """Execute notebooks ``names`` into ``staging``, ``workers`` at a time.

    ``plans[name]`` holds the source ``path`` and the ``params`` to inject. Each
    notebook's seconds go into ``timings``; the first failure is raised once the
    notebooks already running have finished, and the ones not started are cancelled.
    """

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

