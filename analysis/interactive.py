"""Interactive charts in JupyterLab, with no network.

Altair's default renderer loads Vega from a CDN, and JupyterLab's own Vega renderer draws
only Vega-Lite 3 to 5 (Altair 6 writes Vega-Lite 6). Altair's ``jupyter`` renderer draws
each chart as a widget (anywidget) and, offline, ships Vega, Vega-Lite and vega-embed
inside the widget, bundled by vl-convert: nothing is fetched. The bundle is built once
per kernel, at the first chart shown (a second or two).

:mod:`analysis.charts` turns it on when it is imported in a kernel that a Jupyter server
started for a notebook (JupyterLab, Notebook). A kernel run by papermill for
``coco build`` is not one, so the report keeps its static SVG (:func:`analysis.charts.show`).
"""

from __future__ import annotations

import importlib.util
import os

RENDERER = "jupyter"


def in_jupyter_server() -> bool:
    """Whether this process is a kernel that a Jupyter server started for a notebook.

    jupyter_server gives such a kernel the notebook's path in ``JPY_SESSION_NAME``;
    kernels started by papermill, nbclient or nbval do not have it.

    Examples
    --------
    >>> isinstance(in_jupyter_server(), bool)
    True
    """
    return bool(os.environ.get("JPY_SESSION_NAME"))


def enable_interactive_charts(*, force: bool = False) -> bool:
    """Show Altair charts as interactive, offline widgets in JupyterLab.

    Parameters
    ----------
    force : bool, keyword-only
        Enable the renderer even outside a Jupyter server's kernel (e.g. in another
        front end that displays Jupyter widgets).

    Returns
    -------
    bool
        Whether the ``jupyter`` renderer (offline) is now the active Altair renderer.

    Examples
    --------
    >>> enable_interactive_charts()  # not in a JupyterLab kernel: nothing changes
    False
    """
    if not (force or in_jupyter_server()):
        return False
    if importlib.util.find_spec("anywidget") is None:  # the renderer's widget machinery
        return False
    import altair as alt

    alt.renderers.enable(RENDERER, offline=True)
    return True
