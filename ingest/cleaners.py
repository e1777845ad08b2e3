"""Cleaners: turn the raw text of a loaded document into clean display text.

The display text keeps the document's own script and punctuation widths (no 繁→简, no NFKC):
normalisation for matching happens later, at indexing (:mod:`assistant.textnorm`). Every artifact
is detected by the *content* of the text (the shape of a line, the characters of a run), never by
the file it came from. :func:`clean_text` runs all cleaners in order and is idempotent.
"""

from __future__ import annotations

import functools
import gzip
import io
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.textnorm import to_simplified

ENGLISH_HEADING = "English text"
"""The line that separates the Chinese text from the English text of a bilingual document."""


@dataclass
class CleanResult:
    """Clean display text, the metadata recovered from the raw text, and what was changed."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# character classes
# ---------------------------------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
_HEADING_NUM = "一二三四五六七八九十百"
_HEADING_RE = re.compile(
    rf"^(?:[{_HEADING_NUM}]+、|[（(][{_HEADING_NUM}]+[）)]|第[{_HEADING_NUM}零〇\d]+[章节條条部篇]"
    r"|\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)]|附件|附表)"
)


def _is_han(char: str) -> bool:
    return bool(_HAN_RE.match(char))


def _short(line: str, width: int = 24) -> str:
    line = line.strip()
    return line if len(line) <= width else line[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------
# 1. Word-export artifacts
# ---------------------------------------------------------------------------------------------

_WORD_PLACEHOLDER_RE = re.compile(
    r"\[(?:bookmark|image|picture|img|graphic|chart|shape|object|comment|footnote|endnote|textbox)"
    r"\s*:[^\]\n]{0,200}\]",
    re.IGNORECASE,
)
# BOM / zero-width no-break space, zero-width space/joiners, word joiner, soft hyphen, LRM/RLM.
_INVISIBLE_RE = re.compile("[\ufeff\u200b\u200c\u200d\u2060\u00ad\u200e\u200f]")


def _strip_word_artifacts(text: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    placeholders = _WORD_PLACEHOLDER_RE.findall(text)
    if placeholders:
        text = _WORD_PLACEHOLDER_RE.sub("", text)
        shown = ", ".join(dict.fromkeys(placeholders[:5]))
        notes.append(f"removed {len(placeholders)} Word placeholder(s): {shown}")
    invisible = len(_INVISIBLE_RE.findall(text))
    if invisible:
        text = _INVISIBLE_RE.sub("", text)
        notes.append(f"removed {invisible} invisible character(s) (BOM, zero-width, soft hyphen)")
    return text, notes


def strip_word_artifacts(text: str) -> str:
    """Remove Word-export placeholders (``[bookmark: …]``, ``[image: …]``), BOMs, zero-width
    characters and soft hyphens."""
    return _strip_word_artifacts(text)[0]


# ---------------------------------------------------------------------------------------------
# file-name title line (e.g. "中英对照2023关于….docx")
# ---------------------------------------------------------------------------------------------

_FILE_NAME_LINE_RE = re.compile(
    r"^[ \t\u3000]*(?P<stem>[^\n/\\]{1,200}?)\.(?:docx?|wps|pdf|txt|rtf|odt|html?)[ \t\u3000]*$",
    re.IGNORECASE,
)


def extract_source_title(text: str) -> tuple[str, dict[str, str]]:
    """If the first non-blank line is a file name (``….docx``), remove it and return its stem
    as ``source_title``."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = _FILE_NAME_LINE_RE.match(line)
        if match is None:
            return text, {}
        del lines[i]
        return "\n".join(lines), {"source_title": match.group("stem").strip()}
    return text, {}


# ---------------------------------------------------------------------------------------------
# 2. web-page metadata table
# ---------------------------------------------------------------------------------------------

_WEB_META_KEYS = (
    "索引号", "索引號", "主题分类", "主題分類", "发文机关", "發文機關", "成文日期", "标题", "標題",
    "发文字号", "發文字號", "发布日期", "發布日期", "公文种类", "公文種類", "来源", "來源", "文号",
    "文號", "发布机构", "發布機構", "生效日期", "有效性", "废止日期", "主题词", "主題詞", "体裁分类",
    "组配分类", "信息来源", "责任部门", "实施日期",
)  # fmt: skip
_WEB_KEY_PATTERN = "|".join(
    r"[ \u3000]*".join(map(re.escape, key)) for key in sorted(_WEB_META_KEYS, key=len, reverse=True)
)
_WEB_KEY_CELL_RE = re.compile(rf"^(?P<key>{_WEB_KEY_PATTERN})[ \u3000]*[：:][ \u3000]*(?P<value>.*)$")
_WEB_META_HEAD_LINES = 15  # the table sits in the first non-blank lines of a copied page


def _parse_table_line(line: str) -> list[tuple[str, str]] | None:
    cells = [cell.strip() for cell in re.split(r"\t+| {3,}|\u3000{2,}", line) if cell.strip()]
    pairs: list[tuple[str, str]] = []
    for cell in cells:
        match = _WEB_KEY_CELL_RE.match(cell)
        if match:
            key = to_simplified(re.sub(r"[ \u3000]", "", match.group("key")))
            pairs.append((key, match.group("value").strip()))
        elif pairs:
            key, value = pairs[-1]
            pairs[-1] = (key, f"{value} {cell}".strip())
        else:
            return None
    return pairs or None


def _extract_web_metadata(text: str) -> tuple[str, dict[str, str], int]:
    lines = text.split("\n")
    metadata: dict[str, str] = {}
    removed = 0
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > _WEB_META_HEAD_LINES:
            break
        pairs = _parse_table_line(line)
        if pairs is None:
            continue
        for key, value in pairs:
            if value:
                metadata.setdefault(key, value)
        lines[i] = ""
        removed += 1
    if not removed:
        return text, {}, 0
    return "\n".join(lines), metadata, removed


def extract_web_metadata(text: str) -> tuple[str, dict[str, str]]:
    """Parse the metadata table of a copied web page (``索引号：\\t…\\t主题分类：\\t…``) into a dict
    with normalised keys (``标 题`` → ``标题``) and remove the table lines."""
    text, metadata, _ = _extract_web_metadata(text)
    return text, metadata


# ---------------------------------------------------------------------------------------------
# 3. web-page boilerplate (footers, headers, page controls, dangling attachment heading)
# ---------------------------------------------------------------------------------------------

_MAX_BOILERPLATE_LINE = 150
_BOILERPLATE_START_RE = re.compile(
    r"^(?:扫一扫在手机(?:上)?打开当前页|扫一扫在手机打開當前頁|用手机扫描二维码"
    r"|(?:主办|承办|协办|运行维护|运维|技术支持|主辦|承辦|協辦|運行維護|運維)(?:单位|單位)[ \u3000]*[：:]"
    r"|(?:版权所有|版權所有)[ \u3000]*(?:[：:©(（]|$)|Copyright\b|©"
    r"|中文域名[ \u3000]*[：:]|网站标识码|網站標識碼|(?:网站地图|联系我们)(?=$|[ \u3000|｜/:：])"
    r"|(?:当前位置|您现在的位置|你现在的位置|您的位置|當前位置)[ \u3000]*[：:]|首页[ \u3000]*[>＞»›])",
    re.IGNORECASE,
)
_BOILERPLATE_ANYWHERE_RE = re.compile(r"ICP[备備证證]\s*\d|公网安备\s*\d|公網安備\s*\d")
_PAGE_CONTROL_TOKENS = re.compile(
    r"^(?:字[体號号][：:]?|打印本页|打印|关闭窗口|关闭|收藏|分享到|分享|默认|返回顶部|保存|我要纠错|纠错"
    r"|大|中|小|微信|微博|QQ空间|浏览次数[：:]?\d*)+$"
)


def _is_boilerplate_line(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > _MAX_BOILERPLATE_LINE:
        return False
    if _BOILERPLATE_START_RE.match(line):
        return True
    if _BOILERPLATE_ANYWHERE_RE.search(line) and "。" not in line:
        return True
    controls = re.sub(r"[【】\[\]|｜/·•\s]", "", line)
    return (
        len(controls) >= 2
        and bool(_PAGE_CONTROL_TOKENS.match(controls))
        and (
            "字" in controls
            or any(w in controls for w in ("打印", "关闭", "收藏", "分享", "纠错", "返回顶部"))
        )
    )


_ATTACHMENT_HEADING_RE = re.compile(r"^(?:附件|附表)[ \u3000]*\d{0,2}[ \u3000]*$")


def _drop_dangling_attachment(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop a trailing ``附件`` heading (plus its title lines) whose body is missing."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    for back in range(1, min(4, len(content) - 2) + 1):  # keep at least two lines of body
        idx = content[-back]
        if not _ATTACHMENT_HEADING_RE.match(lines[idx].strip()):
            continue
        titles = [lines[i].strip() for i in content[-back + 1 :]] if back > 1 else []
        if all(len(t) <= 40 and not re.search(r"[。；;]", t) for t in titles):
            dropped = [lines[idx].strip(), *titles]
            return lines[:idx], dropped
    return lines, []


def _strip_web_boilerplate(text: str) -> tuple[str, list[str], list[str]]:
    lines = text.split("\n")
    removed = [line.strip() for line in lines if _is_boilerplate_line(line)]
    kept = [line for line in lines if not _is_boilerplate_line(line)]
    kept, dropped = _drop_dangling_attachment(kept)
    if not removed and not dropped:
        return text, [], []
    return "\n".join(kept), removed, dropped


def strip_web_boilerplate(text: str) -> str:
    """Remove web-site footer/header lines (扫一扫…, 主办单位：…, 版权所有：…, ICP备…, 【字体：大 中 小】…)
    matched by their shape, and a dangling ``附件`` heading left at the very end without its body."""
    return _strip_web_boilerplate(text)[0]


# ---------------------------------------------------------------------------------------------
# 4. mis-encoded runs (GBK / Big5 bytes decoded out of step)
# ---------------------------------------------------------------------------------------------

_MOJIBAKE_SITE_RE = re.compile("[?\ufffd]")
_MOJIBAKE_MAX_RUN = 300  # characters read out of step after the lost byte
_MOJIBAKE_CONTEXT = 4
_MOJIBAKE_MARGIN = 1.0  # mean natural-log gain per character under the word-frequency model
_MOJIBAKE_CONFIDENCE = 4.0  # how much better the guessed lost character must be than the runner-up
_MOJIBAKE_CODECS = ("gbk", "big5")
_MOJIBAKE_PRIOR_WEIGHT = 1.5
_LOST_CHAR = "〓"  # geta mark: the typesetter's sign for a character that cannot be restored
_LOST_MARKS_RE = re.compile("[?\ufffd〓]")
_COMMON_PUNCT = frozenset("，。、；：！“”‘’（）《》〈〉【】〔〕「」『』—…·,.;:!()%-/0123456789")
_PUNCT_STYLE = (("（）", "()"), ("，", ","), ("：", ":"), ("；", ";"), ("！", "!"))  # (full, half) widths


@functools.lru_cache(maxsize=8192)
def _is_common_char(char: str) -> bool:
    """Common punctuation/digit, or a CJK character in GB2312 (after 繁→简) or Big5 level 1."""
    if char in _COMMON_PUNCT:
        return True
    if not _is_han(char):
        return False
    try:
        gb = to_simplified(char).encode("gb2312")
        if len(gb) == 2 and 0xB0 <= gb[0] <= 0xF7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        big5 = char.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(big5) == 2 and 0xA440 <= int.from_bytes(big5, "big") <= 0xC67E


def _odd_count(text: str) -> int:
    return sum(not _is_common_char(c) for c in text)


@functools.cache
def _word_model() -> Any:
    import jieba  # lazy: the dictionary loads on first use

    jieba.dt.check_initialized()
    return jieba.dt


def _lm_score(text: str) -> float:
    """Log-probability of the best segmentation of ``text`` under jieba's word frequencies."""
    model = _word_model()
    sentence = to_simplified(text)
    dag = model.get_DAG(sentence)
    freq: dict[str, int] = model.FREQ
    logtotal = math.log(model.total)
    route: dict[int, float] = {len(sentence): 0.0}
    for idx in range(len(sentence) - 1, -1, -1):
        route[idx] = max(
            math.log(freq.get(sentence[idx : x + 1]) or 1) - logtotal + route[x + 1] for x in dag[idx]
        )
    return route[0]


def _lm_per_char(text: str) -> float:
    """Mean log-probability per character, markers of lost bytes left out."""
    text = _LOST_MARKS_RE.sub("", text)
    return _lm_score(text) / len(text) if text else 0.0


def _punct_style(candidate: str, text: str) -> str:
    """Give the punctuation of a repaired run the width the document uses for it."""
    for full, half in _PUNCT_STYLE:
        n_full, n_half = sum(map(text.count, full)), sum(map(text.count, half))
        if n_half > n_full:
            candidate = candidate.translate(str.maketrans(full, half))
        elif n_full > n_half:
            candidate = candidate.translate(str.maketrans(half, full))
    return candidate


@dataclass(frozen=True)
class _ShiftedRun:
    """Characters decoded out of step after a lost lead byte, as the bytes they came from."""

    codec: str
    end: int  # index just after the run (after the U+FFFD that closes it, if any)
    raw: bytes
    lost_trail: bool  # closed by U+FFFD: the trail byte of the last character was lost too


def _shifted_run(text: str, pos: int, codec: str) -> _ShiftedRun | None:
    """The out-of-step run after ``pos``: two-byte characters up to a U+FFFD (a lost trail byte)
    or an ASCII character that is really the trail byte of the last character (e.g. ``^``)."""
    raw = bytearray()
    for i in range(pos + 1, min(len(text), pos + 1 + _MOJIBAKE_MAX_RUN)):
        char = text[i]
        if char == "\ufffd":
            return _ShiftedRun(codec, i + 1, bytes(raw), True) if raw else None
        if char.isascii():
            if 0x40 <= ord(char) <= 0x7E:
                return _ShiftedRun(codec, i + 1, bytes([*raw, ord(char)]), False)
            return None
        try:
            encoded = char.encode(codec)
        except UnicodeEncodeError:
            return None
        if len(encoded) != 2:
            return None
        raw += encoded
    return None


def _decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _best_option(options: Iterator[str | None], score: Callable[[str], float]) -> tuple[str, float] | None:
    """The best-scoring common single character and its lead over the runner-up."""
    scored = sorted(
        ((score(o), o) for o in set(options) if o is not None and len(o) == 1 and not _odd_count(o)),
        reverse=True,
    )
    if not scored:
        return None
    gap = scored[0][0] - scored[1][0] if len(scored) > 1 else math.inf
    return scored[0][1], gap


def _realign(run: _ShiftedRun, left: str, right: str, prior: Callable[[str], float]) -> str | None:
    """Re-decode ``run``: the bytes after the lost lead byte decode in step again; the character
    of the lost lead (and trail) byte is guessed from the context, or marked 〓 when the guess is
    not clearly better than the runner-up."""
    raw = run.raw
    middle = _decode(raw[1:-1] if run.lost_trail else raw[1:], run.codec)
    if not middle or _odd_count(middle):
        return None  # the bytes that decode in step are the evidence: there must be some
    first = _best_option(
        (_decode(bytes([lead]) + raw[:1], run.codec) for lead in range(0x81, 0xFF)),
        lambda c: _lm_score(left + c + middle[:_MOJIBAKE_CONTEXT]) + prior(c),
    )
    first_char = first[0] if first and first[1] >= _MOJIBAKE_CONFIDENCE else _LOST_CHAR
    last_char = ""
    if run.lost_trail:
        trails = [*range(0x40, 0x7F), *range(0x80, 0xFF)]
        tail = (first_char + middle)[-_MOJIBAKE_CONTEXT:]
        last = _best_option(
            (_decode(raw[-1:] + bytes([trail]), run.codec) for trail in trails),
            lambda c: _lm_score(tail + c + right) + prior(c),
        )
        last_char = last[0] if last and last[1] >= _MOJIBAKE_CONFIDENCE else _LOST_CHAR
    return first_char + middle + last_char


def _repair_site(text: str, pos: int, prior: Callable[[str], float]) -> tuple[int, str] | None:
    """Repair the run starting with the lost byte at ``pos``: (end of run, replacement) or None."""
    before = text[pos - 1] if pos else ""
    after = text[pos + 1] if pos + 1 < len(text) else ""
    if not (_is_han(before) or (after and not after.isascii())):
        return None
    line_start = text.rfind("\n", 0, pos) + 1
    left = text[max(line_start, pos - _MOJIBAKE_CONTEXT) : pos]
    best: tuple[float, int, str] | None = None
    for codec in _MOJIBAKE_CODECS:
        run = _shifted_run(text, pos, codec)
        if run is None:
            continue
        right = text[run.end : run.end + _MOJIBAKE_CONTEXT].split("\n", 1)[0]
        candidate = _realign(run, left, right, prior)
        if candidate is None:
            continue
        gain = _lm_per_char(left + candidate + right) - _lm_per_char(left + text[pos : run.end] + right)
        if gain >= _MOJIBAKE_MARGIN and (best is None or gain > best[0]):
            best = (gain, run.end, candidate)
    if best is None:
        return None
    return best[1], _punct_style(best[2], text)


def repair_mojibake(text: str) -> tuple[str, list[str]]:
    """Repair runs where a lost GBK/Big5 lead byte (shown as ``?`` or U+FFFD) threw the following
    bytes out of step, e.g. ``各?。ㄗ灾螀^`` → ``各省(自治區``; returns (text, notes).

    The run's bytes are decoded again one byte on; the character of the lost byte is chosen among
    all lead bytes by a word-frequency model (jieba) in context. A repair is accepted only if the
    re-aligned characters are common ones and the text scores clearly better; a lost character
    that cannot be chosen with confidence is marked 〓. Ordinary text is left unchanged.
    """
    if not _MOJIBAKE_SITE_RE.search(text):
        return text, []
    notes: list[str] = []
    out: list[str] = []
    start = 0
    counts = Counter(text)

    def prior(char: str) -> float:  # characters the document uses elsewhere are likelier
        return _MOJIBAKE_PRIOR_WEIGHT * math.log1p(counts[char])

    for match in _MOJIBAKE_SITE_RE.finditer(text):
        pos = match.start()
        if pos < start:
            continue
        repaired = _repair_site(text, pos, prior)
        if repaired is None:
            continue
        end, replacement = repaired
        out.append(text[start:pos])
        out.append(replacement)
        ctx = text[pos - 1] if pos and text[pos - 1] != "\n" else ""
        lost = " (characters that cannot be restored are marked 〓)" if _LOST_CHAR in replacement else ""
        notes.append(f"repaired mis-encoded text: '{ctx}{text[pos:end]}' → '{ctx}{replacement}'{lost}")
        start = end
    if not notes:
        return text, []
    out.append(text[start:])
    return "".join(out), notes


# ---------------------------------------------------------------------------------------------
# 5. bilingual (Chinese/English interleaved, English without spaces)
# ---------------------------------------------------------------------------------------------

_LONG_LATIN_RUN_RE = re.compile(r"[A-Za-z]{25,}")
_MIN_RUN_TOGETHER_LETTERS = 150
_MIN_HAN_FOR_BILINGUAL = 20


def is_bilingual(text: str) -> bool:
    """Whether ``text`` mixes Chinese with run-together English (long Latin runs without spaces)."""
    latin = sum(len(m) for m in _LONG_LATIN_RUN_RE.findall(text))
    return latin >= _MIN_RUN_TOGETHER_LETTERS and len(_HAN_RE.findall(text)) >= _MIN_HAN_FOR_BILINGUAL


def _script(char: str) -> str:
    if char.isascii():
        return "en" if char.isalpha() else ""
    if _is_han(char) or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef" or char in "“”、":
        return "zh"
    return ""


_CLOSING = frozenset(".,;:!?)]}\"'*%")


def _script_segments(line: str) -> list[tuple[str, str]]:
    """Split a line into ("zh" | "en", text) segments; neutral characters join a neighbour."""
    runs: list[list[str]] = []  # [script, text]; "" = neutral (digits, ASCII punctuation, spaces)
    for char in line:
        script = _script(char)
        if runs and runs[-1][0] == script:
            runs[-1][1] += char
        else:
            runs.append([script, char])
    resolved: list[tuple[str, str]] = []
    for i, (script, chunk) in enumerate(runs):
        prev = runs[i - 1][0] if i else ""
        nxt = runs[i + 1][0] if i + 1 < len(runs) else ""
        if script:
            resolved.append((script, chunk))
        elif not prev or not nxt or prev == nxt:
            resolved.append((prev or nxt or "zh", chunk))
        else:  # between two scripts: closing punctuation stays left, the rest goes right
            cut = 0
            while cut < len(chunk) and (chunk[cut] in _CLOSING or chunk[cut].isspace()):
                cut += 1
            resolved += [(prev, chunk[:cut]), (nxt, chunk[cut:])]
    merged: list[tuple[str, str]] = []
    for script, chunk in resolved:
        if not chunk:
            continue
        if merged and merged[-1][0] == script:
            merged[-1] = (script, merged[-1][1] + chunk)
        else:
            merged.append((script, chunk))
    return merged


# -- Chinese side --------------------------------------------------------------------------------

_ZH_TERMINAL = "。！？；：!?;:”」』）)"
_ZH_SECTION_BREAK_RE = re.compile(rf"(?<=[{re.escape(_ZH_TERMINAL)}])\s*(?=[{_HEADING_NUM}]{{1,3}}、)")
_ZH_SUBSECTION_RE = re.compile(rf"[（(][{_HEADING_NUM}]{{1,3}}[）)]")
_ZH_DOC_NUMBER_RE = re.compile(r"[（(][^（）()\n]{1,12}[〔\[(（]\d{4}[〕\])）]\d{1,4}[号號][）)]")
_ZH_TITLE_MAX = 200
_ZH_SENTENCE_RE = re.compile(r"[^。！？!?；;：:\n]+(?:[。！？!?；;：:]+[”’」』]?|$)")


def _break_subsections(line: str) -> str:
    """Break before （一）/(一) after a sentence end, or once after a run-in ``一、`` heading."""
    in_heading = bool(re.match(rf"[{_HEADING_NUM}]{{1,3}}、", line))
    out = ""
    last = 0
    for match in _ZH_SUBSECTION_RE.finditer(line):
        start = match.start()
        before = line[:start].rstrip()
        if before and (before[-1] in _ZH_TERMINAL or in_heading):
            out += line[last:start].rstrip() + "\n"
            last = start
            in_heading = False
    return out + line[last:]


def _zh_paragraphs(text: str) -> str:
    """Put Chinese headings (一、 （一） (一)), the document number and the addressee line on
    lines of their own."""
    text = _ZH_SECTION_BREAK_RE.sub("\n", text)
    text = "\n".join(_break_subsections(line) for line in text.split("\n"))
    number = _ZH_DOC_NUMBER_RE.search(text)
    if number and number.start() <= _ZH_TITLE_MAX:
        cuts = [number.end()]
        addressee = re.match(r"[^。\n:：]{2,60}[：:]", text[number.end() :])
        if addressee:
            cuts.append(number.end() + addressee.end())
        for cut in reversed(cuts):
            text = text[:cut] + "\n" + text[cut:]
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def _dedupe_sentences(text: str) -> tuple[str, int]:
    """Drop repeated Chinese sentences and paragraphs (keep the first occurrence)."""
    seen: set[str] = set()
    dropped = 0
    paragraphs: list[str] = []
    for paragraph in text.split("\n"):
        kept: list[str] = []
        for sentence in _ZH_SENTENCE_RE.findall(paragraph):
            key = re.sub(r"\s+", "", sentence)
            if len(key) >= 8 and key in seen:
                dropped += 1
                continue
            seen.add(key)
            kept.append(sentence)
        if "".join(kept).strip():
            paragraphs.append("".join(kept).strip())
    return "\n".join(paragraphs), dropped


def _join_zh_pieces(pieces: list[str]) -> str:
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and (out[-1] in _ZH_TERMINAL or _HEADING_RE.match(piece)):
            out += "\n"
        out += piece
    return out


# -- English side --------------------------------------------------------------------------------

_EXTRA_ENGLISH_WORDS = (
    "shall", "thereby", "hereby", "herein", "thereof", "whereas", "unimpeded", "grassroots",
    "bottleneck", "bottlenecks", "municipalities", "autonomous", "jinping", "xiaoping", "zedong",
    "macao", "hukou",
)  # fmt: skip
_EXTRA_WORDS_RANK = 300  # inserted after the 300 most frequent words of wordninja's list


@functools.cache
def _english_splitter() -> Callable[[str], list[str]]:
    """wordninja's model with a few words of legal English moved up the frequency list."""
    import wordninja

    path = os.path.join(os.path.dirname(wordninja.__file__), "wordninja", "wordninja_words.txt.gz")
    try:
        with gzip.open(path) as handle:
            words = handle.read().decode().split()
    except OSError:
        return lambda s: list(wordninja.split(s))
    extra = set(_EXTRA_ENGLISH_WORDS)
    words = [w for w in words if w not in extra]
    words[_EXTRA_WORDS_RANK:_EXTRA_WORDS_RANK] = list(_EXTRA_ENGLISH_WORDS)
    model = wordninja.LanguageModel(io.BytesIO(gzip.compress(" ".join(words).encode())))
    return lambda s: list(model.split(s))


_CAMEL_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+(?:'[a-z]+)*'?|[A-Z]+(?:'[a-z]*)?|'[a-z]*")
_SHORT_WORDS = frozenset(
    {"a", "i", "am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my",
     "no", "of", "on", "or", "so", "to", "up", "us", "we"}
)  # fmt: skip


def _split_words(letters: str) -> list[str]:
    """Restore the spaces in a run of letters (camel-case boundaries first, then wordninja)."""
    split = _english_splitter()
    words: list[str] = []
    for piece in _CAMEL_RE.findall(letters):
        if piece.startswith("'") and words:
            words[-1] += piece
            continue
        parts = split(piece) if len(piece) > 2 else [piece]
        joined = "".join(parts)
        if joined != piece:
            lost_final_quote = piece.endswith("'") and joined == piece[:-1] and bool(parts)
            parts = [*parts[:-1], parts[-1] + "'"] if lost_final_quote else [piece]
        proper_noun = piece[:1].isupper() and piece[1:].islower() and len(piece) <= 12
        if proper_noun and any(len(p) <= 2 and p.lower() not in _SHORT_WORDS for p in parts):
            parts = [piece]
        for part in parts:
            if part.startswith("'") and words:
                words[-1] += part
            else:
                words.append(part)
    return words


_LETTERS_PER_SPACE = 15
_LONG_WORD = 20  # a "word" this long in spaced English is words run together
_EN_TOKEN_RE = re.compile(
    r"(?P<abbr>(?<![A-Za-z])(?:i\.e\.|e\.g\.|etc\.|No\.|Nos\.|Art\.|Vol\.))"
    r"|(?P<enum>(?<![A-Za-z0-9])[IVX]{1,5}\.(?=\s*[A-Z])|(?<![\d.,])\d{1,2}\.(?=\s*[A-Z]))"
    r"|(?P<num>\d+(?:[.,:/\-]\d+)*)"
    r"|(?P<word>[A-Za-z']+)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)"
)
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}%*")
_NO_SPACE_AFTER = frozenset("([{$")
_GLUE = frozenset("-/>_<@&+=~^`|\\’")
_EN_LABELS = (
    "Document Number", "Area of Law", "Level of Authority", "Issuing Authority", "Date Issued",
    "Effective Date", "Promulgation Date", "Expiration Date", "Status",
)  # fmt: skip
_EN_LABEL_RE = re.compile(rf" (?=(?:{'|'.join(map(re.escape, _EN_LABELS))}): )")


def _is_run_together(english: str) -> bool:
    """Whether English text lost its spaces (fewer than one space per 15 letters)."""
    letters = sum(c.isascii() and c.isalpha() for c in english)
    return letters > 0 and english.count(" ") * _LETTERS_PER_SPACE < letters


def _english_text(raw: str) -> tuple[str, int]:
    """Rebuild run-together English with spaces; one paragraph per line. Returns (text, words)."""
    run_together = _is_run_together(raw)
    pieces: list[tuple[str, str]] = []
    for match in _EN_TOKEN_RE.finditer(raw):
        kind = match.lastgroup or "other"
        if kind == "word" and (run_together or len(match.group()) > _LONG_WORD):
            pieces.extend(("word", w) for w in _split_words(match.group()))
        elif kind != "space":
            pieces.append((kind, match.group()))
    out = ""
    in_quote = False
    no_space_next = True
    for kind, token in pieces:
        if kind == "enum":
            out = out.rstrip() + "\n" + token
            no_space_next = in_quote = False
            continue
        if token == '"':
            if in_quote:
                out += token
            else:
                out += ("" if no_space_next else " ") + token
            no_space_next = not in_quote
            in_quote = not in_quote
            continue
        if token in _NO_SPACE_BEFORE or token in _GLUE or no_space_next or out.endswith("\n"):
            out += token
        else:
            out += " " + token
        no_space_next = token in _NO_SPACE_AFTER or token in _GLUE
    out = _EN_LABEL_RE.sub("\n", out.strip())
    first_line = out.split("\n", 1)[0]
    if len(first_line) >= 30:
        again = out.find(" " + first_line, len(first_line))
        if again > 0:
            out = out[:again] + "\n" + out[again + 1 :]
    paragraphs = [line.strip() for line in out.split("\n") if line.strip()]
    return "\n".join(paragraphs), sum(kind == "word" for kind, _ in pieces)


def _join_en_pieces(pieces: list[str]) -> str:
    """Join English pieces: run-together text may be cut mid-word (wordninja re-splits it)."""
    spaced = not _is_run_together(" ".join(pieces))
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if piece:
            out += (" " if out and (spaced or out[-1] in ".:;!?") else "") + piece
    return out


def _split_bilingual(text: str) -> tuple[str, str, list[str]]:
    text, _ = extract_source_title(text)
    zh_pieces: list[str] = []
    en_pieces: list[str] = []
    for line in text.split("\n"):
        for script, chunk in _script_segments(line):
            (zh_pieces if script == "zh" else en_pieces).append(chunk)
    zh, dropped = _dedupe_sentences(_zh_paragraphs(_join_zh_pieces(zh_pieces)))
    en, words = _english_text(_join_en_pieces(en_pieces))
    note = (
        f"split bilingual text: {zh.count(chr(10)) + 1 if zh else 0} Chinese paragraph(s), "
        f"{en.count(chr(10)) + 1 if en else 0} English paragraph(s) ({words} words, spaces restored)"
    )
    notes = [note]
    if dropped:
        notes.append(f"removed {dropped} duplicated Chinese sentence(s)")
    return zh, en, notes


def split_bilingual(text: str) -> tuple[str, str]:
    """Separate interleaved Chinese and run-together English: (chinese_text, english_text).

    Chinese pieces are re-joined in order (a sentence cut by an English block is whole again),
    repeated sentences dropped and headings put on lines of their own; the English gets its
    spaces back (wordninja) and one paragraph per numbered section. A leading file-name line
    (``….docx``) is left out (see :func:`extract_source_title`).
    """
    zh, en, _ = _split_bilingual(text)
    return zh, en


# ---------------------------------------------------------------------------------------------
# 6. whitespace, broken paragraphs, text metadata, language
# ---------------------------------------------------------------------------------------------

_SPACE_RUN_RE = re.compile(r"[ \t\u3000\xa0]*\t[ \t\u3000\xa0]*|[ \t\u3000\xa0]{2,}")
_HAN_SPACE_HAN_RE = re.compile(f"(?<=[{_HAN}])[ \u3000\xa0]+(?=[{_HAN}])")
_BROKEN_LINE_MIN = 80


def _normalize_whitespace(text: str) -> tuple[str, list[str]]:
    notes: list[str] = []
    raw_lines = text.split("\n")
    if raw_lines[-1] == "":  # the end of the last line is not a blank line
        raw_lines.pop()
    stripped = [line.strip() for line in raw_lines]
    n_stripped = sum(a != b and bool(b) for a, b in zip(raw_lines, stripped, strict=True))
    lines = [line for line in stripped if line]
    n_blank = len(stripped) - len(lines)
    n_spaces = 0
    out: list[str] = []
    for line in lines:
        new = _SPACE_RUN_RE.sub(" ", line)
        new = _HAN_SPACE_HAN_RE.sub("", new)
        n_spaces += new != line
        out.append(new)
    joined: list[str] = []
    n_joined = 0
    for line in out:
        prev = joined[-1] if joined else ""
        if (
            len(prev) >= _BROKEN_LINE_MIN
            and _is_han(prev[-1])
            and _is_han(line[0])
            and not _HEADING_RE.match(line)
        ):
            joined[-1] = prev + line
            n_joined += 1
        else:
            joined.append(line)
    if n_stripped:
        notes.append(f"stripped leading/trailing whitespace on {n_stripped} line(s)")
    if n_blank:
        notes.append(f"removed {n_blank} blank line(s)")
    if n_spaces:
        notes.append(f"collapsed spaces in {n_spaces} line(s)")
    if n_joined:
        notes.append(f"re-joined {n_joined} paragraph(s) broken across lines")
    return "\n".join(joined), notes


def normalize_whitespace(text: str) -> str:
    """Strip every line, drop blank lines, collapse space runs (and spaces between two Chinese
    characters), and re-join a long paragraph that was broken in the middle of a sentence."""
    return _normalize_whitespace(text)[0]


_DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[(（]\d{4}[〕\])）]\d{1,5}[号號]")
_TITLE_RE = re.compile(
    r"^(?P<title>[^。\n]{2,80}?(?:关于|關於)[^。\n]{2,120}?(?:的)?"
    r"(?:指导意见|指導意見|实施意见|實施意見|意见|意見|通知|决定|決定|办法|辦法|规定|規定|方案|批复|批覆|通告|公告|报告|報告|条例|條例))"
)
_DATE_LINE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_ISSUER_RE = re.compile(
    r"^[\u4e00-\u9fff]{2,20}(?:国务院|國務院|办公厅|辦公廳|人民政府|委员会|委員會|部|局|署|院|办公室|辦公室)$"
)


def extract_text_metadata(text: str) -> dict[str, str]:
    """Recover 标题, 发文字号, 发文机关 and 成文日期 from the body (title and number lines near the
    top, the signature block at the end), in the document's own script."""
    metadata: dict[str, str] = {}
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    head = lines[:5]
    for line in head[:3]:
        match = _TITLE_RE.match(line)
        if match and not _HEADING_RE.match(line):
            metadata["标题"] = _HAN_SPACE_HAN_RE.sub("", match.group("title")).strip()
            break
    for line in head:
        match = _DOC_NUMBER_RE.search(line)
        if match and len(line) <= 120:
            metadata["发文字号"] = match.group(0)
            break
    tail = lines[-6:]
    for i in range(len(tail) - 1, 0, -1):
        if _DATE_LINE_RE.match(tail[i]) and _ISSUER_RE.match(tail[i - 1]):
            metadata["发文机关"] = tail[i - 1]
            metadata["成文日期"] = tail[i]
            break
    else:
        if lines and _ISSUER_RE.match(lines[-1]) and len(lines[-1]) <= 20:
            metadata["发文机关"] = lines[-1]
    return metadata


_TRADITIONAL_SHARE = 0.05  # share of CJK characters that 繁→简 changes
_MIN_ENGLISH_LETTERS = 20


def detect_language(text: str) -> str:
    """``zh-Hant`` when a significant share of the CJK characters are Traditional, else ``zh-Hans``;
    ``+en`` when the text carries an English part after an ``English text`` heading; ``en`` for
    text without Chinese."""
    chars = _HAN_RE.findall(text)
    unique = sorted(set(chars))
    simplified = to_simplified("\n".join(unique)).split("\n") if unique else []
    changed_set = (
        {c for c, s in zip(unique, simplified, strict=True) if c != s}
        if len(simplified) == len(unique)
        else set()
    )
    changed = sum(c in changed_set for c in chars)
    if not chars and len(re.findall(r"[A-Za-z]", text)) >= _MIN_ENGLISH_LETTERS:
        return "en"
    traditional = bool(chars) and changed >= 2 and changed / len(chars) >= _TRADITIONAL_SHARE
    language = "zh-Hant" if traditional else "zh-Hans"
    lines = text.split("\n")
    if ENGLISH_HEADING in lines:
        english = "\n".join(lines[lines.index(ENGLISH_HEADING) + 1 :])
        if len(re.findall(r"[A-Za-z]", english)) >= _MIN_ENGLISH_LETTERS:
            language += "+en"
    return language


# ---------------------------------------------------------------------------------------------
# the pipeline
# ---------------------------------------------------------------------------------------------


def clean_text(raw: str) -> CleanResult:
    """Run every cleaner in order and return the display text, recovered metadata and notes.

    Order: Word artifacts → file-name line → web metadata table → web boilerplate → mis-encoded
    runs → (bilingual split) → whitespace. Idempotent on its own output.
    """
    notes: list[str] = []
    metadata: dict[str, str] = {}
    text = raw.replace("\r\n", "\n").replace("\r", "\n")

    text, word_notes = _strip_word_artifacts(text)
    notes += word_notes

    text, file_meta = extract_source_title(text)
    if file_meta:
        metadata.update(file_meta)
        notes.append(f"moved file-name line to metadata source_title: '{_short(file_meta['source_title'])}'")

    text, web_meta, table_lines = _extract_web_metadata(text)
    if web_meta:
        metadata.update(web_meta)
        notes.append(
            f"extracted {len(web_meta)} metadata field(s) from the web page table "
            f"({', '.join(web_meta)}); removed {table_lines} table line(s)"
        )

    text, boiler, attachment = _strip_web_boilerplate(text)
    if boiler:
        notes.append(f"removed {len(boiler)} web footer/header line(s): " + " | ".join(map(_short, boiler)))
    if attachment:
        notes.append(
            "dropped dangling attachment heading at the end (body missing): '" + " / ".join(attachment) + "'"
        )

    text, repair_notes = repair_mojibake(text)
    notes += repair_notes

    bilingual = is_bilingual(text)
    if bilingual:
        zh, en, split_notes = _split_bilingual(text)
        notes += split_notes
        text = f"{zh}\n{ENGLISH_HEADING}\n{en}" if en else zh

    text, ws_notes = _normalize_whitespace(text)
    notes += ws_notes

    zh_part = text.split(f"\n{ENGLISH_HEADING}\n", 1)[0]
    for key, value in extract_text_metadata(zh_part).items():
        metadata.setdefault(key, value)
    metadata["language"] = detect_language(text)
    return CleanResult(text=text, metadata=metadata, notes=notes)
