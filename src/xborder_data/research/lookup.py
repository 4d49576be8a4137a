"""Look a place up by name or code: every pilot-zone batch and programme round it belongs to.

``lookup("义乌")``, ``lookup("Yiwu City")``, ``lookup("Xi'an")`` and
``lookup("330782")`` search ``units`` (every prefecture-level unit, and the
county-level cities that are members), ``pilot_zones`` and
``programme_members``, customs districts included (a customs district is filed
under the city it is seated in). Names match
without regard to case, tone marks, apostrophes, spaces or a closing "City",
"市", "Customs", "海关" and the like; codes and row ids match exactly.

A name that fits several places (Taizhou is 泰州市 and 台州市) returns them all
and says it is ambiguous; a name that fits none returns near matches.
Memberships through a county-level member inside a prefecture (Yiwu's zone,
for Jinhua) are listed for the prefecture and marked as such.

The module reads tables passed in through a ``Package`` and never imports
pandas.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from xborder_data.errors import UsageError

if TYPE_CHECKING:
    from xborder_data.package import Package

# The tables a place can be looked up in, and the tables that date and name its memberships.
TABLES = ("units", "pilot_zones", "programme_members")
QUERY_LIMIT = 200  # the longest name is about 40 characters; more is not a name
_CONTEXT = ("pilot_zone_batches", "programme_rounds", "programmes", "unit_code_changes")
# Words that close a name without telling places apart: "Yiwu City" is Yiwu, 泰州市 is 泰州.
_SUFFIXES_EN = tuple(tuple(words.split()) for words in (
    "city", "shi", "customs", "region", "prefecture", "autonomous prefecture", "league", "new district", "new area",
    "island", "province", "municipality", "autonomous region", "district", "county",
))
_SUFFIXES_ZH = ("特别行政区", "自治区", "自治州", "地区", "海关", "新区", "全岛", "市", "盟", "省", "县", "区")
_APOSTROPHES = re.compile(r"['’‘`ʼ´]")  # "Xi'an", "Xi’an" and "Xian" are one name
_SEPARATORS = re.compile(r"[\s\-‐–—.·・,，()（）]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CODE = re.compile(r"\d{6}")
# (place key, resource, row id, row, names, exact ids): one row a place can be found by.
_Entry = tuple[str, str, str, dict[str, Any], tuple[str, ...], tuple[str, ...]]


def _words(text: str) -> list[str]:
    """``text`` as lower-case words without tone marks or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    plain = _APOSTROPHES.sub("", "".join(char for char in decomposed if not unicodedata.combining(char)))
    return [word for word in _SEPARATORS.split(plain) if word]


def _fold(text: str) -> str:
    """``text`` without case, tone marks, apostrophes, hyphens or spaces."""
    return "".join(_words(text))


def name_keys(name: str) -> set[str]:
    """The keys a name is found by: its folded form, and that form without a closing "City", "市" and the like.

    Example:
        >>> sorted(name_keys("Xi'an Customs"))
        ['xian', 'xiancustoms']
        >>> sorted(name_keys("义乌市"))
        ['义乌', '义乌市']
    """
    words = _words(name)
    folded = "".join(words)
    keys = {folded} if folded else set()
    if _CJK.search(folded):
        for suffix in _SUFFIXES_ZH:
            if folded.endswith(suffix) and len(folded) - len(suffix) >= 2:
                keys.add(folded[: -len(suffix)])
    else:
        for phrase in _SUFFIXES_EN:  # whole words only: Huangshi is not "Huang" + "shi"
            if len(words) > len(phrase) and tuple(words[-len(phrase):]) == phrase:
                keys.add("".join(words[: -len(phrase)]))
    return keys


@dataclass(frozen=True)
class Membership:
    """One pilot-zone batch or programme round a place belongs to.

    ``via`` is "" when the place itself is the member; otherwise it says how
    the place belongs: through a county-level member inside it, or as the seat
    of a customs district. ``inferred_by`` is "" when a source names the
    member, "list_order" when a zone is inferred from its place in the reply's
    list (an English name that fits two places, such as Pingxiang: 萍乡 or 凭祥),
    and "rule" when a programme member follows from its round's rule. Dates
    are the member row's own where it has them, else its batch's or round's.
    """

    programme_id: str
    programme_zh: str
    programme_en: str
    round: int | None
    round_label: str
    resource: str
    row_id: str
    member_zh: str
    member_en: str
    level: str
    approved_date: date | None
    announced_date: date | None
    effective_date: date | None
    revoked_batch: int | None
    document_number: str
    source_ids: tuple[str, ...]
    via: str = ""
    inferred_by: str = ""

    @property
    def first_date(self) -> date | None:
        """The earliest of the approval, announcement and effective dates, or None when none is known."""
        dates = [d for d in (self.approved_date, self.announced_date, self.effective_date) if d is not None]
        return min(dates) if dates else None

    def __repr__(self) -> str:
        dates = ", ".join(f"{label} {value.isoformat()}" for label, value in
                          (("approved", self.approved_date), ("announced", self.announced_date), ("effective", self.effective_date))
                          if value is not None) or "undated"
        via = f", via {self.via}" if self.via else ""
        revoked = f", revoked in batch {self.revoked_batch}" if self.revoked_batch is not None else ""
        inferred = f", inferred by {self.inferred_by}" if self.inferred_by else ""
        return (f"<{self.programme_zh} {self.round_label}: {self.resource} {self.row_id}, {dates}{revoked}{inferred}{via}; "
                f"sources {', '.join(self.source_ids)}>")


@dataclass(frozen=True)
class Place:
    """A place the query names, with its memberships.

    ``code`` is its division code ("" for a zone without one, such as Xiong'an);
    ``in_units`` says whether the code is a row of ``units``. ``matched`` lists
    the rows whose name or code the query matched, as "resource row_id: value".
    """

    code: str
    name_zh: str
    name_en: str
    level: str
    province_zh: str
    province_en: str
    parent_code: str
    in_units: bool
    matched: tuple[str, ...]
    memberships: tuple[Membership, ...]

    @property
    def label(self) -> str:
        """"义乌市 Yiwu (330782)": the names and code in one line."""
        return f"{self.name_zh} {self.name_en} ({self.code or 'no code'})"

    def __repr__(self) -> str:
        lines = [f"{self.label}, {self.level}, {self.province_zh} {self.province_en}: "
                 f"{len(self.memberships)} membership{'s' if len(self.memberships) != 1 else ''}"]
        lines += [f"  {membership!r}" for membership in self.memberships]
        return "\n".join(lines)


@dataclass(frozen=True)
class LookupResult:
    """What ``lookup`` found: the places (several when the name is ambiguous) or near matches."""

    query: str
    places: tuple[Place, ...]
    suggestions: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """True when the query names more than one place."""
        return len(self.places) > 1

    def __bool__(self) -> bool:
        return bool(self.places)

    def summary(self) -> str:
        """One line: what the query names, that it is ambiguous, or the near matches."""
        if not self.places:
            near = f"; near matches and former names: {'; '.join(self.suggestions)}" if self.suggestions else ""
            return f"{self.query!r} names no place in units, pilot_zones or programme_members{near}"
        if self.ambiguous:
            return f"{self.query!r} is ambiguous: it names {len(self.places)} places: {'; '.join(p.label for p in self.places)}"
        return f"{self.query!r} is {self.places[0].label}"

    def __repr__(self) -> str:
        return "\n".join([f"<LookupResult {self.summary()}>"] + [repr(place) for place in self.places])


def _text(value: object) -> str:
    return "" if value is None else str(value)


class _Tables:
    """The records ``lookup`` reads, indexed once per call."""

    def __init__(self, package: "Package") -> None:
        records = {name: package.records(name) for name in TABLES + _CONTEXT}
        self.units = {row["unit_code"]: row for row in records["units"]}
        self.zones = records["pilot_zones"]
        self.members = records["programme_members"]
        self.batches = {row["batch"]: row for row in records["pilot_zone_batches"]}
        self.rounds = {row["round_id"]: row for row in records["programme_rounds"]}
        self.programmes = {row["programme_id"]: row for row in records["programmes"]}
        self.changes = records["unit_code_changes"]
        # The programme whose members are the pilot zones (its own table, not programme_members).
        self.zone_programme = next((row for row in records["programmes"] if row.get("member_table") == "pilot_zones"),
                                   {"programme_id": "cbec_pilot_zones", "name_zh": "", "name_en": "pilot zones"})

    def entries(self) -> list[_Entry]:
        """Every row a place can be found by."""
        found: list[_Entry] = []
        for code, row in self.units.items():
            found.append((code, "units", code, row, (row["name_zh"], row["name_en"]), (code,)))
        for row in self.zones:
            code = _text(row["adcode"])
            found.append((code or f"zone:{row['zone_id']}", "pilot_zones", row["zone_id"], row,
                          (row["name_zh"], row["name_en"]), tuple(filter(None, (code, row["zone_id"])))))
        for row in self.members:
            code = _text(row["unit_code"])
            found.append((code or f"member:{row['member_id']}", "programme_members", row["member_id"], row,
                          (row["name_zh"], row["name_en"]), tuple(filter(None, (code, row["member_id"])))))
        return found

    def zone_membership(self, row: dict[str, Any], via: str) -> Membership:
        batch = self.batches.get(row["batch"], {})
        programme = self.zone_programme
        sources = tuple(dict.fromkeys(filter(None, (row.get("source_id"), batch.get("source_id")))))
        return Membership(
            programme_id=programme["programme_id"], programme_zh=_text(programme.get("name_zh")),
            programme_en=_text(programme.get("name_en")), round=row["batch"], round_label=f"batch {row['batch']}",
            resource="pilot_zones", row_id=row["zone_id"], member_zh=_text(row["name_zh"]), member_en=_text(row["name_en"]),
            level=_text(row["level"]), approved_date=batch.get("approval_date"), announced_date=batch.get("announced_date"),
            effective_date=None, revoked_batch=row.get("revoked_batch"), document_number=_text(batch.get("document_number")),
            source_ids=sources, via=via, inferred_by="" if row.get("identified_by") in (None, "named") else _text(row["identified_by"]),
        )

    def member_membership(self, row: dict[str, Any], via: str) -> Membership:
        round_row = self.rounds.get(row["round_id"], {})
        programme = self.programmes.get(row["programme_id"], {})
        sources = tuple(dict.fromkeys(filter(None, (row.get("source_id"), round_row.get("source_id")))))
        label = _text(round_row.get("label")) or f"round {row['round']}"
        return Membership(
            programme_id=row["programme_id"], programme_zh=_text(programme.get("name_zh")),
            programme_en=_text(programme.get("name_en")), round=row["round"], round_label=label,
            resource="programme_members", row_id=row["member_id"], member_zh=_text(row["name_zh"]),
            member_en=_text(row["name_en"]), level=_text(row["level"]),
            approved_date=row.get("approved_date") or round_row.get("approved_date"),
            announced_date=row.get("announced_date") or round_row.get("announced_date"),
            effective_date=row.get("effective_date") or round_row.get("effective_date"), revoked_batch=None,
            document_number=_text(row.get("document_number") or round_row.get("document_number")), source_ids=sources, via=via,
            inferred_by="rule" if row.get("derived") else "",
        )

    def memberships(self, key: str) -> tuple[Membership, ...]:
        """Every batch and round the place ``key`` belongs to, itself or through a member inside it, in date order."""
        found: list[Membership] = []
        for row in self.zones:
            code = _text(row["adcode"])
            if (code or f"zone:{row['zone_id']}") == key:
                found.append(self.zone_membership(row, ""))
            elif _text(row["prefecture_adcode"]) == key:
                inside = f"{row['level']} {row['name_zh']} ({code or row['zone_id']}) inside this prefecture"
                found.append(self.zone_membership(row, inside))
        for row in self.members:
            code = _text(row["unit_code"])
            if (code or f"member:{row['member_id']}") == key:
                seat = f"customs district {row['name_zh']} ({row['name_en']}), seated here" if row["level"] == "customs_district" else ""
                found.append(self.member_membership(row, seat))
            elif _text(row["prefecture_code"]) == key:
                inside = f"{row['level']} {row['name_zh']} ({code or row['member_id']}) inside this prefecture"
                found.append(self.member_membership(row, inside))
        return tuple(sorted(found, key=lambda m: (m.first_date or date.max, m.programme_id, m.round or 0, m.row_id)))

    def place(self, key: str, matched: list[str], first_row: dict[str, Any]) -> Place:
        unit = self.units.get(key)
        source = unit or first_row  # a place with no unit row is described by the row that named it
        # The province is the unit row's; for a place without one, the code's first two digits name it.
        province = self.units.get(_text(source.get("province_code")) or (key[:2] + "0000" if _CODE.fullmatch(key) else ""), {})
        return Place(
            code="" if key.startswith(("zone:", "member:")) else key,
            name_zh=_text(source.get("name_zh")), name_en=_text(source.get("name_en")), level=_text(source.get("level")),
            province_zh=_text(source.get("province_zh") or province.get("name_zh")),
            province_en=_text(source.get("province_en") or province.get("name_en")),
            parent_code=_text(source.get("parent_code") or source.get("prefecture_code") or source.get("prefecture_adcode")),
            in_units=unit is not None, matched=tuple(dict.fromkeys(matched)), memberships=self.memberships(key),
        )


def lookup(query: str, *, package: "Package | None" = None) -> LookupResult:
    """Find the places a name or code names, with every pilot-zone batch and programme round each belongs to.

    Args:
        query: a Chinese name ("义乌", "义乌市"), an English name ("Yiwu", "Yiwu City",
            "Xi'an", "Xian", "Xī'ān"), a division code ("330782") or a row id
            ("b3-330782").
        package: the package to search; the bundled one when None.

    Returns:
        A ``LookupResult``: its ``places`` (more than one when the name is
        ambiguous, ``ambiguous`` is then True), or, when none matches, near
        matches in ``suggestions``.

    Raises:
        UsageError: the query is not text, or is blank.

    Example:
        >>> result = lookup("Taizhou")
        >>> result.ambiguous, sorted(place.name_zh for place in result.places)
        (True, ['台州市', '泰州市'])
    """
    if not isinstance(query, str) or not _fold(query):
        raise UsageError(f"lookup: give a place name or a division code, not {query!r}")
    if len(query) > QUERY_LIMIT:
        raise UsageError(f"lookup: a place name or code is at most {QUERY_LIMIT} characters, not {len(query)}")
    if package is None:
        from xborder_data.package import bundled

        package = bundled()
    tables = _Tables(package)
    entries = tables.entries()
    wanted = name_keys(query.strip())
    exact = query.strip()
    hits: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def hit(key: str, note: str, row: dict[str, Any]) -> None:
        hits.setdefault(key, []).append((note, row))

    for key, resource, row_id, row, names, ids in entries:
        if exact in ids or exact.lower() in ids:
            hit(key, f"{resource} {row_id}: {exact}", row)
        for name in names:
            if name and wanted & name_keys(name):
                hit(key, f"{resource} {row_id}: {name}", row)
    if not hits and not _CODE.fullmatch(exact):
        # No whole name fits: it may be the start of a longer one (延边 for 延边朝鲜族自治州, Dehong for
        # Dehong Dai and Jingpo Autonomous Prefecture); too short a start would name half the table.
        folded = _fold(exact)
        if len(folded) >= (2 if _CJK.search(folded) else 4):
            for key, resource, row_id, row, names, _ids in entries:
                for name in names:
                    if name and _fold(name).startswith(folded):
                        hit(key, f"{resource} {row_id}: {name}", row)
    places = tuple(
        tables.place(key, [note for note, _row in found], found[0][1])
        for key, found in sorted(hits.items(), key=lambda item: (item[0].startswith(("zone:", "member:")), item[0]))
    )
    return LookupResult(query, places, () if places else _suggest(exact, entries, tables))


def _suggest(query: str, entries: list[_Entry], tables: _Tables) -> tuple[str, ...]:
    """Up to five places whose names are close to ``query`` (difflib on the folded names)."""
    labels: dict[str, str] = {}
    for key, _resource, _row_id, row, names, _ids in entries:
        unit = tables.units.get(key, row)
        label = f"{unit['name_zh']} {unit['name_en']} ({key if _CODE.fullmatch(key) else row.get('zone_id') or row.get('member_id')})"
        for name in names:
            for folded in name_keys(name) if name else ():
                labels.setdefault(folded, label)
    wanted = _fold(query)
    # A code or name retired since 2010 points to its successor (unit_code_changes), before any near match.
    changed = [f"{row['old_name_zh']} ({row['old_code']}) became {row['new_name_zh']} ({row['new_code']}) in {row['year']} ({row['change']})"
               for row in tables.changes
               if query == row["old_code"] or wanted in name_keys(_text(row["old_name_zh"])) - name_keys(_text(row["new_name_zh"]))]
    cutoff = 0.5 if _CJK.search(wanted) else 0.7
    close = difflib.get_close_matches(wanted, list(labels), n=12, cutoff=cutoff)
    return tuple(dict.fromkeys(changed + [labels[name] for name in close]))[: max(5, len(changed))]


def row_ids(package: "Package", resource: str, text: str) -> list[str]:
    """The primary keys of the rows of ``resource`` that ``text`` names.

    ``text`` is a row id itself, or (for units, pilot_zones and
    programme_members) a code or name that ``lookup`` finds; then every row of
    ``resource`` that is the place itself is returned (not a member inside it).
    Other resources, and text that names nothing, give [].
    """
    spec = package.resource(resource)
    key = spec.schema.primary_key
    if len(key) != 1:
        return []
    rows = package.records(resource)
    column = key[0]
    direct = [str(row[column]) for row in rows if str(row[column]) == text]
    if direct or resource not in TABLES:
        return direct
    try:
        found = lookup(text, package=package)
    except UsageError:
        return []
    codes = {place.code for place in found.places if place.code}
    named = {note.split(":", 1)[0] for place in found.places for note in place.matched}  # "pilot_zones b5-xiongan"
    code_field = {"units": "unit_code", "pilot_zones": "adcode", "programme_members": "unit_code"}[resource]
    return [str(row[column]) for row in rows
            if _text(row[code_field]) in codes or f"{resource} {row[column]}" in named]
