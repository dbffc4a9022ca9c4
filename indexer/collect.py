"""Join prepared batches (`indexer.prepare`) into one version's parts, in docnum order.

Batches arrive in source order; document n of the version is the n-th record delivered.
Each batch's terms are renumbered into one vocabulary per field, so the whole version's
postings are a few arrays, sorted once at the end: the whoosh segment (`indexer.segment`)
and the flat postings the server reads (`indexer.postings`) are written from the same
arrays, and nothing is read back from disk.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from . import forms, lexicon, phrases, postings, segment
from .facetdata import FacetData
from .prepare import Batch
from .schema import build_schema
from .version import SCORED_FIELDS, Layout


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


class Collector:
    """Everything a fresh version holds, gathered batch by batch."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.facets: list[dict[str, Any]] = []
        self.words: Counter = Counter()
        self.written = forms.WrittenForms()
        self._vocab: dict[str, dict[str, int]] = {}
        self._parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
        self._lengths: dict[str, list[tuple[int, np.ndarray]]] = {}
        self._keys: list[np.ndarray] = []
        self._key_docs: list[np.ndarray] = []

    @property
    def size(self) -> int:
        return len(self.ids)

    def add(self, batch: Batch) -> None:
        base = self.size
        self.ids += batch.ids
        self.facets += batch.facets
        self.words.update(batch.words)
        self.written.add(batch.written)
        for name, counts in batch.fields.items():
            vocab = self._vocab.setdefault(name, {})
            to_global = np.fromiter((vocab.setdefault(t, len(vocab)) for t in counts.vocab),
                                    dtype=np.int32, count=len(counts.vocab))
            self._parts.setdefault(name, []).append(
                (to_global[counts.term], counts.doc + base, counts.freq))
            self._lengths.setdefault(name, []).append((base, counts.length))
        if batch.pair_keys.size:
            self._keys.append(batch.pair_keys)
            self._key_docs.append(batch.pair_docs + base)

    def field_postings(self, name: str) -> segment.FieldPostings:
        """One field's postings over the whole version: terms sorted, docs ascending."""
        vocab = self._vocab.get(name, {})
        parts = self._parts.get(name, [])
        lengths = np.zeros(self.size, dtype=np.int32)
        for base, part in self._lengths.get(name, []):
            lengths[base:base + part.size] = part
        if not parts:
            return segment.FieldPostings([], np.zeros(1, np.int64), np.empty(0, np.int32),
                                         np.empty(0, np.int32), lengths)
        terms = sorted(vocab)  # whoosh's lexicon order (UTF-8 bytes order = code points)
        rank = np.empty(len(vocab), dtype=np.int32)
        rank[np.fromiter((vocab[t] for t in terms), dtype=np.int64, count=len(terms))] = \
            np.arange(len(terms), dtype=np.int32)
        term = rank[np.concatenate([p[0] for p in parts])]
        docs = np.concatenate([p[1] for p in parts])
        freqs = np.concatenate([p[2] for p in parts])
        # Batches come in docnum order and list their documents in order: a stable sort by
        # term keeps each term's documents ascending.
        order = stable_order(term, len(terms))
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(term, minlength=len(terms)))
        return segment.FieldPostings(terms, offsets, docs[order], freqs[order], lengths)

    def write(self, layout: Layout, phases: dict[str, float] | None = None) -> None:
        """The version's whoosh index, flat postings, facet arrays, phrase pairs, spelling
        lexicon and written forms (the record store is written as batches arrive); the
        seconds each took go to `phases`."""
        phases = {} if phases is None else phases
        clock = time.perf_counter()

        def done(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            phases[name] = round(now - clock, 3)
            clock = now

        schema = build_schema()
        fields = {name: self.field_postings(name) for name in SCORED_FIELDS}
        done("postings sorted")
        # The phrase pairs' sort and the array writes run in numpy, which lets go of the
        # interpreter: they overlap the whoosh segment, which is Python throughout.
        with ThreadPoolExecutor(max_workers=1) as pool:
            arrays = pool.submit(self._write_arrays, layout, schema, fields)
            segment.write(layout.whoosh, schema, self.ids, fields)
            done("whoosh segment")
            FacetData.build(self.size, ((n, rid, fv) for n, (rid, fv)
                                        in enumerate(zip(self.ids, self.facets, strict=True)))
                            ).save(layout.facet_arrays, layout.facet_values)
            done("facet arrays")
            lexicon.write(layout.lexicon_counts, self.words)
            self.written.save(layout.written_forms)
            done("lexicon and written forms")
            arrays.result()
            done("flat postings and phrase pairs (the rest)")

    def _write_arrays(self, layout: Layout, schema, fields: dict[str, segment.FieldPostings]
                      ) -> None:
        """The flat postings and the phrase pairs."""
        for name, field in fields.items():
            postings.save(layout.postings(name), field.terms, field.offsets,
                          field.read_lengths(), field.docs,
                          field.weights(schema[name].format.field_boost))
        keys = np.concatenate(self._keys) if self._keys else np.empty(0, np.uint64)
        docs = np.concatenate(self._key_docs) if self._key_docs else np.empty(0, np.int32)
        phrases.save(layout.phrase_keys, layout.phrase_docs, keys, docs)
