"""`pip install .` (not only editable) must carry the templates and static files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_templates_static_and_entry_point(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("base.html", "search.html", "project.html", "_partials.html",
                     "authority.html", "country.html", "authorities.html"):
        assert f"search_app/templates/{template}" in names
    assert "search_app/web/static/atlas.css" in names
    assert "search_app/web/static/atlas.js" in names
    assert "indexer/data/synonyms.txt" in names  # the bundled synonyms list
    assert "indexer/parse.py" in names and "search_app/engine/service.py" in names
    for data in ("countries.tsv", "long_tail.json", "people.json", "authorities.json",
                 "taxonomy.json", "sentences.json"):
        assert f"indexer/generate/data/{data}" in names, data
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "atlas = search_app.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_wheel_generates_pages(tmp_path: Path) -> None:
    """The generator reads its data files from an installed (not editable) copy."""
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(next(wheels.glob("*.whl")))], check=True, capture_output=True)
    code = ("import indexer.generate as g, pathlib, sys; "
            "assert pathlib.Path(g.__file__).is_relative_to(sys.argv[1]), g.__file__; "
            "print(g.generate(3, 1, pathlib.Path(sys.argv[2])))")
    run = subprocess.run([sys.executable, "-c", code, str(target), str(tmp_path / "out")],
                         cwd=tmp_path, env={"PYTHONPATH": str(target)}, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "3"
    assert len(list((tmp_path / "out").glob("syn_*.txt"))) == 3


ENGLISH_PAGE = """
import pathlib, sys
from fastapi.testclient import TestClient
import search_app.web.i18n as i18n
from search_app.cli import main
from search_app.settings import Settings
from search_app.web.app import create_app

target, seed, index = map(pathlib.Path, sys.argv[1:4])
assert pathlib.Path(i18n.__file__).is_relative_to(target), i18n.__file__
messages = target / "search_app" / "web" / "locale" / "en" / "LC_MESSAGES"
assert (messages / "messages.mo").is_file()
(messages / "messages.po").unlink()  # the compiled catalog alone must do
assert main(["build", str(seed), "--index", str(index)]) == 0
with TestClient(create_app(Settings(index_dir=index))) as client:
    english = client.get("/", params={"q": "coopération"}, headers={"Accept-Language": "en"})
    french = client.get("/", params={"q": "coopération"})
print(english.status_code, french.status_code)
print("Search for a project" in english.text, '<html lang="en">' in english.text)
print("Rechercher un projet" in french.text, "Search for a project" in french.text)
"""


def test_installed_wheel_serves_english_pages(tmp_path: Path) -> None:
    """`pip install .` compiles the English catalog: the installed copy answers in English
    from its .mo (no .po, no compilation at run time)."""
    wheels, target, source = tmp_path / "wheels", tmp_path / "site", tmp_path / "source"
    # A clean copy: no .mo and no earlier build/ that could lend one.
    anywhere = shutil.ignore_patterns(".git", "__pycache__", ".*cache", ".hypothesis", "*.mo",
                                      "*.egg-info")
    top = {".venv", "build", "dist", "index", "data", "tests", "bench"}
    shutil.copytree(ROOT, source, ignore=lambda folder, names: anywhere(folder, names) | (
        top & set(names) if Path(folder) == ROOT else set()))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(source)], check=True, capture_output=True)
    wheel = next(wheels.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "search_app/web/locale/en/LC_MESSAGES/messages.mo" in names
    assert "indexer/data/taxonomy_en.tsv" in names
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    run = subprocess.run(
        [sys.executable, "-c", ENGLISH_PAGE, str(target), str(ROOT / "tests" / "data" / "seed"),
         str(tmp_path / "index")],
        cwd=tmp_path, env={"PYTHONPATH": str(target)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split("\n")[-4:-1] == ["200 200", "True True", "True False"], run.stdout
