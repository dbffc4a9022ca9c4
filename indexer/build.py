"""Write index versions: `build` from sources, `update` and `delete` from the live version.

Each holds the index's write lock for the whole write, writes a new version beside the live
one (`version.writing`), completes it (`version.finish`) and publishes it atomically
(`version.publish`). A failure or a kill at any moment leaves the live version serving;
the next writer removes what was left half written.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as whoosh_index

from . import die_with_parent, forms, lexicon, phrases, postings, version  # noqa: F401 - parser processes die with the writer
from .collect import DEFAULT_MEMORY, MIN_MEMORY, Collector
from .errors import BuildError
from .facetdata import FacetData
from .prepare import Batch, prepare, record_row, start_parser
from .readahead import ReadAhead
from .record import Record
from .schema import BODY_FIELD, record_terms, record_to_doc, record_tokens, record_words
from .shift import Shift
from .sources import Failure, build_units, expand, page_paths, read_sources
from .store import RecordStore
from .version import Layout

WRITER_MB = 1024
RUNS_FOLDER = ".runs"  # a build's sorted runs, inside the version being written


@dataclass
class BuildReport:
    indexed: int = 0
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0
    version: str = ""
    records: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step of a build
    runs: int = 0  # times a build spilled its postings and pairs as sorted runs

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
    (the ids it replaces or removes), whose postings and pairs are carried over, not rebuilt.

    With `kept` set, whoosh kept the number of every document below it (it merged no
    segment, or only the last ones, see shift.py); `size` is the live version's document
    count, deleted ones included."""

    live: Layout
    facets: FacetData  # the live version's facet arrays: its ids by document number
    changed: set[str]
    terms: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # new records' terms
    kept: int | None = None
    size: int = 0


def _finish(layout: Layout, report: BuildReport, pairs: dict[str, np.ndarray],
            carry: Carry | None = None) -> None:
    """Write the facet arrays, flat postings, phrase pairs and meta of a version whose whoosh
    index and record store are done. `pairs` holds the phrase pairs, by id, of the records
    this write indexed; with `carry`, the other records' postings and pairs come from the
    live version (an update costs what it changes), else everything is read from whoosh."""
    if carry is None or carry.kept is None or not _finish_shifted(layout, report, pairs, carry):
        _finish_renumbered(layout, report, pairs, carry)
    _complete(layout, report)


def _complete(layout: Layout, report: BuildReport) -> None:
    """Sync the version and write its meta (`version.finish`): it is complete."""
    version.finish(layout, {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "records": report.records,
        "skipped": len(report.failures),
    })
    report.version = layout.name


def _finish_renumbered(layout: Layout, report: BuildReport, pairs: dict[str, np.ndarray],
                       carry: Carry | None) -> None:
    """The parts of a version whose documents whoosh may have numbered anew (a change that
    merged segments anywhere): every document's id and facets are read again; without
    `carry` (the tests' reference), the postings too, from whoosh."""
    ix = whoosh_index.open_dir(str(layout.whoosh))
    records = layout.record_store()
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


def _finish_shifted(layout: Layout, report: BuildReport, pairs: dict[str, np.ndarray],
                    carry: Carry) -> bool:
    """The parts of a version whose whoosh index kept the numbers of the documents below
    `carry.kept`: the live version's parts with the changed documents masked out, the new
    ones added and the merged ones renumbered, in one pass over each array (no re-reading of
    whoosh or of every record, no sort). False, with nothing written, when whoosh did not
    number the documents as shift.py expects."""
    live, kept, before = carry.live, carry.kept, carry.facets
    dead = np.fromiter((rid in carry.changed for rid in before.ids), dtype=bool,
                       count=before.size)
    moved = np.flatnonzero(before.alive[kept:] & ~dead[kept:]) + kept
    ix = whoosh_index.open_dir(str(layout.whoosh))
    try:
        with ix.reader() as reader:
            size = reader.doc_count_all()
            new_ids = [reader.stored_fields(d)["id"] for d in range(kept, size)]
            report.records = reader.doc_count()
            schema = reader.schema
    finally:
        ix.close()
    added = new_ids[: max(0, len(new_ids) - moved.size)]
    stay = int((before.alive[:kept] & ~dead[:kept]).sum())
    if (before.size != carry.size or sorted(added) != sorted(carry.terms)
            or new_ids[len(added):] != [before.ids[d] for d in moved.tolist()]
            or report.records != stay + len(new_ids)):
        return False
    shift = Shift(dead, kept, len(added), moved)
    for name in version.SCORED_FIELDS:
        fresh = {kept + i: carry.terms[rid].get(name, []) for i, rid in enumerate(added)}
        postings.append(live.postings(name), shift, fresh,
                        schema[name].format.field_boost, layout.postings(name))
    phrases.append(live.phrase_keys, live.phrase_docs, shift,
                   ((kept + i, pairs[rid]) for i, rid in enumerate(added)),
                   layout.phrase_keys, layout.phrase_docs)
    old_records, records = live.record_store(), layout.record_store()
    try:
        gone = old_records.facets_of(sorted(carry.changed))
        rows = records.facets_of(added)
        after = before.changed(shift, [(rid, rows[rid]) for rid in added], gone.values(),
                               carry.changed, records.facets_of)
    finally:
        old_records.close()
        records.close()
    after.save(layout.facet_arrays, layout.facet_values)
    return True


def _carry_postings(carry: Carry, layout: Layout, schema, docs: list, size: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Flat postings of the new version from the live one plus the new records' terms;
    returns the live version's phrase pairs that stay, renumbered."""
    live = carry.live
    new_doc = {rid: docnum for docnum, rid, _ in docs}
    base_ids = carry.facets.ids
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
    strict: bool = False  # any skipped input stops the write before it publishes
    # bytes a build may hold of postings and phrase pairs: past it, they go to sorted runs
    memory: int = DEFAULT_MEMORY


def _check_worth_publishing(report: BuildReport, options: WriteOptions) -> None:
    """Refuse, before anything is published, a write that changes nothing (no good record)
    or, with `strict`, one that skipped an input; the versions stay as they were."""
    if not report.indexed:
        raise BuildError("no valid records in the sources; nothing published, the index "
                         "is unchanged", report.failures)
    if options.strict and report.failures:
        raise BuildError(f"{len(report.failures)} input(s) skipped and --strict given; "
                         f"nothing published, the index is unchanged", report.failures)


def build(sources: Iterable[str | Path], index_dir: Path, progress: bool | None = None,
          workers: int | None = None, options: WriteOptions | None = None) -> BuildReport:
    """A fresh index from sources, swapped in atomically; bad inputs are skipped and reported."""
    options = options or WriteOptions()
    started = time.perf_counter()
    parsers = _Parsers(workers)  # first: each parser process holds only what is loaded now
    try:
        paths = expand(sources)
        if blocker := next((p for p in (index_dir, *index_dir.parents) if p.is_file()), None):
            raise BuildError(f"cannot make an index at {index_dir}: {blocker} is a file")
        report = BuildReport()
        with version.write_lock(index_dir, options.wait, "build", options.on_wait), \
                version.writing(index_dir) as layout:
            units = build_units(paths)
            del paths
            collected = Collector(max(options.memory, MIN_MEMORY), layout.root / RUNS_FOLDER)
            rows = RecordStore(layout.records)
            try:
                with _progress(len(units), "indexing", progress) as bar:
                    for batch in parsers.prepared(units):
                        report.failures += batch.failures
                        rows.put_many(batch.rows)
                        collected.add(batch)
                        bar.update(batch.units)
                rows.commit()
            finally:
                rows.close()
                parsers.close()
            del units
            report.phases["read, analyse, store"] = round(time.perf_counter() - started, 3)
            report.indexed = report.records = collected.size
            _check_worth_publishing(report, options)
            report.runs = collected.spills
            collected.write(layout, report.phases)
            clock = time.perf_counter()
            _complete(layout, report)
            version.publish(index_dir, layout, options.keep)
            report.phases["sync and publish"] = round(time.perf_counter() - clock, 3)
    finally:
        parsers.close()
    report.seconds = time.perf_counter() - started
    return report


BATCH = 48  # units per batch: small enough to keep both cores busy to the end
PARALLEL_UNITS = 200  # below this, starting parser processes costs more than it saves
IN_FLIGHT = 4  # batches handed to each parser process ahead of the writer


class _Parsers:
    """A build's parser processes. Started (forked) before the build reads its list of
    sources, so none holds a copy of it; a build with too few units to gain from them
    prepares its batches in the writer instead."""

    def __init__(self, workers: int | None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        if self.workers >= 2:
            self.pool = ProcessPoolExecutor(max_workers=self.workers, initializer=start_parser,
                                            mp_context=die_with_parent.pool_context())
            self.pool.submit(int)  # with the fork start method, every worker starts now

    def prepared(self, units: list) -> Iterator[Batch]:
        """Prepared batches in source order, at most IN_FLIGHT per process ahead of the
        caller (finished batches wait in the writer's memory until it takes them)."""
        batches = (units[i:i + BATCH] for i in range(0, len(units), BATCH))
        if self.pool is None or len(units) < PARALLEL_UNITS:
            self.close()
            yield from map(prepare, batches)
            return
        ahead: deque = deque()
        warming = ReadAhead()
        try:
            for batch in batches:
                # A batch waits behind the others handed out: its pages are read in
                # meanwhile.
                warming.add(page_paths(batch))
                ahead.append(self.pool.submit(prepare, batch))
                if len(ahead) >= IN_FLIGHT * self.workers:
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()
        finally:
            warming.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


# An update appends a small whoosh segment and keeps every document's number, so the other
# parts are carried over in one pass (shift.py). Small segments pile up; a change merges the
# last ones once more than MAX_SMALL_SEGMENTS of them can be merged together: counted from
# the last one back, under MERGE_DOCS documents in all (whoosh merges about a thousand a
# second), each no bigger than those after it together (so a document is merged a few times
# at most, and merged segments grow by steps: 10, 80, 650 documents). The numbers before
# them stay, so that is one pass too. Replaced documents stay as deleted ones: past
# 1/DEAD_SHARE of all documents, a change merges the small segments and those with over
# 1/DEAD_SHARE of theirs deleted, wherever they are, and every part is renumbered (slow,
# and rare).
MERGE_DOCS = 1000
MAX_SMALL_SEGMENTS = 8
DEAD_SHARE = 4


@dataclass(frozen=True)
class _Plan:
    """How a change commits to whoosh: `merge` (a whoosh merge policy, or None to merge
    nothing) and the documents whose numbers it keeps (`kept`; None: renumbered)."""

    merge: Callable[[Any, list], list] | None
    kept: int | None


def _plan(segments: list) -> _Plan:
    """The plan for a change to a whoosh index with these segments (see MERGE_DOCS)."""
    sizes = [s.doc_count_all() for s in segments]
    if sum(s.deleted_count() for s in segments) * DEAD_SHARE > sum(sizes):
        return _Plan(_merge_small_and_dead, None)
    merged = total = 0
    for size in reversed(sizes):
        if total + size >= MERGE_DOCS or (merged >= 2 and size > total):
            break
        merged, total = merged + 1, total + size
    if merged <= MAX_SMALL_SEGMENTS:
        return _Plan(None, sum(sizes))
    first = len(sizes) - merged
    return _Plan(partial(_merge_from, first=first), sum(sizes[:first]))


def _merge_into(writer, segments: list) -> None:
    from whoosh.reading import SegmentReader

    for segment in segments:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)  # its deleted documents are left out
        reader.close()


def _merge_from(writer, segments: list, first: int) -> list:
    """A whoosh merge policy: the segments from `first` on are merged into the one being
    written, after its own documents; those before keep their place and numbers."""
    _merge_into(writer, segments[first:])
    return segments[:first]


def _merge_small_and_dead(writer, segments: list) -> list:
    """A whoosh merge policy: the small segments and those with over 1/DEAD_SHARE of their
    documents deleted are merged into the one being written; the others stay, in order.
    With over 1/DEAD_SHARE of all documents deleted, one segment at least is merged."""
    merged = [s for s in segments if s.doc_count_all() < MERGE_DOCS
              or s.deleted_count() * DEAD_SHARE > s.doc_count_all()]
    _merge_into(writer, merged)
    return [s for s in segments if s not in merged]


@contextmanager
def _change_writer(ix, merge: Callable[[Any, list], list] | None):
    """A writer for small changes; cancelled on error so the copy is never half-written.
    Committed with the merge policy `merge`, or merging nothing."""
    writer = ix.writer(limitmb=WRITER_MB)
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    if merge is None:
        writer.commit(merge=False)
    else:
        writer.commit(mergetype=merge)


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
    docnums: dict[str, int]  # id -> number of each live document, as the writer numbers them
    rows: RecordStore
    words: Counter
    written: forms.WrittenForms | None  # the live version's written forms, gaining the new
    pairs: dict[str, np.ndarray] = field(default_factory=dict)  # new records' phrase pairs

    def remove(self, rid: str) -> None:
        """Mark the record's document deleted in the new version (if it has one)."""
        docnum = self.docnums.pop(rid, None)
        if docnum is not None:
            self.writer.delete_document(docnum)


def _live_docnums(data: FacetData) -> dict[str, int]:
    """id -> document number of every live document of a version, from its facet arrays
    (they list the ids by number, as whoosh numbers them): whoosh keeps the id stored, not
    indexed."""
    return {data.ids[n]: n for n in np.flatnonzero(data.alive).tolist()}


@contextmanager
def _changing(index_dir: Path, options: WriteOptions, command: str, report: BuildReport
              ) -> Iterator[_Change]:
    """Under the write lock, a new version started from the live one: whoosh never rewrites
    a segment file (a commit writes new segments and a new table of contents, deletions
    live in the table), so the segments are hard links, and so is the record store, changed
    through a small delta (store.py). After the block, the lexicon, postings and pairs are
    carried over with the changes, and the version is completed and published."""
    with version.write_lock(index_dir, options.wait, command, options.on_wait), \
            version.writing(index_dir) as layout:
        live = version.current(index_dir)
        shutil.copytree(live.whoosh, layout.whoosh, copy_function=_link_or_copy)
        ix = whoosh_index.open_dir(str(layout.whoosh))
        live_delta = live.records_delta if live.records_delta.is_file() else None
        rows = RecordStore.changing(live.records, live_delta, layout.records,
                                    layout.records_delta, _link_or_copy)
        try:
            segments = ix._segments()  # whoosh 2.7.4 (pinned)
            plan = _plan(segments)
            carry = Carry(live, FacetData.load(live.facet_arrays, live.facet_values), set(),
                          kept=plan.kept, size=sum(s.doc_count_all() for s in segments))
            words = lexicon.read_counts(live.lexicon_counts)
            written = forms.WrittenForms.load(live.written_forms)
            with _change_writer(ix, plan.merge) as writer:
                change = _Change(carry, writer, _live_docnums(carry.facets), rows, words,
                                 written)
                yield change
            rows.commit()
            lexicon.write(layout.lexicon_counts, change.words)
            if change.written is not None:  # else the live version had none: neither has this
                change.written.save(layout.written_forms)
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
    options = options or WriteOptions()
    with _changing(index_dir, options, "update", report) as change:
        batch = []
        for item in read_sources(paths, unique=True):
            if isinstance(item, Failure):
                report.failures.append(item)
                continue
            tokens = record_tokens(item)
            terms = record_terms(item, tokens)
            change.remove(item.id)
            change.writer.add_document(**record_to_doc(item, terms))
            old = change.rows.get(item.id)
            lexicon.adjust(change.words, [record_words(item, tokens)],
                           [record_words(Record.from_dict(old))] if old else [])
            change.pairs[item.id] = phrases.record_pairs(item, terms)
            if change.written is not None:
                change.written.add(forms.written(tokens.get(BODY_FIELD, ())))
            change.carry.terms[item.id] = terms
            change.carry.changed.add(item.id)
            batch.append(record_row(item)[0])
        report.indexed = len(batch)
        _check_worth_publishing(report, options)
        change.rows.put_many(batch)
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
            change.remove(rid)
            change.rows.delete([rid])
            change.carry.changed.add(rid)
            report.indexed += 1
        if not report.indexed:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more"
                                              if len(missing) > 5 else "")
            raise BuildError(f"not in the index: {shown}; nothing published, the index is "
                             f"unchanged")
    report.seconds = time.perf_counter() - started
    return report, missing
