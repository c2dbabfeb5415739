"""Dated events: every dated mention in the sentences, resolved to a date, and a timeline.

Stage: ``sentences`` (+ ``documents``, optional ``codes``) -> ``events`` -> ``timeline``.

What counts as a dated mention (English and Spanish, found with regular expressions):

- day and month, with or without a year: "on 20 January 2025", "10 June", "June 10, 2025",
  "el 10 de junio de 2025";
- month and year: "in February 2025", "since January 2025", "en enero de 2026";
- a month alone after a preposition or a period word: "In March", "at the end of May",
  "early June", "en mayo", "a March summit";
- a year alone: "in 2024", "1916", "mid-2025";
- relative expressions: "last year", "this year", "next month", "two weeks ago", "el año
  pasado", "hace tres meses";
- vague expressions ("in recent weeks", "recently"): kept with a ``reason`` and no date.

A date followed by a clock time ("12 Jan 2026 18:08") is the article's own dateline and is
not an event. An expression that looks like a date but is not one ("31 February 2025") stays
in the table with ``date`` null and a ``reason``.

Year resolution (a month or day written without a year):

1. If the immediately preceding sentence of the same paragraph has a month- or day-precision
   date with its year written, the mention continues that narrative: it takes the anchor's
   year, or the next year when its month comes before the anchor's month ("On 20 January
   2025, ... In March, ..." -> March 2025). ``year_resolved_from_publication`` is False.
2. Otherwise the year comes from the document's publication date: the most recent such date
   not after the end of the publication period (a "2026-06" article: "In April" -> April
   2026, "In December" -> December 2025), or, when the mention's clause is future-tense or
   scheduled ("will", "scheduled", "upcoming" ...), the first such date not before the start
   of the publication period. ``year_resolved_from_publication`` is True.
3. With no publication date the mention keeps ``date`` null and a ``reason``.

``scheduled`` is True when the date lies after the publication period, or when the mention's
clause is future-tense and the date is not before publication.

Codes: an event takes the stance, category and actor of one code of its sentence: the
non-negated code with the largest ``|score|`` (ties: earliest ``match_start``, then category
name). With ``code_choice="sentence"`` that choice is made among all the sentence's codes.
With ``code_choice="clause"`` (the default) it is made among the codes whose matched span
overlaps the mention's coordinate clause (split at ``;``, ``:``, dashes and a comma before
"and", "but", "while" ...; see :func:`clause_spans`; codes without a span count as
covering the whole sentence),
so that "designated ... in February 2025, and in November 2025 ... preparing troops" gives
each date its own act, and a date in a clause with no code gets no stance rather than the
act of another clause ("In 2027, voting will take place, and on 28 May, Congress passed an
amendment ...": only 28 May gets the amendment's code). A sentence whose codes are all
negated gives no stance.

Timeline merge rule: events with a date and a precision kept by ``precision`` are merged
when they have the same date at the same precision and the same category; events without a
category (uncoded sentences) merge when they have the same date, precision and stance. A
month-precision event then joins a day-precision event of the same month when that day
event is the only one of the month with the same category (for uncoded events: the only
one with the same stance, and both scheduled) and no article reports both, so "the July
2026 review" in one article and "on 1 July 2026" in another are one event, dated to the
day; where two days of the month would fit, or one article gives both the month and the
day, nothing is merged. Each distinct event is listed once, with every document that
reports it, and is ``scheduled`` when any report places it after its publication. Events
without a date are left out of the timeline (they remain in ``events``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import polars as pl

from analysis.scheme import check_choice as _check_choice
from analysis.scheme import require_columns as _require_columns

__all__ = [
    "DateMention",
    "clause_spans",
    "extract_events",
    "find_dates",
    "timeline",
]

CodeChoice = Literal["clause", "sentence"]
Precision = Literal["day", "month", "year"]
StanceFilter = Literal["any", "coded"]

_CODE_CHOICES = ("clause", "sentence")
_PRECISIONS = ("day", "month", "year")
_STANCE_FILTERS = ("any", "coded")
_PRECISION_RANK = {"year": 0, "month": 1, "day": 2}

EVENT_SCHEMA = {
    "doc_id": pl.String,
    "sent_id": pl.Int64,
    "expression": pl.String,
    "date": pl.Date,
    "precision": pl.String,
    "year_resolved_from_publication": pl.Boolean,
    "scheduled": pl.Boolean,
    "stance": pl.String,
    "category": pl.String,
    "actor": pl.String,
    "reason": pl.String,
    "start": pl.Int64,
    "end": pl.Int64,
}

TIMELINE_SCHEMA = {
    "date": pl.Date,
    "precision": pl.String,
    "stance": pl.String,
    "category": pl.String,
    "actor": pl.String,
    "label": pl.String,
    "scheduled": pl.Boolean,
    "n_sources": pl.Int64,
    "sources": pl.List(pl.String),
    "doc_ids": pl.List(pl.String),
}

# --------------------------------------------------------------------------------------
# Month names. English names are matched with a capital letter only ("May" the month, not
# "may" the verb); Spanish names are written in lower case.
_MONTHS_EN = {
    "January": 1, "February": 2, "March": 3, "April": 4, "May": 5, "June": 6, "July": 7,
    "August": 8, "September": 9, "October": 10, "November": 11, "December": 12,
}
_MONTHS_EN_ABBR = {
    "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
    "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12,
}
_MONTHS_ES = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
}
_MONTH_LOOKUP = {
    **_MONTHS_EN,
    **{k.upper(): v for k, v in _MONTHS_EN.items()},
    **_MONTHS_EN_ABBR,
    **_MONTHS_ES,
    **{k.capitalize(): v for k, v in _MONTHS_ES.items()},
}


def _alt(words: list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MONTH_FULL = _alt(
    list(_MONTHS_EN) + [k.upper() for k in _MONTHS_EN] + list(_MONTHS_ES)
    + [k.capitalize() for k in _MONTHS_ES]
)
# Abbreviations only next to a day number or a year ("12 Jan 2026", "Sept. 3").
_MONTH_ANY = _alt(list(_MONTH_LOOKUP))

_PREP = (
    r"(?:(?P<prep>(?i:in|on|since|from|until|till|by|before|after|during|as\s+of|through|at|"
    r"en|el|desde|hasta|durante|a\s+partir\s+del?|antes\s+del?|despu[eé]s\s+del?))\s+)?"
)
_MOD = (
    r"(?:(?P<mod>(?i:early|mid|late|the\s+end\s+of|the\s+start\s+of|the\s+beginning\s+of|"
    r"the\s+middle\s+of|end\s+of|start\s+of|beginning\s+of|a\s+finales\s+de|finales\s+de|"
    r"a\s+fines\s+de|fines\s+de|a\s+principios\s+de|principios\s+de|a\s+mediados\s+de|"
    r"mediados\s+de))[\s-]+)?"
)
_YEAR = r"(?:19|20)\d{2}"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_DATE_BODY = (
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:(?i:de|of)\s+)?(?P<m1>{_MONTH_ANY})\.?"
    rf"(?:,?\s+(?:(?i:de|del)\s+)?(?P<y1>{_YEAR})(?!\d))?(?![\w])"
    rf"|(?P<m2>{_MONTH_ANY})\.?\s+(?P<d2>{_DAY})(?:st|nd|rd|th)?(?![\d\w]|,\d)"
    rf"(?:,?\s+(?P<y2>{_YEAR})(?!\d))?"
    rf"|(?P<m3>{_MONTH_ANY})\.?,?\s+(?:(?i:de|del|of)\s+)?(?P<y3>{_YEAR})(?!\d)"
    rf"|(?P<m4>{_MONTH_FULL})(?![\w])"
    rf"|(?P<y4>{_YEAR})(?![\w%]|[.,]\d|\s*(?i:%|percent|per\s+cent|por\s+ciento)))"
)
_NUMWORD = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|un|una|dos|tres|cuatro|"
    r"cinco|seis)"
)
_RELATIVE = (
    r"(?P<rel>(?i:last\s+year|this\s+year|next\s+year|last\s+month|this\s+month|next\s+month|"
    r"yesterday|el\s+a[ñn]o\s+pasado|este\s+a[ñn]o|el\s+pr[oó]ximo\s+a[ñn]o|"
    r"el\s+mes\s+pasado|ayer|"
    rf"{_NUMWORD}\s+(?:days?|weeks?|months?|years?)\s+ago|"
    rf"hace\s+{_NUMWORD}\s+(?:d[ií]as?|semanas?|mes(?:es)?|a[ñn]os?)))"
)
_VAGUE = (
    r"(?P<vague>(?i:in\s+recent\s+(?:days|weeks|months|years)|recently|"
    r"in\s+the\s+coming\s+(?:days|weeks|months|years)|"
    r"en\s+(?:las|los)\s+[uú]ltim[oa]s\s+(?:d[ií]as|semanas|meses)|recientemente))"
)
_ART_MONTH = rf"(?P<art>(?i:a|an|the)\s+)(?P<m5>{_alt(list(_MONTHS_EN))})(?=\s+[a-z])"

_DATE_RE = re.compile(
    rf"(?<![\w$\\.,])(?:{_RELATIVE}|{_VAGUE}|{_PREP}{_MOD}{_DATE_BODY}|{_ART_MONTH})"
)
_CLOCK_AFTER = re.compile(r"\s*,?\s*\d{1,2}:\d{2}")
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "un": 1, "una": 1, "dos": 2, "tres": 3,
    "cuatro": 4, "cinco": 5, "seis": 6,
}

# Clause boundaries. "coordinate": ; : dashes, and a comma before a coordinating
# conjunction; "fine" also breaks before a comma + "with", "which", "including" ...
_COORDINATORS = r"and|but|while|whereas|although|though|y|pero|mientras|aunque"
_SUBORDINATORS = r"with|which|who|including|as|con|incluid[oa]s?"
_CLAUSE_BREAK = {
    "coordinate": re.compile(
        rf"\s*[;:]\s+|\s+[—–]\s+|—|,\s+(?=(?i:{_COORDINATORS})\b)"
    ),
    "fine": re.compile(
        rf"\s*[;:]\s+|\s+[—–]\s+|—|,\s+(?=(?i:{_COORDINATORS}|{_SUBORDINATORS})\b)"
    ),
}
ClauseLevel = Literal["coordinate", "fine"]
_CLAUSE_LEVELS = tuple(_CLAUSE_BREAK)
_FUTURE = re.compile(
    r"\b(?i:will|shall|won[’']t|scheduled|is\s+set\s+to|are\s+set\s+to|is\s+due|are\s+due|"
    r"upcoming|is\s+expected\s+to|are\s+expected\s+to|plans?\s+to|planned|to\s+be\s+held|"
    r"se\s+realizar[aá]|ser[aá]n?|previst[oa]s?|programad[oa]s?|pr[oó]xim[oa]s?)\b"
)


@dataclass(frozen=True)
class DateMention:
    """One dated expression found in a text.

    ``start``/``end`` are offsets into the searched text; ``year``/``month``/``day`` are the
    parts written in the text (None when absent); ``kind`` is "absolute", "relative" or
    "vague"; ``reason`` is set when the expression cannot be a date.
    """

    start: int
    end: int
    expression: str
    kind: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    relative: str | None = None
    reason: str | None = None
    dateline: bool = False

    @property
    def precision(self) -> str | None:
        """Precision of the written expression: "day", "month", "year" or None."""
        if self.kind != "absolute" or self.reason:
            return None
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"


def find_dates(text: str) -> list[DateMention]:
    """Find dated expressions in ``text`` (no resolution of missing years).

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    list of DateMention
        In order of position; offsets are into ``text``.

    Examples
    --------
    >>> [(m.expression, m.year, m.month) for m in find_dates("In March, 37 were sent.")]
    [('In March', None, 3)]
    >>> find_dates("on 1 July 2026")[0].precision
    'day'
    """
    mentions: list[DateMention] = []
    for m in _DATE_RE.finditer(text):
        g = m.groupdict()
        start, end = m.span()
        expression = m.group(0)
        if g["vague"]:
            mentions.append(DateMention(
                start, end, expression, "vague",
                reason="vague relative time: no date can be assigned",
            ))
            continue
        if g["rel"]:
            mentions.append(DateMention(
                start, end, expression, "relative", relative=" ".join(g["rel"].lower().split())
            ))
            continue
        month_name = g["m1"] or g["m2"] or g["m3"] or g["m4"] or g["m5"]
        day = g["d1"] or g["d2"]
        year = g["y1"] or g["y2"] or g["y3"] or g["y4"]
        if g["m4"] and not (g["prep"] or g["mod"]):
            continue  # a bare month name is a date only after a preposition or period word
        if g["m4"] and g["m4"] in ("May", "March") and g["prep"] and g["prep"].lower() == "at":
            continue
        month = _MONTH_LOOKUP.get(month_name.rstrip(".")) if month_name else None
        if month_name and month is None:
            continue
        dateline = bool(day or month) and bool(_CLOCK_AFTER.match(text, end))
        reason = None
        if day is not None:
            d = int(day)
            y_check = int(year) if year else 2000  # a leap year: 29 February may exist
            if not 1 <= d <= calendar.monthrange(y_check, month)[1]:
                reason = f"no such day: {d} {month_name}" + (f" {year}" if year else "")
        mentions.append(DateMention(
            start, end, expression, "absolute",
            year=int(year) if year else None,
            month=month,
            day=int(day) if day is not None else None,
            reason=reason,
            dateline=dateline,
        ))
    return mentions


def clause_spans(text: str, *, level: ClauseLevel = "fine") -> list[tuple[int, int]]:
    """Split ``text`` into clauses; returns ``(start, end)`` offsets that cover the text.

    Parameters
    ----------
    text : str
        One sentence.
    level : {"fine", "coordinate"}
        "coordinate" ends a clause at ``;``, ``:``, dashes and a comma before a coordinating
        conjunction ("and", "but", "while", "although", "y", "pero" ...); "fine" also at a
        comma before "with", "which", "who", "including", "as", "con" ...

    Examples
    --------
    >>> s = "In May, X rose, and in June it fell, with Y."
    >>> [s[a:b] for a, b in clause_spans(s)]
    ['In May, X rose', ', and in June it fell', ', with Y.']
    >>> len(clause_spans(s, level="coordinate"))
    2
    """
    _check_choice("level", level, _CLAUSE_LEVELS)
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_BREAK[level].finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
            pos = m.start()
    spans.append((pos, len(text)))
    return spans


def _clause_of(spans: list[tuple[int, int]], start: int) -> tuple[int, int]:
    for a, b in spans:
        if a <= start < b:
            return a, b
    return spans[-1]


# --------------------------------------------------------------------------------------
# Shared helpers for claims and events.


def _codes_by_sentence(codes: pl.DataFrame | None) -> dict[tuple[str, int], list[dict]]:
    """Non-negated codes per (doc_id, sent_id), as dicts."""
    if codes is None:
        return {}
    cols = ["doc_id", "sent_id", "stance", "category", "actor", "status", "score"]
    _require_columns(codes, "codes", cols)
    has_span = "match_start" in codes.columns and "match_end" in codes.columns
    if has_span:
        cols += ["match_start", "match_end"]
    out: dict[tuple[str, int], list[dict]] = {}
    for row in codes.select(cols).iter_rows(named=True):
        if row["status"] == "negated":
            continue
        if not has_span:
            row["match_start"] = None
            row["match_end"] = None
        out.setdefault((row["doc_id"], row["sent_id"]), []).append(row)
    return out


def _pick_code(
    rows: list[dict], clause: tuple[int, int] | None, code_choice: str
) -> dict | None:
    """The non-negated code with the largest |score|, preferring the given clause."""
    if not rows:
        return None

    def key(r: dict) -> tuple:
        start = r["match_start"] if r["match_start"] is not None else -1
        return (-abs(r["score"] or 0.0), start, r["category"] or "")

    if code_choice == "clause" and clause is not None:
        lo, hi = clause
        local = [
            r for r in rows
            if r["match_start"] is None or (r["match_start"] < hi and r["match_end"] > lo)
        ]
        return min(local, key=key) if local else None
    return min(rows, key=key)


@dataclass(frozen=True)
class _Publication:
    start: dt.date
    end: dt.date
    precision: str


def _period_end(day: dt.date, precision: str) -> dt.date:
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def _publications(documents: pl.DataFrame) -> dict[str, _Publication | None]:
    _require_columns(documents, "documents", ("doc_id", "published_date", "date_precision"))
    out: dict[str, _Publication | None] = {}
    for row in documents.select("doc_id", "published_date", "date_precision").iter_rows():
        doc_id, day, precision = row
        if day is None or precision not in _PRECISION_RANK:
            out[doc_id] = None
        else:
            out[doc_id] = _Publication(day, _period_end(day, precision), precision)
    return out


# --------------------------------------------------------------------------------------
# Resolution.


@dataclass(frozen=True)
class _Resolved:
    date: dt.date | None
    precision: str | None
    from_publication: bool
    reason: str | None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve_relative(m: DateMention, pub: _Publication | None) -> _Resolved:
    rel = m.relative or ""
    if pub is None:
        return _Resolved(None, None, False, "relative expression and no publication date")
    year_words = ("year", "año", "ano")
    if any(w in rel for w in year_words) and "ago" not in rel and not rel.startswith("hace"):
        shift = -1 if ("last" in rel or "pasado" in rel) else (1 if "next" in rel
                                                               or "próximo" in rel
                                                               or "proximo" in rel else 0)
        return _Resolved(dt.date(pub.start.year + shift, 1, 1), "year", True, None)
    if "month" in rel or "mes pasado" in rel:
        if pub.precision == "year":
            return _Resolved(None, None, False,
                             "relative month and the publication date has only a year")
        shift = -1 if ("last" in rel or "pasado" in rel) else (1 if "next" in rel else 0)
        index = pub.start.year * 12 + pub.start.month - 1 + shift
        return _Resolved(dt.date(index // 12, index % 12 + 1, 1), "month", True, None)
    # "two weeks ago", "yesterday", "hace tres días": dateparser, relative to publication.
    unit_precision = (
        "year" if re.search(r"years?|a[ñn]os?", rel)
        else "month" if re.search(r"months?|mes", rel)
        else "day"
    )
    if _PRECISION_RANK[pub.precision] < _PRECISION_RANK[unit_precision] or (
        unit_precision == "day" and pub.precision != "day"
    ):
        return _Resolved(None, None, False,
                         f"'{m.expression}' needs a publication date at {unit_precision} "
                         f"precision; it has {pub.precision}")
    import dateparser  # slow import; only needed for these expressions

    base = dt.datetime.combine(pub.start, dt.time(12, 0))
    parsed = dateparser.parse(
        m.expression,
        languages=["en", "es"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    if parsed is None:
        return _Resolved(None, None, False, f"dateparser could not read '{m.expression}'")
    day = parsed.date()
    if unit_precision == "month":
        day = day.replace(day=1)
    elif unit_precision == "year":
        day = dt.date(day.year, 1, 1)
    return _Resolved(day, unit_precision, True, None)


def _resolve(
    m: DateMention,
    pub: _Publication | None,
    anchor: tuple[int, int, int | None] | None,
    future: bool,
) -> _Resolved:
    if m.kind == "vague" or m.reason:
        return _Resolved(None, None, False, m.reason)
    if m.kind == "relative":
        return _resolve_relative(m, pub)
    precision = m.precision
    if m.year is not None:
        return _Resolved(dt.date(m.year, m.month or 1, m.day or 1), precision, False, None)
    month, day = m.month, m.day
    assert month is not None
    if anchor is not None and not future:
        a_year, a_month, a_day = anchor
        year = a_year if (month, day or 0) >= (a_month, a_day or 0) else a_year + 1
        candidate = _safe_date(year, month, day or 1)
        if candidate is not None and (pub is None or candidate <= pub.end):
            return _Resolved(candidate, precision, False, None)
    if pub is None:
        return _Resolved(None, None, False, "year not written and no publication date")
    if future:
        year = pub.start.year
        last = day or calendar.monthrange(year, month)[1]
        if _safe_date(year, month, min(last, calendar.monthrange(year, month)[1])) < pub.start:
            year += 1
    else:
        year = pub.end.year
        if dt.date(year, month, 1) > pub.end or (
            day is not None and (_safe_date(year, month, day) or dt.date.max) > pub.end
        ):
            year -= 1
    resolved = _safe_date(year, month, day or 1)
    if resolved is None:
        return _Resolved(None, None, False, f"no such day in {year}: '{m.expression}'")
    return _Resolved(resolved, precision, True, None)


def _period(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    return day, _period_end(day, precision)


# --------------------------------------------------------------------------------------


def extract_events(
    sentences: pl.DataFrame,
    documents: pl.DataFrame,
    codes: pl.DataFrame | None = None,
    *,
    code_choice: CodeChoice = "clause",
) -> pl.DataFrame:
    """Extract every dated mention as an event with its resolved date and the sentence's code.

    Parameters
    ----------
    sentences : pl.DataFrame
        The ``sentences`` table (doc_id, sent_id, start, end, text; ``is_heading`` optional).
    documents : pl.DataFrame
        The ``documents`` table (doc_id, published_date, date_precision; ``text`` optional,
        used to detect paragraph breaks between sentences).
    codes : pl.DataFrame, optional
        The ``codes`` table; gives each event a stance, category and actor.
    code_choice : {"clause", "sentence"}
        Which code an event takes (see the module docstring).

    Returns
    -------
    pl.DataFrame
        The ``events`` table, sorted by doc_id, sent_id, start.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> docs = pl.DataFrame({"doc_id": ["a"], "published_date": [dt.date(2026, 6, 1)],
    ...                      "date_precision": ["month"]})
    >>> sents = pl.DataFrame({"doc_id": ["a"], "sent_id": [1], "start": [0], "end": [24],
    ...                       "text": ["In April, Mexico agreed."]})
    >>> ev = extract_events(sents, docs)
    >>> ev.select("expression", "date", "precision", "year_resolved_from_publication").row(0)
    ('In April', datetime.date(2026, 4, 1), 'month', True)
    """
    _check_choice("code_choice", code_choice, _CODE_CHOICES)
    _require_columns(sentences, "sentences", ("doc_id", "sent_id", "start", "end", "text"))
    pubs = _publications(documents)
    doc_text = (
        dict(documents.select("doc_id", "text").iter_rows()) if "text" in documents.columns
        else {}
    )
    by_sentence = _codes_by_sentence(codes)
    cols = ["doc_id", "sent_id", "start", "end", "text"]
    has_heading = "is_heading" in sentences.columns
    if has_heading:
        cols.append("is_heading")
    rows: list[dict] = []
    prev_key: tuple[str, int] | None = None
    prev_end = 0
    prev_anchor: tuple[int, int, int | None] | None = None
    for sent in sentences.select(cols).sort("doc_id", "sent_id").iter_rows(named=True):
        doc_id, sent_id, s_start = sent["doc_id"], sent["sent_id"], sent["start"]
        text = sent["text"] or ""
        heading = bool(sent.get("is_heading")) if has_heading else False
        anchor = None
        if (
            prev_key is not None and prev_key == (doc_id, sent_id - 1) and not heading
            and "\n" not in doc_text.get(doc_id, "")[prev_end:s_start]
        ):
            anchor = prev_anchor
        pub = pubs.get(doc_id)
        spans = clause_spans(text)
        coarse = clause_spans(text, level="coordinate")
        sentence_codes = by_sentence.get((doc_id, sent_id), [])
        next_anchor = None
        for m in find_dates(text):
            if m.dateline:
                continue
            c_lo, c_hi = _clause_of(spans, m.start)
            future = bool(_FUTURE.search(text, c_lo, c_hi))
            res = _resolve(m, pub, anchor, future)
            scheduled = future
            if res.date is not None:
                p_start, p_end = _period(res.date, res.precision or "day")
                if pub is not None:
                    scheduled = p_start > pub.end or (future and p_end >= pub.start)
            k_lo, k_hi = _clause_of(coarse, m.start)
            code = _pick_code(sentence_codes, (s_start + k_lo, s_start + k_hi), code_choice)
            rows.append({
                "doc_id": doc_id,
                "sent_id": sent_id,
                "expression": m.expression,
                "date": res.date,
                "precision": res.precision,
                "year_resolved_from_publication": res.from_publication,
                "scheduled": scheduled,
                "stance": code["stance"] if code else None,
                "category": code["category"] if code else None,
                "actor": code["actor"] if code else None,
                "reason": res.reason,
                "start": s_start + m.start,
                "end": s_start + m.end,
            })
            if (
                m.kind == "absolute" and m.year is not None and m.month is not None
                and res.date is not None and not scheduled
            ):
                next_anchor = (m.year, m.month, m.day)
        prev_key, prev_end, prev_anchor = (doc_id, sent_id), sent["end"], next_anchor
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, orient="row").sort(
        "doc_id", "sent_id", "start", maintain_order=True
    )


_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9”\")\]][.!?])\s+(?=[A-Z“\"(¿¡])")


def _label(doc_text: str, start: int, end: int, scheduled: bool, width: int = 110) -> str:
    """The sentence around ``start:end`` in ``doc_text``, shortened to ``width`` characters."""
    if not doc_text:
        return ""
    line_start = doc_text.rfind("\n", 0, start) + 1
    line_end = doc_text.find("\n", end)
    line_end = len(doc_text) if line_end < 0 else line_end
    left = line_start
    for b in _SENTENCE_BREAK.finditer(doc_text, line_start, min(len(doc_text), start + 2)):
        if b.end() <= start:
            left = b.end()
    after = _SENTENCE_BREAK.search(doc_text, end, line_end)
    right = after.start() if after else line_end
    snippet = " ".join(doc_text[left:right].split())
    if len(snippet) > width:
        snippet = snippet[: width - 1].rsplit(" ", 1)[0] + "…"
    return ("Scheduled: " if scheduled else "") + snippet


def _merge_months_into_days(groups: dict[tuple, list[dict]]) -> None:
    """Fold each month-precision group into the one day-precision group it can only mean."""
    for key in [k for k in groups if k[1] == "month"]:
        month, _, kind, value = key
        days = [
            k for k in groups
            if k[1] == "day" and (k[0].year, k[0].month) == (month.year, month.month)
            and k[2:] == (kind, value)
        ]
        if len(days) != 1:
            continue
        # an article that gives both a month and a day is speaking of two events
        if {r["doc_id"] for r in groups[key]} & {r["doc_id"] for r in groups[days[0]]}:
            continue
        if value is None and not (
            all(r["scheduled"] for r in groups[key])
            and all(r["scheduled"] for r in groups[days[0]])
        ):
            continue
        groups[days[0]].extend(groups.pop(key))


def timeline(
    events: pl.DataFrame,
    documents: pl.DataFrame,
    *,
    precision: Precision = "month",
    stance: StanceFilter = "any",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pl.DataFrame:
    """One row per distinct dated event, with every document that reports it.

    Parameters
    ----------
    events : pl.DataFrame
        The ``events`` table from :func:`extract_events`.
    documents : pl.DataFrame
        The ``documents`` table (doc_id, source; published_date and text optional).
    precision : {"day", "month", "year"}
        Coarsest precision kept: "month" keeps month and day dates, "year" keeps all.
    stance : {"any", "coded"}
        "coded" keeps only events whose sentence has a (non-negated) code.
    start, end : datetime.date, optional
        Keep events whose date is within ``[start, end]``.

    Returns
    -------
    pl.DataFrame
        date, precision, stance, category, actor, label, scheduled, n_sources, sources,
        doc_ids;
        sorted by date, precision (year, month, day), category, stance. The merge rule is in
        the module docstring; ``sources`` lists each document's source, in the order of
        ``doc_ids`` (by publication date, then doc_id). ``label`` is the first report's
        sentence, shortened, prefixed "Scheduled: " for dates still ahead at publication.

    Examples
    --------
    >>> import datetime as dt, polars as pl
    >>> ev = pl.DataFrame({"doc_id": ["a", "b"], "sent_id": [1, 4],
    ...     "expression": ["in June 2025", "In June 2025"],
    ...     "date": [dt.date(2025, 6, 1)] * 2, "precision": ["month"] * 2,
    ...     "year_resolved_from_publication": [False] * 2, "scheduled": [False] * 2,
    ...     "stance": ["coercion"] * 2, "category": ["SANCTION"] * 2, "actor": ["US"] * 2,
    ...     "reason": [None, None], "start": [0, 0], "end": [12, 12]})
    >>> docs = pl.DataFrame({"doc_id": ["a", "b"], "source": ["Daily A", "Weekly B"]})
    >>> timeline(ev, docs).select("date", "n_sources", "sources").row(0)
    (datetime.date(2025, 6, 1), 2, ['Daily A', 'Weekly B'])
    """
    _check_choice("precision", precision, _PRECISIONS)
    _check_choice("stance", stance, _STANCE_FILTERS)
    if start is not None and end is not None and start > end:
        raise ValueError(f"start={start} is after end={end}; give start <= end")
    _require_columns(events, "events", tuple(EVENT_SCHEMA))
    _require_columns(documents, "documents", ("doc_id", "source"))
    keep_rank = _PRECISION_RANK[precision]
    doc_cols = documents.columns
    source = dict(documents.select("doc_id", "source").iter_rows())
    published = (
        dict(documents.select("doc_id", "published_date").iter_rows())
        if "published_date" in doc_cols else {}
    )
    texts = dict(documents.select("doc_id", "text").iter_rows()) if "text" in doc_cols else {}

    kept = events.filter(pl.col("date").is_not_null())
    if stance == "coded":
        kept = kept.filter(pl.col("stance").is_not_null())
    if start is not None:
        kept = kept.filter(pl.col("date") >= start)
    if end is not None:
        kept = kept.filter(pl.col("date") <= end)

    groups: dict[tuple, list[dict]] = {}
    for row in kept.iter_rows(named=True):
        if _PRECISION_RANK.get(row["precision"], -1) < keep_rank:
            continue
        if row["category"] is not None:
            key = (row["date"], row["precision"], "category", row["category"])
        else:
            key = (row["date"], row["precision"], "stance", row["stance"])
        groups.setdefault(key, []).append(row)
    _merge_months_into_days(groups)

    def report_order(r: dict) -> tuple:
        pub = published.get(r["doc_id"])
        return (pub is None, pub or dt.date.min, r["doc_id"], r["sent_id"], r["start"])

    out = []
    for (date, date_precision, _, _), members in groups.items():
        members = sorted(members, key=report_order)
        doc_ids = list(dict.fromkeys(r["doc_id"] for r in members))
        first = members[0]
        actors = Counter(r["actor"] for r in members if r["actor"] is not None)
        actor = min(actors, key=lambda a: (-actors[a], a)) if actors else None
        stances = Counter(r["stance"] for r in members if r["stance"] is not None)
        out.append({
            "date": date,
            "precision": date_precision,
            "stance": min(stances, key=lambda s: (-stances[s], s)) if stances else None,
            "category": first["category"],
            "actor": actor,
            "label": _label(texts.get(first["doc_id"], ""), first["start"], first["end"],
                            bool(first["scheduled"])),
            "scheduled": any(bool(r["scheduled"]) for r in members),
            "n_sources": len(doc_ids),
            "sources": [source.get(d) or d for d in doc_ids],
            "doc_ids": doc_ids,
        })
    frame = pl.DataFrame(out, schema=TIMELINE_SCHEMA, orient="row")
    return (
        frame.with_columns(
            pl.col("precision").replace_strict(_PRECISION_RANK, return_dtype=pl.Int64)
            .alias("_rank")
        )
        .sort(["date", "_rank", "category", "stance", "label"], nulls_last=True,
              maintain_order=True)
        .drop("_rank")
    )
