"""Maintainer command: rewrite bytes and hash, and regenerate the data dictionary.

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

from xborder_data.checks.integrity import EMBEDDED, MANIFEST, release_manifest, sha256_hex
from xborder_data.storage.locate import bundled_root
from xborder_data.storage.paths import resolve_inside
from xborder_data.storage.reading import read_regular_file
from xborder_data.tableschema.descriptor import read_json
from tools.sqlnames import foreign_key_cycles, needs_quoting

DICTIONARY = Path("docs") / "data-dictionary.md"
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


def sql_notes(schemas: dict[str, dict]) -> list[str]:
    """Return the dictionary's SQL section: the names to quote and the key cycles to defer."""
    lines = ["## Using the tables in SQL", ""]
    quoted = [
        f"`{name}.{field['name']}`"
        for name, schema in schemas.items()
        for field in schema["fields"]
        if needs_quoting(field["name"])
    ]
    if quoted:
        lines += [
            f"Quote these column names, which are SQL keywords: {', '.join(quoted)}; "
            'write `SELECT "table" FROM claims`, not `SELECT table FROM claims`. '
            "They keep their names: a rename would break every user's code and need a major release.",
            "",
        ]
    for cycle in foreign_key_cycles(schemas):
        links = [
            f"`{name}.{fk['fields'][0]}` → `{fk['reference']['resource']}`"
            for name, target in zip(cycle, cycle[1:] + cycle[:1])
            for fk in schemas[name].get("foreignKeys", [])
            if fk["reference"]["resource"] == target
        ]
        lines += [
            f"These foreign keys form a cycle: {', '.join(links)}. "
            "No loading order satisfies them row by row: declare them `DEFERRABLE INITIALLY DEFERRED` "
            "(as the sqlite export does) or add the keys after the rows.",
            "",
        ]
    return lines if len(lines) > 2 else []


def data_dictionary(root: Path, descriptor: dict) -> str:
    """Return the Markdown data dictionary generated from the schemas."""
    lines = [
        "# Data dictionary",
        "",
        f"Generated from the Table Schemas of {descriptor['name']} {descriptor['version']} by "
        "`uv run python -m tools.maintain`. Do not edit by hand.",
        "",
    ]
    schemas = {resource["name"]: read_json(resolve_inside(root, resource["schema"], resource=resource["name"]))
               for resource in descriptor["resources"]}
    lines += sql_notes(schemas)
    for resource in descriptor["resources"]:
        schema = schemas[resource["name"]]
        lines += [f"## `{resource['name']}`", "", _cell(resource.get("description", "")), ""]
        key = ", ".join(schema.get("primaryKey", []))
        lines.append(f"Primary key: `{key}`.")
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            lines.append(f"Foreign key: `{fk['fields'][0]}` → `{ref['resource']}.{ref['fields'][0]}`.")
        lines += ["", "| field | title | type | constraints | description |", "|---|---|---|---|---|"]
        for field in schema["fields"]:
            kind = field["type"] + (f" ({field['format']})" if "format" in field else "")
            constraints = "; ".join(
                f"{k}: {', '.join(map(str, v))}" if isinstance(v, list) else (k if v is True else f"{k}: {v}")
                for k, v in field.get("constraints", {}).items()
            )
            lines.append(
                f"| `{field['name']}` | {_cell(field['title'])} | {kind} | {_cell(constraints)} | {_cell(field['description'])} |"
            )
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


def manifest_text(root: Path, descriptor: dict, *, amend: bool = False) -> str:
    """The release manifest with an entry for the current version added if it has none.

    An entry, once written, is kept: a release is what it was, and data that
    changes after it needs a new version. ``amend`` rewrites the current
    version's entry, for a version that is not yet published.
    """
    manifest = release_manifest()
    if amend:
        manifest[descriptor["version"]] = release_files(root, descriptor)
    else:
        manifest.setdefault(descriptor["version"], release_files(root, descriptor))
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
    target = root / DICTIONARY
    if not target.exists() or target.read_text(encoding="utf-8") != data_dictionary(root, descriptor):
        stale.append(str(DICTIONARY))
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
    _write(root / DICTIONARY, data_dictionary(root, descriptor))
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
    generated = f"datapackage.json (bytes, hash), {DICTIONARY.as_posix()} and the release manifest"
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
