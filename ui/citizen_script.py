"""The citizen page's fixed texts in the chosen script: labels, buttons, placeholders and notices follow
the 简体 / 繁體 choice the way the answers do.

The components keep their Simplified text (the values a click sends, what the server matches); only what
the page shows changes. ``install_script_texts`` collects every fixed text of the built page (labels,
placeholders, button texts, Markdown and HTML blocks, example questions) and Gradio's own Chinese texts,
pairs each with its Traditional form (OpenCC, as the answers are converted) and adds a page-load script
that swaps the shown text nodes and ``aria-label`` / ``placeholder`` / ``title`` attributes whenever the
choice or the page changes. The option buttons' texts are added as they are shown (``LEARN_JS``).
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import gradio as gr

from ui.citizen_render import TRADITIONAL, to_script

_TAG = re.compile(r"<[^>]*>")
_ATTRIBUTE = re.compile(r'(?:aria-label|placeholder|title)="([^"]*)"')
_MARKUP = re.compile(r"\*\*|__|\n+|^\s*(?:#+|[-*>]|\d+\.)\s+", re.MULTILINE)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"`([^`]+)`")
SKIP = (
    "#script-toggle, [data-testid='user'], [data-testid='bot'], #checklist-view, #ticket-status, "
    "#prereview-report, #chat-notice, script, style"
)
"""Parts the script leaves alone: the 简/繁 choice itself (named in both scripts) and what the server
already writes in the chosen script (messages, checklist, ticket, report, notices)."""


def text_pieces(text: str) -> list[str]:
    """The pieces of ``text`` that the page shows as separate text nodes or attributes: the whole text,
    its lines and the runs between Markdown emphasis or HTML tags, and its HTML attribute texts."""
    pieces = [text, *(html.unescape(a) for a in _ATTRIBUTE.findall(text))]
    plain = html.unescape(_TAG.sub("\n", text))
    pieces += [piece for piece in _MARKUP.split(plain)]
    shown = (p.strip() for p in pieces if "<" not in p and "**" not in p)
    return [p for p in dict.fromkeys(shown) if _HAN.search(p)]


def fixed_texts(app: gr.Blocks) -> list[str]:
    """Every text the built page shows on its own: labels, placeholders, values of buttons, Markdown
    and HTML blocks, and the examples of datasets (the 简/繁 choice is left out)."""
    found: list[str] = []
    for block in app.blocks.values():
        if getattr(block, "elem_id", None) == "script-toggle":
            continue
        for name in ("label", "placeholder", "info", "value"):
            value = getattr(block, name, None)
            if isinstance(value, str):
                found.append(value)
        for sample in getattr(block, "samples", None) or []:
            found += [value for value in sample if isinstance(value, str)]
    return found


@functools.cache
def gradio_texts() -> tuple[str, ...]:
    """The Simplified texts Gradio itself shows (its ``zh-CN`` translations: 清空对话, 设置, 赞 …),
    read from the installed Gradio's page bundle; none when the bundle has no such file."""
    assets = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    texts: list[str] = []
    for bundle in sorted(assets.glob("zh-CN-*.js")):
        texts += [text for text in _QUOTED.findall(bundle.read_text(encoding="utf-8")) if _HAN.search(text)]
    return tuple(dict.fromkeys(texts))


def script_pairs(texts: Iterable[str]) -> list[list[str]]:
    """``[simplified, traditional]`` for each piece of ``texts`` that differs between the scripts."""
    pairs: dict[str, str] = {}
    for text in texts:
        for piece in text_pieces(text):
            shown = to_script(piece, TRADITIONAL)
            if shown != piece:
                pairs.setdefault(piece, shown)
    return [[simplified, traditional] for simplified, traditional in pairs.items()]


_SCRIPT = """(() => {
if (window.govassistScriptWatched) return;
window.govassistScriptWatched = true;
const PAIRS = __PAIRS__;
const SELECTOR = __SELECTOR__;
const TRADITIONAL = __TRADITIONAL__;
const SKIP = __SKIP__;
const ATTRIBUTES = ['aria-label', 'placeholder', 'title'];
const toTraditional = new Map(PAIRS);
const toSimplified = new Map(PAIRS.map(([s, t]) => [t, s]));
const traditional = () => {
  const chosen = document.querySelector(SELECTOR + ' input:checked');
  return !!chosen && chosen.value === TRADITIONAL;
};
const swap = (text, table) => {
  const key = (text || '').trim();
  const to = key ? table.get(key) : undefined;
  return to === undefined ? null : text.replace(key, () => to);
};
const fixText = (node, table) => {
  const shown = swap(node.nodeValue, table);
  if (shown !== null && shown !== node.nodeValue) node.nodeValue = shown;
};
const fixAttributes = (element, table) => {
  for (const name of ATTRIBUTES) {
    const shown = element.hasAttribute(name) ? swap(element.getAttribute(name), table) : null;
    if (shown !== null && shown !== element.getAttribute(name)) element.setAttribute(name, shown);
  }
};
const skipped = (node) => {
  const element = node.nodeType === 1 ? node : node.parentElement;
  return !element || !!element.closest(SKIP);
};
const convert = (root, table) => {
  if (skipped(root)) return;
  if (root.nodeType === 3) { fixText(root, table); return; }
  if (root.nodeType !== 1) return;
  fixAttributes(root, table);
  const accept = (n) => (n.nodeType === 1 && n.matches(SKIP) ? NodeFilter.FILTER_REJECT
    : NodeFilter.FILTER_ACCEPT);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT,
    { acceptNode: accept });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.nodeType === 3) fixText(node, table); else fixAttributes(node, table);
  }
};
let mode = traditional();
const table = () => (mode ? toTraditional : toSimplified);
const sweep = () => { mode = traditional(); convert(document.body, table()); };
new MutationObserver((records) => {
  if (traditional() !== mode) { sweep(); return; }
  const current = table();
  for (const record of records) {
    if (record.type === 'childList') record.addedNodes.forEach((node) => convert(node, current));
    else if (record.type === 'characterData') {
      if (!skipped(record.target)) fixText(record.target, current);
    }
    else if (ATTRIBUTES.includes(record.attributeName) && !skipped(record.target)) {
      fixAttributes(record.target, current);
    }
  }
}).observe(document.body, {
  childList: true, subtree: true, characterData: true, attributes: true,
  attributeFilter: [...ATTRIBUTES, 'class', 'aria-checked'],
});
document.addEventListener('change', (event) => {
  if (event.target && event.target.closest && event.target.closest(SELECTOR)) sweep();
}, true);
const learn = (text) => {  // more pairs (the texts of the option buttons shown now), as JSON
  let pairs = [];
  try { pairs = JSON.parse(text || '[]'); } catch (e) { return; }
  for (const [simplified, traditional] of pairs) {
    toTraditional.set(simplified, traditional);
    toSimplified.set(traditional, simplified);
  }
  sweep();
};
window.govassistScriptTexts = { sweep: sweep, learn: learn };
sweep();
})()"""


def pairs_json(texts: Iterable[str]) -> str:
    """``script_pairs`` of ``texts`` as the JSON that ``LEARN_JS`` reads."""
    return json.dumps(script_pairs(texts), ensure_ascii=False)


LEARN_JS = "(pairs) => { if (window.govassistScriptTexts) window.govassistScriptTexts.learn(pairs); }"
"""Adds the pairs of texts shown later (option buttons) to the page's table."""


def script_texts_js(pairs: list[list[str]], script_selector: str) -> str:
    """The page-load script for ``pairs`` (see ``script_pairs``) and the 简/繁 radio's selector."""
    return (
        _SCRIPT.replace("__PAIRS__", json.dumps(pairs, ensure_ascii=False))
        .replace("__SELECTOR__", json.dumps(script_selector))
        .replace("__TRADITIONAL__", json.dumps(TRADITIONAL, ensure_ascii=False))
        .replace("__SKIP__", json.dumps(SKIP))
    )


def install_script_texts(app: gr.Blocks, script_selector: str, extra: Iterable[str] = ()) -> None:
    """Show ``app``'s fixed texts (and ``extra``: texts its scripts write) in the chosen script; call
    last inside ``with app:``, once every component exists."""
    pairs = script_pairs([*fixed_texts(app), *gradio_texts(), *extra])
    js: Any = f"() => {{ {script_texts_js(pairs, script_selector)}; }}"
    app.load(None, None, None, js=js)
