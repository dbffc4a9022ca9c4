"""Writing a run of synthetic pages to a folder, fast and in a deterministic order."""

from __future__ import annotations

import os
import random
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .page import generate_page


def page_rng(seed: int, index: int) -> random.Random:
    """The generator for page `index` of a run: pages are independent of each other."""
    return random.Random(f"atlas-synthetic:{seed}:{index}")


def _write(path: Path, text: str) -> None:
    # os-level write: pathlib's buffered open costs about as much as generating the page
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def _write_all(batch: list[tuple[Path, str]]) -> None:
    for path, text in batch:
        _write(path, text)


def generate(count: int, seed: int, out_dir: Path, progress: bool = False) -> int:
    """Write `count` pages to out_dir as UTF-8 `syn_*.txt`; returns the number written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    step = max(1, count // 20)
    # File creation is kernel time that releases the GIL: a writer thread overlaps it with
    # page generation. Contents never depend on write order, so output stays deterministic.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[None] | None = None
        batch: list[tuple[Path, str]] = []
        for i in range(count):
            page = generate_page(page_rng(seed, i), i)
            batch.append((out_dir / f"{page.id}.txt", page.text))
            if len(batch) == 128 or i == count - 1:
                if pending is not None:
                    pending.result()  # one batch in flight: bounded memory, errors surface
                pending = pool.submit(_write_all, batch)
                batch = []
            if progress and (i + 1) % step == 0:
                rate = (i + 1) / max(time.perf_counter() - t0, 1e-9)
                print(f"\r{i + 1}/{count} pages ({rate:.0f}/s)", end="", file=sys.stderr)
        if pending is not None:
            pending.result()
    if progress:
        print(file=sys.stderr)
    return count
