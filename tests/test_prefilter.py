"""The keyword prefilter of the coding engine never drops a sentence a pattern would match."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.codebook import (
    FOLDS_TO_ASCII,
    LITERAL_LETTERS,
    case_variants,
    load_codebook,
    pattern_to_regex,
    required_literals,
)
from analysis.indicators import locate

CB = load_codebook()
WORDS = sorted({w for k in CB.indicator_keywords if k for w in k})
PIECES = [*WORDS, *(w.upper() for w in WORDS[::3]), " ", ", ", "’s ", "\u212a", "\u017f", "é", "Ó"]
TEXT = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=30).map("".join)


def test_every_chunk_has_keywords() -> None:
    assert len(CB.indicator_keywords) == len(CB.indicator_chunks)
    assert all(k for k in CB.indicator_keywords)


def test_required_literals() -> None:
    assert required_literals(pattern_to_regex("impos* .. tariff*")) == ["tariff"]
    assert required_literals(r"(?:tariffs?|sanctions?)\s+on") == ["sanction", "tariff"]
    assert required_literals(r"\w+") is None
    assert required_literals(r"(?:tariff|\w)x?") is None
    assert required_literals("(unbalanced") is None


def test_examples_contain_a_keyword() -> None:
    for ind in CB.indicators:
        for ex in ind.examples.match:
            assert any(w in ex.lower() for k in CB.indicator_keywords for w in k), ex


# few examples of many texts each: a call's cost is compiling the chunk regexes, not the
# texts it searches (ten examples of up to 120 texts search as many texts as thirty of 40,
# at a third of the compiling)
@settings(max_examples=10, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=120))
def test_prefilter_keeps_every_matching_text(texts: list[str]) -> None:
    s = pl.Series(texts, dtype=pl.String)
    for rx, words in zip(CB.indicator_chunks, CB.indicator_keywords, strict=True):
        matches = s.str.contains(rx)
        spellings = [v for w in words for v in case_variants(w)]
        kept = s.str.contains_any([*spellings, *FOLDS_TO_ASCII], ascii_case_insensitive=True)
        assert not (matches & ~kept).any()


@settings(max_examples=6, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=80))
def test_locate_with_keywords_is_locate_without(texts: list[str]) -> None:
    df = pl.DataFrame({"_row": list(range(len(texts))), "text": texts})
    chunks = list(CB.indicator_chunks)
    a = locate(df, chunks)
    b = locate(df, chunks, keywords=list(CB.indicator_keywords))
    assert a.equals(b)


def test_a_literal_run_before_alternatives_requires_each_full_alternative() -> None:
    # Python's parser factors "met|meet|meets" into "me" + (t|et|ets); the prefilter must
    # not fall back to the two letters "me", which half the sentences contain
    from analysis.codebook import required_literals

    assert required_literals(r"\b(?:met|meet|meets)\s+(?:in|at)\b") == ["meet", "meets", "met"]


def test_required_literals_avoid_common_words() -> None:
    """Of two literals every match holds, the one inside no common word is listed: the
    chunk regex then searches fewer sentences."""
    assert required_literals(r"\bfunds?\s+for\b") == ["fund"]
    assert required_literals(r"\bClaudia\s+Sheinbaum\s+(?:acord\w*|pact\w*)") == ["acord", "pact"]


def test_required_literals_keep_spanish_letters() -> None:
    """A literal runs on through the accented letters and small classes of literals, so
    "presi[oó]n" needs "presion" or "presión", not "presi" (inside every "presidente")."""
    assert required_literals(r"\bpresi[oó]n\w*") == ["presion", "presión"]
    assert required_literals(r"\ble\s+pregunté") == ["pregunté"]
    assert required_literals(r"re[uú]nen\b") == ["reunen", "reúnen"]
    # a letter outside the list ends the literal ("ß" has no single upper-case form)
    assert required_literals(r"straße") == ["stra"]


def test_literal_letters_have_exactly_two_case_forms() -> None:
    """What case-insensitive matching (Rust's regex, as polars runs it) takes for each
    letter of LITERAL_LETTERS is the letter and its upper case, nothing else: the keyword
    search lists both (case_variants), so it never drops a text a chunk regex matches."""
    every = pl.Series([chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000])
    for letter in sorted(LITERAL_LETTERS):
        hits = every.filter(every.str.contains(f"(?i)^{letter}$")).to_list()
        assert sorted(hits) == sorted({letter, letter.upper()}), letter
    assert case_variants("acción") == ["acciÓn", "acción"]
