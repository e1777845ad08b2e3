"""Client-side pieces of the citizen page: the page CSS (phone width, large text, print), the
适老化 toggle, whose choice persists in the browser's ``localStorage``, and the 重试 scripts (a failed
send keeps its text and client id in the page, so a retry is the same message to the server).

The CSS is injected by the toggle's own ``js_on_load``, so the page needs nothing from the code that
mounts it (``gr.mount_gradio_app`` would otherwise have to pass ``css=``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

LARGE_TEXT_KEY = "govassist-large-text"
LARGE_TEXT_CLASS = "govassist-large"

PAGE_CSS = """
.gradio-container { max-width: 960px !important; margin: 0 auto !important; }
#chat-window .message, #chat-window .prose { overflow-wrap: anywhere; }
#guide-options button, #chat-actions button { min-height: 44px; }
#display-settings { flex-wrap: nowrap; align-items: center; }
#script-toggle label { white-space: nowrap; }
details.citation { margin: 4px 0; }
#chat-window > [data-testid="status-tracker"]:has(.error) { display: none !important; }
#retry-bar { align-items: center; border: 2px solid #b45309; border-radius: 8px; padding: 6px 10px; }
#retry-bar:not(.govassist-shown) { display: none !important; }
#retry-button { white-space: nowrap; min-width: 5em; }
details.citation summary { cursor: pointer; text-decoration: underline; }
details.citation blockquote { margin: 4px 0 8px; padding-left: 8px; border-left: 3px solid #888; }
#large-text-toggle button { min-height: 44px; padding: 6px 14px; border: 2px solid currentColor;
  border-radius: 8px; background: transparent; color: inherit; font-size: 1rem; cursor: pointer; }
#large-text-toggle button:focus-visible, .gradio-container button:focus-visible { outline: 3px solid #ffbf00;
  outline-offset: 2px; }
@media (max-width: 480px) {
  .gradio-container { padding: 4px !important; }
  #chat-actions { flex-wrap: wrap; }
}
html.govassist-large .gradio-container {
  --text-xxs: 14px; --text-xs: 16px; --text-sm: 18px; --text-md: 21px; --text-lg: 24px; --text-xl: 28px;
  --text-xxl: 32px; --body-text-size: 21px; --block-label-text-size: 18px; --block-title-text-size: 20px;
  --button-large-text-size: 22px; --button-small-text-size: 18px; --input-text-size: 21px;
  --body-text-color: #000; --body-text-color-subdued: #1a1a1a; --background-fill-primary: #fff;
  --background-fill-secondary: #fff; --block-background-fill: #fff; --border-color-primary: #000;
  --input-background-fill: #fff; --color-accent: #0033a0; --color-accent-soft: #dfe7ff;
  --button-primary-background-fill: #0033a0; --button-primary-background-fill-hover: #002277;
  --button-primary-text-color: #fff; --button-secondary-background-fill: #fff;
  --button-secondary-text-color: #000; --button-secondary-border-color: #000;
  font-size: 21px; line-height: 1.7; color: #000; background: #fff;
}
html.govassist-large #chat-window .message, html.govassist-large .prose { font-size: 21px !important; }
html.govassist-large a { color: #0033a0; text-decoration: underline; }
@media print {
  body * { visibility: hidden; }
  #checklist-panel, #checklist-panel * { visibility: visible; }
  #checklist-panel { position: absolute; left: 0; top: 0; width: 100%; }
  #checklist-actions { display: none !important; }
}
"""

TOGGLE_TEXTS = ("大字模式", "标准字号")
"""What the large-text button says (off, on), set by ``TOGGLE_JS``."""

TOGGLE_HTML = (
    '<button type="button" aria-pressed="false" aria-label="大字高对比模式（适老化）">大字模式</button>'
)

TOGGLE_JS = (
    f"const KEY = {json.dumps(LARGE_TEXT_KEY)}; const CLS = {json.dumps(LARGE_TEXT_CLASS)};\n"
    f"const CSS = {json.dumps(PAGE_CSS)};\n"
    + """
if (!document.getElementById('govassist-style')) {
  const style = document.createElement('style');
  style.id = 'govassist-style';
  style.textContent = CSS;
  document.head.appendChild(style);
}
const root = document.documentElement;
const button = element.querySelector('button');
let stored = null;
try { stored = window.localStorage.getItem(KEY); } catch (e) { stored = null; }
const apply = (on) => {
  root.classList.toggle(CLS, on);
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? '标准字号' : '大字模式';
};
apply(stored === '1');
button.addEventListener('click', () => {
  const on = !root.classList.contains(CLS);
  try { window.localStorage.setItem(KEY, on ? '1' : '0'); } catch (e) { /* private mode: this visit only */ }
  apply(on);
});
"""
)

PRINT_JS = "() => { window.print(); }"

RETRY_TEXT = (
    "⚠️ 发送没有成功（网络中断或系统繁忙）。您的问题已保留，点“重试”会重新发送同一条问题，不会重复提交。"
)

PENDING_KEY = "govassist-pending"
"""``sessionStorage`` key of the message not yet answered: ``{text, id, typed}`` (this tab only)."""

SESSION_KEY = "govassist-session"
"""``sessionStorage`` key of the conversation's session id, so a reload shows the conversation again."""

_READ = (
    f"const KEY = {json.dumps(PENDING_KEY)};\n"
    "const readPending = () => { try { return JSON.parse(window.sessionStorage.getItem(KEY) || 'null'); }"
    " catch (e) { return window.govassistPending || null; } };\n"
)


_KEEP = """
const keep = (text, id, typed) => {
  if (!text || !String(text).trim()) return;
  window.govassistPending = { text: String(text), id: id, typed: typed };
  try { window.sessionStorage.setItem(KEY, JSON.stringify(window.govassistPending)); } catch (e) { }
};
const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)),
  (b) => b.toString(16).padStart(2, '0')).join('');
if (window.govassistRetryBar) window.govassistRetryBar.show(false);
"""


def _send_js(retry: bool) -> str:
    return (
        "(text, history, session, script, id, typed) => {\n"
        + _READ
        + _KEEP
        + f"const retrying = {json.dumps(retry)};\n"
        + """const pending = readPending();
if (retrying && pending) { text = pending.text; id = pending.id; typed = pending.typed !== false; }
else { id = newId(); typed = true; }
keep(text, id, typed);
return [text, history, session, script, id, typed];
}"""
    )


SEND_JS = _send_js(retry=False)
"""Before a typed message goes out: a fresh client id, kept with the text (in ``sessionStorage``, so a
reload keeps it too) until the answer arrives."""

RETRY_JS = _send_js(retry=True)
"""The 重试 button: the kept message again, with its client id (the server stores it once); a retried
click (an option, a starter question) leaves the input box alone."""


def click_js(texts: Sequence[str] | None = None) -> str:
    """Before a clicked message goes out (a guided option, a starter question, a “一件事”): a fresh
    client id, kept with the text it sends so that 重试 can send it again. ``texts`` maps a clicked
    Dataset index to that text; without it the clicked value is the text (an option button)."""
    return (
        "(value, history, session, script, id) => {\n"
        + _READ
        + _KEEP
        + f"const TEXTS = {json.dumps(list(texts) if texts is not None else None, ensure_ascii=False)};\n"
        + """id = newId();
keep(TEXTS ? TEXTS[value] : value, id, false);
return [value, history, session, script, id];
}"""
    )


ANSWERED_JS = (
    "() => {\n"
    + _READ
    + """window.govassistPending = null;
try { window.sessionStorage.removeItem(KEY); } catch (e) { }
if (window.govassistRetryBar) window.govassistRetryBar.show(false);
}"""
)
"""The answer arrived: forget the kept message, hide 重试."""

FAILED_JS = "() => { if (window.govassistRetryBar) window.govassistRetryBar.failed(); }"
"""The server said the turn failed: show 重试 (the text is already back in the box)."""

RETRY_BAR_JS = (
    _READ
    + """const bar = document.getElementById('retry-bar');
const box = () => document.querySelector('#question-input textarea');
const restore = (text, tries = 50) => {  // the input box may not be on the page yet after a reload
  const input = box();
  if (!input) { if (tries > 0) setTimeout(() => restore(text, tries - 1), 100); return; }
  if (input.value) return;
  input.value = text;
  input.dispatchEvent(new Event('input', { bubbles: true }));
};
const show = (on) => { if (bar) bar.classList.toggle('govassist-shown', on); };
const failed = () => {  // a typed text goes back into the box; a clicked one is only kept for 重试
  const pending = readPending();
  if (pending) { if (pending.typed !== false) restore(pending.text); show(true); }
};
window.govassistRetryBar = { show: show, failed: failed };
if (!window.govassistFetchWatched) {  // a send that never reaches the server, or gets a 5xx back
  window.govassistFetchWatched = true;
  const original = window.fetch.bind(window);
  window.fetch = async (resource, init) => {
    const url = typeof resource === 'string' ? resource : String(resource && resource.url);
    const pending = readPending();
    const ours = !!pending && url.includes('/queue/join') && !!init && typeof init.body === 'string'
      && init.body.includes(pending.id);
    let response;
    try { response = await original(resource, init); }
    catch (error) { if (ours) failed(); throw error; }
    if (ours && response.status >= 500) failed();
    return response;
  };
}
if (readPending()) failed();  // a message left unanswered before the page was reloaded
"""
)
"""Runs once when the page loads: watches the sends, and offers 重试 for a message left unanswered
(Gradio reloads the page after a lost connection comes back)."""

SAVE_SESSION_JS = (
    "(session) => {\n"
    f"const KEY = {json.dumps(SESSION_KEY)};\n"
    """try {
  if (session) window.sessionStorage.setItem(KEY, session); else window.sessionStorage.removeItem(KEY);
} catch (e) { }
}"""
)
"""Keep the session id in this tab (not ``localStorage``: a shared computer's next visitor must not see
the conversation)."""

READ_SESSION_JS = (
    "(session, saved) => {\n"
    f"const KEY = {json.dumps(SESSION_KEY)};\n"
    """let kept = '';
try { kept = window.sessionStorage.getItem(KEY) || ''; } catch (e) { }
return [kept, saved];
}"""
)
"""On load: the session id kept in this tab, for the server to restore the conversation."""
