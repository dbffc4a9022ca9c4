"""`pip install .` (not only editable) must carry the templates and static files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_templates_static_and_entry_point(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    wheel = next(tmp_path.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("base.html", "search.html", "project.html", "_partials.html"):
        assert f"search_app/templates/{template}" in names
    assert "search_app/static/atlas.css" in names
    assert "search_app/static/atlas.js" in names
    assert "indexer/parse.py" in names and "search_app/service.py" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "atlas = search_app.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
