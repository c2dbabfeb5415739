"""Codebook loading and validation: every example, every error message."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from analysis.codebook import (
    CATEGORY_STANCE,
    CodebookError,
    engine_matches,
    load_codebook,
    pattern_to_regex,
)
from analysis.config import CODEBOOK_PATH
from analysis.indicators import code_sentences
from tests import coded

CB = load_codebook()

MATCH = [(i.id, ex) for i in CB.indicators for ex in i.examples.match]
NO_MATCH = [(i.id, ex) for i in CB.indicators for ex in i.examples.no_match]


def _sentences(*texts: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "doc_id": ["t"] * len(texts),
            "sent_id": list(range(1, len(texts) + 1)),
            "start": [0] * len(texts),
            "end": [len(t) for t in texts],
            "text": list(texts),
        }
    )


@functools.cache
def _match_example_codes() -> dict[tuple[str, str], pl.DataFrame]:
    """The codes of every match example, each coded as a document of its own.

    One call of the engine for all of them (tests/coded.py), each example a document of its
    own, so that no pronoun looks back into another example.
    """
    together = coded.code_together(sorted({(ex,) for _, ex in MATCH}))
    return {key: together[(key[1],)] for key in MATCH}


def test_batched_examples_are_coded_as_alone() -> None:
    # the batch above stands for one call per example: check it on a sample
    batch = _match_example_codes()
    for key in MATCH[:: max(1, len(MATCH) // 8)]:
        alone = code_sentences(_sentences(key[1]), CB)
        assert batch[key].drop("doc_id").equals(alone.drop("doc_id")), key


@functools.cache
def _engine_matches(indicator: str) -> dict[str, bool]:
    """Whether the engine's matching finds ``indicator`` in each of its examples, both
    kinds, all examples in one call (as ``load_codebook(check_examples=True)`` checks)."""
    ind = CB.indicator(indicator)
    examples = [*ind.examples.match, *ind.examples.no_match]
    rows = engine_matches(list(ind.patterns), examples)
    return {ex: any(row) for ex, row in zip(examples, rows, strict=True)}


def test_examples_matched_together_are_matched_as_alone() -> None:
    # the batch above stands for one call per example: check it on a sample
    for indicator, example in [*MATCH[:: max(1, len(MATCH) // 8)], *NO_MATCH[::40]]:
        alone = any(engine_matches(list(CB.indicator(indicator).patterns), [example])[0])
        assert _engine_matches(indicator)[example] is alone, (indicator, example)


@pytest.mark.parametrize(("indicator", "example"), MATCH)
def test_match_example_matches_its_indicator(indicator: str, example: str) -> None:
    ind = CB.indicator(indicator)
    assert _engine_matches(indicator)[example]
    # and the engine codes it with the indicator's category (or THREATEN for a threatened act)
    codes = _match_example_codes()[(indicator, example)]
    assert set(codes["category"]) & {ind.category, "THREATEN"}, codes


@pytest.mark.parametrize(("indicator", "example"), NO_MATCH)
def test_no_match_example_does_not_match(indicator: str, example: str) -> None:
    assert not _engine_matches(indicator)[example]


def test_every_indicator_has_examples_of_both_kinds() -> None:
    for ind in CB.indicators:
        assert ind.examples.match, ind.id
        assert ind.examples.no_match, ind.id


def test_every_category_of_the_manual_has_an_indicator() -> None:
    assert {i.category for i in CB.indicators} == set(CATEGORY_STANCE)


def test_to_frame_is_the_codebook_table() -> None:
    frame = CB.to_frame()
    assert frame.columns == [
        "id",
        "stance",
        "category",
        "plover",
        "mode",
        "score",
        "description",
        "n_patterns",
    ]
    assert frame.height == len(CB.indicators)
    assert frame["score"].is_between(-10, 10).all()
    assert frame["n_patterns"].min() >= 1


def test_scores_follow_the_manual_signs() -> None:
    for ind in CB.indicators:
        if ind.stance == "cooperation":
            assert ind.score > 0, ind.id
        else:
            assert ind.score < 0, ind.id


def test_pattern_syntax() -> None:
    assert re.fullmatch(pattern_to_regex("tariff*"), "tariffs", re.I)
    assert re.search(pattern_to_regex("impos* .. tariff*"), "imposed a 25% tariff", re.I)
    assert not re.search(pattern_to_regex("impos* ..1 tariff*"), "imposed a new 25% tariff", re.I)
    assert re.search(pattern_to_regex("doesn't accept"), "doesn’t accept", re.I)
    assert not re.search(pattern_to_regex("talks"), "stalks", re.I)
    assert pattern_to_regex("re:a+b") == "a+b"


# --------------------------------------------------------------------------- errors


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _first(raw: dict) -> dict:
    return raw["indicators"][0]


def _by_id(raw: dict, ident: str) -> dict:
    return next(i for i in raw["indicators"] if i["id"] == ident)


#: The id of the codebook's first indicator, which the tests below break on purpose.
FIRST_ID = yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))["indicators"][0]["id"]


def test_unknown_stance(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r).update(stance="friendship"))
    with pytest.raises(
        CodebookError,
        match=rf"codebook\.yaml: indicator '{FIRST_ID}', "
        r"field 'stance': unknown stance 'friendship'",
    ):
        load_codebook(path)


def test_unknown_category(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r).update(category="HUG"))
    with pytest.raises(
        CodebookError,
        match=rf"indicator '{FIRST_ID}', field 'category': "
        r"unknown category 'HUG'",
    ):
        load_codebook(path)


def test_category_under_the_wrong_stance(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _by_id(r, "reject_intervention").update(stance="cooperation"))
    with pytest.raises(
        CodebookError,
        match=r"indicator 'reject_intervention', field 'stance': "
        r"category REJECT belongs to stance 'resistance', got 'cooperation'",
    ):
        load_codebook(path)


@pytest.mark.parametrize("score", [10.5, -11])
def test_score_out_of_range(tmp_path: Path, score: float) -> None:
    path = _write(tmp_path, lambda r: _first(r).update(score=score))
    with pytest.raises(
        CodebookError,
        match=rf"indicator '{FIRST_ID}', field 'score': "
        r"Input should be (less|greater) than or equal to -?10",
    ):
        load_codebook(path)


def test_pattern_that_does_not_compile(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r)["patterns"].append("re:tariff(s"))
    with pytest.raises(
        CodebookError,
        match=rf"indicator '{FIRST_ID}', field 'patterns': "
        r"pattern 're:tariff\(s' does not compile",
    ):
        load_codebook(path)


def test_pattern_the_rust_engine_cannot_compile(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r)["patterns"].append("re:(?<=no )tariffs"))
    with pytest.raises(
        CodebookError,
        match=r"pattern '.*' does not compile in the Rust regex "
        r"engine",
    ):
        load_codebook(path)


def test_pattern_matching_the_empty_string(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r)["patterns"].append("re:x*"))
    with pytest.raises(CodebookError, match=r"pattern 're:x\*' matches the empty string"):
        load_codebook(path)


def test_duplicate_id(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["indicators"][1].update(id=_first(r)["id"]))
    with pytest.raises(
        CodebookError,
        match=rf"indicator '{FIRST_ID}', field 'id': "
        rf"duplicate id '{FIRST_ID}'",
    ):
        load_codebook(path)


def test_the_packaged_codebook_examples_behave_as_declared() -> None:
    load_codebook(check_examples=True)


def test_match_example_that_does_not_match(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r)["examples"]["match"].append("Nothing here."))
    with pytest.raises(
        CodebookError,
        match=r"field 'examples.match': example 'Nothing here.' "
        r"does not match any pattern in the coding engine",
    ):
        load_codebook(path, check_examples=True)
    load_codebook(path)  # coding only checks the structure and the patterns


def test_a_file_loaded_again_gives_the_same_codebook_until_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "codebook.yaml"
    path.write_text(CODEBOOK_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_codebook(path)
    assert load_codebook(path) is first
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["version"] = "0.0-changed"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    changed = load_codebook(path)
    assert changed is not first and changed.spec.version == "0.0-changed"


def test_a_codebook_loaded_without_its_examples_checks_them_when_asked(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r)["examples"]["match"].append("Nothing here."))
    load_codebook(path)  # kept loaded, unchecked examples
    with pytest.raises(CodebookError, match=r"example 'Nothing here.' does not match"):
        load_codebook(path, check_examples=True)


def test_no_match_example_that_matches(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        lambda r: _by_id(r, "reject_intervention")["examples"]["no_match"].append(
            "It was not on the table."
        ),
    )
    with pytest.raises(
        CodebookError,
        match=r"field 'examples.no_match': example 'It was not on "
        r"the table.' matches pattern 'not on the table' but is declared not",
    ):
        load_codebook(path, check_examples=True)


def test_unknown_implied_category(tmp_path: Path) -> None:
    def scold(raw: dict) -> None:
        ind = next(i for i in raw["indicators"] if i["id"] == "reject_demands")
        ind.update(implies="SCOLD")

    path = _write(tmp_path, scold)
    with pytest.raises(
        CodebookError,
        match=r"indicator 'reject_demands', field 'implies': "
        r"unknown category 'SCOLD'",
    ):
        load_codebook(path)


def test_bad_cue_pattern(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["status"]["negated"].append("re:(not"))
    with pytest.raises(
        CodebookError,
        match=r"field 'status.negated': pattern 're:\(not' does "
        r"not compile",
    ):
        load_codebook(path)


def test_bad_clause_boundary(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["clauses"].update(left_boundary="[;"))
    with pytest.raises(
        CodebookError,
        match=r"field 'clauses.left_boundary': regex '\[;' does "
        r"not compile",
    ):
        load_codebook(path)


def test_missing_section(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r.pop("actors"))
    with pytest.raises(CodebookError, match=r"field 'actors': Field required"):
        load_codebook(path)


def test_unknown_field(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: _first(r).update(colour="red"))
    with pytest.raises(
        CodebookError,
        match=rf"indicator '{FIRST_ID}', field 'colour': "
        r"Extra inputs are not permitted",
    ):
        load_codebook(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match=r"nope\.yaml: file not found"):
        load_codebook(tmp_path / "nope.yaml")


def test_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("indicators: [unclosed", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"bad\.yaml: not valid YAML"):
        load_codebook(path)


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"list\.yaml: expected a mapping .* got list"):
        load_codebook(path)


def test_codebook_error_is_a_value_error() -> None:
    assert issubclass(CodebookError, ValueError)


def test_unknown_indicator_lookup() -> None:
    with pytest.raises(KeyError, match=r"no indicator 'nope'"):
        CB.indicator("nope")


def test_a_swapped_scheme_changes_the_codes(tmp_path: Path) -> None:
    def mutate(raw: dict) -> None:
        raw["actors"]["MX"].append("Ruritania")

    cb = load_codebook(_write(tmp_path, mutate))
    s = _sentences("Ruritania pledged support.")
    assert code_sentences(s, cb)["actor"].to_list() == ["MX"]
    assert code_sentences(s, CB)["actor"].to_list() == ["UNSPECIFIED"]


def test_examples_are_checked_with_the_engines_matching(tmp_path: Path) -> None:
    # Python's re sees a word boundary after the accented letter; the engine's ASCII one
    # does not, so the engine never codes this example: the loader must say so (the
    # pattern itself is refused first, by the boundary check)
    def mutate(raw: dict) -> None:
        _first(raw)["patterns"].append(r"re:\bdesairó\b")
        _first(raw)["examples"]["match"] = ["El canciller desairó al embajador."]

    regex = pattern_to_regex(r"re:\bdesairó\b")
    assert re.search(regex, "El canciller desairó al embajador.", re.I)
    assert engine_matches([r"re:\bdesairó\b"], ["El canciller desairó al embajador."]) == [
        [False]
    ]
    with pytest.raises(
        CodebookError,
        match=rf"codebook\.yaml: indicator '{FIRST_ID}', field 'patterns': "
        r"pattern 're:\\\\bdesairó\\\\b' has \\b right after 'ó'",
    ):
        load_codebook(_write(tmp_path, mutate), check_examples=True)


def test_engine_matches_uses_ascii_word_boundaries() -> None:
    # a regex's \b after an accented letter never holds in the engine; a plain word ending
    # in one is written without it, so it matches
    assert engine_matches(
        ["tariff*", r"re:\bdesairó\b", "desairó"], ["new tariffs", "él desairó a"]
    ) == [[True, False, False], [False, False, True]]


def test_a_word_is_a_lemma_and_matches_its_inflections() -> None:
    texts = ["Mexico extradited them.", "Acordamos una tregua.", "El acuerdo fue firmado."]
    assert engine_matches(["extradite", "acordar", "=extradite"], texts) == [
        [True, False, False],
        [False, True, False],
        [False, False, False],
    ]


def test_short_words_are_not_lemmas() -> None:
    # "no" is not expanded to the dictionary's "nos"
    assert engine_matches(["no"], ["nos vemos", "no hay"]) == [[False], [True]]


def test_scope_setting() -> None:
    assert CB.scope == "bilateral"


def test_unknown_scope(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r.update(scope="global"))
    with pytest.raises(
        CodebookError,
        match=r"codebook\.yaml: field 'scope': Input should be 'bilateral' or 'all' "
        r"\(got 'global'\)",
    ):
        load_codebook(path)


def test_bad_abbreviation_cue(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["clauses"]["abbreviations"].append("re:(Mr"))
    with pytest.raises(
        CodebookError,
        match=r"field 'clauses\.abbreviations': pattern 're:\(Mr' does not compile",
    ):
        load_codebook(path)


# --------------------------------------------------------------------------- rules table


def test_rules_table_decides_the_order_and_the_stances(tmp_path: Path) -> None:
    text = pl.DataFrame(
        {"doc_id": ["d"], "sent_id": [1], "start": [0], "text": ["Mexico did not impose tariffs."]}
    )
    packaged = code_sentences(text, CB)
    assert packaged.select("status", "status_rule").row(0) == ("negated", "negated")

    def drop_negated(raw: dict) -> None:
        raw["rules"]["status"] = [r for r in raw["rules"]["status"] if r["rule"] != "negated"]

    without = code_sentences(text, load_codebook(_write(tmp_path, drop_negated)))
    assert without.select("status", "status_rule").row(0) == ("actual", "default")

    def negation_for_cooperation_only(raw: dict) -> None:
        for r in raw["rules"]["status"]:
            if r["rule"] == "negated":
                r["stances"] = ["cooperation"]

    narrowed = code_sentences(text, load_codebook(_write(tmp_path, negation_for_cooperation_only)))
    assert narrowed["status"].to_list() == ["actual"]


def test_a_rule_listed_twice_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["rules"]["actor"].append(dict(r["rules"]["actor"][0])))
    rules = load_codebook().spec.rules.actor
    row, first = len(rules) + 1, rules[0].rule  # the copy of the first, appended
    with pytest.raises(
        CodebookError,
        match=rf"field 'rules\.actor', row {row} \({first}\): rule '{first}' is listed twice",
    ):
        load_codebook(path)


def test_a_rule_naming_an_unknown_cue_list_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["rules"]["status"][0].update(cues=["status.nope"]))
    with pytest.raises(
        CodebookError,
        match=r"field 'rules\.status', row 1 \(deferred\): cues names 'status\.nope', which is "
        r"not a setting of the codebook",
    ):
        load_codebook(path)


def test_an_unknown_rule_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["rules"]["status"][0].update(rule="vibes"))
    with pytest.raises(CodebookError, match=r"rules\.status\.0\.rule"):
        load_codebook(path)


def test_rules_frame_lists_every_rule_in_order() -> None:
    frame = CB.rules_frame()
    assert frame.filter(pl.col("table") == "actor")["rule"].to_list() == [
        r.rule for r in CB.spec.rules.actor
    ]
    assert frame.filter(pl.col("rule") == "voice")["stances"].item() == "coercion, resistance"


def test_no_language_words_in_the_rule_code() -> None:
    # the function words the rules read come from the codebook's `words` section
    import analysis.actors
    import analysis.indicators

    for module in (analysis.actors, analysis.indicators):
        source = Path(module.__file__).read_text(encoding="utf-8")
        code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))
        for words in ("(?:that|que)", "pero|y|aunque", r"el\s+|la\s+", "administration|government"):
            assert words not in code, (module.__name__, words)


@pytest.mark.parametrize("field", ["uncoded_units", "non_acts", "rhetorical_questions"])
def test_a_unit_pattern_that_does_not_compile_is_an_error(tmp_path: Path, field: str) -> None:
    path = _write(tmp_path, lambda r: r[field].append("re:threat(("))
    with pytest.raises(CodebookError, match=rf"field '{field}'.*'re:threat\(\('"):
        load_codebook(path)


def test_non_acts_take_their_text_from_every_indicator(tmp_path: Path) -> None:
    from analysis.indicators import code_sentences

    text = pl.DataFrame(
        {"doc_id": ["d"], "sent_id": [1], "start": [0], "text": ["It poses a grave threat."]}
    )
    assert code_sentences(text, load_codebook()).height == 0
    without = load_codebook(_write(tmp_path, lambda r: r.update(non_acts=[])))
    assert code_sentences(text, without)["category"].to_list() == ["THREATEN"]


def test_an_object_marker_with_a_repeated_wide_class_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["actors"]["object_markers"].append(r"re:\bpersuad\w*"))
    with pytest.raises(
        CodebookError, match=r"field 'actors\.object_markers'.*persuad.*write its endings out"
    ):
        load_codebook(path)


@pytest.mark.parametrize(
    ("pattern", "letter"),
    [
        (r"re:\bpact(?:aron|ó)\b", "ó"),
        (r"re:\bper[uú]\b", "ú"),
        (r"re:\b(?:debe|deber[aá]n?)\b", "á"),
        (r"re:\bla\s+decisi[oó]n\s+se\s+toma\s+aqu[ií]\b", "í"),
    ],
)
def test_a_word_boundary_after_a_letter_outside_ascii_is_an_error(
    tmp_path: Path, pattern: str, letter: str
) -> None:
    """The engine's \\b is ASCII: after "ó" it never holds, and the pattern would silently
    miss every such word ("pactó"), so loading refuses it and names the letter."""
    path = _write(tmp_path, lambda r: _first(r)["patterns"].append(pattern))
    with pytest.raises(CodebookError, match=rf"field 'patterns'.*right after '{letter}'"):
        load_codebook(path)


@pytest.mark.parametrize(
    "pattern", [r"re:\bpact(?:aron\b|ó)", r"re:\bacus\w*\b", "extradición", r"re:\b(?:a|b)\b"]
)
def test_a_word_boundary_after_ascii_or_a_word_class_is_accepted(pattern: str) -> None:
    from analysis.codebook import _check_pattern

    assert _check_pattern(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "letter"),
    [
        (r"re:\b[ií]bamos\s+a\s+responder\b", "í"),
        (r"re:\b(?:exclusivamente|[uú]nicamente)\s+por\b", "ú"),
        (r"re:\b(?:ultima|(?:primera|última))\s+llamada\b", "ú"),
    ],
)
def test_a_word_boundary_before_a_letter_outside_ascii_is_an_error(
    tmp_path: Path, pattern: str, letter: str
) -> None:
    """Before "í" at a word's start the ASCII \\b never holds either: "íbamos" and
    "únicamente" would be missed, so loading refuses the pattern and names the letter."""
    path = _write(tmp_path, lambda r: _first(r)["patterns"].append(pattern))
    with pytest.raises(CodebookError, match=rf"field 'patterns'.*right before '{letter}'"):
        load_codebook(path)


@pytest.mark.parametrize(
    "pattern",
    [r"re:(?:\bi|í)bamos\b", r"re:\bno\b[”\"»]", "él", "única vez", r"re:\bsoberan[ií]a\b"],
)
def test_a_word_boundary_before_ascii_or_a_closing_quote_is_accepted(pattern: str) -> None:
    # a \b after a word's last letter holds before a closing quote; a plain word that starts
    # with an accented letter gets no \b before it
    from analysis.codebook import _check_pattern

    assert _check_pattern(pattern) is None


def test_a_plain_word_starting_with_an_accented_letter_matches() -> None:
    assert engine_matches(["él", "única vez"], ["Y él lo dijo.", "Fue la única vez."]) == [
        [True, False],
        [False, True],
    ]


def test_a_spanish_verb_lemma_matches_its_forms_with_pronouns_attached() -> None:
    texts = ["al acusarla de alentar", "acusándolos de mentir", "para entregárselos", "acusó"]
    assert engine_matches(["acusar", "entregar"], texts) == [
        [True, False],
        [True, False],
        [False, True],
        [True, False],
    ]
    # in a phrase, and not for an English lemma ending in -er
    assert engine_matches(["reunir con", "order"], ["decidió reunirse con", "orderlo"]) == [
        [True, False],
        [False, False],
    ]


def test_a_match_that_opens_with_a_non_word_character_maps_to_its_pattern(tmp_path: Path) -> None:
    # the engine's leading \b held before "’" because a word character preceded it in the
    # text ("They’ve"); the bare matched string has none before it
    def add(raw: dict) -> None:
        raw["indicators"][0]["patterns"].append(r"re:\b['’]ve\s+let\s+them\s+through\b")

    cb = load_codebook(_write(tmp_path, add))
    hit = cb.match_pattern("’ve let them through")
    assert hit is not None
    assert hit[1] == r"re:\b['’]ve\s+let\s+them\s+through\b"
    codes = code_sentences(_sentences("They’ve let them through."), cb)
    assert codes["matched"].to_list() == ["’ve let them through"]


def test_a_match_that_ends_with_a_non_word_character_maps_to_its_pattern(tmp_path: Path) -> None:
    # the engine's trailing \b held after "datos " because a word character followed it in
    # the text ("específicos"); on the bare matched string it fails, and the match lost its
    # indicator and its code
    pattern = (
        r"re:\bzorglub\s+(?:\S+\s+){0,2}?datos\s+(?:espec[ií]fic[oa]s\s+)?(?:sobre|acerca)?\b"
    )

    def add(raw: dict) -> None:
        raw["indicators"][0]["patterns"].append(pattern)

    cb = load_codebook(_write(tmp_path, add))
    hit = cb.match_pattern("zorglub datos ")
    assert hit is not None and hit[1] == pattern
    codes = code_sentences(_sentences("Ella escribió zorglub datos específicos."), cb)
    assert codes["matched"].to_list() == ["zorglub datos "]


def test_a_rule_naming_an_unknown_indicator_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda r: r["rules"]["actor"][0].update(indicators=["nope"]))
    first = load_codebook().spec.rules.actor[0].rule
    with pytest.raises(
        CodebookError,
        match=rf"field 'rules\.actor', row 1 \({first}\): indicators names \['nope'\], which "
        r"are not indicators of the codebook",
    ):
        load_codebook(path)


def test_rules_frame_shows_what_a_row_is_limited_to() -> None:
    frame = CB.rules_frame()
    limited = dict(frame.filter(pl.col("table") == "actor").select("rule", "limited_to").rows())
    assert limited["reciprocal"] == "AGREE"
    assert limited["praised"] == "agree_praise"
    assert limited["subject"] == ""
