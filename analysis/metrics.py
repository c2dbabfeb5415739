"""Tidy metrics over coded sentences: counts, rates, balance, intensity, sensitivity.

Every function takes the contract tables (``codes``, ``sentences``, ``documents``) and
returns a new polars frame; nothing is read, written or printed, and inputs are never
modified.

Which codes count
-----------------
A ``negated`` code never counts as the act it names (coding manual, rule 4). The
``status`` option chooses among the other codes:

- ``"actual"``: only codes with status ``actual``;
- ``"non_actual"``: codes with status ``threatened`` or ``hypothetical``;
- ``"all"``: every code that is not ``negated`` (the default: the manual counts threats and
  analysts' possibilities as codes, rule 3, and the report shows actual and non-actual
  codes apart with :func:`actual_vs_nonactual`).

Definitions
-----------
For a group of sentences (a document, a source, or the whole corpus), with ``C``, ``K`` and
``R`` the numbers of counted cooperation, coercion and resistance codes:

- rate of a stance: ``1000 * codes of that stance / n_words``, where ``n_words`` is the sum
  of the documents' ``n_words`` in the group;
- balance: ``(C - K) / (C + K)``, from -1 (only coercion) to +1 (only cooperation);
  resistance codes are counted and reported but do not enter the index;
- intensity: the mean, over the group's *coded* sentences (sentences with at least one
  counted code, of any stance), of the sum of the counted codes' scores in the sentence.
  It is the average net PLOVER score of a coded sentence, on the codebook's -10..+10 scale
  per code (a sentence with two codes can reach beyond it).

Undefined values are null, never NaN: the balance of a group with ``C + K = 0``, the
intensity of a group with no coded sentence, the rate of a group with ``n_words = 0``.

Confidence intervals
--------------------
Intervals are percentile intervals of a sentence-level bootstrap: within each group the
group's sentences (coded or not) are drawn ``n`` times with replacement, ``n`` being the
group's number of sentences, ``n_boot`` times, and the statistic is recomputed on each
resample. The bounds are the ``(1 - ci) / 2`` and ``(1 + ci) / 2`` quantiles (linear
interpolation) of the resampled values; resamples where the statistic is undefined are left
out, and the bounds are null when every resample is undefined. Each group draws from its
own random stream, derived from ``seed`` and the group's name, so the same inputs and seed
give identical numbers, and a group's interval does not change when other groups are added.
For rates, each sentence carries its share of the group's words (its whitespace-separated
token count, rescaled so that the group's sentences add up to the documents' ``n_words``),
so the statistic computed on the original sample equals the point estimate.

The resampling is vectorised in polars (the project has no numpy): a group's ``n * n_boot``
draws are made at once and summed as an ``n_boot x n`` array. Sentences of one article are
not independent of each other, so for groups spanning several articles (sources, the
corpus) the sentence bootstrap tends to give intervals that are too narrow; read them as a
lower bound on the uncertainty.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Literal, get_args

import polars as pl

from analysis.scheme import (
    ACTORS,
    CATEGORIES,
    CATEGORY_MODE,
    CATEGORY_STANCE,
    MODES,
    STANCES,
    STATUSES,
)
from analysis.scheme import check_choice as _check_choice
from analysis.scheme import require_columns as _require_columns

__all__ = [
    "ACTORS",
    "CATEGORIES",
    "CATEGORY_MODE",
    "CATEGORY_STANCE",
    "MODES",
    "STANCES",
    "STATUSES",
    "actual_vs_nonactual",
    "balance",
    "balance_by_status",
    "count_codes",
    "sensitivity",
    "stance_rates",
]


Status = Literal["actual", "non_actual", "all"]
CountStatus = Literal["actual", "non_actual", "all", "any"]
GroupBy = Literal["doc_id", "source", "corpus"]

#: Group value used when ``by="corpus"``.
CORPUS_GROUP = "all"
#: ``left_out`` value of the full-data row in :func:`sensitivity`.
NONE_LEFT_OUT = "(none)"
COUNT_BY_COLUMNS: tuple[str, ...] = (
    "doc_id", "source", "actor", "stance", "category", "mode", "status",
)
ACTUAL_BY_COLUMNS: tuple[str, ...] = ("doc_id", "source", "actor", "stance", "category", "mode")
CODE_COLUMNS: tuple[str, ...] = ("doc_id", "sent_id", "stance", "category", "status", "score")
SENTENCE_COLUMNS: tuple[str, ...] = ("doc_id", "sent_id", "text")
DOCUMENT_COLUMNS: tuple[str, ...] = ("doc_id", "source", "n_words")

_STATUS_FILTER: dict[str, tuple[str, ...]] = {
    "actual": ("actual",),
    "non_actual": ("threatened", "hypothetical"),
    "all": ("actual", "threatened", "hypothetical"),
    "any": STATUSES,
}
_ORDER: dict[str, tuple[str, ...]] = {
    "stance": STANCES,
    "category": CATEGORIES,
    "actor": ACTORS,
    "mode": MODES,
    "status": STATUSES,
}


# --------------------------------------------------------------------------- checks


def _check_boot(n_boot: object, seed: object, ci: object) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 1:
        raise ValueError(f"n_boot={n_boot!r} is not allowed; give a whole number >= 1")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed={seed!r} is not allowed; give a whole number >= 0")
    if isinstance(ci, bool) or not isinstance(ci, int | float) or not 0 < ci < 1:
        raise ValueError(f"ci={ci!r} is not allowed; give a number between 0 and 1, e.g. 0.95")


def _check_values(df: pl.DataFrame, table: str, column: str, allowed: Sequence[str]) -> None:
    bad = df.filter(~pl.col(column).is_in(list(allowed)) | pl.col(column).is_null())
    if bad.height:
        value = bad[column][0]
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(
            f"{table}.{column} has the value {value!r}, which is not allowed; "
            f"allowed values: {choices}"
        )


#: Contract dtypes of the columns this module reads; inputs are cast to them, so an empty
#: frame built without a schema, or an Int32 ``sent_id``, works as well.
_DTYPES: dict[str, type[pl.DataType]] = {
    "doc_id": pl.String,
    "sent_id": pl.Int64,
    "text": pl.String,
    "source": pl.String,
    "n_words": pl.Int64,
    "stance": pl.String,
    "category": pl.String,
    "actor": pl.String,
    "mode": pl.String,
    "status": pl.String,
    "score": pl.Float64,
}


def _typed(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(
        pl.col(c).cast(dtype) for c, dtype in _DTYPES.items() if c in df.columns
    )


def _check_codes(codes: pl.DataFrame, columns: Sequence[str] = CODE_COLUMNS) -> pl.DataFrame:
    _require_columns(codes, "codes", columns)
    codes = _typed(codes)
    for column in ("stance", "status"):
        if column in columns:
            _check_values(codes, "codes", column, _ORDER[column])
    return codes


def _check_by(by: object, allowed: Sequence[str]) -> list[str]:
    columns = [by] if isinstance(by, str) else list(by)  # type: ignore[call-overload]
    if not columns:
        raise ValueError(f"by={by!r} is empty; give one or more of {', '.join(allowed)}")
    for column in columns:
        _check_choice("by", column, allowed)
    if len(set(columns)) != len(columns):
        raise ValueError(f"by={by!r} names a column twice")
    return columns


def _counted(codes: pl.DataFrame, status: str) -> pl.DataFrame:
    return codes.filter(pl.col("status").is_in(list(_STATUS_FILTER[status])))


def _sort_keys(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Sort by ``columns``, label columns in the manual's order, others ascending."""
    keys = []
    for column in columns:
        order = _ORDER.get(column)
        if order is None:
            keys.append(pl.col(column))
        else:
            rank = {value: i for i, value in enumerate(order)}
            keys.append(
                pl.col(column).replace_strict(rank, default=len(rank), return_dtype=pl.Int64)
            )
            keys.append(pl.col(column))
    return frame.sort(keys, nulls_last=True)


def _with_source(codes: pl.DataFrame, documents: pl.DataFrame | None, who: str) -> pl.DataFrame:
    if documents is None:
        raise ValueError(f"{who}: grouping by 'source' needs documents=; pass the documents table")
    _require_columns(documents, "documents", ("doc_id", "source"))
    documents = _typed(documents)
    return codes.join(documents.select("doc_id", "source"), on="doc_id", how="left")


# ----------------------------------------------------------------------- counts


def count_codes(
    codes: pl.DataFrame,
    *,
    by: Sequence[str] | str = ("stance",),
    status: CountStatus = "all",
    documents: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Count codes by any combination of document, source, actor, stance, category, mode, status.

    Parameters
    ----------
    codes
        The ``codes`` table.
    by
        Column name(s) to count by: any of ``doc_id``, ``source``, ``actor``, ``stance``,
        ``category``, ``mode``, ``status``.
    status
        Which codes count: ``"actual"``, ``"non_actual"``, ``"all"`` (every non-negated
        code; default) or ``"any"`` (negated codes too, e.g. to count by status).
    documents
        The ``documents`` table; needed only when ``by`` includes ``source``.

    Returns
    -------
    pl.DataFrame
        The ``by`` columns, ``n_codes`` and ``share`` (``n_codes`` over all counted codes).
        Only combinations that occur are listed. Sorted by the ``by`` columns, labels in
        the coding manual's order.

    Examples
    --------
    >>> import polars as pl
    >>> codes = pl.DataFrame({"doc_id": ["a", "a", "a"], "sent_id": [1, 1, 2],
    ...     "stance": ["coercion", "cooperation", "coercion"],
    ...     "category": ["THREATEN", "AGREE", "DEMAND"],
    ...     "status": ["threatened", "actual", "negated"], "score": [-4.0, 4.0, -1.0]})
    >>> count_codes(codes, by=["stance"])["n_codes"].to_list()
    [1, 1]
    """
    _check_choice("status", status, get_args(CountStatus))
    columns = _check_by(by, COUNT_BY_COLUMNS)
    codes = _check_codes(codes, ("doc_id", "stance", "status"))
    _require_columns(codes, "codes", [c for c in columns if c != "source"])
    counted = _counted(codes, status)
    if "source" in columns:
        counted = _with_source(counted, documents, "count_codes")
    counts = counted.group_by(columns).agg(n_codes=pl.len().cast(pl.Int64))
    total = counts["n_codes"].sum()
    counts = counts.with_columns(
        share=pl.col("n_codes") / total if total else pl.lit(None, dtype=pl.Float64)
    )
    return _sort_keys(counts, columns)


def actual_vs_nonactual(
    codes: pl.DataFrame,
    *,
    by: Sequence[str] | str = ("stance",),
    documents: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Codes by status, actual and non-actual side by side.

    Parameters
    ----------
    codes
        The ``codes`` table.
    by
        Column name(s): any of ``doc_id``, ``source``, ``actor``, ``stance``, ``category``,
        ``mode``.
    documents
        The ``documents`` table; needed only when ``by`` includes ``source``.

    Returns
    -------
    pl.DataFrame
        The ``by`` columns, then ``actual``, ``threatened``, ``hypothetical``,
        ``non_actual`` (threatened + hypothetical), ``negated`` (shown, never counted as
        the act), ``n_counted`` (actual + non_actual) and ``share_actual``
        (actual / n_counted; null when n_counted is 0). Sorted by the ``by`` columns.

    Examples
    --------
    >>> import polars as pl
    >>> codes = pl.DataFrame({"doc_id": ["a", "a", "a"], "sent_id": [1, 1, 2],
    ...     "stance": ["coercion", "coercion", "coercion"],
    ...     "category": ["THREATEN", "SANCTION", "DEMAND"],
    ...     "status": ["threatened", "actual", "negated"], "score": [-4.0, -6.0, -1.0]})
    >>> actual_vs_nonactual(codes).select("actual", "non_actual", "negated").row(0)
    (1, 1, 1)
    """
    columns = _check_by(by, ACTUAL_BY_COLUMNS)
    codes = _check_codes(codes, ("doc_id", "stance", "status"))
    _require_columns(codes, "codes", [c for c in columns if c != "source"])
    frame = _with_source(codes, documents, "actual_vs_nonactual") if "source" in columns else codes
    status = pl.col("status")
    table = frame.group_by(columns).agg(
        actual=(status == "actual").sum().cast(pl.Int64),
        threatened=(status == "threatened").sum().cast(pl.Int64),
        hypothetical=(status == "hypothetical").sum().cast(pl.Int64),
        negated=(status == "negated").sum().cast(pl.Int64),
    )
    table = table.with_columns(
        non_actual=pl.col("threatened") + pl.col("hypothetical"),
    ).with_columns(
        n_counted=pl.col("actual") + pl.col("non_actual"),
    ).with_columns(
        share_actual=pl.when(pl.col("n_counted") > 0)
        .then(pl.col("actual") / pl.col("n_counted"))
        .otherwise(None),
    )
    table = table.select(
        *columns, "actual", "threatened", "hypothetical", "non_actual", "negated",
        "n_counted", "share_actual",
    )
    return _sort_keys(table, columns)


# -------------------------------------------------------------------- bootstrap


def _group_seed(seed: int, group: str) -> int:
    digest = hashlib.sha256(f"{seed}\x00{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _bootstrap_sums(
    units: pl.DataFrame, columns: Sequence[str], *, n_boot: int, seed: int
) -> pl.DataFrame:
    """Column sums over ``n_boot`` resamples of the rows of each group.

    ``units`` has one row per sentence and a ``group`` column. Each group's ``n`` rows are
    drawn ``n * n_boot`` times at once; the draws are laid out as an ``n_boot x n`` array
    per column and summed along rows, so there is no Python loop over resamples.
    """
    parts = []
    for group in sorted(units["group"].unique().to_list()):
        part = units.filter(pl.col("group") == group)
        n = part.height
        draws = pl.int_range(0, n, eager=True).sample(
            n * n_boot, with_replacement=True, shuffle=True, seed=_group_seed(seed, group)
        )
        sums = part.select(
            pl.col(c).cast(pl.Float64).gather(draws).reshape((n_boot, n)).arr.sum()
            for c in columns
        )
        parts.append(sums.with_columns(group=pl.lit(group), rep=pl.int_range(0, n_boot)))
    schema = {"group": pl.String, "rep": pl.Int64, **dict.fromkeys(columns, pl.Float64)}
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).select(*schema)


def _interval(
    reps: pl.DataFrame, stats: dict[str, pl.Expr], *, ci: float
) -> pl.DataFrame:
    lower, upper = (1 - ci) / 2, (1 + ci) / 2
    with_stats = reps.with_columns(**stats)
    return with_stats.group_by("group").agg(
        *(pl.col(s).quantile(lower, interpolation="linear").alias(f"{s}_lo") for s in stats),
        *(pl.col(s).quantile(upper, interpolation="linear").alias(f"{s}_hi") for s in stats),
    )


def _ratio(num: pl.Expr, den: pl.Expr, scale: float = 1.0) -> pl.Expr:
    return pl.when(den > 0).then(scale * num / den).otherwise(None)


_BALANCE = _ratio(
    pl.col("cooperation") - pl.col("coercion"), pl.col("cooperation") + pl.col("coercion")
)
_INTENSITY = _ratio(pl.col("score"), pl.col("coded"))


def _units(
    codes: pl.DataFrame,
    sentences: pl.DataFrame,
    *,
    status: str,
    by: str,
    documents: pl.DataFrame | None,
    who: str,
) -> pl.DataFrame:
    """One row per sentence: group, counted codes per stance, score sum, coded flag."""
    keys = sentences.select("doc_id", "sent_id")
    orphans = codes.join(keys, on=["doc_id", "sent_id"], how="anti")
    if orphans.height:
        doc_id, sent_id = orphans.select("doc_id", "sent_id").row(0)
        raise ValueError(
            f"{who}: codes refer to sentence doc_id={doc_id!r}, sent_id={sent_id!r}, which is "
            "not in sentences; pass the sentences the codes were made from"
        )
    counted = _counted(codes, status)
    per_sentence = counted.group_by("doc_id", "sent_id").agg(
        *((pl.col("stance") == s).sum().cast(pl.Float64).alias(s) for s in STANCES),
        score=pl.col("score").cast(pl.Float64).sum(),
    )
    units = sentences.select("doc_id", "sent_id", "text").join(
        per_sentence, on=["doc_id", "sent_id"], how="left"
    ).with_columns(pl.col(*STANCES, "score").fill_null(0.0))
    units = units.with_columns(
        coded=(pl.sum_horizontal(*STANCES) > 0).cast(pl.Float64),
    )
    if by == "doc_id":
        units = units.with_columns(group=pl.col("doc_id").cast(pl.String))
    elif by == "corpus":
        units = units.with_columns(group=pl.lit(CORPUS_GROUP, dtype=pl.String))
    else:
        units = _with_source(units, documents, who).with_columns(
            group=pl.col("source").cast(pl.String)
        )
        unknown = units.filter(pl.col("source").is_null())
        if unknown.height:
            raise ValueError(
                f"{who}: document {unknown['doc_id'][0]!r} is not in documents (or has no "
                "source); pass the documents the sentences were split from"
            )
    return units.sort("doc_id", "sent_id")


# ------------------------------------------------------------------------ rates


def stance_rates(
    codes: pl.DataFrame,
    sentences: pl.DataFrame,
    documents: pl.DataFrame,
    *,
    by: GroupBy = "doc_id",
    status: Status = "all",
    n_boot: int = 1000,
    seed: int = 20260101,
    ci: float = 0.95,
) -> pl.DataFrame:
    """Codes of each stance per 1,000 words, with a sentence-level bootstrap interval.

    Parameters
    ----------
    codes, sentences, documents
        The contract tables. ``documents`` gives ``source`` and ``n_words``.
    by
        ``"doc_id"`` (one group per document), ``"source"`` or ``"corpus"`` (one group,
        named ``"all"``).
    status
        Which codes count: ``"actual"``, ``"non_actual"`` or ``"all"`` non-negated codes.
    n_boot, seed, ci
        Bootstrap resamples, random seed, interval coverage (see the module docstring).

    Returns
    -------
    pl.DataFrame
        ``group, stance, n_codes, n_sentences, n_words, per_1000_words, lo, hi``: one row
        per group and stance, including stances with no code. ``per_1000_words`` is null
        when ``n_words`` is 0. Sorted by group, then stance in the manual's order.

    Examples
    --------
    >>> import polars as pl
    >>> documents = pl.DataFrame({"doc_id": ["a"], "source": ["S"], "n_words": [200]})
    >>> sentences = pl.DataFrame({"doc_id": ["a", "a"], "sent_id": [1, 2],
    ...     "text": ["Talks were held.", "Tariffs were imposed."]})
    >>> codes = pl.DataFrame({"doc_id": ["a"], "sent_id": [1], "stance": ["cooperation"],
    ...     "category": ["CONSULT"], "status": ["actual"], "score": [2.5]})
    >>> stance_rates(codes, sentences, documents, n_boot=50)["per_1000_words"].to_list()
    [5.0, 0.0, 0.0]
    """
    _check_choice("by", by, get_args(GroupBy))
    _check_choice("status", status, get_args(Status))
    _check_boot(n_boot, seed, ci)
    codes = _check_codes(codes)
    _require_columns(sentences, "sentences", SENTENCE_COLUMNS)
    sentences = _typed(sentences)
    _require_columns(documents, "documents", DOCUMENT_COLUMNS)
    documents = _typed(documents)
    missing = sentences.join(documents.select("doc_id"), on="doc_id", how="anti")
    if missing.height:
        raise ValueError(
            f"stance_rates: sentences of document {missing['doc_id'][0]!r} have no row in "
            "documents; pass the documents the sentences were split from"
        )
    units = _units(codes, sentences, status=status, by=by, documents=documents, who="stance_rates")
    docs = documents.select("doc_id", "source", pl.col("n_words").cast(pl.Float64))
    if by == "doc_id":
        docs = docs.with_columns(group=pl.col("doc_id").cast(pl.String))
    elif by == "source":
        docs = docs.with_columns(group=pl.col("source").cast(pl.String))
    else:
        docs = docs.with_columns(group=pl.lit(CORPUS_GROUP, dtype=pl.String))
    words = docs.group_by("group").agg(n_words=pl.col("n_words").sum())

    # Each sentence's share of its group's words (see the module docstring).
    units = units.join(words, on="group", how="left").with_columns(
        tokens=pl.col("text").str.count_matches(r"\S+").cast(pl.Float64),
    ).with_columns(
        words=pl.when(pl.col("tokens").sum().over("group") > 0)
        .then(pl.col("tokens") * pl.col("n_words") / pl.col("tokens").sum().over("group"))
        .otherwise(pl.col("n_words") / pl.len().over("group")),
    )
    rates = {f"rate_{s}": _ratio(pl.col(s), pl.col("words"), 1000.0) for s in STANCES}
    reps = _bootstrap_sums(units, [*STANCES, "words"], n_boot=n_boot, seed=seed)
    bounds = _interval(reps, rates, ci=ci)

    point = words.join(
        units.group_by("group").agg(
            pl.len().cast(pl.Int64).alias("n_sentences"), *(pl.col(s).sum() for s in STANCES)
        ),
        on="group",
        how="left",
    ).with_columns(pl.col("n_sentences").fill_null(0), pl.col(*STANCES).fill_null(0.0))
    rows = []
    for stance in STANCES:
        rows.append(
            point.join(bounds, on="group", how="left").select(
                "group",
                stance=pl.lit(stance),
                n_codes=pl.col(stance).cast(pl.Int64),
                n_sentences="n_sentences",
                n_words=pl.col("n_words").cast(pl.Int64),
                per_1000_words=_ratio(pl.col(stance), pl.col("n_words"), 1000.0),
                lo=pl.col(f"rate_{stance}_lo"),
                hi=pl.col(f"rate_{stance}_hi"),
            )
        )
    return _sort_keys(pl.concat(rows), ["group", "stance"])


# ---------------------------------------------------------------------- balance


def _balance_table(units: pl.DataFrame, *, n_boot: int, seed: int, ci: float) -> pl.DataFrame:
    point = units.group_by("group").agg(
        pl.len().cast(pl.Int64).alias("n_sentences"),
        *(pl.col(s).sum() for s in STANCES),
        pl.col("score").sum(),
        pl.col("coded").sum(),
    ).with_columns(balance=_BALANCE, intensity=_INTENSITY)
    reps = _bootstrap_sums(units, [*STANCES, "score", "coded"], n_boot=n_boot, seed=seed)
    bounds = _interval(reps, {"balance": _BALANCE, "intensity": _INTENSITY}, ci=ci)
    return point.join(bounds, on="group", how="left").select(
        "group",
        "n_sentences",
        *(pl.col(s).cast(pl.Int64) for s in STANCES),
        "balance",
        "balance_lo",
        "balance_hi",
        "intensity",
        "intensity_lo",
        "intensity_hi",
    ).sort("group")


def balance(
    codes: pl.DataFrame,
    sentences: pl.DataFrame,
    *,
    by: GroupBy = "doc_id",
    status: Status = "all",
    documents: pl.DataFrame | None = None,
    n_boot: int = 1000,
    seed: int = 20260101,
    ci: float = 0.95,
) -> pl.DataFrame:
    """Cooperation–coercion balance and score-weighted intensity, with bootstrap intervals.

    ``balance = (C - K) / (C + K)`` with ``C`` and ``K`` the counted cooperation and
    coercion codes of the group; ``intensity`` = sum of the counted codes' scores divided
    by the number of coded sentences (sentences with at least one counted code). Both are
    null when undefined (``C + K = 0``; no coded sentence). See the module docstring for
    the bootstrap.

    Parameters
    ----------
    codes, sentences
        The contract tables.
    by
        ``"doc_id"``, ``"source"`` (needs ``documents``) or ``"corpus"`` (one group,
        named ``"all"``).
    status
        Which codes count: ``"actual"``, ``"non_actual"`` or ``"all"`` non-negated codes.
    documents
        The ``documents`` table; needed only for ``by="source"``.
    n_boot, seed, ci
        Bootstrap resamples, random seed, interval coverage.

    Returns
    -------
    pl.DataFrame
        ``group, n_sentences, cooperation, coercion, resistance, balance, balance_lo,
        balance_hi, intensity, intensity_lo, intensity_hi``, sorted by group.

    Examples
    --------
    >>> import polars as pl
    >>> sentences = pl.DataFrame({"doc_id": ["a"] * 3, "sent_id": [1, 2, 3],
    ...     "text": ["They met.", "They agreed.", "He threatened tariffs."]})
    >>> codes = pl.DataFrame({"doc_id": ["a"] * 4, "sent_id": [1, 2, 2, 3],
    ...     "stance": ["cooperation", "cooperation", "cooperation", "coercion"],
    ...     "category": ["CONSULT", "AGREE", "CONSULT", "THREATEN"],
    ...     "status": ["actual", "actual", "actual", "threatened"],
    ...     "score": [2.5, 4.0, 2.5, -4.0]})
    >>> balance(codes, sentences, n_boot=50).select("balance", "intensity").row(0)
    (0.5, 1.6666666666666667)
    """
    _check_choice("by", by, get_args(GroupBy))
    _check_choice("status", status, get_args(Status))
    _check_boot(n_boot, seed, ci)
    codes = _check_codes(codes)
    _require_columns(sentences, "sentences", SENTENCE_COLUMNS)
    sentences = _typed(sentences)
    units = _units(codes, sentences, status=status, by=by, documents=documents, who="balance")
    return _balance_table(units, n_boot=n_boot, seed=seed, ci=ci)


def balance_by_status(
    codes: pl.DataFrame,
    sentences: pl.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 20260101,
    ci: float = 0.95,
) -> pl.DataFrame:
    """The corpus balance three ways: all counted codes, actual acts only, and the
    threatened or hypothetical ones only, so deeds and words-about-deeds are read apart.

    Parameters
    ----------
    codes, sentences
        The contract tables.
    n_boot, seed, ci
        Bootstrap resamples, random seed, interval coverage (as :func:`balance`).

    Returns
    -------
    pl.DataFrame
        ``codes`` ("all", "actual", "non_actual") followed by the :func:`balance` columns
        for the whole corpus.

    Examples
    --------
    >>> import polars as pl
    >>> sentences = pl.DataFrame({"doc_id": ["a"] * 2, "sent_id": [1, 2],
    ...     "text": ["They agreed.", "He threatened tariffs."]})
    >>> codes = pl.DataFrame({"doc_id": ["a"] * 2, "sent_id": [1, 2],
    ...     "stance": ["cooperation", "coercion"], "category": ["AGREE", "THREATEN"],
    ...     "status": ["actual", "threatened"], "score": [4.0, -4.0]})
    >>> balance_by_status(codes, sentences, n_boot=20)["balance"].to_list()
    [0.0, 1.0, -1.0]
    """
    return pl.concat(
        balance(codes, sentences, by="corpus", status=status, n_boot=n_boot, seed=seed, ci=ci)
        .drop("group")
        .select(pl.lit(status).alias("codes"), pl.all())
        for status in ("all", "actual", "non_actual")
    )


def sensitivity(
    codes: pl.DataFrame,
    sentences: pl.DataFrame,
    *,
    status: Status = "all",
    n_boot: int = 1000,
    seed: int = 20260101,
    ci: float = 0.95,
) -> pl.DataFrame:
    """Corpus balance with each category left out in turn: does its sign survive?

    The first row, ``left_out = "(none)"``, is the balance on all counted codes; then one
    row per category that has counted codes, in the coding manual's order, with that
    category's codes removed. Every row uses the same seed, so the intervals differ only
    through the codes left out.

    Parameters
    ----------
    codes, sentences
        The contract tables.
    status
        Which codes count: ``"actual"``, ``"non_actual"`` or ``"all"`` non-negated codes.
    n_boot, seed, ci
        Bootstrap resamples, random seed, interval coverage.

    Returns
    -------
    pl.DataFrame
        ``left_out, balance, balance_lo, balance_hi, sign, sign_changed``. ``sign`` is
        -1, 0 or +1 (null when the balance is undefined); ``sign_changed`` is true when
        ``sign`` differs from the full-data sign (a null sign differs from a non-null
        one).

    Examples
    --------
    >>> import polars as pl
    >>> sentences = pl.DataFrame({"doc_id": ["a"] * 2, "sent_id": [1, 2],
    ...     "text": ["They agreed.", "He threatened tariffs."]})
    >>> codes = pl.DataFrame({"doc_id": ["a", "a", "a"], "sent_id": [1, 1, 2],
    ...     "stance": ["cooperation", "cooperation", "coercion"],
    ...     "category": ["AGREE", "CONSULT", "THREATEN"],
    ...     "status": ["actual", "actual", "threatened"], "score": [4.0, 2.5, -4.0]})
    >>> table = sensitivity(codes, sentences, n_boot=50)
    >>> dict(zip(table["left_out"], table["sign"]))
    {'(none)': 1, 'CONSULT': 0, 'AGREE': 0, 'THREATEN': 1}
    >>> table["sign_changed"].to_list()
    [False, True, True, False]
    """
    _check_choice("status", status, get_args(Status))
    _check_boot(n_boot, seed, ci)
    codes = _check_codes(codes)
    _require_columns(sentences, "sentences", SENTENCE_COLUMNS)
    sentences = _typed(sentences)
    present = set(_counted(codes, status)["category"].to_list())
    rows = []
    for left_out in [NONE_LEFT_OUT, *(c for c in CATEGORIES if c in present)]:
        kept = codes.filter(pl.col("category").ne_missing(left_out))
        units = _units(kept, sentences, status=status, by="corpus", documents=None,
                       who="sensitivity")
        table = _balance_table(units, n_boot=n_boot, seed=seed, ci=ci).select(
            "balance", "balance_lo", "balance_hi"
        )
        if table.height == 0:  # no sentences at all: the balance is undefined
            table = pl.DataFrame(
                {"balance": [None], "balance_lo": [None], "balance_hi": [None]},
                schema=dict.fromkeys(("balance", "balance_lo", "balance_hi"), pl.Float64),
            )
        rows.append(table.with_columns(left_out=pl.lit(left_out)))
    result = pl.concat(rows).select(
        "left_out",
        pl.col("balance", "balance_lo", "balance_hi").cast(pl.Float64),
        sign=pl.col("balance").sign().cast(pl.Int64),
    )
    full = result["sign"][0]
    changed = (
        pl.col("sign").is_not_null() if full is None
        else (pl.col("sign") != full).fill_null(True)
    )
    return result.with_columns(sign_changed=changed)
