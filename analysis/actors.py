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
three sentences back).

The rules are the codebook's ``rules.actor`` table, run in order by :func:`apply_rules`:
the first whose test holds for the code's stance (and mode) gives the actor, and its name
goes into ``actor_rule`` ("none" when no rule holds: UNSPECIFIED). The tests, by rule
name:

- ``third_party``: a fixed-actor joint act (actor UNSPECIFIED) whose clause subject is a
  third party, or a third party with one side ("Canadá y México se reunieron"): OTHER,
  which ``scope: bilateral`` drops. A fixed-actor charge keeps its actor: its subject is
  the accused ("the cartels control entire regions of Mexico").
- ``fixed``: indicators with ``fixed_actor: true`` (talks, meetings: inherently joint
  acts) get their ``actor``.
- ``obligation``: a coercive verbal act with a U.S. or Mexican cue at most two words
  before an ``obligation`` ("Mexico must do more", "the United States must also control
  the flow of weapons"): the side told what it must do is the target, the act the other
  side's (before ``attributive``, which would take the cue that opens the match). In a
  unit whose speaker has a side, a third-person plural told what it must do ("ellos
  tienen que atender ese tema"), or asked why it does not (the codebook's
  ``rhetorical_questions``: "¿Por qué no atienden a sus jóvenes?"), makes the demand or
  charge the speaker's.
- ``attributive``: a U.S. or Mexican cue among the first two words of the match
  ("punitive US tariffs"), unless an object marker governs it ("pressed Mexico");
  skipped for indicators with ``attributive: false``, whose possessive names the target
  ("Mexico's insufficient efforts").
- ``recipient``: a ``recipient`` verb before or inside the match ("took delivery of",
  "recibió") with a U.S. or Mexican subject: the act is by the other side.
- ``reaction``: a coercive act named right after a ``reaction`` verb (criticise, respond
  to, call, calificar; or after at most two words and an article: "Sheinbaum criticized the
  tariffs", "calificó de discriminatorio el impuesto a las remesas") with a U.S. or
  Mexican subject is the other side's: the subject reacts to it (not when the subject is
  the side the indicator's ``actor`` names: "Trump called the tariffs a success").
- ``attributive_before``: a cue ending at most ``attributive_max_gap`` words before the
  match ("U.S. pressure", "a response to US pressure"); not the subject of a passive.
- ``joint``: a joint modifier just before the match ("bilateral cooperation").
- ``agent``: a cue right after the match behind an ``agent_prepositions`` word
  ("designated ... by the State Department", "las exigencias de Washington").
- ``inverted_subject``: a cue right after a match that ends in a Spanish finite verb
  (``inverted_subject_verbs``), an article and one word at most between, and no
  preposition ("..., exigió Trump", "los aranceles que anunció el presidente Trump"): the
  subject after its verb, whose object would take "a".
- ``subject``: the first cue in the clause before the match, unless the clause is passive
  up to the match; a third party with one side is OTHER.
- ``reporter``: a clause that names no subject and is what a speech verb before it
  reports (``speech`` then that/que: "Lo que el presidente Trump dice es que aquello que se
  exporta no está cumpliendo las reglas") is the speaker's: the sentence's first U.S. or
  Mexican cue (the table limits it to charges and demands).
- ``counterpart``: a partner or target inside or after the match ("with the US", "to
  the United States") or a direct object right after it ("to pressure Mexico"): the
  other side.
- ``circumstantial``: the act sits in a despite/amid phrase: UNSPECIFIED.
- ``default``: the indicator's ``actor`` (an agentless act only one side could perform).
- ``reciprocal``: in a unit whose speaker has a side, an act with a first-person subject
  that both sides perform together (``reciprocal``, in the match or just after it:
  "estamos de acuerdo", "coincidimos en que", "we agreed") is joint: UNSPECIFIED. The
  table limits it to agreements.
- ``addressee`` and ``speaker``: in a unit whose ``speaker`` (a transcript's speaker
  label, else the document's source; :func:`speaker_voice`) has a side, the one who tells
  or asks the speaker (``first_person_object``: "me dijo") is the other side, and an act
  with a first-person subject (``first_person``: "le planteé", "we") is the speaker's.
- ``other_party``: in such a unit, an act whose subject is a third-person plural
  (``other_party``: "ellos también presentaron algunos temas") is the other side's: in a
  side's own turn, "they" are its counterparts.
- ``quoted``: an act inside a quotation that the sentence closes and attributes (a
  speech verb, ``speech``, within a few words after the closing mark: "“…,” said Agriculture
  Secretary Brooke Rollins", "“…”, señaló Ebrard") is the quoted person's side; an
  attribution that names nobody ("she said", "afirmó") refers back to the previous
  sentences' actor.
- ``anaphora``: a sentence that opens with a pronoun takes the previous sentences'
  subject.
- ``voice``: an act with no actor so far, in a unit whose speaker has a side, is that
  side's statement (the table limits it to verbal coercion and resistance: "Asimismo,
  deben actuar contra los grupos delictivos" in a Mexican government communiqué).
- ``sentence``: the first U.S., Mexican or joint cue anywhere before the match.

Place names that contain a country name (Gulf of Mexico, New Mexico) are listed under
``ignore`` and are never cues. The capital is a cue for its government ("a rebuke from
Mexico City", like "Washington"), except as a dateline ("Mexico City — ...", "Mexico City,
March 5"), which ``ignore`` lists.
"""

from __future__ import annotations

import polars as pl

from analysis.codebook import Codebook, rust_regex

_OTHER_SIDE = {"US": "MX", "MX": "US"}
#: Characters after the match in which a reciprocal cue still names the act (rule
#: ``reciprocal``: "colaborando y coordinando").
RECIPROCAL_CHARS = 30


def where_cue(text: pl.Expr, cue: str) -> pl.Expr:
    """``text`` where the regex ``cue`` occurs in it, else the empty string.

    A regex that requires ``cue`` somewhere in its match (and cannot match the empty
    string) matches this column exactly where it matches ``text``, and finds the same
    matches; a slow regex (a large alternation, or Unicode word classes up to the end of
    the text) then runs only on the rows that can match.

    Examples
    --------
    >>> df = pl.DataFrame({"t": ["not imposed", "imposed"]})
    >>> df.select(where_cue(pl.col("t"), "not "))["t"].to_list()
    ['not imposed', '']
    """
    return pl.when(text.str.contains(cue)).then(text).otherwise(pl.lit(""))


def _gated(text: pl.Expr, gate: str) -> pl.Expr:
    """:func:`where_cue` with the cue tested beforehand, in the boolean column ``gate``.

    For :func:`columns`: a regex inside ``when`` would run on polars' thread pool.
    """
    return pl.when(gate).then(text).otherwise(pl.lit(""))


def columns(frame: pl.DataFrame, steps: list[tuple[str, pl.Expr | None]]) -> pl.DataFrame:
    """Evaluate ``steps`` (name, expression) in order, one ``select`` each, on this thread.

    polars compiles the regex of a string operation each time it runs one, through a
    cache of the last 32 regexes compiled on each thread. A lazy query, or a ``select``
    of several expressions, runs on polars' thread pool, where the coder's regexes (26
    chunk regexes, some 50 for status and actor) do not fit: every batch compiled them
    again, 6 to 17 ms each for the large actor-cue alternations. A ``select`` of one
    expression runs on the calling thread, its regexes included unless they sit inside a
    ``when`` (whose inputs go to the pool): run on a long-lived thread (the coder runs
    :func:`actor_features` on its helper thread, :func:`subject_features` and the
    previous sentences' subjects on the caller's), they stay compiled
    from batch to batch and from call to call.

    A step may use the columns of the steps before it; a step whose expression is None
    drops the column ``name`` (an intermediate no longer needed). Returns ``frame`` with
    the new columns.
    """
    for name, expr in steps:
        if expr is None:
            frame = frame.drop(name)
        else:
            frame = frame.with_columns(frame.select(expr.alias(name)).to_series())
    return frame


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
    items = _cue_items(texts, codebook, col=col, key=key)
    return _first_subject(texts, items, codebook, key=key, which=which, pronouns=pronouns)


def _cue_items(texts: pl.DataFrame, codebook: Codebook, *, col: str, key: str) -> pl.DataFrame:
    """Every cue in ``col`` not governed by a preposition or verb, in text order, as ``_c``.

    Computed on the calling thread (:func:`columns`).
    """
    spec = codebook.spec.actors
    markers = codebook.cue_body(spec.object_markers)
    cue = codebook.actor_body()
    regex = rf"(?i)(?:{markers}\s+(?:{codebook.words('determiners')}\s+)?)?{cue}"
    marker_start = rf"(?i)^{markers}\s"
    found = (
        columns(
            texts.select(key, col),
            [
                ("_g", pl.col(col).str.contains(rf"(?i){cue}")),
                ("_c", _gated(pl.col(col), "_g").str.extract_all(regex)),
            ],
        )
        .select(key, "_c")
        .explode("_c")
        .filter(pl.col("_c").is_not_null())
    )
    governed = columns(found, [("_m", pl.col("_c").str.contains(marker_start))])["_m"]
    return found.filter(~governed)


def _first_subject(
    texts: pl.DataFrame,
    items: pl.DataFrame,
    codebook: Codebook,
    *,
    key: str,
    which: str = "first",
    pronouns: bool = True,
) -> pl.DataFrame:
    """:func:`subject_cues` from the listed cues (:func:`_cue_items`) of ``texts``."""
    # exploding keeps each text's cues in text order, so the first (last) row of a key is
    # its earliest (latest) cue
    items = (
        _resolve(items, "_c", "actor", codebook)
        .filter(pl.col("actor").is_not_null() & (pl.lit(pronouns) | (pl.col("actor") != "ANAPHOR")))
        .unique(key, keep="first" if which == "first" else "last", maintain_order=True)
    )
    return texts.select(key).join(items, on=key, how="left", maintain_order="left")


def _real(expr: pl.Expr, prev: pl.Expr) -> pl.Expr:
    """Resolve "ANAPHOR" to the previous sentences' actor."""
    return pl.when(expr == "ANAPHOR").then(prev).otherwise(expr)


def _applies(row) -> pl.Expr:
    """Whether a rules-table row applies to a code: its stances, modes, categories and
    indicators."""
    fits = pl.col("stance").is_in(list(row.stances))
    if len(row.modes) < 2:
        fits = fits & pl.col("mode").is_in(list(row.modes))
    if row.categories:
        fits = fits & pl.col("category").is_in(list(row.categories))
    if row.indicators:
        fits = fits & pl.col("indicator").is_in(list(row.indicators))
    return fits


def apply_rules(rows, tests: dict[str, pl.Expr], *, default, result):
    """Run a rules table: the first row whose test holds for the code decides.

    Parameters
    ----------
    rows : list of StatusRule or ActorRule
        The codebook's table, in order.
    tests : dict of str to pl.Expr
        Each rule's test, by name.
    default : tuple of (pl.Expr, pl.Expr)
        The value and rule name when no row holds.
    result : callable
        A row -> the value it gives.

    Returns
    -------
    tuple of pl.Expr
        The value, the deciding rule's name, and whether that row recasts the act as a
        THREATEN (status rows with ``recast``).
    """
    value, name = default
    recast = pl.lit(False)
    for row in reversed(rows):
        holds = (tests[row.rule] & _applies(row)).fill_null(False)
        value = pl.when(holds).then(result(row)).otherwise(value)
        name = pl.when(holds).then(pl.lit(row.rule)).otherwise(name)
        recast = (
            pl.when(holds).then(pl.lit(getattr(row, "recast", None) is not None)).otherwise(recast)
        )
    return value, name, recast


def _antecedent_steps(codebook: Codebook) -> list[tuple[str, pl.Expr | None]]:
    """Steps of :func:`actor_features` giving ``_ante``: the nearest person cue before the
    last masculine or feminine pronoun of the sentence before the match, of the pronoun's
    gender (``actors.masculine``, ``actors.feminine``), or null."""
    spec = codebook.spec.actors
    body = codebook.cue_body
    steps: list[tuple[str, pl.Expr | None]] = []
    names = []
    for gender, people, pronouns in (
        ("m", spec.masculine, spec.masculine_pronouns),
        ("f", spec.feminine, spec.feminine_pronouns),
    ):
        if not people or not pronouns:
            continue
        gate = f"_pn{gender}"
        steps += [
            (gate, pl.col("left_sentence").str.contains(rf"(?i)\s{body(pronouns)}")),
            (
                f"_ante{gender}",
                _gated(pl.col("left_sentence"), gate).str.extract(
                    rf"(?is)^.*({body(people)})[^.;:]*?\s{body(pronouns)}", 1
                ),
            ),
            (gate, None),
        ]
        names.append(f"_ante{gender}")
    if not names:
        return [("_ante", pl.lit(None, dtype=pl.String))]
    return [*steps, ("_ante", pl.coalesce(names)), *((n, None) for n in names)]


def _quotation_steps(codebook: Codebook, has_right: bool) -> list[tuple[str, pl.Expr | None]]:
    """Steps of :func:`subject_features` giving ``_quoter`` (the first actor cue of the
    attribution that follows the quotation a match sits in, or null) and ``_bare_quote``
    (an attribution of two words at most: a pronoun and a speech verb, or the verb alone)."""
    spec = codebook.spec.actors
    # the sentence after the match (the clause after it when only that is at hand)
    rest = pl.col("_right_sentence") if has_right else pl.col("right_clause")
    speech = codebook.cue_body(spec.speech)
    # the rest of the sentence: no quotation mark before the closing one, then at most
    # a few words before a speech verb
    attribution = rust_regex(
        rf"(?i)^[^“”\"«»]*?[”\"»]\s*,?\s*((?:[^\s.;:!?]+\s+){{0,4}}?{speech}[^.;:!?]{{0,60}})"
    )
    # Few regexes of their own: the thread that runs these steps keeps its compiled
    # regexes in a small cache, and one regex too many recompiles them all at every call.
    # The gate is a literal search; the cue search is the one the other steps use.
    return [
        ("_qg", rest.str.contains_any(["”", '"', "»"])),
        ("_qa", _gated(rest, "_qg").str.extract(attribution, 1)),
        ("_qg", None),
        ("_quoter", pl.col("_qa").str.extract(rf"(?i){codebook.actor_body()}", 0)),
        # an attribution of two words at most names nobody but a pronoun: "she said", "afirmó"
        (
            "_bare_quote",
            (pl.col("_qa").str.strip_chars().str.split(" ").list.len() <= 2).fill_null(False),
        ),
        ("_qa", None),
    ]


def actor_features(codes: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """The regex features of each match that the actor rules read (:func:`attribute_actors`).

    Computed on the calling thread, one column at a time (:func:`columns`).

    Returns
    -------
    polars.DataFrame
        ``_code`` and one column per feature, one row per row of ``codes``, in order.
    """
    spec = codebook.spec.actors
    cue = codebook.actor_body()
    body = codebook.cue_body
    markers = body(spec.object_markers)
    marker_start = rf"(?i)^{markers}\s"
    joint = body(spec.joint_modifiers)
    gap = spec.attributive_max_gap
    det = rf"(?:{codebook.words('determiners')}\s+)?"
    passive = body(spec.passive)
    inverted = body(spec.inverted_subject_verbs)
    left, matched, right = pl.col("left_clause"), pl.col("matched"), pl.col("right_clause")
    # the clause before the match and the match itself
    up_to_match = pl.concat_str(left, matched)
    # a cue (with the word that governs it) and at most ``gap`` words, at the end of a text
    before_rx = rf"(?i)(?P<c>(?:{markers}\s+{det})?{cue})(?P<g>(?:\s+[^\s,;]+){{0,{gap}}}?)\s*$"
    steps = [
        # the slow regexes run only on the texts that hold a cue they require
        ("_lg", left.str.contains(rf"(?i){cue}")),
        ("_rg", right.str.contains(rf"(?i){cue}")),
        ("_mg", matched.str.contains(rf"(?i){cue}")),
        (
            "_bg",
            _gated(left, "_lg").str.extract_groups(before_rx),
        ),
        ("_before", pl.col("_bg").struct.field("c")),
        ("_gapwords", pl.col("_bg").struct.field("g")),
        # the nearest cue: one in the gap after the first ("Rubio welcomed Mexico's
        # demonstrated commitment" is Mexico's), unless the two are one coordinated
        # subject ("The Canadian government and Mexico coordinated")
        (
            "_bg",
            pl.when(~pl.col("_gapwords").str.contains(rf"(?i)^\s+{codebook.words('conjunctions')}\s"))
            .then(pl.col("_gapwords"))
            .str.extract_groups(before_rx),
        ),
        # ... and not a pronoun, which refers back to the first ("Sheinbaum said she")
        (
            "_bg",
            pl.when(
                ~pl.col("_bg").struct.field("c").str.contains(rf"(?i)^{body(spec.pronouns)}$")
            ).then(pl.col("_bg")),
        ),
        ("_before", pl.coalesce(pl.col("_bg").struct.field("c"), "_before")),
        (
            "_gapwords",
            pl.when(pl.col("_bg").struct.field("c").is_not_null())
            .then(pl.col("_bg").struct.field("g"))
            .otherwise("_gapwords"),
        ),
        ("_bg", None),
        # a noun phrase opens between the cue and the match: the cue is no attribute
        (
            "_go",
            pl.concat_str(pl.col("_gapwords"), pl.lit(" "), matched.str.extract(r"^(\S+)", 1))
            .str.contains(
                rf"(?i)(?-u:\b){codebook.words('noun_phrase_openers')}(?-u:\b)"
            ),
        ),
        # a cue among the first two words of the match, with the word that governs it
        (
            "_inside",
            _gated(matched, "_mg").str.extract(
                rf"(?i)^(?:\S+\s+){{0,1}}?((?:{markers}\s+{det})?{cue})", 1
            ),
        ),
        # the first cue anywhere in the match (the gate's own regex, so no new one to
        # compile): the side a praise or thanks names ("gracias al presidente Donald Trump")
        ("_named", _gated(matched, "_mg").str.extract(rf"(?i){cue}", 0)),
        # the subject is the target of a passive verb that reaches the match
        ("_m0", matched.str.extract(r"^(\S*)", 1).fill_null("")),
        ("_pt", pl.concat_str(left, pl.col("_m0"))),
        ("_pg", pl.col("_pt").str.contains(rf"(?i){passive}")),
        (
            "_passive",
            _gated(pl.col("_pt"), "_pg").str.contains(
                rf"(?i){passive}(?:\s+{codebook.words('passive_prepositions')}"
                rf"(?-u:\b)(?:\s+\S+){{0,4}}?)?\s*$"
            ),
        ),
        ("_pt", None),
        ("_jg", left.str.contains(rf"(?i){joint}")),
        (
            "_joint",
            matched.str.contains(rf"(?i)^{joint}")
            | _gated(left, "_jg").str.contains(rf"(?i){joint}(?:\s+[^\s,;]+){{0,1}}?\s*$"),
        ),
        # a noun may come between the preposition and the cue when the cue is a
        # postnominal adjective: "las amenazas del presidente estadounidense"; a comma may
        # come before it: "se ha negado, por parte de Estados Unidos"
        (
            "_ag",
            _gated(right, "_rg").str.extract_groups(
                rf"(?i)^\s*,?\s*(?P<p>{body(spec.agent_prepositions)})\s+{det}"
                rf"(?:[^\s,;]+\s+)??(?P<c>{cue})"
            ),
        ),
        ("_agent", pl.col("_ag").struct.field("c")),
        # "de" and "from" also name what a cooperative act is about ("la extradición de
        # narcotraficantes"): there a third party is the agent only after by or por
        (
            "_by",
            pl.col("_ag")
            .struct.field("p")
            .str.contains(rf"(?i)^{codebook.words('passive_agents')}$")
            .fill_null(False),
        ),
        ("_ag", None),
        # the agent of a participle after the act ("tariffs announced by the White
        # House"), or of the participle the match ends with ("aranceles impuestos por")
        ("_tail", pl.concat_str(matched.str.extract(r"(\S+)$", 1).fill_null(""), right)),
        (
            "_pg",
            pl.col("_rg")
            & pl.col("_tail").str.contains(rf"(?i)(?-u:\b){codebook.words('passive_agents')}\s"),
        ),
        (
            "_pagent",
            _gated(pl.col("_tail"), "_pg").str.extract(
                rf"(?i)^(?:[^\s,;]+\s+){{0,2}}?{codebook.words('passive_agents')}\s+{det}({cue})",
                1,
            ),
        ),
        ("_tail", None),
        ("_pg", None),
        # a partner or target inside the match ("flown to the United States"), else
        # right after it
        (
            "_cpm",
            _gated(matched, "_mg").str.extract(
                rf"(?i)\s{body(spec.counterpart_prepositions)}\s+{det}({cue})", 1
            ),
        ),
        (
            "_cpr",
            _gated(right, "_rg").str.extract(
                rf"(?i)^(?:\s*[^\s,;]+){{0,{spec.counterpart_max_gap}}}?\s+"
                rf"{body(spec.counterpart_prepositions)}\s+{det}({cue})",
                1,
            ),
        ),
        ("_cp", pl.coalesce("_cpm", "_cpr")),
        (
            "_dobj",
            _gated(right, "_rg").str.extract(rf"(?i)^\s+({cue})(?:\s|[,.;:]|$)", 1),
        ),
        # a Spanish finite verb ends the match and a cue follows it with no preposition (an
        # article and one word may come between): the cue is the subject after its verb
        # ("..., advirtió Trump", "los aranceles que anunció el presidente Trump"), not its
        # object, which would take "a"
        (
            "_inv",
            pl.when(
                matched.str.contains(rf"(?i)(?:{inverted})$")
                & ~right.str.contains(rf"(?i)^\s+{body(spec.counterpart_prepositions)}\s")
            )
            .then(_gated(right, "_rg"))
            .str.extract(rf"(?i)^\s+{det}(?:[^\s,;]+\s+)??({cue})(?:\s|[,.;:]|$)", 1),
        ),
        ("_dobj", pl.when(pl.col("_inv").is_null()).then(pl.col("_dobj"))),
        (
            "_circ",
            pl.col("left_sentence").str.contains(
                rf"(?i){body(spec.circumstantial)}\s+(?:[^\s,;]+\s+){{0,3}}$"
            ),
        ),
        # a pronoun's antecedent in its own sentence: the nearest person of its gender
        # before it ("After Trump declared that he would designate ...", "Sheinbaum ...
        # to assert that her government ...")
        *_antecedent_steps(codebook),
        # the speaker of the turn as subject, or as the one addressed
        ("_first_person", up_to_match.str.contains(rf"(?i){body(spec.first_person)}")),
        ("_fp_object", up_to_match.str.contains(rf"(?i){body(spec.first_person_object)}")),
        # the speaker's counterparts as subject ("ellos también presentaron algunos temas")
        # (anywhere before it in the sentence: "Y ellos también, a su vez, presentaron")
        (
            "_other_party",
            pl.concat_str(pl.col("left_sentence"), matched).str.contains(
                rf"(?i){body(spec.other_party)}"
            ),
        ),
        # the subject receives the act ("Mexico's navy took delivery of helicopters")
        ("_recipient", up_to_match.str.contains(rf"(?i){body(spec.recipient)}")),
        # the subject reacts to the act, named right after the reaction ("Sheinbaum
        # criticized the tariffs", "calificó de discriminatorio el impuesto")
        (
            "_reaction",
            left.str.contains(
                rf"(?i){body(spec.reaction)}\s+(?:(?:\S+\s+){{0,2}}?"
                rf"{codebook.words('determiners')}\s+)?$"
            ),
        ),
        # the subject is told what it must do ("Mexico must do more", "ellos tienen que
        # actuar"): the demand is the other side's
        ("_og", up_to_match.str.contains(rf"(?i){body(spec.obligation)}")),
        (
            "_obligee",
            _gated(up_to_match, "_og").str.extract(
                rf"(?i)({cue})(?:\s+[^\s,;]+)?\s+{body(spec.obligation)}", 1
            ),
        ),
        # ... or told as "they" in a side's own turn ("ellos tienen que atender"), or asked
        # why they do not ("¿Por qué no atienden a sus jóvenes?", the codebook's
        # ``rhetorical_questions``): the demand or charge is the speaker's (rule
        # obligation, with the turn's voice)
        (
            "_obl_party",
            (
                _gated(up_to_match, "_og").str.contains(
                    rf"(?i){body(spec.other_party)}(?:\s+[^\s,;]+)?\s+{body(spec.obligation)}"
                )
                if spec.other_party
                else pl.lit(False)
            )
            | up_to_match.str.contains(rf"(?i){body(codebook.spec.rhetorical_questions)}"),
        ),
        ("_og", None),
        ("_bm", pl.col("_before").str.contains(marker_start)),
        ("_im", pl.col("_inside").str.contains(marker_start)),
    ]
    feats = columns(
        codes.select("_code", "left_clause", "matched", "right_clause", "left_sentence"), steps
    )
    feats = feats.select(
        "_code",
        # a cue governed by a preposition is a target, unless it directly modifies the
        # match ("a response to US pressure"); so is the subject of a passive verb
        pl.when(
            (pl.col("_bm") | pl.col("_passive")) & (pl.col("_gapwords").str.strip_chars() != "")
            | pl.col("_go").fill_null(False)
        )
        .then(None)
        .otherwise(pl.col("_before"))
        .alias("_before"),
        # inside the match too: "pressed Mexico", "wants Mexico to" name the target
        pl.when(pl.col("_im")).then(None).otherwise(pl.col("_inside")).alias("_inside"),
        "_named",
        "_passive",
        "_joint",
        "_agent",
        "_by",
        "_pagent",
        "_cp",
        "_dobj",
        "_inv",
        "_circ",
        "_ante",
        "_first_person",
        "_fp_object",
        "_other_party",
        "_recipient",
        "_reaction",
        "_obligee",
        pl.col("_obl_party").fill_null(False),
    )
    for col, out in (
        ("_obligee", "obligee"),
        ("_ante", "ante"),
        ("_before", "a_before"),
        ("_inside", "inside"),
        ("_named", "named"),
        ("_agent", "agent"),
        ("_pagent", "pagent"),
        ("_cp", "cp"),
        ("_dobj", "dobj"),
        ("_inv", "inv"),
    ):
        feats = _resolve(feats, col, out, codebook)
    return feats


def subject_features(codes: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """``_code``, ``subject`` and ``early`` (the first subject cue of each match's clause
    before it and of the sentence before it), ``_reciprocal``, ``quoter`` and
    ``_bare_quote`` (see :func:`attribute_actors`).

    Computed on the calling thread, beside :func:`actor_features` on the helper thread:
    each thread keeps its compiled regexes in a small cache, and one regex too many on the
    helper thread recompiled all of its own at every call.
    """
    spec = codebook.spec.actors
    subj = _cue_items(codes, codebook, col="left_clause", key="_code")
    early = _cue_items(codes, codebook, col="left_sentence", key="_code")
    has_right = "_right_sentence" in codes.columns
    steps = [
        # an act both sides perform together, named in the match or right after it
        # ("estamos de acuerdo", "colaborando y coordinando")
        (
            "_reciprocal",
            pl.concat_str(
                pl.col("matched"), pl.col("right_clause").str.slice(0, RECIPROCAL_CHARS)
            ).str.contains(rf"(?i){codebook.cue_body(spec.reciprocal)}"),
        ),
        # a quotation closed after the match and attributed ("“…,” said Agriculture
        # Secretary Brooke Rollins", "“…”, señaló Ebrard"): who is quoted, or a bare
        # attribution ("she said", "afirmó") that refers back
        *_quotation_steps(codebook, has_right),
        # the clause is what a speech verb before it reports ("Trump dice que aquello ... no
        # está cumpliendo", "Sheinbaum said that ..."): its speaker is the sentence's first
        # subject (rule reporter)
        (
            "_reported",
            pl.col("left_sentence").str.contains(
                rf"(?i){codebook.cue_body(spec.speech)}[^.;:!?]{{0,40}}?\s"
                rf"{codebook.words('complementizers')}\s"
            ),
        ),
    ]
    extra = columns(
        codes.select(
            "_code",
            "matched",
            "right_clause",
            "left_sentence",
            *(["_right_sentence"] if has_right else []),
        ),
        steps,
    )
    extra = extra.select("_code", "_reciprocal", "_quoter", "_bare_quote", "_reported")
    extra = _resolve(extra, "_quoter", "quoter", codebook)
    return (
        _first_subject(codes, subj, codebook, key="_code")
        .select(
            "_code",
            pl.col("actor").alias("subject"),
            _first_subject(codes, early, codebook, key="_code")["actor"].alias("early"),
        )
        .join(extra, on="_code", how="left", maintain_order="left")
    )


def attribute_actors(
    codes: pl.DataFrame,
    codebook: Codebook,
    *,
    features: pl.DataFrame | None = None,
    subjects: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Add ``actor`` and ``actor_rule`` to per-match context rows, following the module's rules.

    Parameters
    ----------
    codes : polars.DataFrame
        One row per match with ``_code`` (unique key), ``stance``, ``matched``,
        ``left_clause`` (clause text before the match), ``right_clause`` (clause text after
        it), ``left_sentence`` (sentence text before it), ``default_actor`` (str or null),
        ``fixed_actor`` and ``attributive`` (bool), ``prev_actor`` (actor of the previous
        sentences, or null) and ``anaphoric`` (bool: the sentence opens with a pronoun);
        ``mode`` and ``category`` when rules of the table are limited to some of them.
    codebook : Codebook
    features, subjects : polars.DataFrame, optional
        :func:`actor_features` and :func:`subject_features` of these rows (or of a
        superset, by ``_code``), when the caller computed them beforehand (the coder does,
        on threads of their own); None computes them here.

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
    if features is None:
        features = actor_features(codes, codebook)
    if subjects is None:
        subjects = subject_features(codes, codebook)
    # the feature columns brought into the rows' order and stacked beside them (a join
    # would copy every column of ``codes``)
    found = (
        codes.select("_code")
        .join(features, on="_code", how="left", maintain_order="left")
        .join(subjects, on="_code", how="left", maintain_order="left")
        .drop("_code")
    )
    out = pl.concat([codes, found], how="horizontal")
    # a pronoun refers to a U.S. or Mexican cue before it in its sentence, else to the
    # previous sentences' actor
    prev = pl.coalesce(pl.when(pl.col("ante").is_in(["US", "MX"])).then("ante"), "prev_actor")
    inside_ok = _real(pl.col("inside"), prev)
    inside_ok = pl.when(inside_ok.is_in(["US", "MX"])).then(inside_ok)
    before_ok = _real(pl.col("a_before"), prev)
    before_ok = pl.when(before_ok != "OTHER").then(before_ok)
    subject = _real(pl.col("subject"), prev)
    obligee = _real(pl.col("obligee"), prev)
    early = _real(pl.col("early"), prev)
    early = pl.when(early != "OTHER").then(early)
    cp_actor = pl.coalesce(pl.col("cp"), pl.col("dobj")).replace_strict(
        _OTHER_SIDE, default=None, return_dtype=pl.String
    )
    # the rules table may name modes and categories: a frame without them fits no row
    # that does
    for col in ("mode", "category", "indicator"):
        if col not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.String).alias(col))
    attributive = pl.col("attributive")
    voice = pl.col("voice") if "voice" in out.columns else pl.lit(None, dtype=pl.String)
    other_voice = voice.replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String)
    refused = (
        pl.col("status_rule") == "refused_proposal"
        if "status_rule" in out.columns
        else pl.lit(False)
    )
    # the side praised or thanked: named in the match (first among its opening words, else
    # anywhere in it), as its object or after "de"/"of"
    praised = pl.coalesce(
        inside_ok,
        pl.when(pl.col("named").is_in(["US", "MX"])).then(pl.col("named")),
        pl.col("cp"),
        pl.col("dobj"),
        pl.when(~pl.col("_by") & pl.col("agent").is_in(["US", "MX"])).then(pl.col("agent")),
    ).replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String)
    # else, in a side's own turn, the praise is that side's ("Y es muy respetuoso el
    # presidente Biden", said by López Obrador)
    praiser = pl.coalesce(praised, voice)
    other_before = before_ok.replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String)
    tests = {
        # a proposal of force refused, coded only where its U.S. author is named
        "proposer": (refused, pl.lit("US")),
        "praised": (praiser.is_in(["US", "MX"]), praiser),
        # likewise the side urged to do more ("Mexico could do a lot more": the U.S.'s demand)
        "urged": (praiser.is_in(["US", "MX"]), praiser),
        # the side said to fail, named just before the match, is the accused, the charge the
        # other side's ("The Mexican government has failed to confront the cartels")
        "accused": (before_ok.is_in(["US", "MX"]), other_before),
        # likewise the side that averted the other's tariffs ("México frenó los aranceles")
        "averted": (before_ok.is_in(["US", "MX"]), other_before),
        # the side named in the match as the sender of what is shared ("el expediente que nos
        # envió el gobierno de Estados Unidos")
        "sender": (pl.col("named").is_in(["US", "MX"]), pl.col("named")),
        # a joint act of a third party with one side ("Canada and Mexico agreed"): OTHER,
        # which scope: bilateral drops; joint acts only (actor UNSPECIFIED): a fixed-actor
        # charge ("the cartels control regions of Mexico") names the accused as its subject
        "third_party": (
            pl.col("fixed_actor")
            & (pl.col("default_actor") == "UNSPECIFIED")
            & (pl.col("subject") == "OTHER"),
            pl.lit("OTHER"),
        ),
        "fixed": (
            pl.col("fixed_actor") & pl.col("default_actor").is_not_null(),
            pl.col("default_actor"),
        ),
        "attributive": (attributive & inside_ok.is_not_null(), inside_ok),
        # before the attributive cue: in "Mexico's navy took delivery of helicopters" the
        # possessive names the subject, which receives the act
        "recipient": (
            subject.is_in(["US", "MX"]) & ~pl.col("_passive") & pl.col("_recipient"),
            subject.replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String),
        ),
        # (not against the act's own side: "Trump called the tariffs a success" is his)
        "reaction": (
            subject.is_in(["US", "MX"])
            & ~pl.col("_passive")
            & pl.col("_reaction")
            & (pl.col("default_actor").is_null() | (pl.col("default_actor") != subject)),
            subject.replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String),
        ),
        "obligation": (
            obligee.is_in(["US", "MX"]) | (voice.is_not_null() & pl.col("_obl_party")),
            pl.when(obligee.is_in(["US", "MX"]))
            .then(obligee.replace_strict(_OTHER_SIDE, default=None, return_dtype=pl.String))
            .otherwise(voice),
        ),
        "attributive_before": (attributive & before_ok.is_not_null(), before_ok),
        "joint": (pl.col("_joint"), pl.lit("UNSPECIFIED")),
        "agent": (
            pl.col("agent").is_not_null()
            & (pl.col("agent") != "ANAPHOR")
            & ((pl.col("agent") != "OTHER") | pl.col("_by") | (pl.col("stance") != "cooperation")),
            pl.col("agent"),
        ),
        "passive_agent": (
            pl.col("pagent").is_not_null() & (pl.col("pagent") != "ANAPHOR"),
            pl.col("pagent"),
        ),
        "inverted_subject": (
            pl.col("inv").is_not_null() & (pl.col("inv") != "ANAPHOR"),
            pl.col("inv"),
        ),
        "subject": (subject.is_not_null() & ~pl.col("_passive"), subject),
        # the speaker of the speech verb that reports the clause, when the clause names no
        # subject: the sentence's first subject
        "reporter": (
            subject.is_null() & pl.col("_reported").fill_null(False) & early.is_in(["US", "MX"]),
            early,
        ),
        "counterpart": (cp_actor.is_not_null(), cp_actor),
        "circumstantial": (pl.col("_circ"), pl.lit("UNSPECIFIED")),
        "default": (pl.col("default_actor").is_not_null(), pl.col("default_actor")),
        "reciprocal": (
            voice.is_not_null() & pl.col("_first_person") & pl.col("_reciprocal"),
            pl.lit("UNSPECIFIED"),
        ),
        "addressee": (voice.is_not_null() & pl.col("_fp_object"), other_voice),
        "speaker": (voice.is_not_null() & pl.col("_first_person"), voice),
        "other_party": (voice.is_not_null() & pl.col("_other_party"), other_voice),
        "quoted": (
            pl.col("quoter").is_in(["US", "MX"])
            | (
                pl.col("_bare_quote")
                & ~pl.col("quoter").is_in(["US", "MX", "OTHER"]).fill_null(False)
                & pl.col("prev_actor").is_in(["US", "MX"])
            ),
            pl.when(pl.col("quoter").is_in(["US", "MX"]))
            .then(pl.col("quoter"))
            .otherwise(pl.col("prev_actor")),
        ),
        "anaphora": (
            pl.col("anaphoric") & pl.col("prev_actor").is_not_null(),
            pl.col("prev_actor"),
        ),
        "voice": (voice.is_not_null(), voice),
        "sentence": (early.is_not_null(), early),
    }
    actor, rule, _ = apply_rules(
        codebook.spec.rules.actor,
        {name: cond for name, (cond, _) in tests.items()},
        default=(pl.lit("UNSPECIFIED", dtype=pl.String), pl.lit("none", dtype=pl.String)),
        result=lambda row: tests[row.rule][1],
    )
    return out.with_columns(actor.alias("actor"), rule.alias("actor_rule")).drop(
        "a_before",
        "_joint",
        "agent",
        "_by",
        "pagent",
        "cp",
        "dobj",
        "_circ",
        "inside",
        "named",
        "subject",
        "early",
        "_passive",
        "_recipient",
        "_reaction",
        "obligee",
        "_obl_party",
        "_reported",
        "ante",
        "_first_person",
        "_fp_object",
        "_reciprocal",
        "quoter",
        "_bare_quote",
        "_other_party",
    )


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
    # a document has few speakers: match each distinct one once (the whole match, with
    # the same regex as the cue tests, so that one compiled copy serves both)
    speakers = columns(
        sentences.select(pl.col("speaker").unique().drop_nulls()),
        [("_cue", pl.col("speaker").str.extract(rf"(?i){codebook.actor_body()}", 0))],
    )
    side = _actor_expr("_cue", speakers["_cue"], codebook)
    sides = speakers.select("speaker", pl.when(side.is_in(["US", "MX"])).then(side).alias("voice"))
    return sentences.select("speaker").join(sides, on="speaker", how="left", maintain_order="left")[
        "voice"
    ]
