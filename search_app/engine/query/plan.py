"""Questions as people type them: a query becomes clauses, some optional, relaxed in order.

The plan (pure, `plan_query`):
- each positive item is a clause; a run of plain words naming a facet value (« Burkina Faso »,
  « en cours », « pacte d'amitié ») is one clause, met by the text or by the record's value;
- a word's clause also meets its derivational family (« culturels » meets « culture »);
- question and generic words (`indexer/data/optional_words.txt`) are optional clauses: they
  add to the score and are never required, unless the query has nothing else;
- phrases, OR groups and exclusions are as typed: a phrase is never relaxed, an exclusion
  always applies.

The match (`match_plan`): every required clause first; when fewer than `RELAX_BELOW` records
meet them all, the most frequent required words are dropped one at a time (a person keeps the
rare, specific words). Records meeting more of the query's words rank above records meeting
fewer, then by score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import And, Or, Query, Term

from indexer.schema import TEXT_FIELDS, THEMES_FIELD
from indexer.wordlists import family_of, optional_words
from search_app.engine.query.naming import Named, NamingIndex, Token, spans, tokens_of
from search_app.engine.query.syntax import Alternative, Item, UserQuery, build_text_query
from search_app.engine.spelling import is_proper_name

# Fewer records than a page meeting every word: relax.
RELAX_BELOW = 20
# A named facet value counts like a title word (TITLE_BOOST): it is what the record is about.
NAMED_BOOST = 3.0
# An optional (question or generic) word adds this share of its score.
OPTIONAL_WEIGHT = 0.3
_STEMMED = (*TEXT_FIELDS, THEMES_FIELD)


@dataclass(frozen=True)
class Clause:
    """One unit of the query a record meets or not."""

    words: str  # as typed: what `relaxed` reports
    query: Query | None  # the text part, with derivational families
    fuzzy: Query | None = None  # the text part with typos tolerated (None: no typo retry)
    named: tuple[Named, ...] = ()
    optional: bool = False
    relaxable: bool = True
    stems: frozenset[str] = field(default_factory=frozenset)  # family stems, for highlights


@dataclass(frozen=True)
class Plan:
    clauses: tuple[Clause, ...] = ()
    excluded: Query | None = None

    @property
    def empty(self) -> bool:
        return not self.clauses and self.excluded is None


def _family(tokens: list[Token]) -> tuple[Query | None, frozenset[str]]:
    """An OR of the family stems of a one-word item (None when the word has no family)."""
    if len(tokens) != 1 or tokens[0][1] is None:
        return None, frozenset()
    stem = tokens[0][1]
    others = [s for s in family_of(stem) if s != stem]
    if not others:
        return None, frozenset()
    return Or([Term(f, s) for s in others for f in _STEMMED]), frozenset(others)


def _text(items: list[Item], tokens: list[list[Token]]) -> tuple[Query | None, Query | None,
                                                                 frozenset[str]]:
    """(text query with families, typo-tolerant text query, family stems) for plain items."""
    parts: list[Query] = []
    stems: set[str] = set()
    for item, toks in zip(items, tokens, strict=True):
        q = build_text_query(UserQuery(groups=((item,),)))
        if q is None:
            continue
        extra, more = _family(toks)
        parts.append(Or([q, extra]) if extra is not None else q)
        stems |= more
    if not parts:
        return None, None, frozenset()
    query = parts[0] if len(parts) == 1 else And(parts)
    groups = tuple((item,) for item in items)
    fuzzy = build_text_query(UserQuery(groups=groups), fuzzy=True)
    exact = build_text_query(UserQuery(groups=groups))
    return query, (fuzzy if fuzzy != exact else None), frozenset(stems)


def _is_optional(tokens: list[Token]) -> bool:
    words = optional_words()
    content = [folded for folded, stem in tokens if stem is not None]
    return bool(content) and all(folded in words for folded in content)


def plan_query(uq: UserQuery, naming: NamingIndex | None) -> Plan:
    """The clauses of a parsed query (pure: `naming` is the version's value names)."""
    clauses: list[Clause] = []
    run: list[Item] = []

    def flush() -> None:
        if not run:
            return
        tokens = [tokens_of(item.text) for item in run]
        found = spans(tokens, naming) if naming is not None else (
            (i, i + 1, []) for i in range(len(run)))
        names = {k for k in range(1, len(run)) if not run[k].phrase
                 and is_proper_name(run[k - 1].text, run[k].text)}
        for start, end, named in found:
            items, toks = run[start:end], tokens[start:end]
            if named and end - start > 1:
                # « en projet »: a generic word inside a value's name is no text evidence.
                keep = [k for k, t in enumerate(toks) if not _is_optional(t)]
                query, fuzzy, stems = _text([items[k] for k in keep], [toks[k] for k in keep])
            else:
                query, fuzzy, stems = _text(items, toks)
            if end - start == 1 and start in names:
                fuzzy = None  # a place name: no typo reading (`spelling.is_proper_name`)
            if query is None and not named:
                continue  # stop words only
            flat = [t for ts in toks for t in ts]
            clauses.append(Clause(
                words=" ".join(item.text for item in items), query=query, fuzzy=fuzzy,
                named=tuple(named), optional=not named and _is_optional(flat), stems=stems))
        run.clear()

    widened = {alt.start: alt for alt in uq.alternatives}  # synonyms (`expansion.expand`)
    skip_to = 0
    for index, group in enumerate(uq.groups):
        if index < skip_to:
            continue
        alt = widened.get(index)
        if alt is not None:
            # The words a synonym widens are one clause: the words, or what they stand for.
            flush()
            covered = tuple(uq.groups[alt.start:alt.end])
            query = build_text_query(UserQuery(
                groups=covered, alternatives=(Alternative(0, len(covered), alt.items),)))
            if query is not None:
                words = " ".join(i.text for g in covered for i in g)
                clauses.append(Clause(words=words, query=query))
            skip_to = alt.end
            continue
        if len(group) == 1 and not group[0].phrase:
            run.append(group[0])
            continue
        flush()
        query = build_text_query(UserQuery(groups=(group,)))
        if query is not None:
            words = " OR ".join(f'"{i.text}"' if i.phrase else i.text for i in group)
            phrase = all(i.phrase for i in group)
            clauses.append(Clause(words=words, query=query, relaxable=not phrase))
    flush()
    if clauses and all(c.optional for c in clauses):
        # Nothing else carries the meaning: the generic words are the query.
        clauses = [Clause(c.words, c.query, c.fuzzy, c.named, False, c.relaxable, c.stems)
                   for c in clauses]
    # Any excluded item drops a record: one OR group of them.
    excluded = build_text_query(UserQuery(groups=(uq.excluded,))) if uq.excluded else None
    return Plan(clauses=tuple(clauses), excluded=excluded)


@dataclass
class Match:
    """What a plan matched in one version."""

    mask: np.ndarray  # live records in the answer
    scores: np.ndarray  # text and named-value scores
    tier: np.ndarray  # required clauses met (most significant), then how many by value
    relaxed: list[str]  # words some answered records do not meet, in the order dropped
    fuzzy: bool
    named: list[tuple[Named, str]]  # values the query names, with the words naming them
    stems: set[str]  # family stems met, for highlights


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def match_plan(plan: Plan, evaluate, value_mask, alive: np.ndarray, strict: bool) -> Match:
    """Evaluate `plan`: `evaluate(query) -> (mask, scores)`, `value_mask(named) -> mask`.

    `strict` requires every clause, optional ones included (`match=all`)."""
    size = alive.size
    n = max(int(alive.sum()), 1)
    masks: list[np.ndarray] = []
    by_value: list[np.ndarray] = []  # met through a named facet value
    scores = np.zeros(size, dtype=np.float32)
    fuzzy = False
    for clause in plan.clauses:
        mask = np.zeros(size, dtype=bool)
        if clause.query is not None:
            m, s = evaluate(clause.query)
            if clause.fuzzy is not None and not (m & alive).any():
                m, s = evaluate(clause.fuzzy)
                fuzzy = fuzzy or bool((m & alive).any())
            mask |= m
            weight = OPTIONAL_WEIGHT if clause.optional else 1.0
            scores += np.where(m, s * weight, 0).astype(np.float32)
        valued = np.zeros(size, dtype=bool)
        for named in clause.named:
            m = value_mask(named) & alive
            if m.any():
                valued |= m
                scores[m] += NAMED_BOOST * _idf(n, int(m.sum()))
        masks.append((mask | valued) & alive)
        by_value.append(valued)

    base = alive.copy()
    if plan.excluded is not None:
        drop, _ = evaluate(plan.excluded)
        base &= ~drop
    required = [i for i, c in enumerate(plan.clauses) if strict or not c.optional]
    mask = base.copy()
    for i in required:
        mask &= masks[i]
    dropped: list[int] = []
    if not strict and len(required) > 1 and int(mask.sum()) < RELAX_BELOW:
        # Words meeting nothing go first, then the most frequent; phrases stay; one required
        # clause always stays.
        counts = {i: int(masks[i].sum()) for i in required}
        order = sorted((i for i in required if plan.clauses[i].relaxable),
                       key=lambda i: (counts[i] > 0, -counts[i], i))
        kept = list(required)
        for i in order:
            if len(kept) == 1 or int(mask.sum()) >= RELAX_BELOW:
                break
            kept.remove(i)
            dropped.append(i)
            mask = base.copy()
            for k in kept:
                mask &= masks[k]
    # Records meeting more required clauses first; among equals, those meeting more of them
    # through a named value (the record's country, theme...) rather than a mention in its text.
    tier = np.zeros(size, dtype=np.int32)
    for i in required:
        tier += masks[i] * (len(required) + 1) + by_value[i]
    optional = [i for i, c in enumerate(plan.clauses) if i not in required]
    relaxed = [plan.clauses[i].words for i in optional + dropped
               if (mask & ~masks[i]).any()]
    named = [(v, c.words) for c in plan.clauses for v in c.named]
    stems = {s for c in plan.clauses for s in c.stems}
    return Match(mask, np.where(mask, scores, 0).astype(np.float32), tier, relaxed, fuzzy,
                 named, stems)
