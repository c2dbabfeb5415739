"""Actor attribution: one test per rule, with sentences written for the rule."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from analysis.actors import attribute_actors, subject_cues
from analysis.codebook import load_codebook
from analysis.indicators import code_sentences
from tests import coded
from tests.text_tables import sentences_of

CB = load_codebook()
# the parametrised texts are coded in one call of the engine (tests/coded.py)
CODED_IN_ONE_CALL = True


def sentences(*texts: str) -> pl.DataFrame:
    return sentences_of(*texts, doc_id="a")


def actor(*texts: str, category: str) -> set[str]:
    c = coded.codes(*texts, doc_id="a").filter(
        (pl.col("sent_id") == len(texts)) & (pl.col("category") == category)
    )
    return set(c["actor"])


def test_fixed_actor_for_joint_acts() -> None:
    assert actor("Sheinbaum said the talks with Washington went well.", category="CONSULT") == {
        "UNSPECIFIED"
    }


def test_attributive_cue_before_the_act() -> None:
    assert actor("Renewed Washington pressure worries exporters.", category="DEMAND") == {"US"}
    assert actor(
        "The measures answer Mexico's demands on arms trafficking.", category="DEMAND"
    ) == {"MX"}


def test_attributive_cue_inside_the_match() -> None:
    assert actor("Exporters face punitive US tariffs on tomatoes.", category="SANCTION") == {"US"}


@pytest.mark.parametrize(
    "text",
    [
        "Sheinbaum rejected U.S. military strikes against cartels.",
        "Mexico rejected American intervention.",
        "Sheinbaum rechazó la intervención estadounidense.",
    ],
)
def test_the_object_of_a_rejection_is_not_its_actor(text: str) -> None:
    # the side named right after the verb is the one rejected, not the one rejecting
    assert actor(text, category="REJECT") == {"MX"}


def test_the_object_of_an_accusation_is_not_its_actor() -> None:
    text = "Sheinbaum accused U.S. gun makers of fuelling violence."
    assert actor(text, category="ACCUSE") == {"MX"}


def test_possessive_is_the_target_when_the_indicator_says_so() -> None:
    assert actor(
        "Washington complained about Mexico's insufficient efforts.", category="ACCUSE"
    ) == {"US"}


def test_joint_modifier_for_cooperation() -> None:
    assert actor(
        "Officials praised the joint operations in Sonora.", category="SHARE_INTELLIGENCE"
    ) == {"UNSPECIFIED"}


def test_passive_agent() -> None:
    assert actor(
        "Two gangs were designated as terrorist organizations by the Treasury.", category="SANCTION"
    ) == {"US"}
    assert actor(
        "The plan drew condemnation from the Mexican government.", category="ACCUSE"
    ) == {"MX"}


def test_subject_is_the_first_cue_in_the_clause() -> None:
    assert actor("The Pentagon is urging Mexico to accept joint patrols.", category="DEMAND") == {
        "US"
    }
    assert actor(
        "The Mexican Senate rejected the proposal for foreign troops.", category="REJECT"
    ) == {"MX"}


def test_cue_after_a_preposition_is_not_the_subject() -> None:
    # "on the basis of U.S. intelligence": the U.S. is not the one arresting
    assert actor(
        "Mexican police acted on the basis of U.S. intelligence to arrest a boss.",
        category="JUDICIAL",
    ) == {"MX"}


def test_counterpart_gives_the_other_side() -> None:
    assert actor(
        "Investigators expanded intelligence sharing with Washington.",
        category="SHARE_INTELLIGENCE",
    ) == {"MX"}
    assert actor("Officials described renewed pressure on Mexico.", category="DEMAND") == {"US"}


def test_circumstantial_phrase_is_unspecified() -> None:
    assert actor(
        "Despite harsh criticism, Mexico kept talking to Washington.", category="ACCUSE"
    ) == {"UNSPECIFIED"}


def test_indicator_default_for_agentless_acts() -> None:
    assert actor("New tariffs were imposed on Mexican cement in May.", category="SANCTION") == {
        "US"
    }
    assert actor("Any foreign military intervention is firmly rejected.", category="REJECT") == {
        "MX"
    }


def test_pronoun_takes_the_previous_subject() -> None:
    assert actor(
        "Sheinbaum spoke in Monterrey on Monday.",
        "She rejected the proposal for foreign troops.",
        category="REJECT",
    ) == {"MX"}
    assert actor(
        "Trump spoke to reporters on Friday.",
        "He accused the governors of cartel ties.",
        category="ACCUSE",
    ) == {"US"}


def test_pronoun_chain_goes_back_several_sentences() -> None:
    assert actor(
        "The Mexican government answered on Monday.",
        "It said little else.",
        "They have accused Washington of hypocrisy.",
        category="ACCUSE",
    ) == {"MX"}


def test_place_names_are_not_actors() -> None:
    assert actor("Mexico City — Officials held talks on security.", category="CONSULT") == {
        "UNSPECIFIED"
    }
    assert actor("Mexico City — The accusations grew louder.", category="ACCUSE") == {"UNSPECIFIED"}


def test_joint_cue_is_unspecified() -> None:
    assert actor("Both countries pledged to curb arms trafficking.", category="AGREE") == {
        "UNSPECIFIED"
    }


@pytest.mark.parametrize(
    "text",
    [
        "The United States, Mexico, and Canada commit to increasing collaboration.",
        "Estados Unidos, México y Canadá acordaron reforzar la cooperación.",
    ],
)
def test_a_list_of_the_three_countries_is_one_joint_subject(text: str) -> None:
    # the commas of the list do not end the clause (clauses.list_item): the subject is the
    # whole list, not Canada, its last name
    assert actor(text, category="AGREE") == {"UNSPECIFIED"}


def test_a_third_country_with_one_side_is_still_a_third_party() -> None:
    assert actor("Mexico and Canada agreed to increase collaboration.", category="AGREE") == set()


def test_case_sensitive_us() -> None:
    # "us" (pronoun) is not the United States
    assert actor("Let us pledge to do better.", category="AGREE") == {"UNSPECIFIED"}


def test_subject_cues_function() -> None:
    df = pl.DataFrame({"k": [1, 2, 3], "t": ["pressure on Mexico", "Trump and Mexico", ""]})
    out = subject_cues(df, CB, col="t", key="k")
    assert out["actor"].to_list() == [None, "US", None]
    assert subject_cues(df, CB, col="t", key="k", which="last")["actor"].to_list() == [
        None,
        "MX",
        None,
    ]


def test_subject_cues_rejects_bad_choice() -> None:
    df = pl.DataFrame({"k": [1], "t": ["x"]})
    with pytest.raises(ValueError, match=r"which must be 'first' or 'last', got 'middle'"):
        subject_cues(df, CB, col="t", key="k", which="middle")


def test_attribute_actors_reports_the_rule() -> None:
    df = pl.DataFrame(
        {
            "_code": [0],
            "stance": ["coercion"],
            "matched": ["pressure"],
            "left_clause": ["The "],
            "right_clause": [" on Mexico grew."],
            "left_sentence": ["The "],
            "default_actor": [None],
            "fixed_actor": [False],
            "attributive": [True],
            "prev_actor": [None],
            "anaphoric": [False],
        },
        schema_overrides={"default_actor": pl.String, "prev_actor": pl.String},
    )
    out = attribute_actors(df, CB)
    assert out.select("actor", "actor_rule").row(0) == ("US", "counterpart")


def test_object_inside_the_match_is_not_the_actor() -> None:
    # the country right after an object-taking verb inside the match is its target
    assert actor("The Pentagon pressed Mexico to close the labs.", category="DEMAND") == {"US"}
    assert actor("Washington wants Mexico to seize more precursors.", category="DEMAND") == {"US"}


def test_passive_subject_is_the_target() -> None:
    # agentless tariff: only the US taxes goods entering the US (indicator default)
    assert "MX" not in actor(
        "Mexico was slapped with a 30% tariff on tomatoes last year.", category="SANCTION"
    )
    # the passive subject (the cartel suspects) is not the actor; the destination is the
    # counterpart, so the sending side is Mexico
    assert actor(
        "Ten alleged cartel operatives were sent to the United States on Friday.",
        category="JUDICIAL",
    ) == {"MX"}


def test_passive_verb_with_a_to_infinitive_keeps_the_subject() -> None:
    assert actor("Mexico was forced to extradite two smugglers.", category="JUDICIAL") == {"MX"}


def test_spanish_genitive_names_the_agent() -> None:
    assert actor(
        "El Senado aprobó la reforma ante las presiones de Washington.", category="DEMAND"
    ) == {"US"}


def test_capital_as_a_metonym_is_an_actor() -> None:
    assert actor(
        "The drone flights drew a formal protest from Mexico City.", category="ASSERT_SOVEREIGNTY"
    ) == {"MX"}
    # as a dateline it is still a place
    assert actor("Mexico City, March 3 — The accusations grew louder.", category="ACCUSE") == {
        "UNSPECIFIED"
    }


def test_agent_after_an_abbreviation() -> None:
    # "U.S." does not end the clause, so the agent after "by" is found
    assert actor(
        "Police raided the warehouse using intelligence provided by U.S. analysts.",
        category="SHARE_INTELLIGENCE",
    ) == {"US"}


def test_recipient_subject_gives_the_act_to_the_other_side() -> None:
    text = "Mexico's customs agency took delivery of ten scanners donated by a U.S. program."
    assert actor(text, category="AID") == {"US"}
    text = "La Marina recibió equipo financiado por Estados Unidos."
    assert actor(text, category="AID") == {"US"}
    text = "Mexican steelmakers will face 25% tariffs in June."
    assert actor(text, category="SANCTION") == {"US"}


def test_recipient_rule_needs_a_receiving_verb() -> None:
    text = "Washington donated ten scanners to Mexican customs."
    assert actor(text, category="AID") == {"US"}


def test_third_party_joint_acts_are_dropped_by_the_scope() -> None:
    for text in (
        "Canadá y México acordaron ampliar el comercio de minerales.",
        "Canada and Mexico signed an agreement on critical minerals.",
        "México y Canadá se reunieron en Ottawa.",
        "China and Mexico held talks on steel.",
    ):
        assert coded.codes(text, doc_id="a").height == 0, text


def test_aid_and_transfers_to_a_third_country_are_dropped_by_the_scope() -> None:
    for text in (
        "La Casa Blanca dio a conocer que van a retirar el apoyo militar a Ucrania.",
        "Denisse y José fueron entregados al gobierno de Argentina.",
    ):
        assert coded.codes(text, doc_id="a").height == 0, text
    # the same acts between the two sides are kept
    assert actor("Estados Unidos envió apoyo militar a México.", category="AID") == {"US"}
    assert actor("Mexico extradited two Colombians to the United States.", category="JUDICIAL") == {
        "MX"
    }


@pytest.mark.parametrize(
    ("text", "category", "expected"),
    [
        # "EU" in Mexican Spanish is the United States ...
        ("Fueron entregados a EU reos como Servando Gómez.", "JUDICIAL", {"MX"}),
        ("Pide EU la extradición de Caro Quintero.", "DEMAND", {"US"}),
        ("México y EU acuerdan reforzar la cooperación en seguridad.", "AGREE", {"UNSPECIFIED"}),
        # ... and the European Union in English: a third party, dropped by the scope
        ("The EU imposed tariffs on Chinese steel.", "SANCTION", set()),
        ("EU leaders met with Sheinbaum in Brussels.", "CONSULT", set()),
    ],
)
def test_eu_is_the_united_states_in_spanish_and_the_european_union_in_english(
    text: str, category: str, expected: set[str]
) -> None:
    assert actor(text, category=category) == expected


def test_a_fixed_actor_charge_keeps_its_actor_when_its_subject_is_the_accused() -> None:
    # the third-party rule is for joint acts; a charge names the accused as its subject
    text = "Mexican drug cartels are known for control over entire regions of Mexico."
    assert actor(text, category="ACCUSE") == {"US"}
    text = "Los cárteles usan armas que llegan a México desde los Estados Unidos."
    assert actor(text, category="ACCUSE") == {"MX"}


def test_joint_acts_of_the_two_sides_are_kept() -> None:
    text = "México y Estados Unidos acordaron un nuevo plan de seguridad."
    assert actor(text, category="AGREE") == {"UNSPECIFIED"}


def test_allowing_the_other_side_to_act_is_by_the_side_that_allows() -> None:
    text = "The Mexican government authorised U.S. surveillance flights over Sinaloa."
    assert actor(text, category="SHARE_INTELLIGENCE") == {"MX"}


def _turns(texts: list[str], speakers: list[str | None], codebook=CB) -> pl.DataFrame:
    n = len(texts)
    frame = pl.DataFrame(
        {
            "doc_id": ["t"] * n,
            "sent_id": list(range(1, n + 1)),
            "start": [0] * n,
            "text": texts,
            "speaker": speakers,
        },
        schema_overrides={"speaker": pl.String},
    )
    return code_sentences(frame, codebook)


def test_speaker_turns_give_first_person_and_addressed_acts_their_sides() -> None:
    label = "PRESIDENTA CLAUDIA SHEINBAUM PARDO"
    codes = _turns(
        ["Le planteé el tema de las armas.", "Y me dijo que lo revisaría."], [label, label]
    )
    got = {
        (r["sent_id"], r["category"], r["actor"], r["actor_rule"])
        for r in codes.iter_rows(named=True)
    }
    assert (1, "CONSULT", "MX", "speaker") in got
    assert (2, "CONSULT", "US", "addressee") in got


def test_a_third_person_plural_in_a_sides_turn_is_the_other_side() -> None:
    label = "PRESIDENTA CLAUDIA SHEINBAUM PARDO"
    codes = _turns(
        ["Y ellos también, a su vez, presentaron algunos temas.", "Ellos nos plantearon algo."],
        [label, label],
    )
    got = {
        (r["sent_id"], r["category"], r["actor"], r["actor_rule"])
        for r in codes.iter_rows(named=True)
    }
    assert (1, "CONSULT", "US", "other_party") in got
    assert (2, "CONSULT", "US", "addressee") in got
    # with no side to the turn, nobody is named
    codes = _turns(["Y ellos también, a su vez, presentaron algunos temas."], ["Proceso"])
    assert codes.select("actor").rows() == [("UNSPECIFIED",)]


@pytest.mark.parametrize(
    ("text", "category", "expected", "rule"),
    [
        ("The transfer is the second of its kind this year.", "JUDICIAL", "MX", "default"),
        ("Fugitives were extradited to Mexico by the U.S.", "JUDICIAL", "US", "counterpart"),
        ("Estados Unidos puede capacitar a alguna de las Fuerzas Armadas.", "AID", "US",
         "attributive_before"),
        ("Llevarán a cabo actividades de capacitación y adiestramiento.", "AID", "US",
         "default"),
    ],
)  # fmt: skip
def test_judicial_acts_default_to_mexico_and_aid_to_the_us(
    text: str, category: str, expected: str, rule: str
) -> None:
    codes = coded.codes(text, doc_id="a").filter(pl.col("category") == category)
    assert codes.select("actor", "actor_rule").rows()[:1] == [(expected, rule)]


@pytest.mark.parametrize(
    ("text", "category", "expected", "rule"),
    [
        ("Sheinbaum criticized the tariffs.", "SANCTION", "US", "reaction"),
        ("Sheinbaum responded to the tariffs with a plan.", "SANCTION", "US", "reaction"),
        ("La presidenta calificó de discriminatorio el impuesto a las remesas.", "SANCTION",
         "US", "reaction"),
        # a conjunction, not an article, before the act: the subject's own act
        ("Trump criticized Mexico and imposed tariffs.", "SANCTION", "US", "subject"),
        # the side the act belongs to, speaking of it
        ("Trump called the tariffs a great success.", "SANCTION", "US", "subject"),
    ],
)  # fmt: skip
def test_a_coercive_act_the_subject_reacts_to_is_the_other_sides(
    text: str, category: str, expected: str, rule: str
) -> None:
    codes = coded.codes(text, doc_id="a").filter(pl.col("category") == category)
    assert codes.select("actor", "actor_rule").rows() == [(expected, rule)]


def test_mexicos_own_legislature_is_mexican() -> None:
    codes = code_sentences(
        sentences("Mexico's Congress approved tariffs of up to 50% on cars from China."), CB
    )
    assert codes.select("category", "actor").rows() == [("CONCEDE", "MX")]


def test_a_demand_with_no_actor_is_the_documents_voice() -> None:
    codes = _turns(
        ["Asimismo, deben actuar contra los grupos delictivos."],
        ["Presidencia de la República, Gobierno de México"],
    )
    assert codes.select("category", "actor", "actor_rule").rows() == [("DEMAND", "MX", "voice")]
    # a newspaper has no side: the demand stays unattributed
    codes = _turns(["Asimismo, deben actuar contra los grupos delictivos."], ["Proceso"])
    assert codes.select("actor").rows() == [("UNSPECIFIED",)]


@pytest.mark.parametrize(
    ("text", "category", "expected", "rule"),
    [
        ("Ebrard comentó las amenazas de Trump.", "THREATEN", "US", "agent"),
        ("Ebrard dijo que las amenazas del presidente estadounidense no ayudan.", "THREATEN", "US",
         "agent"),
        ("Mexico criticized the tariffs announced by the White House.", "SANCTION", "US",
         "passive_agent"),
        ("La presidenta respondió a los aranceles impuestos por Washington.", "SANCTION", "US",
         "passive_agent"),
    ],
)  # fmt: skip
def test_a_cue_before_an_article_is_no_attribute_of_the_act(
    text: str, category: str, expected: str, rule: str
) -> None:
    """A noun phrase opens between the cue and the act: the cue is the clause's subject,
    and the act's own agent, after it, decides."""
    c = coded.codes(text, doc_id="a").filter(pl.col("category") == category)
    assert c.select("actor", "actor_rule").rows() == [(expected, rule)]


def test_an_attributive_cue_with_no_article_between_is_kept() -> None:
    assert actor("Trump's new threats alarmed investors.", category="THREATEN") == {"US"}
    assert actor("U.S. pressure on Mexico grew.", category="DEMAND") == {"US"}


def test_a_third_party_after_de_is_what_a_cooperative_act_is_about() -> None:
    """For cooperation only by or por name a third-party agent: "de" also names the act's
    object (a third-party actor would drop the code from a bilateral codebook)."""
    assert actor(
        "La extradición de narcotraficantes a Estados Unidos continuó.", category="JUDICIAL"
    ) == {"MX"}
    c = coded.codes("Las amenazas de los cárteles contra Washington crecieron.", doc_id="a")
    assert "THREATEN" not in set(c["category"])


def test_the_participle_after_a_refused_object_is_not_the_refusals_agent() -> None:
    assert actor(
        "Sheinbaum rejected suggestions made by US President Donald Trump to send troops.",
        category="REJECT",
    ) == {"MX"}


def test_a_spanish_sentence_opening_with_a_reporting_verb_has_the_previous_subject() -> None:
    """A null subject: "Advirtió que ..." is said by the one the sentence before named."""
    assert actor(
        "En un mensaje, Trump justificó la medida.",
        "Advirtió que responderá con más sanciones si México toma represalias.",
        category="THREATEN",
    ) == {"US"}


@pytest.mark.parametrize(
    "text", ["Trump y Sheinbaum acordaron aplazar los aranceles.",
             "Sheinbaum and Trump agreed to pause the tariffs."],
)  # fmt: skip
def test_the_two_sides_leaders_as_one_subject_are_joint(text: str) -> None:
    assert actor(text, category="AGREE") == {"UNSPECIFIED"}


def test_a_capital_after_en_is_a_place_not_the_subject() -> None:
    assert actor(
        "Ebrard confirmó que una delegación ya se encuentra en Washington para negociar con "
        "autoridades estadounidenses.",
        category="CONSULT",
    ) == {"MX"}


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Trump said Mexico must do more to stop the flow of fentanyl.",), "US"),
        (("Trump habló del consumo de drogas en su país.",
          "Sheinbaum dijo que ellos tienen que actuar para evitar el consumo."), "MX"),
    ],
)  # fmt: skip
def test_an_obligation_put_on_one_side_is_the_other_sides_demand(
    texts: tuple[str, ...], expected: str
) -> None:
    c = coded.codes(*texts, doc_id="a").filter(pl.col("sent_id") == len(texts))
    assert c.filter(pl.col("stance") == "coercion").select("actor", "actor_rule").rows() == [
        (expected, "obligation")
    ]


def test_the_nearest_cue_before_the_act_is_its_attribute() -> None:
    c = code_sentences(
        sentences("Secretary Rubio praised Mexico's demonstrated commitment to achieve results."),
        CB,
    )
    assert c.filter(pl.col("matched") == "demonstrated commitment")["actor"].to_list() == ["MX"]


def test_a_coordinated_subject_or_a_pronoun_keeps_the_first_cue() -> None:
    # "X and Mexico" is one subject (here a third party's, dropped by the bilateral scope)
    assert actor(
        "The Canadian government and Mexico coordinated their responses to the tariff threat.",
        category="AGREE",
    ) == set()
    # "she" refers back to Sheinbaum
    assert actor(
        "Trump spoke of troops.",
        "Sheinbaum said she would not allow U.S. troops to enter Mexico.",
        category="REJECT",
    ) == {"MX"}


@pytest.mark.parametrize(
    ("texts", "category", "expected"),
    [
        (("Sheinbaum habló de la soberanía.",
          "After Trump declared that he would designate the cartels as terrorist "
          "organizations, Mexico protested."), "THREATEN", {"US"}),
        (("Trump spoke of tariffs.",
          "Sheinbaum used the ceremony to oppose the US demands and to assert that her "
          "government is defending the country's sovereignty."), "ASSERT_SOVEREIGNTY", {"MX"}),
    ],
)  # fmt: skip
def test_a_pronoun_refers_to_the_nearest_person_of_its_gender_before_it(
    texts: tuple[str, ...], category: str, expected: set[str]
) -> None:
    assert actor(*texts, category=category) == expected


def test_an_agreement_in_the_first_person_plural_is_both_sides() -> None:
    label = "PRESIDENTA CLAUDIA SHEINBAUM PARDO"
    codes = _turns(
        [
            "Entonces, en lo esencial estamos de acuerdo.",
            "Y coincidimos en que tenemos que hacerlo antes.",
            # not an agreement: the speaker's own cooperation
            "Por razones humanitarias colaboramos para evitar el tráfico de drogas.",
            # not agreement: the table limits the rule to AGREE
            "Le planteé el tema de las armas.",
        ],
        [label] * 4,
    )
    got = {
        (r["sent_id"], r["category"], r["actor"], r["actor_rule"])
        for r in codes.iter_rows(named=True)
    }
    assert (1, "AGREE", "UNSPECIFIED", "reciprocal") in got
    assert (2, "AGREE", "UNSPECIFIED", "reciprocal") in got
    assert (3, "AGREE", "MX", "speaker") in got
    assert (4, "CONSULT", "MX", "speaker") in got


def _with_actor_rule(tmp_path: Path, rule: str, **changes: list[str]):
    """The packaged codebook with one actor rule's row changed, loaded from ``tmp_path``."""
    import yaml

    from analysis.config import CODEBOOK_PATH

    raw = yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))
    for r in raw["rules"]["actor"]:
        if r["rule"] == rule:
            r.update(changes)
    path = tmp_path / "codebook.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_codebook(path)


def test_a_rule_limited_to_categories_skips_the_others(tmp_path: Path) -> None:
    codes = _turns(
        ["Entonces, en lo esencial estamos de acuerdo."],
        ["PRESIDENTA CLAUDIA SHEINBAUM PARDO"],
        _with_actor_rule(tmp_path, "reciprocal", categories=["CONSULT"]),
    )
    assert codes.select("actor", "actor_rule").rows() == [("MX", "speaker")]


def test_a_quotation_is_the_quoted_persons_act() -> None:
    # the attribution after the closing mark names who speaks, or refers back
    assert actor(
        "First, it is discriminatory and it violates a treaty between the two countries,” "
        "Sheinbaum insisted.",
        category="ACCUSE",
    ) == {"MX"}
    assert actor(
        "Trump spoke at the White House on Monday.",
        "“We are going to start hitting land with regard to the cartels,” he said.",
        category="THREATEN",
    ) == {"US"}
    # no attribution after the quotation: the rule does not apply
    codes = code_sentences(
        sentences("“It violates a treaty between the two countries,” a columnist wrote."), CB
    )
    assert "quoted" not in set(codes["actor_rule"])


def test_praise_is_the_praisers_act() -> None:
    # the side praised, thanked or welcomed is named in the match or as its object: the act
    # is the other side's (rule `praised`), not the praised side's, as the attributive and
    # agent rules would have it
    for text, side in [
        ("Trump thanked Mexico for its help on the border.", "US"),
        ("Rubio highlighted Mexico's job on migration.", "US"),
        ("El embajador reconoció los esfuerzos de México contra el fentanilo.", "US"),
        ("Landau welcomed Mexico's decision.", "US"),
        ("Sheinbaum thanked President Trump for the pause.", "MX"),
        ("Mexico's efforts were praised by Rubio.", "US"),
    ]:
        codes = coded.codes(text, doc_id="a").filter(pl.col("indicator") == "agree_praise")
        assert codes["actor"].to_list() == [side], text
    # the side thanked after a preposition and a title, deeper in the match than its opening
    # words (the rule found no side there and the act was UNSPECIFIED)
    for text in [
        "“Muchas gracias al presidente Donald Trump.",
        "De la Fuente agradeció a Rubio por su labor.",
    ]:
        codes = coded.codes(text, doc_id="a").filter(pl.col("indicator") == "agree_praise")
        assert codes.select("actor", "actor_rule").rows() == [("MX", "praised")], text


def test_praise_in_a_sides_turn_is_that_sides_when_no_side_is_named_as_praised() -> None:
    # "Y es muy respetuoso el presidente Biden": the praised leader is the subject, not an
    # object; in López Obrador's turn the praise is Mexico's (rule praised, the turn's
    # voice); with no speaker the rule does not apply
    text = sentences("Y es muy respetuoso el presidente Biden.", "Ha sido muy respetuoso.")
    turn = text.with_columns(speaker=pl.lit("PRESIDENTE ANDRÉS MANUEL LÓPEZ OBRADOR"))
    codes = code_sentences(turn, CB).filter(pl.col("indicator") == "agree_praise")
    assert codes.select("actor", "actor_rule").rows() == [("MX", "praised")] * 2
    bare = code_sentences(text, CB).filter(pl.col("indicator") == "agree_praise")
    assert "praised" not in set(bare["actor_rule"])


def test_a_rule_limited_to_indicators_skips_the_others(tmp_path: Path) -> None:
    narrowed = _with_actor_rule(tmp_path, "praised", indicators=["lex_agree"])
    text = sentences("Trump thanked Mexico for its help on the border.")
    assert code_sentences(text, CB)["actor_rule"].to_list() == ["praised"]
    assert code_sentences(text, narrowed)["actor_rule"].to_list() != ["praised"]


def test_a_charge_reported_by_a_named_speaker_is_the_speakers_not_the_turns() -> None:
    label = "PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO"
    text = (
        "Lo que el presidente Trump dice es que aquello que se exporta por nación más "
        "favorecida no está cumpliendo las reglas del T-MEC."
    )
    codes = _turns([text], [label])
    assert codes.select("category", "actor", "actor_rule").rows() == [
        ("ACCUSE", "US", "reporter")
    ]
    # a clause that names its own subject keeps it: the report does not override it
    codes = _turns(["Sheinbaum dijo que Trump la acusó de no hacer nada."], [None])
    assert codes.select("category", "actor", "actor_rule").rows() == [("ACCUSE", "US", "subject")]


def test_they_told_what_they_must_do_in_a_sides_turn_is_that_sides_demand() -> None:
    label = "PRESIDENTA DE MÉXICO, CLAUDIA SHEINBAUM PARDO"
    codes = _turns(["Entonces, ese es un problema que ellos tienen que atender."], [label])
    assert codes.select("category", "actor", "actor_rule").rows() == [
        ("DEMAND", "MX", "obligation")
    ]


def test_non_compliance_charged_to_a_side_is_the_other_sides_charge() -> None:
    for text in ("Trump said Mexico is not complying with the treaty.",
                 "Trump dijo que México no ha cumplido."):  # fmt: skip
        codes = coded.codes(text, doc_id="a")
        assert codes.select("category", "actor", "actor_rule").rows() == [
            ("ACCUSE", "US", "obligation")
        ], text


def test_office_holders_of_earlier_administrations_name_their_side() -> None:
    assert actor("President Biden imposed new tariffs on Mexico.", category="SANCTION") == {"US"}
    assert actor("Alicia Bárcena pidió a Washington frenar el tráfico de armas.",
                 category="DEMAND") == {"MX"}  # fmt: skip
