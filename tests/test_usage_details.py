"""What people ran into using the product: query operators, CLI output, display details.

Each test goes through a real interface: the app (TestClient) or the `atlas` command.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ATLAS = Path(sys.executable).parent / "atlas"


def _search(client, **params) -> dict:
    response = client.get("/api/search", params={"size": 100, **params})
    assert response.status_code == 200, response.text
    return response.json()


def _ids(answer: dict) -> set[str]:
    return {hit["id"] for hit in answer["hits"]}


# ---------------------------------------------------------------- query operators


def test_not_excludes_like_a_minus_sign(client) -> None:
    water = _search(client, q="eau")
    minus = _search(client, q="eau -santé")
    not_ = _search(client, q="eau NOT santé")
    assert 0 < minus["total"] < water["total"]
    assert not_["total"] == minus["total"] and _ids(not_) == _ids(minus)
    assert not_["relaxed"] == []


def test_and_is_the_default_not_a_word(client) -> None:
    plain = _search(client, q="eau santé", match="all")
    spelled = _search(client, q="eau AND santé", match="all")
    assert plain["total"] > 0
    assert spelled["total"] == plain["total"] and _ids(spelled) == _ids(plain)
    assert _search(client, q="eau AND santé")["relaxed"] == []


def test_punctuation_without_a_space_separates_words(client) -> None:
    spaced = _search(client, q="eau santé", match="all")
    for q in ("eau,santé", "eau;santé", "eau/santé"):
        glued = _search(client, q=q, match="all")
        assert glued["total"] == spaced["total"] and _ids(glued) == _ids(spaced), q


# ---------------------------------------------------------------- the CLI's text output


def _atlas_search(index_dir: Path, *args: str, columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([str(ATLAS), "search", *args, "--index", str(index_dir)],
                          capture_output=True, text=True, timeout=120, env=env, check=True)
    return done.stdout


def test_cli_text_fits_the_terminal_and_cuts_snippets_at_a_word(index_dir: Path) -> None:
    out = _atlas_search(index_dir, "eau potable", "--limit", "5", columns=50)
    lines = out.splitlines()
    assert len(lines) > 10
    assert max(len(line) for line in lines) <= 50, out
    cut = [line for line in lines if line.endswith("…")]
    assert cut, out
    for line in cut:
        assert not line.endswith((".…", " …", ",…")), line
        # the word before « … » is whole: the snippet text has it followed by a space or end
        assert line[-2].isalnum() or line[-2] in "*’'»)", line


def test_cli_says_one_project_in_the_singular(index_dir: Path) -> None:
    out = _atlas_search(index_dir, "piège esperluette", columns=80)
    assert out.splitlines()[0].startswith("1 projet (page 1/1"), out
    many = _atlas_search(index_dir, "eau", columns=80)
    assert " projets (page 1/" in many.splitlines()[0]
