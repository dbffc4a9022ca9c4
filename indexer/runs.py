"""Sorted runs: a build's postings and word pairs held in bounded memory.

A build gathers every record's postings (term, document, frequency) and phrase pairs
(pair hash, document); held whole, they grow with the corpus (12 bytes each, tens of
millions at 120,000 records, and the final sort needs twice that). Instead they are
buffered batch by batch and, when the buffer reaches the build's budget, sorted and written
as one run: a temporary file in the folder of the version being written. At the end the
runs are merged, a slice of the key space at a time (a k-way merge: each run contributes
its sorted slice, and a stable sort of the slices, run after run, merges them), so the
writer holds at most one buffer or one slice of the output.

Runs cover consecutive documents, in order, and list each key's documents ascending: a
stable sort by key of run after run leaves each key's documents ascending, so the merged
arrays are those one sort of everything gives, whatever the runs' sizes.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def stable_order(keys: np.ndarray, size: int) -> np.ndarray:
    """`np.argsort(keys, kind="stable")` for integer keys in [0, size < 2**32): numpy sorts
    16-bit keys by radix, in linear time, and wider ones by timsort, five times slower at
    a build's millions of postings; so wider keys are sorted 16 bits at a time, low half
    first (each pass stable, so the result is too)."""
    if size <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    high = np.argsort((keys[low] >> 16).astype(np.uint16), kind="stable")
    return low[high]


WRITE_STEP = 1 << 20  # elements gathered at a time when a sorted run is written


def _libc():
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


_LIBC = _libc()


def release_memory() -> None:
    """Hand the heap's free pages back to the system (glibc's malloc_trim): a spill frees
    a buffer made of many small arrays, which the heap would otherwise keep."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


class Column:
    """One array of a run, `values[order]`: in memory (a build's only run, never written)
    or in a raw file, written and read back by slices (never gathered whole). `seen`, if
    given, is called with each gathered piece, in order."""

    def __init__(self, values: np.ndarray, order: np.ndarray, path: Path | None,
                 seen: Callable[[np.ndarray], None] | None = None) -> None:
        self.dtype = values.dtype
        self.size = order.size
        self.path = path
        self.data: np.ndarray | None = None
        if path is None:
            self.data = values[order]
            if seen is not None:
                seen(self.data)
            return
        with path.open("wb") as fh:
            for start in range(0, order.size, WRITE_STEP):
                piece = values[order[start:start + WRITE_STEP]]
                if seen is not None:
                    seen(piece)
                fh.write(piece.data)

    def read(self, start: int, stop: int) -> np.ndarray:
        if self.data is not None:
            return self.data[start:stop]
        with self.path.open("rb") as fh:
            return np.fromfile(fh, dtype=self.dtype, count=stop - start,
                               offset=start * self.dtype.itemsize)

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        self.data = None


def _path(stem: Path | None, suffix: str) -> Path | None:
    return None if stem is None else stem.with_name(f"{stem.name}.{suffix}")


def _drain(columns: tuple[list[np.ndarray], ...], i: int, dtype) -> np.ndarray:
    """The buffered pieces of column i joined, and let go of: a column's pieces and their
    join are held together, never the whole buffer twice."""
    joined = np.concatenate(columns[i]).astype(dtype, copy=False)
    columns[i].clear()
    return joined


def _gather(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype)


# ---------------------------------------------------------------- a field's postings


@dataclass
class TermRun:
    """One run of a field's postings: its terms (vocabulary ids) in text order, where each
    term's postings start (`starts`, one more than terms), documents and frequencies."""

    terms: np.ndarray   # int32 vocabulary ids, sorted by their text
    starts: np.ndarray  # int64
    docs: Column
    freqs: Column


class TermRuns:
    """A field's postings, batch by batch: `add` (vocabulary ids, documents, frequencies,
    documents ascending across calls), `spill` the buffer as a sorted run, `merge` them all
    in term order."""

    def __init__(self, name: str) -> None:
        self.name = name  # the field: runs' files are named after it
        self._columns: tuple[list[np.ndarray], ...] = ([], [], [])  # terms, docs, freqs
        self.runs: list[TermRun] = []
        self.buffered = 0  # postings in the buffer

    def add(self, terms: np.ndarray, docs: np.ndarray, freqs: np.ndarray) -> None:
        for column, values in zip(self._columns, (terms, docs, freqs), strict=True):
            column.append(values)
        self.buffered += terms.size

    def spill(self, texts: list[str], folder: Path | None) -> None:
        """Sort the buffer by term text (`texts[id]`), documents ascending within a term,
        into a run: a file in `folder`, or kept in memory when `folder` is None."""
        if not self.buffered:
            return
        self.buffered = 0
        terms, docs, freqs = (_drain(self._columns, i, np.int32) for i in range(3))
        counts = np.bincount(terms, minlength=len(texts))
        present = np.flatnonzero(counts).tolist()
        present.sort(key=texts.__getitem__)
        ids = np.asarray(present, dtype=np.int32)
        rank = np.zeros(len(texts), dtype=np.int32)
        rank[ids] = np.arange(ids.size, dtype=np.int32)
        order = stable_order(rank[terms], ids.size)
        del terms, rank
        starts = np.zeros(ids.size + 1, dtype=np.int64)
        starts[1:] = np.cumsum(counts[ids])
        stem = None if folder is None else folder / f"{self.name}-{len(self.runs)}"
        self.runs.append(TermRun(ids, starts, Column(docs, order, _path(stem, "docs")),
                                 Column(freqs, order, _path(stem, "freqs"))))
        del docs, freqs, order
        release_memory()

    def merge(self, texts: list[str], chunk: int, folder: Path | None = None
              ) -> tuple[list[str], np.ndarray, Iterator[tuple[int, int, np.ndarray, np.ndarray]]]:
        """The field's sorted terms, each one's start in the merged postings (one more than
        terms), and the merged postings a few terms at a time: (first term, end term, docs,
        freqs), about `chunk` postings each (a term is never cut). What is still buffered
        becomes a last run: in memory when it is the only one, else in `folder`."""
        self.spill(texts, folder if self.runs else None)
        # whoosh's lexicon order (UTF-8 bytes order = code points)
        by_text = sorted(range(len(texts)), key=texts.__getitem__)
        names = [texts[i] for i in by_text]
        rank = np.empty(len(texts), dtype=np.int64)
        rank[by_text] = np.arange(len(texts))
        counts = np.zeros(len(texts), dtype=np.int64)
        for run in self.runs:
            counts[rank[run.terms]] += np.diff(run.starts)
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(counts)
        return names, offsets, self._chunks(rank, offsets, max(1, chunk))

    def _chunks(self, rank: np.ndarray, offsets: np.ndarray, chunk: int
                ) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
        runs = [(rank[run.terms], run) for run in self.runs]
        size = offsets.size - 1
        first = 0
        while first < size:
            end = int(np.searchsorted(offsets, offsets[first] + chunk, side="right")) - 1
            end = min(size, max(end, first + 1))
            keys, docs, freqs = [], [], []
            for ranks, run in runs:
                a, b = np.searchsorted(ranks, (first, end))
                if a == b:
                    continue
                lo, hi = int(run.starts[a]), int(run.starts[b])
                keys.append(np.repeat(ranks[a:b] - first, np.diff(run.starts[a:b + 1])))
                docs.append(run.docs.read(lo, hi))
                freqs.append(run.freqs.read(lo, hi))
            doc_array, freq_array = _gather(docs, np.int32), _gather(freqs, np.int32)
            if len(docs) > 1 and end - first > 1:  # more than one run and one term: merge
                order = stable_order(np.concatenate(keys), end - first)
                doc_array, freq_array = doc_array[order], freq_array[order]
            yield first, end, doc_array, freq_array
            first = end
        self.close()

    def close(self) -> None:
        for run in self.runs:
            run.docs.remove()
            run.freqs.remove()
        self.runs = []
        self._columns, self.buffered = ([], [], []), 0


# ---------------------------------------------------------------- phrase pairs


SLICE_BITS = 12  # a pair run records where each of 4096 key ranges starts (hashes are uniform)
PAIR_SLICES = 1 << SLICE_BITS
_SLICE_EDGES = np.arange(1, PAIR_SLICES, dtype=np.uint64) << np.uint64(64 - SLICE_BITS)


@dataclass
class PairRun:
    cuts: np.ndarray  # int64, PAIR_SLICES + 1: where each key range starts
    keys: Column
    docs: Column


class PairRuns:
    """Phrase pairs (pair hash, document), batch by batch, documents ascending across
    calls; `merge` gives them sorted by hash, each hash's documents ascending."""

    def __init__(self) -> None:
        self._columns: tuple[list[np.ndarray], ...] = ([], [])  # keys, docs
        self.runs: list[PairRun] = []
        self.buffered = 0

    def add(self, keys: np.ndarray, docs: np.ndarray) -> None:
        if keys.size:
            self._columns[0].append(keys)
            self._columns[1].append(docs)
            self.buffered += keys.size

    def spill(self, folder: Path | None) -> None:
        if not self.buffered:
            return
        self.buffered = 0
        keys = _drain(self._columns, 0, np.uint64)
        docs = _drain(self._columns, 1, np.int32)
        order = np.argsort(keys, kind="stable")
        per_slice = np.zeros(PAIR_SLICES, dtype=np.int64)

        def count(piece: np.ndarray) -> None:  # keys per slice, a sorted piece at a time
            per_slice[:] += np.diff(np.searchsorted(piece, _SLICE_EDGES), prepend=0,
                                    append=piece.size)

        stem = None if folder is None else folder / f"pairs-{len(self.runs)}"
        key_column = Column(keys, order, _path(stem, "keys"), count)
        del keys
        cuts = np.zeros(PAIR_SLICES + 1, dtype=np.int64)
        cuts[1:] = np.cumsum(per_slice)
        self.runs.append(PairRun(cuts, key_column, Column(docs, order, _path(stem, "docs"))))
        release_memory()

    @property
    def size(self) -> int:
        return self.buffered + sum(run.keys.size for run in self.runs)

    def merge(self, chunk: int, folder: Path | None = None
              ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(keys, docs) sorted, a few key ranges at a time, about `chunk` pairs each. What
        is still buffered becomes a last run: in memory when it is the only one, else in
        `folder`."""
        self.spill(folder if self.runs else None)
        if len(self.runs) == 1 and self.runs[0].keys.data is not None:
            run = self.runs[0]  # all in memory, sorted already
            yield run.keys.read(0, run.keys.size), run.docs.read(0, run.docs.size)
            self.close()
            return
        per_slice = sum(np.diff(run.cuts) for run in self.runs) if self.runs else \
            np.zeros(PAIR_SLICES, dtype=np.int64)
        ends = np.cumsum(per_slice)
        first = 0
        while first < PAIR_SLICES:
            done = int(ends[first - 1]) if first else 0
            end = int(np.searchsorted(ends, done + max(1, chunk), side="right"))
            end = min(PAIR_SLICES, max(end, first + 1))
            keys = [run.keys.read(int(run.cuts[first]), int(run.cuts[end])) for run in self.runs]
            docs = [run.docs.read(int(run.cuts[first]), int(run.cuts[end])) for run in self.runs]
            key_array, doc_array = _gather(keys, np.uint64), _gather(docs, np.int32)
            if sum(1 for k in keys if k.size) > 1:
                order = np.argsort(key_array, kind="stable")  # timsort: merges the runs
                key_array, doc_array = key_array[order], doc_array[order]
            if key_array.size:
                yield key_array, doc_array
            first = end
        self.close()

    def close(self) -> None:
        for run in self.runs:
            run.keys.remove()
            run.docs.remove()
        self.runs = []
        self._columns, self.buffered = ([], []), 0
