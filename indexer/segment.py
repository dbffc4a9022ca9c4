"""Write a whole whoosh segment at once from postings already counted in arrays.

whoosh's `add_document` sends every posting through a pool, sorts it and, at commit, asks
the per-document reader for each posting's field length: two thirds of a build went there.
A build has every record's terms counted already (`indexer.prepare`), so this module hands
whoosh's own codec writers (`W3PerDocWriter`, `W3FieldWriter`, `W3PostingsWriter`) whole
posting blocks instead. The files are whoosh's, written by whoosh's code, block by block;
`tests/test_segment.py` checks that whoosh reads back the same segment its own writer makes.

whoosh 2.7.4 is pinned: the block buffer attributes set here are that version's.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.fields import Schema
from whoosh.util.numeric import _length_byte_cache, byte_to_length

_CACHE = np.asarray(_length_byte_cache, dtype=np.int64)
LENGTH_OF_BYTE = np.asarray([byte_to_length(b) for b in range(256)], dtype=np.float32)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """whoosh's one-byte code of each field length (`length_to_byte`, vectorised)."""
    codes = np.searchsorted(_CACHE, lengths, side="left")
    return np.minimum(codes, 255).astype(np.uint8)


@dataclass
class FieldPostings:
    """One field's postings: term i holds documents docs[offsets[i]:offsets[i+1]]
    (ascending) with those frequencies; terms sorted; `lengths` is each document's number
    of terms in the field."""

    terms: list[str]
    offsets: np.ndarray  # int64, len(terms) + 1
    docs: np.ndarray     # int32
    freqs: np.ndarray    # int32
    lengths: np.ndarray  # int32, one per document

    def weights(self, boost: float) -> np.ndarray:
        """What whoosh stores as a posting's weight: frequency x the field's boost."""
        return (self.freqs * np.float32(boost)).astype(np.float32)

    def read_lengths(self) -> np.ndarray:
        """Each document's length as whoosh reads it back (its one-byte code decoded)."""
        return LENGTH_OF_BYTE[length_bytes(self.lengths)]


def write(path: Path, schema: Schema, ids: list[str], fields: Mapping[str, FieldPostings]
          ) -> None:
    """A new whoosh index at `path` holding one segment: document n is `ids[n]` (the
    schema's stored, unique `id` field) with the given text fields' postings."""
    path.mkdir(exist_ok=True)
    ix = whoosh_index.create_in(str(path), schema)
    try:
        writer = ix.writer()
        try:
            _write_segment(writer, schema, ids, fields)
        except BaseException:
            writer.cancel()
            raise
    finally:
        ix.close()


def _write_segment(writer, schema: Schema, ids: list[str],
                   fields: Mapping[str, FieldPostings]) -> None:
    per_doc = writer.perdocwriter
    id_field = schema["id"]
    names = sorted(fields)
    lengths = {name: fields[name].lengths.tolist() for name in names}
    for docnum, rid in enumerate(ids):
        per_doc.start_doc(docnum)
        per_doc.add_field("id", id_field, rid, 0)
        for name in names:
            length = lengths[name][docnum]
            if length:
                per_doc.add_field(name, schema[name], None, length)
        per_doc.finish_doc()
    writer.docnum = len(ids)
    writer._added = True
    per_doc.close()

    id_order = sorted(range(len(ids)), key=ids.__getitem__)
    by_name = {
        **{name: fields[name] for name in names},
        "id": FieldPostings(
            [ids[i] for i in id_order], np.arange(len(ids) + 1, dtype=np.int64),
            np.asarray(id_order, dtype=np.int32), np.ones(len(ids), dtype=np.int32),
            np.zeros(len(ids), dtype=np.int32)),
    }
    field_writer = writer.fieldwriter
    for name in sorted(by_name):  # whoosh writes fields, and terms in each, in sorted order
        _write_field(field_writer, name, schema[name], by_name[name])
    field_writer.close()
    segment = writer.get_segment()
    writer._close_segment()
    writer._assemble_segment()
    writer._commit_toc([segment])
    writer._finish()


def _write_field(field_writer, name: str, field, postings: FieldPostings) -> None:
    fmt = field.format
    scorable = field.scorable
    weights = postings.weights(getattr(fmt, "field_boost", 1.0))
    # Block statistics use the lengths as whoosh reads them back; 0 means "no length".
    lengths = postings.read_lengths().astype(np.int64) if scorable else None
    value_size = fmt.fixed_value_size()
    field_writer.start_field(name, field)
    writer = field_writer._postwriter
    block = writer._blocklimit
    offsets = postings.offsets
    for i, text in enumerate(postings.terms):
        field_writer.start_term(text.encode("utf-8"))
        start, end = int(offsets[i]), int(offsets[i + 1])
        for first in range(start, end, block):
            last = min(first + block, end)
            docs = postings.docs[first:last]
            writer._ids = array("I", docs.astype(np.uint32).tobytes())
            w = weights[first:last]
            writer._weights = array("f", w.tobytes())
            writer._maxweight = max(0, float(w.max()))
            if value_size == 4:  # Frequency: the count, packed as whoosh's pack_uint does
                writer._values = [postings.freqs[first:last].astype(">u4").tobytes()]
            elif value_size == 0:  # Existence: no value
                writer._values = []
            else:
                raise TypeError(f"field {name!r}: posting format {type(fmt).__name__} is "
                                f"not written here")
            if lengths is not None:
                lens = lengths[docs]
                lens = lens[lens > 0]
                writer._minlength = int(lens.min()) if lens.size else None
                writer._maxlength = int(lens.max()) if lens.size else 0
            else:
                writer._minlength, writer._maxlength = None, 0
            if last < end:
                writer._write_block()
        field_writer.finish_term()
    field_writer.finish_field()
