"""The Atlas record: the one shape every page and JSON Lines line is turned into.

Field names are the JSON contract of `atlas parse` and `GET /api/projects/{id}`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


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
class Country:
    code: str
    name: str


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
    def from_dict(cls, data: dict[str, Any]) -> Record:
        """Build a record from JSON (e.g. a JSON Lines line); missing fields take defaults."""
        from .countries import countries_of  # local: keeps record.py free of lookups

        def items(key: str, kind: type) -> list:
            return [kind(**_known(kind, x)) for x in data.get(key) or [] if isinstance(x, dict)]

        def person(x: Any) -> Person | None:
            return Person(**_known(Person, x)) if isinstance(x, dict) else None

        rec = cls(
            id=str(data["id"]),
            **{k: data[k] for k in _SCALARS if data.get(k) is not None},
            other_themes=items("other_themes", OtherTheme),
            foreign_partners=items("foreign_partners", ForeignPartner),
            foreign_contacts=items("foreign_contacts", ForeignContact),
            french_partners=[str(x) for x in data.get("french_partners") or []],
            funding=items("funding", Funding),
            volunteers=items("volunteers", Volunteer),
            embassy_contacts=[
                EmbassyContact(
                    post=e.get("post"),
                    decentralised_cooperation_correspondent=person(
                        e.get("decentralised_cooperation_correspondent")
                    ),
                    cooperation_cultural_counsellor=person(e.get("cooperation_cultural_counsellor")),
                )
                for e in data.get("embassy_contacts") or []
                if isinstance(e, dict)
            ],
        )
        given = [Country(**_known(Country, c)) for c in data.get("countries") or []
                 if isinstance(c, dict) and c.get("code")]
        rec.countries = given or countries_of(p.country for p in rec.foreign_partners)
        if data.get("funding_total_eur") is None:
            rec.funding_total_eur = sum(f.amount_eur or 0 for f in rec.funding)
        return rec


_SCALARS = (
    "title", "signature_year", "theme", "sub_theme", "sub_sub_theme", "start_year", "status",
    "end_date", "context", "history", "objectives_local", "objectives_france", "description",
    "partnership_form", "triennial", "funding_total_eur",
)


def _known(kind: type, data: dict[str, Any]) -> dict[str, Any]:
    names = kind.__dataclass_fields__.keys()
    return {k: v for k, v in data.items() if k in names}
