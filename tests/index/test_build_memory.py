"""A build in bounded memory: postings and pairs spilled as sorted runs and merged give the
version one sort of everything gives, file for file, whatever the budget."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index

from indexer import build as build_mod
from indexer import runs as runs_mod
from indexer import version
from indexer.collect import parse_size
from indexer.generate import generate
from indexer.runs import PairRuns, TermRuns
from indexer.version import SCORED_FIELDS
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

from ..conftest import SEED_PAGE

PARTS = ("facets.npz", "facets.json", "phrases.keys.npy", "phrases.docs.npy", "lexicon.json",
         "written.json", *(f"postings-{f}.{part}" for f in SCORED_FIELDS
                           for part in ("json", "npz", "docs.npy", "tf.npy")))
QUERIES = (SearchParams(q="eau potable", size=100), SearchParams(q="jumelage culture", size=100),
           SearchParams(q='"coopération décentralisée"', size=100),
           SearchParams(country=["SN"], size=100), SearchParams(q="-eau", size=100),
           SearchParams(size=100, sort="funding_desc"))


def _whoosh(layout: version.Layout) -> list:
    """Every term's statistics and postings, and every document's stored fields and lengths,
    as whoosh reads them."""
    ix = whoosh_index.open_dir(str(layout.whoosh))
    try:
        with ix.reader() as reader:
            out: list = []
            for name in SCORED_FIELDS:
                for term in reader.lexicon(name):
                    info = reader.term_info(name, term)
                    matcher = reader.postings(name, term)
                    out.append((name, term, info.weight(), info.doc_frequency(),
                                info.min_length(), info.max_length(), info.max_weight(),
                                list(matcher.all_items())))
            for docnum in range(reader.doc_count_all()):
                out.append((reader.stored_fields(docnum),
                            [reader.doc_field_length(docnum, f) for f in SCORED_FIELDS]))
            return out
    finally:
        ix.close()


def assert_same_version(a_index: Path, b_index: Path) -> None:
    a, b = version.current(a_index), version.current(b_index)
    for name in PARTS:
        if name.endswith(".npz"):  # a zip: compare the arrays, not the archive's dates
            with np.load(a.root / name) as x, np.load(b.root / name) as y:
                assert sorted(x) == sorted(y), name
                for key in x:
                    assert np.array_equal(x[key], y[key]), (name, key)
        else:
            assert (a.root / name).read_bytes() == (b.root / name).read_bytes(), name
    assert _whoosh(a) == _whoosh(b)
    one, two = SearchService(a_index), SearchService(b_index)
    try:
        for params in QUERIES:
            x, y = one.search(params), two.search(params)
            assert x["total"] == y["total"] and x["facets"] == y["facets"], params
            assert [(h["id"], h["score"], h["snippet"]) for h in x["hits"]] == \
                [(h["id"], h["score"], h["snippet"]) for h in y["hits"]], params
    finally:
        one.close()
        two.close()


@settings(max_examples=8, deadline=None)
@given(count=st.integers(1, 60), seed=st.integers(0, 10_000), batch=st.integers(1, 9),
       budget=st.integers(1, 4000))
def test_a_tiny_budget_builds_the_version_a_roomy_one_builds(
        tmp_path_factory: pytest.TempPathFactory, count: int, seed: int, batch: int,
        budget: int) -> None:
    root = tmp_path_factory.mktemp("budget")
    corpus = root / "corpus"
    generate(count, seed=seed, out_dir=corpus)
    shutil.copy(SEED_PAGE, corpus / SEED_PAGE.name)
    roomy = build_mod.build([corpus], root / "roomy", progress=False, workers=1)
    assert roomy.runs == 0
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(build_mod, "MIN_MEMORY", 1)
        mp.setattr(build_mod, "BATCH", batch)  # many batches, each spilled: many runs
        tight = build_mod.build([corpus], root / "tight", progress=False, workers=1,
                                options=build_mod.WriteOptions(memory=budget))
    finally:
        mp.undo()
    assert tight.runs >= 1
    assert not (version.current(root / "tight").root / build_mod.RUNS_FOLDER).exists()
    assert_same_version(root / "roomy", root / "tight")


def test_parallel_spilling_build_equals_a_single_process_one(corpus_dir: Path, tmp_path: Path,
                                                              monkeypatch) -> None:
    single = tmp_path / "single"
    build_mod.build([corpus_dir], single, progress=False, workers=1)
    monkeypatch.setattr(build_mod, "PARALLEL_UNITS", 0)
    monkeypatch.setattr(build_mod, "BATCH", 11)
    monkeypatch.setattr(build_mod, "MIN_MEMORY", 1)
    parallel = tmp_path / "parallel"
    report = build_mod.build([corpus_dir], parallel, progress=False, workers=2,
                             options=build_mod.WriteOptions(memory=64 * 1024))
    assert report.runs > 3
    assert_same_version(single, parallel)


# ---------------------------------------------------------------- the runs themselves


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_term_runs_merge_like_one_sort(data, tmp_path_factory) -> None:
    texts = data.draw(st.lists(st.text("abcé", min_size=1, max_size=3), min_size=1,
                               max_size=12, unique=True))
    docs = data.draw(st.lists(st.lists(st.sampled_from(range(len(texts))), max_size=6,
                                       unique=True), max_size=30))
    freqs = {(d, t): data.draw(st.integers(1, 9)) for d, ts in enumerate(docs) for t in ts}
    spill_after = data.draw(st.sets(st.integers(0, len(docs))))
    chunk = data.draw(st.integers(1, 12))
    folder = tmp_path_factory.mktemp("runs")
    runs = TermRuns("body")
    for d, terms in enumerate(docs):
        runs.add(np.asarray(terms, np.int32), np.full(len(terms), d, np.int32),
                 np.asarray([freqs[d, t] for t in terms], np.int32))
        if d in spill_after:
            runs.spill(texts, folder)
    names, offsets, pieces = runs.merge(texts, chunk)
    got_docs, got_freqs, seen = [], [], []
    for first, end, d, f in pieces:
        seen.append((first, end))
        got_docs += d.tolist()
        got_freqs += f.tolist()
    expected = sorted((texts[t], d, freqs[d, t]) for d, ts in enumerate(docs) for t in ts)
    assert names == sorted(texts)
    assert [(names[i], d, f) for i, d, f in zip(
        np.repeat(np.arange(len(names)), np.diff(offsets)).tolist(), got_docs, got_freqs,
        strict=True)] == expected
    assert [a for a, _ in seen] == [0] + [b for _, b in seen][:-1]  # consecutive slices
    assert not list(folder.iterdir())  # the runs' files went with the merge


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_pair_runs_merge_like_one_sort(data, tmp_path_factory) -> None:
    keys = st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 40),
                     st.integers(2**64 - 40, 2**64 - 1))
    per_doc = data.draw(st.lists(st.lists(keys, max_size=8, unique=True), max_size=30))
    spill_after = data.draw(st.sets(st.integers(0, len(per_doc))))
    chunk = data.draw(st.integers(1, 50))
    folder = tmp_path_factory.mktemp("pairs")
    runs = PairRuns()
    for d, ks in enumerate(per_doc):
        runs.add(np.asarray(ks, np.uint64), np.full(len(ks), d, np.int32))
        if d in spill_after:
            runs.spill(folder)
    size = runs.size
    got = [(int(k), int(d)) for ks, ds in runs.merge(chunk)
           for k, d in zip(ks.tolist(), ds.tolist(), strict=True)]
    assert got == sorted((k, d) for d, ks in enumerate(per_doc) for k in ks)
    assert size == len(got)
    assert not list(folder.iterdir())


def test_a_spill_writes_runs_to_disk_and_holds_less(tmp_path: Path) -> None:
    runs = TermRuns("body")
    runs.add(np.arange(1000, dtype=np.int32) % 7, np.arange(1000, dtype=np.int32),
             np.ones(1000, np.int32))
    assert runs.buffered == 1000
    runs.spill([f"t{i}" for i in range(7)], tmp_path)
    assert runs.buffered == 0 and runs.runs[0].docs.data is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body-0.docs", "body-0.freqs"]


def test_pair_slices_cover_the_key_space() -> None:
    edges = runs_mod._SLICE_EDGES
    assert edges.size == runs_mod.PAIR_SLICES - 1 and np.all(np.diff(edges) > 0)
    assert int(edges[-1]) < 2**64 - 1 and int(edges[0]) == 2**64 // runs_mod.PAIR_SLICES


@pytest.mark.parametrize(("text", "size"), [("512M", 512 << 20), ("2G", 2 << 30),
                                           ("300k", 300 << 10), ("1048576", 1 << 20),
                                           ("1.5G", 3 << 29), ("64MB", 64 << 20)])
def test_memory_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "M", "lots", "-5M", "0"])
def test_memory_sizes_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


def test_cli_takes_a_memory_budget(tmp_path: Path) -> None:
    import subprocess
    import sys

    run = [sys.executable, "-m", "search_app.cli", "build", str(SEED_PAGE),
           "--index", str(tmp_path / "index"), "--timings"]
    bad = subprocess.run([*run, "--memory", "lots"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode != 0 and "--memory" in bad.stderr
    assert not (tmp_path / "index" / version.CURRENT).exists()
    good = subprocess.run([*run, "--memory", "64M"], capture_output=True, text=True,
                          timeout=120)
    assert good.returncode == 0, good.stderr
    assert "sorted runs spilled: 0" in good.stderr
