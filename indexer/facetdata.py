"""Per-document facet arrays, by whoosh document number (facets as `fields.FACETS` declares).

whoosh's own faceting (`groupedby`) costs seconds per query at Atlas scale, so the
build writes these arrays once and the server counts facets with numpy over the set
of matching documents.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .fields import BY_NAME, MULTI, SINGLE, YEAR
from .shift import Shift


@dataclass
class Vocabulary:
    values: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def add(self, value: str) -> int:
        if value not in self.index:
            self.index[value] = len(self.values)
            self.values.append(value)
        return self.index[value]


@dataclass
class _Rows:
    """Per-document facet arrays being filled, document by document (`add`)."""

    ids: list[str]
    alive: np.ndarray
    year: np.ndarray
    funding: np.ndarray
    end_day: np.ndarray
    titles: list[str]
    single: dict[str, np.ndarray]
    vocab: dict[str, Vocabulary]
    partners: dict[str, int]
    pairs: dict[str, tuple[array, array]] = field(  # (docnums, value ids), int32 each
        default_factory=lambda: {name: (array("i"), array("i")) for name in MULTI})

    @classmethod
    def empty(cls, size: int) -> _Rows:
        return cls([""] * size, np.zeros(size, dtype=bool), np.zeros(size, dtype=np.int32),
                   np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int32), [""] * size,
                   {name: np.full(size, -1, dtype=np.int32) for name in SINGLE},
                   {name: Vocabulary() for name in SINGLE + MULTI}, {})

    def grow(self, size: int) -> None:
        """Room for documents up to `size` (the arrays reallocated, the lists extended)."""
        more = size - len(self.ids)
        self.ids += [""] * more
        self.titles += [""] * more
        self.alive = _extended(self.alive, size, False)
        self.year = _extended(self.year, size, 0)
        self.funding = _extended(self.funding, size, 0)
        self.end_day = _extended(self.end_day, size, 0)
        self.single = {name: _extended(arr, size, -1) for name, arr in self.single.items()}

    def finish(self, size: int, names: dict[str, str]) -> FacetData:
        """The facet data of the first `size` documents."""
        multi = {name: (np.asarray(d, dtype=np.int32), np.asarray(v, dtype=np.int32))
                 for name, (d, v) in self.pairs.items()}
        return FacetData(self.ids[:size], self.alive[:size], self.year[:size],
                         self.funding[:size], self.end_day[:size],
                         {k: v[:size] for k, v in self.single.items()},
                         multi, {k: v.values for k, v in self.vocab.items()}, names,
                         self.titles[:size], self.partners)

    def add(self, docnum: int, rid: str, fv: dict[str, Any]) -> None:
        self.ids[docnum] = rid
        self.alive[docnum] = True
        self.year[docnum] = fv.get(YEAR.name) or 0
        self.funding[docnum] = fv.get("funding") or 0
        self.end_day[docnum] = fv.get("end_day") or 0
        self.titles[docnum] = fv.get("title") or ""
        for name in SINGLE:
            if fv.get(name):  # a list of at most one value
                self.single[name][docnum] = self.vocab[name].add(fv[name][0])
        for name in MULTI:
            for value in dict.fromkeys(fv.get(name) or []):
                self.pairs[name][0].append(docnum)
                self.pairs[name][1].append(self.vocab[name].add(value))
        for partner in fv.get("partners") or []:
            self.partners[partner] = self.partners.get(partner, 0) + 1


@dataclass
class FacetData:
    ids: list[str]
    alive: np.ndarray
    start_year: np.ndarray
    funding: np.ndarray
    end_day: np.ndarray  # each document's end date as a day number (0: unknown)
    single: dict[str, np.ndarray]
    multi: dict[str, tuple[np.ndarray, np.ndarray]]
    values: dict[str, list[str]]
    country_names: dict[str, str]
    titles: list[str]
    partners: dict[str, int]

    # Derived on first use, by (what, facet): value ranks and labels, funding weights.
    _derived: dict[tuple[str, str], Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def size(self) -> int:
        return len(self.ids)

    def funding_weights(self) -> np.ndarray:
        """Each document's funding as float64, the weights np.bincount sums (made once)."""
        weights = self._derived.get(("weights", ""))
        if weights is None:
            weights = self._derived["weights", ""] = self.funding.astype(np.float64)
        return weights

    def pair_funding(self, facet: str) -> np.ndarray:
        """The funding of the document of each (document, value) pair of a multi facet."""
        weights = self._derived.get(("weights", facet))
        if weights is None:
            weights = self._derived["weights", facet] = \
                self.funding_weights()[self.multi[facet][0]]
        return weights

    def pair_share(self, facet: str) -> np.ndarray:
        """Each (document, value) pair's share of its document's funding: the funding split
        equally among the document's values, in whole euros, the remainder going one euro
        each to its first values, so a document's shares add up to its funding exactly."""
        shares = self._derived.get(("share", facet))
        if shares is None:
            docs = self.multi[facet][0]
            per_doc = np.bincount(docs, minlength=self.size)
            n = per_doc[docs]
            funding = self.funding[docs]
            # Rank of each pair within its document (pairs of a document need not be adjacent).
            order = np.argsort(docs, kind="stable")
            starts = np.concatenate([[0], np.cumsum(per_doc)[:-1]])
            rank = np.empty(docs.size, dtype=np.int64)
            rank[order] = np.arange(docs.size) - starts[docs[order]]
            shares = funding // np.maximum(n, 1) + (rank < funding % np.maximum(n, 1))
            self._derived["share", facet] = shares = shares.astype(np.float64)
        return shares
    def value_sets(self, facet: str) -> tuple[np.ndarray, np.ndarray] | None:
        """For a multi facet of at most 64 values whose records share few value sets (the
        regions: one set per combination of countries): (each document's set number, -1 for
        none; a set x value 0/1 matrix), so counting is one bincount over the documents and a
        small product instead of a pass over every (document, value) pair. None otherwise."""
        key = ("sets", facet)
        if key not in self._derived:
            self._derived[key] = self._value_sets(facet)
        return self._derived[key]

    def _value_sets(self, facet: str) -> tuple[np.ndarray, np.ndarray] | None:
        n = len(self.values[facet])
        if facet not in self.multi or n > 64:
            return None
        docs, vals = self.multi[facet]
        bits = np.zeros(self.size, dtype=np.uint64)
        np.bitwise_or.at(bits, docs, np.left_shift(np.uint64(1), vals.astype(np.uint64)))
        sets, codes = np.unique(bits, return_inverse=True)
        if sets.size * 8 > self.size:
            return None  # as many sets as records: the pairs are as cheap
        matrix = ((sets[:, None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)).astype(
            np.float64)
        codes = codes.astype(np.int32).reshape(-1)
        return codes, matrix

    def labels(self, facet: str) -> list[str]:
        """Each value of a facet as shown (`Facet.display`: a country's French name)."""
        labels = self._derived.get(("labels", facet))
        if labels is None:
            display = BY_NAME[facet].display
            labels = self._derived["labels", facet] = [display(v) for v in self.values[facet]]
        return labels

    def alphabetical_rank(self, facet: str) -> np.ndarray:
        """Each value's position in sorted order (ties in a count are listed by name)."""
        rank = self._derived.get(("rank", facet))
        if rank is None:
            values = self.values[facet]
            rank = np.empty(len(values), dtype=np.int64)
            rank[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
            self._derived["rank", facet] = rank
        return rank

    @classmethod
    def build(cls, size: int, docs: Iterable[tuple[int, str, dict[str, Any]]]) -> FacetData:
        """From (docnum, id, facet_values) for every live document."""
        builder = FacetBuilder(size)
        for docnum, rid, fv in docs:
            builder.put(docnum, rid, fv)
        return builder.finish(size)

    def changed(self, shift: Shift, new: list[tuple[str, dict[str, Any]]],
                gone: Iterable[dict[str, Any]], changed: set[str],
                rows_of: Callable[[list[str]], dict[str, dict[str, Any]]]) -> FacetData:
        """This data renumbered by `shift` (shift.py), with its added documents' (id, facet
        values) `new`, in order; `gone` are the facet values of the records `changed`
        (replaced or removed), and `rows_of` reads current facet values by id.

        Equal to `build` over the same documents in the same numbering (values listed in
        the order they first appear; values no document holds any more dropped), but for
        the partners' order, which nothing reads."""
        start = shift.kept
        rows = _Rows(shift.carry_list(self.ids, ""), shift.carry(self.alive, False),
                     shift.carry(self.start_year, 0), shift.carry(self.funding, 0),
                     shift.carry(self.end_day, 0), shift.carry_list(self.titles, ""),
                     {name: shift.carry(arr, -1) for name, arr in self.single.items()},
                     {name: Vocabulary(list(values), {v: i for i, v in enumerate(values)})
                      for name, values in self.values.items()}, dict(self.partners))
        partners = rows.partners
        for fv in gone:
            for partner in fv.get("partners") or []:
                left = partners.get(partner, 0) - 1
                if left > 0:
                    partners[partner] = left
                else:
                    partners.pop(partner, None)
        for docnum, (rid, fv) in enumerate(new, start):
            rows.add(docnum, rid, fv)
        ids, single, vocab, added = rows.ids, rows.single, rows.vocab, rows.pairs
        values: dict[str, list[str]] = {}
        for name in SINGLE:
            single[name], values[name] = _in_order_seen(single[name], vocab[name].values)
        multi = {}
        for name in MULTI:
            docs, vals = self.multi[name]
            keep = ~shift.dead[docs]
            kept = keep & (docs < start)
            moved = keep & (docs >= start)
            docs = np.concatenate([docs[kept], np.asarray(added[name][0], dtype=np.int32),
                                   shift.renumber(docs[moved]).astype(np.int32)])
            vals, values[name] = _in_order_seen(
                np.concatenate([vals[kept], np.asarray(added[name][1], dtype=np.int32),
                                vals[moved]]), vocab[name].values)
            multi[name] = (docs, vals)
        names = self._country_names(multi["country"], values["country"], ids, changed,
                                    dict(new), rows_of)
        return FacetData(ids, rows.alive, rows.year, rows.funding, rows.end_day, single, multi,
                         values,
                         names, rows.titles, partners)

    def _country_names(self, pairs: tuple[np.ndarray, np.ndarray], codes: list[str],
                       ids: list[str], changed: set[str], new_rows: dict[str, dict[str, Any]],
                       rows_of: Callable[[list[str]], dict[str, dict[str, Any]]]
                       ) -> dict[str, str]:
        """Each code's name as the first document holding it writes it, as `build` takes
        it: read again only where that document is another one than before, or changed."""
        before = _first_holders(self.multi["country"], self.values["country"], self.ids)
        after = _first_holders(pairs, codes, ids)
        again = {code: rid for code, rid in after.items()
                 if rid != before.get(code) or rid in changed}
        rows = {rid: new_rows[rid] for rid in again.values() if rid in new_rows}
        rows.update(rows_of(sorted({rid for rid in again.values() if rid not in rows})))
        return {code: rows[again[code]]["country_names"][code] if code in again
                else self.country_names[code] for code in codes}

    def save(self, arrays_path: Path, values_path: Path) -> None:
        arrays = {"alive": self.alive, "start_year": self.start_year, "funding": self.funding,
                  "end_day": self.end_day}
        arrays.update({f"single_{k}": v for k, v in self.single.items()})
        for k, (d, v) in self.multi.items():
            arrays[f"multi_{k}_doc"], arrays[f"multi_{k}_val"] = d, v
        with arrays_path.open("wb") as fh:
            np.savez(fh, **arrays)
        extra = {"ids": self.ids, "values": self.values, "country_names": self.country_names,
                 "titles": self.titles, "partners": self.partners}
        values_path.write_text(json.dumps(extra, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, arrays_path: Path, values_path: Path) -> FacetData:
        """The saved arrays."""
        with np.load(arrays_path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        extra = json.loads(values_path.read_text(encoding="utf-8"))
        return cls(
            ids=extra["ids"],
            alive=arrays["alive"],
            start_year=arrays["start_year"],
            funding=arrays["funding"],
            end_day=arrays["end_day"],
            single={k: arrays[f"single_{k}"] for k in SINGLE},
            multi={k: (arrays[f"multi_{k}_doc"], arrays[f"multi_{k}_val"]) for k in MULTI},
            values=extra["values"],
            country_names=extra["country_names"],
            titles=extra["titles"],
            partners=extra["partners"],
        )


class FacetBuilder:
    """`FacetData.build`, fed as documents come: `add` numbers them from 0 in order (their
    count unknown until the end), so a build keeps compact columns, not every record's
    facet values."""

    def __init__(self, size: int = 0) -> None:
        self.rows = _Rows.empty(size)
        self.names: dict[str, str] = {}  # country code -> its name, as first written
        self.size = 0

    def put(self, docnum: int, rid: str, fv: dict[str, Any]) -> None:
        if docnum >= len(self.rows.ids):
            self.rows.grow(max(docnum + 1, 2 * len(self.rows.ids), 1024))
        self.rows.add(docnum, rid, fv)
        for code, written in (fv.get("country_names") or {}).items():
            self.names.setdefault(code, written)
        self.size = max(self.size, docnum + 1)

    def add(self, rid: str, fv: dict[str, Any]) -> None:
        self.put(self.size, rid, fv)

    def finish(self, size: int | None = None) -> FacetData:
        return self.rows.finish(self.size if size is None else size, self.names)


def _extended(values: np.ndarray, size: int, fill: Any) -> np.ndarray:
    out = np.full(size, fill, dtype=values.dtype)
    out[:values.size] = values
    return out


def _first_holders(pairs: tuple[np.ndarray, np.ndarray], values: list[str], ids: list[str]
                   ) -> dict[str, str]:
    """Each value's first document (its id), from (docnum, value) pairs in docnum order."""
    docs, vals = pairs
    seen, first = np.unique(vals, return_index=True)
    return {values[v]: ids[d] for v, d in zip(seen.tolist(), docs[first].tolist(),
                                              strict=True)}


def _in_order_seen(vals: np.ndarray, values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Value indices renumbered in the order they first occur in `vals` (-1: none), as
    `build` numbers them; values that no longer occur are dropped."""
    present = vals >= 0
    seen, first = np.unique(vals[present], return_index=True)
    order = seen[np.argsort(first, kind="stable")]
    renumber = np.full(len(values), -1, dtype=np.int32)
    renumber[order] = np.arange(order.size, dtype=np.int32)
    out = np.full(vals.shape, -1, dtype=np.int32)
    out[present] = renumber[vals[present]]
    return out, [values[i] for i in order.tolist()]
