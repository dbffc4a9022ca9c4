"""The build's whole-segment writer gives the segment whoosh's own writer gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.collect import Collector
from indexer.prepare import prepare
from indexer.schema import build_schema, record_terms, record_to_doc, record_tokens
from indexer.segment import codec, write
from indexer.sources import build_units, expand, read_sources
from indexer.version import SCORED_FIELDS


def _dump(path: Path) -> dict:
    """Everything whoosh reads of an index: per field and term, the postings with their
    values and the term's statistics; per document, stored fields and field lengths."""
    ix = whoosh_index.open_dir(str(path))
    out: dict = {"terms": {}, "docs": []}
    with ix.reader() as reader:
        schema = reader.schema
        out["count"] = (reader.doc_count(), reader.doc_count_all())
        for field in sorted(reader.indexed_field_names()):
            out[("length", field)] = reader.field_length(field)
            if schema[field].scorable:
                out[("minmax", field)] = (reader.min_field_length(field),
                                          reader.max_field_length(field))
            for term in reader.lexicon(field):
                info = reader.term_info(field, term)
                m = reader.postings(field, term)
                postings = []
                while m.is_active():
                    postings.append((m.id(), m.weight(), m.value(),
                                     m.block_min_length(), m.block_max_length(),
                                     m.block_max_weight()))
                    m.next()
                out["terms"][(field, term)] = (
                    info.weight(), info.doc_frequency(), info.min_length(),
                    info.max_length(), info.max_weight(), info.min_id(), info.max_id(),
                    postings)
        for docnum in range(reader.doc_count_all()):
            out["docs"].append((reader.stored_fields(docnum), {
                f: reader.doc_field_length(docnum, f) for f in schema.scorable_names()}))
    ix.close()
    return out


@pytest.fixture(scope="module")
def records(corpus_dir: Path) -> list:
    return [r for r in read_sources(expand([corpus_dir]), workers=1, unique=True)
            if not isinstance(r, tuple) and hasattr(r, "id")]


def test_segment_equals_whooshs_own_writer(records, corpus_dir: Path, tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    ix = whoosh_index.create_in(str(own), build_schema())
    with ix.writer(codec=codec()) as writer:
        for record in records:
            writer.add_document(**record_to_doc(record, record_terms(record,
                                                                     record_tokens(record))))
    ix.close()

    units = build_units(expand([corpus_dir]))
    assert all(isinstance(u, tuple) for u in units)
    collected = Collector()
    for start in range(0, len(units), 13):  # several batches, as a parallel build joins them
        collected.add(prepare(units[start:start + 13]))
    assert collected.ids == [r.id for r in records]
    ours = tmp_path / "ours"
    write(ours, build_schema(), collected.ids,
          {name: collected.field_postings(name) for name in SCORED_FIELDS})
    a, b = _dump(own), _dump(ours)
    assert a["count"] == b["count"] == (len(records), len(records))
    assert a.keys() == b.keys()
    assert a["terms"].keys() == b["terms"].keys()
    for key, value in a["terms"].items():
        assert b["terms"][key] == value, key
    assert a["docs"] == b["docs"]
    assert a == b


def test_long_posting_lists_span_several_blocks(tmp_path: Path) -> None:
    """More documents than the block limit: blocks are cut as whoosh cuts them."""
    import numpy as np

    from indexer.segment import BLOCK_POSTINGS, FieldPostings

    n = 2 * BLOCK_POSTINGS + 300
    ids = [f"r{i:03d}" for i in range(n)]
    docs = np.arange(n, dtype=np.int32)
    fields = {name: FieldPostings(["eau"], np.asarray([0, n], dtype=np.int64), docs,
                                  (docs % 3 + 1).astype(np.int32),
                                  (docs % 7 + 1).astype(np.int32))
              for name in ("title", "body", "themes", "names")}
    ours = tmp_path / "ours"
    write(ours, build_schema(), ids, fields)
    own = tmp_path / "own"
    own.mkdir()
    ix = whoosh_index.create_in(str(own), build_schema())
    with ix.writer(codec=codec()) as writer:
        for i in range(n):
            text = " ".join(["eau"] * (i % 3 + 1) + ["x"] * (i % 7 + 1 - (i % 3 + 1)))
            writer.add_document(id=ids[i], **{f: text for f in fields})
    ix.close()
    a, b = _dump(own), _dump(ours)
    for field in fields:
        assert a["terms"][(field, b"eau")] == b["terms"][(field, b"eau")]
