"""The `atlas search` text output, through the real command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..conftest import ATLAS

# ---------------------------------------------------------------- the CLI's text output


def _atlassearch_all(index_dir: Path, *args: str, columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([str(ATLAS), "search", *args, "--index", str(index_dir)],
                          capture_output=True, text=True, timeout=120, env=env, check=True)
    return done.stdout


def test_cli_text_fits_the_terminal_and_cuts_snippets_at_a_word(index_dir: Path) -> None:
    out = _atlassearch_all(index_dir, "eau potable", "--limit", "5", columns=50)
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
    out = _atlassearch_all(index_dir, "piège esperluette", columns=80)
    assert out.splitlines()[0].startswith("1 projet (page 1/1"), out
    many = _atlassearch_all(index_dir, "eau", columns=80)
    assert " projets (page 1/" in many.splitlines()[0]


