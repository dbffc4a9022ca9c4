"""Response models: the OpenAPI contract of every JSON answer.

Handlers still render answers with orjson (`api.FastJSON`): these models describe the
answers for `/openapi.json` and for generated clients, they are not a second encoding pass.
The record itself is described by the dataclass `indexer.record.Record`, the one shape
`atlas parse` prints, so the contract cannot drift from the parser.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from indexer.record import Country, Record

__all__ = [
    "AuthorityAnswer", "BatchAnswer", "Country", "CountryAnswer", "ErrorDetail", "FacetValue",
    "FacetValuesAnswer", "FundingYear",
    "Health", "Hit", "Record", "ResultCountry", "SearchAnswer", "Suggestion", "SuggestAnswer",
    "UnmatchedFunder",
    "ValidationErrorAnswer",
]


class _Answer(BaseModel):
    # Answers may gain fields (API.md: "add fields freely"); clients must ignore unknown ones.
    model_config = ConfigDict(extra="allow")


class FacetValue(_Answer):
    value: str | int = Field(description="The filter value (an int for start_year)")
    label: str = Field(description="What to show: the French country name for a country code")
    count: int = Field(ge=0, description="Matching records with this value")
    funding_eur: int = Field(description="Summed funding of those records, in euros")
    selected: bool = Field(description="Whether this value is an active filter")
    funding_share_eur: int | None = Field(
        None, description="Country facet only: the records' funding split equally among "
                          "each record's countries, this country's part (shares of every "
                          "country add up to the funding of the records that have one)")
    toggle_url: str | None = Field(
        None, description="Search page URL with this value toggled (page reset to 1)")


class Hit(_Answer):
    id: str
    title: str
    theme: str | None = None
    sub_theme: str | None = None
    status: str | None = None
    partnership_form: str | None = None
    start_year: int | None = None
    end_date: str | None = Field(None, description="ISO date")
    countries: list[Country] = Field(default_factory=list)
    french_partners: list[str] = Field(default_factory=list)
    funding_total_eur: int | None = None
    snippet: str = Field(description="HTML-escaped record text; only <mark> tags are added")
    score: float | None = Field(None, description="Relevance (null when sorted otherwise)")
    synthetic: bool = Field(False, description="A generated record, not a real Atlas page")
    status_check: str | None = Field(
        None, description="Set when the status contradicts the end date: « En cours, date de "
                          "fin passée » or « Terminé, date de fin à venir » (as of indexing)")


class ResultCountry(_Answer):
    code: str = Field(description="ISO 3166-1 alpha-2")
    name: str
    count: int = Field(ge=0, description="Matching records with this country")
    funding_eur: int = Field(description="Their funding, each record whole")
    funding_share_eur: int = Field(description="Their funding split equally among each "
                                               "record's countries: this country's part")


class FundingYear(_Answer):
    year: int = Field(description="The funding rows' `year`")
    funding_eur: int = Field(description="Sum of the rows' amounts that year")
    rows: int = Field(ge=0, description="Funding rows summed")


class UnmatchedFunder(_Answer):
    name: str = Field(description="The funder as first written (spellings folded together)")
    funding_eur: int
    rows: int = Field(ge=0)


class Translation(_Answer):
    from_: str = Field(alias="from", description="The words as typed (« water », « Beijing »)")
    to: str = Field(description="The French words searched for them (« eau », « Pékin »)")
    language: str | None = Field(None, description="en, es, de, pt or it; null when the "
                                                   "spelling is not one language's (a place)")


class SearchAnswer(_Answer):
    total: int = Field(ge=0, description="Every matching record (the CSV and JSONL count)")
    funding_total_eur: int = Field(
        0, description="Summed `funding_total_eur` of every matching record (equals the sum "
                       "over the JSON Lines export of the same search)")
    total_all_words: int = Field(0, ge=0, description="Of `total`, the records meeting every "
                                 "word of the query (ranked first); the others miss a word "
                                 "of `relaxed`")
    understood: list[Understood] = Field(
        default_factory=list, description="How the query was read: every value its words "
                                          "name (country, region, authority, theme, status, "
                                          "form) and every period")
    applied: list[Applied] = Field(
        default_factory=list, description="Periods named in words (« depuis 2018 ») applied "
                                          "as the year_min/year_max filter")
    page: int = Field(ge=1)
    size: int = Field(ge=1, le=100)
    pages: int = Field(ge=0)
    took_ms: float
    suggestion: str | None = Field(None, description="Did you mean, when few or no hits")
    fuzzy: bool = Field(False, description="Hits found only by typo tolerance")
    cached: bool = False
    translated: list[Translation] = Field(
        default_factory=list, description="Foreign words of the query read as French words "
                                          "(English, Spanish, German, Portuguese, Italian)")
    hits: list[Hit]
    facets: dict[str, list[FacetValue]] = Field(
        description="Disjunctive counts per facet: country, region, theme, sub_theme, status, "
                    "partnership_form, start_year, french_partner. A facet with a limit "
                    "(french_partner, sub_theme) lists its most frequent values and the "
                    "selected ones; /api/facets/{param} pages through all of them")
    facet_totals: dict[str, int] = Field(
        default_factory=dict, description="How many values each facet has in all, listed "
                                          "or not")
    countries_of_results: list[ResultCountry] = Field(
        default_factory=list, description="Where the matches are: each country of the "
        "matching records under every filter (the country filter too), most first; what "
        "the map shows. The `country` facet instead counts what each value would add")
    warnings: list[str] = Field(
        default_factory=list, description="What the request asked that the search could not "
        "use: an unknown parameter (ignored; the one probably meant is named) or a filter "
        "value no record has. Empty for a well-formed search")


class FacetValuesAnswer(_Answer):
    facet: str = Field(description="The facet's name (a key of a search's `facets`)")
    label: str = Field(description="Its French label")
    contains: str = Field(description="The text each value's name holds (no case or "
                                      "accents); empty: every value")
    total: int = Field(ge=0, description="Values of the facet under the search (and "
                                         "`contains`)")
    page: int = Field(ge=1)
    size: int = Field(ge=1, le=100)
    pages: int = Field(ge=0)
    values: list[FacetValue] = Field(description="In the order of a search's facet list: "
                                                 "most frequent first")


class BatchAnswer(_Answer):
    projects: list[Record] = Field(description="The records found, in the order asked, "
                                               "each once, as `atlas parse` gives them")
    missing: list[str] = Field(description="Ids asked for that the index does not hold")


class Suggestion(_Answer):
    value: str
    kind: str = Field(description="thématique, sous-thématique, pays, collectivité française, "
                                  "partenaire étranger, projet")
    id: str | None = Field(None, description="The project id, for kind=projet")


class SuggestAnswer(_Answer):
    q: str
    suggestions: list[Suggestion]


class Health(_Answer):
    status: str = Field(examples=["ok"])
    records: int = Field(ge=0)
    version: str | None = None
    built_at: str | float | None = None
    synthetic: int = Field(0, ge=0, description="Generated records in the index")


class ValueCount(_Answer):
    value: str | int
    count: int = Field(ge=0)


class CountryCount(_Answer):
    code: str
    name: str | None = None
    count: int = Field(ge=0)


class PartnerCount(_Answer):
    name: str
    country: str | None = Field(None, description="As written in the records")
    code: str | None = Field(None, description="ISO code of that country, when known")
    count: int = Field(ge=0)


class AuthorityCount(_Answer):
    name: str
    slug: str
    count: int = Field(ge=0)


class AuthorityAnswer(_Answer):
    name: str
    slug: str = Field(description="The name folded to lowercase ASCII, other runs as '-'")
    projects: int = Field(ge=0)
    funding_eur: int = Field(description="Total funding of its projects, each project whole, "
                                         "whoever paid")
    own_funding_eur: int = Field(
        description="Its own contribution: the funding rows of its projects whose funder is "
                    "this authority (« Ville d'Angers » names Angers: case, accents and a "
                    "town-council prefix aside)")
    unmatched_funders: list[UnmatchedFunder] = Field(
        default_factory=list, description="Funders of its projects' rows that name no "
                                          "French authority of the index")
    funding_years: list[FundingYear] = Field(
        default_factory=list, description="Its projects' funding rows per funding year")
    countries: list[CountryCount]
    themes: list[ValueCount]
    years: list[ValueCount]
    partners: list[PartnerCount] = Field(description="Foreign partner authorities")
    search_url: str | None = Field(None, description="Its projects: /api/search?french_partner=")


class RegionRef(_Answer):
    slug: str = Field(description="The `region` filter value")
    name: str = Field(description="Its French name")


class Understood(_Answer):
    kind: str = Field(description="country, region, authority, theme, status, form or period")
    facet: str = Field(description="The facet the value belongs to (start_year for a period)")
    value: str = Field(description="The facet value (a period: its years, as shown)")
    display: str = Field(description="What to show")
    words: str = Field(description="The words of the query that named it")
    year_min: int | None = Field(None, description="A period's first start year")
    year_max: int | None = Field(None, description="A period's last start year")


class Applied(_Answer):
    kind: str = Field(description="period: years named in the query's words")
    words: str = Field(description="The words, taken out of the text query")
    year_min: int | None = None
    year_max: int | None = None
    label: str


class CountryAnswer(_Answer):
    code: str
    name: str
    regions: list[RegionRef] = Field(default_factory=list, description="Its continent, "
                                     "UN M49 sub-region and groupings (Maghreb, Sahel...)")
    projects: int = Field(ge=0, description="Equals the total of /api/search?country=CODE")
    funding_eur: int = Field(description="Total funding of the projects involving the "
                                         "country, each project whole")
    funding_share_eur: int = Field(
        description="Each project's funding divided equally among its countries, this "
                    "country's part: shares of all countries add up to the funding of the "
                    "projects that have a country")
    funding_years: list[FundingYear] = Field(
        default_factory=list, description="Its projects' funding rows per funding year")
    authorities: list[AuthorityCount] = Field(description="French authorities, most active "
                                                          "first")
    themes: list[ValueCount]
    years: list[ValueCount]
    search_url: str | None = None


class ErrorDetail(BaseModel):
    detail: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str
    message: str = Field(description="The issue in words, in the request's language "
                                     "(`lang=fr|en` or `Accept-Language`; French by default)")


class ValidationErrorAnswer(BaseModel):
    detail: list[ValidationIssue]


def responses(*statuses: int) -> dict[int | str, dict]:
    """The documented non-200 answers of a route, for `responses=`."""
    known: dict[int, dict] = {
        304: {"description": "Not modified: the `If-None-Match` ETag still matches "
                             "(no body)"},
        401: {"model": ErrorDetail, "description": "Missing or wrong bearer token "
                                                   "(only when ATLAS_API_TOKEN is set)"},
        404: {"model": ErrorDetail, "description": "Not found (no such project, authority "
                                                   "or country)"},
        422: {"model": ValidationErrorAnswer,
              "description": "Invalid parameter, with a message per parameter"},
        503: {"model": ErrorDetail, "description": "The index is not open yet"},
    }
    return {status: known[status] for status in statuses}
