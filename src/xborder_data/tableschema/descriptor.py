"""Reading datapackage.json and its Table Schemas into frozen, checked dataclasses.

Every property the loader acts on is checked for type here, before any data is
read. A Table Schema or dialect property the loader does not implement is
refused with a DescriptorError that names it, never silently ignored.
"""

from __future__ import annotations

import contextvars

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Literal

from xborder_data.tableschema.types import BOOLEAN, DEFAULT_FALSE_VALUES, DEFAULT_TRUE_VALUES, STRING, TYPES, CellProblem
from xborder_data.errors import DescriptorError
from xborder_data.storage.paths import resolve_inside
from xborder_data.storage.reading import DESCRIPTOR_LIMIT, read_regular_file

MAX_FIELDS = 2000  # SQLite's default column limit; Excel holds 16,384
# A package's resources and their fields in all: this release has 18 and about 300. Every
# validate and export works per resource, so the count bounds their time (500 tiny
# resources validate in about 12 s); far more is a tampered or generated descriptor.
MAX_RESOURCES = 500
MAX_TOTAL_FIELDS = 20_000
SCHEMAS_LIMIT = 64 << 20  # bytes of schema files in all (each read once, however many resources share it)
MAX_DEPTH = 32  # nesting of a descriptor or schema: real ones are 6 deep; deeper would exhaust recursion downstream
_SURROGATE = re.compile("[\ud800-\udfff\x00]")  # lone surrogates and NUL: no output (UTF-8, SQL, C strings) can carry them
RESOURCE_NAME = re.compile(r"[a-z0-9._-]{1,200}")
SHA256 = re.compile(r"sha256:([0-9a-f]{64})")
_FIELD_KEYS = {
    "name", "type", "format", "title", "description", "example", "constraints", "missingValues",
    "trueValues", "falseValues", "bareNumber", "decimalChar", "rdfType", "$schema", "zh",
}
_CONSTRAINTS = {
    "required", "unique", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "pattern",
}
_SCHEMA_KEYS = {"fields", "primaryKey", "foreignKeys", "missingValues", "uniqueKeys", "fieldsMatch", "$schema", "title", "description"}
_DIALECT_KEYS = {
    "$schema", "header", "headerRows", "delimiter", "quoteChar", "doubleQuote", "escapeChar",
    "skipInitialSpace", "lineTerminator", "caseSensitiveHeader", "csvddfVersion",
}
# Dialect properties this loader reads only in their default form (a header row, the first line).
_DIALECT_FIXED: dict[str, Any] = {"header": True, "headerRows": [1]}
# The Chinese edition's extension property on a field or resource: {"zh": {"title": ..., "description": ...}}.
ZH_LIMITS = {"title": 200, "description": 4000}  # characters
Language = Literal["en", "zh"]


class _Bilingual:
    """Title and description in English, or in Chinese where a ``zh`` object gives them."""

    title: str
    description: str
    title_zh: str
    description_zh: str

    def title_in(self, lang: Language) -> str:
        """The title in ``lang`` ("en" or "zh"); the English title where no Chinese one is given."""
        return (self.title_zh if lang == "zh" else "") or self.title

    def description_in(self, lang: Language) -> str:
        """The description in ``lang`` ("en" or "zh"); the English one where no Chinese one is given."""
        return (self.description_zh if lang == "zh" else "") or self.description


@dataclass(frozen=True)
class FieldSpec(_Bilingual):
    """One Table Schema field: its type, its lexical reader and its constraints."""

    name: str
    type: str
    title: str = ""
    description: str = ""
    format: str = "default"
    required: bool = False
    unique: bool = False
    enum: tuple[Any, ...] | None = None
    minimum: Any = None
    maximum: Any = None
    exclusive_minimum: Any = None
    exclusive_maximum: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    missing_values: tuple[str, ...] = ("",)
    read: Callable[[str], Any] = field(default=STRING.reader(), compare=False, repr=False)
    compiled_pattern: Any = field(default=None, compare=False, repr=False)  # ``pattern`` compiled once, by `regex`
    title_zh: str = ""
    description_zh: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """``fields`` refer to ``targets`` of ``resource`` (the same resource when it is empty)."""

    fields: tuple[str, ...]
    resource: str
    targets: tuple[str, ...]

    @property
    def field(self) -> str:
        """The one field of a single-field key."""
        return self.fields[0]

    @property
    def target(self) -> str:
        """The one target field of a single-field key."""
        return self.targets[0]


@dataclass(frozen=True)
class TableSchema:
    """The parsed Table Schema of one resource."""

    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...]
    missing_values: tuple[str, ...] = ("",)
    unique_keys: tuple[tuple[str, ...], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Dialect:
    """The CSV dialect of one resource (Table Dialect v2, the parts a CSV reader needs)."""

    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    skip_initial_space: bool = False


@dataclass(frozen=True)
class ResourceSpec(_Bilingual):
    """One resource of the descriptor, with its schema loaded."""

    name: str
    path: str
    title: str
    description: str
    bytes: int | None
    hash: str | None
    schema: TableSchema
    dialect: Dialect = Dialect()
    schema_path: str | None = None
    title_zh: str = ""
    description_zh: str = ""

    @property
    def sha256(self) -> str | None:
        """The hex sha256 of the data file, when the descriptor gives one."""
        match = SHA256.fullmatch(self.hash or "")
        return match.group(1) if match else None


PATTERN_SIZE_LIMIT = 100_000  # items of a pattern once its counted repeats are expanded
PATTERN_TOTAL_LIMIT = 200_000  # the same, summed over a package's distinct patterns (this release's: under 100)
# While load_resources runs: [items so far, pattern -> compiled], so that many patterns cannot add up.
_PATTERN_TOTAL: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("pattern_total", default=None)
# A counted repeat as `regex` may read it: verbose mode allows spaces inside the braces.
_COUNT = re.compile(r"\{\s*(\d*)\s*(?:,\s*(\d*)\s*)?\}")
_VERBOSE = re.compile(r"\(\?[a-zA-Z^-]*x")  # an inline flag group that turns verbose mode on


_FLAGS = re.compile(r"\?(?:[a-zA-Z0-9^-]+[):]|#)")  # after an unescaped '(': (?x) (?i:...) (?V1x) (?#...)


def _class_end(pattern: str, start: int) -> int:
    """The index after the character class that opens at ``start`` (a leading ']' or '^]' is literal)."""
    j, n = start + 1, len(pattern)
    if j < n and pattern[j] == "^":
        j += 1
    if j < n and pattern[j] == "]":
        j += 1
    while j < n and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def has_inline_flags(pattern: str) -> bool:
    """Whether ``pattern`` has an inline flag group or a comment group outside a class and an escape."""
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
        elif char == "[":
            i = _class_end(pattern, i)
        elif char == "(" and _FLAGS.match(pattern, i + 1):
            return True
        else:
            i += 1
    return False


def pattern_size(pattern: str) -> int:
    """An upper bound on the items ``pattern`` compiles to once counted repeats ({n}, {n,m}) are expanded.

    Read by a scanner of our own that errs on the large side: any brace pair
    holding a count is a repeat (as ``regex`` reads it in verbose mode), a
    repeat multiplies the atom or group before it, alternatives add up.
    """
    stack: list[list[int]] = [[0, 0]]  # per open group: [size so far, size of the last atom]
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            atom = 1
        elif char == "[":  # a class is one item; skip to its closing bracket
            i = _class_end(pattern, i)
            atom = 1
        elif char == "(":
            stack.append([0, 0])
            i += 1
            continue
        elif char == ")" and len(stack) > 1:
            group = stack.pop()
            atom = group[0] + 1
            i += 1
        elif char == "|":
            stack[-1][1] = 0  # alternatives add: keep the running size, start a new atom
            i += 1
            continue
        elif char == "{" and (count := _COUNT.match(pattern, i)):
            low, high = count.group(1), count.group(2)
            times = max(int(high or 0) if count.group(0).count(",") else int(low or 1), int(low or 1), 1)
            if len(str(times)) > 12:
                return PATTERN_SIZE_LIMIT + 1
            previous = max(stack[-1][1], 1)
            stack[-1][0] += previous * (times - 1)
            stack[-1][1] = previous * times
            i = count.end()
            if stack[-1][0] > PATTERN_SIZE_LIMIT:
                return stack[-1][0]
            continue
        else:
            i += 1
            atom = 1
        stack[-1][0] += atom
        stack[-1][1] = atom
        if stack[-1][0] > PATTERN_SIZE_LIMIT:
            return stack[-1][0]
    while len(stack) > 1:  # an unclosed group: regex refuses it anyway
        group = stack.pop()
        stack[-1][0] += group[0]
    size = stack[0][0]
    if _VERBOSE.search(pattern):  # comments can hide brackets from the scanner: bound by every count multiplied
        product = 1
        for count in _COUNT.finditer(pattern):
            product *= max(int(count.group(1) or 1), int(count.group(2) or 1), 1)
            if product > PATTERN_SIZE_LIMIT:
                return product
        size = max(size, product)
    return size


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON object from the regular file ``path``, raising DescriptorError on any failure."""
    data = read_regular_file(path, limit=DESCRIPTOR_LIMIT)
    try:
        value = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise DescriptorError(f"{path}: byte {error.start} is not valid UTF-8; restore the file from the release.", path=str(path)) from None
    except json.JSONDecodeError as error:
        raise DescriptorError(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "restore the file from the release or fix the syntax.",
            path=str(path),
        ) from None
    except (RecursionError, ValueError) as error:  # deep nesting, huge numbers
        raise DescriptorError(f"{path}: JSON the loader refuses ({type(error).__name__}); restore the file from the release.", path=str(path)) from None
    if not isinstance(value, dict):
        raise DescriptorError(f"{path}: expected a JSON object, found {type(value).__name__}; restore the file from the release.", path=str(path))
    _check_shape(value, path)
    return value


def _check_shape(value: Any, path: Path) -> None:
    """Refuse nesting deeper than MAX_DEPTH and lone surrogates (a JSON '\\ud800' that no UTF-8 output can encode)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:  # iterative: the check itself must not recurse
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DescriptorError(f"{path}: JSON nested deeper than {MAX_DEPTH} levels; restore the file from the release.", path=str(path))
        if isinstance(item, dict):
            texts: list[Any] = list(item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            texts = []
            stack.extend((child, depth + 1) for child in item)
        else:
            texts = [item]
        for text in texts:
            if isinstance(text, str) and _SURROGATE.search(text):
                raise DescriptorError(
                    f"{path}: a string holds a lone surrogate or a NUL "
                    f"({text.encode('utf-8', 'backslashreplace').decode('ascii', 'backslashreplace')[:60]!r}), "
                    "which no output can carry; restore the file from the release.",
                    path=str(path),
                )


class _Checker:
    """Type checks that name where in which file a property is wrong."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, problem: str) -> DescriptorError:
        return DescriptorError(f"{self.origin}: {where} {problem}; restore it from the release or fix it.", path=self.origin)

    def get(self, mapping: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str, default: Any = None) -> Any:
        if key not in mapping:
            return default
        value = mapping[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(f"{where}: {key!r}", f"must be {names}, not {type(value).__name__} {repr(value)[:40]}")
        return value

    def names(self, value: Any, where: str) -> tuple[str, ...]:
        """A field list in either Table Schema form: a string or a list of strings."""
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise self.fail(where, f"must be a field name or a non-empty list of them, not {repr(value)[:40]}")


def _typed(check: _Checker, spec_read: Callable[[str], Any], value: Any, kind: str, where: str) -> Any:
    """A constraint value in its logical form: a native JSON value of the type, or its lexical form."""
    if kind == "string" and isinstance(value, str):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if isinstance(value, str) or (kind in ("integer", "year") and isinstance(value, int) and not isinstance(value, bool)):
        try:
            result = spec_read(str(value))  # the same rules, and range checks, as a cell
        except CellProblem as problem:
            raise check.fail(where, f"value {str(value)[:40]!r} {problem}") from None
    elif kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            result = float(value)
        except OverflowError:
            raise check.fail(where, f"value {repr(value)[:40]} is too large for a 64-bit float") from None
    else:
        raise check.fail(where, f"value {repr(value)[:40]} is not a {kind}")
    if isinstance(result, float) and math.isnan(result):
        raise check.fail(where, "value NaN cannot be a bound or an enum member")
    return result


def _parse_zh(check: _Checker, raw: dict[str, Any], where: str) -> tuple[str, str]:
    """The Chinese (title, description) of a field or resource's ``zh`` object; ("", "") without one."""
    if "zh" not in raw:
        return "", ""
    zh = raw["zh"]
    if (
        not isinstance(zh, dict)
        or not set(zh) <= set(ZH_LIMITS)
        or not all(isinstance(text, str) and 0 < len(text) <= ZH_LIMITS[key] for key, text in zh.items())
        or "title" not in zh
    ):
        raise check.fail(f"{where}: 'zh'", f"is {repr(zh)[:60]}; it must be an object with a string 'title' (1 to "
                                           f"{ZH_LIMITS['title']} characters) and optionally a string 'description' "
                                           f"(1 to {ZH_LIMITS['description']}), nothing else")
    return zh["title"], zh.get("description", "")


def _parse_field(check: _Checker, raw: Any, index: int, schema_missing: tuple[str, ...]) -> FieldSpec:
    where = f"field {index + 1}"
    if not isinstance(raw, dict):
        raise check.fail(where, "must be an object")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise check.fail(where, "needs a non-empty string 'name'")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name) or len(name) > 200:
        raise check.fail(where, f"has the name {name[:40]!r}: no control characters and at most 200 characters")
    where = f"field {name!r}"
    unknown = sorted(set(raw) - _FIELD_KEYS)
    if unknown:
        raise check.fail(where, f"uses {unknown}, which this loader does not support")
    kind = check.get(raw, "type", str, where, "string")
    if kind not in TYPES:
        raise check.fail(where, f"has type {kind!r}; this loader supports {', '.join(TYPES)}")
    fmt = check.get(raw, "format", str, where, "default")
    if kind == "boolean":
        true_values = _strings(check, raw, "trueValues", where, DEFAULT_TRUE_VALUES)
        false_values = _strings(check, raw, "falseValues", where, DEFAULT_FALSE_VALUES)
        if set(true_values) & set(false_values):
            raise check.fail(where, "has a value in both trueValues and falseValues")
        reader: Callable[[str], Any] = BOOLEAN.reader(true_values=true_values, false_values=false_values)
        if fmt != "default":
            raise check.fail(where, f"has format {fmt!r}; booleans support only the default format")
    else:
        for key in ("trueValues", "falseValues"):
            if key in raw:
                raise check.fail(where, f"has {key!r}, which applies to booleans only")
        formats = TYPES[kind].formats
        if fmt not in formats:
            raise check.fail(where, f"has format {fmt!r}; this loader supports {', '.join(formats)} for {kind}")
        reader = TYPES[kind].reader(fmt)
    if check.get(raw, "bareNumber", bool, where, True) is not True:
        raise check.fail(where, "sets bareNumber false, which this loader does not support")
    if check.get(raw, "decimalChar", str, where, ".") != ".":
        raise check.fail(where, "sets a decimalChar other than '.', which this loader does not support")
    for key in ("title", "description"):
        check.get(raw, key, str, where)
    title_zh, description_zh = _parse_zh(check, raw, where)
    missing = _strings(check, raw, "missingValues", where, schema_missing)
    constraints = check.get(raw, "constraints", dict, where, {})
    unknown = sorted(set(constraints) - _CONSTRAINTS)
    if unknown:
        raise check.fail(where, f"uses the constraints {unknown}, which this loader does not support")
    where_c = f"{where} constraints"
    enum = check.get(constraints, "enum", list, where_c)
    if enum is not None and not enum:
        raise check.fail(where_c, "has an empty 'enum'")

    def bound(key: str) -> Any:
        if key not in constraints:
            return None
        if kind not in ("integer", "number", "year", "date"):
            raise check.fail(where_c, f"has {key!r}, which this loader checks only on numbers, years and dates")
        return _typed(check, reader, constraints[key], kind, f"{where_c} {key!r}")

    def length(key: str) -> int | None:
        value = check.get(constraints, key, int, where_c)
        if value is not None and (kind != "string" or value < 0):
            raise check.fail(where_c, f"has {key!r}, which applies to strings only, as a count of 0 or more")
        return value

    pattern = check.get(constraints, "pattern", str, where_c)
    compiled: Any = None
    if pattern is not None:
        if kind != "string":
            raise check.fail(where_c, "has a 'pattern', which this loader checks on strings only")
        import regex  # the engine the reader matches with

        if has_inline_flags(pattern):
            # Not part of a Table Schema (XML Schema-style) regular expression; verbose mode or a
            # comment would also hide a pattern's counted repeats from the size check below.
            raise check.fail(where_c, "has a pattern with an inline flag or comment group such as (?x), (?i) or (?#...), "
                                      "which a Table Schema pattern does not have; write the pattern without it")
        size = pattern_size(pattern)
        total = _PATTERN_TOTAL.get()
        if total is not None and pattern not in total[1]:  # one budget for the package's distinct patterns
            total[1][pattern] = None
            total[0] += size
            if total[0] > PATTERN_TOTAL_LIMIT:
                raise check.fail(where_c, f"has a pattern that takes the package's patterns past {PATTERN_TOTAL_LIMIT:,} items "
                                          "in all once their counted repeats are expanded; use fewer or smaller patterns")
        if size > PATTERN_SIZE_LIMIT:
            # Counted repeats multiply when compiled: ((a{100}){100}){100} is 10⁶ copies, gigabytes.
            raise check.fail(where_c, f"has a pattern whose counted repeats expand to more than {PATTERN_SIZE_LIMIT:,} items; "
                                      "write it with smaller counts")
        try:
            # Kept on the field, and compiled once for the package's fields that share it;
            # never filling regex's cache of 500 patterns.
            compiled = (total[1].get(pattern) if total is not None else None) or regex.compile(pattern, cache_pattern=False)
            if total is not None:
                total[1][pattern] = compiled
        except (regex.error, RecursionError, OverflowError, MemoryError) as error:
            raise check.fail(where_c, f"has a pattern that is not a valid regular expression ({type(error).__name__}: {error})") from None
    spec = FieldSpec(
        name=name,
        type=kind,
        title=raw.get("title", ""),
        description=raw.get("description", ""),
        format=fmt,
        required=check.get(constraints, "required", bool, where_c, False),
        unique=check.get(constraints, "unique", bool, where_c, False),
        enum=None if enum is None else _unique_members(check, tuple(_typed(check, reader, item, kind, f"{where_c} enum") for item in enum), where_c),
        minimum=bound("minimum"),
        maximum=bound("maximum"),
        exclusive_minimum=bound("exclusiveMinimum"),
        exclusive_maximum=bound("exclusiveMaximum"),
        min_length=length("minLength"),
        max_length=length("maxLength"),
        pattern=pattern,
        missing_values=missing,
        read=reader,
        compiled_pattern=compiled,
        title_zh=title_zh,
        description_zh=description_zh,
    )
    for low, high, words in (
        (spec.minimum, spec.maximum, "minimum above its maximum"),
        (spec.exclusive_minimum, spec.exclusive_maximum, "exclusiveMinimum above its exclusiveMaximum"),
        (spec.min_length, spec.max_length, "minLength above its maxLength"),
    ):
        if low is not None and high is not None and low > high:
            raise check.fail(where_c, f"has a {words} ({low!r} > {high!r}): no value could pass")
    return spec


def _unique_members(check: _Checker, members: tuple[Any, ...], where: str) -> tuple[Any, ...]:
    if len(set(members)) != len(members):
        raise check.fail(where, f"has an 'enum' that repeats a value ({list(members)[:10]})")
    return members


def _strings(check: _Checker, raw: dict[str, Any], key: str, where: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = check.get(raw, key, list, where)
    if value is None:
        return default
    if not all(isinstance(item, str) for item in value):
        raise check.fail(f"{where}: {key!r}", "must be a list of strings")
    return tuple(value)


def parse_schema(raw: Any, origin: str) -> TableSchema:
    """Turn a Table Schema dict into a TableSchema, checking every property the loader uses.

    Raises:
        DescriptorError: naming the schema, the property and the remedy.
    """
    check = _Checker(origin)
    if not isinstance(raw, dict):
        raise check.fail("the Table Schema", "must be a JSON object")
    unknown = sorted(set(raw) - _SCHEMA_KEYS)
    if unknown:
        raise check.fail("the Table Schema", f"uses {unknown}, which this loader does not support")
    if check.get(raw, "fieldsMatch", str, "the Table Schema", "exact") != "exact":
        raise check.fail("the Table Schema", "sets fieldsMatch other than 'exact', which this loader does not support")
    missing = _strings(check, raw, "missingValues", "the Table Schema", ("",))
    fields_raw = check.get(raw, "fields", list, "the Table Schema")
    if not fields_raw:
        raise check.fail("the Table Schema", "needs a non-empty 'fields' list")
    if len(fields_raw) > MAX_FIELDS:
        raise check.fail("the Table Schema", f"has {len(fields_raw)} fields, more than the {MAX_FIELDS} a spreadsheet or SQLite table can hold")
    fields = tuple(_parse_field(check, item, index, missing) for index, item in enumerate(fields_raw))
    names = [spec.name for spec in fields]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise check.fail("the Table Schema", f"names the fields {duplicated} twice")

    def known(keys: tuple[str, ...], where: str) -> tuple[str, ...]:
        strangers = [key for key in keys if key not in names]
        if strangers:
            raise check.fail(where, f"names {strangers}, which are not fields of this schema")
        return keys

    primary_key = known(check.names(raw["primaryKey"], "primaryKey"), "primaryKey") if "primaryKey" in raw else ()
    unique_keys = tuple(
        known(check.names(item, "uniqueKeys"), "uniqueKeys") for item in check.get(raw, "uniqueKeys", list, "the Table Schema", [])
    )
    foreign_keys = []
    for index, fk in enumerate(check.get(raw, "foreignKeys", list, "the Table Schema", [])):
        where = f"foreignKeys[{index}]"
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            raise check.fail(where, "must be an object with a 'reference' object")
        own = known(check.names(fk.get("fields"), f"{where}.fields"), f"{where}.fields")
        reference = fk["reference"]
        resource = check.get(reference, "resource", str, f"{where}.reference", "")
        targets = check.names(reference.get("fields"), f"{where}.reference.fields")
        if len(targets) != len(own):
            raise check.fail(where, f"maps {len(own)} fields to {len(targets)}")
        foreign_keys.append(ForeignKey(own, resource, targets))
    return TableSchema(
        fields=fields,
        primary_key=primary_key,
        foreign_keys=tuple(foreign_keys),
        missing_values=missing,
        unique_keys=unique_keys,
        raw=raw,
    )


def _parse_dialect(check: _Checker, raw: Any, where: str) -> Dialect:
    if raw is None:
        return Dialect()
    if not isinstance(raw, dict):
        raise check.fail(where, "must be an inline dialect object (a dialect by path or URL is not supported)")
    for key, fixed in _DIALECT_FIXED.items():
        if key in raw and raw[key] != fixed:
            raise check.fail(f"{where} {key!r}", f"is {raw[key]!r}; this loader supports only {fixed!r}")
    unknown = sorted(set(raw) - _DIALECT_KEYS)
    if unknown:
        raise check.fail(where, f"uses {unknown}, which this loader does not support (a typo?)")
    terminator = check.get(raw, "lineTerminator", str, where, "\r\n")
    if terminator not in ("\r\n", "\n", "\r"):
        raise check.fail(f"{where} 'lineTerminator'", "must be \\r\\n, \\n or \\r")

    def char(key: str, default: str | None) -> str | None:
        value = check.get(raw, key, str, where, default)
        if value is not None and (len(value) != 1 or value in "\r\n"):
            raise check.fail(f"{where} {key!r}", "must be one character other than a line break")
        return value

    dialect = Dialect(
        delimiter=char("delimiter", ",") or ",",
        quote_char=char("quoteChar", '"') or '"',
        double_quote=check.get(raw, "doubleQuote", bool, where, True),
        escape_char=char("escapeChar", None),
        skip_initial_space=check.get(raw, "skipInitialSpace", bool, where, False),
    )
    if len({dialect.delimiter, dialect.quote_char, dialect.escape_char} - {None}) != len([c for c in (dialect.delimiter, dialect.quote_char, dialect.escape_char) if c]):
        raise check.fail(where, "uses one character for two roles")
    return dialect


def _check_package_properties(check: _Checker, descriptor: dict[str, Any]) -> None:
    """Type-check the package-level properties that the loader and the CLI print."""
    for key in ("name", "title", "description", "version", "created", "homepage", "$schema"):
        check.get(descriptor, key, str, "the package")
    for key in ("licenses", "contributors", "sources"):
        items = check.get(descriptor, key, list, "the package", [])
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise check.fail(f"{key}[{index}]", "must be an object")
            for sub in ("name", "title", "path", "email", "role", "organization", "givenName", "familyName"):
                check.get(item, sub, str, f"{key}[{index}]")
            roles = check.get(item, "roles", list, f"{key}[{index}]", [])
            if not all(isinstance(role, str) for role in roles):
                raise check.fail(f"{key}[{index}] 'roles'", "must be a list of strings")


def load_resources(root: Path, descriptor: dict[str, Any]) -> dict[str, ResourceSpec]:
    """Parse and check every resource of ``descriptor``, reading schemas referenced by path.

    Raises:
        DescriptorError: a property of the wrong type, a duplicate or malformed
            resource name, or a property the loader does not support.
        UnsafePathError: a data or schema path that could leave the package.
    """
    token = _PATTERN_TOTAL.set([0, {}])  # items so far, and each distinct pattern's compilation
    try:
        return _load_resources(root, descriptor)
    finally:
        _PATTERN_TOTAL.reset(token)


def _load_resources(root: Path, descriptor: dict[str, Any]) -> dict[str, ResourceSpec]:
    origin = str(root / "datapackage.json")
    check = _Checker(origin)
    _check_package_properties(check, descriptor)
    entries = descriptor.get("resources")
    if not isinstance(entries, list) or not entries:
        raise check.fail("the package", "needs a non-empty 'resources' list")
    if len(entries) > MAX_RESOURCES:
        raise check.fail("the package", f"has {len(entries):,} resources, more than the {MAX_RESOURCES} this loader reads "
                                        "(each is validated and exported one by one; the bound keeps their time in seconds)")
    total_fields = 0
    schema_files: dict[Path, dict[str, Any]] = {}  # each schema file read and checked once
    schema_bytes = 0
    resources: dict[str, ResourceSpec] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise check.fail(f"resources[{index}]", "must be an object")
        name = entry.get("name")
        if not isinstance(name, str) or not RESOURCE_NAME.fullmatch(name):
            raise check.fail(f"resources[{index}] 'name'", f"is {repr(name)[:40]}; names match ^[a-z0-9._-]+$")
        if name in resources:
            raise check.fail(f"resource {name!r}", "appears twice; resource names must be unique")
        where = f"resource {name!r}"
        if "data" in entry or not isinstance(entry.get("path"), str):
            raise check.fail(where, "needs one string 'path' (inline data and multipart paths are not supported)")
        path = entry["path"]
        resolve_inside(root, path, resource=name)
        for key, allowed in (("encoding", ("utf-8", "utf8")), ("format", ("csv",)), ("mediatype", ("text/csv",)), ("scheme", ("file",))):
            value = check.get(entry, key, str, where)
            if value is not None and value.lower() not in allowed:
                raise check.fail(f"{where} {key!r}", f"is {value!r}; this loader reads only {allowed[0]}")
        if "compression" in entry:
            raise check.fail(where, "uses 'compression', which this loader does not support")
        size = check.get(entry, "bytes", int, where)
        if size is not None and size < 0:
            raise check.fail(f"{where} 'bytes'", "must be 0 or more")
        digest = check.get(entry, "hash", str, where)
        for key in ("title", "description"):
            check.get(entry, key, str, where)
        title_zh, description_zh = _parse_zh(check, entry, where)
        schema_ref = entry.get("schema")
        if isinstance(schema_ref, str):
            schema_path = resolve_inside(root, schema_ref, resource=name)
            if schema_path not in schema_files:
                try:
                    schema_bytes += schema_path.stat().st_size
                except OSError:
                    pass  # read_json names a missing or unreadable file
                if schema_bytes > SCHEMAS_LIMIT:
                    raise check.fail(where, f"takes the package's schema files past {SCHEMAS_LIMIT >> 20} MiB in all, more than metadata needs")
                schema_files[schema_path] = read_json(schema_path)
            raw_schema, schema_origin = schema_files[schema_path], str(schema_path)
        elif isinstance(schema_ref, dict):
            raw_schema, schema_origin = schema_ref, f"{origin} resource {name!r}"
        else:
            raise check.fail(where, "needs a 'schema': a path or an inline object")
        resources[name] = ResourceSpec(
            name=name,
            path=path,
            title=entry.get("title", name),
            description=entry.get("description", ""),
            bytes=size,
            hash=digest,
            schema=parse_schema(raw_schema, schema_origin),
            dialect=_parse_dialect(check, entry.get("dialect"), f"{where} dialect"),
            schema_path=schema_ref if isinstance(schema_ref, str) else None,
            title_zh=title_zh,
            description_zh=description_zh,
        )
        total_fields += len(resources[name].schema.fields)
        if total_fields > MAX_TOTAL_FIELDS:
            raise check.fail(where, f"takes the package past {MAX_TOTAL_FIELDS:,} fields in all, more than this loader reads")
    for spec in resources.values():
        for fk in spec.schema.foreign_keys:
            target = fk.resource or spec.name
            if target not in resources:
                raise check.fail(f"resource {spec.name!r} foreign key {list(fk.fields)}", f"refers to the unknown resource {target!r}")
            strangers = [f for f in fk.targets if f not in resources[target].schema.field_names]
            if strangers:
                raise check.fail(f"resource {spec.name!r} foreign key {list(fk.fields)}", f"refers to {strangers}, not fields of {target!r}")
    return resources
