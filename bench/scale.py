"""`make bench-scale`: the engine at 600,000 records, where a build's memory and a query's
cost show how they grow.

Generates the pages once (cached in the work dir, like `make bench`), times `atlas build`
with the peak resident memory of its whole process tree (the writer and its parser
processes, `bench.treemem`), runs the 150-combo mix in-process interleaved with tantivy over
the same records (`bench.tantivy_anchor`), and times one-record updates (`atlas update`,
with their peak memory too). Prints a table and PASS/FAIL per target, writes
`bench/results/scale-<time>.json`, `scale-latest.json` and `scale-latest.md`, and with
`--readme` puts the table in README.md between its bench-scale markers. Exit status 1 when a
target fails.

    python -m bench.scale                       # 600,000 records
    python -m bench.scale --count 20000 --no-anchor --out /tmp/scale   # a smaller look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from indexer.record import Record
from indexer.version import current as live_version

from .queries import query_mix
from .run import ROOT, atlas_command, disk_usage, engine_inprocess, ensure_pages, git_info, log
from .tantivy_anchor import TantivyAnchor
from .treemem import measure

DEFAULT_COUNT = 600_000
MB = 1_000_000
UPDATES = 3
README = ROOT / "README.md"
MARKERS = ("<!-- bench-scale:start -->", "<!-- bench-scale:end -->")

# (key, label, limit, how to read the value)
TARGETS: tuple[tuple[str, str, float, str], ...] = (
    ("build_s", "build from pages <= 600 s", 600.0, "build.seconds"),
    ("build_peak_rss_mb", "build peak RSS, writer and parser processes together, "
     "<= 2,000 MB", 2000.0, "build.peak_rss_mb"),
    ("inprocess_p95", "engine in-process p95 <= 40 ms", 40.0, "engine_inprocess.search.p95_ms"),
)


def _get(result: dict[str, Any], path: str) -> Any:
    value: Any = result
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def timed_build(pages: Path, index: Path, memory: str | None, log_file: Path
                ) -> dict[str, Any]:
    """`atlas build --timings` of the pages, its wall time and peak tree memory."""
    shutil.rmtree(index, ignore_errors=True)
    command = atlas_command("build", str(pages), "--index", str(index), "--timings")
    if memory:
        command += ["--memory", memory]
    with log_file.open("w", encoding="utf-8") as fh:
        figures = measure(command, cwd=ROOT, stdout=fh, stderr=fh)
    output = log_file.read_text(encoding="utf-8", errors="replace")
    if figures["returncode"] != 0:
        raise RuntimeError(f"atlas build failed; see {log_file}:\n{output[-2000:]}")
    phases = {}
    for line in output.splitlines():
        if line.startswith("  ") and ":" in line:
            name, _, value = line.strip().partition(": ")
            phases[name] = value
    figures["phases"] = phases
    figures["index_bytes"] = disk_usage(live_version(index).root)
    return figures


def timed_updates(index: Path, work: Path, count: int) -> dict[str, Any]:
    """`count` one-record updates (a live record with its title changed), each timed with
    its peak tree memory."""
    records = live_version(index).record_store()
    try:
        rid, text = next(records.iter_json())
    finally:
        records.close()
    runs = []
    for n in range(count):
        record = Record.from_dict(json.loads(text))
        record.title = f"{record.title} (mise à jour {n + 1})"
        source = work / "scale-update.jsonl"
        source.write_text(json.dumps(record.to_dict(), ensure_ascii=False) + "\n",
                          encoding="utf-8")
        figures = measure(atlas_command("update", str(source), "--index", str(index)),
                          cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
        if figures["returncode"] != 0:
            raise RuntimeError(f"atlas update of {rid} failed")
        runs.append(figures)
    seconds = sorted(r["seconds"] for r in runs)
    return {"id": rid, "runs": runs, "median_s": seconds[len(seconds) // 2],
            "max_peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    combos = query_mix()
    result: dict[str, Any] = {"records": args.count, "git": git_info(),
                              "timestamp": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
                              "machine": {"cpus": os.cpu_count(),
                                          "python": platform.python_version()},
                              "memory": args.memory or "default"}
    log(f"{args.count}: pages")
    result["generate"] = ensure_pages(work, args.count, args.seed)
    pages = Path(result["generate"]["dir"])
    index = work / f"index-{args.count}"
    log(f"{args.count}: atlas build")
    result["build"] = timed_build(pages, index, args.memory, work / f"build-{args.count}.log")
    log(f"{args.count}: built in {result['build']['seconds']} s, peak "
        f"{result['build']['peak_rss_mb']} MB")
    anchor = None
    if args.anchor:
        log(f"{args.count}: tantivy anchor")
        records = live_version(index).record_store()
        try:
            anchor, result["tantivy_build"] = TantivyAnchor.build(
                records, work / f"tantivy-{args.count}")
        finally:
            records.close()
    log(f"{args.count}: engine in-process" + (", interleaved with tantivy" if anchor else ""))
    result["engine_inprocess"] = engine_inprocess(index, combos, args.rounds, anchor)
    if anchor is not None:
        result["tantivy"] = result["engine_inprocess"].pop("anchor")
        del anchor
        shutil.rmtree(work / f"tantivy-{args.count}", ignore_errors=True)
    log(f"{args.count}: {UPDATES} one-record updates")
    result["updates"] = timed_updates(index, work, UPDATES)
    result["targets"] = [
        {"key": key, "target": label, "limit": limit, "value": _get(result, path),
         "pass": _get(result, path) is not None and _get(result, path) <= limit}
        for key, label, limit, path in TARGETS]
    result["pass"] = all(t["pass"] for t in result["targets"])
    return result


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 1000 else f"{value:.1f}" if value >= 100 \
            else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(result: dict[str, Any]) -> str:
    build, engine = result["build"], result["engine_inprocess"]["search"]
    tantivy = result.get("tantivy")
    rows = [
        ("build from pages, s", _fmt(build["seconds"])),
        ("build peak RSS, writer + parser processes, MB", _fmt(build["peak_rss_mb"])),
        ("  sorted runs spilled (`--memory " + result["memory"] + "`)",
         build["phases"].get("sorted runs spilled", "–")),
        ("index on disk, MB", _fmt(round(build["index_bytes"] / MB, 1))),
        ("engine in-process p50 / p95, ms", f"{_fmt(engine['p50_ms'])} / "
                                            f"{_fmt(engine['p95_ms'])}"),
    ]
    if tantivy:
        rows += [("tantivy p50 / p95, ms (interleaved)",
                  f"{_fmt(tantivy['p50_ms'])} / {_fmt(tantivy['p95_ms'])}"),
                 ("engine / tantivy: p50 / p95",
                  f"{_fmt(round(engine['p50_ms'] / tantivy['p50_ms'], 2))} / "
                  f"{_fmt(round(engine['p95_ms'] / tantivy['p95_ms'], 2))}")]
    updates = result["updates"]
    rows += [("one-record update (median of 3), s", _fmt(updates["median_s"])),
             ("  update peak RSS, MB", _fmt(updates["max_peak_rss_mb"]))]
    lines = [f"Scale run of {result['timestamp']} ({result['records']:,} synthetic records; "
             f"{result['machine']['cpus']} CPUs, Python {result['machine']['python']}; "
             f"commit {str(result['git'].get('commit'))[:10]}).", "",
             f"| metric | atlas {result['records']:,} |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in rows]
    lines += ["", "Targets:", ""]
    lines += [f"- {'PASS' if t['pass'] else 'FAIL'}  {t['target']}: {_fmt(t['value'])}"
              for t in result["targets"]]
    return "\n".join(lines) + "\n"


def put_in_readme(text: str, readme: Path = README) -> bool:
    """Replace what stands between the README's bench-scale markers; False without them."""
    content = readme.read_text(encoding="utf-8")
    start, end = MARKERS
    if start not in content or end not in content:
        return False
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{text}{end}{tail}", encoding="utf-8")
    return True


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--count", type=int, default=DEFAULT_COUNT)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work", type=Path, default=Path("/tmp/atlas-bench"))
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--memory", default=None, help="atlas build --memory (default: its own)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--no-anchor", dest="anchor", action="store_false",
                   help="skip tantivy (its build takes minutes at this size)")
    p.add_argument("--readme", action="store_true",
                   help="put the table in README.md between its bench-scale markers")
    args = p.parse_args(argv)
    if args.count < 1:
        p.error("--count must be positive")
    args.work = args.work.resolve()
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    (args.out / f"scale-{result['timestamp']}.json").write_text(text, encoding="utf-8")
    (args.out / "scale-latest.json").write_text(text, encoding="utf-8")
    table = markdown(result)
    (args.out / "scale-latest.md").write_text(table, encoding="utf-8")
    print(table)
    if args.readme and not put_in_readme(table):
        print("bench: README.md has no bench-scale markers; table not put there",
              file=sys.stderr)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
