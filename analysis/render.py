"""Rendering the executed notebooks into the report's site: Quarto, or nbconvert.

:func:`render_site` renders with Quarto (``quarto render`` of the project
``_quarto.yml``) when a ``quarto`` executable is on PATH, otherwise with nbconvert (a
self-contained HTML page per notebook, ``index.html`` being the report), into a
temporary folder swapped into place when complete. Both read the same executed
notebooks; the helpers here give them what Quarto does by itself elsewhere (numbered
captions, links between pages) and keep every page offline.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any, Literal

import yaml

from analysis.config import QUARTO_PROJECT
from analysis.execute import BuildError, BuildEvent
from analysis.parameters import yaml_scalar

QUARTO_URL = "https://quarto.org/docs/get-started/"
Renderer = Literal["auto", "quarto", "nbconvert"]
RENDERERS: tuple[str, ...] = ("auto", "quarto", "nbconvert")


_CELL_OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*)$")
_IPYNB_LINK = re.compile(r"\]\(([A-Za-z0-9_.-]+)\.ipynb(#[^)]*)?\)")
_CROSSREF = re.compile(r"@((?:fig|tbl)-[A-Za-z0-9_-]+)")


def cell_options(source: str) -> dict[str, Any]:
    """Quarto cell options: the leading ``#| key: value`` lines of a code cell.

    Examples
    --------
    >>> cell_options("#| label: fig-x\\n#| fig-cap: Rates\\nshow(x)")
    {'label': 'fig-x', 'fig-cap': 'Rates'}
    """
    options: dict[str, Any] = {}
    for line in source.splitlines():
        match = _CELL_OPTION.match(line)
        if not match:
            break
        options[match[1]] = yaml_scalar(match[2])
    return options


def page_names(notebooks: Sequence[str]) -> dict[str, str]:
    """Page stem for each notebook: the first (the report) is ``index``, others keep theirs.

    Examples
    --------
    >>> page_names(["00_report.ipynb", "01_corpus.ipynb"])
    {'00_report.ipynb': 'index', '01_corpus.ipynb': '01_corpus'}
    """
    ordered = sorted(notebooks)
    return {name: ("index" if i == 0 else Path(name).stem) for i, name in enumerate(ordered)}


def rewrite_links(nb: Any, pages: Mapping[str, str], *, suffix: str) -> Any:
    """Point markdown links between notebooks at their rendered pages (a copy).

    ``[corpus](01_corpus.ipynb)`` becomes ``[corpus](01_corpus.html)`` (``suffix=".html"``),
    and a link to the report becomes ``index`` + suffix.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("[r](00_report.ipynb)")])
    >>> rewrite_links(nb, {"00_report.ipynb": "index"}, suffix=".html").cells[0].source
    '[r](index.html)'
    """
    import copy

    out = copy.deepcopy(nb)

    def link(match: re.Match[str]) -> str:
        stem = pages.get(f"{match[1]}.ipynb", match[1])
        return f"]({stem}{suffix}{match[2] or ''})"

    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = _IPYNB_LINK.sub(link, cell.source)
    return out


def number_captions(nb: Any) -> Any:
    """Number figures and tables and resolve ``@fig-…``/``@tbl-…`` references (a copy).

    For renderers without Quarto's cross-references: each code cell with a ``#| label:
    fig-…`` (or ``tbl-…``) option gets an anchored caption ("Figure 2: …") from its
    ``fig-cap`` (``tbl-cap``) option, and markdown references become links to it.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("See @fig-a."),
    ...     nbformat.v4.new_code_cell("#| label: fig-a\\n#| fig-cap: Rates\\nx")])
    >>> number_captions(nb).cells[0].source
    'See [Figure 1](#fig-a).'
    """
    import copy

    import nbformat

    out = copy.deepcopy(nb)
    numbers: dict[str, str] = {}
    counters = {"fig": 0, "tbl": 0}
    names = {"fig": "Figure", "tbl": "Table"}
    for cell in out.cells:
        if cell.cell_type != "code":
            continue
        options = cell_options(cell.source)
        label = str(options.get("label", ""))
        kind = label.split("-", 1)[0]
        if kind not in counters:
            continue
        counters[kind] += 1
        numbers[label] = f"{names[kind]} {counters[kind]}"
        caption = html.escape(str(options.get(f"{kind}-cap", "")))
        text = f'<p class="coco-caption" id="{html.escape(label)}"><strong>{numbers[label]}'
        text += f":</strong> {caption}</p>" if caption else "</strong></p>"
        output = nbformat.v4.new_output("display_data", data={"text/html": text})
        # Quarto places table captions above the table and figure captions below.
        cell.outputs = [output, *cell.outputs] if kind == "tbl" else [*cell.outputs, output]

    def ref(match: re.Match[str]) -> str:
        label = match[1]
        return f"[{numbers[label]}](#{label})" if label in numbers else match[0]

    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = _CROSSREF.sub(ref, cell.source)
    return out


def front_matter(nb: Any) -> dict[str, Any]:
    """The YAML front matter of a notebook: its first cell, when raw and fenced by ``---``.

    Examples
    --------
    >>> import nbformat
    >>> front_matter(nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_raw_cell("---\\ntitle: Corpus\\n---")]))
    {'title': 'Corpus'}
    """
    if nb.cells and nb.cells[0].cell_type == "raw":
        text = nb.cells[0].source.strip()
        if text.startswith("---") and text.endswith("---"):
            data = yaml.safe_load(text.strip("-").strip()) or {}
            return data if isinstance(data, dict) else {}
    return {}


def notebook_title(nb: Any, default: str) -> str:
    """The notebook's title: from its front matter, else its first ``# heading``.

    Examples
    --------
    >>> import nbformat
    >>> notebook_title(nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_markdown_cell("# Corpus\\ntext")]), "x")
    'Corpus'
    """
    title = front_matter(nb).get("title")
    if title:
        return str(title)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{#- Offline: no require.js, MathJax, Mermaid or widget scripts from a CDN. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
body { max-width: 72rem; margin: 0 auto; padding: 0 1rem; }
nav.coco-nav { font-family: sans-serif; padding: 0.8rem 0; border-bottom: 1px solid #ddd; }
nav.coco-nav a { margin-right: 1.2rem; text-decoration: none; color: #0072B2; }
nav.coco-nav a.current { font-weight: bold; color: #000; }
h1.title, p.subtitle { font-family: sans-serif; }
p.subtitle { color: #444; font-size: 1.1rem; margin-top: -0.5rem; }
.jp-RenderedHTMLCommon table.coco-table { border-collapse: collapse; font-size: 0.85rem;
  margin: 0.5rem 0; table-layout: auto; }
.jp-RenderedHTMLCommon table.coco-table th,
.jp-RenderedHTMLCommon table.coco-table td { border: 1px solid #ddd; padding: 0.2rem 0.4rem;
  text-align: left; vertical-align: top; max-width: 40rem; }
.jp-RenderedHTMLCommon table.coco-table td.num { text-align: right;
  font-variant-numeric: tabular-nums; }
p.coco-caption { font-size: 0.9rem; color: #333; }
footer.coco-footer { font-size: 0.8rem; color: #555; border-top: 1px solid #ddd;
  margin-top: 2rem; padding: 0.8rem 0; }
</style>
{%- endblock extra_css -%}
{#- A chart's alt text is its description, kept in the output's metadata (charts.show). -#}
{% block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
<img src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}"
  alt="{{ (output.metadata.get('image/svg+xml') or {}).get('alt', '') | escape_html }}">
</div>
{%- endblock data_svg %}
{%- block body_header -%}
{{ super() }}
{{ resources.coco_nav }}
{{ resources.coco_heading }}
{%- endblock body_header -%}
{% block body_footer %}
{{ resources.coco_footer }}
{{ super() }}
{% endblock body_footer %}
"""

_EXTERNAL_RESOURCE = re.compile(
    r"<(?:script|img|iframe)[^>]+src\s*=\s*[\"']?(?:https?:)?//"
    r"|<link[^>]+href\s*=\s*[\"']?(?:https?:)?//"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//",
    re.IGNORECASE,
)


def external_resources(page: str) -> list[str]:
    """Scripts, images, stylesheets and CSS imports a page would fetch from the network.

    Examples
    --------
    >>> external_resources('<script src="https://cdn.example/x.js"></script>')
    ['<script src="https://']
    >>> external_resources('<a href="https://quarto.org">Quarto</a>')
    []
    """
    return [m[0] for m in _EXTERNAL_RESOURCE.finditer(page)]


def _nav(pages: Sequence[tuple[str, str]], current: str) -> str:
    links = []
    for stem, title in pages:
        cls = ' class="current"' if stem == current else ""
        links.append(f'<a href="{stem}.html"{cls}>{html.escape(title)}</a>')
    return '<nav class="coco-nav">' + "".join(links) + "</nav>"


def _render_nbconvert(executed: Sequence[Path], out_dir: Path) -> None:
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"coco.html.j2": _TEMPLATE})],
        template_file="coco.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    pages = page_names([p.name for p in executed])
    nbs = {p.name: nbformat.read(str(p), as_version=4) for p in executed}
    titles = [(pages[n], notebook_title(nbs[n], Path(n).stem)) for n in sorted(nbs)]
    footer = (
        '<footer class="coco-footer">Rendered with nbconvert (Quarto was not found; '
        f'get it from <a href="{QUARTO_URL}">{QUARTO_URL}</a> for the Quarto site and PDF).'
        "</footer>"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, nb in sorted(nbs.items()):
        meta = front_matter(nb)
        title = notebook_title(nb, Path(name).stem)
        nb = number_captions(rewrite_links(nb, pages, suffix=".html"))
        if meta:  # the front matter is for Quarto; here it becomes the page heading
            nb.cells = nb.cells[1:]
        heading = f'<h1 class="title">{html.escape(title)}</h1>'
        if meta.get("subtitle"):
            heading += f'<p class="subtitle">{html.escape(str(meta["subtitle"]))}</p>'
        resources = {
            "metadata": {"name": title},
            "coco_nav": _nav(titles, pages[name]),
            "coco_heading": heading,
            "coco_footer": footer,
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        leaks = external_resources(body)
        if leaks:
            raise BuildError(
                f"{name}: the rendered page would load {leaks[0]!r}... from the network"
            )
        (out_dir / f"{pages[name]}.html").write_text(body, encoding="utf-8")


def find_quarto() -> str | None:
    """Path of the ``quarto`` executable, or None when it is not on PATH."""
    return shutil.which("quarto")


def stage_quarto_project(executed: Sequence[Path], stage: Path, *, project: Path) -> Path:
    """Lay out a Quarto project to render: ``_quarto.yml`` and the executed notebooks.

    The report notebook is staged as ``index.ipynb`` (a website's home page); links
    between notebooks are rewritten to the staged names and HTML outputs become raw
    HTML blocks (:func:`html_outputs_as_raw_markdown`). Returns the stage folder.
    """
    import nbformat

    stage.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(project, stage / "_quarto.yml")
    pages = page_names([p.name for p in executed])
    for path in executed:
        nb = rewrite_links(nbformat.read(str(path), as_version=4), pages, suffix=".ipynb")
        staged = chart_alt_as_fig_alt(html_outputs_as_raw_markdown(nb))
        nbformat.write(staged, str(stage / f"{pages[path.name]}.ipynb"))
    return stage


# Quarto (src/core/jupyter/widgets.ts, extractJupyterWidgetDependencies) treats a notebook
# with any display output carrying one of these MIME types as holding JavaScript widgets,
# and then puts require.js and jQuery from cdn.jsdelivr.net into every page it renders.
QUARTO_WIDGET_MIME_TYPES: tuple[str, ...] = (
    "text/html",
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
)


def quarto_widget_outputs(nb: Any) -> list[tuple[int, str]]:
    """(cell index, MIME type) of each output that makes Quarto load widget scripts.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
    ...     "display_data", data={"text/html": "<b>x</b>", "text/plain": "x"})])
    >>> quarto_widget_outputs(nbformat.v4.new_notebook(cells=[cell]))
    [(0, 'text/html')]
    """
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") in ("display_data", "execute_result"):
                data = output.get("data", {})
                found.extend((index, m) for m in data if m in QUARTO_WIDGET_MIME_TYPES)
    return found


def html_outputs_as_raw_markdown(nb: Any) -> Any:
    """A copy of ``nb`` whose ``text/html`` outputs are ``text/markdown`` raw HTML blocks.

    For a ``text/html`` output Quarto writes the same raw block (jupyter.ts,
    ``mdHtmlOutput``), then reads an HTML table in it into a real table for both HTML and
    Typst; but the ``text/html`` key itself makes Quarto load widget scripts from a CDN
    (:data:`QUARTO_WIDGET_MIME_TYPES`). Other outputs, and outputs with scripts, are
    left as they are.

    Examples
    --------
    >>> import nbformat
    >>> cell = nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
    ...     "execute_result", data={"text/html": "<table></table>", "text/plain": "t"})])
    >>> out = html_outputs_as_raw_markdown(nbformat.v4.new_notebook(cells=[cell]))
    >>> out.cells[0].outputs[0].data["text/markdown"]
    '```{=html}\\n<table></table>\\n```\\n'
    """
    nb = deepcopy(nb)
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            if "text/html" not in data or "application/javascript" in data:
                continue
            source = data.pop("text/html")
            source = "".join(source) if isinstance(source, list) else source
            if "text/markdown" not in data:
                runs = re.findall(r"`+", source)
                fence = "`" * max(3, 1 + max(map(len, runs), default=0))
                data["text/markdown"] = f"{fence}{{=html}}\n{source.rstrip(chr(10))}\n{fence}\n"
    return nb


def chart_alt_as_fig_alt(nb: Any) -> Any:
    """A copy of ``nb`` whose chart cells carry their text description as ``fig-alt``.

    Quarto takes a figure's alt text from the ``fig-alt`` cell option (else the caption),
    not from the output's metadata, where :func:`analysis.charts.show` puts it; so the
    staged copy gets a ``#| fig-alt:`` line after the cell's other options. A cell that
    sets ``fig-alt`` itself is left alone.

    Examples
    --------
    >>> import nbformat
    >>> out = nbformat.v4.new_output("display_data", data={"image/svg+xml": "<svg/>"},
    ...     metadata={"image/svg+xml": {"alt": 'Bars: "coercion" 24.7'}})
    >>> cell = nbformat.v4.new_code_cell("#| label: fig-a\\nshow(c)", outputs=[out])
    >>> print(chart_alt_as_fig_alt(nbformat.v4.new_notebook(cells=[cell])).cells[0].source)
    #| label: fig-a
    #| fig-alt: "Bars: \\"coercion\\" 24.7"
    show(c)
    """
    nb = deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        alts = [
            (o.get("metadata", {}).get("image/svg+xml") or {}).get("alt")
            for o in cell.get("outputs", [])
            if "image/svg+xml" in o.get("data", {})
        ]
        alts = [a for a in alts if a]
        lines = cell.source.splitlines()
        if not alts or any(re.match(r"#\|\s*fig-alt:", line) for line in lines):
            continue
        options = next((i for i, line in enumerate(lines) if not line.startswith("#|")), len(lines))
        # a JSON string is a YAML double-quoted scalar: the description stays text
        option = "#| fig-alt: " + json.dumps(" ".join(alts[0].split()), ensure_ascii=False)
        cell.source = "\n".join([*lines[:options], option, *lines[options:]])
    return nb


def _quarto_output_dir(project: Path) -> str:
    config = yaml.safe_load(project.read_text(encoding="utf-8")) or {}
    return str(config.get("project", {}).get("output-dir", "_site"))


# Quarto reports each file of a project render as "[3/6] name.ipynb" on stderr
# (src/command/render/render-files.ts), after a carriage return and maybe colours.
_QUARTO_PROGRESS = re.compile(r"\[\s*(\d+)/(\d+)\]\s+(\S.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _run_quarto(command: list[str], *, label: str, emit: Callable[[BuildEvent], None]) -> None:
    """Run one ``quarto render``, passing its per-file progress on as build events."""
    started = time.perf_counter()
    emit(BuildEvent(None, "rendering", f"{label}: starting"))
    tail: list[str] = []
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
    ) as proc:
        assert proc.stdout is not None
        for chunk in proc.stdout:
            for line in _ANSI.sub("", chunk).replace("\r", "\n").splitlines():
                line = line.strip()
                if not line:
                    continue
                tail = [*tail[-14:], line]
                found = _QUARTO_PROGRESS.search(line)
                if found:
                    n, total, name = found.groups()
                    elapsed = time.perf_counter() - started
                    detail = f"{label}: {n}/{total} {name} ({elapsed:.0f} s)"
                    emit(BuildEvent(None, "rendering", detail))
    if proc.returncode != 0:
        raise BuildError(f"`{' '.join(command[1:])}` failed:\n" + "\n".join(tail))
    emit(BuildEvent(None, "rendered", f"{label} in {time.perf_counter() - started:.1f} s"))


def _render_quarto(
    executed: Sequence[Path],
    out_dir: Path,
    *,
    quarto: str,
    project: Path,
    pdf: bool,
    emit: Callable[[BuildEvent], None],
) -> None:
    stage = stage_quarto_project(executed, out_dir.parent / "quarto", project=project)
    formats = ["html", "typst"] if pdf else ["html"]
    for step, to in enumerate(formats, start=1):
        command = [quarto, "render", str(stage), "--to", to]
        if step > 1:
            command.append("--no-clean")
        what = "HTML site" if to == "html" else "Typst PDF"
        _run_quarto(command, label=f"quarto {what} ({step} of {len(formats)})", emit=emit)
    os.replace(stage / _quarto_output_dir(project), out_dir)
    for page in sorted(out_dir.rglob("*.html")):
        leaks = external_resources(page.read_text(encoding="utf-8", errors="replace"))
        if leaks:
            raise BuildError(
                f"{page.relative_to(out_dir)}: the Quarto page would load {leaks[0]!r}... "
                "from the network"
            )


def swap_dir(new: Path, target: Path) -> None:
    """Put ``new`` at ``target`` with renames only (same file system)."""
    old = target.with_name(f".{target.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    if old.exists():
        shutil.rmtree(old)


def choose_renderer(renderer: Renderer, *, pdf: bool = False) -> Literal["quarto", "nbconvert"]:
    """The renderer a build will use: Quarto when asked for or found, nbconvert otherwise.

    Raises
    ------
    ValueError
        ``renderer`` is not one of "auto", "quarto", "nbconvert".
    BuildError
        Quarto is asked for (``renderer="quarto"`` or ``pdf=True``) but not on PATH.

    Examples
    --------
    >>> choose_renderer("nbconvert")
    'nbconvert'
    """
    if renderer not in RENDERERS:
        raise ValueError(f"renderer must be one of {list(RENDERERS)}, got {renderer!r}")
    found = find_quarto() is not None
    if renderer == "quarto" and not found:
        raise BuildError(
            f"renderer 'quarto' asked for, but quarto is not on PATH; see {QUARTO_URL}"
        )
    use = "quarto" if renderer == "quarto" or (renderer == "auto" and found) else "nbconvert"
    if pdf and use != "quarto":
        raise BuildError(f"--pdf needs Quarto (Typst PDF), which is not on PATH; see {QUARTO_URL}")
    return use


def render_site(
    executed: Sequence[Path],
    site_dir: Path,
    *,
    renderer: Renderer = "auto",
    pdf: bool = False,
    project: Path = QUARTO_PROJECT,
    on_event: Callable[[BuildEvent], None] | None = None,
) -> str:
    """Render executed notebooks into ``site_dir``; return the renderer used.

    Parameters
    ----------
    executed : sequence of Path
        Executed notebooks; the first in name order becomes ``index.html``.
    site_dir : Path
        Destination; replaced as a whole once the new site is complete.
    renderer : {"auto", "quarto", "nbconvert"}, keyword-only
        "auto" uses Quarto when ``quarto`` is on PATH, nbconvert otherwise.
    pdf : bool, keyword-only
        Also render a PDF (Typst) through Quarto.
    project : Path, keyword-only
        The Quarto project file.
    on_event : callable or None, keyword-only
        Called with ``rendering`` events naming the renderer, the format, the file and
        the time so far, and a ``rendered`` event when each format is done.

    Returns
    -------
    str
        ``"quarto"`` or ``"nbconvert"``.
    """
    emit = on_event or (lambda event: None)
    use = choose_renderer(renderer, pdf=pdf)
    quarto = find_quarto()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".render-", dir=site_dir.parent))
    try:
        out_dir = work / "site"
        if use == "quarto":
            _render_quarto(
                executed, out_dir, quarto=str(quarto), project=project, pdf=pdf, emit=emit
            )
        else:
            started = time.perf_counter()
            emit(BuildEvent(None, "rendering", f"nbconvert HTML site: {len(executed)} pages"))
            _render_nbconvert(executed, out_dir)
            elapsed = time.perf_counter() - started
            emit(BuildEvent(None, "rendered", f"nbconvert HTML site in {elapsed:.1f} s"))
        swap_dir(out_dir, site_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return use

