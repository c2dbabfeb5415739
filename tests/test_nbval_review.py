"""nbval failures where only the stored outputs differ read as such (tests/nbval_review.py)."""

from __future__ import annotations

import subprocess
import sys

import nbformat

from analysis.config import PROJ_ROOT
from tests.nbval_review import MAX_LINES, output_diff


def _notebook(path, stored: str, code: str) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(code, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(path))


def test_differing_outputs_give_a_short_diff_and_what_to_do(tmp_path):
    numbers = "\n".join(str(i) for i in range(200))
    _notebook(
        tmp_path / "n.ipynb",
        numbers.replace("\n100\n", "\n999\n") + "\n",
        "print('\\n'.join(str(i) for i in range(200)))",
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-c",
            "pyproject.toml",
            "--rootdir",
            str(PROJ_ROOT),
            "--nbval",
            "--nbval-current-env",
            str(tmp_path / "n.ipynb"),
        ],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = run.stdout
    assert run.returncode == 1, out
    assert "ran without error, but its outputs differ" in out
    assert "make bless" in out
    assert "-999" in out and "+100" in out
    assert "Notebook cell execution failed" not in out
    # the short diff, not both outputs in full
    assert "\n  150\n" not in out
    assert "notebook outputs differ from the stored ones" in out


def test_a_cell_that_raises_keeps_nbval_s_own_report(tmp_path):
    _notebook(tmp_path / "n.ipynb", "", "raise ValueError('boom')")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-c",
            "pyproject.toml",
            "--rootdir",
            str(PROJ_ROOT),
            "--nbval",
            "--nbval-current-env",
            str(tmp_path / "n.ipynb"),
        ],
        cwd=PROJ_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "boom" in run.stdout
    assert "outputs differ from the stored ones" not in run.stdout


def test_output_diff_is_cut_to_a_readable_size():
    old = "\n".join("x" * 500 for _ in range(300))
    new = "\n".join("y" * 500 for _ in range(300))
    lines = output_diff(old, new)
    assert len(lines) == MAX_LINES + 1
    assert lines[-1].endswith("more diff lines")
    assert max(len(line) for line in lines) <= 160
