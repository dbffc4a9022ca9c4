"""Safe writes through the real command line, real processes and real signals: the write
lock, killed writers, a full disk, versions kept and rollback under a running server."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from indexer import version
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

from ..conftest import free_port, wait_until_serving


def atlas(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_app.cli", *args], capture_output=True,
                          text=True, timeout=300, **kwargs)


def start_atlas(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "search_app.cli", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def record(rid: str, title: str, country: str = "Sénégal") -> dict:
    return {"id": rid, "title": title, "theme": "Eau et assainissement", "status": "En cours",
            "start_year": 2019, "foreign_partners": [{"name": "Podor", "country": country}],
            "french_partners": ["Lille"], "context": f"{title}: accès à l'eau potable."}


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def ids(index: Path) -> set[str]:
    service = SearchService(index)
    try:
        found = service.search(SearchParams(size=100))
        return {h["id"] for h in found["hits"]}
    finally:
        service.close()


def leftovers(index: Path) -> list[str]:
    """Version folders that are not complete versions."""
    return [p.name for p in (index / version.VERSIONS).iterdir()
            if not (p / "meta.json").is_file()]


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def base_index(tmp_path: Path) -> Path:
    index = tmp_path / "index"
    run = atlas("build", str(jsonl(tmp_path / "base.jsonl",
                                   [record(f"b{i}", f"Forage numéro {i}") for i in range(5)])),
                "--index", str(index))
    assert run.returncode == 0, run.stderr
    return index


def test_concurrent_updates_lose_nothing(base_index: Path, tmp_path: Path) -> None:
    sources = [jsonl(tmp_path / f"u{i}.jsonl", [record(f"u{i}", f"Puits {i}")]) for i in range(4)]
    procs = [start_atlas("update", str(src), "--index", str(base_index)) for src in sources]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert ids(base_index) == {f"b{i}" for i in range(5)} | {f"u{i}" for i in range(4)}
    waited = [err for _, err in results if "waiting for the index lock" in err]
    assert waited, "four writers at once: some must have waited, and said so"
    assert all(line.count("\n") == 1 for line in waited[0].splitlines(keepends=True))


def test_a_held_lock_times_out_with_one_line_naming_the_holder(base_index: Path,
                                                              tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from indexer import version\n"
        "with version.write_lock(sys.argv[1], command='build'):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(60)\n"), str(base_index)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        run = atlas("update", str(jsonl(tmp_path / "x.jsonl", [record("x1", "Latrines")])),
                    "--index", str(base_index), "--wait", "1")
        assert run.returncode == 1
        assert time.monotonic() - started < 30
        last = run.stderr.strip().splitlines()[-1]
        assert "locked by atlas build" in last and f"pid {holder.pid}" in last, run.stderr
    finally:
        holder.kill()
        holder.wait()
    assert "x1" not in ids(base_index)


def test_a_lock_left_by_a_killed_writer_blocks_no_one(base_index: Path, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from indexer import version\n"
        "with version.write_lock(sys.argv[1], command='update'):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(600)\n"), str(base_index)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    run = atlas("update", str(jsonl(tmp_path / "y.jsonl", [record("y1", "Citerne")])),
                "--index", str(base_index), "--wait", "5")
    assert run.returncode == 0, run.stderr
    assert "waiting" not in run.stderr
    assert "y1" in ids(base_index)


def test_a_killed_build_leaves_the_live_index_and_no_worker(base_index: Path,
                                                             tmp_path: Path) -> None:
    from indexer.generate import generate

    pages = tmp_path / "pages"
    generate(400, seed=3, out_dir=pages)  # enough pages for the parallel parsers
    live = (base_index / version.CURRENT).read_text()
    proc = start_atlas("build", str(pages), "--index", str(base_index), start_new_session=True)
    deadline = time.monotonic() + 120
    while not leftovers(base_index):  # kill it while it writes its version
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)  # the writer only: its workers must follow it
    proc.wait()
    assert (base_index / version.CURRENT).read_text() == live
    assert ids(base_index) == {f"b{i}" for i in range(5)}  # still serving the old version
    assert leftovers(base_index)
    deadline = time.monotonic() + 10
    while processes_mentioning(str(pages)):
        assert time.monotonic() < deadline, "a worker of the killed build is still alive"
        time.sleep(0.1)
    run = atlas("update", str(jsonl(tmp_path / "z.jsonl", [record("z1", "Pompe")])),
                "--index", str(base_index))
    assert run.returncode == 0, run.stderr
    assert leftovers(base_index) == []
    assert "z1" in ids(base_index)


def _small_files(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_leaves_the_live_index_untouched(base_index: Path, tmp_path: Path) -> None:
    big = [{**record(f"d{i}", f"Château d'eau {i}"), "context": "réservoir " * 400}
           for i in range(200)]
    live = (base_index / version.CURRENT).read_text()
    before = sorted(p.name for p in (base_index / version.VERSIONS).iterdir())
    run = atlas("build", str(jsonl(tmp_path / "big.jsonl", big)), "--index", str(base_index),
                preexec_fn=_small_files(64 * 1024))
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("atlas: error:"), run.stderr
    assert "could not write version" in lines[0] and "the live index is unchanged" in lines[0]
    assert "File too large" in lines[0] or "disk I/O error" in lines[0]  # whoosh or SQLite
    assert (base_index / version.CURRENT).read_text() == live
    assert sorted(p.name for p in (base_index / version.VERSIONS).iterdir()) == before
    assert ids(base_index) == {f"b{i}" for i in range(5)}


def test_versions_are_kept_listed_and_rolled_back(base_index: Path, tmp_path: Path) -> None:
    first = (base_index / version.CURRENT).read_text().strip()
    wrong = jsonl(tmp_path / "wrong.jsonl", [record("w1", "Mauvais dossier")])
    assert atlas("build", str(wrong), "--index", str(base_index)).returncode == 0
    assert ids(base_index) == {"w1"}
    listing = atlas("versions", "--index", str(base_index))
    assert listing.returncode == 0
    lines = listing.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("* ") and "1 records" in lines[0]
    assert first in lines[1] and "5 records" in lines[1]
    run = atlas("rollback", "--index", str(base_index))
    assert run.returncode == 0, run.stderr
    assert (base_index / version.CURRENT).read_text().strip() == first
    assert ids(base_index) == {f"b{i}" for i in range(5)}
    assert atlas("rollback", "no-such-version", "--index", str(base_index)).returncode == 1


def test_keep_bounds_the_versions_kept(base_index: Path, tmp_path: Path) -> None:
    src = jsonl(tmp_path / "k.jsonl", [record("k1", "Bassin")])
    for _ in range(3):
        assert atlas("build", str(src), "--index", str(base_index), "--keep", "3").returncode == 0
    assert len(version.versions(base_index)) == 3
    assert atlas("build", str(src), "--index", str(base_index), "--keep", "1").returncode == 0
    assert len(version.versions(base_index)) == 1


def test_an_older_format_is_refused_with_one_line(base_index: Path) -> None:
    layout = version.current(base_index)
    meta = layout.read_meta()
    layout.meta.write_text(json.dumps({**meta, "format": 1}), encoding="utf-8")
    run = atlas("search", "forage", "--index", str(base_index))
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0
    assert "format 1" in run.stderr and "rebuild" in run.stderr


def test_a_rollback_reaches_a_running_server(base_index: Path, tmp_path: Path) -> None:
    first = (base_index / version.CURRENT).read_text().strip()
    assert atlas("build", str(jsonl(tmp_path / "v2.jsonl", [record("v2", "Nouveau")])),
                 "--index", str(base_index)).returncode == 0
    port = free_port()
    server = start_atlas("serve", "--index", str(base_index), "--port", str(port),
                         env={k: v for k, v in os.environ.items() if k != "ATLAS_API_TOKEN"})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server)
        assert httpx.get(f"{base}/api/search").json()["total"] == 1
        assert atlas("rollback", "--index", str(base_index)).returncode == 0
        health = httpx.get(f"{base}/healthz").json()
        assert health["version"] == first and health["records"] == 5
        assert httpx.get(f"{base}/api/search").json()["total"] == 5
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_answers_after_updates_equal_a_fresh_build(base_index: Path, tmp_path: Path) -> None:
    changes = [
        [record("u1", "Forage profond", "Mali")],
        [record("b2", "Forage réhabilité", "Maroc"), record("u2", "Latrines scolaires")],
        [record("u1", "Forage profond et château d'eau", "Mali")],
    ]
    final = {f"b{i}": record(f"b{i}", f"Forage numéro {i}") for i in range(5)}
    for n, batch in enumerate(changes):
        src = jsonl(tmp_path / f"c{n}.jsonl", batch)
        assert atlas("update", str(src), "--index", str(base_index)).returncode == 0
        final.update({r["id"]: r for r in batch})
    assert atlas("delete", "b4", "--index", str(base_index)).returncode == 0
    del final["b4"]
    fresh = tmp_path / "fresh"
    assert atlas("build", str(jsonl(tmp_path / "all.jsonl", list(final.values()))),
                 "--index", str(fresh)).returncode == 0
    one, two = SearchService(base_index), SearchService(fresh)
    try:
        for params in (SearchParams(size=100), SearchParams(q="forage", size=100),
                       SearchParams(q='"château d\'eau"', size=100),
                       SearchParams(country=["ML"], size=100), SearchParams(q="latrine")):
            a, b = one.search(params), two.search(params)
            assert a["total"] == b["total"] and a["facets"] == b["facets"], params
            assert [h["id"] for h in a["hits"]] == [h["id"] for h in b["hits"]], params
    finally:
        one.close()
        two.close()


def test_build_timings_name_each_step(base_index: Path, tmp_path: Path) -> None:
    run = atlas("build", str(jsonl(tmp_path / "t.jsonl", [record("t1", "Chronométré")])),
                "--index", str(base_index), "--timings")
    assert run.returncode == 0, run.stderr
    steps = [line.strip().split(":")[0] for line in run.stderr.splitlines()
             if line.startswith("  ")]
    assert steps == ["read, analyse, store", "whoosh segment and flat postings",
                     "facet arrays", "lexicon and written forms", "phrase pairs (the rest)",
                     "sync and publish", "sorted runs spilled"]
    assert "indexed 1 records" in run.stderr.splitlines()[-1]


def test_live_version_rereads_current_only_when_it_changes(base_index: Path,
                                                            tmp_path: Path) -> None:
    live = version.LiveVersion(base_index)
    first = live.get()
    assert first == version.current(base_index)
    # Unchanged CURRENT: the version is not read again (a broken meta goes unseen)...
    meta = first.meta.read_text(encoding="utf-8")
    first.meta.write_text("{", encoding="utf-8")
    assert live.get() == first
    first.meta.write_text(meta, encoding="utf-8")
    # ...a publish and a rollback are seen on the next call.
    assert atlas("build", str(jsonl(tmp_path / "n.jsonl", [record("n1", "Neuf")])),
                 "--index", str(base_index)).returncode == 0
    second = live.get()
    assert second != first and second == version.current(base_index)
    assert atlas("rollback", "--index", str(base_index)).returncode == 0
    assert live.get() == first
    (base_index / version.CURRENT).unlink()
    with pytest.raises(version.IndexUnavailable, match="no CURRENT file"):
        live.get()


def test_a_request_keeps_the_version_it_started_with_across_a_swap(base_index: Path,
                                                                  tmp_path: Path) -> None:
    """An update published while a request is between its steps: the request finishes on
    the version it started with (its record store is not closed under it); that version's
    parts close once no request holds it."""
    from indexer import build as build_mod
    from search_app.engine import network

    service = SearchService(base_index)
    try:
        held = service.handle()  # what a request in flight holds
        rid = held.data.ids[0]
        network.authorities(service.reader())  # per-version caches must not keep a version alive
        build_mod.update([jsonl(tmp_path / "u.jsonl", [record("u1", "Mise à jour")])],
                         base_index, progress=False)
        fresh = service.handle()  # the next request opens the new version
        assert fresh is not held and service.search(SearchParams(q="mise"))["total"] == 1
        assert rid in held.records.get_many([rid])  # the old version still answers
        closer = held._closer
        assert closer.alive
        del held
        assert not closer.alive  # the last holder let go: its parts are closed
    finally:
        service.close()
