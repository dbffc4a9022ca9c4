"""World regions: each country's continent and UN M49 sub-region, and the groupings people
name (Maghreb, Sahel, Union européenne, Afrique subsaharienne, pays francophones).

Two reviewed files under `indexer/data/`: `regions.tsv` (one row per region: slug, level,
French name, parent, aliases, members of a grouping, source) and `country_regions.tsv` (one
row per ISO code: continent, sub-region, finer sub-region). Loaded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .termmatch import Key, Match, longest_matches, phrase_key, stop_only
from .wordlists import DATA

Level = Literal["continent", "subregion", "finer", "grouping"]
LEVELS: tuple[Level, ...] = ("continent", "subregion", "finer", "grouping")


@dataclass(frozen=True)
class Region:
    slug: str
    level: Level
    name: str
    parent: str | None
    aliases: tuple[str, ...]
    members: tuple[str, ...]  # ISO codes, groupings only (see `members()` for every level)
    source: str


def _rows(name: str) -> list[list[str]]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


def _cell(cell: str) -> tuple[str, ...]:
    return () if cell.strip() == "-" else tuple(c.strip() for c in cell.split(",") if c.strip())


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """slug -> region, in file order."""
    out: dict[str, Region] = {}
    for row in _rows("regions.tsv"):
        if len(row) != 7:
            raise ValueError(f"regions.tsv: 7 columns expected: {row}")
        slug, level, name, parent, aliases, members, source = (c.strip() for c in row)
        if slug in out:
            raise ValueError(f"regions.tsv: {slug} twice")
        if level not in LEVELS:
            raise ValueError(f"regions.tsv: {slug}: unknown level {level!r}")
        out[slug] = Region(slug, level, name, None if parent == "-" else parent,  # type: ignore[arg-type]
                           _cell(aliases), _cell(members), source)
    return out


@lru_cache(maxsize=1)
def _countries() -> dict[str, tuple[str, ...]]:
    """ISO code -> (continent, sub-region[, finer sub-region]) slugs."""
    known = regions()
    out: dict[str, tuple[str, ...]] = {}
    for row in _rows("country_regions.tsv"):
        code, continent, sub, finer = (c.strip() for c in row[:4])
        if code in out:
            raise ValueError(f"country_regions.tsv: {code} twice")
        slugs = (continent, sub) if finer == "-" else (continent, sub, finer)
        for slug in slugs:
            if slug not in known:
                raise ValueError(f"country_regions.tsv: {code}: unknown region {slug!r}")
        out[code] = slugs
    return out


@lru_cache(maxsize=1)
def _groupings_of() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for region in regions().values():
        for code in region.members:
            out.setdefault(code, []).append(region.slug)
    return {code: tuple(slugs) for code, slugs in out.items()}


def region(slug: str) -> Region:
    """The region with this slug (KeyError when unknown)."""
    return regions()[slug]


def region_of(code: str) -> str | None:
    """The M49 sub-region slug of an ISO code (``SN`` -> ``afrique-de-l-ouest``), or None."""
    slugs = _countries().get(code.upper())
    return slugs[1] if slugs else None


def continent_of(code: str) -> str | None:
    """The continent slug of an ISO code, or None."""
    slugs = _countries().get(code.upper())
    return slugs[0] if slugs else None


def regions_of(code: str) -> tuple[str, ...]:
    """Every region an ISO code belongs to: continent, sub-region, finer sub-region (when
    there is one), then its groupings in file order. This is the `region` facet's values."""
    code = code.upper()
    # dict.fromkeys: Antarctica is its own continent and sub-region, listed once.
    return tuple(dict.fromkeys(_countries().get(code, ()) + _groupings_of().get(code, ())))


def country_codes() -> tuple[str, ...]:
    """Every ISO code with a region, sorted."""
    return tuple(sorted(_countries()))


@lru_cache(maxsize=64)
def members(slug: str) -> tuple[str, ...]:
    """The ISO codes in a region, sorted (any level; KeyError when unknown)."""
    found = regions()[slug]
    if found.level == "grouping":
        return tuple(sorted(found.members))
    return tuple(sorted(code for code, slugs in _countries().items() if slug in slugs))


def region_name(slug: str) -> str:
    """French display name of a region (the slug itself when unknown)."""
    found = regions().get(slug)
    return found.name if found else slug


def names_of(slug: str) -> tuple[str, ...]:
    """The French name and aliases of a region, as written in the file."""
    found = regions()[slug]
    return (found.name, *found.aliases)


@lru_cache(maxsize=1)
def _collisions() -> dict[str, tuple[str, str]]:
    """Folded spelling -> (slug, what else it names) for region names that are also a
    country name or an Atlas theme or sub-theme value."""
    from .generate.vocabulary import THEMES
    from .places import country_code

    taxonomy = {phrase_key(v) for theme, subs in THEMES.items() for v in (theme, *subs)}
    out: dict[str, tuple[str, str]] = {}
    for found in regions().values():
        for spelling in names_of(found.slug):
            code = country_code(spelling)
            if code is not None:
                out[spelling] = (found.slug, f"country {code}")
            elif phrase_key(spelling) in taxonomy:
                out[spelling] = (found.slug, "Atlas theme or sub-theme")
    return out


def collisions() -> dict[str, tuple[str, str]]:
    """Region spellings that also name a country or a theme (``Micronésie`` is FM):
    spelling -> (region slug, the other reading). They are left out of `region_names`."""
    return dict(_collisions())


@lru_cache(maxsize=1)
def region_names() -> dict[Key, str]:
    """Folded phrase -> region slug, for every name and alias a query may use; spellings that
    also name a country or a theme are left out (the more specific reading wins)."""
    out: dict[Key, str] = {}
    clashing = _collisions()
    for found in regions().values():
        for spelling in names_of(found.slug):
            key = phrase_key(spelling)
            if not key or spelling in clashing:
                continue
            if out.get(key, found.slug) != found.slug:
                raise ValueError(f"regions.tsv: {spelling!r} names {out[key]} and {found.slug}")
            out[key] = found.slug
    return out


def region_named(text: str) -> str | None:
    """The region a whole phrase names (« ouest africain » -> ``afrique-de-l-ouest``)."""
    return region_names().get(phrase_key(text))


@lru_cache(maxsize=1)
def _query_table() -> dict[Key, str]:
    """Region names, and the multi-word French country names as blockers (value ""), so
    « Afrique du Sud » is a country, never the continent « Afrique »."""
    from .places import french_names

    table: dict[Key, str] = {}
    for code in country_codes():
        for name in french_names(code):
            # A multi-word unit (« Afrique du Sud ») is one key typed as one word, and its
            # words' keys when the query's words come one by one.
            apart = tuple(k for w in name.split() if not stop_only(w) for k in phrase_key(w))
            for key in (phrase_key(name), apart):
                if len(key) > 1 or (key and len(name.split()) > 1):
                    table[key] = ""
    table.update(region_names())
    return table


@lru_cache(maxsize=1)
def _longest() -> int:
    return max(map(len, _query_table()))


def find_regions(words: Sequence[str]) -> list[Match[str]]:
    """The regions named in a query's words, longest phrase first (« Afrique de l'Ouest » is
    one region, not « Afrique »; « Afrique du Sud » is a country, not a region)."""
    table = _query_table()
    found = longest_matches(words, table, _longest())
    return [m for m in found if m.value]


def record_regions(codes: Sequence[str]) -> list[str]:
    """The `region` facet values of a record with these partner countries: every region of
    every code, each once, in the order first met."""
    return list(dict.fromkeys(slug for code in codes for slug in regions_of(code)))
