"""Turn one Atlas project page (text) into a `Record`.

The page is a flat sequence of labelled sections and pipe tables with scraping noise
(repeated paragraphs, pagination lines, image cells, `NA`, shifted cells). We first
split it into sections by their labels, then read each section by its kind.
Never imports whoosh: parsing is usable and testable on its own.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import ParseError
from .places import countries_of, country_code
from .record import (
    EmbassyContact,
    ForeignContact,
    ForeignPartner,
    Funding,
    InvalidRecord,
    OtherTheme,
    Person,
    Record,
    Volunteer,
    accept_input,
)
from .text import dedupe_paragraphs, normalise_line, quick_fold

# ---------------------------------------------------------------- decoding


def decode_page(data: bytes) -> str:
    """Bytes -> text: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/Latin-1."""
    if not data.strip():
        raise ParseError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"cannot decode as UTF-16: {exc.reason}") from None
    if b"\x00" in data:
        raise ParseError("binary file (contains NUL bytes), not an Atlas page")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # C0 controls, and C1 controls that only a wrong Latin-1 guess produces
    controls = sum(1 for ch in text
                   if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0x80 <= ord(ch) < 0xA0)
    if controls > max(8, len(text) // 100):
        raise ParseError("binary or undecodable file (not UTF-8, Latin-1 or cp1252 text)")
    return text


# ---------------------------------------------------------------- labels


_NON_LABEL = re.compile(r"[^a-z0-9()%]+")


@lru_cache(maxsize=16_384)  # short lines repeat from page to page (labels, themes, years)
def label_key(line: str) -> str:
    """Compare labels loosely: accents (in any normalisation form), case, apostrophes,
    spacing and a final colon."""
    text = quick_fold(line)
    if not text.isascii():
        # Accents decomposed (NFD, NFKD) or compatibility forms: composed, then folded.
        text = quick_fold(unicodedata.normalize("NFKC", line))
        if not text.isascii():  # no label has other characters: keep it unequal, cheaply
            return text
    return _NON_LABEL.sub(" ", text).strip()


# label key -> section name
LABELS: dict[str, str] = {
    label_key(k): v
    for k, v in {
        "Titre": "title",
        "Année de signature de la convention": "signature_year",
        "Thématique d'intervention": "theme",
        "Sous-thématique d'intervention": "sub_theme",
        "Sous-sous-thématique d'intervention": "sub_sub_theme",
        "Autres thématiques mises en œuvre pour le partenariat": "other_themes",
        "Année de début du partenariat": "start_year",
        "Le partenariat est :": "status",
        "Date de fin du partenariat": "end_date",
        "Contexte": "context",
        "Historique": "history",
        "Objectif du partenariat": "objectives",
        "Objectifs du partenariat": "objectives",
        "Description détaillée du partenariat": "description",
        "Votre partenariat prend la forme d'un(e)": "partnership_form",
        "Partenaires étrangers du partenariat": "foreign_partners",
        "Contacts dans les partenaires étrangers du partenariat": "foreign_contacts",
        "Collectivités territoriales partenaires du partenariat": "french_partners",
        "Le partenariat est triennal": "triennial_yes",
        "Le partenariat n'est pas triennal": "triennial_no",
        "Financement du partenariat": "funding",
    }.items()
}
PREFIX_LABELS = {
    label_key("Volontaires impliqués dans le partenariat"): "volunteers",
    label_key("Atlas français de la coopération décentralisée"): "banner",
}
EMBASSY_RE = re.compile(r'^\s*Contacts dans le poste diplomatique\s*[«"“]?(.*?)[»"”]?\s*$')
SUBLABEL_RE = re.compile(r"^\s*(Objectifs? locaux|Objectifs? en France)\s*:?\s*(.*)$", re.I)


MAX_LABEL = 160  # labels are short; paragraphs are not worth folding to compare


def section_of(line: str) -> str | None:
    if len(line) > MAX_LABEL or "|" in line:  # paragraphs and table rows are never labels
        return None
    return _short_line_section(line)


@lru_cache(maxsize=32_768)  # labels and short values repeat from page to page
def _short_line_section(line: str) -> str | None:
    key = label_key(line)
    if key in LABELS:
        return LABELS[key]
    for prefix, name in PREFIX_LABELS.items():
        if key.startswith(prefix):
            return name
    if "diplomatique" in line and EMBASSY_RE.match(line):
        return "embassy"
    return None


# ---------------------------------------------------------------- noise

PAGINATION_RE = re.compile(r"^\s*(<<|>>|<|>)?\s*pagination\.[\w.]*\s*(<<|>>|<|>)?\s*$", re.I)
ARROWS = {"<<", ">>", "<", ">"}  # a line holding only one of these is a pagination widget
IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
NULLS = {"", "na", "n/a", "nc", "-", "--", "null", "none", "néant"}


def drop_noise(lines: list[str]) -> list[str]:
    """Remove pagination widgets (and the page number between them) and lone image cells."""
    # Cheap tests first: nearly every line holds neither "pagination" nor only an arrow.
    noise = [bool(("agination" in x.lower() and PAGINATION_RE.match(x))
                  or x.strip() in ARROWS) for x in lines]
    for i, line in enumerate(lines):
        if line.strip().isdigit() and (
            (i > 0 and noise[i - 1] and PAGINATION_RE.match(lines[i - 1]))
            or (i + 1 < len(lines) and PAGINATION_RE.match(lines[i + 1]))
        ):
            noise[i] = True
    return [x for x, n in zip(lines, noise, strict=True)
            if not n and (not x.strip() or "![" not in x or IMAGE_RE.sub("", x).strip())]


# ---------------------------------------------------------------- sections


@dataclass
class Section:
    name: str
    label: str
    lines: list[str] = field(default_factory=list)


def split_sections(lines: list[str]) -> list[Section]:
    sections: list[Section] = []
    current: Section | None = None
    for line in lines:
        name = section_of(line) if line.strip() else None
        if name:
            current = Section(name, line.strip())
            sections.append(current)
        elif current is not None:
            current.lines.append(line)
    return sections


def clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return None if value.lower() in NULLS else value


def scalar(section: Section | None) -> str | None:
    if section is None:
        return None
    parts = [normalise_line(x) for x in section.lines if x.strip()]
    return clean(" ".join(parts)) if parts else None


YEAR_RE = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
DAY_FIRST_RE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")


def to_year(value: str | None) -> int | None:
    match = YEAR_RE.search(value or "")
    return int(match.group(1)) if match else None


def to_iso_date(value: str | None) -> str | None:
    if not value:
        return None
    m = DAY_FIRST_RE.search(value)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = ISO_DATE_RE.search(value)
        if not m:
            return None
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# ---------------------------------------------------------------- tables

SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-*:?\s*)*\|?\s*$")


def table_rows(section: Section | None) -> Iterator[list[str]]:
    """Data rows of the section's pipe table: cells stripped, image cells emptied."""
    if section is None:
        return
    header_seen = False
    for raw in section.lines:
        line = raw.strip()
        if not line or "|" not in line and not header_seen:
            continue
        if SEPARATOR_RE.match(line):
            header_seen = True
            continue
        if not header_seen:
            continue  # header row
        if "|" not in line:
            continue
        cells = line.split("|")
        if line.endswith("|"):
            cells = cells[:-1]
        if line.startswith("|"):
            cells = cells[1:]
        cells = [normalise_line(IMAGE_RE.sub("", c) if "![" in c else c) for c in cells]
        if any(c for c in cells):
            yield cells


def present(cells: list[str]) -> list[str]:
    """Non-empty cells, in order (cells shifted left leave their gaps at the end)."""
    return [c for c in cells if c.strip()]


def cell(value: str | None) -> str | None:
    return clean(value)


NUMBER_RE = re.compile(r"^-?\d[\d\s.,]*(€|eur|euros)?$", re.I)
CURRENCY_RE = re.compile(r"(€|eur|euros)$", re.I)
THOUSANDS_RE = re.compile(r"-?\d{1,3}([.,]\d{3})+")
PRIORITY_RE = re.compile(r"\d{1,3}")
AT_RE = re.compile(r"\s*(\[at\]|\(at\)|\[arobase\])\s*", re.I)


def to_amount(value: str) -> int | None:
    text = "".join(CURRENCY_RE.sub("", value.strip()).split())
    if THOUSANDS_RE.fullmatch(text):  # thousands separators
        text = text.replace(".", "").replace(",", "")
    text = text.replace(",", ".")
    try:
        return int(round(float(text)))
    except (ValueError, OverflowError):  # not a number, or beyond a float: no amount
        return None


def read_other_themes(section: Section | None) -> list[OtherTheme]:
    out = []
    for cells in table_rows(section):
        texts, priority = [], None
        for c in present(cells):
            if PRIORITY_RE.fullmatch(c.strip()) and priority is None:
                priority = int(c)
            else:
                texts.append(cell(c))
        texts += [None] * (3 - len(texts))
        out.append(OtherTheme(texts[0], texts[1], texts[2] if len(texts) == 3 else
                              " | ".join(t for t in texts[2:] if t) or None, priority))
    return out


def read_foreign_partners(section: Section | None) -> list[ForeignPartner]:
    out = []
    for cells in table_rows(section):
        vals = present(cells)
        if not vals:
            continue
        if len(cells) >= 2 and cells[0].strip() and cells[1].strip():
            out.append(ForeignPartner(cell(cells[0]), cell(cells[1])))
        elif len(vals) == 1 and country_code(vals[0]) and not cells[0].strip():
            out.append(ForeignPartner(None, cell(vals[0])))
        else:
            out.append(ForeignPartner(cell(vals[0]), cell(vals[1]) if len(vals) > 1 else None))
    return out


EMAIL_RE = re.compile(r"\S+(@|\[at\]|\(at\)|\[arobase\])\S+", re.I)


def to_email(value: str | None) -> str | None:
    value = clean(value)
    if not value:
        return None
    return AT_RE.sub("@", value)


def read_foreign_contacts(section: Section | None) -> list[ForeignContact]:
    out = []
    for cells in table_rows(section):
        email = None
        rest = list(cells)
        for i in range(len(rest) - 1, -1, -1):
            if EMAIL_RE.fullmatch(rest[i].strip()):
                email = to_email(rest.pop(i))
                break
        if email is None and len(rest) >= 5:
            email = to_email(rest.pop(4))
        # gaps at the end came from cells shifted left: keep the columns by position
        rest = (rest + [""] * 4)[:4]
        out.append(ForeignContact(*[cell(c) for c in rest], email=email))
    return out


def read_names(section: Section | None) -> list[str]:
    out = []
    for cells in table_rows(section):
        out += [v for c in present(cells) if (v := cell(c))]
    return out


def read_funding(section: Section | None) -> list[Funding]:
    out = []
    for cells in table_rows(section):
        vals = present(cells)
        if not vals:
            continue
        funder = None if NUMBER_RE.match(vals[0]) else cell(vals[0])
        # Numbers after the funder; an `NA` cell keeps its column, as None:
        # `Lille | NA | 2014` is an unknown amount in 2014, not 2,014 €.
        after = vals[0 if funder is None and NUMBER_RE.match(vals[0]) else 1:]
        slots = [v if NUMBER_RE.match(v) else None
                 for v in after if NUMBER_RE.match(v) or cell(v) is None]
        amount = year = None
        if len(slots) >= 2:
            amount = to_amount(slots[0]) if slots[0] else None
            year = to_year(slots[-1]) if slots[-1] else None
        elif slots and slots[0]:
            only = slots[0]
            last_col = len(cells) > 2 and cells[-1].strip() == only and cells[1].strip() != only
            if last_col and to_year(only) and len(only.strip()) == 4:
                year = int(only)
            else:
                amount = to_amount(only)
        out.append(Funding(funder, amount, year))
    return out


def read_volunteers(section: Section | None) -> list[Volunteer]:
    out = []
    for cells in table_rows(section):
        vals = (cells + [""] * 5)[:5]
        out.append(Volunteer(*[cell(c) for c in vals]))
    return out


# ---------------------------------------------------------------- embassy blocks


def read_embassy(section: Section) -> EmbassyContact:
    post = clean(EMBASSY_RE.match(section.label).group(1))  # type: ignore[union-attr]
    people: dict[str, Person | None] = {"corr": None, "couns": None}
    role: str | None = None
    for raw in section.lines:
        line = normalise_line(raw)
        key = label_key(line)
        if not line:
            continue
        if key.startswith("pas de "):
            role = None
            continue
        if key.startswith("correspondant"):
            role = "corr"
            people[role] = Person()
            continue
        if key.startswith("conseiller"):
            role = "couns"
            people[role] = Person()
            continue
        person = people.get(role) if role else None
        if person is None:
            continue
        if key.startswith("courriel"):
            inline = line.split(":", 1)[1] if ":" in line else ""
            if inline.strip():
                person.email = to_email(inline)
        elif EMAIL_RE.fullmatch(line) and person.email is None:
            person.email = to_email(line)
        elif person.name is None:
            person.name = clean(line)
    return EmbassyContact(post, people["corr"], people["couns"])


# ---------------------------------------------------------------- free text


def split_objectives(section: Section | None) -> tuple[list[str], list[str]]:
    local: list[str] = []
    france: list[str] = []
    target = local  # text before any sub-label is read as local objectives
    for line in section.lines if section else []:
        m = SUBLABEL_RE.match(line)
        if m:
            target = local if "locaux" in m.group(1).lower() else france
            if m.group(2).strip():
                target.append(m.group(2))
            continue
        target.append(line)
    return local, france


# ---------------------------------------------------------------- the page


def parse_text(text: str, record_id: str) -> Record:
    """Parse the text of one Atlas page; raises ParseError if it is not one, or if its
    record is not fit to index (`record.accept_input`: id, sizes)."""
    try:
        return accept_input(_parse_text(text, record_id))
    except InvalidRecord as exc:
        raise ParseError(str(exc)) from None


def _parse_text(text: str, record_id: str) -> Record:
    # NFC first: a page saved with decomposed accents (NFD, as macOS and some editors write)
    # reads as the same page.
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = drop_noise(text.split("\n"))
    sections = split_sections(lines)
    if not any(s.name == "title" for s in sections):
        raise ParseError("not an Atlas project page (no 'Titre' section)")

    first: dict[str, Section] = {}
    merged: dict[str, list[str]] = {}
    for s in sections:
        first.setdefault(s.name, s)
        merged.setdefault(s.name, []).extend(s.lines)

    def text_of(name: str) -> str:
        return dedupe_paragraphs(merged.get(name, []))

    local, france = split_objectives(Section("objectives", "", merged.get("objectives", [])))
    title = scalar(first.get("title")) or ""
    if not title and len(first) < 3:
        raise ParseError("not an Atlas project page (empty 'Titre' and hardly any other section)")
    triennial = None
    for s in sections:
        if s.name in ("triennial_yes", "triennial_no"):
            triennial = s.name == "triennial_yes"
            break

    embassies: list[EmbassyContact] = []
    for s in sections:
        if s.name == "embassy":
            contact = read_embassy(s)
            if contact not in embassies:  # a repeated block is page noise, not a second post
                embassies.append(contact)

    partners = read_foreign_partners(first.get("foreign_partners"))
    funding = read_funding(first.get("funding"))
    return Record(
        id=record_id,
        title=title,
        signature_year=to_year(scalar(first.get("signature_year"))),
        theme=scalar(first.get("theme")),
        sub_theme=scalar(first.get("sub_theme")),
        sub_sub_theme=scalar(first.get("sub_sub_theme")),
        other_themes=read_other_themes(first.get("other_themes")),
        start_year=to_year(scalar(first.get("start_year"))),
        status=scalar(first.get("status")),
        end_date=to_iso_date(scalar(first.get("end_date"))),
        context=text_of("context"),
        history=text_of("history"),
        objectives_local=dedupe_paragraphs(local),
        objectives_france=dedupe_paragraphs(france),
        description=text_of("description"),
        partnership_form=scalar(first.get("partnership_form")),
        foreign_partners=partners,
        countries=countries_of(p.country for p in partners),
        foreign_contacts=read_foreign_contacts(first.get("foreign_contacts")),
        french_partners=read_names(first.get("french_partners")),
        triennial=triennial,
        funding=funding,
        funding_total_eur=sum(f.amount_eur or 0 for f in funding),
        volunteers=read_volunteers(first.get("volunteers")),
        embassy_contacts=embassies,
    )


def record_id_for(path: Path) -> str:
    """The file name without extension, restricted to [A-Za-z0-9_-]."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", path.stem) or "record"


def unreadable(path: Path, exc: OSError) -> str:
    """Why a source cannot be read, in words: a broken symbolic link says so."""
    if exc.errno == errno.ELOOP:
        return "cannot read: symbolic link loop"
    if path.is_symlink() and not path.exists():
        return f"cannot read: broken symbolic link (its target {os.readlink(path)} is missing)"
    return f"cannot read: {exc.strerror or exc}"


def parse_file(path: Path, record_id: str | None = None) -> Record:
    """Read and parse one page file (its id: `record_id`, else `record_id_for(path)`);
    raises ParseError naming the reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(unreadable(path, exc)) from None
    return parse_text(decode_page(data), record_id or record_id_for(path))
