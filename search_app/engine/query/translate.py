"""Stage 2b, translate: words typed in English, Spanish, German, Portuguese or Italian meet
the French words the records use. Pure: no index, no I/O (the data files are loaded once).

Three sources, met as units, longest first (`indexer.termmatch`): the spellings of places
(`indexer.exonyms`: Beijing -> Pékin, Ivory Coast -> Côte d'Ivoire), country names in the
five languages (`indexer.foreign_places`, from pycountry's catalogs: Germany, Alemania,
Marokko) and the cooperation glossary (`indexer.glossary`: water -> eau, food security ->
sécurité alimentaire).

A foreign term that is no French word is replaced by its French form, so the rest of the
pipeline sees the query a French speaker would type (a country name then names the
country facet value, a theme word its theme, and relaxation treats it as French words).
The French reading is never lost:
- a form that is French with the same meaning (« culture », « sport », glossary `*`) is left
  as typed;
- a form that is also a French word with another meaning (glossary `!`, the French
  homograph list: « relief », « donne ») is translated only when another foreign term of the
  query says the query is foreign, and then as an `Alternative` beside the typed word.

Switched off with the glossary (``ATLAS_GLOSSARY=off``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from indexer import exonyms, foreign_places, glossary
from indexer.analysis import fold_token
from indexer.places import country_code as country_code_of
from indexer.places import country_name, french_names
from indexer.termmatch import phrase_key
from indexer.wordlists import french_homographs
from search_app.engine.query.syntax import Alternative, Item, UserQuery, parse_user_query

MAX_FORMS = 4  # French forms searched beside a homograph: bounds the extra work
# Small words only a foreign query holds (no French word is spelled so): beside them a
# homograph is read in the foreign language (« heritage of Senegal »), and in a query with a
# foreign term they are left out, as the French stop words are (« projects in Mali »).
FOREIGN_MARKERS = frozenset({
    "the", "of", "and", "in", "with", "for", "about", "from", "to", "at", "on",  # en
    "und", "der", "die", "das", "mit", "von", "im", "den", "dem", "zu", "fur", "uber",  # de
    "el", "los", "las", "del", "con", "para", "por", "sobre",  # es
    "com", "em", "pelo", "pela", "do", "da", "na",  # pt
    "di", "della", "delle", "dei", "degli", "nel", "nella", "per", "gli",  # it
})
# A German compound of two listed words (« Wasserprojekte »: Wasser + Projekte), the first
# maybe with its linking « s » (« Gesundheitsprojekte »); parts of at least this many letters.
MIN_PART = 4

# Sources in the order they win a tie (same words covered): a place, a country, a term.
_PLACE, _COUNTRY, _TERM, _COMPOUND = 0, 1, 2, 3


@dataclass(frozen=True)
class Translated:
    """Typed words `source` read as the French `to` (`language`: None when the spelling is
    not one language's, as for most place names)."""

    source: str
    to: str
    language: str | None

    def as_dict(self) -> dict[str, str | None]:
        return {"from": self.source, "to": self.to, "language": self.language}


@dataclass(frozen=True)
class _Found:
    start: int  # word positions in the run
    end: int
    source: str
    french: tuple[str, ...]
    language: str | None
    kind: int
    homograph: bool  # also a French word with another meaning: needs foreign company


def _is_homograph(source: str) -> bool:
    key = phrase_key(source)
    return len(key) == 1 and key[0] in french_homographs()


@lru_cache(maxsize=1)
def _place_collisions() -> frozenset[str]:
    return frozenset(exonyms.homographs())


@lru_cache(maxsize=1)
def _country_collisions() -> frozenset[str]:
    return frozenset(key for key, _, _ in foreign_places.french_collisions())


def _french_name_of(key: tuple[str, ...], code: str) -> bool:
    return key in {phrase_key(n) for n in (country_name(code), *french_names(code))}


def _places(words: list[str]) -> list[_Found]:
    out = []
    collisions = _place_collisions()
    for match in exonyms.find_exonyms(words):
        if len(match.value) != 1:
            continue  # Saint-Louis, Córdoba: two places, no guess
        place = match.value[0]
        french = country_name(place.code) if place.kind == "country" else place.french
        key = phrase_key(match.source)
        if key in (phrase_key(french), phrase_key(place.french)) or (
                place.kind == "country" and _french_name_of(key, place.code)):
            continue  # already the French form
        named = foreign_places.foreign_names().get(key)
        out.append(_Found(match.start, match.end, match.source, (french,),
                          named.languages[0] if named else None, _PLACE,
                          " ".join(key) in collisions or _is_homograph(match.source)))
    return out


def _countries(words: list[str]) -> list[_Found]:
    out = []
    collisions = _country_collisions()
    for match in foreign_places.find_foreign_countries(words):
        code = match.value.code
        if _french_name_of(phrase_key(match.source), code):
            continue  # a French name (« Sénégal », « Mali »): nothing to translate
        out.append(_Found(match.start, match.end, match.source, (country_name(code),),
                          match.value.languages[0], _COUNTRY,
                          " ".join(phrase_key(match.source)) in collisions))
    return out


def _terms(words: list[str]) -> list[_Found]:
    out = []
    for t in glossary.translations(words):
        key = phrase_key(t.source)
        if t.also_french and any(phrase_key(f) == key for f in t.french):
            continue  # « culture », « sport »: the French word itself
        out.append(_Found(t.start, t.end, t.source, t.french, t.language, _TERM,
                          t.keep_french or _is_homograph(t.source)))
    return out


@lru_cache(maxsize=1)
def _german_words() -> dict[str, tuple[str, ...]]:
    """Folded one-word German glossary form -> its row's French forms (homographs left out)."""
    out: dict[str, tuple[str, ...]] = {}
    for entry in glossary.entries():
        for form in entry.forms.get("de", ()):
            key = phrase_key(form.text)
            if len(key) == 1 and not form.homograph:
                out.setdefault(key[0], entry.french)
    return out


def _compound(word: str) -> tuple[str, ...] | None:
    """The French forms of a German compound of two listed words, or None."""
    key = phrase_key(word)
    if len(key) != 1 or len(key[0]) < 2 * MIN_PART:
        return None
    folded, table = key[0], _german_words()
    for cut in range(len(folded) - MIN_PART, MIN_PART - 1, -1):
        head, tail = folded[:cut], folded[cut:]
        first = table.get(head) or (table.get(head[:-1]) if head.endswith("s") else None)
        second = table.get(tail)
        if first and second:
            return (f"{first[0]} {second[0]}",)
    return None


def _compounds(words: list[str], covered: set[int]) -> list[_Found]:
    out = []
    for i, word in enumerate(words):
        if i not in covered and (french := _compound(word)) is not None:
            out.append(_Found(i, i + 1, word, french, "de", _COMPOUND, False))
    return out


def _choose(found: list[_Found]) -> list[_Found]:
    """Left to right, the longest candidate at each word (a place, then a country, then a
    term on a tie); overlapping candidates lose."""
    chosen: list[_Found] = []
    end = 0
    for f in sorted(found, key=lambda f: (f.start, f.start - f.end, f.kind)):
        if f.start >= end:
            chosen.append(f)
            end = f.end
    return chosen


def _runs(uq: UserQuery) -> list[list[int]]:
    """Runs of consecutive groups holding one plain word each (phrases and OR groups are
    as typed)."""
    runs: list[list[int]] = [[]]
    for gi, group in enumerate(uq.groups):
        if len(group) == 1 and not group[0].phrase:
            runs[-1].append(gi)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _whole(item: Item) -> _Found | None:
    """The translation of a whole item (a quoted phrase, one side of an OR, an excluded
    word) when it is one foreign term and no French word."""
    words = item.text.split()
    found = _choose(_places(words) + _countries(words) + _terms(words))
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(words) \
            and not found[0].homograph:
        return found[0]
    return None


def _items(items: tuple[Item, ...]) -> tuple[tuple[Item, ...], list[Translated]]:
    """Items each replaced by its French form when it is a whole foreign term."""
    out: list[Item] = []
    done: list[Translated] = []
    for item in items:
        f = _whole(item)
        if f is None:
            out.append(item)
            continue
        out.append(Item(f.french[0], phrase=item.phrase))
        done.append(Translated(f.source, f.french[0], f.language))
    return tuple(out), done


def translate(uq: UserQuery, enabled: bool | None = None
              ) -> tuple[UserQuery, list[Translated]]:
    """`uq` with its foreign terms in French, and what was translated (in query order)."""
    if not glossary.is_enabled(enabled) or not (uq.groups or uq.excluded):
        return uq, []
    by_group: dict[int, _Found] = {}  # first group of a translated span -> its translation
    ends: dict[int, int] = {}  # first group -> group after the span
    for run in _runs(uq):
        words = [uq.groups[gi][0].text for gi in run]
        found = _places(words) + _countries(words) + _terms(words)
        covered = {i for f in found for i in range(f.start, f.end)}
        for f in _choose(found + _compounds(words, covered)):
            by_group[run[f.start]] = f
            ends[run[f.start]] = run[f.end - 1] + 1
    # Phrases, OR groups and exclusions: each item that is a whole foreign term (an
    # excluded one is excluded in both spellings: « -water » is « -eau » too).
    typed = {gi: _items(group) for gi, group in enumerate(uq.groups)
             if len(group) > 1 or group[0].phrase}
    typed = {gi: found for gi, found in typed.items() if found[1]}
    excluded, dropped = _items(uq.excluded)
    excluded = uq.excluded + tuple(i for i, old in zip(excluded, uq.excluded, strict=True)
                                   if i != old)
    translated = bool(typed or dropped) or any(not f.homograph for f in by_group.values())
    marked = {gi for gi, group in enumerate(uq.groups) if len(group) == 1
              and not group[0].phrase and fold_token(group[0].text) in FOREIGN_MARKERS}
    foreign = translated or bool(marked)
    if not foreign:
        by_group = {}  # homographs alone: the query reads as French
    if not by_group and not typed:
        if not dropped:
            return uq, []
        return replace(uq, excluded=excluded), dropped
    groups: list[tuple[Item, ...]] = []
    alternatives: list[Alternative] = []
    done: list[Translated] = []
    gi = 0
    while gi < len(uq.groups):
        f = by_group.get(gi)
        if f is None and gi in marked:
            gi += 1  # « in », « with »: no French text holds them
            continue
        if gi in typed:
            groups.append(typed[gi][0])
            done += typed[gi][1]
            gi += 1
            continue
        if f is None:
            groups.append(uq.groups[gi])
            gi += 1
            continue
        done.append(Translated(f.source, f.french[0], f.language))
        if f.homograph:
            # Typed words kept, the French forms beside them.
            start = len(groups)
            groups += uq.groups[gi:ends[gi]]
            items = tuple(Item(s, phrase=len(phrase_key(s)) > 1) for s in f.french[:MAX_FORMS])
            alternatives.append(Alternative(start, len(groups), items))
        elif f.kind == _PLACE and len(phrase_key(f.french[0])) > 1 \
                and country_code_of(f.french[0]) is None:
            # A town's name of several words (« Da Nang »): one unit, never its loose words.
            groups.append((Item(f.french[0], phrase=True),))
        else:
            # The French form as a French speaker types it: its words as plain items (a
            # country's name of several words is then named as one by the naming stage).
            groups += parse_user_query(f.french[0]).groups
        gi = ends[gi]
    return (replace(uq, groups=tuple(groups), alternatives=tuple(alternatives),
                    excluded=excluded), done + dropped)


def with_sources(words: list[str], translated: list[Translated]) -> list[str]:
    """Clause words as the answer reports them (``relaxed``): French words a translation put
    in the query say what was typed (« autonomisation (women empowerment) »)."""
    if not translated:
        return words
    out = []
    for text in words:
        key = set(phrase_key(text))
        source = next((t.source for t in translated
                       if key and key <= set(phrase_key(t.to))), None)
        out.append(f"{text} ({source})" if source else text)
    return out
