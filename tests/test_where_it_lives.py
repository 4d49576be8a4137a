"""The package's public address: absent until a real one exists, and never invented."""

from __future__ import annotations

import re

import pytest
import yaml

import xborder_data
from xborder_data.citing.cite import STYLES, format_citation

from conftest import REPO

URL = re.compile(r"https?://")


def _cff() -> dict:
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cff_names_the_same_address_as_the_descriptor() -> None:
    homepage = xborder_data.descriptor().get("homepage")
    cff = _cff()
    assert cff.get("url") == homepage
    assert cff.get("repository-code") in (None, homepage)


@pytest.mark.parametrize("style", STYLES)
def test_a_citation_names_no_address_while_the_descriptor_has_none(style: str) -> None:
    descriptor = xborder_data.descriptor()
    descriptor.pop("homepage", None)
    assert not URL.search(format_citation(descriptor, style))


@pytest.mark.parametrize("style", STYLES)
def test_a_citation_names_the_homepage_once_the_descriptor_has_one(style: str) -> None:
    descriptor = xborder_data.descriptor() | {"homepage": "https://data.example/xborder"}
    assert format_citation(descriptor, style).count("https://data.example/xborder") == 1


@pytest.mark.parametrize("blank", ["", "   ", None, 42])
def test_a_blank_or_malformed_homepage_is_no_address(blank: object) -> None:
    descriptor = xborder_data.descriptor() | {"homepage": blank}
    assert not URL.search(format_citation(descriptor, "bibtex"))
    assert "url =" not in format_citation(descriptor, "bibtex")


def test_the_bundled_citation_follows_the_descriptor() -> None:
    has_homepage = bool(xborder_data.descriptor().get("homepage"))
    for style in STYLES:
        assert bool(URL.search(xborder_data.citation(style))) is has_homepage
