"""The coder against a naive keyword list, on real text (../shared/gold/real-dev).

Both are scored the way ``../shared/tools/score.py`` scores a document set
(:func:`analysis.validation.evaluate_units`: gold units matched to sentences by text,
stance presence per unit, negated codes left out). The coder must beat the keyword list
(tests/keyword_baseline.py) by at least ``MARGIN`` in F1 on every stance.
"""

from __future__ import annotations

import polars as pl
import pytest
from keyword_baseline import KEYWORDS, STANCES, code_keywords, keyword_regex

from analysis.config import PROJ_ROOT
from analysis.corpus import load_corpus
from analysis.indicators import code_sentences
from analysis.segment import split_sentences
from analysis.validation import evaluate_units, load_gold

REAL_DEV = PROJ_ROOT.parent / "shared" / "gold" / "real-dev"
#: F1 points by which the coder must beat the keyword list, per stance.
MARGIN = 0.15


def test_twenty_keywords_per_stance() -> None:
    assert set(KEYWORDS) == {"cooperation", "coercion", "resistance"}
    for stance, words in KEYWORDS.items():
        assert len(words) == 20, stance
        assert len(set(words)) == 20, stance
        assert all(w == w.lower() for w in words), stance


def test_keywords_code_any_case_and_every_stance_once() -> None:
    s = pl.DataFrame({
        "doc_id": ["a", "a", "a", "b"],
        "sent_id": [1, 2, 3, 1],
        "text": [
            "SOBERANÍA y rechazo; la Soberanía otra vez.",
            "Trump threatened TARIFFS and a military strike.",
            "It rained.",
            "They agreed to talks but refused the demand.",
        ],
    })
    got = code_keywords(s).select("doc_id", "sent_id", "stance").rows()
    assert got == [
        ("a", 1, "resistance"),
        ("a", 2, "coercion"),
        ("b", 1, "cooperation"),
        ("b", 1, "coercion"),
        ("b", 1, "resistance"),
    ]


def test_keyword_regex_finds_what_the_table_finds() -> None:
    rx = keyword_regex()
    assert rx.search("Se impusieron ARANCELES") is not None
    assert rx.search("It rained.") is None


@pytest.fixture(scope="module")
def real_dev_scores() -> dict[str, dict[str, float]]:
    if not (REAL_DEV / "gold.csv").is_file() or not (REAL_DEV / "corpus").is_dir():
        pytest.skip(
            f"the real-text development set is not here ({REAL_DEV} has no gold.csv and "
            "corpus/); the coder-versus-keywords comparison needs it"
        )
    sentences = split_sentences(load_corpus(REAL_DEV / "corpus"))
    gold = load_gold(REAL_DEV / "gold.csv")
    scored = {
        "coder": evaluate_units(code_sentences(sentences), gold, sentences),
        "keywords": evaluate_units(code_keywords(sentences), gold, sentences),
    }
    assert scored["coder"].n_units == gold.select("doc_id", "unit").n_unique()
    return {
        name: {s: f1 or 0.0 for s, f1 in r.by_stance.select("stance", "f1").iter_rows()}
        for name, r in scored.items()
    }


@pytest.mark.parametrize("stance", STANCES)
def test_coder_beats_keywords_on_real_text(
    real_dev_scores: dict[str, dict[str, float]], stance: str
) -> None:
    coder, keywords = real_dev_scores["coder"][stance], real_dev_scores["keywords"][stance]
    assert coder - keywords >= MARGIN, (
        f"{stance}: coder F1 {coder:.3f}, keyword list F1 {keywords:.3f}; the coder must "
        f"lead by at least {MARGIN} (lead {coder - keywords:+.3f})"
    )
