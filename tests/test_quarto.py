"""The Quarto project: its structure always, a real render where ``quarto`` is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis import build
from analysis.config import NOTEBOOKS_DIR, QUARTO_PROJECT

QUARTO_MISSING = (
    "quarto executable not found on PATH; install from https://quarto.org to run this test"
)


def _config() -> dict:
    return yaml.safe_load(QUARTO_PROJECT.read_text(encoding="utf-8"))


def _hrefs(items: list) -> list[str]:
    found = []
    for item in items:
        if isinstance(item, str):
            found.append(item)
        elif "contents" in item:
            found.extend(_hrefs(item["contents"]))
        else:
            found.append(item["href"])
    return found


def test_project_renders_every_notebook_into_reports_site() -> None:
    config = _config()
    assert config["project"]["type"] == "website"
    assert config["project"]["output-dir"] == "reports/site"
    staged = build.page_names([p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")])
    expected = sorted(f"{stem}.ipynb" for stem in staged.values())
    assert sorted(config["project"]["render"]) == expected
    assert config["project"]["render"][0] == "index.ipynb"
    assert sorted(_hrefs(config["website"]["sidebar"]["contents"])) == expected


def test_project_never_executes_and_hides_code() -> None:
    execute = _config()["execute"]
    assert execute["enabled"] is False
    assert execute["echo"] is False


def test_project_has_html_with_toc_and_typst_for_pdf() -> None:
    formats = _config()["format"]
    assert formats["html"]["toc"] is True
    assert formats["html"]["number-sections"] is True
    assert "typst" in formats


def test_staging_lays_out_the_project_with_the_report_as_index(tmp_path: Path) -> None:
    executed = tmp_path / "executed"
    executed.mkdir()
    for name in ("00_report.ipynb", "01_corpus.ipynb"):
        cell = nbformat.v4.new_markdown_cell("[back](00_report.ipynb) [corpus](01_corpus.ipynb)")
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), str(executed / name))
    stage = build.stage_quarto_project(
        sorted(executed.iterdir()), tmp_path / "stage", project=QUARTO_PROJECT
    )
    assert sorted(p.name for p in stage.iterdir()) == [
        "01_corpus.ipynb",
        "_quarto.yml",
        "index.ipynb",
    ]
    corpus = nbformat.read(str(stage / "01_corpus.ipynb"), as_version=4)
    assert corpus.cells[0].source == "[back](index.ipynb) [corpus](01_corpus.ipynb)"


@pytest.mark.quarto
@pytest.mark.skipif(shutil.which("quarto") is None, reason=QUARTO_MISSING)
def test_quarto_renders_the_executed_notebooks(tmp_path: Path) -> None:
    executed = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))  # stored with outputs
    site = tmp_path / "site"
    assert build.render_site(executed, site, renderer="quarto") == "quarto"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "<svg" in index
    for stem in build.page_names([p.name for p in executed]).values():
        assert (site / f"{stem}.html").exists()
    assert build.external_resources(index) == []
