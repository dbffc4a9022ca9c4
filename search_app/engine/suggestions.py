"""Autocomplete: completions over countries, authorities, partners and titles, per version.

A country is also offered under its names in English, Spanish, German, Portuguese and
Italian (« Germ » -> Allemagne), and a partner under the foreign spellings of its city
(« Timbu » -> Commune de Tombouctou): `foreign_keys`.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import numpy as np

from indexer import exonyms, foreign_places, glossary
from indexer.fields import fold_value
from indexer.places import country_name, french_names
from search_app.engine.handle import IndexHandle

Completion = tuple[str, str, str, int]  # (key, value, kind, weight)
# Above a country's 1,000: a theme typed is the theme meant.
THEME_WEIGHT = 100_000
_WORD_BREAK = re.compile(r"[\s'\-/(),.]+")


def word_starts(folded: str) -> list[str]:
    """The folded text from each of its words on: « region bretagne » -> [« region
    bretagne », « bretagne »]; « l'eau » -> [« l eau », « eau »]."""
    words = [w for w in _WORD_BREAK.split(folded) if w]
    return [" ".join(words[i:]) for i in range(len(words))]


def completions(h: IndexHandle) -> list[Completion]:
    """(key, value, kind, weight) sorted by key: one key per word start of each value
    (« bretagne » for « Région Bretagne », « eau » for « l'eau »), a country under its one
    French name whatever spelling its records use."""
    best: dict[tuple[str, str], tuple[int, set[str]]] = {}

    def add(value: str, kind: str, weight: int, spelled: str = "") -> None:
        folded = fold_value(spelled or value)
        if not folded:
            return
        weight_now, keys = best.get((value, kind), (weight, set()))
        keys.update(word_starts(folded))
        best[(value, kind)] = (max(weight, weight_now), keys)

    data = h.data
    # Themes first (« eau » -> « Eau et assainissement »): a handful of values that each
    # cover a large share of the records, and a filter one click away.
    for facet, kind, base in (("theme", "thématique", THEME_WEIGHT),
                              ("sub_theme", "sous-thématique", 0)):
        codes = data.single.get(facet)
        if codes is None:
            continue
        used = np.bincount(codes[codes >= 0], minlength=len(data.values[facet]))
        for i, name in enumerate(data.values[facet]):
            if used[i]:
                add(name, kind, base + int(used[i]))
    for code, written in data.country_names.items():
        for spelled in (country_name(code), written, *french_names(code)):
            add(country_name(code), "pays", 1000, spelled=spelled)
    docs, vals = data.multi["french_partner"]
    counts = np.bincount(vals, minlength=len(data.values["french_partner"]))
    for i, name in enumerate(data.values["french_partner"]):
        add(name, "collectivité française", int(counts[i]))
    for name, count in data.partners.items():
        add(name, "partenaire étranger", count)
    if glossary.is_enabled():
        for value, kind, spelled in foreign_keys(h):
            weight = best[(value, kind)][0] if (value, kind) in best else 0
            add(value, kind, weight, spelled=spelled)
    return sorted((key, value, kind, weight)
                  for (value, kind), (weight, keys) in best.items() for key in keys)


def foreign_keys(h: IndexHandle) -> list[tuple[str, str, str]]:
    """(value, kind, foreign spelling) for the version's countries and for the partners
    whose name holds a city listed with other spellings."""
    data = h.data
    out: list[tuple[str, str, str]] = []
    codes = set(data.country_names)
    for key, found in foreign_places.foreign_names().items():
        if found.code in codes:
            out.append((country_name(found.code), "pays", " ".join(key)))
    cities: dict[str, list[tuple[str, exonyms.Place]]] = {}
    for place in exonyms.places():
        if place.kind == "country" and place.code in codes:
            out += [(country_name(place.code), "pays", form) for form in place.others]
        elif place.kind == "city" and place.others:
            folded = word_starts(fold_value(place.french))
            if folded:
                cities.setdefault(folded[0].split()[0], []).append((folded[0], place))
    for name in data.partners:
        words = f" {''.join(word_starts(fold_value(name))[0:1])} "
        for word in set(words.split()):
            for folded, place in cities.get(word, ()):
                if f" {folded} " in words:
                    out += [(name, "partenaire étranger", form) for form in place.others]
    return out


def folded_titles(h: IndexHandle) -> list[str]:
    """Each title folded, words apart (an elision or a hyphen parts words too)."""
    return [" " + " ".join(word_starts(fold_value(t))[0:1]) for t in h.data.titles]


def suggest(h: IndexHandle, q: str, limit: int = 8) -> list[dict[str, Any]]:
    """Completions from the start of any word of a name (after an elision too), one entry
    per value, then titles holding a word that starts so."""
    starts = word_starts(fold_value(q))
    if not starts:
        return []
    key = starts[0]
    entries = h.memo(f"completions:{glossary.is_enabled()}", completions)
    start = bisect.bisect_left(entries, (key,))
    found: dict[tuple[str, str], int] = {}
    for folded, value, kind, weight in entries[start:]:
        if not folded.startswith(key):
            break
        found[(value, kind)] = weight
    ranked = sorted(found.items(), key=lambda x: (-x[1], x[0][0]))
    out: list[dict[str, Any]] = [{"value": v, "kind": k} for (v, k), _ in ranked[:limit]]
    if len(out) < limit and len(key) >= 2:
        needle = " " + key
        for doc, folded in enumerate(h.memo("folded_titles", folded_titles)):
            if needle in folded and h.data.alive[doc]:
                out.append({"value": h.data.titles[doc], "kind": "projet",
                            "id": h.data.ids[doc]})
                if len(out) >= limit:
                    break
    return out
