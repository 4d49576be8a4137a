"""dta: one Stata 118 file per table, plus the balanced DID panel.

Variable labels are the schema's field titles (English, or Chinese with
``lang="zh"`` where a field has one). Text enums become labelled integers with
one value label per value set: fields that offer the same choices share one
label name, and different choices get different names, so Stata's ``append``
(which never relabels) cannot show a code under another field's text. Integer
and number enums keep their values. ``batch`` carries a value label per batch.
Text stays Unicode (Stata 14 and later read it as UTF-8).

No value changes silently. Stata holds integers exactly up to 2^53 (as double;
its long is 32 bits less 27 missing codes), has no NaN or infinity, and cuts
text at a NUL byte. So:

- an integer column beyond long is written as double, and beyond 2^53 as text,
  with a warning naming the cells;
- NaN, an infinity or a double beyond Stata's largest is one ``StataCellError``
  naming the cells;
- NUL (and a lone surrogate, which UTF-8 cannot encode) is removed with one
  warning naming the cells, as the xlsx export does for what Excel cannot hold;
- a field name Stata cannot use (over 32 characters, a reserved word) is
  renamed, keeps its label, and the rename is reported.

Missing text is ``""`` in Stata, which has no missing string; a column holding a
real empty string too is reported.
"""

from __future__ import annotations

import math
import re
import struct
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, cast

from xborder_data.errors import UsageError, XborderDataError
from xborder_data.exports._files import Writers, field_title, resource_file, resource_text
from xborder_data.tableschema.types import BOOLEAN, DATE, INTEGER, NUMBER, STRING, TYPES, FieldType

if TYPE_CHECKING:
    import pandas as pd

    from xborder_data.package import Package
    from xborder_data.tableschema.descriptor import FieldSpec

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = ("en", "zh")
STATA_LABEL = 80  # Stata's limit on a variable or data label
STATA_STR = 2045  # longer text needs strL
STATA_NAME = 32  # characters in a variable or value-label name
LONG_MIN, LONG_MAX = -2_147_483_647, 2_147_483_620  # Stata's long: int32 less its 27 missing codes
EXACT = 2**53  # the largest integer every double up to it holds exactly
DOUBLE_MAX = 8.98846567431158e307  # larger doubles are Stata's missing codes
# Words Stata (and pandas' writer) refuse as names; "str1"..."str2045" too (see _RESERVED_STR).
RESERVED = frozenset(
    "aggregate array boolean break byte case catch class colvector complex const continue default delegate delete do "
    "double else eltypedef end enum explicit export external float for friend function global goto if inline int local "
    "long NULL pragma protected quad rowvector short typedef typename virtual _all _N _skip _b _pi str# in _pred strL "
    "_coef _rc using _cons _se with _n".split()
)
_RESERVED_STR = re.compile(r"str\d+")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL ends a Stata string; UTF-8 cannot encode a lone surrogate
# A fixed time stamp keeps every export byte-reproducible, as the other formats are.
FIXED_TIME = datetime(2000, 1, 1)


class StataCellError(XborderDataError, ValueError):
    """A cell Stata cannot hold at all (NaN, an infinity, a double beyond its range); the message names the cells."""


class StataWarning(UserWarning):
    """Cells or names Stata cannot hold as they are were changed; the message names each one."""


def _shown(cells: list[str]) -> str:
    return ", ".join(cells[:8]) + (f" and {len(cells) - 8} more" if len(cells) > 8 else "")


@dataclass
class _Changed:
    """What one file's writer changed, by cell (``column[observation]``, as Stata subscripts it)."""

    file: str
    as_text: list[str] = field(default_factory=list)
    as_double: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    labels_cut: list[str] = field(default_factory=list)

    def warn(self) -> None:
        templates = (
            (self.as_text, "integers beyond 2^53, which no Stata number holds exactly, written as text (the whole column): {}"),
            (self.as_double, "integers beyond Stata's long (±2,147,483,620) written as double, exact up to 2^53: {}"),
            (self.removed, "removed NUL or unencodable characters, which a Stata string cannot hold, from {}"),
            (self.empty, "empty text and missing text are both \"\" in Stata; these columns hold real empty text: {}"),
            (self.renamed, "renamed variables Stata cannot name as they are (labels kept): {}"),
            (self.labels_cut, "cut labels to Stata's 80 characters: {}"),
        )
        for cells, template in templates:
            if cells:
                warnings.warn(f"dta export, {self.file}: {template.format(_shown(cells))}", StataWarning, stacklevel=4)


def stata_name(name: str) -> str:
    """A valid Stata 118 variable name for ``name`` (unchanged when it already is one).

    Letters (any script), digits and ``_``; not starting with a digit; not a reserved word; at most 32 characters.
    """
    out = "".join(c if (c.isascii() and (c.isalnum() or c == "_")) or (ord(c) >= 192 and c not in "×÷") else "_" for c in name)
    if not out or out[0].isdigit():
        out = "_" + out
    if out in RESERVED or _RESERVED_STR.fullmatch(out):
        out = "_" + out
    return out[:STATA_NAME]


def stata_names(columns: list[str]) -> dict[str, str]:
    """Each column's Stata name: valid and distinct. A valid name is kept; a renamed one
    never takes another column's name (a clash gets a numbered tail)."""
    names: dict[str, str] = {column: column for column in columns if stata_name(column) == column}
    taken: set[str] = set(names)
    for column in columns:
        if column in names:
            continue
        name, number = stata_name(column), 1
        while name in taken:
            number += 1
            tail = f"_{number}"
            name = stata_name(column)[: STATA_NAME - len(tail)] + tail
        taken.add(name)
        names[column] = name
    return names


def _cells(column: str, mask: Any) -> list[str]:
    return [f"{column}[{i + 1}]" for i in mask.nonzero()[0]]


def _integers(values: "pd.Series", column: str, changed: _Changed) -> "pd.Series":
    """Int32 where Stata's long holds every value, else double (exact to 2^53), else text."""
    import numpy as np

    present = values.dropna()
    if present.empty:
        return values.astype("Int32")
    low, high = int(present.min()), int(present.max())  # min/max, never abs(): -2**63 has no absolute value in int64
    if LONG_MIN <= low and high <= LONG_MAX:
        return values.astype("Int32")
    import pandas as pd

    numbers = [None if pd.isna(v) else int(v) for v in values.astype(object)]
    if -EXACT <= low and high <= EXACT:
        changed.as_double += _cells(column, np.array([v is not None and not LONG_MIN <= v <= LONG_MAX for v in numbers]))
        return values.astype("float64")
    changed.as_text += _cells(column, np.array([v is not None and not -EXACT <= v <= EXACT for v in numbers]))
    return pd.Series(["" if v is None else str(v) for v in numbers], index=values.index, dtype=object)


def _numbers(values: "pd.Series", column: str, file: str) -> "pd.Series":
    """Doubles, refusing NaN, infinities and doubles Stata reads as missing (one error naming the cells)."""
    import numpy as np
    import pandas as pd

    bad = np.array([isinstance(v, float) and not (math.isfinite(v) and abs(v) <= DOUBLE_MAX) for v in values.astype(object)])
    if bad.any():
        raise StataCellError(
            f"dta export, {file}: Stata has no NaN or infinity and no double beyond ±{DOUBLE_MAX:.4g}, "
            f"so these cells cannot be written: {_shown(_cells(column, bad))}; "
            "export another format (csv, parquet, sqlite) or leave the cells empty.",
            field_name=column,
        )
    return pd.Series(values.to_numpy(dtype="float64", na_value=np.nan), index=values.index)


def _text(values: "pd.Series", column: str, changed: _Changed) -> "pd.Series":
    import numpy as np

    raw = values.astype(object)
    missing = values.isna().to_numpy()
    text = [("" if gone else v if isinstance(v, str) else str(v)) for v, gone in zip(raw, missing)]
    dirty = np.array([bool(_UNSTORABLE.search(v)) for v in text], dtype=bool)
    if dirty.any():
        changed.removed += _cells(column, dirty)
        text = [_UNSTORABLE.sub("", v) if bad else v for v, bad in zip(text, dirty)]
    if missing.any() and any(v == "" for v, gone in zip(raw, missing) if not gone):
        changed.empty.append(column)
    import pandas as pd

    return pd.Series(text, index=values.index, dtype=object)


def _field_type(dtype: Any) -> FieldType:
    """The Table Schema type of a column of load() or a panel, by its dtype's family (nullable or NumPy)."""
    import pandas as pd

    api = pd.api.types
    checks = ((api.is_bool_dtype, BOOLEAN), (api.is_integer_dtype, INTEGER), (api.is_float_dtype, NUMBER), (api.is_datetime64_any_dtype, DATE))
    return next((kind for check, kind in checks if check(dtype)), STRING)


def stata_frame(frame: "pd.DataFrame", changed: _Changed | None = None) -> tuple["pd.DataFrame", list[str], dict[str, str]]:
    """Return ``frame`` in types Stata stores, the columns that need strL, and each date column's Stata format.

    Raises:
        StataCellError: a number Stata cannot hold (NaN, an infinity, beyond its range).
    """
    import pandas as pd

    changed = changed if changed is not None else _Changed("the frame")
    out = frame.copy()
    long_text: list[str] = []
    dates: dict[str, str] = {}
    for column in out.columns:
        if isinstance(out[column].dtype, pd.CategoricalDtype):
            continue
        stata = _field_type(out[column].dtype).stata  # the type's Stata storage (types.py), with the fallbacks below
        if stata == "long":
            out[column] = _integers(out[column], column, changed)
        elif stata == "byte":
            out[column] = out[column].astype("float64") if out[column].isna().any() else out[column].astype("int8")
        elif stata == "double":
            out[column] = _numbers(out[column], column, changed.file)
        elif stata == "td":
            # A Table Schema date (always midnight) is a Stata daily date (%td), so no dofc() is needed.
            values = out[column].dropna()
            dates[column] = stata if (values == values.dt.normalize()).all() else "tc"
        else:
            out[column] = _text(out[column], column, changed)
        if out[column].dtype == object and max((len(v.encode("utf-8")) for v in out[column]), default=0) > STATA_STR:
            long_text.append(column)
    return out, long_text, dates


# -- value labels: one per value set -------------------------------------------------------
DATED_BY = ("approval", "announcement")
BATCH_LABEL = "batch"


def _value_sets(package: "Package") -> dict[tuple[str, str], tuple[str, ...]]:
    """(resource, field) -> the choices of every text enum, in schema order."""
    return {
        (name, spec.name): tuple(str(value) for value in spec.enum)
        for name in package.resources()
        for spec in package.table_schema(name).fields
        if spec.enum is not None and spec.type == "string"
    }


def value_label_names(package: "Package") -> dict[tuple[str, str], str]:
    """(resource, field) -> the name of its value label: one name per set of choices.

    A field name whose fields all offer the same choices names the label
    (``evidence_quality``); where choices differ, each set is named after the
    first resource offering it (``policies_kind``, ``sources_kind``). Fields with
    the same choices in any order share the name, and its codes.
    """
    sets = _value_sets(package)
    by_field: dict[str, set[frozenset[str]]] = {}
    for (_, name), choices in sets.items():
        by_field.setdefault(name, set()).add(frozenset(choices))
    taken = {BATCH_LABEL, "dated_by"}
    named: dict[frozenset[str], str] = {}
    out: dict[tuple[str, str], str] = {}
    for (resource, name), choices in sets.items():
        key = frozenset(choices)
        if key not in named:
            base = stata_name(name if len(by_field[name]) == 1 else f"{resource}_{name}")
            label, number = base, 1
            while label in taken:
                number += 1
                label = base[: STATA_NAME - len(str(number)) - 1] + f"_{number}"
            taken.add(label)
            named[key] = label
        out[(resource, name)] = named[key]
    return out


def _codes(package: "Package") -> dict[str, list[str]]:
    """Value label name -> its choices in code order (the first field offering the set fixes the order)."""
    names = value_label_names(package)
    out: dict[str, list[str]] = {"dated_by": list(DATED_BY)}
    for key, choices in _value_sets(package).items():
        out.setdefault(names[key], list(choices))
    return out


def _batch_labels(package: "Package") -> dict[int, str]:
    """``batch`` -> "batch N (year)", when every batch is an integer Stata's long holds (else no label)."""

    def year(row: dict[str, Any]) -> str:
        announced = row.get("announced_date")
        return str(row.get("approval_year") or (announced.year if isinstance(announced, date) else "undated"))

    rows = package.records("pilot_zone_batches")
    if not all(isinstance(row.get("batch"), int) and LONG_MIN <= row["batch"] <= LONG_MAX for row in rows):
        return {}
    return {row["batch"]: f"batch {row['batch']} ({year(row)})" for row in rows}


def _fits_long(values: "pd.Series") -> bool:
    present = values.dropna()
    return present.empty or (str(values.dtype) in ("Int64", "Int32", "int64", "int32") and LONG_MIN <= int(present.min())
                             and int(present.max()) <= LONG_MAX)


# -- writing -------------------------------------------------------------------------------
def write_stata(frame: "pd.DataFrame", path: Path, labels: dict[str, str], title: str,
                value_labels: dict[str, dict[int, str]] | None = None, *, label_names: dict[str, str] | None = None,
                changed: _Changed | None = None) -> None:
    """Write ``frame`` as Stata 118 with variable labels, value labels and a data label.

    Args:
        labels: column -> variable label (cut to 80 characters, reported).
        value_labels: column -> {integer: text} for integer columns (only where every value fits Stata's long).
        label_names: categorical column -> the name of its value label (default: the column's name).
        changed: where to record what was changed; warned about once, when the file is written.

    Raises:
        StataCellError: a cell Stata cannot hold at all.
    """
    changed = changed if changed is not None else _Changed(path.name)
    renamed = stata_names([str(c) for c in frame.columns])
    changed.renamed += [f"{old} -> {new}" for old, new in renamed.items() if old != new]
    out, long_text, dates = stata_frame(frame, changed)
    out.columns = [renamed[str(c)] for c in out.columns]
    variable_labels = {}
    for column in frame.columns:
        label = labels.get(str(column)) or str(column)
        if len(label) > STATA_LABEL:
            changed.labels_cut.append(renamed[str(column)])
        variable_labels[renamed[str(column)]] = label[:STATA_LABEL]
    if len(title) > STATA_LABEL:
        changed.labels_cut.append("the data label")
    numeric_labels = {renamed[c]: v for c, v in (value_labels or {}).items()
                      if c in renamed and v and _fits_long(frame[c]) and str(out[renamed[c]].dtype) == "Int32"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns that strL columns are not labelled; they are
        try:
            out.to_stata(
                path,
                write_index=False,
                version=118,
                variable_labels=variable_labels,
                data_label=title[:STATA_LABEL],
                convert_strl=[renamed[c] for c in long_text],
                convert_dates=cast("Any", {renamed[c]: f for c, f in dates.items()}),  # pandas-stubs types the keys too narrowly
                value_labels=cast("Any", numeric_labels or None),
                time_stamp=FIXED_TIME,
            )
        except ValueError as error:  # a limit of the format pandas checks (a value label over 32,000 characters...)
            raise StataCellError(f"dta export, {changed.file}: Stata cannot hold this table as it is: {error}") from None
    names = {renamed[str(c)]: label for c, label in (label_names or {}).items() if str(c) in renamed}
    if any(old != new for old, new in names.items()):
        rename_value_labels(path, names)
    changed.warn()


def _field_labels(package: "Package", name: str, lang: str) -> dict[str, str]:
    return {spec.name: field_title(package, name, spec, lang) or spec.name for spec in package.table_schema(name).fields}


def resource_frame(package: "Package", name: str) -> tuple["pd.DataFrame", dict[str, dict[int, str]], dict[str, str]]:
    """A resource as a DataFrame for Stata: text enums as categoricals over their value set's codes,
    numeric enums as their values; with the integer value labels and each categorical's label name."""
    import pandas as pd

    frame = package.load(name)
    values: dict[str, dict[int, str]] = {}
    names = value_label_names(package)
    codes = _codes(package)
    label_names: dict[str, str] = {}
    for spec in package.table_schema(name).fields:
        if spec.enum is not None and spec.type == "string":
            label = names[(name, spec.name)]
            frame[spec.name] = pd.Categorical(frame[spec.name].astype(object), categories=codes[label])
            label_names[spec.name] = label
        elif spec.enum is not None:  # an integer, year, number, date or boolean enum keeps its values: 2015 is 2015, never code 0
            frame[spec.name] = _plain_enum(frame[spec.name], spec, TYPES[spec.type].pandas)
        elif spec.name == "batch" and spec.type == "integer" and "pilot_zone_batches" in package.resources():
            values[spec.name] = _batch_labels(package)
    return frame, values, label_names


def _plain_enum(values: "pd.Series", spec: "FieldSpec", dtype: str) -> "pd.Series":
    import pandas as pd

    items = [None if pd.isna(v) else v for v in values.astype(object)]
    if spec.type == "number":
        return pd.Series(pd.array([None if v is None else float(v) for v in items], dtype="Float64"), index=values.index)
    if spec.type == "date":
        return pd.to_datetime(pd.Series(items, index=values.index, dtype=object))
    return pd.Series(pd.array(items, dtype=cast("Any", dtype)), index=values.index)


def writers(package: "Package", outdir: Path, *, excel: bool = False, lang: str = "en") -> Writers:
    """Plan ``NAME.dta`` per table, the derived ones (the DID panel) included.

    Args:
        lang: ``"en"`` or ``"zh"``: the language of variable labels (a field without a Chinese title keeps its English one).
    """
    if lang not in LANGS:
        raise UsageError(f"dta export: lang must be one of {', '.join(LANGS)}, not {lang!r}")

    def writer(name: str) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            frame, values, label_names = resource_frame(package, name)
            title = resource_title(package, name, lang)
            write_stata(frame, path, _field_labels(package, name, lang), title, values, label_names=label_names,
                        changed=_Changed(path.name))

        return write

    plan: dict[Path, Callable[[Path], None]] = {resource_file(outdir, name, ".dta"): writer(name) for name in package.resources()}
    return plan


def resource_title(package: "Package", name: str, lang: str) -> str:
    """The resource's title in ``lang`` (its ``zh.title`` when asked and present), else its name."""
    return resource_text(package, name, "title", lang) or name


# Text columns of the panels with few values, stored as labelled integers when their source field is an enum.
PANEL_CATEGORIES = {"level": ("units", "level"), "dated_by": None}


def write_panel(frame: "pd.DataFrame", path: Path, package: "Package", title: str, labels: dict[str, str]) -> None:
    """Write a treatment panel (zone, prefecture or balanced) as Stata 118: variable
    labels from ``labels`` (the caller's: column -> label), ``batch`` labelled per batch,
    level (with the value label of ``units.level``, or as text when that field has no
    enum) and dated_by as labelled integers, dates as %td."""
    import pandas as pd

    out = frame.copy()
    names = value_label_names(package)
    codes = _codes(package)
    label_names: dict[str, str] = {}
    for column, source in PANEL_CATEGORIES.items():
        if column not in out.columns:
            continue
        label = "dated_by" if source is None else names.get(source)
        if label is None:
            continue  # no enum: the column stays text, every value kept
        choices = list(codes[label])
        present = [str(v) for v in out[column].dropna().astype(object).unique()]
        if any(v not in choices for v in present):
            continue  # a value outside the choices: text, never a lost value
        out[column] = pd.Categorical(out[column].astype(object), categories=choices)
        label_names[column] = label
    batches = _batch_labels(package) if "pilot_zone_batches" in package.resources() else {}
    write_stata(out, path, labels, title,
                {"batch": batches} if batches else None, label_names=label_names, changed=_Changed(path.name))


# -- value label names in the file (pandas names a label after its variable) -----------------
_HEADER = b"<stata_dta><header><release>118</release><byteorder>"
_LABEL_NAME = 129  # bytes of a value-label name in format 118


def rename_value_labels(path: Path, names: dict[str, str]) -> None:
    """Give the value labels of ``path`` (a Stata 118 file pandas wrote) the names in ``names``.

    pandas names each value label after its variable; Stata lets variables share
    one label by name. This rewrites the two places a label name is stored (the
    variables' label names, the label tables) per the dta 118 format, keeps one
    table per name, and fixes the file map.

    Args:
        names: variable (= pandas' label name) -> value label name.
    """
    data = bytearray(path.read_bytes())

    def expect(at: int, tag: bytes) -> int:
        if bytes(data[at: at + len(tag)]) != tag:
            raise XborderDataError(f"dta export, {path.name}: the file pandas wrote is not laid out as format 118 ({tag!r} at {at})")
        return at + len(tag)

    at = expect(0, _HEADER)
    order = "<" if bytes(data[at: at + 3]) == b"LSF" else ">"
    at = expect(at + 3, b"</byteorder><K>")
    nvar = struct.unpack(order + "H", data[at: at + 2])[0]
    at = expect(at + 2, b"</K><N>")
    at = expect(at + 8, b"</N><label>")
    at = expect(at + 2 + struct.unpack(order + "H", data[at: at + 2])[0], b"</label><timestamp>")
    at = expect(at + 1 + data[at], b"</timestamp></header><map>")
    map_at = at
    offsets = list(struct.unpack(order + "14Q", data[map_at: map_at + 112]))
    # Each variable's label name.
    at = expect(offsets[6], b"<value_label_names>")
    for i in range(nvar):
        slot = slice(at + i * _LABEL_NAME, at + (i + 1) * _LABEL_NAME)
        old = bytes(data[slot]).split(b"\x00", 1)[0].decode("utf-8")
        if old in names:
            data[slot] = names[old].encode("utf-8").ljust(_LABEL_NAME, b"\x00")
    # The label tables: renamed, one per name.
    start, end = offsets[11], offsets[12]
    at = expect(start, b"<value_labels>")
    tables: list[bytes] = []
    seen: set[str] = set()
    while bytes(data[at: at + 5]) == b"<lbl>":
        length = struct.unpack(order + "i", data[at + 5: at + 9])[0]
        name_at = at + 9
        old = bytes(data[name_at: name_at + _LABEL_NAME]).split(b"\x00", 1)[0].decode("utf-8")
        close = name_at + _LABEL_NAME + 3 + length
        expect(close, b"</lbl>")
        new = names.get(old, old)
        if new not in seen:
            seen.add(new)
            table = bytearray(data[at: close + 6])
            table[9: 9 + _LABEL_NAME] = new.encode("utf-8").ljust(_LABEL_NAME, b"\x00")
            tables.append(bytes(table))
        at = close + 6
    expect(at, b"</value_labels>")
    section = b"<value_labels>" + b"".join(tables) + b"</value_labels>"
    delta = len(section) - (end - start)
    data[start:end] = section
    offsets[12] += delta
    offsets[13] += delta
    data[map_at: map_at + 112] = struct.pack(order + "14Q", *offsets)
    path.write_bytes(bytes(data))
