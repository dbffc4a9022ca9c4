"""The page-cache warmer reads every file whole, skips missing ones and can be stopped."""

from __future__ import annotations

import threading
from pathlib import Path

from search_app.engine.warm import CHUNK, read_through, warm_in_background


def test_reads_each_file_whole_and_skips_missing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"x" * (CHUNK * 2 + 5))
    b.write_bytes(b"y" * 7)
    assert read_through([a, tmp_path / "missing", b], threading.Event()) == CHUNK * 2 + 12


def test_a_set_event_stops_the_reading(tmp_path: Path) -> None:
    a = tmp_path / "a.bin"
    a.write_bytes(b"x" * (CHUNK * 3))
    stop = threading.Event()
    stop.set()
    assert read_through([a], stop) == 0


def test_background_warming_finishes(tmp_path: Path) -> None:
    a = tmp_path / "a.bin"
    a.write_bytes(b"x" * 10)
    stop = warm_in_background([a])
    threads = [t for t in threading.enumerate() if t.name == "atlas-warm"]
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads)
    assert not stop.is_set()
