"""Places: partner countries as ISO 3166-1 alpha-2 codes, from names as the Atlas writes them,
and their French display names.

pycountry carries the official French names; the alias table covers the Atlas's
own spellings (no accent on capitals, "d'Amérique", short common names).
Imports nothing from the rest of the indexer: the record and the parser use it.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pycountry
from unidecode import unidecode


@dataclass
class Country:
    """One partner country of a record: ISO code and the name as written (or displayed)."""

    code: str
    name: str

# Atlas spellings and common French short names that pycountry does not carry.
ALIASES: dict[str, str] = {
    "Etats-Unis d'Amérique": "US",
    "Etats-Unis": "US",
    "USA": "US",
    "Amérique": "US",
    "Royaume-Uni": "GB",
    "Angleterre": "GB",
    "Ecosse": "GB",
    "Pays de Galles": "GB",
    "Irlande du Nord": "GB",
    "Grande-Bretagne": "GB",
    "Biélorussie": "BY",
    "Russie": "RU",
    "Fédération de Russie": "RU",
    "Corée du Sud": "KR",
    "Corée": "KR",
    "République de Corée": "KR",
    "Corée du Nord": "KP",
    "Vietnam": "VN",
    "Viet Nam": "VN",
    "Laos": "LA",
    "Syrie": "SY",
    "Iran": "IR",
    "Tanzanie": "TZ",
    "Bolivie": "BO",
    "Venezuela": "VE",
    "Moldavie": "MD",
    "Macédoine": "MK",
    "Ex-République yougoslave de Macédoine": "MK",
    "Palestine": "PS",
    "Territoires palestiniens": "PS",
    "Territoires Palestiniens": "PS",
    "Taïwan": "TW",
    "Taiwan": "TW",
    "Congo": "CG",
    "République du Congo": "CG",
    "Congo-Brazzaville": "CG",
    "RDC": "CD",
    "République démocratique du Congo": "CD",
    "Congo (République démocratique)": "CD",
    "Congo-Kinshasa": "CD",
    "Cap-Vert": "CV",
    "Cap Vert": "CV",
    "Côte d'Ivoire": "CI",
    "Cote d'Ivoire": "CI",
    "Guinée Bissau": "GW",
    "Guinée équatoriale": "GQ",
    "Centrafrique": "CF",
    "République centrafricaine": "CF",
    "Kosovo": "XK",
    "Tchéquie": "CZ",
    "République tchèque": "CZ",
    "Slovaquie": "SK",
    "Saint-Siège": "VA",
    "Vatican": "VA",
    "Micronésie": "FM",
    "Brunei": "BN",
    "Birmanie": "MM",
    "Myanmar": "MM",
    "Swaziland": "SZ",
    "Eswatini": "SZ",
    "Hollande": "NL",
    "Pays-Bas": "NL",
    "Turquie": "TR",
    "Türkiye": "TR",
    "Emirats arabes unis": "AE",
    "Émirats arabes unis": "AE",
    "Sao Tomé-et-Principe": "ST",
    "Haïti": "HT",
    "Québec": "CA",
    "Kirghizistan": "KG",
    "Timor oriental": "TL",
}

# Short names displayed for codes whose pycountry French name is a formal "X, Y de" form.
DISPLAY: dict[str, str] = {
    "US": "États-Unis", "KR": "Corée du Sud", "KP": "Corée du Nord", "VN": "Viêt Nam",
    "PS": "Palestine", "IR": "Iran", "SY": "Syrie", "BO": "Bolivie", "VE": "Venezuela",
    "TZ": "Tanzanie", "MD": "Moldavie", "LA": "Laos", "TW": "Taïwan", "RU": "Russie",
    "CD": "RD Congo", "CG": "Congo", "XK": "Kosovo", "FM": "Micronésie", "VA": "Saint-Siège",
}


def _key(name: str) -> str:
    text = unidecode(name).lower().replace("’", "'")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    """(folded name -> code, code -> French display name)."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    by_name: dict[str, str] = {}
    display: dict[str, str] = {}
    for c in pycountry.countries:
        fr_name = french.gettext(c.name)
        display[c.alpha_2] = fr_name
        names = [fr_name, c.name, c.alpha_3, getattr(c, "common_name", "")]
        names += [french.gettext(getattr(c, "official_name", "") or c.name)]
        for n in names:
            if n:
                by_name.setdefault(_key(n), c.alpha_2)
        # "Corée, République de" -> also "République de Corée"
        if ", " in fr_name:
            head, tail = fr_name.split(", ", 1)
            by_name.setdefault(_key(f"{tail} {head}"), c.alpha_2)
            by_name.setdefault(_key(head), c.alpha_2)
    for alias, code in ALIASES.items():
        by_name[_key(alias)] = code
    display["XK"] = "Kosovo"
    display.update(DISPLAY)
    return by_name, display


def country_code(name: str | None) -> str | None:
    """ISO alpha-2 code for a country written in French (any case/accents), or an ISO code."""
    if not name or not name.strip():
        return None
    by_name, display = _tables()
    stripped = name.strip()
    if len(stripped) == 2 and stripped.upper() in display:
        return stripped.upper()
    return by_name.get(_key(stripped))


def is_country_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-2 code this module knows, written in capitals."""
    return code in _tables()[1]


def country_names() -> list[str]:
    """Every known country name, folded (lowercase ASCII words separated by spaces)."""
    return list(_tables()[0])


def country_name(code: str) -> str:
    """French display name for an ISO code (the code itself when unknown)."""
    return _tables()[1].get(code.upper(), code)


def countries_of(names: Iterable[str | None]) -> list[Country]:
    """Distinct countries among names, as written the first time seen, sorted by code."""
    seen: dict[str, str] = {}
    for name in names:
        code = country_code(name)
        if code and code not in seen:
            seen[code] = (name or "").strip()
    return [Country(code=c, name=seen[c]) for c in sorted(seen)]


@lru_cache(maxsize=1)
def _french_names() -> dict[str, tuple[str, ...]]:
    """code -> the French names that resolve to it: pycountry's (and their short head before a
    comma) and the aliases; English names and ISO codes are left out."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    by_name, display = _tables()
    found: dict[str, dict[str, None]] = {}
    candidates: list[str] = list(ALIASES) + list(display.values())
    for c in pycountry.countries:
        fr_name = french.gettext(c.name)
        candidates.append(fr_name)
        if ", " in fr_name:
            head, tail = fr_name.split(", ", 1)
            candidates += [head, f"{tail} {head}"]
    for name in candidates:
        code = by_name.get(_key(name))
        if code is not None:
            found.setdefault(code, {})[name] = None
    return {code: tuple(names) for code, names in found.items()}


def french_names(code: str) -> tuple[str, ...]:
    """The French names of a country (``BF`` -> ``Burkina Faso``), as a person may type them."""
    return _french_names().get(code.upper(), ())
