"""Actor attribution: who performs a coded act (US, MX, OTHER or UNSPECIFIED).

The actor is the side the sentence presents as doing the act (the source actor), not the
side written about. Cues come from the codebook's ``actors`` section (names, institutions,
demonyms, joint phrases); the rules below look at the text around each match, inside the
clause that contains it (clause limits: the codebook's ``clauses`` section). The first rule
that yields an actor wins:

1. **Fixed actor.** Indicators with ``fixed_actor: true`` (talks, meetings: inherently
   joint acts) always get their ``actor``.
2. **Attributive cue.** A cue that opens the match or ends at most ``attributive_max_gap``
   words before it: "U.S. pressure", "Trump's continued tariff threats", "Washington's
   asks". For cooperation, a joint modifier ("bilateral cooperation") gives UNSPECIFIED.
3. **Subject.** The nearest cue to the left in the clause that is not governed by a
   preposition or an object-taking verb (``object_markers``): "Mexico has provided
   financial intelligence", "the State Department has revoked visas". In "pressure on
   Mexico" or "urging Mexico to", Mexico is an object and is skipped.
4. **Agent.** A passive agent right after the match: "designated as terrorist
   organizations by the State Department", "pressure from the Trump administration".
5. **Counterpart.** A partner or target after the match ("with the US", "to the United
   States", "on Mexico"): the act is by the other side. US and MX swap; other cues give
   nothing.
6. **Anaphora.** A sentence that opens with a pronoun ("She rejects ...", "He
   described ...") takes the first subject cue of the previous sentence.
7. **Earlier in the sentence.** The first subject cue anywhere before the match
   ("Mexican authorities have increased seizures and arrests, and they have transferred
   ...").
8. **Indicator default.** The indicator's ``actor``: an agentless act that only one side
   could perform (tariffs on goods entering the US: US; rejecting action on Mexico's own
   territory: MX).
9. Otherwise ``UNSPECIFIED``.

Place names that contain a country name (Mexico City, Gulf of Mexico) are listed under
``ignore`` and are never cues.
"""

from __future__ import annotations

import polars as pl

from analysis.codebook import Codebook

_OTHER_SIDE = {"US": "MX", "MX": "US"}


def _cue_actor_map(values: pl.Series, codebook: Codebook) -> pl.DataFrame:
    """Map each distinct cue string to its actor (one Python call per distinct string)."""
    uniq = values.drop_nulls().unique().sort().to_list()
    return pl.DataFrame(
        {"_cue": uniq, "_cue_actor": [codebook.actor_of_cue(c) for c in uniq]},
        schema={"_cue": pl.String, "_cue_actor": pl.String},
    )


def _resolve(frame: pl.DataFrame, col: str, out: str, codebook: Codebook) -> pl.DataFrame:
    """Replace the cue strings in ``col`` by actors in ``out`` (IGNORE -> null)."""
    mapping = _cue_actor_map(frame[col], codebook)
    return (
        frame.join(mapping, left_on=col, right_on="_cue", how="left")
        .with_columns(
            pl.when(pl.col("_cue_actor") == "IGNORE")
            .then(None)
            .otherwise(pl.col("_cue_actor"))
            .alias(out)
        )
        .drop("_cue_actor", col)
    )


def subject_cues(
    texts: pl.DataFrame, codebook: Codebook, *, col: str, key: str, which: str
) -> pl.DataFrame:
    """The first or last cue in ``col`` that is not governed by a preposition or verb.

    Parameters
    ----------
    texts : polars.DataFrame
        Has a key column ``key`` and a text column ``col``.
    codebook : Codebook
    col, key : str
        Text and key columns.
    which : {"first", "last"}
        The earliest or the nearest-to-the-end subject cue.

    Returns
    -------
    polars.DataFrame
        ``key`` and ``actor`` (null when the text has no subject cue), one row per key.

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> df = pl.DataFrame({"k": [1], "t": ["Trump is urging Mexico to act"]})
    >>> subject_cues(df, load_codebook(), col="t", key="k", which="last")["actor"].to_list()
    ['US']
    """
    if which not in ("first", "last"):
        raise ValueError(f"which must be 'first' or 'last', got {which!r}")
    spec = codebook.spec.actors
    markers = codebook.cue_body(spec.object_markers)
    cue = codebook.actor_body()
    regex = rf"(?i)(?:{markers}\s+(?:the\s+|a\s+|an\s+|el\s+|la\s+)?)?{cue}"
    marker_start = rf"(?i)^{markers}\s"
    items = (
        texts.select(pl.col(key), pl.col(col).str.extract_all(regex).alias("_items"))
        .explode("_items")
        .with_columns(pl.int_range(pl.len()).over(key).alias("_pos"))
        .filter(pl.col("_items").is_not_null() & ~pl.col("_items").str.contains(marker_start))
    )
    items = _resolve(items.rename({"_items": "_c"}), "_c", "actor", codebook).filter(
        pl.col("actor").is_not_null()
    )
    agg = pl.col("actor").sort_by("_pos")
    picked = items.group_by(key).agg(agg.first() if which == "first" else agg.last())
    return texts.select(key).join(picked, on=key, how="left")


def attribute_actors(codes: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """Add an ``actor`` column to per-match context rows, following the module's rules.

    Parameters
    ----------
    codes : polars.DataFrame
        One row per match with ``_code`` (unique key), ``stance``, ``matched``,
        ``left_clause`` (clause text before the match), ``right_clause`` (clause text after
        it), ``left_sentence`` (all sentence text before it), ``default_actor`` (str or
        null), ``fixed_actor`` (bool) and ``prev_actor`` (first subject cue of the previous
        sentence, or null) and ``anaphoric`` (bool: the sentence opens with a pronoun).
    codebook : Codebook

    Returns
    -------
    polars.DataFrame
        ``codes`` with ``actor`` (US, MX, OTHER or UNSPECIFIED) and ``actor_rule`` (the name
        of the rule that decided it).

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> df = pl.DataFrame({"_code": [0], "stance": ["coercion"], "matched": ["pressure"],
    ...     "left_clause": ["The "], "right_clause": [" on Mexico grew."], "left_sentence":
    ...     ["The "], "default_actor": [None], "fixed_actor": [False], "prev_actor": [None],
    ...     "anaphoric": [False]}, schema_overrides={"default_actor": pl.String,
    ...     "prev_actor": pl.String})
    >>> attribute_actors(df, load_codebook())["actor"].to_list()
    ['US']
    """
    spec = codebook.spec.actors
    cue = codebook.actor_body()
    joint = codebook.cue_body(spec.joint_modifiers)
    gap = spec.attributive_max_gap
    agents = codebook.cue_body(spec.agent_prepositions)
    cps = codebook.cue_body(spec.counterpart_prepositions)
    det = r"(?:the\s+|a\s+|an\s+|el\s+|la\s+|los\s+)?"

    feats = codes.select(
        "_code",
        pl.col("matched").str.extract(rf"(?i)^({cue})", 1).alias("_a_open"),
        pl.col("left_clause")
        .str.extract(rf"(?i)({cue})(?:\s+[^\s,;]+){{0,{gap}}}?\s*$", 1)
        .alias("_a_before"),
        (
            pl.col("matched").str.contains(rf"(?i)^{joint}")
            | pl.col("left_clause").str.contains(rf"(?i){joint}(?:\s+[^\s,;]+){{0,1}}?\s*$")
        ).alias("_joint"),
        pl.col("right_clause").str.extract(rf"(?i)^\s*{agents}\s+{det}({cue})", 1).alias("_agent"),
        pl.col("right_clause")
        .str.extract(
            rf"(?i)^(?:\s*[^\s,;]+){{0,{spec.counterpart_max_gap}}}?\s+{cps}\s+{det}({cue})", 1
        )
        .alias("_cp"),
    )
    for col, out in (
        ("_a_open", "a_open"),
        ("_a_before", "a_before"),
        ("_agent", "agent"),
        ("_cp", "cp"),
    ):
        feats = _resolve(feats, col, out, codebook)
    subj = subject_cues(codes, codebook, col="left_clause", key="_code", which="last").rename(
        {"actor": "subject"}
    )
    early = subject_cues(codes, codebook, col="left_sentence", key="_code", which="first").rename(
        {"actor": "early"}
    )
    feats = feats.join(subj, on="_code", how="left").join(early, on="_code", how="left")
    out = codes.join(feats, on="_code", how="left")

    cp_actor = pl.col("cp").replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String)
    rules: list[tuple[str, pl.Expr, pl.Expr]] = [
        ("fixed", pl.col("fixed_actor") & pl.col("default_actor").is_not_null(),
         pl.col("default_actor")),
        ("attributive", pl.col("a_open").is_not_null(), pl.col("a_open")),
        ("attributive", pl.col("a_before").is_not_null(), pl.col("a_before")),
        ("joint", pl.col("_joint") & (pl.col("stance") == "cooperation"), pl.lit("UNSPECIFIED")),
        ("subject", pl.col("subject").is_not_null(), pl.col("subject")),
        ("agent", pl.col("agent").is_not_null(), pl.col("agent")),
        ("counterpart", cp_actor.is_not_null(), cp_actor),
        ("anaphora", pl.col("anaphoric") & pl.col("prev_actor").is_not_null(),
         pl.col("prev_actor")),
        ("sentence", pl.col("early").is_not_null(), pl.col("early")),
        ("default", pl.col("default_actor").is_not_null(), pl.col("default_actor")),
    ]
    actor = pl.lit("UNSPECIFIED", dtype=pl.String)
    rule = pl.lit("none", dtype=pl.String)
    for name, cond, value in reversed(rules):
        actor = pl.when(cond).then(value).otherwise(actor)
        rule = pl.when(cond).then(pl.lit(name)).otherwise(rule)
    return out.with_columns(actor.alias("actor"), rule.alias("actor_rule")).drop(
        "a_open", "a_before", "_joint", "agent", "cp", "subject", "early"
    )
