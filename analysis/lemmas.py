"""Lemmas: one codebook word stands for every inflection of it, in English and Spanish.

A word in a codebook pattern is read as a *lemma* (the dictionary form: ``extradite``,
``tariff``, ``acordar``, ``conversación``) and matches every form that the lemmatiser's
dictionary maps to it: ``extradite`` matches *extradites, extradited, extraditing*;
``poner`` matches *pone, puso, pusiéramos, pondría, …*; ``acuerdo`` matches *acuerdos*. The
dictionaries are simplemma's (a maintained, rule- and dictionary-based lemmatiser for
both languages); they are inverted once per process, at the first lookup, and only the
forms of the codebook's own words are kept.

Loading and inverting the two dictionaries takes seconds, in every process that loads a
codebook (each notebook's kernel, each command). The forms of the packaged codebook's words
are therefore also stored beside it, in ``lemma_forms.json``, with the simplemma version
that wrote them; they are read instead of the dictionaries when that version is the one
installed, and any other word is looked up in the dictionaries. ``python -m
analysis.lemmas`` writes the file again (after a change of the codebook's words or of
simplemma; a test fails until it is).

A word that is not a lemma in either dictionary matches itself only, so an inflected form
written on purpose (``imposed``) keeps meaning just that form.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["FORMS_PATH", "LANGUAGES", "forms_of", "lemma_of", "stored_forms", "write_forms"]

#: Languages whose dictionaries are used, in the order their lemmas are looked up.
LANGUAGES: tuple[str, ...] = ("en", "es")
#: The stored forms of the packaged codebook's words (see the module's docstring).
FORMS_PATH = Path(__file__).with_name("lemma_forms.json")
#: Every word looked up in this process (what ``write_forms`` stores).
_LOOKED_UP: set[str] = set()
#: Whether ``forms_of`` reads the stored forms (off while they are written).
_USE_STORED = True


def _simplemma_version() -> str:
    try:
        return version("simplemma")
    except PackageNotFoundError:  # pragma: no cover - simplemma is a dependency
        return "unknown"


@cache
def stored_forms() -> dict[str, tuple[str, ...]]:
    """The forms stored in ``FORMS_PATH``: empty when the file is missing, unreadable, or
    written by another simplemma version or for other languages (then every word is looked
    up in the dictionaries)."""
    try:
        data = json.loads(FORMS_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if (
        not isinstance(data, dict)
        or data.get("simplemma") != _simplemma_version()
        or tuple(data.get("languages", ())) != LANGUAGES
        or not isinstance(data.get("forms"), dict)
    ):
        return {}
    return {word: tuple(forms) for word, forms in data["forms"].items()}


@cache
def _dictionary(language: str):
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    return DefaultDictionaryFactory().get_dictionary(language)


@cache
def _inverted(language: str) -> dict[str, tuple[str, ...]]:
    """lemma -> its forms (lower case), from one pass over the language's dictionary."""
    index: dict[str, set[str]] = {}
    for form, lemma in _dictionary(language).items():
        lemma = lemma.decode("utf-8") if isinstance(lemma, bytes) else lemma
        index.setdefault(lemma.lower(), set()).add(form.lower())
    return {k: tuple(sorted(v)) for k, v in index.items()}


@cache
def forms_of(word: str) -> tuple[str, ...]:
    """Every form (lower case) whose lemma is ``word``, in English or Spanish, longest first.

    Parameters
    ----------
    word : str
        A lemma, any case.

    Returns
    -------
    tuple[str, ...]
        The word itself and its inflections; just the word when it is no lemma.

    Examples
    --------
    >>> forms_of("extradite")
    ('extraditing', 'extradited', 'extradites', 'extradite')
    >>> {"acordó", "acordamos", "acordaron"} <= set(forms_of("acordar"))
    True
    >>> forms_of("imposed")
    ('imposed',)
    """
    word = word.lower()
    _LOOKED_UP.add(word)
    stored = stored_forms().get(word) if _USE_STORED else None
    return stored if stored is not None else _dictionary_forms(word)


def _dictionary_forms(word: str) -> tuple[str, ...]:
    """``forms_of(word)`` from the dictionaries themselves."""
    forms = {word}
    for language in LANGUAGES:
        forms.update(_inverted(language).get(word, ()))
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def write_forms(words, path: Path = FORMS_PATH) -> int:
    """Store the dictionaries' forms of ``words`` in ``path`` (sorted, one word a line, so
    the file is the same for the same words and the same simplemma); returns their number."""
    forms = {w: _dictionary_forms(w) for w in sorted({w.lower() for w in words})}
    lines = [f"  {json.dumps(w, ensure_ascii=False)}: {json.dumps(list(f), ensure_ascii=False)}"
             for w, f in forms.items()]  # fmt: skip
    head = (
        f'{{\n "simplemma": {json.dumps(_simplemma_version())},\n'
        f' "languages": {json.dumps(list(LANGUAGES))},\n "forms": {{\n'
    )
    path.write_text(head + ",\n".join(lines) + "\n }\n}\n", encoding="utf-8")
    return len(forms)


def _main(argv: list[str]) -> int:
    """Write the forms of the words the packaged codebook looks up: to ``FORMS_PATH``, or
    to the path given (the test compares the two)."""
    # (run as ``python -m``, this module is __main__: the codebook uses analysis.lemmas)
    from analysis import lemmas
    from analysis.codebook import load_codebook

    out = Path(argv[0]) if argv else lemmas.FORMS_PATH
    # every word looked up in the dictionaries, not in the stored file
    lemmas._USE_STORED = False
    load_codebook(check_examples=False)
    n = lemmas.write_forms(lemmas._LOOKED_UP, out)
    print(f"wrote the forms of {n} words to {out}")
    return 0


def lemma_of(form: str, *, language: str) -> str:
    """The lemma of one word form (lower case), by simplemma, for ``language``.

    Examples
    --------
    >>> lemma_of("pusiéramos", language="es"), lemma_of("Tariffs", language="en")
    ('poner', 'tariff')
    """
    if language not in LANGUAGES:
        raise ValueError(f"language={language!r} is not supported; expected one of {LANGUAGES}")
    import simplemma

    return simplemma.lemmatize(form.lower(), lang=language).lower()


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
