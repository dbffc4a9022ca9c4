"""Accents typed on purpose: a query word written with diacritics meets the words written
with the same diacritics and the words written without any, never words whose diacritics
differ (« élèves » never meets « élevé », « côte » never « côté »).

The French chain folds accents, so every word meets its accented twins; that stays the rule
for a query word typed without any, and for texts typed without them (« ECONOMIE »,
« etat civil »). For a word typed with them, the build keeps, in the `accents` field, the
written forms (`form`) of each stem a record writes with diacritics, and a marker (the stem
alone) when the record also writes it without any; a query then drops the records whose
every spelling of the stem disagrees (`compatible`). A capital written without its accent
(« CÔTE », « Etat ») stands for any; « é » and « è » before a syllable with a mute e are one
spelling, as the 1990 reform has it (« événement »/« évènement »).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import filterfalse
from os.path import commonprefix

from .analysis import fold_token, word_forms

SEPARATOR = "\x1f"  # between the stem and the written form in an `accents` term
WILDCARD = "*"

Letter = tuple[str, str]  # (folded base letter, its diacritics: "" none, "*" any)


@lru_cache(maxsize=100_000)
def letters(word: str) -> tuple[Letter, ...]:
    """Each folded letter of `word` with the diacritics written on it (a ligature's second
    letter has none; an unmarked capital has any)."""
    out: list[Letter] = []
    for ch in word:
        if ch.isascii():
            if ch.isalnum():
                out.append((ch.lower(), WILDCARD if ch.isupper() else ""))
            continue
        base = fold_token(ch)
        if not base:
            continue
        mark = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.combining(c))
        if not mark and ch.isupper():
            mark = WILDCARD
        out.append((base[0], mark))
        out.extend((b, "") for b in base[1:])
    return tuple(out)


def has_marks(word: str) -> bool:
    """Whether `word` is written with a diacritic (a query word typed with accents)."""
    return not word.isascii() and any(m not in ("", WILDCARD) for _, m in letters(word))


def form(word: str) -> str:
    """The written form of one word part as the `accents` field keeps it: lowercase with its
    diacritics, a capital without one kept as a capital (any diacritic)."""
    out = []
    for ch in word:
        if ch.isupper():
            low = ch.lower()
            marked = len(low) == 1 and unicodedata.normalize("NFD", low) != low
            out.append(low if marked else ch)
        else:
            out.append(ch)
    return "".join(out).replace(" ", "")


def terms(words: Iterable[str]) -> list[str]:
    """The `accents` field's terms of one record's distinct stemmed words: each stem
    written with diacritics with each of its distinct forms, and the stem alone when the
    record also writes it without any. Stems never written with diacritics have none:
    every spelling of them agrees with any word typed."""
    words = set(words)
    found: set[str] = set()
    marked: set[str] = set()
    plain: set[str] = set()
    for word in filterfalse(str.isascii, words):  # only these can have diacritics
        written, stems, unmarked = _written(word)
        if written:
            found.update(written)
            marked.update(stems)
        if unmarked:
            plain.update(unmarked)
    if not found:
        return []
    plain.update(*map(_stems, filter(str.isascii, words)))
    found.update(stem + SEPARATOR for stem in marked & plain)
    return sorted(found)


@lru_cache(maxsize=200_000)
def _stems(word: str) -> tuple[str, ...]:
    return tuple(stem for stem, _ in word_forms(word))


@lru_cache(maxsize=200_000)
def _written(word: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(the terms of the word's parts written with diacritics, their stems, the stems of
    the parts written without), from the analysis chain (`analysis.word_forms`), once per
    spelling."""
    parts = word_forms(word)
    marked = [(stem, part) for stem, part in parts if has_marks(part)]
    return (tuple(stem + SEPARATOR + form(part) for stem, part in marked),
            tuple(stem for stem, _ in marked),
            tuple(stem for stem, part in parts if not has_marks(part)))


def _unplural(folded: str) -> str:
    return folded[:-1] if len(folded) > 3 and folded[-1] in "sx" else folded


@lru_cache(maxsize=100_000)
def compatible(typed: str, stem: str, written: str) -> bool:
    """Whether a word typed `typed` (with diacritics) meets a written form `written` (`form`)
    of the same stem: a form without diacritics always does; else their diacritics agree
    over the letters they share: the whole word when they are the same word in the
    singular (« côte »/« côté »), else the letters of the stem (« développement »/
    « développé », one family)."""
    q, w = letters(typed), letters(written)
    if all(m in ("", WILDCARD) for _, m in w):
        return True
    fq = "".join(b for b, _ in q)
    fw = "".join(b for b, _ in w)
    shared = len(commonprefix((fq, fw)))
    if _unplural(fq) != _unplural(fw):
        shared = min(shared, len(commonprefix((stem, fq))))
    for i, ((base, qm), (_, wm)) in enumerate(zip(q[:shared], w[:shared], strict=True)):
        if wm == WILDCARD or qm == WILDCARD:
            continue
        if qm != wm and not _reformed(base, qm, wm, fq, i):
            return False
    return True


_ACUTE_GRAVE = frozenset({"\u0301", "\u0300"})
# The 1990 spelling reform writes « è » for « é » before a syllable with a mute e
# (« événement »/« évènement », « réglementation »/« règlementation »): the same word.
_MUTE_E_SYLLABLE = re.compile(r"[bcdfghjklmnpqrstvwxz]{1,2}e")


def _reformed(base: str, typed: str, written: str, folded: str, i: int) -> bool:
    return (base == "e" and {typed, written} == _ACUTE_GRAVE
            and _MUTE_E_SYLLABLE.match(folded, i + 1) is not None)
