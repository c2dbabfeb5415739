"""Tests for analysis.validation: gold loading and its errors, kappa, alignment, P/R/F1."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.config import PROJ_ROOT
from analysis.scheme import STANCES
from analysis.validation import (
    GOLD_COLUMNS,
    OOS_CSV_COLUMNS,
    align,
    cohen_kappa,
    describe_sets,
    document_agreement,
    evaluate,
    evaluate_by_language,
    evaluate_sets,
    evaluate_units,
    format_codes,
    load_gold,
    load_out_of_sample,
    load_sets,
    match_units,
    normalize_text,
    out_of_sample_sentences,
    set_document_agreement,
)

HEADER = [
    "doc",
    "unit",
    "start",
    "end",
    "sentence",
    "stance",
    "category",
    "actor",
    "mode",
    "status",
    "note",
]
GOOD = [
    "000_a.txt",
    "1",
    "0",
    "24",
    "Trump threatened tariffs.",
    "coercion",
    "THREATEN",
    "US",
    "verbal",
    "threatened",
    "",
]
UNCODED = ["000_a.txt", "2", "25", "35", "It rained.", "", "", "", "", "", "background"]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _with(row: list[str], **changes: str) -> list[str]:
    out = list(row)
    for column, value in changes.items():
        out[HEADER.index(column)] = value
    return out


# ---------------------------------------------------------------------- load_gold


def test_load_gold_reads_the_seed_file():
    gold = load_gold()
    assert tuple(gold.columns) == GOLD_COLUMNS
    # figures from seeds/gold/README.md: 218 rows, 169 units, 149 codes
    assert gold.height == 218
    assert gold.select("doc_id", "unit").unique().height == 169
    assert gold["stance"].drop_nulls().len() == 149
    assert gold["doc_id"].unique().sort().to_list()[0] == "000_1ff6f1d578f5dc2b"
    assert gold.schema["unit"] == pl.Int64 and gold.schema["start"] == pl.Int64
    assert "" not in gold["note"].to_list()  # empty strings became null
    assert gold["note"].null_count() > 0


def test_load_gold_small_file(tmp_path):
    gold = load_gold(_write(tmp_path / "g.csv", [UNCODED, GOOD]))
    assert gold["unit"].to_list() == [1, 2]  # sorted by unit
    assert gold.row(1, named=True) == {
        "doc_id": "000_a",
        "unit": 2,
        "start": 25,
        "end": 35,
        "sentence": "It rained.",
        "stance": None,
        "category": None,
        "actor": None,
        "mode": None,
        "status": None,
        "note": "background",
    }


def test_load_gold_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"gold file .*nowhere.csv not found"):
        load_gold(tmp_path / "nowhere.csv")


def test_load_gold_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"empty.csv: the file is empty; expected a header"):
        load_gold(path)


def test_load_gold_missing_columns(tmp_path):
    path = _write(tmp_path / "g.csv", [GOOD[:-1]], header=HEADER[:-1])
    with pytest.raises(ValueError, match=r"g.csv, line 1: missing column\(s\) note; expected"):
        load_gold(path)


def test_load_gold_line_numbers_count_multiline_fields(tmp_path):
    # The first record spans lines 2-3; the bad record starts on line 4.
    first = _with(UNCODED, sentence="It rained\nall day.")
    path = _write(tmp_path / "g.csv", [first, _with(GOOD, actor="NATO")])
    with pytest.raises(ValueError, match=r"g.csv, line 4, column 'actor'"):
        load_gold(path)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (GOOD[:-1], r"line 2: 10 fields, expected 11"),
        (_with(GOOD, doc=""), r"line 2, column 'doc': empty"),
        (_with(GOOD, unit="x"), r"line 2, column 'unit': 'x' is not a whole number"),
        (_with(GOOD, start="-3"), r"line 2, column 'start': '-3' is not a whole number"),
        (_with(GOOD, unit="0"), r"line 2, column 'unit': units are numbered from 1"),
        (_with(GOOD, start="30"), r"line 2, column 'end': end 24 is before start 30"),
        (
            _with(UNCODED, category="AGREE"),
            r"line 2, column 'category': 'AGREE' given but stance is empty",
        ),
        (_with(GOOD, actor=""), r"line 2, column 'actor': empty, but the row has a stance"),
        (
            _with(GOOD, stance="peace"),
            r"line 2, column 'stance': unknown value 'peace'; allowed: cooperation, coercion",
        ),
        (_with(GOOD, category="BOMB"), r"line 2, column 'category': unknown value 'BOMB'"),
        (
            _with(GOOD, actor="NATO"),
            r"line 2, column 'actor': unknown value 'NATO'; allowed: US, MX, OTHER, UNSPECIFIED",
        ),
        (_with(GOOD, mode="oral"), r"line 2, column 'mode': unknown value 'oral'"),
        (_with(GOOD, status="maybe"), r"line 2, column 'status': unknown value 'maybe'"),
        (
            _with(GOOD, category="AGREE"),
            r"line 2, column 'category': AGREE belongs to stance 'cooperation', not 'coercion'",
        ),
        (
            _with(GOOD, mode="material"),
            r"line 2, column 'mode': THREATEN is 'verbal' in the coding manual, not 'material'",
        ),
    ],
)
def test_load_gold_row_errors(tmp_path, row, message):
    path = _write(tmp_path / "g.csv", [row])
    with pytest.raises(ValueError, match=r"g.csv, " + message):
        load_gold(path)


def test_load_gold_duplicate_code(tmp_path):
    path = _write(tmp_path / "g.csv", [GOOD, _with(GOOD, note="again")])
    with pytest.raises(
        ValueError,
        match=r"line 3: duplicate code coercion/THREATEN/US/threatened in unit 1 of 000_a.txt",
    ):
        load_gold(path)


def test_load_gold_inconsistent_unit(tmp_path):
    other = _with(GOOD, category="DEMAND", status="actual", sentence="Trump urged.")
    path = _write(tmp_path / "g.csv", [GOOD, other])
    with pytest.raises(ValueError, match=r"line 3: start, end or sentence differs"):
        load_gold(path)


# -------------------------------------------------------------------- cohen_kappa


def test_cohen_kappa_hand_computed():
    # n = 50; p_o = (20 + 15) / 50 = 0.7; gold yes 30, predicted yes 25:
    # p_e = (25 * 30 + 25 * 20) / 2500 = 0.5; kappa = (0.7 - 0.5) / 0.5 = 0.4
    assert cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)
    # n = 100; p_o = 0.85; yes margins 50 / 40: p_e = (50*40 + 50*60) / 10000 = 0.5 -> 0.7
    assert cohen_kappa(40, 10, 5, 45) == pytest.approx(0.7)
    assert cohen_kappa(10, 0, 0, 5) == pytest.approx(1.0)  # perfect agreement
    assert cohen_kappa(5, 5, 5, 5) == pytest.approx(0.0)  # chance level
    assert cohen_kappa(0, 5, 5, 0) == pytest.approx(-1.0)  # perfect disagreement


def test_cohen_kappa_undefined_is_none():
    assert cohen_kappa(0, 0, 0, 0) is None
    assert cohen_kappa(0, 0, 0, 10) is None  # p_e = 1


# ---------------------------------------------------------------------- alignment


def test_normalize_text_strips_markdown_and_escapes():
    raw = "In 2025 the **US** took 83% (\\$552 billion) via the [USMCA  treaty](#)."
    assert normalize_text(raw) == "in 2025 the us took 83% ($552 billion) via the usmca treaty."
    assert normalize_text("## Ｈeading\u00a0 # two") == "heading two"


def _gold(units: list[tuple[str, int, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        units,
        schema={"doc_id": pl.String, "unit": pl.Int64, "sentence": pl.String},
        orient="row",
    )


def _sentences(rows: list[tuple[str, int, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"doc_id": pl.String, "sent_id": pl.Int64, "text": pl.String},
        orient="row",
    )


RAW_UNITS = [
    ("d", 1, "# PISM BULLETIN"),
    (
        "d",
        2,
        "According to the Bank of Mexico, the US accounted for over 83% "
        "(\\$552 billion) of Mexico's exports.",
    ),
    (
        "d",
        3,
        "This volume results from the [USMCA free trade agreement](#), which took effect in 2020.",
    ),
    (
        "d",
        4,
        "Earlier, he designated certain cartels as terrorist organisations, and "
        "President Trump has also",
    ),
    ("d", 5, "repeatedly threatened to send US troops into Mexico to combat these groups."),
    ("d", 6, "Talks resumed in May. Both sides signed a framework."),
]
CLEAN_SENTENCES = [
    (
        "d",
        1,
        "According to the Bank of Mexico, the US accounted for over 83% "
        "($552 billion) of Mexico's exports.",
    ),
    ("d", 2, "This volume results from the USMCA free trade agreement, which took effect in 2020."),
    (
        "d",
        3,
        "Earlier, he designated certain cartels as terrorist organisations, and "
        "President Trump has also repeatedly threatened to send US troops into "
        "Mexico to combat these groups.",
    ),
    ("d", 4, "Talks resumed in May."),
    ("d", 5, "Both sides signed a framework."),
]


def test_align_raw_gold_units_to_cleaned_sentences():
    table = align(_gold(RAW_UNITS), _sentences(CLEAN_SENTENCES))
    got = {row["unit"]: row for row in table.iter_rows(named=True)}
    assert got[1]["kind"] == "unmapped" and got[1]["sent_ids"] == []
    # "\$552 billion" and "[...](#)" align to the cleaned text, one to one, fully
    assert got[2]["sent_ids"] == [1] and got[2]["kind"] == "one_to_one"
    assert got[3]["sent_ids"] == [2] and got[3]["kind"] == "one_to_one"
    assert got[2]["coverage"] == 1.0 and got[3]["coverage"] == 1.0
    # the two fragments of a page-broken sentence share our joined sentence
    assert got[4]["sent_ids"] == got[5]["sent_ids"] == [3]
    assert got[4]["kind"] == got[5]["kind"] == "many_to_one"
    assert got[6]["sent_ids"] == [4, 5] and got[6]["kind"] == "one_to_many"


def test_align_ignores_short_coincidental_overlap():
    gold = _gold([("d", 1, "The United States and Mexico held talks on security.")])
    ours = _sentences(
        [
            ("d", 1, "Elsewhere, the United States imposed tariffs on steel from many countries."),
            ("d", 2, "Mexico held talks on security."),
        ]
    )
    assert align(gold, ours)["sent_ids"].to_list() == [[2]]


def test_align_document_without_sentences_is_unmapped():
    table = align(_gold([("x", 1, "Talks resumed.")]), _sentences(CLEAN_SENTENCES))
    assert table["kind"].to_list() == ["unmapped"]


# ----------------------------------------------------------------------- evaluate

_CODE_SCHEMA = {"stance": pl.String, "category": pl.String, "actor": pl.String, "status": pl.String}


def _gold_codes(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"doc_id": pl.String, "unit": pl.Int64, "sentence": pl.String, **_CODE_SCHEMA},
        orient="row",
    )


def _codes(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"doc_id": pl.String, "sent_id": pl.Int64, **_CODE_SCHEMA}, orient="row"
    )


# Four units; predicted codes differ as noted.
TEXTS = {
    1: "Trump threatened tariffs on Mexico.",
    2: "Mexico agreed to act after U.S. demands.",
    3: "Homicides fell last year.",
    4: "Sheinbaum rejected intervention and did not meet Trump.",
}
GOLD = _gold_codes(
    [
        ("d", 1, TEXTS[1], "coercion", "THREATEN", "US", "threatened"),
        ("d", 2, TEXTS[2], "cooperation", "AGREE", "MX", "actual"),
        ("d", 2, TEXTS[2], "coercion", "DEMAND", "US", "actual"),
        ("d", 3, TEXTS[3], None, None, None, None),
        ("d", 4, TEXTS[4], "resistance", "REJECT", "MX", "actual"),
        ("d", 4, TEXTS[4], "cooperation", "CONSULT", "MX", "negated"),
    ]
)
PREDICTED = _codes(
    [
        ("d", 1, "coercion", "THREATEN", "UNSPECIFIED", "threatened"),  # actor differs
        ("d", 2, "cooperation", "AGREE", "MX", "hypothetical"),  # status differs; DEMAND missed
        ("d", 3, "coercion", "ACCUSE", "US", "actual"),  # false positive
        ("d", 4, "resistance", "REJECT", "MX", "actual"),
        ("d", 4, "cooperation", "CONSULT", "MX", "actual"),  # gold has it negated
    ]
)
SENTENCES = _sentences([("d", i, text) for i, text in TEXTS.items()])


def test_evaluate_by_stance_hand_computed():
    result = evaluate(PREDICTED, GOLD, SENTENCES)
    rows = {r["stance"]: r for r in result.by_stance.iter_rows(named=True)}
    assert result.by_stance["stance"].to_list() == ["cooperation", "coercion", "resistance"]
    # cooperation: gold {2} (unit 4's CONSULT is negated), predicted {2, 4}
    coop = rows["cooperation"]
    assert (coop["tp"], coop["fp"], coop["fn"], coop["support"]) == (1, 1, 0, 1)
    assert coop["precision"] == pytest.approx(0.5)
    assert coop["recall"] == pytest.approx(1.0)
    assert coop["f1"] == pytest.approx(2 / 3)
    # p_o = 3/4; margins gold 1/4, predicted 2/4: p_e = (2*1 + 2*3) / 16 = 1/2 -> 1/2
    assert coop["kappa"] == pytest.approx(0.5)
    # coercion: gold {1, 2}, predicted {1, 3}
    coer = rows["coercion"]
    assert (coer["tp"], coer["fp"], coer["fn"]) == (1, 1, 1)
    assert coer["f1"] == pytest.approx(0.5)
    assert coer["kappa"] == pytest.approx(0.0)  # p_o = 1/2 = p_e
    res = rows["resistance"]
    assert (res["precision"], res["recall"], res["f1"], res["kappa"]) == (1.0, 1.0, 1.0, 1.0)


def test_evaluate_by_category_hand_computed():
    result = evaluate(PREDICTED, GOLD, SENTENCES)
    table = result.by_category
    assert table.height == 13
    rows = {r["category"]: r for r in table.iter_rows(named=True)}
    assert (rows["THREATEN"]["tp"], rows["THREATEN"]["f1"]) == (1, 1.0)
    assert (rows["DEMAND"]["fn"], rows["DEMAND"]["recall"], rows["DEMAND"]["f1"]) == (1, 0.0, 0.0)
    assert rows["DEMAND"]["precision"] is None  # 0 / 0
    assert (rows["ACCUSE"]["fp"], rows["ACCUSE"]["support"]) == (1, 0)
    assert rows["CONSULT"]["fp"] == 1  # predicted actual, gold negated
    assert rows["AID"]["kappa"] is None and rows["AID"]["f1"] is None  # absent everywhere
    assert rows["REJECT"]["stance"] == "resistance"


def test_evaluate_actor_and_status_agreement():
    result = evaluate(PREDICTED, GOLD, SENTENCES)
    # matched on unit + stance + category: THREATEN(1), AGREE(2), REJECT(4), CONSULT(4)
    assert result.n_matched == 4
    assert result.actor_accuracy == pytest.approx(3 / 4)  # THREATEN actor differs
    assert result.status_accuracy == pytest.approx(2 / 4)  # AGREE and CONSULT differ


def test_evaluate_confusion_and_disagreements():
    result = evaluate(PREDICTED, GOLD, SENTENCES)
    assert result.confusion.rows() == [
        ("none", "coercion", 1),
        ("coercion", "coercion", 1),
        ("resistance", "cooperation+resistance", 1),
        ("cooperation+coercion", "cooperation", 1),
    ]
    rows = {r["unit"]: r for r in result.disagreements.iter_rows(named=True)}
    assert set(rows) == {1, 2, 3, 4}
    assert rows[1]["differs_in"] == "actor_or_status"
    assert rows[1]["gold_codes"] == "coercion/THREATEN/US/threatened"
    assert rows[1]["predicted_codes"] == "coercion/THREATEN/UNSPECIFIED/threatened"
    assert rows[2]["gold_codes"] == "cooperation/AGREE/MX/actual; coercion/DEMAND/US/actual"
    assert rows[3]["gold_codes"] == "(none)"
    assert rows[4]["gold_codes"] == "cooperation/CONSULT/MX/negated; resistance/REJECT/MX/actual"
    assert rows[4]["differs_in"] == "category"
    assert rows[4]["sentence"] == TEXTS[4]


def test_evaluate_unions_codes_of_mapped_sentences_and_counts_unmapped():
    # Unit 1 was split in two sentences by our splitter; unit 2 has no sentence of ours.
    gold = _gold_codes(
        [
            (
                "d",
                1,
                "Trump threatened tariffs. Mexico rejected them.",
                "coercion",
                "THREATEN",
                "US",
                "threatened",
            ),
            (
                "d",
                1,
                "Trump threatened tariffs. Mexico rejected them.",
                "resistance",
                "REJECT",
                "MX",
                "actual",
            ),
            (
                "d",
                2,
                "Both sides met in Washington.",
                "cooperation",
                "CONSULT",
                "UNSPECIFIED",
                "actual",
            ),
        ]
    )
    sentences = _sentences(
        [("d", 1, "Trump threatened tariffs."), ("d", 2, "Mexico rejected them.")]
    )
    codes = _codes(
        [
            ("d", 1, "coercion", "THREATEN", "US", "threatened"),
            ("d", 2, "resistance", "REJECT", "MX", "actual"),
        ]
    )
    result = evaluate(codes, gold, sentences)
    f1 = dict(result.by_stance.select("stance", "f1").iter_rows())
    assert f1["coercion"] == 1.0 and f1["resistance"] == 1.0
    assert f1["cooperation"] == 0.0  # the unmapped unit is a false negative
    summary = dict(result.alignment_summary.iter_rows())
    assert summary == {"one_to_one": 0, "one_to_many": 1, "many_to_one": 0, "unmapped": 1}


def test_evaluate_missing_columns():
    with pytest.raises(ValueError, match=r"codes is missing column\(s\) actor"):
        evaluate(PREDICTED.drop("actor"), GOLD, SENTENCES)
    with pytest.raises(ValueError, match=r"gold is missing column\(s\) sentence"):
        evaluate(PREDICTED, GOLD.drop("sentence"), SENTENCES)
    with pytest.raises(ValueError, match=r"sentences is missing column\(s\) text"):
        evaluate(PREDICTED, GOLD, SENTENCES.drop("text"))


def test_format_codes_orders_and_deduplicates():
    codes = _codes(
        [
            ("d", 1, "resistance", "REJECT", "MX", "actual"),
            ("d", 1, "coercion", "DEMAND", "US", "actual"),
            ("d", 2, "coercion", "DEMAND", "US", "actual"),
        ]
    )
    assert format_codes(codes) == "coercion/DEMAND/US/actual; resistance/REJECT/MX/actual"
    assert format_codes(codes.clear()) == "(none)"


def test_gold_against_itself_is_perfect():
    """Smoke check on the real gold file: the gold coded as its own prediction."""
    gold = load_gold()
    sentences = out_of_sample_sentences(gold)
    codes = gold.drop_nulls("stance").select(
        "doc_id",
        pl.col("unit").alias("sent_id"),
        "stance",
        "category",
        "actor",
        "mode",
        "status",
    )
    result = evaluate(codes, gold, sentences)
    assert result.by_stance["f1"].to_list() == [1.0, 1.0, 1.0]
    assert result.by_stance["kappa"].to_list() == [1.0, 1.0, 1.0]
    # units positive per stance, from seeds/gold/README.md
    assert result.by_stance["support"].to_list() == [39, 68, 19]
    supported = result.by_category.filter(pl.col("support") > 0)
    assert supported.height == 13
    assert supported["f1"].to_list() == [1.0] * 13
    assert supported["kappa"].to_list() == [1.0] * 13
    assert result.actor_accuracy == 1.0 and result.status_accuracy == 1.0
    assert result.disagreements.height == 0
    assert dict(result.alignment_summary.iter_rows())["one_to_one"] == 169
    assert result.confusion.filter(pl.col("gold_stance") != pl.col("predicted_stance")).is_empty()


def test_evaluate_without_predictions():
    result = evaluate(PREDICTED.clear(), GOLD, SENTENCES)
    coer = result.by_stance.filter(pl.col("stance") == "coercion").row(0, named=True)
    # gold positive {1, 2}; nothing predicted: recall 0, precision undefined, kappa 0
    assert (coer["tp"], coer["fp"], coer["fn"]) == (0, 0, 2)
    assert coer["precision"] is None
    assert coer["recall"] == 0.0 and coer["f1"] == 0.0
    assert coer["kappa"] == pytest.approx(0.0)
    assert result.actor_accuracy is None and result.n_matched == 0


_words = st.lists(
    st.sampled_from(["mexico", "us", "talks", "tariffs", "cartel", "the", "52"]),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_words, min_size=1, max_size=6))
def test_align_identical_texts_is_one_to_one(units):
    texts = [" ".join(words).capitalize() + "." for words in units]
    gold = _gold([("d", i, t) for i, t in enumerate(texts, start=1)])
    ours = _sentences([("d", i, f"**{t}**") for i, t in enumerate(texts, start=1)])
    table = align(gold, ours)
    assert table["sent_ids"].to_list() == [[i] for i in range(1, len(texts) + 1)]
    assert set(table["kind"]) == {"one_to_one"}


# ------------------------------------------------------------------ out-of-sample set

OOS_CODED = ["1", "en", "Trump threatened tariffs.", "coercion", "THREATEN", "US", "verbal",
             "threatened", ""]
OOS_SECOND = ["1", "en", "Trump threatened tariffs.", "resistance", "REJECT", "MX", "verbal",
              "actual", ""]
OOS_UNCODED = ["2", "es", "Llovió en Monterrey.", "", "", "", "", "", "background"]


def _oos_with(row: list[str], **changes: str) -> list[str]:
    out = list(row)
    for column, value in changes.items():
        out[OOS_CSV_COLUMNS.index(column)] = value
    return out


def _write_oos(path: Path, rows: list[list[str]]) -> Path:
    return _write(path, rows, header=list(OOS_CSV_COLUMNS))


def test_load_out_of_sample_reads_the_project_file():
    gold = load_out_of_sample()
    assert tuple(gold.columns) == (*GOLD_COLUMNS, "language")
    assert set(gold["doc_id"]) == {"oos"}
    assert set(gold["language"]) == {"en", "es"}
    units = gold.unique("unit", keep="first").sort("unit")
    # offsets are those of the sentences joined by "\n"
    text = "\n".join(units["sentence"])
    assert all(text[a:b] == t for a, b, t in units.select("start", "end", "sentence").rows())


def test_load_out_of_sample_small_file(tmp_path):
    gold = load_out_of_sample(
        _write_oos(tmp_path / "o.csv", [OOS_UNCODED, OOS_CODED, OOS_SECOND])
    )
    assert gold["unit"].to_list() == [1, 1, 2]  # sorted by unit, file order within
    assert gold["category"].to_list() == ["THREATEN", "REJECT", None]
    first, last = gold.row(0, named=True), gold.row(2, named=True)
    assert (first["start"], first["end"]) == (0, len("Trump threatened tariffs."))
    assert last["start"] == first["end"] + 1  # one "\n" between sentences
    assert last["language"] == "es" and last["note"] == "background"
    assert first["note"] is None


def test_load_out_of_sample_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"out-of-sample file .*nowhere.csv not found"):
        load_out_of_sample(tmp_path / "nowhere.csv")


def test_load_out_of_sample_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=r"empty.csv: the file is empty; expected a header"):
        load_out_of_sample(path)


def test_load_out_of_sample_missing_columns(tmp_path):
    path = _write(tmp_path / "o.csv", [OOS_CODED[1:]], header=list(OOS_CSV_COLUMNS[1:]))
    with pytest.raises(ValueError, match=r"line 1: missing column\(s\) sentence_id; expected"):
        load_out_of_sample(path)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (OOS_CODED[:-1], r"line 2: 8 fields, expected 9"),
        (_oos_with(OOS_CODED, sentence_id="0"), r"column 'sentence_id': '0' is not a whole"),
        (_oos_with(OOS_CODED, sentence_id="x"), r"column 'sentence_id': 'x' is not a whole"),
        (_oos_with(OOS_CODED, language="English"), r"column 'language': 'English' is not a"),
        (_oos_with(OOS_CODED, sentence=" "), r"column 'sentence': empty"),
        (_oos_with(OOS_CODED, sentence="Two\nlines."), r"column 'sentence': has a line break"),
        (_oos_with(OOS_CODED, actor="CANADA"), r"column 'actor': unknown value 'CANADA'"),
        (_oos_with(OOS_CODED, stance=""), r"column 'category': 'THREATEN' given but stance"),
        (
            _oos_with(OOS_CODED, mode="material"),
            r"column 'mode': THREATEN is 'verbal' in the coding manual",
        ),
    ],
)
def test_load_out_of_sample_row_errors(tmp_path, row, message):
    path = _write_oos(tmp_path / "o.csv", [row])
    prefix = r"o.csv, " if message.startswith("line") else r"o.csv, line 2, "
    with pytest.raises(ValueError, match=prefix + message):
        load_out_of_sample(path)


def test_load_out_of_sample_duplicate_code(tmp_path):
    path = _write_oos(tmp_path / "o.csv", [OOS_CODED, _oos_with(OOS_CODED, note="again")])
    with pytest.raises(
        ValueError, match=r"line 3: duplicate code coercion/THREATEN/US/threatened in sentence 1"
    ):
        load_out_of_sample(path)


def test_load_out_of_sample_inconsistent_sentence(tmp_path):
    path = _write_oos(tmp_path / "o.csv", [OOS_CODED, _oos_with(OOS_SECOND, language="es")])
    with pytest.raises(ValueError, match=r"line 3: language or sentence differs"):
        load_out_of_sample(path)


def test_out_of_sample_sentences_table(tmp_path):
    gold = load_out_of_sample(
        _write_oos(tmp_path / "o.csv", [OOS_CODED, OOS_SECOND, OOS_UNCODED])
    )
    sentences = out_of_sample_sentences(gold)
    assert sentences.columns == [
        "doc_id", "sent_id", "start", "end", "text", "is_heading", "speaker"
    ]
    assert sentences["sent_id"].to_list() == [1, 2]  # one row per sentence, not per code
    assert not sentences["is_heading"].any()
    text = "\n".join(sentences["text"])
    assert all(text[a:b] == t for a, b, t in sentences.select("start", "end", "text").rows())
    # evaluating the gold against its own codes is perfect
    codes = gold.filter(pl.col("stance").is_not_null()).rename({"unit": "sent_id"})
    result = evaluate(codes, gold, sentences)
    assert result.by_stance.filter(pl.col("support") > 0)["f1"].to_list() == [1.0, 1.0]
    assert result.actor_accuracy == 1.0


def test_out_of_sample_sentences_of_a_language_subset():
    gold = load_out_of_sample().filter(pl.col("language") == "es")
    sentences = out_of_sample_sentences(gold)
    assert sentences.height == gold["unit"].n_unique()
    assert set(sentences["sent_id"]) == set(gold["unit"])


def test_out_of_sample_sentences_missing_columns():
    with pytest.raises(ValueError, match=r"gold is missing column\(s\) start, end; expected"):
        out_of_sample_sentences(pl.DataFrame({"doc_id": ["oos"], "unit": [1], "sentence": ["x"]}))


def test_evaluate_by_language_splits_the_figures() -> None:
    gold = load_out_of_sample()
    sentences = out_of_sample_sentences(gold)
    as_codes = gold.filter(pl.col("stance").is_not_null()).select(
        "doc_id", pl.col("unit").alias("sent_id"), "stance", "category", "actor", "status"
    )
    perfect = evaluate_by_language(as_codes, gold, sentences)
    assert perfect["language"].unique(maintain_order=True).to_list() == ["all", "en", "es"]
    assert perfect.filter(pl.col("support") > 0)["f1"].to_list() == [1.0] * perfect.filter(
        pl.col("support") > 0
    ).height
    # drop every Spanish code: Spanish recall falls to 0, English is untouched
    spanish = gold.filter(pl.col("language") == "es")["unit"].unique()
    english_only = evaluate_by_language(
        as_codes.filter(~pl.col("sent_id").is_in(spanish.to_list())), gold, sentences
    )
    es = english_only.filter(pl.col("language") == "es", pl.col("support") > 0)
    assert es["recall"].to_list() == [0.0] * es.height
    assert english_only.filter(pl.col("language") == "en")["f1"].drop_nulls().to_list() == (
        perfect.filter(pl.col("language") == "en")["f1"].drop_nulls().to_list()
    )
    with pytest.raises(ValueError, match=r"gold is missing column\(s\) language"):
        evaluate_by_language(as_codes, gold.drop("language"), sentences)


def _write_set(folder, name: str = "mini.csv") -> None:
    rows = [
        "sentence_id,language,sentence,stance,category,actor,mode,status,note",
        "1,en,Mexico extradited 12 cartel members to the United States.,cooperation,"
        "JUDICIAL,MX,material,actual,",
        "2,en,Rainfall was heavy in Sonora last week.,,,,,,",
    ]
    (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")


def _write_manifest(folder, body: str) -> object:
    path = folder / "sets.yaml"
    path.write_text(body, encoding="utf-8")
    return path


MINI_ENTRY = """sets:
  - name: mini
    file: mini.csv
    readme: README.md
    tuned_on: null
    first_measurement:
      codebook: "9.9"
      f1: {cooperation: 0.5, coercion: 0.25, resistance: 0.0}
"""


def test_evaluate_sets_scores_each_set_beside_its_first_measurement(tmp_path) -> None:
    _write_set(tmp_path)
    table = evaluate_sets(path=_write_manifest(tmp_path, MINI_ENTRY))
    assert table["stance"].to_list() == list(STANCES)
    assert table["f1_first"].to_list() == [0.5, 0.25, 0.0]
    assert table["blind"].to_list() == [True] * 3
    assert set(table["first_codebook"]) == {"9.9"}
    cooperation = table.row(0, named=True)
    assert (cooperation["support"], cooperation["recall"]) == (1, 1.0)


def test_the_real_manifest_lists_existing_sets() -> None:
    sets = load_sets()
    assert [s["name"] for s in sets][:2] == ["out-of-sample", "held-out"]
    sentence_sets = [s for s in sets if s["kind"] == "sentences"]
    assert sentence_sets and all(s["file"].is_file() for s in sentence_sets)
    assert all(s["available"] and s["corpus"] is None for s in sentence_sets)
    documents = {s["name"]: s for s in sets if s["kind"] == "documents"}
    assert "real-dev" in documents
    real_dev = documents["real-dev"]
    # kept outside the project: available exactly when its folder and gold file exist
    assert real_dev["available"] == (real_dev["corpus"].is_dir() and real_dev["file"].is_file())
    assert real_dev["corpus"].is_absolute() and real_dev["corpus"].name == "corpus"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("other: []\n", r"expected a top-level 'sets:' list"),
        ("sets:\n  - name: x\n    file: mini.csv\n", r"set 1 \(x\): missing \['first_measurement'"),
        (MINI_ENTRY.replace("resistance: 0.0", "resistance: 2"),
         r"first_measurement.f1 must give a number in \[0, 1\]"),
        (MINI_ENTRY.replace("file: mini.csv", "file: absent.csv"),
         r"set 1 \(mini\): file absent.csv not found"),
    ],
)
def test_load_sets_errors_name_the_set_and_field(tmp_path, body, message) -> None:
    _write_set(tmp_path)
    with pytest.raises(ValueError, match=message):
        load_sets(_write_manifest(tmp_path, body))
    with pytest.raises(FileNotFoundError, match=r"sets manifest .* not found"):
        load_sets(tmp_path / "none.yaml")


def test_evaluate_scores_only_the_gold_documents_the_corpus_holds() -> None:
    gold = load_gold()
    as_codes = gold.filter(pl.col("stance").is_not_null()).select(
        "doc_id", pl.col("unit").alias("sent_id"), "stance", "category", "actor", "status"
    )
    units = gold.select(
        "doc_id", pl.col("unit").alias("sent_id"), pl.col("sentence").alias("text")
    ).unique(["doc_id", "sent_id"])
    one_doc = units.filter(pl.col("doc_id") == units["doc_id"].min())
    result = evaluate(as_codes, gold, one_doc)
    assert result.by_stance.filter(pl.col("support") > 0)["recall"].to_list() == [1.0] * (
        result.by_stance.filter(pl.col("support") > 0).height
    )
    n_units = one_doc.height
    assert result.alignment.height == n_units
    # no gold document in the corpus: nothing to score, no false zeros
    empty = evaluate(as_codes, gold, one_doc.with_columns(doc_id=pl.lit("elsewhere")))
    assert empty.by_stance["support"].to_list() == [0, 0, 0]
    assert empty.by_stance["recall"].to_list() == [None, None, None]


# ------------------------------------------------------------- document sets

def _units_gold(rows: list[tuple]) -> pl.DataFrame:
    """Gold rows (doc_id, unit, sentence, stance, category, actor, status)."""
    return pl.DataFrame(
        rows,
        schema=["doc_id", "unit", "sentence", "stance", "category", "actor", "status"],
        orient="row",
    )


def _unit_codes(rows: list[tuple]) -> pl.DataFrame:
    """Codes (doc_id, sent_id, stance, category, actor, status)."""
    schema = {
        "doc_id": pl.String, "sent_id": pl.Int64, "stance": pl.String,
        "category": pl.String, "actor": pl.String, "status": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def _texts(rows: list[tuple[str, int, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["doc_id", "sent_id", "text"], orient="row")


def test_match_units_normalises_then_falls_back_to_word_overlap() -> None:
    ours = _texts(
        [
            ("d", 1, "Mexico's \\$5 plan, the \u201cdeal\u201d."),
            ("d", 2, "one two three four five"),
            ("d", 3, "It rained."),
            ("d", 4, "It   RAINED."),
        ]
    )
    gold = pl.DataFrame(
        {
            "doc_id": ["d"] * 5 + ["elsewhere"],
            "unit": [1, 2, 3, 4, 5, 1],
            "sentence": [
                "Mexico\u2019s $5 [plan](#), the \"deal\".",  # equal once normalised
                "one two three six",  # 3 shared of 6 words: Jaccard 0.5, unmatched
                "one two three four five six",  # 5 of 6: 0.83, matched to sentence 2
                "it rained.",  # two sentences have this text: both match
                "zzz",
                "It rained.",  # a document with no sentence
            ],
        }
    )
    table = match_units(gold, ours)
    rows = {(d, u): (s, m) for d, u, s, m in table.select(
        "doc_id", "unit", "sent_ids", "match").iter_rows()}
    assert rows[("d", 1)] == ([1], "exact")
    assert rows[("d", 2)] == ([], "unmatched")
    assert rows[("d", 3)] == ([2], "overlap")
    assert rows[("d", 4)] == ([3, 4], "exact")
    assert rows[("elsewhere", 1)] == ([], "unmatched")
    jaccard = dict(zip(table["unit"].to_list()[:5], table["jaccard"].to_list()[:5], strict=True))
    assert jaccard[2] == pytest.approx(0.5) and jaccard[3] == pytest.approx(5 / 6)
    assert table.filter(pl.col("doc_id") == "elsewhere")["jaccard"].item() is None


def test_match_units_threshold_is_inclusive_and_ties_go_to_the_first_sentence() -> None:
    # unit words {a, b, c}; sentence words {a, b, c, d, e}: 3 / 5 = 0.6 exactly
    ours = _texts([("d", 1, "x y z"), ("d", 2, "a b c d e"), ("d", 3, "a b c e d")])
    table = match_units(_units_gold([("d", 1, "a b c", None, None, None, None)]), ours)
    assert table.select("sent_ids", "match").row(0) == ([2], "overlap")


def test_match_units_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"sentences is missing column\(s\) text"):
        match_units(_units_gold([]), pl.DataFrame({"doc_id": ["d"], "sent_id": [1]}))


def test_evaluate_units_counts_presence_and_actor_agreement() -> None:
    gold = _units_gold(
        [
            ("d", 1, "Trump threatened tariffs.", "coercion", "THREATEN", "US", "threatened"),
            ("d", 2, "Mexico agreed to talks.", "cooperation", "AGREE", "MX", "actual"),
            ("d", 3, "No tariffs on Mexico.", "coercion", "SANCTION", "US", "negated"),
            ("d", 4, "It rained.", None, None, None, None),
            ("d", 5, "Mexico rejected them.", "resistance", "REJECT", "MX", "actual"),
            ("gone", 1, "They met.", "cooperation", "CONSULT", "UNSPECIFIED", "actual"),
        ]
    )
    ours = _texts(
        [
            ("d", 1, "Trump threatened tariffs."),
            ("d", 2, "Mexico agreed to talks."),
            ("d", 3, "No tariffs on Mexico."),
            ("d", 4, "It rained."),
        ]
    )
    codes = _unit_codes(
        [
            ("d", 1, "coercion", "THREATEN", "US", "threatened"),  # tp, same actor
            ("d", 2, "cooperation", "AGREE", "US", "actual"),  # tp, other actor
            ("d", 3, "coercion", "SANCTION", "US", "negated"),  # negated: no stance
            ("d", 4, "cooperation", "CONSULT", "MX", "actual"),  # fp
        ]
    )
    result = evaluate_units(codes, gold, ours)
    counts = {s: (tp, fp, fn) for s, tp, fp, fn in result.by_stance.select(
        "stance", "tp", "fp", "fn").iter_rows()}
    # unit 5 (no sentence of ours) and the unit of a document we lack are misses
    assert counts == {"cooperation": (1, 1, 1), "coercion": (1, 0, 0), "resistance": (0, 0, 1)}
    resistance = result.by_stance.row(2, named=True)
    assert resistance["precision"] is None and resistance["recall"] == 0.0
    assert result.by_stance["support"].to_list() == [2, 1, 1]
    assert (result.actor_accuracy, result.n_actor_checks) == (0.5, 2)
    assert (result.n_units, result.n_unmatched) == (6, 2)
    assert result.disagreements.select("doc_id", "unit", "gold_stances",
                                       "predicted_stances").rows() == [
        ("d", 4, "none", "cooperation"),
        ("d", 5, "resistance", "none"),
        ("gone", 1, "cooperation", "none"),
    ]


def test_evaluate_units_missing_columns() -> None:
    gold = _units_gold([("d", 1, "x", None, None, None, None)])
    with pytest.raises(ValueError, match=r"codes is missing column\(s\) actor"):
        evaluate_units(_unit_codes([]).drop("actor"), gold, _texts([("d", 1, "x")]))


def test_document_agreement_balances_per_document() -> None:
    gold = _units_gold(
        [
            ("a", 1, "They met.", "cooperation", "CONSULT", "UNSPECIFIED", "actual"),
            ("a", 2, "They agreed.", "cooperation", "AGREE", "MX", "actual"),
            ("a", 3, "He threatened tariffs.", "coercion", "THREATEN", "US", "threatened"),
            ("a", 4, "No sanctions.", "coercion", "SANCTION", "US", "negated"),
            ("b", 1, "He threatened tariffs.", "coercion", "THREATEN", "US", "threatened"),
            ("b", 2, "Text the splitter lost.", "cooperation", "AGREE", "MX", "actual"),
            ("c", 1, "It rained.", None, None, None, None),
            ("x", 1, "A document not in the corpus.", "coercion", "DEMAND", "US", "actual"),
        ]
    )
    ours = _texts(
        [
            ("a", 1, "They met."), ("a", 2, "They agreed."), ("a", 3, "He threatened tariffs."),
            ("a", 4, "No sanctions."), ("b", 1, "He threatened tariffs."), ("c", 1, "It rained."),
            ("a", 9, "A sentence outside the coded range."),
        ]
    )
    codes = _unit_codes(
        [
            ("a", 1, "cooperation", "CONSULT", "UNSPECIFIED", "actual"),
            ("a", 3, "coercion", "THREATEN", "US", "threatened"),
            ("a", 4, "coercion", "SANCTION", "US", "actual"),  # the coder missed the negation
            ("a", 9, "coercion", "DEMAND", "US", "actual"),  # outside the gold units
            ("b", 1, "coercion", "THREATEN", "US", "threatened"),
        ]
    )
    result = document_agreement(codes, gold, ours)
    assert result.by_document.columns == [
        "doc_id", "n_units", "balance_gold", "balance_coder", "diff"
    ]
    rows = {r[0]: r[1:] for r in result.by_document.iter_rows()}
    assert set(rows) == {"a", "b", "c"}  # x: not in the corpus
    # a: gold C=2 K=1 -> 1/3; coder C=1 K=2 -> -1/3
    assert rows["a"][0] == 4
    assert rows["a"][1] == pytest.approx(1 / 3) and rows["a"][2] == pytest.approx(-1 / 3)
    assert rows["a"][3] == pytest.approx(-2 / 3)
    # b: gold C=1 K=1 -> 0; the unmatched unit gives the coder nothing: K=1 -> -1
    assert rows["b"] == (2, 0.0, -1.0, -1.0)
    assert rows["c"] == (1, None, None, None)  # no cooperation or coercion: undefined
    assert result.n_documents == 2
    assert result.mean_abs_diff == pytest.approx((2 / 3 + 1) / 2)
    assert result.pearson_r == pytest.approx(1.0)  # two points lie on a rising line
    summary = result.summary()
    assert summary.columns == ["n_documents", "pearson_r", "mean_abs_diff", "note"]
    assert summary.row(0)[0] == 2 and summary["note"].item() is None


def test_document_agreement_uses_the_metrics_balance() -> None:
    """The gold side equals analysis.metrics.balance on the hand codes as codes."""
    from analysis.metrics import balance

    gold = load_gold()
    units = gold.unique(["doc_id", "unit"]).select(
        "doc_id", sent_id="unit", text="sentence"
    )
    as_codes = gold.drop_nulls("stance").rename({"unit": "sent_id"})
    result = document_agreement(as_codes, gold, units)
    expected = balance(as_codes.with_columns(score=pl.lit(0.0)), units, n_boot=1)
    assert result.by_document["balance_gold"].to_list() == expected["balance"].to_list()
    # the hand codes as the coder's: perfect agreement
    assert result.by_document["diff"].drop_nulls().to_list() == [0.0] * result.n_documents
    assert result.mean_abs_diff == 0.0 and result.pearson_r == pytest.approx(1.0)


def test_document_agreement_undefined_correlation() -> None:
    gold = _units_gold(
        [("a", 1, "They met.", "cooperation", "CONSULT", "MX", "actual")]
    )
    codes = _unit_codes([("a", 1, "cooperation", "CONSULT", "MX", "actual")])
    result = document_agreement(codes, gold, _texts([("a", 1, "They met.")]))
    assert result.n_documents == 1 and result.pearson_r is None  # one document
    assert result.mean_abs_diff == 0.0


# -- document sets in the manifest

DOC_ENTRY = """  - name: docs
    corpus: {corpus}
    file: {file}
    readme: README.md
    tuned_on: "1.0"
    first_measurement:
      codebook: "0.9"
      f1: {{cooperation: 0.1, coercion: 0.2, resistance: 0.3}}
"""

ARTICLE = """---
title: 'A test article'
source: 'Test Wire'
published: 2025-03-04
language: en
---

Trump threatened to impose tariffs on Mexico.

It rained in Monterrey on Tuesday.

Mexico rejected the tariffs.
"""


def _write_document_set(folder: Path) -> None:
    corpus = folder / "docs" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "a1.txt").write_text(ARTICLE, encoding="utf-8")
    text = ARTICLE
    rows = []
    for unit, (sentence, code) in enumerate(
        [
            ("Trump threatened to impose tariffs on Mexico.",
             ["coercion", "THREATEN", "US", "verbal", "threatened"]),
            ("It rained in Monterrey on Tuesday.", [""] * 5),
            ("Mexico rejected the tariffs.", ["resistance", "REJECT", "MX", "verbal", "actual"]),
        ],
        start=1,
    ):
        start = text.index(sentence)
        rows.append(["a1.txt", str(unit), str(start), str(start + len(sentence)), sentence,
                     *code, ""])
    _write(folder / "docs" / "gold.csv", rows)


def test_load_sets_reads_a_document_set(tmp_path) -> None:
    _write_set(tmp_path)
    _write_document_set(tmp_path)
    body = MINI_ENTRY + DOC_ENTRY.format(corpus="docs/corpus", file="docs/gold.csv")
    sets = load_sets(_write_manifest(tmp_path, body))
    assert [(s["name"], s["kind"], s["available"]) for s in sets] == [
        ("mini", "sentences", True), ("docs", "documents", True)
    ]
    docs = sets[1]
    assert docs["corpus"] == (tmp_path / "docs" / "corpus").resolve()
    assert docs["file"] == (tmp_path / "docs" / "gold.csv").resolve()
    assert docs["missing"] is None and sets[0]["corpus"] is None


@pytest.mark.parametrize(
    ("corpus", "file", "looked_for"),
    [
        ("../away/corpus", "docs/gold.csv", "away/corpus"),  # folder kept elsewhere
        ("docs/corpus", "docs/absent.csv", "docs/absent.csv"),
    ],
)
def test_load_sets_marks_a_missing_document_set_unavailable(
    tmp_path, corpus, file, looked_for
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    _write_set(project)
    _write_document_set(project)
    body = MINI_ENTRY + DOC_ENTRY.format(corpus=corpus, file=file)
    docs = load_sets(_write_manifest(project, body))[1]
    assert docs["available"] is False
    assert docs["missing"].as_posix().endswith(looked_for)
    assert ".." not in docs["missing"].parts  # normalised, as a reader would look for it


def test_load_sets_rejects_a_malformed_document_entry(tmp_path) -> None:
    _write_set(tmp_path)
    body = MINI_ENTRY + DOC_ENTRY.format(corpus="docs/corpus", file="docs/gold.csv")
    with pytest.raises(
        ValueError, match=r"set 2 \(docs\): missing \[\], unknown \['language'\]; expected keys"
    ):
        load_sets(_write_manifest(tmp_path, body + "    language: en\n"))
    with pytest.raises(ValueError, match=r"set 2 \(docs\): corpus must be a path relative"):
        load_sets(_write_manifest(tmp_path, body.replace("corpus: docs/corpus", "corpus: 3")))
    with pytest.raises(ValueError, match=r"set 2 \(docs\): tuned_on must be a quoted codebook"):
        load_sets(_write_manifest(tmp_path, body.replace('tuned_on: "1.0"', "tuned_on: 1.0")))


def test_evaluate_sets_scores_a_document_set_as_evaluate_units(tmp_path) -> None:
    from analysis.corpus import load_corpus
    from analysis.indicators import code_sentences
    from analysis.segment import split_sentences

    _write_set(tmp_path)
    _write_document_set(tmp_path)
    body = MINI_ENTRY + DOC_ENTRY.format(corpus="docs/corpus", file="docs/gold.csv")
    table = evaluate_sets(path=_write_manifest(tmp_path, body))
    docs = table.filter(pl.col("set") == "docs")
    assert docs["stance"].to_list() == list(STANCES)
    assert docs["kind"].unique().to_list() == ["documents"]
    assert docs["f1_first"].to_list() == [0.1, 0.2, 0.3]
    assert docs["available"].all() and docs["note"].null_count() == 3
    sentences = split_sentences(load_corpus(tmp_path / "docs" / "corpus"))
    expected = evaluate_units(
        code_sentences(sentences), load_gold(tmp_path / "docs" / "gold.csv"), sentences
    )
    assert docs.select("stance", "precision", "recall", "f1", "support").rows() == (
        expected.by_stance.select("stance", "precision", "recall", "f1", "support").rows()
    )
    assert docs["support"].to_list() == [0, 1, 1]
    assert set(docs["actor_accuracy"]) == {expected.actor_accuracy}


def test_evaluate_sets_reports_a_set_that_is_not_available(tmp_path) -> None:
    _write_set(tmp_path)
    body = MINI_ENTRY + DOC_ENTRY.format(corpus="../away/corpus", file="../away/gold.csv")
    table = evaluate_sets(path=_write_manifest(tmp_path, body))
    assert table["set"].unique(maintain_order=True).to_list() == ["mini", "docs"]
    docs = table.filter(pl.col("set") == "docs")
    assert docs["available"].to_list() == [False] * 3
    assert docs["f1_first"].to_list() == [0.1, 0.2, 0.3]  # the first figures still show
    assert docs["f1"].null_count() == 3 and docs["support"].null_count() == 3
    note = docs["note"].unique().item()
    assert note.startswith("not available: ") and note.endswith("away/corpus not found")
    assert table.filter(pl.col("set") == "mini")["available"].all()
    described = describe_sets(table)
    assert "Not available in this copy of the project: **docs** (not available:" in described


def test_evaluate_sets_blind_follows_the_codebook_version(tmp_path) -> None:
    """A set to be tuned on from a later version is still blind today."""
    from analysis.codebook import load_codebook

    version = str(load_codebook().spec.version)
    major = int(version.split(".")[0])
    _write_set(tmp_path)
    later = MINI_ENTRY.replace("tuned_on: null", f'tuned_on: "{major + 1}.0"')
    earlier = MINI_ENTRY.replace("tuned_on: null", 'tuned_on: "0.1"')
    assert evaluate_sets(path=_write_manifest(tmp_path, later))["blind"].all()
    table = evaluate_sets(path=_write_manifest(tmp_path, earlier))
    assert not table["blind"].any()
    assert set(table["codebook"]) == {version}


def test_describe_sets_names_blind_and_tuned_sets() -> None:
    table = pl.DataFrame(
        {
            "set": ["a", "a", "b", "c"],
            "blind": [True, True, False, True],
            "tuned_on": [None, None, "1.1", "3.0"],
            "first_codebook": ["1.3", "1.3", "1.0", "2.0"],
            "codebook": ["2.0"] * 4,
            "available": [True, True, True, True],
            "note": [None] * 4,
        }
    )
    text = describe_sets(table)
    lines = text.split("\n")
    assert lines == [
        "Still blind (today's figures are out-of-sample): **a** (first measured at codebook "
        "1.3), **c** (first measured at codebook 2.0, to be tuned on from 3.0).",
        "Tuned on (today's figures overstate performance on new text): **b** (first "
        "measured at codebook 1.0, tuned on from 1.1).",
    ]
    with pytest.raises(ValueError, match=r"sets table is missing column\(s\) blind"):
        describe_sets(table.drop("blind"))


def test_set_document_agreement_errors_and_unavailable_set(tmp_path) -> None:
    _write_set(tmp_path)
    body = MINI_ENTRY + DOC_ENTRY.format(corpus="../away/corpus", file="../away/gold.csv")
    manifest = _write_manifest(tmp_path, body)
    with pytest.raises(ValueError, match=r"name='nope' is not a set of .*sets: mini, docs"):
        set_document_agreement("nope", path=manifest)
    with pytest.raises(ValueError, match=r"set 'mini' holds standalone sentences.*: docs"):
        set_document_agreement("mini", path=manifest)
    absent = set_document_agreement("docs", path=manifest)
    assert absent.n_documents == 0 and absent.by_document.height == 0
    assert absent.note.startswith("set docs not available: ")
    assert absent.summary()["note"].item() == absent.note


def test_set_document_agreement_on_a_document_set(tmp_path) -> None:
    _write_set(tmp_path)
    _write_document_set(tmp_path)
    body = MINI_ENTRY + DOC_ENTRY.format(corpus="docs/corpus", file="docs/gold.csv")
    result = set_document_agreement("docs", path=_write_manifest(tmp_path, body))
    assert result.note is None
    row = result.by_document.row(0, named=True)
    assert (row["doc_id"], row["n_units"], row["balance_gold"]) == ("a1", 3, -1.0)


# -- the real-document development set (kept outside the project)

@pytest.fixture(scope="module")
def real_dev() -> dict:
    entry = next(s for s in load_sets() if s["name"] == "real-dev")
    if not entry["available"]:
        pytest.skip(f"set real-dev not available: {entry['missing']} not found")
    return entry


def _score_tool(entry: dict) -> Path:
    # the scoring script sits beside the gold sets: <shared>/tools/score.py
    tool = entry["file"].parents[2] / "tools" / "score.py"
    if not tool.is_file():
        pytest.skip(f"scoring script not available: {tool} not found")
    return tool


def test_real_dev_figures_equal_the_scoring_script(real_dev) -> None:
    from analysis.corpus import load_corpus
    from analysis.indicators import code_sentences
    from analysis.segment import split_sentences

    completed = subprocess.run(
        [sys.executable, str(_score_tool(real_dev)), "--corpus", str(real_dev["corpus"]),
         "--gold", str(real_dev["file"]), "--json"],
        cwd=PROJ_ROOT, capture_output=True, text=True, check=True, timeout=600,
    )
    script = json.loads(completed.stdout)
    expected = script["result"]

    table = evaluate_sets().filter(pl.col("set") == "real-dev")
    for row in table.iter_rows(named=True):
        theirs = expected[row["stance"]]
        ours = {
            "p": round(row["precision"] or 0.0, 3),
            "r": round(row["recall"] or 0.0, 3),
            "f1": round(row["f1"] or 0.0, 3),
            "support": row["support"],
        }
        assert ours == theirs, row["stance"]
    assert round(table["actor_accuracy"][0] or 0.0, 3) == expected["actor_acc"]

    sentences = split_sentences(load_corpus(real_dev["corpus"]))
    gold = load_gold(real_dev["file"])
    result = evaluate_units(code_sentences(sentences), gold, sentences)
    assert (result.n_units, result.n_unmatched) == (expected["units"], expected["unmatched"])
    differing = {(Path(doc).stem, unit) for doc, unit, *_ in script["errors"]}
    assert set(result.disagreements.select("doc_id", "unit").iter_rows()) == differing


def test_real_dev_document_agreement(real_dev) -> None:
    result = set_document_agreement("real-dev")
    assert result.note is None
    assert result.by_document.height == 9  # the README's nine documents
    assert result.by_document["n_units"].sum() == 465
    assert result.n_documents <= 9
    diffs = result.by_document.drop_nulls("diff")
    assert result.mean_abs_diff == pytest.approx(diffs["diff"].abs().mean())
    assert -1.0 <= result.pearson_r <= 1.0
