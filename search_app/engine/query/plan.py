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

from dataclasses import dataclass, replace

from indexer.wordlists import family_of, optional_words
from search_app.engine.query.build import family_node, text_node
from search_app.engine.query.naming import Named, NamingIndex, Token, spans, tokens_of
from search_app.engine.query.syntax import Alternative, Item, UserQuery
from search_app.engine.query.tree import And, Node, Or, Phrase
from search_app.engine.spelling import is_proper_name

# Facets whose named values the relaxation never drops (a theme, a status or a form named
# is dropped last, after every plain word).
KEPT_FACETS = frozenset({"country", "region", "french_partner"})


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
    # Named values only implied (a named sub-theme's theme): they weigh less.
    wider: frozenset[Named] = frozenset()


@dataclass(frozen=True)
class Plan:
    clauses: tuple[Clause, ...] = ()
    excluded: Node | None = None
    # Adjacent one-word clauses (their indexes) and the test that a record holds the words
    # side by side: such a record gets a bonus.
    pairs: tuple[tuple[int, int, Node], ...] = ()

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


def _unscored(node: Node) -> Node:
    """The same phrases, only tested (the bonus is computed from the clauses' scores)."""
    if isinstance(node, Phrase):
        return replace(node, scored=False, marks=())
    if isinstance(node, Or):
        return Or(tuple(_unscored(part) for part in node.parts))
    return node


def _named_by(naming: NamingIndex | None, texts: list[str]) -> list[Named]:
    """The values the first of `texts` naming any names (none without a naming index)."""
    for text in texts if naming is not None else []:
        found = naming.named(tokens_of(text))
        if found:
            return found
    return []


def _marks(tokens: list[Token]) -> frozenset[str]:
    return frozenset(k for folded, stem in tokens if stem is not None for k in (stem, folded))


def _is_optional(tokens: list[Token]) -> bool:
    words = optional_words()
    content = [folded for folded, stem in tokens if stem is not None]
    return bool(content) and all(folded in words for folded in content)


def plan_query(uq: UserQuery, naming: NamingIndex | None) -> Plan:
    """The clauses of a parsed query (pure: `naming` is the version's value names)."""
    clauses: list[Clause] = []
    run: list[Item] = []
    pairs: list[tuple[int, int, Node]] = []

    def flush() -> None:
        if not run:
            return
        previous: tuple[int, Item] | None = None  # the last one-word clause of this run
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
                if len(keep) > 1:
                    # A name of several words is one unit: in the text, only as a phrase
                    # (« Afrique du Sud » never meets « sud du Bénin, en Afrique »).
                    phrase = Item(" ".join(item.text for item in items), phrase=True)
                    query, fuzzy = text_node(UserQuery(groups=((phrase,),))), None
                else:
                    query, fuzzy = _text([items[k] for k in keep], [toks[k] for k in keep])
            else:
                query, fuzzy = _text(items, toks)
            if end - start == 1 and start in names:
                fuzzy = None  # a place name: no typo reading (`spelling.is_proper_name`)
            if query is None and not named:
                continue  # stop words only
            if end - start == 1 and not _is_optional(toks[0]):
                if previous is not None:
                    pair = text_node(UserQuery(groups=((
                        Item(f"{previous[1].text} {items[0].text}", phrase=True),),)))
                    if pair is not None:
                        pairs.append((previous[0], len(clauses), _unscored(pair)))
                previous = (len(clauses), items[0])
            else:
                previous = None
            flat = [t for ts in toks for t in ts]
            # Words naming a value a record holds are met by that value: marked too.
            marks = _marks(flat) if named else frozenset()
            wider = frozenset(naming.broader[n] for n in named
                              if naming is not None and n in naming.broader)
            clauses.append(Clause(
                words=" ".join(item.text for item in items), query=query, fuzzy=fuzzy,
                named=tuple(named), optional=not named and _is_optional(flat),
                # A place or an authority is what the question is about: never dropped.
                relaxable=not any(facet in KEPT_FACETS for facet, _ in named), marks=marks,
                wider=wider))
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
            words = " ".join(i.text for g in covered for i in g)
            # « Union européenne » is also a region, « ESS » stands for a sub-theme: met by
            # the value as well.
            named = _named_by(naming, [words, *(item.text for item in alt.items)])
            if query is not None or named:
                clauses.append(Clause(
                    words=words, query=query, named=tuple(named),
                    relaxable=not any(facet in KEPT_FACETS for facet, _ in named),
                    marks=_marks(tokens_of(words)) if named else frozenset()))
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
        clauses = [replace(c, optional=False) for c in clauses]
    # Any excluded item drops a record: one OR group of them.
    excluded = text_node(UserQuery(groups=(uq.excluded,))) if uq.excluded else None
    return Plan(clauses=tuple(clauses), excluded=excluded, pairs=tuple(pairs))
