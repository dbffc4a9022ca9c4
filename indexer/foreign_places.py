"""Country names in English, Spanish, German, Portuguese and Italian, from the ISO 3166
catalogs pycountry ships (no hand-made list): folded name -> ISO alpha-2 code.

English is pycountry's own names (name, official name, common name); the other languages are
the same names through its gettext catalogs (`iso3166-1`; Portuguese from both ``pt`` and
``pt_BR``). A catalog's « Corée, République de » form also gives « République de Corée » and,
when it names one country only, « Corée ». A name that names two countries in one language
(« Congo » from « Congo, République démocratique du ») is left out and listed by
`ambiguous_names()`. A foreign name that is also a French word or a French name of another
country is listed by `french_collisions()` so a caller never takes it blindly.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from .termmatch import Key, Match, longest_matches, phrase_key

LANGUAGES: tuple[str, ...] = ("en", "es", "de", "pt", "it")
CATALOGS: dict[str, tuple[str, ...]] = {"es": ("es",), "de": ("de",), "pt": ("pt", "pt_BR"),
                                        "it": ("it",)}
_BRACKETS = re.compile(r"\s*\(([^)]*)\)")


@dataclass(frozen=True)
class ForeignName:
    """A country named in a query: `words[start:end]` name `code` in `languages`."""

    code: str
    languages: tuple[str, ...]


def _variants(name: str) -> list[str]:
    """A catalog name and the orders people write it in: « X, Y » -> also « Y X » (head X
    is returned last, marked by the caller as ambiguous-prone); « X (Y) » -> « X »."""
    out = [name]
    plain = _BRACKETS.sub("", name).strip()
    if plain != name:
        out.append(plain)
    if ", " in plain:
        head, tail = plain.split(", ", 1)
        out += [f"{tail} {head}", head]
    return out


@lru_cache(maxsize=1)
def _names() -> dict[str, dict[Key, set[str]]]:
    """language -> folded name -> the codes it names in that language."""
    out: dict[str, dict[Key, set[str]]] = {lang: {} for lang in LANGUAGES}
    catalogs = {lang: [gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[c])
                       for c in codes] for lang, codes in CATALOGS.items()}
    for country in pycountry.countries:
        english = [n for n in (country.name, getattr(country, "official_name", None),
                               getattr(country, "common_name", None)) if n]
        for lang in LANGUAGES:
            if lang == "en":
                written = english
            else:
                written = [cat.gettext(n) for cat in catalogs[lang] for n in english]
            for name in dict.fromkeys(written):
                for variant in _variants(name):
                    key = phrase_key(variant)
                    if key:
                        out[lang].setdefault(key, set()).add(country.alpha_2)
    return out


@lru_cache(maxsize=1)
def foreign_names() -> dict[Key, ForeignName]:
    """Folded foreign name -> the one country it names, with the languages that name it so. A
    name that names two countries in any language (« Congo ») is left out: a query's language
    is not known."""
    codes: dict[Key, dict[str, list[str]]] = {}
    for lang, table in _names().items():
        for key, found in table.items():
            for code in found:
                codes.setdefault(key, {}).setdefault(code, []).append(lang)
    return {key: ForeignName(code, tuple(langs)) for key, by_code in codes.items()
            if len(by_code) == 1 for code, langs in by_code.items()}


def ambiguous_names() -> dict[str, tuple[str, ...]]:
    """Folded names that name several countries (in one language or across languages)."""
    codes: dict[Key, set[str]] = {}
    for table in _names().values():
        for key, found in table.items():
            codes.setdefault(key, set()).update(found)
    return {" ".join(key): tuple(sorted(found)) for key, found in codes.items()
            if len(found) > 1}


def foreign_country_code(name: str, languages: Sequence[str] | None = None) -> str | None:
    """ISO code of a country written in English, Spanish, German, Portuguese or Italian
    (« Deutschland », « Alemania », « Germania » -> ``DE``), or None."""
    found = foreign_names().get(phrase_key(name))
    if found is None:
        return None
    if languages is not None and not set(found.languages) & set(languages):
        return None
    return found.code


def find_foreign_countries(words: Sequence[str],
                           with_collisions: bool = False) -> list[Match[ForeignName]]:
    """Foreign country names among a query's words, longest first (« South Africa » is ZA,
    never « Africa »). A name that is a common French word (« Reunion ») or a French name of
    another country is left out unless `with_collisions`."""
    table, longest = _query_table(with_collisions)
    return longest_matches(words, table, longest)


@lru_cache(maxsize=2)
def _query_table(with_collisions: bool) -> tuple[dict[Key, ForeignName], int]:
    table = foreign_names()
    if not with_collisions:
        blocked = {key for key, _, _, block in _collisions() if block}
        table = {key: found for key, found in table.items() if " ".join(key) not in blocked}
    return table, max(map(len, table))


def french_collisions() -> tuple[tuple[str, str, str], ...]:
    """(folded foreign name, its code, what it also is in French) for every foreign name that
    is a French name of another country or a French word (french_homographs.tsv, the words of
    the Atlas's texts): « reunion » is RE and « réunion », « ira » (Portuguese Irã) is IR and
    a form of « aller », German « Italien » is IT and the French adjective."""
    return tuple((key, code, what) for key, code, what, _ in _collisions())


@lru_cache(maxsize=1)
def _collisions() -> tuple[tuple[str, str, str, bool], ...]:
    """french_collisions() and whether each one blocks the foreign reading."""
    from .places import country_code
    from .wordlists import french_homographs

    homographs = french_homographs()
    vocabulary = _french_vocabulary()
    out: list[tuple[str, str, str, bool]] = []
    for key, found in sorted(foreign_names().items()):
        text = " ".join(key)
        french = country_code(text)
        single = key[0] if len(key) == 1 else None
        if french is not None and french != found.code:
            out.append((text, found.code, f"French name of {french}", True))
        elif single in homographs:
            word = homographs[single]
            out.append((text, found.code, f"French word « {word.word} »", word.common))
        elif french is None and single in vocabulary:
            out.append((text, found.code, "word of the Atlas's French texts", True))
    return tuple(out)


@lru_cache(maxsize=1)
def _french_vocabulary() -> frozenset[str]:
    import json
    from pathlib import Path

    data = Path(__file__).parent / "generate" / "data"
    texts: list[str] = []

    def walk(x: object) -> None:
        if isinstance(x, str):
            texts.append(x)
        elif isinstance(x, list):
            for item in x:
                walk(item)
        elif isinstance(x, dict):
            for item in x.values():
                walk(item)

    for name in ("sentences.json", "taxonomy.json"):
        walk(json.loads((data / name).read_text(encoding="utf-8")))
    return frozenset(k for t in texts for k in phrase_key(t))
