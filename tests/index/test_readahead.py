"""The read-ahead process of a build (`indexer.readahead`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from indexer import build as build_mod
from indexer import readahead
from indexer.sources import expand


def test_pipe_chunks_are_atomic_writes_of_whole_lines(tmp_path: Path) -> None:
    paths = [str(tmp_path / f"{'x' * (i % 90)}-{i}.txt") for i in range(400)]
    odd = [str(tmp_path / "new\nline.txt"), "/" + "y" * (readahead.ATOMIC + 1)]
    pieces = list(readahead.pipe_chunks(paths[:200] + odd + paths[200:]))
    assert all(0 < len(p) <= readahead.ATOMIC and p.endswith(b"\n") for p in pieces)
    assert b"".join(pieces).decode().splitlines() == paths  # in order, the odd ones left out


def test_the_process_reads_the_pages_it_is_sent_and_skips_the_missing(tmp_path: Path) -> None:
    pages = [tmp_path / f"p{i}.txt" for i in range(5)]
    for page in pages:
        page.write_bytes(b"page " * 1000)
    lines = b"".join(os.fsencode(p) + b"\n" for p in [tmp_path / "gone.txt", *pages])
    run = subprocess.run([sys.executable, "-I", "-c", readahead._CHILD], input=lines,
                         capture_output=True, timeout=60)
    assert run.returncode == 0 and run.stderr == b""
    assert all(page.read_bytes() == b"page " * 1000 for page in pages)


def test_a_read_ahead_that_falls_behind_never_holds_up_the_writer(tmp_path: Path) -> None:
    ahead = readahead.ReadAhead()
    assert ahead._proc is None and ahead.add([]) is False  # no pages, no process
    batch = [str(tmp_path / f"{'p' * 60}{i}.txt") for i in range(48)]
    assert ahead.add(batch)
    assert ahead._proc is not None
    os.kill(ahead._proc.pid, signal.SIGSTOP)  # it reads nothing more: the pipe fills
    try:
        started = time.perf_counter()
        sent = [ahead.add(batch) for _ in range(2_000)]  # far more than a pipe holds
        assert time.perf_counter() - started < 30
        assert sent[0] and not sent[-1]
    finally:
        os.kill(ahead._proc.pid, signal.SIGCONT)
        proc = ahead._proc
        ahead.close()
    assert proc.returncode is not None  # stopped with the build
    assert ahead.add(batch) is False  # closed: nothing is sent


def test_a_parallel_build_hands_each_batch_of_pages_to_the_read_ahead(
        corpus_dir: Path, tmp_path: Path, monkeypatch) -> None:
    events: list[tuple[str, object]] = []

    class Recording:
        def add(self, paths: list[str]) -> bool:
            events.append(("add", list(paths)))
            return True

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
