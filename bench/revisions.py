"""The in-process engine on the benchmark mix, two checkouts interleaved in one run.

    python -m bench.revisions --index DIR --base /path/to/old/checkout [--rounds 2] [--repeat 2]
                              [--base-index DIR]

`--base-index`: the same records built by the base checkout, when its index format differs
(else both read `--index`).

Each checkout answers the 150 (query, filters) combos uncached in a process of its own (its
code first on `sys.path`), base and this checkout alternately, so a busy machine slows both
alike. Prints p50 and p95 per pass and the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PASS = r"""
import json, sys, time
root, index, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, root)
from bench.queries import query_mix
try:
    from search_app.engine.request import SearchParams
    from search_app.engine.service import SearchService
except ImportError:  # before the engine had its own folder
    from search_app.params import SearchParams
    from search_app.service import SearchService
service = SearchService(index, cache_size=0)
combos = query_mix()
for c in combos[:20]:
    service.search(SearchParams(q=c.q, **c.filters))
times = []
for _ in range(rounds):
    for c in combos:
        params = SearchParams(q=c.q, **c.filters)
        service.handle().cache.clear()
        start = time.perf_counter()
        service.search(params)
        times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95)]}))
"""


def one_pass(root: Path, index: Path, rounds: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", _PASS, str(root), str(index), str(rounds)],
                         capture_output=True, text=True, check=True, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--base", type=Path, required=True, help="the other checkout")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--base-index", type=Path, default=None,
                   help="the base checkout's own index of the same records")
    args = p.parse_args(argv)
    indexes = {"base": args.base_index or args.index, "this": args.index}
    runs: dict[str, list[dict[str, float]]] = {"base": [], "this": []}
    for _ in range(args.repeat):
        for name, root in (("base", args.base), ("this", ROOT)):
            runs[name].append(one_pass(root, indexes[name], args.rounds))
            print(name, {k: round(v, 2) for k, v in runs[name][-1].items()}, flush=True)
    for name, passes in runs.items():
        print(f"{name}: p50 {statistics.median(r['p50'] for r in passes):.2f} ms, "
              f"p95 {statistics.median(r['p95'] for r in passes):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
