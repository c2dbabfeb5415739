"""The build: parameters, hashing, caching, rendering, failures, and one real build."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import polars as pl
import pytest
from typer.testing import CliRunner

from analysis import build, cache, data, execute, parameters, render, review
from analysis import record as build_record
from analysis.cli import app
from analysis.config import NOTEBOOKS_DIR

BUILD_PARAMS = {"n_boot": 200}  # as in tests/test_browser.py, so the two share one build


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("n_boot=200", ("n_boot", 200)),
        ("seed=-3", ("seed", -3)),
        ("language=es", ("language", "es")),
        ("language=null", ("language", None)),
        ("language=", ("language", None)),
        ("date_to=2026-01-31", ("date_to", "2026-01-31")),
        ("ratio=0.5", ("ratio", 0.5)),
        ("flag=true", ("flag", True)),
        ("seeds_dir=a=b", ("seeds_dir", "a=b")),
    ],
)
def test_parse_param_reads_yaml_scalars(text, expected) -> None:
    assert parameters.parse_param(text) == expected


@pytest.mark.parametrize("text", ["n_boot", "=3", "1x=3", "a-b=1"])
def test_parse_param_rejects_malformed_pairs(text) -> None:
    with pytest.raises(ValueError, match=r"--param expects key=value with key a Python name"):
        parameters.parse_param(text)


def test_parse_param_rejects_unreadable_yaml() -> None:
    with pytest.raises(ValueError, match=r"--param language: cannot read '\[en' as a YAML value"):
        parameters.parse_param("language=[en")


def test_params_file_yaml_and_json(tmp_path: Path) -> None:
    yml = tmp_path / "p.yaml"
    yml.write_text("n_boot: 100\ndate_from: 2025-01-01\n", encoding="utf-8")
    assert parameters.load_params_file(yml) == {"n_boot": 100, "date_from": "2025-01-01"}
    js = tmp_path / "p.json"
    js.write_text(json.dumps({"language": "en"}), encoding="utf-8")
    assert parameters.load_params_file(js) == {"language": "en"}
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert parameters.load_params_file(empty) == {}


def test_params_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"parameters file .*nope.yaml does not exist"):
        parameters.load_params_file(tmp_path / "nope.yaml")
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"must hold a mapping of names to values, got a list"):
        parameters.load_params_file(listing)
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"is not valid YAML or JSON"):
        parameters.load_params_file(broken)


def test_parameters_cell_defaults_help_and_errors(tmp_path: Path) -> None:
    path = _notebook(tmp_path / "p.ipynb", params="a = None  # a note\nb = [1, 'x']\n")
    assert parameters.notebook_parameters(path) == {"a": None, "b": [1, "x"]}
    declared = parameters.inspect_parameters(path)
    assert declared["a"] == parameters.Parameter(name="a", default=None, help="a note")
    assert declared["b"].help == ""
    _notebook(path, params="a = 1\nb = len([])")
    with pytest.raises(
        ValueError,
        match=r"p.ipynb: the default of parameter 'b' \('len\(\[\]\)'\) "
        r"is not a Python literal",
    ):
        parameters.notebook_parameters(path)
    assert parameters.notebook_parameters(_notebook(tmp_path / "none.ipynb", params="")) == {}


def test_every_notebook_declares_the_same_parameters() -> None:
    declared = {p.name: parameters.notebook_parameters(p) for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    assert declared, "no notebooks found"
    for name, params in declared.items():
        assert set(params) == {
            "dataset",
            "seeds_dir",
            "codebook_path",
            "seed",
            "n_boot",
            "date_from",
            "date_to",
            "language",
            "output_dir",
        }, name
        assert params["seeds_dir"] is None and params["output_dir"] is None, name
        assert params["dataset"] is None, name
        help_text = parameters.inspect_parameters(NOTEBOOKS_DIR / name)["dataset"].help
        assert help_text == "a coded dataset folder written by `coco code`; None: code the corpus"


def test_resolve_parameters_keeps_declared_names_and_absolutises_paths(tmp_path: Path) -> None:
    resolved = parameters.resolve_parameters(
        {"seeds_dir": None, "n_boot": 10, "codebook_path": None},
        {"seeds_dir": "corpus", "n_boot": 5, "other": 1},
        base=tmp_path,
    )
    assert resolved == {
        "seeds_dir": str(tmp_path / "corpus"),
        "n_boot": 5,
        "codebook_path": None,
    }


# --------------------------------------------------------------------------- hashing


def test_hash_tree_follows_content_and_names_not_times(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("two", encoding="utf-8")
    first = cache.hash_tree(tmp_path)
    os.utime(tmp_path / "a.txt", (0, 0))
    (tmp_path / ".hidden").write_text("ignored", encoding="utf-8")
    assert cache.hash_tree(tmp_path) == first
    (tmp_path / "a.txt").write_text("one!", encoding="utf-8")
    edited = cache.hash_tree(tmp_path)
    assert edited != first
    (tmp_path / "a.txt").rename(tmp_path / "c.txt")
    assert cache.hash_tree(tmp_path) not in (first, edited)
    assert cache.hash_tree(tmp_path / "missing") == "missing"


def test_parameter_hash_ignores_output_dir_only() -> None:
    base = {"n_boot": 10, "output_dir": "/x"}
    assert cache.hash_parameters(base) == cache.hash_parameters({**base, "output_dir": "/y"})
    assert cache.hash_parameters(base) != cache.hash_parameters({**base, "n_boot": 11})


def test_input_hashes_cover_the_inputs_and_combine_into_a_key() -> None:
    notebook = NOTEBOOKS_DIR / "02_indicators.ipynb"
    hashes = cache.input_hashes(notebook, {"seeds_dir": None, "n_boot": 1})
    assert set(hashes) == {
        "notebook",
        "seeds",
        "codebook",
        "dataset",
        "parameters",
        "library",
        "gold",
        "real_dev",
        "key",
    }
    assert hashes["dataset"] == "none"
    other = cache.input_hashes(notebook, {"seeds_dir": None, "n_boot": 2})
    assert other["key"] != hashes["key"]
    assert other["seeds"] == hashes["seeds"]


def test_a_parameter_only_keys_the_notebooks_that_use_it(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("n_boot = 10\nseed = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("rates(n_boot=n_boot)"),
    ]
    path = tmp_path / "uses_n_boot.ipynb"
    nbformat.write(nb, str(path))
    assert parameters.used_parameters(path, ["n_boot", "seed"]) == {"n_boot"}
    base = cache.input_hashes(path, {"n_boot": 10, "seed": 1})
    assert cache.input_hashes(path, {"n_boot": 10, "seed": 2})["key"] == base["key"]
    assert cache.input_hashes(path, {"n_boot": 20, "seed": 1})["key"] != base["key"]
    # the corpus notebook draws no bootstrap: n_boot does not re-run it
    corpus = NOTEBOOKS_DIR / "01_corpus.ipynb"
    assert (
        cache.input_hashes(corpus, {"seeds_dir": None, "n_boot": 1})["key"]
        == cache.input_hashes(corpus, {"seeds_dir": None, "n_boot": 2})["key"]
    )


# --------------------------------------------------------------------------- notebooks


def test_clean_notebook_strips_volatile_metadata_and_keeps_outputs() -> None:
    cell = nbformat.v4.new_code_cell(
        "1",
        metadata={
            "papermill": {"duration": 1},
            "execution": {"iopub.status.idle": "2026-01-01T00:00:00.000Z"},
            "tags": ["x"],
        },
        outputs=[nbformat.v4.new_output("execute_result", data={"text/plain": "1"})],
    )
    nb = nbformat.v4.new_notebook(
        cells=[cell],
        metadata={"papermill": {}, "language_info": {"name": "python", "version": "3.11.7"}},
    )
    clean = execute.clean_notebook(nb)
    assert "papermill" not in clean.metadata
    assert clean.metadata["language_info"] == {"name": "python"}
    assert clean.cells[0].metadata == {"tags": ["x"]}
    assert clean.cells[0].outputs == cell.outputs
    assert "papermill" in nb.metadata  # the input is left as it was


#: The longest line a stored notebook may hold: its outputs stay readable in ``git diff``
#: (charts are written one SVG element per line, tables one row per line).
MAX_STORED_LINE = 4_000


def test_stored_notebooks_stay_diffable() -> None:
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        longest = max(text.splitlines(), key=len)
        assert len(longest) <= MAX_STORED_LINE, (path.name, len(longest), longest[:120])
        assert "image/png" not in text, f"{path.name}: a base64 image in the stored outputs"


def test_cell_options_and_captions() -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("See @fig-a, @tbl-b and @fig-unknown."),
            nbformat.v4.new_code_cell('#| label: fig-a\n#| fig-cap: "Rates <1>"\nshow()'),
            nbformat.v4.new_code_cell("#| label: tbl-b\n#| tbl-cap: Numbers\ntable()"),
            nbformat.v4.new_code_cell("#| label: fig-c\nshow()"),
        ]
    )
    assert render.cell_options(nb.cells[1].source) == {"label": "fig-a", "fig-cap": "Rates <1>"}
    numbered = render.number_captions(nb)
    assert numbered.cells[0].source == (
        "See [Figure 1](#fig-a), [Table 1](#tbl-b) and @fig-unknown."
    )
    fig = numbered.cells[1].outputs[-1]["data"]["text/html"]
    assert 'id="fig-a"' in fig and "Figure 1:</strong> Rates &lt;1&gt;" in fig
    tbl = numbered.cells[2].outputs[0]["data"]["text/html"]  # table captions go above
    assert "Table 1:</strong> Numbers" in tbl
    assert "Figure 2" in numbered.cells[3].outputs[-1]["data"]["text/html"]
    assert nb.cells[1].outputs == []


def test_links_between_notebooks_point_at_pages() -> None:
    pages = render.page_names(["01_corpus.ipynb", "00_report.ipynb"])
    assert pages == {"00_report.ipynb": "index", "01_corpus.ipynb": "01_corpus"}
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("[a](00_report.ipynb) [b](01_corpus.ipynb#top)")]
    )
    assert render.rewrite_links(nb, pages, suffix=".html").cells[0].source == (
        "[a](index.html) [b](01_corpus.html#top)"
    )


def test_front_matter_gives_the_title() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_raw_cell('---\ntitle: "The corpus"\n---')])
    assert render.front_matter(nb) == {"title": "The corpus"}
    assert render.notebook_title(nb, "x") == "The corpus"
    assert render.notebook_title(nbformat.v4.new_notebook(), "fallback") == "fallback"


def test_external_resources_are_found() -> None:
    page = (
        '<script src="https://cdn.x/require.js"></script>'
        '<link rel="stylesheet" href="//fonts.x/css">'
        "<style>@import url('https://x/y.css');</style>"
        '<script>var a = 1;</script><a href="https://quarto.org">ok</a>'
        '<img src="data:image/svg+xml;base64,AAAA">'
    )
    assert len(render.external_resources(page)) == 3


# --------------------------------------------------------------------------- data


def test_filter_documents_by_date_and_language() -> None:
    docs = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "language": ["en", "es", "en"],
            "published_date": [dt.date(2025, 1, 1), dt.date(2026, 1, 20), None],
        }
    )
    assert data.filter_documents(docs)["doc_id"].to_list() == ["a", "b", "c"]
    assert data.filter_documents(docs, date_from="2025-06-01")["doc_id"].to_list() == ["b"]
    assert data.filter_documents(docs, date_to=dt.date(2025, 1, 1))["doc_id"].to_list() == ["a"]
    assert data.filter_documents(docs, language=["en"])["doc_id"].to_list() == ["a", "c"]
    with pytest.raises(ValueError, match=r"date_from must be a date written YYYY-MM-DD"):
        data.filter_documents(docs, date_from="January")
    with pytest.raises(ValueError, match=r"date_from \(2026-01-01\) is after date_to"):
        data.filter_documents(docs, date_from="2026-01-01", date_to="2025-01-01")


def test_filters_that_match_nothing_name_the_parameter_and_the_corpus() -> None:
    docs = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "language": ["en", "en", "en"],
            "published_date": [dt.date(2025, 7, 1), dt.date(2026, 6, 1), None],
        }
    )
    holds = re.escape("the corpus holds 3 documents, in en (3), published 2025-07-01 to 2026-06-01")
    assert data.check_filters(docs, language="en", date_to="2025-12-31").height == 1
    assert data.check_filters(docs).height == 3
    with pytest.raises(
        ValueError,
        match=r"language='xx' is not a language code .* use one of "
        r"\['en', 'es'\] \(the corpus holds 3 documents",
    ):
        data.check_filters(docs, language="xx")
    with pytest.raises(ValueError, match=r"language='fr' is not a language code"):
        data.check_filters(docs, language=["en", "fr"])
    with pytest.raises(ValueError, match=r"^no document matches language='es': " + holds):
        data.check_filters(docs, language="es")  # a language the coder reads, none held
    with pytest.raises(ValueError, match=r"^no document matches date_from='2030-01-01': " + holds):
        data.check_filters(docs, date_from="2030-01-01")
    with pytest.raises(ValueError, match=r"date_to=2020-01-01 and language='en': .*no date\)$"):
        data.check_filters(docs, date_to=dt.date(2020, 1, 1), language="en")
    # a language held by the corpus is known even if the coder does not read it
    assert data.check_filters(docs.with_columns(language=pl.lit("fr")), language="fr").height == 3
    assert data.describe_corpus(docs.head(0)) == "no documents"
    undated = docs.with_columns(published_date=pl.lit(None, dtype=pl.Date))
    assert data.describe_corpus(undated.head(1)) == "1 document, in en (1), with no known date"


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("language=xx", "language='xx' is not a language code"),
        ("language=es", "no document matches language='es': the corpus holds 5 documents"),
        ("date_from=2030-01-01", "no document matches date_from='2030-01-01'"),
        ("date_to=2001-01-01", "no document matches date_to='2001-01-01'"),
    ],
)
def test_cli_refuses_filters_that_match_nothing_and_keeps_the_report(
    tmp_path: Path, param: str, message: str
) -> None:
    out = tmp_path / "reports"
    (out / "site").mkdir(parents=True)
    (out / "site" / "index.html").write_text("the good report", encoding="utf-8")
    (out / "build.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(app, ["build", "--output", str(out), "--param", param])
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split())
    # nothing ran and nothing was replaced
    assert sorted(p.name for p in out.iterdir()) == ["build.json", "site"]
    assert (out / "site" / "index.html").read_text(encoding="utf-8") == "the good report"
    assert (out / "build.json").read_text(encoding="utf-8") == "{}"


def test_coco_command_refuses_an_unknown_language(tmp_path: Path) -> None:
    import subprocess
    import sys

    coco = Path(sys.executable).with_name("coco")
    args = [str(coco), "build", "--output", str(tmp_path), "--param", "language=xx"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "error: language='xx' is not a language code" in " ".join(done.stderr.split())
    assert "en (5)" in done.stderr and "published 2025-07-01 to 2026-06-01" in done.stderr
    assert not (tmp_path / "site").exists() and not (tmp_path / "build.json").exists()


def test_write_tables_parquet_and_csv(tmp_path: Path) -> None:
    table = pl.DataFrame(
        {"doc_id": ["a"], "sources": [["x", "y"]], "n": [1]},
        schema={"doc_id": pl.String, "sources": pl.List(pl.String), "n": pl.Int64},
    )
    written = build.write_tables({"events": table}, tmp_path)
    assert [p.name for p in written] == ["events.parquet", "events.csv"]
    assert pl.read_parquet(tmp_path / "events.parquet").equals(table)
    csv = pl.read_csv(tmp_path / "events.csv")
    assert json.loads(csv["sources"][0]) == ["x", "y"]
    assert not list(tmp_path.glob(".*"))  # no temporary files left
    with pytest.raises(ValueError, match=r"table name 'a/b' is not a valid file stem"):
        build.write_tables({"a/b": table}, tmp_path)
    with pytest.raises(TypeError, match=r"table 'x' is a dict, not a polars DataFrame"):
        build.write_tables({"x": {}}, tmp_path)  # type: ignore[dict-item]


def test_parameters_and_versions_tables() -> None:
    table = build_record.parameters_table({"seeds_dir": None, "language": None, "n_boot": 5})
    assert table.rows() == [
        ("seeds_dir", "None", "seeds"),
        ("language", "None", "(no filter)"),
        ("n_boot", "5", "5"),
    ]
    versions = build_record.versions_table()["requirement"].to_list()
    assert versions[0].startswith("python==")
    assert any(v.startswith("polars==") for v in versions)


# --------------------------------------------------------------------------- builds


def _notebook(path: Path, *cells: str, params: str = "value = 1") -> Path:
    parameters = nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]})
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_raw_cell(f'---\ntitle: "{path.stem}"\n---'),
            parameters,
            *(nbformat.v4.new_code_cell(c) for c in cells),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, str(path))
    return path


def test_build_errors_name_the_problem(tmp_path: Path) -> None:
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    with pytest.raises(build.BuildError, match=r"no notebooks \(\*\.ipynb\) in"):
        build.run_build(notebooks_dir=notebooks, reports_dir=tmp_path / "out")
    _notebook(notebooks / "00_a.ipynb", "value")
    with pytest.raises(ValueError, match=r"parameter\(s\) \['nboot'\] are not declared"):
        build.run_build(notebooks_dir=notebooks, reports_dir=tmp_path, overrides={"nboot": 1})
    with pytest.raises(ValueError, match=r"only: no notebook named \['99_x'\]"):
        build.run_build(notebooks_dir=notebooks, reports_dir=tmp_path, only=["99_x"])
    with pytest.raises(ValueError, match=r"renderer must be one of .* got 'word'"):
        build.run_build(notebooks_dir=notebooks, reports_dir=tmp_path, renderer="word")  # type: ignore[arg-type]


@pytest.mark.skipif(render.find_quarto() is not None, reason="quarto is installed: --pdf works")
def test_pdf_needs_quarto(tmp_path: Path) -> None:
    with pytest.raises(build.BuildError, match=r"--pdf needs Quarto \(Typst PDF\)"):
        build.run_build(reports_dir=tmp_path, pdf=True)  # before running any notebook
    assert not any(tmp_path.iterdir())
    with pytest.raises(build.BuildError, match=r"--pdf needs Quarto \(Typst PDF\)"):
        render.render_site([], tmp_path / "site", renderer="nbconvert", pdf=True)
    with pytest.raises(ValueError, match=r"renderer must be one of .* got 'word'"):
        render.render_site([], tmp_path / "site", renderer="word")  # type: ignore[arg-type]


def test_failing_notebook_stops_the_build_and_keeps_the_previous_report(tmp_path: Path) -> None:
    notebooks, out = tmp_path / "nb", tmp_path / "reports"
    notebooks.mkdir()
    nb = _notebook(notebooks / "00_report.ipynb", "print(value)", "value + 1")
    first = build.run_build(notebooks_dir=notebooks, reports_dir=out, renderer="nbconvert")
    assert first.executed == ["00_report.ipynb"]
    index = out / "site" / "index.html"
    assert "00_report" in index.read_text(encoding="utf-8")
    again = build.run_build(notebooks_dir=notebooks, reports_dir=out, renderer="nbconvert")
    assert (again.executed, again.rendered) == ([], False)

    site_before = index.read_bytes()
    record_before = (out / "build.json").read_bytes()
    executed_before = (out / "notebooks" / "00_report.ipynb").read_bytes()
    _notebook(nb, "print(value)", "#| echo: false\nraise ValueError('boom')")
    with pytest.raises(build.NotebookError) as failure:
        build.run_build(notebooks_dir=notebooks, reports_dir=out, renderer="nbconvert")
    err = failure.value
    assert (err.notebook, err.cell_index) == ("00_report.ipynb", 3)
    assert err.cell_source == "raise ValueError('boom')"
    assert err.error == "ValueError: boom"
    assert str(err).startswith(
        "notebook 00_report.ipynb failed in cell 3 (\"raise ValueError('boom')\"): "
        "ValueError: boom. The previous report and build record were left in place."
    )
    assert index.read_bytes() == site_before
    assert (out / "build.json").read_bytes() == record_before
    assert (out / "notebooks" / "00_report.ipynb").read_bytes() == executed_before
    assert _layout(out) == ["build.json", "data", "notebooks", "site"]


def _layout(out: Path) -> list[str]:
    """The published names of a reports folder, after checking the hidden ones: the lock,
    the ``.current`` link and the one build folder it points to, nothing left over."""
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    current = os.readlink(out / ".current")
    assert hidden == sorted([".current", ".lock", current]), hidden
    assert current.startswith(".build-")
    for name in ("build.json", "data", "notebooks", "site"):
        assert os.readlink(out / name) == f".current/{name}"
    return sorted(p.name for p in out.iterdir() if not p.name.startswith("."))


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every published file of a reports folder (through its links), by relative path."""
    files = {"build.json": (out / "build.json").read_bytes()}
    for folder in ("data", "notebooks", "site"):
        for path in sorted((out / folder).rglob("*")):
            if path.is_file():
                files[f"{folder}/{path.relative_to(out / folder)}"] = path.read_bytes()
    return files


_WRITES = (
    "from pathlib import Path\n"
    "Path(output_dir).mkdir(parents=True, exist_ok=True)\n"
    "Path(output_dir, NAME).write_text(str(value))"
)


def test_a_failed_build_puts_back_the_tables_of_the_previous_one(tmp_path: Path) -> None:
    notebooks, out = tmp_path / "nb", tmp_path / "reports"
    notebooks.mkdir()
    params = "value = 1\noutput_dir = None"
    _notebook(notebooks / "00_a.ipynb", _WRITES.replace("NAME", "'a.txt'"), params=params)
    _notebook(notebooks / "01_b.ipynb", _WRITES.replace("NAME", "'b.txt'"), params=params)
    build.run_build(notebooks_dir=notebooks, reports_dir=out, renderer="nbconvert")
    assert (out / "data" / "a.txt").read_text() == "1"
    # 00_a writes its new table, then 01_b fails: the old tables come back
    _notebook(notebooks / "01_b.ipynb", "raise ValueError('late')", params=params)
    with pytest.raises(build.NotebookError):
        build.run_build(
            notebooks_dir=notebooks,
            reports_dir=out,
            renderer="nbconvert",
            overrides={"value": 2},
            workers=1,
        )
    assert sorted(p.name for p in (out / "data").iterdir()) == ["a.txt", "b.txt"]
    assert (out / "data" / "a.txt").read_text() == "1"


def test_cached_notebooks_rerun_when_their_tables_are_gone_or_moved(tmp_path: Path) -> None:
    notebooks, out = tmp_path / "nb", tmp_path / "reports"
    notebooks.mkdir()
    params = "value = 1\noutput_dir = None"
    _notebook(notebooks / "00_a.ipynb", _WRITES.replace("NAME", "'a.txt'"), params=params)
    run = {"notebooks_dir": notebooks, "reports_dir": out, "renderer": "nbconvert"}
    build.run_build(**run)
    assert build.run_build(**run).executed == []
    (out / "data" / "a.txt").unlink()
    assert build.run_build(**run).executed == ["00_a.ipynb"]
    assert (out / "data" / "a.txt").is_file()
    elsewhere = tmp_path / "tables"
    moved = build.run_build(**run, overrides={"output_dir": str(elsewhere)})
    assert moved.executed == ["00_a.ipynb"]
    assert (elsewhere / "a.txt").read_text() == "1"


def test_kernels_run_in_the_notebooks_folder_and_leave_our_cwd_alone(tmp_path: Path) -> None:
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    check = f"import os\nassert os.getcwd() == {str(notebooks)!r}, os.getcwd()"
    for name in ("00_a.ipynb", "01_b.ipynb", "02_c.ipynb"):
        _notebook(notebooks / name, check)
    before = Path.cwd()
    result = build.run_build(notebooks_dir=notebooks, reports_dir=tmp_path / "out", workers=2)
    assert result.executed == ["00_a.ipynb", "01_b.ipynb", "02_c.ipynb"]
    assert Path.cwd() == before


def test_cli_reports_bad_parameters_and_failures(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["build", "--param", "nboot"])
    assert result.exit_code == 1
    assert "--param expects key=value" in result.output
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    _notebook(notebooks / "00_report.ipynb", "1 / 0")
    args = ["build", "--notebooks", str(notebooks), "--output", str(tmp_path / "out")]
    result = runner.invoke(app, args, prog_name="coco")
    assert result.exit_code == 1
    assert "failed in cell 2 ('1 / 0'): ZeroDivisionError: division by zero" in result.output


def test_cli_check_lists_the_tools() -> None:
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    for item in ("python", "kernel python3", "quarto", "chromium", "polars", "papermill"):
        assert item in result.output
    if render.find_quarto() is None:
        assert "https://quarto.org/docs/get-started/" in result.output


def test_cli_lab_registers_a_missing_kernel_then_opens_the_notebooks(monkeypatch) -> None:
    import sys

    from analysis import cli

    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "_kernel_python", lambda: "/elsewhere/bin/python")
    monkeypatch.setattr(cli, "_is_root", lambda: False)
    monkeypatch.setattr(cli.subprocess, "run", lambda cmd, check: calls.append(cmd))
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    result = CliRunner().invoke(app, ["lab"])
    assert result.exit_code == 0, result.output
    assert calls == [
        [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
        [sys.executable, "-m", "jupyterlab", f"--notebook-dir={NOTEBOOKS_DIR}"],
    ]
    # with this environment's kernel registered, it only opens JupyterLab
    calls.clear()
    monkeypatch.setattr(cli, "_kernel_python", lambda: sys.executable)
    assert CliRunner().invoke(app, ["lab"]).exit_code == 0
    assert [cmd[2] for cmd in calls] == ["jupyterlab"]


def test_cli_lab_passes_its_options_and_runs_as_root(monkeypatch) -> None:
    import sys

    from analysis import cli

    calls: list[list[str]] = []
    monkeypatch.setattr(cli, "_kernel_python", lambda: sys.executable)
    monkeypatch.setattr(cli, "_is_root", lambda: False)
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd: calls.append(cmd) or 0)
    args = ["lab", "--port", "9123", "--no-browser", "--allow-root", "--ip=127.0.0.1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert calls[-1][4:] == ["--port=9123", "--no-browser", "--allow-root", "--ip=127.0.0.1"]
    # as root, JupyterLab needs --allow-root: coco lab (and so make lab) adds it
    monkeypatch.setattr(cli, "_is_root", lambda: True)
    assert CliRunner().invoke(app, ["lab"]).exit_code == 0
    assert calls[-1][4:] == ["--allow-root"]
    assert "coco lab $(ARGS)" in (NOTEBOOKS_DIR.parent / "Makefile").read_text(encoding="utf-8")


def test_cli_version_short_help_and_flags() -> None:
    from importlib.metadata import version

    runner = CliRunner()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    expected = f"coco (cooperation-or-coercion) {version('cooperation-or-coercion')}"
    assert result.output.strip() == expected
    for args in (["-h"], ["--help"]):
        result = runner.invoke(app, args, prog_name="coco")
        assert result.exit_code == 0
        assert "Usage: coco [OPTIONS] COMMAND" in result.output, result.output
        assert "--version" in result.output
    help_text = runner.invoke(app, ["build", "-h"]).output
    assert "<bool>" not in help_text
    lines = {line.split()[0]: line for line in help_text.splitlines() if line.strip()[:2] == "--"}
    for flag in ("--force", "--pdf"):
        assert lines[flag].split()[1][0].isupper(), lines[flag]  # the help text, no value
    assert "--param KEY=VALUE" in help_text
    lab_help = runner.invoke(app, ["lab", "-h"]).output
    for option in ("--port PORT", "--no-browser", "--allow-root"):
        assert option in lab_help
    assert "<bool>" not in lab_help


@pytest.mark.slow
def test_build_renders_the_report_then_caches_everything(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    out = tmp_path_factory.getbasetemp() / "report"
    params = [arg for k, v in BUILD_PARAMS.items() for arg in ("--param", f"{k}={v}")]
    result = CliRunner().invoke(app, ["build", "--force", "--output", str(out), *params])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    record = json.loads((out / "build.json").read_text(encoding="utf-8"))
    renderer = "quarto" if render.find_quarto() else "nbconvert"
    assert record["renderer"] == renderer
    # the render stage says what it is doing, as lines that stay in a log
    assert re.search(r"  render: .+ in \d+\.\d s", result.output), result.output
    if renderer == "nbconvert":
        assert "Rendered with nbconvert: quarto was not found" in result.output
        assert "https://quarto.org/docs/get-started/" in result.output
    assert sorted(record["executed"]) == names and record["cached"] == []
    assert sorted(record["notebooks"]) == names
    for name in names:
        entry = record["notebooks"][name]
        assert entry["parameters"]["n_boot"] == BUILD_PARAMS["n_boot"]
        assert entry["parameters"]["output_dir"] == str(out / "data")
        assert set(entry["inputs"]) == {
            "notebook",
            "seeds",
            "codebook",
            "dataset",
            "parameters",
            "library",
            "gold",
            "real_dev",
            "key",
        }
        assert entry["seconds"] > 0
        assert (out / "notebooks" / name).exists()
    assert record["versions"]["polars"] == pl.__version__
    assert record["timings"]["total"] >= record["timings"]["render"] > 0
    for stem in render.page_names(names).values():
        page = (out / "site" / f"{stem}.html").read_text(encoding="utf-8")
        assert render.external_resources(page) == []
    assert (out / "data" / "codes.parquet").exists()

    again = build.run_build(reports_dir=out, overrides=BUILD_PARAMS)
    assert again.executed == [] and not again.rendered
    assert sorted(again.cached) == names


# --------------------------------------------------------------------------- integrity


def test_a_build_is_published_by_one_rename_and_leftovers_are_cleaned(tmp_path: Path) -> None:
    notebooks, out = tmp_path / "nb", tmp_path / "reports"
    notebooks.mkdir()
    params = "value = 1\noutput_dir = None"
    _notebook(notebooks / "00_a.ipynb", _WRITES.replace("NAME", "'a.txt'"), params=params)
    _notebook(notebooks / "01_b.ipynb", _WRITES.replace("NAME", "'b.txt'"), params=params)
    # a reports folder from before: real folders, a backup left by a killed build
    for name in ("data", "notebooks", "site"):
        (out / name).mkdir(parents=True)
    (out / "data" / "a.txt").write_text("old", encoding="utf-8")
    (out / "build.json").write_text("{}", encoding="utf-8")
    (out / ".build-abandoned" / "tables-backup-0").mkdir(parents=True)
    (out / "README.md").write_text("kept", encoding="utf-8")
    run = {"notebooks_dir": notebooks, "reports_dir": out, "renderer": "nbconvert"}
    build.run_build(**run)
    assert _layout(out) == ["README.md", "build.json", "data", "notebooks", "site"]
    assert (out / "data" / "a.txt").read_text() == "1"
    record = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert record["notebooks"]["00_a.ipynb"]["output_dir"] == str(out / "data")
    assert record["notebooks"]["00_a.ipynb"]["parameters"]["output_dir"] == str(out / "data")
    assert record["data"][str(out / "data")] == {
        "a.txt": cache.hash_bytes(b"1"),
        "b.txt": cache.hash_bytes(b"1"),
    }
    first = os.readlink(out / ".current")

    # --only: the other notebook's executed copy and tables are carried into the new build
    (out / ".build-killed" / "data").mkdir(parents=True)
    changed = build.run_build(**run, only=["00_a"], overrides={"value": 2})
    assert changed.executed == ["00_a.ipynb"]
    assert os.readlink(out / ".current") != first and not (out / first).exists()
    assert _layout(out) == ["README.md", "build.json", "data", "notebooks", "site"]
    assert (out / "data" / "a.txt").read_text() == "2"
    assert (out / "data" / "b.txt").read_text() == "1"
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["00_a.ipynb", "01_b.ipynb"]
    # a cached build publishes the same report again
    before = _snapshot(out)
    assert build.run_build(**run, only=["00_a"], overrides={"value": 2}).executed == []
    after = _snapshot(out)
    assert {k: v for k, v in after.items() if k != "build.json"} == {
        k: v for k, v in before.items() if k != "build.json"
    }
    # the notebooks wrote into the build's folder; the report names the published one
    assert build_record.published_path(out / first / "data") == str(out / "data")


def test_a_second_build_in_process_is_refused_while_one_holds_the_lock(tmp_path: Path) -> None:
    notebooks, out = tmp_path / "nb", tmp_path / "reports"
    notebooks.mkdir()
    _notebook(notebooks / "00_a.ipynb", "value")
    out.mkdir()
    with build.lock_reports(out) as lock:
        assert lock.read_text(encoding="ascii").strip() == str(os.getpid())
        with pytest.raises(
            build.BuildLockedError,
            match=rf"\(pid {os.getpid()}\): it holds the "
            rf"lock {re.escape(str(out / '.lock'))}\. Wait for it to finish",
        ):
            build.run_build(notebooks_dir=notebooks, reports_dir=out, renderer="nbconvert")
    assert sorted(p.name for p in out.iterdir()) == [".lock"]  # nothing was staged
    assert build.run_build(notebooks_dir=notebooks, reports_dir=out).executed == ["00_a.ipynb"]


def _coco(*args: str, **popen: Any) -> subprocess.Popen[str]:
    coco = Path(sys.executable).with_name("coco")
    return subprocess.Popen(
        [str(coco), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def test_two_builds_at_once_the_second_fails_naming_the_lock_and_the_pid(tmp_path: Path) -> None:
    notebooks, out = tmp_path / "nb", tmp_path / "reports"
    notebooks.mkdir()
    _notebook(notebooks / "00_a.ipynb", "import time\ntime.sleep(4)")
    args = ("build", "--notebooks", str(notebooks), "--output", str(out), "--renderer", "nbconvert")
    first = _coco(*args)
    lock = out / ".lock"
    try:
        _wait_for(
            lambda: lock.is_file() and lock.read_text(encoding="ascii").strip() == str(first.pid),
            60,
            "the first build to take the lock",
        )
        second = _coco(*args)
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1, err
        assert (
            f"error: another build is running in {out} (pid {first.pid}): it holds the lock "
            f"{lock}. Wait for it to finish"
        ) in " ".join(err.split())
        _, first_err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, first_err
    assert _layout(out) == ["build.json", "data", "notebooks", "site"]
    record = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert record["executed"] == ["00_a.ipynb"]
    # the lock went with the process: the next build takes it
    assert build.run_build(notebooks_dir=notebooks, reports_dir=out).executed == []


@pytest.mark.slow
def test_sigkill_mid_build_leaves_the_previous_report_and_the_next_build_cleans_up(
    tmp_path: Path,
) -> None:
    out = tmp_path / "reports"
    only = ("--only", "01_corpus", "--renderer", "nbconvert", "--output", str(out))
    done = _coco("build", *only)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    before = _snapshot(out)
    assert "data/documents.parquet" in before

    # the same notebook on fewer documents: its tables change
    killed = _coco("build", *only, "--param", "date_from=2026-01-01", start_new_session=True)
    try:

        def new_tables_written() -> bool:
            return any(
                p.read_bytes() != before["data/documents.parquet"]
                for p in out.rglob("documents.parquet")
            )

        _wait_for(new_tables_written, 90, "the build to write its tables")
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
        assert killed.returncode == -signal.SIGKILL
        assert _snapshot(out) == before  # tables, executed notebooks, site, record
        assert len(list(out.glob(".build-*"))) == 2  # the published one and the leftover
    finally:
        if killed.poll() is None:
            killed.kill()
            killed.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(killed.pid, signal.SIGKILL)  # its kernel, orphaned by the kill
    assert _snapshot(out) == before

    again = _coco("build", *only, "--param", "date_from=2026-01-01")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert _layout(out) == ["build.json", "data", "notebooks", "site"]  # leftovers gone
    documents = pl.read_parquet(out / "data" / "documents.parquet")
    assert documents["published_date"].min() >= dt.date(2026, 1, 1)
    record = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert record["notebooks"]["01_corpus.ipynb"]["parameters"]["date_from"] == "2026-01-01"


def test_bless_writes_its_tables_outside_the_published_report(tmp_path: Path) -> None:
    from analysis.config import DATA_DIR

    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    name = f"bless_probe_{os.getpid()}"
    code = (
        "import polars as pl\nfrom analysis import build\n"
        f"written = build.write_tables({{{name!r}: pl.DataFrame({{'a': [value]}})}}, output_dir)\n"
        "print(len(written))"
    )
    _notebook(notebooks / "00_a.ipynb", code, params="value = 1\noutput_dir = None")
    before = os.environ.get(build.TABLES_ENV)
    assert build.bless_notebooks(notebooks_dir=notebooks) == [notebooks / "00_a.ipynb"]
    blessed = nbformat.read(str(notebooks / "00_a.ipynb"), as_version=4)
    assert blessed.cells[2].outputs[0]["text"] == "2\n"
    assert not (DATA_DIR / f"{name}.parquet").exists()
    assert os.environ.get(build.TABLES_ENV) == before  # put back as it was


def test_bless_lists_the_published_numbers_that_moved(tmp_path: Path) -> None:
    notebooks = tmp_path / "nb"
    notebooks.mkdir()

    def notebook(name: str, table: str, value: float) -> None:
        code = (
            "import polars as pl\nfrom analysis import build\n"
            f"frame = pl.DataFrame({{'stance': ['coop', 'coer'], 'balance': [value, -0.5],"
            " 'text': ['A sentence.', 'Another.']})\n"
            f"build.write_tables({{{table!r}: frame}}, output_dir)"
        )
        _notebook(notebooks / f"{name}.ipynb", code, params=f"value = {value}\noutput_dir = None")

    notebook("00_a", "balance_a", 0.25)
    notebook("01_b", "balance_b", 0.75)
    seen: list[list] = []
    build.bless_notebooks(notebooks_dir=notebooks, on_changes=seen.append)
    blessed = notebooks / build.BLESSED_TABLES
    assert sorted(p.name for p in blessed.iterdir()) == ["balance_a.csv", "balance_b.csv"]
    assert "text" not in pl.read_csv(blessed / "balance_a.csv").columns  # no corpus text
    assert [c.kind for c in seen[0]] == ["new table", "new table"]

    # a new default moves one number of one table; --only keeps the other table as it was
    notebook("00_a", "balance_a", 0.3)
    build.bless_notebooks(notebooks_dir=notebooks, only=["00_a"], on_changes=seen.append)
    assert seen[1] == [
        review.Change("balance_a", "changed", "stance=coop", "balance", "0.25", "0.3")
    ]
    assert sorted(p.name for p in blessed.iterdir()) == ["balance_a.csv", "balance_b.csv"]
    assert pl.read_csv(blessed / "balance_a.csv")["balance"].to_list() == [0.3, -0.5]

    build.bless_notebooks(notebooks_dir=notebooks, on_changes=seen.append)
    assert seen[2] == []
    assert review.format_changes(seen[1]) == [
        "1 change in 1 table (balance_a).",
        "  balance_a: stance=coop: balance 0.25 → 0.3",
    ]


def test_tests_write_no_table_into_the_published_report() -> None:
    from analysis.config import REPORTS_DIR

    tables = Path(os.environ[build.TABLES_ENV])  # set for the session by conftest.py
    assert REPORTS_DIR.resolve() not in tables.resolve().parents


def test_build_and_bless_take_the_same_only(tmp_path: Path) -> None:
    notebooks = tmp_path / "nb"
    notebooks.mkdir()
    for name in ("00_a", "01_b"):
        _notebook(notebooks / f"{name}.ipynb", "value")
    assert build.select_notebooks(notebooks, ["01_b.ipynb"]) == [notebooks / "01_b.ipynb"]
    assert build.select_notebooks(notebooks, ["01_b", "00_a"]) == [
        notebooks / "00_a.ipynb",
        notebooks / "01_b.ipynb",
    ]
    assert build.bless_notebooks(notebooks_dir=notebooks, only=["01_b"]) == [
        notebooks / "01_b.ipynb"
    ]
    message = "only: no notebook named ['99_x']; choose from ['00_report', '01_corpus',"
    runner = CliRunner()
    for command in ("build", "bless"):
        result = runner.invoke(app, [command, "--only", "99_x"])
        assert result.exit_code == 1, result.output
        assert message in " ".join(result.output.split()), result.output
        help_text = " ".join(runner.invoke(app, [command, "-h"]).output.split())
        assert "--only NOTEBOOK Only this notebook, by stem or file name" in help_text


# --------------------------------------------------------------------------- the data set


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """Two seed articles and their manifest: a corpus that codes in a second."""
    import shutil

    from analysis.config import SEEDS_DIR, SOURCES_PATH

    folder = tmp_path / "corpus"
    folder.mkdir()
    manifest = pl.read_csv(SOURCES_PATH).head(2)
    manifest.write_csv(folder / "sources.csv")
    for name in manifest["file"]:
        shutil.copy(SEEDS_DIR / name, folder / name)
    return folder


def test_the_coded_data_set_is_computed_once_per_input(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from analysis.config import CODEBOOK_PATH

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    entry, hit = cache.coded_dataset(seeds_dir=small_corpus)
    assert not hit and entry.parent == tmp_path / "cache"
    assert cache.coded_dataset(seeds_dir=small_corpus) == (entry, True)
    loaded = build.load_dataset(seeds_dir=small_corpus)
    assert loaded.documents.height == 2 and loaded.codes.height > 0
    assert loaded.codebook.path == str(CODEBOOK_PATH)
    # a filter keeps the documents it wants from the one coded set: the same tables as
    # filtering first and coding then
    from analysis import codebook, corpus, indicators, segment

    kept = data.check_filters(corpus.load_corpus(small_corpus), date_from="2026-01-01")
    filtered = build.load_dataset(seeds_dir=small_corpus, date_from="2026-01-01")
    sentences = segment.split_sentences(kept)
    assert filtered.documents.equals(kept) and filtered.sentences.equals(sentences)
    assert filtered.codes.equals(indicators.code_sentences(sentences, codebook.load_codebook()))
    # each input has its own entry: the corpus, the codebook
    article = next(p for p in small_corpus.iterdir() if p.suffix != ".csv")
    article.write_text(article.read_text(encoding="utf-8") + "\n\nMore.", encoding="utf-8")
    assert cache.coded_dataset(seeds_dir=small_corpus)[0] != entry
    book = tmp_path / "codebook.yaml"
    shutil.copy(CODEBOOK_PATH, book)
    assert cache.dataset_inputs(codebook_path=book)["key"] == cache.dataset_inputs()["key"]
    book.write_text(book.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert cache.dataset_inputs(codebook_path=book)["key"] != cache.dataset_inputs()["key"]
    left = {p.name for p in (tmp_path / "cache").iterdir()}
    entries = {p.name for p in (tmp_path / "cache").glob("dataset-*")}
    assert left == entries | {f".{name}.lock" for name in entries}  # no temporary folder


def test_two_processes_wanting_the_same_entry_compute_it_once(
    tmp_path: Path, small_corpus: Path
) -> None:
    code = (
        "import sys; from analysis import cache; "
        f"entry, hit = cache.coded_dataset(seeds_dir={str(small_corpus)!r}, "
        f"folder={str(tmp_path / 'cache')!r}); print(entry, hit)"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    answers = [run.communicate(timeout=120)[0].split() for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    entries = {entry for entry, _ in answers}
    assert len(entries) == 1
    assert sorted(hit for _, hit in answers) == ["False", "True"]  # one computed, one waited
    name = Path(entries.pop()).name
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [f".{name}.lock", name]


def test_a_damaged_cache_entry_is_computed_again(tmp_path: Path, small_corpus: Path) -> None:
    entry, _ = cache.coded_dataset(seeds_dir=small_corpus, folder=tmp_path)
    (entry / "codes" / "part-00000.parquet").unlink()
    assert cache.coded_dataset(seeds_dir=small_corpus, folder=tmp_path) == (entry, False)
    assert (entry / "codes" / "part-00000.parquet").is_file()


def test_the_cache_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    for i in range(4):
        (tmp_path / f"dataset-{i}").mkdir()
        os.utime(tmp_path / f"dataset-{i}", (i, i))
    cache._prune(tmp_path, keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dataset-2", "dataset-3"]


def _write_dataset(folder: Path, tables: build.Dataset, *, keep: int) -> Path:
    from analysis import dataset

    ids = tables.documents["doc_id"].head(keep)
    for i, doc in enumerate(ids):
        dataset.write_part(
            folder,
            i,
            {
                name: getattr(tables, name).filter(pl.col("doc_id") == doc)
                for name in ("documents", "sentences", "codes")
            },
        )
    dataset.write_record(folder, {"documents": keep})
    return folder


def test_a_coded_dataset_on_disk_is_read_and_filtered(tmp_path: Path) -> None:
    from analysis.dataset import DatasetError

    whole = build.load_dataset()
    folder = _write_dataset(tmp_path / "coded", whole, keep=3)
    loaded = build.load_dataset(dataset=folder)
    assert loaded.documents.equals(whole.documents.head(3))
    assert (
        loaded.codes.height
        == whole.codes.filter(
            pl.col("doc_id").is_in(whole.documents["doc_id"].head(3).implode())
        ).height
    )
    assert loaded.codebook.path == whole.codebook.path  # no codebook named: the packaged one
    late = build.load_dataset(dataset=folder, date_from="2026-01-01")
    assert set(late.sentences["doc_id"]) == set(late.documents["doc_id"])
    with pytest.raises(
        ValueError,
        match=r"dataset='.*coded' is already coded: seeds_dir "
        r"cannot apply to it; leave them None",
    ):
        build.load_dataset(dataset=folder, seeds_dir="seeds")
    with pytest.raises(DatasetError, match=r"no such folder"):
        build.load_dataset(dataset=tmp_path / "nope")
    table = build_record.parameters_table({"dataset": str(folder), "seeds_dir": None})
    assert table["in_effect"].to_list() == [str(folder), "(not used: the dataset is already coded)"]


@pytest.mark.slow
def test_coco_build_reports_on_a_coded_dataset(tmp_path: Path) -> None:
    folder = _write_dataset(tmp_path / "coded", build.load_dataset(), keep=2)
    out = tmp_path / "reports"
    args = [
        "build",
        "--only",
        "01_corpus",
        "--renderer",
        "nbconvert",
        "--output",
        str(out),
        "--param",
        f"dataset={folder}",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(out / "data" / "documents.parquet").height == 2
    built = json.loads((out / "build.json").read_text(encoding="utf-8"))
    assert built["datasets"] == [
        {
            "source": "dataset",
            "folder": str(folder),
            "reused": True,
            "seconds": built["datasets"][0]["seconds"],
        }
    ]
    entry = built["notebooks"]["01_corpus.ipynb"]
    assert entry["parameters"]["dataset"] == str(folder)
    assert entry["inputs"]["dataset"] == cache.hash_tree(folder)
    both = CliRunner().invoke(app, [*args, "--param", "seeds_dir=seeds"])
    assert both.exit_code == 1
    assert "seeds_dir cannot apply to it" in " ".join(both.output.split())


def test_ctrl_c_mid_build_leaves_the_previous_report_and_nothing_else(tmp_path: Path) -> None:
    notebooks, out = tmp_path / "nb", tmp_path / "reports"
    notebooks.mkdir()
    writes = _WRITES.replace("NAME", "'a.txt'") + "\nimport time\ntime.sleep(value - 1)"
    _notebook(notebooks / "00_a.ipynb", writes, params="value = 1\noutput_dir = None")
    args = ("build", "--notebooks", str(notebooks), "--output", str(out), "--renderer", "nbconvert")
    build.run_build(notebooks_dir=notebooks, reports_dir=out, renderer="nbconvert")
    before = _snapshot(out)

    stopped = _coco(*args, "--param", "value=4")
    try:
        _wait_for(
            lambda: any(p.read_text() == "4" for p in out.glob(".build-*/data/a.txt")),
            60,
            "the build to write its table",
        )
        stopped.send_signal(signal.SIGINT)
        stopped.communicate(timeout=60)
    finally:
        if stopped.poll() is None:
            stopped.kill()
            stopped.wait()
    assert stopped.returncode != 0
    assert _snapshot(out) == before
    assert _layout(out) == ["build.json", "data", "notebooks", "site"]  # nothing left over


def test_coco_bless_prints_the_changes_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    change = review.Change("kwic_counts", "changed", "doc_id=[bold]x[/bold]", "n", "1", "2")

    def fake_bless(*, only, on_event, on_changes):
        on_changes([change])
        return [NOTEBOOKS_DIR / "01_corpus.ipynb"]

    monkeypatch.setattr(build, "bless_notebooks", fake_bless)
    result = CliRunner().invoke(app, ["bless"])
    assert result.exit_code == 0, result.output
    assert "1 change in 1 table (kwic_counts)." in result.output
    # corpus-derived labels are printed as they are, never read as console markup
    assert "kwic_counts: doc_id=[bold]x[/bold]: n 1 → 2" in result.output
    assert "git diff notebooks/blessed/" in result.output
