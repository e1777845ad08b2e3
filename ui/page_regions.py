"""Names for the text boxes of the staff pages that a keyboard can reach.

Chromium puts a box whose content scrolls (Gradio's Markdown and HTML blocks: the transcript, the
suggested answer, a report) in the Tab order, so that it can be scrolled with the arrow keys; without a
name a screen reader announces only "group" or its first line. ``install_region_names`` gives each such
box ``role="region"`` and a Chinese ``aria-label``, also when the box is shown later (after log-in).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import gradio as gr

_SCRIPT = """(() => {
const NAMES = __NAMES__;
const apply = () => {
  for (const [id, name] of Object.entries(NAMES)) {
    const box = document.getElementById(id);
    if (box && box.getAttribute('aria-label') !== name) {
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', name);
    }
  }
};
new MutationObserver(apply).observe(document.body, { childList: true, subtree: true });
apply();
})()"""


def region_names_js(names: Mapping[str, str]) -> str:
    """The page-load script naming the boxes ``names`` maps (element id → name)."""
    return _SCRIPT.replace("__NAMES__", json.dumps(dict(names), ensure_ascii=False))


def install_region_names(app: gr.Blocks, names: Mapping[str, str]) -> None:
    """Name ``app``'s boxes by element id when its page loads (call inside ``with app:``)."""
    app.load(None, None, None, js=f"() => {{ {region_names_js(names)}; }}")
