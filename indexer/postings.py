"""A flat copy of the scored fields' posting lists, written beside each whoosh index version.

whoosh keeps postings as pickled blocks; unpickling them is most of the cost of a query that
needs every matching document (facet counts do). At build time each term's documents and
frequencies are copied once into flat arrays, which the server memory-maps: a posting list
is then a slice.

    postings-<field>.json       the field's terms, sorted
    postings-<field>.npz        offsets (per term) and lengths (per doc)
    postings-<field>.docs.npy   docnums (int32), memory-mapped
    postings-<field>.tf.npy     term frequencies (float32), memory-mapped
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from whoosh.reading import TermNotFound

SCORED_FIELDS = ("title", "body", "themes", "names")


def _read_leaf(matcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    if type(matcher).__name__ == "FilterMatcher":  # deleted docs: dropped by the live mask
        matcher = matcher.child
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        # whoosh 2.7.4's W3LeafMatcher (pinned): whole blocks instead of single postings
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


def read_postings(reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:
    """(docnums, weights) of a term across every segment of a whoosh reader."""
    ids: list[int] = []
    weights: list[float] = []
    for leaf, offset in reader.leaf_readers():
        try:
            matcher = leaf.postings(field, text)
        except TermNotFound:
            continue
        leaf_ids, leaf_weights = _read_leaf(matcher)
        ids.extend(i + offset for i in leaf_ids)
        weights.extend(leaf_weights)
    return np.asarray(ids, dtype=np.int32), np.asarray(weights, dtype=np.float32)


def export(reader, version: Path) -> None:
    """Write the flat postings and per-document lengths of the scored fields."""
    size = reader.doc_count_all()
    for field in SCORED_FIELDS:
        if field not in reader.schema:
            continue
        terms = [t.decode("utf-8") for t in reader.lexicon(field)] \
            if field in reader.indexed_field_names() else []
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        docs: list[np.ndarray] = []
        freqs: list[np.ndarray] = []
        for i, term in enumerate(terms):
            d, w = read_postings(reader, field, term)
            docs.append(d)
            freqs.append(w)
            offsets[i + 1] = offsets[i] + d.size
        lengths = np.fromiter((reader.doc_field_length(n, field, 0) or 0 for n in range(size)),
                              dtype=np.float32, count=size)
        np.savez(version / f"postings-{field}.npz", offsets=offsets, lengths=lengths)
        np.save(version / f"postings-{field}.docs.npy",
                np.concatenate(docs) if docs else np.empty(0, np.int32))
        np.save(version / f"postings-{field}.tf.npy",
                np.concatenate(freqs) if freqs else np.empty(0, np.float32))
        (version / f"postings-{field}.json").write_text(json.dumps(terms, ensure_ascii=False),
                                                        encoding="utf-8")


class SliceReader:
    """Slices of a .npy array read from the file on demand (positional reads, no mmap):
    the server's resident memory stays the same however many terms it has looked up."""

    def __init__(self, path: Path) -> None:
        array = np.load(path, mmap_mode="r")  # reads the header only
        self.dtype = array.dtype
        self.offset = array.offset
        self.size = array.shape[0]
        del array
        self.fd = os.open(path, os.O_RDONLY)

    def __getitem__(self, span: slice) -> np.ndarray:
        start, stop, _ = span.indices(self.size)
        count = max(0, stop - start)
        data = os.pread(self.fd, count * self.dtype.itemsize,
                        self.offset + start * self.dtype.itemsize)
        return np.frombuffer(data, dtype=self.dtype, count=count)

    def close(self) -> None:
        os.close(self.fd)


class FlatPostings:
    """One field's exported postings, memory-mapped."""

    def __init__(self, version: Path, field: str) -> None:
        terms = json.loads((version / f"postings-{field}.json").read_text(encoding="utf-8"))
        self.index = {t: i for i, t in enumerate(terms)}
        with np.load(version / f"postings-{field}.npz") as data:
            self.offsets = data["offsets"]
            self.lengths = data["lengths"]
        self.docs = SliceReader(version / f"postings-{field}.docs.npy")
        self.tf = SliceReader(version / f"postings-{field}.tf.npy")

    def get(self, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        i = self.index.get(text)
        if i is None:
            return None
        start, end = self.offsets[i], self.offsets[i + 1]
        return self.docs[start:end], self.tf[start:end]

    def close(self) -> None:
        self.docs.close()
        self.tf.close()

    @classmethod
    def load_all(cls, version: Path) -> dict[str, FlatPostings]:
        return {f: cls(version, f) for f in SCORED_FIELDS
                if (version / f"postings-{f}.npz").is_file()}
