"""Exonyms: the spellings of partner cities and countries that people write in their own
language (Beijing, Timbuktu, Warschau, Hà Nội), each mapped to the French form the Atlas's
records use (Pékin, Tombouctou, Varsovie, Hanoï) and its country (`indexer/data/exonyms.tsv`,
reviewed, loaded once).

A form naming two places (Saint-Louis, Córdoba) maps to both (`ambiguous()`); a form that is
a common French word (Spanish « Seúl » is « seul », German « Trier » is « trier ») is left
out of `find_exonyms` unless asked (`homographs()` lists them). Foreign country names from
pycountry's catalogs are in `indexer.foreign_places`; `country_code_any` asks both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .foreign_places import foreign_country_code
from .termmatch import Key, Match, longest_matches, phrase_key
from .wordlists import DATA, french_homographs

FILE = "exonyms.tsv"
Kind = Literal["city", "country"]


@dataclass(frozen=True)
class Place:
    french: str
    others: tuple[str, ...]
    kind: Kind
    code: str
    source: str
    line: int

    @property
    def forms(self) -> tuple[str, ...]:
        """The French form and every other form."""
        return (self.french, *self.others)


class ExonymError(ValueError):
    """An exonym file that breaks its rules; the message names the line."""


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    """The rows of the exonym file, in file order."""
    return parse((DATA / FILE).read_text(encoding="utf-8"))


def parse(text: str) -> tuple[Place, ...]:
    out: list[Place] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != 5:
            raise ExonymError(f"{FILE}:{number}: 5 columns expected")
        french, others, kind, code, source = cells
        if not phrase_key(french):
            raise ExonymError(f"{FILE}:{number}: no French form")
        if kind not in ("city", "country"):
            raise ExonymError(f"{FILE}:{number}: kind is city or country, not {kind!r}")
        if not source or source == "-":
            raise ExonymError(f"{FILE}:{number}: no source")
        forms = [] if others == "-" else [f.strip() for f in others.split("|") if f.strip()]
        # Forms that fold like the French form (« Kiev » beside « Kiev ») add nothing.
        seen = {phrase_key(french)}
        kept = []
        for form in forms:
            key = phrase_key(form)
            if key and key not in seen:
                seen.add(key)
                kept.append(form)
        out.append(Place(french, tuple(kept), kind, code, source, number))  # type: ignore[arg-type]
    return tuple(out)


@lru_cache(maxsize=1)
def _table() -> dict[Key, tuple[Place, ...]]:
    """Folded form (French or other) -> the places it names."""
    table: dict[Key, list[Place]] = {}
    for place in places():
        for form in place.forms:
            found = table.setdefault(phrase_key(form), [])
            if place not in found:
                found.append(place)
    return {key: tuple(found) for key, found in table.items()}


def lookup(text: str) -> tuple[Place, ...]:
    """The places a written form names (none, one, or several when it is ambiguous)."""
    return _table().get(phrase_key(text), ())


def french_form(text: str) -> str | None:
    """The French form of a place written any listed way (« Beijing » -> « Pékin »), when
    the form names one place only."""
    found = lookup(text)
    return found[0].french if len(found) == 1 else None


def ambiguous() -> dict[str, tuple[Place, ...]]:
    """Folded forms that name several places."""
    return {" ".join(key): found for key, found in _table().items() if len(found) > 1}


def homographs() -> dict[str, tuple[Place, str, bool]]:
    """Other forms (not the French form) that a French word spells: folded form -> (place,
    French word, whether the word is common enough to block the foreign reading)."""
    listed = french_homographs()
    out: dict[str, tuple[Place, str, bool]] = {}
    for place in places():
        for form in place.others:
            key = phrase_key(form)
            if len(key) == 1 and key[0] in listed:
                out[key[0]] = (place, listed[key[0]].word, listed[key[0]].common)
    return out


def find_exonyms(words: Sequence[str], with_homographs: bool = False,
                 ) -> list[Match[tuple[Place, ...]]]:
    """The places named in a query's words by any listed form, longest first (« Ho Chi Minh
    City » is one place). A form that is a common French word is skipped unless
    `with_homographs`."""
    table, longest = _query_table(with_homographs)
    return longest_matches(words, table, longest)


@lru_cache(maxsize=2)
def _query_table(with_homographs: bool) -> tuple[dict[Key, tuple[Place, ...]], int]:
    table = _table()
    if not with_homographs:
        blocked = {(key,) for key, (_, _, common) in homographs().items() if common}
        table = {key: found for key, found in table.items() if key not in blocked}
    return table, max(map(len, table))


def spellings() -> list[str]:
    """Every listed form, each once, for spelling suggestions (« Timbuctoo » -> Timbuktu)."""
    return list(dict.fromkeys(form for place in places() for form in place.forms))


def country_code_any(name: str) -> str | None:
    """ISO code of a country written in French, English, Spanish, German, Portuguese or
    Italian: the reviewed country rows here (« Ivory Coast », « Burma »), then pycountry's
    catalogs (`foreign_places`)."""
    found = [p for p in lookup(name) if p.kind == "country"]
    if len(found) == 1:
        return found[0].code
    return foreign_country_code(name)
