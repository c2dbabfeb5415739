"""A readable nbval failure when only a notebook's stored outputs differ (pytest plugin).

nbval reports a cell whose outputs differ from the stored ones as "Notebook cell execution
failed" followed by both outputs in full (hundreds of kilobytes for a chart or a table).
This plugin, loaded with ``-p tests.nbval_review`` (see ``pyproject.toml``), says instead
that the cell ran and only its outputs differ, shows a short line diff of the two, and
ends the run with what to do: ``make bless`` re-runs the notebooks and prints which
published numbers changed (``analysis.review``).
"""

from __future__ import annotations

import difflib
import re

import pytest

#: Lines of diff shown per differing output, and characters per line.
MAX_LINES = 30
MAX_WIDTH = 160
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_in_nbval_cell = False
_DIFFERING = pytest.StashKey[list]()


def output_diff(reference: str, test: str) -> list[str]:
    """A short unified diff of a stored output against the newly computed one.

    Examples
    --------
    >>> output_diff("a\\nb\\nc", "a\\nB\\nc")[2:]
    ['@@ -1,3 +1,3 @@', ' a', '-b', '+B', ' c']
    """
    lines = list(
        difflib.unified_diff(
            reference.splitlines(),
            test.splitlines(),
            "stored output",
            "this run",
            lineterm="",
            n=1,
        )
    )
    cut = [line if len(line) <= MAX_WIDTH else line[: MAX_WIDTH - 1] + "…" for line in lines]
    if len(cut) > MAX_LINES:
        cut = [*cut[:MAX_LINES], f"… {len(cut) - MAX_LINES} more diff lines"]
    return cut


def _notebook_name(item: pytest.Item) -> str:
    try:
        return str(item.path.relative_to(item.config.rootpath))
    except ValueError:
        return str(item.path)


def _is_nbval_cell(item: pytest.Item) -> bool:
    return type(item).__name__ == "IPyNbCell"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    global _in_nbval_cell
    _in_nbval_cell = _is_nbval_cell(item)
    try:
        yield
    finally:
        _in_nbval_cell = False


def pytest_assertrepr_compare(config, op, left, right):
    # nbval asks this hook to explain a mismatch; only its string comparisons are ours
    if not (_in_nbval_cell and op == "==" and isinstance(left, str) and isinstance(right, str)):
        return None
    return output_diff(left, right)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    outcome = yield
    report = outcome.get_result()
    if not (_is_nbval_cell(item) and report.failed and call.excinfo is not None):
        return
    exc = call.excinfo.value
    if type(exc).__name__ != "NbCellError" or str(exc) != "Cell outputs differ":
        return
    detail = _ANSI.sub("", getattr(exc, "inner_traceback", "") or "")
    report.longrepr = (
        f"Cell {exc.cell_num}: the cell ran without error, but its outputs differ from the "
        "ones stored in the notebook.\n"
        "Run `make bless` to re-run the notebooks: it prints which published numbers changed "
        "(table, row, old -> new); then review `git diff notebooks/` and commit.\n\n"
        f"{detail.strip()}"
    )
    item.config.stash.setdefault(_DIFFERING, []).append(_notebook_name(item))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    differing = config.stash.get(_DIFFERING, [])
    if not differing:
        return
    notebooks = sorted(set(differing))
    terminalreporter.write_sep("=", "notebook outputs differ from the stored ones")
    terminalreporter.write_line(
        f"{len(differing)} cell(s) in {len(notebooks)} notebook(s) ran without error but "
        f"gave other outputs: {', '.join(notebooks)}."
    )
    terminalreporter.write_line(
        "If the change is intended (a new article, a codebook change), run `make bless`: it "
        "re-runs the notebooks, stores their outputs and prints the numbers that changed."
    )
