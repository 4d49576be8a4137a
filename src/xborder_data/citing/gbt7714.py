"""GB/T 7714-2015 references (the Chinese national standard for bibliographic references).

The standard's pattern for an electronic resource is

    主要责任者. 题名: 其他题名信息[文献类型标识/文献载体标识]. 版本. 出版地: 出版者,
    出版年(更新或修改日期)[引用日期]. 获取和访问路径.

A dataset's type code is ``DS`` (new in the 2015 edition); ``/OL`` marks an
online resource and is written only with an address to reach it. An element
that is not known is left out with its punctuation: nothing is guessed. When a
publisher or a place is known but the other is not, the standard's markers
stand in for it ("[出版地不详]"/"[S.l.]", "[出版者不详]"/"[s.n.]").

``Reference`` holds the elements in the standard's order, ``format_reference``
writes them, and ``dataset_reference`` reads them from a Data Package descriptor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Language = Literal["zh", "en"]
# "et al." after the first three creators (the standard lists at most three).
_ET_AL = {"zh": "等", "en": "et al."}
_NO_PLACE = {"zh": "[出版地不详]", "en": "[S.l.]"}
_NO_PUBLISHER = {"zh": "[出版者不详]", "en": "[s.n.]"}


@dataclass(frozen=True)
class Reference:
    """The elements of one GB/T 7714-2015 reference, in the standard's order.

    Dates are ``YYYY-MM-DD`` text (or a ``date``). ``url`` makes the reference
    online: the type becomes ``[DS/OL]`` and the address closes it.
    """

    creators: tuple[str, ...]
    title: str
    type_code: str = "DS"
    version: str = ""
    place: str = ""
    publisher: str = ""
    year: str = ""
    updated: str = ""
    cited: str = ""
    url: str = ""


def _version(version: str, language: Language) -> str:
    """The edition statement: "1.3.0版" in Chinese, "Version 1.3.0" in English (a first edition is not stated)."""
    if not version:
        return ""
    return f"{version}版" if language == "zh" else f"Version {version}"


def format_reference(reference: Reference, language: Language = "zh") -> str:
    """Return ``reference`` as one GB/T 7714-2015 line, without a sequence number.

    Example:
        >>> format_reference(Reference(("萧钰",), "出版业信息化迈入快车道", "EB", updated="2001-12-19",
        ...                            cited="2002-04-15", url="http://www.creader.com/news/20011219/200112190019.html"))
        '萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. http://www.creader.com/news/20011219/200112190019.html.'
    """
    creators = [name for name in reference.creators if name]
    names = ", ".join(creators[:3]) + (f", {_ET_AL[language]}" if len(creators) > 3 else "")
    carrier = "/OL" if reference.url else ""
    parts = [names] if names else []
    parts.append(f"{reference.title}[{reference.type_code}{carrier}]")
    if reference.version:
        parts.append(_version(reference.version, language))
    # 出版地: 出版者, 出版年(更新或修改日期)[引用日期]
    if reference.place or reference.publisher:
        head = f"{reference.place or _NO_PLACE[language]}: {reference.publisher or _NO_PUBLISHER[language]}, {reference.year}"
    else:
        head = "" if reference.updated else reference.year  # the standard's online examples: "(2013-04-16)[2014-06-11]"
    imprint = head + (f"({reference.updated})" if reference.updated else "") + (f"[{reference.cited}]" if reference.cited else "")
    if imprint:
        parts.append(imprint)
    if reference.url:
        parts.append(reference.url)
    # An element that ends in its own full stop ("et al.", "Rev. ed.") takes no second one.
    return "".join(part + ("" if part.endswith(".") else ".") + (" " if i < len(parts) - 1 else "") for i, part in enumerate(parts))


def _day(value: object) -> str:
    """The ``YYYY-MM-DD`` at the start of a descriptor date or datetime, or ""."""
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


def _localized(descriptor: dict[str, Any], key: str, language: Language) -> str:
    """``descriptor[key]``, or its Chinese form (``descriptor["zh"][key]``) when the language is Chinese and one exists."""
    if language == "zh":
        zh = descriptor.get("zh")
        if isinstance(zh, dict) and isinstance(zh.get(key), str) and zh[key].strip():
            return str(zh[key])
    return str(descriptor.get(key, ""))


def dataset_reference(descriptor: dict[str, Any], creators: list[str], url: str, accessed: date,
                      language: Language = "zh") -> Reference:
    """The package as a GB/T 7714 dataset: [DS/OL] with an address, else [DS].

    The publisher is the contributor with the role "publisher" when there is
    one; the descriptor states no place, so none is written. The update date
    is the descriptor's ``created`` and the citation date is ``accessed``.
    """
    publishers = [str(c.get("title", "")) for c in descriptor.get("contributors", [])
                  if isinstance(c, dict) and "publisher" in c.get("roles", [c.get("role")]) and str(c.get("title", "")).strip()]
    created = _day(descriptor.get("created"))
    return Reference(
        creators=tuple(creators),
        title=_localized(descriptor, "title", language) or str(descriptor.get("name", "")),
        type_code="DS",
        version=str(descriptor.get("version", "") or ""),
        publisher=", ".join(publishers),
        year=created[:4] or str(descriptor.get("created", ""))[:4],
        updated=created,
        cited=accessed.isoformat(),
        url=url,
    )
