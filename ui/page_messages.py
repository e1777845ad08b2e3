"""Gradio's own notices in Chinese: the toast titles (Error, Warning …), the connection messages and the
close button's label are English in Gradio's bundle whatever the browser's language.

``install_chinese_messages`` adds a page-load script that watches for toasts and replaces the known
English texts with Simplified Chinese, or Traditional when the page's 简/繁 choice (``script_selector``)
is 繁體 (the page's own toasts are written in the chosen script by its handlers).
"""

from __future__ import annotations

import json

import gradio as gr

from ui.citizen_render import TRADITIONAL, to_script

GRADIO_MESSAGES: dict[str, str] = {
    "Error": "出错了",
    "Warning": "提示",
    "Info": "提示",
    "Success": "成功",
    "Connection Lost": "连接中断",
    "Close": "关闭",
    "Connection to the server was lost. Attempting reconnection...": (
        "与服务器的连接中断了，正在重新连接……您输入的内容会保留。"
    ),
    "Connection errored out.": "连接出错了，请检查网络后重试。",
    "This application is currently busy. Please try again.": "系统繁忙，请稍后重试。",
    "An Unexpected Error Occurred!": "出现意外错误，请稍后重试。",
    "Dependency function failed": "处理失败，请稍后重试。",
    "Error executing custom JS:": "页面脚本出错：",
}
"""Gradio's English text (trimmed) → what the page shows instead (Simplified)."""

_SCRIPT = """(() => {
const TABLE = __TABLE__;
const SCRIPT_SELECTOR = __SELECTOR__;
const TRADITIONAL = __TRADITIONAL__;
if (window.govassistMessagesWatched) return;
window.govassistMessagesWatched = true;
const traditional = () => {
  if (!SCRIPT_SELECTOR) return false;
  const chosen = document.querySelector(SCRIPT_SELECTOR + ' input:checked');
  return !!chosen && chosen.value === TRADITIONAL;
};
const SERVER = /^Server returned (\\d+)/;
const render = (text) => {
  const key = text.trim();
  const pair = TABLE[key];
  if (pair) return traditional() ? pair[1] : pair[0];
  const server = SERVER.exec(key);
  if (server) return (traditional() ? TABLE['Server returned'][1] : TABLE['Server returned'][0])
    .replace('{0}', server[1]);
  return null;
};
const fix = (toast) => {
  const walker = document.createTreeWalker(toast, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const shown = render(node.nodeValue || '');
    if (shown !== null && shown !== node.nodeValue.trim()) node.nodeValue = shown;
  }
  toast.querySelectorAll('[aria-label]').forEach((el) => {
    const shown = render(el.getAttribute('aria-label') || '');
    if (shown !== null) el.setAttribute('aria-label', shown);
  });
};
const sweep = () => document.querySelectorAll('[data-testid="toast-body"]').forEach(fix);
let queued = false;
new MutationObserver((records) => {
  if (queued) return;
  if (!records.some((r) => r.target.closest && r.target.closest('.toast-wrap, [data-testid="toast-body"]')
      || Array.from(r.addedNodes).some((n) => n.nodeType === 1 && (n.matches('[data-testid="toast-body"]')
      || n.querySelector('[data-testid="toast-body"]'))))) return;
  queued = true;
  queueMicrotask(() => { queued = false; sweep(); });
}).observe(document.body, { childList: true, subtree: true, characterData: true });
sweep();
})()"""


def _pair(text: str) -> list[str]:
    return [text, to_script(text, TRADITIONAL)]


def messages_js(script_selector: str | None = None) -> str:
    """The page-load script; ``script_selector`` is the 简/繁 radio's selector (None: always Simplified)."""
    table = {english: _pair(chinese) for english, chinese in GRADIO_MESSAGES.items()}
    table["Server returned"] = _pair("服务器返回错误（{0}），请稍后重试。")
    return (
        _SCRIPT.replace("__TABLE__", json.dumps(table, ensure_ascii=False))
        .replace("__SELECTOR__", json.dumps(script_selector))
        .replace("__TRADITIONAL__", json.dumps(TRADITIONAL, ensure_ascii=False))
    )


def install_chinese_messages(app: gr.Blocks, script_selector: str | None = None) -> None:
    """Run :func:`messages_js` when ``app``'s page loads (call inside ``with app:``)."""
    app.load(None, None, None, js=f"() => {{ {messages_js(script_selector)}; }}")
