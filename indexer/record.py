"""The Atlas record: the one shape every page and JSON Lines line is turned into.

Field names and types are the JSON contract of `atlas parse` and `GET /api/projects/{id}`
(RECORD.md); `Record.from_dict` checks decoded JSON against these dataclasses.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from .places import Country, countries_of, is_country_code

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")


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
        if not ID_PATTERN.fullmatch(rid):
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
    """One JSON Lines line -> a Record; raises InvalidRecord with a one-line reason."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InvalidRecord(f"not valid JSON: {exc}") from None
    return Record.from_dict(data)


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
