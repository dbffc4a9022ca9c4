"""Exonyms of partner places: the reviewed file, the lookups, and what is never guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pycountry
import pytest

from indexer import exonyms as x
from indexer.termmatch import phrase_key

GENERATE = Path(__file__).parents[2] / "indexer" / "generate" / "data"


def test_the_file_is_complete_and_well_formed() -> None:
    rows = x.places()
    assert len(rows) >= 150
    codes = {c.alpha_2 for c in pycountry.countries} | {"XK"}
    for place in rows:
        assert place.code in codes, place
        assert place.kind in ("city", "country")
        assert place.source and place.source != "-"
    frenches = [(p.french, p.code) for p in rows]
    assert len(frenches) == len(set(frenches))


@pytest.mark.parametrize(("written", "french"), [
    ("Beijing", "Pékin"), ("Peking", "Pékin"), ("Timbuktu", "Tombouctou"),
    ("Timbuctoo", "Tombouctou"), ("Fez", "Fès"), ("Marrakesh", "Marrakech"),
    ("Hanoi", "Hanoï"), ("Ha Noi", "Hanoï"), ("Hà Nội", "Hanoï"), ("Danang", "Da Nang"),
    ("Đà Nẵng", "Da Nang"), ("Ho Chi Minh City", "Hô-Chi-Minh-Ville"),
    ("Saigon", "Hô-Chi-Minh-Ville"),
    ("Moscow", "Moscou"), ("Saint Petersburg", "Saint-Pétersbourg"), ("Cairo", "Le Caire"),
    ("Algiers", "Alger"), ("Tananarive", "Antananarivo"), ("Jerusalem", "Jérusalem"),
    ("Bethlehem", "Bethléem"), ("Quebec", "Québec"), ("Montreal", "Montréal"),
    ("Mexico City", "Mexico"), ("Beirut", "Beyrouth"), ("Kyiv", "Kiev"), ("Lvov", "Lviv"),
    ("Tbilisi", "Tbilissi"), ("Yerevan", "Erevan"), ("Chișinău", "Chisinau"),
    ("Bucharest", "Bucarest"), ("Warsaw", "Varsovie"), ("Kraków", "Cracovie"),
    ("Vienna", "Vienne"), ("Wien", "Vienne"), ("München", "Munich"), ("Munchen", "Munich"),
    ("Köln", "Cologne"), ("Aachen", "Aix-la-Chapelle"), ("Mainz", "Mayence"),
    ("Seville", "Séville"), ("Firenze", "Florence"), ("Venezia", "Venise"), ("Napoli", "Naples"),
    ("Lisbon", "Lisbonne"), ("Brussels", "Bruxelles"), ("Antwerp", "Anvers"),
    ("Geneva", "Genève"), ("London", "Londres"), ("Edinburgh", "Édimbourg"),
])
def test_cities(written: str, french: str) -> None:
    assert x.french_form(written) == french


@pytest.mark.parametrize(("written", "code"), [
    ("Ivory Coast", "CI"), ("Elfenbeinküste", "CI"), ("Costa de Marfil", "CI"),
    ("Costa do Marfim", "CI"), ("Costa d'Avorio", "CI"), ("Myanmar", "MM"), ("Burma", "MM"),
    ("Birmanie", "MM"), ("Belarus", "BY"), ("Biélorussie", "BY"), ("Cape Verde", "CV"),
    ("Cabo Verde", "CV"), ("Cap-Vert", "CV"), ("DRC", "CD"), ("RDC", "CD"),
    ("Congo-Kinshasa", "CD"), ("Germany", "DE"), ("Deutschland", "DE"),
])
def test_countries_in_any_language(written: str, code: str) -> None:
    assert x.country_code_any(written) == code


def test_the_brief_cities_of_the_francophone_south_are_listed() -> None:
    for name in ("Tunis", "Rabat", "Casablanca", "Bamako", "Ouagadougou", "Niamey",
                 "Nouakchott", "Conakry", "Lomé", "Cotonou", "Porto-Novo", "Abidjan",
                 "Port-au-Prince", "Prague"):
        assert x.french_form(name) == name, name


def test_a_form_naming_two_places_is_never_guessed() -> None:
    assert {p.code for p in x.lookup("Saint Louis")} == {"SN", "US"}
    assert x.french_form("Saint Louis") is None
    assert {p.code for p in x.lookup("Córdoba")} == {"ES", "AR"}
    assert set(x.ambiguous()) >= {"saint louis", "cordoba"}


def test_common_french_words_are_not_taken_as_places() -> None:
    found = x.find_exonyms("projets à Trier et seul".split())
    assert found == []
    assert x.homographs()["trier"][0].french == "Trèves"
    with_them = x.find_exonyms(["Trier"], with_homographs=True)
    assert [m.value[0].french for m in with_them] == ["Trèves"]


def test_longest_form_first() -> None:
    found = x.find_exonyms("water Ho Chi Minh City Da Nang".split())
    assert [(m.source, m.value[0].french) for m in found] == [
        ("Ho Chi Minh City", "Hô-Chi-Minh-Ville"), ("Da Nang", "Da Nang")]


def test_no_foreign_form_is_a_french_authority_name() -> None:
    """A foreign spelling never lands on a French town; French forms that are also French
    authorities (Valence) are known and listed here."""
    authorities = json.loads((GENERATE / "authorities.json").read_text(encoding="utf-8"))
    french = {phrase_key(n) for kind in ("communes", "regions") for n in authorities[kind]}
    assert not [f for p in x.places() for f in p.others if phrase_key(f) in french]
    assert {p.french for p in x.places() if phrase_key(p.french) in french} == {"Valence"}


def test_spellings_for_suggestions() -> None:
    spellings = x.spellings()
    assert "Timbuctoo" in spellings and "Tombouctou" in spellings
    assert len(spellings) == len(set(spellings))


def test_a_broken_row_is_refused_with_its_line() -> None:
    with pytest.raises(x.ExonymError, match="3: kind"):
        x.parse("# x\nPékin\tBeijing\tcity\tCN\twiki\nMars\tMarch\tplanet\tXX\twiki\n")
    with pytest.raises(x.ExonymError, match="source"):
        x.parse("Pékin\tBeijing\tcity\tCN\t-\n")
