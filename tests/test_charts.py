"""Chart specs (snapshots of structure, not pixels), findings in titles, escaped tables."""

from __future__ import annotations

import datetime as dt

import altair as alt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import charts
from analysis.charts import STANCE_COLOURS, STANCES


def _rates(rows: list[tuple[str, str, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "group": [r[0] for r in rows],
            "stance": [r[1] for r in rows],
            "per_1000_words": [r[2] for r in rows],
            "lo": [r[2] * 0.8 for r in rows],
            "hi": [r[2] * 1.2 for r in rows],
        }
    )


def _data(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


def _stance_scale(encoding: dict) -> None:
    assert encoding["color"]["field"] == "stance"
    assert encoding["color"]["scale"]["domain"][:3] == list(STANCES)
    assert encoding["color"]["scale"]["range"][:3] == list(STANCE_COLOURS.values())


def test_theme_is_registered_enabled_and_in_every_spec() -> None:
    assert alt.theme.active == charts.THEME_NAME
    spec = charts.chart_categories(
        pl.DataFrame({"stance": ["coercion"], "category": ["SANCTION"], "n_codes": [1]})
    ).to_dict()
    assert spec["config"]["font"] == charts.FONT
    assert spec["config"]["range"]["category"][:3] == ["#0072B2", "#D55E00", "#E69F00"]


def test_stance_chart_spec() -> None:
    rates = _rates([("a", "cooperation", 2.0), ("a", "coercion", 5.0), ("a", "resistance", 1.0)])
    spec = charts.chart_stance_by_group(rates, group_name="document").to_dict()
    bars, rules = spec["layer"]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "per_1000_words"
    assert bars["encoding"]["x"]["title"] == "Codes per 1,000 words"
    assert bars["encoding"]["y"]["field"] == "group"
    assert bars["encoding"]["y"]["title"] == "Document"
    assert bars["encoding"]["yOffset"]["field"] == "stance"
    _stance_scale(bars["encoding"])
    assert rules["mark"]["type"] == "rule"
    assert (rules["encoding"]["x"]["field"], rules["encoding"]["x2"]["field"]) == ("lo", "hi")
    assert len(_data(spec)) == 3


def test_stance_title_for_one_group_gives_both_rates() -> None:
    rates = _rates([("all", "cooperation", 15.53), ("all", "coercion", 25.01)])
    title = charts.chart_stance_by_group(rates).to_dict()["title"]["text"]
    assert title == "Coercion outweighs cooperation: 25.0 vs 15.5 codes per 1,000 words"
    close = _rates([("all", "cooperation", 20.7), ("all", "coercion", 24.7)])
    assert charts.finding_stance(close) == (
        "No clear difference: coercion 24.7, cooperation 20.7 codes per 1,000 words "
        "(intervals overlap)"
    )


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (-0.6, -0.1, "coercion"),
        (0.1, 0.6, "cooperation"),
        (-0.2, 0.2, "no clear lean"),
        (-0.2, 0.0, "no clear lean"),  # touching 0 is not clear of it
        (0.0, 0.3, "no clear lean"),
        (None, 0.3, "no clear lean"),
    ],
)
def test_a_lean_needs_the_whole_interval_on_one_side_of_zero(lo, hi, expected) -> None:
    assert charts.lean(lo, hi) == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30), st.booleans()), min_size=2, max_size=8
    )
)
def test_stance_title_counts_only_the_groups_whose_intervals_separate(rows) -> None:
    data = []
    for i, (coop, coer, with_resistance) in enumerate(rows):
        data += [(f"d{i}", "cooperation", float(coop)), (f"d{i}", "coercion", float(coer))]
        if with_resistance:
            data.append((f"d{i}", "resistance", 1.0))
    # _rates gives each rate the interval [0.8 x, 1.2 x]
    coercion = sum(coer * 0.8 > coop * 1.2 for coop, coer, _ in rows)
    cooperation = sum(coop * 0.8 > coer * 1.2 for coop, coer, _ in rows)
    unclear = len(rows) - coercion - cooperation
    title = charts.finding_stance(_rates(data), group_name="document")
    n = f"{len(rows)} documents"
    rest = f"; no clear difference in {unclear}" if unclear else ""
    if coercion == cooperation == 0:
        expected = f"No clear difference between coercion and cooperation in any of {n}"
    elif coercion and cooperation:
        expected = (
            f"Coercion outweighs cooperation in {coercion} and the reverse in {cooperation} "
            f"of {n}{rest}"
        )
    elif coercion:
        expected = f"Coercion outweighs cooperation in {coercion} of {n}{rest}"
    else:
        expected = f"Cooperation outweighs coercion in {cooperation} of {n}{rest}"
    assert title == expected
    # a title never claims more groups than the point estimates favour
    assert coercion <= sum(coer > coop for coop, coer, _ in rows)


def test_missing_stance_counts_as_zero() -> None:
    rates = _rates([("a", "coercion", 3.0), ("b", "cooperation", 1.0)])
    # a's missing cooperation and b's missing coercion count as 0 (interval [0, 0])
    assert charts.finding_stance(rates, group_name="source") == (
        "Coercion outweighs cooperation in 1 and the reverse in 1 of 2 sources"
    )


def test_balance_chart_spec_and_finding() -> None:
    bal = pl.DataFrame(
        {
            "group": ["a", "b", "c"],
            "balance": [-0.5, -0.1, 0.3],
            "balance_lo": [-0.7, -0.3, 0.1],
            "balance_hi": [-0.3, 0.1, 0.5],
        }
    )
    spec = charts.chart_balance(bal, group_name="document").to_dict()
    zero, points, rules = spec["layer"]
    assert zero["mark"]["type"] == "rule"
    assert points["mark"]["type"] == "point"
    assert points["encoding"]["x"]["field"] == "balance"
    scale = points["encoding"]["color"]["scale"]
    # a lean in its stance's colour; no clear lean grey; no value without a point
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "coercion": STANCE_COLOURS["coercion"],
        "cooperation": STANCE_COLOURS["cooperation"],
        "no clear lean": charts.UNCODED_COLOUR,
    }
    assert points["mark"]["opacity"] == 1
    one_sided = charts.chart_balance(bal.head(1)).to_dict()["layer"][1]["encoding"]["color"]
    assert one_sided["scale"]["domain"] == ["coercion"]
    assert "level" not in str(spec)
    assert (rules["encoding"]["x"]["field"], rules["encoding"]["x2"]["field"]) == (
        "balance_lo",
        "balance_hi",
    )
    # b's interval crosses 0: it leans nowhere, whatever its point estimate
    assert spec["title"]["text"] == (
        "The balance leans to coercion in 1 and to cooperation in 1 of 3 documents; "
        "no clear lean in 1"
    )
    flipped = bal.with_columns(
        balance=-pl.col("balance"),
        balance_lo=-pl.col("balance_hi"),
        balance_hi=-pl.col("balance_lo"),
    ).head(2)
    assert charts.finding_balance(flipped, group_name="document") == (
        "The balance leans to cooperation in 1 of 2 documents; no clear lean in 1"
    )
    crossing = bal.with_columns(balance_lo=pl.lit(-0.9), balance_hi=pl.lit(0.9))
    assert charts.finding_balance(crossing, group_name="document") == (
        "No clear lean in any of 3 documents"
    )
    missing = bal.with_columns(balance_lo=pl.lit(None, pl.Float64))
    assert charts.finding_balance(missing, group_name="document") == (
        "No clear lean in any of 3 documents"
    )


def test_categories_chart_names_the_most_frequent_category() -> None:
    counts = pl.DataFrame(
        {
            "stance": ["coercion", "coercion", "cooperation", "cooperation"],
            "category": ["SANCTION", "THREATEN", "AGREE", "SANCTION"],
            "n_codes": [4, 6, 3, 0],
        }
    )
    spec = charts.chart_categories(counts).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["y"]["sort"] == "-x"
    assert spec["encoding"]["x"]["aggregate"] == "sum"
    _stance_scale(spec["encoding"])
    assert spec["title"]["text"] == "THREATEN is the most frequent category (6 of 13 codes)"


def test_actor_stance_chart_names_each_actors_main_stance() -> None:
    counts = pl.DataFrame(
        {
            "actor": ["US", "US", "MX", "MX", "OTHER"],
            "stance": ["coercion", "cooperation", "resistance", "cooperation", "coercion"],
            "n_codes": [9, 3, 4, 2, 1],
        }
    )
    spec = charts.chart_actor_stance(counts).to_dict()
    rects, labels = spec["layer"]
    assert rects["mark"]["type"] == "rect"
    assert labels["mark"]["type"] == "text"
    assert labels["encoding"]["text"]["field"] == "n_codes"
    assert labels["encoding"]["color"]["condition"]["value"] == "white"  # on dark cells
    assert labels["encoding"]["color"]["condition"]["test"] == "(datum['n_codes'] > 4.5)"
    assert spec["title"]["text"] == (
        "US acts mostly through coercion (9 of 12 codes); MX through resistance (4 of 6)"
    )


def test_timeline_chart_diverges_by_score_and_keeps_scheduled_dates_on_the_axis() -> None:
    tl = pl.DataFrame(
        {
            "date": [dt.date(2025, 11, 3), dt.date(2025, 1, 20), None, dt.date(2025, 3, 1),
                     dt.date(2026, 7, 1), dt.date(2036, 7, 1)],
            "precision": ["day", "day", "month", "month", "day", "day"],
            "stance": ["coercion", None, "coercion", "cooperation", None, None],
            "category": ["THREATEN", None, "SANCTION", "JUDICIAL", None, None],
            "actor": ["US", None, "US", "MX", None, None],
            "label": ["troops", "inauguration", "tariff", "transfer", "review", "expiry"],
            "scheduled": [False, False, False, False, True, True],
            "n_sources": [2, 1, 1, 1, 2, 1],
            "sources": [["a", "b"], ["a"], ["c"], ["c"], ["a", "c"], ["c"]],
        }
    )
    spec = charts.chart_timeline(tl).to_dict()
    stems, points = spec["layer"][1], spec["layer"][2]
    assert stems["mark"]["type"] == "rule" and points["mark"]["type"] == "point"
    assert points["encoding"]["x"]["type"] == "temporal"
    assert points["encoding"]["x"]["scale"]["type"] == "utc"
    assert points["encoding"]["y"]["field"] == "score"
    assert points["encoding"]["size"]["field"] == "n_sources"
    rows = spec["datasets"][points["data"]["name"]]
    # uncoded past dates and the far-off scheduled expiry are left to the table
    assert [(r["date"], r["kind"], r["score"]) for r in rows] == [
        ("2025-03-01", "act", 9.5), ("2025-11-03", "act", -4.0), ("2026-07-01", "scheduled", 0.0)
    ]
    assert "sources" not in rows[0]
    assert spec["title"]["text"] == (
        "2 dated acts from Mar 2025 to Nov 2025: 1 coercive, 1 cooperative, 0 resistance"
    )
    assert spec["title"]["subtitle"][-1] == (
        "Triangles on the axis: scheduled dates. 1 later scheduled date in the table only."
    )
    assert charts.chart_timeline(tl.clear()).to_dict()["title"]["text"] == "No dated events"
    with pytest.raises(ValueError, match=r"horizon_months=-1 is not allowed"):
        charts.chart_timeline(tl, horizon_months=-1)


def test_corroboration_chart_counts_distinct_claims() -> None:
    cor = pl.DataFrame(
        {
            "group_id": [1, 1, 2, 3, 3, 4],
            "mark": ["corroborated", "corroborated", "single_source"]
            + ["conflicting", "conflicting", "corroborated"],
        }
    )
    spec = charts.chart_corroboration(cor).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert {r["mark"]: r["n_claims"] for r in _data(spec)} == {
        "conflicting": 1,
        "corroborated": 2,
        "single_source": 1,
    }
    assert spec["title"]["text"] == "2 of 4 claims are corroborated by a second source"


def test_confusion_chart_reports_agreement_on_coded_units_in_sample() -> None:
    conf = pl.DataFrame(
        {
            "gold_stance": ["coercion", "coercion", "none", "cooperation+coercion", None],
            "predicted_stance": ["coercion", "none", "coercion", "cooperation+coercion", None],
            "n": [6, 2, 1, 1, 40],
        }
    )
    spec = charts.chart_confusion(conf).to_dict()
    rects, labels = spec["layer"]
    assert rects["mark"]["type"] == "rect"
    assert rects["encoding"]["x"]["sort"][-1] == "none"
    assert spec["title"]["text"] == (
        "Codebook and gold agree on the stances of 7 of 10 coded units (70%, in-sample)"
    )


def test_sensitivity_chart_says_whether_the_sign_survives() -> None:
    sens = pl.DataFrame(
        {
            "left_out": ["(none)", "SANCTION", "THREATEN"],
            "balance": [-0.4, -0.2, 0.1],
            "balance_lo": [-0.6, -0.4, -0.1],
            "balance_hi": [-0.2, 0.0, 0.3],
            "sign_changed": [False, False, True],
        }
    )
    spec = charts.chart_sensitivity(sens).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["rule", "rule", "point"]
    assert spec["title"]["text"] == "Leaving out THREATEN changes the sign of the balance"
    held = sens.with_columns(pl.lit(False).alias("sign_changed"))
    assert charts.chart_sensitivity(held).to_dict()["title"]["text"] == (
        "The balance keeps its sign whichever category is left out"
    )


@pytest.mark.parametrize(
    ("function", "columns", "missing"),
    [
        (charts.chart_stance_by_group, ["group", "stance", "per_1000_words", "lo"], "hi"),
        (charts.chart_balance, ["group", "balance", "balance_lo"], "balance_hi"),
        (charts.chart_categories, ["stance", "category"], "n_codes"),
        (charts.chart_actor_stance, ["actor", "n_codes"], "stance"),
        (charts.chart_corroboration, ["group_id"], "mark"),
        (charts.chart_confusion, ["gold_stance", "predicted_stance"], "n"),
    ],
)
def test_missing_columns_are_named(function, columns, missing) -> None:
    df = pl.DataFrame({c: ["x"] for c in columns})
    with pytest.raises(ValueError, match=rf"{function.__name__}: the table lacks column\(s\) "):
        function(df)
    with pytest.raises(ValueError, match=rf"\['{missing}'\]"):
        function(df)


def test_inputs_are_not_modified() -> None:
    rates = _rates([("a", "cooperation", 2.0), ("a", "coercion", 5.0)])
    before = rates.clone()
    charts.chart_stance_by_group(rates)
    assert rates.equals(before)


def test_svg_is_static_and_deterministic() -> None:
    chart = charts.chart_stance_by_group(_rates([("all", "coercion", 3.0)]))
    first, second = charts.to_svg(chart), charts.to_svg(chart)
    assert first == second
    assert first.startswith("<svg")
    assert "Coercion outweighs cooperation" in first
    assert "<script" not in first
    assert type(charts.show(chart)).__name__ == "SVG"


def test_html_table_escapes_every_cell_and_header() -> None:
    df = pl.DataFrame(
        {
            "<th>": ["<script>alert(1)</script>", None],
            "n": [1.23456, None],
            "sources": [["a&b", "<c>"], []],
        }
    )
    out = charts.html_table(df, caption="<cap>")
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "<th>&lt;th&gt;</th>" in out
    assert "<caption>&lt;cap&gt;</caption>" in out
    assert '<td class="num">1.23</td>' in out
    assert "<td>a&amp;b; &lt;c&gt;</td>" in out
    assert "<td></td>" in out
    assert charts.show_table(df).data == charts.html_table(df)


def test_html_table_max_rows() -> None:
    df = pl.DataFrame({"a": [1, 2, 3]})
    out = charts.html_table(df, max_rows=2)
    assert out.count("<tr>") == 3  # header and two rows
    assert "1 more rows not shown" in out
    with pytest.raises(ValueError, match=r"html_table: max_rows must be None or >= 0, got -1"):
        charts.html_table(df, max_rows=-1)


def _status_balance(all_, actual, non_actual) -> pl.DataFrame:
    rows = [("all", *all_), ("actual", *actual), ("non_actual", *non_actual)]
    names = ["codes", "cooperation", "coercion", "balance", "balance_lo", "balance_hi"]
    return pl.DataFrame(rows, schema=names, orient="row")


def test_headline_sets_acts_that_happened_beside_all_codes() -> None:
    # the corpus: coercion ahead over all codes, level for acts that happened
    status = _status_balance(
        (35, 67, -0.31, -0.5, -0.1), (32, 32, 0.01, -0.2, 0.2), (3, 32, -0.83, -1.0, -0.6)
    )
    docs = pl.DataFrame({"doc_id": list("abcde"), "n_words": [649, 561, 374, 1362, 531]})
    text = charts.finding_headline(status, docs)
    assert text.startswith(
        "**Over all codes the balance leans to coercion; "
        "for acts that happened it shows no clear lean. "
        "Over threatened or hypothetical acts alone it leans to coercion.**"
    )
    assert "Threatened and hypothetical acts make 32 of the 67 coercive codes" in text
    assert "- Acts that happened: 32 coercive, 32 cooperative; balance +0.01 [−0.20, +0.20]." in (
        text
    )
    assert "Sample: 5 articles, 3,477 words." in text
    assert "parameter" not in text.lower()
    agree = _status_balance(
        (35, 67, -0.31, -0.5, -0.1), (20, 50, -0.4, -0.6, -0.2), (15, 17, -0.1, -0.4, 0.3)
    )
    assert charts.finding_headline(agree, docs).startswith(
        "**The balance leans to coercion, over all codes and over acts that happened alike. "
        "Over threatened or hypothetical acts alone it shows no clear lean.**"
    )
    with pytest.raises(ValueError, match=r"lacks the row\(s\) \['non_actual'\] in column 'codes'"):
        charts.finding_headline(status.head(2), docs)


def test_articles_are_named_by_outlet_and_short_title_not_hash() -> None:
    docs = pl.DataFrame(
        {
            "doc_id": ["000_1ff6f1d578f5dc2b", "001_fee2", "002_6de2", "003_4bef", "004_4cff"],
            "source": ["PISM (Polish Institute of International Affairs)", "El Economista",
                       "El Economista", None, "El Economista"],
            "title": ["Mexico responds to the Trump administration's policy on cartels",
                      "Aranceles", "Aranceles", "Untitled wire", None],
        }
    )
    labels = charts.document_labels(docs)["label"].to_list()
    assert labels == [
        "PISM: Mexico responds to the Trump administration's policy…",
        "El Economista: Aranceles",
        "El Economista: Aranceles (2)",
        "Untitled wire",
        "El Economista",
    ]
    assert all(len(label) <= 60 for label in labels)
    assert len(set(labels)) == len(labels)
    rates = pl.DataFrame({"group": ["001_fee2", "all"], "n": [1, 2]})
    assert charts.label_documents(rates, docs, column="group")["group"].to_list() == [
        "El Economista: Aranceles", "all"
    ]
    with pytest.raises(ValueError, match=r"max_chars must be an integer >= 20, got 5"):
        charts.document_labels(docs, max_chars=5)


def _all_charts() -> dict[str, alt.TopLevelMixin]:
    rates = _rates([("a", "cooperation", 2.0), ("a", "coercion", 5.0), ("b", "resistance", 1.0)])
    bal = pl.DataFrame({"group": ["a", "b"], "balance": [-0.5, 0.1],
                        "balance_lo": [-0.7, -0.2], "balance_hi": [-0.3, 0.4]})
    tl = pl.DataFrame({
        "date": [dt.date(2025, 1, 20), dt.date(2025, 3, 1), dt.date(2025, 6, 1)],
        "precision": ["day"] * 3, "stance": ["coercion", "cooperation", None],
        "category": ["SANCTION", "AGREE", None], "actor": ["US", "MX", None],
        "label": ["tariff", "accord", "review"], "scheduled": [False, False, True],
        "n_sources": [1, 3, 1],
    })
    return {
        "stance": charts.chart_stance_by_group(rates, group_name="document"),
        "balance": charts.chart_balance(bal, group_name="document"),
        "categories": charts.chart_categories(pl.DataFrame(
            {"stance": ["coercion"], "category": ["SANCTION"], "n_codes": [3]})),
        "actors": charts.chart_actor_stance(pl.DataFrame(
            {"actor": ["US"], "stance": ["coercion"], "n_codes": [3]})),
        "timeline": charts.chart_timeline(tl),
        "corroboration": charts.chart_corroboration(pl.DataFrame(
            {"group_id": [1], "mark": ["corroborated"]})),
        "confusion": charts.chart_confusion(pl.DataFrame(
            {"gold_stance": ["coercion"], "predicted_stance": ["coercion"], "n": [2]})),
        "sensitivity": charts.chart_sensitivity(pl.DataFrame(
            {"left_out": ["(none)"], "balance": [-0.4], "balance_lo": [-0.6],
             "balance_hi": [-0.2], "sign_changed": [False]})),
    }


def _encodings(spec: dict) -> list[tuple[dict, dict]]:
    layers = spec.get("layer", [spec])
    return [(layer.get("mark", {}), layer.get("encoding", {})) for layer in layers]


@pytest.mark.parametrize("name", list(_all_charts()))
def test_every_chart_has_a_description_that_states_its_finding(name) -> None:
    spec = _all_charts()[name].to_dict()
    description = spec.get("description", "")
    assert spec["title"]["text"] in description
    assert "Values: " in description and len(description) > len(spec["title"]["text"]) + 40


@pytest.mark.parametrize("name", list(_all_charts()))
def test_stance_colours_are_one_scheme_drawn_opaque(name) -> None:
    spec = _all_charts()[name].to_dict()
    for mark, encoding in _encodings(spec):
        colour = encoding.get("color", {})
        domain = colour.get("scale", {}).get("domain", [])
        for value, hex_ in zip(domain, colour.get("scale", {}).get("range", []), strict=False):
            if value in STANCE_COLOURS:
                assert hex_ == STANCE_COLOURS[value], (name, value)
        if set(domain) & set(STANCES):
            assert mark.get("opacity", 1) == 1, name  # a faded mark is another colour
        # outside stance charts, the stance colours do not stand for something else
        if domain and not set(domain) & set(STANCES):
            assert not set(colour["scale"].get("range", [])) & set(STANCE_COLOURS.values())


def test_timeline_size_key_lists_whole_source_counts_and_points_stay_inside() -> None:
    spec = _all_charts()["timeline"].to_dict()
    points = spec["layer"][2]
    assert points["encoding"]["size"]["legend"]["values"] == [1, 3]
    assert points["encoding"]["x"]["scale"]["padding"] > 0
    assert "uncoded" not in str(spec) and "shape" not in points["encoding"]
    single = charts.chart_timeline(pl.DataFrame({
        "date": [dt.date(2025, 1, 20)], "precision": ["day"], "stance": ["coercion"],
        "category": ["SANCTION"], "actor": ["US"], "label": ["tariff"], "n_sources": [2]}))
    assert single.to_dict()["layer"][2]["encoding"]["size"] == {"value": 90}


@pytest.mark.parametrize("name", ["stance", "balance"])
def test_group_axis_title_sits_above_the_labels(name) -> None:
    spec = _all_charts()[name].to_dict()
    axis = spec["layer"][-1]["encoding"]["y"]["axis"]
    assert axis["titleAngle"] == 0 and axis["titleY"] < 0


def test_the_shown_chart_carries_its_description_as_alt_text() -> None:
    chart = _all_charts()["balance"]
    description = chart.to_dict()["description"]
    shown = charts.show(chart)
    assert shown.metadata == {"alt": description}
    svg = shown.data
    assert 'role="img"' in svg and "<title>" in svg
    assert charts.describe(chart) == description


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (552_000_000_000.0, "USD", "$552 billion"),
        (3_600_000_000.0, "USD", "$3.6 billion"),
        (1_250_000.0, "people", "1.25 million people"),
        (70.0, "percent", "70%"),
        (1000.0, "count", "1,000"),
        (2.0, "agents", "2 agents"),
        (2.5, "years", "2.5 years"),
        (None, "USD", ""),
    ],
)
def test_quantities_are_written_for_people(value, unit, expected) -> None:
    assert charts.format_quantity(value, unit) == expected


def test_tables_show_counts_as_integers_and_explain_their_columns() -> None:
    table = pl.DataFrame({"agents": [2.0, 3.0], "lo": [0.25, 1.0], "sha256": ["a" * 64, "b"]})
    out = charts.html_table(table)
    assert '<td class="num">2</td>' in out and "2.00" not in out
    assert '<td class="num">0.25</td>' in out and '<td class="num">1.00</td>' in out
    assert "<code>lo</code>: lower bound of the 95% bootstrap interval" in out
    assert "<code>agents</code>" not in out  # only columns with a note are explained
    assert f'<td style="overflow-wrap: anywhere">{"a" * 64}</td>' in out
    assert "coco-notes" not in charts.html_table(table, notes=False)
    claims = charts.format_quantities(pl.DataFrame({"value": [552e9], "unit": ["USD"]}))
    assert "<td>$552 billion</td>" in charts.html_table(claims)


def test_appendix_is_one_line_per_code_in_collapsible_sections_with_a_filter() -> None:
    kw = pl.DataFrame({
        "doc_id": ["d2", "d1", "d1"], "sent_id": [1, 4, 2],
        "stance": ["coercion", "cooperation", "coercion"],
        "category": ["THREATEN", "AGREE", "SANCTION"], "actor": ["US", "MX", "US"],
        "status": ["threatened", "actual", "actual"],
        "indicator": ["threaten_force", "sign_accord", "impose_tariff"],
        "status_rule": ["threat_cue", "default", "default"],
        "actor_rule": ["subject", "speaker", "subject"],
        "left": ["They", "Both", "<script>alert(1)</script>"],
        "keyword": ["threatened", "signed", "imposed"], "right": ["force.", "a pact.", "duties"],
    })
    docs = pl.DataFrame({"doc_id": ["d1", "d2"], "source": ["El Economista", "PISM (Polish)"],
                         "title": ["Aranceles", "Mexico responds"]})
    out = charts.html_kwic(kw, docs)
    assert out.count("<details>") == 2 and out.count('<tr class="coco-code"') == 3
    assert out.index("El Economista: Aranceles (2 codes)") < out.index("PISM: Mexico responds")
    # within an article, codes in sentence order, with indicator and both rules
    assert out.index("impose_tariff") < out.index("sign_accord")
    assert "threat_cue" in out and "speaker" in out
    assert "<script>" not in out and "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert 'type="search"' in out and "http" not in out
    assert "white-space: nowrap" in out
    with pytest.raises(ValueError, match=r"html_kwic: the table lacks column\(s\) \['right'\]"):
        charts.html_kwic(kw.drop("right"), docs)
