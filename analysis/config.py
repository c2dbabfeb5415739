"""Project paths: the one place they are defined.

Everything is derived from the package location, so the project works from any
working directory and no other module or notebook holds a literal path.
"""

from __future__ import annotations

from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = PROJ_ROOT / "analysis"
SEEDS_DIR = PROJ_ROOT / "seeds"
GOLD_DIR = SEEDS_DIR / "gold"
GOLD_PATH = GOLD_DIR / "seed-sentences.csv"
OUT_OF_SAMPLE_PATH = GOLD_DIR / "out-of-sample.csv"
HELD_OUT_SETS_PATH = GOLD_DIR / "sets.yaml"
#: The real-text development set, kept beside the project (third-party texts, not
#: redistributed with it); used where it exists.
REAL_DEV_DIR = PROJ_ROOT.parent / "shared" / "gold" / "real-dev"
SOURCES_PATH = SEEDS_DIR / "sources.csv"
CODEBOOK_PATH = PACKAGE_DIR / "codebook.yaml"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"
REPORT_NOTEBOOKS_DIR = REPORTS_DIR / "notebooks"
DATA_DIR = REPORTS_DIR / "data"
SITE_DIR = REPORTS_DIR / "site"
BUILD_RECORD = REPORTS_DIR / "build.json"
QUARTO_PROJECT = PROJ_ROOT / "_quarto.yml"
TESTS_DIR = PROJ_ROOT / "tests"
FIXTURES_DIR = TESTS_DIR / "fixtures"
