"""The Atlas record: the one shape every page and JSON Lines line is turned into.

Field names and types are the JSON contract of `atlas parse` and `GET /api/projects/{id}`
(RECORD.md); `Record.from_dict` checks decoded JSON against these dataclasses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from functools import cache, lru_cache
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from .places import Country, countries_of, is_country_code

# The one id rule, the indexer's and the API's: what the API would refuse is never indexed.
MAX_ID = 200
ID_REGEX = rf"^[A-Za-z0-9_-]{{1,{MAX_ID}}}$"
ID_PATTERN = re.compile(ID_REGEX[1:-1])
ID_RULE = f"1 to {MAX_ID} of A-Z a-z 0-9 _ -"

# Sizes beyond any real Atlas record (its longest texts are a few thousand characters): an
# input over them is refused, not indexed (a 10 MB title would make a 20 MB page).
MAX_LONG_TEXT = 100_000  # each of LONG_TEXT_FIELDS
MAX_TEXT = 2_000  # any other string: the title, a theme, a name, an e-mail address
MAX_ITEMS = 1_000  # entries of a list: partners, contacts, funding lines, ...
LONG_TEXT_FIELDS = frozenset(
    {"context", "history", "objectives_local", "objectives_france", "description"})


def valid_id(rid: str) -> bool:
    """Whether `rid` is a record id the API accepts (ID_RULE)."""
    return bool(ID_PATTERN.fullmatch(rid))


@dataclass
class OtherTheme:
    theme: str | None = None
    sub_theme: str | None = None
    sub_sub_theme: str | None = None
    priority: int | None = None


@dataclass
class ForeignPartner:
    name: str | None = None
    country: str | None = None


@dataclass
class ForeignContact:
    authority: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    role: str | None = None
    email: str | None = None


@dataclass
class Funding:
    funder: str | None = None
    amount_eur: int | None = None
    year: int | None = None


@dataclass
class Volunteer:
    last_name: str | None = None
    first_name: str | None = None
    mission: str | None = None
    field: str | None = None
    assigned_to: str | None = None


@dataclass
class Person:
    name: str | None = None
    email: str | None = None


@dataclass
class EmbassyContact:
    post: str | None = None
    decentralised_cooperation_correspondent: Person | None = None
    cooperation_cultural_counsellor: Person | None = None


@dataclass
class Record:
    id: str
    title: str = ""
    signature_year: int | None = None
    theme: str | None = None
    sub_theme: str | None = None
    sub_sub_theme: str | None = None
    other_themes: list[OtherTheme] = field(default_factory=list)
    start_year: int | None = None
    status: str | None = None
    end_date: str | None = None
    context: str = ""
    history: str = ""
    objectives_local: str = ""
    objectives_france: str = ""
    description: str = ""
    partnership_form: str | None = None
    foreign_partners: list[ForeignPartner] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    foreign_contacts: list[ForeignContact] = field(default_factory=list)
    french_partners: list[str] = field(default_factory=list)
    triennial: bool | None = None
    funding: list[Funding] = field(default_factory=list)
    funding_total_eur: int = 0
    volunteers: list[Volunteer] = field(default_factory=list)
    embassy_contacts: list[EmbassyContact] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Record:
        """A record from decoded JSON (a JSON Lines line, a stored record), checked against the
        contract; raises InvalidRecord naming the first fields that break it.

        Missing fields, and null ones, take their defaults: "" for texts, [] for lists,
        `countries` from the partners' countries, `funding_total_eur` the sum of the known
        amounts. A value of the wrong type is refused, never converted: "2014" is not a year
        and "Caen" is not a list of partners.
        """
        if not isinstance(data, dict):
            raise InvalidRecord("a record must be a JSON object")
        rid = data.get("id")
        if not isinstance(rid, str):
            raise InvalidRecord("a record needs an 'id' string")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", rid):  # stored records too: no length rule
            raise InvalidRecord(f"invalid id {rid[:60]!r} (allowed: A-Z a-z 0-9 _ -)")
        given = {k: v for k, v in data.items() if v is not None or k in _NULLABLE}
        try:
            rec = _adapter().validate_json(orjson.dumps(given), strict=True)
        except ValidationError as exc:
            raise InvalidRecord(_reasons(exc)) from None
        except orjson.JSONEncodeError as exc:
            raise InvalidRecord(f"unsupported value: {exc}") from None
        _check_values(rec)
        if not rec.countries:
            rec.countries = countries_of(p.country for p in rec.foreign_partners)
        if "funding_total_eur" not in given:
            rec.funding_total_eur = sum(f.amount_eur or 0 for f in rec.funding)
        return rec


class InvalidRecord(ValueError):
    """A record that breaks the contract; `str()` names the fields and why."""


def record_from_json(line: str | bytes) -> Record:
    """One JSON Lines line -> a Record, checked and cleaned as input (`accept_input`);
    raises InvalidRecord with a one-line reason."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InvalidRecord(f"not valid JSON: {exc}") from None
    rec = accept_input(Record.from_dict(data))
    if not data.get("countries"):  # derived from the partners' countries: as cleaned
        rec.countries = countries_of(p.country for p in rec.foreign_partners)
    return rec


# Control characters (C0, DEL, C1) are removed from every text; in short texts the
# whitespace ones become a space, in long ones tab and newline stay (paragraphs, lists).
_CONTROLS = {c: None for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_SHORT = str.maketrans({**_CONTROLS, **dict.fromkeys(map(ord, "\t\n\r\v\f"), " ")})
_LONG = str.maketrans({**_CONTROLS, ord("\t"): "\t", ord("\n"): "\n",
                       **dict.fromkeys(map(ord, "\v\f"), "\n")})
_ANY_SHORT = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ANY_LONG = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str, long: bool = False) -> str:
    """`text` in NFC with its control characters removed (see _SHORT, _LONG)."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if (_ANY_LONG if long else _ANY_SHORT).search(text) is None:  # nearly every value
        return text
    if long:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_LONG if long else _SHORT)


def accept_input(rec: Record) -> Record:
    """A record from input (a page, a JSON Lines line) made fit to index: its id must follow
    ID_RULE, its texts are cleaned (`clean_text`) and must stay within MAX_TEXT (or
    MAX_LONG_TEXT), its lists within MAX_ITEMS. Raises InvalidRecord naming the field."""
    if not valid_id(rec.id):
        raise InvalidRecord(f"invalid id {_show(rec.id)} ({len(rec.id)} characters; "
                            f"allowed: {ID_RULE}, as the API)")
    for name in _field_names(Record):
        value = getattr(rec, name)
        if name != "id" and isinstance(value, (str, list)):
            try:
                setattr(rec, name, _accepted(value, name in LONG_TEXT_FIELDS))
            except _OverLimit as exc:
                raise InvalidRecord(f"{name}{''.join(reversed(exc.path))}: {exc}") from None
    return rec


class _OverLimit(Exception):
    """A value over a limit; `path` gathers where it is on the way up, innermost first."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.path: list[str] = []


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _accepted(value: Any, long: bool) -> Any:
    if isinstance(value, str):
        text = clean_text(value, long)
        limit = MAX_LONG_TEXT if long else MAX_TEXT
        if len(text) > limit:
            raise _OverLimit(f"{len(text):,} characters, at most {limit:,}")
        return text
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise _OverLimit(f"{len(value):,} entries, at most {MAX_ITEMS:,}")
        out = []
        for i, item in enumerate(value):
            try:
                out.append(_accepted(item, long))
            except _OverLimit as exc:
                exc.path.append(f"[{i}]")
                raise
        return out
    names = _DATACLASS_FIELDS.get(type(value))
    for name in names or ():
        item = getattr(value, name)
        if item is not None and not isinstance(item, (int, bool)):
            try:
                setattr(value, name, _accepted(item, False))
            except _OverLimit as exc:
                exc.path.append(f".{name}")
                raise
    return value


_DATACLASS_FIELDS = {cls: _field_names(cls) for cls in (
    OtherTheme, ForeignPartner, ForeignContact, Funding, Volunteer, Person, EmbassyContact,
    Country)}

# Fields whose null is a value of their own (everything else: null means "not given").
_NULLABLE = frozenset(
    name for name, f in Record.__dataclass_fields__.items() if "None" in str(f.type)
)
_EXPECTED = {
    "int_type": "an integer", "string_type": "a string", "bool_type": "true or false",
    "list_type": "a list", "dataclass_type": "an object", "dict_type": "an object",
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter[Record]:
    return TypeAdapter(Record)


def _path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or "record"


def _reasons(exc: ValidationError, limit: int = 3) -> str:
    reasons = []
    for error in exc.errors(include_url=False):
        where = _path(error["loc"])
        if error["type"] == "missing":
            reasons.append(f"{where}: required")
            continue
        expected = _EXPECTED.get(error["type"])
        what = f"expected {expected}" if expected else error["msg"]
        reasons.append(f"{where}: {what}, got {_show(error['input'])}")
    more = len(reasons) - limit
    return "; ".join(reasons[:limit]) + (f"; and {more} more" if more > 0 else "")


def _show(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 40 else text[:39] + "…"


def _check_values(rec: Record) -> None:
    """What types cannot say: dates in ISO form, countries as codes this module knows."""
    if rec.end_date is not None:
        try:
            ok = bool(ISO_DATE.fullmatch(rec.end_date)) and bool(date.fromisoformat(rec.end_date))
        except ValueError:
            ok = False
        if not ok:
            raise InvalidRecord(
                f"end_date: expected an ISO date (YYYY-MM-DD) or null, got {_show(rec.end_date)}")
    for i, country in enumerate(rec.countries):
        if not is_country_code(country.code):
            raise InvalidRecord(f"countries[{i}].code: expected an ISO 3166-1 alpha-2 code "
                                f"in capitals, got {_show(country.code)}")
