"""English labels: every value the generator or the seed page can produce has one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.analysis import fold
from indexer.fields import LABELS
from indexer.generate.vocabulary import FORMS, STATUSES, THEMES
from indexer.regions import regions
from indexer.taxonomy_en import KINDS, english_label, english_labels, label

SEED = Path(__file__).parents[1] / "data" / "seed"


def _generator_values() -> list[tuple[str, str]]:
    values = [("status", s) for s in STATUSES] + [("partnership_form", f) for f in FORMS]
    for theme, subs in THEMES.items():
        values.append(("theme", theme))
        for sub, subsubs in subs.items():
            values.append(("sub_theme", sub))
            values += [("sub_sub_theme", s) for s in subsubs]
    return values


def _seed_values() -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = []
    for path in SEED.glob("*.expected.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        rows = [record, *record.get("other_themes", [])]
        for kind in ("theme", "sub_theme", "sub_sub_theme", "status", "partnership_form"):
            values += [(kind, row[kind]) for row in rows if row.get(kind)]
    return values


def test_every_value_the_corpus_uses_has_an_english_label() -> None:
    values = _generator_values() + _seed_values()
    assert len(values) > 70
    missing = [(kind, v) for kind, v in values if not english_label(kind, v)]
    assert missing == []


def test_every_region_and_facet_has_an_english_label() -> None:
    assert [s for s in regions() if not english_label("region", s)] == []
    assert [v for v in LABELS.values() if not english_label("facet", v)] == []


def test_no_label_for_a_value_nobody_uses() -> None:
    used = {(kind, fold(v)) for kind, v in _generator_values() + _seed_values()}
    listed = english_labels()
    stale = [(kind, v) for kind in ("theme", "sub_theme", "sub_sub_theme", "status",
                                    "partnership_form") for v in listed[kind]
             if (kind, v) not in used]
    assert stale == []
    assert set(listed) == set(KINDS)


@pytest.mark.parametrize(("kind", "value", "english"), [
    ("status", "Terminé", "Completed"),
    ("status", "termine", "Completed"),
    ("partnership_form", "Jumelage", "Twinning"),
    ("theme", "Eau et assainissement", "Water and sanitation"),
    ("sub_theme", "Energies renouvelables", "Renewable energy"),
    ("region", "afrique-de-l-ouest", "West Africa"),
    ("region", "union-europeenne", "European Union"),
])
def test_labels(kind: str, value: str, english: str) -> None:
    assert english_label(kind, value) == english


def test_label_falls_back_to_the_french_value() -> None:
    assert english_label("status", "Inconnu") is None
    assert label("status", "Inconnu", "en") == "Inconnu"
    assert label("status", "Terminé", "fr") == "Terminé"
    assert label("status", "Terminé", "en") == "Completed"
