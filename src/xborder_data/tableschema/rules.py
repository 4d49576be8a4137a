"""The rules a field's values must pass, as objects both readers apply.

``field_rules`` lists a field's rules in the order the strict reader applies
them: its type (and format), then its enum, bounds, lengths and pattern.
The strict reader (``table``) turns each rule into a per-value check; the fast
path (``fast``) proves each rule over a whole column, or hands the column
back to the strict check. Both walk the same list, so no rule can be skipped
by a branch that forgot it: a rule the fast path has no proof for is read the
strict way.

A pattern is one ``PatternMatcher`` shared by both readers. For a pattern in the
safe subset (ASCII literals and classes, counted repeats, groups never
repeated as a whole) and a column of at least ``RE2_FROM`` distinct values it
matches with RE2 (through pyarrow), which cannot backtrack; otherwise with
``regex`` under the package's ``PatternBudget``. Both readers decide the engine
from the same count (the column's distinct non-missing texts), so they give
the same verdicts and the same budget error for the same bytes.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Collection, Iterable

from xborder_data.errors import DescriptorError
from xborder_data.tableschema.types import DATE, INTEGER, NUMBER, STRING, YEAR

if TYPE_CHECKING:
    from xborder_data.tableschema.descriptor import FieldSpec

# ---- the rules ---------------------------------------------------------------------
KINDS = ("type", "enum", "ge", "le", "gt", "lt", "len_ge", "len_le", "pattern")


@dataclass(frozen=True)
class Rule:
    """One rule of a field: ``kind`` (one of KINDS) and its argument (type and format, members, bound or pattern)."""

    kind: str
    argument: Any = None


def field_rules(spec: "FieldSpec") -> tuple[Rule, ...]:
    """Every rule a non-missing value of ``spec`` must pass, in the strict reader's order."""
    rules = [Rule("type", (spec.type, spec.format))]
    if spec.enum is not None:
        rules.append(Rule("enum", spec.enum))
    for bound, kind in ((spec.minimum, "ge"), (spec.maximum, "le"), (spec.exclusive_minimum, "gt"),
                        (spec.exclusive_maximum, "lt"), (spec.min_length, "len_ge"), (spec.max_length, "len_le")):
        if bound is not None:
            rules.append(Rule(kind, bound))
    if spec.pattern is not None:
        rules.append(Rule("pattern", spec.pattern))
    return tuple(rules)


# ---- RE2 translations of the types' lexical rules (types.py), anchored \A...\z ------------
# Python's str \s is Unicode (29 code points); RE2's is ASCII without \v: spell it out.
# (Spelled as a literal: computing it at import took about 0.9 s; a test checks it against re.)
PY_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_CLASS = "".join("\\x{%x}" % ord(c) for c in PY_SPACE)


def _re2(rule: str) -> str:
    return r"\A(?:" + rule.replace(r"\s", _SPACE_CLASS) + r")\z"


_SOURCES = (INTEGER.rules["default"], NUMBER.rules["default"], YEAR.rules["default"], DATE.rules["default"], STRING.rules["uri"])
RE_INTEGER, RE_NUMBER, RE_YEAR, RE_DATE, RE_URI = map(_re2, _SOURCES)
# Guard: the translation holds for ASCII classes, literals and \s; any other escape (\d, \w, \b) may mean
# something else in RE2, so a rule using one stops the fast path until the translation learns it.
RULES_MATCH = not any(re.search(r"\\[A-Za-z]", rule.replace(r"\s", "").replace(r"\x", "")) for rule in _SOURCES)

# ---- schema patterns in RE2 -----------------------------------------------------------
# The safe subset, token by token: an ASCII class or literal, an escaped punctuation mark, a
# group bracket or '|', or one quantifier, optionally lazy. A possessive or doubled quantifier
# ('a*+', 'a{2}{3}') means something else in `regex` or nothing in RE2: refused.
_TOKEN = re.compile(r"\[[A-Za-z0-9_\-]+\]|[A-Za-z0-9_\-]|\\[.\-_/]|[()|]|(?P<q>(?:[?*+]|\{[0-9]+(?:,[0-9]+)?\})\??)")


def re2_pattern(pattern: str) -> str | None:
    """The RE2 translation of a schema pattern in the safe subset, anchored as ``fullmatch``; None outside it."""
    body = safe_body(pattern)
    return None if body is None else r"\A(?:" + body + r")\z"


def safe_body(pattern: str) -> str | None:
    """A pattern in the safe subset without its end anchors (it means the same in `regex` and RE2); None outside it."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    # A final $ may match before a final newline in `regex`, but fullmatch must still
    # consume that newline, which the subset cannot: at the end, $ means \z in both.
    body = body[:-1] if body.endswith("$") else body
    position, previous = 0, ""
    while position < len(body):
        token = _TOKEN.match(body, position)
        if token is None:
            return None
        if token.group("q") is not None and previous in ("", "(", "|", "q", ")"):
            return None  # a quantifier after nothing, another quantifier, or a group (a repeated group)
        previous = "q" if token.group("q") is not None else token.group(0) if token.group(0) in "()|" else "atom"
        position = token.end()
    return body


# ---- the pattern budget and matcher ---------------------------------------------------
# Matching time the `regex` patterns may take: a base for a package, a little more for each table
# read, and an allowance for each distinct value matched. Sane patterns take about a microsecond a
# value, far within the allowance; a backtracking one stops at the budget. In all, a package's
# patterns take at most PATTERN_BUDGET_SECONDS + TABLE_SECONDS x tables read + PATTERN_SECONDS_PER_VALUE
# x distinct values: time linear in the input, however many fields, tables or slow patterns.
PATTERN_BUDGET_SECONDS = 2.0
TABLE_SECONDS = 0.1
PATTERN_SECONDS_PER_VALUE = 20e-6
RE2_FROM = 10_000  # distinct values of a column from which a safe pattern matches in RE2


class PatternBudget:
    """The matching time the patterns of one package (or of one table read alone) may take in all.

    It also keeps each pattern's verdicts while a table is read, so that the strict
    reader, run after the fast path could not prove a column, never matches a value twice.
    """

    def __init__(self, base: float | None = None) -> None:
        self.allowed = PATTERN_BUDGET_SECONDS if base is None else base
        self.spent = 0.0
        self.verdicts: dict[str, dict[str, str | None]] = {}

    def start_table(self) -> None:
        """A table read begins: what is left carries over, and the table adds TABLE_SECONDS."""
        self.allowed = max(self.allowed, self.spent) + TABLE_SECONDS

    def forget(self) -> None:
        """A table read ended: drop the verdicts (the values are the table's, not needed again)."""
        self.verdicts = {}


class PatternMatcher:
    """One field's pattern, with its verdict for each distinct value (matched once)."""

    def __init__(self, pattern: str, resource: str, field: str, budget: PatternBudget, compiled: Any = None) -> None:
        self.pattern, self.resource, self.field, self.budget = pattern, resource, field, budget
        if compiled is None:
            import regex  # unlike re, it can stop a match: a hostile pattern must not hang the reader

            compiled = regex.compile(pattern, cache_pattern=False)
        self.compiled = compiled  # the schema's own compilation (descriptor.py), where it made one
        self.re2 = re2_pattern(pattern) if RULES_MATCH else None
        self.body = safe_body(pattern)
        self.batch: Any = None  # `regex` over many values at once, for a pattern of the safe subset
        self.use_re2 = False
        self.verdicts = budget.verdicts.setdefault(pattern, {})
        self.problem_text = f"does not match the pattern {pattern!r}"

    def engine_for(self, distinct: int) -> str:
        """Decide the engine from a count of distinct non-missing texts (the verdicts are the same with either)."""
        self.use_re2 = self.re2 is not None and distinct >= RE2_FROM
        return "re2" if self.use_re2 else "regex"

    def too_slow(self) -> DescriptorError:
        return DescriptorError(
            f"resource {self.resource!r}, field {self.field!r}: the pattern {self.pattern!r} is too slow: the package's patterns "
            f"took over {self.budget.allowed:.3g} s of matching in all ({PATTERN_BUDGET_SECONDS:g} s, {TABLE_SECONDS:g} s a table "
            f"and {PATTERN_SECONDS_PER_VALUE * 1e6:g} µs a distinct value; catastrophic backtracking?); simplify the pattern in the schema.",
            resource=self.resource or None, field_name=self.field,
        )

    def prepare(self, texts: Collection[str]) -> None:
        """Choose the engine for a column whose distinct non-missing texts are ``texts``; with RE2, match them all at once."""
        if not (self.engine_for(len(texts)) == "re2" and self._re2(list(texts))):
            self._regex_at_once(texts)

    def _regex_at_once(self, texts: Iterable[str]) -> None:
        """Match many texts in one `regex` call under the budget (one call, not one timer per value).

        Only for a pattern of the safe subset, which cannot match a line break and has no anchors
        inside: then ``(?:(?>P\\n))*`` matches the texts joined by line breaks exactly when every
        text matches P (each P must end at its own line break; the atomic group only stops it from
        trying other ways). A text with a line break, or a batch that fails, is matched one by one.
        """
        if self.body is None:
            return
        todo = [text for text in texts if text not in self.verdicts and "\n" not in text]
        if len(todo) < 2:
            return
        if self.batch is None:
            self.batch = _batch_regex(self.body)
        budget = self.budget
        budget.allowed += PATTERN_SECONDS_PER_VALUE * len(todo)
        remaining = budget.allowed - budget.spent
        if remaining <= 0:
            raise self.too_slow()
        started = time.perf_counter()
        try:
            found = self.batch.fullmatch("\n".join(todo) + "\n", timeout=remaining)
        except TimeoutError:
            raise self.too_slow() from None
        finally:
            budget.spent += time.perf_counter() - started
        if found:
            self.verdicts.update(dict.fromkeys(todo))

    def _re2(self, texts: list[str]) -> bool:
        """Match ``texts`` with RE2; False (and `regex` from then on) when RE2 refuses the translation (a repeat over 1,000)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        todo = [text for text in texts if text not in self.verdicts]
        if todo:
            try:
                found = pc.match_substring_regex(pa.array(todo, pa.string()), self.re2).to_pylist()
            except pa.ArrowInvalid:
                self.re2, self.use_re2 = None, False
                return False
            self.verdicts.update((text, None if ok else self.problem_text) for text, ok in zip(todo, found))
        return True

    def problem(self, value: str) -> str | None:
        """None when ``value`` matches, else the problem; raises DescriptorError when the budget runs out."""
        if value in self.verdicts:
            return self.verdicts[value]
        if self.use_re2 and self._re2([value]):
            return self.verdicts[value]
        budget = self.budget
        budget.allowed += PATTERN_SECONDS_PER_VALUE
        remaining = budget.allowed - budget.spent
        if remaining <= 0:
            raise self.too_slow()
        started = time.perf_counter()
        try:
            found = self.compiled.fullmatch(value, timeout=remaining)
        except TimeoutError:
            raise self.too_slow() from None
        finally:
            budget.spent += time.perf_counter() - started
        verdict = self.verdicts[value] = None if found else self.problem_text
        return verdict

    def all_match(self, texts: Any) -> bool:
        """For the fast path: whether every text of the Arrow array ``texts`` (distinct, no nulls) matches, by the engine
        ``prepare`` would choose for them; raises DescriptorError as the strict reader would."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.engine_for(len(texts)) == "re2":
            try:
                return pc.all(pc.match_substring_regex(texts, self.re2), skip_nulls=True, min_count=0).as_py() is not False
            except pa.ArrowInvalid:  # RE2 refuses the translation: `regex` from then on
                self.re2, self.use_re2 = None, False
        strings = list(_strings(texts))
        self._regex_at_once(strings)
        return all(self.problem(text) is None for text in strings)


@functools.lru_cache(maxsize=256)  # safe-subset bodies are small; the same few recur in every schema
def _batch_regex(body: str) -> Any:
    import regex

    return regex.compile(r"(?:(?>(?:" + body + r")\n))*", cache_pattern=False)


def _strings(array: Any) -> Iterable[str]:
    return (text for text in array.to_pylist() if text is not None)
