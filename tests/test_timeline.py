"""Tests for analysis.timeline: date finding, year resolution, codes, the timeline merge."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from text_tables import sentences_of

from analysis.timeline import (
    EVENT_SCHEMA,
    TIMELINE_SCHEMA,
    clause_spans,
    extract_events,
    find_dates,
    timeline,
)

D = dt.date



def docs_of(published: str | None, doc_id: str = "d1", text: str = "") -> pl.DataFrame:
    if published is None:
        day, precision = None, "unknown"
    else:
        precision = {4: "year", 7: "month", 10: "day"}[len(published)]
        day = D.fromisoformat(published + {"year": "-01-01", "month": "-01",
                                           "day": ""}[precision])
    return pl.DataFrame({"doc_id": [doc_id], "source": [f"Source {doc_id}"],
                         "published": [published or ""], "published_date": [day],
                         "date_precision": [precision], "text": [text]},
                        schema_overrides={"published_date": pl.Date})


def events_of(*texts: str, published: str | None = "2026-06", **kw) -> list[dict]:
    sents = sentences_of(*texts)
    docs = docs_of(published, text=" ".join(texts))
    return extract_events(sents, docs, **kw).to_dicts()


def one_event(text: str, **kw) -> dict:
    found = events_of(text, **kw)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------------------
# Finding dates.


@pytest.mark.parametrize(
    ("text", "expression", "parts"),
    [
        ("Talks began in February 2024 in Mérida.", "in February 2024", (2024, 2, None)),
        ("The raid came on 14 March 2023.", "on 14 March 2023", (2023, 3, 14)),
        ("It was signed June 9, 2022, at noon.", "June 9, 2022", (2022, 6, 9)),
        ("Nothing changed since April 2021.", "since April 2021", (2021, 4, None)),
        ("Aid resumed at the end of September.", "at the end of September", (None, 9, None)),
        ("Firms braced for a tariff in early May.", "in early May", (None, 5, None)),
        ("La reunión fue en enero de 2026.", "en enero de 2026", (2026, 1, None)),
        ("Se firmó el 10 de junio de 2025.", "el 10 de junio de 2025", (2025, 6, 10)),
        ("Growth slowed in mid-2023.", "in mid-2023", (2023, None, None)),
        ("A November summit was planned.", "A November", (None, 11, None)),
    ],
)
def test_find_dates_patterns(text, expression, parts):
    found = find_dates(text)
    assert len(found) == 1
    m = found[0]
    assert m.expression == expression
    assert (m.year, m.month, m.day) == parts
    assert text[m.start:m.end] == expression


@pytest.mark.parametrize(
    "text",
    [
        "Mexico may respond with tariffs.",
        "Protesters march on the capital.",
        "The troops numbered 10,000 and cost $2024 each.",
    ],
)
def test_words_and_numbers_that_are_not_dates(text):
    assert find_dates(text) == []


def test_dateline_with_clock_time_is_not_an_event():
    assert events_of("Daily Wire | 3 Feb 2026 09:15") == []


def test_clause_spans_levels_and_error():
    s = "In May, prices rose, and in June they fell, with tariffs rising."
    assert [s[a:b] for a, b in clause_spans(s)] == [
        "In May, prices rose", ", and in June they fell", ", with tariffs rising.",
    ]
    assert len(clause_spans(s, level="coordinate")) == 2
    with pytest.raises(ValueError, match=r"level='words' is not allowed; choose one of"):
        clause_spans(s, level="words")


# --------------------------------------------------------------------------------------
# Year resolution and scheduling.


def test_missing_year_from_publication_most_recent_not_after():
    april, december = events_of("In April, the envoy resigned.", "In December, he returned.")
    assert (april["date"], april["precision"]) == (D(2026, 4, 1), "month")
    assert december["date"] == D(2025, 12, 1)
    assert april["year_resolved_from_publication"] and december["year_resolved_from_publication"]
    assert not april["scheduled"]


def test_missing_year_continues_previous_sentence():
    first, second = events_of("On 3 February 2024, the border closed.",
                              "In May, it reopened.")
    assert first["date"] == D(2024, 2, 3) and not first["year_resolved_from_publication"]
    assert second["date"] == D(2024, 5, 1)
    assert not second["year_resolved_from_publication"]


def test_anchor_does_not_cross_paragraphs():
    texts = ("On 3 February 2024, the border closed.", "In May, it reopened.")
    sents = sentences_of(*texts)
    docs = docs_of("2026-06", text="\n".join(texts))
    events = extract_events(sents, docs)
    assert events["date"].to_list() == [D(2024, 2, 3), D(2026, 5, 1)]


def test_future_clause_takes_next_occurrence_and_is_scheduled():
    event = one_event("Negotiators will meet again in March.")
    assert event["date"] == D(2027, 3, 1)
    assert event["scheduled"] and event["year_resolved_from_publication"]


def test_date_after_publication_is_scheduled():
    event = one_event("The treaty review in July 2027 matters.")
    assert event["scheduled"] and event["date"] == D(2027, 7, 1)
    past = one_event("The treaty review in July 2025 mattered.")
    assert not past["scheduled"]


def test_future_tense_only_in_its_own_clause():
    later, earlier = events_of(
        "In 2028, elections will be held, and on 2 May, the senate approved the bill."
    )
    assert later["scheduled"] and later["precision"] == "year"
    assert earlier["date"] == D(2026, 5, 2) and not earlier["scheduled"]


def test_no_publication_date_gives_reason():
    event = one_event("In April, the envoy resigned.", published=None)
    assert event["date"] is None
    assert event["reason"] == "year not written and no publication date"


def test_invalid_day_stays_with_reason():
    event = one_event("The deadline was 31 February 2025.")
    assert event["date"] is None and event["reason"].startswith("no such day")


def test_vague_expression_stays_with_reason():
    event = one_event("In recent weeks, raids multiplied.")
    assert event["date"] is None and event["reason"].startswith("vague relative time")


def test_relative_years_and_dateparser_relative_days():
    assert one_event("Killings rose last year.", published="2026-01-12")["date"] == D(2025, 1, 1)
    ago = one_event("The convoy left two weeks ago.", published="2026-01-12")
    assert (ago["date"], ago["precision"]) == (D(2025, 12, 29), "day")
    coarse = one_event("The convoy left two weeks ago.", published="2026-01")
    assert coarse["date"] is None and "needs a publication date at day" in coarse["reason"]


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_never_raises(text):
    events = extract_events(sentences_of(text), docs_of("2026-01", text=text))
    assert events.schema == pl.Schema(EVENT_SCHEMA)
    for row in events.iter_rows(named=True):
        assert text[row["start"]:row["end"]] == row["expression"]


# --------------------------------------------------------------------------------------
# Codes.

TEXT = "In March 2025, Washington imposed tariffs, and in May 2025, Mexico sent 26 capos north."
CODES = pl.DataFrame({
    "doc_id": ["d1"] * 3, "sent_id": [1] * 3,
    "stance": ["coercion", "cooperation", "resistance"],
    "category": ["SANCTION", "JUDICIAL", "REJECT"], "actor": ["US", "MX", "MX"],
    "status": ["actual", "actual", "negated"], "score": [-6.0, 9.5, -20.0],
    "match_start": [26, 67, 0], "match_end": [41, 71, 2],
})


def test_each_date_takes_the_code_of_its_clause():
    events = extract_events(sentences_of(TEXT), docs_of("2026-06", text=TEXT), CODES)
    assert events.select("category", "stance", "actor").rows() == [
        ("SANCTION", "coercion", "US"), ("JUDICIAL", "cooperation", "MX"),
    ]


def test_sentence_choice_takes_highest_abs_score_non_negated():
    events = extract_events(sentences_of(TEXT), docs_of("2026-06", text=TEXT), CODES,
                            code_choice="sentence")
    assert events["category"].to_list() == ["JUDICIAL", "JUDICIAL"]


def test_extract_events_errors():
    with pytest.raises(ValueError, match=r"code_choice='nearest' is not allowed; choose one"):
        extract_events(sentences_of(TEXT), docs_of("2026-06"), code_choice="nearest")
    with pytest.raises(ValueError, match=r"documents is missing column\(s\) date_precision;"):
        extract_events(sentences_of(TEXT), docs_of("2026-06").drop("date_precision"))


# --------------------------------------------------------------------------------------
# Timeline merge.


def event_rows(*rows: tuple) -> pl.DataFrame:
    """(doc_id, date, precision, category, stance) tuples -> an events table."""
    return pl.DataFrame(
        [{"doc_id": d, "sent_id": 1, "expression": "x", "date": day, "precision": p,
          "year_resolved_from_publication": False, "scheduled": False, "stance": s,
          "category": c, "actor": "US" if c else None, "reason": None, "start": 0, "end": 1}
         for d, day, p, c, s in rows],
        schema=EVENT_SCHEMA, orient="row",
    )


TL_DOCS = pl.DataFrame({"doc_id": ["a", "b"], "source": ["Alpha", "Beta"],
                        "published_date": [D(2025, 9, 1), D(2025, 8, 1)]})


def test_same_date_precision_category_is_one_event_with_all_sources():
    ev = event_rows(("a", D(2025, 6, 1), "month", "SANCTION", "coercion"),
                    ("b", D(2025, 6, 1), "month", "SANCTION", "coercion"),
                    ("b", D(2025, 6, 1), "month", "THREATEN", "coercion"))
    tl = timeline(ev, TL_DOCS)
    assert tl.height == 2
    merged = tl.filter(pl.col("category") == "SANCTION").row(0, named=True)
    assert merged["n_sources"] == 2
    assert merged["doc_ids"] == ["b", "a"]  # earlier publication first
    assert merged["sources"] == ["Beta", "Alpha"]
    assert tl.schema == pl.Schema(TIMELINE_SCHEMA)


def test_uncoded_merge_by_stance_and_precision_matters():
    ev = event_rows(("a", D(2026, 7, 1), "month", None, None),
                    ("b", D(2026, 7, 1), "month", None, None),
                    ("b", D(2026, 7, 1), "day", None, None))
    tl = timeline(ev, TL_DOCS)
    # uncoded and not scheduled: a month and a day in it are not assumed to be one event
    assert tl.select("precision", "n_sources").rows() == [("month", 2), ("day", 1)]


def test_a_month_joins_the_only_day_of_that_month_with_the_same_act():
    ev = event_rows(("a", D(2025, 3, 1), "month", "SANCTION", "coercion"),
                    ("b", D(2025, 3, 4), "day", "SANCTION", "coercion"),
                    ("a", D(2025, 5, 1), "month", "AID", "cooperation"),
                    ("a", D(2025, 5, 2), "day", "AID", "cooperation"),
                    ("b", D(2025, 5, 20), "day", "AID", "cooperation"))
    tl = timeline(ev, TL_DOCS)
    march = tl.filter(pl.col("category") == "SANCTION").row(0, named=True)
    assert (march["date"], march["precision"], march["doc_ids"]) == (
        D(2025, 3, 4), "day", ["b", "a"])
    # two days in May could be meant: the month stays apart
    assert tl.filter(pl.col("category") == "AID")["precision"].to_list() == [
        "month", "day", "day"]


def test_an_article_giving_a_month_and_a_day_reports_two_events():
    ev = event_rows(("a", D(2026, 6, 1), "month", "THREATEN", "coercion"),
                    ("a", D(2026, 6, 10), "day", "THREATEN", "coercion"))
    assert timeline(ev, TL_DOCS)["precision"].to_list() == ["month", "day"]


def test_a_scheduled_month_and_day_are_one_event():
    ev = event_rows(("a", D(2026, 7, 1), "month", None, None),
                    ("b", D(2026, 7, 1), "day", None, None)).with_columns(
        scheduled=pl.lit(True))
    tl = timeline(ev, TL_DOCS)
    assert tl.select("date", "precision", "n_sources", "scheduled").rows() == [
        (D(2026, 7, 1), "day", 2, True)]


def test_timeline_filters_and_order():
    ev = event_rows(("a", D(2025, 1, 1), "year", "AID", "cooperation"),
                    ("a", D(2024, 5, 1), "month", None, None),
                    ("b", D(2025, 3, 9), "day", "REJECT", "resistance"),
                    ("b", None, None, None, None))
    assert timeline(ev, TL_DOCS)["date"].to_list() == [D(2024, 5, 1), D(2025, 3, 9)]
    assert timeline(ev, TL_DOCS, precision="year")["date"].to_list() == [
        D(2024, 5, 1), D(2025, 1, 1), D(2025, 3, 9)]
    assert timeline(ev, TL_DOCS, stance="coded")["category"].to_list() == ["REJECT"]
    assert timeline(ev, TL_DOCS, start=D(2025, 1, 1))["date"].to_list() == [D(2025, 3, 9)]
    assert timeline(ev, TL_DOCS, end=D(2024, 12, 31))["date"].to_list() == [D(2024, 5, 1)]


def test_timeline_errors():
    ev = event_rows(("a", D(2025, 1, 1), "year", "AID", "cooperation"))
    with pytest.raises(ValueError, match=r"precision='week' is not allowed; choose one of"):
        timeline(ev, TL_DOCS, precision="week")
    with pytest.raises(ValueError, match=r"stance='all' is not allowed; choose one of"):
        timeline(ev, TL_DOCS, stance="all")
    with pytest.raises(ValueError, match=r"start=2025-02-01 is after end=2025-01-01"):
        timeline(ev, TL_DOCS, start=D(2025, 2, 1), end=D(2025, 1, 1))
    with pytest.raises(ValueError, match=r"events is missing column\(s\) scheduled;"):
        timeline(ev.drop("scheduled"), TL_DOCS)


# --------------------------------------------------------------------------------------
# The seed articles.


@pytest.fixture(scope="module")
def seed_events(seed_sentences, seed_documents) -> pl.DataFrame:
    from analysis.indicators import code_sentences

    return extract_events(seed_sentences, seed_documents, code_sentences(seed_sentences))


def _sentence_has(seed_sentences, row: dict, words: str) -> bool:
    text = seed_sentences.filter(pl.col("doc_id") == row["doc_id"],
                                 pl.col("sent_id") == row["sent_id"])["text"][0]
    return words in text


def test_seed_event_offsets(seed_events, seed_documents):
    texts = dict(seed_documents.select("doc_id", "text").iter_rows())
    for row in seed_events.iter_rows(named=True):
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["expression"]


def test_seed_years_resolved_from_context_and_publication(seed_events, seed_sentences):
    rows = {(r["doc_id"][:3], r["expression"]): r for r in seed_events.iter_rows(named=True)}
    # "On 20 January 2025 ... In March, he imposed 25% tariffs": the narrative's year
    march = rows[("003", "In March")]
    assert march["date"] == D(2025, 3, 1) and not march["year_resolved_from_publication"]
    # "On 10 June, Trump suggested ..." in a June 2026 article: the publication year
    june = rows[("003", "On 10 June")]
    assert june["date"] == D(2026, 6, 10) and june["year_resolved_from_publication"]
    assert rows[("004", "last year")]["date"] == D(2025, 1, 1)
    assert rows[("002", "In recent weeks")]["reason"] is not None


def test_seed_timeline_acts_in_order_with_stance_and_sources(
    seed_events, seed_documents, seed_sentences
):
    tl = timeline(seed_events, seed_documents, start=D(2024, 1, 1), end=D(2026, 12, 31))
    assert tl["date"].is_sorted()
    assert tl["date"].min().year == 2024
    assert tl["date"].max() == D(2026, 7, 1)

    def act(day: D, stance: str, words: str) -> dict:
        rows = [r for r in tl.filter(pl.col("date") == day).iter_rows(named=True)
                if r["stance"] == stance]
        assert rows, (day, stance)
        events = seed_events.filter(pl.col("date") == day, pl.col("stance") == stance)
        assert any(_sentence_has(seed_sentences, e, words) for e in events.iter_rows(named=True))
        return rows[0]

    # the acts the articles date, with the stance the hand codes give those sentences
    designation = act(D(2025, 2, 1), "coercion", "designated as terrorist organizations")
    tariffs_march = act(D(2025, 3, 1), "coercion", "imposed 25% tariffs")
    tariffs_june = act(D(2025, 6, 1), "coercion", "general tariffs of 25%")
    transfers_aug = act(D(2025, 8, 1), "cooperation", "transfers occurring in August 2025")
    transfers_jan = act(D(2026, 1, 1), "cooperation", "37 transferred in January 2026")
    order = [designation, tariffs_march, tariffs_june, transfers_aug, transfers_jan]
    assert [r["date"] for r in order] == sorted(r["date"] for r in order)
    assert all(r["n_sources"] == len(r["sources"]) >= 1 for r in order)

    review = tl.filter(pl.col("date") == D(2026, 7, 1))
    assert review["label"].str.starts_with("Scheduled: ").all()
    review_docs = {d[:3] for ids in review["doc_ids"] for d in ids}
    assert review_docs == {"002", "003"}
