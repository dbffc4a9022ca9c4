"""Stage 7, match: a plan evaluated over one version, relaxed when too few records meet it.

Every required clause first; when fewer than `RELAX_BELOW` records meet them all, plain
words are dropped one at a time, the most frequent first (a person keeps the rare, specific
words), then words naming a theme, status or form; a place or an authority only when nothing
is found without dropping it. Records meeting more of the query's words rank above records
meeting fewer, those meeting them by a value they hold above mentions in the text, then by
score: a named value by what the record is about (main theme, sub-theme, implied theme),
adjacent query words side by side earning a bonus. The terms to highlight are those the
evaluated clauses reported meeting: one source.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from search_app.engine import fused
from search_app.engine.query.naming import Named
from search_app.engine.query.plan import Plan
from search_app.engine.query.tree import Node
from search_app.engine.relevance import (
    NAMED_BOOST,
    NAMED_FACET_WEIGHTS,
    OPTIONAL_WEIGHT,
    PROXIMITY_WEIGHT,
    RELAX_BELOW,
    VALUED_TEXT_WEIGHT,
    WIDER_WEIGHT,
)

# (node, terms met: filled in) -> (mask of matching documents, scores)
Evaluate = Callable[[Node, set[str] | None], tuple[np.ndarray, np.ndarray]]


@dataclass
class Match:
    """What a plan matched in one version."""

    mask: np.ndarray  # live records in the answer
    scores: np.ndarray  # text and named-value scores
    tier: np.ndarray  # required clauses met (most significant), then how many by value
    relaxed: list[str]  # words some answered records do not meet, in the order dropped
    lacking: list[np.ndarray]  # for each of `relaxed`, the answered records without it
    all_words: np.ndarray  # answered records meeting every required clause
    fuzzy: bool
    named: list[tuple[Named, str]]  # values the query names, with the words naming them
    terms: set[str]  # index keys the clauses met (stems, names, typo words): for highlights


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def match_plan(plan: Plan, evaluate: Evaluate, value_mask: Callable[[Named], np.ndarray],
               alive: np.ndarray, strict: bool,
               docs_of: Callable[[Node], np.ndarray] | None = None) -> Match:
    """Evaluate `plan`: `evaluate(node, terms) -> (mask, scores)`, `value_mask(named) -> mask`,
    both masks of live documents only; `docs_of(node)`, the live documents matching an
    unscored node (the adjacent pairs), ascending, else taken from `evaluate`'s mask.

    `strict` requires every clause, optional ones included (`match=all`)."""
    size = alive.size
    n = max(np.count_nonzero(alive), 1)
    masks: list[np.ndarray] = []
    by_value: list[np.ndarray] = []  # met through a named facet value
    scores = np.zeros(size, dtype=np.float32)
    fuzzy = False
    terms: set[str] = set()
    texts: list[np.ndarray] = []  # each clause's text score
    nothing = np.zeros(size, dtype=bool)  # shared, never written: a clause naming no value
    for clause in plan.clauses:
        mask = nothing
        text = None  # no words: no text score
        if clause.query is not None:
            m, s = evaluate(clause.query, terms)
            if clause.fuzzy is not None and not m.any():
                m, s = evaluate(clause.fuzzy, terms)
                fuzzy = fuzzy or bool(m.any())
            mask = m  # a fresh array: the evaluation's own
            # A node's scores are 0 where it does not match.
            text = (s * np.float32(OPTIONAL_WEIGHT) if clause.optional else s).astype(
                np.float32, copy=False)
        holders = [(value_mask(named) & alive, named) for named in clause.named]
        valued = nothing
        if holders:
            valued = np.zeros(size, dtype=bool)
        for m, _ in holders:
            valued |= m
        if valued is nothing or not valued.any():
            if text is not None:
                scores += text
        else:
            value = np.zeros(size, dtype=np.float32)
            # What the record is about, by the best value it holds: the main theme named
            # outweighs a named sub-theme, which outweighs a theme only implied by it.
            for m, named in holders:
                weight = (WIDER_WEIGHT if named in clause.wider
                          else NAMED_FACET_WEIGHTS.get(named[0], 1.0))
                best = np.float32(NAMED_BOOST * weight * _idf(n, max(np.count_nonzero(m), 1)))
                fused.raise_where(value, m, best)
            terms |= clause.marks
            # A record holding the named value scores by it, not by how often its text
            # repeats the words (« Afrique » in « Afrique du Sud » is no more African).
            if text is None:
                scores += value
            else:
                fused.add_clause(scores, valued, value, text, np.float32(VALUED_TEXT_WEIGHT))
        texts.append(np.zeros(size, dtype=np.float32) if text is None else text)
        # Both are live documents only (`evaluate` and `value_mask` say so): no `& alive`.
        masks.append(mask if valued is nothing else mask | valued)
        by_value.append(valued)
    for i, j, pair in plan.pairs:
        # Adjacent query words adjacent in the record: a share of their scores as a bonus.
        # Summed at the pair's documents only (a few), not over the whole index.
        at = docs_of(pair) if docs_of is not None else np.flatnonzero(evaluate(pair, None)[0])
        fused.add_pair(scores, at, texts[i], texts[j], np.float32(PROXIMITY_WEIGHT))

    base = alive
    if plan.excluded is not None:
        drop, _ = evaluate(plan.excluded, None)
        base = alive & ~drop
    required = [i for i, c in enumerate(plan.clauses) if strict or not c.optional]
    mask = base.copy()
    for i in required:
        mask &= masks[i]
    all_words = mask  # `mask` is only ever replaced below, never changed in place
    dropped: list[int] = []
    if not strict and len(required) > 1 and np.count_nonzero(mask) < RELAX_BELOW:
        # Plain words first (those meeting nothing, then the most frequent), words naming a
        # theme, status or form last; places, authorities and phrases stay (below); one
        # required clause always stays.
        counts = {i: np.count_nonzero(masks[i]) for i in required}
        order = sorted((i for i in required if plan.clauses[i].relaxable),
                       key=lambda i: (bool(plan.clauses[i].named), counts[i] > 0, -counts[i], i))
        kept = list(required)
        # A place or an authority goes only when, everything else dropped, nothing is found.
        last = sorted((i for i in required if not plan.clauses[i].relaxable
                       and plan.clauses[i].named), key=lambda i: (-counts[i], i))
        for i in order + last:
            if len(kept) == 1 or np.count_nonzero(mask) >= RELAX_BELOW:
                break
            if i in last and mask.any():
                break
            kept.remove(i)
            dropped.append(i)
            mask = base.copy()
            for k in kept:
                mask &= masks[k]
    # Records meeting more required clauses first; among equals, those meeting more of them
    # through a named value (the record's country, theme...) rather than a mention in its text.
    tier = np.zeros(size, dtype=np.int32)
    step = np.int32(len(required) + 1)
    for i in required:
        fused.add_tier(tier, masks[i], step)
        if by_value[i] is not nothing:
            fused.add_tier(tier, by_value[i], 1)
    optional = [i for i, c in enumerate(plan.clauses) if i not in required]
    lacking = [(plan.clauses[i].words, mask & ~masks[i]) for i in optional + dropped]
    lacking = [(words, m) for words, m in lacking if m.any()]
    named = [(v, c.words) for c in plan.clauses for v in c.named]
    # `scores` is this call's own: zeroed outside the answer in place.
    return Match(mask, fused.keep_where(scores, mask), tier,
                 [words for words, _ in lacking], [m for _, m in lacking], all_words & mask,
                 fuzzy, named, terms)
