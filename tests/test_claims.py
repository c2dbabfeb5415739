"""Tests for analysis.claims: extraction rules, corroboration marks, the seed articles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from text_tables import sentences_of

from analysis.claims import (
    BATCH,
    CLAIM_SCHEMA,
    CORROBORATION_SCHEMA,
    corroborate,
    extract_claims,
    load_subjects,
)

TRANSFERS = "cartel members transferred to the U.S."
TARIFF = "U.S. tariff on Mexican goods"



def claims_of(text: str) -> list[dict]:
    return extract_claims(sentences_of(text)).to_dicts()


def one_claim(text: str) -> dict:
    found = claims_of(text)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------------
# Number formats and units.


@pytest.mark.parametrize(
    ("text", "raw", "value", "unit", "qualifier"),
    [
        ("The army moved 12,500 soldiers north.", "12,500", 12_500, "troops", "exact"),
        ("Washington pledged $4.2 billion for border scanners.", "$4.2 billion", 4.2e9, "USD",
         "exact"),
        ("Imports reached \\$710 million last quarter.", "\\$710 million", 7.1e8, "USD",
         "exact"),
        ("The levy rose to 18% on avocados.", "18%", 18, "percent", "exact"),
        ("Seizures fell 40 percent in the port.", "40 percent", 40, "percent", "exact"),
        ("A duty of up to 35% applies to trucks.", "up to 35%", 35, "percent", "up_to"),
        ("Crossings dropped about 60 percent.", "about 60 percent", 60, "percent", "about"),
        ("The pact has lasted more than 20 years.", "more than 20 years", 20, "years", "over"),
        ("Officials counted above 70 fugitives.", "above 70", 70, "people", "over"),
        ("Nearly 300 migrants waited at the gate.", "Nearly 300", 300, "people", "about"),
        ("At least 14 officers were charged.", "At least 14", 14, "people", "at_least"),
        ("Fewer than 8 judges resigned.", "Fewer than 8", 8, "people", "under"),
        ("One-third of the detainees were minors.", "One-third", 100 / 3, "percent", "exact"),
        ("Police questioned dozens of suspects.", "dozens", 24, "people", "at_least"),
        ("Prosecutors charged seven mayors.", "seven", 7, "people", "exact"),
        ("El Congreso aprobó 2,7 mil millones de dólares.", "2,7 mil millones de dólares",
         2.7e9, "USD", "exact"),
        ("La violencia bajó el 45 por ciento.", "45 por ciento", 45, "percent", "exact"),
        ("A 12-year sentence was imposed.", "12-year", 12, "years", "exact"),
    ],
)
def test_number_formats(text, raw, value, unit, qualifier):
    claim = one_claim(text)
    assert claim["raw"] == raw
    assert claim["value"] == pytest.approx(value)
    assert claim["unit"] == unit
    assert claim["qualifier"] == qualifier


def test_rate_unit_per_month():
    claim = one_claim("Agents stopped 4,100 migrants per month at the crossing.")
    assert (claim["value"], claim["unit"]) == (4100, "people per month")


def test_ranges_keep_both_ends():
    claim = one_claim("Tariffs between 20 and 30 percent were floated.")
    assert (claim["value"], claim["value_high"], claim["qualifier"]) == (20, 30, "range")
    dash = one_claim("A 15-20% cut was proposed.")
    assert (dash["value"], dash["value_high"], dash["unit"]) == (15, 20, "percent")


def test_from_to_is_a_change_not_a_range():
    found = claims_of("The forecast went from 4% to 2% in one month.")
    assert [(c["value"], c["value_high"], c["qualifier"]) for c in found] == [
        (4, None, "exact"), (2, None, "exact"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Section 4.1 of the treaty covers arbitration.",
        "Under Article 19 of the law, judges may refuse.",
        "The summit opened on 3 March 2025 in Monterrey.",
        "Talks resumed in 2019 after a pause.",
        "Mexico remembers 1847 well.",
        "The call started at 14:30 and ended at 6 p.m. sharp.",
        "Call the hotline on +52 55 1234 5678 or 555-0134 for help.",
        "He finished 3rd in the vote.",
        "The G20 and COVID-19 dominated the agenda.",
        "Tension grew over the past two weeks.",
        "The two governments met again.",
        "It was the second round of talks.",
        "No. 7 on the list was a senator.",
    ],
)
def test_non_claims(text):
    assert claims_of(text) == []


def test_offsets_point_into_the_document_text():
    doc = "Preface line.\nThe navy sent 2,300 sailors and more than $75 million."
    sents = sentences_of("The navy sent 2,300 sailors and more than $75 million.", offset=14)
    claims = extract_claims(sents)
    assert claims.height == 2
    for row in claims.iter_rows(named=True):
        assert doc[row["start"]:row["end"]] == row["raw"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("0123456789 ,.$%-–aAofthe\\(){}abpercent\n")
                                + ["million", " about ", " between ", " and ", " dozens of ",
                                   " June ", "2025", "one-third", " people", " troops"]),
                max_size=40).map("".join))
def test_offsets_hold_for_arbitrary_text(text):
    claims = extract_claims(sentences_of(text, offset=5))
    for row in claims.iter_rows(named=True):
        assert text[row["start"] - 5:row["end"] - 5] == row["raw"]
        assert row["value"] >= 0


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_never_raises(text):
    claims = extract_claims(sentences_of(text))
    assert claims.schema == pl.Schema(CLAIM_SCHEMA)


# --------------------------------------------------------------------------------------
# Subjects.


def test_transfer_vocabulary_covers_verbs_and_nouns():
    found = claims_of(
        "Mexico extradited 26 capos to Texas, while the cabinet sent 14 narcos to New York."
    )
    assert [c["subject"] for c in found] == [TRANSFERS, TRANSFERS]
    assert [c["unit"] for c in found] == ["people", "people"]


def test_spanish_transfer_sentence():
    claim = one_claim("México envió 29 capos a Estados Unidos.")
    assert (claim["value"], claim["unit"], claim["subject"]) == (29, "people", TRANSFERS)


def test_batch_and_total_are_told_apart_and_unit_is_inherited():
    found = claims_of(
        "Authorities handed over 14 fugitives this week alone, bringing the total to 61."
    )
    assert [(c["value"], c["unit"], c["subject"]) for c in found] == [
        (14, "people", TRANSFERS + BATCH), (61, "people", TRANSFERS),
    ]


def test_a_transfer_on_a_named_day_is_one_batch():
    found = claims_of("Mexico agreed on Friday to extradite 18 cartel members to the U.S.")
    assert [(c["value"], c["subject"]) for c in found] == [(18, TRANSFERS + BATCH)]
    found = claims_of("El viernes México envió 12 capos a Estados Unidos.")
    assert [(c["value"], c["subject"]) for c in found] == [(12, TRANSFERS + BATCH)]


def test_tariff_subjects_follow_the_goods():
    found = claims_of(
        "A 20% duty hit Mexican goods in May, and up to 40% applied on steel and copper."
    )
    assert [(c["value"], c["subject"]) for c in found] == [
        (20, TARIFF), (40, "tariff on steel, aluminium and copper"),
    ]


def test_generic_subject_falls_back_to_the_noun_phrase():
    claim = one_claim("Inspectors closed 41 customs warehouses.")
    assert (claim["subject"], claim["unit"]) == ("customs warehouses", "count")


def test_stance_from_highest_score_non_negated_code():
    sents = sentences_of("Mexico sent 19 suspects north after Washington imposed tariffs.")
    codes = pl.DataFrame({
        "doc_id": ["d1"] * 3, "sent_id": [1] * 3,
        "stance": ["cooperation", "coercion", "resistance"],
        "category": ["JUDICIAL", "SANCTION", "REJECT"], "actor": ["MX", "US", "MX"],
        "status": ["actual", "actual", "negated"], "score": [9.5, -6.0, -20.0],
        "match_start": [7, 44, 0], "match_end": [11, 51, 6],
    })
    assert extract_claims(sents, codes)["stance"].to_list() == ["cooperation"]
    assert extract_claims(sents)["stance"].to_list() == [None]


def test_extract_claims_errors():
    with pytest.raises(ValueError, match=r"code_choice='word' is not allowed; choose one of"):
        extract_claims(sentences_of("x"), code_choice="word")
    with pytest.raises(ValueError, match=r"sentences is missing column\(s\) text;"):
        extract_claims(sentences_of("x").drop("text"))
    with pytest.raises(ValueError, match=r"codes is missing column\(s\) score;"):
        extract_claims(sentences_of("x"), pl.DataFrame({
            "doc_id": ["d1"], "sent_id": [1], "stance": ["coercion"], "category": ["DEMAND"],
            "actor": ["US"], "status": ["actual"]}))


# --------------------------------------------------------------------------------------
# Vocabulary file.


def test_packaged_vocabulary_loads():
    subjects = load_subjects()
    assert TRANSFERS in {s.subject for s in subjects}
    assert all(s.counted for s in subjects)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[]", r"expected a mapping with a 'subjects' list"),
        ("subjects: [3]", r"subjects entry 1: expected a mapping, got int"),
        ("subjects:\n  - {subject: x, kind: sometimes, units: [count], counted: [a]}",
         r"kind='sometimes' is not allowed; choose one of"),
        ("subjects:\n  - {subject: '', kind: fixed, units: [count], counted: [a]}",
         r"'subject' must be a non-empty string"),
        ("subjects:\n  - {subject: x, kind: fixed, units: [litres], counted: [a]}",
         r"units \['litres'\] not allowed"),
        ("subjects:\n  - {subject: x, kind: fixed, units: [count], counted: []}",
         r"'counted' needs at least one word"),
        ("subjects:\n  - {subject: x, kind: fixed, units: [count], counted: a}",
         r"'counted' must be a list of strings"),
        ("subjects:\n  - {subject: x, kind: fixed, units: [count], counted: [a], colour: 1}",
         r"unknown field\(s\) \['colour'\]"),
        ("subjects:\n  - {subject: x, kind: fixed, units: [count], counted: [a], batches: 2}",
         r"'batches' must be true or false"),
    ],
)
def test_vocabulary_errors_name_file_entry_and_field(tmp_path: Path, body: str, message: str):
    path = tmp_path / "subjects.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_subjects(path)


# --------------------------------------------------------------------------------------
# Corroboration.


def claim_rows(*rows: tuple) -> pl.DataFrame:
    """(doc_id, value, qualifier, subject, unit) tuples -> a claims table."""
    return pl.DataFrame(
        [{"doc_id": d, "sent_id": 1, "raw": f"{v:g}", "value": float(v), "value_high": None,
          "unit": u, "qualifier": q, "subject": s, "stance": None, "start": 0, "end": 1}
         for d, v, q, s, u in rows],
        schema=CLAIM_SCHEMA, orient="row",
    )


def docs_table(*rows: tuple) -> pl.DataFrame:
    """(doc_id, source, published) tuples -> a documents table."""
    out = []
    for doc_id, source, published in rows:
        precision = {4: "year", 7: "month", 10: "day"}[len(published)]
        day = dt.date.fromisoformat(published + {"year": "-01-01", "month": "-01",
                                                 "day": ""}[precision])
        out.append({"doc_id": doc_id, "source": source, "published": published,
                    "published_date": day, "date_precision": precision})
    return pl.DataFrame(out)


DOCS = docs_table(("a", "Alpha", "2025-03"), ("b", "Beta", "2025-03-20"),
                  ("c", "Gamma", "2026-01"), ("d", "Alpha", "2025-04"))


def marks(result: pl.DataFrame) -> dict[tuple[str, float], str]:
    return {(r["doc_id"], r["value"]): r["mark"] for r in result.iter_rows(named=True)}


def test_running_total_corroborated_with_compatible_qualifier():
    result = corroborate(claim_rows(("a", 92, "exact", TRANSFERS, "people"),
                                    ("c", 90, "over", TRANSFERS, "people")), DOCS)
    assert set(result["mark"]) == {"corroborated"}
    assert result["group_id"].n_unique() == 1


def test_running_total_growing_over_time_is_updated():
    result = corroborate(claim_rows(("a", 55, "exact", TRANSFERS, "people"),
                                    ("c", 92, "exact", TRANSFERS, "people")), DOCS)
    assert set(result["mark"]) == {"updated"}
    assert result["doc_id"].to_list() == ["a", "c"]  # in publication order


def test_running_total_same_period_disagreement_conflicts():
    # a (March 2025) and b (20 March 2025) overlap in time: no update is possible
    result = corroborate(claim_rows(("a", 40, "exact", TRANSFERS, "people"),
                                    ("b", 60, "exact", TRANSFERS, "people")), DOCS)
    assert set(result["mark"]) == {"conflicting"}


def test_running_total_shrinking_later_conflicts():
    result = corroborate(claim_rows(("a", 92, "exact", TRANSFERS, "people"),
                                    ("c", 55, "exact", TRANSFERS, "people")), DOCS)
    assert set(result["mark"]) == {"conflicting"}


def test_fixed_subject_disagreement_conflicts():
    subject = "National Guard troops deployed to the border"
    result = corroborate(claim_rows(("a", 10_000, "exact", subject, "troops"),
                                    ("c", 15_000, "exact", subject, "troops")), DOCS)
    assert set(result["mark"]) == {"conflicting"}


def test_generic_subject_never_merges_different_values():
    result = corroborate(claim_rows(("a", 25, "exact", TARIFF, "percent"),
                                    ("b", 25, "about", TARIFF, "percent"),
                                    ("c", 30, "exact", TARIFF, "percent")), DOCS)
    assert marks(result) == {("a", 25): "corroborated", ("b", 25): "corroborated",
                             ("c", 30): "single_source"}
    assert result["group_id"].n_unique() == 2


def test_generic_open_ended_claim_stays_apart():
    result = corroborate(claim_rows(("a", 50, "up_to", TARIFF, "percent"),
                                    ("c", 50, "exact", TARIFF, "percent")), DOCS)
    assert set(result["mark"]) == {"single_source"}
    assert result["group_id"].n_unique() == 2


def test_same_outlet_is_one_source():
    result = corroborate(claim_rows(("a", 6, "exact", "wells", "count"),
                                    ("d", 6, "exact", "wells", "count")), DOCS)
    assert set(result["mark"]) == {"single_source"}


def test_units_and_subjects_never_mix():
    result = corroborate(claim_rows(("a", 6, "exact", "wells", "count"),
                                    ("c", 6, "exact", "wells", "percent"),
                                    ("b", 6, "exact", "pumps", "count")), DOCS)
    assert result["group_id"].n_unique() == 3
    assert result.schema == pl.Schema(CORROBORATION_SCHEMA)


def test_tolerance_controls_agreement():
    # 100 and 112 are 12% apart: apart at 5% tolerance, together at 6%
    rows = claim_rows(("a", 100, "exact", "wells", "count"),
                      ("c", 112, "exact", "wells", "count"))
    assert corroborate(rows, DOCS)["group_id"].n_unique() == 2
    assert set(corroborate(rows, DOCS, tolerance=0.06)["mark"]) == {"corroborated"}


def test_corroborate_errors():
    rows = claim_rows(("a", 1, "exact", "wells", "count"))
    with pytest.raises(ValueError, match=r"tolerance=0.7 is out of range; give a number"):
        corroborate(rows, DOCS, tolerance=0.7)
    with pytest.raises(ValueError, match=r"documents is missing column\(s\) published;"):
        corroborate(rows, DOCS.drop("published"))
    with pytest.raises(ValueError, match=r"claims is missing column\(s\) raw;"):
        corroborate(rows.drop("raw"), DOCS)


# --------------------------------------------------------------------------------------
# The seed articles.


@pytest.fixture(scope="module")
def seed_claims(seed_sentences: pl.DataFrame) -> pl.DataFrame:
    from analysis.indicators import code_sentences

    return extract_claims(seed_sentences, code_sentences(seed_sentences))


def _doc(prefix: str, table: pl.DataFrame) -> pl.DataFrame:
    return table.filter(pl.col("doc_id").str.starts_with(prefix))


def _has(table: pl.DataFrame, prefix: str, value: float, unit: str, **extra) -> bool:
    rows = _doc(prefix, table).filter(
        (pl.col("value") - value).abs() < 1e-6 * max(1.0, value), pl.col("unit") == unit
    )
    for column, expected in extra.items():
        rows = rows.filter(pl.col(column) == expected)
    return rows.height > 0


def test_seed_claims_listed_in_the_articles_are_found(seed_claims: pl.DataFrame):
    expected = [
        ("000", 92, "people", {"subject": TRANSFERS}),
        ("000", 37, "people", {"subject": TRANSFERS + BATCH}),
        ("000", 37, "percent", {"subject": "reduction in homicides"}),
        ("000", 25, "percent", {"subject": TARIFF}),
        ("000", 50, "percent", {"qualifier": "up_to"}),
        ("001", 10_000, "troops", {}),
        ("001", 55, "people", {"subject": TRANSFERS}),
        ("001", 3.6e9, "USD", {"qualifier": "over"}),
        ("001", 15, "years", {"qualifier": "over"}),
        ("001", 30, "percent", {"subject": TARIFF}),
        ("002", 37, "people", {"subject": TRANSFERS + BATCH}),
        ("002", 90, "people", {"qualifier": "over", "subject": TRANSFERS}),
        ("003", 25, "percent", {"subject": TARIFF}),
        ("003", 552e9, "USD", {}),
        ("003", 100 / 3, "percent", {}),
        ("003", 24, "people", {"qualifier": "at_least"}),
        ("003", 50, "percent", {"qualifier": "exact"}),
        ("004", 50, "percent", {"qualifier": "about"}),
        ("004", 30_000, "deaths", {"qualifier": "over"}),
    ]
    missing = [e for e in expected if not _has(seed_claims, e[0], e[1], e[2], **e[3])]
    assert missing == []


def test_seed_dates_and_years_are_not_claims(seed_claims: pl.DataFrame):
    years = seed_claims.filter(pl.col("value").is_between(1900, 2100), pl.col("unit") == "count")
    assert years.height == 0
    assert not _has(seed_claims, "004", 18, "count")  # the dateline's time 18:08


def test_seed_claim_offsets(seed_claims: pl.DataFrame, seed_documents: pl.DataFrame):
    texts = dict(seed_documents.select("doc_id", "text").iter_rows())
    for row in seed_claims.iter_rows(named=True):
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["raw"]


def test_seed_corroboration_groups(seed_claims: pl.DataFrame, seed_documents: pl.DataFrame):
    result = corroborate(seed_claims, seed_documents)
    totals = result.filter(pl.col("subject") == TRANSFERS)
    # 55 (2025 article), above 90 and 92 (2026 articles): one running total that grew
    assert sorted(totals["value"].to_list()) == [55, 90, 92]
    assert set(totals["mark"]) == {"updated"}
    published = dict(seed_documents.select("doc_id", "published_date").iter_rows())
    by_value = {r["value"]: published[r["doc_id"]] for r in totals.iter_rows(named=True)}
    assert by_value[55] < by_value[90] and by_value[55] < by_value[92]
    # 92 and "above 90" agree with each other
    ninety = totals.filter(pl.col("value") >= 90)
    assert ninety["doc_id"].n_unique() == 2
    # the repeated 37 transfers in January 2026: two articles, one batch
    batches = result.filter(pl.col("subject") == TRANSFERS + BATCH, pl.col("value") == 37)
    assert batches["doc_id"].n_unique() == 2
    assert set(batches["mark"]) == {"corroborated"}
    # every claim appears exactly once
    assert result.height == seed_claims.height
