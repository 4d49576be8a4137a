"""The Chinese edition: a ``zh`` title and description on every field and resource, the Chinese
data dictionary and README.zh-CN.md.

The oracles are the JSON files read with the json module, frictionless, the official v2
profiles (jsonschema) and the English README's own code blocks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import xborder_data
from xborder_data.errors import DescriptorError
from tools.maintain import DICTIONARIES, data_dictionary, refreshed_descriptor
from tools.zh import apply as zh_apply

from conftest import PROFILES, REPO, RESOURCES, needs_shared

CJK = re.compile(r"[\u4e00-\u9fff]")
DESCRIPTOR = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))


def _schema(name: str) -> dict[str, Any]:
    entry = next(resource for resource in DESCRIPTOR["resources"] if resource["name"] == name)
    return json.loads((REPO / entry["schema"]).read_text(encoding="utf-8"))


def _is_chinese(zh: Any) -> bool:
    return (
        isinstance(zh, dict)
        and set(zh) == {"title", "description"}
        and all(isinstance(text, str) and CJK.search(text) for text in zh.values())
    )


@pytest.mark.parametrize("name", RESOURCES)
def test_every_field_has_a_chinese_title_and_description(name: str) -> None:
    """Fails for a field someone adds without a row in tools/zh/fields.csv (then run tools.zh.apply)."""
    lacking = [field["name"] for field in _schema(name)["fields"] if not _is_chinese(field.get("zh"))]
    assert not lacking, f"{name}: no Chinese title for {lacking}; add rows to tools/zh/fields.csv and run tools.zh.apply"


def test_every_resource_has_a_chinese_title_and_description() -> None:
    assert [r["name"] for r in DESCRIPTOR["resources"] if not _is_chinese(r.get("zh"))] == []


def test_the_schemas_say_what_the_maintainer_file_says() -> None:
    """Every field has a row, every row a field, every row translates today's English, and the files are written."""
    assert zh_apply.stale(REPO) == [], "edit tools/zh/fields.csv, then: flock /work/staging/data.lock uv run python -m tools.zh.apply"


def test_applying_the_texts_twice_changes_nothing(package_copy: Path) -> None:
    def files() -> dict[str, bytes]:
        return {p.relative_to(package_copy).as_posix(): p.read_bytes() for p in sorted(package_copy.rglob("*.json"))}

    for path in (package_copy / "schemas").glob("*.json"):  # strip every zh, as before the Chinese edition
        schema = json.loads(path.read_text(encoding="utf-8"))
        for field in schema["fields"]:
            field.pop("zh", None)
        path.write_text(json.dumps(schema), encoding="utf-8")
    zh_apply.main(["--root", str(package_copy)])  # exits 1 while a text awaits revision; writes all the same
    first = files()
    zh_apply.main(["--root", str(package_copy)])
    assert files() == first
    assert first["schemas/stages.json"] == (REPO / "schemas" / "stages.json").read_bytes()  # as the repository's


def test_a_field_without_a_row_is_reported(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = package_copy / "schemas" / "stages.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"].append({"name": "new_field", "type": "string", "title": "New", "description": "Added later."})
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert zh_apply.main(["--root", str(package_copy), "--check"]) == 1
    assert "no Chinese title for stages.new_field" in capsys.readouterr().out


def test_a_changed_english_text_is_reported(package_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = package_copy / "schemas" / "stages.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][0]["description"] += " Now longer."
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert zh_apply.main(["--root", str(package_copy), "--check"]) == 1
    assert "the English of stages.stage_id changed" in capsys.readouterr().out


# -- the standards accept the property ------------------------------------------------------
def test_frictionless_accepts_the_package_and_keeps_the_zh_property() -> None:
    import frictionless

    package = frictionless.Package(str(REPO / "datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["type", "message"])
    stages = package.get_resource("stages")
    assert stages.to_descriptor()["zh"] == next(r["zh"] for r in DESCRIPTOR["resources"] if r["name"] == "stages")
    schema = frictionless.Schema.from_descriptor(str(REPO / "schemas" / "stages.json"))
    assert schema.get_field("stage_id").to_descriptor()["zh"] == _schema("stages")["fields"][0]["zh"]


def test_the_v2_profiles_accept_the_zh_property_and_check_the_rest() -> None:
    import jsonschema

    folder = needs_shared(PROFILES)
    profiles = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
    assert all("zh" in resource for resource in DESCRIPTOR["resources"])
    jsonschema.Draft7Validator(profiles["datapackage.json"]).validate(DESCRIPTOR)
    for resource in DESCRIPTOR["resources"]:
        jsonschema.Draft7Validator(profiles["dataresource.json"]).validate(resource)
        schema = _schema(resource["name"])
        assert all("zh" in field for field in schema["fields"])
        jsonschema.Draft7Validator(profiles["tableschema.json"]).validate(schema)
    broken = json.loads(json.dumps(_schema("stages")))
    broken["fields"][0]["type"] = "text"  # the profile still validates the field beside the extension
    assert not jsonschema.Draft7Validator(profiles["tableschema.json"]).is_valid(broken)


# -- the loader -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", RESOURCES)
def test_the_loader_gives_each_fields_chinese_texts(package: xborder_data.Package, name: str) -> None:
    raw = {field["name"]: field for field in _schema(name)["fields"]}
    for spec in package.table_schema(name).fields:
        assert spec.title_in("zh") == spec.title_zh == raw[spec.name]["zh"]["title"]
        assert spec.description_in("zh") == raw[spec.name]["zh"]["description"]
        assert spec.title_in("en") == raw[spec.name]["title"] and spec.description_in("en") == raw[spec.name]["description"]
    entry = next(r for r in DESCRIPTOR["resources"] if r["name"] == name)
    resource = package.resource(name)
    assert (resource.title_in("zh"), resource.description_in("zh")) == (entry["zh"]["title"], entry["zh"]["description"])
    assert resource.title_in("en") == entry["title"]


def test_without_a_zh_object_the_chinese_accessor_gives_the_english(package_copy: Path) -> None:
    path = package_copy / "schemas" / "stages.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    del schema["fields"][0]["zh"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    spec = xborder_data.open(package_copy).table_schema("stages").fields[0]
    assert (spec.title_zh, spec.title_in("zh"), spec.description_in("zh")) == ("", "Stage ID", schema["fields"][0]["description"])


@pytest.mark.parametrize(
    "zh",
    [
        "阶段编号",
        ["阶段编号"],
        {"title": 1},
        {"title": ""},
        {"description": "只有说明"},
        {"title": "阶段编号", "note": "多余的键"},
        {"title": "阶段编号", "description": None},
        {"title": "长" * 201},
        {"title": "阶段编号", "description": "长" * 4001},
    ],
    ids=["string", "list", "number", "empty", "no-title", "extra-key", "null", "long-title", "long-description"],
)
@pytest.mark.parametrize("where", ["field", "resource"])
def test_a_malformed_zh_object_is_one_descriptor_error(package_copy: Path, zh: Any, where: str) -> None:
    if where == "field":
        path = package_copy / "schemas" / "stages.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema["fields"][0]["zh"] = zh
        path.write_text(json.dumps(schema), encoding="utf-8")
    else:
        path = package_copy / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        descriptor["resources"][0]["zh"] = zh
        path.write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(DescriptorError) as caught:
        xborder_data.open(package_copy).table_schema("stages")
    message = str(caught.value)
    assert str(path) in message and "'zh'" in message and "'title'" in message, message
    assert ("field 'stage_id'" if where == "field" else "resource 'stages'") in message


# -- the Chinese data dictionary --------------------------------------------------------------
def test_the_chinese_data_dictionary_is_fresh() -> None:
    descriptor = refreshed_descriptor(REPO)
    path = REPO / DICTIONARIES["zh"]
    assert path.read_text(encoding="utf-8") == data_dictionary(REPO, descriptor, "zh"), "run: uv run python -m tools.maintain"


def test_the_chinese_data_dictionary_gives_every_chinese_title_and_the_english_one() -> None:
    text = (REPO / DICTIONARIES["zh"]).read_text(encoding="utf-8")
    for resource in DESCRIPTOR["resources"]:
        assert f"## `{resource['name']}` {resource['zh']['title']}\n\n{resource['zh']['description']}\n" in text
        for field in _schema(resource["name"])["fields"]:
            row = next(line for line in text.split(f"## `{resource['name']}` ")[1].splitlines() if line.startswith(f"| `{field['name']}` |"))
            cells = [cell.strip() for cell in row.strip("|").split(" | ")]
            assert cells[1:3] == [field["zh"]["title"], field["title"]], row


# -- README.zh-CN.md --------------------------------------------------------------------------
README = (REPO / "README.md").read_text(encoding="utf-8")
README_ZH = (REPO / "README.zh-CN.md").read_text(encoding="utf-8")
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


def test_the_readmes_link_each_other_at_the_top() -> None:
    assert "[README.zh-CN.md](README.zh-CN.md)" in "\n".join(README.splitlines()[:5])
    assert "[README.md](README.md)" in "\n".join(README_ZH.splitlines()[:5])


def test_the_chinese_readme_gives_the_two_commands_and_the_chinese_dictionary() -> None:
    commands = [line.split("#")[0].strip() for language, body in FENCE.findall(README_ZH) if language == "sh" for line in body.splitlines()]
    assert "uv run xborder-data" in commands and "uv run pytest" in commands
    assert "(docs/data-dictionary.zh-CN.md)" in README_ZH


def test_the_did_example_is_the_english_readmes_code() -> None:
    """Copied, not rewritten: the code blocks run the same (test_readme_snippets runs them)."""
    def python_blocks(text: str, start: str) -> list[str]:
        section = text[text.index(start):]
        section = section[: section.index("\n## ")]
        return [body for language, body in FENCE.findall(section) if language == "python"]

    english = python_blocks(README, "## Python quickstart")
    assert len(english) >= 2 and python_blocks(README_ZH, "## Python 快速上手") == english


def test_the_chinese_readme_cites_with_gbt7714_first() -> None:
    section = README_ZH[README_ZH.index("## 如何引用"):]
    first = section.index("uv run xborder-data cite --style gbt7714")
    assert first < section.index("bibtex") and "[DS/OL]" in section and "[DS]" in section


def test_the_chinese_readme_prints_what_the_gbt7714_style_prints() -> None:
    """The example is the command's output but for the citation date, which is the day it runs."""
    section = README_ZH[README_ZH.index("## 如何引用"):]
    printed = next(body.strip() for language, body in FENCE.findall(section) if language == "text" and "[DS" in body and "主要责任者" not in body)
    today = re.compile(r"\[\d{4}-\d{2}-\d{2}\]\.$")
    assert today.sub("[DATE].", printed) == today.sub("[DATE].", xborder_data.citation("gbt7714"))


def test_the_chinese_readme_states_the_counts_the_data_gives() -> None:
    batches = xborder_data.records("pilot_zone_batches")
    designated = sum(row["zones_added"] for row in batches if row["batch"] <= 8)
    missing = sum(row["zones_added"] - row["zones_listed"] for row in batches if row["batch"] <= 8)
    assert f"{designated} 个设立名额中有 {missing} 个" in README_ZH
    units = xborder_data.did_panel(2012, 2025).drop_duplicates("unit_code")
    clean = int(((units["possibly_unlisted"] == 0) & (units["ever_treated"] == 0)).sum())
    assert f"剩下 {clean} 个从未处理的单位" in README_ZH
