"""Join prepared batches (`indexer.prepare`) into one version's parts, in docnum order.

Batches arrive in source order; document n of the version is the n-th record delivered.
Each batch's terms are renumbered into one vocabulary per field and its postings and phrase
pairs buffered; past the build's memory budget the buffers are sorted and spilled as runs
(`indexer.runs`), and at the end the runs are merged a few terms at a time into the whoosh
segment (`indexer.segment`) and the flat postings the server reads (`indexer.postings`),
both written from the same merged slices: nothing is read back from the written parts.
The budget changes how much is held at once, never what is written.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from . import forms, lexicon, phrases, postings, segment
from .facetdata import FacetBuilder
from .prepare import Batch
from .runs import PairRuns, TermRuns
from .schema import build_schema
from .version import SCORED_FIELDS, Layout

MB = 1 << 20
DEFAULT_MEMORY = 192 * MB
MIN_MEMORY = 16 * MB
POSTING_BYTES = 12  # a buffered posting (term, document, frequency) or pair (hash, document)
MERGED_BYTES = 64  # a posting being merged and written: read, sorted, weighed, encoded


def parse_size(text: str) -> int:
    """Bytes from a size such as 512M, 2G, 300000K or 1048576 (powers of 1024)."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    value = text.strip().upper().removesuffix("B")
    unit = value[-1:] if value[-1:] in units and value[-1:] else ""
    number = value[:-1] if unit else value
    try:
        size = int(float(number) * units[unit])
    except ValueError:
        raise ValueError(f"not a size: {text!r} (examples: 512M, 2G)") from None
    if size <= 0:
        raise ValueError(f"not a size: {text!r} (examples: 512M, 2G)")
    return size


class FieldStream:
    """One field's merged postings, read once (`chunks`), in term order: what the whoosh
    segment and the flat postings are written from (`segment.FieldPostings`'s reading)."""

    def __init__(self, terms: list[str], offsets: np.ndarray, lengths: np.ndarray,
                 pieces: Iterator[tuple[int, int, np.ndarray, np.ndarray]],
                 flat: postings.PostingsFiles, boost: float) -> None:
        self.terms, self.offsets, self.lengths = terms, offsets, lengths
        self.decoded = segment.decoded_lengths(lengths)
        self._pieces, self._flat, self._boost = pieces, flat, boost

    def chunks(self) -> Iterator[segment.FieldPostings]:
        """Each merged slice, also written to the flat postings as it goes."""
        with postings.Writer(self._flat, self.terms, self.offsets, self.decoded) as flat:
            for first, end, docs, freqs in self._pieces:
                piece = segment.FieldPostings(
                    self.terms[first:end], self.offsets[first:end + 1] - self.offsets[first],
                    docs, freqs, self.lengths, self.decoded)
                flat.add(docs, piece.weights(self._boost))
                yield piece


class Collector:
    """Everything a fresh version holds, gathered batch by batch. With `memory` (bytes), the
    postings and pairs buffered past about half of it are spilled as sorted runs into
    `folder` (created when first needed, removed by `write`); without, all stay in memory."""

    def __init__(self, memory: int | None = None, folder: Path | None = None) -> None:
        if memory is not None and folder is None:
            raise ValueError("a memory budget needs a folder for the runs")
        self.memory = memory
        self.folder = folder
        self.ids: list[str] = []
        self.facets = FacetBuilder()
        self.words: Counter = Counter()
        self.written = forms.WrittenForms()
        self._vocab: dict[str, dict[str, int]] = {}
        self._texts: dict[str, list[str]] = {}
        self._postings: dict[str, TermRuns] = {}
        self._lengths: dict[str, list[tuple[int, np.ndarray]]] = {}
        self._pairs = PairRuns()
        self.spills = 0

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def buffered(self) -> int:
        """Postings and pairs held in the buffers (not yet in a run)."""
        return self._pairs.buffered + sum(r.buffered for r in self._postings.values())

    def add(self, batch: Batch) -> None:
        base = self.size
        self.ids += batch.ids
        for rid, fv in zip(batch.ids, batch.facets, strict=True):
            self.facets.add(rid, fv)
        self.words.update(batch.words)
        self.written.add(batch.written)
        for name, counts in batch.fields.items():
            vocab = self._vocab.setdefault(name, {})
            texts = self._texts.setdefault(name, [])
            to_global = np.empty(len(counts.vocab), dtype=np.int32)
            for i, term in enumerate(counts.vocab):
                number = vocab.get(term)
                if number is None:
                    number = vocab[term] = len(texts)
                    texts.append(term)
                to_global[i] = number
            self._postings.setdefault(name, TermRuns(name)).add(
                to_global[counts.term], counts.doc + base, counts.freq)
            self._lengths.setdefault(name, []).append((base, counts.length))
        self._pairs.add(batch.pair_keys, batch.pair_docs + base)
        if self.memory is not None and self.buffered * POSTING_BYTES * 2 >= self.memory:
            self.spill()

    def spill(self) -> None:
        """Write the buffers as sorted runs."""
        assert self.folder is not None
        self.folder.mkdir(exist_ok=True)
        for name, runs in self._postings.items():
            runs.spill(self._texts[name], self.folder)
        self._pairs.spill(self.folder)
        self.spills += 1

    def _field_lengths(self, name: str) -> np.ndarray:
        lengths = np.zeros(self.size, dtype=np.int32)
        for base, part in self._lengths.get(name, []):
            lengths[base:base + part.size] = part
        return lengths

    def _chunk(self) -> int:
        """Postings per merged slice: an eighth of the budget for each of the two merges
        that run together (postings and pairs)."""
        if self.memory is None:
            return 1 << 62
        return max(1, self.memory // 8 // MERGED_BYTES)

    def _merged(self, name: str) -> tuple[list[str], np.ndarray, Iterator]:
        runs = self._postings.get(name)
        if runs is None:
            return [], np.zeros(1, np.int64), iter(())
        return runs.merge(self._texts[name], self._chunk(), self.folder)

    def field_postings(self, name: str) -> segment.FieldPostings:
        """One field's postings over the whole version, at once: terms sorted, docs
        ascending."""
        terms, offsets, pieces = self._merged(name)
        docs, freqs = [np.empty(0, np.int32)], [np.empty(0, np.int32)]
        for _, _, d, f in pieces:
            docs.append(d)
            freqs.append(f)
        return segment.FieldPostings(terms, offsets, np.concatenate(docs),
                                     np.concatenate(freqs), self._field_lengths(name))

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
        try:
            # The phrase pairs' merge runs in numpy, which lets go of the interpreter: it
            # overlaps the whoosh segment, which is Python throughout.
            with ThreadPoolExecutor(max_workers=1) as pool:
                pairs = pool.submit(self._write_pairs, layout)
                fields = {}
                for name in SCORED_FIELDS:
                    terms, offsets, pieces = self._merged(name)
                    fields[name] = FieldStream(terms, offsets, self._field_lengths(name),
                                               pieces, layout.postings(name),
                                               schema[name].format.field_boost)
                segment.write(layout.whoosh, schema, self.ids, fields)
                done("whoosh segment and flat postings")
                self.facets.finish().save(layout.facet_arrays, layout.facet_values)
                done("facet arrays")
                lexicon.write(layout.lexicon_counts, self.words)
                self.written.save(layout.written_forms)
                done("lexicon and written forms")
                pairs.result()
                done("phrase pairs (the rest)")
        finally:
            self.close()

    def _write_pairs(self, layout: Layout) -> None:
        phrases.save_sorted(layout.phrase_keys, layout.phrase_docs, self._pairs.size,
                            self._pairs.merge(self._chunk(), self.folder))

    def close(self) -> None:
        """Remove the runs (and their folder)."""
        for runs in self._postings.values():
            runs.close()
        self._pairs.close()
        if self.folder is not None and self.folder.is_dir():
            shutil.rmtree(self.folder)
