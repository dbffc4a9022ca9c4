"""Where records come from: page files (.txt), JSON Lines files (.jsonl), or folders of them.

Each source item gives either a Record or a failure naming the file and the reason, so
callers can go on past bad input and report it at the end.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

from . import die_with_parent  # parser processes die with their parent
from .errors import ParseError, SourceError
from .parse import parse_file, record_id_for, unreadable
from .record import InvalidRecord, Record, record_from_json

PAGE_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SOURCE_SUFFIXES = PAGE_SUFFIXES | JSONL_SUFFIXES


@dataclass
class Failure:
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


def expand(sources: Iterable[str | Path], missing: list[Failure] | None = None) -> list[Path]:
    """Files named directly, and the .txt/.jsonl files under named folders (sorted).

    A source that does not exist, or a folder with no such file, raises SourceError (before
    anything is written), or is added to `missing` when given.
    """
    out: list[Path] = []
    for src in sources:
        path = Path(src)
        problem = None
        if path.is_dir():
            found = _files_under(path)
            out.extend(found)
            if not found:
                problem = "no page (.txt) or JSON Lines (.jsonl, .ndjson) file in this folder"
        elif path.is_file():
            out.append(path)
        elif path.is_symlink():
            problem = "a broken symbolic link (a loop, or a missing target)"
        else:
            problem = "no such file or directory"
        if problem and missing is not None:
            missing.append(Failure(str(path), problem))
        elif problem:
            raise SourceError(f"{path}: {problem}")
    return out


def _files_under(folder: Path) -> list[Path]:
    """The page and JSON Lines files under `folder`, in path order: what `folder.rglob("*")`
    lists (symbolic links to folders listed, not entered) filtered on suffix and on being a
    file, with one `scandir` entry per file instead of a Path object and a stat each.

    A broken symbolic link (a loop, or a missing target) is listed whatever its name: it
    is a source nobody can read, reported by name when read (`read_unit`), not a reason to
    stop nor one to skip in silence."""
    found: list[Path] = []
    folders = [os.fspath(folder)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                try:
                    if entry.is_dir():
                        if not entry.is_symlink():
                            folders.append(entry.path)
                        continue
                    broken = entry.is_symlink() and not entry.is_file()  # target missing
                except OSError:  # ELOOP: a symbolic link loop
                    broken = True
                if broken or (os.path.splitext(entry.name)[1].lower() in SOURCE_SUFFIXES
                              and entry.is_file()):
                    found.append(Path(entry.path))
    return sorted(found, key=lambda p: p.parts)  # Path order, without Path comparisons


def page_ids(pages: Iterable[Path]) -> dict[Path, str]:
    """The record id of each page file: its name folded to [A-Za-z0-9_-] (`record_id_for`).

    Different names that fold to one id (`x_café.txt`, `x_caf_.txt`) all keep their record:
    a name that had to be folded gets `-` and 8 hex digits of its own SHA-256, so the ids
    are the same on every build of the same files. The same name in two folders is the same
    record (the last one wins, as for any repeated id).
    """
    pages = list(pages)
    names: dict[str, set[str]] = {}
    for path in pages:
        names.setdefault(record_id_for(path), set()).add(path.stem)
    ids = {}
    for path in pages:
        rid = record_id_for(path)
        if len(names[rid]) > 1 and path.stem != rid:
            rid += "-" + hashlib.sha256(path.stem.encode("utf-8")).hexdigest()[:8]
        ids[path] = rid
    return ids


# A unit of work: a page file and its record id, one JSON Lines line, or a source already
# known to be unreadable.
Page = tuple[str, str]  # (path, record id); the path a string: a build lists many
Line = tuple[Path, int, bytes]
Unit = Page | Line | Failure


def _is_page(unit: Unit) -> bool:
    return not isinstance(unit, Failure) and len(unit) == 2


def page_paths(units: Iterable[Unit]) -> list[str]:
    """The page files among `units`, in order (a JSON Lines line is read already)."""
    return [unit[0] for unit in units if _is_page(unit)]  # type: ignore[index]


def read_unit(unit: Unit) -> Record | Failure:
    """The record of one unit, or the failure naming the source and the reason."""
    if isinstance(unit, Failure):
        return unit
    if _is_page(unit):
        path, record_id = unit
        try:
            return parse_file(Path(path), record_id)
        except ParseError as exc:
            return Failure(str(path), str(exc))
        except Exception as exc:  # a parser bug must not stop a whole build
            return Failure(str(path), f"unexpected parse error: {type(exc).__name__}: {exc}")
    path, number, raw = unit
    try:
        return record_from_json(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return Failure(f"{path}:{number}", f"not valid UTF-8: {exc.reason}")
    except InvalidRecord as exc:
        return Failure(f"{path}:{number}", str(exc))


def read_jsonl(path: Path) -> Iterator[Record | Failure]:
    """Records of a JSON Lines file; a line that breaks the record contract is a failure
    named `file:line` with the reason, and the other lines are still read."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Failure(str(path), unreadable(path, exc))
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield read_unit((path, number, raw))


def read_sources(paths: list[Path], workers: int | None = None, unique: bool = False
                 ) -> Iterator[Record | Failure]:
    """Records and failures from files, pages parsed on all cores when there are many.

    With `unique`, each id is given once: the last source holding it wins (pages are
    read before JSON Lines files; `build_units` decides), so the records can be indexed
    as they come. Without, JSON Lines files are streamed.
    """
    if unique:
        units = build_units(paths)
        jsonl: Iterable[Record | Failure] = ()
    else:
        units = list(page_ids(p for p in paths if p.suffix.lower() not in JSONL_SUFFIXES).items())
        jsonl = (item for path in paths if path.suffix.lower() in JSONL_SUFFIXES
                 for item in read_jsonl(path))
    workers = workers or os.cpu_count() or 1
    if len(units) >= 200 and workers > 1:
        with ProcessPoolExecutor(max_workers=workers,
                                 mp_context=die_with_parent.pool_context()) as pool:
            yield from pool.map(read_unit, units, chunksize=32)
    else:
        yield from map(read_unit, units)
    yield from jsonl


def build_units(paths: list[Path]) -> list[Unit]:
    """The work of a build, one unit per record to read, each id given once (the last source
    holding it wins), in source order: pages, then JSON Lines lines, an unreadable file as
    its failure in its place. Left unread, so that reading and analysing run in parallel
    (`read_unit`, in `indexer.prepare`'s batches).

    Each line's id is peeked at; an id held by several lines, or by a line and a page, is
    decided here by reading those lines in full, since a line that breaks the record
    contract never replaces a record (it is kept, to be reported as a failure).
    """
    lines: list[tuple[Path, int, bytes, str | None] | Failure] = []
    for path in paths:
        if path.suffix.lower() not in JSONL_SUFFIXES:
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            lines.append(Failure(str(path), unreadable(path, exc)))
            continue
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if raw.strip():
                lines.append((path, number, raw, _peek_id(raw)))
    ids = page_ids(p for p in paths if p.suffix.lower() not in JSONL_SUFFIXES)
    by_id = {rid: path for path, rid in ids.items()}  # one name in two folders: the last
    held = Counter(line[3] for line in lines if not isinstance(line, Failure) and line[3])
    contested = {rid for rid, n in held.items() if n > 1 or rid in by_id}
    valid = {i for i, line in enumerate(lines) if not isinstance(line, Failure)
             and line[3] in contested and _valid(line[2])}
    winner = {lines[i][3]: i for i in sorted(valid)}  # the last valid line of each id
    units: list[Unit] = [(os.fspath(path), rid) for path, rid in ids.items()
                         if by_id[rid] == path and rid not in winner]
    for i, line in enumerate(lines):
        if isinstance(line, Failure):
            units.append(line)
        elif line[3] not in contested or i not in valid or winner[line[3]] == i:
            units.append(line[:3])
    return units


def _peek_id(raw: bytes) -> str | None:
    try:
        data = orjson.loads(raw.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return None
    rid = data.get("id") if isinstance(data, dict) else None
    return rid if isinstance(rid, str) else None


def _valid(raw: bytes) -> bool:
    try:
        record_from_json(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, InvalidRecord):
        return False
    return True
