"""Charts in a real JupyterLab session: interactive, drawn, and with no network.

A JupyterLab server is started on a free localhost port with a token, in a temporary
folder holding one small notebook that draws an Altair chart after importing
``analysis.charts``. Headless Chromium (driven as in ``tests/test_browser.py``, host names
resolving nowhere) opens it, runs the cell, and the test checks that the chart is drawn
by Vega as a widget (not a static image) and that no request left localhost.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from test_browser import CHROMIUM, LOCAL_SCHEMES, Page

from analysis import interactive

CHART_CELL = """\
import altair as alt
import polars as pl

from analysis import charts

points = pl.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
alt.Chart(points).mark_point().encode(x="x:Q", y="y:Q", tooltip=["x", "y"])
"""
RENDERER_CELL = "print(alt.renderers.active, charts.interactive.in_jupyter_server())"


class LabPage(Page):
    """Page of ``tests/test_browser.py``, with 127.0.0.1 (the Lab server) reachable and
    every host name still resolving nowhere."""

    def __init__(self, chromium: str) -> None:
        super().__init__(
            chromium,
            resolver_rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            window="1280,900",
            timeout=60,
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not answer {url} within {seconds} s")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server in tmp_path/work: (base URL with token, its log file)."""
    if CHROMIUM is None:
        pytest.skip("chromium not found on PATH; install it (apt-get install chromium)")
    work = tmp_path / "work"
    work.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(CHART_CELL), nbformat.v4.new_code_cell(RENDERER_CELL)],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, str(work / "chart.ipynb"))
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "IPYTHONDIR": str(tmp_path / "ipython"),
    }
    env.pop("JPY_SESSION_NAME", None)
    log = tmp_path / "lab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, to run the cells
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/api/status?token={token}", proc)
        yield f"{base}/lab/tree/chart.ipynb?token={token}", log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_interactive_charts_stay_off_outside_a_jupyter_server(monkeypatch) -> None:
    import altair as alt

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    before = alt.renderers.active
    assert interactive.in_jupyter_server() is False
    assert interactive.enable_interactive_charts() is False
    assert alt.renderers.active == before  # papermill's kernels (coco build) keep it
    monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/chart.ipynb")
    assert interactive.in_jupyter_server() is True
    try:
        assert interactive.enable_interactive_charts() is True
        assert alt.renderers.active == "jupyter"
        assert alt.renderers.options == {"offline": True}
    finally:
        alt.renderers.enable(before)


PANEL = (
    "(window.jupyterapp && Array.from(window.jupyterapp.shell.widgets('main'))"
    ".find(w => w.sessionContext && w.content && w.content.widgets))"
)
RUN_ALL = f"""
(async () => {{
  const panel = {PANEL};
  window.jupyterapp.shell.activateById(panel.id);
  await panel.context.ready;
  await panel.sessionContext.ready;
  await window.jupyterapp.commands.execute("notebook:run-all-cells");
  return true;
}})()
"""
DRAWN = f"""
(() => {{
  const out = Array.from(document.querySelectorAll(".jp-Notebook .jp-OutputArea-output"));
  const embed = document.querySelector(".jp-OutputArea-output .vega-embed");
  const marks = embed && embed.querySelector("svg.marks, canvas.marks");
  const chart = {PANEL}.content.model.cells.get(0).outputs;
  return {{
    outputs: out.map(o => o.innerText.trim()).filter(t => t),
    mime: chart.length ? Object.keys(chart.get(0).data).sort() : [],
    marks: marks ? marks.tagName.toLowerCase() : null,
    width: marks ? marks.getBoundingClientRect().width : 0,
    shapes: marks ? marks.querySelectorAll("path, circle").length : 0,
    images: document.querySelectorAll(".jp-OutputArea-output img").length,
  }};
}})()
"""


@pytest.mark.browser
def test_charts_are_interactive_in_jupyterlab_with_no_network(lab: tuple[str, Path]) -> None:
    url, log = lab
    assert CHROMIUM is not None
    page = LabPage(CHROMIUM)
    state: dict = {}
    try:
        page.call("Page.navigate", url=url)
        deadline = time.monotonic() + 40
        while not page.evaluate(f"!!{PANEL}"):
            assert time.monotonic() < deadline, f"JupyterLab did not open the notebook ({log})"
            time.sleep(0.25)
        result = page.call(
            "Runtime.evaluate", expression=RUN_ALL, awaitPromise=True, returnByValue=True
        )
        assert "exceptionDetails" not in result, result
        while time.monotonic() < deadline:
            state = page.evaluate(DRAWN)
            if state["marks"] and state["width"] > 0 and len(state["outputs"]) >= 2:
                break
            time.sleep(0.25)
        requests, errors = page.requests(), page.errors()
    finally:
        page.close()
    assert state.get("marks") in ("svg", "canvas"), (state, log.read_text()[-3000:])
    assert state["width"] > 0 and state["shapes"] > 0 and state["images"] == 0, state
    # drawn by Vega in a widget (Altair's jupyter renderer, offline), not a static image
    assert state["mime"] == ["application/vnd.jupyter.widget-view+json", "text/plain"], state
    assert state["outputs"][-1] == "jupyter True", state["outputs"]
    assert errors == [], errors
    host = url.split("/lab/")[0]
    leaks = [r for r in requests if not r.startswith((host + "/", *LOCAL_SCHEMES))]
    assert leaks == [], leaks
    assert any(r.startswith(f"{host}/api/kernels") for r in requests), "no kernel was used"


def test_charts_module_enables_the_renderer_only_in_a_lab_kernel() -> None:
    code = "import altair as alt; from analysis import charts; print(alt.renderers.active)"
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    plain = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert plain.stdout.strip() == "default", plain.stderr
    env["JPY_SESSION_NAME"] = str(Path.cwd() / "x.ipynb")
    lab = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert lab.stdout.strip() == "jupyter", lab.stderr
