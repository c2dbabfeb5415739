"""Shared fixtures: the documented fixture corpus, the seed corpus, a corpus writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from analysis.config import FIXTURES_DIR, SEEDS_DIR
from analysis.corpus import load_corpus
from analysis.segment import split_sentences

FIXTURE_CORPUS = FIXTURES_DIR / "corpus"


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
