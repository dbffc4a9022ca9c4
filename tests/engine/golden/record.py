"""Record the golden answers: the benchmark's (query, filters) mix on the fixture corpus.

Run `python -m tests.golden.record` to rewrite `answers.json` — only when an answer is meant to
change (a ranking or matching feature), never to make a restructuring pass. The test
(`test_golden.py`) asks the same combos and compares.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ANSWERS = HERE / "answers.json"
# Vary with the clock or the cache, not with the answer.
VOLATILE = ("took_ms", "cached")


def build_fixture_index(root: Path) -> Path:
    """The conftest corpus (seed page, 200 synthetic pages, one hostile record), built."""
    from indexer.build import build
    from indexer.generate import generate
    from tests.conftest import SEED_PAGE, SYNTHETIC_COUNT, hostile_record

    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_PAGE, corpus / SEED_PAGE.name)
    generate(SYNTHETIC_COUNT, seed=7, out_dir=corpus / "synthetic")
    (corpus / "extra.jsonl").write_text(
        json.dumps(hostile_record(), ensure_ascii=False) + "\n", encoding="utf-8")
    index = root / "index"
    report = build([corpus], index, progress=False, workers=1)
    assert not report.failures, report.failures
    return index


def answers(client: Any) -> list[dict[str, Any]]:
    """Every combo of the mix through GET /api/search."""
    from bench.queries import query_mix

    out = []
    for combo in query_mix():
        r = client.get("/api/search", params=combo.params())
        assert r.status_code == 200, (combo, r.text)
        body = {k: v for k, v in r.json().items() if k not in VOLATILE}
        out.append({"params": [list(p) for p in combo.params()], "answer": body})
    return out


def main() -> int:
    from fastapi.testclient import TestClient

    from search_app.settings import Settings
    from search_app.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        index = build_fixture_index(Path(tmp))
        with TestClient(create_app(Settings(index_dir=index))) as client:
            recorded = answers(client)
    # One answer a line: a diff names the combo that moved.
    ANSWERS.write_text("".join(json.dumps(a, ensure_ascii=False, sort_keys=True) + "\n"
                               for a in recorded), encoding="utf-8")
    print(f"{len(recorded)} answers -> {ANSWERS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
