"""Write index versions: `build` from sources, `update` and `delete` from the live version.

Each holds the index's write lock for the whole write, writes a new version beside the live
one (`version.writing`), completes it (`version.finish`) and publishes it atomically
(`version.publish`). A failure or a kill at any moment leaves the live version serving;
the next writer removes what was left half written.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from . import lexicon, phrases, postings, version
from .collect import Collector
from .errors import BuildError
from .facetdata import FacetData
from .prepare import Batch, prepare, record_row
from .record import Record
from .schema import record_terms, record_to_doc, record_tokens, record_words
from .sources import Failure, build_units, expand, read_sources
from .store import RecordStore
from .version import Layout

WRITER_MB = 1024


@dataclass
class BuildReport:
    indexed: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    version: str = ""
    records: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step of a build

    def summary(self) -> str:
        return (f"indexed {self.indexed} records, skipped {len(self.failures)}, "
                f"{self.seconds:.1f} s; index now holds {self.records} records "
                f"(version {self.version})")


def _progress(total: int | None, desc: str, enabled: bool | None):
    from tqdm import tqdm

    show = sys.stderr.isatty() if enabled is None else enabled
    return tqdm(total=total, desc=desc, unit=" rec", disable=not show, leave=False)


@dataclass
class Carry:
    """What an update or a delete keeps of the live version: every document but `changed`
    (the ids it replaces or removes), whose postings and pairs are renumbered, not rebuilt."""

    live: Layout
    changed: set[str]
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # new records' terms


def _finish(layout: Layout, report: BuildReport, pairs: dict[str, np.ndarray],
            carry: Carry | None = None) -> None:
    """Write the facet arrays, flat postings, phrase pairs and meta of a version whose whoosh
    index and record store are done. `pairs` holds the phrase pairs, by id, of the records
    this write indexed; with `carry`, the other records' postings and pairs come from the
    live version (an update costs what it changes), else everything is read from whoosh."""
    ix = whoosh_index.open_dir(str(layout.whoosh))
    records = RecordStore(layout.records)
    try:
        by_id = dict(records.facet_rows())
        with ix.reader() as reader:
            docs = [
                (docnum, fields["id"], by_id[fields["id"]])
                for docnum, fields in reader.iter_docs()
            ]
            size = reader.doc_count_all()
            if carry is None:
                postings.export(reader, version.SCORED_FIELDS, layout.postings)
                carried = None
            else:
                carried = _carry_postings(carry, layout, reader.schema, docs, size)
        FacetData.build(size, docs).save(layout.facet_arrays, layout.facet_values)
        phrases.write(layout.phrase_keys, layout.phrase_docs,
                      ((docnum, pairs[rid]) for docnum, rid, _ in docs if rid in pairs), carried)
        report.records = len(docs)
    finally:
        records.close()
        ix.close()
    version.finish(layout, {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "records": report.records,
        "skipped": len(report.failures),
    })
    report.version = layout.name


def _carry_postings(carry: Carry, layout: Layout, schema, docs: list, size: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Flat postings of the new version from the live one plus the new records' terms;
    returns the live version's phrase pairs that stay, renumbered."""
    live = carry.live
    new_doc = {rid: docnum for docnum, rid, _ in docs}
    base_ids = FacetData.load(live.facet_arrays, live.facet_values).ids
    old_to_new = np.fromiter(
        (new_doc.get(rid, -1) if rid and rid not in carry.changed else -1 for rid in base_ids),
        dtype=np.int64, count=len(base_ids))
    for name in version.SCORED_FIELDS:
        fresh = {new_doc[rid]: terms.get(name, []) for rid, terms in carry.terms.items()
                 if rid in new_doc}
        postings.carry_over(live.postings(name), old_to_new, size, fresh,
                            schema[name].format.field_boost, layout.postings(name))
    return phrases.carry_over(live.phrase_keys, live.phrase_docs, old_to_new)


@dataclass
class WriteOptions:
    """How a write meets other writers and what it keeps."""

    wait: float = 600.0  # seconds to wait for another writer's lock
    keep: int = version.KEEP  # versions kept: the live one and keep - 1 before it
    on_wait: Callable[[str], None] | None = None  # told once when the write has to wait


def _die_with_parent() -> None:
    # In each forked worker (the parser processes): the kernel kills it when the
    # writer that forked it dies, however it dies, so no worker outlives a killed build.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


if hasattr(os, "register_at_fork") and sys.platform.startswith("linux"):
    os.register_at_fork(after_in_child=_die_with_parent)


def build(sources: Iterable[str | Path], index_dir: Path, progress: bool | None = None,
          workers: int | None = None, options: WriteOptions | None = None) -> BuildReport:
    """A fresh index from sources, swapped in atomically; bad inputs are skipped and reported."""
    options = options or WriteOptions()
    started = time.perf_counter()
    paths = expand(sources)
    if blocker := next((p for p in (index_dir, *index_dir.parents) if p.is_file()), None):
        raise BuildError(f"cannot make an index at {index_dir}: {blocker} is a file")
    report = BuildReport()
    with version.write_lock(index_dir, options.wait, "build", options.on_wait), \
            version.writing(index_dir) as layout:
        units, failures = build_units(paths)
        report.failures += failures
        collected = Collector()
        rows = RecordStore(layout.records)
        try:
            with _progress(len(units), "indexing", progress) as bar:
                for batch in _prepared(units, workers):
                    report.failures += [Failure(*f) for f in batch.failures]
                    rows.put_many(batch.rows)
                    collected.add(batch)
                    bar.update(batch.units)
            rows.commit()
        finally:
            rows.close()
        report.phases["read, analyse, store"] = round(time.perf_counter() - started, 3)
        report.indexed = report.records = collected.size
        if not report.indexed:
            raise BuildError("no valid records in the sources; the index was left unchanged")
        collected.write(layout, report.phases)
        clock = time.perf_counter()
        version.finish(layout, {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "records": report.records,
            "skipped": len(report.failures),
        })
        report.version = layout.name
        version.publish(index_dir, layout, options.keep)
        report.phases["sync and publish"] = round(time.perf_counter() - clock, 3)
    report.seconds = time.perf_counter() - started
    return report


BATCH = 48  # units per batch: small enough to keep both cores busy to the end
PARALLEL_UNITS = 200  # below this, starting parser processes costs more than it saves


def _prepared(units: list, workers: int | None) -> Iterator[Batch]:
    """Prepared batches in source order: in parser processes when there is enough work."""
    batches = [units[i:i + BATCH] for i in range(0, len(units), BATCH)]
    workers = workers or os.cpu_count() or 1
    if len(units) < PARALLEL_UNITS or workers < 2:
        yield from map(prepare, batches)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(prepare, batches)


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


def _copy_live(live: Layout, layout: Layout) -> None:
    """The live version's whoosh index and record store, as the start of a new version.

    whoosh never rewrites a segment file (a commit writes new segments and a new table of
    contents, deletions live in the table), so the segments are hard links, not copies."""
    shutil.copytree(live.whoosh, layout.whoosh, copy_function=_link_or_copy)
    shutil.copy2(live.records, layout.records)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@dataclass
class _Change:
    """An update or a delete in progress: the new version's whoosh writer, record store and
    word counts, and what the change replaced or removed (`carry`)."""

    carry: Carry
    writer: Any
    rows: RecordStore
    words: Counter
    pairs: dict[str, np.ndarray] = field(default_factory=dict)  # new records' phrase pairs


@contextmanager
def _changing(index_dir: Path, options: WriteOptions, command: str, report: BuildReport
              ) -> Iterator[_Change]:
    """Under the write lock, a new version started from the live one (its whoosh segments
    linked, its record store copied); after the block, the lexicon, postings and pairs are
    carried over with the changes, and the version is completed and published."""
    with version.write_lock(index_dir, options.wait, command, options.on_wait), \
            version.writing(index_dir) as layout:
        live = version.current(index_dir)
        _copy_live(live, layout)
        ix = whoosh_index.open_dir(str(layout.whoosh))
        rows = RecordStore(layout.records)
        try:
            before = lexicon.read_counts(live.lexicon_counts)
            with _change_writer(ix) as writer:
                change = _Change(Carry(live, set()), writer, rows, before.copy())
                yield change
            rows.commit()
            lexicon.write_changes(live.lexicon, layout.lexicon, layout.lexicon_counts, before,
                                  change.words, _link_or_copy)
        finally:
            rows.close()
            ix.close()
        _finish(layout, report, change.pairs, change.carry)
        version.publish(index_dir, layout, options.keep)


def update(sources: Iterable[str | Path], index_dir: Path, progress: bool | None = None,
           options: WriteOptions | None = None) -> BuildReport:
    """Add or replace records by id in a new version made from the live one, then publish."""
    started = time.perf_counter()
    paths = expand(sources)
    report = BuildReport()
    with _changing(index_dir, options or WriteOptions(), "update", report) as change:
        batch = []
        for item in read_sources(paths, unique=True):
            if isinstance(item, Failure):
                report.failures.append(item)
                continue
            tokens = record_tokens(item)
            terms = record_terms(item, tokens)
            change.writer.update_document(**record_to_doc(item, terms))
            old = change.rows.get(item.id)
            lexicon.adjust(change.words, [record_words(item, tokens)],
                           [record_words(Record.from_dict(old))] if old else [])
            change.pairs[item.id] = phrases.record_pairs(item, terms)
            change.carry.terms[item.id] = terms
            change.carry.changed.add(item.id)
            batch.append(record_row(item)[0])
        change.rows.put_many(batch)
        report.indexed = len(batch)
    report.seconds = time.perf_counter() - started
    return report


def delete(ids: Iterable[str], index_dir: Path, options: WriteOptions | None = None
           ) -> tuple[BuildReport, list[str]]:
    """Remove records by id; returns the report and the ids that were not in the index."""
    started = time.perf_counter()
    report = BuildReport()
    missing: list[str] = []
    with _changing(index_dir, options or WriteOptions(), "delete", report) as change:
        for rid in ids:
            old = change.rows.get(rid)
            if old is None:
                missing.append(rid)
                continue
            lexicon.adjust(change.words, [], [record_words(Record.from_dict(old))])
            change.writer.delete_by_term("id", rid)
            change.rows.delete([rid])
            change.carry.changed.add(rid)
            report.indexed += 1
    report.seconds = time.perf_counter() - started
    return report, missing
