"""The generator's words, read once from the data files shipped beside this module.

    data/countries.tsv      curated partner countries: code, name as the Atlas writes it,
                            weight, embassy city, name pool, places
    data/long_tail.json     the other partner countries (from pycountry): excluded codes,
                            French short names, weight
    data/people.json        first and last names by language area, French names, roles,
                            volunteer missions
    data/authorities.json   French authorities (communes, town-name parts, regions,
                            départements, intercommunalités) and funders
    data/taxonomy.json      themes (sub-themes, sub-sub-themes), statuses and forms, weighted
    data/sentences.json     sentence templates, by theme and general

Weights are relative frequencies: the curated countries follow the shape of French
decentralised cooperation (francophone Africa first, then EU neighbours, North America,
Asia and the Middle East), and the long tail is drawn rarely. Lists keep their file order,
which the draws depend on: reordering a list changes every page of a seed.
"""

from __future__ import annotations

import gettext
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from itertools import accumulate
from typing import Any

_DATA = files(__package__) / "data"


def _json(name: str) -> Any:
    return json.loads((_DATA / name).read_text(encoding="utf-8"))


def _names_and_cum(items: list[dict[str, Any]]) -> tuple[list[str], list[int]]:
    return [x["name"] for x in items], list(accumulate(x["weight"] for x in items))


_PEOPLE = _json("people.json")
_AUTHORITIES = _json("authorities.json")
_TAXONOMY = _json("taxonomy.json")
_SENTENCES = _json("sentences.json")

# Name pools for foreign contacts, by broad language area: pool -> (first names, last names).
POOLS: dict[str, tuple[list[str], list[str]]] = {
    pool: (names["first"], names["last"]) for pool, names in _PEOPLE["foreign"].items()
}
FR_FIRST: list[str] = _PEOPLE["french_first"]
FR_LAST: list[str] = _PEOPLE["french_last"]
ROLES: list[str] = _PEOPLE["roles"]
MISSIONS: list[str] = _PEOPLE["missions"]

COMMUNES: list[str] = _AUTHORITIES["communes"]
# Small towns, the Atlas's long tail (about 4,750 French authorities for 12,000 projects):
# plausible names from common French place-name parts, each drawn rarely.
TOWN_HEADS: list[str] = _AUTHORITIES["town_heads"]
TOWN_TAILS: list[str] = _AUTHORITIES["town_tails"]
REGIONS: list[str] = _AUTHORITIES["regions"]
DEPARTEMENTS: list[str] = _AUTHORITIES["departements"]  # with the article their "de" takes
INTERCO: list[str] = _AUTHORITIES["intercommunalities"]
FUNDERS: list[str] = _AUTHORITIES["funders"]

# Taxonomy: theme -> sub-theme -> sub-sub-themes (possibly none).
THEMES: dict[str, dict[str, list[str]]] = {
    t["name"]: t["sub_themes"] for t in _TAXONOMY["themes"]
}
THEME_NAMES, THEME_CUM = _names_and_cum(_TAXONOMY["themes"])
STATUSES, STATUS_CUM = _names_and_cum(_TAXONOMY["statuses"])
FORMS, FORM_CUM = _names_and_cum(_TAXONOMY["forms"])

# Sentence templates. Slots: {fr} subject form of the French partner, {Fr} the same
# capitalised, {de_fr} its "de" form, {place}, {de_place}, {a_place} (foreign partner),
# {country}, {year}, {year2}, {n}, {n2}, {pct}. Templates hold no ". " inside a sentence:
# one template, one sentence, so the expected sentence list is exact.
TEXT: dict[str, dict[str, list[str]]] = _SENTENCES["by_theme"]  # title/context/desc/bullets
GEN_CONTEXT: list[str] = _SENTENCES["context"]
GEN_HISTORY: list[str] = _SENTENCES["history"]
GEN_INTRO: list[str] = _SENTENCES["objectives_intro"]
GEN_LEAD: list[str] = _SENTENCES["objectives_lead"]  # lead-ins, only when bullets follow
FR_INTRO: list[str] = _SENTENCES["france_intro"]
FR_BULLETS: list[str] = _SENTENCES["france_bullets"]
GEN_DESC: list[str] = _SENTENCES["description"]
TITLE_TAIL: list[str] = _SENTENCES["title_tail"]


@dataclass(frozen=True)
class PartnerCountry:
    code: str
    name: str
    capital: str | None
    pool: str
    places: tuple[str, ...]


@lru_cache(maxsize=1)
def partner_countries() -> tuple[tuple[PartnerCountry, ...], tuple[float, ...]]:
    """All partner countries and their cumulative weights (built once, deterministic order).

    The curated table first, then the long tail from pycountry (places from its
    subdivisions), minus France, its overseas territories, dependencies and states that
    are rarely if ever partners: the Atlas counts about 140 partner countries in all.
    """
    import pycountry  # local: only page generation needs it

    out: list[PartnerCountry] = []
    weights: list[float] = []
    rows = (_DATA / "countries.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for row in rows:
        code, name, weight, capital, pool, places = row.split("\t")
        out.append(PartnerCountry(code, name, capital, pool, tuple(places.split(";"))))
        weights.append(float(weight))
    tail = _json("long_tail.json")
    excluded = set(tail["not_partners"])
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    curated = {c.code for c in out}
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = c.alpha_2
        if code in curated or code in excluded:
            continue
        name = tail["names"].get(code) or french.gettext(c.name)
        if "," in name or "(" in name:
            continue
        subs = sorted(s.name for s in pycountry.subdivisions.get(country_code=code) or []
                      if _plain_place(s.name))
        out.append(PartnerCountry(code, name, None, "gen", tuple(subs[:12]) or (name,)))
        weights.append(tail["weight"])
    return tuple(out), tuple(accumulate(weights))


def _plain_place(name: str) -> bool:
    # Periods, brackets and pipes would break sentence splitting or table cells.
    return bool(name) and not any(ch in name for ch in ".()[]|,;/")
