"""Exports of a result set: JSON Lines for programs, CSV and Excel for people.

Each takes the stored JSON of the records (`SearchService.export_json`), in the requested
order, and is written chunk by chunk, so memory stays flat however many records match.

Spreadsheet exports (CSV, Excel) neutralise formula injection as OWASP advises: a text cell
that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, or with `=`, `+`, `-`, `@`
after spaces, tabs or line breaks (spreadsheets skip those), gets a leading `'`, so a
spreadsheet shows it as text instead of running it; control characters (NUL, ESC…; tab and
line breaks kept) are removed. JSON Lines is data for programs and keeps every value exactly
as `atlas parse` gives it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from indexer.fields import FACETS, YEAR
from indexer.regions import record_regions, region_name
from search_app.web.i18n import DEFAULT, N_, gettext

# Field name, French heading (Excel; translated for the interface language), Excel column
# width in characters.
COLUMNS: list[tuple[str, str, int]] = [
    ("id", N_("Identifiant"), 24),
    ("title", N_("Titre"), 60),
    ("theme", N_("Thématique"), 30),
    ("sub_theme", N_("Sous-thématique"), 30),
    ("sub_sub_theme", N_("Sous-sous-thématique"), 24),
    ("status", N_("Statut"), 12),
    ("partnership_form", N_("Forme du partenariat"), 30),
    ("signature_year", N_("Année de signature"), 11),
    ("start_year", N_("Année de début"), 10),
    ("end_date", N_("Date de fin"), 12),
    ("country_codes", N_("Codes pays"), 10),
    ("countries", N_("Pays"), 24),
    ("french_partners", N_("Collectivités françaises"), 40),
    ("foreign_partners", N_("Partenaires étrangers"), 40),
    ("funding_total_eur", N_("Financement total (€)"), 16),
    ("triennial", N_("Triennal"), 9),
    ("url", N_("Page du projet"), 50),
]
# Every facet's CSV column is exported (the facet registry names it): a facet on a record
# field these columns do not list yet adds its own column.
COLUMNS += [(f.csv_column, f.label, 24) for f in (*FACETS, YEAR)
            if f.csv_column not in {name for name, _, _ in COLUMNS}]
CSV_COLUMNS = [name for name, _, _ in COLUMNS]
CSV_HEADINGS = [heading for _, heading, _ in COLUMNS]
LIST_SEPARATOR = " | "  # inside a cell; the CSV itself is separated by ';'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_SIGNS = ("=", "+", "-", "@")
LEADING_BLANKS = " \t\r\n\u00a0"
# C0 controls but tab, line feed and carriage return, and DEL: no spreadsheet shows them,
# and XML (inside .xlsx) cannot carry most of them.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
EXCEL_MAX_CELL = 32_767
CUT_MARKER = " […] (texte tronqué)"
CHUNK = 256_000  # bytes per streamed piece: few thread hops, flat memory


def looks_like_formula(value: str) -> bool:
    """True for a text a spreadsheet would run: a formula sign first, or after blanks."""
    return value.startswith(FORMULA_STARTS) or value.lstrip(LEADING_BLANKS).startswith(
        FORMULA_SIGNS)


def clean_text(value: str) -> str:
    """A text cell without the control characters a spreadsheet cannot show."""
    return CONTROL_CHARS.sub("", value)


def neutralise(value: str) -> str:
    """A text cell that a spreadsheet would run as a formula, made inert (OWASP)."""
    value = clean_text(value)
    return "'" + value if looks_like_formula(value) else value


def known_total(record: dict[str, Any]) -> int | None:
    """The funding total, or None when no amount is known (not the same as 0 €)."""
    total = record.get("funding_total_eur")
    if total:
        return int(total)
    amounts = [f.get("amount_eur") for f in record.get("funding") or []]
    return 0 if any(a is not None for a in amounts) else None


def _cell(value: Any) -> Any:
    return LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list) else value


def row_values(record: dict[str, Any], lang: str = DEFAULT) -> dict[str, Any]:
    """One record as export cells: lists joined, numbers as numbers, unknowns as None.
    Cell values are the records' own (French); only « oui »/« non » follow `lang`."""
    _ = gettext(lang)
    countries = record.get("countries") or []
    partners = record.get("foreign_partners") or []
    return {
        **{name: _cell(record.get(name)) for name in CSV_COLUMNS},
        "country_codes": LIST_SEPARATOR.join(c["code"] for c in countries),
        "countries": LIST_SEPARATOR.join(c["name"] for c in countries),
        # The `region` facet's values, derived from the countries as the build derives them.
        "regions": LIST_SEPARATOR.join(region_name(slug) for slug in record_regions(
            [c["code"] for c in countries if c.get("code")])),
        "french_partners": LIST_SEPARATOR.join(record.get("french_partners") or []),
        "foreign_partners": LIST_SEPARATOR.join(
            f"{p.get('name') or ''} ({p.get('country') or ''})" for p in partners),
        "funding_total_eur": known_total(record),
        "triennial": {True: _("oui"), False: _("non")}.get(record.get("triennial")),
    }


# ---------------------------------------------------------------- figures added


def with_page_and_check(texts: Iterable[bytes], page_url: Callable[[str], str],
                        check_of: Callable[[str], str | None]) -> Iterator[bytes]:
    """Each stored record with two fields after its own: `url`, its page, and
    `status_check` when its status contradicts its end date. Spliced into the stored
    bytes (a record is a JSON object: it ends with ``}``), not decoded and re-encoded."""
    for text in texts:
        rid = orjson.loads(text)["id"] if b'"id":' not in text[:64] else _leading_id(text)
        extra = {"url": page_url(rid)}
        check = check_of(rid)
        if check:
            extra["status_check"] = check
        body = text.rstrip()
        yield body[:-1] + b"," + orjson.dumps(extra)[1:]


def _leading_id(text: bytes) -> str:
    """The id of a stored record: its first field (`Record` starts with it)."""
    start = text.index(b'"id":') + 5
    return orjson.loads(text[start:text.index(b",", start)])


# ---------------------------------------------------------------- JSON Lines


def jsonl_chunks(texts: Iterable[bytes]) -> Iterator[bytes]:
    """Stored record JSON, one per line, in chunks of about 256 KB."""
    buffer: list[bytes] = []
    size = 0
    for text in texts:
        buffer.append(text)
        size += len(text)
        if size >= CHUNK:
            buffer.append(b"")
            yield b"\n".join(buffer)
            buffer, size = [], 0
    if buffer:
        buffer.append(b"")
        yield b"\n".join(buffer)


# ---------------------------------------------------------------- CSV


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def csv_chunks(texts: Iterable[bytes], lang: str = DEFAULT) -> Iterator[str]:
    """CSV for French Excel: UTF-8 with BOM, `;` separated, text quoted, numbers bare; the
    header row has the headings of the Excel export, in the interface language."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_NONNUMERIC,
                        lineterminator="\r\n")
    buffer.write("\ufeff")
    _ = gettext(lang)
    writer.writerow([_(heading) for heading in CSV_HEADINGS])
    for text in texts:
        cells = row_values(orjson.loads(text), lang)
        writer.writerow([_csv_cell(cells[name]) for name in CSV_COLUMNS])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# ---------------------------------------------------------------- Excel


def _excel_text(value: str) -> str:
    if len(value) > EXCEL_MAX_CELL:
        return value[:EXCEL_MAX_CELL - len(CUT_MARKER)] + CUT_MARKER
    return value


def write_xlsx(texts: Iterable[bytes], path: Path, lang: str = DEFAULT) -> int:
    """Write the records to an .xlsx file; returns the number of rows written.

    Numbers are numbers, the end date a date, text is written as text (never as a formula;
    a text that looks like one also gets Excel's quote prefix), the header row is frozen.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                               "strings_to_numbers": False,
                                               "strings_to_formulas": False,
                                               "strings_to_urls": False})
    try:
        _ = gettext(lang)
        sheet = workbook.add_worksheet(_("Projets"))
        header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "text_wrap": True,
                                      "valign": "top"})
        quoted = workbook.add_format({"quote_prefix": True})
        date = workbook.add_format({"num_format": "dd/mm/yyyy"})
        euros = workbook.add_format({"num_format": "#,##0 €"})
        for col, (_name, heading, width) in enumerate(COLUMNS):
            sheet.set_column(col, col, width)
            sheet.write_string(0, col, _(heading), header)
        sheet.freeze_panes(1, 0)
        rows = 0
        for text in texts:
            rows += 1
            cells = row_values(orjson.loads(text), lang)
            for col, (name, _heading, _width) in enumerate(COLUMNS):
                value = cells[name]
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    value = str(value)
                if isinstance(value, int):
                    sheet.write_number(rows, col, value,
                                       euros if name == "funding_total_eur" else None)
                elif name == "end_date" and _iso_date(value):
                    sheet.write_datetime(rows, col, _iso_date(value), date)
                else:
                    value = _excel_text(clean_text(str(value)))
                    sheet.write_string(rows, col, value,
                                       quoted if looks_like_formula(value) else None)
        sheet.autofilter(0, 0, rows, len(COLUMNS) - 1)
    finally:
        workbook.close()
    return rows


def _iso_date(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%d")
    except ValueError:
        return None
