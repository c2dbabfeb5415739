"""The ``coco`` command: build the report, open the notebooks, re-bless them, check the setup.

::

    coco build [--param KEY=VALUE ...] [--params-file FILE] [--force] [--pdf]
    coco lab [--port PORT] [--no-browser] [--allow-root] [JUPYTERLAB OPTIONS ...]
    coco bless
    coco check
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
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis import build, parameters, record, render
from analysis.config import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR

app = typer.Typer(
    help="Cooperation or coercion: build and check the report.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
console = Console(stderr=True, highlight=False)


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

    try:
        blessed = build.bless_notebooks(only=only, on_event=on_event)
    except (build.BuildError, ValueError) as err:
        raise _fail(str(err)) from None
    console.print(f"Blessed {len(blessed)} notebook(s) in {NOTEBOOKS_DIR.relative_to(PROJ_ROOT)}/.")


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


if __name__ == "__main__":  # pragma: no cover
    app()
