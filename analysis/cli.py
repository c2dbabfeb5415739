"""The ``coco`` command: build the report, open the notebooks, re-bless them, check the setup.

::

    coco build [--param KEY=VALUE ...] [--params-file FILE] [--force] [--pdf]
    coco lab [--port PORT] [--no-browser] [--allow-root] [JUPYTERLAB OPTIONS ...]
    coco bless
    coco check
    coco code SOURCE --out DIR [--engine local|dask] [--scheduler ADDRESS] [--workers N] ...
    coco --version
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from analysis import build, parameters, record, render, review
from analysis.config import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR
from analysis.scale import DEFAULT_PARTITION_DOCS, DEFAULT_PARTITION_MB

app = typer.Typer(
    help="Cooperation or coercion: build and check the report.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
console = Console(stderr=True, highlight=False)


class _RateColumn(ProgressColumn):
    """Documents per second."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"coco (cooperation-or-coercion) {version('cooperation-or-coercion')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Cooperation or coercion: build and check the report."""


def _overrides(params: list[str], params_file: Path | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if params_file is not None:
        values.update(parameters.load_params_file(params_file))
    for text in params:
        key, value = parameters.parse_param(text)
        values[key] = value
    return values


#: ``--only`` of ``coco build`` and ``coco bless``: the same names, the same errors
#: (:func:`analysis.build.select_notebooks`).
ONLY = typer.Option(
    "--only",
    metavar="NOTEBOOK",
    help="Only this notebook, by stem or file name, e.g. 01_corpus (repeatable).",
)


def _say(text: str) -> None:
    console.print(text, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code=1)


@app.command("build")
def build_command(
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", metavar="KEY=VALUE", help="Override a parameter (YAML value)."
        ),
    ] = None,
    params_file: Annotated[
        Path | None,
        typer.Option("--params-file", metavar="FILE", help="YAML or JSON file of parameters."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ignore the cache: run all.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also render a PDF (needs Quarto).")] = False,
    renderer: Annotated[
        str, typer.Option("--renderer", metavar="NAME", help="auto, quarto or nbconvert.")
    ] = "auto",
    only: Annotated[list[str] | None, ONLY] = None,
    output: Annotated[
        Path,
        typer.Option(
            "--output", metavar="DIR", help="Reports folder (notebooks, data, site, build.json)."
        ),
    ] = REPORTS_DIR,
    notebooks: Annotated[
        Path, typer.Option("--notebooks", metavar="DIR", help="Folder of the source notebooks.")
    ] = NOTEBOOKS_DIR,
) -> None:
    """Execute the notebooks that changed and render the report into OUTPUT/site/."""
    try:
        overrides = _overrides(param or [], params_file)
    except ValueError as err:
        raise _fail(str(err)) from None

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        planned = len(only) if only else len(list(notebooks.glob("*.ipynb")))
        task = progress.add_task("notebooks", total=planned or None)

        def on_event(event: build.BuildEvent) -> None:
            name = event.notebook or "report"
            if event.status in ("cached", "done"):
                progress.advance(task)
                note = "unchanged, cached" if event.status == "cached" else event.detail
                progress.console.print(f"  {name}: {note}")
            elif event.status == "running":
                progress.update(task, description=f"running {name}")
            elif event.status == "failed":
                progress.console.print(f"  {name}: [red]failed[/]")
            elif event.status == "rendering":
                progress.update(task, description=f"rendering with {event.detail}")
                if event.detail.endswith(": starting"):
                    # the render can take minutes (a PDF): say what it is doing
                    progress.console.print(f"  render: {event.detail}")
            elif event.status == "rendered" and " in " in event.detail:
                progress.console.print(f"  render: {event.detail}")
            elif event.status == "skipped":
                progress.console.print(f"  site: {event.detail}")
            elif event.status == "coding" and event.detail.endswith(" s)"):
                progress.console.print(f"  {event.detail}")
            elif event.status == "coding":
                progress.update(task, description=event.detail)

        try:
            result = build.run_build(
                notebooks_dir=notebooks,
                reports_dir=output,
                overrides=overrides,
                force=force,
                renderer=renderer,  # type: ignore[arg-type]
                pdf=pdf,
                only=only,
                on_event=on_event,
            )
        except (build.BuildError, ValueError) as err:
            raise _fail(str(err)) from None

    if result.renderer == "nbconvert" and result.rendered:
        console.print(
            "Rendered with nbconvert: quarto was not found on PATH "
            f"(for the Quarto site and PDF, get it from {render.QUARTO_URL})."
        )
    elif result.rendered:
        console.print(f"Rendered with {result.renderer}.")
    total = result.record.get("timings", {}).get("total", 0.0)
    console.print(
        f"{len(result.executed)} notebook(s) executed, {len(result.cached)} cached, "
        f"in {total:.1f} s. Report: {result.site / 'index.html' if result.site else '-'}"
    )


@app.command("bless")
def bless_command(
    only: Annotated[list[str] | None, ONLY] = None,
) -> None:
    """Re-run the notebooks in place (their stored outputs are what nbval compares)."""

    def on_event(event: build.BuildEvent) -> None:
        if event.status in ("done", "failed"):
            console.print(f"  {event.notebook}: {event.status} {event.detail}".rstrip())

    changes: list[review.Change] = []
    try:
        blessed = build.bless_notebooks(only=only, on_event=on_event, on_changes=changes.extend)
    except (build.BuildError, ValueError) as err:
        raise _fail(str(err)) from None
    folder = NOTEBOOKS_DIR.relative_to(PROJ_ROOT)
    console.print(f"Blessed {len(blessed)} notebook(s) in {folder}/.")
    console.print("Published numbers against the last bless:")
    for line in review.format_changes(changes):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if changes:
        console.print(f"Every value: git diff {folder}/{build.BLESSED_TABLES}/", markup=False)


def _kernel_python() -> str | None:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return None
    return spec.argv[0] if spec.argv else None


def _is_this_python(executable: str | None) -> bool:
    # jupyter_client runs a kernel whose command is a bare "python" with sys.executable.
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info)}
    if executable in bare:
        return True
    found = shutil.which(executable) if executable else None
    # Compare without resolving symlinks: a venv's python links to the base interpreter.
    return found is not None and Path(found).absolute() == Path(sys.executable).absolute()


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@app.command("lab", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def lab_command(
    ctx: typer.Context,
    port: Annotated[
        int | None,
        typer.Option("--port", metavar="PORT", help="Port to serve on (default: 8888 or next)."),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a browser; print the URL.")
    ] = False,
    allow_root: Annotated[
        bool,
        typer.Option("--allow-root", help="Run as root (the default when run as root)."),
    ] = False,
) -> None:
    """Open JupyterLab in notebooks/, with a kernel for this environment.

    Further options go to JupyterLab as they are (e.g. --ip=0.0.0.0).
    """
    if not _is_this_python(_kernel_python()):
        console.print("Registering the python3 kernel for this environment (--sys-prefix).")
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"],
            check=True,
        )
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={NOTEBOOKS_DIR}"]
    if port is not None:
        command.append(f"--port={port}")
    if no_browser:
        command.append("--no-browser")
    if allow_root or _is_root():
        # JupyterLab refuses root without it; containers and CI machines often run as root.
        command.append("--allow-root")
    raise typer.Exit(subprocess.call([*command, *ctx.args]))


@app.command("check")
def check_command() -> None:
    """Show what the build will use: Python, kernel, Quarto, Chromium, the codebook (its
    examples checked), package versions."""
    table = Table(title="coco check", show_header=True)
    table.add_column("item")
    table.add_column("found")
    table.add_row("python", f"{sys.version.split()[0]} ({sys.executable})")
    kernel = _kernel_python()
    table.add_row(
        "kernel python3",
        f"{kernel} ({'this environment' if _is_this_python(kernel) else 'another environment'})"
        if kernel
        else "missing (run `coco lab` or `python -m ipykernel install --sys-prefix`)",
    )
    quarto = render.find_quarto()
    table.add_row(
        "quarto",
        quarto or f"not found: the build falls back to nbconvert; get it from {render.QUARTO_URL}",
    )
    chromium = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None,
    )
    table.add_row("chromium", chromium or "not found: the browser test is skipped")
    from analysis.codebook import CodebookError, load_codebook

    try:
        book = load_codebook(check_examples=True)
    except CodebookError as err:
        broken: str | None = str(err)
        table.add_row("codebook", f"invalid: {err}")
    else:
        broken = None
        table.add_row(
            "codebook",
            f"{Path(book.path).relative_to(PROJ_ROOT)}: {len(book.indicators)} indicators, "
            "every example behaves as declared",
        )
    for name, version in record.package_versions().items():
        if name != "python":
            table.add_row(name, version)
    Console().print(table)
    if broken:
        raise _fail(broken)


@app.command("code")
def code_command(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="SOURCE",
            help="Folder of articles (read recursively), or a JSONL or Parquet file or folder "
            "with doc_id and text columns.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="DIR", help="The coded dataset folder.")
    ],
    engine: Annotated[
        str, typer.Option("--engine", metavar="NAME", help="local (a process pool) or dask.")
    ] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler", metavar="ADDRESS", help="A Dask scheduler, e.g. tcp://host:8786."
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-j", metavar="N", help="Processes (default: the cores)."),
    ] = None,
    codebook: Annotated[
        Path | None, typer.Option("--codebook", metavar="FILE", help="Codebook YAML.")
    ] = None,
    source_format: Annotated[
        str, typer.Option("--format", metavar="NAME", help="auto, folder, jsonl or parquet.")
    ] = "auto",
    partition_docs: Annotated[
        int, typer.Option("--partition-docs", metavar="N", help="Documents per partition.")
    ] = DEFAULT_PARTITION_DOCS,
    partition_mb: Annotated[
        float, typer.Option("--partition-mb", metavar="MB", help="Input MB per partition.")
    ] = DEFAULT_PARTITION_MB,
) -> None:
    """Code a corpus of any size into partitioned Parquet in DIR, resumably.

    Partitions already coded in DIR for the same inputs, codebook and coder are kept;
    those whose inputs, codebook or coder changed are coded again.
    """
    from analysis import scale
    from analysis.codebook import CodebookError
    from analysis.corpus import CorpusError
    from analysis.dataset import DatasetError

    quiet = not console.is_terminal or bool(os.environ.get("CI"))
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("docs"),
        _RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=quiet,
    )
    task = progress.add_task("listing", total=None)

    def on_event(event: scale.ScaleEvent) -> None:
        if event.status == "planned":
            progress.update(task, total=event.total_docs, description="coding")
        elif event.status in ("done", "reused"):
            progress.advance(task, event.n_docs)
        elif event.status == "writing":
            progress.update(task, description="writing run.json")

    try:
        with progress:
            record = scale.code_corpus(
                source,
                out,
                engine=engine,  # type: ignore[arg-type]
                scheduler=scheduler,
                workers=workers,
                codebook_path=codebook,
                source_format=source_format,  # type: ignore[arg-type]
                partition_docs=partition_docs,
                partition_mb=partition_mb,
                on_event=on_event,
            )
    except (scale.ScaleError, CorpusError, CodebookError, DatasetError, ValueError) as err:
        raise _fail(str(err)) from None
    counts, parts, timings = record["counts"], record["partitions"], record["timings"]
    _say(
        f"Coded {counts['documents']:,} document(s): {counts['sentences']:,} sentences, "
        f"{counts['codes']:,} codes; {parts['total']} partition(s), {parts['computed']} coded, "
        f"{parts['reused']} kept from an earlier run, in {timings['total']:.1f} s "
        f"({record['engine']['name']})."
    )
    changed = record["partitions"]["recomputed_because"]
    if changed:
        why = ", ".join(f"{n} because the {k} changed" for k, n in sorted(changed.items()))
        _say(f"Coded again: {why}.")
    if counts["failures"]:
        _say(
            f"{counts['failures']:,} article(s) left out, listed with the reason in "
            f"{out / 'failures'}; the first: "
            + "; ".join(f"{f['source']}: {f['reason']}" for f in record["failures"]["first"][:3])
        )
    for column, label in (("doc_id", "doc_id"), ("sha256", "content")):
        dup = record["duplicates"][column]
        if dup["groups"]:
            first = ", ".join(" = ".join(g["paths"]) for g in dup["first"][:3])
            _say(
                f"warning: {dup['documents']:,} documents share their {label} with another "
                f"({dup['groups']:,} groups), e.g. {first}; they are all kept"
            )
    _say(f"Dataset: {out} (build the report on it: coco build --param dataset={out})")


if __name__ == "__main__":  # pragma: no cover
    app()
