"""The reviewed word lists under `indexer/data/`, loaded once: derivational families, optional
(question and generic) words, the words naming countries, statuses and forms.

Lists are plain text with `#` comments so they can be reviewed in a diff; every word is
compared the way the French chain sees it (`analysis.word_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import WORD_PATTERN, word_keys

DATA = Path(__file__).parent / "data"


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def stem_of(word: str) -> str | None:
    """The stem of one word (None for a stop word or a word that folds to nothing)."""
    keys = word_keys(word)
    return keys[0][1] if len(keys) == 1 else None  # the lists hold plain words


@lru_cache(maxsize=1)
def families() -> dict[str, tuple[str, ...]]:
    """stem -> the stems of its derivational family (itself included, in file order)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in _lines("families.txt"):
        stems = tuple(dict.fromkeys(s for s in map(stem_of, line.split()) if s))
        for stem in stems:
            if stem in out:
                raise ValueError(f"families.txt: stem {stem!r} is in two families")
            out[stem] = stems
    return out


def family_of(stem: str) -> tuple[str, ...]:
    """The stems of `stem`'s family, or `(stem,)` when it has none."""
    return families().get(stem, (stem,))


def family_root(stem: str) -> str:
    """One stem standing for the whole family (the first listed)."""
    return families().get(stem, (stem,))[0]


@lru_cache(maxsize=1)
def optional_words() -> frozenset[str]:
    """Folded question and generic words (compared as typed, not by stem)."""
    words: set[str] = set()
    for line in _lines("optional_words.txt"):
        for word in WORD_PATTERN.findall(line):
            folded = _folded(word)
            if folded:
                words.add(folded)
    return frozenset(words)


def is_optional(word: str) -> bool:
    """Whether a typed word is a question or generic word."""
    return _folded(word) in optional_words()


def _folded(word: str) -> str:
    return "".join(folded for folded, _ in word_keys(word))


def _tsv(name: str) -> list[list[str]]:
    return [line.split("\t") for line in _lines(name)]


def _comma(cell: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in cell.split(",") if w.strip())


@lru_cache(maxsize=1)
def country_words() -> dict[str, tuple[str, ...]]:
    """ISO code -> short forms, demonyms and adjectives (`country_words.tsv`)."""
    out: dict[str, tuple[str, ...]] = {}
    for code, cell in _tsv("country_words.tsv"):
        if code in out:
            raise ValueError(f"country_words.tsv: {code} twice")
        out[code] = _comma(cell)
    return out


@lru_cache(maxsize=1)
def value_words() -> dict[tuple[str, str], tuple[str, ...]]:
    """(facet, value) -> words naming it besides the value itself (`value_words.tsv`)."""
    return {(facet, value): _comma(cell) for facet, value, cell in _tsv("value_words.tsv")}


@dataclass(frozen=True)
class Homograph:
    """A French word spelled like a foreign form; `common`: never take the foreign reading alone."""

    word: str
    common: bool


@lru_cache(maxsize=1)
def french_homographs() -> dict[str, Homograph]:
    """Folded French word -> the word, for French words spelled like a foreign glossary form,
    country name or exonym (`french_homographs.tsv`)."""
    return {row[0].strip(): Homograph(row[1].strip(), row[3].strip() == "common")
            for row in _tsv("french_homographs.tsv")}
