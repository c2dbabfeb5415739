"""Lemmas: one codebook word stands for every inflection of it, in English and Spanish.

A word in a codebook pattern is read as a *lemma* (the dictionary form: ``extradite``,
``tariff``, ``acordar``, ``conversación``) and matches every form that the lemmatiser's
dictionary maps to it: ``extradite`` matches *extradites, extradited, extraditing*;
``poner`` matches *pone, puso, pusiéramos, pondría, …*; ``acuerdo`` matches *acuerdos*. The
dictionaries are simplemma's (a maintained, rule- and dictionary-based lemmatiser for
both languages); they are inverted once per process, at the first lookup, and only the
forms of the codebook's own words are kept.

A word that is not a lemma in either dictionary matches itself only, so an inflected form
written on purpose (``imposed``) keeps meaning just that form.
"""

from __future__ import annotations

from functools import cache

__all__ = ["LANGUAGES", "forms_of", "lemma_of"]

#: Languages whose dictionaries are used, in the order their lemmas are looked up.
LANGUAGES: tuple[str, ...] = ("en", "es")


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
    forms = {word}
    for language in LANGUAGES:
        forms.update(_inverted(language).get(word, ()))
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


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
