"""The facet registry: every facet declared once.

A facet's name (its key in answers and in the facet arrays), URL parameter, French label,
kind, how its values are read from a record, its CSV column, and its French field name in
the query syntax (`pays:senegal`). The facet arrays, the filters, the counts, the toggle
URLs, the chips, the command-line options, the API parameters, the OpenAPI description and
the query's field terms all derive from `FACETS`.

Adding a facet is one `Facet(...)` entry here (and one test).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from unidecode import unidecode

from .figures import end_day, status_check
from .places import country_code, country_name, french_names
from .record import Record
from .regions import record_regions, region_name, region_named, region_names, regions
from .termmatch import phrase_key
from .wordlists import country_words, value_words

Kind = Literal["single", "multi", "year"]


@dataclass(frozen=True)
class Naming:
    """What a query may say to name one facet value (« Sénégal », « sénégalaises », « terminés »).

    `names` are proper names, met word for word (folded: no case or accents); `words` are
    common words, met by stem and derivational family, so plurals, feminines and adjectives
    count.
    """

    names: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


def _country_naming(code: str) -> Naming:
    return Naming(names=french_names(code), words=country_words().get(code, ()))


def _region_naming(slug: str) -> Naming:
    """A region's French name and aliases, those no country or theme also spells
    (« Afrique du Sud » is a country, never the continent)."""
    spellings = [found.name, *found.aliases] if (found := regions().get(slug)) else []
    return Naming(names=tuple(s for s in spellings if region_names().get(phrase_key(s)) == slug))


def _region_code(value: str) -> str | None:
    """A region's slug from its slug or any of its French names (« Maghreb »)."""
    return value if value in regions() else region_named(value)


# The words a French authority's name starts with when it is not a town (« Région
# Bretagne », « Nantes Métropole » ends so): a town is stored by its bare name.
_NOT_A_TOWN = re.compile(r"^(R[ée]gion|D[ée]partement|M[ée]tropole|Eurom[ée]tropole|"
                         r"Communaut[ée]|Conseil|Syndicat|Agence)\b|M[ée]tropole$|"
                         r"Agglom[ée]ration", re.IGNORECASE)


_TOWN_HEAD = re.compile(r"^(Ville|Mairie|Commune)\s+(de\s+|d['’]\s*)", re.IGNORECASE)


def _authority_naming(name: str) -> Naming:
    """An authority by its name; a town by its name and as « Ville de X », « Mairie de X »,
    « Commune de X » (« Ville de Nantes » is the town, not « Nantes Métropole »)."""
    if _NOT_A_TOWN.search(name):
        return Naming(names=(name,))
    # A town stored as « Ville de Nantes » is named « Nantes » too.
    town = _TOWN_HEAD.sub("", name) or name
    de = f"d'{town}" if unidecode(town[:1]).upper() in "AEIOUYH" else f"de {town}"
    heads = (f"{head} {de}" for head in ("Ville", "Mairie", "Commune"))
    return Naming(names=tuple(dict.fromkeys((name, town, *heads))))


def _label_naming(facet: str) -> Callable[[str], Naming]:
    """A theme label, each of its parts and the reviewed extra words: « Culture et Patrimoine »
    is named by the label, « culture » and « patrimoine »."""
    def naming(label: str) -> Naming:
        parts = [p.strip() for p in re.split(r",| et | & | / ", label) if p.strip()]
        extra = value_words().get((facet, label), ())
        return Naming(words=tuple(dict.fromkeys([label, *parts, *extra])))
    return naming


def _value_naming(facet: str) -> Callable[[str], Naming]:
    def naming(value: str) -> Naming:
        return Naming(words=(value, *value_words().get((facet, value), ())))
    return naming


@lru_cache(maxsize=16_384)  # the same values (countries, themes, authorities) recur per hit
def fold_value(value: str) -> str:
    """Facet values compare without case, accents or spacing differences."""
    return " ".join(unidecode(value).lower().replace("’", "'").split())


def _clean(values: Any) -> list[str]:
    # Blanks dropped, spaces collapsed, order kept, duplicates removed.
    return list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))


@dataclass(frozen=True)
class Facet:
    name: str
    param: str
    label: str
    kind: Kind
    values: Callable[[Record], list[str]]
    csv_column: str
    description: str = ""
    # Values a search lists (its most frequent; selected ones always are): /api/facets and
    # /filtres page through all of them.
    limit: int | None = None
    # What a person typed -> the stored value it names (``Italie`` -> ``IT``), or None.
    canonical: Callable[[str], str | None] = lambda value: value
    display: Callable[[str], str] = lambda value: value
    # The field name in `q` (``pays:Sénégal``, ``collectivite:"Métropole de Lyon"``), or "".
    alias: str = ""
    # The words a query may use to name a stored value (None: the facet is not named by words).
    naming: Callable[[str], Naming] | None = None
    # The facet holding each value's wider value (a sub-theme's theme): naming a value names
    # its wider value too, as records show it.
    broader: str | None = None

    @property
    def multi(self) -> bool:
        return self.kind == "multi"

    def same(self, a: str, b: str) -> bool:
        """Whether two typed values name the same facet value."""
        if fold_value(a) == fold_value(b):
            return True
        ca, cb = self.canonical(a), self.canonical(b)
        return ca is not None and ca == cb


@dataclass(frozen=True)
class YearFacet:
    """The start year: a range filter (two parameters) counted per year."""

    name: str
    params: tuple[str, str]
    label: str
    csv_column: str
    kind: Kind = "year"
    alias: str = ""  # ``annee:2019``, ``annee:2015..2020``


FACETS: tuple[Facet, ...] = (
    Facet("country", "country", "Pays", "multi",
          lambda r: _clean(c.code for c in r.countries), "country_codes",
          "ISO code or French name (any case or accents)",
          canonical=country_code, display=country_name, naming=_country_naming, alias="pays"),
    Facet("region", "region", "Région", "multi",
          lambda r: record_regions([c.code for c in r.countries if c.code]), "regions",
          "World region of a partner country: its slug (afrique-de-l-ouest) or French name "
          "(Afrique de l'Ouest, Maghreb, Union européenne)",
          limit=40, canonical=_region_code, display=region_name, naming=_region_naming,
          alias="region"),
    Facet("theme", "theme", "Thématique", "single", lambda r: _clean([r.theme]), "theme",
          "Theme as written in the Atlas", naming=_label_naming("theme"), alias="theme"),
    Facet("sub_theme", "sub_theme", "Sous-thématique", "single",
          lambda r: _clean([r.sub_theme]), "sub_theme", "Sub-theme", limit=200,
          naming=_label_naming("sub_theme"), broader="theme",
          alias="soustheme"),
    Facet("status", "status", "Statut", "single", lambda r: _clean([r.status]), "status",
          "En cours, Terminé, En projet, Suspendu", naming=_value_naming("status"), alias="statut"),
    Facet("partnership_form", "form", "Forme", "single",
          lambda r: _clean([r.partnership_form]), "partnership_form", "Partnership form",
          naming=_value_naming("partnership_form"), alias="forme"),
    Facet("french_partner", "french_partner", "Collectivité française", "multi",
          lambda r: _clean(r.french_partners), "french_partners", "French local authority",
          limit=50, naming=_authority_naming, alias="collectivite"),
    # For the Atlas's editors: records whose status contradicts their end date, as of the
    # day the record was indexed (`figures.status_check`).
    Facet("status_check", "status_check", "Statut à vérifier", "single",
          lambda r: _clean([status_check(r.status, r.end_date) or ""]), "status_check",
          "En cours, date de fin passée / Terminé, date de fin à venir"),
)
YEAR = YearFacet("start_year", ("year_min", "year_max"), "Année de début", "start_year",
                 alias="annee")

BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
BY_PARAM: dict[str, Facet] = {f.param: f for f in FACETS}
SINGLE: tuple[str, ...] = tuple(f.name for f in FACETS if f.kind == "single")
MULTI: tuple[str, ...] = tuple(f.name for f in FACETS if f.kind == "multi")
# Facets in answers, in display order (the year after the form, as the sidebar shows it).
ANSWER_ORDER: tuple[str, ...] = (*(f.name for f in FACETS), YEAR.name)
LABELS: dict[str, str] = {**{f.name: f.label for f in FACETS}, YEAR.name: YEAR.label}
# Field names of the query syntax (folded: ``Pays:`` and ``thème:`` are ``pays:``, ``theme:``).
BY_ALIAS: dict[str, Facet | YearFacet] = {
    f.alias: f for f in (*FACETS, YEAR) if f.alias
}


def facet_for(key: str) -> Facet | None:
    """The value facet named by a facet name or its URL parameter."""
    return BY_NAME.get(key) or BY_PARAM.get(key)


def facet_values(record: Record) -> dict[str, Any]:
    """The small per-record summary kept for facets, sorting and suggestions."""
    out: dict[str, Any] = {f.name: f.values(record) for f in FACETS}
    out.update({
        YEAR.name: record.start_year,
        "funding": record.funding_total_eur or 0,
        "end_day": end_day(record.end_date),
        "country_names": {c.code: c.name for c in record.countries},
        "partners": list(dict.fromkeys(p.name for p in record.foreign_partners if p.name)),
        "title": record.title,
    })
    return out
