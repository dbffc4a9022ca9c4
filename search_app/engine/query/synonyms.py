"""Query-time synonym expansion of a parsed query (`query.UserQuery`). Pure: no index, no I/O.

A rule (`indexer.synonyms`) matches whole query words, compared as the index compares
them (stems, accents and case ignored), never a part of a word. Two kinds of match:

- words typed apart (« union européenne », « objectifs de développement durable ») that
  together make a spelling: an `Alternative` searches the other spellings in place of the
  AND of those words;
- a spelling inside one item (a word, a hyphenated word « St-Étienne », a quoted phrase):
  the item is also searched with that spelling replaced (« Saint Étienne »).

Multi-word spellings are searched as phrases. Excluded items (`-UE`) exclude their
synonyms too. What was added is returned for the answer's ``expanded``.
"""

from __future__ import annotations

from dataclasses import replace

from indexer.analysis import WORD_PATTERN, fold_token, text_keys
from indexer.synonyms import Synonyms, word_key
from search_app.engine.query.syntax import Alternative, Item, UserQuery

MAX_VARIANTS = 8  # per item or span: bounds the extra work of one query


def _searchable_alone(spelling: str) -> bool:
    """A spelling whose index words would be one letter once stop words go (« O.M.S. »
    is « o » in the text fields) is not searched for: it would match any lone « o »."""
    words = WORD_PATTERN.findall(spelling)
    stems = [stem for _, stem in text_keys(spelling) if stem is not None]
    return not (len(words) > 1 and len(stems) == 1 and len(stems[0]) < 2)


def _item(spelling: str) -> Item:
    return Item(spelling, phrase=len(WORD_PATTERN.findall(spelling)) > 1)


def _longest_match(keys: list[str], start: int, synonyms: Synonyms, limit: int
                   ) -> tuple[int, tuple[str, ...]]:
    """(length, alternatives) of the longest rule starting at keys[start], or (0, ())."""
    for length in range(min(limit, len(keys) - start), 0, -1):
        found = synonyms.alternatives(tuple(keys[start:start + length]))
        if found:
            return length, found
    return 0, ()


def _cross_group(uq: UserQuery, synonyms: Synonyms
                 ) -> tuple[list[Alternative], set[int]]:
    """Rules covering whole groups of one plain word (or glued word) each."""
    # The words of plain one-item groups, with the group each belongs to.
    keys: list[str] = []
    owner: list[int] = []
    first: list[bool] = []
    last: list[bool] = []
    runs: list[list[int]] = [[]]
    for gi, group in enumerate(uq.groups):
        if len(group) != 1 or group[0].phrase:
            runs.append([])
            continue
        parts = [k for k in map(word_key, WORD_PATTERN.findall(group[0].text)) if k]
        for wi, key in enumerate(parts):
            runs[-1].append(len(keys))
            keys.append(key)
            owner.append(gi)
            first.append(wi == 0)
            last.append(wi == len(parts) - 1)
    found: list[Alternative] = []
    covered: set[int] = set()
    limit = synonyms.longest
    for run in runs:
        if not run:
            continue
        lo, hi = run[0], run[-1] + 1
        pos = lo
        while pos < hi:
            length, spellings = (0, ()) if not first[pos] else _longest_match(
                keys[:hi], pos, synonyms, limit)
            end = pos + length - 1
            if length and last[end]:
                start_g, end_g = owner[pos], owner[end] + 1
                items = tuple(_item(s) for s in spellings if _searchable_alone(s))
                if items:
                    found.append(Alternative(start_g, end_g, items[:MAX_VARIANTS]))
                    covered.update(range(start_g, end_g))
                pos = end + 1
            else:
                pos += 1
    return found, covered


def _variants(item: Item, synonyms: Synonyms) -> list[Item]:
    """The item with one matching spelling inside it replaced by each alternative."""
    words = WORD_PATTERN.findall(item.text)
    keys = [word_key(w) for w in words]
    out: list[Item] = []
    limit = synonyms.longest
    pos = 0
    while pos < len(words) and len(out) < MAX_VARIANTS:
        if not keys[pos]:
            pos += 1
            continue
        length, spellings = _longest_match(keys, pos, synonyms, limit)
        if not length:
            pos += 1
            continue
        for spelling in spellings:
            if not _searchable_alone(spelling):
                continue
            if length == len(words):
                out.append(_item(spelling))
            else:
                text = " ".join([*words[:pos], spelling, *words[pos + length:]])
                out.append(Item(text, phrase=True))
        pos += length
    return out[:MAX_VARIANTS]


def _is_abbreviation(short: str, word: str) -> bool:
    """« st » of « saint », « ste » of « sainte » (or of « saint », met by its stem): shorter,
    same first letter, its letters in order in the word (a final feminine « e » aside)."""
    if not short or len(short) >= len(word) or short[0] != word[0]:
        return False
    letters = iter(word)
    core = short[:-1] if short.endswith("e") and len(short) > 2 else short
    return all(c in letters for c in core)


def abbreviates(spelling: str, typed: str) -> bool:
    """True when `spelling` is `typed` with some words abbreviated and nothing else changed
    (« St Louis » and « Ste Louis » for « Saint-Louis »)."""
    a = [fold_token(w) for w in WORD_PATTERN.findall(spelling)]
    b = [fold_token(w) for w in WORD_PATTERN.findall(typed)]
    if len(a) != len(b) or a == b:
        return False
    return all(x == y or _is_abbreviation(x, y) for x, y in zip(a, b, strict=True))


def expand(uq: UserQuery, synonyms: Synonyms | None) -> tuple[UserQuery, list[str]]:
    """`uq` with its synonyms as alternatives, and the spellings added (in query order)."""
    if not synonyms or not synonyms.rules or not (uq.groups or uq.excluded):
        return uq, []
    # Alternatives an earlier stage gave (`translate`) stay; their words are not widened.
    held = {gi for a in uq.alternatives for gi in range(a.start, a.end)}
    found, _ = _cross_group(uq, synonyms)
    alternatives = [a for a in found if held.isdisjoint(range(a.start, a.end))]
    covered = held | {gi for a in alternatives for gi in range(a.start, a.end)}
    for gi, group in enumerate(uq.groups):
        if gi in covered:
            continue
        extra = [v for item in group for v in _variants(item, synonyms)]
        if extra:
            alternatives.append(Alternative(gi, gi + 1, tuple(extra[:MAX_VARIANTS])))
    excluded = list(uq.excluded)
    for item in uq.excluded:
        excluded += _variants(item, synonyms)
    if not alternatives and len(excluded) == len(uq.excluded):
        return uq, []
    typed = [item.text for group in uq.groups for item in group] + [i.text for i in uq.excluded]
    added = [i.text for a in alternatives for i in a.items]
    alternatives = sorted([*uq.alternatives, *alternatives], key=lambda a: a.start)
    added += [i.text for i in excluded[len(uq.excluded):]]
    # Still searched, but not announced: « St Louis » for « Saint-Louis » tells nothing new.
    added = [text for text in added if not any(abbreviates(text, t) for t in typed)]
    return (replace(uq, alternatives=tuple(alternatives), excluded=tuple(excluded)),
            list(dict.fromkeys(added)))
