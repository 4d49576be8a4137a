"""Maintainer command: write the Chinese titles and descriptions of tools/zh/fields.csv into the package.

Each field of schemas/*.json and each resource of datapackage.json gets the
extension property ``"zh": {"title": …, "description": …}`` from the row of
fields.csv with its resource and field (a resource's own row has an empty
field). The row also keeps the English title and description it translates
(title_en, description_en): when the schema's English changes, the command
names the row, so that its Chinese is revised and the new English copied in.
Run it under the data lock, then tools.maintain for the dictionaries:

    flock /work/staging/data.lock uv run python -m tools.zh.apply          # write
    uv run python -m tools.zh.apply --check  # exit 1 if a text is missing or a file is stale

Running it twice changes nothing. A field without a row, a row without a
field, or a row whose English is not the schema's, is reported and makes the
command exit 1; the texts are written all the same.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

from tools.maintain import _write, descriptor_text
from xborder_data.storage.locate import bundled_root
from xborder_data.storage.paths import resolve_inside
from xborder_data.tableschema.descriptor import ZH_LIMITS, read_json

TEXTS = Path(__file__).resolve().with_name("fields.csv")
COLUMNS = ["resource", "field", "title_zh", "description_zh", "title_en", "description_en"]
Key = tuple[str, str]  # (resource, field); field "" for the resource itself


def read_texts(path: Path = TEXTS) -> dict[Key, dict[str, str]]:
    """Return (resource, field) -> the ``zh`` object of each row of ``path``, with the English it translates under "en".

    Raises:
        ValueError: a wrong header, a repeated key, an empty title or a text over the loader's limits.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{path}: the header must be {','.join(COLUMNS)}")
        texts: dict[Key, dict[str, str]] = {}
        for line, row in enumerate(reader, start=2):
            key = (row["resource"], row["field"])
            zh = {"title": row["title_zh"].strip(), "description": row["description_zh"].strip()}
            zh = {name: text for name, text in zh.items() if text}
            problem = (
                "repeats an earlier row" if key in texts
                else "has no title_zh" if "title" not in zh
                else next((f"has a {name}_zh over {ZH_LIMITS[name]} characters" for name, text in zh.items()
                           if len(text) > ZH_LIMITS[name]), None)
            )  # fmt: skip
            if problem:
                raise ValueError(f"{path} line {line} ({'.'.join(filter(None, key))}) {problem}")
            texts[key] = {**zh, "en": f"{row['title_en']}\n{row['description_en']}"}
    return texts


def with_zh(entry: dict[str, Any], zh: dict[str, str] | None) -> dict[str, Any]:
    """``entry`` with ``zh`` right after its description (or title), or without a ``zh`` when None."""
    keys = [key for key in entry if key != "zh"]
    anchor = next((key for key in ("description", "title") if key in keys), keys[-1])
    result: dict[str, Any] = {}
    for key in keys:
        result[key] = entry[key]
        if key == anchor and zh is not None:
            result["zh"] = zh
    return result


def rewritten(root: Path, texts: dict[Key, dict[str, str]]) -> tuple[dict[Path, str], list[str]]:
    """Return the new text of datapackage.json and each schema, and the keys without a match on either side."""
    descriptor = read_json(root / "datapackage.json")
    files: dict[Path, str] = {}
    used: set[Key] = set()
    missing: list[str] = []

    def text_for(key: Key, entry: dict[str, Any]) -> dict[str, str] | None:
        where = ".".join(filter(None, key))
        if key not in texts:
            missing.append(f"no Chinese title for {where} in {TEXTS.name}")
            return None
        used.add(key)
        zh = dict(texts[key])
        if zh.pop("en") != f"{entry.get('title', '')}\n{entry.get('description', '')}":
            missing.append(f"the English of {where} changed: revise its Chinese in {TEXTS.name} and copy in the new title_en and description_en")
        return zh

    resources = []
    for resource in descriptor["resources"]:
        name = resource["name"]
        resources.append(with_zh(resource, text_for((name, ""), resource)))
        schema_path = resolve_inside(root, resource["schema"], resource=name)
        schema = read_json(schema_path)
        schema["fields"] = [with_zh(field, text_for((name, field["name"]), field)) for field in schema["fields"]]
        files[schema_path] = descriptor_text(schema)
    descriptor["resources"] = resources
    files[root / "datapackage.json"] = descriptor_text(descriptor)
    missing += [f"{TEXTS.name} has a row for {'.'.join(filter(None, key))}, which the package does not have"
                for key in texts if key not in used]  # fmt: skip
    return files, missing


def stale(root: Path) -> list[str]:
    """Return what is not as fields.csv says: missing texts, rows for no field, and files to rewrite."""
    files, problems = rewritten(root, read_texts())
    return problems + [f"stale: {path.relative_to(root).as_posix()}" for path, text in files.items()
                       if path.read_text(encoding="utf-8") != text]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.zh.apply", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None, help="package folder (default: the repository)")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if a text is missing or a file stale")
    args = parser.parse_args(argv)
    root = args.root or bundled_root()
    if args.check:
        problems = stale(root)
    else:
        files, problems = rewritten(root, read_texts())
        changed = [path for path, text in files.items() if path.read_text(encoding="utf-8") != text]
        for path in changed:
            _write(path, files[path])
            print(f"rewrote {path.relative_to(root).as_posix()}")
        print("then run `uv run python -m tools.maintain` for the hashes and data dictionaries" if changed else "nothing to do")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
