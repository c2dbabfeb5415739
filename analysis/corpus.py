"""Read the corpus: article files plus ``sources.csv`` -> the ``documents`` table.

A corpus is a folder of articles: top-level ``.txt``, ``.md`` and ``.html`` files. Metadata
(publisher, title, author, date, language, URL) comes from the ``sources.csv`` manifest next to
the articles or from a YAML front-matter block at the top of a file (front matter wins). An
article that neither describes still loads, with its title and date inferred from the text.

Texts are cleaned of web and PDF debris before anything else sees them; every removal is kept
in the ``removed`` column so a reader can audit it. Cleaning never drops a sentence of the
article: it only removes whole lines that match a debris rule (subscription and share footers,
"Back to homepage" links, hashtag lines, page headers that interrupt a sentence or repeat),
unwraps markdown link syntax, drops markdown escape backslashes and joins lines that a PDF
broke in the middle of a sentence. A hard-wrapped text (``hard_wrap_width``) keeps its lines
and its two-space hard breaks: segmentation reads its wraps as soft. Speaker turns,
Markdown comments, turn separators (``---``) and the labels on the line after them are
never taken for repeated page headers.

The layout helpers (``SPEAKER_LABEL``, ``starts_block``, ``is_chrome_line``,
``hard_wrap_width``) are shared with ``analysis.segment``.

This is the only module of the library that reads files.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import polars as pl
import yaml

from analysis.config import SEEDS_DIR

__all__ = [
    "ARTICLE_SUFFIXES",
    "DOCUMENTS_SCHEMA",
    "MANIFEST_NAME",
    "CorpusError",
    "CorpusWarning",
    "ManifestError",
    "SPEAKER_LABEL",
    "clean_text",
    "hard_wrap_width",
    "is_chrome_line",
    "load_corpus",
    "parse_front_matter",
    "starts_block",
]

ARTICLE_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".html", ".htm")
MANIFEST_NAME = "sources.csv"
MANIFEST_REQUIRED: tuple[str, ...] = ("file", "source", "title", "published")
MANIFEST_OPTIONAL: tuple[str, ...] = (
    "author",
    "date_precision",
    "date_basis",
    "language",
    "url",
)
METADATA_KEYS: tuple[str, ...] = tuple(
    k for k in MANIFEST_REQUIRED + MANIFEST_OPTIONAL if k != "file"
)
PRECISIONS: tuple[str, ...] = ("day", "month", "year", "unknown")
UNKNOWN_SOURCE = "unknown"

DOCUMENTS_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "path": pl.String(),
    "sha256": pl.String(),
    "source": pl.String(),
    "title": pl.String(),
    "author": pl.String(),
    "published": pl.String(),
    "published_date": pl.Date(),
    "date_precision": pl.String(),
    "date_basis": pl.String(),
    "language": pl.String(),
    "url": pl.String(),
    "metadata_inferred": pl.Boolean(),
    "text": pl.String(),
    "n_words": pl.Int64(),
    "removed": pl.List(pl.Struct({"kind": pl.String(), "text": pl.String()})),
}


class CorpusError(ValueError):
    """A corpus file or folder that cannot be loaded; the message says what would be accepted."""


class ManifestError(CorpusError):
    """A problem in ``sources.csv``; ``line`` and ``column`` locate it when it concerns a row."""

    def __init__(self, message: str, *, line: int | None = None, column: str | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


class CorpusWarning(UserWarning):
    """Something in the corpus that loads but deserves a look.

    Files or manifest rows skipped by ``load_corpus(..., on_error="skip")``, files in the
    folder that are not read (``.docx``, ``.pdf``), publication dates in the future, and
    sentence units cut at the length cap by ``analysis.segment.split_sentences``.
    """


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------

_TERMINALS = ".!?…"
_CLOSERS = "”\"’')]*"

# Whole lines that are site furniture, never article prose.
_FOOTER_LINE = re.compile(
    r"""^(?:
        discover\ more\ from\ [^.!?]{1,80}
      | subscribe\ to\ (?:get|receive)\ (?:the\ )?latest\ (?:posts|news|stories|updates)\b.{0,60}
      | (?:sign\ up|subscribe)\ (?:for|to)\ (?:our|the)\ [\w\ ]{0,30}newsletter[^.!?]{0,40}[.!]?
      | (?:click\ to\ )?share\ (?:this(?:\ article|\ story|\ post|\ page)?
            |on\ (?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|email))
            (?:\ \(opens\ in\ new\ window\))?:?
      | like\ this:?
      | follow\ us\ on\ [^.!?]{1,60}
      | (?:type|enter)\ your\ email(?:\ address)?(?:\ to\ subscribe)?\s*[.…]*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_NAVIGATION_LINE = re.compile(
    r"^(?:[←«<]\s*)?(?:back|return|go\ back)\s+to\s+(?:the\s+)?home\s?page\s*(?:[→»>])?$",
    re.IGNORECASE | re.VERBOSE,
)
_HASHTAG_LINE = re.compile(r"^#[^\W_][\w-]*(?:[ \t]+#[^\W_][\w-]*)*$")
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_BOLD_LINE = re.compile(r"^\*\*[^*]+\*\*$")
# Markdown link or image around plain text: [text](target) -> text. Brackets inside the text
# must be escaped, as in markdown itself; the text may run over line breaks (hard-wrapped
# Markdown wraps inside links too: "[shut\n    down](https://...)"), not over a blank line.
_MD_LINK = re.compile(r"!?\[((?:[^\[\]\\\n]|\\.|\n(?![ \t]*\n))+)\]\(([^()\s]*)\)")
# A bare web address (its trailing punctuation left out).
_BARE_URL = re.compile(r"\b(?:https?://|www\.)\S*[^\s.,;:!?)\]”\"’']")
#: Literals one of which every text that :func:`unlinked` changes holds (the ``](`` of a
#: Markdown link, the start of a bare address): a quick test of which rows need it.
LINK_MARKERS = ("](", "http", "www.")
# Markdown escapes: a backslash before ASCII punctuation that markdown treats as syntax.
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|$<>~])")
# A line that ends in a letter and a hyphen: a word broken across lines.
_LETTER_HYPHEN = re.compile(r"[^\W\d_]-$")
# A token (a run of non-space characters) with no letter or digit in it.
_NON_WORD = re.compile(r"(?<!\S)(?:[^\w\s]|_)+(?!\S)")


def unlinked(text: str) -> str:
    """``text`` with link targets and web addresses blanked, the same length.

    For matching text without reading addresses: a Markdown link keeps its text, its
    brackets and target become spaces, and a bare address becomes spaces, so every offset
    into ``text`` holds (the coder reads this; see :mod:`analysis.indicators`).

    Examples
    --------
    >>> unlinked("Trump [declared](https://x.com/a_b) them FTOs; see https://wh.gov/tariffs.")
    'Trump  declared                     them FTOs; see                       .'
    """

    def blank(m: re.Match[str]) -> str:
        return " " * (m.start(1) - m.start(0)) + m.group(1) + " " * (m.end(0) - m.end(1))

    text = _MD_LINK.sub(blank, text)
    return _BARE_URL.sub(lambda m: " " * len(m.group(0)), text)


def _strip_closers(line: str) -> str:
    return line.rstrip().rstrip(_CLOSERS)


def _is_heading_line(line: str) -> bool:
    """Short line with no sentence terminator, a markdown heading or a bold-only line."""
    stripped = line.strip()
    if _MD_HEADING.match(stripped) or _BOLD_LINE.match(stripped):
        return True
    n = _n_tokens(stripped, 9)
    return 0 < n <= 8 and not _strip_closers(stripped).endswith(tuple(_TERMINALS + ":"))


def _is_dangling(line: str) -> bool:
    """A prose line that stops mid-sentence (no terminator, ends like running text)."""
    stripped = line.strip()
    if _n_tokens(stripped, 5) < 5 or _MD_HEADING.match(stripped) or _BOLD_LINE.match(stripped):
        return False
    core = _strip_closers(stripped)
    if not core or core[-1] in _TERMINALS + ":":
        return False
    return not (_HASHTAG_LINE.match(stripped) or is_chrome_line(stripped))


def _n_tokens(text: str, most: int) -> int:
    """``min(len(text.split()), most)``, without splitting the rest of a long line."""
    return len(text.split(maxsplit=most - 1)) if most > 0 else 0


def _starts_lowercase(line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped) and stripped[0].islower()


# --------------------------------------------------------------------------------------------
# Layout: speaker turns, list items, page chrome, hard wraps (shared with analysis.segment)
# --------------------------------------------------------------------------------------------

_UPPER = "A-ZÁÉÍÓÚÑÜ"
# A speaker label opening a turn of a transcript: "Q" set off by two spaces or a no-break
# space, "Q:", or an upper-case name or role ending in a colon ("MS. LEAVITT:",
# "PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO:"); a label of two words or more may run
# into its turn with no space ("PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO:Bueno", as
# some stenographic versions print it).
SPEAKER_LABEL = re.compile(
    rf"""^[^\S\n]*(?:
        (?:Q(?::|(?=[^\S\n]{{2}}|\u00a0))
          | [{_UPPER}](?:[{_UPPER}.,'’-]|[ \u00a0](?=[{_UPPER}]))*[{_UPPER}.]:
        )(?=\s|$)
      | [{_UPPER}][{_UPPER}.,'’-]*(?:[ \u00a0][{_UPPER}][{_UPPER}.,'’-]*)+[{_UPPER}.]:
        (?=[^\W\d_]|[“"«¿¡(])
    )""",
    re.VERBOSE,
)
# A thematic break ("---"), the turn separator of the archived stenographic versions of
# the Mexican presidency's conferences, which put the speaker on the next line, with no
# colon: "---", then "INTERLOCUTORA" or "PRESIDENTE ANDRÉS MANUEL LÓPEZ OBRADOR", then the
# turn.
_BREAK = r"[^\S\n]*(?:-{3,}|\*{3,}|_{3,})[^\S\n]*"
_BREAK_LINE = re.compile(rf"^{_BREAK}$")
SEPARATED_LABEL = re.compile(
    rf"(?:^|\n){_BREAK}\n(?:[^\S\n]*\n)*"
    rf"[^\S\n]*([{_UPPER}](?:[{_UPPER}.,'’-]|[ \u00a0](?=[{_UPPER}])){{1,118}})[^\S\n]*$"
)
_LIST_ITEM = re.compile(r"^[^\S\n]*(?:[-*+]|\d{1,3}[.)])[^\S\n]+\S")
_MD_COMMENT = re.compile(r"^<!--.*?-->$", re.DOTALL)
# Interface words that a page shows on a line of their own.
_UI_LINE = re.compile(
    r"^(?:advertisement|hide|show(?:\ more|\ less)?|read\ more|skip\ to\ (?:main\ )?content"
    r"|tags|print|menu)$",
    re.IGNORECASE | re.VERBOSE,
)
# A link to another article, under its label ("Te puede interesar: ...", "Lee también: ...",
# "Read more: ..."): the label and then the other article's headline.
_RELATED_LINK = re.compile(
    r"^(?:te\ puede\ interesar|le\ puede\ interesar|lee\ tambi[eé]n|lea\ tambi[eé]n|sigue\ leyendo"
    r"|te\ recomendamos|noticia\ relacionada|ver\ tambi[eé]n|read\ more|related|see\ also"
    r"|also\ read|you\ may\ also\ like)\s*[:|»>–—-]",
    re.IGNORECASE | re.VERBOSE,
)
# Syndication and rights notices at the foot of a page, and the banner of U.S. government
# sites ("An official website of the United States government", "Share sensitive information
# only on official, secure websites.").
_NOTICE = re.compile(
    r"""\b(?:published\ this\ content\ on
      | is\ solely\ responsible\ for\ the\ (?:information|content)
      | unedited\ and\ unaltered
      | all\ rights\ reserved
      | if\ you\ believe\ the\ information\b.{0,80}\binaccurate
      | official\ website\ of\ the\ united\ states\ government
      | share\ sensitive\ information\ only\ on\ official
      | websites\ use\ https
      | website\ belongs\ to\ an\ official\ government\ organization
      | safely\ connected\ to\ the
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# The words of the notices, in lower case: a line holds a notice only if its lower-cased
# text contains one of them (see _has_notice).
_NOTICE_WORDS: tuple[str, ...] = (
    "published this content on",
    "is solely responsible for the",
    "unedited and unaltered",
    "all rights reserved",
    "if you believe the information",
    "official website of the united states government",
    "share sensitive information only on official",
    "websites use https",
    "website belongs to an official government organization",
    "safely connected to the",
)
# Letters that match an ASCII letter of _NOTICE when case is ignored but that str.lower()
# leaves different (dotted and dotless i, long s).
_FOLDS_TO_ASCII = "\u0130\u0131\u017f"
# Words glued together where a page's links lost their separators
# ("HomeOffice of the SpokespersonPress Releases"); names like McDonald do not qualify.
# Each match is one whole whitespace-separated word; the pattern starts with the capital
# (the look-behind then checks that nothing but space precedes it) so that the search skips
# ahead from capital to capital.
_GLUED_WORD = re.compile(
    rf"[{_UPPER}](?<![^\s][{_UPPER}])[a-záéíóúñü]{{2,}}[{_UPPER}][a-záéíóúñü]+(?!\S)"
)
# Hard wraps: at least this many wrapped lines, 40 to 100 characters wide, mostly near
# that width.
_MIN_WRAPPED_LINES = 3
_MIN_WRAP_WIDTH = 40
_MAX_WRAP_WIDTH = 100
_WRAP_SLACK = 20
_NEAR_WIDTH_SHARE = 0.6
_RUNNING_SHARE = 0.5
# A text that keeps one paragraph per line has many lines far longer than any wrap width
# (a caption or a deck of 80 characters between paragraphs of 500 is no wrap).
_OVERLONG = 40
_OVERLONG_SHARE = 0.25


def is_chrome_line(line: str) -> bool:
    """Is this line (or sentence) page chrome?

    Chrome is a Markdown comment, an interface word on its own ("hide", "Advertisement"),
    a trail of links glued together, a link to another article under its label ("Te puede
    interesar: ..."), or a syndication or rights notice.

    Examples
    --------
    >>> [is_chrome_line(s) for s in ("<!-- -->", "hide", "HomeOffice of the SpokespersonPress",
    ...                              "Mexico agreed.", "McDonald and DeSantis")]
    [True, True, True, False, False]
    >>> [is_chrome_line(s) for s in ("Te puede interesar: Trump anuncia aranceles contra México",
    ...                              "Related to the tariffs, Mexico agreed to talks.")]
    [True, False]
    """
    return _is_chrome(line.strip())


# Cleaning and segmentation ask about the same lines several times.
@functools.lru_cache(maxsize=1024)
def _is_chrome(s: str) -> bool:
    if _MD_COMMENT.match(s) or _UI_LINE.match(s) or _RELATED_LINK.match(s) or _has_notice(s):
        return True
    return not _strip_closers(s).endswith(tuple(_TERMINALS)) and _has_two(_GLUED_WORD, s)


def _has_notice(s: str) -> bool:
    """``_NOTICE.search(s)``, skipping the search when none of its words is in the text."""
    low = s.lower()
    if any(words in low for words in _NOTICE_WORDS) or any(ch in s for ch in _FOLDS_TO_ASCII):
        return _NOTICE.search(s) is not None
    return False


def _has_two(pattern: re.Pattern[str], s: str) -> bool:
    matches = pattern.finditer(s)
    return next(matches, None) is not None and next(matches, None) is not None


def item_text_column(line: str) -> int | None:
    """Where the text of the list item this line opens starts, or None if it opens none.

    Examples
    --------
    >>> [item_text_column(s) for s in ("-   President Trump", "  2. Second", "Text")]
    [4, 5, None]
    """
    m = _LIST_ITEM.match(line)
    return m.end() - 1 if m else None


def starts_block(line: str) -> bool:
    """Does this line open a new block even without a blank line before it?

    List items, Markdown headings, speaker turns and chrome lines do.

    Examples
    --------
    >>> [starts_block(s) for s in ("-   25% tariffs", "MS. LEAVITT:  Hi.", "## Head", "borders.")]
    [True, True, True, False]
    """
    return bool(
        _LIST_ITEM.match(line)
        or _MD_HEADING.match(line.lstrip())
        or SPEAKER_LABEL.match(line)
        or is_chrome_line(line)
    )


def _ends_sentence(line: str) -> bool:
    core = _strip_closers(line.rstrip())
    return bool(core) and core[-1] in _TERMINALS


def hard_wrap_width(text: str) -> int | None:
    """The column a hard-wrapped text is wrapped at, or None if it is not hard-wrapped.

    A text is hard-wrapped (fact sheets and transcripts wrapped at 72 columns, say) when at
    least three of its lines run on into the next line of the same paragraph or list item,
    40 to 100 characters wide, most of those lines end near a common width (the 90th
    percentile of their lengths, minus 20 characters at most; lines under 20 characters,
    bylines and link stubs, left out), at least half of them stop mid-sentence, and no more
    than a quarter of its lines run over 40 characters past that width. Articles that keep
    one paragraph per line are not hard-wrapped, even with short captions or decks between
    their paragraphs.

    Parameters
    ----------
    text : str
        A document text.

    Returns
    -------
    int or None
        The wrap width in characters (trailing whitespace not counted), or None.

    Examples
    --------
    >>> para = "The Senate has already confirmed five of the nominees: the Secretary\\n"
    >>> hard_wrap_width(para * 3 + "of State and others.")
    68
    >>> hard_wrap_width("One paragraph per line.\\nAnother one.\\nAnd a third.\\nEnd.") is None
    True
    """
    lines = text.split("\n")
    pairs = [
        (cur, nxt)
        for cur, nxt in zip(lines, lines[1:], strict=False)
        if cur.strip() and nxt.strip() and not starts_block(nxt)
    ]
    if len(pairs) < _MIN_WRAPPED_LINES:
        return None
    # short lines (a byline, a date, "[[link removed]]", "*") say nothing of the width
    lengths = sorted(
        n for cur, _ in pairs if (n := len(cur.rstrip())) >= _MIN_WRAP_WIDTH // 2
    )
    if len(lengths) < _MIN_WRAPPED_LINES:
        return None
    width = lengths[(9 * (len(lengths) - 1)) // 10]
    if not _MIN_WRAP_WIDTH <= width <= _MAX_WRAP_WIDTH:
        return None
    full = [n for ln in lines if (n := len(ln.rstrip())) >= _MIN_WRAP_WIDTH // 2]
    if sum(n > width + _OVERLONG for n in full) > _OVERLONG_SHARE * len(full):
        return None
    near = sum(n >= width - _WRAP_SLACK for n in lengths) / len(lengths)
    running = sum(not _ends_sentence(cur) or _starts_lowercase(nxt) for cur, nxt in pairs) / len(
        pairs
    )
    return width if near >= _NEAR_WIDTH_SHARE and running >= _RUNNING_SHARE else None


def _inline_pass(text: str, removed: list[dict[str, str]]) -> str:
    def unlink(m: re.Match[str]) -> str:
        removed.append({"kind": "markdown_link", "text": m.group(0)})
        return m.group(1)

    def unescape(m: re.Match[str]) -> str:
        removed.append({"kind": "escape", "text": m.group(0)})
        return m.group(1)

    text = _MD_LINK.sub(unlink, text)
    return _MD_ESCAPE.sub(unescape, text)


def _item_runs_on(lines: list[str], i: int) -> bool:
    """Does the list item opened on line ``i`` run on into an indented next line?

    Such a line is the start of a sentence ("-   President" before "    Trump signed the
    Laken Riley Act"), however short and often it recurs: never a page header.
    """
    if not _LIST_ITEM.match(lines[i]) or i + 1 >= len(lines):
        return False
    nxt = lines[i + 1]
    return nxt[:2] == "  " and bool(nxt.strip()) and not starts_block(nxt)


def _line_pass(text: str, removed: list[dict[str, str]]) -> str:
    wrapped = hard_wrap_width(text) is not None
    raw_lines = text.split("\n")
    lines = [ln.rstrip() for ln in raw_lines]
    if wrapped:
        # Keep a Markdown hard break (two trailing spaces) inside a paragraph: it ends a unit.
        for i, ln in enumerate(raw_lines[:-1]):
            if lines[i].strip() and ln.endswith("  ") and lines[i + 1].strip():
                lines[i] += "  "

    # 1. Site furniture and hashtag lines.
    kept: list[str] = []
    for ln in lines:
        s = ln.strip()
        if s and _FOOTER_LINE.match(s):
            removed.append({"kind": "footer", "text": s})
        elif s and _NAVIGATION_LINE.match(s):
            removed.append({"kind": "navigation", "text": s})
        elif s and _HASHTAG_LINE.match(s):
            removed.append({"kind": "hashtags", "text": s})
        else:
            kept.append(ln)
    lines = kept

    # 2. Page headers: a heading-like line (not starting in lower case, so never a wrapped
    # piece of prose) that repeats in the document (all copies but a title on the first
    # line), or that interrupts a sentence: it sits between a line that stops mid-sentence
    # and one that continues it in lower case, and looks like a header (a markdown heading,
    # capitals only, or set off by blank lines). A speaker's turn ("Q    Karoline —"), a
    # Markdown comment, a turn separator ("---") and the label on the line after one
    # ("INTERLOCUTORA", "PRESIDENTE ANDRÉS MANUEL LÓPEZ OBRADOR") repeat without being
    # headers.
    content = [i for i, ln in enumerate(lines) if ln.strip()]
    after_break = {
        content[k + 1] for k in range(len(content) - 1) if _BREAK_LINE.match(lines[content[k]])
    }
    header_like = {
        i
        for i in content
        if _is_heading_line(lines[i])
        and not _starts_lowercase(lines[i])
        and not SPEAKER_LABEL.match(lines[i])
        and not _MD_COMMENT.match(lines[i].strip())
        and not _BREAK_LINE.match(lines[i])
        and i not in after_break
        and not _item_runs_on(lines, i)
    }
    counts = Counter(lines[i].strip() for i in header_like)
    drop: set[int] = set()
    for pos, i in enumerate(content):
        if i not in header_like:
            continue
        s = lines[i].strip()
        repeated = counts[s] > 1 and pos > 0
        set_off = (
            _MD_HEADING.match(s) is not None
            or (s.upper() == s and any(ch.isalpha() for ch in s))
            or (not lines[i - 1].strip() and i + 1 < len(lines) and not lines[i + 1].strip())
        )
        interrupts = (
            set_off
            and 0 < pos < len(content) - 1
            and _is_dangling(lines[content[pos - 1]])
            and _starts_lowercase(lines[content[pos + 1]])
        )
        if repeated or interrupts:
            drop.add(i)
            removed.append({"kind": "page_header", "text": s})
    lines = [ln for i, ln in enumerate(lines) if i not in drop]

    # 3. Join lines broken inside a sentence (PDF line and page breaks). A hard-wrapped text
    # keeps its lines: segmentation reads its wraps as soft.
    out: list[str] = []
    gap: list[str] = []  # blank lines seen since the last content line
    for ln in lines:
        if not ln.strip():
            gap.append(ln)
            continue
        if (
            not wrapped
            and out
            and _starts_lowercase(ln)
            and _is_dangling(out[-1])
            and not is_chrome_line(ln)
        ):
            last_word = out[-1].rsplit(maxsplit=1)[-1]
            nxt = ln.lstrip()
            brk = "\n" * (len(gap) + 1)
            first_word = nxt.split(maxsplit=1)[0]
            removed.append({"kind": "line_break", "text": f"{last_word}{brk}{first_word}"})
            # only the end of the line can match (it grows with each join)
            hyphenated = _LETTER_HYPHEN.search(out[-1][-3:]) is not None
            out[-1] = out[-1] + ("" if hyphenated else " ") + nxt
        else:
            out.extend(gap)
            out.append(ln)
        gap = []
    text = "\n".join(out)
    # Blank-line runs collapse to one blank line; no leading or trailing blank lines.
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n").strip()


def clean_text(text: str) -> tuple[str, list[dict[str, str]]]:
    """Remove web and PDF debris from an article, recording every removal.

    Rules, applied until the text no longer changes (so cleaning is idempotent):

    * markdown link syntax around text is unwrapped: ``[text](#)`` -> ``text``;
    * markdown escapes lose their backslash: ``\\$`` -> ``$``, ``\\(`` -> ``(``;
    * whole lines that are subscription or share footers, "Back to homepage" links, or only
      hashtags are removed;
    * a page header is removed when it interrupts a sentence or repeats in the document;
    * a line that stops mid-sentence is joined to the next line when that line continues
      in lower case (PDF line and page breaks);
    * line endings become ``\\n``, trailing spaces and extra blank lines go.

    Parameters
    ----------
    text : str
        Raw article text (front matter already removed).

    Returns
    -------
    tuple[str, list[dict[str, str]]]
        The cleaned text and the removals in the order they were made, each a dict with
        ``kind`` (``markdown_link``, ``escape``, ``footer``, ``navigation``, ``hashtags``,
        ``page_header``, ``line_break``) and ``text`` (what was removed or rewritten; for a
        line break, the break with one word either side).

    Examples
    --------
    >>> cleaned, removed = clean_text("Tariffs hit \\\\$5 [billion](#) of goods.\\n#Mexico #US")
    >>> cleaned
    'Tariffs hit $5 billion of goods.'
    >>> [r["kind"] for r in removed]
    ['markdown_link', 'escape', 'hashtags']
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    removed: list[dict[str, str]] = []
    while True:
        new = _line_pass(_inline_pass(text, removed), removed)
        if new == text:
            return new, removed
        text = new


# --------------------------------------------------------------------------------------------
# Metadata: front matter, manifest, inference
# --------------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)

_MONTHS: dict[str, int] = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan", "enero", "ene"),
            ("february", "feb", "febrero"),
            ("march", "mar", "marzo"),
            ("april", "apr", "abril", "abr"),
            ("may", "mayo"),
            ("june", "jun", "junio"),
            ("july", "jul", "julio"),
            ("august", "aug", "agosto", "ago"),
            ("september", "sep", "sept", "septiembre", "setiembre"),
            ("october", "oct", "octubre"),
            ("november", "nov", "noviembre"),
            ("december", "dec", "diciembre", "dic"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?:de\s+)?(?P<m1>{_MONTH_RE})\.?,?\s+(?:de\s+)?(?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH_RE})\.?\s+(?P<d2>\d{{1,2}}),?\s+(?P<y2>\d{{4}})"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))\b",
    re.IGNORECASE,
)
# The look-ahead for the first letters of the months only saves trying every month name
# at every word.
_MONTH_INITIALS = "".join(sorted({name[0] for name in _MONTHS}))
_MONTH_DATE = re.compile(
    rf"\b(?=[{_MONTH_INITIALS}])(?P<m>{_MONTH_RE})\.?\s+(?:de\s+|of\s+)?(?P<y>\d{{4}})\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|scheduled|expires?|until|upcoming|due|deadline|next|faces|review|"
    r"se\ realizará|vence|hasta|próxim[oa])\b",
    re.IGNORECASE,
)
_ISO_VALUE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LANGUAGE_VALUE = re.compile(r"^[a-z]{2,3}$")

_STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "with", "for", "has", "was", "on"},
    "es": {"el", "la", "de", "que", "y", "los", "las", "del", "por", "con", "para", "una", "es"},
}


def _parse_published(value: str) -> tuple[str, dt.date | None, str] | None:
    """``'2026-01-20' | '2026-01' | '2026' | ''`` -> (iso, date, precision); None if invalid."""
    value = value.strip()
    if not value:
        return "", None, "unknown"
    m = _ISO_VALUE.match(value)
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        date = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    precision = "day" if day else "month" if month else "year"
    return value, date, precision


def parse_front_matter(text: str, *, name: str = "<text>") -> tuple[dict[str, str], str]:
    """Split a YAML front-matter block off the top of an article.

    Parameters
    ----------
    text : str
        Article text, possibly starting with ``---`` / YAML / ``---``.
    name : str, keyword-only
        File name used in error messages.

    Returns
    -------
    tuple[dict[str, str], str]
        Metadata (keys among source, title, author, published, date_precision, date_basis,
        language, url; values as strings) and the text after the block.

    Raises
    ------
    CorpusError
        If the YAML is invalid, not a mapping, or uses an unknown key.

    Examples
    --------
    >>> meta, body = parse_front_matter("---\\ntitle: Hola\\npublished: 2026-01\\n---\\nTexto.")
    >>> meta, body
    ({'title': 'Hola', 'published': '2026-01'}, 'Texto.')
    """
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    block = m.group(1) or ""
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 2}" if mark is not None else ""
        raise CorpusError(
            f"{name}{where}: the front matter is not valid YAML ({getattr(exc, 'problem', exc)}); "
            "write one 'key: value' per line between two '---' lines"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CorpusError(
            f"{name}: the front matter must be a mapping of 'key: value' lines, "
            f"got {type(data).__name__}; allowed keys: {', '.join(METADATA_KEYS)}"
        )
    unknown = sorted(str(k) for k in data if k not in METADATA_KEYS)
    if unknown:
        raise CorpusError(
            f"{name}: unknown front-matter key(s) {', '.join(map(repr, unknown))}; "
            f"allowed keys: {', '.join(METADATA_KEYS)}"
        )
    meta = {
        str(k): (v.isoformat() if isinstance(v, dt.date) else "" if v is None else str(v)).strip()
        for k, v in data.items()
    }
    return meta, text[m.end() :]


def _check_metadata(
    meta: dict[str, str], where: str, line: int | None, columns: dict[str, int] | None
) -> None:
    """Validate published / date_precision / language values (manifest row or front matter)."""

    def fail(key: str, message: str) -> None:
        col = f", column {key!r}" + (f" ({columns[key]})" if columns and key in columns else "")
        if line is None:
            raise CorpusError(f"{where}{col}: {message}")
        raise ManifestError(f"{where}, line {line}{col}: {message}", line=line, column=key)

    published = meta.get("published", "")
    parsed = _parse_published(published)
    if parsed is None:
        fail(
            "published",
            f"{published!r} is not a date; use YYYY-MM-DD, YYYY-MM (month known) or YYYY, "
            "or leave it empty to infer it from the text",
        )
    precision = meta.get("date_precision", "")
    if precision and precision not in PRECISIONS:
        fail("date_precision", f"{precision!r} is not allowed; use one of {', '.join(PRECISIONS)}")
    if precision and published and precision != parsed[2]:
        fail(
            "date_precision",
            f"{precision!r} does not match published {published!r} (which has {parsed[2]} "
            "precision); give the date as YYYY-MM-DD for day, YYYY-MM for month, YYYY for year",
        )
    language = meta.get("language", "")
    if language and not _LANGUAGE_VALUE.match(language):
        fail("language", f"{language!r} is not a language code; use e.g. 'en' or 'es'")


def _infer_language(text: str) -> str:
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    return "es" if scores["es"] > scores["en"] else "en"


def _infer_title(text: str) -> str:
    for line in text.split("\n"):
        s = re.sub(r"^#{1,6}\s+", "", line.strip()).strip("*").strip()
        if s:
            words = s.split()
            return s if len(words) <= 25 else " ".join(words[:12]) + " …"
    return ""


def _infer_date(text: str) -> tuple[str, str, str]:
    """(published, precision, basis) from a dateline, else the latest month mentioned."""
    for line in text.split("\n"):
        if _n_tokens(line, 13) > 12:
            continue
        m = _DAY_DATE.search(line)
        if m:
            g = m.groupdict()
            y, mo, d = (
                g["y1"] or g["y2"] or g["y3"],
                g["m1"] or g["m2"] or g["m3"],
                g["d1"] or g["d2"] or g["d3"],
            )
            month = int(mo) if mo.isdigit() else _MONTHS[mo.lower()]
            try:
                date = dt.date(int(y), month, int(d))
            except ValueError:
                continue
            return date.isoformat(), "day", f"inferred: dateline {m.group(0)!r} in the text"
    best: tuple[int, int] | None = None
    best_raw = ""
    for m in _MONTH_DATE.finditer(text):
        # A scheduled event ("the review due in July 2026") says nothing about publication.
        left = max(text.rfind(". ", 0, m.start()), text.rfind("\n", 0, m.start())) + 1
        right = text.find(". ", m.end())
        if _FUTURE.search(text[left : right if right >= 0 else len(text)]):
            continue
        key = (int(m.group("y")), _MONTHS[m.group("m").lower()])
        if best is None or key > best:
            best, best_raw = key, m.group(0)
    if best is not None:
        return (
            f"{best[0]:04d}-{best[1]:02d}",
            "month",
            f"inferred: latest month the text mentions as past ({best_raw!r}); "
            "publication is that month or later",
        )
    return "", "unknown", "inferred: no date found in the text"


def _read_manifest(
    seeds_dir: Path, on_error: str, skipped: list[tuple[str, str]]
) -> dict[str, tuple[dict[str, str], int]]:
    """file name -> (metadata, line). Whole-manifest problems always raise."""
    path = seeds_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    where = _display(path, seeds_dir)
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"{where}: is not valid UTF-8 (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}); save the manifest as UTF-8 CSV"
        ) from None
    reader = csv.reader(io.StringIO(raw, newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ManifestError(
            f"{where}: is empty; the first line must be a header with at least the columns "
            f"{', '.join(MANIFEST_REQUIRED)}"
        )
    header = [h.strip() for h in header]
    missing = [c for c in MANIFEST_REQUIRED if c not in header]
    if missing:
        raise ManifestError(
            f"{where}, line 1: missing required column(s) {', '.join(map(repr, missing))}; "
            f"the header must name {', '.join(MANIFEST_REQUIRED)} "
            f"(optional: {', '.join(MANIFEST_OPTIONAL)})",
            line=1,
            column=missing[0],
        )
    dupes = sorted(c for c, n in Counter(header).items() if n > 1 and c)
    if dupes:
        raise ManifestError(
            f"{where}, line 1: column(s) {', '.join(map(repr, dupes))} appear more than once; "
            "name each column once",
            line=1,
            column=dupes[0],
        )
    columns = {name: i + 1 for i, name in enumerate(header)}
    rows: dict[str, tuple[dict[str, str], int]] = {}
    line = reader.line_num
    for values in reader:
        start_line, line = line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        try:
            if len(values) != len(header):
                raise ManifestError(
                    f"{where}, line {start_line}: has {len(values)} fields but the header has "
                    f"{len(header)}; quote values that contain commas",
                    line=start_line,
                )
            record = {k: v.strip() for k, v in zip(header, values, strict=True)}
            meta = {k: record.get(k, "") for k in METADATA_KEYS}
            name = record["file"]
            if not name:
                raise ManifestError(
                    f"{where}, line {start_line}, column 'file' ({columns['file']}): is empty; "
                    "give the article's file name, e.g. 000_example.txt",
                    line=start_line,
                    column="file",
                )
            if name in rows:
                raise ManifestError(
                    f"{where}, line {start_line}, column 'file' ({columns['file']}): {name!r} is "
                    f"already described on line {rows[name][1]}; keep one row per article",
                    line=start_line,
                    column="file",
                )
            target = seeds_dir / name
            if Path(name).name != name or not target.is_file():
                raise ManifestError(
                    f"{where}, line {start_line}, column 'file' ({columns['file']}): names "
                    f"{name!r}, which is not a file in {_display(seeds_dir, seeds_dir)}; add the "
                    "file or remove the row",
                    line=start_line,
                    column="file",
                )
            if target.suffix.lower() not in ARTICLE_SUFFIXES:
                raise ManifestError(
                    f"{where}, line {start_line}, column 'file' ({columns['file']}): {name!r} is "
                    f"not an article file; articles end in {', '.join(ARTICLE_SUFFIXES)}",
                    line=start_line,
                    column="file",
                )
            _check_metadata(meta, where, start_line, columns)
        except ManifestError as exc:
            if on_error == "raise":
                raise
            skipped.append((f"{where}, line {start_line}", f"{exc} (row ignored)"))
            continue
        rows[name] = (meta, start_line)
    return rows


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


def _display(path: Path, seeds_dir: Path) -> str:
    """Path relative to the seeds folder's parent when possible, else as given."""
    try:
        return path.relative_to(seeds_dir.parent).as_posix()
    except ValueError:
        return path.as_posix()


def _is_article(path: Path) -> bool:
    return (
        path.is_file()
        and path.suffix.lower() in ARTICLE_SUFFIXES
        and not path.name.startswith(".")
        and not path.stem.upper().startswith("README")
    )


def _is_ignored(path: Path) -> bool:
    """A top-level file that is not read and not expected to be: not an article, the
    manifest, a README or a hidden file (a ``.docx`` or ``.pdf`` article, say)."""
    return (
        not path.is_dir()
        and not _is_article(path)
        and path.name != MANIFEST_NAME
        and not path.name.startswith(".")
        and not path.stem.upper().startswith("README")
    )


def _ignored_list(paths: list[Path], seeds_dir: Path) -> str:
    return ", ".join(
        _display(p, seeds_dir) + ("" if p.exists() else " (a broken link)") for p in paths
    )


def _external_target(path: Path, root: Path) -> Path | None:
    """Where ``path`` really is, when a symbolic link takes it outside ``root``."""
    target = path.resolve()
    return None if target.is_relative_to(root) else target


# Byte-order marks of the encodings Windows tools save as "Unicode".
_WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
# Bytes sampled to recognise UTF-16 without a byte-order mark.
_WIDE_SAMPLE = 4096
# Share of the bytes at odd (little-endian) or even (big-endian) offsets that must be NUL,
# as they are for text in a Latin script, with (almost) none at the other offsets.
_WIDE_NUL_SHARE = 0.3


def _wide_encoding(raw: bytes) -> tuple[str, bool] | None:
    """``("UTF-16", True)`` for UTF-16 or UTF-32 with a byte-order mark, ``("UTF-16LE",
    False)`` or ``("UTF-16BE", False)`` for UTF-16 recognised by its NUL bytes, else None."""
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            return name, True
    sample = raw[: _WIDE_SAMPLE - _WIDE_SAMPLE % 2]
    half = len(sample) // 2
    if half < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= _WIDE_NUL_SHARE * half and even <= odd // 20:
        return "UTF-16LE", False
    if even >= _WIDE_NUL_SHARE * half and odd <= even // 20:
        return "UTF-16BE", False
    return None


def _decode(raw: bytes, where: str) -> str:
    if not raw.strip():
        raise CorpusError(
            f"{where}: is empty; an article needs text (UTF-8 .txt or .md, or an .html page)"
        )
    wide = _wide_encoding(raw)
    if wide is not None:
        encoding, has_bom = wide
        how = "byte-order mark" if has_bom else "NUL byte between letters"
        name = where.rsplit("/", 1)[-1]
        raise CorpusError(
            f"{where}: is {encoding} text ({how}), not UTF-8; articles must be UTF-8. Convert "
            f"it, e.g. iconv -f {encoding} -t UTF-8 {name} > {name}.tmp && mv {name}.tmp {name}, "
            "or re-save it as UTF-8 in your editor"
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise CorpusError(
            f"{where}: looks like a binary file (NUL byte at offset {nul}); articles must be "
            "UTF-8 text (.txt, .md) or HTML (.html)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CorpusError(
            f"{where}: is not valid UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}, "
            f"line {line}); re-save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


def _extract_html(html: str, where: str) -> tuple[str, dict[str, str]]:
    """Main text and page metadata of an HTML article (offline, no network)."""
    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False
    )
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        raise CorpusError(
            f"{where}: no article text could be extracted from the HTML; give the page's "
            "article body (paragraphs in <p> or <article>), or save the article as .txt"
        )
    meta = {
        "title": getattr(doc, "title", None) or "",
        "author": getattr(doc, "author", None) or "",
        "source": getattr(doc, "sitename", None) or "",
        "url": getattr(doc, "url", None) or "",
        "published": getattr(doc, "date", None) or "",
    }
    return body, {k: str(v).strip() for k, v in meta.items()}


def _n_words(text: str) -> int:
    """Whitespace-separated tokens with at least one letter or digit."""
    return len(text.split()) - len(_NON_WORD.findall(text))


def _build_record(
    path: Path,
    raw: bytes,
    text: str,
    manifest_meta: dict[str, str] | None,
    seeds_dir: Path,
) -> dict[str, object]:
    where = _display(path, seeds_dir)
    front, body = parse_front_matter(text, name=where)
    if front:
        _check_metadata(front, f"{where} (front matter)", None, None)

    html_meta: dict[str, str] = {}
    if path.suffix.lower() in (".html", ".htm"):
        body, html_meta = _extract_html(body, where)
    cleaned, removed = clean_text(body)
    if not cleaned.strip():
        raise CorpusError(
            f"{where}: has no article text after cleaning (only front matter or page debris); "
            "an article needs at least one sentence"
        )

    given: dict[str, str] = {}
    for layer in (manifest_meta or {}, front):
        given.update({k: v for k, v in layer.items() if v})

    title = given.get("title") or html_meta.get("title") or _infer_title(cleaned)
    source = given.get("source") or html_meta.get("source") or UNKNOWN_SOURCE
    author = given.get("author") or html_meta.get("author", "")
    url = given.get("url") or html_meta.get("url", "")
    language = given.get("language") or _infer_language(cleaned)
    date: dt.date | None
    # The date, its precision and its basis come together from the layer that gives the date.
    dated = next((layer for layer in (front, manifest_meta or {}) if layer.get("published")), None)
    if dated is not None:
        iso, date, precision = _parse_published(dated["published"])  # type: ignore[misc]
        basis = dated.get("date_basis") or ("front matter" if dated is front else "manifest")
    else:
        parsed = _parse_published(html_meta.get("published", "")) if html_meta else None
        if parsed and parsed[1] is not None:
            iso, date, precision = parsed
            basis = "inferred: HTML page metadata"
        else:
            iso, precision, basis = _infer_date(cleaned)
            date = _parse_published(iso)[1]  # type: ignore[index]
    inferred = "title" not in given or "published" not in given

    return {
        "doc_id": path.stem,
        "path": where,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "source": source,
        "title": title,
        "author": author,
        "published": iso,
        "published_date": date,
        "date_precision": precision,
        "date_basis": basis,
        "language": language,
        "url": url,
        "metadata_inferred": inferred,
        "text": cleaned,
        "n_words": _n_words(cleaned),
        "removed": removed,
    }


def _warn_skipped(skipped: Iterable[tuple[str, str]]) -> None:
    items = list(skipped)
    if items:
        lines = "\n".join(f"  - {name}: {reason}" for name, reason in items)
        warnings.warn(
            f"load_corpus skipped {len(items)} item(s):\n{lines}", CorpusWarning, stacklevel=3
        )


def _warn_ignored(ignored: list[Path], seeds_dir: Path) -> None:
    if ignored:
        warnings.warn(
            f"load_corpus ignored {len(ignored)} file(s) that are not articles: "
            f"{_ignored_list(ignored, seeds_dir)}; it reads {', '.join(ARTICLE_SUFFIXES)} files "
            "(UTF-8 text or HTML). Save a Word or PDF article as .txt (e.g. pdftotext "
            "article.pdf) to include it, or move the file out of the folder",
            CorpusWarning,
            stacklevel=3,
        )


def _today() -> dt.date:
    return dt.date.today()


def _warn_future(records: list[dict[str, object]]) -> None:
    today = _today()
    future = [r for r in records if r["published_date"] is not None and r["published_date"] > today]
    if future:
        lines = "\n".join(
            f"  - {r['path']}: published {r['published']!r} ({r['date_basis']})" for r in future
        )
        warnings.warn(
            f"load_corpus: {len(future)} article(s) have a publication date after today "
            f"({today.isoformat()}):\n{lines}\nCheck the date in {MANIFEST_NAME} or the front "
            "matter; a publication date is today or earlier (YYYY-MM-DD, YYYY-MM or YYYY)",
            CorpusWarning,
            stacklevel=3,
        )


def load_corpus(
    seeds_dir: str | Path = SEEDS_DIR,
    *,
    on_error: Literal["raise", "skip"] = "raise",
    follow_external_links: bool = False,
) -> pl.DataFrame:
    """Read every article in a folder into the ``documents`` table.

    Top-level ``.txt``, ``.md`` and ``.html`` files are articles; sub-folders, hidden files,
    ``README*`` files and ``sources.csv`` are not. Metadata comes from ``sources.csv`` (columns
    file, source, title, published; optional author, date_precision, date_basis, language,
    url) and from a YAML front-matter block, which wins. An article described by neither
    still loads: its title and date are inferred from the text, ``metadata_inferred`` is
    True and ``date_basis`` says how the date was inferred.

    Parameters
    ----------
    seeds_dir : str or Path
        The corpus folder (default: the project's ``seeds/``).
    on_error : {"raise", "skip"}, keyword-only
        "raise" stops at the first bad file or manifest row with a :class:`CorpusError`.
        "skip" leaves bad files and rows out and emits one :class:`CorpusWarning` listing
        each of them and why. Problems with the folder or with the manifest as a whole
        (missing column) always raise.
    follow_external_links : bool, keyword-only
        Read an article that is a symbolic link to a file outside the corpus folder. By
        default such a link is refused (a :class:`CorpusError`, or skipped with "skip"), so
        that nothing outside the folder is published by accident.

    Returns
    -------
    polars.DataFrame
        The ``documents`` table (see ``DOCUMENTS_SCHEMA``), sorted by ``doc_id``; ``text`` is
        the cleaned text and ``removed`` lists what cleaning took out.

    Raises
    ------
    CorpusError
        Empty, non-UTF-8 or binary file; duplicate article; folder missing or without
        articles; any other failure while reading or cleaning a file (the message names
        it). :class:`ManifestError` (a CorpusError) for manifest problems, with ``line``
        and ``column``. Two files whose texts are the same after cleaning (one saved with
        Windows line endings, say) are a duplicate article too. UTF-16 files are refused
        with the command that converts them.

    Warns
    -----
    CorpusWarning
        One warning each for: files or manifest rows skipped with "skip"; files in the
        folder that are not articles (``.docx``, ``.pdf``: listed, not read); publication
        dates after today.

    Examples
    --------
    >>> from analysis.config import FIXTURES_DIR
    >>> docs = load_corpus(FIXTURES_DIR / "corpus")
    >>> docs.filter(pl.col("doc_id") == "en_numbers").select("source", "published").row(0)
    ('Example Monthly', '2026-01')
    >>> docs.filter(pl.col("doc_id") == "debris")["removed"].item()[0]
    {'kind': 'markdown_link', 'text': '[more arrests](#)'}
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    if not isinstance(follow_external_links, bool):
        raise ValueError(
            f"follow_external_links must be True or False, got {follow_external_links!r}"
        )
    seeds_dir = Path(seeds_dir)
    if not seeds_dir.exists():
        raise CorpusError(
            f"corpus folder {seeds_dir.as_posix()!r} does not exist; pass the folder that "
            "holds the article files (.txt, .md, .html)"
        )
    if not seeds_dir.is_dir():
        raise CorpusError(
            f"corpus folder {seeds_dir.as_posix()!r} is not a folder; pass the folder that "
            "holds the article files (.txt, .md, .html)"
        )
    entries = sorted(seeds_dir.iterdir(), key=lambda p: p.name)
    files = [p for p in entries if _is_article(p)]
    ignored = [p for p in entries if _is_ignored(p)]
    if not files:
        found = f"; found only {_ignored_list(ignored, seeds_dir)}" if ignored else ""
        raise CorpusError(
            f"corpus folder {seeds_dir.as_posix()!r} has no articles; expected top-level "
            f"{', '.join(ARTICLE_SUFFIXES)} files (sub-folders, README files and "
            f"{MANIFEST_NAME} are not articles){found}"
        )
    root = seeds_dir.resolve()

    skipped: list[tuple[str, str]] = []
    manifest = _read_manifest(seeds_dir, on_error, skipped)

    records: list[dict[str, object]] = []
    seen_hash: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    seen_id: dict[str, str] = {}
    for path in files:
        where = _display(path, seeds_dir)
        try:
            target = _external_target(path, root)
            if target is not None and not follow_external_links:
                raise CorpusError(
                    f"{where}: is a symbolic link to {target.as_posix()}, outside the corpus "
                    f"folder {root.as_posix()}; its text would be published with the corpus. "
                    "Copy the file into the folder, or pass follow_external_links=True to "
                    "read it"
                )
            raw = path.read_bytes()
            digest = hashlib.sha256(raw).hexdigest()
            if digest in seen_hash:
                raise CorpusError(
                    f"{where}: has the same content (sha256 {digest[:12]}…) as "
                    f"{seen_hash[digest]}; remove one of the two copies"
                )
            if path.stem in seen_id:
                raise CorpusError(
                    f"{where}: has the same doc_id {path.stem!r} as {seen_id[path.stem]}; "
                    "doc_id is the file name without its extension, so rename one of them"
                )
            text = _decode(raw, where)
            meta = manifest.get(path.name, (None, 0))[0]
            try:
                record = _build_record(path, raw, text, meta, seeds_dir)
            except CorpusError:
                raise
            except Exception as exc:
                # Whatever goes wrong inside a parser or the cleaning, say which file.
                raise CorpusError(
                    f"{where}: reading the article failed ({type(exc).__name__}: {exc}); "
                    "check this file's text, or leave it out with on_error='skip'"
                ) from exc
            cleaned = str(record["text"])
            if cleaned in seen_text:
                # Bytes that cleaning removes (CRLF line endings, a byte-order mark, trailing
                # spaces, markdown escapes) must not turn one article into two.
                raise CorpusError(
                    f"{where}: has the same text after cleaning as {seen_text[cleaned]} (the "
                    "bytes differ, e.g. in line endings, a byte-order mark, trailing spaces, "
                    "markdown escapes or front matter, but the article is the same); remove one "
                    "of the two copies"
                )
        except CorpusError as exc:
            if on_error == "raise":
                raise
            skipped.append((where, str(exc).removeprefix(f"{where}: ")))
            continue
        seen_hash[digest] = where
        seen_text[cleaned] = where
        seen_id[path.stem] = where
        records.append(record)

    _warn_ignored(ignored, seeds_dir)
    if not records:
        _warn_skipped(skipped)
        raise CorpusError(
            f"corpus folder {seeds_dir.as_posix()!r} has no loadable articles: every article "
            "file was skipped (see the warning); fix or remove the files listed there"
        )
    _warn_skipped(skipped)
    _warn_future(records)
    return pl.DataFrame(records, schema=DOCUMENTS_SCHEMA).sort("doc_id")
