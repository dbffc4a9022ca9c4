"""Adjacent word pairs of each record, so phrase queries are array lookups, not position scans.

whoosh checks a phrase by decoding the positions of every document holding all its words;
for a common phrase ("eau potable") that is most of a query's time. At build time each
field's token stream (the same tokens whoosh indexes, stop words removed and positions
renumbered, as whoosh's StopFilter does) gives its adjacent pairs, hashed to 64 bits; the
version stores the sorted (pair hash, docnum) list. A two-word phrase is then one lookup;
a longer one requires all its consecutive pairs.

    keys   sorted uint64 pair hashes, one per pair and document (`Layout.phrase_keys`)
    docs   the matching docnums (int32) (`Layout.phrase_docs`)

The server keeps one key in BLOCK in memory and reads the rest with positional reads, so
its resident memory does not grow with the pairs it has looked up (a memory map would keep
every page a binary search or the kernel's read-ahead touched).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice, repeat
from pathlib import Path

import numpy as np

from .postings import NpyWriter, SliceReader
from .record import Record
from .schema import ACCENTS_FIELD, record_terms
from .shift import Shift, rewrite_docs, splice

BLOCK = 512  # keys per in-memory sample: a lookup reads about 4 KB of keys per pair


@lru_cache(maxsize=1 << 18)  # the same pairs recur from record to record
def pair_key(field: str, first: str, second: str) -> int:
    data = f"{field}\x1f{first}\x1f{second}".encode()
    return (zlib.crc32(data) << 32) | zlib.crc32(data, 0x9E3779B9)


def record_pairs(record: Record, terms: dict[str, list[str]] | None = None) -> np.ndarray:
    """Distinct pair hashes of a record's phrase-searchable fields (`terms`: its terms as
    `record_terms` gives them, when the caller has them already)."""
    terms = record_terms(record) if terms is None else terms
    keys: set[int] = set()
    for field, stream in terms.items():
        if field == ACCENTS_FIELD:  # written forms: never searched as phrases
            continue
        # map over the stream and its shift: the pairs hashed in C, no Python frame each
        keys.update(map(pair_key, repeat(field), stream, islice(stream, 1, None)))
    return np.fromiter(keys, dtype=np.uint64, count=len(keys))


def write(keys_path: Path, docs_path: Path, docs: Iterable[tuple[int, np.ndarray]],
          carried: tuple[np.ndarray, np.ndarray] | None = None) -> None:
    """From (docnum, pair hashes) of documents, plus `carried` (keys, docnums) arrays."""
    keys, nums = [], []
    if carried is not None:
        keys.append(carried[0])
        nums.append(carried[1])
    for docnum, pairs in docs:
        keys.append(pairs)
        nums.append(np.full(pairs.size, docnum, dtype=np.int32))
    save(keys_path, docs_path,
         np.concatenate(keys) if keys else np.empty(0, np.uint64),
         np.concatenate(nums) if nums else np.empty(0, np.int32))


def save(keys_path: Path, docs_path: Path, keys: np.ndarray, docs: np.ndarray) -> None:
    """Pairs given as parallel (key, docnum) arrays, in any order, sorted and saved."""
    order = np.lexsort((docs, keys))
    np.save(keys_path, keys[order].astype(np.uint64, copy=False))
    np.save(docs_path, docs[order].astype(np.int32, copy=False))


def save_sorted(keys_path: Path, docs_path: Path, size: int,
                pieces: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
    """`size` pairs already sorted (by key, each key's docnums ascending), given as
    consecutive (keys, docnums) pieces: what `save` writes, never holding them all."""
    with NpyWriter(keys_path, np.uint64, size) as keys, \
            NpyWriter(docs_path, np.int32, size) as docs:
        for piece_keys, piece_docs in pieces:
            keys.write(piece_keys)
            docs.write(piece_docs)


def carry_over(keys_path: Path, docs_path: Path, old_to_new: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """An earlier version's pairs of the documents that stay, renumbered: `old_to_new` maps
    each old docnum to its new one, or -1 for a document replaced or removed."""
    old_keys, old_docs = np.load(keys_path), np.load(docs_path)
    new_docs = old_to_new[old_docs]
    keep = new_docs >= 0
    return old_keys[keep], new_docs[keep].astype(np.int32)


def append(keys_path: Path, docs_path: Path, shift: Shift,
           docs: Iterable[tuple[int, np.ndarray]], out_keys: Path, out_docs: Path) -> None:
    """An earlier version's pairs renumbered by `shift` (shift.py): the dead documents'
    dropped, the moved ones renumbered, plus (docnum, pair hashes) of the added documents.
    Within a key's documents, an added one goes after the kept ones and before the moved
    ones, so keys stay sorted and each key's docnums ascending: each array is copied once,
    with no sort."""
    keys = np.load(keys_path, mmap_mode="r")
    nums = np.load(docs_path, mmap_mode="r")
    drop, tail = shift.plan(nums)
    new_keys, new_docs = [np.empty(0, np.uint64)], [np.empty(0, np.int32)]
    for docnum, pairs in docs:
        new_keys.append(pairs)
        new_docs.append(np.full(pairs.size, docnum, dtype=np.int32))
    add_keys, add_docs = np.concatenate(new_keys), np.concatenate(new_docs)
    order = np.lexsort((add_docs, add_keys))
    add_keys, add_docs = add_keys[order], add_docs[order]
    if shift.moved.size:  # before the key's first document at or past `kept`
        lo = np.searchsorted(keys, add_keys, side="left")
        hi = np.searchsorted(keys, add_keys, side="right")
        at = np.asarray([a + int(np.searchsorted(nums[a:b], shift.kept))
                         for a, b in zip(lo.tolist(), hi.tolist(), strict=True)],
                        dtype=np.int64)
    else:
        at = np.searchsorted(keys, add_keys, side="right")
    splice(keys, drop, at, add_keys, out_keys)
    splice(nums, drop, at, add_docs, out_docs)
    rewrite_docs(shift, nums, tail, drop, at, out_docs)


class PhraseIndex:
    def __init__(self, keys_path: Path, docs_path: Path, block: int = BLOCK) -> None:
        self.block = block
        self.keys = SliceReader(keys_path)
        self.docs = SliceReader(docs_path)
        mapped = np.load(keys_path, mmap_mode="r")
        self.sample = np.array(mapped[::block])  # a copy; the mapping goes with `mapped`
        del mapped

    def span(self, key: int) -> tuple[int, int]:
        """[start, end) of `key` in the sorted keys: the sample, then the blocks around it."""
        k = np.uint64(key)
        left = int(np.searchsorted(self.sample, k, side="left"))
        right = int(np.searchsorted(self.sample, k, side="right"))
        # keys[(left-1)*block] < k <= keys[left*block] and keys[right*block] > k.
        lo = max(0, (left - 1) * self.block)
        hi = min(self.keys.size, right * self.block)
        chunk = self.keys[lo:hi]
        return (lo + int(np.searchsorted(chunk, k, side="left")),
                lo + int(np.searchsorted(chunk, k, side="right")))

    def docs_with(self, field: str, words: list[str]) -> np.ndarray:
        """Docnums whose field holds every consecutive pair of `words` (2+ words)."""
        found: np.ndarray | None = None
        for a, b in zip(words, words[1:], strict=False):
            start, end = self.span(pair_key(field, a, b))
            docs = self.docs[start:end]
            found = docs if found is None else np.intersect1d(found, docs, assume_unique=True)
            if not found.size:
                break
        return found if found is not None else np.empty(0, np.int32)

    def close(self) -> None:
        self.keys.close()
        self.docs.close()
