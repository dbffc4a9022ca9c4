"""Country names in other languages, from pycountry's catalogs, and their clashes with French."""

from __future__ import annotations

import pytest

from indexer import foreign_places as f
from indexer.places import country_code
from indexer.wordlists import french_homographs

NAMES = {
    "DE": {"en": "Germany", "es": "Alemania", "de": "Deutschland", "pt": "Alemanha",
           "it": "Germania"},
    "MA": {"en": "Morocco", "es": "Marruecos", "de": "Marokko", "pt": "Marrocos",
           "it": "Marocco"},
    "SN": {"en": "Senegal", "es": "Senegal", "de": "Senegal", "pt": "Senegal", "it": "Senegal"},
    # English « Ivory Coast » is not in pycountry: see tests/test_exonyms.py.
    "CI": {"es": "Costa de Marfil", "pt": "Costa do Marfim", "it": "Costa d'Avorio"},
}


@pytest.mark.parametrize(("code", "lang", "name"),
                         [(c, lang, n) for c, names in NAMES.items() for lang, n in names.items()])
def test_country_in_each_language(code: str, lang: str, name: str) -> None:
    assert f.foreign_country_code(name) == code
    assert f.foreign_country_code(name.upper(), languages=[lang]) == code


def test_official_names_and_catalog_orders() -> None:
    assert f.foreign_country_code("Bundesrepublik Deutschland") == "DE"
    assert f.foreign_country_code("Reino de Marruecos") == "MA"
    assert f.foreign_country_code("Republic of Korea") == "KR"  # « Korea, Republic of »
    assert f.foreign_country_code("South Korea") == "KR"  # common name
    assert f.foreign_country_code("Südkorea") == "KR"
    assert f.foreign_country_code("Vietnã") == "VN"  # pt_BR catalog
    assert f.foreign_country_code("Vietname") == "VN"  # pt catalog
    assert f.foreign_country_code("Germany", languages=["es"]) is None
    assert f.foreign_country_code("Atlantis") is None


def test_ambiguous_names_are_left_out_and_listed() -> None:
    ambiguous = f.ambiguous_names()
    assert ambiguous["congo"] == ("CD", "CG")
    assert ambiguous["korea"] == ("KP", "KR")
    assert f.foreign_country_code("Congo") is None and f.foreign_country_code("Korea") is None


def test_collisions_with_french_are_reported() -> None:
    clashes = {name: (code, what) for name, code, what in f.french_collisions()}
    assert clashes["reunion"] == ("RE", "French word « réunion »")
    assert clashes["ira"][0] == "IR"  # Portuguese Irã, and « ira » (aller)
    assert clashes["italien"][0] == "IT"  # German Italien, and the French adjective
    for name in clashes:
        key = name.split()
        french = country_code(name)
        assert (len(key) == 1 and key[0] in french_homographs()) or french is not None


def test_a_query_finds_the_longest_name_and_never_a_common_french_word() -> None:
    found = f.find_foreign_countries("water sanitation Senegal South Africa".split())
    assert [(m.source, m.value.code) for m in found] == [("Senegal", "SN"),
                                                         ("South Africa", "ZA")]
    assert f.find_foreign_countries(["réunion"]) == []
    assert [m.value.code for m in f.find_foreign_countries(["Reunion"],
                                                           with_collisions=True)] == ["RE"]
    assert [m.value.code for m in f.find_foreign_countries(["China"])] == ["CN"]
