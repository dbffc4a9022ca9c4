"""Bad input files through the real `atlas` command: JSON Lines lines that break the record
contract, page names that fold to one id, an empty source folder, `--index` on a file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_parse import MINIMAL


def atlas(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search_app.cli", *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8")


def search_ids(index: Path) -> dict[str, dict]:
    run = atlas("search", "--json", "--limit", "100", "--index", index)
    assert run.returncode == 0, run.stderr
    return {hit["id"]: hit for hit in json.loads(run.stdout)["hits"]}


def good(rid: str, **extra: object) -> dict:
    return {"id": rid, "title": f"Projet {rid}", "start_year": 2014,
            "foreign_partners": [{"name": "Podor", "country": "Sénégal"}], **extra}


# (line as written, the reason `atlas` must give for it)
BAD_LINES = [
    (good("b1", start_year="deux mille"), 'start_year: expected an integer, got "deux mille"'),
    (good("b2", french_partners="Caen"), 'french_partners: expected a list, got "Caen"'),
    (good("b3", countries="SN"), 'countries: expected a list, got "SN"'),
    (good("b4", funding=[{"funder": "Lille", "amount_eur": "1 000", "year": 2014}]),
     'funding[0].amount_eur: expected an integer, got "1 000"'),
    (good("b5", triennial="oui"), 'triennial: expected true or false, got "oui"'),
    (good("b6", french_partners=["Caen", 3]), "french_partners[1]: expected a string, got 3"),
    (good("b7", end_date="31/12/2020"), "end_date: expected an ISO date"),
    (good("b8", countries=[{"code": "ZZ", "name": "Nulle part"}]), 'countries[0].code'),
    (good("b9", foreign_partners={"name": "Podor"}), "foreign_partners: expected a list"),
    ({"id": 12, "title": "x"}, "a record needs an 'id' string"),
    (["not", "an", "object"], "a record must be a JSON object"),
    ("{not json", "not valid JSON"),
]


@pytest.fixture
def mixed_jsonl(tmp_path: Path) -> Path:
    lines = [json.dumps(good("ok1", french_partners=["Caen"]), ensure_ascii=False)]
    for value, _ in BAD_LINES:
        lines.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    lines.append("")
    lines.append(json.dumps(good("ok2", title=None, countries=[{"code": "SN", "name": "Sénégal"}],
                                 funding=[{"funder": "Lille", "amount_eur": None, "year": 2014}]),
                            ensure_ascii=False))
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_build_skips_badly_typed_lines_with_file_line_reason(mixed_jsonl: Path,
                                                             tmp_path: Path) -> None:
    index = tmp_path / "index"
    run = atlas("build", mixed_jsonl, "--index", index)
    assert run.returncode == 2, run.stderr  # done, with skipped inputs
    errors = [line for line in run.stderr.splitlines() if line.startswith("atlas: skipped")]
    assert len(errors) == len(BAD_LINES)
    for number, ((_, reason), line) in enumerate(zip(BAD_LINES, errors, strict=True), start=2):
        assert line.startswith(f"atlas: skipped {mixed_jsonl}:{number}: "), line
        assert reason in line, (reason, line)
    assert f"indexed 2 records, skipped {len(BAD_LINES)}" in run.stderr
    hits = search_ids(index)
    assert set(hits) == {"ok1", "ok2"}
    assert hits["ok1"]["french_partners"] == ["Caen"]  # a list of one, not C, a, e, n


def test_parse_prints_good_lines_and_names_each_bad_one(mixed_jsonl: Path) -> None:
    run = atlas("parse", mixed_jsonl)
    assert run.returncode == 1
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["id"] for r in records] == ["ok1", "ok2"]
    assert records[1]["title"] == ""  # null is "not given", not the string "None"
    assert records[1]["funding"] == [{"funder": "Lille", "amount_eur": None, "year": 2014}]
    assert records[1]["funding_total_eur"] == 0
    assert len(run.stderr.strip().splitlines()) == len(BAD_LINES)
    assert f"{mixed_jsonl}:4: countries: expected a list" in run.stderr


def test_names_folding_to_one_id_keep_both_records(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "x_café.txt").write_text(MINIMAL.replace("Eau potable à Podor", "Projet café"),
                                      encoding="utf-8")
    (pages / "x_caf_.txt").write_text(MINIMAL.replace("Eau potable à Podor", "Projet caf"),
                                      encoding="utf-8")
    first, again = atlas("parse", pages), atlas("parse", pages)
    assert first.returncode == 0, first.stderr
    ids = {json.loads(line)["title"]: json.loads(line)["id"] for line in first.stdout.splitlines()}
    assert ids["Projet caf"] == "x_caf_"
    assert ids["Projet café"].startswith("x_caf_-") and len(ids["Projet café"]) == 15
    assert again.stdout == first.stdout  # the suffix is the same on every run

    index = tmp_path / "index"
    run = atlas("build", pages, "--index", index)
    assert run.returncode == 0, run.stderr
    assert "indexed 2 records, skipped 0" in run.stderr
    assert {hit["title"] for hit in search_ids(index).values()} == {"Projet café", "Projet caf"}


def test_empty_source_folder_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "notes.md").write_text("not a page", encoding="utf-8")
    index = tmp_path / "index"
    run = atlas("build", empty, "--index", index)
    assert run.returncode == 1
    assert run.stderr.strip() == (f"atlas: error: {empty}: no page (.txt) or JSON Lines "
                                  f"(.jsonl, .ndjson) file in this folder")
    assert not index.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


@pytest.mark.parametrize("below", ["", "sub"])
def test_index_on_a_file_is_one_line_and_writes_nothing(tmp_path: Path, below: str) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "podor.txt").write_text(MINIMAL, encoding="utf-8")
    target = tmp_path / "index.txt"
    target.write_text("keep me", encoding="utf-8")
    index = target / below if below else target
    run = atlas("build", tmp_path / "pages", "--index", index)
    assert run.returncode == 1
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith("atlas: error: ") and f"{target} is a file" in run.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.txt", "pages"]


def _outcome(items) -> tuple[list, list]:
    from indexer.record import Record
    from indexer.sources import Failure

    records = [(i.id, i.title) for i in items if isinstance(i, Record)]
    failures = sorted(str(i) for i in items if isinstance(i, Failure))
    return records, failures


def test_build_units_keep_the_rules_of_repeated_ids(tmp_path: Path) -> None:
    """The parallel build's work list keeps the rules of repeated ids: the last valid
    record of an id wins (pages first, then lines in order), a bad line never replaces a
    record and is reported, a BOM does not hide an id."""
    from indexer.sources import Failure, build_units, expand, read_sources, read_unit

    (tmp_path / "p1.txt").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "p2.txt").write_text(MINIMAL.replace("Titre", "Titre", 1), encoding="utf-8")

    def line(rid: str, title: str) -> str:
        return json.dumps({"id": rid, "title": title}, ensure_ascii=False)

    (tmp_path / "a.jsonl").write_bytes(("\ufeff" + "\n".join([
        line("x", "premier x"),
        line("y", "seul y"),
        line("x", "second x"),
        json.dumps({"id": "x", "title": 12}),  # breaks the contract: x stays "second x"
        line("p1", "la ligne remplace la page"),
        json.dumps({"id": "p2", "start_year": "jamais"}),  # bad: the page p2 stays
        "{pas du json",
        "",
    ]) + "\n").encode("utf-8"))
    (tmp_path / "b.jsonl").write_text(line("y", "y du second fichier") + "\n", encoding="utf-8")
    paths = expand([tmp_path])
    units = build_units(paths)
    assert not any(isinstance(u, Failure) for u in units)
    got = [read_unit(u) for u in units]
    assert _outcome(got) == _outcome(list(read_sources(paths, workers=1, unique=True)))
    records, bad = _outcome(got)
    assert dict(records) == {"p1": "la ligne remplace la page", "p2": dict(records)["p2"],
                             "x": "second x", "y": "y du second fichier"}
    assert len(bad) == 3


def test_a_folder_lists_what_rglob_lists(tmp_path: Path) -> None:
    # The plain definition: every file under the folder with a source suffix (any case),
    # in Path order; a link to a folder is not entered, a link to a file is a file, a
    # broken link is listed (to be reported by name when read).
    from indexer.sources import JSONL_SUFFIXES, PAGE_SUFFIXES, expand

    root = tmp_path / "pages"
    for name in ["b.txt", "a.TXT", "a-b.txt", "a/b.txt", "a/c/d.jsonl", "a/c/e.csv",
                 "z.ndjson", "a/.hidden.txt", "x y/é.txt", "noext", "a/c/f.txt.bak"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x", encoding="utf-8")
    (root / "dir.txt").mkdir()  # a folder named like a page is not a page
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("x", encoding="utf-8")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "link.txt").symlink_to(root / "b.txt")
    (root / "broken.txt").symlink_to(tmp_path / "missing.txt")
    plain = sorted(p for p in root.rglob("*")
                   if (p.is_file() and p.suffix.lower() in PAGE_SUFFIXES | JSONL_SUFFIXES)
                   or (p.is_symlink() and not p.exists()))
    assert expand([root]) == plain
    assert root / "a-b.txt" in plain and root / "link.txt" in plain
    assert root / "broken.txt" in plain
    assert not any("linked" in p.parts for p in plain)
