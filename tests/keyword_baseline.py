"""A naive keyword baseline: what the coder is compared against.

Twenty keywords per stance, English and Spanish mixed, as an analyst without a codebook
would write them: stems and words, no lemmas, no status (negation, threats, conditions),
no actors. A unit is positive for a stance when its text contains any of the stance's
keywords, ignoring case (plain substring search, so ``agree`` also finds ``disagree``
and ``arancel`` finds ``aranceles``).

Used by ``tests/test_keyword_baseline.py`` (the coder must beat it on real text) and by
the coding benchmark (``tests/benchmarks``: one compiled alternation of these words in a
plain Python loop is the speed reference).
"""

from __future__ import annotations

import re

import polars as pl

#: Twenty keywords per stance, lower case.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "cooperation": (
        "cooperat", "collaborat", "agree", "agreement", "meeting", "talks", "dialogue",
        "extradit", "assistance", "partnership", "joint", "coordinat",
        "acuerdo", "cooperación", "colaboración", "coordinación", "reunión", "diálogo",
        "extradición", "conversación",
    ),
    "coercion": (
        "tariff", "threat", "sanction", "pressure", "demand", "military", "strike",
        "deport", "terrorist", "invasion",
        "arancel", "amenaza", "presión", "sanción", "exig", "militar", "ataque",
        "intervención", "deportación", "terrorista",
    ),
    "resistance": (
        "reject", "refuse", "refusal", "sovereignty", "interference", "oppose",
        "opposition", "condemn", "denounce", "independence",
        "rechaz", "soberanía", "injerencia", "no aceptamos", "no permitiremos", "subordina",
        "oponemos", "condena", "denuncia", "independencia",
    ),
}

STANCES: tuple[str, ...] = tuple(KEYWORDS)


def all_keywords() -> list[str]:
    """Every keyword once, in stance order."""
    return list(dict.fromkeys(w for words in KEYWORDS.values() for w in words))


def keyword_regex() -> re.Pattern[str]:
    """All keywords as one case-insensitive alternation (Python ``re``)."""
    return re.compile("|".join(re.escape(w) for w in all_keywords()), re.IGNORECASE)


def code_keywords(sentences: pl.DataFrame) -> pl.DataFrame:
    """Code a ``sentences`` table with the keyword lists.

    Parameters
    ----------
    sentences
        ``doc_id``, ``sent_id`` and ``text`` are used; headings (``is_heading``) are coded
        like any other unit, as a keyword search would.

    Returns
    -------
    pl.DataFrame
        One row per (sentence, stance) whose text contains a keyword of the stance:
        ``doc_id``, ``sent_id``, ``stance``, ``category`` (``"KEYWORD"``), ``actor``
        (``"UNSPECIFIED"``), ``status`` (``"actual"``), the columns the scoring reads.

    Examples
    --------
    >>> s = pl.DataFrame({"doc_id": ["d", "d"], "sent_id": [1, 2],
    ...     "text": ["México RECHAZA los aranceles.", "It rained."]})
    >>> code_keywords(s).select("sent_id", "stance").rows()
    [(1, 'coercion'), (1, 'resistance')]
    """
    lowered = pl.col("text").fill_null("").str.to_lowercase()
    frames = [
        sentences.filter(lowered.str.contains_any(list(words))).select(
            "doc_id", "sent_id", stance=pl.lit(stance)
        )
        for stance, words in KEYWORDS.items()
    ]
    order = {s: i for i, s in enumerate(STANCES)}
    return (
        pl.concat(frames)
        .with_columns(
            category=pl.lit("KEYWORD"), actor=pl.lit("UNSPECIFIED"), status=pl.lit("actual")
        )
        .sort("doc_id", "sent_id", pl.col("stance").replace_strict(order))
    )
