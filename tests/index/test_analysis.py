"""Analyzer output, token by token."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import analysis
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


# ---- round two: each rule over its whole category, both ways, with precision cases

def stems(text: str) -> list[str]:
    return analyze(text, french_analyzer())


def names(text: str) -> list[str]:
    return analyze(text, name_analyzer())


SPELLINGS = [
    # Unicode: decomposed accents, invisible characters inside words, compatibility forms.
    ("école", "e\u0301cole"), ("Énergie", "E\u0301nergie"),
    ("assainissement", "assainisse\u00adment"),
    ("coopération", "coop\u200bération"), ("coopération", "coopé\u200crat\u200dion"),
    ("développement", "dévelop\u2060pement"), ("Sénégal", "\ufeffSénégal"),
    ("Sénégal", "Séné\ufeffgal"), ("financement", "ﬁnancement"), ("eau", "ｅａｕ"),
    # Compounds with a listed prefix, with or without the hyphen.
    ("co-gestion", "cogestion"), ("agro-écologie", "agroécologie"),
    ("éco-quartier", "écoquartier"), ("micro-crédit", "microcrédit"),
    ("inter-communalité", "intercommunalité"), ("intra-urbain", "intraurbain"),
    ("multi-acteurs", "multiacteurs"), ("pluri-annuel", "pluriannuel"),
    ("post-conflit", "postconflit"), ("pré-scolaire", "préscolaire"),
    ("ré-insertion", "réinsertion"), ("socio-économique", "socioéconomique"),
    ("bio-diversité", "biodiversité"), ("Co-Financement", "cofinancement"),
    # N' and M' names.
    ("N'Dali", "Ndali"), ("N’Dali", "NDALI"), ("M'Bour", "Mbour"), ("MʼBour", "mbour"),
    ("N'Djamena", "Ndjamena"), ("N‘Zérékoré", "Nzerekore"),
    # Letters and digits.
    ("G20", "G 20"), ("G-20", "g20"), ("COP21", "COP 21"), ("Covid-19", "COVID19"),
    ("ODD6", "ODD 6"), ("H1N1", "H1 N1"),
    # Thousands separators.
    ("5 000", "5000"), ("5\u00a0000", "5000"), ("5\u202f000", "5000"), ("5\u2009000", "5 000"),
    ("1 000 000", "1000000"), ("12 500", "12500"),
]


@pytest.mark.parametrize(("a", "b"), SPELLINGS)
def test_spellings_are_one_word(a: str, b: str) -> None:
    assert stems(a) == stems(b) and stems(a)
    assert names(a) == names(b)


FAMILIES = [
    # Agent nouns.
    ("agricultrices", "agriculteurs"), ("chercheuse", "chercheurs"),
    ("formatrice", "formateur"), ("vendeuses", "vendeur"), ("travailleuses", "travailleur"),
    ("animatrice", "animateurs"), ("éducatrice", "éducateur"),
    ("ambassadrice", "ambassadeur"), ("entrepreneuses", "entrepreneurs"),
    ("pêcheuse", "pêcheur"), ("directrices", "directeur"), ("nombreuses", "nombreux"),
    # Participles and nouns of one verb.
    ("rénovée", "rénovation"), ("construite", "construction"), ("construits", "construire"),
    ("réhabilitées", "réhabilitation"), ("organisée", "organisation"),
    ("installée", "installation"), ("produite", "production"), ("réduite", "réduction"),
    ("introduits", "introduction"), ("protégée", "protection"), ("inscrite", "inscription"),
    ("formées", "formation"), ("irriguées", "irrigation"), ("ouverte", "ouverture"),
    ("couverts", "couverture"), ("électrifiée", "électrification"),
    ("aménagée", "aménagement"), ("acquise", "acquisition"), ("exposée", "exposition"),
    ("dirigée", "direction"),
    # Over-stemming fixes keep the words of one family together.
    ("communication", "communiquer"), ("commune", "communes"), ("communiste", "communisme"),
    ("formation", "former"), ("formes", "forme"), ("port", "ports"), ("porte", "porter"),
    ("environnement", "environnemental"), ("suivant", "suivantes"), ("Mali", "mali"),
]


@pytest.mark.parametrize(("a", "b"), FAMILIES)
def test_words_of_one_family_meet(a: str, b: str) -> None:
    assert stems(a) == stems(b) and stems(a)


APART = [
    # Over-stemming: Snowball alone gives these one stem.
    ("commune", "communication"), ("commune", "communiste"), ("commune", "communs"),
    ("formation", "formes"), ("habitation", "habitants"), ("environnement", "environ"),
    ("suivi", "suivants"), ("port", "porté"), ("port", "portes"), ("base", "bas"),
    ("Mali", "mal"), ("Colombie", "colombes"), ("Géorgie", "Georges"), ("Algérie", "Alger"),
    ("Agadez", "Agadir"), ("Santa", "santé"),
    # Prefixes alone are not their compounds.
    ("co", "co-gestion"), ("bio", "biodiversité"), ("bio", "bio-diversité"),
    ("micro", "microcrédit"), ("éco", "éco-quartier"), ("cogestion", "gestion"),
    # A name is never its tail.
    ("Dali", "N'Dali"), ("Bour", "M’Bour"), ("Djamena", "N'Djamena"),
    # Numbers are whole.
    ("5 000", "15 000"), ("5000", "5 000 000"), ("5", "5 000"),
    # Agent nouns are not their verb or a near noun.
    ("vendeurs", "vente"), ("acteurs", "acte"), ("chercheurs", "cherche"),
    ("heureux", "heure"),
    # Participles do not reach unrelated words.
    ("nuit", "nuire"), ("construction", "instruction"), ("rénovation", "renouvellement"),
]


@pytest.mark.parametrize(("a", "b"), APART)
def test_words_kept_apart(a: str, b: str) -> None:
    assert not set(stems(a)) & set(stems(b))


@pytest.mark.parametrize(("text", "tokens"), [
    ("Grand Est", ["grand", "est"]), ("GRAND EST", ["grand", "est"]),
    ("grand est", ["grand", "est"]), ("Afrique de l'Est", ["afric", "est"]),
    ("l’est du pays", ["est", "pay"]), ("Nord-Est", ["nord", "est"]),
    ("sud-est", ["sud", "est"]), ("la région Est", ["region", "est"]),
    ("le projet est terminé", ["projet", "termin"]), ("L'Afrique est jeune", ["afric", "jeun"]),
    ("Est-ce utile ?", ["est", "util"]), ("l'estime", ["estim"]), ("ouest", ["ouest"]),
])
def test_cardinal_east_is_a_content_word(text: str, tokens: list[str]) -> None:
    assert stems(text) == tokens


@pytest.mark.parametrize(("text", "tokens"), [
    ("N'Dali", ["ndali"]), ("n'a pas", ["a", "pas"]), ("m'habite", ["habite"]),
    ("l'N'Dali", ["ndali"]), ("N’y", ["y"]), ("qu'N'Dali", ["ndali"]),
])
def test_elision_only_before_a_vowel_or_h_for_n_and_m(text: str, tokens: list[str]) -> None:
    assert names(text) == tokens


@pytest.mark.parametrize(("text", "words"), [
    ("G20 Covid-19 5 000 N'Dali co-gestion e\u0301cole", None),
    ("Grand Est, l'Est, Nord-Est; soft\u00adhyphen zero\u200bwidth \ufeffbom", None),
])
def test_keys_agree_with_the_analyzers(text: str, words: None) -> None:
    # The whoosh chains and the per-spelling keys are one definition.
    from indexer.analysis import text_keys

    keys = text_keys(text)
    assert stems(text) == [s for _, s in keys if s is not None]
    assert names(text) == [f for f, _ in keys]
    assert spell_words(text) == sorted({f for f, s in keys if s is not None})


def test_positions_skip_stop_words_and_count_every_part() -> None:
    # As whoosh's StopFilter renumbers: the first token keeps its place, the next follow.
    analyzer = french_analyzer()
    tokens = [(t.text, t.pos) for t in analyzer("le G20 de la Covid-19", positions=True)]
    assert tokens == [("g", 1), ("20", 2), ("covid", 3), ("19", 4)]


# The case-blind definition of a word, written plainly; WORD_PATTERN is the same pattern
# arranged to cost less (special forms guarded, case ignored only where it matters). The
# special forms start with one of these letters or a digit, or are a dotted acronym (any
# letter and a dot: « J.A », « P.N.U.D. »).
_REFERENCE_WORDS = re.compile(
    r"\b(?:(?=[\dlnmgscaeéiprb]|[^\W\d_]\.)(?:" + "|".join(analysis._PATTERNS[:-1]) + ")|"
    + analysis._PATTERNS[-1] + ")", re.UNICODE | re.IGNORECASE)
_TRICKY = st.text(
    alphabet=st.sampled_from(list("lnmdqujsLNMDQUJS'’ʼ‘- \u00a0\u2009\u202f0123456789estgrandu"
                                  "ordESTGRANDORDcoéÉbiBIOpreéinteraxyzſıİK\u0301\u00ad\u200b"
                                  "_.,;")),
    max_size=40)


@given(_TRICKY)
def test_word_pattern_finds_what_the_case_blind_definition_finds(text: str) -> None:
    assert analysis.WORD_PATTERN.findall(text) == _REFERENCE_WORDS.findall(text)


@pytest.mark.parametrize("text", [
    "L'Est et l'est, Nord-Est, SUD-EST, Grand Est, GRAND\u00a0EST", "N'Dali, M'Bour, n’diaye",
    "co-gestion, Éco-tourisme, RE-lancement, bio-agriculture, Micro-crédit, socio-économique",
    "5 000 €, 12\u202f345\u00a0678 habitants, G-20, G20, COVID-19",
    "jusqu'à l'eau, Qu'en, LORSQU'il",
])
def test_word_pattern_on_special_forms(text: str) -> None:
    assert analysis.WORD_PATTERN.findall(text) == _REFERENCE_WORDS.findall(text)


_TEXTS = st.lists(st.sampled_from([
    "l'eau", "L’Est", "Eau", "eaux", "n'Dali", "N’diaye", "co-gestion", "cogestion",
    "Éco-tourisme", "5 000", "5000", "nord-est", "Grand Est", "est", "jusqu'à", "aujourd'hui",
    "qu'il", "Qu'en", "coopération", "Saint-Louis", "G20", "d'Est", "école", "e\u0301cole",
    "bio\u00adgaz", "forages", "l'", "d", "-", "’", "'", " ", "  ", "\n", ". ", ", ", "s'est",
    "presqu'île", "Clermont-Ferrand", "M'Bour", "re-lancement", "2 000 000"]), max_size=16)


@settings(max_examples=500, deadline=None)
@given(_TEXTS)
def test_content_words_give_the_terms_of_word_pattern(parts: list[str]) -> None:
    """Word runs stand for WORD_PATTERN in the chains that drop stop words."""
    text = "".join(parts)
    fast, slow = analysis.content_words(text), analysis.WORD_PATTERN.findall(text)
    for kind in (analysis.STEMS, analysis.SPELLING):
        assert analysis.words_keys(fast, kind) == analysis.words_keys(slow, kind), (text, kind)
