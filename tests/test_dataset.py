"""The on-disk coded dataset (analysis.dataset): round trip, atomic parts, clear errors."""

from __future__ import annotations

import polars as pl
import pytest

from analysis import build, dataset


@pytest.fixture(scope="module")
def seed_data():
    return build.load_dataset()


def test_round_trip_gives_the_same_tables(tmp_path, seed_data):
    dataset.write_part(
        tmp_path,
        0,
        {
            "documents": seed_data.documents,
            "sentences": seed_data.sentences,
            "codes": seed_data.codes,
        },
    )
    documents, sentences, codes = dataset.read_dataset(tmp_path)
    assert documents.equals(seed_data.documents)
    assert sentences.equals(seed_data.sentences)
    assert codes.equals(seed_data.codes)
    assert dataset.is_dataset(tmp_path)


def test_parts_are_read_together_in_order(tmp_path, seed_data):
    docs = seed_data.documents["doc_id"].to_list()
    for i, doc in enumerate(reversed(docs)):
        keep = pl.col("doc_id") == doc
        dataset.write_part(
            tmp_path,
            i,
            {
                "documents": seed_data.documents.filter(keep),
                "sentences": seed_data.sentences.filter(keep),
                "codes": seed_data.codes.filter(keep),
            },
        )
    _, sentences, codes = dataset.read_dataset(tmp_path)
    assert sentences.equals(seed_data.sentences)
    assert codes.equals(seed_data.codes)


def test_missing_table_is_named(tmp_path, seed_data):
    dataset.write_part(tmp_path, 0, {"documents": seed_data.documents})
    assert not dataset.is_dataset(tmp_path)
    with pytest.raises(dataset.DatasetError, match="sentences"):
        dataset.read_dataset(tmp_path)


def test_a_table_lacking_columns_is_refused(tmp_path, seed_data):
    with pytest.raises(dataset.DatasetError, match="stance"):
        dataset.write_part(tmp_path, 0, {"codes": seed_data.codes.drop("stance")})
    assert not list(tmp_path.rglob("*.parquet"))


def test_record_round_trip(tmp_path):
    dataset.write_record(tmp_path, {"b": 1, "a": [1, 2]})
    assert dataset.read_record(tmp_path) == {"a": [1, 2], "b": 1}
    (tmp_path / dataset.RECORD_NAME).write_text("{", encoding="utf-8")
    with pytest.raises(dataset.DatasetError, match="run.json"):
        dataset.read_record(tmp_path)
