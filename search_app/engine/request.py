"""The search parameters shared by the JSON API, the CSV export, the HTML page and the CLI.

The filter parameters are derived from the facet registry (`indexer.fields`): one list
parameter per value facet, and the start-year range.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from indexer.fields import FACETS, YEAR, facet_for
from search_app.engine.query.fieldterms import FieldTerm, split_field_terms
from search_app.engine.query.periods import Period, split_periods

Sort = Literal["relevance", "year_desc", "year_asc", "funding_desc", "end_desc", "end_asc"]
END_PARAMS: tuple[str, str] = ("end_min", "end_max")
Match = Literal["auto", "all"]
LIST_FIELDS: tuple[str, ...] = tuple(f.param for f in FACETS)
MAX_Q = 500
# Bounds on what one URL may ask, so a crafted URL costs what a person's search costs: so
# many values per filter, hence at most 20 x 6 filters per request (and `q` <= MAX_Q).
MAX_VALUES_PER_FILTER = 20

# A client that serialises a missing value writes one of these; no Atlas value (all French)
# is spelled so. As a filter value each would silently match nothing: refused instead.
NULL_WORDS = frozenset({"null", "none", "undefined"})
NULL_PATTERN = (r"^(?!\s*([Nn][Uu][Ll][Ll]|[Nn][Oo][Nn][Ee]|"
                r"[Uu][Nn][Dd][Ee][Ff][Ii][Nn][Ee][Dd])\s*$)")


def _filter_value(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in NULL_WORDS:
        raise PydanticCustomError(
            "null_value", f"{value!r} is not a filter value: leave the parameter out (or "
            "empty) for no filter")
    return value


def _year(value: Any) -> Any:
    """An empty year is no bound (a form field left blank); anything else must be a year."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError(
            "year", f"{value[:20]!r} is not a year: give a year such as 2015, or leave it "
            "empty for no bound")
    return value


def _day(value: Any) -> Any:
    """An empty end date is no bound; anything else must be an ISO date (YYYY-MM-DD)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "end_date", f"{value[:20]!r} is not a date: give an ISO date such as "
                "2021-12-31, or leave it empty for no bound") from None
    return value


def _drop_blank(values: list[str]) -> list[str]:
    # Empty values mean "no filter"; repeats are one.
    kept = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(kept) > MAX_VALUES_PER_FILTER:
        raise PydanticCustomError(
            "too_many_values", "{count} valeurs\u00a0: au plus {limit} par filtre",
            {"count": len(kept), "limit": MAX_VALUES_PER_FILTER})
    return kept


_VALUE_SCHEMA = {"type": "string", "pattern": NULL_PATTERN}
FilterValue = Annotated[str, BeforeValidator(_filter_value), WithJsonSchema(_VALUE_SCHEMA)]
# On the wire `?theme=a` is one value and `?theme=a&theme=b` several: the schema says both.
FilterValues = Annotated[
    list[FilterValue], AfterValidator(_drop_blank),
    WithJsonSchema({"anyOf": [{"type": "array", "items": _VALUE_SCHEMA,
                               "maxItems": MAX_VALUES_PER_FILTER}, _VALUE_SCHEMA]}),
]
Year = Annotated[
    Annotated[int, Field(ge=0, le=9999)] | None, BeforeValidator(_year),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 0, "maximum": 9999},
                              {"type": "string", "maxLength": 0}]}),
    Field(None, description="Start year, inclusive; empty: no bound. A reversed range is "
          "swapped."),
]

Day = Annotated[
    date | None, BeforeValidator(_day),
    WithJsonSchema({"anyOf": [{"type": "string", "format": "date"},
                              {"type": "string", "maxLength": 0}]}),
    Field(None, description="End date of the partnership (ISO, inclusive); empty: no bound. "
          "Records without an end date are left out by either bound."),
]


class _BaseParams(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # Periods the text named (« depuis 2018 »), applied as the year filter: the answer's
    # `applied` and `understood`.
    _periods: list[Period] = PrivateAttr(default_factory=list)

    q: str = Field("", max_length=MAX_Q, description="Free text: words AND-ed, \"phrases\", "
                   "OR, -word; stopwords ignored. Empty browses everything.")
    match: Match = Field("auto", description="auto: when few records meet every word, the "
                         "most frequent words become optional (the answer's `relaxed`); "
                         "all: every word required")
    sort: Sort = "relevance"
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(20, ge=1, le=100)

    @field_validator("q", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _ordered_years(self) -> Any:
        # « de 2020 à 2010 » means the years between: swapped, never a silent empty answer.
        low, high = (getattr(self, name, None) for name in YEAR.params)
        if low is not None and high is not None and low > high:
            for name, value in zip(YEAR.params, (high, low), strict=True):
                setattr(self, name, value)
        return self

    @model_validator(mode="after")
    def _ordered_ends(self) -> Any:
        low, high = (getattr(self, name, None) for name in END_PARAMS)
        if low is not None and high is not None and low > high:
            for name, value in zip(END_PARAMS, (high, low), strict=True):
                setattr(self, name, value)
        return self

    @model_validator(mode="after")
    def _field_terms(self) -> _BaseParams:
        """``pays:senegal`` in `q` becomes the ``country`` filter (`fieldterms`), « depuis
        2018 » the start-year range (`periods`)."""
        text, terms = split_field_terms(self.q)
        text, periods = split_periods(text)
        terms += [FieldTerm("year", (p.low, p.high)) for p in periods]
        self._periods = periods
        if not terms:
            return self
        self.q = text
        for term in terms:
            if term.param == "end":
                low, high = term.value
                if low is not None:
                    self.end_min = low if self.end_min is None else max(self.end_min, low)
                if high is not None:
                    self.end_max = high if self.end_max is None else min(self.end_max, high)
                continue
            if term.param == "year":
                low, high = term.value
                if low is not None:
                    self.year_min = low if self.year_min is None else max(self.year_min, low)
                if high is not None:
                    self.year_max = high if self.year_max is None else min(self.year_max, high)
                continue
            values = getattr(self, term.param)
            declared = facet_for(term.param)
            if not any(declared.same(v, term.value) for v in values):
                values.append(term.value)
        return self

    def query_items(self) -> list[tuple[str, str]]:
        """Non-default values as URL query items, repeatable keys repeated, stable order."""
        items: list[tuple[str, str]] = []
        if self.q:
            items.append(("q", self.q))
        for name in LIST_FIELDS:
            items += [(name, v) for v in getattr(self, name)]
        for name in YEAR.params:
            if getattr(self, name) is not None:
                items.append((name, str(getattr(self, name))))
        for name in END_PARAMS:
            if getattr(self, name) is not None:
                items.append((name, getattr(self, name).isoformat()))
        if self.match != "auto":
            items.append(("match", self.match))
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if self.page != 1:
            items.append(("page", str(self.page)))
        if self.size != 20:
            items.append(("size", str(self.size)))
        return items

    @property
    def periods(self) -> list[Period]:
        return list(self._periods)

    def cache_key(self) -> str:
        return self.model_dump_json() + repr(self._periods)


_FILTERS: dict[str, Any] = {
    f.param: (FilterValues, Field(default_factory=list, description=f.description))
    for f in FACETS
}
_FILTERS.update({name: (Year, None) for name in YEAR.params})
_FILTERS.update({name: (Day, None) for name in END_PARAMS})

SearchParams = create_model("SearchParams", __base__=_BaseParams,
                            __module__=__name__, **_FILTERS)
SearchParams.__doc__ = "What a search asks: text, filters (one per facet), order and page."
