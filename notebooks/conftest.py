"""nbval runs every notebook with its default parameters: the tables they write go to a
temporary folder for the session (``COCO_TABLES_DIR``), never into the published report.
``tests/conftest.py`` does the same when the whole suite runs."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

TABLES_ENV = "COCO_TABLES_DIR"  # analysis.data.TABLES_ENV
_SCRATCH: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get(TABLES_ENV):
        _SCRATCH.append(tempfile.mkdtemp(prefix="coco-test-tables-"))
        os.environ[TABLES_ENV] = _SCRATCH[-1]


def pytest_unconfigure(config: pytest.Config) -> None:
    while _SCRATCH:
        folder = _SCRATCH.pop()
        if os.environ.get(TABLES_ENV) == folder:
            del os.environ[TABLES_ENV]
        shutil.rmtree(folder, ignore_errors=True)
