"""Field terms in the free text: ``pays:senegal``, ``theme:"Eau et assainissement"``,
``annee:2019``, ``annee:2015..2020``, ``fin:2020..2022`` (end dates: years or ISO dates,
inclusive). Pure: no index, no I/O.

Field names come from the facet registry (`indexer.fields`: each facet's ``alias``) and
compare without case or accents (``Pays:``, ``thème:``). A field term becomes the matching
filter parameter, so ``q=pays:senegal eau`` is ``q=eau&country=senegal`` in every way
(answer, chips, links). Anything else stays text: an unknown name (``http://…``), an empty
value, a quoted ``"pays:senegal"`` or an ``annee:`` that is not a year or a range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from indexer.analysis import fold_token
from indexer.fields import BY_ALIAS, FACETS, YEAR, Facet

_TERM = re.compile(r'(?P<name>[^\s:"-][^\s:"]*):(?:"(?P<quoted>[^"]*)"|(?P<word>[^\s"]+))'
                   r'(?=\s|$)')
_YEARS = re.compile(r"(?P<low>\d{1,4})?(?:(?P<range>\.\.)(?P<high>\d{1,4})?)?")


END_ALIAS = "fin"  # ``fin:2020..2022``, ``fin:2021-06-30..``: the end date's range
_DAY = r"\d{4}(?:-\d{2}-\d{2})?"
_ENDS = re.compile(rf"(?P<low>{_DAY})?(?:(?P<range>\.\.)(?P<high>{_DAY})?)?")


@dataclass(frozen=True)
class FieldTerm:
    param: str  # a filter parameter (``country``), ``year`` or ``end``
    value: str | tuple[int | None, int | None] | tuple[date | None, date | None]


def _day(text: str, last: bool) -> date:
    """A year is its first day as a lower bound, its last day as an upper one."""
    if len(text) == 4:
        return date(int(text), 12, 31) if last else date(int(text), 1, 1)
    return date.fromisoformat(text)


def _end_range(value: str) -> tuple[date | None, date | None] | None:
    m = _ENDS.fullmatch(value)
    if not m or not (m["low"] or m["high"]):
        return None
    try:
        if not m["range"]:
            return _day(m["low"], False), _day(m["low"], True)
        low = _day(m["low"], False) if m["low"] else None
        high = _day(m["high"], True) if m["high"] else None
        if low and high and low > high:  # « fin:2022..2020 »: the days between
            return _day(m["high"], False), _day(m["low"], True)
        return low, high
    except ValueError:
        return None


def _year_range(value: str) -> tuple[int | None, int | None] | None:
    m = _YEARS.fullmatch(value)
    if not m or not (m["low"] or m["high"]):
        return None
    low = int(m["low"]) if m["low"] else None
    high = int(m["high"]) if m["high"] else None
    return (low, high) if m["range"] else (low, low)


def _field_term(name: str, value: str) -> FieldTerm | None:
    folded = fold_token(name)
    value = " ".join(value.split())
    if folded == END_ALIAS:
        ends = _end_range(value) if value else None
        return None if ends is None else FieldTerm("end", ends)
    declared = BY_ALIAS.get(folded)
    if declared is None or not value:
        return None
    if declared is YEAR:
        years = _year_range(value)
        return None if years is None else FieldTerm("year", years)
    assert isinstance(declared, Facet)
    return FieldTerm(declared.param, value)


def split_field_terms(q: str) -> tuple[str, list[FieldTerm]]:
    """(the text without its field terms, the field terms in query order)."""
    if ":" not in q:
        return q, []
    kept: list[str] = []
    terms: list[FieldTerm] = []
    i, n = 0, len(q)
    start = 0  # where the text not yet kept begins
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        if q[i] == '"':  # a phrase is text, whatever it holds
            close = q.find('"', i + 1)
            i = n if close == -1 else close + 1
            continue
        m = _TERM.match(q, i)
        term = _field_term(m["name"], m["quoted"] if m["quoted"] is not None else m["word"]
                           ) if m else None
        if m and term is not None:
            kept.append(q[start:i])
            terms.append(term)
            i = start = m.end()
            continue
        while i < n and not q[i].isspace() and q[i] != '"':
            i += 1
    if not terms:
        return q, []
    kept.append(q[start:])
    return " ".join(" ".join(kept).split()), terms


def syntax_help() -> str:
    """The one line the search page shows."""
    names = " ".join(f"{f.alias}:…" for f in FACETS if f.alias in ("pays", "theme", "statut",
                                                                   "forme", "collectivite"))
    return (f"Filtrer en tapant\u00a0: {names} {YEAR.alias}:2019 ou {YEAR.alias}:2015..2020, "
            f"{END_ALIAS}:2020..2022 "
            '(ex. pays:senegal eau, collectivite:"Métropole de Lyon").')
