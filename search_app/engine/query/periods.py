"""Periods in words: « depuis 2018 », « avant 2000 », « entre 2015 et 2020 », « en 2019 »,
« années 1990 », « cette année », « récents » become a start-year range. Pure but for
today's year (for « cette année » and « récents »).

Run on the free text before its words are parsed (`engine.request`, beside the field terms):
the words of a period leave the text and become the ``year_min``/``year_max`` filter, so a
period is never a text word a record must hold.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

# Years a period may name (a number outside is a quantity: « 5000 habitants »).
FIRST_YEAR, LAST_YEAR = 1900, 2100
# « récents »: projects started in the last so many years (this year included).
RECENT_YEARS = 3

_Y = r"((?:19|20|21)\d\d)"
_A = r"(?:à|a)"
_E = r"[eéè]"
_RULES: tuple[tuple[str, str], ...] = (
    ("between", rf"\bentre\s+(?:l['’]an\s+|les\s+ann{_E}es\s+)?{_Y}\s+et\s+{_Y}\b"),
    ("between", rf"\b(?:de|d{_E}s)\s+{_Y}\s+{_A}\s+{_Y}\b"),
    ("between", rf"\b{_Y}\s*(?:-|–|{_A}\s)\s*{_Y}\b"),
    ("decade", r"\bann" + _E + r"es\s+((?:19|20)\d0|[2-9]0)\b"),
    ("since", rf"\b(?:depuis|{_A}\s+partir\s+de|d{_E}s)\s+(?:l['’]an\s+|l['’]ann{_E}e\s+)?{_Y}\b"),
    ("after", rf"\b(?:apr{_E}s|post{_E}rieurs?\s+{_A}|post{_E}rieures?\s+{_A})\s+{_Y}\b"),
    ("before", rf"\b(?:avant|ant{_E}rieurs?\s+{_A}|ant{_E}rieures?\s+{_A})\s+{_Y}\b"),
    ("in", rf"\b(?:en|au\s+cours\s+de\s+l['’]ann{_E}e|l['’]ann{_E}e)\s+{_Y}\b"),
    ("this_year", rf"\bcette\s+ann{_E}e\b"),
    ("last_year", rf"\bl['’]ann{_E}e\s+derni{_E}re\b"),
    ("recent", rf"\b(?:ces\s+)?derni{_E}res\s+ann{_E}es\b|\br{_E}cen(?:t|ts|te|tes)\b"),
)
_PATTERNS = tuple((kind, re.compile(rule, re.IGNORECASE)) for kind, rule in _RULES)


@dataclass(frozen=True)
class Period:
    """A period a query names: its words as typed and the start years it allows."""

    words: str
    low: int | None
    high: int | None

    def label(self) -> str:
        if self.low is not None and self.high is not None:
            return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"
        return f"{self.low} ou après" if self.low is not None else f"{self.high} ou avant"


def _years(kind: str, groups: tuple[str, ...], today: int) -> tuple[int | None, int | None]:
    numbers = [int(g) for g in groups if g]
    if kind == "between":
        low, high = sorted(numbers)
        return low, high
    if kind == "decade":
        start = numbers[0] if numbers[0] >= 100 else 1900 + numbers[0]
        return start, start + 9
    if kind == "since":
        return numbers[0], None
    if kind == "after":
        return numbers[0] + 1, None
    if kind == "before":
        return None, numbers[0] - 1
    if kind == "in":
        return numbers[0], numbers[0]
    if kind == "this_year":
        return today, today
    if kind == "last_year":
        return today - 1, today - 1
    return today - RECENT_YEARS + 1, None  # recent


def _quoted(text: str, at: int) -> bool:
    return text.count('"', 0, at) % 2 == 1


def split_periods(q: str, today: int | None = None) -> tuple[str, list[Period]]:
    """(the text without the words of its periods, the periods in query order)."""
    if not q:
        return q, []
    year = today if today is not None else datetime.date.today().year
    found: list[tuple[int, int, Period]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(q):
            start, end = m.span()
            if _quoted(q, start) or any(s < end and start < e for s, e, _ in found):
                continue
            low, high = _years(kind, m.groups(), year)
            if any(y is not None and not FIRST_YEAR <= y <= LAST_YEAR for y in (low, high)):
                continue
            if start > 0 and q[start - 1] == "-":
                continue  # « -2018 » excludes a word
            found.append((start, end, Period(" ".join(m.group(0).split()), low, high)))
    if not found:
        return q, []
    found.sort(key=lambda f: f[0])
    kept, at = [], 0
    for start, end, _ in found:
        kept.append(q[at:start])
        at = end
    kept.append(q[at:])
    return " ".join(" ".join(kept).split()), [p for _, _, p in found]
