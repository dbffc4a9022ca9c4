"""The benchmark mix answers as recorded (`record.py`): a restructuring must not move them.

Ids, order, scores (to 1e-9), facets, snippets and marks, suggestions and relaxations: every
key of a recorded answer is compared; keys an answer gains later are not.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from .record import ANSWERS, VOLATILE

RECORDED = [json.loads(line) for line in ANSWERS.read_text(encoding="utf-8").splitlines()]


def differences(want: Any, got: Any, path: str = "") -> list[str]:
    if isinstance(want, float) or isinstance(got, float):
        if isinstance(want, (int, float)) and isinstance(got, (int, float)) \
                and math.isclose(want, got, rel_tol=0, abs_tol=1e-9):
            return []
        return [f"{path}: {want!r} != {got!r}"]
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: not an object"]
        out = []
        for key, value in want.items():
            if key not in got:
                out.append(f"{path}.{key}: missing")
            else:
                out += differences(value, got[key], f"{path}.{key}")
        return out
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{path}: {want!r} != {got!r}"]
        return [d for i, (w, g) in enumerate(zip(want, got, strict=True)) for d in
                differences(w, g, f"{path}[{i}]")]
    return [] if want == got else [f"{path}: {want!r} != {got!r}"]


def test_the_recording_covers_the_mix():
    assert len(RECORDED) == 150
    assert sum(1 for r in RECORDED if r["answer"]["total"]) > 100


@pytest.mark.parametrize("recorded", RECORDED, ids=lambda r: " ".join(v for _, v in r["params"]))
def test_answer_unchanged(client, recorded):
    r = client.get("/api/search", params=[tuple(p) for p in recorded["params"]])
    assert r.status_code == 200
    got = {k: v for k, v in r.json().items() if k not in VOLATILE}
    assert differences(recorded["answer"], got) == []


def test_the_comparison_sees_a_moved_score():
    answer = next(r["answer"] for r in RECORDED if r["answer"]["hits"])
    moved = json.loads(json.dumps(answer))
    moved["hits"][0]["score"] = (moved["hits"][0]["score"] or 0) + 1e-6
    assert differences(answer, moved)
    assert differences(answer, {**answer, "hits": answer["hits"][::-1]}) or \
        len(answer["hits"]) < 2
