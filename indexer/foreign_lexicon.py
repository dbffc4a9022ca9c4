"""The foreign words a query may hold: every word of the glossary's foreign forms, of the
exonyms' other spellings and of the foreign country names, folded. For did-you-mean (a word
listed here is no typo, a typo of one is corrected to it: « Timbuctoo » -> « Timbuktu ») and
for autocomplete (a place is offered under its foreign spellings).

Follows the glossary's switch (``ATLAS_GLOSSARY=off`` empties it).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from . import exonyms, foreign_places, glossary
from .analysis import WORD_PATTERN, fold_token
from .lexicon import edits


def _forms() -> Iterator[str]:
    for entry in glossary.entries():
        for forms in entry.forms.values():
            yield from (f.text for f in forms)
    for place in exonyms.places():
        yield from place.others
    for key in foreign_places.foreign_names():
        yield " ".join(key)


@lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    """Folded word -> the word as a listed form writes it (first seen)."""
    out: dict[str, str] = {}
    for form in _forms():
        for word in WORD_PATTERN.findall(form):
            folded = fold_token(word)
            if folded.isalpha() and len(folded) > 1:
                out.setdefault(folded, word)
    return out


@lru_cache(maxsize=1)
def _by_initial() -> dict[str, tuple[tuple[int, str], ...]]:
    """First letter -> (rank in listing order, folded word)."""
    out: dict[str, list[tuple[int, str]]] = {}
    for rank, folded in enumerate(_words()):
        out.setdefault(folded[0], []).append((rank, folded))
    return {k: tuple(v) for k, v in out.items()}


def warm() -> None:
    """Build the lists now (a few tens of milliseconds), not for the first query with a word
    the index has never seen."""
    _by_initial()


def known(folded: str) -> bool:
    """Whether a folded word is a word of a listed foreign form."""
    return glossary.is_enabled() and folded in _words()


def closest(folded: str, limit: int) -> tuple[int, str] | None:
    """(edits, word as listed) of the listed foreign word nearest to `folded`, within `limit`
    edits and with the same first letter (as the index's typo search), or None."""
    if not glossary.is_enabled() or not folded or limit <= 0:
        return None
    best: tuple[int, int, str] | None = None
    for rank, candidate in _by_initial().get(folded[0], ()):
        if abs(len(candidate) - len(folded)) > limit or candidate == folded:
            continue
        distance = edits(folded, candidate)
        # On a tie, the form listed first (the usual English spelling of a place comes first).
        if distance <= limit and (best is None or (distance, rank) < best[:2]):
            best = (distance, rank, candidate)
    return (best[0], _words()[best[2]]) if best else None
