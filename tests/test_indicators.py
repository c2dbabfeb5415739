"""The coding engine: statuses, negation, overlaps, Spanish, offsets, kwic."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.codebook import Codebook, load_codebook
from analysis.config import CODEBOOK_PATH
from analysis.indicators import CODES_SCHEMA, code_sentences, kwic, locate
from tests import coded
from tests.text_tables import sentences_of

CB = load_codebook()
# the parametrised texts are coded in one call of the engine (tests/coded.py)
CODED_IN_ONE_CALL = True


def sentences(*texts: str, doc_id: str = "t") -> pl.DataFrame:
    """One document made of ``texts`` joined by a space, as a sentences table."""
    return sentences_of(*texts, doc_id=doc_id)


def codes_of(text: str) -> set[tuple[str, str, str]]:
    c = coded.codes(text)
    return set(c.select("category", "actor", "status").rows())


def categories_of(text: str) -> set[str]:
    """The categories coded in ``text``, whatever their actor and status."""
    return {c for c, _, _ in codes_of(text)}


def statuses(text: str, category: str) -> set[str]:
    c = coded.codes(text)
    return set(c.filter(pl.col("category") == category)["status"])


# --------------------------------------------------------------------------- contract


def test_columns_types_and_order() -> None:
    c = coded.codes("Washington imposed tariffs on Mexican steel.")
    assert c.schema == pl.Schema(CODES_SCHEMA)
    assert c.height >= 1


def test_sorted_and_deterministic() -> None:
    s = sentences(
        "Mexico extradited ten suspects. Trump threatened tariffs.",
        "Sheinbaum rejected any U.S. military intervention.",
        "The two governments held talks.",
    )
    a = code_sentences(s, CB)
    b = code_sentences(s.reverse(), CB)
    assert a.equals(b)
    assert a.equals(a.sort("doc_id", "sent_id", "match_start", "category"))


def test_empty_input_and_no_codes() -> None:
    empty = sentences("x").clear()
    assert code_sentences(empty, CB).schema == pl.Schema(CODES_SCHEMA)
    assert coded.codes("The weather was mild in Oaxaca.").height == 0


def test_missing_columns() -> None:
    with pytest.raises(ValueError, match=r"sentences is missing column\(s\) \['text'\]"):
        code_sentences(pl.DataFrame({"doc_id": ["a"], "sent_id": [1], "start": [0]}), CB)


def test_headings_are_not_coded() -> None:
    s = sentences("Trump threatens tariffs", "Trump threatened tariffs.").with_columns(
        pl.Series("is_heading", [True, False])
    )
    assert code_sentences(s, CB)["sent_id"].to_list() == [2]


def test_web_addresses_are_not_read_and_a_links_text_is() -> None:
    # an address's words are no act; a Markdown link's text is read as if its target were
    # not there; matched and offsets are the document's own
    plain = "See https://www.whitehouse.gov/fact-sheets/imposes-tariffs-on-mexico for the text."
    assert coded.codes(plain).height == 0
    linked = (
        "The Administration [declared](https://x.com/RapidResponse47/status/1892263711399633273) "
        "Tren de Aragua, the Sinaloa Cartel and the Gulf Cartel as Foreign Terrorist "
        "Organizations."
    )
    c = coded.codes("Mexico agreed.", linked)
    rows = c.filter(pl.col("sent_id") == 2).select(
        "category", "matched", "match_start", "match_end"
    )
    assert "SANCTION" in rows["category"].to_list()
    text = "Mexico agreed. " + linked
    for _, matched, a, b in rows.rows():
        assert text[a:b] == matched
        assert "](https://x.com/" in matched  # the document's text, target included


def test_a_speaker_label_is_not_coded_and_the_turn_is() -> None:
    texts = ("INTERVENCIÓN: “Contra las cuerdas”.", "PRESIDENTA: Rechazamos la intervención.")
    s = sentences(*texts).with_columns(pl.Series("speaker", ["INTERVENCIÓN", "PRESIDENTA"]))
    codes = code_sentences(s, CB)
    # "INTERVENCIÓN" names a participant's turn, not an intervention
    assert codes["sent_id"].to_list() == [2]
    text = " ".join(texts)
    assert [text[a:b] for a, b in codes.select("match_start", "match_end").rows()] == [
        "Rechazamos la intervención"
    ]


# documents of one and of several sentences, with and without codes, in both languages
TOGETHER = [
    ("Sheinbaum spoke in Monterrey on Monday.", "She rejected the proposal for foreign troops."),
    ("Trabajamos antes de que entren en vigor los aranceles de Estados Unidos.",),
    ("The weather was mild in Oaxaca.",),
    ("México solicitó consultas con Estados Unidos.", "Estuvo de acuerdo."),
    ("Washington threatened tariffs unless Mexico extradited the bosses.",),
    ("La presidenta negó que existe un acuerdo con la DEA.",),
    ("Mexico agreed.", "It did not agree to U.S. troops."),
]


def test_documents_coded_together_are_coded_as_alone() -> None:
    # tests/coded.py codes the parametrised texts of this module in one call, one document
    # each: every document comes out as it does coded alone (the same rows, offsets,
    # actors, statuses and rules), none of them reaching into its neighbours
    together = coded.code_together(TOGETHER)
    for i, doc in enumerate(TOGETHER):
        alone = code_sentences(sentences(*doc, doc_id=f"d{i:05d}"), CB)
        assert together[doc].equals(alone), doc
    assert sum(c.height > 0 for c in together.values()) >= len(TOGETHER) - 1


def test_default_codebook_is_loaded() -> None:
    assert code_sentences(sentences("Mexico extradited two cartel bosses.")).height == 1


# --------------------------------------------------------------------------- status


def test_actual_act() -> None:
    assert statuses("Washington imposed a 25% tariff on Mexican steel.", "SANCTION") == {"actual"}


def test_threat_recasts_the_threatened_act() -> None:
    # rule 2: a threatened tariff is THREATEN/threatened, not a SANCTION
    text = "The president threatened to impose new duties on Mexican cement."
    assert {c[0] for c in codes_of(text)} == {"THREATEN"}
    assert statuses(text, "THREATEN") == {"threatened"}


def test_warning_of_force_is_a_threat() -> None:
    text = "Washington warned of special forces raids against the labs."
    assert statuses(text, "THREATEN") == {"threatened"}
    assert statuses(text, "MILITARY") == set()


def test_analyst_modal_makes_it_hypothetical() -> None:
    assert statuses("Analysts say sanctions on Mexico could follow.", "SANCTION") == {
        "hypothetical"
    }
    assert statuses("Renewed US pressure might strain the relationship.", "DEMAND") == {
        "hypothetical"
    }


def test_modal_after_a_threat_is_hypothetical() -> None:
    assert statuses("Tariff threats could undermine the agreement.", "THREATEN") == {"hypothetical"}


def test_speaker_hedge_is_a_threat() -> None:
    text = "Trump said that drone strikes on the labs could come soon."
    assert statuses(text, "THREATEN") == {"threatened"}


def test_announcement_is_threatened_but_keeps_its_category() -> None:
    text = "The State Department announced a review of all Mexican consulates."
    assert statuses(text, "SANCTION") == {"threatened"}


def test_status_scope_is_the_clause() -> None:
    # the modal belongs to the first clause; the extradition, after "but", is actual
    text = "Officials could meet next week, but Mexico extradited two suspects on Monday."
    assert statuses(text, "JUDICIAL") == {"actual"}


def test_conditional_is_hypothetical() -> None:
    assert statuses("If Mexico extradited the governor, relations would thaw.", "JUDICIAL") == {
        "hypothetical"
    }


# --------------------------------------------------------------------------- negation


def test_negation_right_before_the_act() -> None:
    assert statuses("Mexico did not extradite the former governor.", "JUDICIAL") == {"negated"}
    assert statuses("Mexico never imposed retaliatory tariffs.", "SANCTION") == {"negated"}
    assert statuses("Sheinbaum refrained from reciprocal measures.", "SANCTION") == {"negated"}


def test_negation_far_from_the_act_does_not_count() -> None:
    text = "Mexico avoided conflict so as not to hamper talks with Washington."
    assert statuses(text, "CONSULT") == {"actual"}


def test_negation_a_few_words_before_the_act() -> None:
    # the window is a few words inside the clause, not one word
    text = "The department said it would not provide new funding for security assistance."
    assert statuses(text, "AID") == {"negated"}
    assert statuses("México no envió nunca a esos presos a Estados Unidos.", "JUDICIAL") == {
        "negated"
    }


def test_negation_of_a_verb_that_governs_the_act_does_not_negate_it() -> None:
    text = "The ministry kept quiet so as not to jeopardise the meetings with Washington."
    assert statuses(text, "CONSULT") == {"actual"}


def test_negation_exceptions() -> None:
    text = "The transfers were not just a response to US pressure."
    assert statuses(text, "DEMAND") == {"actual"}


def test_negation_in_another_clause_does_not_count() -> None:
    text = "Talks did not collapse, and Mexico extradited two suspects."
    assert statuses(text, "JUDICIAL") == {"actual"}


def test_negated_rejection_phrase_is_an_actual_rejection() -> None:
    # "does not accept intervention" is itself a REJECT (rule 4), not a negated act
    assert codes_of("Mexico does not accept foreign intervention.") == {("REJECT", "MX", "actual")}


# --------------------------------------------------------------------------- overlaps


def test_overlapping_patterns_give_one_code() -> None:
    c = code_sentences(
        sentences("Mexico transferred 26 cartel members to U.S. custody last week."), CB
    )
    assert c.height == 1
    assert c["matched"].item() == "transferred 26 cartel members to U.S. custody"


def test_rejected_act_is_not_coded_as_the_act() -> None:
    assert codes_of("Sheinbaum rejected any unilateral U.S. military action.") == {
        ("REJECT", "MX", "actual")
    }


def test_one_code_per_category_actor_status() -> None:
    text = "Washington imposed tariffs on steel and imposed tariffs on cement."
    c = coded.codes(text)
    assert c.select("category", "actor", "status").rows() == [("SANCTION", "US", "actual")]
    assert c["match_start"].item() == text.index("imposed")


def test_refused_demand_implies_a_demand_by_the_other_side() -> None:
    assert codes_of("The government rejected the extradition demands.") >= {
        ("REJECT", "MX", "actual"),
        ("DEMAND", "US", "actual"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "Trump paused the tariffs on Mexico for 30 days after the call.",
        "Bueno, primero que se ponen en pausa las tarifas un mes.",
        "El gobierno de Estados Unidos suspendió los aranceles a México.",
    ],
)
def test_paused_tariffs_imply_a_threat_by_the_side_that_pauses_them(text: str) -> None:
    """``implies_side: same``: the tariffs put off were announced, a THREATEN by the
    U.S., threatened (status rule ``implied``), beside the U.S. concession."""
    c = coded.codes(text)
    assert ("CONCEDE", "US", "actual") in set(c.select("category", "actor", "status").rows())
    threat = c.filter(pl.col("category") == "THREATEN")
    assert threat.select("actor", "status", "status_rule").rows() == [
        ("US", "threatened", "implied")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "No estamos de acuerdo con las redadas que se han estado llevando a cabo.",
        '"We are not in agreement with this tax," Sheinbaum stated.',
        "Mexico doesn’t agree with immigration raids targeting people working honestly.",
    ],
)
def test_disagreement_with_a_measure_implies_a_charge_by_the_same_side(text: str) -> None:
    """``implies: ACCUSE``, ``implies_side: same``: a refusal of a measure named is a
    criticism of it too, by the side that refuses."""
    assert codes_of(text) >= {("REJECT", "MX", "actual"), ("ACCUSE", "MX", "actual")}


def test_disagreement_with_intervention_stays_a_refusal_alone() -> None:
    assert codes_of("No estamos de acuerdo con ninguna intervención.") == {
        ("REJECT", "MX", "actual")
    }


@pytest.mark.parametrize(
    ("text", "status"),
    [
        # a bracketed acronym does not end the clause: the denial governs the act
        (
            "Sheinbaum desmintió este lunes que la Agencia Central de Inteligencia (CIA) de "
            "Estados Unidos esté operando drones de vigilancia sobre territorio nacional.",
            "negated",
        ),
        # a "yet" after "not" is no conjunction
        ("The Treasury Department has not yet provided any evidence of the transfers.", "negated"),
        # an act said to be missing
        ("This lack of coordination is causing concern for the Mexican government.", "negated"),
    ],
)
def test_clause_limits_keep_the_negation_in_scope(text: str, status: str) -> None:
    c = coded.codes(text).filter(pl.col("stance") == "cooperation")
    assert c.height >= 1
    assert set(c["status"].to_list()) == {status}


def test_a_pause_with_its_object_unnamed_implies_no_threat() -> None:
    c = coded.codes("Le dije: “Bueno, vamos a ponerlo en pausa un mes.")
    assert "CONCEDE" in c["category"].to_list()
    assert "THREATEN" not in c["category"].to_list()


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Sheinbaum asked the United States to do more to stop the flow of weapons.", "MX"),
        ("Sheinbaum asked Washington to stop the flow of guns.", "MX"),
        ("Washington asked Mexico to hand over the cartel's financial operators.", "US"),
    ],
)
def test_the_side_asked_to_act_is_the_object_of_the_demand(text: str, actor: str) -> None:
    """``ask`` is an object marker: the side asked is the target, the asker the actor."""
    c = coded.codes(text)
    assert c.filter(pl.col("category") == "DEMAND")["actor"].unique().to_list() == [actor]


@pytest.mark.parametrize(
    "text",
    [
        "Sheinbaum on Tuesday rejected the idea of U.S. military strikes against cartels.",
        "Sheinbaum rejected Trump's threats of military action.",
        "La presidenta afirmó que “no va a ocurrir” una intervención de las fuerzas armadas de "
        "Estados Unidos.",
    ],
)
def test_refused_us_force_is_a_threat_by_the_us(text: str) -> None:
    """U.S. force a refusal holds (in its match, or negated right after it) is the U.S.
    proposal it answers: a THREATEN by the U.S., threatened, rule refused_proposal."""
    c = coded.codes(text)
    assert ("REJECT", "MX", "actual") in set(c.select("category", "actor", "status").rows())
    threat = c.filter(pl.col("category") == "THREATEN")
    assert threat.select("actor", "status", "status_rule").rows() == [
        ("US", "threatened", "refused_proposal")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "She rejects any U.S. intervention on Mexican territory.",
        "Mexico will not allow foreign troops on its soil.",
        "Sheinbaum rechazó cualquier intervención de Estados Unidos.",
    ],
)
def test_refused_force_of_nobody_named_or_of_any_kind_implies_no_threat(text: str) -> None:
    c = coded.codes(text)
    assert "REJECT" in set(c["category"])
    assert "THREATEN" not in set(c["category"])


def test_force_refused_further_on_in_the_refusal_is_its_content() -> None:
    # the force named after a longer object ("... un Gobierno extranjero y mucho menos que
    # intervengan Fuerzas Armadas"), within REFUSED_MAX_CHARS of the refusal, is what it refuses
    text = (
        "Nosotros no vamos a permitir que intervenga un Gobierno extranjero y mucho menos que "
        "intervengan Fuerzas Armadas de un Gobierno extranjero en nuestro territorio."
    )
    c = coded.codes(text)
    assert set(c["stance"]) == {"resistance"}


@pytest.mark.parametrize(
    "text",
    [
        "President Trump imposed tariffs on China.",
        "Trump threatened Colombia with tariffs.",
        "President Trump also designated the Houthis a foreign terrorist organization.",
        "The administration imposed a 25% tariff on Canadian steel.",
        "Estados Unidos impuso aranceles a China.",
    ],
)
def test_us_coercion_of_a_third_country_is_not_bilateral(text: str) -> None:
    assert coded.codes(text).height == 0


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Trump imposed tariffs on Canada, Mexico and China.", "SANCTION"),
        ("Trump threatened to impose tariffs on Mexico and Canada.", "THREATEN"),
        ("The State Department designated the cartels as foreign terrorist organizations.",
         "SANCTION"),
    ],
)  # fmt: skip
def test_us_coercion_tied_to_mexico_or_the_cartels_stays(text: str, category: str) -> None:
    c = coded.codes(text)
    assert c.filter(pl.col("category") == category)["actor"].to_list() == ["US"]


@pytest.mark.parametrize(
    "text",
    [
        "In recent weeks, the US has conducted strikes on boats in the Pacific.",
        "Hay muy buena relación con Canadá.",
        "Y por supuesto, la llamada con el ministro Carney la podemos tener pronto.",
        "The Attorney General also met with Canadian Public Safety Minister Marco Mendicino.",
        # talks with a side's own producers
        "Lo que vamos a hacer es reunirnos con los fabricantes de acero y aluminio.",
        "Y, además, hay muy buena relación con todos los acereros.",
        "La presidenta se reunió con los productores de tomate.",
        # another country named before the act, and neither side
        "In Colombia, we issued a joint statement that covered ongoing cooperation on "
        "security and migration.",
    ],
)
def test_strikes_on_boats_and_talks_with_a_third_country_or_own_producers_are_not_bilateral(
    text: str,
) -> None:
    assert coded.codes(text).height == 0


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a Mexican demand of another country is not bilateral ...
        ("Nosotros hemos estado solicitando al gobierno de China que detenga los precursores.",
         False),
        # ... unless the clause names the United States
        ("Nosotros hemos estado solicitando al gobierno de China y a Estados Unidos que "
         "detengan los precursores.", True),
    ],
)  # fmt: skip
def test_mexican_coercion_of_a_third_country_needs_the_us_named(text: str, kept: bool) -> None:
    s = sentences(f"PRESIDENTA: {text}").with_columns(pl.lit("PRESIDENTA").alias("speaker"))
    c = code_sentences(s)
    assert (c.filter(pl.col("stance") == "coercion").height > 0) is kept, c


@pytest.mark.parametrize(
    ("text", "category", "actor"),
    [
        # the other side named in the clause keeps talks with a third country
        ("Sheinbaum held a call with Trump and Carney on Friday.", "CONSULT", "UNSPECIFIED"),
        ("La presidenta sostuvo una llamada con Trump y con Carney.", "CONSULT", "UNSPECIFIED"),
        # a place that is another country does not drop a concession
        ("Mexico agreed to send 6,000 troops to its border with Guatemala.", "CONCEDE", "MX"),
        # producers met with the other side named
        ("La presidenta se reunió con los productores de tomate y con el secretario de "
         "Comercio de Estados Unidos.", "CONSULT", "MX"),
        # another country named before the act, with the other side named up to it
        ("In Colombia, Mexico and the United States agreed to deepen cooperation.",
         "AGREE", "UNSPECIFIED"),
        # boats tied to Mexico stay
        ("US forces struck drug boats off the coast of Mexico.", "MILITARY", "US"),
    ],
)  # fmt: skip
def test_acts_tied_to_the_other_side_stay(text: str, category: str, actor: str) -> None:
    c = coded.codes(text)
    assert (category, actor) in c.select("category", "actor").rows(), c


def edited_codebook(tmp_path: Path, edit: Callable[[dict], None]) -> Codebook:
    """The packaged codebook with ``edit`` applied to its YAML, loaded from ``tmp_path``."""
    raw = yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_codebook(path)


def test_domestic_partners_apply_without_a_third_country_list(tmp_path: Path) -> None:
    cb = edited_codebook(tmp_path, lambda raw: raw["actors"].update(third_countries=[]))
    home = sentences("Hay muy buena relación con todos los acereros.")
    assert code_sentences(home, cb).height == 0
    # ... while talks with another country, no longer listed, stay
    c = code_sentences(sentences("Hay muy buena relación con Canadá."), cb)
    assert c["category"].to_list() == ["AGREE"]


def test_scope_all_keeps_us_coercion_of_a_third_country(tmp_path: Path) -> None:
    every = edited_codebook(tmp_path, lambda raw: raw.update(scope="all"))
    c = code_sentences(sentences("President Trump imposed tariffs on China."), every)
    assert c.select("category", "actor").rows() == [("SANCTION", "US")]


@pytest.mark.parametrize(
    "text",
    [
        "Sheinbaum cuestionó la intención de Donald Trump de imponer aranceles a México.",
        "Trump's plan to impose tariffs on Mexico worried investors.",
    ],
)
def test_an_intention_to_act_is_not_the_act(text: str) -> None:
    c = coded.codes(text).filter(pl.col("category") == "SANCTION")
    assert c.select("status", "status_rule").rows() == [("threatened", "announced")]


def test_working_together_in_any_tense_is_cooperation() -> None:
    assert ("AGREE", "UNSPECIFIED", "actual") in codes_of(
        "The two leaders are working together on migration."
    )


@pytest.mark.parametrize(
    "text",
    [
        "Tariffs were imposed to combat the extraordinary threat to U.S. national security.",
        "The failure of both countries to combat trafficking poses a serious threat.",
        "It is a national-security threat.",
        "El narcotráfico representa una amenaza para la seguridad de ambos países.",
        "They also acknowledged that more work is needed to address shared threats.",
        "Ambos gobiernos buscan enfrentar las amenazas comunes.",
        "The cartels are organizations that threaten both countries.",
        "They threaten the safety of the American people.",
        "The Order directs the Secretary to use threat intelligence.",
        "Fentanyl is a serious threat to the United States.",
        "Los cárteles amenazan a nuestras comunidades.",
        "Las delegaciones revisaron el análisis de amenazas globales.",
        "Participants discussed evolving illicit finance threats.",
    ],
)
def test_a_danger_called_a_threat_is_no_threat(text: str) -> None:
    assert "THREATEN" not in categories_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "The Governments of Mexico and the United States reaffirm our cooperation in matters "
        "of security, which is based on the principles of reciprocity, respect of sovereignty "
        "and territorial integrity.",
        "Los Gobiernos de México y Estados Unidos reafirman su cooperación en materia de "
        "seguridad, basada en los principios de reciprocidad, respeto a la soberanía e "
        "integridad territorial.",
        "Both countries affirm our commitment to work together, in full respect of our "
        "sovereignties, to combat arms trafficking.",
    ],
)
def test_sovereignty_as_a_shared_principle_of_cooperation_is_no_assertion(text: str) -> None:
    codes = categories_of(text)
    assert "AGREE" in codes
    assert "ASSERT_SOVEREIGNTY" not in codes


def test_sovereignty_demanded_is_still_asserted() -> None:
    assert "ASSERT_SOVEREIGNTY" in categories_of("Exigimos respeto a la soberanía.")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Noem se lanzó contra la presidenta al acusarla de alentar las protestas.", "ACCUSE"),
        ("Una vez que los aprueben, voy a visitarlo.", "CONSULT"),
    ],
)
def test_a_verb_with_a_pronoun_attached_is_read(text: str, category: str) -> None:
    assert category in categories_of(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # measures whose entry into force is still to come are a threat
        (
            "Trabajamos antes de que entren en vigor los aranceles de Estados Unidos.",
            ("THREATEN", "threatened"),
        ),
        # Mexico's law on foreign agents, named by what it binds them to
        (
            "La reforma establece la obligación de los agentes extranjeros de informar.",
            ("ASSERT_SOVEREIGNTY", "actual"),
        ),
        # a measure said to have no ground is refused
        ("No hay justificación para imponer una tarifa de este tamaño.", ("REJECT", "actual")),
        # consultations asked for, in Spanish
        ("México solicitó consultas con Estados Unidos.", ("CONSULT", "actual")),
        # a denial in the infinitive negates what it denies
        (
            "La presidenta inició su conferencia para negar que existe un acuerdo con la DEA.",
            ("AGREE", "negated"),
        ),
    ],
)
def test_classes_read_in_codebook_2_96(text: str, expected: tuple[str, str]) -> None:
    assert expected in {(c, st) for c, _, st in codes_of(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # tariffs pledged or promised are a threat, not a commitment
        (
            "Trump pledged to impose a 25 percent tariff on all goods from Mexico.",
            ("THREATEN", "US", "threatened"),
        ),
        ("Trump prometió imponer aranceles a México.", ("THREATEN", "US", "threatened")),
        # the side that requests is the one named after the request or its verb
        ("Había una petición del gobierno de los Estados Unidos.", ("DEMAND", "US", "actual")),
        (
            "Se colabora en la extradición de delincuentes que solicita Estados Unidos.",
            ("DEMAND", "US", "actual"),
        ),
        # the weapons said to come from the other side, however far the verb
        (
            "De todas las armas vinculadas a un acto criminal, el 70 por ciento de ellas son "
            "procedentes de Estados Unidos.",
            ("ACCUSE", "MX", "actual"),
        ),
        # a letter to the other side's leader; "alerted" governs its object
        (
            "Sheinbaum read the letter that she is sending to Donald Trump.",
            ("CONSULT", "MX", "actual"),
        ),
        (
            "Mexico alerted U.S. authorities to the shipment.",
            ("SHARE_INTELLIGENCE", "MX", "actual"),
        ),
        ("Afortunadamente se llegó al arreglo.", ("AGREE", "UNSPECIFIED", "actual")),
        (
            "Nos reunimos en la Casa Blanca con el vicepresidente Pence.",
            ("CONSULT", "UNSPECIFIED", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_2_99(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # cooperation named by its decline, or as what a future task needs; a body's name
        "The deterioration of security collaboration has been so severe.",
        "Lamentó el deterioro de la cooperación en seguridad.",
        "La colaboración del gobierno norteamericano será fundamental en esta tarea.",
        "El presidente de la Junta de Coordinación Política del Senado habló.",
        # a pledge of tariffs is no commitment
        "Trump pledged to impose a 25 percent tariff on all goods from Mexico.",
    ],
)
def test_cooperation_in_decline_needed_or_named_is_no_agreement(text: str) -> None:
    assert "AGREE" not in categories_of(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a speaker's turn, a procedure: no force
        ("Para terminar mi intervención: estando a unos días de finalizar el año.", "MILITARY"),
        ("El ministro de Salud encabezó la intervención quirúrgica de los heridos.", "MILITARY"),
        # calumny charged at home; the cartels' menace; what an inquiry requires
        ("Es una vil calumnia.", "ACCUSE"),
        ("Esto fortalece a los grupos delictivos que amenazan la paz.", "THREATEN"),
        ("Se guardó el sigilo que exige la investigación.", "DEMAND"),
        # a speaker's agenda
        ("But, first, let's discuss the results of these efforts.", "CONSULT"),
        # the extradition procedure, no requester named
        ("Cuando hay una solicitud de extradición tiene que haber una orden.", "DEMAND"),
    ],
)
def test_phrases_read_as_no_act_in_codebook_3_0(text: str, category: str) -> None:
    assert category not in categories_of(text)


def test_an_extradition_request_is_a_demand_where_its_requester_is_named() -> None:
    named = codes_of("Se recibió la solicitud de extradición del gobierno de Estados Unidos.")
    assert ("DEMAND", "US", "actual") in named
    bare = codes_of("Cuando hay una solicitud de extradición tiene que haber una orden.")
    assert "JUDICIAL" in {c for c, _, _ in bare}


def test_an_admission_is_no_praise_a_credit_is() -> None:
    admitted = codes_of("Ebrard reconoció que no hay garantías de que lleguen a un trato.")
    assert "AGREE" not in {c for c, _, _ in admitted}
    credited = codes_of(
        "Ayer reconoció que en México se está haciendo una campaña contra el fentanilo."
    )
    assert ("AGREE", "US", "actual") in credited


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a U.S. department named in Spanish is the U.S. side, and a request of one a demand
        ("El traslado fue a solicitud del Departamento de Justicia.", ("DEMAND", "US", "actual")),
        (
            "La Marina realiza la búsqueda a solicitud de la Guardia Costera de Estados Unidos.",
            ("DEMAND", "US", "actual"),
        ),
        # ordinary words of talks and agreement
        ("Se trataron temas de seguridad y migración.", ("CONSULT", "UNSPECIFIED", "actual")),
        (
            "Se convino que la mesa binacional revisará los aranceles.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        ("Y quedamos de seguirlo hablando.", ("AGREE", "UNSPECIFIED", "actual")),
        (
            "We continue to work as closely as possible with President López Obrador and his "
            "administration.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        (
            "The two presidents agreed early on to hold a dialogue.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        # the principles of Mexico's foreign policy; foreign agents bound by its laws
        ("Primero, la autodeterminación de los pueblos.", ("ASSERT_SOVEREIGNTY", "MX", "actual")),
        (
            "Los agentes deberán ajustarse a las leyes mexicanas en su proceder.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        # the other side said to be able to do more: the speaker's side urges it
        ("Mexico could do a lot more.", ("DEMAND", "US", "actual")),
        # credit and honour given to the other side's officers ("we": no speaker, no side)
        (
            "We honor the memory of the Mexican soldiers who died in the arrest.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        ("The credit goes to President Sheinbaum.", ("AGREE", "US", "actual")),
    ],
)
def test_classes_read_in_codebook_3_1(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # world trade policy, not a measure aimed at Mexico
        ("The President will impose a 10% tariff on all countries.", "SANCTION"),
        ("Reciprocal tariffs will restore fairness to world trade.", "SANCTION"),
        # a reward notice; an incursion by criminals; people said to threaten
        ("Reward offers for information leading to the arrest of cartel leaders.", "JUDICIAL"),
        ("The group formed to prevent the incursion of larger cartels.", "MILITARY"),
        ("The law covers those who threaten Americans with violence.", "THREATEN"),
        # a resolve at home; a government's appeal to its public; drug demand
        ("We cannot allow this devastation of our communities to continue.", "REJECT"),
        ("My Administration urges all Americans to stay informed.", "DEMAND"),
        ("The dialogue covered drug demand and efforts to counter this demand.", "DEMAND"),
        # criminals held to account; pressure on traffickers
        ("The law has been used to hold traffickers accountable.", "DEMAND"),
        ("The campaign applied maximum pressure on foreign suppliers and traffickers.", "DEMAND"),
        # an instruction to one's own minister; a request to one's own Senate
        ("Le pedí a Juan Ramón de la Fuente que buscara al secretario Rubio.", "DEMAND"),
        (
            "Se envió al Senado la solicitud de autorización para el ingreso de instructores.",
            "DEMAND",
        ),
        # extraditable persons; boats attacked at sea
        ("La mayoría de ellos son extraditables.", "JUDICIAL"),
        ("Se busca a un sobreviviente de las embarcaciones atacadas.", "MILITARY"),
    ],
)
def test_phrases_read_as_no_act_in_codebook_3_1(text: str, category: str) -> None:
    assert category not in categories_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "La fiscalía revisó el expediente que nos envió el gobierno de Estados Unidos.",
        "Tenemos un reporte que nos da la Embajada de Estados Unidos.",
        "The prosecutors reviewed the evidence provided by the U.S. government.",
    ],
)
def test_evidence_sent_by_the_other_sides_government_is_intelligence_shared(text: str) -> None:
    assert "SHARE_INTELLIGENCE" in categories_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # the conversation just told, summed up or announced to the audience
        "Bueno, les platico un poco la conversación:",
        "Esa fue la conversación.",
        "Entonces, ésta fue la llamada.",
        "Y hasta ahí quedó la conversación.",
        # the United States' own sovereignty
        "They degrade the cartels' ability to undermine any American security or sovereignty "
        "interests.",
    ],
)
def test_phrases_read_as_no_act_in_codebook_3_2(text: str) -> None:
    assert codes_of(text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # people taken to the other country: a transfer
        (
            "Las 37 personas fueron llevadas a distintas ciudades de Estados Unidos.",
            ("JUDICIAL", "MX", "actual"),
        ),
        # security reserved to the Mexican state
        (
            "La seguridad en territorio mexicano es una atribución exclusiva del Estado mexicano.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        (
            "Security on Mexican soil is the exclusive responsibility of the Mexican state.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        # the U.S. president's order to use the armed forces
        (
            "Trump firmó una orden ejecutiva para utilizar fuerzas militares contra los cárteles.",
            ("MILITARY", "US", "actual"),
        ),
        # the side held to account is the target, not the actor
        (
            "President Trump is taking bold action to hold Mexico, Canada, and China accountable.",
            ("DEMAND", "US", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_2(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_a_conversation_held_is_still_talks_in_codebook_3_2() -> None:
    assert ("CONSULT", "UNSPECIFIED", "actual") in codes_of(
        "Tuvimos una conversación con el presidente Trump."
    )
    assert codes_of("Los heridos fueron llevados a un hospital.") == set()
    # a Mexican decree on its own armed forces at home is no U.S. force
    assert codes_of(
        "AMLO firmó un decreto para utilizar a las fuerzas armadas en tareas de seguridad pública."
    ) == set()
    # the United States named near a claim of Mexico's sovereignty does not hide it
    warned = codes_of("The president warned the U.S. against violating Mexico's sovereignty.")
    assert "ASSERT_SOVEREIGNTY" in {c for c, _, _ in warned}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relations of friendship or respect with the other side's leader
        (
            "Vamos a seguir manteniendo esta relación de amistad con el presidente Donald Trump.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        # respect for other nations' internal life; independence defended; the Senate's power
        (
            "Somos respetuosos de la vida interna de los países.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        (
            "México seguirá siendo un país que defiende su independencia.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        (
            "Es facultad exclusiva de la Cámara Alta permitir el paso de tropas extranjeras.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        # an agreement not kept is a charge
        (
            "Para nosotros ese acuerdo no se cumplió, para decirlo con claridad.",
            ("ACCUSE", "UNSPECIFIED", "actual"),
        ),
        # information the other country gave: intelligence shared, by the sender
        (
            "Hubo información que prestó el gobierno de los Estados Unidos.",
            ("SHARE_INTELLIGENCE", "US", "actual"),
        ),
        (
            "La fiscalía revisó el expediente que nos envió el gobierno de Estados Unidos.",
            ("SHARE_INTELLIGENCE", "US", "actual"),
        ),
        (
            "Es un flujo de información muy importante.",
            ("SHARE_INTELLIGENCE", "UNSPECIFIED", "actual"),
        ),
        # a war with Mexico; the entry of U.S. troops approved (agreement)
        (
            "War with Mexico would put American and Mexican lives at risk.",
            ("MILITARY", "US", "hypothetical"),
        ),
        (
            "El Senado avaló el ingreso de militares estadounidenses para capacitación.",
            ("AGREE", "MX", "actual"),
        ),
        # a charge of failure is the other side's: the side named before it is the accused
        (
            "The Mexican government has failed to confront the cartels.",
            ("ACCUSE", "US", "actual"),
        ),
        (
            "Sheinbaum said the U.S. has failed to stop the flow of arms.",
            ("ACCUSE", "MX", "actual"),
        ),
        (
            "President López Obrador's unwillingness to act against the cartels is alarming.",
            ("ACCUSE", "US", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_3(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "La información que nos dio el reportero era falsa.",
        "The war on drugs in Mexico has killed thousands.",
        "Llegamos a un acuerdo y se cumplió.",
    ],
)
def test_phrases_not_read_as_3_3_classes(text: str) -> None:
    got = categories_of(text)
    assert not got & {"ACCUSE", "MILITARY", "SHARE_INTELLIGENCE"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # respect asked for in a cleft sentence asserts sovereignty, not a demand
        (
            "Nosotros lo que siempre hemos pedido es que haya respeto.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        ("Lo que exigimos es respeto.", ("ASSERT_SOVEREIGNTY", "MX", "actual")),
        # the country's laws and constitution to be respected
        (
            "Siempre respetando nuestras leyes y nuestra Constitución.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        # Mexican territory said to be controlled by the cartels
        (
            "We know that a large part of Mexican territory is controlled by the cartels.",
            ("ACCUSE", "US", "actual"),
        ),
        (
            "In addition to controlling up to 40 percent of Mexican territory, the cartels "
            "also control the government.",
            ("ACCUSE", "US", "actual"),
        ),
        # a readiness to attack inside Mexico
        (
            "Trump stated that he would be willing to attack within Mexico.",
            ("THREATEN", "US", "threatened"),
        ),
    ],
)
def test_classes_read_in_codebook_3_4(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # a cleft sentence that asks for something else is no claim of sovereignty
        "Lo que queremos es que se detenga el tráfico de armas.",
        # a state's areas controlled by the cartels (not Mexico as a whole)
        "Large areas of the state are controlled by the cartels.",
    ],
)
def test_phrases_not_read_as_3_4_classes(text: str) -> None:
    got = categories_of(text)
    assert not got & {"ASSERT_SOVEREIGNTY", "ACCUSE"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a Spanish plural written "-es?" missed the singular: a tariff in the singular
        (
            "No tiene sentido poner un arancel a un producto en el que tú tienes superávit.",
            ("ACCUSE", "UNSPECIFIED", "actual"),
        ),
        # the two countries pledging together; a new chapter of their work
        (
            "Together, the United States and Mexico will intensify our efforts against drugs.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        (
            "Ambos países intensificarán sus esfuerzos contra el tráfico de armas.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        (
            "I am pleased to open a new chapter of our bilateral efforts.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        # tariffs averted: the other side's concession, its tariffs threatened
        (
            "En ese momento, México frenó el 30 por ciento de aranceles que EU había anunciado.",
            ("CONCEDE", "US", "actual"),
        ),
        (
            "Evitamos el aumento de aranceles anunciado para mañana.",
            ("THREATEN", "US", "threatened"),
        ),
        # tariffs called no solution
        (
            "Subrayó que los aranceles no son una solución efectiva.",
            ("ACCUSE", "UNSPECIFIED", "actual"),
        ),
        # foreign agents stripped of their immunity
        (
            "Congress passed a reform stripping all foreign agents of diplomatic immunity.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_5(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_a_pledge_does_not_swallow_the_act_it_names_in_codebook_3_5() -> None:
    codes = codes_of("Both countries have intensified intelligence cooperation.")
    assert {"AGREE", "SHARE_INTELLIGENCE"} <= {c for c, _, _ in codes}
    # a purpose to avert tariffs is no concession
    purpose = codes_of("Le pedimos que haga todo para evitar la imposición de aranceles.")
    assert "CONCEDE" not in {c for c, _, _ in purpose}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # credit given to the other side
        (
            "Rubio gave some of the credit related to enforcement to Mexican President Sheinbaum.",
            ("AGREE", "US", "actual"),
        ),
        # the good relation named as the thing kept or expected
        ("Va a haber buena relación.", ("AGREE", "UNSPECIFIED", "actual")),
        (
            "No es verdad esta afirmación, pero nos quedamos con la buena relación.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        # tariffs in force eased: the concession, and the tariffs as a sanction in force
        (
            "Then we've relaxed some of the tariffs that we put on them.",
            ("CONCEDE", "US", "actual"),
        ),
        (
            "Then we've relaxed some of the tariffs that we put on them.",
            ("SANCTION", "US", "actual"),
        ),
        # an order's rates of duty applied
        (
            "Such rate of duty shall apply with respect to goods entered for consumption.",
            ("SANCTION", "US", "actual"),
        ),
        # foreign agents held to Mexico's law
        (
            "Tienen que cumplir con la Ley de Seguridad Nacional para que agentes estén en México.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_6(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_6_leaves_uncoded() -> None:
    # tariffs Mexico will not ease stay in force: the concession is negated, the tariffs not
    kept = codes_of("Mexico will not ease its tariffs on U.S. pork.")
    assert ("CONCEDE", "MX", "negated") in kept
    assert ("SANCTION", "MX", "actual") in kept
    # a government's commitment to its own people is no pledge to the other side
    assert not codes_of(
        "The trip demonstrates the United States' unwavering commitment to protect the "
        "American people."
    )
    # credit given at home is no praise of the other side
    assert not codes_of("He gave credit to his own team.")
    # a question in automatic captions, its time stamp run into it, only asks
    assert not codes_of("01:32Are there parts of Mexico that are pretty much governed by cartels?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # results demanded of the other side
        (
            "EE.UU. reclama resultados claros y rápidos a México en la lucha contra el narco.",
            ("DEMAND", "US", "actual"),
        ),
        (
            "Sheinbaum habló con Trump después de que EEUU pidiera resultados tangibles.",
            ("DEMAND", "US", "actual"),
        ),
        # something said to have to be done about Mexico, in Spanish
        ('Habrá que hacer algo con México", dijo Trump.', ("THREATEN", "US", "threatened")),
    ],
)
def test_classes_read_in_codebook_3_7(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_7_leaves_uncoded() -> None:
    # a trade war is no war
    assert "MILITARY" not in categories_of("A trade war with Mexico would hurt.")
    # any U.S. intervention ruled out is a standing refusal, not a force proposed or used
    codes = codes_of("Que cualquier intervención de Estados Unidos queda descartada.")
    assert "REJECT" in {c for c, _, _ in codes}
    assert "MILITARY" not in {c for c, _, _ in codes}
    # ... while a named request for force stays the act it was
    named = codes_of("Requests for President Biden to use military force is an affront.")
    assert "MILITARY" in {c for c, _, _ in named}
    # results achieved are not results demanded
    assert not codes_of("El programa ha dado resultados concretos.")


SPEAKER_MX = "PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO"


def voiced_codes(text: str, speaker: str = SPEAKER_MX) -> set[tuple[str, str, str]]:
    """(category, actor, status) of one sentence said in a turn of ``speaker``."""
    c = code_sentences(sentences(text).with_columns(pl.lit(speaker).alias("speaker")), CB)
    return set(c.select("category", "actor", "status").rows())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the counter-charge of shared responsibility put as the speaker's own questions
        ("¿Quién vende la droga en las ciudades de Estados Unidos?", ("ACCUSE", "MX", "actual")),
        ("¿Dónde va el dinero de la venta de esa droga?", ("ACCUSE", "MX", "actual")),
        (
            "¿Cómo es que hay armas en México de uso exclusivo del Ejército de Estados Unidos?",
            ("ACCUSE", "MX", "actual"),
        ),
        # the other side told to look at home first
        ("Empiecen por su país.", ("DEMAND", "MX", "actual")),
        ("Ellos tienen mucho qué hacer en Estados Unidos.", ("DEMAND", "MX", "actual")),
        # sovereignty not to be negotiated, the verb first
        (
            "La Presidenta no va a negociar nunca la soberanía nacional.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        # limits put on the other side's agencies
        (
            "Se ponen límites a la participación de las agencias en México.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_8(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in voiced_codes(text)


def test_what_codebook_3_8_leaves_uncoded() -> None:
    # a reporter's question only asks, whatever it names
    assert not voiced_codes("PREGUNTA: ¿Quién vende las armas?", "PREGUNTA")
    # a question about the relation is no charge
    assert not voiced_codes("¿Cómo va la relación con Estados Unidos?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # forces going to the other country to be trained: the host's training
        (
            "Hay fuerzas federales que van a entrenarse a Estados Unidos en ciertos temas.",
            ("AID", "US", "actual"),
        ),
        (
            "Fuerzas de Estados Unidos, del Comando Norte, vienen a entrenarse a México.",
            ("AID", "MX", "actual"),
        ),
        # foreign agents said not to be accredited or authorised to operate
        (
            "Mexico says two U.S. CIA employees were not accredited to operate in the country.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
        (
            "Los agentes no estaban acreditados para operar en México.",
            ("ASSERT_SOVEREIGNTY", "MX", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_9(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_9_leaves_uncoded() -> None:
    # the United States' own sovereignty, in the words of its orders, is no claim of Mexico's
    for text in (
        "I am acting in accordance with my solemn duty to protect and defend the sovereignty "
        "of the United States.",
        "USNORTHCOM will maintain the sovereignty, territorial integrity, and security of the "
        "United States.",
    ):
        assert "ASSERT_SOVEREIGNTY" not in categories_of(text)
    # agents authorised to operate assert nothing
    assert not codes_of("The drivers were authorized to operate the trucks.")
    # training at home is no aid
    assert not codes_of("Los atletas van a entrenarse en el estadio.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # evidence demanded of the other side
        ("Sheinbaum pidió pruebas a Estados Unidos.", ("DEMAND", "MX", "actual")),
        ("“Envíen pruebas”, porque el tratado lo pide.", ("DEMAND", "MX", "actual")),
        # a number of capos or prisoners handed or sent over
        (
            "En febrero entregó 29 presuntos capos, entre ellos Caro Quintero.",
            ("JUDICIAL", "MX", "actual"),
        ),
        (
            "México ha enviado más de 90 personas perseguidas por Estados Unidos.",
            ("JUDICIAL", "MX", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_10(text: str, expected: tuple[str, str, str]) -> None:
    # in the Mexican president's turn, as these lines come (the quoted demand is hers)
    assert expected in voiced_codes(text)


def test_what_codebook_3_10_leaves_uncoded() -> None:
    # evidence presented in court is no demand; people sent to hospital are no transfer
    assert not codes_of("Las pruebas fueron presentadas ante el juez.")
    assert not codes_of("Enviaron 20 personas al hospital.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a refusal to act charged to the other side, and a claim called false: accusations
        ("Mexico has refused to crack down on the cartels.", ("ACCUSE", "US", "actual")),
        (
            "The Mexican president continues to falsely claim that no fentanyl is made there.",
            ("ACCUSE", "US", "actual"),
        ),
        # acting on what the other side's agencies found: the sender's intelligence
        (
            "Mexican police acted on intelligence from the DEA to find the lab.",
            ("SHARE_INTELLIGENCE", "US", "actual"),
        ),
        ("La captura se logró con información del FBI.", ("SHARE_INTELLIGENCE", "US", "actual")),
        # units vetted or trained by the other side's agencies
        ("Mexican officers trained by the FBI took part in the raid.", ("AID", "US", "actual")),
        # a call or a meeting called good; delegations reviewing; contact kept up
        ("The call was very productive.", ("CONSULT", "UNSPECIFIED", "actual")),
        ("La llamada fue muy buena.", ("CONSULT", "UNSPECIFIED", "actual")),
        (
            "Ambas delegaciones revisaron los avances del plan.",
            ("CONSULT", "UNSPECIFIED", "actual"),
        ),
        ("Usted y yo hablamos a diario.", ("CONSULT", "UNSPECIFIED", "actual")),
        # thanks for a visit of the other side's officials
        (
            "Quiero agradecer la presencia del fiscal general de Estados Unidos.",
            ("CONSULT", "UNSPECIFIED", "actual"),
        ),
        # the relationship praised; the two called partners; a binational campaign
        (
            "The relationship between the two countries has never been stronger.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        ("México y Estados Unidos somos socios y aliados.", ("AGREE", "UNSPECIFIED", "actual")),
        (
            "Lanzarán una campaña binacional contra el fentanilo.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        # sovereignty as a principle of the relation: agreement, not a claim against the other
        (
            "Acordaron el respeto a la soberanía como principio de la relación bilateral.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
        # people sent back to the speaker's country; a fugitive removed where wanted
        ("They sent 26 more back to us in August.", ("JUDICIAL", "MX", "actual")),
        (
            "ICE removed him to Mexico, where he is wanted for homicide.",
            ("JUDICIAL", "US", "actual"),
        ),
        # tariffs coming into force, the verb first
        ("Entraban en vigor los aranceles.", ("SANCTION", "US", "actual")),
    ],
)
def test_classes_read_in_codebook_3_11(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_11_leaves_uncoded() -> None:
    # a refusal of what the other side asked stays a refusal
    assert "REJECT" in categories_of("Mexico refused to extradite the governor.")
    # sovereignty asserted alone is no agreement
    assert "AGREE" not in categories_of("Exigimos respeto a la soberanía.")
    # a call to the police, a talk among neighbours, a domestic campaign: nothing between the two
    assert not codes_of("The call was made to the local police.")
    assert not codes_of("Hablamos con los vecinos.")
    assert not codes_of("La campaña de vacunación comenzó en marzo.")
    # people sent back home from abroad are no transfer
    assert not codes_of("The students were sent back to their schools.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # force the other side will not rule out, words between: a threat kept open
        (
            "Officials have repeatedly refused in recent months to rule out strikes in Mexico.",
            ("THREATEN", "UNSPECIFIED", "threatened"),
        ),
        # force ruled out before it is allowed: a refusal
        (
            "Mexico's president ruled out allowing U.S. strikes on its soil.",
            ("REJECT", "MX", "actual"),
        ),
        # a request of the other side's authorities, named by their nationality
        (
            "Las extradiciones se realizaron a solicitud de las autoridades estadounidenses.",
            ("DEMAND", "US", "actual"),
        ),
        # the other side's president kept informed
        (
            "Queremos que esté bien informado el presidente Trump.",
            ("CONSULT", "UNSPECIFIED", "actual"),
        ),
        # the handover said to be carried out, with a possessive
        ("Su entrega se realizó en el aeropuerto de Toluca.", ("JUDICIAL", "MX", "actual")),
    ],
)
def test_classes_read_in_codebook_3_12(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "Rechazamos la intervención de Estados Unidos.",
        "No aceptamos la intervención de Estados Unidos.",
    ],
)
def test_a_refusal_is_the_refusers_not_the_author_of_what_it_refuses(text: str) -> None:
    # the "de Estados Unidos" after the match names the refused act's author, not the
    # refusal's (the actor rule agent is not for resistance)
    codes = voiced_codes(text)
    assert ("REJECT", "MX", "actual") in codes
    assert ("REJECT", "US", "actual") not in codes


@pytest.mark.parametrize(
    "text",
    [
        "Pero no por eso se va a llamar a la intervención de Estados Unidos.",
        "Pero se equivoca el que llama a la intervención de los Estados Unidos en México.",
    ],
)
def test_a_call_for_intervention_refused_is_a_refusal_and_no_threat(text: str) -> None:
    # the call comes from home, not from the other side: no U.S. threat, no U.S. force
    codes = voiced_codes(text)
    assert ("REJECT", "MX", "actual") in codes
    assert {c for c, _, _ in codes} == {"REJECT"}


def test_what_codebook_3_12_leaves_uncoded() -> None:
    # a request of a local authority is no demand of the other side
    assert "DEMAND" not in categories_of("Se hizo a solicitud de las autoridades locales.")
    # devotion is no handover: the handover is one said to be carried out
    assert not codes_of("Su entrega a la causa fue total.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a call received from the other side's leader: talks, the caller's
        (
            "The president said he received a phone call from U.S. President Donald Trump.",
            ("CONSULT", "US", "actual"),
        ),
        ("Sheinbaum recibió una llamada del presidente Trump.", ("CONSULT", "US", "actual")),
        ("Ayer me llamó el presidente Biden.", ("CONSULT", "US", "actual")),
        # in communication with the other side
        (
            "The minister said he was in communication with the U.S. government.",
            ("CONSULT", "UNSPECIFIED", "actual"),
        ),
        # the other side not allowed to intervene, the verb after que
        (
            "No estamos permitiendo que intervengan en nuestros asuntos.",
            ("REJECT", "MX", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_13(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_13_leaves_uncoded() -> None:
    # a call from anyone else is no talks between the two
    assert not codes_of("She received a call from her lawyer.")
    # allowing something else is no refusal of an intervention
    assert "REJECT" not in categories_of("No estamos permitiendo que suban los precios.")


@pytest.mark.parametrize(
    "text",
    [
        "Trump said that he and Sheinbaum spoke Monday morning.",
        "After the two spoke today, the tariffs were put off.",
        "Ambos mandatarios conversaron por teléfono.",
    ],
)
def test_the_two_leaders_said_to_have_spoken_are_talks_in_codebook_3_14(text: str) -> None:
    assert ("CONSULT", "UNSPECIFIED", "actual") in codes_of(text)


def test_what_codebook_3_14_leaves_uncoded() -> None:
    # a third party's leader meeting one side's is no talks between the two
    assert not codes_of("Carney and Sheinbaum met in Mexico City.")
    # two people speaking who are not the two sides' leaders
    assert not codes_of("The two neighbours spoke about the weather.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # disagreement with what the other side's leader put forward, the other side named
        (
            "No compartimos de ninguna manera lo que ha planteado el presidente Trump.",
            ("REJECT", "MX", "actual"),
        ),
        # the flow of arms asked to be stopped, in the impersonal
        ("Lo importante es que se frene el tráfico de armas.", ("DEMAND", "MX", "actual")),
    ],
)
def test_classes_read_in_codebook_3_15(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in voiced_codes(text)


def test_what_codebook_3_15_leaves_uncoded() -> None:
    # disagreement with anyone else is no refusal of the other side
    assert not voiced_codes("No comparto lo que dijo mi vecino sobre el partido.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "gravamen" is read wherever "arancel" is
        (
            "Estados Unidos impuso gravámenes de 25 por ciento a los productos mexicanos.",
            ("SANCTION", "US", "actual"),
        ),
        ("Trump anunció gravámenes a las importaciones mexicanas.", ("SANCTION", "US", "actual")),
        ("Un gravamen del 30 por ciento a los productos mexicanos.", ("SANCTION", "US", "actual")),
        # tariffs said to start at a date to come
        ("Los aranceles comenzarán a aplicarse el 1 de agosto.", ("THREATEN", "US", "threatened")),
        # sanctions named in Spanish, in the plural
        (
            "Sheinbaum respondió a las sanciones de Estados Unidos contra tres bancos.",
            ("SANCTION", "US", "actual"),
        ),
        # information received from the other side, the sender named
        (
            "México recibió semanas atrás información del Departamento del Tesoro.",
            ("SHARE_INTELLIGENCE", "US", "actual"),
        ),
        ("Recibimos información del FBI sobre el caso.", ("SHARE_INTELLIGENCE", "US", "actual")),
        ("Nos hicieron llegar todas las pruebas.", ("SHARE_INTELLIGENCE", "UNSPECIFIED", "actual")),
        # people transferred to the other country: nouns in quotation marks, its territory,
        # "the neighbouring country", sent to face justice there
        (
            'Reconoció la transferencia de 37 "criminales" y "narcoterroristas" a territorio'
            " estadounidense.",
            ("JUDICIAL", "MX", "actual"),
        ),
        (
            "Luego de entregar al vecino país a 26 presos vinculados con organizaciones"
            " criminales.",
            ("JUDICIAL", "MX", "actual"),
        ),
        (
            "Los detenidos saldrán mañana para que enfrenten la justicia en Estados Unidos.",
            ("JUDICIAL", "MX", "actual"),
        ),
        # thanks to the other side's government, named by its leader
        (
            "El embajador agradeció a la administración de la Presidenta Claudia Sheinbaum por"
            " su determinación.",
            ("AGREE", "US", "actual"),
        ),
        # an agreement called new
        (
            "El nuevo acuerdo en materia de seguridad entre México y Estados Unidos fue firmado.",
            ("AGREE", "UNSPECIFIED", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_16(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_16_leaves_uncoded() -> None:
    # a penalty at home, in the singular, is no sanction
    assert not codes_of("Que haya una sanción para los medios que difundan esos videos.")
    # an agreement called great is not read without the other side ("este gran acuerdo de
    # desarrollo del país")
    assert "AGREE" not in categories_of("Estamos construyendo este gran acuerdo de desarrollo.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # more verbs of criticism (CAMEO 111), the passive's agent the critic
        (
            "Sheinbaum on Tuesday slammed President Donald Trump for comparing fentanyl to a"
            " weapon.",
            ("ACCUSE", "MX", "actual"),
        ),
        ("Trump has been slammed by Mexico's President Sheinbaum.", ("ACCUSE", "MX", "actual")),
        ("Sheinbaum le reprochó a Trump sus declaraciones.", ("ACCUSE", "MX", "actual")),
        # an issue raised with the other side
        ('"I have raised this with President Trump," Sheinbaum said.', ("CONSULT", "MX", "actual")),
        # people said to have been sent or flown to the other country or its cities
        (
            "With this transfer, 92 high-impact criminals have now been sent to the US.",
            ("JUDICIAL", "MX", "actual"),
        ),
        (
            "The suspects were flown to Washington, Houston and New York on several aircraft.",
            ("JUDICIAL", "MX", "actual"),
        ),
        ("Those transferred by Mexico were wanted in Texas.", ("JUDICIAL", "MX", "actual")),
        # a side recognised or credited for what it did
        (
            "En ese discurso reconoce al presidente Trump por el respeto que ha tenido a México.",
            ("AGREE", "MX", "actual"),
        ),
        ("The ambassador credited Mexico for its efforts.", ("AGREE", "US", "actual")),
        # a refusal opened by an emphatic double negative, or with its subject after the
        # auxiliary
        ("Eso nunca jamás lo vamos a aceptar.", ("REJECT", "MX", "actual")),
        (
            "No vamos nosotros a permitir ninguna intervención del extranjero.",
            ("REJECT", "MX", "actual"),
        ),
        # the other side's officials said to come or arrive
        (
            "Una delegación de funcionarios estadounidenses llegará a México el jueves.",
            ("CONSULT", "US", "actual"),
        ),
        ("Van a seguir viniendo funcionarios, senadores a México.", ("CONSULT", "US", "actual")),
    ],
)
def test_classes_read_in_codebook_3_17(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_17_leaves_uncoded() -> None:
    # a door slammed is no criticism
    assert not codes_of("The door slammed shut behind the reporters.")
    # an issue raised with someone at home, a visit at home
    assert not codes_of("The committee raised the issue with the governor of Texas.")
    assert not codes_of("Llegaron funcionarios de la Secretaría de Salud a Oaxaca.")



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the other side struck with a measure: the striker is the subject before the verb
        ("Trump said he would hit Mexico with 30% tariffs.", ("THREATEN", "US", "threatened")),
        ("Washington castigó a México con nuevos aranceles.", ("SANCTION", "US", "actual")),
        # requests in every tense, and pleas (CAMEO 02)
        ("Trump pide a México que detenga la migración.", ("DEMAND", "US", "actual")),
        ("Sheinbaum pleaded with Washington to stop the guns.", ("DEMAND", "MX", "actual")),
        # a request put as a wish
        (
            "Ojalá y nos dieran más información sobre esas cifras.",
            ("DEMAND", "UNSPECIFIED", "actual"),
        ),
        # zones said to be held by organised crime: the U.S. charge
        (
            "Blinken dijo que hay zonas del país controladas por el crimen organizado.",
            ("ACCUSE", "US", "actual"),
        ),
        # a refusal in every tense; what the laws do not allow
        ("Ese tema no estaba sobre la mesa.", ("REJECT", "MX", "actual")),
        ("Our position is that troops were never on the table.", ("REJECT", "MX", "actual")),
        (
            "Nuestras leyes no permiten operaciones de agentes extranjeros.",
            ("REJECT", "MX", "actual"),
        ),
        # tariffs as a case considered
        (
            "Ellos serían los más afectados en caso de los aranceles.",
            ("SANCTION", "US", "hypothetical"),
        ),
        # the other side's envoy to be received
        ("Vamos a recibir al embajador de Estados Unidos.", ("CONSULT", "UNSPECIFIED", "actual")),
    ],
)
def test_classes_read_in_codebook_3_18(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_18_leaves_uncoded() -> None:
    # a court's appeal, a wish at home, a hit that is no measure
    assert not codes_of("She appealed to the court to reverse the ruling.")
    assert not codes_of("Ojalá nos vaya bien en el partido del domingo.")
    assert not codes_of("The storm hit the coast with heavy rain.")



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # programmes of the U.S. aid offices (CAMEO 07)
        (
            "USAID partnered with state and local governments in Mexico to reduce violence.",
            ("AID", "US", "actual"),
        ),
        # what a side says it wants, a proposal that the other side act
        (
            "Lo que queremos es que se invierta en Centroamérica.",
            ("DEMAND", "UNSPECIFIED", "actual"),
        ),
        ("Les hemos planteado que se amplíe el programa.", ("DEMAND", "UNSPECIFIED", "actual")),
        # "tangible results" wanted by the other side
        (
            "Washington espera resultados concretos y tangibles de México.",
            ("DEMAND", "US", "actual"),
        ),
        # a tariff hike in the Mexican press's word
        ("Trump anunció ayer un tarifazo al acero mexicano.", ("SANCTION", "US", "threatened")),
        # talks on other subjects, a meeting with a day between
        (
            "Y tratamos otros temas, como el control de las armas.",
            ("CONSULT", "UNSPECIFIED", "actual"),
        ),
        (
            "Nos reunimos ayer con doce legisladores de Estados Unidos.",
            ("CONSULT", "UNSPECIFIED", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_19(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_19_leaves_uncoded() -> None:
    # shared responsibility as a principle of the cooperation is no counter-charge
    assert "ACCUSE" not in categories_of(
        "La base de este entendimiento es la responsabilidad compartida y la confianza mutua."
    )
    # a release's title line, who a delegation included, results one has given
    assert not codes_of("Readout of Secretary Mayorkas's Call with Foreign Secretary Ebrard")
    assert not codes_of("The Mexican delegation included Foreign Secretary Marcelo Ebrard.")
    assert "DEMAND" not in categories_of("Hemos dado resultados tangibles en seguridad.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # forces deployed to a Mexican border state or city: Mexico's, the place no destination
        # of the other side
        (
            "According to the Mexican government, 2,620 soldiers will be deployed to Chihuahua.",
            ("CONCEDE", "MX", "actual"),
        ),
        (
            "Sonora has deployed an elite new unit to counter cartel violence.",
            ("CONCEDE", "MX", "actual"),
        ),
        (
            "The troops are there to reinforce the country's northern border.",
            ("CONCEDE", "MX", "actual"),
        ),
        # training received from the United States is U.S. aid
        (
            "Its officers received training from U.S. Customs and Border Protection advisers.",
            ("AID", "US", "actual"),
        ),
        (
            "La unidad ha recibido capacitación por parte del Comando Norte.",
            ("AID", "US", "actual"),
        ),
    ],
)
def test_classes_read_in_codebook_3_20(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in codes_of(text)


def test_what_codebook_3_20_leaves_uncoded() -> None:
    # U.S. troops on the U.S. side, training at home
    assert "CONCEDE" not in categories_of("U.S. troops were deployed to El Paso.")
    assert not codes_of("The officers received training from the state police academy.")

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # tariffs on goods named with "en"
        ("Los aranceles en el aluminio mexicano se mantienen.", ("SANCTION", "US")),
        # the other side's envoy to be received, in the subjunctive, and a visitor received by
        # an official named before the title
        ("Se espera que el canciller reciba a la secretaria de Seguridad Nacional.",
         ("CONSULT", "UNSPECIFIED")),
        ("El director del FBI fue recibido por Omar García Harfuch, titular de la SSPC.",
         ("CONSULT", "UNSPECIFIED")),
        # interests held in common
        ("México y Estados Unidos tienen intereses de seguridad comunes.",
         ("AGREE", "UNSPECIFIED")),
        # joint training exercises with the other side's forces
        ("Marines de Estados Unidos participarán en ejercicios combinados de entrenamiento "
         "con la Semar.", ("AID", "US")),
    ],
)
def test_classes_read_in_codebook_3_21(text: str, expected: tuple[str, str]) -> None:
    assert expected in {(c, a) for c, a, _ in codes_of(text)}


def test_what_codebook_3_21_leaves_uncoded() -> None:
    # the speaker asked to tell the room, no talks
    assert not codes_of("Nos quisiera platicar cómo avanza el programa.")
    assert not codes_of("Secretario, ¿nos podría platicar cómo avanza el programa?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # aims set together
        ("The two governments identified the priorities together.", ("AGREE", "UNSPECIFIED")),
        ("Fijamos juntos los objetivos del plan de seguridad.", ("AGREE", "UNSPECIFIED")),
        # forces arriving at the border, in Spanish: Mexico's deployment
        ("Esta mañana arribaron 400 efectivos de la Guardia Nacional.", ("CONCEDE", "MX")),
        ("Los soldados llegaron en la madrugada a Nuevo Laredo.", ("CONCEDE", "MX")),
        # a summit or meeting had or attended
        ("Biden attended the summit in Mexico City in January.", ("CONSULT", "UNSPECIFIED")),
        # the Treasury's actions against the cartels
        ("Treasury announced new actions against fentanyl traffickers.", ("SANCTION", "US")),
    ],
)
def test_classes_read_in_codebook_3_22(text: str, expected: tuple[str, str]) -> None:
    assert expected in {(c, a) for c, a, _ in codes_of(text)}


def test_what_codebook_3_22_leaves_uncoded() -> None:
    # the other side's forces arriving are no Mexican deployment
    assert "CONCEDE" not in categories_of("Llegaron 200 soldados estadounidenses a Ciudad Juárez.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a leader of the other side spoken to, a meeting said to have been good, leaders who
        # talked, a call by telephone, contact to be kept
        ("The president said he spoke to Rubio earlier in the day.", ("CONSULT", "UNSPECIFIED")),
        ("Officials said the meeting had been very productive.", ("CONSULT", "UNSPECIFIED")),
        ("The three leaders talked about trade and security.", ("CONSULT", "UNSPECIFIED")),
        ("La secretaria llamó por teléfono al canciller mexicano.", ("CONSULT", "UNSPECIFIED")),
        ("Mañana estaremos en comunicación.", ("CONSULT", "UNSPECIFIED")),
        # data sent by the other side's government, its intelligence used
        ("Los datos que envió el gobierno de Estados Unidos llegaron tarde.",
         ("SHARE_INTELLIGENCE", "US")),
        ("La captura se logró con información de inteligencia del gobierno de Estados Unidos.",
         ("SHARE_INTELLIGENCE", "US")),
    ],
)
def test_classes_read_in_codebook_3_23(text: str, expected: tuple[str, str]) -> None:
    assert expected in {(c, a) for c, a, _ in codes_of(text)}


def test_what_codebook_3_23_leaves_uncoded() -> None:
    # the press spoken to is no talks with the other side
    assert "CONSULT" not in categories_of("Trump spoke to reporters aboard Air Force One.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a call as the setting or the subject of a report, in Spanish
        ("La llamada duró apenas diez minutos.", ("CONSULT", "UNSPECIFIED")),
        ("Durante la llamada se habló de los aranceles.", ("CONSULT", "UNSPECIFIED")),
        # information sent to the White House
        ("Vamos a mandar información a la Casa Blanca.", ("CONSULT", "MX")),
        # an intervention not endorsed
        ("El gobierno de México no avala la presencia de tropas extranjeras.", ("REJECT", "MX")),
        # a grant given, experts trained
        ("USTDA will provide a new grant to the Mexican aviation regulator.", ("AID", "US")),
        ("The FBI will train forensic investigators from Mexico.", ("AID", "US")),
        # prisoners taken to the other country's cities; a transfer named as the last
        ("Los detenidos fueron llevados a Houston y San Antonio.", ("JUDICIAL", "MX")),
        ("Fue el último traslado del año.", ("JUDICIAL", "MX")),
    ],
)
def test_classes_read_in_codebook_3_24(text: str, expected: tuple[str, str]) -> None:
    assert expected in {(c, a) for c, a, _ in codes_of(text)}


def test_the_two_leaders_are_a_joint_antecedent() -> None:
    # "They" after "The two leaders ... criminal organizations" is the leaders, not the
    # criminals the sentence before names last
    codes = code_sentences(
        sentences(
            "The two leaders reiterated their commitment to counter criminal organizations.",
            "They agreed to continue close cooperation between our two governments.",
        ),
        CB,
    )
    assert ("AGREE", "UNSPECIFIED") in set(
        codes.filter(pl.col("sent_id") == 2).select("category", "actor").rows()
    )


def test_what_codebook_3_24_leaves_uncoded() -> None:
    # "la llamada" as "the so-called" is no call
    assert "CONSULT" not in categories_of("Durante la llamada guerra sucia desaparecieron cientos.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a side that coincides with the other, in Spanish as in English
        ("Coincidimos con el presidente Biden en este punto.", ("AGREE", "MX")),
        ("Lo que ella plantea coincide con lo que estamos haciendo.", ("AGREE", "UNSPECIFIED")),
        # a call by telephone in any form of the verb
        ("Podemos hablar por teléfono con el presidente cuando sea necesario.",
         ("CONSULT", "UNSPECIFIED")),
        # information passed to officials in the other country
        ("CIA officers pass the information they gather to officials in Mexico.",
         ("SHARE_INTELLIGENCE", "US")),
    ],
)
def test_classes_read_in_codebook_3_25(text: str, expected: tuple[str, str]) -> None:
    assert expected in {(c, a) for c, a, _ in codes_of(text)}


@pytest.mark.parametrize(
    "text",
    [
        "La delegación viajó a Washington para evitar la imposición de tarifas.",
        "The deal was meant to avoid the imposition of tariffs on Mexican goods.",
        "Queremos evitar esos aranceles a toda costa.",
    ],
)
def test_a_sanction_averted_was_threatened(text: str) -> None:
    # rule averted: the tariffs to be averted, or averted, were announced, not imposed
    codes = codes_of(text)
    assert ("THREATEN", "US", "threatened") in codes
    assert not {c for c in codes if c[0] == "SANCTION" and c[2] in ("actual", "negated")}


def test_what_codebook_3_25_leaves_uncoded() -> None:
    # a date that coincides is no agreement
    assert "AGREE" not in categories_of("La visita coincide con el aniversario de la batalla.")
    # an act other than a sanction avoided stays negated, not a threat
    assert ("ACCUSE", "MX", "negated") in codes_of("Sheinbaum evitó criticar a Trump.")
    assert "THREATEN" not in categories_of("Sheinbaum evitó criticar a Trump.")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # force not ruled out, in a contracted negation; every option said to be on the table
        ("The nominee didn’t rule out strikes on the cartels.", "THREATEN"),
        ("All cards are on the table, Johnson said.", "THREATEN"),
        ("Todas las cartas siguen sobre la mesa.", "THREATEN"),
        # intelligence called actionable
        ("La operación se basó en inteligencia accionable.", "SHARE_INTELLIGENCE"),
        # prisoners taken to the prisons of the other country
        ("Los reos fueron llevados a las prisiones de Nueva York.", "JUDICIAL"),
    ],
)
def test_classes_read_in_codebook_3_26(text: str, category: str) -> None:
    assert category in categories_of(text)


def test_mexico_put_on_notice_is_a_us_warning() -> None:
    # Mexico, named inside the match, is the target, not the actor
    assert ("THREATEN", "US", "threatened") in codes_of("The White House placed Mexico on notice.")
    assert "THREATEN" not in categories_of("The landlord put the tenants on notice.")


def test_a_subject_after_its_spanish_verb_is_the_actor() -> None:
    # "..., exigió Trump": Trump is the subject, not the one pressed
    codes = codes_of("México tiene que hacer más, exigió Trump.")
    assert ("DEMAND", "US", "actual") in codes
    assert ("DEMAND", "MX", "actual") not in codes
    assert ("THREATEN", "US", "threatened") in codes_of("Así lo amenazó Trump en su red social.")
    assert ("ACCUSE", "MX", "actual") in codes_of(
        "Es una violación a la soberanía, acusó el presidente López Obrador."
    )
    # the object of such a verb takes "a", and English has no such order
    assert ("ACCUSE", "US", "actual") in codes_of("Trump acusó a México de no hacer nada.")
    assert ("JUDICIAL", "MX", "actual") in codes_of(
        "La Fiscalía General de la República extraditó a Estados Unidos a dos hombres."
    )
    assert ("DEMAND", "US", "actual") in codes_of("Trump pressed Mexico to act.")

def test_active_duty_troops_sent_to_the_border_are_one_us_mobilisation() -> None:
    codes = codes_of("I sent active-duty troops to the border to repel the invasion.")
    assert ("MILITARY", "US", "actual") in codes
    assert "CONCEDE" not in {c for c, _, _ in codes}


@pytest.mark.parametrize(
    "text",
    [
        "También hubo comunicación, incluso, con el Comando Norte.",
        "Ahí ha habido ya mucha comunicación, muy respetuosa, por cierto.",
        "Entonces, hay que hacerle llegar la información al asesor de la Casa Blanca.",
    ],
)
def test_contact_had_and_information_sent_are_talks(text: str) -> None:
    assert "CONSULT" in categories_of(text)


def test_more_asked_of_a_side_is_the_other_sides_demand() -> None:
    codes = codes_of("Multiple administrations have pushed Mexico to do more.")
    assert ("DEMAND", "US", "actual") in codes
    assert ("DEMAND", "MX", "actual") not in codes


@pytest.mark.parametrize(
    "text",
    [
        "Se requiere de cooperación y entendimiento recíproco a estos grandes desafíos.",
        "Tiene que haber coordinación.",
        "La coordinación entre ambas naciones es necesaria para atender la violencia.",
        "Current collaboration on migration is essential.",
    ],
)
def test_cooperation_said_to_be_needed_is_no_agreement(text: str) -> None:
    assert "AGREE" not in categories_of(text)


def test_the_two_countries_as_one_subject_of_a_plan_agree_jointly() -> None:
    joint = codes_of("Mexico and the U.S. will also begin a new binational health campaign.")
    assert ("AGREE", "UNSPECIFIED", "actual") in joint
    # the last two countries of a list are no joint subject
    listed = codes_of("The World Cup in Canada, Mexico and the U.S. will require planning.")
    assert "AGREE" not in {c for c, _, _ in listed}


def test_a_threat_made_is_still_a_threat() -> None:
    assert ("THREATEN", "US", "threatened") in codes_of("Trump's threats to impose tariffs grew.")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a reporter's courtesy, and an order's closing formula
        ("Q    Thank you, Mr. President.", "AGREE"),
        ("This order shall be implemented subject to the availability of appropriations.", "AID"),
        # one U.S. office consulting another
        ("The Secretary of War, in consultation with the Secretary of Homeland Security, "
         "will update the directives.", "CONSULT"),
        # a press conference is not pressing anyone
        ("In a press conference, Sheinbaum said the talks continue.", "DEMAND"),
        # feeling pressured is a state, not an act
        ("El gobernante que se siente presionado no reconoce el valor de México.", "DEMAND"),
        # a side's own goal is no agreement with the other
        ("The United States remains committed to protecting our nation.", "AGREE"),
        # Mexico's own financial intelligence unit shares nothing with the U.S.
        ("La Unidad de Inteligencia Financiera presentó su informe.", "SHARE_INTELLIGENCE"),
        # a place of detention is no arrest
        ("Un mexicano falleció en un centro de detención de Estados Unidos.", "JUDICIAL"),
    ],
)
def test_formulas_that_read_like_acts_are_none(text: str, category: str) -> None:
    assert category not in categories_of(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # the negation falls on a violation: the sovereignty is asserted
        ("Es colaboración y coordinación, pero nunca la violación a nuestra soberanía.",
         "ASSERT_SOVEREIGNTY"),
        # the negation falls on ending the act, which goes on
        ("I'm not stopping the tariffs on Mexico.", "SANCTION"),
    ],
)
def test_a_negation_of_the_act_s_end_or_violation_does_not_negate_it(
    text: str, category: str
) -> None:
    found = statuses(text, category)
    assert found and "negated" not in found, found


@pytest.mark.parametrize(
    ("text", "demand"),
    [
        ("La presidenta insistió en que hay un entendimiento con Estados Unidos.", False),
        ("Trump insisted that tariffs are coming on Canada and Mexico.", False),
        ("Trump insisted on the extradition of the cartel leaders.", True),
        ("Hacemos un llamado respetuoso, pero firme, a las autoridades estadounidenses para "
         "que se respete el debido proceso.", True),
    ],
)  # fmt: skip
def test_insisting_that_is_an_assertion_insisting_on_or_appealing_a_demand(
    text: str, demand: bool
) -> None:
    assert ("DEMAND" in categories_of(text)) is demand


# --------------------------------------------------------------------------- Spanish


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Trump amenazó con imponer aranceles a México.", ("THREATEN", "US")),
        ("México extraditó a 26 narcotraficantes a Estados Unidos.", ("JUDICIAL", "MX")),
        ("Sheinbaum rechazó cualquier intervención extranjera.", ("REJECT", "MX")),
        ("El gobierno de México defendió la soberanía nacional.", ("ASSERT_SOVEREIGNTY", "MX")),
        ("Estados Unidos impuso aranceles de 25% al acero.", ("SANCTION", "US")),
    ],
)
def test_spanish_sentences_are_coded(text: str, expected: tuple[str, str]) -> None:
    assert expected in {(c, a) for c, a, _ in codes_of(text)}


def test_spanish_negation() -> None:
    assert statuses("México no extraditó al exgobernador.", "JUDICIAL") == {"negated"}


# --------------------------------------------------------------------------- offsets


def test_offsets_point_into_the_document() -> None:
    parts = [
        "Intro line.",
        "Élite units — Mexico extradited “El Jefe” to the US.",
        "Trump threatened tariffs.",
    ]
    doc = " ".join(parts)
    c = coded.codes(*parts)
    assert c.height >= 2
    for m, a, b in c.select("matched", "match_start", "match_end").rows():
        assert doc[a:b] == m


fragment = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from([" ", ", ", "; ", "“", "”", "’s ", "—", "\x00", "é", "ñ"]),
    st.sampled_from(
        [
            "tariffs ",
            "Trump threatened ",
            "Mexico ",
            "not ",
            "extradited ",
            "U.S. pressure ",
            "she ",
            "rechazó ",
        ]
    ),
)
text_st = st.lists(fragment, max_size=15).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(text_st, min_size=1, max_size=4))
def test_offsets_property(parts: list[str]) -> None:
    doc = " ".join(parts)
    c = code_sentences(sentences(*parts), CB)
    for m, a, b in c.select("matched", "match_start", "match_end").rows():
        assert 0 <= a < b <= len(doc)
        assert doc[a:b] == m


def test_locate_merges_regexes_leftmost_first() -> None:
    df = pl.DataFrame({"_row": [0], "text": ["threat of tariffs"]})
    hits = locate(df, [r"tariffs", r"threat of tariffs"])
    assert hits.select("s_start", "matched").rows() == [(0, "threat of tariffs")]


def test_locate_keeps_offsets_with_nul_characters() -> None:
    text = "a\x00b tariffs"
    df = pl.DataFrame({"_row": [0], "text": [text]})
    start = text.index("tariffs")
    assert locate(df, r"tariffs").select("s_start", "s_end").rows() == [(start, start + 7)]


# --------------------------------------------------------------------------- kwic


def test_kwic() -> None:
    s = sentences("Intro.", "In March, Washington imposed tariffs on Mexican steel.")
    c = code_sentences(s, CB)
    k = kwic(c, s, window=10)
    assert k.columns == [*c.columns, "left", "keyword", "right"]
    row = k.row(0, named=True)
    text = s["text"][1]
    a = row["match_start"] - s["start"][1]
    b = a + len(row["keyword"])
    assert row["keyword"] == row["matched"] == text[a:b]
    # the 10-character windows cut "Washington" and "Mexican": the fragments are dropped
    assert (row["left"], row["right"]) == ("…", " on…")
    whole = kwic(c, s, window=200).row(0, named=True)
    assert (whole["left"], whole["right"]) == (text[:a], text[b:])


def test_kwic_keeps_whole_words_at_the_window_edges() -> None:
    s = sentences("Officials said Mexico extradited twenty-six suspects to Texas yesterday.")
    c = code_sentences(s, CB)
    row = kwic(c, s, window=12).row(0, named=True)
    text = s["text"][0]
    assert row["left"].startswith("…") and row["right"].endswith("…")
    assert text[: row["match_start"]].endswith(row["left"][1:])
    assert text.startswith(row["right"][:-1], row["match_end"])
    for part in (row["left"][1:].split(), row["right"][:-1].split()):
        assert all(word in text.split() for word in part)


def test_kwic_window_validation() -> None:
    s = sentences("Mexico extradited two suspects.")
    c = code_sentences(s, CB)
    with pytest.raises(ValueError, match=r"window must be a non-negative int, got -1"):
        kwic(c, s, window=-1)


def test_kwic_missing_columns() -> None:
    s = sentences("Mexico extradited two suspects.")
    c = code_sentences(s, CB)
    with pytest.raises(ValueError, match=r"sentences is missing column\(s\) \['start'\]"):
        kwic(c, s.drop("start"))


def test_batches_give_the_same_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    import analysis.indicators as engine

    docs = [
        sentences(
            "Trump threatened tariffs on Mexico.",
            "She rejected the proposal for foreign troops.",
            "Mexico extradited two suspects to the United States.",
            doc_id=f"d{i}",
        )
        for i in range(6)
    ]
    s = pl.concat(docs)
    whole = code_sentences(s, CB)
    monkeypatch.setattr(engine, "BATCH_ROWS", 4)
    monkeypatch.setattr(engine, "CANDIDATE_ROWS", 3)
    assert code_sentences(s, CB).equals(whole)
    # matches given status and actor a few sentences at a time; a pronoun still finds
    # the previous sentence when that sentence's matches fall in another batch
    monkeypatch.setattr(engine, "HIT_BATCH", 2)
    assert code_sentences(s, CB).equals(whole)
    # the chunk regexes' pieces turned into offsets one regex at a time, or all at once
    for groups in (1, 1000):
        monkeypatch.setattr(engine, "PIECE_GROUPS", groups)
        assert code_sentences(s, CB).equals(whole)
    assert whole.height > 0
    # a batch's documents are sliced from the table when their rows are contiguous, and
    # filtered when they are not (rows of two documents interleaved)
    assert engine._documents(s.with_row_index("_row")) is not None
    mixed = s.sort("sent_id", "doc_id", maintain_order=True)
    assert engine._documents(mixed.with_row_index("_row")) is None
    key = ["doc_id", "sent_id", "match_start", "category", "actor"]
    assert code_sentences(mixed, CB).sort(key).equals(whole.sort(key))


# --------------------------------------------------------------------------- clauses


def test_scare_quotes_do_not_end_the_clause() -> None:
    # the threat verb governs the "that" clause; the quoted phrase stays inside it
    text = "The president warned that “drone strikes” on the labs could begin soon."
    assert {c[0] for c in codes_of(text)} == {"THREATEN"}
    assert statuses(text, "THREATEN") == {"threatened"}


def test_denied_that_negates_the_complement() -> None:
    text = "The minister denied that Mexico had agreed to joint patrols."
    assert statuses(text, "AGREE") == {"negated"}
    text = "El canciller negó que México haya extraditado al exgobernador."
    assert statuses(text, "JUDICIAL") == {"negated"}


def test_retraction_later_in_the_sentence_negates() -> None:
    text = "Mexico announced retaliatory tariffs on U.S. pork, but then backed down within a week."
    assert statuses(text, "SANCTION") == {"negated"}


def test_spanish_conditional_is_hypothetical() -> None:
    text = "Washington impondría aranceles del 30% a México."
    assert statuses(text, "SANCTION") == {"hypothetical"}


def test_noun_in_ia_is_not_a_conditional() -> None:
    text = "La secretaría de Economía impuso aranceles al acero estadounidense."
    assert statuses(text, "SANCTION") == {"actual"}


def test_scope_drops_third_party_acts(tmp_path: Path) -> None:
    text = "China imposed tariffs on Mexican steel."
    assert coded.codes(text).height == 0
    every = edited_codebook(tmp_path, lambda raw: raw.update(scope="all"))
    assert every.scope == "all"
    assert set(code_sentences(sentences(text), every)["actor"]) == {"OTHER"}


# --------------------------------------------------------------------------- v1.3 rules


def test_trailing_warning_makes_a_coercive_act_a_threat() -> None:
    text = "Mexican exports will face 30% tariffs next month, a senior U.S. official warned."
    assert codes_of(text) == {("THREATEN", "US", "threatened")}
    text = "Habrá aranceles de 30% a partir de julio, advirtió el secretario."
    assert statuses(text, "THREATEN") == {"threatened"}


def test_trailing_warning_does_not_make_a_refusal_a_threat() -> None:
    text = "Mexico will never accept foreign troops, the president warned."
    assert statuses(text, "REJECT") == {"actual"}


def test_condition_after_the_act_is_hypothetical() -> None:
    text = "Mexico would answer with reciprocal tariffs should the U.S. duties take effect."
    assert statuses(text, "SANCTION") == {"hypothetical"}
    text = "Mexico will retaliate against U.S. goods if Washington goes ahead."
    assert statuses(text, "SANCTION") == {"hypothetical"}
    assert statuses("México respondería con aranceles si Washington insiste.", "SANCTION") == {
        "hypothetical"
    }


def test_condition_after_a_threat_keeps_it_a_threat() -> None:
    text = "Trump issued an ultimatum to Mexico if the flow of migrants did not stop."
    assert statuses(text, "THREATEN") == {"threatened"}


def test_content_of_a_threat_is_absorbed_by_the_threat() -> None:
    text = "The president had never threatened Mexico with military action, she said."
    assert codes_of(text) == {("THREATEN", "US", "negated")}
    text = "Trump threatened Mexico with tariffs and with drone strikes on cartel labs."
    assert codes_of(text) == {("THREATEN", "US", "threatened")}


def test_content_of_a_threat_cue_without_a_threat_match_is_recast() -> None:
    text = "The envoy warned that U.S. air strikes on cartel labs are coming."
    assert {c[0] for c in codes_of(text)} == {"THREATEN"}


def test_a_refused_accusation_stays_the_accusers_act() -> None:
    c = codes_of(
        "We categorically reject the defamatory claims made by the White House accusing the "
        "Mexican government of having alliances with criminal organizations."
    )
    assert ("ACCUSE", "US", "actual") in c
    assert "THREATEN" not in {cat for cat, _, _ in c}


def test_a_refused_proposal_of_force_is_the_named_proposers_threat() -> None:
    c = code_sentences(
        sentences("México rechazó la oferta de Trump de enviar tropas contra los cárteles.")
    ).filter(pl.col("category") == "THREATEN")
    assert c.select("actor", "actor_rule", "status_rule").rows() == [
        ("US", "proposer", "refused_proposal")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Should we understand that these tariffs would add up?",
        "PREGUNTA: ¿En esta conversación hubo alguna posibilidad de un encuentro con Trump?",
        "PREGUNTA: Ahora quisiera preguntarle, usted, ¿México seguirá entregando objetivos "
        "prioritarios del crimen organizado a Estados Unidos?",
        "¿Como parte del programa de cooperación van a enviar más elementos?, ¿su gobierno va "
        "a enviar más elementos a la frontera?",
        "Y hay una encuesta sobre si, ¿los estadounidenses están de acuerdo con imponer "
        "nuevos aranceles a México?",
        "Q So, you’re confident that they will agree to cooperate with us?",
        "Preguntarle: ¿cuáles son los términos en los que quedaron los acuerdos con Estados "
        "Unidos?",
        "Q1: What was the context behind Secretary Rubio's visit to Mexico?",
        # a yes-or-no question put as a wish to know, without a question mark
        "I wanted to ask if the U.S. is going to make specific demands on Mexico.",
        "And also, I would like to know if they are planning to discuss the program.",
        "Me gustaría conocer si llegaron a algún tipo de acuerdos.",
    ],
)
def test_questions_that_only_ask_are_not_coded(text: str) -> None:
    """``uncoded_units``: a reporter's question, one or several, after a short preamble,
    or a labelled turn that ends in one, asserts no act."""
    assert coded.codes(text).height == 0


def test_a_rhetorical_question_in_a_sides_turn_is_its_charge() -> None:
    """``rhetorical_questions``: "why don't they ...?" asked in the turn of a speaker who
    has a side is that side's charge (rule obligation, with the turn's voice); the same
    question in a reporter's turn, or with no speaker, only asks."""
    texts = [
        "¿Por qué no atienden a sus jóvenes?",
        "¿Por qué ellos no combaten la distribución del fentanilo en Estados Unidos?",
    ]
    base = sentences(*texts)
    for speaker, expected in (
        ("PRESIDENTE ANDRÉS MANUEL LÓPEZ OBRADOR", {("ACCUSE", "MX", "actual")}),
        ("PREGUNTA", set()),
    ):
        c = code_sentences(base.with_columns(speaker=pl.lit(speaker)), CB)
        for sent_id in (1, 2):
            got = set(c.filter(pl.col("sent_id") == sent_id).select(
                "category", "actor", "status").rows())
            assert got == expected, (speaker, sent_id, got)
    assert code_sentences(base, CB).height == 0
    # a question that asks what the other side did, in the same turn, is still uncoded
    asked = sentences("¿Por qué no ha respondido usted a Trump?").with_columns(
        speaker=pl.lit("PRESIDENTE ANDRÉS MANUEL LÓPEZ OBRADOR"))
    assert code_sentences(asked, CB).height == 0


@pytest.mark.parametrize(
    "text",
    [
        "Y en el caso del comercio, le hice la misma propuesta: ¿por qué no ponemos a los "
        "secretarios a trabajar juntos?",
        "Trump threatened tariffs on Mexico. Why?",
        # a wish to ask about an act the question reports
        "I wanted to ask you about the comments of the President of Mexico, who has been "
        "very critical of the administration.",
    ],
)
def test_a_question_inside_a_statement_is_coded(text: str) -> None:
    assert coded.codes(text).height > 0


@pytest.mark.parametrize(
    "text",
    [
        "Sheinbaum niega vuelos de drones de la CIA.",
        "The government denied the drone flights.",
    ],
)
def test_an_act_denied_outright_is_negated(text: str) -> None:
    c = coded.codes(text)
    assert c.height > 0
    assert set(c["status"].to_list()) == {"negated"}


def test_a_dropped_match_does_not_hide_the_matches_after_the_winner() -> None:
    """Leftmost-first: a match kept ends where the next may start; a match dropped (it
    starts inside the winner) neither pushes that end on nor hides, in its own regex, the
    matches after the winner's end."""
    df = pl.DataFrame({"_row": [0], "text": ["he declined to comment on the sanctions plan"]})
    found = locate(
        df, ["declined to comment", "declined to comment on the sanctions plan", "sanctions"]
    )
    assert found["matched"].to_list() == ["declined to comment", "sanctions"]
    df = pl.DataFrame({"_row": [0], "text": ["que se ponen en pausa las tarifas un mes"]})
    found = locate(df, ["ponen en pausa", "pausa las tarifas|tarifas"])
    assert found.select("matched", "part").rows() == [("ponen en pausa", 0), ("tarifas", 1)]
    assert found["s_start"].to_list() == [7, 26]


def test_quotation_marks_inside_an_act_do_not_hide_it() -> None:
    # the patterns read the quotation marks as spaces; the codes keep the sentence's own text
    texts = [
        "Six cartels were designated as “terrorist organizations” by the U.S.",
        'FinCEN said it had prohibited "certain funds transfers" involving three banks.',
    ]
    frame = pl.DataFrame(
        {"doc_id": ["a", "b"], "sent_id": [1, 1], "start": [0, 0], "text": texts}
    )
    codes = code_sentences(frame, CB)
    got = {r["doc_id"]: r for r in codes.iter_rows(named=True)}
    assert got["a"]["category"] == "SANCTION" and "“terrorist" in got["a"]["matched"]
    assert got["b"]["category"] == "SANCTION" and '"certain' in got["b"]["matched"]
    for r in codes.iter_rows(named=True):
        text = texts[0 if r["doc_id"] == "a" else 1]
        assert text[r["match_start"] : r["match_end"]] == r["matched"]


def test_force_named_just_before_a_rejection_is_what_it_rejects() -> None:
    text = "Ese escenario, la intervención en México, ha asegurado la presidenta, “no pasará”."
    assert codes_of(text) == {("REJECT", "MX", "actual")}
    # its U.S. author named: the act (or proposal) as it was made stays
    got = codes_of("Requests for President Biden to use military force in Mexico were rejected.")
    assert any(c[0] in ("MILITARY", "THREATEN") for c in got)


def test_a_prediction_ruled_out_is_negated_and_one_not_ruled_out_a_threat() -> None:
    assert codes_of("Sheinbaum descartó que Washington intervenga en territorio mexicano.") == {
        ("REJECT", "MX", "actual")
    }
    got = codes_of("Sheinbaum no descartó que Estados Unidos intervenga.")
    assert ("THREATEN", "US", "threatened") in got
    assert ("REJECT", "MX", "actual") not in got


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an operation run by a side's own forces is police work, not a stated relation
        (
            "Fue detenido en una operación coordinada por el Ejército Mexicano y la Guardia "
            "Nacional.",
            set(),
        ),
        # "no queremos" refuses only with what is refused named
        ("Todo homicidio es lamentable y no queremos que eso pase en nuestro país.", set()),
        ("No queremos espionajes en México.", {("REJECT", "MX", "actual")}),
        # the same operation run with the other side stays coded
        (
            "Las autoridades de México y Estados Unidos trabajan de manera coordinada.",
            {("AGREE", "UNSPECIFIED", "actual")},
        ),
    ],
)
def test_what_reads_like_an_act_at_home_is_not_coded(
    text: str, expected: set[tuple[str, str, str]]
) -> None:
    assert codes_of(text) == expected
