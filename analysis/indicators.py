"""Code sentences with the codebook: one row per act, with status, actor and matched span.

Keyword counting goes wrong in four ways; the engine handles each:

- **Overlap.** All patterns run as one alternation, so a stretch of text is coded once:
  "rejected any unilateral U.S. military action" is one REJECT, not a REJECT plus a
  MILITARY; "threat of tariffs" is one THREATEN. When patterns start at the same position
  the codebook's order decides. Codes are then reduced to one per (sentence, category,
  actor, status), the gold standard's unit of counting; the first match is kept.
- **Status.** Cues in the codebook's ``status`` section, limited to the clause around the
  match (``clauses``). First rule that applies wins:

  1. ``negated``: a negation cue at most ``negated_max_gap`` words before the match
     ("did not impose tariffs", "refrained from reciprocal measures"), unless it is a
     ``negation_exceptions`` phrase ("not just").
  2. ``threatened`` (threat): a threat cue before the match in its clause ("threatened to
     impose tariffs", "warnings of military action"). A coercive act under a threat is
     recast as ``THREATEN`` (manual rule 2), so it merges with the threat itself.
  3. ``threatened`` (hedge): a U.S. speaker's own hedge, a ``hedge_speakers`` cue earlier in
     the sentence plus a modal ("Trump indicated that ground attacks could follow");
     coercive acts are recast as ``THREATEN``.
  4. ``hypothetical``: a modal or conditional cue before the match in its clause ("could
     impose", "if", "possibility of"), or a modal within ``hypothetical_after_max_gap``
     words after it, the act being the subject of an analyst's *could/may*
     ("U.S. pressure may limit ...").
  5. ``threatened`` (announced): an announcement cue before the match ("announced a
     review of the consulates").
  6. The indicator's own ``status`` (``threatened`` for THREATEN indicators).
  7. ``actual``.

- **Actor.** See :mod:`analysis.actors`.
- **Language.** English and Spanish patterns and cues sit side by side in the codebook.

Headings (``is_heading`` true, when the column exists) are not coded.

Everything runs as polars expressions over whole columns: one regular-expression pass
finds all matches with their offsets, then the context of every match is cut and tested
with vectorised regular expressions; Python only maps the distinct matched strings
(usually a few hundred) to the pattern that produced them.
"""

from __future__ import annotations

import polars as pl

from analysis.actors import attribute_actors, subject_cues
from analysis.codebook import Codebook, load_codebook

CODES_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "sent_id": pl.Int64(),
    "stance": pl.String(),
    "category": pl.String(),
    "plover": pl.String(),
    "actor": pl.String(),
    "mode": pl.String(),
    "status": pl.String(),
    "score": pl.Float64(),
    "indicator": pl.String(),
    "pattern": pl.String(),
    "matched": pl.String(),
    "match_start": pl.Int64(),
    "match_end": pl.Int64(),
}
_REQUIRED = ("doc_id", "sent_id", "start", "text")
#: Characters of context kept on each side of a match for status and actor cues.
LEFT_WINDOW = 320
RIGHT_WINDOW = 200
_SEP = "\x00"


def _empty_codes() -> pl.DataFrame:
    return pl.DataFrame(schema=CODES_SCHEMA)


def locate(texts: pl.DataFrame, regex: str, *, col: str = "text", key: str = "_row") -> pl.DataFrame:
    """Find every non-overlapping match of ``regex`` with character offsets.

    Parameters
    ----------
    texts : polars.DataFrame
        Has a key column ``key`` and a text column ``col``.
    regex : str
        A Rust-``regex`` pattern (leftmost-first, non-overlapping, as ``str.extract_all``).
    col, key : str
        Column names.

    Returns
    -------
    polars.DataFrame
        ``key``, ``s_start``, ``s_end`` (character offsets into the text) and ``matched``,
        one row per match, in text order.

    Examples
    --------
    >>> df = pl.DataFrame({"_row": [0], "text": ["Él impuso tariffs, then tariffs."]})
    >>> locate(df, r"tariffs").select("s_start", "s_end").rows()
    [(10, 17), (24, 31)]
    """
    text = pl.col(col)
    has_sep = texts.select(text.str.contains(_SEP, literal=True).any()).item()
    if has_sep:  # keep offsets: swap the separator for another single character
        text = text.str.replace_all(_SEP, "\x01", literal=True)
    pieces = (
        texts.lazy()
        .select(pl.col(key), text.str.replace_all(regex, f"{_SEP}${{0}}{_SEP}").alias("_t"))
        .filter(pl.col("_t").str.contains(_SEP, literal=True))
        .select(pl.col(key), pl.col("_t").str.split(_SEP).alias("_p"))
        .explode("_p")
        .with_columns(
            pl.col("_p").str.len_chars().cast(pl.Int64).alias("_n"),
        )
        .with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).over(key).alias("_i"),
            pl.col("_n").cum_sum().over(key).alias("_e"),
        )
        .filter(pl.col("_i") % 2 == 1)
        .select(
            pl.col(key),
            (pl.col("_e") - pl.col("_n")).alias("s_start"),
            pl.col("_e").alias("s_end"),
            pl.col("_p").alias("matched"),
        )
    )
    return pieces.collect()


def _pattern_map(matched: pl.Series, codebook: Codebook) -> pl.DataFrame:
    """Map each distinct matched string to (indicator index, pattern)."""
    uniq = matched.unique().sort().to_list()
    idx, pats = [], []
    for m in uniq:
        hit = codebook.match_pattern(m)
        idx.append(None if hit is None else hit[0])
        pats.append(None if hit is None else hit[1])
    return pl.DataFrame(
        {"matched": uniq, "_ind": idx, "pattern": pats},
        schema={"matched": pl.String, "_ind": pl.Int64, "pattern": pl.String},
    ).drop_nulls("_ind")


def _indicator_frame(codebook: Codebook) -> pl.DataFrame:
    inds = codebook.indicators
    return pl.DataFrame(
        {
            "_ind": list(range(len(inds))),
            "indicator": [i.id for i in inds],
            "stance": [i.stance for i in inds],
            "category": [i.category for i in inds],
            "plover": [i.plover for i in inds],
            "mode": [i.mode for i in inds],
            "score": [float(i.score) for i in inds],
            "default_actor": [i.actor for i in inds],
            "fixed_actor": [i.fixed_actor for i in inds],
            "default_status": [i.status for i in inds],
        },
        schema={
            "_ind": pl.Int64,
            "indicator": pl.String,
            "stance": pl.String,
            "category": pl.String,
            "plover": pl.String,
            "mode": pl.String,
            "score": pl.Float64,
            "default_actor": pl.String,
            "fixed_actor": pl.Boolean,
            "default_status": pl.String,
        },
    )


def _status(codebook: Codebook) -> tuple[pl.Expr, pl.Expr]:
    """Expressions for (status, recast-as-THREATEN) from the context columns."""
    st = codebook.spec.status
    body = codebook.cue_body
    neg_tail = rf"(?:\W+\w+){{0,{st.negated_max_gap}}}?\W*$"
    negated = pl.col("left_clause").str.contains(rf"(?i){body(st.negated)}{neg_tail}") & ~pl.col(
        "left_clause"
    ).str.contains(rf"(?i){body(st.negation_exceptions)}{neg_tail}")
    threat = pl.col("left_clause").str.contains(rf"(?i){body(st.threat)}")
    hyp_before = pl.col("left_clause").str.contains(rf"(?i){body(st.hypothetical_before)}")
    hyp_after = pl.col("right_clause").str.contains(
        rf"(?i)^(?:\s*[^\s;]+){{0,{st.hypothetical_after_max_gap}}}?\s*{body(st.hypothetical_after)}"
    )
    hypothetical = hyp_before | hyp_after
    hedge = pl.col("left_sentence").str.contains(rf"(?i){body(st.hedge_speakers)}") & hypothetical
    announced = pl.col("left_clause").str.contains(rf"(?i){body(st.announced)}")
    status = (
        pl.when(negated)
        .then(pl.lit("negated"))
        .when(threat | hedge)
        .then(pl.lit("threatened"))
        .when(hypothetical)
        .then(pl.lit("hypothetical"))
        .when(announced)
        .then(pl.lit("threatened"))
        .otherwise(pl.col("default_status"))
    )
    recast = ~negated & (threat | hedge) & (pl.col("stance") == "coercion")
    return status, recast


def _context(hits: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """Cut the clause and sentence context of each match."""
    cl = codebook.spec.clauses
    lo = (pl.col("s_start") - LEFT_WINDOW).clip(lower_bound=0)
    return hits.with_columns(
        pl.col("text").str.slice(lo, pl.col("s_start") - lo).alias("left_sentence"),
        pl.col("text").str.slice(pl.col("s_end"), RIGHT_WINDOW).alias("_right"),
    ).with_columns(
        pl.col("left_sentence").str.replace(rf"(?s)^.*(?:{cl.left_boundary})", "").alias(
            "left_clause"
        ),
        pl.col("_right").str.replace(rf"(?s)(?:{cl.right_boundary}).*$", "").alias("right_clause"),
    )


def _previous_actor(
    sentences: pl.DataFrame, coded: pl.DataFrame, codebook: Codebook
) -> pl.DataFrame:
    """For coded sentences that open with a pronoun: the previous sentence's first cue."""
    ana = codebook.cue_body(codebook.spec.actors.anaphora)
    opened = coded.filter(pl.col("text").str.contains(rf"(?i){ana}")).select(
        "doc_id", "sent_id", (pl.col("sent_id") - 1).alias("_prev")
    )
    if opened.height == 0:
        return pl.DataFrame(
            schema={"doc_id": pl.String, "sent_id": pl.Int64, "prev_actor": pl.String}
        )
    prev = (
        opened.join(
            sentences.select("doc_id", pl.col("sent_id").alias("_prev"), "text"),
            on=["doc_id", "_prev"],
            how="inner",
        )
        .with_row_index("_k")
    )
    first = subject_cues(prev, codebook, col="text", key="_k", which="first")
    return (
        prev.join(first, on="_k", how="left")
        .select("doc_id", "sent_id", pl.col("actor").alias("prev_actor"))
        .unique(["doc_id", "sent_id"], keep="first")
    )


def code_sentences(sentences: pl.DataFrame, codebook: Codebook | None = None) -> pl.DataFrame:
    """Code every sentence with the codebook.

    Parameters
    ----------
    sentences : polars.DataFrame
        The ``sentences`` table: doc_id, sent_id, start, text (end and is_heading are
        used when present; headings are not coded).
    codebook : Codebook, optional
        A loaded codebook; None loads the packaged one.

    Returns
    -------
    polars.DataFrame
        The ``codes`` table: doc_id, sent_id, stance, category, plover, actor, mode,
        status, score, indicator, pattern, matched, match_start, match_end (offsets into
        the document text), sorted by doc_id, sent_id, match_start, category. One row per
        (sentence, category, actor, status).

    Examples
    --------
    >>> s = pl.DataFrame({"doc_id": ["d"], "sent_id": [1], "start": [0], "end": [46],
    ...                   "text": ["Trump threatened to impose tariffs on Mexico."]})
    >>> code_sentences(s).select("category", "actor", "status").rows()
    [('THREATEN', 'US', 'threatened')]
    """
    missing = [c for c in _REQUIRED if c not in sentences.columns]
    if missing:
        raise ValueError(
            f"sentences is missing column(s) {missing}; expected at least {list(_REQUIRED)} "
            "(the table analysis.segment.split_sentences returns)"
        )
    cb = codebook if codebook is not None else load_codebook()
    base = sentences.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("sent_id").cast(pl.Int64),
        pl.col("start").cast(pl.Int64),
        pl.col("text").cast(pl.String).fill_null(""),
        *([pl.col("is_heading").fill_null(False)] if "is_heading" in sentences.columns else []),
    ).with_row_index("_row")
    body = base.filter(~pl.col("is_heading")) if "is_heading" in base.columns else base
    hits = locate(body.select("_row", "text"), cb.indicator_regex)
    if hits.height == 0:
        return _empty_codes()
    hits = (
        hits.join(_pattern_map(hits["matched"], cb), on="matched", how="inner")
        .join(_indicator_frame(cb), on="_ind", how="inner")
        .join(base.select("_row", "doc_id", "sent_id", "start", "text"), on="_row", how="inner")
        .sort("_row", "s_start")
        .with_row_index("_code")
    )
    coded_sents = hits.select("doc_id", "sent_id", "text").unique(["doc_id", "sent_id"])
    prev = _previous_actor(base, coded_sents, cb)
    ana = cb.cue_body(cb.spec.actors.anaphora)
    ctx = (
        _context(hits, cb)
        .join(prev, on=["doc_id", "sent_id"], how="left")
        .with_columns(pl.col("text").str.contains(rf"(?i){ana}").alias("anaphoric"))
        .drop("text", "_right")
    )
    status, recast = _status(cb)
    t_plover, t_mode, t_score = cb.category_profile("THREATEN")
    ctx = ctx.with_columns(status.alias("status"), recast.alias("_recast")).with_columns(
        pl.when("_recast").then(pl.lit("THREATEN")).otherwise("category").alias("category"),
        pl.when("_recast").then(pl.lit(t_plover)).otherwise("plover").alias("plover"),
        pl.when("_recast").then(pl.lit(t_mode)).otherwise("mode").alias("mode"),
        pl.when("_recast").then(pl.lit(t_score)).otherwise("score").alias("score"),
    )
    ctx = attribute_actors(ctx, cb)
    return (
        ctx.with_columns(
            (pl.col("start") + pl.col("s_start")).alias("match_start"),
            (pl.col("start") + pl.col("s_end")).alias("match_end"),
        )
        .sort("_row", "s_start", "_code")
        .unique(["doc_id", "sent_id", "category", "actor", "status"], keep="first",
                maintain_order=True)
        .select([pl.col(c).cast(t) for c, t in CODES_SCHEMA.items()])
        .sort("doc_id", "sent_id", "match_start", "category")
    )


def kwic(codes: pl.DataFrame, sentences: pl.DataFrame, *, window: int = 60) -> pl.DataFrame:
    """Key words in context: each code with the sentence text around its match.

    Parameters
    ----------
    codes : polars.DataFrame
        The ``codes`` table.
    sentences : polars.DataFrame
        The ``sentences`` table the codes came from.
    window : int, default 60
        Characters of context on each side (within the sentence).

    Returns
    -------
    polars.DataFrame
        ``codes`` with ``left``, ``keyword`` and ``right``, in the codes' order.

    Examples
    --------
    >>> s = pl.DataFrame({"doc_id": ["d"], "sent_id": [1], "start": [0], "end": [46],
    ...                   "text": ["Trump threatened to impose tariffs on Mexico."]})
    >>> kwic(code_sentences(s), s, window=6).select("left", "keyword", "right").row(0)
    ('Trump ', 'threatened', ' to im')
    """
    if not isinstance(window, int) or isinstance(window, bool) or window < 0:
        raise ValueError(f"window must be a non-negative int, got {window!r}")
    missing = [c for c in ("doc_id", "sent_id", "start", "text") if c not in sentences.columns]
    if missing:
        raise ValueError(f"sentences is missing column(s) {missing}")
    s = sentences.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("sent_id").cast(pl.Int64),
        pl.col("start").cast(pl.Int64).alias("_sstart"),
        pl.col("text").alias("_stext"),
    )
    a = pl.col("match_start") - pl.col("_sstart")
    b = pl.col("match_end") - pl.col("_sstart")
    lo = (a - window).clip(lower_bound=0)
    return (
        codes.with_row_index("_k")
        .join(s, on=["doc_id", "sent_id"], how="left")
        .with_columns(
            pl.col("_stext").str.slice(lo, a - lo).alias("left"),
            pl.col("_stext").str.slice(a, b - a).alias("keyword"),
            pl.col("_stext").str.slice(b, window).alias("right"),
        )
        .sort("_k")
        .drop("_k", "_sstart", "_stext")
    )
