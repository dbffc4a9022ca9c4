"""Updates and deletes carry the live version over instead of rebuilding it: whoosh keeps
every document's number (the other parts are masked and appended to) until small segments
or deleted documents pile up, then merges them (and the other parts are renumbered); the
record store is shared through a hard link and changed by a delta until the delta folds.
Whatever the path, every part equals what a build computes from the same whoosh index."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from indexer import build as build_mod
from indexer import forms, phrases, store, version
from indexer.errors import IndexUnavailable
from search_app.engine.errors import IndexNotReady
from indexer.facetdata import FacetData
from indexer.postings import FlatPostings
from indexer.record import Record
from indexer.schema import BODY_FIELD, record_tokens
from indexer.version import Layout
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService


def record(rid: str, title: str, country: str = "Sénégal", **extra) -> dict:
    return {"id": rid, "title": title, "theme": "Eau et assainissement", "status": "En cours",
            "start_year": 2018, "foreign_partners": [{"name": "Podor", "country": country}],
            "french_partners": ["Lille"], "context": f"{title}. Accès à l'eau potable.",
            **extra}


BASE = [
    record("a1", "Forage à Podor"),
    record("a2", "Latrines à Matam", "Senegal", theme="Santé", status="Terminé"),
    record("a3", "Château d'eau de Kayes", "Mali", french_partners=["Lyon", "Lille"]),
    record("a4", "Jumelage culturel", "Maroc", theme="Culture et Patrimoine",
           foreign_partners=[{"name": "Fès", "country": "Maroc"},
                             {"name": "Podor", "country": "Sénégal"}]),
    record("a5", "Forage et pompe solaire", "Mali", start_year=2021),
]

# Each step: ("update", records) or ("delete", ids). Between them: a record replaced twice,
# the only record of a country, theme and partner removed, the first spelling of a
# country's name removed, new words, new values and a record deleted right after its add.
STEPS = [
    ("update", [record("a1", "Forage profond à Podor", "Mali"), record("n1", "Puits neuf")]),
    ("delete", ["a4"]),
    ("update", [record("n2", "Coopération avec Kyoto", "Japon", theme="Culture",
                       french_partners=["Nantes"])]),
    ("update", [record("a1", "Forage profond et château d'eau", "Sénégal")]),
    ("delete", ["n2"]),
    ("delete", ["a1"]),
    ("update", [record("a2", "Latrines scolaires à Matam", "Sénégal", status="En projet"),
                record("n3", "Pompe solaire", "Maroc")]),
    ("update", [record("n4", "Éclairage public", "Burkina Faso")]),
    ("delete", ["n4", "n3"]),
]

QUERIES = [SearchParams(size=100), SearchParams(q="forage", size=100),
           SearchParams(q='"château d\'eau"', size=100), SearchParams(q="pompe solaire"),
           SearchParams(country=["ML"], size=100), SearchParams(q="latrine"),
           SearchParams(q="eau", theme=["Eau et assainissement"], size=100)]


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def rebuilt(layout: Layout, root: Path) -> Layout:
    """The parts a build computes from this version's whoosh index and records."""
    out = Layout(root)
    root.mkdir()
    (root / "whoosh").symlink_to(layout.whoosh)
    rows = layout.record_store()
    try:
        pairs = {rid: phrases.record_pairs(Record.from_dict(json.loads(text)))
                 for rid, text in rows.iter_json()}
    finally:
        rows.close()
    for part in (layout.records, layout.records_delta):
        if part.is_file():
            os.link(part, root / part.name)
    build_mod._finish_renumbered(out, build_mod.BuildReport(), pairs, None)
    return out


def flat(layout: Layout, field: str) -> tuple[dict, list]:
    postings = FlatPostings(layout.postings(field))
    try:
        lists = {}
        for term in postings.index:
            docs, tf = postings.get(term)
            assert np.all(np.diff(docs) > 0), term  # what searches rely on (service._in_body)
            if docs.size:  # a build lists terms whoosh still has for deleted documents
                lists[term] = (docs.tolist(), tf.tolist())
        return lists, postings.lengths.tolist()
    finally:
        postings.close()


def assert_same_parts(got: Layout, want: Layout) -> None:
    a = FacetData.load(got.facet_arrays, got.facet_values)
    b = FacetData.load(want.facet_arrays, want.facet_values)
    assert a.ids == b.ids and a.titles == b.titles and a.values == b.values
    assert list(a.country_names.items()) == list(b.country_names.items())
    assert a.partners == b.partners  # the same counts; their order is read nowhere
    for name in ("alive", "start_year", "funding"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for name in a.single:
        assert np.array_equal(a.single[name], b.single[name]), name
    for name in a.multi:
        assert all(np.array_equal(x, y) for x, y in zip(a.multi[name], b.multi[name],
                                                      strict=True)), name
    for field in version.SCORED_FIELDS:
        assert flat(got, field) == flat(want, field), field
    for part in ("phrase_keys", "phrase_docs"):
        assert np.array_equal(np.load(getattr(got, part)), np.load(getattr(want, part))), part


def assert_written_forms_hold_every_word(layout: Layout) -> None:
    """The version's written forms hold every plain word of every record's free text under
    each of its keys (a snippet would miss a mark otherwise)."""
    held = forms.WrittenForms.load(layout.written_forms)
    assert held is not None
    for rid, text in stored(layout).items():
        body = record_tokens(Record.from_dict(json.loads(text))).get(BODY_FIELD, [])
        for word, keys in forms.written(body).items():
            assert all(word in held.words(key) for key in keys), (rid, word)


MODES = {
    # never merge: every number kept
    "appended": {"MAX_SMALL_SEGMENTS": 10**6, "DEAD_SHARE": 0},
    # merge the last segments past two: the base segment keeps its numbers, or not
    "tail merged": {"MAX_SMALL_SEGMENTS": 2, "DEAD_SHARE": 0},
    # merge every segment, every document moved into the new one
    "all moved": {"MAX_SMALL_SEGMENTS": 0, "DEAD_SHARE": 0},
    # merge every segment, every part renumbered
    "renumbered": {},
    "default": {},
}


@pytest.mark.parametrize("mode", list(MODES))
def test_changes_equal_a_build_of_the_same_documents(mode: str, tmp_path: Path,
                                                    monkeypatch) -> None:
    for name, value in MODES[mode].items():
        monkeypatch.setattr(build_mod, name, value)
    if mode == "renumbered":
        monkeypatch.setattr(build_mod, "_plan", lambda segments: build_mod._Plan(
            build_mod._merge_small_and_dead, None))
    paths: list[str] = []
    numbers: list[tuple[int | None, int]] = []  # (kept, size) of each change
    for name in ("_finish_shifted", "_finish_renumbered"):
        real = getattr(build_mod, name)

        def spy(layout, report, pairs, carry, _real=real, _name=name):
            if carry is not None:  # a change, not a build
                paths.append(_name)
                numbers.append((carry.kept, carry.size))
            return _real(layout, report, pairs, carry)

        monkeypatch.setattr(build_mod, name, spy)
    index = tmp_path / "index"
    build_mod.build([jsonl(tmp_path / "base.jsonl", BASE)], index, progress=False)
    final = {r["id"]: r for r in BASE}
    for n, (kind, change) in enumerate(STEPS):
        if kind == "update":
            build_mod.update([jsonl(tmp_path / f"s{n}.jsonl", change)], index, progress=False)
            final.update((r["id"], r) for r in change)
        else:
            build_mod.delete(change, index)
            for rid in change:
                del final[rid]
        live = version.current(index)
        assert_same_parts(live, rebuilt(live, tmp_path / f"rebuilt{n}"))
        assert_written_forms_hold_every_word(live)
    assert len(paths) == len(STEPS)  # no fallback from one path to the other
    if mode == "renumbered":
        assert set(paths) == {"_finish_renumbered"}
        with whoosh_index.open_dir(str(version.current(index).whoosh)).reader() as reader:
            assert reader.doc_count_all() == reader.doc_count()  # everything merged
    elif mode == "default":
        assert set(paths) == {"_finish_shifted", "_finish_renumbered"}
    else:
        assert set(paths) == {"_finish_shifted"}
        if mode == "appended":
            assert all(kept == size for kept, size in numbers)
            with whoosh_index.open_dir(str(version.current(index).whoosh)).reader() as r:
                assert r.doc_count_all() > r.doc_count()  # numbers kept, deleted left
        elif mode == "tail merged":  # some kept their number, the others moved
            assert any(0 < kept < size for kept, size in numbers)
        else:
            assert any(kept == 0 for kept, _ in numbers)

    fresh = tmp_path / "fresh"
    build_mod.build([jsonl(tmp_path / "all.jsonl", list(final.values()))], fresh,
                    progress=False)
    one, two = SearchService(index), SearchService(fresh)
    try:
        assert one.stats()["records"] == two.stats()["records"] == len(final)
        for params in QUERIES:
            a, b = one.search(params), two.search(params)
            assert a["total"] == b["total"] and a["facets"] == b["facets"], params
            assert [(h["id"], h["score"], h["snippet"]) for h in a["hits"]] == \
                [(h["id"], h["score"], h["snippet"]) for h in b["hits"]], params
        for rid, rec in final.items():
            assert one.get_record(rid)["title"] == rec["title"]
        assert one.get_record("a4") is None and one.get_record("n2") is None
    finally:
        one.close()
        two.close()


def stored(layout: Layout) -> dict[str, str]:
    rows = layout.record_store()
    try:
        found = {rid: text.decode("utf-8") for rid, text in rows.iter_json()}
        assert rows.count() == len(found)
        return found
    finally:
        rows.close()


def test_the_record_store_is_shared_and_changed_by_a_delta_until_it_folds(
        tmp_path: Path, monkeypatch) -> None:
    index = tmp_path / "index"
    build_mod.build([jsonl(tmp_path / "base.jsonl", BASE)], index, progress=False)
    built = version.current(index)
    assert not built.records_delta.exists()
    keep = build_mod.WriteOptions(keep=10)
    monkeypatch.setattr(store, "FOLD_SHARE", 0)  # (a tiny store would fold at once)
    build_mod.update([jsonl(tmp_path / "u1.jsonl", [record("a1", "Nouveau titre"),
                                                    record("n1", "Ajouté")])], index,
                     options=keep)
    build_mod.delete(["a2", "n1"], index, options=keep)
    build_mod.update([jsonl(tmp_path / "u2.jsonl", [record("n2", "Encore")])], index,
                     options=keep)
    live = version.current(index)
    assert live.records.stat().st_ino == built.records.stat().st_ino  # never copied
    assert live.records_delta.is_file()
    rows = stored(live)
    assert sorted(rows) == ["a1", "a3", "a4", "a5", "n2"]
    assert json.loads(rows["a1"])["title"] == "Nouveau titre"
    assert len(stored(built)) == len(BASE)  # the shared file itself never changes

    monkeypatch.setattr(store, "FOLD_SHARE", 10**9)  # any delta is too big now
    build_mod.update([jsonl(tmp_path / "u3.jsonl", [record("n3", "Plié")])], index,
                     options=keep)
    folded = version.current(index)
    assert not folded.records_delta.exists()
    assert folded.records.stat().st_ino != built.records.stat().st_ino
    assert sorted(stored(folded)) == ["a1", "a3", "a4", "a5", "n2", "n3"]
    assert stored(folded)["a1"] == rows["a1"]
    service = SearchService(index)
    try:
        assert {h["id"] for h in service.search(SearchParams(q="encore"))["hits"]} == {"n2"}
        assert service.get_record("a2") is None
    finally:
        service.close()


@pytest.mark.parametrize("older", [2, 3, 4, 5])
def test_an_older_format_version_is_refused_with_the_command_to_rebuild(
        tmp_path: Path, older: int) -> None:
    # Format 6 added the `accents` field: an older version cannot answer a query typed with
    # accents as this atlas does, so it is refused, with the command that rebuilds it.
    index = tmp_path / "index"
    build_mod.build([jsonl(tmp_path / "base.jsonl", BASE)], index, progress=False)
    built = version.current(index)
    meta = {**built.read_meta(), "format": older}
    del meta["checksums"]
    built.meta.write_text(json.dumps(meta), encoding="utf-8")
    service = SearchService(index)
    with pytest.raises(IndexNotReady) as refused:
        service.open()
    message = str(refused.value)
    assert f"format {older}" in message and f"atlas build SOURCE --index {index}" in message
    with pytest.raises(IndexUnavailable):
        build_mod.update([jsonl(tmp_path / "u.jsonl", [record("n1", "Ajouté")])], index)
    build_mod.build([jsonl(tmp_path / "base.jsonl", BASE)], index, progress=False)
    assert version.current(index).read_meta()["format"] == version.FORMAT == 6


class FakeSegment:
    def __init__(self, docs: int) -> None:
        self.docs = docs

    def doc_count_all(self) -> int:
        return self.docs

    def deleted_count(self) -> int:
        return 0


def test_merges_stay_small_and_segments_few() -> None:
    # 3,000 one-record updates of a 120,000-record index, as whoosh would commit them: each
    # merge stays under MERGE_DOCS documents, a document is merged a few times on average,
    # and the segments stay few (whoosh opens every one).
    segments = [FakeSegment(120_000)]
    merged = most = 0
    for _ in range(3000):
        plan = build_mod._plan(segments)
        if plan.merge is None:
            assert plan.kept == sum(s.docs for s in segments)
            segments.append(FakeSegment(1))
            continue
        first = plan.merge.keywords["first"]
        assert first >= 1 and plan.kept == sum(s.docs for s in segments[:first])
        docs = sum(s.docs for s in segments[first:])
        assert docs < build_mod.MERGE_DOCS
        merged += docs
        segments = segments[:first] + [FakeSegment(docs + 1)]
        most = max(most, len(segments))
    assert merged / 3000 < 5
    assert most <= 32 and len(segments) <= 32
