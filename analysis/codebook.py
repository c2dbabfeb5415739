"""The codebook: indicators, status cues and actor cues, read from YAML and validated.

The measurement scheme lives in ``analysis/codebook.yaml`` (or any file with the same
shape), so a researcher can swap the whole scheme without touching code. The file has
four sections and one setting:

``scope``
    ``bilateral`` (the default: only acts between the U.S. and Mexico are coded, the coder's
    convention 3, so codes whose actor is OTHER are dropped) or ``all`` (keep them).

``indicators``
    One entry per indicator: ``id``, ``stance``, ``category``, ``plover``, ``mode``,
    ``score`` (-10..10), ``description``, ``patterns``, ``examples`` (``match`` /
    ``no_match``) and optionally ``actor`` (the side assumed when the text names none),
    ``fixed_actor`` (always that side, e.g. inherently joint acts), ``status``
    (``threatened`` for acts that are threats by nature), ``attributive: false`` (a
    possessive before the match names the target, not the actor: "Mexico's insufficient
    efforts") and ``implies`` (a category coded as well, by the other side: refusing
    demands implies a DEMAND).
``clauses``
    Two regular expressions that delimit the clause around a match: ``left_boundary``
    (looking back from the match) and ``right_boundary`` (looking ahead); plus
    ``abbreviations`` (words after which a dot does not end the clause: "U.S."),
    ``quoted_phrase_max_chars`` (quotation marks around a phrase at most this long, with no
    clause punctuation inside, do not end the clause) and ``bracketed_phrase_max_chars``
    (nor do brackets around a shorter one, such as an acronym: "(CIA)"); ``list_item``
    (a name in a list: the commas of a list of names, "The United States, Mexico, and
    Canada", do not end the clause, so the list is one subject).
``status``
    Cue lists for the four statuses (see :mod:`analysis.indicators` for the rule order).
``actors``
    Cue lists for ``US``, ``MX``, ``OTHER`` and ``UNSPECIFIED`` plus the word lists the
    attribution rules use (see :mod:`analysis.actors`).

Pattern syntax
--------------
A pattern is a word or a phrase, matched case-insensitively on word boundaries:

- ``extradite``, ``acordar``: a word of four letters or more is a *lemma* and matches
  every form the lemmatiser's English and Spanish dictionaries map to it (extradites,
  extradited; acordó, acordamos): see :mod:`analysis.lemmas`. Write the dictionary form.
- ``=imposed``: a leading ``=`` matches that form only.
- ``tariff*``: a trailing ``*`` allows any word ending (a prefix, not a lemma).
- ``impos* .. tariff*``: ``..`` allows up to four words in between (``..2``: up to two).
- ``doesn't``: an apostrophe also matches the typographic one (’).
- ``re:<regex>``: a regular expression, for what words cannot say. It must compile both
  in Python's ``re`` and in the Rust ``regex`` engine polars uses (no look-around, no
  back-references); ``(?-i:US)`` makes a part case-sensitive.

When patterns of several indicators start at the same position, the one listed first in
the file wins, so more specific phrases are listed before general ones.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import itertools
import re
import re._constants as _sre
import re._parser as _sre_parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from analysis.config import CODEBOOK_PATH
from analysis.lemmas import forms_of
from analysis.scheme import (  # noqa: F401  (re-exported: the codebook speaks the scheme)
    ACTORS,
    CATEGORY_MODE,
    CATEGORY_PLOVER,
    CATEGORY_SCORE,
    CATEGORY_STANCE,
    STANCES,
    STATUSES,
)

Stance = Literal["cooperation", "coercion", "resistance"]
Actor = Literal["US", "MX", "OTHER", "UNSPECIFIED"]
Mode = Literal["verbal", "material"]
Status = Literal["actual", "threatened", "hypothetical", "negated"]

#: The manual's PLOVER label, mode and score for each category.
MANUAL_PROFILE: dict[str, tuple[str, str, float]] = {
    c: (CATEGORY_PLOVER[c], CATEGORY_MODE[c], CATEGORY_SCORE[c]) for c in CATEGORY_STANCE
}
#: Budget per regular expression when the engine runs the codebook (see Codebook): a
#: pattern weighs 1, plus the sizes of its bounded gaps ({0,N}), plus 1 for each repeated
#: wide class (``\w*``, ``\S+``, ``[^...]+``: thousands of code points each, and many
#: states of the DFA). Beyond the budget the Rust engine's lazy-DFA cache overflows and a
#: search of the chunk slows down tenfold to a hundredfold: with gaps alone counted, one
#: chunk of codebook 2.1 (32 patterns, eight of them with ``\w*`` or ``\S+``) took
#: 0.5 s of the 0.8 s its 200,000 sentences spent in all the chunks.
CHUNK_WEIGHT = 48
#: The indicator index of the codebook's ``non_acts`` in :attr:`Codebook.pattern_table`.
NON_ACT = -1
_BOUNDED = re.compile(r"\{\d*,(\d+)\}")
_WIDE_REPEAT = re.compile(r"(?:\\[wWSD]|\[\^(?:\\.|[^\]])*\]|\.)(?:[*+]|\{)")


def _weight(regex: str) -> int:
    r"""A pattern's share of :data:`CHUNK_WEIGHT`.

    Examples
    --------
    >>> _weight(r"\bthreat\b"), _weight(r"\bimpos\w*\s+(?:\S+\s+){0,3}?tariffs")
    (1, 6)
    """
    return (
        1
        + sum(int(n) for n in _BOUNDED.findall(regex))
        + len(_WIDE_REPEAT.findall(regex))
    )


#: Words allowed inside a ``..`` gap when no number is given.
DEFAULT_GAP = 4


class CodebookError(ValueError):
    """A codebook file that cannot be used; the message names the file, the entry and the field."""


# ---------------------------------------------------------------------------------------
# Pattern syntax
# ---------------------------------------------------------------------------------------

_GAP = re.compile(r"^\.\.(\d*)$")
#: A word read as a lemma: letters only, at least this long (shorter words are function
#: words, whose dictionary "forms" are noise: "no" -> "nos").
_LEMMA_WORD = re.compile(r"^[^\W\d_]{4,}$")


@functools.lru_cache(maxsize=8192)
def pattern_to_regex(pattern: str) -> str:
    """Translate one codebook pattern into a regular expression.

    Parameters
    ----------
    pattern : str
        A word, a phrase (``*`` suffix, ``..`` gaps) or ``re:<regex>``.

    Returns
    -------
    str
        A regular expression, without flags (the engine matches case-insensitively).

    Examples
    --------
    >>> print(pattern_to_regex("impos* .. tariff*"))
    \\bimpos\\w*(?:\\s+\\S+){0,4}?\\s+tariff\\w*
    >>> bool(re.search(pattern_to_regex("impos* .. tariff*"), "imposed a 25% tariff", re.I))
    True
    >>> print(pattern_to_regex("secure =extradition"))
    \\b(?:securest|securing|secured|securer|secures|secure)\\s+extradition\\b
    >>> print(pattern_to_regex("le =dije"))
    \\ble\\s+dije\\b
    """
    if pattern.startswith("re:"):
        return pattern[3:]
    tokens = pattern.split()
    if not tokens:
        return ""
    parts: list[str] = []
    for i, token in enumerate(tokens):
        gap = _GAP.match(token)
        if gap:
            parts.append(rf"(?:\s+\S+){{0,{int(gap.group(1) or DEFAULT_GAP)}}}?")
            continue
        star = token.endswith("*") and len(token) > 1
        exact = token.startswith("=") and len(token) > 1
        stem = token[:-1] if star else token[1:] if exact else token
        if not star and not exact and _LEMMA_WORD.match(stem):
            forms = forms_of(stem)
            body = _forms_regex(
                forms, last=i == len(tokens) - 1, enclitic=_enclitic_regex(stem.lower(), forms)
            )
        else:
            body = re.sub("['’]", "['’]", re.escape(stem)) + (r"\w*" if star else "")
        if i == 0:
            # (the engine's word boundary is ASCII: none before "él" or "única", which it
            # would never let match)
            parts.append((r"\b" if re.match(r"[A-Za-z0-9_]", stem) else "") + body)
        else:
            parts.append(r"\s+" + body)
    last = tokens[-1]
    lemma_last = _LEMMA_WORD.match(last) is not None
    if not last.endswith("*") and not lemma_last and re.search(r"\w$", last):
        parts.append(r"\b")
    return "".join(parts)


#: Spanish pronouns written onto an infinitive or a gerund ("acusarla", "reunirse",
#: "entregándolos"), one or, after an accented stem, two ("entregárselos").
_ONE_ENCLITIC = r"(?:se|l[oae]s?|nos|me|te)"
_TWO_ENCLITICS = r"(?:se|me|te|nos)l[oa]s?"
_GERUND = re.compile(r"(?:a|ie|ye)ndo$")
_STRESSED = str.maketrans("aei", "áéí")


def _enclitic_regex(lemma: str, forms: tuple[str, ...]) -> str | None:
    r"""The forms of a Spanish verb lemma with pronouns attached, as one regex, or None.

    A verb is a lemma ending in -ar, -er or -ir whose forms include a gerund (so English
    words such as "order" are not). Pronouns attach to the infinitive (one bare,
    "acusarla"; two after its stressed vowel, "entregárselos") and to the gerund, whose
    stress is then written ("acusándola", "pidiéndole"). The lemmatiser's dictionaries do
    not list these forms.

    Examples
    --------
    >>> rx = re.compile(f"(?:{_enclitic_regex('pedir', ('pidiendo', 'pedir', 'pidió'))})$")
    >>> [bool(rx.match(w)) for w in ("pedirle", "pedírselo", "pidiéndoles", "pidiendole")]
    [True, True, True, False]
    >>> _enclitic_regex("order", ("ordering", "ordered", "order")) is None
    True
    """
    if not re.search(r"(?:ar|er|ir)$", lemma):
        return None
    # the vowel before -ndo takes the stress: acusando, acusándo-; pidiendo, pidiéndo-
    gerunds = sorted({f[:-4] + f[-4].translate(_STRESSED) + "ndo" for f in forms
                      if _GERUND.search(f)})
    if not gerunds:
        return None
    stressed = lemma[:-2] + lemma[-2].translate(_STRESSED) + lemma[-1]
    alts = [re.escape(lemma) + _ONE_ENCLITIC, re.escape(stressed) + _TWO_ENCLITICS]
    alts += [f"{re.escape(g)}(?:{_TWO_ENCLITICS}|{_ONE_ENCLITIC})" for g in gerunds]
    return "|".join(alts)


def _forms_regex(forms: tuple[str, ...], *, last: bool, enclitic: str | None = None) -> str:
    """An alternation of word forms; at a pattern's end, each with its own word boundary.

    ``enclitic`` (:func:`_enclitic_regex`) comes first, so that "acusarla" is not read as
    "acusar" and a failed boundary. The engine's word boundary is ASCII (see
    :func:`rust_regex`), so none stands after a form ending in an accented letter
    ("acordó"): such forms end the pattern bare.
    """
    first = [enclitic] if enclitic else []
    if not last:
        return "(?:" + "|".join(first + [re.escape(f) for f in forms]) + ")"
    ascii_end = first + [re.escape(f) for f in forms if f[-1].isascii()]
    other_end = [re.escape(f) for f in forms if not f[-1].isascii()]
    alts = []
    if ascii_end:
        alts.append("(?:" + "|".join(ascii_end) + r")\b")
    alts.extend(other_end)
    return "(?:" + "|".join(alts) + ")"


def _rust_compile_error(regex: str) -> str | None:
    """Return the Rust ``regex`` error for ``regex`` (as polars reports it), or None."""
    try:
        pl.Series([""], dtype=pl.String).str.contains(regex)
    except Exception as exc:  # polars raises ComputeError; keep the first line
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def engine_matches(patterns: list[str], texts: list[str]) -> list[list[bool]]:
    """Whether each pattern matches each text, exactly as the coding engine matches.

    The engine runs every pattern as ``rust_regex("(?i)" + pattern_to_regex(p))`` in the
    Rust ``regex`` engine (ASCII word boundaries), so this does the same, on a small frame.

    Returns
    -------
    list of list of bool
        One row per text, one column per pattern.

    Examples
    --------
    >>> engine_matches(["tariff*", r"re:\\bcriticó\\b"], ["new tariffs", "Sheinbaum criticó"])
    [[True, False], [False, False]]
    """
    if not patterns or not texts:
        return [[False] * len(patterns) for _ in texts]
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    hits = frame.select(
        pl.col("text").str.contains(rust_regex("(?i)" + pattern_to_regex(p))).alias(f"p{i}")
        for i, p in enumerate(patterns)
    )
    return [list(row) for row in hits.rows()]


@functools.lru_cache(maxsize=8192)
def _check_pattern(pattern: str) -> str | None:
    """Return why ``pattern`` is unusable, or None (a pure function of the pattern, so
    cached: a codebook loaded again, or a variant of it, checks only its new patterns)."""
    regex = pattern_to_regex(pattern)
    if not regex:
        return "the pattern is empty"
    try:
        compiled = _ignorecase(regex)
    except re.error as exc:
        return f"does not compile ({exc})"
    rust = _rust_compile_error("(?i)" + regex)
    if rust is not None:
        return f"does not compile in the Rust regex engine ({rust})"
    if compiled.search("") is not None:
        return "matches the empty string"
    if "\x00" in regex:
        return "contains a NUL character"
    parsed = _sre_parse.parse(regex, re.IGNORECASE)
    letter = _boundary_next_to_non_ascii(parsed, before=False)
    if letter is not None:
        return (
            f"has \\b right after {letter!r}, a letter outside ASCII: the engine's word "
            "boundary is ASCII (see pattern_to_regex), so it never holds there and the "
            "pattern silently misses every word ending in that letter; drop the \\b there, "
            "or keep it on the ASCII endings only (e.g. 'pact(?:aron\\b|ó)')"
        )
    letter = _boundary_next_to_non_ascii(parsed, before=True)
    if letter is not None:
        return (
            f"has \\b right before {letter!r}, a letter outside ASCII: the engine's word "
            "boundary is ASCII (see pattern_to_regex), so it never holds there and the "
            "pattern silently misses every word starting with that letter; keep the \\b on "
            "the ASCII beginnings only (e.g. '(?:\\bi|í)bamos')"
        )
    return None


def _edge_non_ascii(item, *, last: bool) -> str | None:
    """A letter outside ASCII that one parsed regex item can end with (``last``) or start
    with, or None (a letter: after a word's last letter an ASCII ``\\b`` does hold before
    a curly quote)."""
    op, av = item
    if op is _sre.LITERAL:
        return chr(av) if av > 127 and chr(av).isalpha() else None
    if op is _sre.IN:
        for sub_op, sub_av in av:
            if sub_op is _sre.LITERAL and sub_av > 127 and chr(sub_av).isalpha():
                return chr(sub_av)
            if sub_op is _sre.RANGE and sub_av[1] > 127:
                return chr(max(sub_av[0], 128))
        return None
    if op is _sre.SUBPATTERN:
        return _edge_of(av[-1], last=last)
    if op is _sre.BRANCH:
        for branch in av[1]:
            found = _edge_of(branch, last=last)
            if found is not None:
                return found
        return None
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        return _edge_of(av[2], last=last)
    return None


def _edge_of(items, *, last: bool) -> str | None:
    """A letter outside ASCII a sequence can end (``last``) or start with: its last (first)
    item's, or, while the items at that end may match nothing ("n?"), theirs and the next."""
    for op, av in reversed(list(items)) if last else items:
        found = _edge_non_ascii((op, av), last=last)
        if found is not None:
            return found
        if op not in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) or av[0] > 0:
            return None
    return None


def _boundary_next_to_non_ascii(items, *, before: bool) -> str | None:
    """The letter outside ASCII a ``\\b`` in ``items`` can follow (or, ``before``, precede),
    or None (searched through groups, alternatives and repeats)."""
    items = list(items)
    for i, (op, av) in enumerate(items):
        if op is _sre.AT and av is _sre.AT_BOUNDARY:
            # the items on that side of it, through those that may match nothing ("[aá]n?")
            side = items[i + 1 :] if before else items[:i]
            found = _edge_of(side, last=not before) if side else None
            if found is not None:
                return found
        nested = []
        if op is _sre.SUBPATTERN:
            nested = [av[-1]]
        elif op is _sre.BRANCH:
            nested = list(av[1])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            nested = [av[2]]
        for sub in nested:
            found = _boundary_next_to_non_ascii(sub, before=before)
            if found is not None:
                return found
    return None


#: Characters outside ASCII that case-insensitive matching folds onto ASCII letters (KELVIN
#: SIGN ~ k, LONG S ~ s): an ASCII case-insensitive keyword search cannot see them, so a
#: text containing one is always a candidate.
FOLDS_TO_ASCII = ("\u212a", "\u017f")


#: Letters outside ASCII a required literal may hold: each has exactly one other case form,
#: and nothing else matches it case-insensitively (the keyword search lists both forms:
#: :func:`case_variants`). A literal stops at any other letter outside ASCII.
LITERAL_LETTERS = frozenset("áéíóúüñ")

#: Most spellings a run of literals may stand for ("re[uú]ne": reune, reúne) before it is
#: cut.
MAX_SPELLINGS = 8


def _literal_chars(op, av) -> set[str] | None:
    """The characters (lower case) one item matches when it is a literal or a small class
    of literals (``[eé]``) the keyword search can see, else None."""
    if op is _sre.LITERAL:
        chars = [av]
    elif op is _sre.IN and av and all(sub_op is _sre.LITERAL for sub_op, _ in av):
        chars = [sub_av for _, sub_av in av]
    else:
        return None
    out = {chr(c).lower() for c in chars}
    if len(out) > 4 or not all(c.isascii() or c in LITERAL_LETTERS for c in out):
        return None
    return out


def _extended(spellings: set[str], chars: set[str] | None) -> set[str] | None:
    """The spellings of a literal run one item longer (``chars``: what the item matches,
    :func:`_literal_chars`), or None when the item is no literal or the run would stand
    for more than ``MAX_SPELLINGS`` spellings."""
    if chars is None or len(spellings) * len(chars) > MAX_SPELLINGS:
        return None
    return {s + c for s in spellings for c in chars}


def _required(items: _sre_parse.SubPattern | list) -> frozenset[str] | None:
    """The best set of literals one of which every match of ``items`` contains, or None."""
    candidates: list[frozenset[str]] = []
    run: set[str] = {""}  # the spellings of the literal run so far

    def flush() -> None:
        nonlocal run
        if run != {""}:
            candidates.append(frozenset(run))
        run = {""}

    for op, av in items:
        chars = _literal_chars(op, av)
        if (longer := _extended(run, chars)) is not None:
            run = longer
            continue
        if chars is not None:  # too many spellings: a new run starts here
            flush()
            run = set(chars)
            continue
        if run != {""} and op in (_sre.BRANCH, _sre.SUBPATTERN):
            # a literal run before alternatives: each match holds the run and the start of
            # the alternative taken ("me" + "t|et|ets" gives met, meet, meets)
            candidates.append(frozenset(r + x for r in run for x in _leading([(op, av)])))
        flush()
        found = None
        if op is _sre.SUBPATTERN:
            found = _required(av[3])
        elif op is _sre.BRANCH:
            sets = [_required(b) for b in av[1]]
            found = None if any(x is None for x in sets) else frozenset().union(*sets)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            found = _required(av[2])
        elif op is _sre.ATOMIC_GROUP:
            found = _required(av)
        if found is not None:
            candidates.append(found)
    flush()
    if not candidates:
        return None
    return max(candidates, key=_selectivity)


def case_variants(literal: str) -> list[str]:
    """Every spelling of a lower-case required literal that an ASCII case-insensitive
    search must list: its letters outside ASCII in both cases.

    Examples
    --------
    >>> case_variants("reúne")
    ['reÚne', 'reúne']
    >>> case_variants("tariff")
    ['tariff']
    """
    forms = [(c, c.upper()) if c in LITERAL_LETTERS else (c,) for c in literal]
    return sorted("".join(p) for p in itertools.product(*forms))


#: Words common in any English or Spanish text on the subject (function words, the two
#: presidents, the two countries). A required literal inside one of them ("for", "presi",
#: "laud" in "Claudia") makes its chunk regex run on a large share of the sentences, so
#: another required literal of the pattern is preferred (:func:`_selectivity`).
COMMON_WORDS = frozenset({
    "the", "and", "for", "with", "from", "over", "that", "this", "have", "has", "are", "was",
    "were", "will", "more", "part", "other", "also", "into", "about", "their", "they", "said",
    "says", "que", "con", "por", "para", "los", "las", "del", "una", "uno", "hay", "más", "mas",
    "mente", "como", "pero", "sobre", "entre", "esta", "este", "está", "también", "tiene",
    "tienen", "nuestro", "nuestra", "gente", "pregunta", "president", "presidenta",
    "presidente", "mexico", "méxico", "mexican", "mexicano", "sheinbaum", "trump", "claudia",
    "united", "states", "american", "government", "gobierno", "nacional", "national",
    "secretario", "secretaria", "security", "seguridad", "estados", "unidos", "hemos",
    "important", "importante", "relaciones", "relación",
})  # fmt: skip


def _selectivity(literals: frozenset[str]) -> tuple[bool, int, int]:
    """Sort key of a set of required literals: the best set is the largest.

    No literal inside a common word first, then the longest shortest literal, then the
    fewest literals. Which set is chosen changes only how many sentences a chunk regex
    searches, never what it matches.
    """
    common = any(lit in word for lit in literals for word in COMMON_WORDS)
    return (not common, min(len(k) for k in literals), -len(literals))


def _leading(items: _sre_parse.SubPattern | list) -> set[str]:
    """The literal prefixes (lower case, as :func:`_literal_chars` reads literals) one of
    which every match of ``items`` starts with; the empty string where an alternative
    starts otherwise."""
    heads: set[str] = {""}
    for op, av in items:
        if (longer := _extended(heads, _literal_chars(op, av))) is not None:
            heads = longer
            continue
        tails: set[str] = {""}
        if op is _sre.SUBPATTERN:
            tails = _leading(av[3])
        elif op is _sre.BRANCH:
            tails = set().union(*(_leading(b) for b in av[1]))
        return {h + t for h in heads for t in tails}
    return heads


def required_literals(regex: str) -> list[str] | None:
    """Literals (lower case) one of which every match of ``regex`` contains.

    Their letters are ASCII or in ``LITERAL_LETTERS`` (searched for in both cases:
    :func:`case_variants`). Matching is taken as case-insensitive, so a text that contains
    none of them (ignoring case) and none of ``FOLDS_TO_ASCII`` cannot match. None when no
    such set is found (the regex could match without any literal, or it cannot be analysed).

    Examples
    --------
    >>> required_literals(pattern_to_regex("impos* .. tariff*"))
    ['tariff']
    >>> required_literals(r"(?:tariffs?|sanctions?)\\s+on")
    ['sanction', 'tariff']
    >>> required_literals(r"presi[oó]n")
    ['presion', 'presión']
    >>> required_literals(r"\\w+") is None
    True
    """
    found = _required_literals(regex)
    return None if found is None else list(found)


@functools.lru_cache(maxsize=16384)
def _required_literals(regex: str) -> tuple[str, ...] | None:
    """:func:`required_literals`, cached: a pure function of the regex, so a codebook
    loaded again, or a variant of it, analyses only its new patterns."""
    try:
        found = _required(_sre_parse.parse(regex, re.IGNORECASE))
    except Exception:  # an unparsable regex gets no prefilter
        return None
    return None if found is None else tuple(sorted(found))


@functools.lru_cache(maxsize=16384)
def _ignorecase(regex: str) -> re.Pattern[str]:
    """``regex`` compiled case-insensitively, once per process (``re``'s own cache keeps
    512, fewer than a codebook's patterns, so a codebook loaded again would compile
    every pattern again)."""
    return re.compile(regex, re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Examples(_Strict):
    """Sentences an indicator must match and must not match."""

    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class IndicatorSpec(_Strict):
    """One indicator of the codebook."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    stance: str
    category: str
    plover: str
    mode: Mode
    score: float = Field(ge=-10, le=10)
    description: str
    patterns: list[str] = Field(min_length=1)
    examples: Examples = Field(default_factory=Examples)
    actor: Actor | None = None
    fixed_actor: bool = False
    status: Literal["actual", "threatened"] = "actual"
    attributive: bool = True
    implies: str | None = None
    implies_side: Literal["other", "same"] = "other"

    @field_validator("stance", "category", "implies")
    @classmethod
    def _known_value(cls, value: str | None, info) -> str | None:
        allowed = STANCES if info.field_name == "stance" else tuple(CATEGORY_STANCE)
        what = "stance" if info.field_name == "stance" else "category"
        if value is not None and value not in allowed:
            raise ValueError(f"unknown {what} {value!r}; allowed: {', '.join(allowed)}")
        return value


class ClauseSpec(_Strict):
    """Regular expressions that end a clause, looking back and looking ahead from a match."""

    left_boundary: str
    right_boundary: str
    abbreviations: list[str] = Field(default_factory=list)
    quoted_phrase_max_chars: int = Field(default=0, ge=0, le=200)
    bracketed_phrase_max_chars: int = Field(default=0, ge=0, le=200)
    list_item: str = ""


class StatusSpec(_Strict):
    """Cue lists that set a code's status (see :mod:`analysis.indicators`)."""

    negated: list[str] = Field(min_length=1)
    negated_max_gap: int = Field(default=1, ge=0, le=10)
    deferred: list[str] = Field(default_factory=list)
    averted: list[str] = Field(default_factory=list)
    denial: list[str] = Field(default_factory=list)
    retracted: list[str] = Field(default_factory=list)
    threat: list[str] = Field(min_length=1)
    threat_max_chars: int = Field(default=80, ge=0, le=400)
    threat_after: list[str] = Field(default_factory=list)
    condition_after: list[str] = Field(default_factory=list)
    hedge_speakers: list[str] = Field(default_factory=list)
    hypothetical_before: list[str] = Field(min_length=1)
    hypothetical_after: list[str] = Field(default_factory=list)
    hypothetical_after_max_gap: int = Field(default=4, ge=0, le=20)
    conditional: list[str] = Field(default_factory=list)
    conditional_noun_markers: list[str] = Field(default_factory=list)
    hypothetical_scope: list[str] = Field(default_factory=list)
    announced: list[str] = Field(default_factory=list)
    negation_exceptions: list[str] = Field(default_factory=list)
    refused_force: list[str] = Field(default_factory=list)
    refused_any: list[str] = Field(default_factory=list)
    refused_proposals: list[str] = Field(
        default_factory=lambda: ["THREATEN", "MILITARY", "SANCTION"]
    )
    refused_before: list[str] = Field(default_factory=list)

    @field_validator("refused_proposals", "refused_before")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORY_STANCE or CATEGORY_STANCE[c] != "coercion"]
        if unknown:
            raise ValueError(
                f"unknown or non-coercive categories {unknown}; expected some of "
                f"{[c for c, s in CATEGORY_STANCE.items() if s == 'coercion']}"
            )
        return value


class ActorSpec(_Strict):
    """Actor cue lists and the word lists used by the attribution rules."""

    US: list[str] = Field(min_length=1)
    MX: list[str] = Field(min_length=1)
    OTHER: list[str] = Field(default_factory=list)
    third_countries: list[str] = Field(default_factory=list)
    domestic_partners: list[str] = Field(default_factory=list)
    bilateral_anchors: list[str] = Field(default_factory=list)
    UNSPECIFIED: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    joint_modifiers: list[str] = Field(default_factory=list)
    anaphora: list[str] = Field(default_factory=list)
    pronouns: list[str] = Field(default_factory=list)
    circumstantial: list[str] = Field(default_factory=list)
    agent_prepositions: list[str] = Field(default_factory=list)
    counterpart_prepositions: list[str] = Field(default_factory=list)
    counterpart_max_gap: int = Field(default=6, ge=0, le=20)
    inverted_subject_verbs: list[str] = Field(default_factory=list)
    passive: list[str] = Field(default_factory=list)
    recipient: list[str] = Field(default_factory=list)
    masculine: list[str] = Field(default_factory=list)
    feminine: list[str] = Field(default_factory=list)
    masculine_pronouns: list[str] = Field(default_factory=list)
    feminine_pronouns: list[str] = Field(default_factory=list)
    obligation: list[str] = Field(default_factory=list)
    object_markers: list[str] = Field(default_factory=list)
    attributive_max_gap: int = Field(default=2, ge=0, le=6)
    first_person: list[str] = Field(default_factory=list)
    first_person_object: list[str] = Field(default_factory=list)
    other_party: list[str] = Field(default_factory=list)
    reciprocal: list[str] = Field(default_factory=list)
    speech: list[str] = Field(default_factory=list)
    reaction: list[str] = Field(default_factory=list)


#: The status tests the engine knows (:mod:`analysis.indicators`), by rule name.
STATUS_TESTS = (
    "deferred", "averted", "negated", "denial", "retracted", "hedge", "hypothetical_after",
    "threat", "threat_after", "hypothetical_before", "condition_after", "announced",
)  # fmt: skip
#: The actor tests the engine knows (:mod:`analysis.actors`), by rule name.
ACTOR_TESTS = (
    "proposer", "praised", "urged", "accused", "averted", "sender",
    "third_party", "fixed", "attributive", "recipient", "reaction",
    "obligation",
    "attributive_before",
    "joint",
    "agent", "passive_agent", "inverted_subject",
    "subject", "reporter", "counterpart", "circumstantial", "default",
    "reciprocal", "addressee", "speaker", "other_party", "quoted", "anaphora", "voice",
    "sentence",
)  # fmt: skip
_ALL_STANCES: list[Stance] = ["cooperation", "coercion", "resistance"]
_ALL_MODES: list[Mode] = ["verbal", "material"]


class _Rule(_Strict):
    """One row of a rules table: a named test, where it looks, what it reads, whom it fits."""

    stances: list[Stance] = Field(default_factory=lambda: list(_ALL_STANCES), min_length=1)
    modes: list[Mode] = Field(default_factory=lambda: list(_ALL_MODES), min_length=1)
    #: the categories it applies to (none listed: every category of its stances and modes)
    categories: list[str] = Field(default_factory=list)
    #: the indicators it applies to (none listed: every indicator)
    indicators: list[str] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)
    scope: str
    note: str = ""


class StatusRule(_Rule):
    """A status rule: when its test holds, the code takes ``status`` (and, for a coercive
    act, the category ``recast``)."""

    rule: Literal[STATUS_TESTS]  # type: ignore[valid-type]
    status: Literal["threatened", "hypothetical", "negated"]
    recast: Literal["THREATEN"] | None = None


class ActorRule(_Rule):
    """An actor rule: when its test holds, the code takes the actor the test ``gives``."""

    rule: Literal[ACTOR_TESTS]  # type: ignore[valid-type]
    gives: str


class RulesSpec(_Strict):
    """The status and actor rules, each list in the order the rules are tried."""

    status: list[StatusRule] = Field(min_length=1)
    actor: list[ActorRule] = Field(min_length=1)


class WordsSpec(_Strict):
    """Function words the rules use to read a clause's structure."""

    complementizers: list[str] = Field(min_length=1)
    coordinators: list[str] = Field(min_length=1)
    sequence_adverbs: list[str] = Field(default_factory=list)
    determiners: list[str] = Field(min_length=1)
    noun_phrase_openers: list[str] = Field(default_factory=list)
    conjunctions: list[str] = Field(default_factory=list)
    passive_agents: list[str] = Field(default_factory=list)
    agent_of: list[str] = Field(default_factory=list)
    passive_prepositions: list[str] = Field(default_factory=list)
    head_nouns: list[str] = Field(default_factory=list)


class CodebookSpec(_Strict):
    """The whole YAML document."""

    name: str
    version: str | int
    scope: Literal["bilateral", "all"] = "bilateral"
    uncoded_units: list[str] = Field(default_factory=list)
    rhetorical_questions: list[str] = Field(default_factory=list)
    non_acts: list[str] = Field(default_factory=list)
    indicators: list[IndicatorSpec] = Field(min_length=1)
    clauses: ClauseSpec
    status: StatusSpec
    actors: ActorSpec
    words: WordsSpec
    rules: RulesSpec


# ---------------------------------------------------------------------------------------
# The compiled codebook
# ---------------------------------------------------------------------------------------


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{pattern_to_regex(p)})" for p in patterns)


#: The word characters of the Latin script, as Rust class items: ASCII letters, digits and
#: "_", the letters of Latin-1, Latin Extended-A and -B and Latin Extended Additional, and
#: the combining diacritics (an accent typed after its letter, as in decomposed text).
LATIN_WORD = (
    r"0-9A-Za-z_\x{AA}\x{B5}\x{BA}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{24F}"
    r"\x{300}-\x{36F}\x{1E00}-\x{1EFF}"
)


@functools.lru_cache(maxsize=4096)
def rust_regex(regex: str) -> str:
    """Adapt a codebook regex for the Rust engine: ASCII word boundaries, Latin word class.

    Unicode ``\\b`` stops Rust's lazy DFA on non-ASCII text (curly quotes, accents) and
    falls back to a much slower engine; the ASCII boundary keeps the DFA. The two differ
    only next to a non-ASCII letter at the very edge of a pattern.

    ``\\w`` and ``\\W`` become the word characters of the Latin script
    (:data:`LATIN_WORD`) and their complement: Unicode ``\\w`` spans every script, some
    eight hundred ranges, and each use of it made the compiled automaton larger and its
    DFA slower to build (half the memory the coder keeps between calls, a tenth of its
    time). The codebook's languages are written in Latin letters; a pattern's ``\\w*``
    no longer runs on into a Greek or Cyrillic word.

    Examples
    --------
    >>> print(rust_regex(r"\\btariff\\b"))
    (?-u:\\b)tariff(?-u:\\b)
    >>> rust_regex(r"impos\\w*") == "impos[" + LATIN_WORD + "]*"
    True
    >>> rust_regex(r"[\\w'-]+\\W") == "[" + LATIN_WORD + "'-]+[^" + LATIN_WORD + "]"
    True
    """
    def rust(escape: str, in_class: bool) -> str | None:
        if escape == "b":
            return r"(?-u:\b)"
        if escape == "w":
            return LATIN_WORD if in_class else f"[{LATIN_WORD}]"
        if escape == "W":
            return f"[^{LATIN_WORD}]"  # a nested class inside a class
        return None

    return _rewrite_escapes(regex, rust)


def _rewrite_escapes(regex: str, rewrite: Callable[[str, bool], str | None]) -> str:
    """``regex`` with each backslash escape ``\\x`` replaced by ``rewrite(x, in_class)``
    (None keeps it), ``in_class`` telling whether it stands inside a character class.

    An escaped backslash is one escape, so the ``b`` of ``\\\\b`` is a letter.
    """
    out, depth, i = [], 0, 0
    while i < len(regex):
        c = regex[i]
        if c == "\\" and i + 1 < len(regex):
            new = rewrite(regex[i + 1], depth > 0)
            out.append(regex[i : i + 2] if new is None else new)
            i += 2
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        out.append(c)
        i += 1
    return "".join(out)


#: Double quotation marks, which the indicator patterns read as spaces (:func:`quote_tolerant`).
QUOTATION_MARKS = "“”„\"«»"


def quote_tolerant(regex: str) -> str:
    """Let a pattern's spaces take a double quotation mark: ``\\s`` (outside a class)
    matches one too.

    Real text quotes the words of an act: "designated as “terrorist organizations”",
    "prohibited “certain funds transfers”". Read as a space, a quotation mark no longer
    hides the act, and the matched text keeps it. ``\\S`` and the classes are left as they
    are (a word skipped over by ``\\S+`` may carry its quotation marks); widening them
    made every pattern slower.

    Examples
    --------
    >>> rx = quote_tolerant(r"\\bdesignat\\w*\\s+as\\s+terrorist\\s+organizations?")
    >>> bool(re.search(rx, "designated as “terrorist organizations”"))
    True
    >>> print(quote_tolerant(r"a\\s+[^\\s,]+"))
    a[\\s“”„"«»]+[^\\s,]+
    """
    spaces = f"[\\s{QUOTATION_MARKS}]"
    return _rewrite_escapes(regex, lambda e, in_class: None if in_class or e != "s" else spaces)


def _act_regex(pattern: str) -> str:
    """An indicator's or non-act's pattern as the engine runs it."""
    return quote_tolerant(pattern_to_regex(pattern))


@dataclass(frozen=True)
class Codebook:
    """A validated codebook with the regular expressions the engine uses.

    Attributes
    ----------
    path : str
        The file it was read from.
    spec : CodebookSpec
        The validated YAML content.
    indicator_regex : str
        All indicator patterns in one case-insensitive alternation, in file order.
    indicator_chunks : tuple of str
        The same alternation cut into pieces of at most ``CHUNK_WEIGHT``, with ASCII word
        boundaries (see :func:`rust_regex`): one huge alternation overflows the Rust regex
        engine's DFA cache and runs two orders of magnitude slower.
    indicator_keywords : tuple of (tuple of str or None)
        For each chunk, literals (lower-case ASCII) one of which every match of the chunk
        contains (see :func:`required_literals`), or None when the chunk has no such set.
    pattern_table : list of (indicator index, pattern, compiled regex)
        Used to say which pattern produced a match.
    """

    path: str
    spec: CodebookSpec
    indicator_regex: str = field(init=False)
    indicator_chunks: tuple[str, ...] = field(init=False, repr=False)
    indicator_keywords: tuple[tuple[str, ...] | None, ...] = field(init=False, repr=False)
    pattern_table: tuple[tuple[int, str, re.Pattern[str]], ...] = field(init=False, repr=False)
    # compiled cue tables and alternations, built once per codebook on first use
    _memo: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        # phrases that read like an act and are none ("a threat to national security"):
        # first, so that at the same position they win, and with no indicator (index -1),
        # so that their matches are dropped
        # (quotation marks read as spaces: quote_tolerant)
        table = [(NON_ACT, p, _ignorecase(_act_regex(p))) for p in self.spec.non_acts]
        for i, ind in enumerate(self.spec.indicators):
            for p in ind.patterns:
                table.append((i, p, _ignorecase(_act_regex(p))))
        object.__setattr__(self, "pattern_table", tuple(table))
        # (each pattern's regex translated once: the compiled pattern keeps its source)
        regex = "(?i)" + "|".join(f"(?:{r.pattern})" for _, _, r in table)
        object.__setattr__(self, "indicator_regex", regex)
        chunks: list[str] = []
        keywords: list[tuple[str, ...] | None] = []
        current: list[str] = []
        words: set[str] | None = set()
        weight = 0
        for _, _, compiled in table:
            rx = compiled.pattern
            w = _weight(rx)
            if current and weight + w > CHUNK_WEIGHT:
                chunks.append(rust_regex("(?i)" + "|".join(current)))
                keywords.append(None if words is None else tuple(sorted(words)))
                current, words, weight = [], set(), 0
            current.append(f"(?:{rx})")
            lits = required_literals(rx)
            words = None if words is None or lits is None else words | set(lits)
            weight += w
        if current:
            chunks.append(rust_regex("(?i)" + "|".join(current)))
            keywords.append(None if words is None else tuple(sorted(words)))
        object.__setattr__(self, "indicator_chunks", tuple(chunks))
        object.__setattr__(self, "indicator_keywords", tuple(keywords))

    @property
    def indicators(self) -> list[IndicatorSpec]:
        """The indicators, in file (priority) order."""
        return list(self.spec.indicators)

    def indicator(self, indicator_id: str) -> IndicatorSpec:
        """Return the indicator with id ``indicator_id``.

        Examples
        --------
        >>> load_codebook().indicator("threaten_tariffs").category
        'THREATEN'
        """
        for ind in self.spec.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(f"no indicator {indicator_id!r} in {self.path}")

    @property
    def scope(self) -> str:
        """``bilateral`` (codes whose actor is OTHER, and U.S. coercion aimed at a third
        country only, are dropped) or ``all``."""
        return self.spec.scope

    def cue_body(self, patterns: list[str]) -> str:
        """Join cue patterns into one alternation for the Rust engine, without flags.

        An empty list gives a pattern that never matches.

        Examples
        --------
        >>> print(load_codebook().cue_body(["=could"]))
        (?:(?:(?-u:\\b)could(?-u:\\b)))
        """
        if not patterns:
            return r"(?:[^\s\S])"
        key = ("cue_body", tuple(patterns))
        if key not in self._memo:
            self._memo[key] = rust_regex("(?:" + _alternation(patterns) + ")")
        return self._memo[key]

    def words(self, name: str) -> str:
        """One of the ``words`` lists as a regex alternation, longest first, no boundaries.

        Examples
        --------
        >>> load_codebook().words("complementizers")
        '(?:that|que)'
        """
        listed = getattr(self.spec.words, name)
        return "(?:" + "|".join(re.escape(w) for w in sorted(listed, key=lambda w: -len(w))) + ")"

    def actor_cue_table(self) -> list[tuple[str, str, re.Pattern[str]]]:
        """(actor, pattern, compiled regex) for every actor cue, longest first.

        Besides the four actors, "IGNORE" marks place names and "ANAPHOR" pronouns.
        """
        if "actor_cue_table" in self._memo:
            return self._memo["actor_cue_table"]
        rows = []
        a = self.spec.actors
        for actor, patterns in (
            ("IGNORE", a.ignore),
            ("ANAPHOR", a.pronouns),
            ("US", a.US),
            ("MX", a.MX),
            ("OTHER", a.OTHER),
            ("UNSPECIFIED", a.UNSPECIFIED),
        ):
            for p in patterns:
                rows.append((actor, p, _ignorecase(pattern_to_regex(p))))
        rows.sort(key=lambda r: -len(r[1]))
        self._memo["actor_cue_table"] = rows
        return rows

    def actor_body(self) -> str:
        """All actor cues in one alternation (longest first), for the Rust engine.

        A cue may carry a possessive 's and a head noun: "Sheinbaum's administration",
        "the Trump administration's".
        """
        body = "|".join(f"(?:{r.pattern})" for _, _, r in self.actor_cue_table())
        heads = rf"(?:\s+{self.words('head_nouns')}(?:['’]s\b)?)"
        return rust_regex("(?:(?:" + body + r")(?:['’]s\b)?" + heads + "?)")

    def actor_of_cue(self, cue: str) -> str | None:
        """Return the actor a cue string names ("IGNORE" for place names), or None.

        Examples
        --------
        >>> load_codebook().actor_of_cue("Trump's")
        'US'
        """
        memo = self._memo.setdefault("actor_of_cue", {})
        if cue not in memo:
            memo[cue] = self._actor_of_cue(cue)
        return memo[cue]

    def _actor_of_cue(self, cue: str) -> str | None:
        full = re.sub(r"['’]s$", "", cue.strip())
        bare = re.sub(
            rf"(?:['’]s)?\s+{self.words('head_nouns')}(?:['’]s)?$",
            "",
            cue.strip(),
            flags=re.IGNORECASE,
        )
        table = self.actor_cue_table()
        for text in (full, bare):
            for actor, _, rx in table:
                if rx.fullmatch(text):
                    return actor
        for actor, _, rx in table:
            if rx.search(full):
                return actor
        return None

    def category_profile(self, category: str) -> tuple[str, str, float]:
        """(plover, mode, score) of a category: its first indicator's, else the manual's."""
        for ind in self.spec.indicators:
            if ind.category == category:
                return ind.plover, ind.mode, float(ind.score)
        return MANUAL_PROFILE[category]

    def match_pattern(self, matched: str) -> tuple[int, str] | None:
        """(indicator index, pattern) of the first pattern that matches all of ``matched``."""
        memo = self._memo.setdefault("match_pattern", {})
        if matched not in memo:
            memo[matched] = self._match_pattern(matched)
        return memo[matched]

    def _match_pattern(self, matched: str) -> tuple[int, str] | None:
        # a match that starts with a character outside \w ("’ve allowed") was preceded in
        # its text by a word character wherever a pattern's leading \b held there: read it
        # after one ("x", outside the match), or that \b fails on the bare string
        after_word = "x" + matched if matched[:1] and not re.match(r"\w", matched[:1]) else None
        # and a match that ends with such a character ("pidiendo datos " before "específicos")
        # was followed by one wherever a trailing \b held there: read it before one, and take
        # the pattern whose match there ends where the engine's did
        before_word = matched[-1:] and not re.match(r"\w", matched[-1:])
        for i, p, rx in self.pattern_table:
            if rx.fullmatch(matched) or (after_word and rx.fullmatch(after_word, 1)):
                return i, p
            if before_word:
                lead = 1 if after_word else 0
                m = rx.match((after_word or matched) + "x", lead)
                if m is not None and m.end() == lead + len(matched):
                    return i, p
        for i, p, rx in self.pattern_table:  # context-dependent boundaries: fall back to search
            if rx.search(matched):
                return i, p
        return None

    def to_frame(self) -> pl.DataFrame:
        """The codebook table for the report.

        Returns
        -------
        polars.DataFrame
            id, stance, category, plover, mode, score, description, n_patterns; in file order.

        Examples
        --------
        >>> load_codebook().to_frame().columns[:3]
        ['id', 'stance', 'category']
        """
        inds = self.spec.indicators
        return pl.DataFrame(
            {
                "id": [i.id for i in inds],
                "stance": [i.stance for i in inds],
                "category": [i.category for i in inds],
                "plover": [i.plover for i in inds],
                "mode": [i.mode for i in inds],
                "score": [float(i.score) for i in inds],
                "description": [i.description for i in inds],
                "n_patterns": [len(i.patterns) for i in inds],
            },
            schema={
                "id": pl.String,
                "stance": pl.String,
                "category": pl.String,
                "plover": pl.String,
                "mode": pl.String,
                "score": pl.Float64,
                "description": pl.String,
                "n_patterns": pl.Int64,
            },
        )

    def non_acts_frame(self) -> pl.DataFrame:
        """The codebook's ``non_acts`` (phrases coded as no act), one row each, for the report.

        Examples
        --------
        >>> load_codebook().non_acts_frame().columns
        ['pattern']
        """
        return pl.DataFrame({"pattern": list(self.spec.non_acts)}, schema={"pattern": pl.String})

    def rules_frame(self) -> pl.DataFrame:
        """The status and actor rules as one table, in the order each list is tried.

        Returns
        -------
        polars.DataFrame
            table (status or actor), order, rule, stances, modes, limited_to (the
            categories, in capitals, and the indicators a row is limited to), cues, scope,
            result, note: the codebook's ``rules`` section, as the report prints it.

        Examples
        --------
        >>> t = load_codebook().rules_frame()
        >>> t.filter(pl.col("table") == "status").select("rule", "result").row(0)
        ('deferred', 'threatened (coercion: THREATEN)')
        """
        rows = []
        for table, listed in (("status", self.spec.rules.status), ("actor", self.spec.rules.actor)):
            for i, r in enumerate(listed, start=1):
                if table == "status":
                    result = r.status + (f" (coercion: {r.recast})" if r.recast else "")
                else:
                    result = r.gives
                rows.append(
                    {
                        "table": table,
                        "order": i,
                        "rule": r.rule,
                        "stances": ", ".join(r.stances),
                        "modes": ", ".join(r.modes),
                        "limited_to": ", ".join([*r.categories, *r.indicators]),
                        "cues": ", ".join(r.cues),
                        "scope": r.scope,
                        "result": result,
                        "note": r.note,
                    }
                )
        return pl.DataFrame(rows, schema={
            "table": pl.String, "order": pl.Int64, "rule": pl.String, "stances": pl.String,
            "modes": pl.String, "limited_to": pl.String, "cues": pl.String, "scope": pl.String,
            "result": pl.String,
            "note": pl.String,
        })  # fmt: skip


# ---------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------


def _where(spec_raw: dict, loc: tuple) -> str:
    """Describe a pydantic error location as 'indicator <id>, field <name>'."""
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        ind_id = "?"
        with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
            ind_id = spec_raw["indicators"][loc[1]].get("id", f"#{loc[1] + 1}")
        fld = ".".join(str(x) for x in loc[2:]) or "(entry)"
        return f"indicator {ind_id!r}, field {fld!r}"
    return f"field {'.'.join(str(x) for x in loc)!r}"


def _fail(path: str, where: str, message: str) -> CodebookError:
    return CodebookError(f"{path}: {where}: {message}")


def _validate_semantics(spec: CodebookSpec, path: str) -> None:
    seen: set[str] = set()
    for ind in spec.indicators:
        where = f"indicator {ind.id!r}"
        if ind.id in seen:
            raise _fail(
                path, f"{where}, field 'id'", f"duplicate id {ind.id!r}; ids must be unique"
            )
        seen.add(ind.id)
        expected = CATEGORY_STANCE[ind.category]
        if ind.stance != expected:
            raise _fail(
                path,
                f"{where}, field 'stance'",
                f"category {ind.category} belongs to stance {expected!r}, got {ind.stance!r}",
            )
        for p in ind.patterns:
            problem = _check_pattern(p)
            if problem:
                raise _fail(path, f"{where}, field 'patterns'", f"pattern {p!r} {problem}")
    for p in spec.actors.object_markers:
        if _WIDE_REPEAT.search(pattern_to_regex(p)):
            raise _fail(
                path,
                "field 'actors.object_markers'",
                f"pattern {p!r} repeats a wide class (\\w*, \\S+, [^...]+, .*); write its "
                "endings out (e.g. 're:\\bpersuad(?:e|es|ed|ing)\\b'): joined to the actor "
                "cues, a repeated wide class overflows the regex engine's DFA and makes "
                "coding many times slower",
            )
    for fld in ("uncoded_units", "rhetorical_questions", "non_acts"):
        for p in getattr(spec, fld):
            problem = _check_pattern(p)
            if problem:
                raise _fail(path, f"field '{fld}'", f"pattern {p!r} {problem}")
    for fld in ("left_boundary", "right_boundary"):
        regex = getattr(spec.clauses, fld)
        problem = _check_pattern("re:" + regex)
        if problem:
            raise _fail(path, f"field 'clauses.{fld}'", f"regex {regex!r} {problem}")
    for section, model in (
        ("clauses", spec.clauses),
        ("status", spec.status),
        ("actors", spec.actors),
    ):
        for fld, value in model:
            if not isinstance(value, list):
                continue
            for p in value:
                problem = _check_pattern(p)
                if problem:
                    raise _fail(path, f"field '{section}.{fld}'", f"pattern {p!r} {problem}")
    sections = {"clauses": spec.clauses, "status": spec.status, "actors": spec.actors,
                "words": spec.words}
    for table in ("status", "actor"):
        names: set[str] = set()
        for i, row in enumerate(getattr(spec.rules, table), start=1):
            where = f"field 'rules.{table}', row {i} ({row.rule})"
            if row.rule in names:
                raise _fail(path, where, f"rule {row.rule!r} is listed twice; list it once")
            names.add(row.rule)
            unknown = [i for i in row.indicators if i not in seen]
            if unknown:
                raise _fail(
                    path,
                    where,
                    f"indicators names {unknown}, which are not indicators of the codebook; "
                    f"expected ids such as {sorted(seen)[:3]}",
                )
            for cue in row.cues:
                section, _, fld = cue.partition(".")
                if section not in sections or fld not in type(sections[section]).model_fields:
                    raise _fail(
                        path,
                        where,
                        f"cues names {cue!r}, which is not a setting of the codebook; write "
                        "section.field, e.g. 'status.negated' or 'actors.object_markers'",
                    )


def _check_examples(spec: CodebookSpec, path: str) -> None:
    """Every indicator's examples behave as declared, in the engine's own matching (Rust
    regex, ASCII word boundaries), not Python's re."""
    for ind in spec.indicators:
        where = f"indicator {ind.id!r}"
        examples = [*ind.examples.match, *ind.examples.no_match]
        table = engine_matches(list(ind.patterns), examples)
        n_match = len(ind.examples.match)
        for ex, row in zip(ind.examples.match, table[:n_match], strict=True):
            if not any(row):
                raise _fail(
                    path,
                    f"{where}, field 'examples.match'",
                    f"example {ex!r} does not match any pattern in the coding engine (Rust "
                    "regex, ASCII word boundaries); fix the pattern or the example",
                )
        for ex, row in zip(ind.examples.no_match, table[n_match:], strict=True):
            hits = [p for p, hit in zip(ind.patterns, row, strict=True) if hit]
            if hits:
                raise _fail(
                    path,
                    f"{where}, field 'examples.no_match'",
                    f"example {ex!r} matches pattern {hits[0]!r} but is declared not to match",
                )


def load_codebook(path: str | Path | None = None, *, check_examples: bool = False) -> Codebook:
    """Read and validate a codebook YAML file.

    Parameters
    ----------
    path : str or Path, optional
        The YAML file; None reads the packaged ``analysis/codebook.yaml``.
    check_examples : bool, keyword-only
        Also run every indicator's ``examples`` through the coding engine and fail when
        one does not behave as declared. The tests and ``coco check`` do; a load for
        coding only checks the structure and the patterns.

    Returns
    -------
    Codebook
        The validated codebook, with compiled regular expressions.

    Raises
    ------
    CodebookError
        When the file is missing or not YAML, or an entry is wrong: unknown stance or
        category, a category under the wrong stance, a score outside -10..10, a pattern
        that does not compile (or matches the empty string), a duplicate id, an unknown
        ``scope``, or (with ``check_examples``) an example that does not behave as
        declared in the coding engine's own matching (:func:`engine_matches`). The
        message names the file, the indicator id and the field.

    Examples
    --------
    >>> cb = load_codebook()
    >>> sorted({i.stance for i in cb.indicators})
    ['coercion', 'cooperation', 'resistance']
    """
    p = Path(path) if path is not None else CODEBOOK_PATH
    name = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodebookError(f"{name}: file not found; pass the path of a codebook YAML") from None
    # a file read before with the same content gives the same (immutable) codebook: the
    # patterns are not checked and compiled again on every call that loads it
    key = (name, hashlib.sha256(text.encode("utf-8")).hexdigest())
    cached = _LOADED.get(key)
    if cached is not None and (cached[1] or not check_examples):
        _LOADED.move_to_end(key)
        return cached[0]
    codebook = _load(name, text, check_examples=check_examples)
    _LOADED[key] = (codebook, check_examples)
    while len(_LOADED) > LOADED_MAX:
        _LOADED.popitem(last=False)
    return codebook


#: Codebooks kept loaded, by file name and content (see :func:`load_codebook`).
LOADED_MAX = 4
_LOADED: collections.OrderedDict[tuple[str, str], tuple[Codebook, bool]] = (
    collections.OrderedDict()
)


# libyaml's safe loader where PyYAML was built with it (it is, in its wheels): the same
# documents and errors as yaml.SafeLoader, several times faster on the codebook
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str, text: str, *, check_examples: bool) -> Codebook:
    """Parse and validate a codebook's text (``name`` is its file, for messages)."""
    try:
        raw = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{name}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise CodebookError(
            f"{name}: expected a mapping with name, version, indicators, clauses, status, "
            f"actors; got {type(raw).__name__}"
        )
    try:
        spec = CodebookSpec.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        raise _fail(
            name, _where(raw, tuple(err["loc"])), f"{msg} (got {err.get('input')!r})"
        ) from None
    _validate_semantics(spec, name)
    if check_examples:
        _check_examples(spec, name)
    return Codebook(path=name, spec=spec)
