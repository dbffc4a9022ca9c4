"""The writer reading page files ahead of the parsers (`indexer.readahead`)."""

from __future__ import annotations

import threading
from pathlib import Path

from indexer import build as build_mod
from indexer import readahead
from indexer.sources import expand


def test_the_read_ahead_warms_every_path_given_in_order(tmp_path: Path, monkeypatch) -> None:
    warmed: list[str] = []
    done = threading.Event()

    def record(path: str) -> None:
        warmed.append(path)
        if path == "last":
            done.set()

    monkeypatch.setattr(readahead, "warm", record)
    ahead = readahead.ReadAhead()
    ahead.add(["a", "b"])
    ahead.add([])
    ahead.add(["c", "last"])
    assert done.wait(10)
    ahead.close()
    assert warmed == ["a", "b", "c", "last"]


def test_a_closed_read_ahead_stops_at_the_next_file(monkeypatch) -> None:
    started, release = threading.Event(), threading.Event()
    warmed: list[str] = []

    def slow(path: str) -> None:
        warmed.append(path)
        started.set()
        release.wait(10)

    monkeypatch.setattr(readahead, "warm", slow)
    ahead = readahead.ReadAhead()
    ahead.add(["first", "second", "third"])
    assert started.wait(10)
    ahead.close()
    release.set()
    ahead._thread.join(10)
    assert not ahead._thread.is_alive()
    assert warmed == ["first"]


def test_warming_a_file_leaves_it_whole_and_a_missing_one_to_the_parser(
        tmp_path: Path, monkeypatch) -> None:
    page = tmp_path / "p.txt"
    page.write_bytes(b"x" * 200_000)
    readahead.warm(str(page))
    readahead.warm(str(tmp_path / "gone.txt"))  # reported by the parser, not here
    monkeypatch.setattr(readahead, "_ADVISE", None)  # a system without fadvise reads it
    readahead.warm(str(page))
    assert page.read_bytes() == b"x" * 200_000


def test_a_parallel_build_hands_each_batch_of_pages_to_the_read_ahead(
        corpus_dir: Path, tmp_path: Path, monkeypatch) -> None:
    events: list[tuple[str, object]] = []

    class Recording:
        def add(self, paths: list[str]) -> None:
            events.append(("add", list(paths)))

        def close(self) -> None:
            events.append(("close", None))

    monkeypatch.setattr(build_mod, "ReadAhead", Recording)
    monkeypatch.setattr(build_mod, "PARALLEL_UNITS", 0)  # force parser processes
    monkeypatch.setattr(build_mod, "BATCH", 3)
    report = build_mod.build([corpus_dir], tmp_path / "index", progress=False, workers=2)
    pages = [str(p) for p in expand([corpus_dir]) if p.suffix == ".txt"]
    added = [path for kind, paths in events if kind == "add" for path in paths]
    assert added == pages  # every page once, in source order
    assert all(len(paths) <= 3 for kind, paths in events if kind == "add")
    assert events[-1] == ("close", None)
    assert report.indexed > 0
