"""Stage 3b, spacing: two short words typed apart that may be one word (« Da Nang » /
« Danang », « Viêt Nam », « start up », « sous préfecture »). Pure: no index, no I/O.

The joined spelling is added as an `Alternative` to the AND of the two words, as a synonym
would be: a record holding either meets the pair. The reverse (« danang » meeting « Da
Nang ») is `build.split_phrases`. Only short words join (each at most `SHORT` letters, or the
first a prefix written apart), never stop words, never a pair already widened by a synonym.
A pair naming a facet value still names it (`plan`).
"""

from __future__ import annotations

from dataclasses import replace

from indexer.analysis import PREFIXES, text_keys
from search_app.engine.query.syntax import Alternative, Item, UserQuery

SHORT = 5


def _plain_word(group: tuple[Item, ...]) -> str | None:
    """The folded word of a group holding one plain one-word item, else None."""
    if len(group) != 1 or group[0].phrase:
        return None
    keys = text_keys(group[0].text)
    if len(keys) != 1 or not keys[0][0].isalpha():
        return None
    folded, stem = keys[0]
    return folded if stem is not None or folded in PREFIXES else None


def joinable(first: str, second: str) -> bool:
    """Whether two folded words typed apart may be one word."""
    if first in PREFIXES:
        return len(second) >= 3
    return len(first) <= SHORT and len(second) <= SHORT and len(first + second) >= 4


def join_spaced(uq: UserQuery) -> UserQuery:
    """`uq` with the joined spelling of each joinable pair of adjacent words as an
    alternative (left to right, no pair overlapping another or a synonym's span)."""
    taken = {i for alt in uq.alternatives for i in range(alt.start, alt.end)}
    words = [_plain_word(g) for g in uq.groups]
    added: list[Alternative] = []
    i = 0
    while i + 1 < len(words):
        first, second = words[i], words[i + 1]
        if (first and second and i not in taken and i + 1 not in taken
                and joinable(first, second)):
            added.append(Alternative(i, i + 2, (Item(first + second),)))
            i += 2
            continue
        i += 1
    if not added:
        return uq
    return replace(uq, alternatives=uq.alternatives + tuple(added))



def is_join(covered: tuple[tuple[Item, ...], ...], alt: Alternative) -> bool:
    """Whether `alt` is this stage's joined spelling of the words `covered`."""
    words = [_plain_word(g) for g in covered]
    return (len(alt.items) == 1 and len(words) == 2 and None not in words
            and alt.items[0].text == "".join(words))  # type: ignore[arg-type]
