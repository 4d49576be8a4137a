"""What the table, citations and errata pages show, built from the package rows.

Nothing here knows a resource by name except the claims, evidence and sources
that every citation needs: a new resource gets its table page and citation
anchors without a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xborder_data.site.i18n import Lang
from xborder_data.tableschema.types import plain_text as text  # a cell as the CSV writes it, numbers never in exponent form

if TYPE_CHECKING:
    from xborder_data.package import Package

_WEB = re.compile(r"^https?://", re.IGNORECASE)

# The only table whose web addresses become links: the cited sources. Other
# addresses (a platform's website) stay text, so the site links out only to citations.
SOURCES = "sources"

# Columns a reader looks for first, right after the primary key, where a table has them.
LEADING = ("status", "stance", "name_en", "title", "title_en", "label_en", "as_printed", "quote", "normalized_value", "value", "unit", "note")
# A column empty in more than this share of rows moves to the end of the table.
SPARSE = 0.5
NUMERIC_TYPES = ("integer", "number", "year")
LONG_TEXT = 60  # characters: a text column with a longer value wraps in a wide cell
SHORT_TEXT = 24  # characters: a column whose values are all this short never wraps (dates, ids, codes)


@dataclass(frozen=True)
class Column:
    """One schema field as a table header; ``numeric`` columns are right-aligned, ``long`` ones wrap."""

    name: str
    title: str
    type: str
    description: str
    numeric: bool = False
    long: bool = False
    short: bool = False

    @property
    def css(self) -> str:
        """The cell class: 'num' right-aligns, 'long' wraps in a wide cell, 'short' never wraps."""
        return "num" if self.numeric else "long" if self.long else "short" if self.short else ""


@dataclass(frozen=True)
class Cell:
    """One shown value; ``href`` makes it a link (internal, or outbound when ``external``)."""

    text: str
    href: str | None = None
    external: bool = False


@dataclass(frozen=True)
class Row:
    """One table row: its anchor id, cells and the link to its citations."""

    anchor: str | None
    cells: list[Cell]
    cite_href: str | None


@dataclass(frozen=True)
class Table:
    """A resource as a page."""

    name: str
    title: str
    description: str
    columns: list[Column]
    rows: list[Row]
    primary_key: list[str]


def row_anchor(row_id: str) -> str:
    """The id of a row on its table page."""
    return f"row-{row_id}"


def cite_anchor(resource: str, row_id: str) -> str:
    """The id of a row's section on the citations page."""
    return f"cite-{resource}-{row_id}"


def table_href(resource: str, row_id: str | None = None, *, base: str = "") -> str:
    """Link to a table page, or to one row on it."""
    page = f"{base}tables/{resource}.html"
    return page if row_id is None else f"{page}#{row_anchor(row_id)}"


def cite_href(resource: str, row_id: str, *, base: str = "") -> str:
    """Link to a row's citations."""
    return f"{base}citations.html#{cite_anchor(resource, row_id)}"


def zh_text(raw: Any, key: str) -> str | None:
    """The Chinese ``key`` ("title" or "description") of a descriptor or field's ``zh`` property, if it has one."""
    zh = raw.get("zh") if isinstance(raw, dict) else None
    value = zh.get(key) if isinstance(zh, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def field_texts(package: "Package", name: str, lang: Lang) -> dict[str, tuple[str, str]]:
    """Each field's (title, description) in ``lang``: the schema's ``zh`` texts on Chinese pages, else the English ones."""
    texts = {}
    for raw in package.table_schema(name).raw.get("fields", []):
        title, description = raw.get("title") or raw["name"], raw.get("description") or ""
        if lang == "zh":
            title, description = zh_text(raw, "title") or title, zh_text(raw, "description") or description
        texts[raw["name"]] = (title, description)
    return texts


def resource_texts(package: "Package", name: str, lang: Lang) -> tuple[str, str]:
    """A resource's (title, description) in ``lang``, from the descriptor's ``zh`` property where it has one."""
    spec = package.resource(name)
    title, description = spec.title or name, spec.description
    if lang == "zh":
        raw: dict[str, Any] = next((r for r in package.descriptor().get("resources", []) if r.get("name") == name), {})
        title, description = zh_text(raw, "title") or title, zh_text(raw, "description") or description
    return title, description


def column_order(package: "Package", name: str) -> list[str]:
    """Primary key, then the LEADING columns, then the rest; mostly empty columns last."""
    schema = package.table_schema(name)
    records = package.records(name)
    names = [f.name for f in schema.fields]

    def sparse(field: str) -> bool:
        return bool(records) and sum(r.get(field) is None for r in records) > SPARSE * len(records)

    first = list(schema.primary_key) + [n for n in LEADING if n in names and n not in schema.primary_key]
    rest = [n for n in names if n not in first]
    return first + [n for n in rest if not sparse(n)] + [n for n in rest if sparse(n)]


def single_key(package: "Package", name: str) -> str | None:
    """The primary-key field when it is a single field, else None."""
    key = package.table_schema(name).primary_key
    return key[0] if len(key) == 1 else None


def row_ids(package: "Package", name: str) -> set[str]:
    """The ids of every row of ``name`` (empty without a single-field key)."""
    key = single_key(package, name)
    return {text(r[key]) for r in package.records(name)} if key else set()


def build_table(package: "Package", name: str, lang: Lang = "en") -> Table:
    """Every row of ``name``, with foreign keys and URLs linked, for a page in tables/ (headers in ``lang``)."""
    texts = field_texts(package, name, lang)
    schema = package.table_schema(name)
    key = single_key(package, name)
    targets = {fk.field: fk.resource for fk in schema.foreign_keys if single_key(package, fk.resource)}
    ids = {resource: row_ids(package, resource) for resource in set(targets.values())}
    fields = {f.name: f for f in schema.fields}
    records = package.records(name)
    columns = []
    for field_name in column_order(package, name):
        field_spec = fields[field_name]
        longest = max((len(text(r.get(field_name))) for r in records), default=0)
        columns.append(
            Column(
                field_spec.name,
                texts[field_name][0],
                field_spec.type,
                texts[field_name][1],
                numeric=field_spec.type in NUMERIC_TYPES,
                long=field_spec.type == "string" and longest > LONG_TEXT,
                short=longest <= SHORT_TEXT,
            )
        )
    rows = []
    for record in records:
        cells = []
        for column in columns:
            value = text(record.get(column.name))
            target = targets.get(column.name)
            if value and target and value in ids[target]:
                cells.append(Cell(value, table_href(target, value, base="../")))
            elif value and name == SOURCES and _WEB.match(value):
                cells.append(Cell(value, value, external=True))
            else:
                cells.append(Cell(value))
        row_id = text(record[key]) if key else None
        rows.append(
            Row(
                anchor=row_anchor(row_id) if row_id is not None else None,
                cells=cells,
                cite_href=cite_href(name, row_id, base="../") if row_id is not None else None,
            )
        )
    return Table(name, *resource_texts(package, name, lang), columns, rows, list(schema.primary_key))


@dataclass(frozen=True)
class CitationEntry:
    """A row's section on the citations page."""

    anchor: str
    resource: str
    resource_title: str
    row_id: str
    row_href: str
    claims: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    sources: list[dict[str, Any]]


def build_citations(package: "Package") -> list[CitationEntry]:
    """One entry per row of every resource with a single-field key (resource titles in English)."""
    from xborder_data.citing.provenance import PROVENANCE_FIELDS, citations_for, require_provenance

    # What Package.sources_for does for one row, with the tables read once for all 2,000-odd rows.
    require_provenance(package)
    tables = {table: package.records(table) for table in PROVENANCE_FIELDS}
    specs = {name: package.resource(name) for name in package.resources()}
    entries = []
    for name in package.resources():
        key = single_key(package, name)
        if key is None:
            continue
        title = resource_texts(package, name, "en")[0]
        rows = package.records(name)
        for record in rows:
            row_id = text(record[key])
            found = citations_for(rows, specs[name], specs, tables, record[key])
            entries.append(
                CitationEntry(
                    anchor=cite_anchor(name, row_id),
                    resource=name,
                    resource_title=title,
                    row_id=row_id,
                    row_href=table_href(name, row_id),
                    claims=[
                        {**claim, "href": table_href("claims", claim["claim_id"])} for claim in found.claims
                    ],
                    evidence=[
                        {**item, "href": table_href("evidence", item["evidence_id"])} for item in found.evidence
                    ],
                    sources=[
                        {**source, "href": table_href("sources", source["source_id"]), "external": bool(_WEB.match(source.get("url") or ""))}
                        for source in found.sources
                    ],
                )
            )
    return entries


def build_errata(package: "Package") -> list[dict[str, Any]]:
    """Each erratum with the claims whose printed words contain it."""
    claims = package.records("claims")
    errata = []
    for record in package.records("errata"):
        errata.append(
            {
                **record,
                "anchor": row_anchor(record["erratum_id"]),
                "table_href": table_href("errata", record["erratum_id"]),
                "cite_href": cite_href("errata", record["erratum_id"]),
                "claims": [
                    {**c, "href": table_href("claims", c["claim_id"])}
                    for c in claims
                    if c.get("erratum_id") == record["erratum_id"]
                ],
            }
        )
    return errata
