"""Quantitative claims: the figures articles cite, normalised, and their agreement across sources.

Stage: ``sentences`` (+ optional ``codes``) -> ``claims`` -> ``corroborate(claims, documents)``.

Extraction
----------
A claim is a number written in a sentence with what it counts: digits ("10,000", "0.6",
Spanish "3,6"), scale words ("$3.6 billion", "3,6 mil millones de dólares", "\\$552 billion"),
percentages ("37%", "50 percent", "por ciento"), spelled-out counts ("six cartels", "dos"),
vague counts ("dozens of", "hundreds of", "decenas de"), fractions ("one-third", "a third of",
"two-thirds") as percentages, durations ("more than 15 years", "a 16-year extension") and
ranges ("between 20 and 30 percent", "20-30%"). The qualifier is kept: ``about`` (about,
approximately, around, nearly ...), ``over`` (more than, over, above), ``up_to``, ``under``
(less than, below), ``at_least`` (at least; "dozens of" is at least 24), ``range`` or
``exact``. "from 0.6% to 0.3%" is a change, so it gives two claims, not a range.

Not claims: numbers inside dates ("1 July 2026", "January 2026", "in 2024", a bare year),
times ("18:08", "6 p.m."), ordinals ("1st", "second"), references ("Section 3.2", "Article 19",
"No. 5"), phone-like digit groups, digits attached to letters ("G7", "360LiveNews",
"COVID-19"), relative spans ("the past three months") and "the two countries"-style
references.

Units: ``percent``, ``percentage points``, ``USD``, ``MXN``, ``EUR``, ``people``, ``troops``,
``deaths``, ``years``, ``months``, ``weeks``, ``days``, ``count``; "per month" (or year,
week, day) is appended: ``people per month``. A number with no noun of its own ("with 37
transferred", "the total above 90") takes the unit of the previous claim in its sentence.

Subject: the canonical subjects in ``claims_subjects.yaml`` are tried first. An entry applies
when the claim's unit is one of its units, one of its ``counted`` words occurs in the
sentence and, if it has ``action`` words, one of those too. When the number has a noun phrase
of its own ("92 cartel members"), the counted word must be in that phrase; for percentages
and money a counted word in the phrase is preferred but not required ("40% of the public":
the phrase names the base, not what is counted). Among applicable entries the winner has
the counted word in the number's phrase, then the most term groups inside the number's
clause, then the fewest only outside it, then the nearest term, then the earliest entry.
Subjects counted in batches (``batches: true``) are split by scope: a claim whose text says
it is one batch ("alone", "in recent weeks", "single", "on Friday", a month date without
"since") and not
a total ("total", "so far", "since", "in less than a year") gets the subject
"<subject> (single batch)"; the cues are read in the comma-delimited part of the clause
around the number, and only when that part has none, in the whole clause. Without an
entry, a number with no noun of its own takes the subject of the previous claim in its
sentence with the same unit; otherwise the subject is the number's own noun phrase, or the
words just before the number.

Stance: the stance of the sentence's non-negated code with the largest ``|score|``
(``code_choice="clause"``: among the codes overlapping the claim's coordinate clause, none
if that clause has no code; see :mod:`analysis.timeline`); null without codes.

Corroboration (grouping rule)
-----------------------------
Each claim is read as an interval: ``exact`` v is [v(1-t), v(1+t)] with the tolerance t
(default 5%), ``about`` v is [v(1-2t), v(1+2t)], ``over``/``at_least`` v is [v, inf),
``up_to``/``under`` v is [0, v], a ``range`` is [v, value_high]. Two claims are compatible
when their intervals overlap. Claims are grouped by (subject, unit) only; never across
subjects or units.

- ``running_total`` and ``fixed`` subjects: all claims with the same subject and unit form one
  group. If every pair of claims from different documents is compatible, the group is
  ``corroborated`` (two or more sources) or ``single_source``. Otherwise, for a running
  total, if every incompatible pair is a later publication (its publication period starts
  after the other's ends) with a larger value, the group is ``updated`` (55 transfers in a
  2025 article, 92 in a 2026 one); any other disagreement (same period, unknown dates, a
  decrease, or a ``fixed`` subject) is ``conflicting``.
- ``generic`` subjects (including single batches and subjects outside the vocabulary):
  claims join a group only when compatible with every member of it, and open-ended claims
  (over, at_least, up_to, under) join only claims with the same qualifier; such groups are
  ``corroborated`` or ``single_source``, never conflicting, because a different value for a
  generic subject may be a different thing (a 25% and a 30% tariff).

"Sources" are the documents' ``source`` values (the doc_id when empty): two articles from
the same outlet are one source.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import polars as pl
import yaml

from analysis.config import PACKAGE_DIR
from analysis.scheme import check_choice as _check_choice
from analysis.scheme import require_columns as _require_columns
from analysis.timeline import (
    _clause_of,
    _codes_by_sentence,
    _period_end,
    _pick_code,
    clause_spans,
    find_dates,
)

__all__ = ["Subject", "corroborate", "extract_claims", "load_subjects"]

SUBJECTS_PATH = PACKAGE_DIR / "claims_subjects.yaml"

CodeChoice = Literal["clause", "sentence"]
_CODE_CHOICES = ("clause", "sentence")
_KINDS = ("running_total", "fixed", "generic")
_UNITS = (
    "percent", "percentage points", "USD", "MXN", "EUR", "people", "troops", "deaths",
    "years", "months", "weeks", "days", "count",
    "people per month", "people per year", "people per week", "people per day",
    "count per month", "count per year", "deaths per month", "deaths per year",
    "USD per month", "USD per year",
)
BATCH = " (single batch)"
_RATIO_UNITS = ("percent", "percentage points", "USD", "MXN", "EUR")

CLAIM_SCHEMA = {
    "doc_id": pl.String,
    "sent_id": pl.Int64,
    "raw": pl.String,
    "value": pl.Float64,
    "value_high": pl.Float64,
    "unit": pl.String,
    "qualifier": pl.String,
    "subject": pl.String,
    "stance": pl.String,
    "start": pl.Int64,
    "end": pl.Int64,
}
CORROBORATION_SCHEMA = {
    "group_id": pl.Int64,
    "subject": pl.String,
    "unit": pl.String,
    "mark": pl.String,
    "doc_id": pl.String,
    "source": pl.String,
    "published": pl.String,
    "value": pl.Float64,
    "raw": pl.String,
}

# --------------------------------------------------------------------------------------
# Vocabulary of canonical subjects.


@dataclass(frozen=True)
class Subject:
    """One canonical subject of the vocabulary (see ``claims_subjects.yaml``)."""

    subject: str
    kind: str
    units: tuple[str, ...]
    counted: tuple[str, ...]
    action: tuple[str, ...] = ()
    batches: bool = False

    def patterns(self) -> tuple[re.Pattern, re.Pattern | None]:
        """Regexes for the counted and action words (prefix match, case-insensitive)."""
        return _terms_re(self.counted), (_terms_re(self.action) if self.action else None)


@lru_cache(maxsize=256)
def _terms_re(terms: tuple[str, ...]) -> re.Pattern:
    alts = "|".join(sorted((re.escape(t) for t in terms), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})\w*", re.IGNORECASE)


def load_subjects(path: str | Path | None = None) -> tuple[Subject, ...]:
    """Read and check the vocabulary of canonical subjects.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file with a ``subjects`` list; None reads the packaged
        ``analysis/claims_subjects.yaml``.

    Returns
    -------
    tuple of Subject
        In file order (earlier entries win ties).

    Raises
    ------
    ValueError
        Naming the file, the entry and the field that is wrong.

    Examples
    --------
    >>> subjects = load_subjects()
    >>> subjects[0].subject
    'cartel members transferred to the U.S.'
    """
    file = Path(path) if path is not None else SUBJECTS_PATH
    return _load_subjects_cached(str(file))


@lru_cache(maxsize=8)
def _load_subjects_cached(file: str) -> tuple[Subject, ...]:
    with open(file, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or not isinstance(data.get("subjects"), list):
        raise ValueError(f"{file}: expected a mapping with a 'subjects' list")
    out = []
    for i, entry in enumerate(data["subjects"], start=1):
        where = f"{file}: subjects entry {i}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a mapping, got {type(entry).__name__}")
        unknown = set(entry) - {"subject", "kind", "units", "counted", "action", "batches"}
        if unknown:
            raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: "
                             "subject, kind, units, counted, action, batches")
        name = entry.get("subject")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}: 'subject' must be a non-empty string, got {name!r}")
        where = f"{where} ({name!r})"
        kind = entry.get("kind")
        if kind not in _KINDS:
            raise ValueError(f"{where}: kind={kind!r} is not allowed; choose one of {list(_KINDS)}")
        lists = {}
        for field in ("units", "counted", "action"):
            value = entry.get(field, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                raise ValueError(f"{where}: '{field}' must be a list of strings, got {value!r}")
            lists[field] = tuple(value)
        if not lists["counted"]:
            raise ValueError(f"{where}: 'counted' needs at least one word")
        bad = [u for u in lists["units"] if u not in _UNITS]
        if bad or not lists["units"]:
            raise ValueError(f"{where}: units {bad or lists['units']!r} not allowed; "
                             f"use some of {list(_UNITS)}")
        batches = entry.get("batches", False)
        if not isinstance(batches, bool):
            raise ValueError(f"{where}: 'batches' must be true or false, got {batches!r}")
        out.append(Subject(name.strip(), kind, lists["units"], lists["counted"], lists["action"],
                           batches))
    return tuple(out)


# --------------------------------------------------------------------------------------
# Lexicon.

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d+(?:[.,]\d+)?"
_QUALIFIERS = {
    "about": ["about", "approximately", "approx.", "around", "roughly", "nearly", "almost",
              "some", "close to", "an estimated", "estimated", "unos", "unas",
              "alrededor de", "aproximadamente", "casi", "cerca de", "en torno a"],
    "over": ["more than", "over", "above", "in excess of", "upwards of", "exceeding",
             "más de", "mas de", "por encima de", "superior a"],
    "up_to": ["up to", "as many as", "as much as", "hasta"],
    "under": ["less than", "fewer than", "under", "below", "menos de", "por debajo de"],
    "at_least": ["at least", "no fewer than", "no less than", "al menos", "por lo menos"],
}
_QUAL_LOOKUP = {w: q for q, words in _QUALIFIERS.items() for w in words}
_QUAL = "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in _QUAL_LOOKUP),
                        key=len, reverse=True))
_SCALES = {
    "trillion": 1e12, "billion": 1e9, "million": 1e6, "thousand": 1e3, "bn": 1e9, "mn": 1e6,
    "mil millones": 1e9, "billones": 1e12, "billón": 1e12, "millones": 1e6, "millón": 1e6,
    "mil": 1e3,
}
_SCALE = (
    r"trillion|billion|million|thousand|bn|mn|mil\s+millones|billones|billón|millones|millón|mil"
)
_CURRENCY_PREFIX = {"us$": "USD", "usd": "USD", "$": "USD", "mxn": "MXN", "€": "EUR"}
_CURRENCY_WORD = {"dollars": "USD", "dólares": "USD", "dolares": "USD", "usd": "USD",
                  "pesos": "MXN", "euros": "EUR"}
_PCT = r"%|percent(?:age\s+points?)?|per\s+cent|por\s+ciento|puntos\s+porcentuales"

_NUMBER_RE = re.compile(
    rf"(?:(?P<qual>(?i:{_QUAL}))\s+)?"
    rf"(?P<cur>(?i:US\$|USD\s?|MXN\s?)|\\?\$|€)?"
    rf"(?P<num>{_NUM})"
    rf"(?:\s*(?P<pct1>%))?"
    rf"(?:\s*(?P<rsep>-|–|(?i:to|and|y|a))\s*(?:\\?\$)?(?P<num2>{_NUM}))?"
    rf"(?:\s*(?P<scale>(?i:{_SCALE}))(?![\w]))?"
    rf"(?:\s*(?P<pct>(?i:{_PCT})))?"
    rf"(?:\s+(?:(?i:de)\s+)?(?P<curw>(?i:dollars|dólares|dolares|USD|pesos|euros))(?!\w))?"
    rf"(?P<post>\s+or\s+more|\+|-plus)?"
)
_DURATION_ADJ = re.compile(r"(?P<num>\d+)-(?P<dur>year|month|week|day)(?![\w-])", re.IGNORECASE)
_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "hundred": 100, "a hundred": 100, "a dozen": 12,
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "doce": 12, "quince": 15, "veinte": 20, "treinta": 30, "cien": 100,
}
_VAGUE_COUNTS = {
    "tens of thousands": 20_000, "hundreds of thousands": 200_000, "dozens": 24,
    "hundreds": 200, "thousands": 2_000, "millions": 2_000_000, "scores": 40,
    "decenas de miles": 20_000, "cientos de miles": 200_000, "decenas": 20, "docenas": 24,
    "cientos": 200, "miles": 2_000,
}
_FRACTIONS = {
    "one-third": 100 / 3, "one third": 100 / 3, "a third": 100 / 3, "two-thirds": 200 / 3,
    "two thirds": 200 / 3, "one-quarter": 25.0, "a quarter": 25.0, "one quarter": 25.0,
    "three-quarters": 75.0, "three quarters": 75.0, "half": 50.0, "one-half": 50.0,
    "un tercio": 100 / 3, "dos tercios": 200 / 3, "la mitad": 50.0, "un cuarto": 25.0,
}


def _words_re(words: dict) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words),
                           key=len, reverse=True))


_WORD_RE = re.compile(
    rf"(?:(?P<qual>(?i:{_QUAL}))\s+)?"
    rf"(?<![\w-])(?:(?P<frac>(?i:{_words_re(_FRACTIONS)}))(?=\s+(?i:of|de)\b|-?\s*\w)"
    rf"|(?P<vague>(?i:{_words_re(_VAGUE_COUNTS)}))(?=\s+(?i:of|de)\b)"
    rf"|(?P<word>(?i:{_words_re(_WORD_NUMBERS)})))(?![\w-])"
)
_SECTION_WORDS = re.compile(
    r"(?i:section|sec\.|article|art\.|chapter|rule|clause|paragraph|page|p\.|pp\.|title|no\.|"
    r"number|item|figure|fig\.|table|appendix|annex|volume|vol\.|point|step|phase|level|"
    r"route|highway|flight|room|art[ií]culo|secci[oó]n|cap[ií]tulo|fracci[oó]n|n[uú]m\.)"
    r"\s*$"
)
_TIME_RE = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?i:a\.?m\.?|p\.?m\.?|h|hrs))?(?!\w)"
    r"|\b\d{1,2}\s*(?i:a\.m\.|p\.m\.|am\b|pm\b|hrs\b)"
)
_PHONE_RE = re.compile(
    r"(?<![\w,.])(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}(?![\w,])"
    r"|(?<![\w,.-])\d{3}-\d{4}(?![\w-])"
)
_RELATIVE_SPAN = re.compile(
    r"(?i:(?:the\s+)?(?:past|last|next|previous|coming|following|first|últimos|últimas|"
    r"próximos|próximas)\s+)$"
)
_REFERENCE_DET = re.compile(
    r"(?i:\b(?:the|both|these|those|its|their|his|her|our|los|las|estos|estas|sus)\s+)$"
)

def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STOP = _wordset(
    """
to in on at for from by with that which who whom whose were was is are be been being
have has had will would could should may might can into across since during between and
or than as a an the per over under about after before while when where this these those
it its their his her our your they he she we you them there here not no but if then so
also just only alone each every last north south east west abroad home back annually
yearly monthly daily weekly more less up down out off ago recently now still already yet
el la los las de del en y o que por para con un una se su sus al
"""
)
_CHANGE_NOUNS = _wordset(
    """
reduction increase drop decline rise cut fall decrease growth jump reducción aumento
caída descenso tariff tariffs duty duties levy share
"""
)
_LINKS = frozenset(["of", "in", "on", "for", "de", "en"])
_PEOPLE = _wordset(
    """
members people persons migrants immigrants traffickers suspects capos narcos deputies
governors agents officials nationals prisoners inmates detainees leaders fugitives
criminals deportees workers children civilians police officers politicians legislators
senators individuals residents victims journalists mayors kingpins lords figures
personas migrantes presos reos narcotraficantes detenidos funcionarios agentes diputados
miembros integrantes líderes policías periodistas alcaldes víctimas judges prosecutors
minors women men students refugees asylum-seekers seekers farmers hostages captives
jueces fiscales mujeres hombres
"""
)
_TROOPS = _wordset(
    """
troops soldiers guardsmen marines personnel elementos militares soldados efectivos
guardias
"""
)
_DEATHS = _wordset(
    """
deaths homicides murders killings dead fatalities muertes homicidios asesinatos muertos
"""
)
_DURATIONS = {
    "years": "years", "year": "years", "años": "years", "año": "years",
    "months": "months", "month": "months", "meses": "months", "mes": "months",
    "weeks": "weeks", "week": "weeks", "semanas": "weeks", "days": "days", "day": "days",
    "días": "days",
}
_RATE = re.compile(
    r"\s*(?i:(?:per|a|each|every|por|al)\s+(month|year|week|day|mes|año|semana|día)"
    r"|(monthly|annually|yearly|weekly|daily|mensuales|anuales))\b"
)
_RATE_NORMAL = {"mes": "month", "año": "year", "semana": "week", "día": "day",
                "monthly": "month", "annually": "year", "yearly": "year", "weekly": "week",
                "daily": "day", "mensuales": "month", "anuales": "year"}
_TOTAL_CUES = re.compile(
    r"(?i:\btotal|so\s+far|in\s+all\b|to\s+date|altogether|cumulative|\bsince\b|"
    r"less\s+than\s+a\s+year|past[\s-]year|over\s+the\s+past|en\s+total|hasta\s+ahora|"
    r"en\s+lo\s+que\s+va|desde)"
)
_BATCH_CUES = re.compile(
    r"(?i:\balone\b|in\s+recent\s+(?:weeks|days)|\bsingle\b|\blatest\b|this\s+week|"
    r"last\s+week|a\s+new\s+batch|another\b|most\s+recent|\bsolo\b|la\s+semana\s+pasada|"
    r"[uú]ltim[oa]s\s+semanas|\bnuevo\s+env[ií]o|"
    # a single day ("on Friday", "el jueves") is one batch, not a running total
    r"\bon\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\b(?:el|este)\s+(?:lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\b)"
)
_TOKEN = re.compile(r"[\w’'][\w’'.-]*[\w]|[\w]")


@dataclass
class _Claim:
    start: int
    end: int
    raw: str
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    np: str
    np_end: int
    inherit_unit: bool = False
    subject: str | None = None


def _parse_number(text: str) -> float | None:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?", text):
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d+,\d{1,2}", text):
        return float(text.replace(",", "."))
    if re.fullmatch(r"\d+,\d+", text):
        return None  # "1,0000": not a number format we can trust
    try:
        return float(text)
    except ValueError:
        return None


_NEXT_WORD = re.compile(r"[ \t]*([\w’'][\w’'.-]*\w|\w)")
_DETERMINERS = frozenset(
    ["the", "their", "its", "his", "her", "los", "las", "sus", "these", "those", "which", "whom"]
)


def _own_noun_phrase(text: str, pos: int) -> tuple[str, int]:
    """The noun phrase right after a number (skipping a parenthesis and a leading "of").

    Returns the phrase and its end offset; ("", pos) when the number has no noun of its own.
    """
    skip = re.match(r"\s*\)?\s*(?:\([^()]{0,40}\)\s*)?", text[pos:])
    i = pos + (skip.end() if skip else 0)
    words: list[str] = []
    ends: list[int] = []
    link_used = False
    while len(words) < 6:
        tm = _NEXT_WORD.match(text, i) if (not words or text[i:i + 1] in " \t") else None
        if tm is None:
            break
        word, tok_end = tm.group(1), tm.end()
        low = word.lower()
        if not words and low in ("of", "de"):
            i = tok_end
            continue
        if not words and low in _DETERMINERS:
            if low in ("which", "whom"):
                break
            i = tok_end
            continue
        if words and low in _LINKS and not link_used and (
            low == "of" or words[-1].lower() in _CHANGE_NOUNS
        ):
            nxt = _NEXT_WORD.match(text, tok_end)
            if nxt and nxt.group(1).lower() not in _STOP:
                link_used = True
                words.append(word)
                ends.append(tok_end)
                i = tok_end
                continue
            break
        if low in _STOP or (not words and low in _DURATIONS):
            break
        if words and (low.endswith("ed") or low.endswith("ing")):
            break
        words.append(word)
        ends.append(tok_end)
        i = tok_end
    while words and words[-1].lower() in _LINKS:
        words.pop()
        ends.pop()
    if not words or (len(words) == 1 and (words[0].lower().endswith("ed")
                                          or words[0][0].isdigit())):
        return "", pos
    return " ".join(words), ends[-1]


def _preceding_phrase(text: str, pos: int, lo: int) -> str:
    tokens = [t.group(0) for t in _TOKEN.finditer(text, lo, pos)]
    words: list[str] = []
    for tok in reversed(tokens):
        low = tok.lower()
        if low in _STOP or low in _QUAL_LOOKUP or tok[0].isdigit():
            if words:
                break
            continue
        words.insert(0, tok)
        if len(words) == 3:
            break
    return " ".join(words)


def _unit_from_np(np: str) -> str:
    if not np:
        return "count"
    head = [w.lower() for w in re.split(r"\s+", np)]
    first_part = []
    for w in head:
        if w in _LINKS:
            break
        first_part.append(w)
    last = first_part[-1] if first_part else head[-1]
    joined = " ".join(first_part)
    if "national guard" in joined or "guardia nacional" in joined or last in _TROOPS:
        return "troops"
    if last in _DEATHS:
        return "deaths"
    if last in _PEOPLE:
        return "people"
    return "count"


def _excluded_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start, m.end) for m in find_dates(text) if m.kind != "vague"]
    spans += [m.span() for m in _TIME_RE.finditer(text)]
    spans += [m.span() for m in _PHONE_RE.finditer(text)]
    return spans


def _overlaps(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(s < b and a < e for s, e in spans)


def _is_reference(text: str, a: int, b: int) -> bool:
    """Digits glued to letters, section numbers, ordinals, hashtags."""
    before = text[max(0, a - 1):a]
    if before and (before.isalpha() or before in "#_"):
        return True
    if before == "-" and a >= 2 and text[a - 2].isalpha():
        return True
    after = text[b:b + 2]
    if after[:1].isalpha():
        return True
    if re.match(r"(?i:st|nd|rd|th)\b", after):
        return True
    return bool(_SECTION_WORDS.search(text[max(0, a - 14):a]))


def _numeric_claims(text: str, excluded: list[tuple[int, int]]) -> list[_Claim]:
    out: list[_Claim] = []
    durations = [m.span() for m in _DURATION_ADJ.finditer(text)]
    excluded, base_excluded = excluded + durations, excluded
    pos = 0
    while (m := _NUMBER_RE.search(text, pos)) is not None:
        num_start, num_end = m.span("num")
        end = m.end()
        pos = m.end()
        if _overlaps(excluded, num_start, num_end):
            pos = num_end
            continue
        if _is_reference(text, num_start, num_end) and not m.group("scale") and not (
            m.group("pct") or m.group("pct1")
        ):
            continue
        value = _parse_number(m.group("num"))
        if value is None:
            continue
        qual_word = " ".join((m.group("qual") or "").lower().split())
        qualifier = _QUAL_LOOKUP.get(qual_word, "exact")
        start = m.start("qual") if m.group("qual") else m.start()
        value_high = None
        has_range = m.group("num2") is not None
        if has_range:
            sep = m.group("rsep").lower()
            lead = text[max(0, start - 9):start].lower()
            between = re.search(r"(?:between|entre)\s*$", lead)
            from_ = re.search(r"(?:from|de|desde)\s*$", lead)
            if sep in ("and", "y") and not between or sep in ("to", "a") and from_ or (
                sep == "a" and not between
            ) or _overlaps(excluded, m.start("num2"), m.end("num2")):
                # not a range: keep the first number only and rescan after it
                has_range = False
                end = m.end("pct1") if m.group("pct1") else num_end
                pos = end
        pct = m.group("pct") or m.group("pct1")
        scale = (m.group("scale") or "").lower() if (m.group("scale") and (
            has_range or end > m.start("scale"))) else ""
        scale_key = " ".join(scale.split())
        cur = (m.group("cur") or "").lower().replace("\\", "").strip()
        curw = (m.group("curw") or "").lower() if end >= m.end() else ""
        is_year = (
            re.fullmatch(r"(?:1[89]|20)\d{2}", m.group("num")) is not None
            and not (pct or cur or scale_key or curw)
        )
        if is_year:
            continue
        if scale_key in ("mn", "bn") and not (cur or curw):
            scale_key = ""
        factor = _SCALES.get(scale_key, 1.0)
        value *= factor
        if has_range:
            value_high = (_parse_number(m.group("num2")) or 0.0) * factor
            qualifier = "range"
            if value_high < value:
                value, value_high = value_high, value
        if m.group("post") and end >= m.end():
            post = m.group("post")
            qualifier = "over" if ("+" in post or "plus" in post) else "at_least"
        if end < m.end():
            pct = m.group("pct1")
        if pct:
            unit = "percentage points" if "point" in pct.lower() or "puntos" in pct.lower() \
                else "percent"
        elif cur:
            unit = _CURRENCY_PREFIX.get(cur, "USD")
        elif curw:
            unit = _CURRENCY_WORD[curw]
        else:
            unit = ""
        raw_end = end
        raw = text[start:raw_end].rstrip()
        raw_end = start + len(raw)
        np, np_end = _own_noun_phrase(text, raw_end)
        if not unit:
            dur = re.match(r"\s+(\w+)", text[raw_end:])
            if dur and dur.group(1).lower() in _DURATIONS:
                if _RELATIVE_SPAN.search(text[max(0, start - 30):start]):
                    continue
                unit = _DURATIONS[dur.group(1).lower()]
                raw_end += dur.end()
                raw = text[start:raw_end]
                np, np_end = _own_noun_phrase(text, raw_end)
            else:
                unit = _unit_from_np(np)
        out.append(_Claim(start, raw_end, raw, value, value_high, unit, qualifier, np, np_end,
                          inherit_unit=(unit == "count" and not np)))
    for m in _DURATION_ADJ.finditer(text):
        if _overlaps(base_excluded, *m.span()):
            continue
        np, np_end = _own_noun_phrase(text, m.end())
        out.append(_Claim(m.start(), m.end(), m.group(0), float(m.group("num")), None,
                          _DURATIONS[m.group("dur").lower()], "exact", np, np_end))
    return out


def _word_claims(text: str, taken: list[tuple[int, int]]) -> list[_Claim]:
    out = []
    for m in _WORD_RE.finditer(text):
        kind = "frac" if m.group("frac") else "vague" if m.group("vague") else "word"
        a, b = m.span(kind)
        if _overlaps(taken, a, b):
            continue
        qual_word = " ".join((m.group("qual") or "").lower().split())
        qualifier = _QUAL_LOOKUP.get(qual_word, "exact")
        start = m.start("qual") if m.group("qual") else a
        word = " ".join(m.group(kind).lower().split())
        np, np_end = _own_noun_phrase(text, b)
        if kind == "frac":
            if word == "half" and not re.match(r"\s+of\b", text[b:]) and not re.search(
                r"by\s+$", text[max(0, a - 4):a]
            ):
                continue
            out.append(_Claim(start, b, text[start:b], _FRACTIONS[word], None, "percent",
                              qualifier, np, np_end))
            continue
        if kind == "vague":
            out.append(_Claim(start, b, text[start:b], float(_VAGUE_COUNTS[word]), None,
                              _unit_from_np(np), "at_least", np, np_end))
            continue
        # spelled-out numbers: a count of something, not "the two countries"
        if _REFERENCE_DET.search(text[max(0, a - 8):a]):
            continue
        following = re.match(r"\s+(\w+)", text[b:])
        next_word = following.group(1).lower() if following else ""
        if next_word in _DURATIONS:
            if _RELATIVE_SPAN.search(text[max(0, start - 30):start]):
                continue
            np2, np_end2 = _own_noun_phrase(text, b + following.end())
            out.append(_Claim(start, b + following.end(), text[start:b + following.end()],
                              float(_WORD_NUMBERS[word]), None, _DURATIONS[next_word],
                              qualifier, np2, np_end2))
            continue
        if not np and next_word not in ("of", "de"):
            continue
        out.append(_Claim(start, b, text[start:b], float(_WORD_NUMBERS[word]), None,
                          _unit_from_np(np), qualifier, np, np_end))
    return out


def _find_claims(text: str) -> list[_Claim]:
    excluded = _excluded_spans(text)
    numeric = _numeric_claims(text, excluded)
    words = _word_claims(text, excluded + [(c.start, c.end) for c in numeric])
    claims = sorted(numeric + words, key=lambda c: (c.start, c.end))
    # rates: "137,000 migrants per month"
    for c in claims:
        rate = _RATE.match(text, max(c.np_end, c.end))
        if rate and c.unit not in ("percent", "percentage points"):
            period = (rate.group(1) or rate.group(2)).lower()
            c.unit = f"{c.unit} per {_RATE_NORMAL.get(period, period)}"
    return claims


def _match_subject(
    claim: _Claim, text: str, clause: tuple[int, int], subjects: tuple[Subject, ...]
) -> Subject | None:
    best: tuple | None = None
    chosen = None
    lo, hi = clause
    centre = claim.start
    for order, subj in enumerate(subjects):
        if claim.unit not in subj.units:
            continue
        counted_re, action_re = subj.patterns()
        np_hit = bool(claim.np and counted_re.search(claim.np))
        if claim.np and not np_hit and claim.unit not in _RATIO_UNITS:
            continue
        groups = [counted_re] + ([action_re] if action_re else [])
        in_clause = 0
        outside = 0
        distance = 0
        ok = True
        for rx in groups:
            hits = list(rx.finditer(text))
            if not hits:
                ok = False
                break
            if any(lo <= h.start() < hi for h in hits):
                in_clause += 1
            else:
                outside += 1
            distance += min(abs(h.start() - centre) for h in hits)
        if not ok or (in_clause == 0 and claim.np and not np_hit):
            continue
        key = (-np_hit, -in_clause, outside, distance, order)
        if best is None or key < best:
            best, chosen = key, subj
    return chosen


def _scope_is_batch(text: str, clause: tuple[int, int], at: int) -> bool:
    """Whether the claim at ``at`` reports one batch rather than a running total.

    Cues are looked for in the comma-delimited part of the clause around the number first,
    then in the whole clause.
    """
    lo, hi = clause
    left = text.rfind(",", lo, at)
    right = text.find(",", at, hi)
    segment = text[left + 1 if left >= 0 else lo:right if right >= 0 else hi]
    for part in (segment, text[lo:hi]):
        if _TOTAL_CUES.search(part):
            return False
        if _BATCH_CUES.search(part) or any(
            m.kind == "absolute" and m.month is not None
            and not re.match(r"(?i:since|desde|from)\b", m.expression)
            for m in find_dates(part)
        ):
            return True
    return False


def extract_claims(
    sentences: pl.DataFrame,
    codes: pl.DataFrame | None = None,
    *,
    code_choice: CodeChoice = "clause",
    subjects: tuple[Subject, ...] | None = None,
) -> pl.DataFrame:
    """Extract the quantitative claims of each sentence.

    Parameters
    ----------
    sentences : pl.DataFrame
        The ``sentences`` table (doc_id, sent_id, start, end, text).
    codes : pl.DataFrame, optional
        The ``codes`` table; gives each claim the stance of its sentence.
    code_choice : {"clause", "sentence"}
        Which code gives the stance (see the module docstring).
    subjects : tuple of Subject, optional
        Vocabulary of canonical subjects; None uses :func:`load_subjects`.

    Returns
    -------
    pl.DataFrame
        The ``claims`` table: doc_id, sent_id, raw, value, value_high, unit, qualifier,
        subject, stance, start, end (offsets into the document text); sorted by doc_id,
        sent_id, start.

    Examples
    --------
    >>> import polars as pl
    >>> s = "Mexico sent 26 cartel members to the United States, up from about 20%."
    >>> sents = pl.DataFrame({"doc_id": ["a"], "sent_id": [1], "start": [0],
    ...                       "end": [len(s)], "text": [s]})
    >>> extract_claims(sents).select("raw", "value", "unit", "qualifier", "subject").rows()[0]
    ('26', 26.0, 'people', 'exact', 'cartel members transferred to the U.S.')
    """
    _check_choice("code_choice", code_choice, _CODE_CHOICES)
    _require_columns(sentences, "sentences", ("doc_id", "sent_id", "start", "end", "text"))
    vocabulary = load_subjects() if subjects is None else subjects
    batched = {s.subject for s in vocabulary if s.batches}
    by_sentence = _codes_by_sentence(codes)
    rows = []
    frame = sentences.select("doc_id", "sent_id", "start", "text").sort("doc_id", "sent_id")
    for doc_id, sent_id, s_start, text in frame.iter_rows():
        text = text or ""
        spans = clause_spans(text)
        coarse = clause_spans(text, level="coordinate")
        previous: list[_Claim] = []
        for claim in _find_claims(text):
            clause = _clause_of(spans, claim.start)
            if claim.inherit_unit:
                donor = next((p for p in reversed(previous) if p.unit not in (
                    "count", "percent", "percentage points", "USD", "MXN", "EUR")), None)
                if donor is not None:
                    claim.unit = donor.unit
            subj = _match_subject(claim, text, clause, vocabulary)
            if subj is not None:
                subject = subj.subject
                if subj.batches and _scope_is_batch(text, clause, claim.start):
                    subject += BATCH
            elif not claim.np and (donor := next(
                (p for p in reversed(previous) if p.unit == claim.unit and p.subject), None
            )):
                base = donor.subject.removesuffix(BATCH)
                subject = base + BATCH if (
                    base in batched and _scope_is_batch(text, clause, claim.start)
                ) else base
            else:
                subject = claim.np or _preceding_phrase(text, claim.start, clause[0]) or claim.unit
            claim.subject = subject
            previous.append(claim)
            k_lo, k_hi = _clause_of(coarse, claim.start)
            code = _pick_code(by_sentence.get((doc_id, sent_id), []),
                              (s_start + k_lo, s_start + k_hi), code_choice)
            rows.append({
                "doc_id": doc_id,
                "sent_id": sent_id,
                "raw": claim.raw,
                "value": claim.value,
                "value_high": claim.value_high,
                "unit": claim.unit,
                "qualifier": claim.qualifier,
                "subject": subject,
                "stance": code["stance"] if code else None,
                "start": s_start + claim.start,
                "end": s_start + claim.end,
            })
    return pl.DataFrame(rows, schema=CLAIM_SCHEMA, orient="row").sort(
        "doc_id", "sent_id", "start", maintain_order=True
    )


# --------------------------------------------------------------------------------------
# Corroboration.


def _interval(value: float, high: float | None, qualifier: str, tol: float) -> tuple[float, float]:
    if qualifier == "range" and high is not None:
        return value, high
    if qualifier in ("over", "at_least"):
        return value, math.inf
    if qualifier in ("up_to", "under"):
        return 0.0, value
    spread = 2 * tol if qualifier == "about" else tol
    a, b = value * (1 - spread), value * (1 + spread)
    return min(a, b), max(a, b)


def _compatible(a: dict, b: dict) -> bool:
    return a["_lo"] <= b["_hi"] and b["_lo"] <= a["_hi"]


_OPEN = ("over", "at_least", "up_to", "under")


def _generic_compatible(a: dict, b: dict) -> bool:
    if a["qualifier"] in _OPEN or b["qualifier"] in _OPEN:
        return a["qualifier"] == b["qualifier"] and _compatible(a, b)
    return _compatible(a, b)


def _mark_whole_group(members: list[dict], kind: str) -> str:
    incompatible = [
        (a, b) for i, a in enumerate(members) for b in members[i + 1:]
        if a["doc_id"] != b["doc_id"] and not _compatible(a, b)
    ]
    n_sources = len({m["_source"] for m in members})
    if not incompatible:
        return "corroborated" if n_sources >= 2 else "single_source"
    if kind != "running_total":
        return "conflicting"
    for a, b in incompatible:
        if a["_pub_start"] is None or b["_pub_start"] is None:
            return "conflicting"
        early, late = (a, b) if a["_pub_start"] <= b["_pub_start"] else (b, a)
        if not (late["_pub_start"] > early["_pub_end"] and late["_lo"] >= early["_hi"]):
            return "conflicting"
    return "updated"


def corroborate(
    claims: pl.DataFrame,
    documents: pl.DataFrame,
    *,
    tolerance: float = 0.05,
    subjects: tuple[Subject, ...] | None = None,
) -> pl.DataFrame:
    """Group claims about the same quantity across documents and mark their agreement.

    Parameters
    ----------
    claims : pl.DataFrame
        The ``claims`` table from :func:`extract_claims`.
    documents : pl.DataFrame
        The ``documents`` table (doc_id, source, published, published_date, date_precision).
    tolerance : float
        Relative tolerance for exact values (0 <= tolerance < 0.5); "about" gets twice it.
    subjects : tuple of Subject, optional
        Vocabulary giving each canonical subject its kind; None uses :func:`load_subjects`.

    Returns
    -------
    pl.DataFrame
        One row per (group, claim): group_id, subject, unit, mark (corroborated |
        single_source | updated | conflicting), doc_id, source, published, value, raw;
        sorted by group_id, then publication date, doc_id and position. The grouping rule
        is in the module docstring.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> claims = pl.DataFrame({"doc_id": ["a", "b"], "sent_id": [1, 1], "raw": ["55", "92"],
    ...     "value": [55.0, 92.0], "value_high": [None, None], "unit": ["people"] * 2,
    ...     "qualifier": ["exact"] * 2,
    ...     "subject": ["cartel members transferred to the U.S."] * 2,
    ...     "stance": [None, None], "start": [0, 0], "end": [2, 2]})
    >>> docs = pl.DataFrame({"doc_id": ["a", "b"], "source": ["A", "B"],
    ...     "published": ["2025-08", "2026-02"],
    ...     "published_date": [dt.date(2025, 8, 1), dt.date(2026, 2, 1)],
    ...     "date_precision": ["month", "month"]})
    >>> corroborate(claims, docs)["mark"].to_list()
    ['updated', 'updated']
    """
    if not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 0.5:
        raise ValueError(f"tolerance={tolerance!r} is out of range; give a number in [0, 0.5)")
    _require_columns(claims, "claims", tuple(CLAIM_SCHEMA))
    _require_columns(documents, "documents", ("doc_id", "source", "published", "published_date",
                                 "date_precision"))
    vocabulary = load_subjects() if subjects is None else subjects
    kinds = {s.subject: s.kind for s in vocabulary}
    docs = {
        r["doc_id"]: r for r in documents.select(
            "doc_id", "source", "published", "published_date", "date_precision"
        ).iter_rows(named=True)
    }
    members_by_key: dict[tuple[str, str], list[dict]] = {}
    for row in claims.sort("doc_id", "sent_id", "start").iter_rows(named=True):
        doc = docs.get(row["doc_id"], {})
        pub = doc.get("published_date")
        precision = doc.get("date_precision")
        row = dict(row)
        row["_source"] = doc.get("source") or row["doc_id"]
        row["source"] = doc.get("source") or ""
        row["published"] = doc.get("published") or ""
        row["_pub_start"] = pub if precision in ("day", "month", "year") else None
        row["_pub_end"] = _period_end(pub, precision) if row["_pub_start"] else None
        row["_lo"], row["_hi"] = _interval(row["value"], row["value_high"], row["qualifier"],
                                           tolerance)
        members_by_key.setdefault((row["subject"], row["unit"]), []).append(row)

    def pub_order(r: dict) -> tuple:
        return (r["_pub_start"] is None, r["_pub_start"] or dt.date.min, r["doc_id"],
                r["sent_id"], r["start"])

    groups: list[tuple[str, str, str, list[dict]]] = []
    for (subject, unit), members in members_by_key.items():
        kind = kinds.get(subject, "generic")
        if kind in ("running_total", "fixed"):
            groups.append((subject, unit, _mark_whole_group(members, kind), members))
            continue
        clusters: list[list[dict]] = []
        for row in sorted(members, key=lambda r: (r["value"], *pub_order(r))):
            for cluster in clusters:
                if all(_generic_compatible(row, other) for other in cluster):
                    cluster.append(row)
                    break
            else:
                clusters.append([row])
        for cluster in clusters:
            n_sources = len({m["_source"] for m in cluster})
            groups.append((subject, unit,
                           "corroborated" if n_sources >= 2 else "single_source", cluster))

    groups.sort(key=lambda g: (g[0].casefold(), g[0], g[1], min(m["value"] for m in g[3]), g[2]))
    rows = []
    for group_id, (subject, unit, mark, members) in enumerate(groups, start=1):
        for m in sorted(members, key=pub_order):
            rows.append({
                "group_id": group_id, "subject": subject, "unit": unit, "mark": mark,
                "doc_id": m["doc_id"], "source": m["source"], "published": m["published"],
                "value": m["value"], "raw": m["raw"],
            })
    return pl.DataFrame(rows, schema=CORROBORATION_SCHEMA, orient="row")
