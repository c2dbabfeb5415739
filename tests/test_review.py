"""What a re-run changed (analysis.review): every moved number named by table, row and column."""

from __future__ import annotations

import polars as pl

from analysis import review


def test_a_changed_value_is_named_by_table_row_and_column(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    pl.DataFrame({"group": ["a", "b"], "stance": ["coop", "coop"], "rate": [1.5, 2.0]}).write_csv(
        old / "rates.csv"
    )
    pl.DataFrame({"group": ["a", "b"], "stance": ["coop", "coop"], "rate": [1.5, 2.25]}).write_csv(
        new / "rates.csv"
    )
    changes = review.compare_tables(old, new)
    # values print as the CSV holds them
    assert changes == [review.Change("rates", "changed", "group=b", "rate", "2.0", "2.25")]
    lines = review.format_changes(changes)
    assert lines[1] == "  rates: group=b: rate 2.0 → 2.25"


def test_text_that_looks_like_a_number_prints_as_written(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "sets.csv").write_text("set,codebook,f1\na,2.0,0.8668327258991\n", encoding="utf-8")
    (new / "sets.csv").write_text("set,codebook,f1\na,2.1,0.8746891234\n", encoding="utf-8")
    shown = {(c.column, c.old, c.new) for c in review.compare_tables(old, new)}
    # a version stays "2.0", not the number 2; a long number is cut to six digits
    assert shown == {("codebook", "2.0", "2.1"), ("f1", "0.866833", "0.874689")}


def test_a_moved_number_in_a_longer_table_is_a_change_of_its_row(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "sets.csv").write_text("set,f1,stance\na,0.5,coop\na,0.7,coer\n", encoding="utf-8")
    (new / "sets.csv").write_text("set,f1,stance\na,0.5,coop\na,0.75,coer\n", encoding="utf-8")
    # the numbers are values, not part of the row's name, though read as text
    assert review.compare_tables(old, new) == [
        review.Change("sets", "changed", "set=a, stance=coer", "f1", "0.7", "0.75")
    ]


def test_numbers_written_differently_are_the_same_number(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "t.csv").write_text("k,v\na,2\nb,0.1\n", encoding="utf-8")
    (new / "t.csv").write_text("k,v\na,2.0\nb,0.10000000000001\n", encoding="utf-8")
    assert review.compare_tables(old, new) == []


def test_rows_added_and_removed_and_tables_new_or_gone(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    pl.DataFrame({"doc_id": ["a", "b"], "n": [1, 2]}).write_csv(old / "docs.csv")
    pl.DataFrame({"doc_id": ["b", "c"], "n": [2, 5]}).write_csv(new / "docs.csv")
    pl.DataFrame({"x": [1]}).write_csv(old / "gone.csv")
    pl.DataFrame({"x": [1]}).write_csv(new / "fresh.csv")
    kinds = {(c.table, c.kind, c.row) for c in review.compare_tables(old, new)}
    assert kinds == {
        ("docs", "removed", "doc_id=a"),
        ("docs", "added", "doc_id=c"),
        ("fresh", "new table", ""),
        ("gone", "table removed", ""),
    }


def test_equal_tables_report_no_change_despite_float_noise():
    a = pl.DataFrame({"k": ["x"], "v": [0.1 + 0.2]})
    b = pl.DataFrame({"k": ["x"], "v": [0.3]})
    assert review.compare_frames("t", a, b) == []
    assert review.format_changes([]) == ["No published number changed."]


def test_rows_without_a_key_compare_as_a_multiset():
    a = pl.DataFrame({"v": [1.0, 1.0, 2.0]})
    b = pl.DataFrame({"v": [1.0, 2.0, 3.0]})
    got = [(c.kind, c.row) for c in review.compare_frames("t", a, b)]
    assert got == [("removed", "v=1"), ("added", "v=3")]


def test_the_row_key_is_the_shortest_run_that_names_each_row():
    a = pl.DataFrame({"doc_id": ["d", "d"], "sent_id": [1, 2], "label": ["x", "y"], "n": [1, 1]})
    b = a.with_columns(n=pl.Series([1, 4]))
    (change,) = review.compare_frames("t", a, b)
    assert change.row == "doc_id=d, sent_id=2"
    assert (change.column, change.old, change.new) == ("n", "1", "4")


def test_long_output_is_cut_per_table():
    changes = [review.Change("t", "added", f"k={i}") for i in range(20)]
    lines = review.format_changes(changes, per_table=3)
    assert lines[0] == "20 changes in 1 table (t)."
    assert lines[-1] == "  t: … and 17 more"
    assert len(lines) == 5


def test_stored_tables_leave_out_corpus_text_and_compare_equal(tmp_path):
    run, kept = tmp_path / "run", tmp_path / "kept"
    run.mkdir()
    pl.DataFrame({"doc_id": ["a"], "text": ["Full article."], "n_words": [2]}).write_csv(
        run / "documents.csv"
    )
    pl.DataFrame({"doc_id": ["a"], "text": ["Full article."]}).write_csv(run / "sentences.csv")
    kept.mkdir()
    (kept / "stale.csv").write_text("x\n1\n", encoding="utf-8")
    review.store_tables(run, kept)
    assert sorted(p.name for p in kept.iterdir()) == ["documents.csv"]
    assert pl.read_csv(kept / "documents.csv").columns == ["doc_id", "n_words"]
    # the run compares with what was kept: no change but the text left out
    assert review.compare_tables(kept, kept) == []
