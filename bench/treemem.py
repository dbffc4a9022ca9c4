"""Run a command and measure its wall time and the peak resident memory of its process tree.

`/usr/bin/time -v` reports the largest single process, not a build and its parser
processes together; this samples /proc every `interval` seconds and keeps the largest sum
of VmRSS over the command's process tree (parent and every descendant alive at that moment).
`hwm_sum_mb` adds each process's own peak (VmHWM) as last seen: an upper bound, since
processes need not peak at the same moment.

    python -m bench.treemem -- atlas build data/generated --index /tmp/ix
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MB = 1_000_000


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    tree = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += tree.get(p, [])
    return out


def _status_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in kB; zeros for a process gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    rss = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
    hwm = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
    return (int(rss.group(1)) if rss else 0), (int(hwm.group(1)) if hwm else 0)


def measure(command: Sequence[str], interval: float = 0.1, **popen: Any) -> dict[str, Any]:
    """Run `command` to its end; its exit status, wall seconds and peak tree memory."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(command), **popen)
    peak_kb = 0
    hwm: dict[int, int] = {}
    peak_processes = 0
    while proc.poll() is None:
        total = 0
        pids = process_tree(proc.pid)
        for pid in pids:
            rss, high = _status_kb(pid)
            total += rss
            if high:
                hwm[pid] = max(hwm.get(pid, 0), high)
        if total > peak_kb:
            peak_kb, peak_processes = total, len(pids)
        time.sleep(interval)
    seconds = time.perf_counter() - started
    return {
        "returncode": proc.returncode,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak_kb * 1024 / MB, 1),
        "peak_processes": peak_processes,
        "hwm_sum_mb": round(sum(hwm.values()) * 1024 / MB, 1),
        "hwm_mb": sorted((round(kb * 1024 / MB, 1) for kb in hwm.values()), reverse=True),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    result = measure(args)
    print(json.dumps(result), file=sys.stderr)
    return result["returncode"]


if __name__ == "__main__":
    sys.exit(main())
