"""A build with and without the writer reading page files ahead (`indexer.readahead`), pages
cold and cached, alternated in one run.

    python -m bench.readahead --pages /tmp/atlas-bench/pages-600000-seed1 --count 24000

"Cold": before each build the pages are dropped from the page cache (`posix_fadvise`
DONTNEED on each file, which needs no privilege), as they are when a big corpus is built
long after it was written. "Cached": the same pages read just before. Each build is a
process of its own (`indexer.build.build` on a folder of hard links to the first `--count`
pages); prints each build's wall time and the medians per case.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from search_app.engine.warm import read_through

ROOT = Path(__file__).resolve().parents[1]

_BUILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from indexer import build as b
if sys.argv[4] == "off":
    class _Off:
        def add(self, paths): pass
        def close(self): pass
    b.ReadAhead = _Off
started = time.perf_counter()
b.build([sys.argv[2]], Path(sys.argv[3]), progress=False)
print(json.dumps({"seconds": time.perf_counter() - started}))
"""


def drop_cached(paths: list[str]) -> None:
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def read_all(paths: list[str]) -> None:
    read_through([Path(p) for p in paths], threading.Event())


def one_build(folder: Path, index: Path, mode: str) -> float:
    shutil.rmtree(index, ignore_errors=True)
    out = subprocess.run([sys.executable, "-c", _BUILD, str(ROOT), str(folder), str(index),
                          mode], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pages", type=Path, required=True)
    p.add_argument("--count", type=int, default=24_000)
    p.add_argument("--rounds", type=int, default=2)
    args = p.parse_args(argv)
    paths = sorted(str(p) for p in args.pages.glob("*.txt"))[:args.count]
    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="atlas-readahead-", dir=args.pages.parent) as tmp:
        folder = Path(tmp) / "pages"  # the first pages, linked (same files, same blocks)
        folder.mkdir()
        for path in paths:
            os.link(path, folder / Path(path).name)
        for _ in range(args.rounds):
            for cache in ("cold", "cached"):
                for mode in ("on", "off"):
                    (drop_cached if cache == "cold" else read_all)(paths)
                    seconds = one_build(folder, Path(tmp) / "index", mode)
                    times.setdefault(f"{cache}, read-ahead {mode}", []).append(seconds)
                    print(f"{cache:6} read-ahead {mode:3}: {seconds:7.2f} s", flush=True)
    print(json.dumps({case: round(statistics.median(ts), 2) for case, ts in times.items()},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
