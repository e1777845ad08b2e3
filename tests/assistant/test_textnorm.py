"""Tests for assistant.textnorm: NFKC, Traditional→Simplified, whitespace, normalised containment."""

from __future__ import annotations

import pytest

from assistant.textnorm import contains_normalized, normalize, to_simplified


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("（一）", "(一)"),
        ("（一）指导思想", "(一)指导思想"),
        ("申请ＡＰＰ：１２３４５热线", "申请APP:12345热线"),
    ],
)
def test_normalize_full_width_to_half_width(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("國務院關於", "国务院关于"),
        ("辦事", "办事"),
        ("營業執照遺失後怎麼補辦", "营业执照遗失后怎么补办"),
    ],
)
def test_normalize_traditional_to_simplified(traditional: str, simplified: str) -> None:
    assert normalize(traditional) == simplified
    assert to_simplified(traditional) == simplified


def test_simplified_text_is_unchanged() -> None:
    text = "国务院关于加快推进政务服务标准化的指导意见"
    assert normalize(text) == text
    assert to_simplified(text) == text


def test_normalize_keeps_letter_case() -> None:
    assert normalize("Hello 政务App") == "Hello 政务App"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("办理   营业执照", "办理 营业执照"),
        ("办理\u3000\u3000营业执照", "办理 营业执照"),
        ("办理\t \u3000\xa0营业执照", "办理 营业执照"),
        ("  \u3000前后空格\u3000 ", "前后空格"),
    ],
)
def test_normalize_collapses_and_strips_spaces(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_combines_all_steps() -> None:
    assert normalize("\u3000國務院（ＡＢＣ）  辦事\u3000指南 ") == "国务院(ABC) 办事 指南"


def test_empty_string() -> None:
    assert normalize("") == ""
    assert to_simplified("") == ""
    assert normalize(" \u3000\t") == ""


@pytest.mark.parametrize(
    ("haystack", "needle"),
    [
        ("國務院關於加快推進政務服務的意見", "国务院关于"),
        ("国务院关于加快推进政务服务的意见", "國務院關於"),
        ("下载政务ＡＰＰ即可办理", "app"),
        ("下载政务app即可办理", "ＡＰＰ"),
        ("拨打１２３４５热线", "12345"),
        ("办事\u3000\u3000指南", "办事 指南"),
        ("任意文本", ""),
        ("", ""),
    ],
)
def test_contains_normalized_matches_across_scripts_widths_and_cases(haystack: str, needle: str) -> None:
    assert contains_normalized(haystack, needle)


@pytest.mark.parametrize(
    ("haystack", "needle"),
    [
        ("营业执照遗失补办", "身份证"),
        ("", "证"),
        ("办事指南", "办事  流程"),
    ],
)
def test_contains_normalized_rejects_absent_text(haystack: str, needle: str) -> None:
    assert not contains_normalized(haystack, needle)
