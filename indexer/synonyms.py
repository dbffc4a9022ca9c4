"""Synonym lists in Solr's format, read once and matched on analysed words.

    # a comment
    UE, Union européenne, U.E.          equivalent: each one also searches the others
    Mairie => Hôtel de ville            one way: a query for the left also searches the right

Each spelling is keyed by its words' stems (`french_analyzer`'s tokens: accents, case,
elisions, stop words and plurals do not matter), so « Unions européennes » meets the
« Union européenne » rule, and a short acronym is one whole word: ``UE`` is never « rue ».
Spellings sharing a key share their alternatives. The bundled list is
`indexer/data/synonyms.txt`; `ATLAS_SYNONYMS=FILE` replaces it (see `search_app.settings`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .analysis import WORD_PATTERN, text_keys, word_keys

BUNDLED = "synonyms.txt"
MAX_WORDS = 12  # a longer spelling is surely a mistake in the list


class SynonymsError(Exception):
    """A synonyms file that cannot be read; the message names the file and the line."""


Key = tuple[str, ...]


def word_key(word: str) -> str:
    """One word's part of a key: the stems of its parts, or the folded form of a stop word
    (kept, so « O.M.S. » is three letters, not one)."""
    return " ".join(folded if stem is None else stem for folded, stem in word_keys(word))


def spelling_key(text: str) -> Key:
    """What a rule is matched on: the key parts of the words of `text`."""
    return tuple(k for k in map(word_key, WORD_PATTERN.findall(text)) if k)


def searchable(text: str) -> bool:
    """Whether `text` has a word that is not a stop word."""
    return any(stem is not None for _, stem in text_keys(text))


@dataclass
class Synonyms:
    """key -> the spellings (as written) a match also searches."""

    rules: dict[Key, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    groups: int = 0
    # The most words a rule's key has: kept as rules are added, since every query asks.
    longest: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.longest = max((len(k) for k in self.rules), default=0)

    def __len__(self) -> int:
        return len(self.rules)

    def alternatives(self, key: Key) -> tuple[str, ...]:
        return self.rules.get(key, ())

    def _add(self, sources: list[str], targets: list[str]) -> None:
        for spelling in sources:
            key = spelling_key(spelling)
            known = list(self.rules.get(key, ()))
            for target in targets:
                if spelling_key(target) != key and target not in known:
                    known.append(target)
            if known:
                self.rules[key] = tuple(known)
                self.longest = max(self.longest, len(key))


def _terms(text: str, where: str) -> list[str]:
    terms = [" ".join(t.split()) for t in text.split(",")]
    if any(not t for t in terms):
        raise SynonymsError(f"{where}: empty spelling (two commas, or a comma at an end)")
    for term in terms:
        key = spelling_key(term)
        if not searchable(term):
            raise SynonymsError(f"{where}: « {term} » has no searchable word")
        if len(key) > MAX_WORDS:
            raise SynonymsError(f"{where}: « {term} » has more than {MAX_WORDS} words")
    return terms


def parse_synonyms(text: str, source: str = "<synonyms>") -> Synonyms:
    """Rules from Solr-format text; raises SynonymsError naming `source` and the line."""
    out = Synonyms(source=source)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{source}:{number}"
        if "=>" in line:
            parts = line.split("=>")
            if len(parts) != 2:
                raise SynonymsError(f"{where}: more than one '=>'")
            left, right = (p.strip() for p in parts)
            if not left or not right:
                raise SynonymsError(f"{where}: '=>' needs spellings on both sides")
            out._add(_terms(left, where), _terms(right, where))
        else:
            terms = _terms(line, where)
            if len({spelling_key(t) for t in terms}) < 2:
                raise SynonymsError(
                    f"{where}: a group needs at least two different spellings, comma-separated")
            out._add(terms, terms)
        out.groups += 1
    return out


def bundled_text() -> str:
    return resources.files("indexer").joinpath("data", BUNDLED).read_text(encoding="utf-8")


def load_synonyms(path: Path | str | None = None) -> Synonyms:
    """The list at `path`, or the bundled one when None."""
    if path is None:
        return parse_synonyms(bundled_text(), f"indexer/data/{BUNDLED}")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SynonymsError(f"{path}: cannot read synonyms: {exc}") from None
    return parse_synonyms(text, str(path))
