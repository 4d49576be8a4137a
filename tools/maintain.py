"""Maintainer command: rewrite bytes and hash, and regenerate the data dictionaries (English and Chinese).

Run after any data edit:

    uv run python -m tools.maintain          # rewrite
    uv run python -m tools.maintain --check  # exit 1 if anything is stale
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import xborder_data
from xborder_data.checks.integrity import EMBEDDED, MANIFEST, manifest_entries, release_manifest, sha256_hex
from xborder_data.errors import XborderDataError
from xborder_data.storage.locate import bundled_root
from xborder_data.storage.paths import resolve_inside
from xborder_data.storage.reading import read_regular_file
from xborder_data.tableschema.descriptor import read_json
from tools.sqlnames import foreign_key_cycles, needs_quoting

DICTIONARY = Path("docs") / "data-dictionary.md"
# The Chinese edition, from the fields' ``zh`` titles and descriptions (written by tools/zh/apply.py).
DICTIONARIES = {"en": DICTIONARY, "zh": Path("docs") / "data-dictionary.zh-CN.md"}
# Every sentence of a dictionary, by language; the layout is shared.
WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "heading": "# Data dictionary",
        "generated": "Generated from the Table Schemas of {name} {version} by `uv run python -m tools.maintain`. Do not edit by hand.",
        "sql": "## Using the tables in SQL",
        "quote": "Quote these column names, which are SQL keywords: {names}; "
                 'write `SELECT "table" FROM claims`, not `SELECT table FROM claims`. '
                 "They keep their names: a rename would break every user's code and need a major release.",
        "cycle": "These foreign keys form a cycle: {links}. "
                 "No loading order satisfies them row by row: declare them `DEFERRABLE INITIALLY DEFERRED` "
                 "(as the sqlite export does) or add the keys after the rows.",
        "resource": "## `{name}`",
        "primary": "Primary key: `{key}`.",
        "foreign": "Foreign key: `{field}` → `{resource}.{target}`.",
        "columns": ["field", "title", "type", "constraints", "description"],
        "constraints": {},
    },
    "zh": {
        "heading": "# 数据字典",
        "generated": "由 `uv run python -m tools.maintain` 根据 {name} {version} 的表结构（Table Schema）生成，请勿手工编辑。"
                     "中文标题和说明是表结构中每个字段和资源的扩展属性 `\"zh\": {{\"title\": …, \"description\": …}}`，"
                     "由 `tools/zh/fields.csv` 经 `uv run python -m tools.zh.apply` 写入。"
                     "字段名、类型和取值代码与英文版 [data-dictionary.md](data-dictionary.md) 相同。",
        "sql": "## 在 SQL 中使用这些表",
        "quote": "以下列名是 SQL 关键字，须加引号：{names}；"
                 '应写 `SELECT "table" FROM claims`，而不是 `SELECT table FROM claims`。'
                 "这些列名保持不变：改名会使所有用户的代码失效，只能在主版本中进行。",
        "cycle": "以下外键构成循环：{links}。"
                 "任何装载顺序都无法逐行满足它们：请将其声明为 `DEFERRABLE INITIALLY DEFERRED`（sqlite 导出即如此），"
                 "或在装载数据之后再添加这些键。",
        "resource": "## `{name}` {title}",
        "primary": "主键：`{key}`。",
        "foreign": "外键：`{field}` → `{resource}.{target}`。",
        "columns": ["字段", "中文标题", "英文标题", "类型", "约束", "说明"],  # with the English title: exports may show it
        "constraints": {
            "required": "必填", "unique": "唯一", "enum": "取值", "pattern": "模式", "minimum": "最小值",
            "maximum": "最大值", "exclusiveMinimum": "下限（不含）", "exclusiveMaximum": "上限（不含）",
            "minLength": "最短长度", "maxLength": "最大长度",
        },
    },
}
# The manifest ships inside the wheel, beside the package code.
MANIFEST_PATH = Path(__file__).resolve().parent.parent / "src" / "xborder_data" / MANIFEST


def refreshed_descriptor(root: Path) -> dict:
    """Return the descriptor with every resource's bytes and hash recomputed."""
    descriptor = read_json(root / "datapackage.json")
    for resource in descriptor["resources"]:
        data = _read(root, resource["path"], resource.get("name", "?"))
        resource["bytes"] = len(data)
        resource["hash"] = f"sha256:{sha256_hex(data)}"
    return descriptor


def _read(root: Path, relative: str, name: str) -> bytes:
    """A package file through the loader's own checks: inside the folder, a regular file."""
    return read_regular_file(resolve_inside(root, relative, resource=name), resource=name)


def descriptor_text(descriptor: dict) -> str:
    """Serialise a descriptor the one way this project writes it."""
    return json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"


# What could turn text into a table break, a link, an image, an autolink or HTML.
_MARKDOWN = {"\\": "\\\\", "|": "\\|", "\n": " ", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]"}


def _cell(text: object) -> str:
    """Metadata as inert Markdown text: no table break, link, image, autolink or raw HTML."""
    return "".join(_MARKDOWN.get(char, char) for char in str(text))


def _text(entry: dict, key: str, lang: str) -> str:
    """A title or description in ``lang``: the ``zh`` object's where it has one, else the English."""
    zh = entry.get("zh") if lang == "zh" else None
    return (zh.get(key) if isinstance(zh, dict) else None) or entry.get(key, "")


def sql_notes(schemas: dict[str, dict], lang: str = "en") -> list[str]:
    """Return the dictionary's SQL section: the names to quote and the key cycles to defer."""
    words = WORDS[lang]
    lines = [words["sql"], ""]
    quoted = [
        f"`{name}.{field['name']}`"
        for name, schema in schemas.items()
        for field in schema["fields"]
        if needs_quoting(field["name"])
    ]
    if quoted:
        lines += [words["quote"].format(names=", ".join(quoted)), ""]
    for cycle in foreign_key_cycles(schemas):
        links = [
            f"`{name}.{fk['fields'][0]}` → `{fk['reference']['resource']}`"
            for name, target in zip(cycle, cycle[1:] + cycle[:1])
            for fk in schemas[name].get("foreignKeys", [])
            if fk["reference"]["resource"] == target
        ]
        lines += [words["cycle"].format(links=", ".join(links)), ""]
    return lines if len(lines) > 2 else []


def derived_tables(root: Path) -> list[tuple[dict, dict]]:
    """The tables the exports derive from the package at ``root`` (the DID panel), as (resource entry, schema);
    none for a copy that does not read or lacks the panel's inputs (the dictionary then describes its files only)."""
    from xborder_data.errors import XborderDataError
    from xborder_data.package import Package
    from xborder_data.research.did import panel_resource

    try:
        found = panel_resource(Package(root))
    except XborderDataError:
        return []
    if found is None:
        return []
    spec = found[0]
    entry = {"name": spec.name, "title": spec.title, "description": spec.description,
             "zh": {"title": spec.title_zh, "description": spec.description_zh}}
    return [(entry, spec.schema.raw)]


def data_dictionary(root: Path, descriptor: dict, lang: str = "en") -> str:
    """Return the Markdown data dictionary generated from the schemas, in ``lang`` ("en" or "zh")."""
    words = WORDS[lang]
    lines = [words["heading"], "", words["generated"].format(name=descriptor["name"], version=descriptor["version"]), ""]
    schemas = {resource["name"]: read_json(resolve_inside(root, resource["schema"], resource=resource["name"]))
               for resource in descriptor["resources"]}
    lines += sql_notes(schemas, lang)
    entries = list(descriptor["resources"])
    for resource, schema in derived_tables(root):  # the exports' DID panel: described like the resources
        entries.append(resource)
        schemas[resource["name"]] = schema
    for resource in entries:
        schema = schemas[resource["name"]]
        heading = words["resource"].format(name=resource["name"], title=_cell(_text(resource, "title", lang)))
        lines += [heading, "", _cell(_text(resource, "description", lang)), ""]
        lines.append(words["primary"].format(key=", ".join(schema.get("primaryKey", []))))
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            lines.append(words["foreign"].format(field=fk["fields"][0], resource=ref["resource"], target=ref["fields"][0]))
        lines += ["", "| " + " | ".join(words["columns"]) + " |", "|---" * len(words["columns"]) + "|"]
        for field in schema["fields"]:
            kind = field["type"] + (f" ({field['format']})" if "format" in field else "")
            named = {k: words["constraints"].get(k, k) for k in field.get("constraints", {})}
            constraints = "; ".join(
                f"{named[k]}: {', '.join(map(str, v))}" if isinstance(v, list) else (named[k] if v is True else f"{named[k]}: {v}")
                for k, v in field.get("constraints", {}).items()
            )
            titles = [_text(field, "title", lang)] + ([field.get("title", "")] if lang != "en" else [])
            cells = [f"`{field['name']}`", *map(_cell, titles), kind, _cell(constraints), _cell(_text(field, "description", lang))]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def release_files(root: Path, descriptor: dict) -> dict[str, str]:
    """Return relative path -> sha256 of every file of the release: descriptor, data, schemas and the datasheet."""
    digests = {"datapackage.json": sha256_hex(descriptor_text(descriptor).encode("utf-8"))}
    for resource in descriptor["resources"]:
        for key in ("path", "schema"):
            if isinstance(resource.get(key), str):
                digests[resource[key]] = sha256_hex(_read(root, resource[key], resource.get("name", "?")))
    for relative in EMBEDDED:  # what the site embeds is part of the release too
        if (root / relative).exists():
            digests[relative] = sha256_hex(_read(root, relative, relative))
    return dict(sorted(digests.items()))


def release_rows(root: Path) -> dict[str, int] | None:
    """Rows per resource, counted by the strict reader after every cell and key checked; None when the copy does not read."""
    package = xborder_data.open(root)
    try:
        package.check_references()  # every cell, every key, every foreign key: what the summary then reports
        return {name: len(package.records(name)) for name in package.resources()}
    except XborderDataError:
        return None


def manifest_text(root: Path, descriptor: dict, *, amend: bool = False) -> str:
    """The release manifest with an entry for the current version added if it has none.

    An entry, once written, is kept: a release is what it was, and data that
    changes after it needs a new version. ``amend`` rewrites the current
    version's entry, for a version that is not yet published. Row counts are
    recorded only for a copy that reads and validates (``release_rows``).
    """
    manifest = manifest_entries()
    version = descriptor["version"]
    if amend or version not in manifest:
        entry: dict[str, Any] = {"files": release_files(root, descriptor)}
        rows = release_rows(root)
        if rows is not None:
            entry["rows"] = rows
        manifest[version] = entry
    return json.dumps(manifest, indent=2) + "\n"


def released_elsewhere(root: Path, descriptor: dict) -> str | None:
    """A message when the current version is already released with other files."""
    entry = release_manifest().get(descriptor["version"])
    if entry is None or entry == release_files(root, descriptor):
        return None
    return (
        f"version {descriptor['version']} was released with other files; bump the version "
        "(src/xborder_data/_version.py, datapackage.json, CITATION.cff, CHANGELOG.md) and run maintain again, "
        "or, while this version is not yet published, run maintain --amend-release"
    )


def stale_files(root: Path) -> list[str]:
    """Return the generated files whose content is out of date."""
    descriptor = refreshed_descriptor(root)
    stale = []
    if root == bundled_root():
        conflict = released_elsewhere(root, descriptor)
        if conflict or MANIFEST_PATH.read_text(encoding="utf-8") != manifest_text(root, descriptor):
            stale.append(f"src/xborder_data/{MANIFEST}" + (f" ({conflict})" if conflict else ""))
    if (root / "datapackage.json").read_text(encoding="utf-8") != descriptor_text(descriptor):
        stale.append("datapackage.json")
    for lang, relative in DICTIONARIES.items():
        target = root / relative
        if not target.exists() or target.read_text(encoding="utf-8") != data_dictionary(root, descriptor, lang):
            stale.append(str(relative))
    return stale


def _write(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` by renaming a new file over it: a symlink there is replaced, never written through."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(temporary, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    os.replace(temporary, target)


def refresh(root: Path, *, amend: bool = False) -> list[str]:
    """Rewrite the stale generated files; return their names.

    Args:
        amend: also rewrite the release manifest's entry of the current version.
    """
    stale = stale_files(root)
    descriptor = refreshed_descriptor(root)
    _write(root / "datapackage.json", descriptor_text(descriptor))
    (root / DICTIONARY).parent.mkdir(exist_ok=True)
    for lang, relative in DICTIONARIES.items():
        _write(root / relative, data_dictionary(root, descriptor, lang))
    if root == bundled_root():  # only the repository's own data is a release
        _write(MANIFEST_PATH, manifest_text(root, descriptor, amend=amend))
        conflict = released_elsewhere(root, descriptor)
        if conflict:
            print(f"note: {conflict}")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.maintain", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None, help="package folder (default: the repository)")
    parser.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    parser.add_argument(
        "--amend-release", action="store_true",
        help="rewrite the release manifest's entry of the current version (only before that version is published)",
    )
    args = parser.parse_args(argv)
    root = args.root or bundled_root()
    generated = f"datapackage.json (bytes, hash), {', '.join(d.as_posix() for d in DICTIONARIES.values())} and the release manifest"
    if args.check:
        stale = stale_files(root)
        for name in stale:
            print(f"stale: {name}")
        if stale:
            print("run `uv run python -m tools.maintain` to rewrite them")
            return 1
        print(f"current: {generated}")
        return 0
    rewritten = refresh(root, amend=args.amend_release)
    for name in rewritten:
        print(f"rewrote {name.split(' (')[0]}")
    if not rewritten:
        print(f"nothing to do: {generated} were current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
