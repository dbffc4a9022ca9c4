"""Per-document facet arrays, by whoosh document number (facets as `fields.FACETS` declares).

whoosh's own faceting (`groupedby`) costs seconds per query at Atlas scale, so the
build writes these arrays once and the server counts facets with numpy over the set
of matching documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .fields import MULTI, SINGLE, YEAR


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
class FacetData:
    ids: list[str]
    alive: np.ndarray
    start_year: np.ndarray
    funding: np.ndarray
    single: dict[str, np.ndarray]
    multi: dict[str, tuple[np.ndarray, np.ndarray]]
    values: dict[str, list[str]]
    country_names: dict[str, str]
    titles: list[str]
    partners: dict[str, int]

    _ranks: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    @property
    def size(self) -> int:
        return len(self.ids)

    def alphabetical_rank(self, facet: str) -> np.ndarray:
        """Each value's position in sorted order (ties in a count are listed by name)."""
        rank = self._ranks.get(facet)
        if rank is None:
            values = self.values[facet]
            rank = np.empty(len(values), dtype=np.int64)
            rank[sorted(range(len(values)), key=values.__getitem__)] = np.arange(len(values))
            self._ranks[facet] = rank
        return rank

    @classmethod
    def build(cls, size: int, docs: Iterable[tuple[int, str, dict[str, Any]]]) -> FacetData:
        """From (docnum, id, facet_values) for every live document."""
        ids = [""] * size
        alive = np.zeros(size, dtype=bool)
        year = np.zeros(size, dtype=np.int32)
        funding = np.zeros(size, dtype=np.int64)
        vocab = {name: Vocabulary() for name in SINGLE + MULTI}
        single = {name: np.full(size, -1, dtype=np.int32) for name in SINGLE}
        pairs: dict[str, tuple[list[int], list[int]]] = {name: ([], []) for name in MULTI}
        names: dict[str, str] = {}
        titles = [""] * size
        partners: dict[str, int] = {}
        for docnum, rid, fv in docs:
            ids[docnum] = rid
            alive[docnum] = True
            year[docnum] = fv.get(YEAR.name) or 0
            funding[docnum] = fv.get("funding") or 0
            titles[docnum] = fv.get("title") or ""
            for name in SINGLE:
                if fv.get(name):  # a list of at most one value
                    single[name][docnum] = vocab[name].add(fv[name][0])
            for name in MULTI:
                for value in dict.fromkeys(fv.get(name) or []):
                    pairs[name][0].append(docnum)
                    pairs[name][1].append(vocab[name].add(value))
            for code, written in (fv.get("country_names") or {}).items():
                names.setdefault(code, written)
            for partner in fv.get("partners") or []:
                partners[partner] = partners.get(partner, 0) + 1
        multi = {
            name: (np.asarray(d, dtype=np.int32), np.asarray(v, dtype=np.int32))
            for name, (d, v) in pairs.items()
        }
        return cls(ids, alive, year, funding, single, multi,
                   {k: v.values for k, v in vocab.items()}, names, titles, partners)

    def save(self, arrays_path: Path, values_path: Path) -> None:
        arrays = {"alive": self.alive, "start_year": self.start_year, "funding": self.funding}
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
        with np.load(arrays_path) as npz:
            arrays = {k: npz[k] for k in npz.files}
        extra = json.loads(values_path.read_text(encoding="utf-8"))
        return cls(
            ids=extra["ids"],
            alive=arrays["alive"],
            start_year=arrays["start_year"],
            funding=arrays["funding"],
            single={k: arrays[f"single_{k}"] for k in SINGLE},
            multi={k: (arrays[f"multi_{k}_doc"], arrays[f"multi_{k}_val"]) for k in MULTI},
            values=extra["values"],
            country_names=extra["country_names"],
            titles=extra["titles"],
            partners=extra["partners"],
        )
