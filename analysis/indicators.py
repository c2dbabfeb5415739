"""Code sentences with the codebook: one row per act, with status, actor and matched span.

Keyword counting goes wrong in several ways; the engine handles each:

- **Overlap.** All patterns run as one alternation, so a stretch of text is coded once:
  "rejected any unilateral U.S. military action" is one REJECT, not a REJECT plus a
  MILITARY; "threat of tariffs" is one THREATEN. When patterns start at the same position
  the codebook's order decides. Codes are then reduced to one per (sentence, category,
  actor, status), the gold standard's unit of counting; the first match is kept.
- **Clauses.** Status and actor cues are looked for in the clause around the match
  (``clauses``). A dot after an abbreviation ("intelligence provided by U.S. agencies") or
  followed by a non-space, and quotation marks around a short phrase with no clause
  punctuation inside (scare quotes: 'warned that “ground attacks” could come'), do not end
  the clause: the limits are found on a copy of the sentence with those characters masked.
- **Status.** The codebook's ``rules.status`` table, run in order by one evaluator
  (:func:`analysis.actors.apply_rules`): the first rule whose test holds for the code's
  stance sets its status, and its name goes into ``status_rule`` ("default" when none
  holds: the indicator's own status, ``threatened`` for THREATEN indicators, else
  ``actual``). A row with ``recast: THREATEN`` makes a coercive act a THREATEN (manual
  rule 2). The tests, by rule name; each reads the cue lists of the ``status`` section
  its row names, in the clause around the match:

  - ``deferred``: a cue of an act put off ("paused", "en pausa") at most
    ``negated_max_gap`` words before the match.
  - ``averted``: a cue of an act averted or to be averted ("para evitar los aranceles",
    "evitó la imposición de aranceles") at most ``negated_max_gap`` words before the match:
    the act was threatened (the table limits the row to sanctions).
  - ``negated``: a negation cue at most ``negated_max_gap`` words before the match ("did
    not impose tariffs", "refrained from reciprocal measures"), unless it is a
    ``negation_exceptions`` phrase ("so as not to hamper talks").
  - ``denial``: the clause is the that/que complement of a ``denial`` verb ("denied that
    it had agreed", "negó que operen").
  - ``retracted``: the same subject takes the act back later in the sentence ("announced
    tariffs, but later held off").
  - ``hedge``: a ``hedge_speakers`` cue earlier in the sentence and a modal around the
    match ("Trump indicated that ground attacks could follow").
  - ``hypothetical_after``: a modal within ``hypothetical_after_max_gap`` words after the
    match, or a ``conditional`` verb form there, short of a that/que.
  - ``threat``: a threat cue before the match in its clause, or before the that/que that
    opens it ("warned that ..."). A coercive act matched after a THREATEN pattern in the
    same sentence is the threat's content and is dropped.
  - ``threat_after``: a trailing reporting clause with a ``threat_after`` verb ("Tariffs
    will follow, a senior U.S. official warned").
  - ``hypothetical_before``: a modal or conditional cue before the match in its clause,
    a ``hypothetical_scope`` cue anywhere before it, or a ``conditional`` verb form
    before or inside it (words after an article or a preposition,
    ``conditional_noun_markers``, are nouns: "la cancillería").
  - ``condition_after``: a ``condition_after`` cue after the match ("should the U.S.
    measures take effect", "si Washington insiste"), not for acts that are threats by
    nature.
  - ``announced``: an announcement cue before the match.

  A refusal's content: an act negated inside a refusal matched earlier in the sentence
  ("does not accept foreign intervention") is the refusal's, and a coercive act right
  after a refusal is what it refuses; it is kept as a refused threat (``status_rule``
  ``refused_proposal``) only when its U.S. author is named. U.S. force held in the
  refusal's own match ("rejected the idea of U.S. military strikes", ``refused_force``)
  is coded the same way, as a THREATEN the refusal implies, unless it is refused whatever
  it is ("any U.S. intervention", ``refused_any``). A clause the refusal denies
  ("descartó que Washington intervenga", rule ``denial``) is a prediction ruled out, not
  a proposal, and stays negated. Force named just before a rejection, its U.S. author not
  named ("deseo de intervención mayor, pues eso no lo podemos permitir"; the categories
  ``status.refused_before``) is what the rejection refuses, and is dropped.

  Implied codes: an indicator with ``implies`` codes that category too, by the other side
  ("refused the demands": a DEMAND) or, with ``implies_side: same``, by its own ("paused
  the tariffs": the tariffs, a THREATEN; "relaxed the tariffs": a SANCTION); an implied
  THREATEN is threatened and an implied SANCTION actual (``status_rule`` ``implied``).
- **Actor.** See :mod:`analysis.actors`.
- **Scope.** With the codebook's ``scope: bilateral`` (the packaged setting: only acts
  between the U.S. and Mexico are coded, the coder's convention 3), codes whose actor is
  OTHER (China, Canada, the cartels, other governments) are dropped, and so are the codes
  they imply; so is U.S. coercion aimed at another country ("imposed tariffs on China")
  when nothing in its clause ties it to Mexico, and talks, agreement, aid or transfers
  with another country whose clause does not name the other side ("Hay muy buena relación
  con Canadá", "el apoyo militar a Ucrania"); ``scope: all`` keeps them.
- **Language.** English and Spanish patterns and cues sit side by side in the codebook.

Headings (``is_heading`` true, when the column exists) are not coded. Web addresses are
not read: a Markdown link keeps its text and loses its target (``[declared](https://…)``
reads as "declared"), and a bare address is blanked, each to spaces of its own length so
that offsets hold (:func:`analysis.corpus.unlinked`); an address's words
("…/imposes-tariffs-on-mexico/") are no act, and a link's target no longer splits a
phrase. ``matched`` is then taken from the original text.

Everything runs as polars expressions over whole columns, in two stages. First the
patterns, at most ``BATCH_ROWS`` sentences at a time: the codebook's alternation is cut into a
couple of dozen pieces (one huge alternation overflows the Rust regex engine's DFA cache
and runs a hundred times slower); one Aho-Corasick pass lists which of the literals the
pieces require (:attr:`analysis.codebook.Codebook.indicator_keywords`) each sentence
holds, and each piece runs only on the sentences that hold one of its literals. Each
marks its matches with a separator, splits, and sums piece lengths to get character
offsets. The pieces' matches are merged leftmost-first: a match that starts inside an
earlier match is dropped (as a single alternation would, except in the rare chain where
the earlier match was itself dropped). Then status and actor, in batches of at most
``HIT_BATCH`` matches: the context of every match is cut and tested with vectorised
regular expressions, the slow ones only where the cue they require occurs. The actor
features of the matches are found on a helper thread while this one finds the subjects,
runs the status query and reads the actors of the next batch's previous sentences, so that
both cores stay busy. polars keeps 32 compiled regexes per thread: the actor searches run
one column at a time on long-lived threads (:func:`analysis.actors.columns`), which keep
their regexes compiled from call to call, and the stages are not interleaved batch by
batch, so that the pool's threads keep the chunk regexes. Python only maps the distinct
matched strings (usually a few hundred) to the pattern that produced them, and the
distinct cue strings to actors.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from analysis.actors import (
    actor_features,
    apply_rules,
    attribute_actors,
    columns,
    speaker_voice,
    subject_cues,
    subject_features,
    where_cue,
)
from analysis.codebook import (
    CATEGORY_STANCE,
    FOLDS_TO_ASCII,
    Codebook,
    case_variants,
    load_codebook,
    rust_regex,
)
from analysis.corpus import LINK_MARKERS, unlinked

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
    "status_rule": pl.String(),
    "actor_rule": pl.String(),
    "matched": pl.String(),
    "match_start": pl.Int64(),
    "match_end": pl.Int64(),
}
_REQUIRED = ("doc_id", "sent_id", "start", "text")
#: Characters of context kept on each side of a match for status and actor cues.
LEFT_WINDOW = 240
RIGHT_WINDOW = 160
#: A coercive act starting at most this many characters after a refusal is what it refuses.
REFUSED_MAX_CHARS = 80
#: Force ending at most this many characters before a refusal is what it refuses.
REFUSED_BEFORE_MAX_CHARS = 60
#: Sentences searched for the patterns at a time: bounds the memory of that pass.
BATCH_ROWS = 100_000
#: Sentences whose keyword occurrences are listed at a time (see :func:`locate`).
CANDIDATE_ROWS = 50_000
#: The chunk regexes' pieces are turned into match offsets in this many groups (memory).
PIECE_GROUPS = 6
#: Matches given a status and an actor at a time (whole sentences): bounds peak memory.
HIT_BATCH = 10_000
_SEP = "\x00"


def _empty_codes() -> pl.DataFrame:
    return pl.DataFrame(schema=CODES_SCHEMA)


def _locate_lazy(texts: pl.LazyFrame, regex: str, *, col: str, key: str, part: int) -> pl.LazyFrame:
    """Pieces of the rows that match: text between matches and matches, alternating."""
    pieces = pl.col(col).str.replace_all(regex, f"{_SEP}${{0}}{_SEP}").str.split(_SEP)
    return (
        texts.filter(pl.col(col).str.contains(regex))
        .select(pl.col(key), pieces.alias("_p"), pl.lit(part, dtype=pl.Int32).alias("part"))
        .explode("_p")
    )


def _pieces_to_matches(pieces: pl.LazyFrame, key: str) -> pl.LazyFrame:
    """Character offsets of the matches from the exploded pieces of each (regex, row)."""
    n = pl.col("_p").str.len_chars().cast(pl.Int64)
    block = (pl.col(key).ne_missing(pl.col(key).shift(1))) | (
        pl.col("part").ne_missing(pl.col("part").shift(1))
    )
    return (
        pieces.with_columns(n.cum_sum().alias("_cs"), n.alias("_n"), block.alias("_b"))
        .with_columns(
            pl.when("_b").then(pl.col("_cs") - pl.col("_n")).forward_fill().alias("_base"),
            pl.when("_b").then(pl.int_range(pl.len())).forward_fill().alias("_bi"),
        )
        .filter(((pl.int_range(pl.len()) - pl.col("_bi")) % 2) == 1)
        .select(
            pl.col(key),
            (pl.col("_cs") - pl.col("_n") - pl.col("_base")).alias("s_start"),
            (pl.col("_cs") - pl.col("_base")).alias("s_end"),
            pl.col("_p").alias("matched"),
            "part",
        )
    )


@functools.lru_cache(maxsize=8)
def _chunk_bits(keywords: tuple[tuple[str, ...], ...]) -> pl.DataFrame:
    """Literal (lower case) -> one bit per regex whose keywords hold it, 63 regexes a column.

    The characters of :data:`analysis.codebook.FOLDS_TO_ASCII` get every bit; they are
    keyed by their lower case, as the matched text is (KELVIN SIGN -> "k").
    """
    n_cols = (len(keywords) + 62) // 63
    bits: dict[str, list[int]] = {}
    every = [0] * n_cols
    for i, words in enumerate(keywords):
        every[i // 63] |= 1 << (i % 63)
        for w in words:
            bits.setdefault(w, [0] * n_cols)[i // 63] |= 1 << (i % 63)
    # a literal that contains another whose bits cover its own adds nothing: wherever it
    # occurs, so does the other (fewer literals, fewer occurrences to list)
    # (each literal's proper substrings looked up, not every shorter literal scanned: a few
    # hundred thousand lookups instead of millions of substring tests)
    covered = {
        w
        for w in bits
        if any(
            (v := w[i:j]) in bits
            and all(a & ~b == 0 for a, b in zip(bits[w], bits[v], strict=True))
            for i in range(len(w))
            for j in range(i + 1, len(w) + 1)
            if j - i < len(w)
        )
    }
    bits = {w: b for w, b in bits.items() if w not in covered}
    for ch in FOLDS_TO_ASCII:
        bits[ch.lower()] = [a | b for a, b in zip(bits.get(ch.lower(), every), every, strict=True)]
    return pl.DataFrame(
        {"_w": list(bits), **{f"_b{c}": [v[c] for v in bits.values()] for c in range(n_cols)}},
        schema={"_w": pl.String, **{f"_b{c}": pl.Int64 for c in range(n_cols)}},
    )


@functools.lru_cache(maxsize=8)
def _searched_words(keywords: tuple[tuple[str, ...], ...]) -> list[str]:
    """The strings the Aho-Corasick pass of :func:`_candidates` searches: every case variant
    of the literals of :func:`_chunk_bits`, and the characters that fold to ASCII (worked out
    once per codebook: some 3,000 variants, about 10 ms, which a call on a few sentences
    paid every time)."""
    literals = set(_chunk_bits(keywords)["_w"].to_list()) - {ch.lower() for ch in FOLDS_TO_ASCII}
    return sorted({v for w in literals for v in case_variants(w)}) + list(FOLDS_TO_ASCII)


def _candidates(
    frame: pl.DataFrame, keywords: list[tuple[str, ...]], *, col: str, key: str
) -> pl.DataFrame:
    """The rows that contain a keyword of some regex: ``key`` and one bit per such regex,
    in ``key`` order (the text is not copied; :func:`locate` gathers it per regex).

    One Aho-Corasick pass lists every occurrence (overlapping) of every keyword in each
    row, ignoring ASCII case; each occurrence sets the bits of the regexes that require it.
    """
    by_regex = tuple(tuple(k) for k in keywords)
    table, words = _chunk_bits(by_regex), _searched_words(by_regex)

    def bits(part: pl.DataFrame) -> pl.LazyFrame:
        return (
            part.lazy()
            .select(
                key,
                pl.col(col)
                .str.extract_many(words, ascii_case_insensitive=True, overlapping=True)
                .alias("_w"),
            )
            .explode("_w")
            .drop_nulls("_w")
            .with_columns(pl.col("_w").str.to_lowercase())
            .join(table.lazy(), on="_w", how="inner")
            .group_by(key)
            .agg(pl.col(c).bitwise_or() for c in table.columns[1:])
        )

    # the occurrences take more room than the text: listed a slice at a time, the slices
    # in parallel (a union of lazy queries runs its inputs on the thread pool)
    n = CANDIDATE_ROWS
    slices = [bits(frame.slice(i, n)) for i in range(0, max(frame.height, 1), n)]
    return pl.concat(slices).collect(engine="in-memory").sort(key)


def locate(
    texts: pl.DataFrame,
    regex: str | list[str],
    *,
    col: str = "text",
    key: str = "_row",
    keywords: list[tuple[str, ...] | None] | None = None,
    slice_rows: int | None = None,
) -> pl.DataFrame:
    """Find every non-overlapping match of ``regex`` with character offsets.

    Parameters
    ----------
    texts : polars.DataFrame
        Has a key column ``key`` (unique per row) and a text column ``col``.
    regex : str or list of str
        A Rust-``regex`` pattern, or several (run in parallel; their matches are merged
        leftmost-first: a match that starts inside an earlier one, or at the same position
        as one from an earlier regex, is dropped).
    col, key : str
        Column names.
    keywords : list, optional
        One entry per regex: literals one of which every match contains, ignoring ASCII
        case (:attr:`analysis.codebook.Codebook.indicator_keywords`), or None. When every
        regex has them, each regex runs only on the rows that contain one of its literals
        (or a character in :data:`analysis.codebook.FOLDS_TO_ASCII`), found for all the
        regexes at once by one Aho-Corasick pass.
    slice_rows : int, optional
        Search ``slice_rows`` rows at a time (bounds the memory of the keyword
        occurrences and of the matches' pieces); None: all at once.

    Returns
    -------
    polars.DataFrame
        ``key``, ``s_start``, ``s_end`` (character offsets into the text), ``matched`` and
        ``part`` (index of the regex that matched), one row per match, in text order.

    Examples
    --------
    >>> df = pl.DataFrame({"_row": [0], "text": ["Él impuso tariffs, then tariffs."]})
    >>> locate(df, r"tariffs").select("s_start", "s_end").rows()
    [(10, 17), (24, 31)]
    """
    regexes = [regex] if isinstance(regex, str) else list(regex)
    frame = texts.select(key, col)
    if frame.select(pl.col(col).str.contains(_SEP, literal=True).any()).item():
        # keep offsets: swap the separator for another single character
        frame = frame.with_columns(pl.col(col).str.replace_all(_SEP, "\x01", literal=True))
    n = max(frame.height, 1)
    if slice_rows:
        # as few slices as slice_rows allows, of equal size: the largest sets the memory peak
        # (433,000 sentences make three slices of 144,317, not two of 200,000 and a third of
        # 33,000)
        n = -(-n // -(-n // slice_rows))
    slices = [frame.slice(i, n) for i in range(0, max(frame.height, 1), n)]
    prefilter = keywords is not None and bool(regexes) and all(k for k in keywords)
    # each slice's rows holding a literal of some regex, by position in the slice, with one
    # bit per such regex: positions, not the rows (nine rows in ten hold some literal; a
    # copy of their text, for every slice at once, is not needed to pick each regex's rows)
    cands = [
        _candidates(
            f.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_pos"), col),
            keywords,
            col=col,
            key="_pos",
        )
        if prefilter
        else None
        for f in slices
    ]

    # the regexes that some row of each slice may match (one pass over the bits, so that a
    # regex with no candidate row is skipped without filtering the slice for it: most of
    # them, on a few sentences; a slice with no candidate row ORs to nulls)
    ors = [None if c is None else c.select(pl.exclude("_pos").bitwise_or()).row(0) for c in cands]
    present = [None if o is None else [int(v or 0) for v in o] for o in ors]

    def may_match(s: int, i: int) -> bool:
        return present[s] is None or bool(present[s][i // 63] >> (i % 63) & 1)

    def rows_for(s: int, i: int) -> pl.DataFrame:
        # each regex sees only the rows holding one of its literals, gathered from the slice
        # in their order (eagerly: in one lazy query the filter would merge with the regex's
        # and the regex would run on every row)
        if cands[s] is None:
            return slices[s]
        bit = (pl.col(f"_b{i // 63}") & (1 << (i % 63))) != 0
        return slices[s][cands[s].filter(bit)["_pos"]]

    # the pieces (a copy of each matching text, cut at its matches) are the pass's largest
    # allocation: turned into offsets PIECE_GROUPS regexes at a time, so that only one
    # group's pieces are alive at once; a group runs over every slice before the next
    # starts, so that its regexes stay compiled (polars keeps a few dozen per thread, fewer
    # than the chunks). A regex with no row to search is not run: polars would compile it
    # all the same (a few milliseconds each, most of the cost of coding a few sentences)
    step = -(-len(regexes) // PIECE_GROUPS)
    found: list[list[pl.DataFrame]] = [[] for _ in slices]
    for g in range(0, len(regexes), step):
        for s in range(len(slices)):
            parts = [
                _locate_lazy(df.lazy(), regexes[i], col=col, key=key, part=i)
                for i in range(g, min(g + step, len(regexes)))
                if may_match(s, i) and (df := rows_for(s, i)).height
            ]
            if parts:
                pieces = pl.concat(parts, how="vertical")
                found[s].append(_pieces_to_matches(pieces, key).collect(engine="in-memory"))
    cands.clear()
    out = [
        _merge(slices[s], pl.concat(found[s]), regexes, col=col, key=key)
        for s in range(len(slices))
        if found[s]
    ]
    if not out:
        return pl.DataFrame(
            schema={
                key: frame.schema[key],
                "s_start": pl.Int64,
                "s_end": pl.Int64,
                "matched": pl.String,
                "part": pl.Int32,
            }
        )
    return pl.concat(out)


def _merge(
    frame: pl.DataFrame, hits: pl.DataFrame, regexes: list[str], *, col: str, key: str
) -> pl.DataFrame:
    """The matches of several regexes in ``frame``'s rows merged leftmost-first."""
    if hits.height == 0 or len(regexes) == 1:
        return hits
    kept, dropped = _leftmost_first(hits, key)
    # a regex's dropped match hid the rest of its own text from it: it resumed after the
    # dropped match, not after the match that won ("declined to comment on the sanctions
    # plan": a refusal of a "plan" loses to the reporters' formula and took "sanctions"
    # with it). Each such regex searches its row again from where the winner ends, a few
    # rounds at most (drops are rare: one row in a few hundred)
    for _ in range(HIDDEN_ROUNDS):
        if dropped.height == 0:
            break
        found = _search_after(frame, dropped, regexes, col=col, key=key)
        if found.height == 0:
            break
        kept, dropped = _leftmost_first(pl.concat([kept, found]), key)
        dropped = dropped.join(found, on=[key, "s_start", "part"], how="semi")
    return kept


#: Rounds of searching again after matches dropped by the leftmost-first merge.
HIDDEN_ROUNDS = 3


def _leftmost_first(hits: pl.DataFrame, key: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Matches kept by the leftmost-first merge, and those dropped that reach past the
    match that won, with ``_reach`` (the end of that match).

    In text order (ties: the earlier regex first), a match is kept when it starts at or
    after the end of the last match kept in its row. Where no match is dropped, that is a
    running maximum over the whole frame (each row's offsets lifted above the previous
    row's); the few rows with a dropped match are merged one match at a time, since a
    dropped match must not push the reach on ("declined to comment" wins over "declined
    to comment on the sanctions plan", and "sanctions" still counts).
    """
    hits = hits.sort(key, "s_start", "part")
    width = int(hits["s_end"].max()) + 1
    rows = pl.col(key).ne_missing(pl.col(key).shift(1)).cum_sum().cast(pl.Int64)
    if hits.height * width < 2**62:
        lift = rows * width
        reach = (pl.col("s_end") + lift).cum_max().shift(1) - lift
    else:
        reach = pl.col("s_end").cum_max().shift(1).over(key)
    marked = hits.with_columns(reach.alias("_reach"))
    overlap = pl.col("_reach").is_not_null() & (pl.col("s_start") < pl.col("_reach"))
    crowded = marked.filter(overlap)[key].unique()
    if crowded.len() == 0:
        return marked.drop("_reach"), marked.clear().select(key, "part", "s_start", "_reach")
    simple = marked.filter(~pl.col(key).is_in(crowded.implode()))
    busy = marked.filter(pl.col(key).is_in(crowded.implode()))
    keep, reach_at = [], []
    last_row, last_end = None, 0
    for row, start, end in busy.select(key, "s_start", "s_end").iter_rows():
        if row != last_row:
            last_row, last_end = row, 0
        if start >= last_end:
            keep.append(True)
            reach_at.append(None)
            last_end = end
        else:
            keep.append(False)
            reach_at.append(last_end)
    busy = busy.with_columns(
        pl.Series("_keep", keep, dtype=pl.Boolean),
        pl.Series("_reach", reach_at, dtype=busy.schema["_reach"]),
    )
    kept = pl.concat([simple.drop("_reach"), busy.filter("_keep").drop("_keep", "_reach")])
    # a dropped match that ends inside the winner hid nothing: its regex resumed there
    hiding = ~pl.col("_keep") & (pl.col("s_end") > pl.col("_reach"))
    return (
        kept.sort(key, "s_start", "part"),
        busy.filter(hiding).select(key, "part", "s_start", "_reach"),
    )


def _search_after(
    frame: pl.DataFrame, dropped: pl.DataFrame, regexes: list[str], *, col: str, key: str
) -> pl.DataFrame:
    """The matches of each dropped match's regex in its row, from where the match that
    won ends (the text before it blanked, offsets kept)."""
    starts = dropped.group_by(key, "part").agg(pl.col("_reach").min())
    parts = []
    for (part,), group in starts.group_by("part", maintain_order=True):
        texts = frame.join(group, on=key, how="inner").select(
            key,
            pl.col(col)
            .str.slice(pl.col("_reach"))
            .str.pad_start(pl.col(col).str.len_chars())
            .alias(col),
        )
        parts.append(_locate_lazy(texts.lazy(), regexes[part], col=col, key=key, part=part))
    return _pieces_to_matches(pl.concat(parts, how="vertical"), key).collect(engine="in-memory")


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
            "attributive": [i.attributive for i in inds],
            "implies": [i.implies for i in inds],
            "implies_side": [i.implies_side for i in inds],
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
            "attributive": pl.Boolean,
            "implies": pl.String,
            "implies_side": pl.String,
        },
    )


#: Characters before a "that"/"que" clause searched for the verb that governs it.
GOVERNOR_CHARS = 60


def _status(codebook: Codebook) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Expressions for (status, recast-as-THREATEN, threat content) from the context columns."""
    st = codebook.spec.status
    body = codebook.cue_body
    left, right, sent = pl.col("left_clause"), pl.col("right_clause"), pl.col("left_sentence")
    neg_tail = rust_regex(rf"(?:\W+\w+){{0,{st.negated_max_gap}}}?\W*$")
    that = codebook.words("complementizers")
    # the text just before the clause, when the clause is a "that"/"que" complement
    gov = (
        pl.when(pl.col("_governor").str.contains(rust_regex(rf"(?i)\b{that}\W*$")))
        .then(pl.col("_governor").str.slice(-GOVERNOR_CHARS))
        .otherwise(pl.lit(""))
    )
    retracted = pl.col("_right_sentence").str.contains(
        rf"(?i)^[^.;!?]*?(?:,\s*|\s)(?-u:\b){codebook.words('coordinators')}\s+"
        rf"(?:{codebook.words('sequence_adverbs')}\s+)?{body(st.retracted)}"
    )

    # the cue followed by at most a few words is slow to test (Unicode word classes up to
    # the end): tested only where the cue occurs at all
    def cue_before(cues: list[str]) -> pl.Expr:
        """A cue at most ``negated_max_gap`` words before the match, in its clause."""
        return where_cue(left, rf"(?i){body(cues)}").str.contains(rf"(?i){body(cues)}{neg_tail}")

    neg_left = where_cue(left, rf"(?i){body(st.negated)}")
    exc_left = where_cue(neg_left, rf"(?i){body(st.negation_exceptions)}")
    negated = neg_left.str.contains(rf"(?i){body(st.negated)}{neg_tail}") & ~exc_left.str.contains(
        rf"(?i){body(st.negation_exceptions)}{neg_tail}"
    )
    denial = gov.str.contains(rf"(?i){body(st.denial)}")
    # an act put off: announced, not carried out (before negation, whose cue lists it
    # would otherwise meet: "se ponen en pausa")
    deferred = cue_before(st.deferred)
    # an act averted or to be averted: it was threatened (before negation too, whose cue
    # lists hold "evitar")
    averted = cue_before(st.averted)
    threat_before = left.str.slice(-st.threat_max_chars).str.contains(
        rf"(?i){body(st.threat)}"
    ) | gov.str.contains(rf"(?i){body(st.threat)}")
    # a trailing speech act that reports the sentence as a threat: "Tariffs will follow, a
    # senior official warned." (coercion only: "warned" also introduces sovereignty claims)
    trailing = pl.col("_right_sentence").str.contains(
        r"(?i)^[^;:]*?,[”\"]?\s*(?:[^\s,;]+\s+){0,6}?"
        rf"{body(st.threat_after)}(?:\s+[^\s,;]+){{0,5}}?\s*(?:[.!?]|$)"
    )
    # conditional verb forms, once the words that follow an article or a preposition
    # (nouns: "la cancillería") are taken out
    conditional = body(st.conditional)
    nouns = rf"(?i){body(st.conditional_noun_markers)}\s+\S+"

    def verbs(expr: pl.Expr) -> pl.Expr:
        return expr.str.replace_all(nouns, "") if st.conditional_noun_markers else expr

    gap = rf"(?i)^(?:\s*[^\s;]+){{0,{st.hypothetical_after_max_gap}}}?\s*"
    hyp_before = (
        left.str.contains(rf"(?i){body(st.hypothetical_before)}")
        | sent.str.contains(rf"(?i){body(st.hypothetical_scope)}")
        | verbs(pl.concat_str(left, pl.col("matched"))).str.contains(rf"(?i){conditional}")
    )
    hyp_after = right.str.contains(gap + body(st.hypothetical_after)) | verbs(
        # a conditional after a "that"/"que" is the content of what the act says, not a
        # hedge on the act itself ("advirtió que enviaría tropas")
        right.str.replace(rf"(?is)(?-u:\b){that}(?-u:\b).*$", "")
    ).str.contains(gap + conditional)
    # a condition that follows the act ("... should the U.S. measures take effect", "if
    # Washington insists"); not for acts that are threats by nature (a conditional threat
    # is still a threat)
    cond_after = (
        right.str.contains(rf"(?i){body(st.condition_after)}") & pl.col("default_status").is_null()
    )
    hedge = sent.str.contains(rf"(?i){body(st.hedge_speakers)}") & (hyp_before | hyp_after)
    announced = left.str.contains(rf"(?i){body(st.announced)}")
    tests = {
        "deferred": deferred,
        "averted": averted,
        "negated": negated,
        "denial": denial,
        "retracted": retracted,
        "hedge": hedge,
        "hypothetical_after": hyp_after,
        "threat": threat_before,
        "threat_after": trailing,
        "hypothetical_before": hyp_before,
        "condition_after": cond_after,
        "announced": announced,
    }
    status, rule, recast = apply_rules(
        codebook.spec.rules.status,
        tests,
        default=(pl.col("default_status"), pl.lit("default")),
        result=lambda row: pl.lit(row.status),
    )
    status = pl.struct(status.alias("status"), rule.alias("status_rule"))
    recast = recast & (pl.col("stance") == "coercion")
    # the content of a threat ("threatened her with military action"): merged into the
    # threat when the sentence has a threat match before it (see _absorb_threat_content)
    content = threat_before & (pl.col("stance") == "coercion")
    return status, recast, content


#: Stands in, in the masked copy of a sentence, for a character that must not end a clause.
_MASK = "\x01"


def _masked(text: pl.Expr, codebook: Codebook) -> pl.Expr:
    """``text`` with the dots, quotation marks and brackets that do not end a clause masked.

    Same length as ``text``: a dot after an abbreviation ("U.S.") or followed by a non-space
    ("2.5"), the quotation marks around a short phrase with no clause punctuation inside
    (scare quotes), the brackets around a shorter one (an acronym: "la Agencia Central de
    Inteligencia (CIA) de Estados Unidos") and the commas of a list of names ("The United
    States, Mexico, and Canada") become ``_MASK``.

    Examples
    --------
    >>> from analysis.codebook import load_codebook
    >>> df = pl.DataFrame({"text": ['la Agencia (CIA) esté operando "ground attacks" (a, b)']})
    >>> df.select(_masked(pl.col("text"), load_codebook()))["text"].item().count(_MASK)
    4
    """
    cl = codebook.spec.clauses
    abbr = codebook.cue_body(cl.abbreviations)
    # one pass for both kinds of dot: "U.S" -> "U\x01S", "2.5" -> "2\x015"
    text = text.str.replace_all(rf"(?i)({abbr})\.|\.(\S)", f"${{1}}{_MASK}${{2}}")
    inner = '[^“”"«»,.;:!?()\n]'
    kinds = []
    if n := cl.quoted_phrase_max_chars:
        kinds.append(rf"[“\"«]({inner}{{1,{n}}})[”\"»]")
    if n := cl.bracketed_phrase_max_chars:
        kinds.append(rf"\(({inner}{{1,{n}}})\)")
    if kinds:
        # one pass for both kinds of phrase: one group takes part, the other is empty
        groups = "".join(f"${{{i + 1}}}" for i in range(len(kinds)))
        text = text.str.replace_all("|".join(kinds), f"{_MASK}{groups}{_MASK}")
    if item := cl.list_item:
        # the commas of a list of names ("The United States, Mexico, and Canada commit"): the
        # list is one subject; with and without a comma before the last "and"/"y"
        last = r"(\s+(?:and|y)\s+)"
        text = text.str.replace_all(
            rf"({item}),(\s+{item}),{last}", f"${{1}}{_MASK}${{2}}{_MASK}${{3}}"
        ).str.replace_all(rf"({item}),(\s+{item}){last}", f"${{1}}{_MASK}${{2}}${{3}}")
    return text


def _context(hits: pl.LazyFrame, codebook: Codebook) -> pl.LazyFrame:
    """Cut the clause and sentence context of each match.

    The clause limits are found on a masked copy of the sentence (see :func:`_masked`) and
    applied to the sentence itself, so the context columns keep the original text.
    """
    cl = codebook.spec.clauses
    lo = (pl.col("s_start") - LEFT_WINDOW).clip(lower_bound=0)
    n_left = pl.col("left_sentence").str.len_chars()
    n_clause = pl.col("_lc").str.len_chars()
    if "_mtext" not in hits.collect_schema().names():
        hits = hits.with_columns(_masked(pl.col("text"), codebook).alias("_mtext"))
    return (
        hits.with_columns(
            pl.col("text").str.slice(lo, pl.col("s_start") - lo).alias("left_sentence"),
            pl.col("text").str.slice(pl.col("s_end"), RIGHT_WINDOW).alias("_right"),
            pl.col("_mtext").str.slice(lo, pl.col("s_start") - lo).alias("_ml"),
            pl.col("_mtext").str.slice(pl.col("s_end"), RIGHT_WINDOW).alias("_right_sentence"),
        )
        .with_columns(
            pl.col("_ml")
            .str.replace(rust_regex(rf"(?s)^.*(?:{cl.left_boundary})"), "")
            .alias("_lc"),
            pl.col("_right_sentence")
            .str.replace(rust_regex(rf"(?s)(?:{cl.right_boundary}).*$"), "")
            .str.len_chars()
            .alias("_n_right"),
        )
        .with_columns(
            pl.col("left_sentence").str.slice(n_left - n_clause).alias("left_clause"),
            pl.col("left_sentence").str.slice(0, n_left - n_clause).alias("_governor"),
            pl.col("_right").str.slice(0, pl.col("_n_right")).alias("right_clause"),
        )
        # the sentence's text is no longer needed (the batch's peak is what is alive)
        .drop("text", "_right", "_mtext", "_ml", "_lc", "_n_right")
    )


def _previous_actor(
    sentences: pl.DataFrame, coded: pl.DataFrame, codebook: Codebook, *, hops: int = 3
) -> pl.DataFrame:
    """The actor of the sentences before each coded sentence, following pronouns back.

    For sentence i, the subject of sentence i-1 (its first cue not governed by a
    preposition: the preferred antecedent); when that is itself a pronoun, or i-1 names
    nobody and opens with a pronoun, sentence i-2's, and so on, ``hops`` deep.
    """
    ana = codebook.cue_body(codebook.spec.actors.anaphora)
    keys = coded.select("doc_id", "sent_id")
    wanted = pl.concat(
        [keys.with_columns((pl.col("sent_id") - h).alias("_p")) for h in range(1, hops + 1)]
    )
    prev = (
        wanted.select("doc_id", pl.col("_p").alias("sent_id"))
        .unique()
        .join(sentences.select("doc_id", "sent_id", "text"), on=["doc_id", "sent_id"])
        .sort("doc_id", "sent_id")
        .with_row_index("_k")
    )
    first = subject_cues(prev, codebook, col="text", key="_k")
    # the pronoun test in a column of its own: inside ``when`` it would run on the pool
    has_ana = [("_ana", pl.col("text").str.contains(rf"(?i){ana}"))]
    vals = columns(prev.join(first, on="_k", how="left"), has_ana).select(
        "doc_id",
        "sent_id",
        pl.when(pl.col("actor").is_null() & pl.col("_ana"))
        .then(pl.lit("ANAPHOR"))
        .otherwise(pl.col("actor"))
        .alias("_v"),
    )
    out = keys
    for h in range(1, hops + 1):
        out = out.join(
            vals.rename({"_v": f"_v{h}"}).with_columns(pl.col("sent_id") + h),
            on=["doc_id", "sent_id"],
            how="left",
        )
    resolved = pl.lit(None, dtype=pl.String)
    for h in range(hops, 0, -1):
        v = pl.col(f"_v{h}")
        resolved = pl.when(v == "ANAPHOR").then(resolved).otherwise(v)
    return out.select("doc_id", "sent_id", resolved.alias("prev_actor"))


def code_sentences(sentences: pl.DataFrame, codebook: Codebook | None = None) -> pl.DataFrame:
    """Code every sentence with the codebook.

    Parameters
    ----------
    sentences : polars.DataFrame
        The ``sentences`` table: doc_id, sent_id, start, text (end, is_heading and
        speaker are used when present; headings are not coded; the speaker's side
        attributes first-person and unattributed verbal acts, see
        :mod:`analysis.actors`).
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
        *([pl.col("speaker").cast(pl.String)] if "speaker" in sentences.columns else []),
    ).with_row_index("_row")
    # addresses are not read (see the module docstring); the rows that hold one are few
    linked = base.filter(pl.col("text").str.contains_any(list(LINK_MARKERS)))
    if linked.height:
        base = base.update(
            linked.select("_row", pl.col("text").map_elements(unlinked, return_dtype=pl.String)),
            on="_row",
        )
    hits = _locate_hits(base, cb)
    if hits.height == 0:
        return _empty_codes()
    # whole sentences per batch, each with the sentences of its documents (pronouns look
    # back): memory grows with the batch, not with the corpus. As few batches as
    # HIT_BATCH allows, of equal size: the largest batch sets the peak
    size = -(-hits.height // -(-hits.height // HIT_BATCH))
    first = pl.col("_i").min().over("_row")  # a sentence's matches stay together
    parts = (
        hits.with_row_index("_i")
        .with_columns((first // size).alias("_b"))
        .drop("_i")
        .partition_by("_b", maintain_order=True, include_key=False)
    )
    del hits
    documents = _documents(base)
    # each batch's previous sentences are read on this thread while the helper finds the
    # actor features of the batch before it (after that batch's status query: the two
    # together take about as long as the actor features). Here their regexes are the
    # subject searches', already compiled; on a thread of their own they were compiled a
    # third time, and the memory of the third copy raised the peak
    queued: dict[int, tuple[pl.DataFrame, pl.DataFrame]] = {}
    ana = cb.cue_body(cb.spec.actors.anaphora)
    pron = cb.cue_body(cb.spec.actors.pronouns)

    def queue(i: int) -> None:
        if i < len(parts):
            docs = _documents_of(base, parts[i], documents)
            # the coded sentences; only those that open with, or contain, a pronoun need
            # the previous sentences
            voiced = docs.join(parts[i].select("_row").unique(), on="_row", how="semi")
            needs_prev = voiced.filter(pl.col("text").str.contains(rf"(?i){ana}|{pron}"))
            queued[i] = (
                docs,
                _previous(docs, voiced, needs_prev.select("doc_id", "sent_id"), cb),
            )

    queue(0)
    coded = []
    for i in range(len(parts)):
        docs, previous = queued.pop(i)
        coded.append(_code_hits(docs, parts[i], cb, previous, then=lambda i=i: queue(i + 1)))
        parts[i] = None  # type: ignore[call-overload]  # the batch's memory goes with it
    codes = _concat_sorted(coded, ["doc_id", "sent_id", "match_start", "category"])
    if linked.height:
        # the matched text as the document has it, link targets included
        original = linked.select(
            "doc_id", "sent_id", pl.col("start").alias("_s"), pl.col("text").alias("_t")
        )
        codes = (
            codes.join(original, on=["doc_id", "sent_id"], how="left", maintain_order="left")
            .with_columns(
                pl.when(pl.col("_t").is_not_null())
                .then(
                    pl.col("_t").str.slice(
                        pl.col("match_start") - pl.col("_s"),
                        pl.col("match_end") - pl.col("match_start"),
                    )
                )
                .otherwise(pl.col("matched"))
                .alias("matched")
            )
            .drop("_s", "_t")
        )
    return codes


def _concat_sorted(frames: list[pl.DataFrame], keys: list[str]) -> pl.DataFrame:
    """Frames each sorted by ``keys``, concatenated and sorted.

    When they follow one another (the batches of a table sorted by document, the usual
    case) the concatenation is already sorted, and sorting it would only copy it.
    """
    ends = [f.select(keys).gather([0, f.height - 1]) for f in frames if f.height]
    if not ends or (e := pl.concat(ends)).equals(e.sort(keys, maintain_order=True)):
        return pl.concat(frames)
    return pl.concat(frames).sort(keys)


def _documents(base: pl.DataFrame) -> pl.Series | None:
    """The first row of each document of ``base``, when every document's rows are
    contiguous (the usual order); else None."""
    if base.height == 0 or base["doc_id"].null_count():
        return None
    starts = base.select(
        pl.col("_row").filter(pl.col("doc_id").ne_missing(pl.col("doc_id").shift(1)))
    ).to_series()
    return starts if starts.len() == base["doc_id"].n_unique() else None


def _documents_of(
    base: pl.DataFrame, hits: pl.DataFrame, starts: pl.Series | None = None
) -> pl.DataFrame:
    """The rows of ``base`` in the documents that ``hits`` fall in (and the hits' own rows).

    With the documents' first rows (:func:`_documents`) and hits in row order, the
    documents of the hits' first to last rows, cut as one slice (the documents between
    them without a hit come along): a filter would read the whole table for each batch.
    """
    if starts is not None and hits["_row"].is_sorted():
        first, last = int(hits["_row"][0]), int(hits["_row"][-1])
        lo = int(starts[int(starts.search_sorted(first, side="right")) - 1])
        after = int(starts.search_sorted(last, side="right"))
        hi = int(starts[after]) if after < starts.len() else base.height
        return base.slice(lo, hi - lo)
    rows = hits["_row"].unique()
    docs = base["doc_id"].gather(rows).unique().drop_nulls()
    return base.filter(
        pl.col("doc_id").is_in(docs.implode()) | pl.col("_row").is_in(rows.implode())
    )


def _locate_hits(base: pl.DataFrame, cb: Codebook) -> pl.DataFrame:
    """The indicator matches of the sentences to code, ``BATCH_ROWS`` sentences at a time.

    Slices of the text bound the memory; each group of chunk regexes runs over every slice
    before the next group starts, so that its regexes stay compiled (see :func:`locate`;
    polars keeps a few dozen compiled regexes per thread, and compiling one of the
    codebook's takes milliseconds).
    """
    coded = pl.lit(True)
    if "is_heading" in base.columns:
        coded = ~pl.col("is_heading")
    if cb.spec.uncoded_units:
        # units the codebook leaves uncoded as a whole (questions that only ask), unless the
        # question asserts (a rhetorical question: "¿Por qué no atienden a sus jóvenes?")
        asks = pl.col("text").str.contains(rf"(?i){cb.cue_body(cb.spec.uncoded_units)}")
        if cb.spec.rhetorical_questions and "speaker" in base.columns:
            # ... in the turn of a speaker who has a side (not a reporter's "why don't they")
            rhetorical = cb.cue_body(cb.spec.rhetorical_questions)
            both = base.filter(asks & pl.col("text").str.contains(rf"(?i){rhetorical}"))
            if both.height:
                voiced = both.filter(speaker_voice(both, cb).is_not_null())["_row"]
                asks = asks & ~pl.col("_row").is_in(voiced.implode())
        coded = coded & ~asks
    # the columns it needs only, filtered once: each filter copies every column it keeps
    extra = [c for c in ("is_heading", "speaker") if c in base.columns]
    body = base.select("_row", "text", *extra).filter(coded)
    if "speaker" in base.columns:
        # only the rows that open with their label are rewritten (the first of each turn):
        # an expression over every row would copy the whole text
        labelled = body.select(
            pl.col("text").str.starts_with(pl.col("speaker") + pl.lit(":")).fill_null(False)
        ).to_series()
        if labelled.any():
            rows = labelled.arg_true()
            fixed = body[rows].select(_without_label(pl.col("text"), pl.col("speaker")))
            body = body.with_columns(body["text"].scatter(rows, fixed["text"]))
    body = body.select("_row", "text")
    chunks, keywords = list(cb.indicator_chunks), list(cb.indicator_keywords)
    return locate(body, chunks, keywords=keywords, slice_rows=BATCH_ROWS)


def _without_label(text: pl.Expr, speaker: pl.Expr) -> pl.Expr:
    """``text`` with the speaker label that opens it blanked out, offsets kept.

    A label names who speaks ("INTERVENCIÓN:", a participant's turn in a Mexican
    transcript; "PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO:"): its words are no act.

    Examples
    --------
    >>> df = pl.DataFrame({"text": ["INTERVENCIÓN: Sí.", "Sí."], "speaker": ["INTERVENCIÓN", None]})
    >>> df.select(_without_label(pl.col("text"), pl.col("speaker")))["text"].to_list()
    ['              Sí.', 'Sí.']
    """
    label = speaker + pl.lit(":")
    return (
        pl.when(text.str.starts_with(label).fill_null(False))
        .then(text.str.slice(label.str.len_chars()).str.pad_start(text.str.len_chars()))
        .otherwise(text)
        .alias("text")
    )


def _previous(
    base: pl.DataFrame, voiced: pl.DataFrame, needs_prev: pl.DataFrame, cb: Codebook
) -> pl.DataFrame:
    """The speaker's side of the ``voiced`` sentences and, for those of ``needs_prev``, the
    actor of the sentences before them in ``base`` (``prev_actor``)."""
    return _previous_actor(base, needs_prev, cb).join(
        voiced.select("doc_id", "sent_id", speaker_voice(voiced, cb)),
        on=["doc_id", "sent_id"],
        how="full",
        coalesce=True,
    )


def _code_hits(
    base: pl.DataFrame,
    hits: pl.DataFrame,
    cb: Codebook,
    previous: pl.DataFrame,
    *,
    then: Callable[[], None],
) -> pl.DataFrame:
    """Status, actor and the codes table for the located matches of ``base``'s sentences.

    ``previous`` is :func:`_previous` of them; ``then`` runs on this thread while the
    helper finds this batch's actor features, after the status query.
    """
    ana = cb.cue_body(cb.spec.actors.anaphora)
    # sorted while narrow; the joins keep that order
    hits = (
        hits.sort("_row", "s_start")
        .join(_pattern_map(hits["matched"], cb), on="matched", how="inner", maintain_order="left")
        .join(_indicator_frame(cb), on="_ind", how="inner", maintain_order="left")
        .join(
            # once per sentence: its masked copy (clause limits) and whether it opens
            # with a pronoun
            columns(
                base.select("_row", "doc_id", "sent_id", "start", "text").join(
                    hits.select("_row").unique(), on="_row", how="semi"
                ),
                [
                    ("_mtext", _masked(pl.col("text"), cb)),
                    ("anaphoric", pl.col("text").str.contains(rf"(?i){ana}")),
                ],
            ),
            on="_row",
            how="inner",
            maintain_order="left",
        )
        .with_row_index("_code")
    )
    # the actor features of the matches are found on the helper thread while this one
    # finds the subjects, runs the status query and reads the next batch's previous
    # sentences (``then``; polars releases the GIL); the actor searches run one column at a
    # time (analysis.actors.columns), so that each thread keeps its regexes compiled
    ctx = _context(hits.lazy(), cb).collect(engine="in-memory")
    del hits  # the text and its masked copy, per match (a batch's peak is what is alive)
    features = _helper().submit(actor_features, ctx, cb)
    subjects = subject_features(ctx, cb)
    ctx = _status_frame(ctx, cb)
    then()
    ctx = ctx.join(previous, on=["doc_id", "sent_id"], how="left", maintain_order="left")
    return _finish_codes(
        attribute_actors(ctx, cb, features=features.result(), subjects=subjects), cb
    )


@functools.cache
def _helper() -> ThreadPoolExecutor:
    """One thread that runs the actor searches while the caller runs the status query.

    The same thread every time: polars keeps its compiled regexes per thread, 32 of them.
    The actor searches run there one column at a time (:func:`analysis.actors.columns`),
    so their regexes (about 20, among them the large actor-cue alternations) are
    compiled once per process; on polars' thread pool, beside the chunk, context and
    status regexes, they were compiled again for every batch and every call.
    """
    return ThreadPoolExecutor(1, thread_name_prefix="code_sentences")


# a forked child has no copy of the thread: it starts its own
os.register_at_fork(after_in_child=_helper.cache_clear)


def _status_frame(ctx: pl.DataFrame, cb: Codebook) -> pl.DataFrame:
    """The status of each match, from its context (acts absorbed by a threat or refusal
    marked ``_absorbed``)."""
    status, recast, content = _status(cb)
    t_plover, t_mode, t_score = cb.category_profile("THREATEN")
    # lazily, so that the cue tests shared by status and recast run once
    return (
        ctx.lazy()
        .with_columns(
            status.alias("_status"),
            recast.alias("_recast"),
            content.alias("_content"),
            pl.lit(False).alias("_implied"),
        )
        .unnest("_status")
        .with_columns(
            pl.concat_str(
                pl.col("left_clause").str.slice(-25),
                pl.col("matched"),
                pl.col("right_clause").str.slice(0, 45),
            )
            .str.contains(rf"(?i){cb.cue_body(cb.spec.actors.US)}")
            .alias("_named_us"),
            # force named as any force ("cualquier intervención de Estados Unidos"): refused,
            # it is a standing position, not a proposal
            pl.concat_str(pl.col("left_clause").str.slice(-25), pl.col("matched"))
            .str.contains(rf"(?i){cb.cue_body(cb.spec.status.refused_any)}")
            .alias("_any"),
            _swallowed_force(cb).alias("_swallowed"),
            _third_country_target(cb).alias("_third_target"),
        )
        .pipe(
            _absorb_threat_content,
            cb.spec.status.refused_proposals,
            cb.spec.status.refused_before,
        )
        .drop("_right_sentence", "_governor")
        .with_columns(
            pl.when("_recast").then(pl.lit("THREATEN")).otherwise("category").alias("category"),
            pl.when("_recast").then(pl.lit(t_plover)).otherwise("plover").alias("plover"),
            pl.when("_recast").then(pl.lit(t_mode)).otherwise("mode").alias("mode"),
            pl.when("_recast").then(pl.lit(t_score)).otherwise("score").alias("score"),
        )
        .collect(engine="in-memory")
    )


def _swallowed_force(cb: Codebook) -> pl.Expr:
    """A refusal whose match holds the U.S. force it refuses: "rejected the idea of U.S.
    military strikes", "rejected Trump's suggestion of U.S. strikes".

    The refused proposal is a threat by the U.S. (:func:`_implied` codes it), as when it
    is matched on its own after the refusal (:func:`_absorb_threat_content`); the U.S.
    is named in the match or in a "de"/"of"/"by" phrase right after it. Force refused
    whatever it is ("any U.S. intervention", ``refused_any``) is a standing position, not
    the answer to a proposal, and implies no threat.
    """
    force = cb.spec.status.refused_force
    us = cb.cue_body(cb.spec.actors.US)
    if not force:
        return pl.lit(False)
    # refusals only (the other rows are null: nothing to search)
    refusal = pl.col("stance") == "resistance"
    matched = pl.when(refusal).then(pl.col("matched"))
    named = matched.str.contains(rf"(?i){us}") | pl.when(refusal).then(
        pl.col("right_clause")
    ).str.contains(rf"(?i)^\s*{cb.words('agent_of')}\s+(?:[^\s,;]+\s+){{0,3}}?{us}")
    # "any U.S. intervention": a standing refusal, not the answer to a proposal
    generic = matched.str.contains(rf"(?i){cb.cue_body(cb.spec.status.refused_any)}")
    return (
        (pl.col("stance") == "resistance")
        & matched.str.contains(rf"(?i){cb.cue_body(force)}")
        & named
        & ~generic
    ).fill_null(False)


def _third_country_target(cb: Codebook) -> pl.Expr:
    """Whether an act is aimed at another country: a struct of ``coercion`` (a coercive act
    aimed at it, with nothing in its clause about Mexico: "President Trump imposed tariffs
    on China", "designated the Houthis a foreign terrorist organization") and, for talks,
    a stated agreement, aid, a transfer or coercion whose partner or target is another
    country ("Hay muy buena relación con Canadá", "la llamada con el ministro Carney",
    "retirar el apoyo militar a Ucrania", "solicitando al gobierno de China") or, for those
    four, another country named earlier in the sentence ("In Colombia, we issued a joint
    statement ... as well as ongoing cooperation"), or talks and agreement with a side's own
    producers or governors ("reunirnos con los fabricantes de acero"), ``us`` and ``mx``:
    whether its clause (for a country named earlier, the sentence up to the clause's end)
    names each side
    (``actors.third_countries``, ``actors.domestic_partners``, ``actors.bilateral_anchors``;
    see :func:`_finish_codes`)."""
    a = cb.spec.actors
    if not (a.third_countries or a.domestic_partners):
        return pl.struct(
            pl.lit(False).alias("coercion"),
            pl.lit(None, dtype=pl.Boolean).alias("us"),
            pl.lit(None, dtype=pl.Boolean).alias("mx"),
        )
    # coercion and cooperation only (the other rows are null: nothing to search), and the
    # clause only where the target is another country
    acts = pl.col("stance").is_in(["coercion", "cooperation"])
    target = pl.when(acts).then(
        pl.concat_str(pl.col("matched"), pl.col("right_clause").str.slice(0, 60))
    )
    # talks or agreement with a side's own producers or governors ("reunirnos con los
    # fabricantes de acero", "hay muy buena relación con todos los acereros"); aid given to,
    # and people handed to, another country count with talks and agreement below ("van a
    # retirar el apoyo militar a Ucrania", "fueron entregados al gobierno de Argentina")
    cooperative = pl.col("category").is_in(["CONSULT", "AGREE"])
    given = cooperative | pl.col("category").is_in(["AID", "JUDICIAL"])
    aimed = placed = pl.lit(False)
    if a.third_countries:
        countries = rf"(?i){cb.cue_body(a.third_countries)}"
        # talks, agreement, aid and transfers are aimed at another country that the sentence
        # names before them as well ("In Colombia, we issued a joint statement ... as well as
        # ongoing cooperation on security"); the clause must then name the other side
        ahead = target.str.contains(countries).fill_null(False)
        placed = (
            ~ahead
            & acts
            & given
            & pl.col("left_sentence").str.contains(countries).fill_null(False)
        ).fill_null(False)
        aimed = ahead | placed
    home = pl.lit(False)
    if a.domestic_partners:
        partners = rf"(?i){cb.cue_body(a.domestic_partners)}"
        home = (cooperative & ~aimed & target.str.contains(partners)).fill_null(False)
    # the act's clause; for a country named before it, the sentence up to the clause's end
    before = pl.when(placed).then(pl.col("left_sentence")).otherwise(pl.col("left_clause"))
    clause = pl.when(aimed | home).then(
        pl.concat_str(before, pl.col("matched"), pl.col("right_clause"))
    )
    tied = rf"(?i){cb.cue_body(a.MX)}|{cb.cue_body(a.bilateral_anchors)}"
    # talks, stated agreement, aid and transfers only: a concession may name another country
    # as a place ("troops to its southern border with Guatemala"); and coercion, which a
    # Mexican act may aim at another country as well ("hemos estado solicitando al gobierno
    # de China colaboración")
    coercive = aimed & (pl.col("stance") == "coercion")
    named = (aimed & (given | coercive)) | home
    return pl.struct(
        (coercive & ~clause.str.contains(tied)).fill_null(False).alias("coercion"),
        pl.when(named).then(clause.str.contains(rf"(?i){cb.cue_body(a.US)}")).alias("us"),
        pl.when(named).then(clause.str.contains(rf"(?i){cb.cue_body(a.MX)}")).alias("mx"),
    )


def _finish_codes(ctx: pl.DataFrame, cb: Codebook) -> pl.DataFrame:
    """The codes table from the matches with status and actor."""
    # acts absorbed by a threat or a refusal (see _absorb_threat_content) are dropped
    keep = ~pl.col("_absorbed")
    if cb.scope == "bilateral":
        # only acts between the U.S. and Mexico (coder's convention 3): not by a third
        # party, nor U.S. coercion of another country, nor talks, agreement, aid or transfers
        # with another country or with a side's own producers, nor Mexican coercion aimed at
        # another country, whose clause does not name the other side ("Hay muy buena relación
        # con Canadá": a Mexican act needs the U.S. named, a U.S. act Mexico, an unattributed
        # one either)
        third = pl.col("_third_target")
        keep = keep & (pl.col("actor") != "OTHER")
        keep = keep & ~(third.struct.field("coercion") & (pl.col("actor") == "US"))
        us, mx = third.struct.field("us"), third.struct.field("mx")
        other_named = (
            # U.S. coercion: the test above, which Mexico's anchors ("los cárteles") also pass;
            # unattributed coercion: the other country may be a place ("secure her southern
            # border with Guatemala")
            pl.when((pl.col("actor") != "MX") & (pl.col("stance") == "coercion"))
            .then(None)
            .when(pl.col("actor") == "MX")
            .then(us)
            .when(pl.col("actor") == "US")
            .then(mx)
            .otherwise(us | mx)
        )
        keep = keep & other_named.fill_null(True)
    ctx = ctx.filter(keep)
    ctx = pl.concat([ctx, _implied(ctx, cb)], how="vertical_relaxed")
    keep = [c for c in CODES_SCHEMA if c not in ("match_start", "match_end")]
    return (
        ctx.select(
            *keep,
            "_code",
            "_implied",
            (pl.col("start") + pl.col("s_start")).alias("match_start"),
            (pl.col("start") + pl.col("s_end")).alias("match_end"),
        )
        .sort("_code", "_implied")  # _code follows (_row, s_start)
        .unique(
            ["doc_id", "sent_id", "category", "actor", "status"], keep="first", maintain_order=True
        )
        .select([pl.col(c).cast(t) for c, t in CODES_SCHEMA.items()])
        .sort("doc_id", "sent_id", "match_start", "category")
    )


def _absorb_threat_content(
    ctx: pl.LazyFrame, proposals: list[str], before: list[str] | None = None
) -> pl.LazyFrame:
    """Mark (``_absorbed``) acts that are the content of a threat or a refusal matched
    earlier in the sentence.

    "Trump had never threatened her with military action" is one (negated) THREATEN: the
    military action is what the threat is about, not a second act. A coercive match with a
    threat cue before it in its clause is dropped when a THREATEN pattern matched earlier in
    the same sentence; without one ("warned that strikes could come") it is recast as
    THREATEN by the status rules instead.

    Force named just before a rejection (a REJECT, not a sovereignty claim: "deseo de
    intervención mayor, pues eso no lo podemos permitir", "la intervención en México ... no
    pasará"; categories ``before``) is what the rejection refuses, and dropped, unless its
    U.S. author is named: then it is an act or a proposal as it was made ("requests for
    President Biden to use military force is an affront to Mexican sovereignty"), except
    force named as any force ("cualquier intervención de Estados Unidos queda descartada",
    ``status.refused_any``), a standing position, dropped too.
    """
    first_threat = (
        pl.when(pl.col("category") == "THREATEN").then(pl.col("s_start")).min().over("_row")
    )
    refusal = pl.col("stance") == "resistance"
    first_refusal = pl.when(refusal).then(pl.col("s_start")).min().over("_row")
    refusal_end = pl.when(refusal).then(pl.col("s_end")).min().over("_row")
    after_refusal = ~refusal & (first_refusal < pl.col("s_start"))
    # what a refusal refuses ("does not accept foreign intervention", "tampoco va a
    # permitir una intervención"): the refusal is the act, and a negation in it is its own;
    # a coercive act right after a refusal is what it refuses, and it is coded only when
    # the text names its U.S. author ("una intervención de las fuerzas armadas de Estados
    # Unidos", "Trump's suggestion of U.S. strikes"): a proposal of force, refused, is a
    # threat
    # (force, threats and sanctions only, ``status.refused_proposals``: an accusation or a demand
    # refused is the other side's act as it was made, "rejected the claims made by the
    # White House accusing ...")
    # (a clause the refusal denies, "descartó que Washington intervenga", is a prediction
    # ruled out, not a proposal: it stays negated)
    refused = (
        after_refusal
        & pl.col("category").is_in(proposals)
        & (pl.col("s_start") - refusal_end <= REFUSED_MAX_CHARS)
        & (pl.col("status_rule") != "denial")
    ).fill_null(False)
    # force right before a refusal, its U.S. author not named (the first or the last
    # rejection of the sentence, whichever follows the act closely)
    # (a rejection, not a sovereignty claim: "una oportunidad para invadir nuestra
    # soberanía" names the force the claim answers)
    rejection = pl.col("category") == "REJECT"
    first_rejection = pl.when(rejection).then(pl.col("s_start")).min().over("_row")
    last_rejection = pl.when(rejection).then(pl.col("s_start")).max().over("_row")
    gap_first, gap_last = first_rejection - pl.col("s_end"), last_rejection - pl.col("s_end")
    refused_before = (
        ~refusal
        & pl.col("category").is_in(before or [])
        & (
            gap_first.is_between(0, REFUSED_BEFORE_MAX_CHARS)
            | gap_last.is_between(0, REFUSED_BEFORE_MAX_CHARS)
        )
        & (~pl.col("_named_us") | pl.col("_any"))
    ).fill_null(False)
    absorbed = (
        refused_before
        | (
            pl.col("_content")
            & (pl.col("category") != "THREATEN")
            & (first_threat < pl.col("s_start"))
        )
        # a negation in the refusal is the refusal's own ("no va a ocurrir una
        # intervención"), except over the U.S. force it refuses, a threat
        | (after_refusal & (pl.col("status") == "negated") & ~(refused & pl.col("_named_us")))
        | (refused & ~pl.col("_named_us"))
    )
    # marked, not dropped: the rows are filtered once, at the end (:func:`_finish_codes`);
    # a filter here would copy every context column while the unfiltered ones are still
    # in use. Absorbed rows are never refusals, so the windows over refusals are the same
    return (
        ctx.with_columns(absorbed.fill_null(False).alias("_absorbed"))
        .with_columns(
            pl.when(refused).then(pl.lit(True)).otherwise(pl.col("_recast")).alias("_recast"),
            pl.when(refused).then(pl.lit("threatened")).otherwise(pl.col("status")).alias("status"),
            pl.when(refused)
            .then(pl.lit("refused_proposal"))
            .otherwise(pl.col("status_rule"))
            .alias("status_rule"),
        )
        .drop("_content", "_named_us", "_any")
    )


#: The status of an implied code whatever became of the act that implies it: tariffs paused
#: were threatened, tariffs eased were in force (whether or not they are eased).
IMPLIED_STATUS = {"THREATEN": "threatened", "SANCTION": "actual"}


def _implied(ctx: pl.DataFrame, codebook: Codebook) -> pl.DataFrame:
    """Codes implied by others (``implies``), by the other side unless ``implies_side`` is
    "same": a refused demand is a DEMAND by the other side; a paused tariff is a THREATEN
    by the side that pauses it, an eased one a SANCTION; U.S. force a refusal swallows is a
    THREATEN (:func:`_swallowed_force`), by the rule ``refused_proposal``. An implied
    THREATEN is threatened and an implied SANCTION actual (:data:`IMPLIED_STATUS`),
    whatever became of the act that implies it."""
    src = ctx.filter(pl.col("implies").is_not_null() | pl.col("_swallowed")).with_columns(
        pl.when("_swallowed").then(pl.lit("THREATEN")).otherwise("implies").alias("implies"),
        pl.when("_swallowed").then(pl.lit("other")).otherwise("implies_side").alias("_side"),
    )
    fixed = pl.col("implies").is_in(list(IMPLIED_STATUS))
    src = src.with_columns(
        pl.when(fixed)
        .then(pl.col("implies").replace_strict(IMPLIED_STATUS, default=None))
        .otherwise("status")
        .alias("status"),
        pl.when("_swallowed")
        .then(pl.lit("refused_proposal"))
        .when(fixed)
        .then(pl.lit("implied"))
        .otherwise("status_rule")
        .alias("status_rule"),
    )
    if src.height == 0:
        return ctx.clear().with_columns(pl.lit(True).alias("_implied"))
    profile = {c: codebook.category_profile(c) for c in src["implies"].unique().to_list()}
    cat = pl.col("implies")
    return src.with_columns(
        cat.replace_strict(CATEGORY_STANCE, return_dtype=pl.String).alias("stance"),
        cat.alias("category"),
        cat.replace_strict({k: v[0] for k, v in profile.items()}, return_dtype=pl.String).alias(
            "plover"
        ),
        cat.replace_strict({k: v[1] for k, v in profile.items()}, return_dtype=pl.String).alias(
            "mode"
        ),
        cat.replace_strict({k: v[2] for k, v in profile.items()}, return_dtype=pl.Float64).alias(
            "score"
        ),
        # U.S. force a refusal swallows is the named U.S. proposer's (actor rule proposer)
        pl.when("_swallowed")
        .then(pl.lit("US"))
        .when(pl.col("_side") == "same")
        .then(pl.col("actor"))
        .otherwise(
            pl.col("actor").replace_strict(
                {"US": "MX", "MX": "US"}, default="UNSPECIFIED", return_dtype=pl.String
            )
        )
        .alias("actor"),
        pl.when("_swallowed").then(pl.lit("proposer")).otherwise("actor_rule").alias("actor_rule"),
        pl.lit(True).alias("_implied"),
    ).drop("_side")


def kwic(codes: pl.DataFrame, sentences: pl.DataFrame, *, window: int = 60) -> pl.DataFrame:
    """Key words in context: each code with the sentence text around its match.

    Parameters
    ----------
    codes : polars.DataFrame
        The ``codes`` table.
    sentences : polars.DataFrame
        The ``sentences`` table the codes came from.
    window : int, default 60
        Characters of context on each side (within the sentence). Where the window cuts
        into a word, the fragment is dropped and the cut is marked with "…".

    Returns
    -------
    polars.DataFrame
        ``codes`` with ``left``, ``keyword`` and ``right``, in the codes' order.

    Examples
    --------
    >>> s = pl.DataFrame({"doc_id": ["d"], "sent_id": [1], "start": [0], "end": [46],
    ...                   "text": ["Trump threatened to impose tariffs on Mexico."]})
    >>> kwic(code_sentences(s), s, window=9).select("left", "keyword", "right").row(0)
    ('Trump ', 'threatened to impose tariffs', ' on…')
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
            (lo > 0).alias("_cut_left"),
            (b + window < pl.col("_stext").str.len_chars()).alias("_cut_right"),
        )
        # where the window cuts into a word, drop the fragment and mark the cut with "…"
        .with_columns(
            pl.when("_cut_left")
            .then(pl.lit("…") + pl.col("left").str.replace(r"^\S*\s+", ""))
            .otherwise(pl.col("left"))
            .alias("left"),
            pl.when("_cut_right")
            .then(pl.col("right").str.replace(r"\s+\S*$", "") + pl.lit("…"))
            .otherwise(pl.col("right"))
            .alias("right"),
        )
        .sort("_k")
        .drop("_k", "_sstart", "_stext", "_cut_left", "_cut_right")
    )
