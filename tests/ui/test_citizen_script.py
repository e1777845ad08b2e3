"""The citizen page's fixed texts in the chosen script (``ui.citizen_script``): which texts are collected
from the built page, how they are split into the pieces the page shows, and their Traditional forms."""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import json

from assistant.chat import STARTER_QUESTIONS
from tests.ui.test_citizen import FakeChat
from ui.citizen import build_citizen_app
from ui.citizen_assets import RETRY_TEXT, TOGGLE_HTML
from ui.citizen_parts import UPLOAD_NOTICE
from ui.citizen_script import (
    LEARN_JS,
    fixed_texts,
    gradio_texts,
    pairs_json,
    script_pairs,
    script_texts_js,
    text_pieces,
)


def test_markdown_and_html_are_split_into_the_pieces_the_page_shows() -> None:
    emphasis, rest = UPLOAD_NOTICE.split("**")[1:]
    assert text_pieces(UPLOAD_NOTICE) == [emphasis, rest]  # the runs between the emphasis
    assert text_pieces(TOGGLE_HTML) == ["大字高对比模式（适老化）", "大字模式"]  # aria-label and text
    assert text_pieces(f'<p role="alert">{RETRY_TEXT}</p>') == [RETRY_TEXT]
    assert text_pieces("## 政务服务智能助手\n\n- 第一项\n1. 第二项") == [
        "## 政务服务智能助手\n\n- 第一项\n1. 第二项",
        "政务服务智能助手",
        "第一项",
        "第二项",
    ]
    assert text_pieces("OK 123") == []  # nothing to convert


def test_pairs_are_traditional_forms_of_texts_that_differ() -> None:
    pairs = dict(script_pairs(["重试", "发送", "上一步", "ABC", "发送"]))
    assert pairs == {"重试": "重試", "发送": "發送"}  # 上一步 reads the same in both scripts
    assert json.loads(pairs_json(["随父落户"])) == [["随父落户", "隨父落戶"]]


def test_every_fixed_text_of_the_citizen_page_is_collected() -> None:
    texts = fixed_texts(build_citizen_app(FakeChat()))  # type: ignore[arg-type]
    for expected in ("对话记录", "您的问题", "重试", "发送", "转人工", "下载清单", "打印清单", "开始预审"):
        assert expected in texts
    assert "请输入您想咨询的政务服务问题，按回车发送" in texts  # a placeholder
    assert any(RETRY_TEXT in text for text in texts)  # the 重试 bar (an HTML block)
    assert set(STARTER_QUESTIONS) <= set(texts)  # the examples
    assert "简体" not in texts  # the 简/繁 choice names itself in both scripts


def test_gradios_own_chinese_texts_come_from_its_bundle() -> None:
    texts = gradio_texts()
    assert {"清空对话", "设置", "赞"} <= set(texts)
    assert all("`" not in text for text in texts)


def test_the_page_script_carries_the_pairs_and_the_choice() -> None:
    script = script_texts_js([["发送", "發送"]], "#script-toggle")
    assert 'const PAIRS = [["发送", "發送"]];' in script
    assert 'const SELECTOR = "#script-toggle";' in script
    assert 'const TRADITIONAL = "繁體";' in script
    assert "window.govassistScriptTexts.learn(pairs)" in LEARN_JS
