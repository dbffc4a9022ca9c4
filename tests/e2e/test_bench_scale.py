"""The scale benchmark's pieces: tree memory counts the children, the table reaches the README."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.scale import MARKERS, markdown, put_in_readme
from bench.treemem import measure

CHILD = "x = bytearray(120_000_000); x[::4096] = b'1' * len(x[::4096]); import time; " \
        "time.sleep(1.0)"


def test_tree_memory_counts_the_children() -> None:
    parent = ("import subprocess, sys; "
              f"subprocess.run([sys.executable, '-c', {CHILD!r}], check=True)")
    figures = measure([sys.executable, "-c", parent], interval=0.05)
    assert figures["returncode"] == 0
    assert figures["peak_processes"] == 2
    assert figures["peak_rss_mb"] > 120  # the child's pages, seen from the parent's tree


def _result() -> dict:
    return {"records": 600_000, "timestamp": "20260101T000000Z", "memory": "default",
            "machine": {"cpus": 2, "python": "3.11"}, "git": {"commit": "abcdef1234567"},
            "build": {"seconds": 512.3, "peak_rss_mb": 1500.0, "index_bytes": 2_500_000_000,
                      "phases": {"sorted runs spilled": "21"}},
            "engine_inprocess": {"search": {"p50_ms": 30.0, "p95_ms": 45.0}},
            "tantivy": {"p50_ms": 10.0, "p95_ms": 20.0},
            "updates": {"median_s": 4.2, "max_peak_rss_mb": 300.0},
            "targets": [{"target": "build from pages <= 600 s", "value": 512.3,
                         "pass": True}]}


def test_table_and_readme(tmp_path: Path) -> None:
    table = markdown(_result())
    assert "| build peak RSS, writer + parser processes, MB | 1,500 |" in table
    assert "| engine / tantivy: p50 / p95 | 3.00 / 2.25 |" in table
    assert "| sorted runs spilled (`--memory default`) | 21 |" in table.replace("  ", "")
    readme = tmp_path / "README.md"
    start, end = MARKERS
    readme.write_text(f"before\n{start}\nold table\n{end}\nafter\n", encoding="utf-8")
    assert put_in_readme(table, readme)
    text = readme.read_text(encoding="utf-8")
    assert "old table" not in text and table in text
    assert text.startswith("before\n") and text.endswith(f"{end}\nafter\n")
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n", encoding="utf-8")
    assert not put_in_readme(table, plain)
