"""The rendered report in headless Chromium: drawn charts, tables, no errors, no network.

Chromium is driven over the DevTools protocol (websocket): console messages, exceptions,
dialogs and every network request are recorded while each page loads from disk. Host
names resolve nowhere (``--host-resolver-rules``), and any request that is not for a local
file counts as a leak. A screenshot of the report goes to ``reports/screenshot.png``.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import nbformat
import pytest

from analysis import build, render
from analysis.config import FIXTURES_DIR, NOTEBOOKS_DIR, REPORTS_DIR

pytestmark = pytest.mark.browser

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium not found on PATH; install it (apt-get install chromium) to run this test",
)
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "devtools:")
BUILD_PARAMS = {"n_boot": 200}  # the browser checks drawing, not the intervals' precision


class Page:
    """One headless Chromium with one page, recording what happens while pages load."""

    def __init__(
        self,
        chromium: str,
        *,
        resolver_rules: str = "MAP * ~NOTFOUND",
        window: str = "1280,1600",
        timeout: float = 30,
    ) -> None:
        import websocket

        self.profile = tempfile.mkdtemp(prefix="coco-chromium-")
        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                f"--host-resolver-rules={resolver_rules}",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                f"--window-size={window}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = self._port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            targets = json.load(r)
        url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def _port(self) -> int:
        marker = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().splitlines()[0])
            time.sleep(0.05)
        raise RuntimeError("chromium did not open its DevTools port within 30 s")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def _record(self, message: dict[str, Any]) -> None:
        if "method" in message:
            self.events.append(message)
            if message["method"] == "Page.javascriptDialogOpening":
                # A dialog blocks the page; dismiss it (it is still recorded as a failure).
                self.ws.send(
                    json.dumps(
                        {
                            "id": 0,
                            "method": "Page.handleJavaScriptDialog",
                            "params": {"accept": False},
                        }
                    )
                )

    def open(self, path: Path) -> None:
        self.events.clear()
        self.call("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + 30
        while not any(e["method"] == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path} did not finish loading within 30 s")
            self._record(json.loads(self.ws.recv()))
        self.evaluate("1")  # drain what arrived with the load event

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self) -> list[str]:
        found = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                found.append(p["exceptionDetails"].get("text", "exception"))
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
            elif e["method"] == "Log.entryAdded" and p["entry"]["level"] == "error":
                found.append(f"{p['entry'].get('url', '')}: {p['entry']['text']}")
        return found

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def dialogs(self) -> list[str]:
        return [
            e["params"].get("message", "")
            for e in self.events
            if e["method"] == "Page.javascriptDialogOpening"
        ]

    def screenshot(self, target: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page():
    if CHROMIUM is None:
        pytest.skip("chromium not found on PATH; install it (apt-get install chromium)")
    browser = Page(CHROMIUM)
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The full report, built into the session's temporary folder.

    ``tests/test_build.py`` builds into the same folder with the same parameters, so
    whichever module runs second finds everything cached.
    """
    out = tmp_path_factory.getbasetemp() / "report"
    build.run_build(reports_dir=out, overrides=BUILD_PARAMS)
    return out


def _expected_outputs(notebook: Path) -> tuple[int, int]:
    """(SVG charts, HTML tables) among a notebook's outputs."""
    nb = nbformat.read(str(notebook), as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    svgs = sum("image/svg+xml" in o.get("data", {}) for o in outputs)
    tables = sum(
        o.get("data", {}).get("text/html", "").count('<table class="coco-table') for o in outputs
    )
    return svgs, tables


def _leaks(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(LOCAL_SCHEMES)]


# Charts are SVG images embedded as data URIs: each must decode to a drawing with marks.
CHARTS_DRAWN = """
Array.from(document.querySelectorAll('img[src^="data:image/svg+xml"]')).map(function (img) {
  var svg = atob(img.src.split(',')[1]);
  return {w: img.naturalWidth, h: img.naturalHeight, complete: img.complete,
          marks: (svg.match(/<(path|rect|line|text)\\b/g) || []).length};
})
"""


CHART_ALTS = """
Array.from(document.querySelectorAll('img[src^="data:image/svg+xml"]')).map(i => i.alt)
"""

# A table fits when it needs no sideways scrolling inside its wrapper (the page width).
TABLES_WIDER_THAN_PAGE = """
Array.from(document.querySelectorAll('table.coco-table')).filter(function (t) {
  var box = t.closest('.coco-table-wrap, details, main, body');
  return t.offsetParent !== null && t.scrollWidth > box.clientWidth + 1;
}).map(t => t.querySelector('th') ? t.querySelector('th').textContent : '?')
"""


@needs_chromium
def test_report_pages_draw_offline(page: Page, report_dir: Path) -> None:
    site = report_dir / "site"
    pages = render.page_names([p.name for p in sorted(NOTEBOOKS_DIR.glob("*.ipynb"))])
    assert (site / "index.html").exists()
    for notebook, stem in pages.items():
        path = site / f"{stem}.html"
        page.open(path)
        svgs, tables = _expected_outputs(report_dir / "notebooks" / notebook)
        charts = page.evaluate(CHARTS_DRAWN)
        assert len(charts) == svgs, f"{path.name}: {len(charts)} charts drawn, {svgs} expected"
        for i, chart in enumerate(charts):
            assert chart["complete"], f"{path.name}: chart {i} did not load"
            assert chart["w"] > 50 and chart["h"] > 50, f"{path.name}: chart {i} has no size"
            assert chart["marks"] > 5, f"{path.name}: chart {i} is empty"
        n_tables = page.evaluate("document.querySelectorAll('table.coco-table').length")
        assert n_tables == tables
        alts = page.evaluate(CHART_ALTS)
        assert all(len(a) > 60 and "No description" not in a for a in alts), path.name
        overflowing = page.evaluate(TABLES_WIDER_THAN_PAGE)
        assert overflowing == [], f"{path.name}: tables wider than the page: {overflowing}"
        links = page.evaluate("Array.from(document.querySelectorAll('nav a')).map(a => a.href)")
        assert sorted(Path(u).name for u in links) == sorted(f"{s}.html" for s in pages.values())
        assert page.errors() == [], f"{path.name}: console errors"
        assert _leaks(page.requests()) == [], f"{path.name}: requests left the machine"
        if stem == "index":
            page.screenshot(REPORTS_DIR / "screenshot.png")
    assert (REPORTS_DIR / "screenshot.png").stat().st_size > 10_000


needs_quarto = pytest.mark.skipif(
    shutil.which("quarto") is None,
    reason="quarto executable not found on PATH; install from https://quarto.org to open "
    "the Quarto site",
)

# Quarto writes each SVG output to {page}_files/figure-html/ and shows it with <img>.
IMAGES = """
Array.from(document.querySelectorAll('main img')).map(function (img) {
  return {src: img.getAttribute('src'), w: img.naturalWidth, h: img.naturalHeight,
          complete: img.complete};
})
"""


@pytest.mark.quarto
@needs_quarto
@needs_chromium
def test_quarto_site_draws_offline(page: Page, tmp_path_factory: pytest.TempPathFactory) -> None:
    executed = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))  # stored with outputs
    site = tmp_path_factory.mktemp("quarto") / "site"
    assert render.render_site(executed, site, renderer="quarto") == "quarto"
    for notebook, stem in render.page_names([p.name for p in executed]).items():
        path = site / f"{stem}.html"
        page.open(path)
        svgs, tables = _expected_outputs(NOTEBOOKS_DIR / notebook)
        charts = [i for i in page.evaluate(IMAGES) if f"{stem}_files/figure-html/" in i["src"]]
        assert len(charts) == svgs, f"{path.name}: {len(charts)} charts shown, {svgs} expected"
        for chart in charts:
            assert chart["complete"] and chart["w"] > 50 and chart["h"] > 50, chart["src"]
            svg = (site / chart["src"]).read_text(encoding="utf-8")
            assert len(re.findall(r"<(path|rect|line|text)\b", svg)) > 5, chart["src"]
        assert page.evaluate("document.querySelectorAll('main table').length") >= tables
        assert page.errors() == [], f"{path.name}: console errors"
        assert _leaks(page.requests()) == [], f"{path.name}: requests left the machine"


@needs_chromium
def test_markup_in_the_corpus_is_shown_not_run(
    page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("escape")
    build.run_build(
        reports_dir=out,
        overrides={"seeds_dir": str(FIXTURES_DIR / "escape")},
        only=["01_corpus"],
    )
    page.open(out / "site" / "index.html")
    text = page.evaluate("document.body.innerText")
    for literal in (
        "<script>alert(1)</script>",
        "<b>markup</b>",
        "<b>not bold</b>",
        "<i>Daily</i>",
        '<script>document.title = "pwned"</script>',
    ):
        assert literal in text
    assert page.dialogs() == []
    assert page.evaluate("document.title") != "pwned"
    assert page.evaluate("document.querySelectorAll('main b, main i, main img').length") == 0
    assert page.errors() == []
    assert _leaks(page.requests()) == []


FIRST_SCREEN = """
(function () {
  var first = document.querySelector('img[src^="data:image/svg+xml"]');
  var text = '', walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    var node = walker.currentNode;
    if (first.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING) break;
    text += node.textContent + ' ';
  }
  return text;
})()
"""


@needs_chromium
def test_first_screen_states_the_headline_honestly(page: Page, report_dir: Path) -> None:
    import re

    from analysis import charts, metrics

    page.open(report_dir / "site" / "index.html")
    before_first_chart = " ".join(page.evaluate(FIRST_SCREEN).split())
    data = build.load_dataset()
    status = metrics.balance_by_status(data.codes, data.sentences, n_boot=BUILD_PARAMS["n_boot"])
    headline = charts.finding_headline(status, data.documents)
    lead = headline.split("**")[1]
    assert lead in before_first_chart
    assert "Acts that happened:" in before_first_chart
    n_words = int(data.documents["n_words"].sum())
    assert f"Sample: {data.documents.height} articles, {n_words:,} words." in before_first_chart
    assert "--param" not in before_first_chart and "parameters" not in before_first_chart
    # articles are named, not hashed, in the figures' descriptions
    alts = " ".join(page.evaluate(CHART_ALTS))
    assert not re.search(r"\b\d{3}_[0-9a-f]{16}\b", alts)
    assert charts.document_labels(data.documents)["label"][0] in alts


APPENDIX = """
(function () {
  var box = document.querySelector('.coco-kwic');
  var input = box.querySelector('input[type=search]');
  var rows = () => Array.from(box.querySelectorAll('tr.coco-code'));
  var before = {sections: box.querySelectorAll('details').length, rows: rows().length,
                open: box.querySelectorAll('details[open]').length,
                height: box.getBoundingClientRect().height};
  input.value = 'THREATEN';
  input.dispatchEvent(new Event('input'));
  var shown = rows().filter(r => !r.hidden);
  var after = {shown: shown.length,
               all_match: shown.every(
                 r => r.textContent.toLowerCase().indexOf("threaten") >= 0),
               open: box.querySelectorAll('details[open]').length};
  input.value = '';
  input.dispatchEvent(new Event('input'));
  return {before: before, after: after, reset: rows().filter(r => !r.hidden).length};
})()
"""


@needs_chromium
def test_appendix_is_compact_and_filters_in_the_page(page: Page, report_dir: Path) -> None:
    page.open(report_dir / "site" / "index.html")
    result = page.evaluate(APPENDIX)
    data = build.load_dataset()
    assert result["before"]["sections"] == data.codes["doc_id"].n_unique()
    assert result["before"]["rows"] == data.codes.height
    assert result["before"]["open"] == 0 and result["before"]["height"] < 600  # collapsed
    n_threaten = data.codes.filter(data.codes["category"] == "THREATEN").height
    assert 0 < result["after"]["shown"] >= n_threaten and result["after"]["all_match"]
    assert result["after"]["open"] >= 1
    assert result["reset"] == data.codes.height
    assert page.errors() == [] and _leaks(page.requests()) == []


def test_claims_read_as_people_write_them(page: Page, report_dir: Path) -> None:
    import re

    page.open(report_dir / "site" / "04_claims.html")
    text = " ".join(page.evaluate("document.body.innerText").split())
    # a claim's value in words, never the raw float; articles by name, not hash id
    assert "$552 billion" in text
    assert "552,000,000,000" not in text
    assert not re.search(r"\b\d{3}_[0-9a-f]{16}\b", text)
