"""The Quarto project: its structure always, a real render where ``quarto`` is installed."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from analysis import build, execute, render
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
    staged = render.page_names([p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")])
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
    stage = render.stage_quarto_project(
        sorted(executed.iterdir()), tmp_path / "stage", project=QUARTO_PROJECT
    )
    assert sorted(p.name for p in stage.iterdir()) == [
        "01_corpus.ipynb",
        "_quarto.yml",
        "index.ipynb",
    ]
    corpus = nbformat.read(str(stage / "01_corpus.ipynb"), as_version=4)
    assert corpus.cells[0].source == "[back](index.ipynb) [corpus](01_corpus.ipynb)"


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _shown(nb, mime: str) -> list[str]:
    return [o["data"][mime] for o in _outputs(nb) if mime in o.get("data", {})]


def test_staged_notebooks_give_quarto_no_reason_to_load_widget_scripts(tmp_path: Path) -> None:
    # Quarto adds require.js and jQuery from a CDN to a page whose notebook has any
    # text/html or application/javascript output (src/core/jupyter/widgets.ts).
    executed = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    stage = render.stage_quarto_project(executed, tmp_path / "stage", project=QUARTO_PROJECT)
    pages = render.page_names([p.name for p in executed])
    for path in executed:
        original = nbformat.read(str(path), as_version=4)
        staged = nbformat.read(str(stage / f"{pages[path.name]}.ipynb"), as_version=4)
        assert render.quarto_widget_outputs(staged) == [], path.name
        # each HTML output is still shown, as the raw HTML block Quarto itself would write
        raw = [m for m in _shown(staged, "text/markdown") if m.startswith("```{=html}\n")]
        expected = [f"```{{=html}}\n{h}\n```\n" for h in _shown(original, "text/html")]
        assert raw == expected, path.name
        assert _shown(staged, "image/svg+xml") == _shown(original, "image/svg+xml")


def test_stored_notebooks_show_charts_as_svg_and_tables_as_html() -> None:
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        for output in _outputs(nbformat.read(str(path), as_version=4)):
            data = output.get("data", {})
            assert "application/javascript" not in data, path.name
            assert "application/vnd.jupyter.widget-view+json" not in data, path.name
            if "text/html" in data:
                assert "<script" not in data["text/html"].lower(), path.name


def test_raw_html_fence_is_longer_than_any_backtick_run_in_the_html() -> None:
    cell = nbformat.v4.new_code_cell(
        outputs=[
            nbformat.v4.new_output(
                "display_data", data={"text/html": "<td>````x````</td>", "text/plain": "t"}
            ),
            nbformat.v4.new_output(
                "display_data", data={"text/html": "<b>kept</b>", "application/javascript": "1"}
            ),
        ]
    )
    nb = nbformat.v4.new_notebook(cells=[cell])
    out = render.html_outputs_as_raw_markdown(nb)
    assert out.cells[0].outputs[0].data == {
        "text/markdown": "`````{=html}\n<td>````x````</td>\n`````\n",
        "text/plain": "t",
    }
    assert "text/html" in out.cells[0].outputs[1].data  # a script output is left alone
    assert "text/html" in nb.cells[0].outputs[0].data  # the input is not changed


def test_every_chart_of_the_report_reaches_quarto_with_its_description_as_fig_alt() -> None:
    # Quarto takes a figure's alt text from fig-alt (else the caption), not from the
    # output metadata where the nbconvert site finds it
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        staged = render.chart_alt_as_fig_alt(nb)
        for before, after in zip(nb.cells, staged.cells, strict=True):
            alts = [
                o.metadata["image/svg+xml"]["alt"]
                for o in before.get("outputs", [])
                if "image/svg+xml" in o.get("data", {})
            ]
            if not alts:
                assert after.source == before.source
                continue
            options = [line[2:] for line in after.source.splitlines() if line.startswith("#|")]
            parsed = yaml.safe_load("\n".join(options))
            assert parsed["fig-alt"] == " ".join(alts[0].split()), path.name
            assert parsed["label"].startswith("fig-"), path.name
        assert "fig-alt" not in "".join(c.source for c in nb.cells)  # the input is unchanged


def test_typst_tables_fit_their_columns_and_may_break_across_pages() -> None:
    header = _config()["format"]["typst"]["include-in-header"]["text"]
    assert '#show figure.where(kind: "quarto-float-tbl"): set block(breakable: true)' in header
    assert "#show table: set text(size: 8pt, hyphenate: true)" in header
    assert '#show table.cell: it => { show "_": u => u + sym.zws; it }' in header


FAKE_QUARTO = """#!/bin/sh
# Records its arguments, reports progress as Quarto does, writes a one-page site.
echo "$@" >> "$FAKE_QUARTO_LOG"
printf '\\r[1/2] index.ipynb\\n\\r[2/2] 01_corpus.ipynb\\n' >&2
mkdir -p "$2/reports/site"
printf '%s' "$FAKE_QUARTO_PAGE" > "$2/reports/site/index.html"
exit "${FAKE_QUARTO_EXIT:-0}"
"""


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``quarto`` on PATH, only to check what the build asks of it and says."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO, encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "quarto.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    monkeypatch.setenv("FAKE_QUARTO_PAGE", "<html><body>site</body></html>")
    return log


def _two_notebooks(folder: Path) -> list[Path]:
    folder.mkdir()
    for name in ("00_report.ipynb", "01_corpus.ipynb"):
        nbformat.write(nbformat.v4.new_notebook(), str(folder / name))
    return sorted(folder.iterdir())


def test_render_reports_renderer_format_file_and_time(tmp_path: Path, fake_quarto: Path) -> None:
    events: list[execute.BuildEvent] = []
    used = render.render_site(
        _two_notebooks(tmp_path / "executed"),
        tmp_path / "site",
        renderer="quarto",
        pdf=True,
        on_event=events.append,
    )
    assert used == "quarto"
    calls = [line.split() for line in fake_quarto.read_text().splitlines()]
    assert [c[0] for c in calls] == ["render", "render"]
    assert [c[2:] for c in calls] == [["--to", "html"], ["--to", "typst", "--no-clean"]]
    seen = [(e.status, re.sub(r"\d+\.\d s|\(\d+ s\)", "T", e.detail)) for e in events]
    assert seen == [
        ("rendering", "quarto HTML site (1 of 2): starting"),
        ("rendering", "quarto HTML site (1 of 2): 1/2 index.ipynb T"),
        ("rendering", "quarto HTML site (1 of 2): 2/2 01_corpus.ipynb T"),
        ("rendered", "quarto HTML site (1 of 2) in T"),
        ("rendering", "quarto Typst PDF (2 of 2): starting"),
        ("rendering", "quarto Typst PDF (2 of 2): 1/2 index.ipynb T"),
        ("rendering", "quarto Typst PDF (2 of 2): 2/2 01_corpus.ipynb T"),
        ("rendered", "quarto Typst PDF (2 of 2) in T"),
    ]


def test_auto_render_finds_quarto_on_path_and_says_so(tmp_path: Path, fake_quarto: Path) -> None:
    events: list[execute.BuildEvent] = []
    used = render.render_site(
        _two_notebooks(tmp_path / "executed"), tmp_path / "site", on_event=events.append
    )
    assert used == "quarto"
    assert events[0] == execute.BuildEvent(None, "rendering", "quarto HTML site (1 of 1): starting")


def test_a_failing_quarto_render_names_the_command_and_shows_its_output(
    tmp_path: Path, fake_quarto: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_QUARTO_EXIT", "1")
    site = tmp_path / "site"
    with pytest.raises(build.BuildError, match=r"`render .* --to html` failed:\n\[1/2\] index"):
        render.render_site(_two_notebooks(tmp_path / "executed"), site, renderer="quarto")
    assert not site.exists()


def test_a_quarto_page_that_would_load_from_a_cdn_fails_the_build(
    tmp_path: Path, fake_quarto: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cdn = '<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.min.js"></script>'
    monkeypatch.setenv("FAKE_QUARTO_PAGE", cdn)
    with pytest.raises(build.BuildError, match=r"index\.html: the Quarto page would load"):
        render.render_site(_two_notebooks(tmp_path / "executed"), tmp_path / "site")


def test_nbconvert_render_reports_progress(tmp_path: Path) -> None:
    events: list[execute.BuildEvent] = []
    render.render_site(
        _two_notebooks(tmp_path / "executed"),
        tmp_path / "site",
        renderer="nbconvert",
        on_event=events.append,
    )
    assert [e.status for e in events] == ["rendering", "rendered"]
    assert events[0].detail == "nbconvert HTML site: 2 pages"
    assert re.fullmatch(r"nbconvert HTML site in \d+\.\d s", events[1].detail)


def _figures(site: Path, stem: str) -> list[str]:
    """Figure files a Quarto page shows: ``<img>`` under ``{stem}_files/figure-html/``."""
    page = (site / f"{stem}.html").read_text(encoding="utf-8")
    return re.findall(rf'<img[^>]+src="({re.escape(stem)}_files/figure-html/[^"]+\.svg)"', page)


@pytest.mark.quarto
@pytest.mark.skipif(shutil.which("quarto") is None, reason=QUARTO_MISSING)
def test_quarto_renders_the_executed_notebooks(tmp_path: Path) -> None:
    executed = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))  # stored with outputs
    site = tmp_path / "site"
    assert render.render_site(executed, site, renderer="quarto") == "quarto"
    for name, stem in render.page_names([p.name for p in executed]).items():
        page = (site / f"{stem}.html").read_text(encoding="utf-8")
        nb = nbformat.read(str(NOTEBOOKS_DIR / name), as_version=4)
        svgs = sum("image/svg+xml" in o.get("data", {}) for o in _outputs(nb))
        tables = sum("<table" in o.get("data", {}).get("text/html", "") for o in _outputs(nb))
        # Quarto writes each SVG output to {stem}_files/figure-html/ and links it with <img>
        figures = _figures(site, stem)
        assert len(figures) == svgs, stem
        for figure in figures:
            assert (site / figure).read_text(encoding="utf-8").lstrip().startswith("<svg"), figure
        assert page.count("<table") >= tables, stem
        assert render.external_resources(page) == [], stem
        assert "require.min.js" not in page and "cdn.jsdelivr.net" not in page, stem
        assert not re.findall(r'<(?:script|img|link)[^>]+(?:src|href)="https?://', page), stem


@pytest.mark.quarto
@pytest.mark.skipif(shutil.which("quarto") is None, reason=QUARTO_MISSING)
def test_quarto_renders_the_report_to_pdf(tmp_path: Path) -> None:
    executed = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    site = tmp_path / "site"
    assert render.render_site(executed, site, renderer="quarto", pdf=True) == "quarto"
    assert (site / "index.pdf").read_bytes().startswith(b"%PDF")
