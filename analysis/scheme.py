"""The measurement scheme's vocabulary, and the argument checks every module shares.

The values come from the coding manual (stances, PLOVER-aligned categories, actors,
modes, statuses); the codebook, the metrics, validation and charts all read them from
here, so the scheme is spelled out once.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

__all__ = [
    "ACTORS",
    "CATEGORIES",
    "CATEGORY_MODE",
    "CATEGORY_PLOVER",
    "CATEGORY_SCORE",
    "CATEGORY_STANCE",
    "MODES",
    "STANCES",
    "STATUSES",
    "check_choice",
    "require_columns",
]

STANCES: tuple[str, ...] = ("cooperation", "coercion", "resistance")
ACTORS: tuple[str, ...] = ("US", "MX", "OTHER", "UNSPECIFIED")
MODES: tuple[str, ...] = ("verbal", "material")
STATUSES: tuple[str, ...] = ("actual", "threatened", "hypothetical", "negated")

#: category -> (stance, PLOVER category, mode, score), as the manual's tables give them.
_CATEGORY_TABLE: dict[str, tuple[str, str, str, float]] = {
    "CONSULT": ("cooperation", "CONSULT", "verbal", 2.5),
    "AGREE": ("cooperation", "AGREE", "verbal", 4.0),
    "SHARE_INTELLIGENCE": ("cooperation", "COOPERATE", "material", 9.5),
    "JUDICIAL": ("cooperation", "COOPERATE", "material", 9.5),
    "AID": ("cooperation", "AID", "material", 10.0),
    "CONCEDE": ("cooperation", "CONCEDE", "material", 5.0),
    "DEMAND": ("coercion", "REQUEST", "verbal", -1.0),
    "ACCUSE": ("coercion", "ACCUSE", "verbal", -3.0),
    "THREATEN": ("coercion", "THREATEN", "verbal", -4.0),
    "SANCTION": ("coercion", "SANCTION", "material", -6.0),
    "MILITARY": ("coercion", "MOBILIZE", "material", -7.0),
    "REJECT": ("resistance", "REJECT", "verbal", -2.0),
    "ASSERT_SOVEREIGNTY": ("resistance", "REJECT", "verbal", -2.0),
}
CATEGORIES: tuple[str, ...] = tuple(_CATEGORY_TABLE)
CATEGORY_STANCE: dict[str, str] = {c: v[0] for c, v in _CATEGORY_TABLE.items()}
CATEGORY_PLOVER: dict[str, str] = {c: v[1] for c, v in _CATEGORY_TABLE.items()}
CATEGORY_MODE: dict[str, str] = {c: v[2] for c, v in _CATEGORY_TABLE.items()}
CATEGORY_SCORE: dict[str, float] = {c: v[3] for c, v in _CATEGORY_TABLE.items()}


def check_choice(name: str, value: object, allowed: Sequence[str]) -> None:
    """Raise ``ValueError`` naming the argument, the value and the allowed values.

    Examples
    --------
    >>> check_choice("status", "actual", ("actual", "all"))
    >>> check_choice("status", "real", ("actual", "all"))
    Traceback (most recent call last):
    ...
    ValueError: status='real' is not allowed; choose one of 'actual', 'all'
    """
    if not isinstance(value, str) or value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name}={value!r} is not allowed; choose one of {choices}")


def require_columns(df: pl.DataFrame, table: str, columns: Sequence[str]) -> None:
    """Raise ``ValueError`` when ``df`` lacks any of ``columns`` of the ``table`` contract.

    The doctest below uses ELLIPSIS for the message's tail.

    Examples
    --------
    >>> require_columns(pl.DataFrame({"doc_id": ["a"]}), "sentences", ["doc_id", "text"])
    Traceback (most recent call last):
    ...
    ValueError: sentences is missing column(s) text; expected at least doc_id, text ...
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{table} is missing column(s) {', '.join(missing)}; expected at least "
            f"{', '.join(columns)} (see the `{table}` table contract)"
        )
