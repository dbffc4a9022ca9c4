"""The search parameters shared by the JSON API, the CSV export, the HTML page and the CLI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Sort = Literal["relevance", "year_desc", "year_asc", "funding_desc"]
LIST_FIELDS = ("country", "theme", "sub_theme", "status", "form", "french_partner")
MAX_Q = 500


class SearchParams(BaseModel):
    model_config = ConfigDict(extra="ignore")

    q: str = Field("", max_length=MAX_Q, description="Free text: words AND-ed, \"phrases\", "
                   "OR, -word; stopwords ignored. Empty browses everything.")
    country: list[str] = Field(default_factory=list, description="ISO code or French name")
    theme: list[str] = Field(default_factory=list)
    sub_theme: list[str] = Field(default_factory=list)
    status: list[str] = Field(default_factory=list)
    form: list[str] = Field(default_factory=list, description="Partnership form")
    french_partner: list[str] = Field(default_factory=list)
    year_min: int | None = Field(None, ge=0, le=9999, description="Start year, inclusive")
    year_max: int | None = Field(None, ge=0, le=9999, description="Start year, inclusive")
    sort: Sort = "relevance"
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(20, ge=1, le=100)

    @field_validator(*LIST_FIELDS, mode="after")
    @classmethod
    def _drop_blank(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))

    @field_validator("q", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    def query_items(self) -> list[tuple[str, str]]:
        """Non-default values as URL query items, repeatable keys repeated, stable order."""
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        for name in LIST_FIELDS:
            items += [(name, v) for v in getattr(self, name)]
        for name in ("year_min", "year_max"):
            if getattr(self, name) is not None:
                items.append((name, str(getattr(self, name))))
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if self.page != 1:
            items.append(("page", str(self.page)))
        if self.size != 20:
            items.append(("size", str(self.size)))
        return items

    def cache_key(self) -> str:
        return self.model_dump_json()
