"""Split cleaned documents into sentence units: ``documents`` -> ``sentences``.

A unit is a sentence or a standalone line (heading, title, byline, source tag). The rules
follow the gold standard's (``seeds/gold/README.md``, "Sentence splitting"):

* a line break ends a unit and blank lines give none, except in hard-wrapped text
  (``analysis.corpus.hard_wrap_width``: fact sheets and transcripts wrapped at a fixed
  column), where a single line break inside a paragraph or list item is a soft wrap;
  there a blank line, a new list item (``-``, ``*``, ``1.``), a heading, a speaker's
  turn, a chrome line or a two-space hard break ends the unit, and a unit's text keeps
  its inner line breaks; a Markdown list item's lines indented to its text continue it
  in any text (Pandoc wraps items inside links, whose removal leaves lines of any length);
* inside a line, sentencex (rule-based, per language) proposes boundaries, and the gold
  rules add those it leaves out (inside quotations, after a closing bracket or ``**``);
  a boundary stands only after ``.``, ``!``, ``?`` or ``…`` plus any closing ``”"’')]``
  or ``**``, and only if whitespace and then a capital letter, a digit, an opening quote
  or bracket, ``#``, ``*``, ``¿`` or ``¡`` come next;
* abbreviations never end a unit: titles (``Dr.``, ``Mr.``, ``Sr.``), ``e.g.``, single
  initials and dotted acronyms (``U.S.``, ``EE.UU.``); months written short (``Jan.``,
  ``ago.``) and ``No.`` only before a number ("35 years ago. Back then" is two);
  ``U.S.Mexico`` and ``3.6`` have no space after the dot, so they are never split;
* an omission mark ``(…)`` / ``(...)`` ends a unit only when a capital follows;
* a markdown heading line is one unit; a bold run-in heading (``**Conclusions.**``) and a
  wire source tag (``(MENAFN- The Rio Times)``) are split from the text that follows, but
  a bold label ending in a colon (``**DEALMAKER-IN-CHIEF:** President ...``) is not;
* a speaker label (``MS. LEAVITT:``, ``Q``, ``PRESIDENTA CLAUDIA SHEINBAUM PARDO:``) stays
  with the first sentence of the turn, and a turn is never a heading; a label alone on its
  line after a turn separator (``---``, then ``INTERLOCUTORA``, as the archived Mexican
  stenographic versions print turns) opens a turn too, the separator and the label being
  headings;
* ``is_heading`` also marks page chrome (``analysis.corpus.is_chrome_line``: Markdown
  comments, interface words, glued link trails, links to other articles under their label,
  syndication notices), Title Case lines, and the whole lines above a text's first unit of
  body text that do not end a sentence (its title and deck, up to 30 words; a text with no
  sentence end anywhere is all body), so none of it is coded; a line that ends in a colon
  is a heading only as a one-word or Title Case label ("Background:"): a clause leading
  into a list ("Duties imposed ... are now:") is a sentence and is coded, and so are the
  short lines after it, the items of its list (a page that lost its bullets: "debe
  basarse en:", then "Confianza mutua", "Colaboración sin subordinación"), up to the next
  sentence, label, Markdown heading or chrome line; so is an
  embedded post or a captioned photo whose sentence ends before its link, attribution or
  credit ("... Mexico.” pic.twitter.com/… — Name (@handle) January 9, 2026", "... a México.
  | Crédito: Presidencia/AP");
* no unit is longer than ``MAX_UNIT_CHARS`` (2,000 characters; the longest unit of the
  seeds and of real-dev has 587): a longer run without a sentence end (a table or a page
  flattened into one line) is cut at whitespace near the cap, after a comma, semicolon
  or colon where there is one, and ``split_sentences`` warns, naming the file.

Offsets are character offsets into ``documents.text``, so
``documents.text[start:end] == sentences.text`` for every row.

Unit agreement (``unit_agreement``, share of gold units reproduced exactly, ``(all)`` row):

============================  =====================  ===================
set                           before real-text work  now
============================  =====================  ===================
seeds, whitespace / markup    151 / 158 of 169       151 / 158 (same)
real-dev, whitespace          434 of 465 (0.933)     464 of 465 (0.998)
real-dev, markup              434 of 465 (0.933)     465 of 465 (1.000)
============================  =====================  ===================

The one real-dev miss with whitespace normalised is a unit whose markdown escapes
(``\\[``) cleaning removes. How to measure: see ``tests/fixtures/README.md``.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterator
from typing import Literal

import polars as pl
import sentencex

from analysis.corpus import (
    SEPARATED_LABEL,
    SPEAKER_LABEL,
    CorpusWarning,
    hard_wrap_width,
    is_chrome_line,
    item_text_column,
    starts_block,
)

__all__ = [
    "ABBREVIATIONS",
    "AGREEMENT_SCHEMA",
    "MAX_UNIT_CHARS",
    "NUMBER_ABBREVIATIONS",
    "SENTENCES_SCHEMA",
    "SegmentError",
    "segment_text",
    "split_sentences",
    "unit_agreement",
]


class SegmentError(RuntimeError):
    """Splitting one document failed; the message names the document."""


SENTENCES_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "sent_id": pl.Int64(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "text": pl.String(),
    "is_heading": pl.Boolean(),
    "speaker": pl.String(),
}

AGREEMENT_SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "n_gold": pl.Int64(),
    "n_matched": pl.Int64(),
    "share": pl.Float64(),
}

# The longest unit, in characters. Real sentences stay far below it (587 at most in the
# seeds and real-dev); a longer unit is a run without sentence ends and would be coded as
# one sentence of thousands of words.
MAX_UNIT_CHARS = 2000
_MIN_UNIT_CAP = 100
_CLAUSE_BREAK = re.compile(r"[,;:](?=\s)")
_SPACE = re.compile(r"\s")

_TERMINALS = ".!?…"
_CLOSERS = "”\"’')]*"
# Footnote references after a sentence's end ("… with the cartels.”[1] This bill …")
# belong to that sentence.
_FOOTNOTE = r"\[\d{1,3}\]"
_FOOTNOTES = re.compile(rf"(?:{_FOOTNOTE})+")
_TRAILING_FOOTNOTES = re.compile(rf"(?:{_FOOTNOTE})+$")
# What may open the next sentence (besides an upper-case letter or a digit).
_OPENERS = "“\"‘'«([#*¿¡"

# Lower-cased tokens, dot included, that never end a sentence.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # titles and ranks (English)
        "mr.", "mrs.", "ms.", "dr.", "prof.", "gen.", "lt.", "col.", "maj.", "capt.", "cmdr.",
        "sgt.", "adm.", "gov.", "sen.", "rep.", "pres.", "amb.", "sec.", "hon.", "rev.",
        "st.", "jr.", "sr.", "mt.", "ft.", "messrs.",
        # titles (Spanish)
        "sra.", "srta.", "dra.", "lic.", "ing.", "arq.", "mtro.", "mtra.", "gral.", "ud.",
        "uds.", "dña.", "d.",
        # Latin and reference
        "e.g.", "i.e.", "cf.", "vs.", "viz.", "approx.", "ca.", "vol.", "p.",
        "pp.", "fig.", "art.", "núm.", "pág.", "p.ej.", "aprox.",
    }
)  # fmt: skip
# Abbreviations only before a number ("No. 5", "Jan. 20", "15 ago. 2025"); elsewhere the
# word ends a sentence ("subordinación, intervencionismo, no. A México se le respeta.",
# "35 years ago. Back then", "en el mar. Luego"): months written short are words too.
NUMBER_ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "no.", "nos.",
        "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.",
        "nov.", "dec.", "ene.", "abr.", "ago.", "dic.",
    }
)  # fmt: skip
# Dotted acronyms (U.S., U.N., EE.UU.) and single initials (J.).
_ACRONYM = re.compile(r"^(?:[A-Za-z]{1,2}\.){2,}$|^[A-Z]\.$")
# The next part of an acronym written with a space ("EE. UU.", "FF. AA."): its first
# part ends no sentence.
_ACRONYM_PART = re.compile(r"^[A-Z]{1,2}\.$")
_NEXT_ACRONYM_PART = re.compile(r"[A-Z]{1,2}\.(?=[\s”\"’')\],;:]|$)")
# Clock times end sentences as ordinary words do.
_CLOCK = frozenset({"a.m.", "p.m."})
# Terminal clusters followed by whitespace. sentencex does not propose those inside a
# quotation or ending in ``)``, ``]`` or ``**``; the gold rules split there too.
_TERMINAL_CLUSTER = re.compile(rf"[.!?…]+[”\"’')\]*]*(?:{_FOOTNOTE})*(?=\s)")
# Units split off regardless of punctuation, at the start of a line.
_SOURCE_TAG = re.compile(r"^\([A-Z][A-Za-z]*\s*-\s*[^()\n]{1,60}\)(?=\s+\S)")
_RUN_IN_BOLD = re.compile(r"\*\*[^*\n]+\*\*(?=\s+\S)")
_MD_HEADING = re.compile(r"^#{1,6}\s")
_BOLD_ONLY = re.compile(r"^\*\*[^*]+\*\*$")
_HASHTAGS = re.compile(r"^#[^\W_][\w-]*(?:\s+#[^\W_][\w-]*)*$")
_MAX_HEADING_WORDS = 12
# A title or deck above a text's first sentence has at most this many words.
_MAX_TITLE_WORDS = 30
# A sentence's end anywhere in a text: a terminal and closing marks before a space or the end.
_SENTENCE_END = re.compile(rf"[.!?…][”\"’')\]*]*(?:{_FOOTNOTE})*(?:\s|$)")
# The tail of an embedded post after its sentence: its photo or link ("pic.twitter.com/…",
# an address) and its attribution ("— Name (@handle) January 9, 2026"); or a photo
# caption's credit after its sentence ("… a México. | Crédito: Presidencia/AP").
_EMBED_TAIL = re.compile(
    r"(?:(?:\s+(?:pic\.twitter\.com/\S+|https?://\S+))+(?:\s+[—–-]\s+[^\n]*\(@\w+\)[^\n]*)?"
    r"|\s+\|\s+[^|\n]{1,60})\s*$"
)
# Whitespace other than the plain space.
_OTHER_SPACE = re.compile(r"[^\S ]")
# Cleaning (escapes, link syntax) shortens wrapped lines: a line this close to the wrap
# width still counts as full.
_WRAP_TOLERANCE = 8
# A line that ends a sentence: a terminal plus any closing marks, then trailing space.
_TERMINAL_END = re.compile(rf"[.!?…][”\"’')\]*]*(?:{_FOOTNOTE})*\s*$")
# A line that ends in one of these stops mid-sentence: it is a fragment, not a heading.
_RUNNING_ENDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "from", "has", "have", "in", "of", "on",
     "or", "also", "that", "the", "to", "with"}
)  # fmt: skip


def _snap(line: str, end: int) -> int:
    """Move a proposed boundary back over spaces, then forward over closing marks and
    footnote references."""
    while end > 0 and line[end - 1].isspace():
        end -= 1
    while end < len(line) and line[end] in _CLOSERS:
        end += 1
    note = _FOOTNOTES.match(line, end)
    return note.end() if note else end


def _is_boundary(line: str, end: int) -> bool:
    """Does a unit end at ``end`` (just after its last closing mark)?"""
    if end <= 0 or end >= len(line) or not line[end].isspace():
        return False
    rest = line[end:].lstrip()
    if not rest:
        return False
    nxt = rest[0]
    # A transcript's aside opens with a dash set close to its first word ("Son en su
    # territorio. —No sé, General, si quiere comentar algo—."); a spaced dash is a
    # credit or a pause ("... to.... — Donald J. Trump (@realDonaldTrump)").
    aside = nxt == "—" and rest[1:2] != "" and (rest[1].isupper() or rest[1] in "¿¡")
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS or aside):
        return False
    head = _TRAILING_FOOTNOTES.sub("", line[:end])
    core = head.rstrip(_CLOSERS)
    if not core or core[-1] not in _TERMINALS:
        return False
    if core[-1] == "." and len(core) == len(head):
        token = core.rsplit(None, 1)[-1].lstrip("“\"‘'«([")
        low = token.lower()
        if low in ABBREVIATIONS or (low not in _CLOCK and _ACRONYM.match(token)):
            return False
        if _ACRONYM_PART.match(token) and _NEXT_ACRONYM_PART.match(rest):
            return False
        if low in NUMBER_ABBREVIATIONS and nxt.isdigit():
            return False
    return True


def _is_rust_panic(exc: BaseException) -> bool:
    """A panic inside sentencex's Rust code, raised as pyo3's PanicException."""
    return type(exc).__name__ == "PanicException" and type(exc).__module__ == "pyo3_runtime"


def _sentencex_ends(line: str, language: str) -> list[int]:
    """Boundary positions sentencex proposes for ``line``; none if it panics.

    sentencex panics on some Unicode (a no-break space before a full stop, as in
    "Donald J\u00a0. Trump"), so it gets the line with every whitespace character as a
    plain space: the same length, so its offsets still index ``line``. Should it panic
    anyway, the project's own rules (terminal clusters) still propose boundaries.
    """
    plain = _OTHER_SPACE.sub(" ", line)
    try:
        return [b["end_index"] for b in sentencex.get_sentence_boundaries(language, plain)]
    except BaseException as exc:  # PanicException derives from BaseException only
        if _is_rust_panic(exc):
            return []
        raise


def _line_boundaries(line: str, language: str) -> list[int]:
    """Unit end positions inside one line or block (its own end excluded)."""
    ends: set[int] = set()
    tag = _SOURCE_TAG.match(line)
    if tag:
        ends.add(tag.end())
    candidates = {_snap(line, end) for end in _sentencex_ends(line, language)}
    candidates.update(m.end() for m in _TERMINAL_CLUSTER.finditer(line))
    ends.update(e for e in candidates if _is_boundary(line, e))
    # A bold run-in heading at the start of the line or of a unit is a unit of its own,
    # unless the text runs on in lower case ("**Mexico** rejected the offer").
    # A bold label ending in a colon ("**DEALMAKER-IN-CHIEF:** President Trump ...") opens
    # the sentence and stays with it.
    for end in [0, *sorted(ends)]:
        rest = line[end:]
        bold = _RUN_IN_BOLD.match(line, end + len(rest) - len(rest.lstrip()))
        if (
            bold
            and not line[bold.end() :].lstrip()[:1].islower()
            and not bold.group().endswith(":**")
        ):
            ends.add(bold.end())
    return sorted(e for e in ends if 0 < e < len(line))


def _is_heading(unit: str, max_words: int = _MAX_HEADING_WORDS) -> bool:
    # (a speaker label opens with a letter: no marked heading is one)
    if _marked_heading(unit):
        return True
    if SPEAKER_LABEL.match(unit):
        return False  # a speaker's turn is speech, however short
    core = _TRAILING_FOOTNOTES.sub("", unit).rstrip(_CLOSERS)
    words = unit.split()
    if not core or core[-1] in _TERMINALS + ",;":
        return False
    # an embedded post: its sentence ends before the link and the attribution
    post = _EMBED_TAIL.sub("", unit).rstrip(_CLOSERS)
    if post != unit and post and post[-1] in _TERMINALS:
        return False
    if core[-1] == ":" and len(words) > 1:
        # a clause that leads into a list ("Duties imposed ... are now:", "se abren dos
        # mesas de trabajo:") is a sentence; a one-word label ("Background:") is not,
        # and a Title Case label is caught below
        return not any(w[:1].islower() for w in words[1:])
    # Title Case, however long, is a heading or a list of tags.
    title_case = all(w[:1].isupper() or (w.isalpha() and len(w) <= 3) for w in words)
    return title_case or (len(words) <= max_words and words[-1] not in _RUNNING_ENDS)


def _marked_heading(unit: str) -> bool:
    """Is the line marked as a heading or chrome, whatever comes before it?"""
    return bool(
        is_chrome_line(unit)
        or _MD_HEADING.match(unit)
        or _BOLD_ONLY.match(unit)
        or _HASHTAGS.match(unit)
    )


def _is_soft_wrap(line: str, nxt: str, width: int) -> bool:
    """In a text hard-wrapped at ``width``, does the break between two lines only wrap?

    It does unless it is structural (a hard break of two trailing spaces, a heading or
    chrome line before it, a list item, heading, speaker turn or chrome line after it),
    and then only if the line was full (the next line's first word, with anything a
    no-break space binds to it, would not have fitted within ``width`` less a tolerance),
    or the sentence runs on into a next line that does not open with a capital or a digit,
    or the line is running text cut short (a lower-case word of four letters or more, no
    sentence end), as a wrapper leaves it before a long link that the cleaning took out.
    """
    if line.endswith("  ") or starts_block(nxt):
        return False
    if _MD_HEADING.match(line.lstrip()) or is_chrome_line(line):
        return False
    if SPEAKER_LABEL.fullmatch(line.rstrip()):
        return True  # a label alone on its line stays with the turn's first sentence
    first_word = nxt.lstrip(" \t").split(" ", 1)[0]
    full = len(line.rstrip()) + 1 + len(first_word) > width - _WRAP_TOLERANCE
    head = nxt.lstrip()[:1]
    if full or _TERMINAL_END.search(line):
        return full
    runs_on = not (head.isupper() or head.isdigit())
    # a line cut short mid-sentence, as a wrapper leaves it before a long link that the
    # cleaning has since taken out ("Today, the Mexican\nGovernment [extradited](...)"):
    # running text, not a title (a lower-case word of four letters or more in it)
    return runs_on or any(w[:1].islower() and len(w) > 3 for w in line.split())


def _continues_item(line: str, nxt: str, column: int | None) -> bool:
    """Is ``nxt`` a lazy continuation of the list item whose text starts at ``column``?

    In Markdown a line indented to the item's text, after a line of that item, is more of
    the same paragraph: Pandoc wraps list items so, and its line lengths say nothing when
    links were taken out of the lines ("-   President Trump [shut\n    down](...) the").
    Not after a hard break (two trailing spaces), nor when ``nxt`` opens a block itself.
    """
    if column is None or line.endswith("  ") or starts_block(nxt):
        return False
    indent = len(nxt) - len(nxt.lstrip(" "))
    return indent >= 2 and abs(indent - column) <= 1


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    """Spans that units never cross: lines, or paragraphs and list items when hard-wrapped
    (a list item's indented continuation lines always)."""
    width = hard_wrap_width(text)
    start = end = -1
    previous = ""
    column: int | None = None  # where the text of the current block's list item starts
    offset = 0
    for line in text.split("\n"):
        if not line.strip():
            if start >= 0:
                yield start, end
            start, column = -1, None
        elif start >= 0 and (
            (width is not None and _is_soft_wrap(previous, line, width))
            or _continues_item(previous, line, column)
        ):
            end = offset + len(line)
        else:
            if start >= 0:
                yield start, end
            start, end = offset, offset + len(line)
            column = item_text_column(line)
        previous = line
        offset += len(line) + 1
    if start >= 0:
        yield start, end


def _last(pattern: re.Pattern[str], text: str, pos: int, endpos: int) -> int:
    """End of the last match of ``pattern`` in ``text[pos:endpos]``, or -1."""
    end = -1
    for m in pattern.finditer(text, pos, endpos):
        end = m.end()
    return end


def _cap_spans(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most ``max_chars`` characters.

    Each cut falls on whitespace in the second half of the allowed length, after a comma,
    semicolon or colon where there is one; else on the last whitespace; a run without any
    whitespace is cut at the cap (never before a combining mark). Spans are stripped of
    whitespace, so ``text[a:b]`` never starts or ends with it.
    """
    while end - start > max_chars:
        limit = start + max_chars
        half = start + max_chars // 2
        cut = _last(_CLAUSE_BREAK, text, half, limit)
        if cut < 0:
            cut = _last(_SPACE, text, start + 1, limit + 1) - 1
        if cut <= start:
            cut = limit
            while cut > start + 1 and unicodedata.combining(text[cut]):
                cut -= 1
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        yield start, piece_end
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        yield start, end


def _iter_units(text: str, language: str) -> Iterator[tuple[int, int, bool]]:
    # no unit of the body yet: the lines above it are title and deck (in a text with a
    # sentence's end somewhere: a text without any is all body)
    opening = _SENTENCE_END.search(text) is not None
    # a sentence that ends in a colon leads into a list ("debe basarse en:"): the short
    # lines after it are its items, not headings, until a unit ends a sentence or a line is
    # a label ("Background:"), a Markdown heading or chrome
    listing = False
    for offset, block_end in _blocks(text):
        block = text[offset:block_end]
        cuts = [0] if _MD_HEADING.match(block.lstrip()) else [0, *_line_boundaries(block, language)]
        cuts.append(len(block))
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = block[a:b]
            stripped = piece.strip()
            if not stripped:
                continue
            start = offset + a + (len(piece) - len(piece.lstrip()))
            # a whole line at the top without a sentence's end is a title or a deck ("Sheinbaum
            # rechaza impuesto a remesas en EE.UU. y pide a migrantes presionar al Senado"),
            # up to _MAX_TITLE_WORDS words
            title = opening and len(cuts) == 2 and not starts_block(stripped)
            heading = _is_heading(stripped, _MAX_TITLE_WORDS if title else _MAX_HEADING_WORDS)
            opening = opening and heading
            label = stripped.rstrip(_CLOSERS).endswith(":")
            item = listing and len(cuts) == 2 and not label
            if item and heading and not _marked_heading(stripped):
                heading = False  # an item of the list the sentence before leads into
            elif not heading:
                listing = label
            else:
                listing = False
            yield start, start + len(stripped), heading


def _capped_units(
    text: str, language: str, max_chars: int
) -> Iterator[tuple[int, int, bool, tuple[int, int] | None]]:
    """Units as ``(start, end, is_heading, cut_from)``, none longer than ``max_chars``;
    ``cut_from`` is the ``(start, end)`` of the unit a piece was cut from, else None."""
    for start, end, heading in _iter_units(text, language):
        if end - start <= max_chars:
            yield start, end, heading, None
            continue
        for a, b in _cap_spans(text, start, end, max_chars):
            yield a, b, heading, (start, end)


def _check_max_chars(max_chars: int) -> None:
    if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < _MIN_UNIT_CAP:
        raise ValueError(
            f"max_chars must be an int of at least {_MIN_UNIT_CAP}, got {max_chars!r} "
            f"(default {MAX_UNIT_CHARS})"
        )


def segment_text(
    text: str, *, language: str = "en", max_chars: int = MAX_UNIT_CHARS
) -> list[tuple[int, int, bool]]:
    """Sentence units of one text as ``(start, end, is_heading)`` character spans.

    Parameters
    ----------
    text : str
        A cleaned document text.
    language : str, keyword-only
        ISO 639-1 code passed to sentencex (unknown codes fall back to its generic rules).
    max_chars : int, keyword-only
        The longest unit; a longer one is cut at whitespace near this length.

    Returns
    -------
    list[tuple[int, int, bool]]
        Ordered, non-overlapping spans; ``text[start:end]`` is the unit, whitespace stripped.

    Examples
    --------
    >>> t = "Key Points\\nDr. Ruiz met U.S. officials. ¿Habrá acuerdo? Talks end (…) The plan."
    >>> [t[a:b] for a, b, _ in segment_text(t)]
    ['Key Points', 'Dr. Ruiz met U.S. officials.', '¿Habrá acuerdo?', 'Talks end (…)', 'The plan.']
    """
    _check_max_chars(max_chars)
    return [(a, b, h) for a, b, h, _ in _capped_units(text, language or "en", max_chars)]


def _warn_cut(cut: list[tuple[str, int, int]], max_chars: int) -> None:
    """One warning for the documents whose long units were cut."""
    if not cut:
        return
    lines = "\n".join(
        f"  - {name}: {n_units} unit(s) cut, the longest of {longest:,} characters"
        for name, n_units, longest in cut
    )
    warnings.warn(
        f"split_sentences cut {sum(c[1] for c in cut)} unit(s) longer than {max_chars:,} "
        f"characters, with no sentence end the splitter accepts, at whitespace into pieces of "
        f"at most {max_chars:,} characters:\n{lines}\nCheck those files for a table, list or "
        "page flattened into one line, or for missing punctuation; a sentence ends with . ! ? "
        "or … followed by a space and a capital",
        CorpusWarning,
        stacklevel=3,
    )


def split_sentences(documents: pl.DataFrame, *, max_chars: int = MAX_UNIT_CHARS) -> pl.DataFrame:
    """Split every document's cleaned text into sentence units.

    Parameters
    ----------
    documents : polars.DataFrame
        The ``documents`` table; uses ``doc_id``, ``text`` and, when present, ``language``,
        ``source`` and ``path`` (to name the file in a warning).
    max_chars : int, keyword-only
        The longest unit (default ``MAX_UNIT_CHARS``); a longer one is cut at whitespace
        near this length.

    Returns
    -------
    polars.DataFrame
        The ``sentences`` table: doc_id, sent_id (1-based within the document), start, end
        (offsets into ``documents.text``), text, is_heading, speaker (whose words the unit
        gives: the speaker label of its turn in a transcript, "MS. LEAVITT", "Q", and
        before any label the document's ``source`` when the table has one); sorted by
        doc_id, sent_id.

    Raises
    ------
    ValueError
        If ``documents`` lacks ``doc_id`` or ``text``, or ``max_chars`` is below 100.
    SegmentError
        If splitting a document fails; the message names its ``doc_id``.

    Warns
    -----
    CorpusWarning
        When a unit was longer than ``max_chars`` and was cut; names each file.

    Examples
    --------
    >>> docs = pl.DataFrame({"doc_id": ["a"], "text": ["Title\\nMexico agreed. The U.S. did not."]})
    >>> split_sentences(docs).select("sent_id", "text", "is_heading").rows()
    [(1, 'Title', True), (2, 'Mexico agreed.', False), (3, 'The U.S. did not.', False)]
    """
    _check_max_chars(max_chars)
    missing = [c for c in ("doc_id", "text") if c not in documents.columns]
    if missing:
        raise ValueError(
            f"documents is missing column(s) {', '.join(missing)}; pass the table returned "
            "by analysis.corpus.load_corpus (it needs doc_id and text)"
        )
    languages = (
        documents["language"].to_list()
        if "language" in documents.columns
        else ["en"] * documents.height
    )
    sources = (
        documents["source"].to_list()
        if "source" in documents.columns
        else [None] * documents.height
    )
    paths = (
        documents["path"].to_list() if "path" in documents.columns else [None] * documents.height
    )
    cut: list[tuple[str, int, int]] = []  # file, units cut, the longest of them
    doc_ids: list[str] = []
    sent_ids: list[int] = []
    speakers: list[str | None] = []
    starts: list[int] = []
    ends: list[int] = []
    texts: list[str] = []
    headings: list[bool] = []
    for doc_id, text, language, source, path in zip(
        documents["doc_id"].to_list(),
        documents["text"].to_list(),
        languages,
        sources,
        paths,
        strict=True,
    ):
        try:
            units = list(_capped_units(text or "", language or "en", max_chars))
        except Exception as exc:
            raise SegmentError(
                f"splitting document {doc_id!r} into sentences failed "
                f"({type(exc).__name__}: {exc}); check that document's text"
            ) from exc
        wholes = {whole for *_, whole in units if whole is not None}
        if wholes:
            name = f"{path} (doc_id {doc_id!r})" if path else f"document {doc_id!r}"
            cut.append((name, len(wholes), max(b - a for a, b in wholes)))
        speaker = source
        for i, (a, b, heading, _) in enumerate(units, start=1):
            label = SPEAKER_LABEL.match(text[a:b])
            if label:
                speaker = label.group(0).strip().rstrip(":").strip()
            elif (
                text[a:b].isupper()  # cheap first: only a line in capitals can be one
                and (separated := SEPARATED_LABEL.search(text, max(0, a - 200), b))
                and separated.end() == b
                and separated.start(1) == a
            ):
                # a label alone on its line after a turn separator ("---" then
                # "INTERLOCUTORA"): the turn that follows is that speaker's
                speaker = separated.group(1).strip()
            speakers.append(speaker)
            doc_ids.append(doc_id)
            sent_ids.append(i)
            starts.append(a)
            ends.append(b)
            texts.append(text[a:b])
            headings.append(heading)
    _warn_cut(cut, max_chars)
    return pl.DataFrame(
        {
            "doc_id": doc_ids,
            "sent_id": sent_ids,
            "start": starts,
            "end": ends,
            "text": texts,
            "is_heading": headings,
            "speaker": speakers,
        },
        schema=SENTENCES_SCHEMA,
    ).sort("doc_id", "sent_id", maintain_order=True)


def _normalised(col: pl.Expr, normalise: str) -> pl.Expr:
    if normalise == "markup":
        col = (
            col.str.replace_all(r"!?\[((?:[^\[\]\\]|\\.)+)\]\([^()\s]*\)", "$1")
            .str.replace_all(r"\\([\\`*_{}\[\]()#+\-.!|$<>~])", "$1")
            .str.replace_all(r"\*\*", "")
            .str.replace(r"^\s*#{1,6}\s+", "")
        )
    return col.str.replace_all(r"\s+", " ").str.strip_chars()


def unit_agreement(
    sentences: pl.DataFrame,
    gold_units: pl.DataFrame,
    *,
    normalise: Literal["whitespace", "markup"] = "whitespace",
    with_total: bool = False,
) -> pl.DataFrame:
    """How many gold units the splitter reproduces exactly, per document.

    Texts are compared, not offsets (cleaning moves offsets). A gold unit counts as matched
    when the same document has a unit with the same normalised text (each of our units
    matches at most one gold unit).

    Parameters
    ----------
    sentences : polars.DataFrame
        The ``sentences`` table (doc_id, text).
    gold_units : polars.DataFrame
        Gold rows with doc_id (or ``doc``, a file name), unit and sentence; repeated rows of a
        unit (one per code) count once.
    normalise : {"whitespace", "markup"}, keyword-only
        "whitespace" collapses runs of whitespace. "markup" also removes markdown markers
        (``##``, ``**``, ``[text](#)`` -> text, ``\\$`` -> ``$``), so units that differ only by
        cleaning of markup match.
    with_total : bool, keyword-only
        Append a row with doc_id ``"(all)"`` for the whole set.

    Returns
    -------
    polars.DataFrame
        doc_id, n_gold, n_matched, share (n_matched / n_gold); one row per gold document,
        sorted by doc_id (the total row last).

    Raises
    ------
    ValueError
        If ``normalise`` is not allowed or a needed column is missing.

    Examples
    --------
    >>> ours = pl.DataFrame({"doc_id": ["a", "a"], "text": ["Hi  there.", "Bye."]})
    >>> gold = pl.DataFrame({"doc": ["a.txt"] * 3, "unit": [1, 1, 2],
    ...                      "sentence": ["Hi there.", "Hi there.", "**Bye**"]})
    >>> unit_agreement(ours, gold).rows()
    [('a', 2, 1, 0.5)]
    """
    if normalise not in ("whitespace", "markup"):
        raise ValueError(f"normalise must be 'whitespace' or 'markup', got {normalise!r}")
    if "doc_id" not in gold_units.columns and "doc" in gold_units.columns:
        gold_units = gold_units.with_columns(doc_id=pl.col("doc").str.replace(r"\.[^./]+$", ""))
    for name, frame, cols in (
        ("sentences", sentences, ("doc_id", "text")),
        ("gold_units", gold_units, ("doc_id", "unit", "sentence")),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} is missing column(s) {', '.join(missing)}")

    gold = gold_units.unique(["doc_id", "unit"], keep="first", maintain_order=True).select(
        "doc_id", key=_normalised(pl.col("sentence"), normalise)
    )
    ours = sentences.select("doc_id", key=_normalised(pl.col("text"), normalise))
    gold_counts = gold.group_by("doc_id", "key").len("n_gold")
    our_counts = ours.group_by("doc_id", "key").len("n_ours")
    per_key = gold_counts.join(our_counts, on=["doc_id", "key"], how="left").with_columns(
        n_matched=pl.min_horizontal("n_gold", pl.col("n_ours").fill_null(0))
    )
    result = (
        per_key.group_by("doc_id")
        .agg(pl.col("n_gold").sum(), pl.col("n_matched").sum())
        .sort("doc_id")
    )
    if with_total:
        result = pl.concat(
            [result, result.select(pl.lit("(all)").alias("doc_id"), pl.sum("n_gold", "n_matched"))]
        )
    return result.with_columns(share=pl.col("n_matched") / pl.col("n_gold")).cast(AGREEMENT_SCHEMA)  # type: ignore[arg-type]
