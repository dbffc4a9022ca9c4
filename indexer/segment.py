"""Write a whole whoosh segment at once from postings already counted in arrays.

whoosh's `add_document` sends every posting through a pool, sorts it and, at commit, asks
the per-document reader for each posting's field length: two thirds of a build went there.
A build has every record's terms counted already (`indexer.prepare`), so this module hands
whoosh's own codec writers (`W3PerDocWriter`, `W3FieldWriter`, `W3PostingsWriter`) whole
posting blocks instead. The files are whoosh's, written by whoosh's code, block by block;
`tests/index/test_segment.py` checks that whoosh reads back the same segment its own writer makes.

whoosh 2.7.4 is pinned: the block buffer attributes set here are that version's.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import Schema
from whoosh.util.numeric import _length_byte_cache, byte_to_length

_CACHE = np.asarray(_length_byte_cache, dtype=np.int64)
LENGTH_OF_BYTE = np.asarray([byte_to_length(b) for b in range(256)], dtype=np.float32)


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """whoosh's one-byte code of each field length (`length_to_byte`, vectorised)."""
    codes = np.searchsorted(_CACHE, lengths, side="left")
    return np.minimum(codes, 255).astype(np.uint8)


def decoded_lengths(lengths: np.ndarray) -> np.ndarray:
    """Each field length as whoosh reads it back (its one-byte code decoded)."""
    return LENGTH_OF_BYTE[length_bytes(lengths)]


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
    decoded: np.ndarray | None = None  # `read_lengths`, once computed (chunks share it)

    def weights(self, boost: float) -> np.ndarray:
        """What whoosh stores as a posting's weight: frequency x the field's boost."""
        return (self.freqs * np.float32(boost)).astype(np.float32)

    def read_lengths(self) -> np.ndarray:
        """Each document's length as whoosh reads it back (its one-byte code decoded)."""
        if self.decoded is None:
            self.decoded = decoded_lengths(self.lengths)
        return self.decoded

    def chunks(self) -> Iterable[FieldPostings]:
        """The postings a few whole terms at a time, in term order: here all at once. A
        build's merged postings (`indexer.collect`) come in several, so the writer never
        holds a whole field."""
        return (self,)


BLOCK_POSTINGS = 1024  # whoosh's default is 128; see `codec`


def codec() -> W3Codec:
    """whoosh's codec, with larger posting blocks: the server reads postings from the flat
    copy, never by skipping through whoosh's blocks, so small blocks would only cost
    (a block is a pickle and a zlib stream of its own: most of a segment's writing time);
    zlib's fastest level: at 12,000 records 0.3 MB more than level 3 (whoosh's default), 15%
    less of the segment's writing time."""
    return W3Codec(blocklimit=BLOCK_POSTINGS, compression=1)


def write(path: Path, schema: Schema, ids: list[str], fields: Mapping[str, FieldPostings]
          ) -> None:
    """A new whoosh index at `path` holding one segment: document n is `ids[n]` (the
    schema's stored `id` field) with the given text fields' postings (each read once, by
    `chunks`, field after field in sorted order)."""
    path.mkdir(exist_ok=True)
    ix = whoosh_index.create_in(str(path), schema)
    try:
        writer = ix.writer(codec=codec())
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

    field_writer = writer.fieldwriter
    for name in names:  # whoosh writes fields, and terms in each, in sorted order
        _write_field(field_writer, name, schema[name], fields[name])
    field_writer.close()
    segment = writer.get_segment()
    writer._close_segment()
    writer._assemble_segment()
    writer._commit_toc([segment])
    writer._finish()


def _write_field(field_writer, name: str, field, postings: FieldPostings) -> None:
    fmt = field.format
    value_size = fmt.fixed_value_size()
    if value_size not in (0, 4):  # Existence (no value) or Frequency (the count)
        raise TypeError(f"field {name!r}: posting format {type(fmt).__name__} is not "
                        f"written here")
    field_writer.start_field(name, field)
    for chunk in postings.chunks():
        if chunk.terms:
            _write_terms(field_writer, field, chunk, value_size)
    field_writer.finish_field()


def _write_terms(field_writer, field, postings: FieldPostings, value_size: int) -> None:
    """Whole terms of a field, in order, with all their postings."""
    writer = field_writer._postwriter
    size = writer._blocklimit
    offsets = postings.offsets
    # Every block's bounds and statistics at once: blocks of `size` postings per term.
    counts = np.diff(offsets)
    per_term = -(-counts // size)
    first_block = np.zeros(len(per_term) + 1, dtype=np.int64)
    first_block[1:] = np.cumsum(per_term)
    term_of_block = np.repeat(np.arange(len(per_term)), per_term)
    starts = offsets[:-1][term_of_block] + size * (
        np.arange(first_block[-1]) - first_block[:-1][term_of_block])
    ends = np.minimum(starts + size, offsets[1:][term_of_block])
    weights = postings.weights(getattr(field.format, "field_boost", 1.0))
    max_weight = np.maximum.reduceat(weights, starts).tolist()
    if field.scorable:  # block lengths as whoosh reads them back; 0 means "no length"
        lens = postings.read_lengths()[postings.docs].astype(np.int64)
        min_len = np.minimum.reduceat(np.where(lens > 0, lens, np.iinfo(np.int64).max),
                                      starts)
        max_len = np.maximum.reduceat(lens, starts).tolist()
        min_len = [None if v == np.iinfo(np.int64).max else v for v in min_len.tolist()]
    else:
        max_len = [0] * len(starts)
        min_len = [None] * len(starts)
    ids = postings.docs.astype(np.uint32).tobytes()
    weight_bytes = weights.tobytes()
    values = postings.freqs.astype(">u4").tobytes() if value_size == 4 else b""
    starts_list, ends_list = starts.tolist(), ends.tolist()
    block = 0
    for i, text in enumerate(postings.terms):
        field_writer.start_term(text.encode("utf-8"))
        last_block = int(first_block[i + 1])
        while block < last_block:
            a, b = starts_list[block] * 4, ends_list[block] * 4
            writer._ids = array("I", ids[a:b])
            writer._weights = array("f", weight_bytes[a:b])
            writer._values = [values[a:b]] if value_size else []
            writer._maxweight = max(0, max_weight[block])
            writer._minlength, writer._maxlength = min_len[block], max_len[block]
            block += 1
            if block < last_block:  # the last block is written by finish_term
                writer._write_block()
        field_writer.finish_term()
