"""Actor attribution: who performs a coded act (US, MX, OTHER or UNSPECIFIED).

The actor is the side the sentence presents as doing the act (the source actor), not the
side written about. Cues come from the codebook's ``actors`` section (names, institutions,
joint phrases, pronouns); the rules look at the text around each match, inside the clause
that contains it (clause limits: the codebook's ``clauses`` section). A cue governed by a
preposition or an object-taking verb (``object_markers``: "pressure on Mexico", "urging
Mexico to", "on the basis of U.S. intelligence", "wants Mexico to") is never taken as the
actor, before the match or inside it ("pressed Mexico", "respects Mexico's sovereignty").
The subject of a passive verb (``passive``, an auxiliary and a participle reaching the
match: "Mexico was hit with a 25% tariff", "suspects were flown to the United States") is
the target, not the actor. A pronoun
("she", "they", "her government") stands for the actor of the previous sentences (up to
three sentences back). The first rule that yields an actor wins:

1. **Fixed actor.** Indicators with ``fixed_actor: true`` (talks, meetings: inherently
   joint acts) get their ``actor``, unless the subject of the clause is a third party
   or a third party with one side ("Canadá y México se reunieron"): then OTHER, which
   ``scope: bilateral`` drops (rule ``third_party``).
2. **Attributive cue** (skipped for indicators with ``attributive: false``, whose
   possessive names the target, as in "Mexico's insufficient efforts"). A U.S. or Mexican
   cue among the first two words of the match ("punitive US tariffs", "Trump's threats"),
   unless an object marker governs it ("pressed Mexico"), or one ending at most
   ``attributive_max_gap`` words before it ("U.S. pressure", "Washington's asks"; "a
   response to US pressure" too, as the cue directly modifies the act; not the subject of
   a passive: "Mexico was sanctioned").
   Between the two attributive tests, **recipient**: when the clause has a ``recipient``
   verb before or inside the match ("took delivery of", "received", "will face",
   "recibió"), its US or Mexican subject receives the act, which is by the other side:
   "Mexico's navy took delivery of helicopters financed through a U.S. program" is AID
   by the US.
3. **Joint.** For cooperation, a joint modifier just before the match ("bilateral
   cooperation", "joint operations") gives UNSPECIFIED.
4. **Agent.** A cue right after the match behind ``agent_prepositions``: "designated as
   terrorist organizations by the State Department", "pressure from the Trump
   administration", "condemnation from the Mexican government", and the Spanish genitive
   "las exigencias de Washington", "la presión del gobierno estadounidense".
5. **Subject.** The first cue in the clause before the match: "Mexico has provided
   financial intelligence", "the US administration listed Mexico among ...". Skipped when
   the clause is passive up to the match (the subject is then the target). A joint
   subject of a third party and one side ("Canada and Mexico agreed") is OTHER.
6. **Counterpart.** A partner or target inside or after the match ("with the US", "to the
   United States", "on Mexico") or a direct object right after it ("to pressure Mexico"): the
   act is by the other side (US and MX swap).
7. **Circumstantial.** An act inside a "despite/amid/in the face of" phrase with no
   actor so far is UNSPECIFIED ("despite critical rhetoric").
8. **Indicator default.** The indicator's ``actor``: an agentless act that only one side
   could perform (tariffs on goods entering the US: US; rejecting action on Mexico's own
   territory: MX).
   After it, **addressee** and **speaker**: in a unit whose ``speaker`` (a transcript's
   speaker label, else the document's source; see :func:`speaker_voice`) has a side,
   the one who tells or asks the speaker (``first_person_object``: "me dijo") is the
   other side, and an act with a first-person subject (``first_person``: "le planteé",
   "we") is the speaker's side.
9. **Anaphora.** A sentence that opens with a pronoun or a demonstrative ("She
   rejects ...", "These actions ...") takes the actor of the previous sentence: its
   subject (first cue not governed by a preposition, the preferred antecedent), or, when
   that is a pronoun too, the subject of the sentence before.
   Then **voice**: a verbal coercive or resisting act (a demand, an accusation, a
   refusal) with no actor so far, in a unit whose speaker has a side, is that side's
   own statement ("Asimismo, deben actuar contra los grupos delictivos" in a Mexican
   government communiqué).
10. **Earlier in the sentence.** The first U.S., Mexican or joint cue anywhere before the
    match (third parties are not taken from outside the clause).
11. Otherwise ``UNSPECIFIED``.

Place names that contain a country name (Gulf of Mexico, New Mexico) are listed under
``ignore`` and are never cues. The capital is a cue for its government ("a rebuke from
Mexico City", like "Washington"), except as a dateline ("Mexico City — ...", "Mexico City,
March 5"), which ``ignore`` lists.
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


def _actor_expr(col: str, values: pl.Series, codebook: Codebook) -> pl.Expr:
    """``col``'s cue strings as actors (IGNORE, unknown and null -> null)."""
    mapping = _cue_actor_map(values, codebook).filter(pl.col("_cue_actor") != "IGNORE")
    return pl.col(col).replace_strict(
        mapping["_cue"], mapping["_cue_actor"], default=None, return_dtype=pl.String
    )


def _resolve(frame: pl.DataFrame, col: str, out: str, codebook: Codebook) -> pl.DataFrame:
    """Replace the cue strings in ``col`` by actors in ``out`` (IGNORE -> null)."""
    return frame.with_columns(_actor_expr(col, frame[col], codebook).alias(out)).drop(col)


def subject_cues(
    texts: pl.DataFrame,
    codebook: Codebook,
    *,
    col: str,
    key: str,
    which: str = "first",
    pronouns: bool = True,
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
    pronouns : bool, default True
        Whether pronouns count (as "ANAPHOR").

    Returns
    -------
    polars.DataFrame
        ``key`` and ``actor`` (null when the text has no subject cue; "ANAPHOR" when it
        is a pronoun), one row per key.

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> df = pl.DataFrame({"k": [1], "t": ["Trump is urging Mexico to act"]})
    >>> subject_cues(df, load_codebook(), col="t", key="k")["actor"].to_list()
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
        texts.select(pl.col(key), pl.col(col).str.extract_all(regex).alias("_c"))
        .explode("_c")
        .filter(pl.col("_c").is_not_null() & ~pl.col("_c").str.contains(marker_start))
    )
    # exploding keeps each text's cues in text order, so the first (last) row of a key is
    # its earliest (latest) cue
    items = (
        _resolve(items, "_c", "actor", codebook)
        .filter(
            pl.col("actor").is_not_null() & (pl.lit(pronouns) | (pl.col("actor") != "ANAPHOR"))
        )
        .unique(key, keep="first" if which == "first" else "last", maintain_order=True)
    )
    return texts.select(key).join(items, on=key, how="left", maintain_order="left")


def _real(expr: pl.Expr, prev: pl.Expr) -> pl.Expr:
    """Resolve "ANAPHOR" to the previous sentences' actor."""
    return pl.when(expr == "ANAPHOR").then(prev).otherwise(expr)


def attribute_actors(codes: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """Add ``actor`` and ``actor_rule`` to per-match context rows, following the module's rules.

    Parameters
    ----------
    codes : polars.DataFrame
        One row per match with ``_code`` (unique key), ``stance``, ``matched``,
        ``left_clause`` (clause text before the match), ``right_clause`` (clause text after
        it), ``left_sentence`` (sentence text before it), ``default_actor`` (str or null),
        ``fixed_actor`` and ``attributive`` (bool), ``prev_actor`` (actor of the previous
        sentences, or null) and ``anaphoric`` (bool: the sentence opens with a pronoun).
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
    ...     ["The "], "default_actor": [None], "fixed_actor": [False], "attributive": [True],
    ...     "prev_actor": [None], "anaphoric": [False]},
    ...     schema_overrides={"default_actor": pl.String, "prev_actor": pl.String})
    >>> attribute_actors(df, load_codebook())["actor"].to_list()
    ['US']
    """
    spec = codebook.spec.actors
    cue = codebook.actor_body()
    body = codebook.cue_body
    markers = body(spec.object_markers)
    joint = body(spec.joint_modifiers)
    gap = spec.attributive_max_gap
    det = r"(?:the\s+|a\s+|an\s+|el\s+|la\s+|los\s+)?"
    passive = body(spec.passive)

    before = pl.col("left_clause").str.extract_groups(
        rf"(?i)(?P<c>(?:{markers}\s+{det})?{cue})(?P<g>(?:\s+[^\s,;]+){{0,{gap}}}?)\s*$"
    )
    feats = (
        codes.select(
            "_code",
            before.struct.field("c").alias("_before"),
            before.struct.field("g").alias("_gapwords"),
            # a cue among the first two words of the match, with the word that governs it
            pl.col("matched")
            .str.extract(rf"(?i)^(?:\S+\s+){{0,1}}?((?:{markers}\s+{det})?{cue})", 1)
            .alias("_inside"),
            # the subject is the target of a passive verb that reaches the match
            pl.concat_str(
                pl.col("left_clause"), pl.col("matched").str.extract(r"^(\S*)", 1).fill_null("")
            )
            .str.contains(
                rf"(?i){passive}(?:\s+(?:with|by|under|from|on|in|at|into|as|for|con|por|en)"
                rf"(?-u:\b)(?:\s+\S+){{0,4}}?)?\s*$"
            )
            .alias("_passive"),
            (
                pl.col("matched").str.contains(rf"(?i)^{joint}")
                | pl.col("left_clause").str.contains(rf"(?i){joint}(?:\s+[^\s,;]+){{0,1}}?\s*$")
            ).alias("_joint"),
            pl.col("right_clause")
            .str.extract(rf"(?i)^\s*{body(spec.agent_prepositions)}\s+{det}({cue})", 1)
            .alias("_agent"),
            # a partner or target inside the match ("flown to the United States"), else
            # right after it
            pl.coalesce(
                pl.col("matched").str.extract(
                    rf"(?i)\s{body(spec.counterpart_prepositions)}\s+{det}({cue})", 1
                ),
                pl.col("right_clause").str.extract(
                    rf"(?i)^(?:\s*[^\s,;]+){{0,{spec.counterpart_max_gap}}}?\s+"
                    rf"{body(spec.counterpart_prepositions)}\s+{det}({cue})",
                    1,
                ),
            ).alias("_cp"),
            pl.col("right_clause")
            .str.extract(rf"(?i)^\s+({cue})(?:\s|[,.;:]|$)", 1)
            .alias("_dobj"),
            pl.col("left_sentence")
            .str.contains(rf"(?i){body(spec.circumstantial)}\s+(?:[^\s,;]+\s+){{0,3}}$")
            .alias("_circ"),
            # the speaker of the turn as subject, or as the one addressed
            _cue_in(pl.concat_str(pl.col("left_clause"), pl.col("matched")), spec.first_person,
                    codebook).alias("_first_person"),
            _cue_in(pl.concat_str(pl.col("left_clause"), pl.col("matched")),
                    spec.first_person_object, codebook).alias("_fp_object"),
            # the subject receives the act ("Mexico's navy took delivery of helicopters")
            pl.concat_str(pl.col("left_clause"), pl.col("matched"))
            .str.contains(rf"(?i){body(spec.recipient)}")
            .alias("_recipient"),
        )
        .with_columns(
            # a cue governed by a preposition is a target, unless it directly modifies the
            # match ("a response to US pressure"); so is the subject of a passive verb
            pl.when(
                (
                    pl.col("_before").str.contains(rf"(?i)^{markers}\s")
                    | pl.col("_passive")
                )
                & (pl.col("_gapwords").str.strip_chars() != "")
            )
            .then(None)
            .otherwise(pl.col("_before"))
            .alias("_before"),
            # inside the match too: "pressed Mexico", "wants Mexico to" name the target
            pl.when(pl.col("_inside").str.contains(rf"(?i)^{markers}\s"))
            .then(None)
            .otherwise(pl.col("_inside"))
            .alias("_inside"),
        )
        .drop("_gapwords")
    )
    for col, out in (
        ("_before", "a_before"),
        ("_inside", "inside"),
        ("_agent", "agent"),
        ("_cp", "cp"),
        ("_dobj", "dobj"),
    ):
        feats = _resolve(feats, col, out, codebook)
    # subject_cues and the feature frame keep the rows of ``codes`` in order: stack them
    subj = subject_cues(codes, codebook, col="left_clause", key="_code")["actor"]
    early = subject_cues(codes, codebook, col="left_sentence", key="_code")["actor"]
    out = pl.concat(
        [codes, feats.drop("_code"), pl.DataFrame([subj.alias("subject"), early.alias("early")])],
        how="horizontal",
    )
    prev = pl.col("prev_actor")
    inside_ok = _real(pl.col("inside"), prev)
    inside_ok = pl.when(inside_ok.is_in(["US", "MX"])).then(inside_ok)
    before_ok = _real(pl.col("a_before"), prev)
    before_ok = pl.when(before_ok != "OTHER").then(before_ok)
    subject = _real(pl.col("subject"), prev)
    early = _real(pl.col("early"), prev)
    early = pl.when(early != "OTHER").then(early)
    cp_actor = pl.coalesce(pl.col("cp"), pl.col("dobj")).replace_strict(
        _OTHER_SIDE, default=None, return_dtype=pl.String
    )
    attributive = pl.col("attributive")
    voice = pl.col("voice") if "voice" in out.columns else pl.lit(None, dtype=pl.String)
    mode = pl.col("mode") if "mode" in out.columns else pl.lit(None, dtype=pl.String)
    other_voice = voice.replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String)
    rules: list[tuple[str, pl.Expr, pl.Expr]] = [
        # a joint act of a third party with one side ("Canada and Mexico agreed"): OTHER,
        # which scope: bilateral drops
        ("third_party", pl.col("fixed_actor") & (pl.col("subject") == "OTHER"), pl.lit("OTHER")),
        (
            "fixed",
            pl.col("fixed_actor") & pl.col("default_actor").is_not_null(),
            pl.col("default_actor"),
        ),
        ("attributive", attributive & inside_ok.is_not_null(), inside_ok),
        # before the attributive cue: in "Mexico's navy took delivery of helicopters" the
        # possessive names the subject, which receives the act
        (
            "recipient",
            subject.is_in(["US", "MX"]) & ~pl.col("_passive") & pl.col("_recipient"),
            subject.replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String),
        ),
        ("attributive", attributive & before_ok.is_not_null(), before_ok),
        ("joint", pl.col("_joint") & (pl.col("stance") == "cooperation"), pl.lit("UNSPECIFIED")),
        ("agent", pl.col("agent").is_not_null() & (pl.col("agent") != "ANAPHOR"), pl.col("agent")),
        ("subject", subject.is_not_null() & ~pl.col("_passive"), subject),
        ("counterpart", cp_actor.is_not_null(), cp_actor),
        ("circumstantial", pl.col("_circ"), pl.lit("UNSPECIFIED")),
        ("default", pl.col("default_actor").is_not_null(), pl.col("default_actor")),
        # in a speaker's turn, the speaker is the one who told, asked, agreed ("le dije",
        # "we agreed"); the one who told the speaker ("me dijo") is the other side
        ("addressee", voice.is_not_null() & pl.col("_fp_object"), other_voice),
        ("speaker", voice.is_not_null() & pl.col("_first_person"), voice),
        ("anaphora", pl.col("anaphoric") & prev.is_not_null(), prev),
        # a demand or complaint with no other actor, in a side's own document or turn, is
        # that side's statement
        (
            "voice",
            voice.is_not_null()
            & (pl.col("stance") != "cooperation")
            & (mode == "verbal"),
            voice,
        ),
        ("sentence", early.is_not_null(), early),
    ]
    actor = pl.lit("UNSPECIFIED", dtype=pl.String)
    rule = pl.lit("none", dtype=pl.String)
    for name, cond, value in reversed(rules):
        actor = pl.when(cond.fill_null(False)).then(value).otherwise(actor)
        rule = pl.when(cond.fill_null(False)).then(pl.lit(name)).otherwise(rule)
    return out.with_columns(actor.alias("actor"), rule.alias("actor_rule")).drop(
        "a_before",
        "_joint",
        "agent",
        "cp",
        "dobj",
        "_circ",
        "inside",
        "subject",
        "early",
        "_passive",
        "_recipient",
        "_first_person",
        "_fp_object",
    )


def _cue_in(text: pl.Expr, cues: list[str], codebook: Codebook) -> pl.Expr:
    """Whether ``text`` contains one of ``cues`` (always false for an empty list)."""
    if not cues:
        return pl.lit(False)
    return text.str.contains(rf"(?i){codebook.cue_body(cues)}")


def speaker_voice(sentences: pl.DataFrame, codebook: Codebook) -> pl.Series:
    """The side whose words each sentence gives, from its ``speaker``.

    ``speaker`` (see :func:`analysis.segment.split_sentences`) is the turn's speaker label
    in a transcript ("PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO", "MS. LEAVITT") or
    the document's source ("The White House"); its actor cue gives the side. A speaker
    with no U.S. or Mexican cue ("Q", a journalist, a newspaper) gives none.

    Returns
    -------
    polars.Series
        ``voice``: US, MX or null, one per row of ``sentences`` (all null without a
        ``speaker`` column).

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> s = pl.DataFrame({"speaker": ["PRESIDENTA CLAUDIA SHEINBAUM PARDO", "Q",
    ...     "The White House", None]})
    >>> speaker_voice(s, load_codebook()).to_list()
    ['MX', None, 'US', None]
    """
    if "speaker" not in sentences.columns:
        return pl.Series("voice", [None] * sentences.height, dtype=pl.String)
    cue = sentences.select(
        pl.col("speaker").str.extract(rf"(?i)({codebook.actor_body()})", 1).alias("_cue")
    )
    side = _actor_expr("_cue", cue["_cue"], codebook)
    return cue.select(pl.when(side.is_in(["US", "MX"])).then(side).alias("voice"))["voice"]
