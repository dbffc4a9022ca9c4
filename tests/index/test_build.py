"""Atomic builds, updates and deletes, and readers that follow the live version."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import build as build_mod
from indexer import segment as segment_mod
from indexer import version as store
from indexer.errors import BuildError, IndexUnavailable
from indexer.version import SCORED_FIELDS
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

from ..conftest import SEED_ID, SEED_PAGE


def record(rid: str, title: str, country: str = "Sénégal", **extra) -> dict:
    return {"id": rid, "title": title, "theme": "Eau et assainissement", "status": "En cours",
            "start_year": 2018, "foreign_partners": [{"name": "Podor", "country": country}],
            "context": f"{title}. Accès à l'eau potable.", **extra}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    src = write_jsonl(tmp_path / "a.jsonl", [record("a1", "Forage à Podor"),
                                             record("a2", "Latrines à Matam", "Mali")])
    index = tmp_path / "index"
    build_mod.build([src, SEED_PAGE], index, progress=False)
    return index


def ids(service: SearchService, q: str = "", **filters) -> set[str]:
    result = service.search(SearchParams(q=q, size=100, **filters))
    return {h["id"] for h in result["hits"]}


def test_build_indexes_pages_and_jsonl(small_index: Path) -> None:
    service = SearchService(small_index)
    assert ids(service) == {"a1", "a2", SEED_ID}
    assert service.get_record(SEED_ID)["funding_total_eur"] == 1380394
    assert service.get_record("a1")["countries"] == [{"code": "SN", "name": "Sénégal"}]
    assert service.stats()["records"] == 3
    service.close()


def test_failed_build_leaves_old_index_and_readers_intact(small_index: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    reader = SearchService(small_index)
    assert ids(reader, "forage") == {"a1"}
    live_before = (small_index / store.CURRENT).read_text()
    versions_before = set((small_index / store.VERSIONS).iterdir())

    calls = {"n": 0}
    real = segment_mod._write_field

    def explode_half_way(*args):  # the third field of the whoosh segment cannot be written
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (simulated)")
        return real(*args)

    monkeypatch.setattr(segment_mod, "_write_field", explode_half_way)
    src = write_jsonl(tmp_path / "b.jsonl", [record(f"b{i}", f"Projet {i}") for i in range(6)])
    with pytest.raises(BuildError, match="disk full.*the live index is unchanged"):
        build_mod.build([src], small_index, progress=False)

    assert (small_index / store.CURRENT).read_text() == live_before
    assert set((small_index / store.VERSIONS).iterdir()) == versions_before  # no half version
    assert ids(reader, "forage") == {"a1"}  # the open reader still answers
    fresh = SearchService(small_index)
    assert ids(fresh) == {"a1", "a2", SEED_ID}
    reader.close()
    fresh.close()


def test_build_with_no_valid_record_keeps_old_index(small_index: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    with pytest.raises(BuildError):
        build_mod.build([bad], small_index, progress=False)
    assert ids(SearchService(small_index)) == {"a1", "a2", SEED_ID}


def test_reader_follows_a_rebuild_without_restart(small_index: Path, tmp_path: Path) -> None:
    reader = SearchService(small_index)
    assert ids(reader, "forage") == {"a1"}
    src = write_jsonl(tmp_path / "c.jsonl", [record("c1", "Forage à Louga")])
    build_mod.build([src], small_index, progress=False)
    assert ids(reader, "forage") == {"c1"}
    assert reader.stats()["records"] == 1
    reader.close()


def test_update_adds_and_replaces(small_index: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "u.jsonl", [record("a1", "Puits à Podor", "Maroc"),
                                             record("n1", "Forage neuf")])
    report = build_mod.update([src], small_index, progress=False)
    assert report.indexed == 2 and report.records == 4
    service = SearchService(small_index)
    assert ids(service, "forage") == {"n1"}
    assert ids(service, "puits") == {"a1"}
    assert ids(service, country=["MA"]) == {"a1"}
    assert service.get_record("a1")["title"] == "Puits à Podor"
    words = service.handle().spelling.counts
    assert words["puits"] == 1 and words["forage"] == 1  # a1's "Forage" went, n1's came
    service.close()


def test_delete_removes_and_reports_missing(small_index: Path) -> None:
    report, missing = build_mod.delete(["a2", "nope"], small_index)
    assert missing == ["nope"] and report.records == 2
    service = SearchService(small_index)
    assert ids(service) == {"a1", SEED_ID}
    assert service.get_record("a2") is None
    facets = service.search(SearchParams())["facets"]["country"]
    assert "ML" not in {f["value"] for f in facets}
    assert "latrines" not in service.handle().spelling.counts  # only a2 had that word
    service.close()


def test_old_versions_are_pruned(small_index: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "p.jsonl", [record("p1", "Projet")])
    for _ in range(5):
        build_mod.build([src], small_index, progress=False)
    assert len(list((small_index / store.VERSIONS).iterdir())) == store.KEEP


def test_missing_and_corrupt_index_are_clear(tmp_path: Path, small_index: Path) -> None:
    with pytest.raises(IndexUnavailable, match="no index"):
        store.current(tmp_path / "nowhere")
    (small_index / store.CURRENT).write_text("does-not-exist\n")
    with pytest.raises(IndexUnavailable, match="corrupt"):
        store.current(small_index)


def test_cli_build_reports_bad_pages_and_summary(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "good.txt").write_bytes(SEED_PAGE.read_bytes())
    (pages / "broken.txt").write_bytes(b"\x00\x01binary")
    write_jsonl(pages / "more.jsonl", [record("j1", "Projet JSON")])
    (pages / "more.jsonl").open("a").write("{not json\n")
    run = subprocess.run(
        [sys.executable, "-m", "search_app.cli", "build", str(pages), "--index",
         str(tmp_path / "ix")], capture_output=True, text=True)
    assert run.returncode == 2, run.stderr  # done, with skipped inputs
    assert "broken.txt" in run.stderr and "more.jsonl:2" in run.stderr
    assert "indexed 2 records, skipped 2" in run.stderr
    assert "Traceback" not in run.stderr


def test_cli_search_json_equals_api(small_index: Path) -> None:
    from fastapi.testclient import TestClient

    from search_app.settings import Settings
    from search_app.web.app import create_app

    run = subprocess.run(
        [sys.executable, "-m", "search_app.cli", "search", "eau", "--country", "SN",
         "--index", str(small_index), "--json"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    cli = json.loads(run.stdout)
    with TestClient(create_app(Settings(index_dir=small_index))) as client:
        api = client.get("/api/search", params={"q": "eau", "country": "SN"}).json()
    for result in (cli, api):
        result.pop("took_ms")
        result.pop("cached")
    assert cli == api
    assert cli["total"] == 1


def test_cli_serve_on_missing_index_fails_with_one_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(tmp_path / "none")],
        capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert run.stderr.strip().count("\n") == 0 and "no index" in run.stderr


@pytest.mark.parametrize("damage", ["whoosh", "records", "facets", "meta", "current"])
def test_cli_serve_on_corrupt_index_fails_with_one_line(small_index: Path, damage: str) -> None:
    version = store.current(small_index).root
    if damage == "whoosh":
        for path in (version / "whoosh").iterdir():
            path.write_bytes(b"garbage")
    elif damage == "records":
        (version / "records.sqlite").write_bytes(b"not a database" * 100)
    elif damage == "facets":
        (version / "facets.npz").write_bytes(b"PK garbage")
    elif damage == "meta":
        (version / "meta.json").unlink()
    else:
        (small_index / store.CURRENT).write_text("../../etc\n")
    run = subprocess.run(
        [sys.executable, "-m", "search_app.cli", "serve", "--index", str(small_index)],
        capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert run.stderr.strip().count("\n") == 0, run.stderr
    assert run.stderr.startswith("atlas: error:") and "index" in run.stderr


def test_parallel_build_answers_like_a_single_process_build(corpus_dir: Path, tmp_path: Path,
                                                            monkeypatch) -> None:
    single = tmp_path / "single"
    build_mod.build([corpus_dir], single, progress=False, workers=1)
    monkeypatch.setattr(build_mod, "PARALLEL_UNITS", 0)  # force parser processes
    monkeypatch.setattr(build_mod, "BATCH", 7)  # and many batches to join
    parallel = tmp_path / "parallel"
    build_mod.build([corpus_dir], parallel, progress=False, workers=2)
    a_layout, b_layout = store.current(single), store.current(parallel)
    for name in ("facets.npz", "facets.json", "phrases.keys.npy", "phrases.docs.npy",
                 "lexicon.json", "written.json", *(f"postings-{f}.{part}" for f in SCORED_FIELDS
                                   for part in ("json", "npz", "docs.npy", "tf.npy"))):
        a_file, b_file = a_layout.root / name, b_layout.root / name
        if name.endswith(".npz"):  # a zip: compare the arrays, not the archive's dates
            with np.load(a_file) as a, np.load(b_file) as b:
                assert sorted(a) == sorted(b), name
                for key in a:
                    assert np.array_equal(a[key], b[key]), (name, key)
        else:
            assert a_file.read_bytes() == b_file.read_bytes(), name
    one, two = SearchService(single), SearchService(parallel)
    for params in (SearchParams(q="eau potable", size=100), SearchParams(q="villes michelin"),
                   SearchParams(country=["SN"], size=100), SearchParams(q="-eau", size=100)):
        a, b = one.search(params), two.search(params)
        assert a["total"] == b["total"] and a["facets"] == b["facets"]
        assert [(h["id"], h["snippet"]) for h in a["hits"]] == \
            [(h["id"], h["snippet"]) for h in b["hits"]]
    one.close()
    two.close()


def test_update_then_delete_keeps_answers_consistent(small_index: Path, tmp_path: Path) -> None:
    for i in range(3):  # several small commits leave several segments and deletions
        src = write_jsonl(tmp_path / f"u{i}.jsonl", [record("a1", f"Version {i} du forage")])
        build_mod.update([src], small_index, progress=False)
    service = SearchService(small_index)
    assert ids(service, "version") == {"a1"}
    assert service.search(SearchParams(q="version"))["total"] == 1
    assert service.search(SearchParams())["total"] == 3
    service.close()


def _flat_by_id(layout, field: str, ids: list[str]) -> tuple[dict, dict]:
    from indexer.postings import FlatPostings

    flat = FlatPostings(layout.postings(field))
    try:
        terms = {}
        for term in flat.index:
            docs, tf = flat.get(term)
            if docs.size:
                terms[term] = {ids[d]: float(w) for d, w in zip(docs, tf, strict=True)}
        lengths = {ids[d]: float(n) for d, n in enumerate(flat.lengths) if ids[d]}
        return terms, lengths
    finally:
        flat.close()


def test_updates_carry_postings_equal_to_a_whoosh_export(small_index: Path,
                                                        tmp_path: Path) -> None:
    # An update renumbers the live version's flat postings instead of re-reading whoosh:
    # the result must be what reading whoosh would give.
    from whoosh import index as whoosh_index

    from indexer import postings
    from indexer.facetdata import FacetData
    from indexer.version import Layout

    src = write_jsonl(tmp_path / "u.jsonl", [record("a1", "Forage remplacé à Kayes"),
                                             record("n1", "Nouvelle adduction d'eau")])
    build_mod.update([src], small_index, progress=False)
    build_mod.delete(["a2"], small_index)
    live = store.current(small_index)
    ids = FacetData.load(live.facet_arrays, live.facet_values).ids
    exported = Layout(tmp_path / "exported")
    exported.root.mkdir()
    with whoosh_index.open_dir(str(live.whoosh)).reader() as reader:
        postings.export(reader, store.SCORED_FIELDS, exported.postings)
    for field in store.SCORED_FIELDS:
        assert _flat_by_id(live, field, ids) == _flat_by_id(exported, field, ids), field
    terms, _ = _flat_by_id(live, "title", ids)
    assert "kay" in terms or "kayes" in terms  # the new text is there


def test_updates_keep_the_spelling_lexicon_in_step(small_index: Path, tmp_path: Path) -> None:
    # An update adds its new words to the lexicon and a delete takes away the words no
    # record holds any more, without rewriting the lexicon: typo search follows both.
    src = write_jsonl(tmp_path / "t.jsonl", [record("t1", "Jumelage avec Tombouctou")])
    build_mod.update([src], small_index, progress=False)
    service = SearchService(small_index)
    found = service.search(SearchParams(q="Tombouctuo"))
    assert [h["id"] for h in found["hits"]] == ["t1"] and found["fuzzy"]
    service.close()
    build_mod.delete(["t1"], small_index)
    service = SearchService(small_index)
    assert "tombouctou" not in service.handle().spelling.counts
    assert "tombouctou" not in service.handle().spelling.typo_words("tombouctuo", 2)
    assert service.search(SearchParams(q="Tombouctuo"))["total"] == 0
    service.close()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), max_size=300), st.integers(0, 2**32 - 1))
def test_stable_order_is_a_stable_argsort(values: list[int], bound: int) -> None:
    from indexer.runs import stable_order

    size = max([bound, *values]) + 1
    keys = np.array(values, dtype=np.int64)
    small = np.array([v % 70_000 for v in values], dtype=np.int32)
    assert np.array_equal(stable_order(keys, size), np.argsort(keys, kind="stable"))
    assert np.array_equal(stable_order(small, 70_000), np.argsort(small, kind="stable"))
    tiny = small % 300
    assert np.array_equal(stable_order(tiny, 300), np.argsort(tiny, kind="stable"))
