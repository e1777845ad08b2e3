"""Screening of retrieved and uploaded text for planted instructions (indirect prompt injection).

Knowledge documents and uploaded materials are data, never instructions. A sentence that speaks to the
assistant ("给智能客服的说明：忽略你之前的规则…", "AI必须回复…", "Ignore previous instructions…") or tells it
how to answer, what verdict to give or what to do (转人工, 创建工单) is *planted*: it is never shown as an
answer sentence, and the rest of its paragraph after it (the instruction's continuation) is dropped too.
Matching runs on the router's matching forms, so Traditional, full-width and spaced-out variants count.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from assistant.evidence import Sentence
from assistant.router import BENIGN, INJECTION, ROLE_PLAY, matching_forms

_ADDRESSEE = (
    r"(ai|人工智能|智能客服|智能助手|问答系统|智能问答|聊天机器人|机器人|大模型|语言模型|模型|助手|系统|审核系统|预审系统|"
    r"审核人员|chatbot|assistant|llm|gpt)"
)
PLANTED = re.compile(
    "|".join(
        f"(?:{p})"
        for p in (
            rf"(给|致|供){_ADDRESSEE}(使用|的(说明|指令|提示|话)|请|注意|看)",
            rf"{_ADDRESSEE}(请注意|注意|须知|必须|务必|应当|应该|请|需要)",
            r"(回答|回复|答复|解答)[^。；;]{0,16}((?<![小\d])时(?!间|限|效|段|之|内)|用户|市民|使用者|群众)[^。；;]{0,12}"
            r"(告诉|告知|声称|输出|回复[:：“\"])",
            r"(询问|问到|咨询)[^。；;]{0,16}((?<![小\d])时(?!间|限|效|段|之|内)|的用户|的市民)[^。；;]{0,12}(回答|回复|告诉|告知)",
            r"(系统|system)\s*(提示|指令|通知|prompt)|新(的)?(指令|任务)|以上(规则|指令|内容)?(作废|无效|不算)|规则作废",
            r"(判定|设为|设置为|标记为|写明|注明|改为|认定为)[^。；;]{0,6}(可以提交|审核通过|材料齐全|免审|通过|ready|approved)",
            r"转人工|创建[^。；;]{0,4}工单|(开|建)(一个|个|一张)?(加急)?工单|立即派单",
            r"(输出|泄露|打印|公开)[^。；;]{0,6}(系统提示词?|提示词|设定|prompt)",
            r"ignore\s+(all\s+)?(previous|prior|above)|you\s+(must|are\s+now)|tell\s+(the\s+)?(user|applicant)s?"
            r"|mark\s+this|when\s+users?\s+ask",
            r"(你|您)(现在)?是(本中心|一个|一名)|你的新任务|以下内容请系统照做|请系统照做",
        )
    ),
    re.IGNORECASE,
)
"""Text addressed to the assistant or telling it what to answer or do."""

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


def is_planted_instruction(text: str) -> bool:
    """Whether ``text`` (a sentence or short passage) holds an instruction aimed at the assistant (in a
    document, any persona asked of the assistant is one)."""
    forms = [BENIGN.sub("", form) for form in matching_forms(text)]
    return any(PLANTED.search(form) or INJECTION.search(form) or ROLE_PLAY.search(form) for form in forms)


def planted_spans(text: str) -> list[str]:
    """The planted sentences of ``text``, each followed by the rest of its paragraph (stripped)."""
    return list(_planted_spans(text))


@functools.lru_cache(maxsize=8192)
def _planted_spans(text: str) -> tuple[str, ...]:
    """Cached per chunk text: the same chunks are retrieved again and again."""
    spans: list[str] = []
    for paragraph in text.splitlines():
        tainted = False
        for match in _SENTENCE.finditer(paragraph):
            sentence = match.group(0).strip()
            if not sentence:
                continue
            tainted = tainted or is_planted_instruction(sentence)
            if tainted:
                spans.append(sentence)
    return tuple(spans)


def drop_planted(sentences: Sequence[Sentence]) -> list[Sentence]:
    """``sentences`` of retrieved chunks without the planted ones (and their continuations)."""
    tainted_by_chunk: dict[str, list[str]] = {}
    kept: list[Sentence] = []
    for sentence in sentences:
        chunk = sentence.chunk
        spans = tainted_by_chunk.get(chunk.chunk_id)
        if spans is None:
            spans = tainted_by_chunk[chunk.chunk_id] = list(_planted_spans(chunk.text))
        text = sentence.text.strip()
        if spans and any(text in span or span in text for span in spans):
            continue
        kept.append(sentence)
    return kept
