"""Stage 1, syntax: the public query syntax into items. Pure: no index, no I/O.

Syntax: words are AND-ed (an uppercase `AND` between them says so and changes nothing);
`"exact phrase"`; `a OR b` (uppercase OR between two items, chainable); `-word`,
`-"phrase"`, `NOT word` and `NOT "phrase"` exclude. Punctuation between words separates them
as a space does (« eau,santé » is « eau santé »), except inside a number (« 1,5 »), a
hyphenated word or an elision. Anything else (stray quotes, brackets, ...) is plain text:
it is analyzed like any other text and never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.analysis import SPACED_WORD

# Bounds the work a pasted essay can cause; dropping extra AND-ed items only widens results.
MAX_ITEMS = 32
# Punctuation that separates two words typed without a space; a comma between digits is part
# of a number (« 1,5 »). Full stops (« O.N.U. », « www.x.fr ») and colons (field terms) are
# left to the analyzer.
_SEPARATOR = re.compile(r"[;!?()\[\]{}«»/|]|(?<!\d),(?=\w)|(?<=\w),(?!\d)")


@dataclass(frozen=True)
class Item:
    """One word (possibly hyphenated or glued to punctuation) or one quoted phrase."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Alternative:
    """Items also searched in place of the AND of groups[start:end] (synonyms add these)."""

    start: int
    end: int
    items: tuple[Item, ...]


@dataclass(frozen=True)
class UserQuery:
    """AND of OR-groups of items, minus the excluded items."""

    groups: tuple[tuple[Item, ...], ...] = ()
    excluded: tuple[Item, ...] = ()
    raw: str = field(default="", compare=False)
    alternatives: tuple[Alternative, ...] = ()


def parse_user_query(q: str) -> UserQuery:
    """Splits the public query syntax into items; never raises."""
    q = q if isinstance(q, str) else ""
    atoms = _atoms(q)
    groups: list[list[Item]] = []
    excluded: list[Item] = []
    or_pending = False
    previous_positive = False
    for atom in atoms:
        if atom is _OR:
            # OR only joins two positive items; anywhere else it is the stop word "or".
            or_pending = previous_positive
            previous_positive = False
            continue
        item, negated = atom
        if negated:
            excluded.append(item)
            or_pending = previous_positive = False
            continue
        if or_pending and groups:
            groups[-1].append(item)
        else:
            groups.append([item])
        or_pending = False
        previous_positive = True
    return UserQuery(
        groups=tuple(tuple(g) for g in groups[:MAX_ITEMS]),
        excluded=tuple(excluded[:MAX_ITEMS]),
        raw=q,
    )


_OR = object()


def _atoms(q: str) -> list:
    """[(Item, negated) | _OR] in query order."""
    atoms: list = []
    q = _split_glued(q)
    i, n = 0, len(q)
    not_pending = False
    while i < n:
        if q[i].isspace():
            i += 1
            continue
        negated = q[i] == "-" and i + 1 < n and not q[i + 1].isspace()
        j = i + 1 if negated else i
        negated = negated or not_pending
        not_pending = False
        if q[j] == '"':
            close = q.find('"', j + 1)
            if close != -1:
                atoms.append((Item(q[j + 1:close], phrase=True), negated))
                i = close + 1
                continue
            i = j + 1  # unbalanced quote: plain text, the quote itself means nothing
            continue
        spaced = SPACED_WORD.match(q, j)  # « 5 000 », « Grand Est »: one word
        k = spaced.end() if spaced is not None else j
        while k < n and not q[k].isspace() and q[k] != '"':
            k += 1
        word = q[j:k]
        if word == "OR" and not negated:
            atoms.append(_OR)
        elif word == "NOT" and not negated:
            not_pending = True  # the next item is excluded, as with `-`
        elif word == "AND" and not negated:
            pass  # words are AND-ed anyway
        else:
            atoms.append((Item(word), negated))
        i = k
    return atoms


def _split_glued(q: str) -> str:
    """Punctuation between two words becomes a space, outside quoted phrases (where the
    analyzer separates words anyway)."""
    parts = q.split('"')
    parts[::2] = [_SEPARATOR.sub(" ", part) for part in parts[::2]]
    return '"'.join(parts)
