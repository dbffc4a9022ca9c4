"""A flat copy of the scored fields' posting lists, written beside each whoosh index version.

whoosh keeps postings as pickled blocks; unpickling them is most of the cost of a query that
needs every matching document (facet counts do). At build time each term's documents and
frequencies are copied once into flat arrays, which the server reads by position: a posting
list is then a slice, its documents in ascending order (whoosh's; a build and every change
keep it, and searches rely on it). Where the files live is `version.Layout.postings`'s
business.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

from .shift import Shift, rewrite_docs, splice


@dataclass(frozen=True)
class PostingsFiles:
    terms: Path    # JSON list of the field's terms, sorted
    arrays: Path   # npz: offsets per term, length per document
    docs: Path     # npy: docnums (int32)
    tf: Path       # npy: term frequencies (float32)


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


# whoosh 2.7.4 (pinned) keeps each document's field length as one byte in a column;
# reading the column whole is ~1000x faster than a doc_field_length call per document.
_BYTE_TO_LENGTH = np.asarray([byte_to_length(b) for b in range(256)], dtype=np.float32)


def field_lengths(reader, field: str, size: int) -> np.ndarray:
    """The field's length in every document (as whoosh's BM25F reads it), by docnum."""
    lengths = np.zeros(size, dtype=np.float32)
    for leaf, offset in reader.leaf_readers():
        column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:
            continue
        codes = np.fromiter(column, dtype=np.uint8, count=leaf.doc_count_all())
        lengths[offset:offset + codes.size] = _BYTE_TO_LENGTH[codes]
    return lengths


def export(reader, fields: Iterable[str], files_of: Callable[[str], PostingsFiles]) -> None:
    """Write the flat postings and per-document lengths of the scored fields, as read back
    from whoosh. Builds and changes write them from their own arrays; this independent
    reading is what the tests compare those with (tests/index/test_build.py, test_changes.py).

    Deleted documents (an update replaces a record by deleting it) are left out, lengths
    included: document frequencies and average lengths, hence scores, are those of a fresh
    build of the same records."""
    size = reader.doc_count_all()
    alive = np.fromiter((not reader.is_deleted(n) for n in range(size)), dtype=bool, count=size)
    for field in fields:
        out = files_of(field)
        terms = [t.decode("utf-8") for t in reader.lexicon(field)] \
            if field in reader.indexed_field_names() else []
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        docs: list[np.ndarray] = []
        freqs: list[np.ndarray] = []
        for i, term in enumerate(terms):
            d, w = read_postings(reader, field, term)
            keep = alive[d]
            d, w = d[keep], w[keep]
            docs.append(d)
            freqs.append(w)
            offsets[i + 1] = offsets[i] + d.size
        lengths = field_lengths(reader, field, size)
        lengths[~alive] = 0
        save(out, terms, offsets, lengths,
              np.concatenate(docs) if docs else np.empty(0, np.int32),
              np.concatenate(freqs) if freqs else np.empty(0, np.float32))


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
    """One field's exported postings: term offsets in memory, slices read by position."""

    def __init__(self, files: PostingsFiles) -> None:
        terms = json.loads(files.terms.read_text(encoding="utf-8"))
        self.index = {t: i for i, t in enumerate(terms)}
        self._sorted: list[str] | None = None
        with np.load(files.arrays) as data:
            self.offsets = data["offsets"]
            self.lengths = data["lengths"]
        self.docs = SliceReader(files.docs)
        self.tf = SliceReader(files.tf)

    def get(self, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        i = self.index.get(text)
        if i is None:
            return None
        start, end = self.offsets[i], self.offsets[i + 1]
        return self.docs[start:end], self.tf[start:end]

    def with_prefix(self, prefix: str) -> list[str]:
        """The terms starting with `prefix` (the terms file is sorted)."""
        if self._sorted is None:
            self._sorted = list(self.index)
        terms = self._sorted
        start = bisect_left(terms, prefix)
        end = start
        while end < len(terms) and terms[end].startswith(prefix):
            end += 1
        return terms[start:end]

    def close(self) -> None:
        self.docs.close()
        self.tf.close()


def save(out: PostingsFiles, terms: list[str], offsets: np.ndarray, lengths: np.ndarray,
          docs: np.ndarray, tf: np.ndarray) -> None:
    np.save(out.docs, docs.astype(np.int32, copy=False))
    np.save(out.tf, tf.astype(np.float32, copy=False))
    _save_index(out, terms, offsets, lengths)


class NpyWriter:
    """A one-dimensional .npy file of a known length written piece by piece: the bytes
    `np.save` writes for the whole array, without holding it."""

    def __init__(self, path: Path, dtype, size: int) -> None:
        self.dtype = np.dtype(dtype)
        self.size = size
        self.written = 0
        self.fh = path.open("wb")
        np.lib.format.write_array_header_1_0(self.fh, {
            "descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False,
            "shape": (size,)})

    def write(self, values: np.ndarray) -> None:
        values = np.ascontiguousarray(values, dtype=self.dtype)
        self.fh.write(values.data)
        self.written += values.size

    def close(self) -> None:
        self.fh.close()
        if self.written != self.size:
            raise ValueError(f"{self.fh.name}: {self.written} values written, {self.size} "
                             f"announced")

    def __enter__(self) -> NpyWriter:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            self.close()
        else:
            self.fh.close()


class Writer:
    """A field's flat postings written a few terms at a time, in term order (`add`): the
    files `save` writes, without holding the field's posting arrays."""

    def __init__(self, out: PostingsFiles, terms: list[str], offsets: np.ndarray,
                 lengths: np.ndarray) -> None:
        self.out, self.terms, self.offsets, self.lengths = out, terms, offsets, lengths
        size = int(offsets[-1])
        self.docs = NpyWriter(out.docs, np.int32, size)
        self.tf = NpyWriter(out.tf, np.float32, size)

    def add(self, docs: np.ndarray, tf: np.ndarray) -> None:
        self.docs.write(docs)
        self.tf.write(tf)

    def close(self) -> None:
        self.docs.close()
        self.tf.close()
        _save_index(self.out, self.terms, self.offsets, self.lengths)

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            self.close()
        else:
            self.docs.fh.close()
            self.tf.fh.close()


def _save_index(out: PostingsFiles, terms: list[str], offsets: np.ndarray,
                lengths: np.ndarray) -> None:
    """The terms, their offsets into the posting arrays and the document lengths."""
    with out.arrays.open("wb") as fh:
        np.savez(fh, offsets=offsets, lengths=lengths)
    out.terms.write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")


def carry_over(old: PostingsFiles, old_to_new: np.ndarray, size: int,
               fresh: dict[int, list[str]], boost: float, out: PostingsFiles) -> None:
    """An updated field's flat postings without re-reading whoosh: the earlier version's
    postings of the documents that stay, renumbered (`old_to_new`, -1 for a document
    replaced or removed), plus `fresh` documents' terms (docnum -> terms in order).

    Weights and lengths are those whoosh writes (frequency x field boost; the length as its
    one-byte code decodes), so the result equals `export` of the same whoosh index."""
    terms = json.loads(old.terms.read_text(encoding="utf-8"))
    with np.load(old.arrays) as data:
        offsets, old_lengths = data["offsets"], data["lengths"]
    term_of = np.repeat(np.arange(len(terms), dtype=np.int64), np.diff(offsets))
    docs = old_to_new[np.load(old.docs)]
    keep = docs >= 0
    term_of, docs, tf = term_of[keep], docs[keep], np.load(old.tf)[keep]
    lengths = np.zeros(size, dtype=np.float32)
    moved = old_to_new >= 0
    lengths[old_to_new[moved]] = old_lengths[: old_to_new.size][moved]

    _fresh_lengths(lengths, fresh)
    index = {t: i for i, t in enumerate(terms)}
    fresh_terms, new_docs, new_tf = _fresh_postings(fresh, boost)
    new_terms = [index.setdefault(word, len(index)) for word in fresh_terms]
    names = sorted(index)  # whoosh's lexicon order: sorted terms
    rank = np.empty(len(index), dtype=np.int64)
    rank[[index[t] for t in names]] = np.arange(len(names))
    all_terms = rank[np.concatenate([term_of, np.asarray(new_terms, dtype=np.int64)])]
    all_docs = np.concatenate([docs, new_docs.astype(np.int64)])
    all_tf = np.concatenate([tf, new_tf])
    order = np.lexsort((all_docs, all_terms))
    counts = np.bincount(all_terms, minlength=len(names))
    present = counts > 0  # a term whose documents all went is no longer in the lexicon
    out_offsets = np.zeros(int(present.sum()) + 1, dtype=np.int64)
    out_offsets[1:] = np.cumsum(counts[present])
    save(out, [t for t, p in zip(names, present, strict=True) if p], out_offsets, lengths,
          all_docs[order], all_tf[order])


def _fresh_lengths(lengths: np.ndarray, fresh: dict[int, list[str]]) -> None:
    """New documents' lengths as whoosh stores them (a one-byte code, decoded)."""
    for docnum, words in fresh.items():
        lengths[docnum] = byte_to_length(length_to_byte(len(words)))


def _fresh_postings(fresh: dict[int, list[str]], boost: float
                    ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(term, docnum, weight) of new documents' terms, sorted by term then docnum, as
    parallel term list and arrays; weights as whoosh writes them (frequency x boost)."""
    rows = []
    for docnum, words in fresh.items():
        rows.extend((word, docnum, n * boost) for word, n in Counter(words).items())
    rows.sort()
    return ([r[0] for r in rows], np.asarray([r[1] for r in rows], dtype=np.int32),
            np.asarray([r[2] for r in rows], dtype=np.float32))


def append(old: PostingsFiles, shift: Shift, fresh: dict[int, list[str]], boost: float,
           out: PostingsFiles) -> None:
    """An updated field's flat postings when whoosh kept the numbers of the documents
    before `shift.kept` (see shift.py): the earlier version's postings minus those of the
    dead documents, the moved ones renumbered, plus `fresh` documents' terms (docnum ->
    terms in order), numbered after every kept document and before every moved one.

    Within a term's list, a new posting goes before the moved ones (at its end when none
    moved); new terms go in sorted order: each array is copied once, with no sort. The
    result is what `carry_over` gives for the same documents, hence what `export` reads."""
    terms = json.loads(old.terms.read_text(encoding="utf-8"))
    with np.load(old.arrays) as data:
        offsets, old_lengths = data["offsets"], data["lengths"]
    docs = np.load(old.docs, mmap_mode="r")
    drop, tail = shift.plan(docs)
    lengths = shift.carry(old_lengths, 0)
    _fresh_lengths(lengths, fresh)

    new_terms, new_docs, new_tf = _fresh_postings(fresh, boost)
    # Each term's moved postings (dead ones too) end its list.
    moved_start = offsets[1:] - np.diff(np.searchsorted(tail, offsets))
    if shift.dead.any() and tail.size:
        moved_start -= np.diff(np.searchsorted(
            drop[docs[drop] >= shift.kept], offsets))
    at = np.empty(len(new_terms), dtype=np.int64)
    for i, term in enumerate(new_terms):
        j = bisect_right(terms, term)
        # before the first posting of the next term, or the first moved one of its own
        at[i] = moved_start[j - 1] if j and terms[j - 1] == term else offsets[j]
    splice(docs, drop, at, new_docs, out.docs)
    splice(np.load(old.tf, mmap_mode="r"), drop, at, new_tf, out.tf)
    rewrite_docs(shift, docs, tail, drop, at, out.docs)

    added = Counter(new_terms)
    names = sorted(set(terms).union(added))
    dropped = np.diff(np.searchsorted(drop, offsets))
    kept = dict(zip(terms, (np.diff(offsets) - dropped).tolist(), strict=True))
    counts = {t: kept.get(t, 0) + added.get(t, 0) for t in names}
    listed = [t for t in names if counts[t]]  # not a term whose documents all went
    out_offsets = np.zeros(len(listed) + 1, dtype=np.int64)
    out_offsets[1:] = np.cumsum([counts[t] for t in listed])
    _save_index(out, listed, out_offsets, lengths)
