"""Small ``sentences`` tables built from hand-written text, shared by the tests."""

from __future__ import annotations

import polars as pl


def sentences_of(*texts: str, doc_id: str = "d1", offset: int = 0) -> pl.DataFrame:
    """Consecutive sentences of one paragraph, separated by single spaces, from ``offset``."""
    rows, pos = [], offset
    for i, text in enumerate(texts, start=1):
        rows.append(
            {"doc_id": doc_id, "sent_id": i, "start": pos, "end": pos + len(text), "text": text}
        )
        pos += len(text) + 1
    return pl.DataFrame(
        rows,
        schema={
            "doc_id": pl.String,
            "sent_id": pl.Int64,
            "start": pl.Int64,
            "end": pl.Int64,
            "text": pl.String,
        },
    )
