"""The one owner of an index version: its parts, and how a version is written, published,
opened, checked, closed, kept and rolled back.

    DIR/CURRENT                   name of the live version (replaced atomically)
    DIR/.lock                     the write lock (fcntl.flock) and who holds it
    DIR/versions/<name>/          one complete, immutable version:
        whoosh/                   the inverted index (id, text fields; see schema.py)
        records.sqlite            id -> record JSON and its facet summary (store.py); after
                                  an update, shared with the version before (a hard link)
        records-delta.sqlite      what updates changed since records.sqlite (store.py): only
                                  in a version an update or a delete made
        facets.npz, facets.json   per-document facet arrays and their values (facetdata.py)
        postings-<field>.*        flat copy of each scored field's postings (postings.py)
        phrases.keys/docs.npy     adjacent word pairs (phrases.py)
        lexicon.json              the spelling lexicon (lexicon.py)
        written.json              the free text's words as written, by key (forms.py);
                                  absent from versions of an older atlas
        meta.json                 format, name, build time, record count and each
                                  part's size and checksum (checksums.py): written last
        .unpublished              made first, removed once CURRENT has named the version

A version is complete when its meta.json exists: every other part is written and synced
first. Publishing is the commit point: a complete version becomes one of the index's
versions only when CURRENT names it (its .unpublished marker is removed then), so a version
a killed writer completed but never published is never listed, rolled back to or counted
as kept. (A version folder copied back from a backup has no marker: it is a version.)
Writers (`build`, `update`, `delete`, `rollback`) hold the write lock for the whole write;
the one holding it removes what a killed writer left, half written or unpublished.
Readers only ever open the version CURRENT names, so they never see a partial one.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import checksums
from .errors import BuildError, IndexUnavailable
from .postings import PostingsFiles

if TYPE_CHECKING:
    from .store import RecordStore

FORMAT = 6  # bumped whenever a part changes shape: older versions are refused, not misread
# Formats this code reads: the current one. Format 6 adds the `accents` field (whoosh and
# flat postings: the written forms of each stem a record writes with diacritics); without
# it a query typed with accents could not be answered as this atlas answers it, so an older
# version is refused with the command that rebuilds it.
READS = (6,)
CURRENT = "CURRENT"
UNPUBLISHED = ".unpublished"
VERSIONS = "versions"
LOCK_FILE = ".lock"
KEEP = 2  # the live version and the one before it
SCORED_FIELDS = ("title", "body", "themes", "names", "accents")


@dataclass(frozen=True)
class Layout:
    """Where each part of one version lives."""

    root: Path

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def whoosh(self) -> Path:
        return self.root / "whoosh"

    @property
    def records(self) -> Path:
        return self.root / "records.sqlite"

    @property
    def records_delta(self) -> Path:
        return self.root / "records-delta.sqlite"

    def record_store(self) -> RecordStore:
        """The version's record store, read-only: `records`, changed by `records_delta` if
        the version has one."""
        from .store import RecordStore

        delta = self.records_delta if self.records_delta.is_file() else None
        return RecordStore(self.records, readonly=True, delta=delta)

    @property
    def facet_arrays(self) -> Path:
        return self.root / "facets.npz"

    @property
    def facet_values(self) -> Path:
        return self.root / "facets.json"

    @property
    def phrase_keys(self) -> Path:
        return self.root / "phrases.keys.npy"

    @property
    def phrase_docs(self) -> Path:
        return self.root / "phrases.docs.npy"

    @property
    def lexicon_counts(self) -> Path:
        return self.root / "lexicon.json"

    @property
    def written_forms(self) -> Path:
        return self.root / "written.json"

    @property
    def meta(self) -> Path:
        return self.root / "meta.json"

    @property
    def unpublished(self) -> Path:
        """The marker of a version CURRENT has never named (see the module's text)."""
        return self.root / UNPUBLISHED

    def postings(self, field: str) -> PostingsFiles:
        stem = f"postings-{field}"
        return PostingsFiles(self.root / f"{stem}.json", self.root / f"{stem}.npz",
                             self.root / f"{stem}.docs.npy", self.root / f"{stem}.tf.npy")

    def warm_files(self) -> list[Path]:
        """Parts read on demand by position, largest payoff first: records (every hit), then
        posting slices and phrase pairs."""
        files = [self.records, self.records_delta]
        files += [self.postings(f).docs for f in SCORED_FIELDS]
        files += [self.postings(f).tf for f in SCORED_FIELDS]
        return files + [self.phrase_keys, self.phrase_docs]

    def read_meta(self) -> dict[str, Any]:
        return json.loads(self.meta.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- finding versions


def current(index_dir: Path) -> Layout:
    """The live version; raises IndexUnavailable with one clear reason."""
    index_dir = Path(index_dir)
    rebuild = f"run 'atlas build SOURCE --index {index_dir}'"
    if not index_dir.is_dir():
        raise IndexUnavailable(f"no index at {index_dir} ({rebuild})")
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        raise IndexUnavailable(f"no index at {index_dir} (no {CURRENT} file; {rebuild})") from None
    layout = Layout(index_dir / VERSIONS / name)
    if not name or "/" in name or name.startswith(".") or not layout.meta.is_file():
        raise IndexUnavailable(
            f"corrupt index at {index_dir}: version {name!r} is missing or incomplete")
    check_format(layout)
    return layout


class LiveVersion:
    """The live version of an index directory for a reader asking on every request: CURRENT
    is read again (and the version's format checked) only when its file changed, which a
    stat tells; a publish or a rollback renames a new file over it."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._current = self.index_dir / CURRENT
        self._seen: tuple[int, int, int, int] | None = None
        self._layout: Layout | None = None

    def get(self) -> Layout:
        """The live version; raises IndexUnavailable with one clear reason."""
        try:
            st = os.stat(self._current)
        except OSError:
            return current(self.index_dir)  # raises, saying what is missing
        seen = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        if seen != self._seen or self._layout is None:
            # Stat first: a CURRENT replaced after it is seen as changed on the next call.
            self._layout = current(self.index_dir)
            self._seen = seen
        return self._layout


def check_format(layout: Layout) -> dict[str, Any]:
    """The version's meta, or IndexUnavailable when this code cannot read its format."""
    try:
        meta = layout.read_meta()
    except (OSError, ValueError) as exc:
        raise IndexUnavailable(f"corrupt index version {layout.name}: meta.json: {exc}") from None
    found = meta.get("format")
    if found not in READS:
        raise IndexUnavailable(
            f"index version {layout.name} has format {found}, this atlas reads formats "
            f"{', '.join(map(str, READS))}: rebuild it with 'atlas build SOURCE --index "
            f"{layout.root.parent.parent}'")
    return meta


@dataclass(frozen=True)
class VersionInfo:
    name: str
    live: bool
    records: int | None
    built_at: str | None
    complete: bool


def versions(index_dir: Path) -> list[VersionInfo]:
    """Every complete, published version, newest first, the live one marked."""
    live = _live_name(index_dir)
    out = []
    for path in sorted(_version_dirs(index_dir), key=lambda p: p.name, reverse=True):
        layout = Layout(path)
        if not layout.meta.is_file():
            continue
        if layout.unpublished.exists() and path.name != live:
            continue  # being written, or completed by a writer killed before publishing
        try:
            meta = layout.read_meta()
        except (OSError, ValueError):
            continue
        out.append(VersionInfo(path.name, path.name == live, meta.get("records"),
                               meta.get("built_at"), meta.get("format") in READS))
    return out


def _version_dirs(index_dir: Path) -> list[Path]:
    root = Path(index_dir) / VERSIONS
    return [p for p in root.iterdir() if p.is_dir()] if root.is_dir() else []


def _live_name(index_dir: Path) -> str:
    try:
        return (Path(index_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


# ---------------------------------------------------------------- the write lock


class LockTimeout(BuildError):
    """Another writer held the index for longer than we were willing to wait."""


@contextmanager
def write_lock(index_dir: Path, wait: float = 600, command: str = "write",
               on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's exclusive write lock for the block.

    An OS lock (flock): the kernel drops it when its holder dies, however it dies, so a
    killed writer never blocks the next. Who holds it is written into the lock file, for
    the message of a writer that waits. Leftovers of dead writers are removed on entry.
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read_holder(fd)
                if time.monotonic() >= deadline:
                    raise LockTimeout(
                        f"index {index_dir} is locked by {holder}; gave up after {wait:g} s "
                        f"(--wait SECONDS to wait longer)") from None
                if not told and on_wait is not None:
                    on_wait(f"waiting for the index lock on {index_dir}, held by {holder}")
                    told = True
                time.sleep(0.05)
        _write_holder(fd, command)
        remove_leftovers(index_dir)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _write_holder(fd: int, command: str) -> None:
    since = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"atlas {command} (pid {os.getpid()}, since {since})"
    os.ftruncate(fd, 0)
    os.pwrite(fd, text.encode("utf-8"), 0)


def _read_holder(fd: int) -> str:
    text = os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
    return text or "another writer"


def remove_leftovers(index_dir: Path) -> list[str]:
    """What killed writers left: version folders without meta.json, complete versions that
    were never published (a writer killed between finishing and publishing) and pointer
    temp files. Only called with the write lock held, so nothing here is being written."""
    removed = []
    live = _live_name(index_dir)
    for path in _version_dirs(index_dir):
        layout = Layout(path)
        if path.name == live:
            # Killed between naming it in CURRENT and removing its marker: published.
            layout.unpublished.unlink(missing_ok=True)
        elif not layout.meta.is_file() or layout.unpublished.exists():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    for tmp in Path(index_dir).glob(f".{CURRENT}.*"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp.name)
    return removed


# ---------------------------------------------------------------- writing and publishing


def new_version(index_dir: Path) -> Layout:
    """An empty version folder; names sort by creation time."""
    now = datetime.now(timezone.utc)
    name = f"{now:%Y%m%dT%H%M%S}{now.microsecond:06d}-{secrets.token_hex(3)}"
    path = Path(index_dir) / VERSIONS / name
    path.mkdir(parents=True)
    layout = Layout(path)
    layout.unpublished.touch()  # until CURRENT names it
    return layout


def finish(layout: Layout, meta: dict[str, Any]) -> None:
    """Make a fully written version complete: sync its parts, then write meta.json, with
    each part's size and checksum, last."""
    _sync_tree(layout.root)
    meta = {"format": FORMAT, "version": layout.name, **meta,
            "checksums": {"algorithm": checksums.ALGORITHM,
                          "parts": checksums.compute(layout.root)}}
    tmp = layout.root / ".meta.json.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, layout.meta)
    _sync_dir(layout.root)


def publish(index_dir: Path, layout: Layout, keep: int = KEEP) -> None:
    """Point CURRENT at a complete version with an atomic rename (the commit point), remove
    its unpublished marker, then prune old versions. Called with the write lock held."""
    index_dir = Path(index_dir)
    if not layout.meta.is_file():
        raise BuildError(f"version {layout.name} is not complete; not published")
    tmp = index_dir / f".{CURRENT}.{secrets.token_hex(4)}"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(layout.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _sync_dir(index_dir)
    if layout.unpublished.exists():
        layout.unpublished.unlink()
        _sync_dir(layout.root)
    prune(index_dir, keep)


def prune(index_dir: Path, keep: int = KEEP) -> list[str]:
    """Keep the live version and the `keep - 1` newest others; returns what was removed."""
    live = current(index_dir).name
    others = [v.name for v in versions(index_dir) if not v.live]
    removed = []
    for name in others[max(0, keep - 1):]:
        if name != live:
            shutil.rmtree(Path(index_dir) / VERSIONS / name, ignore_errors=True)
            removed.append(name)
    return removed


def discard(layout: Layout) -> None:
    shutil.rmtree(layout.root, ignore_errors=True)


@contextmanager
def writing(index_dir: Path) -> Iterator[Layout]:
    """A new version folder for the block; removed if the block fails (the live one is
    never touched), kept for `finish` and `publish` otherwise."""
    layout = new_version(index_dir)
    try:
        yield layout
    except (OSError, sqlite3.Error) as exc:  # a full disk, a quota, an I/O error
        discard(layout)
        raise BuildError(f"could not write version {layout.name}: {exc}; the live index is "
                         f"unchanged") from exc
    except BaseException:
        discard(layout)
        raise


def rollback(index_dir: Path, name: str | None = None, keep: int = KEEP) -> VersionInfo:
    """Make the named version, or the newest one older than the live, live. Call with the
    write lock held."""
    kept = versions(index_dir)
    live = next((v for v in kept if v.live), None)
    if name is None:
        older = [v for v in kept if live is not None and v.name < live.name and v.complete]
        if not older:
            raise BuildError(f"no earlier version to roll back to in {index_dir}")
        target = older[0]
    else:
        target = next((v for v in kept if v.name == name), None)
        if target is None:
            raise BuildError(f"no complete version {name!r} in {index_dir} "
                             f"(see 'atlas versions --index {index_dir}')")
        if not target.complete:
            raise BuildError(f"version {name!r} has another format; rebuild instead")
    layout = Layout(Path(index_dir) / VERSIONS / target.name)
    problem = inspect(layout).problem
    if problem:
        raise BuildError(f"refusing to roll back to version {target.name}: {problem} (see "
                         f"'atlas check --index {index_dir} --version {target.name}')")
    publish(index_dir, layout, keep=max(keep, len(kept)))  # a rollback deletes nothing
    return target


# ---------------------------------------------------------------- checking


def verify(layout: Layout, meta: dict[str, Any] | None = None) -> list[str] | None:
    """The damaged parts of a version, each with its reason (empty: every part matches its
    checksum), or None for a version made before parts carried checksums."""
    meta = layout.read_meta() if meta is None else meta
    sums = meta.get("checksums")
    if not isinstance(sums, dict) or not isinstance(sums.get("parts"), dict):
        return None
    if sums.get("algorithm") != checksums.ALGORITHM:
        return [f"meta.json (unknown checksum algorithm {sums.get('algorithm')!r})"]
    return checksums.damaged(layout.root, sums["parts"])


@dataclass(frozen=True)
class Inspection:
    """What `inspect` found: the parts checked (None: the version has no checksums), and the
    reason it cannot be used, if any."""

    name: str
    parts: int | None
    problem: str | None


def inspect(layout: Layout) -> Inspection:
    """Check a version as a reader would use it: its format, every part's checksum, then
    open it (its parts must agree with each other)."""
    try:
        meta = check_format(layout)
        damaged = verify(layout, meta)
    except IndexUnavailable as exc:
        return Inspection(layout.name, None, str(exc))
    parts = None if damaged is None else len(meta["checksums"]["parts"])
    if damaged:
        return Inspection(layout.name, parts, "damaged parts: " + ", ".join(damaged))
    try:
        OpenVersion(layout, verified=True).close()
    except Exception as exc:  # whatever a damaged part makes a reader raise
        return Inspection(layout.name, parts, f"cannot be opened: {_reason(exc)}")
    return Inspection(layout.name, parts, None)


def _reason(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, (IndexUnavailable, ValueError)) and str(exc) \
        else f"{type(exc).__name__}: {exc}"


def intact_fallback(index_dir: Path) -> str | None:
    """The newest kept version other than the live one that passes `inspect`: what to roll
    back to when the live one is damaged."""
    for info in versions(index_dir):
        if not info.live and info.complete:
            found = inspect(Layout(Path(index_dir) / VERSIONS / info.name))
            if found.problem is None:
                return info.name
    return None


# ---------------------------------------------------------------- durability


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        with suppress(OSError):
            _sync_dir(Path(folder))


# ---------------------------------------------------------------- reading


class OpenVersion:
    """Every part of one complete version, opened for reading; `check` refuses a damaged one."""

    def __init__(self, layout: Layout, verified: bool = False) -> None:
        from whoosh.filedb.filestore import FileStorage

        from .facetdata import FacetData
        from .forms import WrittenForms
        from .lexicon import SpellingReader
        from .phrases import PhraseIndex
        from .postings import FlatPostings

        self.layout = layout
        self.meta = check_format(layout)
        # Every part against its checksum first (about 15 ms for 12,000 records): flipped
        # bytes would otherwise give errors, or silently different answers, much later.
        damaged = None if verified else verify(layout, self.meta)
        if damaged:
            raise IndexUnavailable(f"damaged index version {layout.name}: "
                                   f"{', '.join(damaged)}")
        self._closers: list[Callable[[], None]] = []
        try:
            # Plain reads, not mmap: whoosh maps whole segment files, which would count the
            # index in every worker's resident memory; the numpy matcher rarely needs whoosh.
            self.ix = FileStorage(str(layout.whoosh), supports_mmap=False).open_index()
            self._closers.append(self.ix.close)
            self.searcher = self.ix.searcher()
            self._closers.append(self.searcher.close)
            self.records = layout.record_store()
            self._closers.append(self.records.close)
            self.facets = FacetData.load(layout.facet_arrays, layout.facet_values)
            self.postings = {f: FlatPostings(layout.postings(f)) for f in SCORED_FIELDS}
            self._closers += [p.close for p in self.postings.values()]
            self.phrases = PhraseIndex(layout.phrase_keys, layout.phrase_docs)
            self._closers.append(self.phrases.close)
            self.spelling = SpellingReader(self.searcher.reader(), layout.lexicon_counts)
            self.forms = WrittenForms.load(layout.written_forms)
            self.check()
        except BaseException:
            self.close()
            raise

    def check(self) -> None:
        """The parts must agree: as many live documents, stored records and facet rows."""
        live = int(self.facets.alive.sum())
        docs, stored = self.searcher.doc_count(), self.records.count()
        if docs != live or stored != live or self.meta.get("records") != live:
            raise ValueError(
                f"inconsistent index version {self.layout.name}: {docs} documents, {stored} "
                f"stored records, {live} facet rows, meta says {self.meta.get('records')}")
        for field, flat in self.postings.items():
            if flat.lengths.size != self.facets.size:
                raise ValueError(f"postings of {field} in {self.layout.name} do not match "
                                 f"the documents")
        if live:
            import numpy as np

            first = self.facets.ids[int(np.flatnonzero(self.facets.alive)[0])]
            if self.records.get_json(first) is None:
                raise ValueError(f"record store of {self.layout.name} is missing {first!r}")

    def close(self) -> None:
        while self._closers:
            with suppress(Exception):
                self._closers.pop()()
