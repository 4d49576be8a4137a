"""GB/T 7714-2015 references: the standard's own examples are the oracle of the format.

The standard is sold, not published online, so the examples come from two
public transcriptions:

- the examples of the standard's electronic-resource rules (4.8), as the test
  fixture of the CTAN package gbt7714 (Zeping Lee) prints them:
  https://github.com/zepinglee/gbt7714-bibtex-style/blob/654848601eb2615464fa63a77bf7e0216d06bb22/test/entry-electronic.bbl
  (LaTeX markup removed; "第 29 次" is xeCJK spacing for "第29次");
- the standard's pattern for an electronic resource, as a university
  publishing centre's summary quotes it: https://m.lw881.com/lunwen/125307.html
  "主要责任者. 题名:其他题名信息 [文献类型标志/文献载体标志]. 出版地:出版者,出版年:引文页码
  (更新或修改日期)[引用日期].获取和访问路径.数字对象唯一标识符."
- "DS" (数据集) is one of the four type codes the 2015 edition added, as its
  foreword says, quoted at https://fx361.cc/page/2018/1231/13860836.shtml
- the markers for an unknown place and publisher ("[出版地不详]", "[S.l.]",
  "[出版者不详]", "[s.n.]") are the standard's, as biblatex-gb7714-2015 documents
  (its gbpub option drops them "放弃国标的要求"):
  https://github.com/hushidong/biblatex-gb7714-2015
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.citing.cite import format_citation
from xborder_data.citing.gbt7714 import Reference, format_reference
from xborder_data.cli import cli

from conftest import REPO

# (printed reference, its elements): every example of the standard's 4.8 as the fixture above prints it.
STANDARD_EXAMPLES = [
    ("中国互联网络信息中心. 第29次中国互联网络发展现状统计报告[R/OL]. (2012-01-16)[2013-03-26]. "
     "http://www.cnnic.net.cn/hlwfzyj/hlwxzbg/201201/P020120709345264469680.",
     Reference(("中国互联网络信息中心",), "第29次中国互联网络发展现状统计报告", "R", updated="2012-01-16", cited="2013-03-26",
               url="http://www.cnnic.net.cn/hlwfzyj/hlwxzbg/201201/P020120709345264469680")),
    ("北京市人民政府办公厅. 关于转发北京市企业投资项目核准暂行实施办法的通知: 京政办发[2005]37号[A/OL]. "
     "(2005-07-12)[2011-07-12]. http://china.findlaw.cn/fagui/p_1/39934.html.",
     Reference(("北京市人民政府办公厅",), "关于转发北京市企业投资项目核准暂行实施办法的通知: 京政办发[2005]37号", "A",
               updated="2005-07-12", cited="2011-07-12", url="http://china.findlaw.cn/fagui/p_1/39934.html")),
    ("BAWDEN D. Origins and concepts of digital literacy[EB/OL]. (2008-05-04)[2013-03-08]. "
     "http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf.",
     Reference(("BAWDEN D",), "Origins and concepts of digital literacy", "EB", updated="2008-05-04", cited="2013-03-08",
               url="http://www.soi.city.ac.uk/~dbawden/digital%20literacy%20chapter.pdf")),
    ("Online Computer Library Center, Inc. About OCLC: History of cooperation[EB/OL]. [2012-03-27]. "
     "http://www.oclc.org/about/cooperation.en.html.",
     Reference(("Online Computer Library Center, Inc",), "About OCLC: History of cooperation", "EB", cited="2012-03-27",
               url="http://www.oclc.org/about/cooperation.en.html")),
    ("HOPKINSON A. UNIMARC and metadata: Dublin core[EB/OL]. (2009-04-22)[2013-03-27]. "
     "http://archive.ifla.org/IV/ifla64/138-161e.htm.",
     Reference(("HOPKINSON A",), "UNIMARC and metadata: Dublin core", "EB", updated="2009-04-22", cited="2013-03-27",
               url="http://archive.ifla.org/IV/ifla64/138-161e.htm")),
]
ACCESSED = date(2026, 12, 6)
DAY = r"\d{4}-\d{2}-\d{2}"


def _descriptor() -> dict:
    """The bundled descriptor, read with the json module (not the loader)."""
    return json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("printed", "reference"), STANDARD_EXAMPLES, ids=[e[1].creators[0] for e in STANDARD_EXAMPLES])
def test_the_standards_examples_are_written_as_the_standard_prints_them(printed: str, reference: Reference) -> None:
    assert format_reference(reference, "zh") == printed
    assert format_reference(reference, "en") == printed  # no element here is language-dependent


def test_every_element_in_the_standards_order_and_punctuation() -> None:
    # The pattern quoted above, with the version where the standard puts an edition (after the title block).
    pattern = re.compile(
        r"^(?P<creators>[^.]+)\. (?P<title>.+)\[(?P<type>DS)/(?P<carrier>OL)\]\. (?P<version>[^.]+版)\. "
        rf"(?P<place>[^:]+): (?P<publisher>[^,]+), (?P<year>\d{{4}})\((?P<updated>{DAY})\)\[(?P<cited>{DAY})\]\. "
        r"(?P<url>https?://\S+)\.$"
    )
    reference = Reference(("甲", "乙", "丙"), "数据集: 副题名", "DS", version="2", place="北京", publisher="某出版者",
                          year="2024", updated="2024-05-01", cited="2026-12-06", url="https://data.example/x")
    found = pattern.match(format_reference(reference, "zh"))
    assert found, format_reference(reference, "zh")
    assert found.group("creators") == "甲, 乙, 丙"
    assert (found["title"], found["version"], found["place"], found["publisher"]) == ("数据集: 副题名", "2版", "北京", "某出版者")
    assert (found["year"], found["updated"], found["cited"], found["url"]) == ("2024", "2024-05-01", "2026-12-06",
                                                                               "https://data.example/x")


def test_more_than_three_creators_are_three_and_et_al() -> None:
    reference = Reference(("甲", "乙", "丙", "丁"), "题名", cited="2026-12-06")
    assert format_reference(reference, "zh").startswith("甲, 乙, 丙, 等. 题名[DS]")
    assert format_reference(reference, "en").startswith("甲, 乙, 丙, et al. 题名[DS]")


@pytest.mark.parametrize(("language", "place", "publisher"), [("zh", "[出版地不详]", "[出版者不详]"), ("en", "[S.l.]", "[s.n.]")])
def test_an_unknown_place_or_publisher_gets_the_standards_marker(language: str, place: str, publisher: str) -> None:
    with_publisher = Reference(("A",), "T", publisher="P", year="2024", cited="2026-12-06")
    with_place = Reference(("A",), "T", place="Beijing", year="2024", cited="2026-12-06")
    assert f". {place}: P, 2024[2026-12-06]." in format_reference(with_publisher, language)  # type: ignore[arg-type]
    assert f". Beijing: {publisher}, 2024[2026-12-06]." in format_reference(with_place, language)  # type: ignore[arg-type]


def test_the_dataset_without_an_address_is_ds_with_version_dates_and_creators() -> None:
    descriptor = _descriptor()
    descriptor.pop("homepage", None)
    creators = ", ".join(c["title"] for c in descriptor["contributors"] if "creator" in c.get("roles", []))
    created = descriptor["created"][:10]
    zh_title = (descriptor.get("zh") or {}).get("title") or descriptor["title"]
    assert format_citation(descriptor, "gbt7714", accessed=ACCESSED) == (
        f"{creators}. {zh_title}[DS]. {descriptor['version']}版. ({created})[{ACCESSED.isoformat()}]."
    )
    assert format_citation(descriptor, "gbt7714-en", accessed=ACCESSED) == (
        f"{creators}. {descriptor['title']}[DS]. Version {descriptor['version']}. ({created})[{ACCESSED.isoformat()}]."
    )


def test_the_dataset_with_an_address_is_ds_ol_closed_by_the_address() -> None:
    descriptor = _descriptor() | {"homepage": "https://data.example/xborder"}
    for style in ("gbt7714", "gbt7714-en"):
        text = format_citation(descriptor, style, accessed=ACCESSED)
        assert "[DS/OL]. " in text and "[DS]" not in text
        assert text.endswith(f")[{ACCESSED.isoformat()}]. https://data.example/xborder.")


def test_a_publisher_contributor_is_the_publisher_and_no_place_is_invented() -> None:
    descriptor = _descriptor()
    descriptor["contributors"] = descriptor["contributors"] + [{"title": "Example Press", "roles": ["publisher"]}]
    text = format_citation(descriptor, "gbt7714", accessed=ACCESSED)
    assert f"[出版地不详]: Example Press, {descriptor['created'][:4]}({descriptor['created'][:10]})[2026-12-06]." in text
    assert "[S.l.]: Example Press" in format_citation(descriptor, "gbt7714-en", accessed=ACCESSED)


def test_a_chinese_title_is_used_in_the_chinese_form_only() -> None:
    descriptor = _descriptor() | {"zh": {"title": "中国跨境电子商务数据集"}}
    assert "中国跨境电子商务数据集[DS]" in format_citation(descriptor, "gbt7714", accessed=ACCESSED)
    assert f"{descriptor['title']}[DS]" in format_citation(descriptor, "gbt7714-en", accessed=ACCESSED)


def test_the_api_and_the_cli_cite_with_todays_date() -> None:
    for style in ("gbt7714", "gbt7714-en"):
        before = date.today().isoformat()
        text = xborder_data.citation(style)  # type: ignore[arg-type]
        assert f"[{before}]" in text or f"[{date.today().isoformat()}]" in text  # the day may turn during the call
        result = CliRunner().invoke(cli, ["cite", "--style", style])
        assert result.exit_code == 0, result.output
        assert re.search(rf"\[DS(/OL)?\]\. .*\[{DAY}\]\.", result.output)


def test_the_cli_help_names_the_gbt7714_styles() -> None:
    result = CliRunner().invoke(cli, ["cite", "--help"])
    assert "gbt7714" in result.output and "gbt7714-en" in result.output and "[DS/OL]" in result.output
