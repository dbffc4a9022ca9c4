"""Everything a build needs from a batch of sources, computed where the batch is read.

A build's cost is parsing and analysis; both are per record, so they run in the parser
processes, batch by batch. Each batch comes back as a `Batch`: the records' store rows and
facet values, and their analysed terms already counted into small arrays (term, document,
frequency), their phrase pairs, their spelling words and their free text's written forms
(`forms.py`). The writing process then only joins batches (`indexer.collect`); it never
analyses a text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson

from . import forms, phrases, summary
from .fields import facet_values
from .record import Record
from .schema import BODY_FIELD, record_terms, record_tokens_special, record_words
from .sources import Failure, Unit, read_unit
from .store import Row


@dataclass
class FieldCounts:
    """One field's terms in a batch: `vocab[term[i]]` occurs `freq[i]` times in the batch's
    document `doc[i]`; `length[d]` is the field's number of terms in document d."""

    vocab: list[str]
    term: np.ndarray  # int32, index into vocab
    doc: np.ndarray   # int32, index of the record in the batch
    freq: np.ndarray  # int32
    length: np.ndarray  # int32 per record of the batch


@dataclass
class Batch:
    """A prepared batch of sources, in source order."""

    ids: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # the record store's rows
    facets: list[dict[str, Any]] = field(default_factory=list)      # facet values per record
    fields: dict[str, FieldCounts] = field(default_factory=dict)
    pair_keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    pair_docs: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    words: Counter = field(default_factory=Counter)  # spelling words: records holding each
    written: forms.Written = field(default_factory=dict)  # free text's plain words, keyed
    failures: list[Failure] = field(default_factory=list)
    units: int = 0  # sources read, failures included (for progress)


# In a parser process of a build (`start_parser`): the words whose written forms it has
# handed over, so each batch sends only new ones. A build's parser processes are its own:
# nothing carries over to the next build. None where batches are prepared in the writer.
_SENT: set[str] | None = None


def start_parser() -> None:
    """Initializer of a build's parser processes."""
    global _SENT
    _SENT = set()


def record_row(record: Record, body_special: int | None = None
               ) -> tuple[Row, dict[str, Any]]:
    """The record store's row of a record (id, record JSON, facet JSON, prepared hit JSON)
    and its facet values (`body_special`: see `summary.prepared`)."""
    values = facet_values(record)
    # orjson writes dataclasses in field order, UTF-8 as is: the JSON of `atlas parse`,
    # without the spaces, four times faster than the json module.
    return (record.id, orjson.dumps(record).decode(), orjson.dumps(values).decode(),
            summary.prepared_json(record, body_special)), values


def prepare(units: list[Unit]) -> Batch:
    """Read, analyse and count a batch of units (runs in a parser process)."""
    batch = Batch(units=len(units))
    counts: dict[str, list[tuple[int, Counter]]] = {}
    lengths: dict[str, list[tuple[int, int]]] = {}
    keys: list[np.ndarray] = []
    key_docs: list[np.ndarray] = []
    body_words: set[str] = set()
    for unit in units:
        record = read_unit(unit)
        if not isinstance(record, Record):
            batch.failures.append(record)
            continue
        doc = len(batch.ids)
        tokens, special = record_tokens_special(record)  # each text read and analysed once
        terms = record_terms(record, tokens)
        for name, stream in terms.items():
            if stream:
                counts.setdefault(name, []).append((doc, Counter(stream)))
                lengths.setdefault(name, []).append((doc, len(stream)))
        pairs = phrases.record_pairs(record, terms)
        keys.append(pairs)
        key_docs.append(np.full(pairs.size, doc, dtype=np.int32))
        batch.words.update(record_words(record, tokens))
        body_words.update(tokens.get(BODY_FIELD, ()))
        row, values = record_row(record, special)
        batch.ids.append(record.id)
        batch.rows.append(row)
        batch.facets.append(values)
    if _SENT is not None:
        body_words -= _SENT
        _SENT.update(body_words)
    batch.written = forms.written(body_words)
    size = len(batch.ids)
    for name, per_doc in counts.items():
        batch.fields[name] = _field_counts(per_doc, lengths[name], size)
    if keys:
        batch.pair_keys = np.concatenate(keys)
        batch.pair_docs = np.concatenate(key_docs)
    return batch


def _field_counts(per_doc: list[tuple[int, Counter]], lengths: list[tuple[int, int]],
                  size: int) -> FieldCounts:
    vocab: dict[str, int] = {}
    term: list[int] = []
    doc: list[int] = []
    freq: list[int] = []
    for d, counter in per_doc:
        term += [vocab.setdefault(text, len(vocab)) for text in counter]
        doc += [d] * len(counter)
        freq += counter.values()
    length = np.zeros(size, dtype=np.int32)
    for d, n in lengths:
        length[d] = n
    return FieldCounts(list(vocab), np.asarray(term, dtype=np.int32),
                       np.asarray(doc, dtype=np.int32), np.asarray(freq, dtype=np.int32),
                       length)
