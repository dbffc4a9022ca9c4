"""How an update or a delete numbers the documents, when whoosh merged no segment but the last.

whoosh numbers documents by segment, in order. A change that merges no segment keeps every
number: its new documents come after all the others, and those it replaces or removes are
only marked deleted. A change that merges the last segments (small ones, written by earlier
changes) keeps the numbers of the segments before them; the new segment holds the change's
documents first, then the merged segments' documents that stay, in their order. Either way,
the parts of the version (flat postings, phrase pairs, facet arrays) are the earlier
version's with a few documents masked out, a few added and a few renumbered, all of them
after every document that keeps its number: no sort is needed, only one pass over each part.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Shift:
    """Documents below `kept` keep their number unless `dead` (a mask over the earlier
    numbers: replaced or removed); the change's `added` documents follow, numbered from
    `kept` on; then the `moved` ones (earlier numbers, each at least `kept`, in order)."""

    dead: np.ndarray
    kept: int
    added: int
    moved: np.ndarray

    @property
    def size(self) -> int:
        """The document count of the new version (deleted ones included)."""
        return self.kept + self.added + self.moved.size

    @property
    def first_moved(self) -> int:
        return self.kept + self.added

    def renumber(self, docs: np.ndarray) -> np.ndarray:
        """New numbers of moved documents, from their earlier ones."""
        table = np.full(self.dead.size - self.kept, -1, dtype=np.int64)
        table[self.moved - self.kept] = np.arange(self.first_moved, self.size)
        return table[np.asarray(docs, dtype=np.int64) - self.kept]

    def carry(self, values: np.ndarray, fill: Any) -> np.ndarray:
        """A per-document array in the new numbering: the dead and the added get `fill`."""
        out = np.full(self.size, fill, dtype=values.dtype)
        out[: self.kept] = values[: self.kept]
        out[: self.kept][self.dead[: self.kept]] = fill
        out[self.first_moved:] = values[self.moved]
        return out

    def carry_list(self, values: list, fill: Any) -> list:
        out = values[: self.kept] + [fill] * self.added + [values[d] for d in self.moved.tolist()]
        for docnum in np.flatnonzero(self.dead[: self.kept]).tolist():
            out[docnum] = fill
        return out

    def plan(self, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For an array of earlier docnums (a posting list, pairs): the positions to drop
        (dead documents; deleted ones are never listed) and those of moved documents.
        Read a piece at a time (a memory map's pages let go of after each)."""
        drops, tails = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
        any_dead = bool(self.dead.any())
        for start in range(0, len(docs), PIECE):
            part = np.asarray(docs[start:start + PIECE])
            if any_dead:
                drops.append(np.flatnonzero(self.dead[part]) + start)
            if self.moved.size:
                tail = np.flatnonzero(part >= self.kept)
                tails.append(tail[~self.dead[part[tail]]] + start)
            release_pages(docs)
        return np.concatenate(drops), np.concatenate(tails)


def splice(src: np.ndarray, drop: np.ndarray, at: np.ndarray, values: np.ndarray,
           out: Path) -> None:
    """Write `src` as a .npy file without its elements at the sorted indices `drop` and
    with `values` inserted before the sorted indices `at` of `src` (as `np.insert` places
    them, equal indices in the order given), piece by piece: each element is copied once,
    straight from `src` (a memory map is read as it is written)."""
    fmt = np.lib.format
    header = {"descr": fmt.dtype_to_descr(src.dtype), "fortran_order": False,
              "shape": (src.size - drop.size + values.size,)}
    values = values.astype(src.dtype, copy=False)
    cuts = sorted({*drop.tolist(), *at.tolist()})
    dropped = set(drop.tolist())
    starts = np.searchsorted(at, cuts, side="left").tolist()
    ends = np.searchsorted(at, cuts, side="right").tolist()
    with out.open("wb") as fh:
        fmt.write_array_header_1_0(fh, header)
        pos = 0
        for cut, first, last in zip(cuts, starts, ends, strict=True):
            _copy(src, pos, cut, fh)
            fh.write(values[first:last])
            pos = cut + 1 if cut in dropped else cut
        _copy(src, pos, src.size, fh)
    release_pages(src)


PIECE = 1 << 22  # elements of a part read at a time


def _copy(src: np.ndarray, start: int, stop: int, fh) -> None:
    """src[start:stop] to a file, a piece at a time, a memory map's pages let go of after
    each: an update's pass over a whole part never holds the part."""
    for first in range(start, stop, PIECE):
        fh.write(np.ascontiguousarray(src[first:min(stop, first + PIECE)]).data)
        release_pages(src)


def release_pages(array: np.ndarray) -> None:
    """Drop the pages a read-only memory map of a part has in this process (they stay in
    the OS's file cache; a later read maps them again). Anything else: nothing to do."""
    mapped = getattr(array, "_mmap", None)
    if mapped is not None and getattr(array, "mode", None) == "r" \
            and hasattr(mapped, "madvise"):
        mapped.madvise(mmap.MADV_DONTNEED)


def spliced_positions(positions: np.ndarray, drop: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Where elements of `src` at `positions` (none of them dropped) are in `splice`'s
    output: fewer the drops before them, plus the insertions before or at them."""
    return (positions - np.searchsorted(drop, positions, side="left")
            + np.searchsorted(at, positions, side="right"))


def rewrite_docs(shift: Shift, src: np.ndarray, tail: np.ndarray, drop: np.ndarray,
                 at: np.ndarray, out: Path) -> None:
    """Give the moved documents of a spliced docnum array (`out`) their new numbers."""
    if not tail.size:
        return
    spliced = np.load(out, mmap_mode="r+")
    spliced[spliced_positions(tail, drop, at)] = shift.renumber(src[tail])
    spliced.flush()
    del spliced
