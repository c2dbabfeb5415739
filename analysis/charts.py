"""Charts and tables for the report: tidy tables in, ``alt.Chart`` or escaped HTML out.

One theme (``coco``, colour-blind-safe Okabe-Ito palette) is registered and enabled when
this module is imported, so every chart shares fonts, colours and axis styling. Each
``chart_*`` function states its finding in the title, computed from the data it is given,
so the headline of a figure can never drift from the numbers under it.

Charts are shown in notebooks as static SVG (:func:`show`, through vl-convert): the
report then works offline, prints to PDF and compares byte for byte under nbval.
Tables are shown with :func:`show_table`, which escapes every cell, so corpus text that
contains markup is displayed literally and never interpreted by the browser.
"""

from __future__ import annotations

import html
import re
from typing import Any

import altair as alt
import polars as pl

from analysis import interactive

THEME_NAME = "coco"
STANCES: tuple[str, ...] = ("cooperation", "coercion", "resistance")
STANCE_COLOURS: dict[str, str] = {
    "cooperation": "#0072B2",  # Okabe-Ito blue
    "coercion": "#D55E00",  # Okabe-Ito vermillion
    "resistance": "#E69F00",  # Okabe-Ito orange
}
UNCODED = "uncoded"
UNCODED_COLOUR = "#999999"
MARKS: tuple[str, ...] = ("corroborated", "updated", "single_source", "conflicting")
MARK_COLOURS: dict[str, str] = {
    "corroborated": "#009E73",  # Okabe-Ito bluish green
    "updated": "#56B4E9",  # Okabe-Ito sky blue
    "single_source": "#999999",
    "conflicting": "#CC79A7",  # Okabe-Ito reddish purple
}
FONT = "Liberation Sans"
WIDTH = 520
NONE_LABEL = "none"


def coco_theme() -> dict[str, Any]:
    """Return the project's Vega-Lite configuration (the ``coco`` theme).

    Returns
    -------
    dict
        A Vega-Lite ``config`` wrapped in ``{"config": ...}``, as altair themes expect.

    Examples
    --------
    >>> coco_theme()["config"]["range"]["category"][:3]
    ['#0072B2', '#D55E00', '#E69F00']
    """
    return {
        "config": {
            "background": "white",
            "font": FONT,
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 260},
            "title": {
                "anchor": "start",
                "fontSize": 15,
                "fontWeight": "bold",
                "subtitleFontSize": 12,
                "subtitleColor": "#444444",
                "offset": 12,
            },
            "axis": {
                "labelFontSize": 11,
                "titleFontSize": 12,
                "titleFontWeight": "normal",
                "gridColor": "#e8e8e8",
                "domainColor": "#888888",
                "tickColor": "#888888",
                "labelLimit": 260,
            },
            "legend": {"orient": "bottom", "labelFontSize": 11, "titleFontSize": 12},
            "range": {
                "category": [
                    *STANCE_COLOURS.values(),
                    "#009E73",
                    "#56B4E9",
                    "#CC79A7",
                    "#F0E442",
                    "#000000",
                ]
            },
        }
    }


alt.theme.register(THEME_NAME, enable=True)(coco_theme)
interactive.enable_interactive_charts()  # widgets in JupyterLab; the report keeps SVG


# --------------------------------------------------------------------------- helpers


def _require(df: pl.DataFrame, columns: list[str], function: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{function}: the table lacks column(s) {missing}; it has {df.columns}. "
            f"Pass the table the matching analysis function returns."
        )


def _stance_color(title: str = "Stance", *, with_uncoded: bool = False) -> alt.Color:
    domain = [*STANCES, UNCODED] if with_uncoded else list(STANCES)
    colours = (
        [*STANCE_COLOURS.values(), UNCODED_COLOUR]
        if with_uncoded
        else list(STANCE_COLOURS.values())
    )
    return alt.Color("stance:N", title=title, scale=alt.Scale(domain=domain, range=colours))


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _fmt(x: float) -> str:
    return f"{x:,.1f}"


def _text_colour(data: pl.DataFrame, field: str) -> Any:
    """White labels on the darker half of a sequential colour scale, black elsewhere."""
    top = data[field].max() if data.height else 0
    half = (top or 0) / 2
    return alt.condition(alt.datum[field] > half, alt.value("white"), alt.value("black"))


def _title(text: str, subtitle: str | list[str]) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=subtitle)


def _listing(items: list[str], limit: int = 12) -> str:
    """'a; b; c' with at most ``limit`` items and 'and N more' after them."""
    shown = "; ".join(items[:limit])
    return shown + (f"; and {len(items) - limit} more" if len(items) > limit else "")


def _describe(kind: str, finding: str, details: list[str]) -> str:
    """A chart's text alternative: what it draws, what it finds, and its values."""
    text = f"{kind} {finding}."
    return text + (f" Values: {_listing(details)}." if details else "")


def _group_axis(title: str, groups: list[str]) -> alt.Y:
    """Groups down the side, their title set above the labels so that long labels
    (outlet names, article titles) never run into it."""
    return alt.Y(
        "group:N",
        title=title,
        sort=groups,
        axis=alt.Axis(
            titleAngle=0,
            titleAlign="right",
            titleAnchor="start",
            titleBaseline="bottom",
            titleX=0,
            titleY=-6,
            titleFontWeight="bold",
        ),
    )


def _plain(df: pl.DataFrame) -> pl.DataFrame:
    """Drop nested columns and turn dates into ISO strings (parsed as UTC by Vega)."""
    keep = [c for c, t in df.schema.items() if not isinstance(t, pl.List | pl.Struct)]
    out = df.select(keep)
    dates = [c for c, t in out.schema.items() if t in (pl.Date, pl.Datetime)]
    return out.with_columns(pl.col(c).dt.strftime("%Y-%m-%d") for c in dates)


def _stance_wide(df: pl.DataFrame, value: str) -> pl.DataFrame:
    """One row per group with one column per stance (missing stances count as 0)."""
    wide = df.pivot(on="stance", index="group", values=value, aggregate_function="sum")
    for stance in STANCES:
        if stance not in wide.columns:
            wide = wide.with_columns(pl.lit(0.0).alias(stance))
    return wide.with_columns(pl.col(list(STANCES)).fill_null(0.0)).sort("group")


# --------------------------------------------------------------------------- labels


def _shorten(text: str, limit: int) -> str:
    """Cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:.-–—") + "…"


def document_labels(documents: pl.DataFrame, *, max_chars: int = 60) -> pl.DataFrame:
    """A reader's name for each article: its outlet and a short title, not its hash id.

    The outlet drops a parenthesised expansion ("PISM (Polish Institute ...)" becomes
    "PISM"); the title is cut at a word boundary so that the label fits ``max_chars``.
    Labels are unique: a repeated one gets its position (" (2)"). An article without
    outlet or title keeps its ``doc_id``.

    Parameters
    ----------
    documents : pl.DataFrame
        The ``documents`` table (doc_id, source, title).
    max_chars : int, keyword-only
        Longest label, 20 or more.

    Returns
    -------
    pl.DataFrame
        ``doc_id, label``, in the order of ``documents``.

    Examples
    --------
    >>> docs = pl.DataFrame({"doc_id": ["000_1ff6", "001_fee2"],
    ...     "source": ["PISM (Polish Institute of International Affairs)", "El Economista"],
    ...     "title": ["Mexico responds to the Trump administration's pressure", None]})
    >>> document_labels(docs)["label"].to_list()
    ["PISM: Mexico responds to the Trump administration's pressure", 'El Economista']
    """
    _require(documents, ["doc_id", "source", "title"], "document_labels")
    if not isinstance(max_chars, int) or max_chars < 20:
        raise ValueError(f"document_labels: max_chars must be an integer >= 20, got {max_chars!r}")
    labels: list[str] = []
    seen: dict[str, int] = {}
    for doc_id, source, title in documents.select("doc_id", "source", "title").iter_rows():
        outlet = " ".join(str(source or "").split())
        if "(" in outlet and not outlet.startswith("("):
            outlet = outlet.split("(", 1)[0].strip()
        outlet = _shorten(outlet, max_chars // 2) if outlet else ""
        title = str(title or "").strip()
        if outlet and title:
            label = f"{outlet}: {_shorten(title, max_chars - len(outlet) - 2)}"
        else:
            label = outlet or _shorten(title, max_chars) or str(doc_id)
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return documents.select("doc_id").with_columns(pl.Series("label", labels, dtype=pl.String))


def label_documents(
    table: pl.DataFrame, documents: pl.DataFrame, *, column: str = "doc_id", max_chars: int = 60
) -> pl.DataFrame:
    """Replace the ``doc_id`` values in ``column`` with :func:`document_labels`.

    Values that are not a document's id (``"all"``) are kept.

    Examples
    --------
    >>> docs = pl.DataFrame({"doc_id": ["d1"], "source": ["360LiveNews"],
    ...     "title": ["US Mexico Relations Strained"]})
    >>> label_documents(pl.DataFrame({"group": ["d1", "all"]}), docs, column="group").row(0)
    ('360LiveNews: US Mexico Relations Strained',)
    """
    _require(table, [column], "label_documents")
    mapping = dict(document_labels(documents, max_chars=max_chars).iter_rows())
    return table.with_columns(
        pl.col(column).replace_strict(mapping, default=pl.col(column), return_dtype=pl.String)
    )


# --------------------------------------------------------------------------- findings

NO_LEAN = "no clear lean"


def lean(lo: float | None, hi: float | None) -> str:
    """The side an interval of (cooperation − coercion) supports, and only that.

    A title may say that coercion (or cooperation) outweighs the other only when the
    whole interval lies on its side of zero; an interval that touches or crosses zero,
    or is missing, supports no lean.

    Parameters
    ----------
    lo, hi : float or None
        Bounds of an interval for a quantity that is negative when coercion outweighs
        cooperation (the balance, or cooperation minus coercion).

    Returns
    -------
    str
        ``"coercion"``, ``"cooperation"`` or ``"no clear lean"`` (:data:`NO_LEAN`).

    Examples
    --------
    >>> lean(-0.6, -0.1), lean(0.05, 0.4), lean(-0.2, 0.2), lean(None, 0.3)
    ('coercion', 'cooperation', 'no clear lean', 'no clear lean')
    """
    if lo is None or hi is None:
        return NO_LEAN
    if hi < 0:
        return "coercion"
    if lo > 0:
        return "cooperation"
    return NO_LEAN


def _rate_leans(rates: pl.DataFrame) -> pl.DataFrame:
    """Per group: both rates and the lean their intervals support.

    The difference cooperation − coercion is bounded by the two stances' own intervals
    (``coop.lo − coer.hi`` to ``coop.hi − coer.lo``): a lean only where they do not overlap.
    """
    point = _stance_wide(rates, "per_1000_words")
    lo = _stance_wide(rates, "lo").select("group", *(pl.col(s).alias(f"{s}_lo") for s in STANCES))
    hi = _stance_wide(rates, "hi").select("group", *(pl.col(s).alias(f"{s}_hi") for s in STANCES))
    wide = point.join(lo, on="group").join(hi, on="group").sort("group")
    leans = [
        lean(row["cooperation_lo"] - row["coercion_hi"], row["cooperation_hi"] - row["coercion_lo"])
        for row in wide.iter_rows(named=True)
    ]
    return wide.with_columns(pl.Series("lean", leans, dtype=pl.String))


def _count_leans(
    leans: list[str], total: str, *, what: tuple[str, str, str], none: str, rest: str
) -> str:
    """'The balance leans to coercion in 2 of 5 documents; no clear lean in 3' and the like.

    ``what``: the phrases for coercion, for cooperation alone, and for cooperation after
    coercion; ``none``: the sentence when no group leans; ``rest``: the groups that do not.
    """
    n_coer, n_coop = leans.count("coercion"), leans.count("cooperation")
    n_none = len(leans) - n_coer - n_coop
    if n_coer == n_coop == 0:
        return f"{none} in any of {total}"
    sides = []
    if n_coer:
        sides.append(f"{what[0]} in {n_coer}")
    if n_coop:
        sides.append(f"{what[1] if not sides else what[2]} in {n_coop}")
    text = " and ".join(sides) + f" of {total}"
    return text + (f"; {rest} in {n_none}" if n_none else "")


def finding_stance(rates: pl.DataFrame, *, group_name: str = "group") -> str:
    """State how coercion compares with cooperation, as far as the intervals support it.

    One side outweighs the other in a group only when their bootstrap intervals do not
    overlap (:func:`lean` of the difference); otherwise the group shows no clear
    difference, whatever the point estimates say.

    Parameters
    ----------
    rates : pl.DataFrame
        ``analysis.metrics.stance_rates`` output (group, stance, per_1000_words, lo, hi).
    group_name : str
        What a group is (``"document"``, ``"source"``); pluralised with ``s``.

    Returns
    -------
    str
        With one group, the two rates and whether they differ clearly; with several, in
        how many groups each side clearly outweighs the other.

    Examples
    --------
    >>> rates = pl.DataFrame({"group": ["corpus"] * 2, "stance": ["cooperation", "coercion"],
    ...     "per_1000_words": [2.0, 5.0], "lo": [1.0, 3.5], "hi": [3.0, 6.5]})
    >>> finding_stance(rates)
    'Coercion outweighs cooperation: 5.0 vs 2.0 codes per 1,000 words'
    >>> finding_stance(rates.with_columns(hi=pl.Series([4.0, 6.5])))
    'No clear difference: coercion 5.0, cooperation 2.0 codes per 1,000 words (intervals overlap)'
    """
    _require(rates, ["group", "stance", "per_1000_words", "lo", "hi"], "finding_stance")
    wide = _rate_leans(rates)
    if wide.height == 0:
        return "No coded sentences"
    if wide.height == 1:
        coop, coer, side = wide["cooperation"][0], wide["coercion"][0], wide["lean"][0]
        if side == NO_LEAN:
            return (
                f"No clear difference: coercion {_fmt(coer)}, cooperation {_fmt(coop)} "
                "codes per 1,000 words (intervals overlap)"
            )
        lead, lag = ("Coercion", "cooperation")
        if side == "cooperation":
            lead, lag = ("Cooperation", "coercion")
        hi, lo = max(coer, coop), min(coer, coop)
        return f"{lead} outweighs {lag}: {_fmt(hi)} vs {_fmt(lo)} codes per 1,000 words"
    return _count_leans(
        wide["lean"].to_list(),
        _plural(wide.height, group_name),
        what=("Coercion outweighs cooperation", "Cooperation outweighs coercion", "the reverse"),
        none="No clear difference between coercion and cooperation",
        rest="no clear difference",
    )


def finding_balance(balance: pl.DataFrame, *, group_name: str = "group") -> str:
    """State on which side of zero the balance falls, where its interval supports a side.

    Negative balance means more coercion than cooperation, positive the reverse; a group
    whose interval crosses 0 has no clear lean (:func:`lean`).

    Examples
    --------
    >>> finding_balance(pl.DataFrame({"group": ["a", "b", "c"], "balance": [-0.5, -0.2, 0.1],
    ...     "balance_lo": [-0.8, -0.4, -0.2], "balance_hi": [-0.2, 0.1, 0.4]}),
    ...     group_name="document")
    'The balance leans to coercion in 1 of 3 documents; no clear lean in 2'
    """
    _require(balance, ["group", "balance", "balance_lo", "balance_hi"], "finding_balance")
    if balance.height == 0:
        return "No coded sentences"
    leans = [lean(lo, hi) for lo, hi in balance.select("balance_lo", "balance_hi").iter_rows()]
    return _count_leans(
        leans,
        _plural(balance.height, group_name),
        what=(
            "The balance leans to coercion",
            "The balance leans to cooperation",
            "to cooperation",
        ),
        none="No clear lean",
        rest=NO_LEAN,
    )


def _signed(x: float | None) -> str:
    """+0.14, −0.09 (a true minus sign), or n/a."""
    if x is None:
        return "n/a"
    return f"{'−' if x < 0 else '+'}{abs(x):.2f}"


_LEAN_VERB = {
    "coercion": "leans to coercion",
    "cooperation": "leans to cooperation",
    NO_LEAN: "shows no clear lean",
}


def finding_headline(balance_status: pl.DataFrame, documents: pl.DataFrame) -> str:
    """The report's first message, in Markdown: all codes beside acts that happened.

    Threats and hypothetical acts can carry a balance that the acts themselves do not,
    so the headline gives the balance three ways (every counted code, actual acts only,
    threatened or hypothetical only) with its interval, states a lean only where the
    interval supports it (:func:`lean`), says how much of each side is threat or
    hypothesis, and gives the sample size. Every number is computed from the tables.

    Parameters
    ----------
    balance_status : pl.DataFrame
        ``analysis.metrics.balance_by_status`` output: codes ("all", "actual",
        "non_actual"), cooperation, coercion, balance, balance_lo, balance_hi.
    documents : pl.DataFrame
        The ``documents`` table (doc_id, n_words), for the sample size.

    Returns
    -------
    str
        A bold first sentence, one line per way of counting, and the sample size.

    Examples
    --------
    >>> bs = pl.DataFrame({"codes": ["all", "actual", "non_actual"],
    ...     "cooperation": [10, 9, 1], "coercion": [20, 8, 12],
    ...     "balance": [-0.33, 0.06, -0.85], "balance_lo": [-0.6, -0.3, -1.0],
    ...     "balance_hi": [-0.05, 0.4, -0.6]})
    >>> docs = pl.DataFrame({"doc_id": ["a", "b"], "n_words": [1200, 2277]})
    >>> print(finding_headline(bs, docs))  # doctest: +NORMALIZE_WHITESPACE
    **Over all codes the balance leans to coercion; for acts that happened it shows no clear
    lean. Over threatened or hypothetical acts alone it leans to coercion.** Threatened
    and hypothetical acts make 12 of the 20 coercive codes and 1 of the 10 cooperative
    ones.
    <BLANKLINE>
    - All counted codes: 20 coercive, 10 cooperative; balance −0.33 [−0.60, −0.05].
    - Acts that happened: 8 coercive, 9 cooperative; balance +0.06 [−0.30, +0.40].
    - Threatened or hypothetical: 12 coercive, 1 cooperative; balance −0.85 [−1.00, −0.60].
    <BLANKLINE>
    Sample: 2 articles, 3,477 words. Balance: (cooperation − coercion) / (cooperation +
    coercion), from −1 to +1; brackets: 95% bootstrap interval. Negated acts count in none.
    """
    columns = ["codes", "cooperation", "coercion", "balance", "balance_lo", "balance_hi"]
    _require(balance_status, columns, "finding_headline")
    _require(documents, ["doc_id", "n_words"], "finding_headline")
    rows = {r["codes"]: r for r in balance_status.iter_rows(named=True)}
    missing = [k for k in ("all", "actual", "non_actual") if k not in rows]
    if missing:
        raise ValueError(
            f"finding_headline: balance_status lacks the row(s) {missing} in column 'codes'; "
            "pass analysis.metrics.balance_by_status output"
        )
    verb = {k: _LEAN_VERB[lean(r["balance_lo"], r["balance_hi"])] for k, r in rows.items()}
    if verb["all"] == verb["actual"]:
        lead = f"The balance {verb['all']}, over all codes and over acts that happened alike."
    else:
        lead = (
            f"Over all codes the balance {verb['all']}; "
            f"for acts that happened it {verb['actual']}."
        )
    if verb["non_actual"] != verb["actual"]:
        lead += f" Over threatened or hypothetical acts alone it {verb['non_actual']}."
    every, threat = rows["all"], rows["non_actual"]
    share = (
        f"Threatened and hypothetical acts make {threat['coercion']} of the "
        f"{_plural(every['coercion'], 'coercive code')} and {threat['cooperation']} of the "
        f"{every['cooperation']} cooperative {'one' if every['cooperation'] == 1 else 'ones'}."
    )
    labels = {
        "all": "All counted codes",
        "actual": "Acts that happened",
        "non_actual": "Threatened or hypothetical",
    }
    lines = [
        f"- {label}: {rows[k]['coercion']} coercive, {rows[k]['cooperation']} cooperative; "
        f"balance {_signed(rows[k]['balance'])} "
        f"[{_signed(rows[k]['balance_lo'])}, {_signed(rows[k]['balance_hi'])}]."
        for k, label in labels.items()
    ]
    n_words = int(documents["n_words"].sum())
    sample = (
        f"Sample: {_plural(documents.height, 'article')}, {n_words:,} words. "
        "Balance: (cooperation − coercion) / (cooperation + coercion), from −1 to +1; "
        "brackets: 95% bootstrap interval. Negated acts count in none."
    )
    return f"**{lead}** {share}\n\n" + "\n".join(lines) + f"\n\n{sample}"


# --------------------------------------------------------------------------- charts


def chart_stance_by_group(
    rates: pl.DataFrame, *, group_name: str = "group", group_title: str | None = None
) -> alt.LayerChart:
    """Codes per 1,000 words by stance and group, with bootstrap intervals.

    Parameters
    ----------
    rates : pl.DataFrame
        ``analysis.metrics.stance_rates`` output: group, stance, per_1000_words, lo, hi.
    group_name : str
        What a group is, for the title (``"document"``, ``"source"``).
    group_title : str or None
        Axis title for the groups; defaults to ``group_name`` capitalised.

    Returns
    -------
    alt.LayerChart
        Bars (rate) and rules (interval), coloured by stance; the title states the
        finding (:func:`finding_stance`).

    Examples
    --------
    >>> rates = pl.DataFrame({"group": ["corpus"] * 2, "stance": ["cooperation", "coercion"],
    ...     "per_1000_words": [2.0, 5.0], "lo": [1.0, 3.5], "hi": [3.0, 6.0]})
    >>> chart_stance_by_group(rates).to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    _require(rates, ["group", "stance", "per_1000_words", "lo", "hi"], "chart_stance_by_group")
    data = _plain(rates.sort("group", "stance"))
    groups = sorted(data["group"].unique().to_list())
    y = _group_axis(group_title or group_name.capitalize(), groups)
    offset = alt.YOffset("stance:N", sort=list(STANCES))
    base = alt.Chart(data).encode(y=y, yOffset=offset)
    bars = base.mark_bar().encode(
        x=alt.X("per_1000_words:Q", title="Codes per 1,000 words"),
        color=_stance_color(),
        tooltip=[
            alt.Tooltip("group:N", title=group_title or group_name.capitalize()),
            alt.Tooltip("stance:N"),
            alt.Tooltip("per_1000_words:Q", format=".2f", title="per 1,000 words"),
            alt.Tooltip("lo:Q", format=".2f"),
            alt.Tooltip("hi:Q", format=".2f"),
        ],
    )
    rules = base.mark_rule(color="#222222", strokeWidth=1.5).encode(x="lo:Q", x2="hi:Q")
    subtitle = "Bars: codes per 1,000 words. Lines: bootstrap interval (resampling sentences)."
    finding = finding_stance(rates, group_name=group_name)
    details = [
        f"{r['group']}, {r['stance']}: {r['per_1000_words']:.1f} [{r['lo']:.1f}, {r['hi']:.1f}]"
        for r in data.iter_rows(named=True)
    ]
    kind = (
        f"Horizontal bar chart of codes per 1,000 words for each stance by {group_name}, "
        "with bootstrap intervals."
    )
    return alt.layer(bars, rules).properties(
        title=_title(finding, subtitle),
        description=_describe(kind, finding, details),
        width=WIDTH,
        height=alt.Step(14),
    )


def chart_balance(
    balance: pl.DataFrame, *, group_name: str = "group", group_title: str | None = None
) -> alt.LayerChart:
    """The cooperation-coercion balance per group, with its interval and a zero line.

    Parameters
    ----------
    balance : pl.DataFrame
        ``analysis.metrics.balance`` output: group, balance, balance_lo, balance_hi.
    group_name, group_title : str
        As in :func:`chart_stance_by_group`.

    Returns
    -------
    alt.LayerChart
        Points and interval rules; negative values lean to coercion.

    Examples
    --------
    >>> bal = pl.DataFrame({"group": ["a"], "balance": [-0.4], "balance_lo": [-0.6],
    ...                     "balance_hi": [-0.1]})
    >>> chart_balance(bal).to_dict()["layer"][1]["mark"]["type"]
    'point'
    """
    _require(balance, ["group", "balance", "balance_lo", "balance_hi"], "chart_balance")
    data = _plain(balance.sort("group"))
    data = data.with_columns(
        pl.Series(
            "leans_to",
            [lean(lo, hi) for lo, hi in data.select("balance_lo", "balance_hi").iter_rows()],
            dtype=pl.String,
        )
    )
    # only the leans present appear in the legend, each in its stance colour
    lean_colours = {
        "coercion": STANCE_COLOURS["coercion"],
        "cooperation": STANCE_COLOURS["cooperation"],
        NO_LEAN: UNCODED_COLOUR,
    }
    present = [k for k in lean_colours if k in set(data["leans_to"].to_list())]
    groups = sorted(data["group"].unique().to_list())
    y = _group_axis(group_title or group_name.capitalize(), groups)
    x_title = "Balance (below 0: more coercion; above 0: more cooperation)"
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#888888", strokeDash=[4, 3])
    zero = zero.encode(x=alt.X("x:Q", title=x_title))
    base = alt.Chart(data).encode(y=y)
    rules = base.mark_rule(color="#222222").encode(
        x=alt.X("balance_lo:Q", title=x_title), x2="balance_hi:Q"
    )
    points = base.mark_point(filled=True, size=80, opacity=1).encode(
        x=alt.X("balance:Q", title=x_title),
        color=alt.Color(
            "leans_to:N",
            title="The interval supports",
            scale=alt.Scale(domain=present, range=[lean_colours[k] for k in present]),
        ),
        tooltip=[
            alt.Tooltip("group:N"),
            alt.Tooltip("balance:Q", format=".2f"),
            alt.Tooltip("balance_lo:Q", format=".2f"),
            alt.Tooltip("balance_hi:Q", format=".2f"),
        ],
    )
    subtitle = [
        "Point: balance of cooperation against coercion. Line: bootstrap interval.",
        "A lean only where the whole interval is on one side of 0; grey: no clear lean.",
    ]
    finding = finding_balance(balance, group_name=group_name)
    details = [
        f"{r['group']}: {_signed(r['balance'])} "
        f"[{_signed(r['balance_lo'])}, {_signed(r['balance_hi'])}], {r['leans_to']}"
        for r in data.iter_rows(named=True)
    ]
    kind = (
        f"Dot plot of the cooperation-coercion balance (-1 to +1) by {group_name}, "
        "with bootstrap intervals and a line at 0."
    )
    return alt.layer(zero, points, rules).properties(
        title=_title(finding, subtitle),
        description=_describe(kind, finding, details),
        width=WIDTH,
        height=alt.Step(22),
    )


def chart_categories(counts: pl.DataFrame) -> alt.Chart:
    """Codes per category, coloured by stance, most frequent first.

    Parameters
    ----------
    counts : pl.DataFrame
        ``analysis.metrics.count_codes(codes, by=["stance", "category"])`` output.

    Returns
    -------
    alt.Chart
        Horizontal bars; the title names the most frequent category.

    Examples
    --------
    >>> counts = pl.DataFrame({"stance": ["coercion", "cooperation"],
    ...                        "category": ["SANCTION", "AGREE"], "n_codes": [5, 2]})
    >>> chart_categories(counts).to_dict()["title"]["text"]
    'SANCTION is the most frequent category (5 of 7 codes)'
    """
    _require(counts, ["stance", "category", "n_codes"], "chart_categories")
    data = _plain(counts.sort("category", "stance"))
    total = int(data["n_codes"].sum())
    if data.height == 0 or total == 0:
        text = "No codes"
    else:
        per_cat = data.group_by("category").agg(pl.col("n_codes").sum())
        top = per_cat.sort(["n_codes", "category"], descending=[True, False]).row(0, named=True)
        text = (
            f"{top['category']} is the most frequent category "
            f"({top['n_codes']} of {_plural(total, 'code')})"
        )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", title="Category", sort="-x"),
            x=alt.X("sum(n_codes):Q", title="Codes"),
            color=_stance_color(),
            tooltip=["category:N", "stance:N", "n_codes:Q"],
        )
        .properties(
            title=_title(text, "Number of codes per codebook category, coloured by stance."),
            description=_describe(
                "Horizontal bar chart of codes per codebook category, coloured by stance.",
                text,
                [
                    f"{r['category']} ({r['stance']}): {r['n_codes']}"
                    for r in data.sort("n_codes", descending=True).iter_rows(named=True)
                ],
            ),
            width=WIDTH,
        )
    )


def chart_actor_stance(counts: pl.DataFrame) -> alt.LayerChart:
    """Who does what: a heat map of codes by actor and stance, with counts.

    Parameters
    ----------
    counts : pl.DataFrame
        ``analysis.metrics.count_codes(codes, by=["actor", "stance"])`` output.

    Returns
    -------
    alt.LayerChart
        Rectangles shaded by count, with the count written in each; the title names
        each of the two most active actors' dominant stance.

    Examples
    --------
    >>> counts = pl.DataFrame({"actor": ["US", "US", "MX"],
    ...     "stance": ["coercion", "cooperation", "resistance"], "n_codes": [6, 2, 3]})
    >>> chart_actor_stance(counts).to_dict()["title"]["text"]
    'US acts mostly through coercion (6 of 8 codes); MX through resistance (3 of 3)'
    """
    _require(counts, ["actor", "stance", "n_codes"], "chart_actor_stance")
    data = _plain(counts.sort("actor", "stance"))
    per_actor = (
        data.group_by("actor")
        .agg(
            pl.col("n_codes").sum().alias("total"),
            pl.col("stance").sort_by(["n_codes", "stance"], descending=[True, False]).first(),
            pl.col("n_codes").max().alias("top"),
        )
        .sort(["total", "actor"], descending=[True, False])
    )
    parts = []
    for i, row in enumerate(per_actor.head(2).iter_rows(named=True)):
        if i == 0:
            parts.append(
                f"{row['actor']} acts mostly through {row['stance']} "
                f"({row['top']} of {_plural(row['total'], 'code')})"
            )
        else:
            parts.append(f"{row['actor']} through {row['stance']} ({row['top']} of {row['total']})")
    text = "; ".join(parts) if parts else "No codes"
    actors = sorted(data["actor"].unique().to_list())
    base = alt.Chart(data).encode(
        x=alt.X("stance:N", title="Stance", sort=list(STANCES)),
        y=alt.Y("actor:N", title="Actor (who acts)", sort=actors),
    )
    rects = base.mark_rect().encode(
        color=alt.Color("n_codes:Q", title="Codes", scale=alt.Scale(scheme="greys")),
        tooltip=["actor:N", "stance:N", "n_codes:Q"],
    )
    labels = base.mark_text(fontSize=13).encode(
        text="n_codes:Q", color=_text_colour(data, "n_codes")
    )
    details = [f"{r['actor']}, {r['stance']}: {r['n_codes']}" for r in data.iter_rows(named=True)]
    return alt.layer(rects, labels).properties(
        title=_title(text, "Codes by the actor who acts (rows) and stance (columns)."),
        description=_describe(
            "Heat map of codes by the actor who acts (rows) and stance (columns).", text, details
        ),
        width=300,
        height=alt.Step(36),
    )


def chart_timeline(timeline: pl.DataFrame, *, horizon_months: int = 12) -> alt.Chart:
    """Dated acts on a time axis: cooperation above the axis, coercion and resistance below.

    Each coded event is a stem from the axis to its category's PLOVER score (the codebook
    scale, -10..+10), so the height says how cooperative or coercive the act is. Scheduled
    dates (a review still ahead when the article appeared) sit on the axis as open marks.
    Uncoded past dates are left to the table beside the chart, and scheduled dates more
    than ``horizon_months`` after the last reported act are left out so that a far-off
    expiry does not squeeze the rest; the subtitle says how many were left out.

    Parameters
    ----------
    timeline : pl.DataFrame
        ``analysis.timeline.timeline`` output: date, precision, stance, category, actor,
        label, n_sources (and ``scheduled``, when present).
    horizon_months : int, keyword-only
        How far past the last reported act scheduled dates are drawn.

    Returns
    -------
    alt.Chart
        A layered chart on a UTC time axis.

    Examples
    --------
    >>> import datetime as dt
    >>> tl = pl.DataFrame({"date": [dt.date(2025, 1, 20)], "precision": ["day"],
    ...     "stance": ["coercion"], "category": ["SANCTION"], "actor": ["US"],
    ...     "label": ["tariff"], "n_sources": [2]})
    >>> chart_timeline(tl).to_dict()["title"]["text"]
    '1 dated act in Jan 2025: 1 coercive, 0 cooperative, 0 resistance'
    """
    from analysis.scheme import CATEGORY_SCORE

    _require(
        timeline,
        ["date", "precision", "stance", "category", "actor", "label", "n_sources"],
        "chart_timeline",
    )
    if horizon_months < 0:
        raise ValueError(f"horizon_months={horizon_months!r} is not allowed; give 0 or more")
    dated = timeline.filter(pl.col("date").is_not_null())
    if "scheduled" not in dated.columns:
        dated = dated.with_columns(scheduled=pl.col("label").str.starts_with("Scheduled"))
    acts = dated.filter(pl.col("stance").is_not_null() & ~pl.col("scheduled"))
    ahead = dated.filter(pl.col("scheduled") & pl.col("stance").is_null())
    if acts.height:
        last = acts["date"].max()
        limit = last.replace(year=last.year + (last.month - 1 + horizon_months) // 12,
                             month=(last.month - 1 + horizon_months) % 12 + 1, day=1)
        n_far = ahead.filter(pl.col("date") > limit).height
        ahead = ahead.filter(pl.col("date") <= limit)
    else:
        n_far = 0
    scores = pl.col("category").replace_strict(CATEGORY_SCORE, default=None,
                                               return_dtype=pl.Float64)
    data = pl.concat(
        [
            _plain(acts).with_columns(score=scores, kind=pl.lit("act")),
            _plain(ahead).with_columns(score=pl.lit(0.0), kind=pl.lit("scheduled")),
        ],
        how="diagonal_relaxed",
    ).sort("date", "score", "label")
    if acts.height == 0:
        text = "No dated events" if ahead.height == 0 else "No dated acts; scheduled dates only"
    else:
        first, last = acts["date"].min(), acts["date"].max()
        span = (
            f"in {first:%b %Y}"
            if (first.year, first.month) == (last.year, last.month)
            else f"from {first:%b %Y} to {last:%b %Y}"
        )
        counts = dict(acts.group_by("stance").len().iter_rows())
        text = (
            f"{_plural(acts.height, 'dated act')} {span}: "
            f"{counts.get('coercion', 0)} coercive, {counts.get('cooperation', 0)} cooperative, "
            f"{counts.get('resistance', 0)} resistance"
        )
    subtitle = ["Stem height: the act's PLOVER score (above 0 cooperation, below 0 coercion)."]
    notes = []
    if ahead.height:
        notes.append("Triangles on the axis: scheduled dates.")
    if n_far:
        notes.append(f"{_plural(n_far, 'later scheduled date')} in the table only.")
    if notes:
        subtitle.append(" ".join(notes))
    # padding keeps the largest points inside the plot at both ends of the time axis
    x = alt.X(
        "date:T", title="Date", scale=alt.Scale(type="utc", padding=18),
        axis=alt.Axis(format="%b %Y"),
    )
    y = alt.Y("score:Q", title="PLOVER score of the act",
              scale=alt.Scale(domain=[-10, 10], padding=12))
    tooltip = ["date:T", "precision:N", "stance:N", "category:N", "actor:N", "label:N",
               "n_sources:Q"]
    base = alt.Chart(data)
    acts_only = base.transform_filter("datum.kind == 'act'")
    # the size legend lists the source counts that occur, as integers, and only when
    # they differ (one size needs no key)
    n_sources = sorted({int(n) for n in acts["n_sources"].drop_nulls().to_list()})
    size = (
        alt.Size(
            "n_sources:Q",
            title="Sources reporting the act",
            scale=alt.Scale(domain=[n_sources[0], n_sources[-1]], range=[60, 300]),
            legend=alt.Legend(values=n_sources, format="d"),
        )
        if len(n_sources) > 1
        else alt.value(90)
    )
    stems = acts_only.mark_rule().encode(x=x, y=y, y2=alt.datum(0), color=_stance_color())
    points = acts_only.mark_point(filled=True, opacity=1).encode(
        x=x, y=y, color=_stance_color(), size=size, tooltip=tooltip
    )
    scheduled = base.transform_filter("datum.kind == 'scheduled'").mark_point(
        shape="triangle-up", filled=True, opacity=1, size=120, color=UNCODED_COLOUR
    ).encode(x=x, y=y, tooltip=tooltip)
    axis = alt.Chart(pl.DataFrame({"zero": [0]})).mark_rule(color="#333333").encode(
        y="zero:Q"
    )
    details = [
        f"{r['date']}: {r['label']} ({r['category']}, {r['stance']}, {r['actor']}, "
        f"{_plural(int(r['n_sources']), 'source')})"
        for r in data.filter(pl.col("kind") == "act").iter_rows(named=True)
    ] + [
        f"{r['date']}: scheduled, {r['label']}"
        for r in data.filter(pl.col("kind") == "scheduled").iter_rows(named=True)
    ]
    description = _describe(
        "Timeline of dated acts: each act is a stem from the axis to its category's PLOVER "
        "score (cooperation above, coercion and resistance below), sized by the number of "
        "sources; scheduled dates are grey triangles on the axis.",
        text,
        details,
    )
    return alt.layer(axis, stems, points, scheduled).properties(
        title=_title(text, subtitle), description=description, width=WIDTH, height=260
    )


def chart_corroboration(corroboration: pl.DataFrame) -> alt.Chart:
    """How many claim groups are corroborated, updated, single-source or conflicting.

    Parameters
    ----------
    corroboration : pl.DataFrame
        ``analysis.claims.corroborate`` output (one row per group and claim): group_id,
        mark, ...

    Returns
    -------
    alt.Chart
        Bars of distinct claim groups per mark.

    Examples
    --------
    >>> cor = pl.DataFrame({"group_id": [1, 1, 2],
    ...                     "mark": ["corroborated", "corroborated", "single_source"]})
    >>> chart_corroboration(cor).to_dict()["title"]["text"]
    '1 of 2 claims is corroborated by a second source'
    """
    _require(corroboration, ["group_id", "mark"], "chart_corroboration")
    counts = (
        corroboration.group_by("mark")
        .agg(pl.col("group_id").n_unique().alias("n_claims"))
        .sort("mark")
    )
    total = int(counts["n_claims"].sum())
    n_corr = int(counts.filter(pl.col("mark") == "corroborated")["n_claims"].sum())
    verb = "is" if n_corr == 1 else "are"
    text = (
        f"{n_corr} of {_plural(total, 'claim')} {verb} corroborated by a second source"
        if total
        else "No quantitative claims"
    )
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("mark:N", title="Corroboration", sort=list(MARKS)),
            x=alt.X("n_claims:Q", title="Claims (distinct quantities)"),
            color=alt.Color(
                "mark:N",
                title="Corroboration",
                scale=alt.Scale(domain=list(MARKS), range=list(MARK_COLOURS.values())),
                legend=None,
            ),
            tooltip=["mark:N", "n_claims:Q"],
        )
        .properties(
            title=_title(text, "Claims grouped by subject and unit, compared across sources."),
            description=_describe(
                "Horizontal bar chart of quantitative claims (distinct quantities) by how far "
                "other sources corroborate them.",
                text,
                [f"{r['mark']}: {r['n_claims']}" for r in counts.iter_rows(named=True)],
            ),
            width=WIDTH,
        )
    )


def chart_confusion(confusion: pl.DataFrame) -> alt.LayerChart:
    """Gold stances against predicted stances per unit, as a heat map with counts.

    Parameters
    ----------
    confusion : pl.DataFrame
        ``EvaluationResult.confusion``: gold_stance, predicted_stance, n; a unit's stances
        joined with ``+`` (``cooperation+coercion``), ``none`` (or null) for no code.

    Returns
    -------
    alt.LayerChart
        Heat map; the title gives exact agreement on units that either side coded,
        flagged in-sample.

    Examples
    --------
    >>> conf = pl.DataFrame({"gold_stance": ["coercion", "coercion", "none"],
    ...     "predicted_stance": ["coercion", "none", "none"], "n": [3, 1, 9]})
    >>> chart_confusion(conf).to_dict()["title"]["text"]
    'Codebook and gold agree on the stances of 3 of 4 coded units (75%, in-sample)'
    """
    _require(confusion, ["gold_stance", "predicted_stance", "n"], "chart_confusion")
    data = (
        _plain(confusion)
        .with_columns(
            pl.col("gold_stance").fill_null(NONE_LABEL),
            pl.col("predicted_stance").fill_null(NONE_LABEL),
        )
        .sort("gold_stance", "predicted_stance")
    )
    coded = data.filter(
        ~((pl.col("gold_stance") == NONE_LABEL) & (pl.col("predicted_stance") == NONE_LABEL))
    )
    total = int(coded["n"].sum())
    agree = int(coded.filter(pl.col("gold_stance") == pl.col("predicted_stance"))["n"].sum())
    text = (
        f"Codebook and gold agree on the stances of {agree} of {_plural(total, 'coded unit')} "
        f"({100 * agree / total:.0f}%, in-sample)"
        if total
        else "No coded units to compare"
    )
    values = set(data["gold_stance"].to_list()) | set(data["predicted_stance"].to_list())
    order = sorted(values - {NONE_LABEL}) + [NONE_LABEL]
    base = alt.Chart(data).encode(
        x=alt.X("predicted_stance:N", title="Predicted by the codebook", sort=order),
        y=alt.Y("gold_stance:N", title="Gold (hand-coded)", sort=order),
    )
    rects = base.mark_rect().encode(
        color=alt.Color("n:Q", title="Units", scale=alt.Scale(scheme="blues")),
        tooltip=["gold_stance:N", "predicted_stance:N", "n:Q"],
    )
    labels = base.mark_text(fontSize=13).encode(text="n:Q", color=_text_colour(data, "n"))
    details = [
        f"gold {r['gold_stance']}, predicted {r['predicted_stance']}: {r['n']}"
        for r in data.iter_rows(named=True)
    ]
    return alt.layer(rects, labels).properties(
        title=_title(text, "In-sample: the codebook was written while reading these articles."),
        description=_describe(
            "Heat map of units by hand-coded stances (rows) and the codebook's (columns).",
            text,
            details,
        ),
        width=alt.Step(70),
        height=alt.Step(32),
    )


def chart_sensitivity(sensitivity: pl.DataFrame) -> alt.LayerChart:
    """The balance recomputed with each category left out in turn.

    Parameters
    ----------
    sensitivity : pl.DataFrame
        ``analysis.metrics.sensitivity`` output: left_out, balance, balance_lo,
        balance_hi, sign_changed.

    Returns
    -------
    alt.LayerChart
        Points and intervals per left-out category; the title says whether the sign of
        the balance survives.

    Examples
    --------
    >>> sens = pl.DataFrame({"left_out": ["(none)", "SANCTION"], "balance": [-0.5, -0.2],
    ...     "balance_lo": [-0.7, -0.4], "balance_hi": [-0.3, 0.0],
    ...     "sign_changed": [False, False]})
    >>> chart_sensitivity(sens).to_dict()["title"]["text"]
    'The balance keeps its sign whichever category is left out'
    """
    _require(
        sensitivity,
        ["left_out", "balance", "balance_lo", "balance_hi", "sign_changed"],
        "chart_sensitivity",
    )
    data = _plain(sensitivity.sort("left_out")).with_columns(
        pl.when(pl.col("sign_changed"))
        .then(pl.lit("sign changes"))
        .otherwise(pl.lit("sign holds"))
        .alias("outcome")
    )
    flipped = sorted(data.filter(pl.col("sign_changed"))["left_out"].to_list())
    if data.height == 0:
        text = "No categories to leave out"
    elif not flipped:
        text = "The balance keeps its sign whichever category is left out"
    else:
        shown = ", ".join(flipped[:3]) + (" and others" if len(flipped) > 3 else "")
        text = f"Leaving out {shown} changes the sign of the balance"
    x_title = "Balance without the category (below 0: more coercion)"
    order = sorted(data["left_out"].to_list())
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#888888", strokeDash=[4, 3])
    zero = zero.encode(x=alt.X("x:Q", title=x_title))
    base = alt.Chart(data).encode(y=alt.Y("left_out:N", title="Category left out", sort=order))
    rules = base.mark_rule(color="#222222").encode(
        x=alt.X("balance_lo:Q", title=x_title), x2="balance_hi:Q"
    )
    points = base.mark_point(filled=True, size=70).encode(
        x=alt.X("balance:Q", title=x_title),
        color=alt.Color(
            "outcome:N",
            title="Sign of the balance",
            # not the stance colours: here colour means whether the sign survives
            scale=alt.Scale(domain=["sign holds", "sign changes"], range=["#333333", "#CC79A7"]),
        ),
        tooltip=["left_out:N", alt.Tooltip("balance:Q", format=".2f")],
    )
    subtitle = "(none) is the full codebook; each other row drops one category."
    details = [
        f"without {r['left_out']}: {_signed(r['balance'])} "
        f"[{_signed(r['balance_lo'])}, {_signed(r['balance_hi'])}], {r['outcome']}"
        for r in data.iter_rows(named=True)
    ]
    description = _describe(
        "Dot plot of the corpus balance (-1 to +1) recomputed with each category left out, "
        "with bootstrap intervals and a line at 0.",
        text,
        details,
    )
    return alt.layer(zero, rules, points).properties(
        title=_title(text, subtitle), description=description, width=WIDTH, height=alt.Step(20)
    )


# --------------------------------------------------------------------------- display


def vegalite_version() -> str:
    """The Vega-Lite version altair writes, as vl-convert names it (e.g. ``"6.4"``).

    Examples
    --------
    >>> vegalite_version().count(".")
    1
    """
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def describe(chart: alt.TopLevelMixin) -> str:
    """A chart's text alternative: its ``description``, else its title, else its mark.

    Every ``chart_*`` function sets a description that says what the chart draws, what
    it finds and the values behind it; this is the alt text of the chart in the report.

    Examples
    --------
    >>> chart = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    >>> describe(chart.properties(description="One point at x = 1."))
    'One point at x = 1.'
    >>> describe(chart.properties(title="One point"))
    'Chart: One point'
    """
    spec = chart.to_dict()
    if spec.get("description"):
        return str(spec["description"])
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    if text:
        return f"Chart: {text if isinstance(text, str) else ' '.join(text)}"
    mark = spec.get("mark")
    return f"Chart: {mark.get('type') if isinstance(mark, dict) else mark or 'layered'} marks"


def to_svg(chart: alt.TopLevelMixin) -> str:
    """Render a chart to a static SVG string (deterministic, no network access).

    The SVG carries its text alternative (:func:`describe`) as ``role="img"``, an
    ``aria-label`` and a ``<title>``, escaped, wherever the file is shown.

    Examples
    --------
    >>> chart = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    >>> svg = to_svg(chart.properties(description="A <b>point</b>"))
    >>> svg.startswith("<svg"), "<title>A &lt;b&gt;point&lt;/b&gt;</title>" in svg
    (True, True)
    """
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(chart.to_dict(), vl_version=vegalite_version(), allowed_base_urls=[])
    label = html.escape(describe(chart), quote=True)
    head, sep, rest = svg.partition(">")
    return _one_element_per_line(
        f'{head} role="img" aria-label="{label}"{sep}<title>{label}</title>{rest}'
    )


# between two elements, except inside a text element (where a line break could become a
# space between its tspans)
_BETWEEN_ELEMENTS = re.compile(r">(?=<(?!/?tspan\b|/text\b))")


def _one_element_per_line(svg: str) -> str:
    """Break an SVG after each element, so that stored outputs diff line by line.

    Whitespace between elements draws nothing; text elements are left whole.

    Examples
    --------
    >>> _one_element_per_line("<svg><g><text>a<tspan>b</tspan></text></g></svg>").split()
    ['<svg>', '<g>', '<text>a<tspan>b</tspan></text>', '</g>', '</svg>']
    """
    return _BETWEEN_ELEMENTS.sub(">\n", svg)


def show(chart: alt.TopLevelMixin):
    """Return a chart as an ``IPython.display.SVG`` object, for a notebook cell's output.

    The output's metadata holds the chart's text alternative (``{"alt": ...}``,
    :func:`describe`), which the nbconvert report uses as the image's ``alt``.

    Examples
    --------
    >>> chart = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q")
    >>> type(show(chart)).__name__
    'SVG'
    """
    from IPython.display import SVG

    # the output's metadata carries the alt text to the report's <img>
    return SVG(data=to_svg(chart), metadata={"alt": describe(chart)})


COLUMN_NOTES: dict[str, str] = {
    "per_1000_words": "codes per 1,000 words of text",
    "lo": "lower bound of the 95% bootstrap interval (sentences resampled)",
    "hi": "upper bound of the 95% bootstrap interval",
    "balance": "(cooperation − coercion) / (cooperation + coercion), from −1 to +1",
    "balance_lo": "lower bound of the balance's 95% bootstrap interval",
    "balance_hi": "upper bound of the balance's 95% bootstrap interval",
    "intensity": "mean PLOVER score per coded sentence (−10 most coercive, +10 most cooperative)",
    "intensity_lo": "lower bound of the intensity's 95% bootstrap interval",
    "intensity_hi": "upper bound of the intensity's 95% bootstrap interval",
    "n_codes": "number of codes",
    "n_sentences": "number of sentences",
    "n_words": "number of words",
    "n_sources": "number of outlets reporting it",
    "status_rule": "the codebook rule that set the status (actual, threatened, ...)",
    "actor_rule": "the codebook rule that set the actor",
    "indicator": "the codebook indicator that matched",
    "precision": "share of the codebook's codes that the hand codes confirm",
    "recall": "share of the hand codes that the codebook finds",
    "f1": "harmonic mean of precision and recall",
    "kappa": "Cohen's kappa: agreement beyond chance",
    "support": "number of hand-coded units",
    "tp": "true positives",
    "fp": "false positives",
    "fn": "false negatives",
}

_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
_CURRENCY = {"USD": "$", "MXN": "MX$", "EUR": "€"}


def format_quantity(value: float | None, unit: str | None = None) -> str:
    """A number as a person writes it: "$552 billion", "70%", "1,000 people".

    Parameters
    ----------
    value : float or None
        The number (a claim's ``value``).
    unit : str or None
        Its unit: a currency code (``USD``, ``MXN``, ``EUR``), ``percent``, ``count``
        (no unit word) or a noun such as ``people`` or ``troops``.

    Returns
    -------
    str
        Whole numbers without decimals, millions and above in words, at most three
        significant digits there; empty for None.

    Examples
    --------
    >>> format_quantity(552_000_000_000.0, "USD"), format_quantity(3.6e9, "USD")
    ('$552 billion', '$3.6 billion')
    >>> format_quantity(70.0, "percent"), format_quantity(1000.0, "count")
    ('70%', '1,000')
    >>> format_quantity(2.0, "agents"), format_quantity(2.5, "years")
    ('2 agents', '2.5 years')
    """
    if value is None:
        return ""
    number = ""
    for size, word in _SCALES:
        if abs(value) >= size:
            number = f"{value / size:,.3g} {word}"
            break
    if not number:
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3g}"
    if unit in _CURRENCY:
        return f"{_CURRENCY[unit]}{number}"
    if unit == "percent":
        return f"{number}%"
    if unit in (None, "", "count"):
        return number
    return f"{number} {unit}"


def format_quantities(
    table: pl.DataFrame, *, value: str = "value", unit: str = "unit"
) -> pl.DataFrame:
    """Replace a numeric ``value`` column by :func:`format_quantity` strings.

    Examples
    --------
    >>> t = pl.DataFrame({"value": [552e9, 2.0], "unit": ["USD", "agents"]})
    >>> format_quantities(t)["value"].to_list()
    ['$552 billion', '2 agents']
    """
    _require(table, [value, unit], "format_quantities")
    text = [format_quantity(v, u) for v, u in table.select(value, unit).iter_rows()]
    return table.with_columns(pl.Series(value, text, dtype=pl.String))


def _cell(value: Any, float_digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.{float_digits}f}"
    if isinstance(value, list):
        return "; ".join(_cell(v, float_digits) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_cell(v, float_digits)}" for k, v in value.items())
    return str(value)


def _whole_columns(df: pl.DataFrame) -> set[str]:
    """Float columns whose values are all whole numbers (counts stored as floats)."""
    floats = [c for c, t in df.schema.items() if t in (pl.Float32, pl.Float64)]
    whole = set()
    for c in floats:
        values = df[c].drop_nulls().drop_nans()
        if values.len() and bool((values == values.round(0)).all()):
            whole.add(c)
    return whole


_LONG_TOKEN = 24  # a word longer than this (a checksum, a path) may break anywhere


def html_table(
    df: pl.DataFrame,
    *,
    max_rows: int | None = None,
    float_digits: int = 2,
    caption: str | None = None,
    notes: bool = True,
) -> str:
    """Render a table as HTML, escaping every header and cell.

    Parameters
    ----------
    df : pl.DataFrame
        Any table; lists are joined with ``"; "``, nulls shown empty.
    max_rows : int or None
        Show at most this many rows (a note says how many were left out); None shows all.
    float_digits : int
        Digits after the decimal point for floats; a float column that holds only whole
        numbers (counts) is shown as integers.
    caption : str or None
        Optional caption (escaped too).
    notes : bool
        Explain, under the table, the columns that :data:`COLUMN_NOTES` describes.

    Returns
    -------
    str
        A ``<table class="coco-table">`` fragment in a ``<div>`` that scrolls a table
        sideways only when even wrapped it cannot fit; long words (checksums, paths) may
        break anywhere and identifiers after an underscore (``<wbr>``, which adds no
        character) so that the table fits the page. Corpus text is shown literally.

    Examples
    --------
    >>> "<td>&lt;b&gt;x&lt;/b&gt;</td>" in html_table(pl.DataFrame({"text": ["<b>x</b>"]}))
    True
    >>> "<td>demand_<wbr>do_<wbr>more</td>" in html_table(pl.DataFrame({"id": ["demand_do_more"]}))
    True
    >>> '<td class="num">2</td>' in html_table(pl.DataFrame({"agents": [2.0]}))
    True
    >>> "<code>lo</code>: lower bound" in html_table(pl.DataFrame({"lo": [0.5]}))
    True
    """
    if max_rows is not None and max_rows < 0:
        raise ValueError(f"html_table: max_rows must be None or >= 0, got {max_rows!r}")
    shown = df if max_rows is None else df.head(max_rows)
    # the wrapper scrolls a wide table sideways instead of cutting it at the page edge
    parts = ['<div class="coco-table-wrap" style="overflow-x: auto">', '<table class="coco-table">']
    if caption:
        parts.append(f"<caption>{html.escape(caption)}</caption>")
    parts.append("<thead><tr>")
    # a long column name may break after an underscore, so that headers do not widen the table
    parts.extend(
        f"<th>{html.escape(str(c)).replace('_', '_<wbr>')}</th>" for c in shown.columns
    )
    parts.append("</tr></thead><tbody>")
    numeric = {c for c, t in shown.schema.items() if t.is_numeric()}
    whole = _whole_columns(shown)
    for row in shown.iter_rows(named=True):
        # one row per line: a stored table output diffs row by row
        parts.append("\n<tr>")
        for col, value in row.items():
            text = _cell(value, 0 if col in whole else float_digits)
            if col in numeric:
                attrs = ' class="num"'
            elif any(len(word) > _LONG_TOKEN for word in text.split()):
                attrs = ' style="overflow-wrap: anywhere"'
            else:
                attrs = ""
            # an identifier (an indicator's id) may break after an underscore, like a header
            parts.append(f"<td{attrs}>{html.escape(text).replace('_', '_<wbr>')}</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    if shown.height < df.height:
        parts.append(f"<p><em>{df.height - shown.height} more rows not shown.</em></p>")
    explained = [c for c in shown.columns if c in COLUMN_NOTES] if notes else []
    if explained:
        items = "; ".join(f"<code>{html.escape(c)}</code>: {html.escape(COLUMN_NOTES[c])}"
                          for c in explained)
        parts.append(f'<p class="coco-notes" style="font-size: 0.85em">{items}.</p>')
    return "".join(parts)


def show_table(df: pl.DataFrame, **options: Any):
    """Return :func:`html_table` as an ``IPython.display.HTML`` object.

    Examples
    --------
    >>> type(show_table(pl.DataFrame({"a": [1]}))).__name__
    'HTML'
    """
    from IPython.display import HTML

    return HTML(html_table(df, **options))
_KWIC_FILTER = (
    "var q=this.value.toLowerCase(),root=this.closest('.coco-kwic');"
    "root.querySelectorAll('tr.coco-code').forEach(function(r){"
    "r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});"
    "root.querySelectorAll('details').forEach(function(d){"
    "if(q!=='')d.open=d.querySelector('tr.coco-code:not([hidden])')!==null;});"
)
_ONE_LINE = "white-space: nowrap; overflow: hidden; text-overflow: ellipsis"
# column widths (per cent) of the appendix table: fixed, so that it never outgrows the page
_KWIC_WIDTHS = (5, 9, 10, 6, 9, 13, 10, 9, 29)


def html_kwic(kwic: pl.DataFrame, documents: pl.DataFrame) -> str:
    """Every code on one line, grouped by article in collapsible sections, with a filter.

    Each article is a ``<details>`` section named by outlet and short title
    (:func:`document_labels`) and its number of codes; each code is one table row: stance,
    category, actor, status, the indicator that matched, the rules that set status and
    actor, and the keyword in its context, cut to one line (the whole line is the row's
    tooltip). A search box above filters the rows as one types and opens the sections
    that still match; it runs in the page, with no request. Every text is escaped.

    Parameters
    ----------
    kwic : pl.DataFrame
        ``analysis.indicators.kwic`` output: doc_id, sent_id, stance, category, actor,
        status, indicator, status_rule, actor_rule, left, keyword, right.
    documents : pl.DataFrame
        The ``documents`` table (doc_id, source, title), for the section names.

    Returns
    -------
    str
        An HTML fragment: a ``<div class="coco-kwic">`` holding the filter box and one
        ``<details>`` per article that has codes.

    Examples
    --------
    >>> kw = pl.DataFrame({"doc_id": ["d1"], "sent_id": [3], "stance": ["coercion"],
    ...     "category": ["THREATEN"], "actor": ["US"], "status": ["threatened"],
    ...     "indicator": ["threaten_tariff"], "status_rule": ["threat_cue"],
    ...     "actor_rule": ["subject"], "left": ["Trump"], "keyword": ["threatened"],
    ...     "right": ["<b>tariffs</b>"]})
    >>> docs = pl.DataFrame({"doc_id": ["d1"], "source": ["El Economista"],
    ...     "title": ["Aranceles"]})
    >>> out = html_kwic(kw, docs)
    >>> "<summary>El Economista: Aranceles (1 code)</summary>" in out
    True
    >>> "&lt;b&gt;tariffs&lt;/b&gt;" in out and "<b>" not in out
    True
    """
    columns = ["doc_id", "sent_id", "stance", "category", "actor", "status", "indicator",
               "status_rule", "actor_rule", "left", "keyword", "right"]
    _require(kwic, columns, "html_kwic")
    labels = dict(document_labels(documents).iter_rows())
    order = [d for d in documents["doc_id"].to_list() if d in set(kwic["doc_id"].to_list())]
    order += sorted(set(kwic["doc_id"].to_list()) - set(order))
    fields = ["sent_id", "stance", "category", "actor", "status", "indicator", "status_rule",
              "actor_rule"]
    e = html.escape
    parts = [
        '<div class="coco-kwic">',
        '<label>Filter the codes: <input type="search" class="coco-filter" '
        f'placeholder="a word, an indicator, a rule..." oninput="{e(_KWIC_FILTER)}"></label>',
    ]
    for doc_id in order:
        rows = kwic.filter(pl.col("doc_id") == doc_id).sort("sent_id")
        name = labels.get(doc_id, doc_id)
        parts.append(f"\n<details><summary>{e(name)} ({_plural(rows.height, 'code')})</summary>")
        parts.append(
            '<table class="coco-table coco-kwic-table" style="table-layout: fixed; width: 100%">'
        )
        parts.append("<colgroup>")
        parts.extend(f'<col style="width: {w}%">' for w in _KWIC_WIDTHS)
        parts.append("</colgroup><thead><tr>")
        parts.extend(
            f'<th style="{_ONE_LINE}">{e(f)}</th>' for f in [*fields, "keyword in context"]
        )
        parts.append("</tr></thead><tbody>")
        for r in rows.iter_rows(named=True):
            line = " ".join(str(r[k] or "") for k in ("left", "keyword", "right")).strip()
            cells = "".join(f'<td style="{_ONE_LINE}">{e(_cell(r[f], 0))}</td>' for f in fields)
            context = (
                f'<td style="{_ONE_LINE}">{e(str(r["left"] or ""))} '
                f"<strong>{e(str(r['keyword'] or ''))}</strong> {e(str(r['right'] or ''))}</td>"
            )
            parts.append(f'\n<tr class="coco-code" title="{e(line)}">{cells}{context}</tr>')
        parts.append("</tbody></table></details>")
    parts.append("</div>")
    return "".join(parts)


def show_kwic(kwic: pl.DataFrame, documents: pl.DataFrame):
    """Return :func:`html_kwic` as an ``IPython.display.HTML`` object.

    Examples
    --------
    >>> kw = pl.DataFrame({c: [] for c in ["doc_id", "sent_id", "stance", "category",
    ...     "actor", "status", "indicator", "status_rule", "actor_rule", "left", "keyword",
    ...     "right"]})
    >>> type(show_kwic(kw, pl.DataFrame({"doc_id": [], "source": [], "title": []}))).__name__
    'HTML'
    """
    from IPython.display import HTML

    return HTML(html_kwic(kwic, documents))
