"""Odd inputs through the library and the real command line: pages in any Unicode
normalisation form, symbolic link loops and dangling links in a source folder, ids the API
would refuse, oversized fields and control characters; `atlas parse` killed with its
workers; `atlas search --match`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from indexer.parse import label_key, parse_file, parse_text, section_of
from indexer.record import MAX_ID, MAX_LONG_TEXT, MAX_TEXT, InvalidRecord, record_from_json
from search_app.engine.request import SearchParams
from search_app.engine.service import SearchService

from ..conftest import SEED_PAGE
from .test_writes import atlas, jsonl, record

SEED_TEXT = SEED_PAGE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- normalisation forms


def mixed_forms(text: str) -> str:
    """Each line in another form: NFD, NFKD, NFC in turn."""
    forms = ("NFD", "NFKD", "NFC")
    return "\n".join(unicodedata.normalize(forms[i % 3], line)
                     for i, line in enumerate(text.split("\n")))


@pytest.mark.parametrize("form", ["NFD", "NFKD", "mixed"])
def test_a_page_in_any_normalisation_form_gives_the_nfc_record(form: str,
                                                              tmp_path: Path) -> None:
    text = mixed_forms(SEED_TEXT) if form == "mixed" else unicodedata.normalize(form, SEED_TEXT)
    assert text != SEED_TEXT
    page = tmp_path / SEED_PAGE.name
    page.write_bytes(text.encode("utf-8"))
    expected = parse_file(SEED_PAGE).to_dict()
    got = parse_file(page).to_dict()
    assert got == expected
    assert got["theme"] and got["start_year"] and got["countries"] and got["description"]


def test_label_matching_does_not_depend_on_the_form() -> None:
    for label in ("Thématique d'intervention", "Année de début du partenariat",
                  "Autres thématiques mises en œuvre pour le partenariat"):
        for form in ("NFD", "NFKD", "NFKC"):
            other = unicodedata.normalize(form, label)
            assert label_key(other) == label_key(label)
            assert section_of(other) == section_of(label) is not None


def test_json_input_is_nfc() -> None:
    line = json.dumps({"id": "n1", "title": unicodedata.normalize("NFD", "Forêt à Kédougou"),
                       "french_partners": [unicodedata.normalize("NFD", "Besançon")]})
    rec = record_from_json(line)
    assert rec.title == "Forêt à Kédougou" and rec.french_partners == ["Besançon"]


# ---------------------------------------------------------------- symbolic links


def test_a_symlink_loop_and_a_dangling_link_are_named_failures(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    shutil.copy(SEED_PAGE, src / SEED_PAGE.name)
    jsonl(src / "sub" / "more.jsonl", [record("j1", "Puits"), record("j2", "Forage")])
    os.symlink("loop.txt", src / "loop.txt")  # a link to itself
    os.symlink("b.txt", src / "a.txt")  # two links to each other
    os.symlink("a.txt", src / "b.txt")
    os.symlink("self", src / "sub" / "self")  # a loop with no page suffix
    os.symlink("nowhere.txt", src / "gone.txt")  # dangling
    os.symlink("..", src / "sub" / "up")  # a link to a folder: listed, not entered
    index = tmp_path / "index"
    run = atlas("build", str(src), "--index", str(index))
    assert run.returncode == 2, run.stderr
    for name in ("loop.txt", "a.txt", "b.txt", "sub/self"):
        assert f"skipped {src / name}: cannot read: symbolic link loop" in run.stderr, name
    assert (f"skipped {src / 'gone.txt'}: cannot read: broken symbolic link "
            f"(its target nowhere.txt is missing)") in run.stderr
    assert "indexed 3 records, skipped 5" in run.stderr
    parsed = atlas("parse", str(src))
    assert parsed.returncode == 1
    assert len(parsed.stdout.splitlines()) == 3 and parsed.stderr.count("\n") == 5


# ---------------------------------------------------------------- ids, sizes, controls


def test_an_id_the_api_refuses_is_refused_as_input(tmp_path: Path) -> None:
    longest, too_long = "a" * MAX_ID, "b" * (MAX_ID + 1)
    with pytest.raises(InvalidRecord, match=r"invalid id .*201 characters"):
        record_from_json(json.dumps({"id": too_long, "title": "x"}))
    page = tmp_path / ("c" * (MAX_ID + 10) + ".txt")
    shutil.copy(SEED_PAGE, page)
    src = jsonl(tmp_path / "ids.jsonl", [record(longest, "Le plus long"),
                                         record(too_long, "Trop long")])
    index = tmp_path / "index"
    run = atlas("build", str(src), str(page), "--index", str(index))
    assert run.returncode == 2, run.stderr
    assert f"{src}:2: invalid id" in run.stderr and f"{page}: invalid id" in run.stderr

    from fastapi.testclient import TestClient

    from search_app.web.app import create_app
    from search_app.settings import Settings

    with TestClient(create_app(Settings(index_dir=index))) as client:
        assert client.get(f"/api/projects/{longest}").status_code == 200
        assert client.get(f"/api/projects/{too_long}").status_code in (404, 422)


def test_oversized_fields_are_refused_by_name() -> None:
    with pytest.raises(InvalidRecord, match=f"title: 10,000,000 characters, at most {MAX_TEXT:,}"):
        record_from_json(json.dumps({"id": "big", "title": "t" * 10_000_000}))
    with pytest.raises(InvalidRecord, match=r"description: .* at most"):
        record_from_json(json.dumps({"id": "big", "description": "d" * (MAX_LONG_TEXT + 1)}))
    with pytest.raises(InvalidRecord, match=r"french_partners\[0\]: .* at most"):
        record_from_json(json.dumps({"id": "big", "french_partners": ["p" * (MAX_TEXT + 1)]}))
    with pytest.raises(InvalidRecord, match=r"funding: 1,001 entries, at most 1,000"):
        record_from_json(json.dumps({"id": "big", "funding": [{}] * 1001}))
    big_page = SEED_TEXT.replace("\nTitre\n", "\nTitre\n" + "Titre immense " * 1000 + "\n", 1)
    from indexer.errors import ParseError

    with pytest.raises(ParseError, match="title: .* at most"):
        parse_text(big_page, "big")


def test_control_characters_are_removed_from_input() -> None:
    rec = record_from_json(json.dumps({
        "id": "ctl", "title": "Eau\x00 potable\x1b[31m\tà Podor\x7f\x9b",
        "description": "Ligne 1\r\nLigne\x07 2\n\t- puce\x00",
        "french_partners": ["Lille\x1b"],
        "foreign_partners": [{"name": "Podor\x00", "country": "Séné\x1bgal"}]}))
    assert rec.title == "Eau potable[31m à Podor"
    assert rec.description == "Ligne 1\nLigne 2\n\t- puce"
    assert rec.french_partners == ["Lille"] and rec.foreign_partners[0].name == "Podor"
    assert [c.code for c in rec.countries] == ["SN"]
    page = SEED_TEXT.replace("\nTitre\n", "\nTitre\n\x1b[2J\x0b", 1)
    assert "\x1b" not in parse_text(page, "p").title


# ---------------------------------------------------------------- parse workers


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(") ", 1)[-1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(") ", 1)[-1][:1]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_atlas_parse_takes_its_workers_with_it(tmp_path: Path) -> None:
    from indexer.generate import generate

    pages = tmp_path / "pages"
    generate(400, seed=5, out_dir=pages)  # enough pages for the parallel parsers
    # stdout is never read: the parse blocks on a full pipe with its workers started.
    proc = subprocess.Popen([sys.executable, "-m", "search_app.cli", "parse", str(pages)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while not (workers := children_of(proc.pid)):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        workers = children_of(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers):
            assert time.monotonic() < deadline, "a worker of the killed parse is still alive"
            time.sleep(0.1)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        for worker in workers:  # whatever the outcome, none is left behind
            if alive(worker):
                os.kill(worker, signal.SIGKILL)


# ---------------------------------------------------------------- atlas search --match


def test_search_match_option_equals_the_api(tmp_path: Path) -> None:
    index = tmp_path / "index"
    src = jsonl(tmp_path / "m.jsonl", [record("m1", "Puits et forage"), record("m2", "Puits"),
                                       record("m3", "Latrines")])
    assert atlas("build", str(src), "--index", str(index)).returncode == 0
    service = SearchService(index)
    try:
        for match in ("auto", "all"):
            run = atlas("search", "puits latrines", "--match", match, "--json",
                        "--index", str(index))
            assert run.returncode == 0, run.stderr
            got = json.loads(run.stdout)
            want = service.search(SearchParams(q="puits latrines", match=match))
            assert [h["id"] for h in got["hits"]] == [h["id"] for h in want["hits"]]
            assert got["relaxed"] == want["relaxed"]
    finally:
        service.close()
    strict = json.loads(atlas("search", "puits latrines", "--match", "all", "--json",
                              "--index", str(index)).stdout)
    relaxed = json.loads(atlas("search", "puits latrines", "--json", "--index", str(index)).stdout)
    assert strict["hits"] == [] and strict["relaxed"] == []
    assert [h["id"] for h in relaxed["hits"]] == ["m3"] and relaxed["relaxed"] == ["puits"]
    wrong = atlas("search", "x", "--match", "some", "--index", str(index))
    assert wrong.returncode == 1 and "invalid choice: 'some'" in wrong.stderr
