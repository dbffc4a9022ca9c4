"""A version's integrity through the real command line: publishing as the commit point (a
writer killed between finishing and publishing), checksums checked on open, by `atlas
check` and before a rollback, and writes that change nothing publishing nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import version

from .test_writes import atlas, ids, jsonl, record


@pytest.fixture
def base_index(tmp_path: Path) -> Path:
    """An index of five records, b0 to b4, built by `atlas build`."""
    index = tmp_path / "index"
    source = jsonl(tmp_path / "base.jsonl", [record(f"b{i}", f"Forage {i}") for i in range(5)])
    run = atlas("build", str(source), "--index", str(index))
    assert run.returncode == 0, run.stderr
    return index


def live_name(index: Path) -> str:
    return (index / version.CURRENT).read_text().strip()


def folders(index: Path) -> list[str]:
    return sorted(p.name for p in (index / version.VERSIONS).iterdir())


def flip_byte(path: Path) -> None:
    """One flipped byte in the middle of a file: same size, same header."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def killed_between_finish_and_publish(source: Path, index: Path) -> None:
    """An update in a real process killed by SIGKILL once its version is complete (meta.json
    written and synced), just before CURRENT is renamed."""
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from indexer import build, version\n"
        "def publish(index_dir, layout, keep=2):\n"
        "    assert layout.meta.is_file()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "version.publish = publish\n"
        "build.update([sys.argv[1]], Path(sys.argv[2]))\n")
    run = subprocess.run([sys.executable, "-c", code, str(source), str(index)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == -9, run.stderr


def test_a_version_killed_before_publishing_is_never_a_version(base_index: Path,
                                                               tmp_path: Path) -> None:
    first = live_name(base_index)
    killed_between_finish_and_publish(
        jsonl(tmp_path / "aborted.jsonl", [record("aborted", "Mise à jour interrompue")]),
        base_index)
    unpublished = [n for n in folders(base_index) if n != first]
    assert len(unpublished) == 1
    assert (base_index / version.VERSIONS / unpublished[0] / "meta.json").is_file()
    assert live_name(base_index) == first
    listing = atlas("versions", "--index", str(base_index))
    assert listing.stdout.strip().splitlines() == [listing.stdout.strip().splitlines()[0]]
    assert unpublished[0] not in listing.stdout

    # The next writer removes it; it is not kept in place of the real previous version.
    run = atlas("update", str(jsonl(tmp_path / "next.jsonl", [record("n1", "Pompe")])),
                "--index", str(base_index))
    assert run.returncode == 0, run.stderr
    assert unpublished[0] not in folders(base_index)
    assert [v.name for v in version.versions(base_index)][1:] == [first]

    run = atlas("rollback", "--index", str(base_index))
    assert run.returncode == 0, run.stderr
    assert live_name(base_index) == first
    assert ids(base_index) == {f"b{i}" for i in range(5)}


def test_a_rollback_never_reaches_an_unpublished_version(base_index: Path,
                                                         tmp_path: Path) -> None:
    assert atlas("update", str(jsonl(tmp_path / "v2.jsonl", [record("v2", "Deux")])),
                 "--index", str(base_index)).returncode == 0
    second = live_name(base_index)
    killed_between_finish_and_publish(
        jsonl(tmp_path / "aborted.jsonl", [record("aborted", "Interrompue")]), base_index)
    aborted = max(folders(base_index))
    run = atlas("rollback", aborted, "--index", str(base_index))
    assert run.returncode == 1
    assert live_name(base_index) == second
    assert "aborted" not in ids(base_index)


def test_check_names_a_damaged_part_and_opening_refuses_it(base_index: Path) -> None:
    run = atlas("check", "--index", str(base_index))
    assert run.returncode == 0, run.stderr
    assert "every checksum matches" in run.stdout
    layout = version.current(base_index)
    flip_byte(layout.postings("body").docs)
    run = atlas("check", "--index", str(base_index))
    assert run.returncode == 1
    assert "postings-body.docs.npy (checksum mismatch)" in run.stderr
    assert run.stderr.count("\n") == 1
    search = atlas("search", "forage", "--index", str(base_index))
    assert search.returncode == 1
    assert "damaged index version" in search.stderr and "postings-body" in search.stderr


def test_rollback_refuses_a_damaged_target(base_index: Path, tmp_path: Path) -> None:
    first = live_name(base_index)
    assert atlas("build", str(jsonl(tmp_path / "v2.jsonl", [record("v2", "Deux")])),
                 "--index", str(base_index)).returncode == 0
    second = live_name(base_index)
    target = version.Layout(base_index / version.VERSIONS / first)
    flip_byte(target.records)
    check = atlas("check", "--index", str(base_index), "--version", first)
    assert check.returncode == 1 and "records.sqlite (checksum mismatch)" in check.stderr
    run = atlas("rollback", "--index", str(base_index))
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1
    assert f"refusing to roll back to version {first}: damaged parts: records.sqlite" \
        in run.stderr
    assert live_name(base_index) == second


def test_a_version_without_checksums_still_opens(base_index: Path) -> None:
    layout = version.current(base_index)
    meta = layout.read_meta()
    del meta["checksums"]
    layout.meta.write_text(json.dumps(meta), encoding="utf-8")
    run = atlas("check", "--index", str(base_index))
    assert run.returncode == 0, run.stderr
    assert "no checksums" in run.stdout
    assert atlas("search", "forage", "--index", str(base_index), "--json").returncode == 0


def test_serve_on_a_damaged_index_names_the_version_to_roll_back_to(base_index: Path,
                                                                     tmp_path: Path) -> None:
    first = live_name(base_index)
    assert atlas("build", str(jsonl(tmp_path / "v2.jsonl", [record("v2", "Deux")])),
                 "--index", str(base_index)).returncode == 0
    flip_byte(version.current(base_index).postings("title").docs)
    run = atlas("serve", "--index", str(base_index), "--port", "9")  # never reaches uvicorn
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].count("cannot open index at") == 1
    assert "damaged" in lines[0] and f"atlas rollback {first}" in lines[0]


# ---------------------------------------------------------------- writes that change nothing


def search_etag(index: Path) -> str:
    from fastapi.testclient import TestClient

    from search_app.web.app import create_app
    from search_app.settings import Settings

    with TestClient(create_app(Settings(index_dir=index))) as client:
        return client.get("/api/search", params={"q": "forage"}).headers["etag"]


def test_writes_that_change_nothing_publish_nothing(base_index: Path, tmp_path: Path) -> None:
    before, live, etag = folders(base_index), live_name(base_index), search_etag(base_index)
    run = atlas("delete", "not-an-id", "other", "--index", str(base_index))
    assert run.returncode == 1
    assert "not in the index: not-an-id, other" in run.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.txt").write_text("pas une page de l'Atlas\n", encoding="utf-8")
    jsonl(bad / "b.jsonl", [{"id": "x", "title": 3}])
    for command in ("update", "build"):
        run = atlas(command, str(bad), "--index", str(base_index))
        assert run.returncode == 1, (command, run.stderr)
        assert "skipped" in run.stderr and "a.txt" in run.stderr and "b.jsonl:1" in run.stderr
        assert "nothing published" in run.stderr
    assert folders(base_index) == before and live_name(base_index) == live
    assert search_etag(base_index) == etag


def test_a_write_with_skipped_inputs_exits_2_and_strict_publishes_nothing(
        base_index: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    jsonl(mixed / "good.jsonl", [record("g1", "Puits"), {"id": "g2", "title": 3}])
    before, live = folders(base_index), live_name(base_index)
    for command in ("update", "build"):
        run = atlas(command, str(mixed), "--index", str(base_index), "--strict")
        assert run.returncode == 1, (command, run.stderr)
        assert "good.jsonl:2" in run.stderr and "--strict" in run.stderr
        assert folders(base_index) == before and live_name(base_index) == live
    run = atlas("update", str(mixed), "--index", str(base_index))
    assert run.returncode == 2, run.stderr
    assert "done, with skipped inputs" in run.stderr
    assert "g1" in ids(base_index)
    help_text = atlas("update", "--help").stdout
    assert "2 done, with skipped inputs" in help_text


def test_a_version_folder_restored_from_a_backup_is_a_version(base_index: Path,
                                                               tmp_path: Path) -> None:
    first = live_name(base_index)
    backup = tmp_path / "backup" / first
    shutil.copytree(base_index / version.VERSIONS / first, backup)
    source = jsonl(tmp_path / "v.jsonl", [record("v", "Autre")])
    for _ in range(2):
        assert atlas("build", str(source), "--index", str(base_index)).returncode == 0
    assert first not in folders(base_index)  # pruned
    shutil.copytree(backup, base_index / version.VERSIONS / first)
    assert first in atlas("versions", "--index", str(base_index)).stdout
    run = atlas("rollback", first, "--index", str(base_index))
    assert run.returncode == 0, run.stderr
    assert ids(base_index) == {f"b{i}" for i in range(5)}
