"""Tests for analysis.metrics: hand-computed values on a tiny fixture, bootstrap behaviour,
null handling and every error message."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.metrics import (
    CATEGORY_STANCE,
    actual_vs_nonactual,
    balance,
    balance_by_status,
    count_codes,
    sensitivity,
    stance_rates,
)

# The fixture. Three documents; d3 has no code at all.
#
#   doc sent  codes (stance CATEGORY status score)
#   d1  1     cooperation AGREE actual 4
#   d1  2     cooperation CONSULT actual 2.5 ; coercion THREATEN threatened -4
#   d1  3     cooperation JUDICIAL actual 9.5 ; coercion SANCTION negated -6
#   d1  4     -
#   d2  1     coercion DEMAND actual -1
#   d2  2     resistance REJECT actual -2 ; cooperation AID hypothetical 10
#   d3  1     -
DOCUMENTS = pl.DataFrame(
    {
        "doc_id": ["d1", "d2", "d3"],
        "source": ["A", "B", "A"],
        "n_words": [100, 50, 20],
    }
)
SENTENCES = pl.DataFrame(
    {
        "doc_id": ["d1", "d1", "d1", "d1", "d2", "d2", "d3"],
        "sent_id": [1, 2, 3, 4, 1, 2, 1],
        "start": [0, 10, 20, 30, 0, 10, 0],
        "end": [9, 19, 29, 39, 9, 19, 9],
        "text": [
            "They agreed to cooperate.",
            "Talks were held despite threats of tariffs.",
            "Mexico extradited ten suspects; no sanctions followed.",
            "Trade grew.",
            "Washington urged Mexico to do more.",
            "Mexico rejected intervention; aid could follow.",
            "It rained in the capital.",
        ],
        "is_heading": [False] * 7,
    }
)
CODES = pl.DataFrame(
    {
        "doc_id": ["d1", "d1", "d1", "d1", "d1", "d2", "d2", "d2"],
        "sent_id": [1, 2, 2, 3, 3, 1, 2, 2],
        "stance": [
            "cooperation",
            "cooperation",
            "coercion",
            "cooperation",
            "coercion",
            "coercion",
            "resistance",
            "cooperation",
        ],
        "category": [
            "AGREE",
            "CONSULT",
            "THREATEN",
            "JUDICIAL",
            "SANCTION",
            "DEMAND",
            "REJECT",
            "AID",
        ],
        "actor": ["UNSPECIFIED", "UNSPECIFIED", "US", "MX", "US", "US", "MX", "US"],
        "mode": [
            "verbal",
            "verbal",
            "verbal",
            "material",
            "material",
            "verbal",
            "verbal",
            "material",
        ],
        "status": [
            "actual",
            "actual",
            "threatened",
            "actual",
            "negated",
            "actual",
            "actual",
            "hypothetical",
        ],
        "score": [4.0, 2.5, -4.0, 9.5, -6.0, -1.0, -2.0, 10.0],
    }
)

FAST = {"n_boot": 200, "seed": 7}


def _row(frame: pl.DataFrame, group: str) -> dict:
    return frame.filter(pl.col("group") == group).row(0, named=True)


# ------------------------------------------------------------------ count_codes


def test_count_codes_by_stance_excludes_negated():
    counts = count_codes(CODES, by=["stance"])
    assert counts["stance"].to_list() == ["cooperation", "coercion", "resistance"]
    # 4 cooperation; coercion: DEMAND + THREATEN (SANCTION is negated); 1 resistance
    assert counts["n_codes"].to_list() == [4, 2, 1]
    assert counts["share"].to_list() == pytest.approx([4 / 7, 2 / 7, 1 / 7])


def test_count_codes_any_status_counts_negated_by_status():
    counts = count_codes(CODES, by="status", status="any")
    assert dict(counts.select("status", "n_codes").iter_rows()) == {
        "actual": 5,
        "threatened": 1,
        "hypothetical": 1,
        "negated": 1,
    }
    assert counts["status"].to_list() == ["actual", "threatened", "hypothetical", "negated"]


def test_count_codes_actual_and_non_actual():
    actual = count_codes(CODES, by=["stance"], status="actual")
    assert dict(actual.select("stance", "n_codes").iter_rows()) == {
        "cooperation": 3,
        "coercion": 1,
        "resistance": 1,
    }
    non_actual = count_codes(CODES, by=["stance"], status="non_actual")
    assert dict(non_actual.select("stance", "n_codes").iter_rows()) == {
        "cooperation": 1,
        "coercion": 1,
    }


def test_count_codes_by_source_joins_documents():
    counts = count_codes(CODES, by=["source", "stance"], documents=DOCUMENTS)
    assert counts.select("source", "stance", "n_codes").rows() == [
        ("A", "cooperation", 3),
        ("A", "coercion", 1),
        ("B", "cooperation", 1),
        ("B", "coercion", 1),
        ("B", "resistance", 1),
    ]


def test_count_codes_does_not_mutate_input():
    before = CODES.clone()
    count_codes(CODES, by=["doc_id", "category"])
    assert CODES.equals(before)


def test_actual_vs_nonactual_by_stance():
    table = actual_vs_nonactual(CODES)
    rows = {r["stance"]: r for r in table.iter_rows(named=True)}
    assert table["stance"].to_list() == ["cooperation", "coercion", "resistance"]
    coop, coer, res = rows["cooperation"], rows["coercion"], rows["resistance"]
    assert (coop["actual"], coop["hypothetical"], coop["non_actual"], coop["negated"]) == (
        3,
        1,
        1,
        0,
    )
    assert coop["share_actual"] == pytest.approx(0.75)
    assert (coer["actual"], coer["threatened"], coer["non_actual"], coer["negated"]) == (1, 1, 1, 1)
    assert coer["n_counted"] == 2
    assert coer["share_actual"] == pytest.approx(0.5)
    assert res["share_actual"] == 1.0


def test_actual_vs_nonactual_share_is_null_when_only_negated():
    only_negated = CODES.filter(pl.col("status") == "negated")
    table = actual_vs_nonactual(only_negated, by=["category"])
    assert table["share_actual"].to_list() == [None]
    assert table["negated"].to_list() == [1]


# ---------------------------------------------------------------------- balance


def test_balance_by_document_hand_computed():
    table = balance(CODES, SENTENCES, by="doc_id", **FAST)
    assert table["group"].to_list() == ["d1", "d2", "d3"]
    d1, d2, d3 = (_row(table, g) for g in ("d1", "d2", "d3"))
    # d1: 3 cooperation, 1 coercion -> (3 - 1) / 4
    assert (d1["cooperation"], d1["coercion"], d1["resistance"]) == (3, 1, 0)
    assert d1["balance"] == pytest.approx(0.5)
    # coded sentences: 4 ; 2.5 - 4 ; 9.5 (the negated SANCTION does not count)
    assert d1["intensity"] == pytest.approx((4 + (2.5 - 4) + 9.5) / 3)
    assert d1["n_sentences"] == 4
    # d2: 1 cooperation, 1 coercion -> 0 ; sentences -1 and (-2 + 10)
    assert d2["balance"] == pytest.approx(0.0)
    assert d2["intensity"] == pytest.approx((-1 + 8) / 2)
    # d3: nothing coded -> undefined, null (not NaN)
    assert d3["balance"] is None and d3["intensity"] is None
    assert d3["balance_lo"] is None and d3["balance_hi"] is None
    assert d3["n_sentences"] == 1


def test_balance_status_options():
    actual = balance(CODES, SENTENCES, status="actual", **FAST)
    assert _row(actual, "d1")["balance"] == pytest.approx(1.0)
    assert _row(actual, "d1")["intensity"] == pytest.approx((4 + 2.5 + 9.5) / 3)
    assert _row(actual, "d2")["balance"] == pytest.approx(-1.0)
    assert _row(actual, "d2")["intensity"] == pytest.approx((-1 - 2) / 2)
    non_actual = balance(CODES, SENTENCES, status="non_actual", **FAST)
    assert _row(non_actual, "d1")["balance"] == pytest.approx(-1.0)
    assert _row(non_actual, "d1")["intensity"] == pytest.approx(-4.0)
    assert _row(non_actual, "d2")["balance"] == pytest.approx(1.0)
    assert _row(non_actual, "d2")["intensity"] == pytest.approx(10.0)


def test_balance_by_status_reads_deeds_and_threats_apart():
    table = balance_by_status(CODES, SENTENCES, **FAST)
    assert table["codes"].to_list() == ["all", "actual", "non_actual"]
    # all non-negated: 4 cooperation (AGREE, CONSULT, JUDICIAL, AID), 2 coercion
    # (THREATEN, DEMAND; the SANCTION is negated); actual: 3 vs 1; non-actual: 1 vs 1
    assert table["balance"].to_list() == pytest.approx([(4 - 2) / 6, (3 - 1) / 4, 0.0])
    assert table["cooperation"].to_list() == [4, 3, 1]
    assert table["coercion"].to_list() == [2, 1, 1]


def test_balance_corpus_and_source():
    corpus = balance(CODES, SENTENCES, by="corpus", **FAST)
    assert corpus["group"].to_list() == ["all"]
    # 4 cooperation, 2 coercion; 5 coded sentences with scores 4, -1.5, 9.5, -1, 8
    assert corpus["balance"].item() == pytest.approx(2 / 6)
    assert corpus["intensity"].item() == pytest.approx((4 - 1.5 + 9.5 - 1 + 8) / 5)
    assert corpus["n_sentences"].item() == 7
    source = balance(CODES, SENTENCES, by="source", documents=DOCUMENTS, **FAST)
    assert source["group"].to_list() == ["A", "B"]
    assert _row(source, "A")["balance"] == pytest.approx(0.5)  # d1 + d3
    assert _row(source, "A")["n_sentences"] == 5


def test_balance_has_no_nan():
    table = balance(CODES, SENTENCES, status="actual", **FAST)
    for column in ("balance", "balance_lo", "balance_hi", "intensity"):
        assert not any(v is not None and math.isnan(v) for v in table[column].to_list())


def test_bootstrap_is_deterministic_under_a_seed():
    first = balance(CODES, SENTENCES, n_boot=300, seed=11)
    second = balance(CODES, SENTENCES, n_boot=300, seed=11)
    assert first.equals(second)
    rates = stance_rates(CODES, SENTENCES, DOCUMENTS, n_boot=300, seed=11)
    assert rates.equals(stance_rates(CODES, SENTENCES, DOCUMENTS, n_boot=300, seed=11))


def test_different_seed_gives_different_draws():
    codes = pl.concat([CODES] * 1)
    a = balance(codes, SENTENCES, by="corpus", n_boot=300, seed=1, ci=0.5)
    b = balance(codes, SENTENCES, by="corpus", n_boot=300, seed=2, ci=0.5)
    assert a["balance"].equals(b["balance"])  # the point estimate does not depend on the seed
    assert a.select("balance_lo", "balance_hi", "intensity_lo", "intensity_hi").rows() != (
        b.select("balance_lo", "balance_hi", "intensity_lo", "intensity_hi").rows()
    )


def test_interval_contains_point_estimate():
    for by in ("doc_id", "corpus"):
        table = balance(CODES, SENTENCES, by=by, n_boot=400, seed=3)
        for row in table.drop_nulls("balance").iter_rows(named=True):
            assert row["balance_lo"] <= row["balance"] <= row["balance_hi"]
            assert row["intensity_lo"] <= row["intensity"] <= row["intensity_hi"]


def test_bootstrap_resamples_sentences_within_each_group():
    # Group x: one cooperation sentence, one coercion sentence. Resamples of 2 sentences
    # give balance +1 (p = 1/4), 0 (p = 1/2) or -1 (p = 1/4). Group y must not leak in.
    sentences = pl.DataFrame(
        {
            "doc_id": ["x", "x", "y", "y", "y"],
            "sent_id": [1, 2, 1, 2, 3],
            "text": ["a b", "c d", "e f", "g h", "i j"],
        }
    )
    codes = pl.DataFrame(
        {
            "doc_id": ["x", "x", "y", "y", "y"],
            "sent_id": [1, 2, 1, 2, 3],
            "stance": ["cooperation", "coercion", "cooperation", "cooperation", "cooperation"],
            "category": ["AGREE", "DEMAND", "AGREE", "AGREE", "AGREE"],
            "status": ["actual"] * 5,
            "score": [4.0, -1.0, 4.0, 4.0, 4.0],
        }
    )
    wide = balance(codes, sentences, n_boot=2000, seed=5, ci=0.95)
    assert (_row(wide, "x")["balance_lo"], _row(wide, "x")["balance_hi"]) == (-1.0, 1.0)
    # y has only cooperation: every resample gives +1
    assert (_row(wide, "y")["balance_lo"], _row(wide, "y")["balance_hi"]) == (1.0, 1.0)
    # The 30% and 70% quantiles of x fall on 0 (P(-1) = 0.25 < 0.3, P(<= 0) = 0.75 > 0.7).
    narrow = balance(codes, sentences, n_boot=2000, seed=5, ci=0.4)
    assert (_row(narrow, "x")["balance_lo"], _row(narrow, "x")["balance_hi"]) == (0.0, 0.0)


def test_undefined_resamples_are_left_out():
    # Under non_actual, d1 has one counted code (THREATEN in sentence 2). Resamples without
    # sentence 2 are 0/0 and are dropped; all others give -1.
    table = balance(CODES, SENTENCES, status="non_actual", n_boot=300, seed=9)
    d1 = _row(table, "d1")
    assert (d1["balance_lo"], d1["balance"], d1["balance_hi"]) == (-1.0, -1.0, -1.0)


def test_single_sentence_group_has_degenerate_interval():
    sentences = SENTENCES.filter(pl.col("doc_id") == "d1", pl.col("sent_id") == 2)
    codes = CODES.filter(pl.col("doc_id") == "d1", pl.col("sent_id") == 2)
    table = balance(codes, sentences, **FAST)
    row = table.row(0, named=True)
    assert row["balance"] == row["balance_lo"] == row["balance_hi"] == 0.0
    assert row["intensity"] == row["intensity_lo"] == row["intensity_hi"] == -1.5


# ----------------------------------------------------------------- stance_rates


def test_stance_rates_by_document_hand_computed():
    rates = stance_rates(CODES, SENTENCES, DOCUMENTS, **FAST)
    assert rates.columns == [
        "group",
        "stance",
        "n_codes",
        "n_sentences",
        "n_words",
        "per_1000_words",
        "lo",
        "hi",
    ]
    assert rates.height == 9  # 3 documents x 3 stances
    got = {(r["group"], r["stance"]): r for r in rates.iter_rows(named=True)}
    assert got[("d1", "cooperation")]["per_1000_words"] == pytest.approx(1000 * 3 / 100)
    assert got[("d1", "coercion")]["per_1000_words"] == pytest.approx(1000 * 1 / 100)
    assert got[("d1", "resistance")]["per_1000_words"] == 0.0
    for stance in ("cooperation", "coercion", "resistance"):
        assert got[("d2", stance)]["per_1000_words"] == pytest.approx(1000 * 1 / 50)
        # d3 is one uncoded sentence: every resample is that sentence
        assert got[("d3", stance)]["lo"] == got[("d3", stance)]["hi"] == 0.0
    assert got[("d1", "cooperation")]["n_words"] == 100
    assert got[("d1", "cooperation")]["n_sentences"] == 4


def test_stance_rates_by_source_and_corpus():
    by_source = stance_rates(CODES, SENTENCES, DOCUMENTS, by="source", **FAST)
    a = by_source.filter(pl.col("group") == "A", pl.col("stance") == "cooperation").row(
        0, named=True
    )
    assert a["n_words"] == 120  # d1 + d3
    assert a["per_1000_words"] == pytest.approx(1000 * 3 / 120)
    corpus = stance_rates(CODES, SENTENCES, DOCUMENTS, by="corpus", status="actual", **FAST)
    coop = corpus.filter(pl.col("stance") == "cooperation").row(0, named=True)
    assert coop["group"] == "all"
    assert coop["n_codes"] == 3
    assert coop["per_1000_words"] == pytest.approx(1000 * 3 / 170)


def test_stance_rates_interval_contains_point_estimate():
    rates = stance_rates(CODES, SENTENCES, DOCUMENTS, by="corpus", n_boot=400, seed=4)
    for row in rates.iter_rows(named=True):
        assert row["lo"] <= row["per_1000_words"] <= row["hi"]


def test_stance_rates_zero_words_is_null():
    documents = DOCUMENTS.with_columns(pl.lit(0).alias("n_words"))
    rates = stance_rates(CODES, SENTENCES, documents, **FAST)
    assert rates["per_1000_words"].null_count() == rates.height
    assert rates["lo"].null_count() == rates.height


# ------------------------------------------------------------------ sensitivity


def test_sensitivity_hand_computed():
    table = sensitivity(CODES, SENTENCES, **FAST)
    assert table.columns == [
        "left_out",
        "balance",
        "balance_lo",
        "balance_hi",
        "sign",
        "sign_changed",
    ]
    # full: 4 cooperation, 2 coercion; SANCTION only occurs negated, so it has no row
    expected = {
        "(none)": 2 / 6,
        "CONSULT": 1 / 5,
        "AGREE": 1 / 5,
        "JUDICIAL": 1 / 5,
        "AID": 1 / 5,
        "DEMAND": 3 / 5,
        "THREATEN": 3 / 5,
        "REJECT": 2 / 6,
    }
    assert table["left_out"].to_list() == list(expected)
    assert table["balance"].to_list() == pytest.approx(list(expected.values()))
    assert table["sign"].to_list() == [1] * len(expected)
    assert not table["sign_changed"].any()


def test_sensitivity_flags_sign_change_and_undefined():
    # 2 AGREE, 1 DEMAND: full balance 1/3; without AGREE -> -1 (sign changes);
    # without DEMAND -> +1.
    codes = CODES.filter(pl.col("category").is_in(["AGREE", "DEMAND"]))
    codes = pl.concat(
        [
            codes,
            codes.filter(pl.col("category") == "AGREE").with_columns(
                pl.lit(4, dtype=pl.Int64).alias("sent_id")
            ),
        ]
    )
    table = sensitivity(codes, SENTENCES, **FAST)
    rows = {r["left_out"]: r for r in table.iter_rows(named=True)}
    assert rows["(none)"]["balance"] == pytest.approx(1 / 3)
    assert rows["AGREE"]["balance"] == pytest.approx(-1.0)
    assert rows["AGREE"]["sign_changed"] is True
    assert rows["DEMAND"]["sign_changed"] is False
    # With a single category, leaving it out leaves nothing: undefined, counted as a change.
    single = sensitivity(codes.filter(pl.col("category") == "AGREE"), SENTENCES, **FAST)
    assert single["balance"].to_list() == [1.0, None]
    assert single["sign"].to_list() == [1, None]
    assert single["sign_changed"].to_list() == [False, True]


def test_empty_codes_give_null_balance_not_errors():
    empty = pl.DataFrame({c: [] for c in CODES.columns})  # no schema: all-null dtypes
    table = balance(empty, SENTENCES, **FAST)
    assert table["balance"].null_count() == table.height == 3
    assert (table["cooperation"] == 0).all()
    rates = stance_rates(empty, SENTENCES, DOCUMENTS, **FAST)
    assert (rates["per_1000_words"] == 0).all()
    assert sensitivity(empty, SENTENCES, **FAST).rows() == [
        ("(none)", None, None, None, None, False)
    ]
    assert count_codes(empty).is_empty()


# ------------------------------------------------------------------- properties

_code_rows = st.lists(
    st.tuples(
        st.sampled_from(SENTENCES.select("doc_id", "sent_id").rows()),
        st.sampled_from(sorted(CATEGORY_STANCE)),
        st.sampled_from(["actual", "threatened", "hypothetical", "negated"]),
    ),
    max_size=12,
)


def _codes_from(rows: list[tuple[tuple[str, int], str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": [r[0][0] for r in rows],
            "sent_id": [r[0][1] for r in rows],
            "stance": [CATEGORY_STANCE[r[1]] for r in rows],
            "category": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "score": [1.0] * len(rows),
        },
        schema={
            "doc_id": pl.String,
            "sent_id": pl.Int64,
            "stance": pl.String,
            "category": pl.String,
            "status": pl.String,
            "score": pl.Float64,
        },
    )


@settings(max_examples=40, deadline=None)
@given(_code_rows, st.randoms(use_true_random=False))
def test_balance_is_bounded_and_order_free(rows, rng):
    codes = _codes_from(rows)
    table = balance(codes, SENTENCES, n_boot=30, seed=1)
    for row in table.iter_rows(named=True):
        if row["balance"] is None:
            assert row["cooperation"] + row["coercion"] == 0
        else:
            assert -1 <= row["balance_lo"] <= row["balance"] <= row["balance_hi"] <= 1
    shuffled = list(rows)
    rng.shuffle(shuffled)
    sentences = SENTENCES.reverse()
    assert balance(_codes_from(shuffled), sentences, n_boot=30, seed=1).equals(table)


# ------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: balance(CODES, SENTENCES, status="bogus"),
            r"status='bogus' is not allowed; choose one of 'actual', 'non_actual', 'all'",
        ),
        (
            lambda: balance(CODES, SENTENCES, by="topic"),
            r"by='topic' is not allowed; choose one of 'doc_id', 'source', 'corpus'",
        ),
        (
            lambda: stance_rates(CODES, SENTENCES, DOCUMENTS, status="any"),
            r"status='any' is not allowed",
        ),
        (
            lambda: sensitivity(CODES, SENTENCES, status="negated"),
            r"status='negated' is not allowed",
        ),
        (
            lambda: count_codes(CODES, by=["score"]),
            r"by='score' is not allowed; choose one of 'doc_id', 'source', 'actor', 'stance'",
        ),
        (
            lambda: count_codes(CODES, status="none"),
            r"status='none' is not allowed; choose one of 'actual', 'non_actual', 'all', 'any'",
        ),
        (lambda: count_codes(CODES, by=[]), r"by=\[\] is empty"),
        (lambda: count_codes(CODES, by=["stance", "stance"]), r"names a column twice"),
        (lambda: actual_vs_nonactual(CODES, by=["status"]), r"by='status' is not allowed"),
        (lambda: balance(CODES, SENTENCES, n_boot=0), r"n_boot=0 is not allowed"),
        (lambda: balance(CODES, SENTENCES, seed=-1), r"seed=-1 is not allowed"),
        (lambda: balance(CODES, SENTENCES, ci=1.5), r"ci=1.5 is not allowed; give a number"),
        (lambda: balance(CODES.drop("score"), SENTENCES), r"codes is missing column\(s\) score"),
        (lambda: balance(CODES, SENTENCES.drop("text")), r"sentences is missing column\(s\) text"),
        (
            lambda: stance_rates(CODES, SENTENCES, DOCUMENTS.drop("n_words")),
            r"documents is missing column\(s\) n_words",
        ),
        (
            lambda: balance(CODES.with_columns(pl.lit("peace").alias("stance")), SENTENCES),
            r"codes.stance has the value 'peace', which is not allowed",
        ),
        (
            lambda: count_codes(CODES.with_columns(pl.lit("done").alias("status"))),
            r"codes.status has the value 'done'",
        ),
        (
            lambda: balance(CODES, SENTENCES, by="source"),
            r"balance: grouping by 'source' needs documents=",
        ),
        (
            lambda: count_codes(CODES, by=["source"]),
            r"count_codes: grouping by 'source' needs documents=",
        ),
        (
            lambda: actual_vs_nonactual(CODES, by=["source"]),
            r"actual_vs_nonactual: grouping by 'source' needs documents=",
        ),
        (
            lambda: balance(CODES, SENTENCES.filter(pl.col("doc_id") != "d2")),
            r"codes refer to sentence doc_id='d2', sent_id=1, which is not in sentences",
        ),
        (
            lambda: stance_rates(CODES, SENTENCES, DOCUMENTS.filter(pl.col("doc_id") != "d3")),
            r"sentences of document 'd3' have no row in documents",
        ),
        (
            lambda: balance(
                CODES, SENTENCES, by="source", documents=DOCUMENTS.filter(pl.col("doc_id") != "d3")
            ),
            r"document 'd3' is not in documents",
        ),
    ],
)
def test_error_messages(call, message):
    with pytest.raises(ValueError, match=message):
        call()
