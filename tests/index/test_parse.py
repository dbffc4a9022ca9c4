"""The parser against the real seed page, and every bad-input rule of RECORD.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.errors import ParseError
from indexer.parse import decode_page, parse_file, parse_text
from indexer.text import split_sentences

from ..conftest import SEED_EXPECTED, SEED_ID, SEED_PAGE

FREE_TEXT = ("context", "history", "objectives_local", "objectives_france", "description")
SEED_TEXT = SEED_PAGE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed() -> dict:
    return parse_file(SEED_PAGE).to_dict()


def test_seed_structured_fields_match_expected(seed: dict) -> None:
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))
    for key, value in expected.items():
        if isinstance(value, str) and value.startswith("<text"):
            continue
        assert seed[key] == value, key


def section(page: str, start: str, end: str) -> str:
    return page.split(f"\n{start}\n", 1)[1].split(f"\n{end}\n", 1)[0]


def sentences_of(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = re.sub(r"\s+", " ", line).strip().removeprefix("- ")
        out += [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«L])", line) if s]
    return out


@pytest.mark.parametrize("field,start,end", [
    ("context", "Contexte", "Historique"),
    ("history", "Historique", "Objectif du partenariat"),
    ("description", "Description détaillée du partenariat",
     "Votre partenariat prend la forme d'un(e)"),
])
def test_seed_free_text_nothing_lost_nothing_doubled(seed: dict, field: str, start: str,
                                                     end: str) -> None:
    text = seed[field]
    for sentence in sentences_of(section(SEED_TEXT, start, end)):
        assert sentence in text, sentence
    for sentence in sentences_of(text):
        assert text.count(sentence) == 1, sentence


def test_seed_objectives_split_and_deduplicated(seed: dict) -> None:
    local, france = seed["objectives_local"], seed["objectives_france"]
    assert local.startswith("Le RIVM se veut être un catalyseur")
    assert "Objectifs" not in local and "Objectifs" not in france
    for text in (local, france):
        assert text.count("catalyseur de l’expérimentation") == 1
        assert text.count("- de la capacité des villes") == 1
        assert len([ln for ln in text.splitlines() if ln.startswith("- ")]) == 5
    # the France part keeps its own line break before "La réussite…"
    assert "\nLa réussite de cet objectif sera fonction :" in france


def test_seed_paragraph_breaks_kept(seed: dict) -> None:
    assert seed["context"].count("\n") == 2
    assert seed["history"].count("\n") == 1


def test_seed_funding_keeps_equal_rows() -> None:
    row = "\nMichelin | 418 | 2020 | ||||"
    page = SEED_TEXT.replace(row, row + row)
    record = parse_text(page, "x")
    assert sum(1 for f in record.funding if f.funder == "Michelin" and f.amount_eur == 418) == 2
    assert record.funding_total_eur == 1380394 + 418


@pytest.mark.parametrize("row,expected", [
    ("Lille | NA | 2014 | ||||", ("Lille", None, 2014)),
    ("Lille | na | 2014 |", ("Lille", None, 2014)),
    ("Lille | NA | NA | NA | NA | NA | 2014 |", ("Lille", None, 2014)),
    ("Lille | 1500 | NA | ||||", ("Lille", 1500, None)),
    ("Lille | NA | NA | ||||", ("Lille", None, None)),
    ("NA | 700 | 2015 | ||||", (None, 700, 2015)),
    ("Lille | " + "9" * 400 + " | 2014 | ||||", ("Lille", None, 2014)),  # beyond a float
])
def test_funding_na_cell_keeps_its_column(row: str, expected: tuple) -> None:
    seed_row = "\nMichelin | 418 | 2020 | ||||"
    page = SEED_TEXT.replace(seed_row, seed_row + "\n" + row)
    record = parse_text(page, "x")
    added = record.funding[[f.funder for f in record.funding].index("Michelin") + 1]
    assert (added.funder, added.amount_eur, added.year) == expected
    assert record.funding_total_eur == 1380394 + (expected[1] or 0)


def test_unknown_amounts_are_null_in_parse_output(tmp_path: Path) -> None:
    page = MINIMAL.replace("Région Bretagne | 12 500 | 2016 | |",
                           "Région Bretagne | NA | 2016 | ||||")
    (tmp_path / "na_amount.txt").write_text(page, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "search_app.cli", "parse", str(tmp_path)],
                         capture_output=True, text=True, encoding="utf-8")
    assert run.returncode == 0, run.stderr
    record = json.loads(run.stdout)
    assert record["funding"][0] == {"funder": "Région Bretagne", "amount_eur": None,
                                    "year": 2016}
    assert record["funding_total_eur"] == 3000


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-8"), id="utf8"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf8-bom"),
    pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
    pytest.param(lambda t: t.encode("cp1252"), id="cp1252"),
    pytest.param(lambda t: t.replace("’", "'").replace("œ", "oe").replace("«", '"')
                 .replace("»", '"').encode("latin-1"), id="latin1"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf16-bom"),
])
def test_encodings_read_correctly(tmp_path: Path, encode) -> None:
    page = SEED_TEXT.replace("’", "’")
    path = tmp_path / "p.txt"
    path.write_bytes(encode(page))
    record = parse_file(path)
    assert record.title.startswith("Pérennisation du Réseau")
    assert record.sub_theme == "Aménagement du territoire et transports"
    assert record.foreign_partners[8].name == "Montréal"
    assert "\r" not in record.context
    assert record.funding_total_eur == 1380394


def test_non_breaking_spaces_become_spaces() -> None:
    page = SEED_TEXT.replace("La moitié de l’humanité", "La\u00a0moitié  de\u202fl’humanité")
    record = parse_text(page, "x")
    assert record.context.startswith("La moitié de l’humanité")
    assert "\u00a0" not in record.context


# ---------------------------------------------------------------- not a page


@pytest.mark.parametrize("content,reason", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"\x00\x01\x02\x03binary\x00" * 20, "binary"),
    (b"Bonjour\nCeci n'est pas une page.\n", "no 'Titre'"),
    (bytes(range(128, 256)) * 10, "binary or undecodable"),
])
def test_not_an_atlas_page(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=re.escape(reason)):
        parse_file(path)


def test_decode_rejects_garbage() -> None:
    with pytest.raises(ParseError):
        decode_page(b"\x81\x8d\x8f\x90\x9d" * 50)


def test_cli_reports_bad_files_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a_good.txt").write_text(SEED_TEXT, encoding="utf-8")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "c_binary.txt").write_bytes(b"\x00\xff" * 100)
    (tmp_path / "d_good.txt").write_text(SEED_TEXT, encoding="cp1252", errors="replace")
    run = subprocess.run([sys.executable, "-m", "search_app.cli", "parse", str(tmp_path)],
                         capture_output=True, text=True, encoding="utf-8")
    assert run.returncode == 1
    ids = [json.loads(line)["id"] for line in run.stdout.splitlines()]
    assert ids == ["a_good", "d_good"]
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 2
    assert "b_empty.txt" in errors[0] and "empty" in errors[0]
    assert "c_binary.txt" in errors[1] and "binary" in errors[1]
    assert "Traceback" not in run.stderr


def test_cli_parse_ok_exit_zero() -> None:
    run = subprocess.run([sys.executable, "-m", "search_app.cli", "parse", str(SEED_PAGE)],
                         capture_output=True, text=True, encoding="utf-8")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["id"] == SEED_ID


# ---------------------------------------------------------------- layout variants

MINIMAL = """Atlas français de la coopération décentralisée et des autres actions extérieures
Titre
Eau potable à Podor
Année de signature de la convention
2015
Thématique d'intervention
Eau et assainissement
Sous-thématique d'intervention
Sous-sous-thématique d'intervention
Année de début du partenariat
2016
Le partenariat est :
Terminé
Date de fin du partenariat
Contexte
Historique
Un seul paragraphe.
Votre partenariat prend la forme d'un(e)
Jumelage
Partenaires étrangers du partenariat
Nom de la collectivité étrangère | Pays | |
---|---|---|
Podor | Sénégal | ![]() |
Contacts dans les partenaires étrangers du partenariat
Nom de la collectivité étrangère | Nom | Prénom | Fonction | Courriel |
---|---|---|---|---|
Podor | NA | Awa | na | awa.diop[at]podor.sn |
Podor | Sow | Mamadou | Maire | |
Collectivités territoriales partenaires du partenariat
Nom de la collectivité territoriale | |
---|---|
Région Bretagne | ![]() |
Département de l'Ille-et-Vilaine | ![]() |
Le partenariat est triennal
Financement du partenariat
Nom du financeur | Montant en euros | Montant 1% Eau (Loi 2005) | Année |
---|---|---|---|
Région Bretagne | 12 500 | 2016 | |
Agence de l'eau | 3000 | 2017 | |
Volontaires impliqués dans le partenariat (VSI, service civique, etc.) d'Échange et de Solidarité
Nom | Prénom | Mission | Champs d'action | Entité d'affectation |
---|---|---|---|---|
Martin | Léa | Service civique | Eau | Mairie de Podor |
"""


def test_minimal_page_variant() -> None:
    r = parse_text(MINIMAL, "podor")
    assert r.title == "Eau potable à Podor"
    assert (r.signature_year, r.start_year, r.status) == (2015, 2016, "Terminé")
    assert r.sub_theme is None and r.sub_sub_theme is None and r.end_date is None
    assert r.context == "" and r.history == "Un seul paragraphe."
    assert r.objectives_local == "" and r.objectives_france == "" and r.description == ""
    assert r.partnership_form == "Jumelage"
    assert [c.code for c in r.countries] == ["SN"]
    assert r.foreign_contacts[0].last_name is None and r.foreign_contacts[0].role is None
    assert r.foreign_contacts[0].email == "awa.diop@podor.sn"
    assert r.foreign_contacts[1].role == "Maire" and r.foreign_contacts[1].email is None
    assert r.french_partners == ["Région Bretagne", "Département de l'Ille-et-Vilaine"]
    assert r.triennial is True
    assert [(f.amount_eur, f.year) for f in r.funding] == [(12500, 2016), (3000, 2017)]
    assert r.funding_total_eur == 15500
    assert r.volunteers[0].assigned_to == "Mairie de Podor"
    assert r.embassy_contacts == [] and r.other_themes == []


def test_sections_in_other_order_and_curly_apostrophes() -> None:
    page = MINIMAL.replace("Thématique d'intervention", "Thématique d’intervention")
    head, tail = page.split("Contexte\n", 1)
    record = parse_text(tail.replace("Historique\n", "Historique\n", 1) + head, "moved")
    assert record.theme == "Eau et assainissement"
    assert record.title == "Eau potable à Podor"


def test_empty_tables_and_missing_sections() -> None:
    page = "Titre\nProjet sans tableaux\nPartenaires étrangers du partenariat\n" \
           "Nom de la collectivité étrangère | Pays | |\n---|---|---|\nContexte\nTexte.\n"
    record = parse_text(page, "bare")
    assert record.foreign_partners == [] and record.countries == []
    assert record.triennial is None and record.funding_total_eur == 0
    assert record.context == "Texte."


def test_other_themes_priority_in_any_column() -> None:
    page = ("Titre\nT\nAutres thématiques mises en œuvre pour le partenariat\n"
            "Thématique éligible | Sous-thématique | Sous-sous-thématique | Priorité |\n"
            "---|---|---|---|\nSanté | Hôpitaux | Maternités | 2 |\nCulture | 1 | | |\n"
            "Contexte\n")
    themes = parse_text(page, "t").other_themes
    assert (themes[0].sub_sub_theme, themes[0].priority) == ("Maternités", 2)
    assert (themes[1].theme, themes[1].sub_theme, themes[1].priority) == ("Culture", None, 1)


def test_embassy_blocks_and_emails() -> None:
    page = ('Contacts dans le poste diplomatique "Ambassade de France au Sénégal"\n'
            "Correspondant coopération décentralisée\nAwa DIOP\nCourriel :\nawa.diop[at]x.fr\n"
            "Pas de conseiller de coopération et d'action culturelle\n"
            'Contacts dans le poste diplomatique "Ambassade de France au Sénégal"\n'
            "Correspondant coopération décentralisée\nAwa DIOP\nCourriel :\nawa.diop[at]x.fr\n"
            "Pas de conseiller de coopération et d'action culturelle\nTitre\nT\n")
    contacts = parse_text(page, "e").embassy_contacts
    assert len(contacts) == 1
    assert contacts[0].post == "Ambassade de France au Sénégal"
    assert contacts[0].decentralised_cooperation_correspondent.email == "awa.diop@x.fr"
    assert contacts[0].cooperation_cultural_counsellor is None


def test_repeated_paragraphs_joined_on_one_line() -> None:
    page = ("Titre\nT\nContexte\nPremière phrase ici. Deuxième phrase là.\nTroisième phrase.\n"
            "Deuxième phrase là. Troisième phrase. Quatrième phrase nouvelle.\nHistorique\n")
    assert parse_text(page, "r").context == (
        "Première phrase ici. Deuxième phrase là.\nTroisième phrase.\nQuatrième phrase nouvelle.")


def test_pagination_noise_never_leaks() -> None:
    record = parse_text(SEED_TEXT, SEED_ID)
    dumped = json.dumps(record.to_dict(), ensure_ascii=False)
    assert "pagination" not in dumped and "![]()" not in dumped


def test_hostile_text_is_kept_verbatim() -> None:
    page = "Titre\n<script>alert('x')</script> & co\nContexte\nA <b>gras</b> texte.\n"
    record = parse_text(page, "h")
    assert record.title == "<script>alert('x')</script> & co"
    assert record.context == "A <b>gras</b> texte."


def test_split_sentences_keeps_abbreviations() -> None:
    assert split_sentences("Rencontre avec M. Dupont. Puis la suite.") == [
        "Rencontre avec M. Dupont.", "Puis la suite."]
