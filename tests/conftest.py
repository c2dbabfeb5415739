"""Shared fixtures: the documented fixture corpus, the seed corpus, a corpus writer.

For the whole session, the tables a notebook writes with its default ``output_dir``
(nbval runs every notebook so) go to a temporary folder, never into the published
report: ``COCO_TABLES_DIR`` is set before any kernel starts. ``make test`` collects this
folder with the notebooks; to run nbval on the notebooks alone, set the variable too
(``COCO_TABLES_DIR=$(mktemp -d) pytest notebooks --nbval ...``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from analysis.config import FIXTURES_DIR, SEEDS_DIR
from analysis.corpus import load_corpus
from analysis.segment import split_sentences

FIXTURE_CORPUS = FIXTURES_DIR / "corpus"
TABLES_ENV = "COCO_TABLES_DIR"  # analysis.data.TABLES_ENV
_SCRATCH: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get(TABLES_ENV):
        _SCRATCH.append(tempfile.mkdtemp(prefix="coco-test-tables-"))
        os.environ[TABLES_ENV] = _SCRATCH[-1]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # the parametrised texts of modules that code them in one call (tests/coded.py); a run
    # without such a module does not load the codebook for it
    texts = []
    for item in items:
        module = getattr(item, "module", None)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if getattr(module, "CODED_IN_ONE_CALL", False) and isinstance(params.get("text"), str):
            texts.append(params["text"])
    if texts:
        from tests import coded

        for text in texts:
            coded.expect(text)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _SCRATCH:
        folder = _SCRATCH.pop()
        if os.environ.get(TABLES_ENV) == folder:
            del os.environ[TABLES_ENV]
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def fixture_corpus_dir() -> Path:
    """The tiny fixture corpus (see tests/fixtures/README.md)."""
    return FIXTURE_CORPUS


@pytest.fixture(scope="session")
def fixture_documents() -> pl.DataFrame:
    """``documents`` table of the fixture corpus."""
    return load_corpus(FIXTURE_CORPUS)


@pytest.fixture(scope="session")
def fixture_sentences(fixture_documents: pl.DataFrame) -> pl.DataFrame:
    """``sentences`` table of the fixture corpus."""
    return split_sentences(fixture_documents)


@pytest.fixture(scope="session")
def seed_documents() -> pl.DataFrame:
    """``documents`` table of the five seed articles."""
    return load_corpus(SEEDS_DIR)


@pytest.fixture(scope="session")
def seed_sentences(seed_documents: pl.DataFrame) -> pl.DataFrame:
    """``sentences`` table of the five seed articles."""
    return split_sentences(seed_documents)


@pytest.fixture
def write_corpus(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write ``{file name: text or bytes}`` into a fresh folder and return the folder."""

    def write(files: dict[str, str | bytes]) -> Path:
        folder = tmp_path / "corpus"
        folder.mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return write
