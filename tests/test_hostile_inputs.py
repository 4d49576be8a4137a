"""Crafted copies, as an attacker would make them: one project error each, never a
foreign exception, a hang, a read outside the package or a silent change."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

import xborder_data
from xborder_data import DescriptorError, IntegrityError, UnsafePathError, XborderDataError

from conftest import REPO, rehash


def _descriptor(root: Path) -> dict[str, Any]:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def _write(root: Path, descriptor: Any) -> None:
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def _first(descriptor: dict[str, Any]) -> dict[str, Any]:
    return descriptor["resources"][0]


Craft = Callable[[dict[str, Any]], Any]

CRAFTED: list[tuple[str, Craft, type[XborderDataError], str]] = [
    ("resources of numbers", lambda d: {**d, "resources": [1, 2]}, DescriptorError, r"resources\[0\] must be an object"),
    ("resources not a list", lambda d: {**d, "resources": "stages"}, DescriptorError, "non-empty 'resources' list"),
    ("hash a number", lambda d: _first(d).update(hash=12345) or d, DescriptorError, "'hash' must be str"),
    ("bytes a string", lambda d: _first(d).update(bytes="12") or d, DescriptorError, "'bytes' must be int"),
    ("bytes a boolean", lambda d: _first(d).update(bytes=True) or d, DescriptorError, "'bytes' must be int"),
    ("empty path", lambda d: _first(d).update(path="") or d, UnsafePathError, "not a non-empty string"),
    ("path a folder", lambda d: _first(d).update(path="data") or d, DescriptorError, "not a regular file"),
    # Refused when the JSON is read: no output (UTF-8 text, SQL, a C string) can carry a NUL.
    ("NUL in path", lambda d: _first(d).update(path="data/st\x00ages.csv") or d, DescriptorError, "NUL"),
    ("a 5,000-character path", lambda d: _first(d).update(path="a/" * 2500) or d, UnsafePathError, "longer than"),
    ("path a list", lambda d: _first(d).update(path=["data/stages.csv"]) or d, DescriptorError, "one string 'path'"),
    # Refused when the JSON is read, before any path is looked at: no output could encode it.
    ("lone surrogate in path", lambda d: _first(d).update(path="data/\ud800.csv") or d, DescriptorError, "lone surrogate"),
    ("backslash path", lambda d: _first(d).update(path="data\\stages.csv") or d, UnsafePathError, "backslash"),
    ("file: URL", lambda d: _first(d).update(path="file:///etc/passwd") or d, UnsafePathError, "is a URL"),
    ("version a number", lambda d: {**d, "version": 5}, DescriptorError, "'version' must be str"),
    ("contributors of strings", lambda d: {**d, "contributors": ["x"]}, DescriptorError, r"contributors\[0\] must be an object"),
    ("licenses an object", lambda d: {**d, "licenses": {"name": "x"}}, DescriptorError, "'licenses' must be list"),
    ("duplicate names", lambda d: {**d, "resources": [_first(d), _first(d)]}, DescriptorError, "appears twice"),
    ("name with a slash", lambda d: _first(d).update(name="../../x") or d, DescriptorError, r"names match \^\[a-z0-9._-\]\+\$"),
    ("name a number", lambda d: _first(d).update(name=7) or d, DescriptorError, "names match"),
    ("schema a URL", lambda d: _first(d).update(schema="https://example.org/s.json") or d, UnsafePathError, "is a URL"),
    ("schema a list", lambda d: _first(d).update(schema=[]) or d, DescriptorError, "needs a 'schema'"),
    ("dialect by URL", lambda d: _first(d).update(dialect="https://example.org/d.json") or d, DescriptorError, "inline dialect"),
    ("compressed", lambda d: _first(d).update(compression="gz") or d, DescriptorError, "compression"),
    ("latin-1 encoding", lambda d: _first(d).update(encoding="latin-1") or d, DescriptorError, "reads only utf-8"),
    ("inline data", lambda d: _first(d).update(data=[["a"]]) or d, DescriptorError, "inline data"),
    ("unknown foreign resource", lambda d: d["resources"][1]["schema"].__class__ and _fk_to(d, "nowhere"), DescriptorError, "unknown resource 'nowhere'"),
]


def _fk_to(descriptor: dict[str, Any], target: str) -> dict[str, Any]:
    resource = _first(descriptor)
    resource["schema"] = {
        "fields": [{"name": name} for name in ("stage_id", "label", "name_zh", "name_en", "start_year", "end_year", "opening_platform_id", "description", "origin", "source_id")],
        "foreignKeys": [{"fields": "stage_id", "reference": {"resource": target, "fields": "x"}}],
    }
    return descriptor


@pytest.mark.parametrize(("case", "craft", "error", "message"), CRAFTED, ids=[c[0] for c in CRAFTED])
def test_a_crafted_descriptor_gives_one_project_error(package_copy: Path, case: str, craft: Craft, error: type, message: str) -> None:
    _write(package_copy, craft(_descriptor(package_copy)))
    with pytest.raises(error, match=message):
        xborder_data.open(package_copy).load("stages")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "refuses"),
        (b"[1, 2]", "expected a JSON object"),
        (b"{\"resources\": ", "not valid JSON"),
        (b"", "not valid JSON"),
    ],
    ids=["invalid UTF-8", "100,000 levels of nesting", "an array", "truncated", "empty"],
)
def test_a_broken_descriptor_file_gives_one_project_error(package_copy: Path, content: bytes, message: str) -> None:
    (package_copy / "datapackage.json").write_bytes(content)
    with pytest.raises(DescriptorError, match=message):
        xborder_data.open(package_copy)


@pytest.mark.parametrize("drop", [("hash",), ("hash", "bytes")])
def test_a_resource_without_sha256_is_refused_with_a_remedy(package_copy: Path, drop: tuple[str, ...]) -> None:
    descriptor = _descriptor(package_copy)
    for key in drop:
        _first(descriptor).pop(key)
    _write(package_copy, descriptor)
    package = xborder_data.open(package_copy)
    with pytest.raises(IntegrityError, match="has no hash, and the loader verifies sha256 only; download the release again.*verify_integrity=False"):
        package.load("stages")
    assert package.load("stages", verify_integrity=False)["stage_id"].tolist() == ["1.0", "2.0", "3.0"]
    assert not package.validate().valid


def test_an_md5_hash_alone_is_not_enough(package_copy: Path) -> None:
    import hashlib

    descriptor = _descriptor(package_copy)
    _first(descriptor)["hash"] = hashlib.md5((package_copy / "data" / "stages.csv").read_bytes()).hexdigest()
    _write(package_copy, descriptor)
    with pytest.raises(IntegrityError, match="has the hash '[0-9a-f]{32}', and the loader verifies sha256 only"):
        xborder_data.open(package_copy).records("stages")


def test_a_shake_hash_is_refused(package_copy: Path) -> None:
    descriptor = _descriptor(package_copy)
    _first(descriptor)["hash"] = "shake_128:00"
    _write(package_copy, descriptor)
    with pytest.raises(IntegrityError, match="verifies sha256 only"):
        xborder_data.open(package_copy).load("stages")


_HANG_PROBE = """
import sys, xborder_data
try:
    package = xborder_data.open(sys.argv[1])
    package.load("stages")
except xborder_data.XborderDataError as error:
    print(type(error).__name__, error)
else:
    print("loaded")
"""


def _probe(root: Path) -> str:
    done = subprocess.run([sys.executable, "-c", _HANG_PROBE, str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("verify", [True, False])
def test_a_fifo_as_a_data_file_is_refused_without_hanging(package_copy: Path, verify: bool) -> None:
    target = package_copy / "data" / "stages.csv"
    target.unlink()
    os.mkfifo(target)
    if not verify:
        descriptor = _descriptor(package_copy)
        _first(descriptor).pop("hash")
        _write(package_copy, descriptor)
    out = _probe(package_copy)
    assert "not a regular file" in out or "has no hash" in out, out


def test_a_fifo_as_the_descriptor_is_refused_without_hanging(package_copy: Path) -> None:
    (package_copy / "datapackage.json").unlink()
    os.mkfifo(package_copy / "datapackage.json")
    assert out_says(_probe(package_copy), "DescriptorError", "not a regular file")


def out_says(out: str, *words: str) -> bool:
    return all(word in out for word in words)


def test_a_link_to_dev_zero_is_refused_without_hanging(package_copy: Path) -> None:
    target = package_copy / "data" / "stages.csv"
    target.unlink()
    target.symlink_to("/dev/zero")
    assert out_says(_probe(package_copy), "UnsafePathError", "outside")


def test_a_link_to_a_device_inside_the_package_is_refused(package_copy: Path) -> None:
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    # A device node cannot be created without privileges everywhere; a FIFO stands for it above.
    target = package_copy / "data" / "stages.csv"
    target.unlink()
    target.mkdir()
    assert out_says(_probe(package_copy), "DescriptorError", "not a regular file")


def test_a_schema_edit_is_caught_by_the_release_manifest(package_copy: Path) -> None:
    schema_path = package_copy / "schemas" / "platforms.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["missingValues"] = ["", "CN"]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    package = xborder_data.open(package_copy)
    package.load("platforms")  # the descriptor's hashes cover data files only
    comparison = package.compare_with_release()
    assert not comparison.identical
    assert comparison.changed == ["schemas/platforms.json"]
    done = subprocess.run([sys.executable, "-m", "xborder_data", "verify", str(package_copy)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "changed: schemas/platforms.json" in done.stdout


def test_a_rehashed_data_edit_is_caught_by_the_release_manifest(tmp_path: Path) -> None:
    from conftest import copy_package

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] += " (edited)"

    package = xborder_data.open(copy_package(tmp_path / "edited", {"drivers": edit}))
    package.load("drivers")  # its own hashes now agree with it
    assert set(package.compare_with_release().changed) == {"data/drivers.csv", "datapackage.json"}


def test_the_bundled_copy_is_identical_to_its_release() -> None:
    comparison = xborder_data.compare_with_release()
    assert comparison.identical, comparison.summary()
    assert comparison.summary().startswith(f"identical to release {xborder_data.__version__}")


# -- validate() stays inside the package ---------------------------------------------
def test_validate_never_reads_a_symlinked_secret(package_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:SECRET-LINE\n", encoding="utf-8")
    target = package_copy / "data" / "errata.csv"
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(UnsafePathError, match="outside"):
        xborder_data.open(package_copy)
    done = subprocess.run([sys.executable, "-m", "xborder_data", "validate", str(package_copy)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "SECRET-LINE" not in done.stdout + done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_validate_never_follows_a_url(package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("validate() opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    descriptor = _descriptor(package_copy)
    _first(descriptor)["path"] = "https://example.org/stages.csv"
    _write(package_copy, descriptor)
    with pytest.raises(UnsafePathError):
        xborder_data.open(package_copy)
    descriptor = _descriptor(package_copy)
    descriptor["resources"][0]["path"] = "data/stages.csv"
    descriptor["$schema"] = "https://example.org/my-profile.json"
    _write(package_copy, descriptor)
    report = xborder_data.open(package_copy).validate()
    assert any(issue.type == "profile-not-offline" for issue in report.errors)


def test_validate_restores_the_csv_field_size_limit() -> None:
    before = csv.field_size_limit()
    assert xborder_data.validate().valid
    assert csv.field_size_limit() == before


def test_a_cell_over_the_csv_limit_is_refused_the_same_before_and_after_validate(tmp_path: Path) -> None:
    from conftest import write_package

    big = b"x" * (131_072 + 10)  # the csv module's default limit, whatever the process has now
    package = xborder_data.open(write_package(tmp_path, {"t": (b"v\n" + big + b"\n", {"fields": [{"name": "v"}]})}))
    outcomes = []
    for _ in range(2):
        package.clear_cache()
        with pytest.raises(XborderDataError, match="longer than 131072 characters") as caught:
            package.records("t")
        outcomes.append(str(caught.value))
        xborder_data.validate()
    assert outcomes[0] == outcomes[1]


# -- provenance for every row --------------------------------------------------------
CLAIMS = xborder_data.records("claims")


def _claim_targets(claim: dict[str, Any]) -> list[tuple[str, Any]]:
    schema = xborder_data.bundled().table_schema("claims")
    return [
        (fk.resource, claim[fk.field])
        for fk in schema.foreign_keys
        if claim[fk.field] is not None and fk.resource not in ("sources",) and fk.field != "claim_id"
    ]


@pytest.mark.parametrize("claim", CLAIMS, ids=[c["claim_id"] for c in CLAIMS])
def test_sources_for_finds_every_claim_from_the_row_it_backs(claim: dict[str, Any]) -> None:
    for resource, key in _claim_targets(claim):
        for row_id in (key, str(key)):  # typed, and as the text a user types
            found = xborder_data.sources_for(resource, row_id)
            assert claim["claim_id"] in [c["claim_id"] for c in found.claims], (resource, row_id)


def test_a_batch_number_finds_its_claims_from_the_cli() -> None:
    expected = [c["claim_id"] for c in CLAIMS if c["table"] == "pilot_zone_batches" and c["batch"] == 3]
    assert expected, "the claims name batch 3"
    done = subprocess.run([sys.executable, "-m", "xborder_data", "cite", "pilot_zone_batches", "3"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert f"Claims ({len(expected)}):" in done.stdout


# -- found by the red-team review ----------------------------------------------------
RED_TEAM = [
    ("a 5,000-digit integer bound", {"name": "v", "type": "integer", "constraints": {"maximum": "9" * 5000}}, "outside the 64-bit integer range"),
    ("a huge number bound", {"name": "v", "type": "number", "constraints": {"maximum": 10**400}}, "too large for a 64-bit float|refuses"),
    ("a repeated enum value", {"name": "v", "constraints": {"enum": ["x", "x"]}}, "repeats a value"),
    ("1 and 1.0 in a number enum", {"name": "v", "type": "number", "constraints": {"enum": [1, 1.0]}}, "repeats a value"),
    ("NaN in an enum", {"name": "v", "type": "number", "constraints": {"enum": ["NaN", 1]}}, "NaN cannot be"),
    ("a NaN bound", {"name": "v", "type": "number", "constraints": {"maximum": "NaN"}}, "NaN cannot be"),
]


@pytest.mark.parametrize(("case", "field", "message"), RED_TEAM, ids=[c[0] for c in RED_TEAM])
def test_a_crafted_constraint_is_refused_when_opened(tmp_path: Path, case: str, field: dict, message: str) -> None:
    from conftest import write_package

    root = write_package(tmp_path, {"t": (b"v\n1\n", {"fields": [field]})})
    with pytest.raises(DescriptorError, match=message):
        xborder_data.open(root)


def test_a_5000_digit_integer_cell_is_one_bad_cell(tmp_path: Path) -> None:
    from conftest import write_package

    schema = {"fields": [{"name": "id"}, {"name": "v", "type": "integer"}]}
    package = xborder_data.open(write_package(tmp_path, {"t": (b"id,v\na," + b"9" * 5000 + b"\n", schema)}))
    for read in (package.records, package.load):
        with pytest.raises(xborder_data.BadCellError, match="outside the 64-bit integer range"):
            read("t")


def test_a_dialect_typo_is_refused(package_copy: Path) -> None:
    descriptor = _descriptor(package_copy)
    _first(descriptor)["dialect"] = {"delimeter": ";"}
    _write(package_copy, descriptor)
    with pytest.raises(DescriptorError, match=r"\['delimeter'\].*a typo"):
        xborder_data.open(package_copy)


def test_contributor_roles_must_be_strings(package_copy: Path) -> None:
    descriptor = _descriptor(package_copy)
    descriptor["contributors"] = [{"title": "x", "roles": 5}]
    _write(package_copy, descriptor)
    with pytest.raises(DescriptorError, match="'roles'"):
        xborder_data.open(package_copy)


def test_a_descriptor_linked_from_outside_is_refused(package_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_bytes((package_copy / "datapackage.json").read_bytes())
    (package_copy / "datapackage.json").unlink()
    (package_copy / "datapackage.json").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="outside"):
        xborder_data.open(package_copy)


def test_a_copy_that_claims_a_release_but_differs_fails_validation(package_copy: Path) -> None:
    schema_path = package_copy / "schemas" / "platforms.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["missingValues"] = ["", "CN"]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    report = xborder_data.open(package_copy).validate()
    assert not report.valid
    assert [issue.type for issue in report.errors] == ["release-mismatch"]
    assert "changed: schemas/platforms.json" in report.errors[0].message


def test_sources_for_needs_the_provenance_tables(tmp_path: Path) -> None:
    from conftest import write_package

    root = write_package(tmp_path, {"t": (b"id\na\n", {"fields": [{"name": "id"}], "primaryKey": "id"})})
    with pytest.raises(DescriptorError, match="no 'claims' resource"):
        xborder_data.open(root).sources_for("t", "a")


def test_nan_against_a_bound_says_so(tmp_path: Path) -> None:
    from conftest import write_package

    schema = {"fields": [{"name": "id"}, {"name": "v", "type": "number", "constraints": {"minimum": 0}}]}
    package = xborder_data.open(write_package(tmp_path, {"t": (b"id,v\na,NaN\n", schema)}))
    with pytest.raises(xborder_data.BadCellError, match="is NaN, which no minimum or maximum admits"):
        package.records("t")


def test_maintain_never_rewrites_a_released_entry_unless_asked(tmp_path: Path) -> None:
    from conftest import copy_package
    from tools.maintain import manifest_text, refreshed_descriptor, released_elsewhere

    def edit(rows: list[dict[str, str]]) -> None:
        rows[0]["name_en"] += " (edited)"

    root = copy_package(tmp_path / "edited", {"drivers": edit})
    descriptor = refreshed_descriptor(root)
    released = xborder_data.checks.integrity.release_manifest()[descriptor["version"]]
    assert json.loads(manifest_text(root, descriptor))[descriptor["version"]]["files"] == released
    assert "was released with other files; bump the version" in (released_elsewhere(root, descriptor) or "")
    amended = json.loads(manifest_text(root, descriptor, amend=True))[descriptor["version"]]
    assert amended["files"] != released and amended["files"]["data/drivers.csv"] != released["data/drivers.csv"]


@pytest.mark.parametrize("pattern", ["(a+)+b", "(a|a)+b"])
def test_a_catastrophic_pattern_is_refused_not_a_hang(tmp_path: Path, pattern: str) -> None:
    from conftest import write_package

    schema = {"fields": [{"name": "id"}, {"name": "v", "constraints": {"pattern": pattern}}]}
    root = write_package(tmp_path, {"t": (b"id,v\nx," + b"a" * 40 + b"!\n", schema)})
    done = subprocess.run([sys.executable, "-m", "xborder_data", "show", "t", "--package", str(root)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "does not match the pattern" in done.stderr or "catastrophic backtracking" in done.stderr


def test_a_minimum_above_its_maximum_is_refused(tmp_path: Path) -> None:
    from conftest import write_package

    field = {"name": "v", "type": "integer", "constraints": {"minimum": 10, "maximum": 1}}
    with pytest.raises(DescriptorError, match="minimum above its maximum"):
        xborder_data.open(write_package(tmp_path, {"t": (b"v\n5\n", {"fields": [field]})}))


def test_a_homepage_that_is_not_a_web_address_is_never_cited(package_copy: Path) -> None:
    descriptor = _descriptor(package_copy)
    descriptor["homepage"] = "javascript:alert(2)"
    _write(package_copy, descriptor)
    package = xborder_data.open(package_copy)
    for style in ("text", "bibtex", "apa"):
        assert "javascript" not in package.citation(style)
