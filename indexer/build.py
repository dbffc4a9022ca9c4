"""Write an index version: whoosh full text, the record store and the facet arrays.

`build` makes a fresh version from sources; `update` and `delete` copy the live
version, change the copy and publish it. Either way the live index is only replaced,
atomically, once the new version is complete.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.multiproc import MpWriter

from . import lexicon, phrases, postings, store
from .errors import BuildError
from .facetdata import FacetData
from .fields import facet_values
from .record import Record
from .schema import build_schema, record_to_doc, record_tokens, record_words
from .sources import Failure, expand, read_sources

WHOOSH_DIR = "whoosh"
WRITER_MB = 1024
PARALLEL_BYTES = 8 * 1024 * 1024  # below this, starting index sub-processes costs more
FORMAT = 1


@dataclass
class BuildReport:
    indexed: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    version: str = ""
    records: int = 0

    def summary(self) -> str:
        return (f"indexed {self.indexed} records, skipped {len(self.failures)}, "
                f"{self.seconds:.1f} s; index now holds {self.records} records "
                f"(version {self.version})")


def _progress(total: int | None, desc: str, enabled: bool | None):
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, desc=desc, unit=" rec", disable=not show, leave=False)


def _row(record: Record) -> tuple[str, str, str]:
    return (
        record.id,
        json.dumps(record, default=vars, ensure_ascii=False),  # dataclasses, field order kept
        json.dumps(facet_values(record), ensure_ascii=False),
    )


def _finish(version: Path, report: BuildReport, pairs: dict[str, np.ndarray]) -> None:
    """Write the facet arrays, flat postings, phrase pairs and meta of a version whose whoosh
    index and record store are done; `pairs` holds every live record's phrase pairs by id."""
    ix = whoosh_index.open_dir(str(version / WHOOSH_DIR))
    records = store.RecordStore(version / "records.sqlite")
    try:
        by_id = dict(records.facet_rows())
        with ix.reader() as reader:
            docs = [
                (docnum, fields["id"], by_id[fields["id"]])
                for docnum, fields in reader.iter_docs()
            ]
            size = reader.doc_count_all()
            postings.export(reader, version)
        FacetData.build(size, docs).save(version)
        phrases.write(version, ((docnum, pairs[rid]) for docnum, rid, _ in docs if rid in pairs))
        report.records = len(docs)
    finally:
        records.close()
        ix.close()
    store.write_meta(version, {
        "format": FORMAT,
        "version": version.name,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "records": report.records,
        "skipped": len(report.failures),
    })
    report.version = version.name


def build(sources: Iterable[str | Path], index_dir: Path, progress: bool | None = None,
          workers: int | None = None) -> BuildReport:
    """A fresh index from sources, swapped in atomically; bad inputs are skipped and reported."""
    started = time.perf_counter()
    paths = expand(sources)
    index_dir.mkdir(parents=True, exist_ok=True)
    version = store.new_version(index_dir)
    report = BuildReport()
    try:
        items = read_sources(paths, workers=workers, unique=True)
        size = sum(p.stat().st_size for p in paths)
        procs = min(workers or os.cpu_count() or 1, 2) if size >= PARALLEL_BYTES else 1
        pairs: dict[str, np.ndarray] = {}
        report.indexed = _write_new(version, items, report, progress, len(paths), procs, pairs)
        if not report.indexed:
            raise BuildError("no valid records in the sources; the index was left unchanged")
        _finish(version, report, pairs)
        store.publish(index_dir, version)
    except BaseException:
        store.discard(version)
        raise
    report.seconds = time.perf_counter() - started
    return report


def _writer(ix, procs: int):
    """A whoosh writer; with procs > 1, sub-processes index batches into their own segments.

    The pool is large enough to sort postings in memory: spilling runs to disk and merging
    them back costs more than the indexing itself at Atlas scale.
    """
    if procs > 1:
        return MpWriter(ix, procs=procs, batchsize=100, multisegment=True, limitmb=WRITER_MB)
    return ix.writer(limitmb=WRITER_MB)


def _write_new(version: Path, items: Iterable[Record | Failure], report: BuildReport,
               progress: bool | None, total: int, procs: int, pairs: dict[str, np.ndarray]
               ) -> int:
    """Index records as the parsers deliver them (parsing overlaps indexing); returns count."""
    (version / WHOOSH_DIR).mkdir()
    ix = whoosh_index.create_in(str(version / WHOOSH_DIR), build_schema())
    rows = store.RecordStore(version / "records.sqlite")
    count = 0
    words: Counter = Counter()
    pairs.clear()
    try:
        with _writer(ix, procs) as writer, _progress(total, "indexing", progress) as bar:
            batch = []
            for item in items:
                bar.update(1)
                if isinstance(item, Failure):
                    report.failures.append(item)
                    continue
                writer.add_document(**record_to_doc(item))
                tokens = record_tokens(item)
                words.update(record_words(item, tokens))
                pairs[item.id] = phrases.record_pairs(item, tokens)
                batch.append(_row(item))
                count += 1
                if len(batch) >= 1000:
                    rows.put_many(batch)
                    batch = []
            rows.put_many(batch)
            rows.commit()
        lexicon.write(version, words)
    finally:
        rows.close()
        ix.close()
    return count


@contextmanager
def _change_writer(ix):
    """A writer for small changes; cancelled on error so the copy is never half-written."""
    writer = ix.writer(limitmb=WRITER_MB)
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _copy_live(index_dir: Path) -> Path:
    live = store.current_version(index_dir)
    version = store.new_version(index_dir)
    shutil.copytree(live / WHOOSH_DIR, version / WHOOSH_DIR)
    shutil.copy2(live / "records.sqlite", version / "records.sqlite")
    return version


def update(sources: Iterable[str | Path], index_dir: Path, progress: bool | None = None
           ) -> BuildReport:
    """Add or replace records by id in a copy of the live version, then publish it."""
    started = time.perf_counter()
    paths = expand(sources)
    report = BuildReport()
    version = _copy_live(index_dir)
    try:
        ix = whoosh_index.open_dir(str(version / WHOOSH_DIR))
        rows = store.RecordStore(version / "records.sqlite")
        try:
            live = store.current_version(index_dir)
            words = lexicon.read_counts(live)
            fresh: dict[str, np.ndarray] = {}
            with _change_writer(ix) as writer:
                batch = []
                for item in read_sources(paths, unique=True):
                    if isinstance(item, Failure):
                        report.failures.append(item)
                        continue
                    writer.update_document(**record_to_doc(item))
                    old = rows.get(item.id)
                    tokens = record_tokens(item)
                    lexicon.adjust(words, [record_words(item, tokens)],
                                   [record_words(Record.from_dict(old))] if old else [])
                    fresh[item.id] = phrases.record_pairs(item, tokens)
                    batch.append(_row(item))
                rows.put_many(batch)
                rows.commit()
                report.indexed = len(batch)
            lexicon.write(version, words)
        finally:
            rows.close()
            ix.close()
        pairs = phrases.carry_over(live, FacetData.load(live).ids, set(fresh))
        pairs.update(fresh)
        _finish(version, report, pairs)
        store.publish(index_dir, version)
    except BaseException:
        store.discard(version)
        raise
    report.seconds = time.perf_counter() - started
    return report


def delete(ids: Iterable[str], index_dir: Path) -> tuple[BuildReport, list[str]]:
    """Remove records by id; returns the report and the ids that were not in the index."""
    started = time.perf_counter()
    report = BuildReport()
    version = _copy_live(index_dir)
    missing: list[str] = []
    try:
        ix = whoosh_index.open_dir(str(version / WHOOSH_DIR))
        rows = store.RecordStore(version / "records.sqlite")
        try:
            live = store.current_version(index_dir)
            words = lexicon.read_counts(live)
            removed: set[str] = set()
            with _change_writer(ix) as writer:
                for rid in ids:
                    old = rows.get(rid)
                    if old is None:
                        missing.append(rid)
                        continue
                    lexicon.adjust(words, [], [record_words(Record.from_dict(old))])
                    writer.delete_by_term("id", rid)
                    rows.delete([rid])
                    removed.add(rid)
                    report.indexed += 1
            rows.commit()
            lexicon.write(version, words)
        finally:
            rows.close()
            ix.close()
        _finish(version, report, phrases.carry_over(live, FacetData.load(live).ids, removed))
        store.publish(index_dir, version)
    except BaseException:
        store.discard(version)
        raise
    report.seconds = time.perf_counter() - started
    return report, missing
