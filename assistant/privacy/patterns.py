"""Character folding and the regular expressions of the PII detectors.

Matching runs on a length-preserving fold of the input (full-width ASCII → half-width, dash variants →
``-``, ideographic/no-break space → `` ``), so every offset found in the folded text is an offset into
the caller's original text. Compiling these patterns is the only work done at import.
"""

from __future__ import annotations

import re
from typing import Final

# --------------------------------------------------------------------------------------------- folding

_FOLD: Final[dict[int, int]] = {
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},  # full-width ASCII → ASCII
    0x3000: 0x20,  # ideographic space
    0x00A0: 0x20,  # no-break space
    **{code: 0x2D for code in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE63)},
}


def fold(text: str) -> str:
    """One-to-one character fold (so offsets are preserved) used for matching only."""
    return text.translate(_FOLD)


# ------------------------------------------------------------------------------------------- regexes

# A run of digit groups joined by single spaces/dashes; an ID number's trailing X may close it.
RUN: Final = re.compile(r"(?<![0-9A-Za-z])(?<![0-9]\.)[0-9]+(?:[ -][0-9]+)*[Xx]?(?![0-9A-Za-z])(?!\.[0-9])")
GROUP: Final = re.compile(r"[0-9]+[Xx]?")
MOBILE_DIGITS: Final = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")

_CREDIT_CHAR_CLASS: Final = "[0-9A-HJ-NPQRTUWXY]"
CREDIT_CODE: Final = re.compile(
    rf"(?<![0-9A-Za-z]){_CREDIT_CHAR_CLASS}{{2}}[0-9]{{6}}{_CREDIT_CHAR_CLASS}{{10}}(?![0-9A-Za-z])"
)

_AREA_CODE: Final = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
LANDLINE: Final = re.compile(
    rf"(?<![0-9A-Za-z])(?:\({_AREA_CODE}\) ?|{_AREA_CODE}[ -])"
    r"(?P<local>[1-9][0-9]{2,3}[ -]?[0-9]{4})"
    r"(?:(?:[-#转]|分机|ext\.?) ?(?P<ext>[0-9]{1,6}))?"
    r"(?![0-9A-Za-z])"
)

EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])"
)

# Street addresses: administrative chain (…省/市/区/县) + road (…路/街/道/巷/弄/村) + house number (…号),
# then optional building / unit / floor / room. Stop characters keep the match from swallowing the
# surrounding sentence ("我住在…", "…位于…", "…关于…").
_ADMIN_STOP: Final = "我你他她您它们住在的是址地为到去请把被给寄送收位或往至及与已要需"
_ROAD_STOP: Final = "我你他她您它们住在的是址为到去请把被给寄送收位或往及与可已要需将应局厅委号"
_NOT_PLACE: Final = "关于|对于|由于|属于|处于|至于|等于"
_ADMIN_CHAR: Final = rf"(?:(?!{_NOT_PLACE}|[{_ADMIN_STOP}省市区县])[\u4e00-\u9fff])"
_ROAD_CHAR: Final = rf"(?:(?!{_NOT_PLACE}|[{_ROAD_STOP}])[\u4e00-\u9fff])"
ADDRESS: Final = re.compile(
    r"(?!(?<=[位关对由属处等至])于)"  # "位于北京市…" starts at 北, but 于洪区 / 于都县 are places
    rf"(?P<admin>(?:{_ADMIN_CHAR}{{2,7}}?(?:省|自治区|自治州|市|州|盟|地区|区|旗)|{_ADMIN_CHAR}{{1,7}}?县){{1,4}})"
    rf"(?:{_ADMIN_CHAR}{{1,6}}?(?:镇|乡|街道))?"
    rf"{_ROAD_CHAR}{{1,12}}?(?:路|街|道|巷|弄|村|胡同)"
    r"(?:[东西南北中]段|[0-9一二三四五六七八九十]{1,3}段)?"
    r"(?:[0-9]{1,5}(?:支弄|弄|巷))?"
    r"[甲乙丙丁]?[0-9]{1,5}(?:[-之][0-9]{1,4})?号(?:楼|院)?"
    r"(?:[0-9A-Za-z]{1,4}(?:号楼|号院|栋|幢|座)|[0-9]{1,3}单元|[0-9]{1,3}[层楼]"
    r"|[0-9]{1,3}(?:-[0-9]{1,4}){1,2}(?![0-9])|[0-9A-Za-z]{1,6}[室房户])*"
    r"(?:(?<=[栋幢座元层楼])[0-9]{2,5}(?![0-9]))?"
)
