"""A reload in the middle of a guided flow (Gradio reloads the page when a lost connection comes back):
the option buttons of the last question come back and still work; after the last answer, a reload
shows the checklist again, with download and print working."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.browser.conftest import LiveServer
from tests.ui.browser.pages import BOT, NEW_ANSWER, ask, open_page, reload_when_settled
from ui.citizen_assets import SESSION_KEY

OPTIONS = "#guide-options button:visible"
KEPT = f"() => sessionStorage.getItem('{SESSION_KEY}')"


def option_texts(page: Any) -> list[str]:
    options = page.locator(OPTIONS)
    return [options.nth(i).inner_text().strip() for i in range(options.count())]


def reload(page: Any) -> None:
    """Reload the tab once it keeps the session id, and wait until the conversation is back."""
    page.wait_for_function(KEPT)
    asked = page.locator("#chat-window [data-testid='user']").count()
    reload_when_settled(page)
    page.locator("#question-input textarea").wait_for(state="visible")
    page.locator("#chat-window [data-testid='user']").nth(asked - 1).wait_for()


def test_a_reload_mid_flow_brings_back_the_options_and_after_it_the_checklist(
    live_server: LiveServer, context: Any, shoot: Any, tmp_path: Path
) -> None:
    page = open_page(context, live_server.url)
    ask(page, "孩子刚出生要办什么")
    page.locator(OPTIONS).first.wait_for()
    before = page.locator(BOT).last.inner_text()
    page.locator(OPTIONS).first.click()
    page.wait_for_function(NEW_ANSWER, arg=[BOT, before])
    page.locator(OPTIONS).first.wait_for()
    offered = option_texts(page)
    assert len(offered) >= 2 and "上一步" in offered

    reload(page)
    page.locator(OPTIONS).first.wait_for()
    assert option_texts(page) == offered  # the same buttons, in the same order
    assert page.locator("#checklist-panel").is_hidden()
    shoot(page, "citizen-22-options-after-reload")

    for _ in range(6):  # answer the remaining questions by clicking, as before the reload
        question = page.locator(BOT).last.inner_text()
        if "需要准备的材料" in question:
            break
        page.locator(OPTIONS).first.click()
        page.wait_for_function(NEW_ANSWER, arg=[BOT, question])
    panel = page.locator("#checklist-panel")
    panel.wait_for(state="visible")
    finished = option_texts(page)
    listed = panel.inner_text()
    assert "需要准备的材料" in listed

    reload(page)
    panel.wait_for(state="visible")
    assert panel.inner_text() == listed
    assert option_texts(page) == finished  # 修改回答 / 重新选择事项 / 上传材料预审
    shoot(page, "citizen-23-checklist-after-reload")

    with page.expect_download() as download_info:
        page.locator("#checklist-download").click()
    saved = tmp_path / "checklist.md"
    download_info.value.save_as(saved)
    assert "需要准备的材料" in saved.read_text(encoding="utf-8")
    page.evaluate(
        "() => { window.govassistPrinted = 0; window.print = () => { window.govassistPrinted++; }; }"
    )
    page.locator("#checklist-print").click()
    page.wait_for_function("() => window.govassistPrinted === 1")

    edit = page.locator(OPTIONS).filter(has_text="修改回答")
    question = page.locator(BOT).last.inner_text()
    edit.click()  # the restored buttons still talk to the flow
    page.wait_for_function(NEW_ANSWER, arg=[BOT, question])
    assert "修改哪一项" in page.locator(BOT).last.inner_text()
