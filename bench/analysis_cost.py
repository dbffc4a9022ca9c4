"""Analysis cost per record, this tree against an earlier commit, in the same run.

The French chain grew (Unicode normalisation, compounds, N'/M' names, numbers, cardinal
points); this measures what it costs a build: the time to turn parsed records into the
terms every text field indexes and the record's spelling words, in a fresh process (so the
per-spelling caches start empty, as in a build), parsing excluded. Each tree runs in turn,
`--rounds` times, and the medians are compared: the machine's speed drifts, a same-run
ratio does not.

    python -m bench.analysis_cost PAGES --baseline 98aa148 [--records 3000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run inside a tree: parse the pages first (not timed), then time the analysis alone.
# Trees before the one-chain rewrite analysed through the schema's whoosh analyzers.
_PROBE = r"""
import json, sys, time
from pathlib import Path
from indexer.parse import parse_file
from indexer import schema
pages = sorted(Path(sys.argv[1]).glob("*.txt"))[: int(sys.argv[2])]
records = [parse_file(p) for p in pages]
if hasattr(schema, "record_terms"):
    def analyse(record):
        tokens = schema.record_tokens(record)
        return schema.record_terms(record, tokens), schema.record_words(record, tokens)
else:
    fields = schema.build_schema()
    def analyse(record):
        terms = {name: [t.text for t in fields[name].analyzer(text)]
                 for name, text in schema.record_texts(record).items()}
        return terms, schema.record_words(record, schema.record_tokens(record))
started = time.process_time()
for record in records:
    analyse(record)
seconds = time.process_time() - started
print(json.dumps({"records": len(records), "ms_per_record": 1000 * seconds / len(records)}))
"""


def measure(tree: Path, pages: Path, records: int) -> float:
    done = subprocess.run([sys.executable, "-c", _PROBE, str(pages), str(records)],
                          cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["ms_per_record"]


def compare(pages: Path, baseline: str, records: int = 3000, rounds: int = 3) -> dict:
    """Median analysis ms per record for this tree and for `baseline` (a commit)."""
    work = Path(tempfile.mkdtemp(prefix="atlas-analysis-"))
    old = work / "baseline"
    try:
        subprocess.run(["git", "worktree", "add", "--detach", str(old), baseline], cwd=ROOT,
                       check=True, capture_output=True)
        now_ms, old_ms = [], []
        for _ in range(rounds):
            old_ms.append(measure(old, pages, records))
            now_ms.append(measure(ROOT, pages, records))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT,
                       capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    now, before = statistics.median(now_ms), statistics.median(old_ms)
    return {"records": records, "rounds": rounds, "baseline": baseline,
            "ms_per_record": round(now, 4), "baseline_ms_per_record": round(before, 4),
            "ratio": round(now / before, 3), "all_ms": now_ms, "all_baseline_ms": old_ms}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path)
    parser.add_argument("--baseline", default="98aa148")
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(json.dumps(compare(args.pages, args.baseline, args.records, args.rounds), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
