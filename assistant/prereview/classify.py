"""Recognise which material a file is, from its OCR/text output: weighted cue words plus layout cues.

Text is read as lines in reading order (OCR boxes grouped into rows along the photo's skew) and matched
after NFKC and 繁→简 with spaces removed. Each type has cue words with weights (a title word weighs
most); a cue of four or more characters also counts, at 0.8 of its weight, with one character wrong.
Layout cues: ID-number and validity-range patterns, a title among the first lines (居民户口簿, a form
title ending in 表/申请书…), and the card types' short text (a long text halves their score). The best
type wins when its score reaches ``MIN_SCORE`` and its confidence (strength of the evidence times its
margin over the runner-up) reaches ``MIN_CONFIDENCE``; otherwise the file is "unrecognised".
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from assistant.prereview.models import Classification, ExtractedFile, MaterialType, OcrLine, PageText
from assistant.textnorm import to_simplified

MIN_SCORE: Final = 3.0
MIN_CONFIDENCE: Final = 0.35
_CARD_TEXT_LIMIT: Final = 260  # a card has little text; more than this halves a card type's score

_CUES: Final[dict[MaterialType, tuple[tuple[str, float], ...]]] = {
    "id_card_front": (
        ("公民身份号码", 3.5),
        ("姓名", 0.5),
        ("性别", 0.5),
        ("民族", 1.0),
        ("出生", 0.5),
        ("住址", 1.0),
    ),
    "id_card_back": (
        ("签发机关", 2.5),
        ("有效期限", 2.5),
        ("居民身份证", 1.5),
        ("中华人民共和国", 0.5),
    ),
    "hukou_booklet": (
        ("常住人口登记卡", 3.0),
        ("居民户口簿", 3.0),
        ("户口簿", 1.0),
        ("户口薄", 1.0),
        ("户主", 1.0),
        ("户号", 1.5),
        ("与户主关系", 2.0),
        ("户别", 1.5),
        ("户口登记机关", 1.0),
        ("公民身份证件编号", 1.0),
        ("籍贯", 0.5),
        ("何时由何地迁来", 1.5),
        ("承办人签章", 1.0),
    ),
    "marriage_certificate": (
        ("结婚证", 3.0),
        ("持证人", 1.5),
        ("登记日期", 1.0),
        ("结婚证字号", 3.0),
        ("婚姻登记", 1.0),
        ("自愿结婚", 1.5),
        ("婚姻登记员", 1.0),
        ("身份证件号", 0.5),
    ),
    "birth_certificate": (
        ("出生医学证明", 4.0),
        ("新生儿姓名", 2.0),
        ("出生地点", 1.5),
        ("母亲姓名", 1.5),
        ("父亲姓名", 1.5),
        ("出生证编号", 2.0),
        ("出生孕周", 1.0),
        ("健康状况", 0.5),
        ("身长", 0.5),
        ("体重", 0.5),
        ("接生机构", 1.0),
        ("出生时间", 0.5),
    ),
    "business_license": (
        ("营业执照", 3.0),
        ("统一社会信用代码", 2.5),
        ("法定代表人", 1.0),
        ("经营范围", 1.5),
        ("登记机关", 1.0),
        ("注册资本", 1.0),
        ("成立日期", 1.0),
        ("营业期限", 1.0),
        ("国家企业信用信息公示系统", 1.0),
        ("组成形式", 0.5),
        ("经营场所", 0.5),
        ("住所", 0.3),
    ),
    "social_security_card": (
        ("社会保障卡", 3.0),
        ("社会保障号码", 2.5),
        ("中华人民共和国社会保障卡", 2.0),
        ("卡号", 1.0),
        ("发卡日期", 1.0),
        ("银联", 0.5),
        ("人力资源和社会保障部", 1.0),
    ),
    "property_certificate": (
        ("不动产权证书", 4.0),
        ("不动产单元号", 2.5),
        ("权利人", 1.5),
        ("共有情况", 2.0),
        ("坐落", 1.0),
        ("权利类型", 1.0),
        ("权利性质", 1.0),
        ("不动产权第", 2.0),
        ("使用期限", 0.5),
        ("用途", 0.3),
        ("面积", 0.3),
    ),
    "application_form": (
        ("申请表", 2.5),
        ("登记表", 1.5),
        ("申报表", 1.5),
        ("申请书", 1.5),
        ("申请人", 1.0),
        ("签字", 1.0),
        ("签名", 0.8),
        ("申请事项", 1.5),
        ("联系电话", 0.8),
        ("填表", 1.0),
        ("承诺", 0.8),
        ("日期", 0.3),
    ),
    "power_of_attorney": (
        ("授权委托书", 4.0),
        ("委托书", 1.5),
        ("委托人", 2.0),
        ("受托人", 2.0),
        ("委托事项", 2.0),
        ("委托权限", 1.0),
        ("委托期限", 1.0),
        ("代为办理", 1.0),
        ("特此委托", 1.5),
    ),
}
_TITLES: Final[dict[MaterialType, tuple[str, ...]]] = {
    "id_card_back": ("居民身份证",),
    "hukou_booklet": ("居民户口簿", "常住人口登记卡"),
    "marriage_certificate": ("结婚证",),
    "birth_certificate": ("出生医学证明",),
    "business_license": ("营业执照",),
    "social_security_card": ("社会保障卡",),
    "property_certificate": ("不动产权证书",),
    "power_of_attorney": ("委托书",),
}
_CARD_TYPES: Final = frozenset({"id_card_front", "id_card_back", "social_security_card"})
_FORM_TITLE: Final = re.compile(r"(表|表格|申请书|申报书|承诺书|情况说明)$")
_ID_LIKE: Final = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_DATE: Final = r"\d{4}[.\-年]\d{1,2}[.\-月]\d{1,2}"
_VALIDITY: Final = re.compile(rf"{_DATE}日?[-—~至]+(?:{_DATE}|长期)")
_PATTERNS: Final[dict[MaterialType, tuple[tuple[str, re.Pattern[str], float], ...]]] = {
    "id_card_front": (("身份号码格式", _ID_LIKE, 1.0),),
    "id_card_back": (("有效期格式", _VALIDITY, 2.0),),
}


# ----------------------------------------------------------------------------------------- text lines


@dataclass(frozen=True)
class TextLine:
    """One line in reading order: ``display`` keeps the document's characters (NFKC, no spaces),
    ``match`` is the same line 繁→简, character for character, for matching."""

    display: str
    match: str
    page: int
    score: float = 1.0


def _nfkc_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char)
    return folded if len(folded) == 1 else char


def _simplified_same_length(text: str) -> str:
    converted = to_simplified(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in text)


def make_line(text: str, page: int = 0, score: float = 1.0) -> TextLine:
    """A ``TextLine`` from raw text: NFKC per character, whitespace removed, aligned 繁→简 form."""
    display = "".join(_nfkc_char(c) for c in text)
    match = _simplified_same_length(display)
    keep = [i for i, c in enumerate(display) if not c.isspace()]
    return TextLine("".join(display[i] for i in keep), "".join(match[i] for i in keep), page, score)


def _slope(lines: list[OcrLine]) -> float:
    """The page's skew: the median slope of the top edges of boxes wider than tall (tl → tr)."""
    slopes = sorted(
        (b[1][1] - b[0][1]) / (b[1][0] - b[0][0])
        for b in (line.box for line in lines if len(line.box) == 4)
        if b[1][0] - b[0][0] > abs(b[3][1] - b[0][1])
    )
    return slopes[len(slopes) // 2] if slopes else 0.0


def _rows(lines: list[OcrLine]) -> list[tuple[str, float]]:
    """OCR boxes grouped into rows and read left to right (text order without boxes).

    Centres are measured along the page's skew, so a photo taken at an angle still pairs each label
    with the value beside it; two boxes share a row when their centres differ by under half a line.
    """
    if not lines or any(len(line.box) < 2 for line in lines):
        return [(line.text, line.score) for line in lines]
    slope = _slope(lines)

    def extent(line: OcrLine) -> tuple[float, float, float]:
        xs, ys = [p[0] for p in line.box], [p[1] for p in line.box]
        centre_x, centre_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
        height = max(ys) - min(ys) - abs(slope) * (max(xs) - min(xs))
        return centre_y - slope * centre_x, max(height, 1.0), min(xs)

    rows: list[list[tuple[float, float, float, OcrLine]]] = []
    for line in sorted(lines, key=lambda item: extent(item)[0]):
        centre, height, left = extent(line)
        if rows:
            row_centre = sum(item[0] for item in rows[-1]) / len(rows[-1])
            row_height = min(item[1] for item in rows[-1])
            if abs(centre - row_centre) < 0.5 * min(height, row_height):
                rows[-1].append((centre, height, left, line))
                continue
        rows.append([(centre, height, left, line)])
    out = []
    for row in rows:
        ordered = [item[3] for item in sorted(row, key=lambda item: item[2])]
        weight = sum(max(len(line.text), 1) for line in ordered)
        score = sum(line.score * max(len(line.text), 1) for line in ordered) / weight
        out.append((" ".join(line.text for line in ordered), score))
    return out


def _page_rows(page: PageText) -> list[tuple[str, float]]:
    if page.source == "ocr" and page.lines:
        return _rows(page.lines)
    return [(text, 1.0) for text in page.text.splitlines()]


def text_lines(extracted: ExtractedFile) -> list[TextLine]:
    """Every non-empty line of every page, in reading order."""
    out = []
    for number, page in enumerate(extracted.pages):
        for text, score in _page_rows(page):
            line = make_line(text, number, score)
            if line.display:
                out.append(line)
    return out


# --------------------------------------------------------------------------------------------- cues


@functools.cache
def _fuzzy(cue: str) -> re.Pattern[str]:
    """The cue with any one character wrong."""
    chars = [re.escape(c) for c in cue]
    return re.compile("|".join("".join(chars[:i]) + "." + "".join(chars[i + 1 :]) for i in range(len(cue))))


def find_cue(text: str, cue: str) -> float:
    """1.0 when ``cue`` occurs in ``text``, 0.8 with one wrong character (cues of 4+), else 0."""
    if cue in text:
        return 1.0
    if len(cue) >= 4 and _fuzzy(cue).search(text):
        return 0.8
    return 0.0


def _scores(lines: list[TextLine]) -> dict[MaterialType, tuple[float, list[str]]]:
    text = "".join(line.match for line in lines)
    title_area = "\n".join(line.match for line in lines[:3])
    scores: dict[MaterialType, tuple[float, list[str]]] = {}
    for kind, cues in _CUES.items():
        total, found = 0.0, []
        for cue, weight in cues:
            hit = find_cue(text, cue)
            if hit:
                total += weight * hit
                found.append(cue if hit == 1.0 else f"{cue}~")
        for label, pattern, weight in _PATTERNS.get(kind, ()):
            if pattern.search(text):
                total += weight
                found.append(label)
        for title in _TITLES.get(kind, ()):
            if any(find_cue(line, title) for line in title_area.splitlines()):
                total += 2.0
                found.append(f"标题:{title}")
                break
        if kind == "application_form" and any(
            _FORM_TITLE.search(line) and len(line) <= 40 for line in title_area.splitlines()
        ):
            total += 4.0
            found.append("标题:表格")
        if kind in _CARD_TYPES and len(text) > _CARD_TEXT_LIMIT:
            total /= 2
            found.append("文字较多")
        scores[kind] = (total, found)
    return scores


def _confidence(best: float, second: float) -> float:
    strength = 1 - math.exp(-best / 3.5)
    margin = min(1.0, 0.5 + (best - second) / best) if best > 0 else 0.0
    return round(strength * margin, 3)


def classify_lines(lines: Iterable[TextLine]) -> Classification:
    """Classify already prepared lines (see :func:`text_lines`)."""
    lines = list(lines)
    if not any(line.match for line in lines):
        return Classification("unrecognised", 0.0, ())
    scores = _scores(lines)
    ranked = sorted(scores.items(), key=lambda item: item[1][0], reverse=True)
    (kind, (best, cues)), (_, (second, _)) = ranked[0], ranked[1]
    front, back = scores["id_card_front"][0], scores["id_card_back"][0]
    if kind == "id_card_back" and front >= 5.0 and back >= 5.0:  # both sides in one file: the front leads
        kind, best, cues = "id_card_front", front, [*scores["id_card_front"][1], "双面"]
        second = max(s for k, (s, _) in scores.items() if k not in ("id_card_front", "id_card_back"))
    confidence = _confidence(best, second)
    if best < MIN_SCORE or confidence < MIN_CONFIDENCE:
        return Classification("unrecognised", confidence, tuple(cues))
    return Classification(kind, confidence, tuple(cues))


def classify(extracted: ExtractedFile) -> Classification:
    """The material type of one file, with a confidence (0–1) and the cues that decided it."""
    return classify_lines(text_lines(extracted))
