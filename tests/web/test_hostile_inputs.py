"""Odd inputs at the web layer: a forged Host, formulas behind blanks, control characters,
source files under /static, errors (headers, HTML page, a logger that never blocks), and
download names and headings."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .test_api import read_csv

# ---------------------------------------------------------------- point 7: Host not reflected


@pytest.mark.parametrize("path", ["/api/search/", "/collectivites/"])
def test_trailing_slash_redirect_does_not_echo_the_host(client, path: str) -> None:
    response = client.get(path + "?q=eau", headers={"Host": "evil.example"},
                          follow_redirects=False)
    assert response.status_code in (301, 302, 307, 308), response.status_code
    location = response.headers["location"]
    assert "evil.example" not in location
    assert location == path.rstrip("/") + "?q=eau"


def test_relative_location_cannot_become_another_host() -> None:
    from search_app.web.middleware import _relative

    assert _relative(b"http://evil.example//other.example/x") == b"/other.example/x"
    assert _relative(b"/api/search?q=1") == b"/api/search?q=1"


# ---------------------------------------------------------------- point 8: spreadsheet cells


@pytest.fixture(scope="module")
def odd_cells_client(tmp_path_factory: pytest.TempPathFactory):
    from indexer.build import build
    from search_app.settings import Settings
    from search_app.web.app import create_app

    root = tmp_path_factory.mktemp("odd-cells")
    records = [
        {"id": "w1", "title": " =HYPERLINK(\"http://evil\";\"clic\")", "theme": "Culture",
         "status": "En cours", "start_year": 2015, "french_partners": ["\t+Lyon", "\n@Nantes"],
         "foreign_partners": [{"name": "Podor", "country": "Sénégal"}]},
        {"id": "w2", "title": "Titre\x00 avec\x1b[31m des contrôles\x07", "theme": "Culture",
         "status": "En cours", "start_year": 2016, "french_partners": ["\r\n -Lille"]},
        {"id": "w3", "title": "Projet ordinaire - eau", "theme": "Culture",
         "status": "En cours", "start_year": 2017, "french_partners": ["Rennes"]},
    ]
    (root / "recs.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    build([root], root / "index", progress=False, workers=1)
    with TestClient(create_app(Settings(index_dir=root / "index"))) as client:
        yield client


def test_csv_formulas_behind_blanks_are_neutralised(odd_cells_client) -> None:
    rows = {r["id"]: r for r in read_csv(odd_cells_client.get("/api/search.csv"))}
    assert rows["w1"]["title"].startswith("' =HYPERLINK")
    assert rows["w1"]["french_partners"].startswith("'")  # a cell is judged by its start
    assert rows["w2"]["french_partners"].startswith("'")
    assert rows["w3"]["title"] == "Projet ordinaire - eau"  # a dash inside is no formula


def test_control_characters_removed_from_csv_and_xlsx(odd_cells_client) -> None:
    from openpyxl import load_workbook

    body = odd_cells_client.get("/api/search.csv").content.decode("utf-8-sig")
    assert not any(c in body for c in "\x00\x1b\x07")
    rows = {r["id"]: r for r in read_csv(odd_cells_client.get("/api/search.csv"))}
    assert rows["w2"]["title"] == "Titre avec[31m des contrôles"
    sheet = load_workbook(io.BytesIO(odd_cells_client.get("/api/search.xlsx").content)).active
    titles = {r[0].value: r[1] for r in sheet.iter_rows(min_row=2)}
    assert titles["w2"].value == "Titre avec[31m des contrôles"
    assert titles["w1"].quotePrefix  # shown as text, never run
    # JSON Lines keeps the record as `atlas parse` gives it: the indexer already removed
    # the control characters from what it reads (`indexer.record`).
    lines = odd_cells_client.get("/api/search.jsonl").text.splitlines()
    assert lines and not any("\\u001b" in line for line in lines)


# ---------------------------------------------------------------- point 12: assets only


@pytest.mark.parametrize("path", ["/static/__init__.py", "/static/__init__.0123456789ab.py",
                                  "/static/__pycache__/__init__.cpython-311.pyc"])
def test_only_asset_files_are_served(client, path: str) -> None:
    assert client.get(path).status_code == 404
    assert client.get("/static/atlas.css").status_code == 200


# ---------------------------------------------------------------- point 10: errors


@pytest.fixture
def failing_client(app, monkeypatch: pytest.MonkeyPatch):
    from search_app.engine.reader import Reader

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk went away")

    monkeypatch.setattr(Reader, "search", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_500_page_is_the_styled_html_page_with_security_headers(failing_client,
                                                                caplog) -> None:
    with caplog.at_level("ERROR", logger="atlas.error"):
        page = failing_client.get("/?q=eau")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Erreur interne" in page.text and "<link" in page.text  # the site's page
    assert "Internal Server Error" not in page.text
    assert "content-security-policy" in page.headers
    assert page.headers["x-content-type-options"] == "nosniff"
    assert any("disk went away" in (r.exc_text or "") for r in caplog.records)
    api = failing_client.get("/api/search", params={"q": "eau"})
    assert api.status_code == 500 and api.json()["detail"]
    assert "content-security-policy" in api.headers
    assert "disk went away" not in api.text  # no internals to the client


def test_error_logging_never_blocks_on_an_undrained_stderr(tmp_path: Path) -> None:
    """A process whose stderr is a pipe nobody reads logs 3,000 tracebacks (some 6 MB; a
    pipe holds 64 KB): with the queue it finishes at once, without it it hangs."""
    script = textwrap.dedent("""
        import logging, sys, time
        from search_app.web.middleware import ERROR_LOGGER, log_errors_to_stderr
        log_errors_to_stderr()
        logger = logging.getLogger(ERROR_LOGGER)
        started = time.monotonic()
        for i in range(3000):
            try:
                raise RuntimeError("x" * 2000)
            except RuntimeError:
                logger.exception("request %d", i)
        print(f"{time.monotonic() - started:.2f}", flush=True)
        sys.stdout.close()
        time.sleep(30)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        line = proc.stdout.readline()  # stderr is never read
        assert line, "the logging process blocked on its stderr"
        assert float(line) < 10
    finally:
        proc.kill()
        proc.wait()


def test_uvicorn_messages_go_through_the_queue_too() -> None:
    import logging
    from logging.handlers import QueueHandler

    from search_app.web.middleware import log_errors_to_stderr

    logger = logging.getLogger("uvicorn.error")
    saved = list(logger.handlers)
    logger.addHandler(logging.StreamHandler(io.StringIO()))
    try:
        log_errors_to_stderr()
        assert logger.handlers and all(isinstance(h, QueueHandler) for h in logger.handlers)
    finally:
        logger.handlers[:] = saved


# ---------------------------------------------------------------- point 13: download names


@pytest.mark.parametrize("path,ext", [("/api/search.csv", "csv"), ("/api/search.jsonl", "jsonl"),
                                      ("/api/search.xlsx", "xlsx")])
def test_downloads_are_named_after_the_search(client, path: str, ext: str) -> None:
    response = client.get(path, params={"q": "eau", "country": "SN"})
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="atlas-eau-senegal.{ext}"' in disposition
    assert f"filename*=UTF-8''atlas-eau-s%C3%A9n%C3%A9gal.{ext}" in disposition
    plain = client.get(path).headers["content-disposition"]
    assert f'filename="atlas-recherche.{ext}"' in plain


def test_download_names_are_safe_ascii_slugs() -> None:
    from search_app.engine.request import SearchParams
    from search_app.web.filenames import content_disposition, export_filename

    odd = SearchParams(q='"l\'eau" ../../etc/passwd\r\nX: y <script>', theme=["Santé"])
    name = export_filename(odd, "csv")
    assert name == "atlas-l-eau-etc-passwd-x-y-script-sante.csv"
    header = content_disposition(SearchParams(q="x" * 400), "csv")
    assert header.isascii() and "\r" not in header and len(header) < 200


def test_csv_headings_are_french_like_excel(client) -> None:
    head = client.get("/api/search.csv").content.decode("utf-8-sig").splitlines()[0]
    assert head.startswith('"Identifiant";"Titre";"Thématique";"Sous-thématique";')
    assert '"id"' not in head and '"title"' not in head
