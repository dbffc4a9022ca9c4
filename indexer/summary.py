"""What a result list shows of a record, prepared when the record is written.

A hit shows the record's countries under their French names, in French order, and a
snippet of its free text. Both are worked out once per record here, at build or update
time, and stored beside the record (the store's `hit` column), so a search reads them
instead of working them out for each of its hits: the countries named and sorted, for
each snippet field whether its text holds one of the analysis's special forms (which tells
a snippet whether it may look for plain words only, `search_app.engine.snippets`), and,
for a text that holds one, its snippet index: each word as the analyzers cut it
(`WORD_PATTERN`) with where it starts, so a snippet finds its marks by looking words up
instead of cutting the whole text again.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import orjson

from .analysis import NO_SPECIAL, NO_UNITS, WORD_PATTERN, has_special_form, has_unit_or_count
from .analysis import UNITS as UNITS_FOUND
from .fields import fold_value
from .places import Country, country_name
from .record import Record

_COUNTRY_FIELDS = fields(Country)

# The free-text fields, most telling first; together they are the index's `body` (BODY_PARTS).
SNIPPET_FIELDS = ("description", "context", "history", "objectives_local", "objectives_france")
# A snippet field's flags: its text holds a special form other than a unit or a counted
# number, or it holds a multi-word unit or a counted number.
SPECIAL, UNITS = 1, 2


def countries_fr(countries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A record's countries under one French name each (« États-Unis », however the page
    wrote it), in French alphabetical order (accents and case aside)."""
    named = [{**c, "name": country_name(c["code"]) if c.get("code") else c.get("name") or ""}
             for c in countries]
    return sorted(named, key=lambda c: (fold_value(c["name"]), c["name"]))


def text_flags(text: str | None) -> int:
    """`SPECIAL` and `UNITS` of one snippet field's text (0 for none or an empty text)."""
    if not text:
        return 0
    if has_special_form(text, units=False):
        return SPECIAL
    return UNITS if has_unit_or_count(text) else 0


def text_words(text: str) -> str:
    """A text's snippet index, as JSON: each of its words as `WORD_PATTERN` finds them, with
    the offsets where it starts, in order (it ends its own length further). JSON text
    within the hit's JSON, so a hit decodes it only for a text it must cut."""
    words: dict[str, list[int]] = {}
    for match in WORD_PATTERN.finditer(text):
        words.setdefault(match.group(), []).append(match.start())
    return orjson.dumps(words).decode()


def prepared(record: Record, body_special: int | None = None) -> dict[str, Any]:
    """The hit's parts worked out in advance (stored as JSON in the `hit` column);
    `body_special`: what the cut of the record's free text as a whole told of its special
    forms (`analysis.content_words_special`), when the caller has it."""
    # The countries as the record's JSON holds them (every field), as a hit reads them.
    countries = [{f.name: getattr(c, f.name) for f in _COUNTRY_FIELDS} for c in record.countries]
    texts = [getattr(record, name) for name in SNIPPET_FIELDS]
    # Neither kind of form spans two texts: none in them all together means none in each.
    if body_special is None:
        joined = "\n".join(t for t in texts if t)
        body_special = UNITS_FOUND if has_special_form(joined, units=True) else NO_SPECIAL
    if body_special == NO_SPECIAL:
        special = [0] * len(texts)
    elif body_special == NO_UNITS:  # no unit anywhere: only the other forms to look for
        special = [SPECIAL if t and has_special_form(t, units=False) else 0 for t in texts]
    else:
        special = [text_flags(t) for t in texts]
    # A plain text's words are found faster by `str.find` (`snippets._runs_of`) than read
    # from an index: only the texts holding a special form get one.
    words = [text_words(t) if flags and t else None
             for t, flags in zip(texts, special, strict=True)]
    return {"countries": countries_fr(countries), "special": special, "words": words}


def prepared_json(record: Record, body_special: int | None = None) -> str:
    return orjson.dumps(prepared(record, body_special)).decode()


def special_form(flags: int, units: bool) -> bool:
    """`analysis.has_special_form(text, units)` from the text's stored flags."""
    return bool(flags & SPECIAL) or (units and bool(flags & UNITS))
