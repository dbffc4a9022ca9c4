"""Stage 5, plan: a query becomes clauses, some optional, each met by text or by a named value.

The plan (pure, `plan_query`):
- each positive item is a clause; a run of plain words naming a facet value (« Burkina Faso »,
  « en cours », « pacte d'amitié ») is one clause, met by the text or by the record's value;
- a word's clause also meets its derivational family (« culturels » meets « culture »);
- question and generic words (`indexer/data/optional_words.txt`) are optional clauses: they
  add to the score and are never required, unless the query has nothing else;
- phrases, OR groups and exclusions are as typed: a phrase is never relaxed, an exclusion
  always applies.

How a plan is met, relaxed and ranked is `engine.match`.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.wordlists import family_of, optional_words
from search_app.engine.query.build import family_node, text_node
from search_app.engine.query.naming import Named, NamingIndex, Token, spans, tokens_of
from search_app.engine.query.spacing import is_join
from search_app.engine.query.syntax import Alternative, Item, UserQuery
from search_app.engine.query.tree import And, Node, Or


@dataclass(frozen=True)
class Clause:
    """One unit of the query a record meets or not."""

    words: str  # as typed: what `relaxed` reports
    query: Node | None  # the text part, with derivational families
    fuzzy: Node | None = None  # the text part with typos tolerated (None: no typo retry)
    named: tuple[Named, ...] = ()
    optional: bool = False
    relaxable: bool = True
    marks: frozenset[str] = frozenset()  # keys reported when a named value is met


@dataclass(frozen=True)
class Plan:
    clauses: tuple[Clause, ...] = ()
    excluded: Node | None = None

    @property
    def empty(self) -> bool:
        return not self.clauses and self.excluded is None


def _family(tokens: list[Token]) -> Node | None:
    """An OR of the family stems of a one-word item (None when the word has no family)."""
    if len(tokens) != 1 or tokens[0][1] is None:
        return None
    stem = tokens[0][1]
    others = [s for s in family_of(stem) if s != stem]
    return family_node(others) if others else None


def _text(items: list[Item], tokens: list[list[Token]]) -> tuple[Node | None, Node | None]:
    """(text query with families, typo-tolerant text query) for plain items."""
    parts: list[Node] = []
    for item, toks in zip(items, tokens, strict=True):
        q = text_node(UserQuery(groups=((item,),)))
        if q is None:
            continue
        extra = _family(toks)
        parts.append(Or((q, extra)) if extra is not None else q)
    if not parts:
        return None, None
    query = parts[0] if len(parts) == 1 else And(tuple(parts))
    groups = tuple((item,) for item in items)
    fuzzy = text_node(UserQuery(groups=groups), fuzzy=True)
    exact = text_node(UserQuery(groups=groups))
    return query, (fuzzy if fuzzy != exact else None)


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
        for start, end, named in found:
            items, toks = run[start:end], tokens[start:end]
            if named and end - start > 1:
                # « en projet »: a generic word inside a value's name is no text evidence.
                keep = [k for k, t in enumerate(toks) if not _is_optional(t)]
                query, fuzzy = _text([items[k] for k in keep], [toks[k] for k in keep])
            else:
                query, fuzzy = _text(items, toks)
            if query is None and not named:
                continue  # stop words only
            flat = [t for ts in toks for t in ts]
            # Words naming a value a record holds are met by that value: marked too.
            marks = frozenset(k for folded, stem in flat if stem is not None
                              for k in (stem, folded)) if named else frozenset()
            clauses.append(Clause(
                words=" ".join(item.text for item in items), query=query, fuzzy=fuzzy,
                named=tuple(named), optional=not named and _is_optional(flat), marks=marks))
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
            query = text_node(UserQuery(
                groups=covered, alternatives=(Alternative(0, len(covered), alt.items),)))
            if query is not None:
                words = " ".join(i.text for g in covered for i in g)
                # « Viêt Nam » / « Vietnam »: words naming a value still name it.
                toks = [t for g in covered for i in g for t in tokens_of(i.text)]
                named = (naming.named(toks) if naming is not None and is_join(covered, alt)
                         else [])
                marks = frozenset(k for folded, stem in toks if stem is not None
                                  for k in (stem, folded)) if named else frozenset()
                clauses.append(Clause(words=words, query=query, named=tuple(named),
                                      marks=marks))
            skip_to = alt.end
            continue
        if len(group) == 1 and not group[0].phrase:
            run.append(group[0])
            continue
        flush()
        query = text_node(UserQuery(groups=(group,)))
        if query is not None:
            words = " OR ".join(f'"{i.text}"' if i.phrase else i.text for i in group)
            phrase = all(i.phrase for i in group)
            clauses.append(Clause(words=words, query=query, relaxable=not phrase))
    flush()
    if clauses and all(c.optional for c in clauses):
        # Nothing else carries the meaning: the generic words are the query.
        clauses = [Clause(c.words, c.query, c.fuzzy, c.named, False, c.relaxable, c.marks)
                   for c in clauses]
    # Any excluded item drops a record: one OR group of them.
    excluded = text_node(UserQuery(groups=(uq.excluded,))) if uq.excluded else None
    return Plan(clauses=tuple(clauses), excluded=excluded)
