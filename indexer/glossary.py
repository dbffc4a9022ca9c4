"""The cooperation glossary: query words in English, Spanish, German, Portuguese or Italian and
their French equivalents (`indexer/data/glossary.tsv`, reviewed), loaded once.

`translations(words)` finds, left to right, the longest listed foreign phrase at each word
(« food security » is one term, not « food » and « security ») and gives its French forms.
A form marked `*` in the file is also French with the same meaning (« culture »), one
marked `!` is also a French word with another meaning (« relief »): the translation says so
(`also_french`, `french_homograph`), so a caller keeps the French reading beside it.
Switched off by `enabled=False` or the environment variable ``ATLAS_GLOSSARY=off``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .termmatch import Key, longest_matches, phrase_key
from .wordlists import DATA

LANGUAGES: tuple[str, ...] = ("en", "es", "de", "pt", "it")
FILE = "glossary.tsv"
ENV = "ATLAS_GLOSSARY"
_OFF = {"0", "off", "false", "no"}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
# Languages whose plural is mostly the singular plus « s »: a typed plural finds its term.
_PLURAL_S = ("en", "es", "pt", "it")


@dataclass(frozen=True)
class Form:
    text: str
    also_french: bool  # « * »: a French word too, same meaning
    homograph: bool = False  # « ! »: a French word too, another meaning or form


@dataclass(frozen=True)
class Entry:
    """One row: the French forms (first is the main one) and the forms in each language."""

    line: int
    french: tuple[str, ...]
    forms: dict[str, tuple[Form, ...]]


@dataclass(frozen=True)
class Translation:
    """Foreign words met in a query: `words[start:end]` (`source`) mean the French `french`."""

    source: str
    start: int
    end: int
    french: tuple[str, ...]
    language: str  # the first of `languages`, in LANGUAGES order
    languages: tuple[str, ...]
    also_french: bool  # the words are French too, with the same meaning
    french_homograph: bool = False  # the words are also French, with another meaning

    @property
    def to(self) -> str:
        return self.french[0]

    @property
    def keep_french(self) -> bool:
        """Whether the typed words must also be searched as French words."""
        return self.also_french or self.french_homograph


class GlossaryError(ValueError):
    """A glossary file that breaks its rules; the message names the line."""


def _cell(cell: str) -> list[str]:
    cell = cell.strip()
    return [] if cell in ("", "-") else [f.strip() for f in cell.split("|") if f.strip()]


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """The rows of the bundled glossary, in file order."""
    found = parse((DATA / FILE).read_text(encoding="utf-8"))
    build_table(found)  # a duplicate form fails at load, not at the first query
    return found


def parse(text: str) -> tuple[Entry, ...]:
    """The rows of a glossary text (GlossaryError names a line that breaks the format)."""
    out: list[Entry] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 1 + len(LANGUAGES):
            raise GlossaryError(f"{FILE}:{number}: {1 + len(LANGUAGES)} columns expected")
        french = tuple(_cell(cells[0]))
        if not french or not all(phrase_key(f) for f in french):
            raise GlossaryError(f"{FILE}:{number}: no French form")
        forms = {lang: tuple(Form(f.rstrip("*!").strip(), f.endswith("*"), f.endswith("!"))
                             for f in _cell(c))
                 for lang, c in zip(LANGUAGES, cells[1:], strict=True)}
        out.append(Entry(number, french, forms))
    return tuple(out)


def _spellings(lang: str, form: Form) -> list[str]:
    spellings = [form.text]
    if lang == "de" and form.text.translate(_UMLAUTS) != form.text:
        spellings.append(form.text.translate(_UMLAUTS))
    return spellings


@lru_cache(maxsize=1)
def _table() -> dict[Key, dict[str, tuple[int, bool, bool]]]:
    return build_table(entries())


def build_table(rows: Sequence[Entry]) -> dict[Key, dict[str, tuple[int, bool, bool]]]:
    """Folded foreign phrase -> {language: (row index, also French, French homograph)};
    GlossaryError when a form is in two rows of one language."""
    table: dict[Key, dict[str, tuple[int, bool, bool]]] = {}
    for i, entry in enumerate(rows):
        for lang, forms in entry.forms.items():
            for form in forms:
                for spelling in _spellings(lang, form):
                    key = phrase_key(spelling)
                    if not key:
                        raise GlossaryError(f"{FILE}:{entry.line}: empty form {spelling!r}")
                    seen = table.setdefault(key, {})
                    if lang in seen and seen[lang][0] != i:
                        other = rows[seen[lang][0]].line
                        raise GlossaryError(f"{FILE}:{entry.line}: {lang} {spelling!r} is "
                                            f"also on line {other}")
                    same = form.also_french or (lang in seen and seen[lang][1])
                    other = form.homograph or (lang in seen and seen[lang][2])
                    seen[lang] = (i, same, other)
    # A typed plural (« wells », « schools ») finds a listed singular; never overrides a form.
    derived: dict[Key, dict[str, tuple[int, bool, bool]]] = {}
    for key, by_lang in table.items():
        if key[-1].endswith("s"):
            continue
        plural = (*key[:-1], key[-1] + "s")
        for lang, hit in by_lang.items():
            if lang in _PLURAL_S and lang not in table.get(plural, {}):
                derived.setdefault(plural, {})[lang] = hit
    for key, by_lang in derived.items():
        table.setdefault(key, {}).update(by_lang)
    return table


@lru_cache(maxsize=32)
def _table_for(languages: tuple[str, ...],
               ) -> tuple[dict[Key, dict[str, tuple[int, bool, bool]]], int]:
    """The table limited to some languages, and its longest key (built once per choice)."""
    table = {key: {lang: hit for lang, hit in by_lang.items() if lang in languages}
             for key, by_lang in _table().items()}
    table = {key: by_lang for key, by_lang in table.items() if by_lang}
    return table, max(map(len, table), default=0)


def is_enabled(enabled: bool | None = None) -> bool:
    """An explicit choice, else ``ATLAS_GLOSSARY`` (on unless 0/off/false/no)."""
    if enabled is not None:
        return enabled
    return os.environ.get(ENV, "on").strip().lower() not in _OFF


def translations(words: Sequence[str], languages: Sequence[str] | None = None,
                 enabled: bool | None = None) -> list[Translation]:
    """The foreign terms among a query's words (as typed), longest first, left to right, each
    with its French forms; `languages` limits the languages looked at (all by default)."""
    if not is_enabled(enabled):
        return []
    wanted = tuple(lang for lang in LANGUAGES if languages is None or lang in languages)
    table, longest = _table_for(wanted)
    if not table:
        return []
    out: list[Translation] = []
    for match in longest_matches(words, table, longest):
        langs = tuple(lang for lang in wanted if lang in match.value)
        first = match.value[langs[0]]
        out.append(Translation(
            source=match.source, start=match.start, end=match.end,
            french=entries()[first[0]].french, language=langs[0], languages=langs,
            also_french=any(match.value[lang][1] for lang in langs),
            french_homograph=any(match.value[lang][2] for lang in langs)))
    return out


def terms(language: str) -> list[str]:
    """Every listed form of one language, in file order (each once)."""
    seen = {f.text: None for e in entries() for f in e.forms.get(language, ())}
    return list(seen)
