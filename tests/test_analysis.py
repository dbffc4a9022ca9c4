"""Analyzer output, token by token."""

from __future__ import annotations

import pickle

import pytest

from indexer.analysis import (
    FRENCH_STOPWORDS,
    analyze,
    fold,
    french_analyzer,
    french_stem,
    name_analyzer,
    spell_analyzer,
    spell_words,
)

FRENCH = [
    ("L’eau potable", ["eau", "potabl"]),
    ("l'eau", ["eau"]),
    ("L'EAU", ["eau"]),
    ("jusqu'à l'école", ["ecol"]),
    ("lorsqu’il puisqu'elle quoiqu'on", []),
    ("d’assainissement", ["assain"]),
    ("aujourd'hui", ["aujourd", "hui"]),
    ("Clermont-Ferrand", ["clermont", "ferrand"]),
    ("Aix-en-Provence", ["aix", "provenc"]),
    ("La mise en œuvre", ["mis", "oeuvr"]),
    ("Œuvres", ["oeuvr"]),
    ("ex æquo", ["ex", "aequo"]),
    ("les des du au aux la le de et en un une", []),
    ("les 17 ODD en 2017", ["17", "odd", "2017"]),
    ("loi 1901", ["loi", "1901"]),
    ("décentralisé décentralisée décentralisés décentralisées",
     ["decentralis"] * 4),
    ("decentralise decentralisee", ["decentralis"] * 2),
    ("coopération cooperation COOPÉRATIONS", ["cooper"] * 3),
    ("ville villes", ["vill", "vill"]),
    ("village villages", ["villag", "villag"]),
    ("eau eaux", ["eau", "eau"]),
    ("réseau Pau", ["reseau", "pau"]),
    ("port Portugal", ["port", "portugal"]),
    ("art partenariat", ["art", "partenariat"]),
    ("mer merci", ["mer", "merc"]),
    ("sport transports", ["sport", "transport"]),
    ("vin ville", ["vin", "vill"]),
    ("développer développement", ["developp", "developp"]),
    ("français française françaises", ["franc"] * 3),
    ("étranger étrangère étrangers", ["etrang"] * 3),
    ("public publique publics", ["public"] * 3),
    ("sportif sportive", ["sportiv"] * 2),
    ("nombreux nombreuse", ["nombreu"] * 2),
    ("directeur directrice", ["directeu"] * 2),
    ("hôpital hôpitaux", ["hopital"] * 2),
    ("travail travaux", ["travail"] * 2),
    ("petit petite petits", ["petit"] * 3),
    ("prévu prévus prévue", ["prevu"] * 3),
    ("maïs", ["mai"]),
    ("OR or ou où", []),
    ("<script>alert(1)</script>", ["script", "alert", "1", "script"]),
    ("", []),
]


@pytest.mark.parametrize(("text", "tokens"), FRENCH)
def test_french_analyzer(text: str, tokens: list[str]) -> None:
    assert analyze(text, french_analyzer()) == tokens


NAMES = [
    ("Clermont-Ferrand", ["clermont", "ferrand"]),
    ("Côte d’Ivoire", ["cote", "ivoire"]),
    ("Saint-Louis du Sénégal", ["saint", "louis", "du", "senegal"]),
    ("Montréal", ["montreal"]),
    ("Villes", ["villes"]),
    ("Nyíregyháza", ["nyiregyhaza"]),
    ("上海", ["shanghai"]),
]


@pytest.mark.parametrize(("text", "tokens"), NAMES)
def test_name_analyzer(text: str, tokens: list[str]) -> None:
    assert analyze(text, name_analyzer()) == tokens


def test_spell_analyzer_keeps_words_whole_without_stop_words() -> None:
    assert analyze("La coopération des Villes", spell_analyzer()) == ["cooperation", "villes"]


@pytest.mark.parametrize(("text", "folded"), [
    ("Économie  Durable", "economie durable"),
    ("Mise en Œuvre", "mise en oeuvre"),
    ("Etats-Unis d'Amérique", "etats-unis d'amerique"),
    ("CÔTE D’IVOIRE", "cote d'ivoire"),
])
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_stop_list_is_french_only_and_keeps_content_words() -> None:
    for word in ("les", "des", "du", "au", "aux", "la", "le", "de", "et", "en", "un", "une"):
        assert word in FRENCH_STOPWORDS
    for word in ("eau", "ville", "pays", "port", "art", "mer", "the", "and", "sport", "été"):
        assert word not in FRENCH_STOPWORDS


def test_chars_point_into_the_original_text() -> None:
    text = "L’Eau des Villes"
    spans = [(t.text, text[t.startchar:t.endchar]) for t in french_analyzer()(text, chars=True)]
    assert spans == [("eau", "Eau"), ("vill", "Villes")]


def test_stem_of_non_words_is_identity() -> None:
    assert french_stem("2017") == "2017"
    assert french_stem("3emes") == "3emes"


def test_analyzers_pickle() -> None:
    # The schema (and so every analyzer) is pickled into the index.
    for analyzer in (french_analyzer(), name_analyzer(), spell_analyzer()):
        restored = pickle.loads(pickle.dumps(analyzer))
        assert analyze("Les Villes d’Afrique", restored) == analyze("Les Villes d’Afrique",
                                                                    analyzer)


@pytest.mark.parametrize("text", [
    "La coopération des Villes d’Afrique, 2017 : l'eau potable à Clermont-Ferrand.",
    "Œuvres 上海 LES les Les ÉTÉ été",
    "",
])
def test_spell_words_agree_with_spell_analyzer(text: str) -> None:
    assert spell_words(text) == sorted(set(analyze(text, spell_analyzer())))
