"""Every facet's disjunctive counts and funding sums in one compiled pass over the matches.

A matching document that fails no filter counts in every facet; one that fails exactly one
filter counts only in that filter's facet (each facet is counted under every filter but its
own); one that fails two or more counts nowhere. The numpy reference (`facets.numpy_tallies`)
makes one gather and one bincount per facet over a mask per facet; this makes a single pass,
compiled with numba. Without numba the numpy path answers alone.

The per-version inputs (`PassLayout`: the single facets' codes side by side, each multi
facet's values by document in CSR form, the funding weights, the year span) are made once per
version (`pass_layout`, kept with the facet data the version's handle holds).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields

import numpy as np

from indexer.facetdata import FacetData
from indexer.fields import FACETS, YEAR
from search_app.engine.compiled import AVAILABLE, kernel

SHARED = "country"  # the facet whose funding is also split among a document's values


@dataclass(frozen=True)
class PassLayout:
    """One version's facet arrays as the compiled pass reads them."""

    names: tuple[str, ...]  # FACETS' names, then the year
    multi: np.ndarray  # per facet: 1 if multi-valued
    slot: np.ndarray  # per facet: its row in `single` or in `offsets`
    base: np.ndarray  # per facet: where its values start in the output; last: the end
    single: np.ndarray  # (docs, single facets) value codes, -1 for none: a document's side by side
    offsets: np.ndarray  # (multi facets, docs + 1): a document's values in `values`
    values: np.ndarray  # every multi facet's value codes, by document, facet after facet
    years: np.ndarray
    first_year: int  # the year bucket 0 stands for
    weights: np.ndarray  # each document's funding, float64
    # The country facet's figures beyond counts and sums (`engine.figures`): each
    # (document, country) pair's share of the funding, aligned with `values`, and the
    # facet's position in `names` (-1: no such facet).
    shares: np.ndarray
    share_facet: int

    def slice(self, name: str, counts: np.ndarray, sums: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        i = self.names.index(name)
        lo, hi = self.base[i], self.base[i + 1]
        return counts[lo:hi], sums[lo:hi]


def build_layout(data: FacetData) -> PassLayout:
    names, multi, slot, base = [], [], [], [0]
    single_rows, offset_rows, value_parts, share_parts = [], [], [], []
    shift = 0
    for facet in FACETS:
        names.append(facet.name)
        _check_codes(facet.name, data)
        if facet.name in data.single:
            multi.append(0)
            slot.append(len(single_rows))
            single_rows.append(data.single[facet.name])
        else:
            docs, vals = data.multi[facet.name]
            order = np.argsort(docs, kind="stable")  # already by document; kept if not
            counts = np.bincount(docs, minlength=data.size)
            offsets = np.zeros(data.size + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            multi.append(1)
            slot.append(len(offset_rows))
            offset_rows.append(offsets + shift)
            value_parts.append(vals[order].astype(np.int32))
            share_parts.append(data.pair_share(facet.name)[order].astype(np.float64)
                               if facet.name == SHARED else np.zeros(len(vals)))
            shift += len(vals)
        base.append(base[-1] + len(data.values[facet.name]))
    years = data.start_year.astype(np.int32)
    known = years[years > 0]
    first, last = (int(known.min()), int(known.max())) if known.size else (0, -1)
    names.append(YEAR.name)
    multi.append(0)
    slot.append(-1)
    base.append(base[-1] + last - first + 1)
    return PassLayout(
        tuple(names), np.asarray(multi, dtype=np.int64), np.asarray(slot, dtype=np.int64),
        np.asarray(base, dtype=np.int64),
        np.ascontiguousarray(np.stack(single_rows, axis=1), dtype=np.int32) if single_rows
        else np.zeros((data.size, 0), dtype=np.int32),
        np.stack(offset_rows) if offset_rows else np.zeros((0, data.size + 1), dtype=np.int64),
        np.concatenate(value_parts) if value_parts else np.zeros(0, dtype=np.int32),
        years, first, data.funding_weights(),
        np.concatenate(share_parts) if share_parts else np.zeros(0),
        names.index(SHARED) if SHARED in names and SHARED not in data.single else -1)


def _check_codes(name: str, data: FacetData) -> None:
    """Refuses value codes outside the facet's values: the compiled pass adds at them
    without bounds checks, so a damaged version must stop here, not write outside."""
    codes = data.single[name] if name in data.single else data.multi[name][1]
    if codes.size and (int(codes.max()) >= len(data.values[name]) or int(codes.min()) < -1):
        raise ValueError(f"facet {name!r}: a value code out of range (a damaged version)")


def pass_layout(data: FacetData) -> PassLayout:
    """The version's layout, made on first use and kept with its facet data."""
    key = ("pass_layout", "")
    found = data._derived.get(key)
    if found is None:
        found = data._derived[key] = build_layout(data)
    return found


def _tally(docs, passed, own, multi, slot, base, single, offsets, values, years, first_year,
           weights, counts, sums, share_facet, pair_shares, shares, every_counts, every_sums,
           every_shares):  # pragma: no cover - compiled
    n_filters = passed.shape[0]
    n_facets = own.shape[0]
    year_facet = n_facets - 1
    for i in range(docs.shape[0]):
        d = docs[i]
        failed = 0
        which = -1
        for k in range(n_filters):
            if not passed[k, i]:
                failed += 1
                which = k
                if failed > 1:
                    break
        if failed > 1:
            continue
        w = weights[d]
        for f in range(n_facets):
            if failed == 1 and own[f] != which:
                continue  # counted only in the facet of the one filter it fails
            if f == year_facet:
                y = years[d]
                if y > 0:
                    b = base[f] + y - first_year
                    counts[b] += 1
                    sums[b] += w
            elif multi[f] == 0:
                code = single[d, slot[f]]
                if code >= 0:
                    b = base[f] + code
                    counts[b] += 1
                    sums[b] += w
            else:
                row = slot[f]
                for j in range(offsets[row, d], offsets[row, d + 1]):
                    b = base[f] + values[j]
                    counts[b] += 1
                    sums[b] += w
                    if f == share_facet:
                        v = values[j]
                        shares[v] += pair_shares[j]
                        if failed == 0:  # under every filter, its own too: the map's
                            every_counts[v] += 1
                            every_sums[v] += w
                            every_shares[v] += pair_shares[j]


def _kernel():  # noqa: ANN202 - a numba dispatcher
    """The compiled pass (`compiled.kernel`)."""
    return kernel(_tally)


@dataclass(frozen=True)
class Tallies:
    """What one pass counts (see `tally`)."""

    counts: np.ndarray  # every facet's values, then every year, laid out by `layout.base`
    sums: np.ndarray  # their funding
    shares: np.ndarray  # per country: the funding shares of what its facet counts
    # Per country, over the documents meeting every filter (the country's own too).
    every_counts: np.ndarray
    every_sums: np.ndarray
    every_shares: np.ndarray


# From this many matching documents the pass runs as two halves on two threads (the compiled
# kernel lets go of the interpreter), each into arrays of its own, then added: counts and
# funding (whole euros in float64) add up exactly the same.
SPLIT_AT = 40_000
_pool: list[ThreadPoolExecutor] = []


def _second_thread() -> ThreadPoolExecutor:
    if not _pool:
        _pool.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="facetpass"))
    return _pool[0]


def tally(layout: PassLayout, docs: np.ndarray, masks: dict[str, np.ndarray],
          split_at: int = SPLIT_AT) -> Tallies:
    """(counts, funding sums) of every facet's values, then of every year from
    `layout.first_year`, laid out by `layout.base`, over the documents `docs` (sorted) under
    `masks` (facet name -> mask of every document passing that facet's filter); and the
    country figures (`Tallies`), in the same pass."""
    docs = docs.astype(np.int64, copy=False)
    if docs.size < split_at or not AVAILABLE or (os.cpu_count() or 1) < 2:
        return _tally_part(layout, docs, masks)
    half = docs.size // 2
    other = _second_thread().submit(_tally_part, layout, docs[half:], masks)
    mine = _tally_part(layout, docs[:half], masks)
    theirs = other.result()
    return Tallies(*(getattr(mine, f.name) + getattr(theirs, f.name) for f in fields(Tallies)))


# Whole numbers in float64 add up exactly in any order below this (each sum stays below it).
EXACT_BELOW = 2**53


def tally_of(data: FacetData, base: np.ndarray, masks: dict[str, np.ndarray]) -> Tallies:
    """`tally` over the documents of mask `base`, live ones only (as a match's mask is).
    Without a filter, a `base` holding most live documents is counted as every live
    document's figures (`live_totals`, kept with the version) less those of the others:
    fewer documents read, the same numbers, as every figure is a whole number (counts,
    funding and its shares in whole euros, each sum below EXACT_BELOW: exact in float64
    whatever the order)."""
    layout = pass_layout(data)
    totals = None if masks else live_totals(data)
    if totals is not None and 2 * np.count_nonzero(base) > _live(data):
        rest = tally(layout, np.flatnonzero(data.alive & ~base), {})
        return Tallies(*(getattr(totals, f.name) - getattr(rest, f.name)
                         for f in fields(Tallies)))
    return tally(layout, np.flatnonzero(base), masks)


def _live(data: FacetData) -> int:
    key = ("live", "")
    if key not in data._derived:
        data._derived[key] = int(np.count_nonzero(data.alive))
    return data._derived[key]


def live_totals(data: FacetData) -> Tallies | None:
    """Every live document's figures, no filter (made once per version); None when its
    funding reaches EXACT_BELOW (its sums might round: then every search counts its own)."""
    key = ("live_totals", "")
    if key not in data._derived:
        funding = data.funding[data.alive]
        exact = funding.size == 0 or (int(funding.min()) >= 0
                                      and int(funding.sum()) < EXACT_BELOW)
        data._derived[key] = (tally(pass_layout(data), np.flatnonzero(data.alive), {})
                              if exact else None)
    return data._derived[key]


def _tally_part(layout: PassLayout, docs: np.ndarray, masks: dict[str, np.ndarray]
                ) -> Tallies:
    names = list(masks)
    passed = np.empty((len(names), docs.size), dtype=np.bool_)
    for k, name in enumerate(names):
        np.take(masks[name], docs, out=passed[k])
    own = np.asarray([names.index(n) if n in masks else -1 for n in layout.names],
                     dtype=np.int64)
    counts = np.zeros(int(layout.base[-1]), dtype=np.int64)
    sums = np.zeros(int(layout.base[-1]), dtype=np.float64)
    f = layout.share_facet
    n = int(layout.base[f + 1] - layout.base[f]) if f >= 0 else 0
    every = (np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n))
    _kernel()(docs, passed, own, layout.multi, layout.slot,
              layout.base, layout.single, layout.offsets, layout.values, layout.years,
              layout.first_year, layout.weights, counts, sums, f, layout.shares, *every)
    return Tallies(counts, sums, *every)


def warm(data: FacetData | None = None) -> None:
    """Compile the pass (or load it from numba's cache) and make `data`'s layout, so no
    request pays for either: at a version's opening and at the server's start."""
    if data is None:
        data = FacetData.build(1, [(0, "warm", {"funding": 1, "start_year": 2000})])
    layout = pass_layout(data)
    docs = np.zeros(1, dtype=np.int64)
    tally(layout, docs, {})
    tally(layout, docs, {"start_year": np.ones(data.size, dtype=bool)})
    tally(layout, docs, {}, split_at=1)  # the second thread, started here
    live_totals(data)
