"""The published tables, declared once: their columns, types, allowed values, descriptions and keys.

Every layer reads its view of a table from here rather than keeping its own list: the frames
`dxdata.validate.tables` builds (column order), the pandera schemas of `dxdata.validate.schemas` (types,
empty values, allowed values), the Arrow schema `dxdata.publish.store` writes and the categories `load`
gives, the series of `dxdata.products.series`, the data package and data dictionary of a release
(`dxdata.products.release`), and the tables sections of README.md and schemas/ROWS.md
(`python scripts/generate_docs.py`; tests/test_tables.py fails when they are stale or when a refresh
writes other columns than these).

A column's `kind` is one of:

* ``text``: a string;
* ``code``: a string from a fixed set (`values`) or from a codebook table (`codes`): ``category`` on load;
* ``integer`` (int64), ``number`` (float64), ``boolean``;
* ``date``: a calendar day (Arrow ``date32``; ``datetime64[s]`` on load).

This module imports nothing from the stages, so that every one of them can import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, get_args

Kind = Literal["text", "code", "integer", "number", "date", "boolean"]
KINDS: tuple[str, ...] = get_args(Kind)

# The fixed codes, with what each means (the data dictionary lists the meanings).
UNITS = {
    "percent": "share, 0-100",
    "count": "number of things",
    "VND": "Vietnamese dong",
    "USD": "US dollars",
    "rank": "position in a ranking (1 is best)",
    "score": "index score",
    "times": "ratio ('gấp 2,5 lần')",
}
QUALIFIERS = {
    "eq": "as printed",
    "gt": "more than (trên, hơn, vượt)",
    "lt": "less than (dưới, chưa đến)",
    "approx": "about (khoảng, gần, xấp xỉ)",
}
STATUSES = {
    "actual": "a reported figure",
    "estimate": "an estimate (ước, ước đạt, dự kiến đạt)",
    "target": "a goal or plan (mục tiêu, phấn đấu, kế hoạch ... đến năm)",
}
CODE_MEANINGS = {"unit": UNITS, "qualifier": QUALIFIERS, "status": STATUSES}

SAME_ROW_UNIT = "given by the unit column of the same row"


@dataclass(frozen=True)
class Column:
    """One column of a published table: what every layer needs to know about it."""

    name: str
    kind: Kind
    description: str
    nullable: bool = False  # may be empty (null)
    values: tuple[str, ...] = ()  # the only values it may hold (checked; the data package's enum)
    categories: tuple[str, ...] = ()  # `load`'s categories when they are not `values`
    codes: tuple[str, str] | None = None  # (codebook table, column) holding every code it may take
    unique: bool = False  # no two rows hold the same value
    minimum: int | None = None  # smallest value (integer columns)
    unit: str | None = None  # unit of a quantity: bytes, characters, or SAME_ROW_UNIT

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: kind {self.kind!r} is not one of {', '.join(KINDS)}")

    @property
    def category_set(self) -> tuple[str, ...]:
        """The fixed categories of a code column on load (empty: the codebook's codes or the values present)."""
        return self.categories or self.values


@dataclass(frozen=True)
class Table:
    """One published table: its columns in order, how its rows are sorted, and its keys."""

    name: str
    description: str
    columns: tuple[Column, ...]
    sort_keys: tuple[str, ...]
    primary_key: tuple[str, ...] = ()
    unique: tuple[str, ...] = ()  # columns whose values together identify a row (checked), besides the key
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (table, column)

    def __post_init__(self) -> None:
        names = self.names
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: a column is declared twice")
        for key in (*self.sort_keys, *self.primary_key, *self.unique, *self.foreign_keys):
            if key not in names:
                raise ValueError(f"table {self.name}: {key!r} is named as a key but is not a column")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def get(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


# Columns several tables share (`replace` gives a table its own description or rules).
ARTICLE_ID = Column(
    "article_id",
    "text",
    "Id of the article: the first 16 hex digits of the sha256 of its normalized text (UTF-8), not of the raw "
    "file (that is articles.content_sha256).",
)
SOURCE_FILE = Column(
    "source_file",
    "text",
    "Path of the raw file the article was read from, relative to the raw folder (e.g. 002_52f6af25ab725421.txt).",
)
NUMBER_TEXT = Column(
    "number_text", "text", "The number as written in the article (with its scale word or unit: 13,2 triệu, 80,2%)."
)
INDICATOR_CODE = Column(
    "indicator_code",
    "code",
    "Indicator code from the codebook (see the indicators table and CODEBOOK.md).",
    codes=("indicators", "indicator_code"),
)
REGION_CODE = Column(
    "region_code",
    "code",
    "Where the number is about: VN for the whole country, or a province's ISO 3166-2:VN code as it stood before "
    "the 1 July 2025 merger (Kon Tum VN-28, Đà Nẵng VN-DN, Sóc Trăng VN-52, Lai Châu VN-01, Hà Nội VN-HN, Hồ Chí "
    "Minh City VN-SG, Hải Phòng VN-HP, Cần Thơ VN-CT, Điện Biên VN-71, ...). A district or city named in the "
    "text counts as its province; a provincial paper reporting a national meeting's national figures: VN.",
    codes=("regions", "region_code"),
)
REGION_CODE_2025 = Column(
    "region_code_2025",
    "code",
    "ISO 3166-2:VN code of the province the region belongs to since 1 July 2025 (VN for the whole country).",
    nullable=True,
    codes=("regions", "region_code_2025"),
)
UNIT = Column(
    "unit", "code", "Unit of value: percent (0-100), count, VND, USD, rank, score or times.", values=tuple(UNITS)
)
QUALIFIER = Column(
    "qualifier",
    "code",
    "How the number was printed: eq plain; gt more than (trên, hơn, vượt); lt less than (dưới, chưa đến); "
    "approx about (khoảng, gần, xấp xỉ, gần như, chừng); the full lists are in schemas/extraction.yaml. A range "
    "'từ 60 đến 70%' gives its low end as gt and its high end as lt.",
    values=tuple(QUALIFIERS),
)
STATUS = Column(
    "status",
    "code",
    "actual; estimate when ước, ước đạt, ước tính, dự kiến or dự báo stands before the number in its sentence "
    "(the qualifier stays eq unless another word sets it); target when mục tiêu, phấn đấu, đặt ra, kế hoạch, đề "
    "ra ... does, when the number is a share of the year's plan, or when the codebook counts the indicator as "
    "a target.",
    values=tuple(STATUSES),
)
NAME_VI = Column("name_vi", "text", "Name in Vietnamese.", nullable=True)
NAME_EN = Column("name_en", "text", "Name in English.", nullable=True)


OBSERVATIONS = Table(
    "observations",
    "One row per indicator fact (ROWS.md), with provenance into the article text.",
    (
        Column(
            "obs_id",
            "text",
            "Stable id of an observation: the first 16 hex digits of the sha256 of its source_file (the raw file's "
            "path, not its URL, so that an id does not change when a URL becomes known later), indicator_code, "
            "period_start, period_end, region_code, body_code and the fact's place (0, 1, ...) among the "
            "article's facts with those six, in text order. Built from what identifies the fact rather than from "
            "the text, it survives a correction of the article's text: '80,2%' corrected to '81,0%' keeps its id, "
            "and dxdata diff shows one changed value. A renamed file, or a new period, region or body, gives a "
            "new id.",
            unique=True,
        ),
        ARTICLE_ID,
        SOURCE_FILE,
        INDICATOR_CODE,
        Column(
            "value",
            "number",
            "The number in base units: 80,2% is 80.2; 2.398 is 2398; 13,2 triệu is 13200000; 2.505 tỷ đồng is "
            "2505000000000; 53 tỷ USD is 53000000000 (see unit).",
            unit=SAME_ROW_UNIT,
        ),
        UNIT,
        Column(
            "denominator",
            "number",
            "The y of an 'x/y' figure (62/63 địa phương: value 62, denominator 63; hạng 86/193) or of a count or "
            "rank 'x trên tổng số y'; else empty.",
            nullable=True,
            unit=SAME_ROW_UNIT,
        ),
        QUALIFIER,
        STATUS,
        Column(
            "period_start",
            "date",
            "First day of the period the number covers, when the text gives one ('4 tháng đầu năm 2024': "
            "2024-01-01; 'năm 2023': 2023-01-01).",
            nullable=True,
        ),
        Column(
            "period_end",
            "date",
            "Date the number is true at, or the last day of its period ('4 tháng đầu năm 2024': 2024-04-30; 'Đến "
            "tháng 6/2023': 2023-06-30; 'năm 2020': 2020-12-31; a target 'đến năm 2025': 2025-12-31); with no time "
            "words near it ('Đến nay', 'hiện nay', nothing), the date of the event the article reports (the meeting "
            "day), else its publication date; empty when the article gives neither.",
            nullable=True,
        ),
        REGION_CODE,
        REGION_CODE_2025,
        Column(
            "body_code",
            "code",
            "Body credited with the number, from the bodies codebook: the publisher the codebook names for the "
            "indicator, else the subject of the sentence that did or reported it ('Bộ Công an đã cấp ...': MPS; "
            "'thành phố Đà Nẵng đã đưa ...': PPC), else the body whose meeting or report the article covers "
            "(NCDT for a session of the National Committee on Digital Transformation); PPC with a province's "
            "region_code is that province's People's Committee. Empty when none is found.",
            nullable=True,
            codes=("bodies", "body_code"),
        ),
        Column(
            "evidence",
            "text",
            "The sentence (or clause) the number stands in, verbatim from the article's normalized text: its "
            "characters char_start to char_end.",
        ),
        Column(
            "char_start",
            "integer",
            "Start of evidence in the article's normalized text (0-based character offset): evidence == "
            "text[char_start:char_end].",
            minimum=0,
            unit="characters",
        ),
        Column(
            "char_end",
            "integer",
            "End of evidence in the article's normalized text (character offset, exclusive).",
            minimum=0,
            unit="characters",
        ),
        NUMBER_TEXT,
        Column(
            "number_start",
            "integer",
            "Start of number_text in the article's normalized text (0-based character offset): number_text == "
            "text[number_start:number_end].",
            minimum=0,
            unit="characters",
        ),
        Column(
            "number_end",
            "integer",
            "End of number_text in the article's normalized text (character offset, exclusive).",
            minimum=0,
            unit="characters",
        ),
    ),
    sort_keys=("source_file", "number_start", "indicator_code"),
    primary_key=("obs_id",),
    unique=("article_id", "number_start", "indicator_code"),  # one number gives one row per indicator
    foreign_keys={
        "article_id": ("articles", "article_id"),
        "indicator_code": ("indicators", "indicator_code"),
        "region_code": ("regions", "region_code"),
        "region_code_2025": ("regions", "region_code"),
        "body_code": ("bodies", "body_code"),
    },
)

SERIES = Table(
    "series",
    "Consolidated series: one row per indicator, region, period end and status, across articles.",
    (
        replace(INDICATOR_CODE, description="Indicator code from the codebook (indicators table)."),
        replace(
            REGION_CODE,
            description="Region the figure is about: VN, or a province's ISO 3166-2:VN code (pre-2025).",
        ),
        Column(
            "period_end",
            "date",
            "Date the figure is true at, or last day of its period; empty when no source gave one (such "
            "observations form their own group).",
            nullable=True,
        ),
        replace(STATUS, description="actual, estimate or target."),
        Column(
            "period_start",
            "date",
            "First day of the period: the most common one the sources give (ties: earliest).",
            nullable=True,
        ),
        Column(
            "value",
            "number",
            "Consolidated value in base units (see unit): the median of the reported values; of two middle "
            "values, the one more sources report, then the lower.",
            unit=SAME_ROW_UNIT,
        ),
        replace(UNIT, description="Unit of value, value_min and value_max: the unit most sources give."),
        replace(
            QUALIFIER,
            description="Qualifier of the consolidated value as printed (eq, approx, gt = more than, lt = less "
            "than): the most common among the sources reporting it.",
        ),
        Column("qualifiers", "text", "Every qualifier seen in the group, joined with '|'."),
        Column("value_min", "number", "Lowest reported value (in unit).", unit=SAME_ROW_UNIT),
        Column("value_max", "number", "Highest reported value (in unit).", unit=SAME_ROW_UNIT),
        Column(
            "conflict",
            "boolean",
            "True when sources disagree beyond rounding: value_max - value_min exceeds both 1% of the larger "
            "value and the rounding step of the least precise figure; or units differ.",
        ),
        Column("n_observations", "integer", "Observations (rows of the observations table) in the group.", minimum=1),
        Column("n_articles", "integer", "Distinct articles reporting the figure.", minimum=1),
        Column(
            "n_publishers",
            "integer",
            "Distinct publishers of those articles (publisher, else the URL's host, else the source file).",
            minimum=1,
        ),
        Column("obs_ids", "text", "obs_id of every observation in the group, sorted, joined with '|'."),
    ),
    sort_keys=("indicator_code", "region_code", "period_end", "status"),
    # no primary key: the group key is unique, but period_end is empty for undated figures
    unique=("indicator_code", "region_code", "period_end", "status"),
    foreign_keys={"indicator_code": ("indicators", "indicator_code"), "region_code": ("regions", "region_code")},
)

ARTICLES = Table(
    "articles",
    "One row per raw file that was read.",
    (
        replace(ARTICLE_ID, unique=True),
        replace(
            SOURCE_FILE,
            description="Path of the raw file, relative to the raw folder (e.g. 002_52f6af25ab725421.txt).",
            unique=True,
        ),
        Column("title", "text", "Headline of the article, when the page or the text gives one.", nullable=True),
        Column(
            "published", "date", "Publication date of the article, when the page or the text gives one.", nullable=True
        ),
        Column(
            "event_date",
            "date",
            "Date of the event the article reports (e.g. the meeting day), when it names one.",
            nullable=True,
        ),
        Column(
            "publisher",
            "text",
            "Name of the newspaper or site that published the article: from sources.tsv, else as the page or the "
            "text names it, else from the URL's domain.",
            nullable=True,
        ),
        Column(
            "url",
            "text",
            "Address the article was published at: from sources.tsv, else as the page or the text gives it.",
            nullable=True,
        ),
        Column(
            "format",
            "text",
            "How the raw file was read: html (an .html/.htm file, or text that looks like HTML: the article text "
            "is extracted from the page) or txt.",
            values=("txt", "html"),
        ),
        Column(
            "encoding",
            "text",
            "Text encoding the raw file was decoded with (utf-8-lossy: UTF-8 with invalid bytes replaced by U+FFFD).",
        ),
        Column("n_bytes", "integer", "Size of the raw file.", minimum=0, unit="bytes"),
        Column(
            "n_chars",
            "integer",
            "Length of the article's normalized text (Unicode code points).",
            minimum=0,
            unit="characters",
        ),
        Column("content_sha256", "text", "sha256 of the raw file's bytes (hex)."),
        Column(
            "n_observations",
            "integer",
            "Observations the extractor found in the article, before validation (rows that failed a check are in "
            "rejects, not in observations).",
            minimum=0,
        ),
        Column(
            "n_mentions",
            "integer",
            "Numbers the extractor saw in the article and did not publish as observations (its rows of mentions, "
            "before validation).",
            minimum=0,
        ),
    ),
    sort_keys=("source_file",),
    primary_key=("article_id",),
)

MENTIONS = Table(
    "mentions",
    "Every number seen and not published as an observation, with the reason.",
    (
        ARTICLE_ID,
        SOURCE_FILE,
        NUMBER_TEXT,
        Column(
            "char_start",
            "integer",
            "Start of number_text in the article's normalized text (0-based character offset).",
            minimum=0,
            unit="characters",
        ),
        Column(
            "char_end",
            "integer",
            "End of number_text in the article's normalized text (character offset, exclusive).",
            minimum=0,
            unit="characters",
        ),
        Column(
            "reason",
            "text",
            "Why the number is not an observation: year, date, time, document_number, ordinal, label, phone, "
            "page_chrome, out_of_range (hundreds of digits), duration_or_measure, ratio_base or universe (not a "
            "figure); no_indicator (no indicator of the codebook fits); repeated_fact (the same indicator, value, "
            "unit and period_end is already an observation of the article).",
        ),
        Column(
            "value", "number", "The number in base units, when it could be read.", nullable=True, unit=SAME_ROW_UNIT
        ),
        replace(UNIT, description="Its unit, when one was recognised.", nullable=True),
        Column("sentence", "text", "The sentence the number stands in, verbatim from the article's normalized text."),
    ),
    sort_keys=("source_file", "char_start", "reason"),
    foreign_keys={"article_id": ("articles", "article_id")},
)

REJECTS = Table(
    "rejects",
    "Raw files that were not read and rows that failed validation, each with the reason.",
    (
        Column(
            "stage",
            "text",
            "ingest: a raw file that was not read (or whose extraction failed or ran past its time budget); "
            "validate: a row of observations, articles or mentions that failed a check.",
            values=("ingest", "validate"),
        ),
        Column("source_file", "text", "Path of the raw file the row comes from, relative to the raw folder."),
        Column(
            "article_id",
            "text",
            "Id of the article the rejected row belongs to (validate stage; empty for ingest).",
            nullable=True,
        ),
        Column(
            "obs_id", "text", "Id of the rejected observation (validate stage, observation rows only).", nullable=True
        ),
        Column(
            "reason",
            "text",
            "Why the file was not read (ingest: empty, binary, undecodable, too_large, no_text, duplicate, "
            "unsupported_type, unreadable, hidden, not_a_file, link_to_folder, outside_raw_folder, too_slow when "
            "extraction ran past its time budget, error when extraction failed on the text), or the first check "
            "the row failed (validate).",
        ),
        Column("detail", "text", "What exactly failed: an explanation (ingest), or every failed check (validate)."),
        Column("record", "text", "The rejected row as JSON (validate stage).", nullable=True),
    ),
    sort_keys=("source_file", "stage", "obs_id", "reason"),  # by file first: parts of chunks join in order
)

# The codebooks, published with every version so that a version stands alone. Nothing checks their
# columns other than the key for emptiness, so they are declared as possibly empty.
INDICATORS = Table(
    "indicators",
    "The indicator codebook: one row per indicator code, with its names, unit and cues.",
    (
        replace(INDICATOR_CODE, description="Code of the indicator, as used in observations and series."),
        Column(
            "group",
            "text",
            "Thematic group of the indicator in the codebook (infrastructure, digital_government, data, ...).",
            nullable=True,
        ),
        replace(NAME_VI, description="Name of the indicator in Vietnamese."),
        replace(NAME_EN, description="Name of the indicator in English."),
        Column(
            "unit",
            "code",
            "Unit the indicator's values are given in ('USD|VND': a money indicator reported in either currency).",
            nullable=True,
            categories=tuple(UNITS),
        ),
        Column(
            "per",
            "text",
            "Period a flow is counted over (year), when it is a rate per period ('9.300 tỉ đồng/năm').",
            nullable=True,
        ),
        Column(
            "kind",
            "text",
            "level (a stock, share, amount, rank or score) or change (a growth rate or rise: only numbers read as "
            "changes, 'tăng 20%', 'gấp 2,5 lần', take it).",
            nullable=True,
            values=("change", "level"),
        ),
        Column(
            "cues",
            "text",
            "Vietnamese phrasings the extractor looks for near a number of this indicator, joined with ' | ' "
            "('...' separates words that must all occur near it).",
            nullable=True,
        ),
    ),
    sort_keys=("indicator_code",),
    primary_key=("indicator_code",),
)

BODIES = Table(
    "bodies",
    "The codebook of government bodies that figures are attributed to.",
    (
        Column(
            "body_code", "code", "Code of the body, as used in observations.body_code.", codes=("bodies", "body_code")
        ),
        replace(NAME_VI, description="Name of the body in Vietnamese."),
        replace(NAME_EN, description="Name of the body in English."),
        Column(
            "level",
            "text",
            "national, or provincial (a body that exists once per province: the row's region_code says which).",
            nullable=True,
            values=("national", "provincial"),
        ),
        Column(
            "aliases", "text", "Other names and abbreviations matched in articles, joined with ' | '.", nullable=True
        ),
    ),
    sort_keys=("body_code",),
    primary_key=("body_code",),
)

REGIONS = Table(
    "regions",
    "Viet Nam and its provinces as they stood before the 1 July 2025 merger, with their 2025 province.",
    (
        replace(
            REGION_CODE,
            description="ISO 3166-2:VN code of the province as it stood before the 1 July 2025 merger; VN for the "
            "whole country.",
        ),
        NAME_VI,
        replace(NAME_EN, description="Name without diacritics (Viet Nam for the country)."),
        Column(
            "level",
            "text",
            "country, province or municipality (a centrally run city).",
            nullable=True,
            values=("country", "municipality", "province"),
        ),
        Column(
            "gso_code",
            "code",
            "Province code of the General Statistics Office of Viet Nam (empty for the country).",
            nullable=True,
        ),
        replace(
            REGION_CODE_2025,
            description="ISO 3166-2:VN code of the province the region belongs to since 1 July 2025.",
        ),
        Column("name_2025", "text", "Name of the province the region belongs to since 1 July 2025.", nullable=True),
    ),
    sort_keys=("region_code",),
    primary_key=("region_code",),
)

# Every published table, in the order the documentation lists them.
TABLES: dict[str, Table] = {
    t.name: t for t in (OBSERVATIONS, SERIES, ARTICLES, MENTIONS, REJECTS, INDICATORS, BODIES, REGIONS)
}
SORT_KEYS: dict[str, list[str]] = {name: list(t.sort_keys) for name, t in TABLES.items()}


def declared(table: str, column: str) -> Column | None:
    """The declaration of `column` of `table`, or None when either is not declared."""
    t = TABLES.get(table)
    return t.get(column) if t is not None else None
