"""The packaged codebook's codes of short test documents, many documents per engine call.

A call of :func:`analysis.indicators.code_sentences` has a fixed cost (a few hundred
small polars queries), which several hundred tests of one sentence each would pay once
each. The parametrised texts of the modules that set ``CODED_IN_ONE_CALL = True`` are
registered at collection (``tests/conftest.py``); the first test that asks for the codes
of any document codes every registered one in one call, each as a document of its own,
so that no pronoun or previous sentence reaches into another test's text.
``test_indicators.test_documents_coded_together_are_coded_as_alone`` checks that the
batch gives what one call per document gives.
"""

from __future__ import annotations

import polars as pl

from analysis.codebook import load_codebook
from analysis.indicators import code_sentences
from tests.text_tables import sentences_of

CB = load_codebook()

_pending: set[tuple[str, ...]] = set()
_coded: dict[tuple[str, ...], pl.DataFrame] = {}


def expect(*texts: str) -> None:
    """Register the document ``texts`` for the next batch."""
    if texts not in _coded:
        _pending.add(texts)


def codes(*texts: str, doc_id: str = "t") -> pl.DataFrame:
    """The codes of the document ``texts``, as ``code_sentences`` gives them for
    ``sentences_of(*texts, doc_id=doc_id)`` with the packaged codebook."""
    if texts not in _coded:
        batch = [texts, *sorted(_pending - set(_coded) - {texts})]
        _pending.clear()
        _coded.update(code_together(batch))
    found = _coded[texts]
    return found.with_columns(pl.lit(doc_id, dtype=found.schema["doc_id"]).alias("doc_id"))


def code_together(docs: list[tuple[str, ...]]) -> dict[tuple[str, ...], pl.DataFrame]:
    """The codes of each document of ``docs``, all coded in one call (each document's
    rows keep the document id the call gave it)."""
    frame = pl.concat([sentences_of(*d, doc_id=f"d{i:05d}") for i, d in enumerate(docs)])
    coded = code_sentences(frame, CB)
    parts = coded.partition_by("doc_id", as_dict=True, maintain_order=True)
    empty = coded.clear()
    return {d: parts.get((f"d{i:05d}",), empty) for i, d in enumerate(docs)}
