"""The optional LLM judge: the configuration's chat model grades each answer against its sources.

Off by default. A configuration turns it on with ``workbench: {judge: true}`` next to its LLM
settings (``llm_mode: openai`` …); the chat suites (``qa``, ``behaviour``) then ask the model to grade
every answered item from 1 to 5 and store the grade, its reason and the raw reply per item; the item's
``judge_score`` is (grade − 1) / 4. The prompt and the model are written into metrics.json and the
report. A reply that is not a grade is recorded as a judge error and leaves the item without a score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.privacy import mask_pii
from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

JUDGE_PROMPT = """你是政务服务问答的评审员。你会看到市民的问题、助手的回答和回答所依据的资料。
请只依据资料评判回答，给出 1 到 5 的整数分：
5 = 准确、完整，每个事实都能在资料中找到；4 = 准确但略有遗漏；3 = 部分回答了问题；
2 = 答非所问或有明显遗漏；1 = 含有资料中没有的事实或与资料矛盾。
只输出一行 JSON：{"score": 整数, "reason": "一句话理由"}"""

MAX_SOURCE_CHARS = 600
_GRADE = re.compile(r'"score"\s*:\s*"?([1-5])\b')


@dataclass(frozen=True)
class Grade:
    score: int | None
    reason: str
    raw: str
    error: str = ""

    @property
    def normalized(self) -> float | None:
        """The grade on 0–1 ((score − 1) / 4), None without a grade."""
        return (self.score - 1) / 4 if self.score is not None else None

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "reason": self.reason, "raw": self.raw[:500], "error": self.error}


def parse_grade(raw: str) -> Grade:
    """The grade in a reply: the JSON object it holds, else a ``"score": n`` fragment; else an error."""
    start, end = raw.find("{"), raw.rfind("}")
    if 0 <= start < end:
        try:
            data = json.loads(raw[start : end + 1])
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("score"), int | str):
            score = str(data["score"]).strip()
            if score in {"1", "2", "3", "4", "5"}:
                return Grade(int(score), str(data.get("reason", ""))[:300], raw)
    match = _GRADE.search(raw)
    if match:
        return Grade(int(match.group(1)), "", raw)
    return Grade(None, "", raw, "the reply holds no grade from 1 to 5")


class Judge:
    """Grades answers with one chat model."""

    def __init__(self, model: BaseChatModel, model_name: str = "") -> None:
        self.model = model
        self.model_name = model_name

    @staticmethod
    def messages(question: str, answer: str, sources: Sequence[dict[str, Any]]) -> list[Any]:
        """The judge's prompt for one answer (personal data masked, as for the answering model)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        blocks = [
            f"[{i}] 《{s.get('title', '')}》\n{str(s.get('snippet', ''))[:MAX_SOURCE_CHARS]}"
            for i, s in enumerate(sources, start=1)
        ]
        user = f"问题：{mask_pii(question)}\n\n回答：{mask_pii(answer)}\n\n资料：\n" + (
            "\n\n".join(blocks) or "（无）"
        )
        return [SystemMessage(JUDGE_PROMPT), HumanMessage(user)]

    def grade(self, question: str, answer: str, sources: Sequence[dict[str, Any]]) -> Grade:
        """The model's grade; a failing call is a judge error, not a crash of the item."""
        try:
            reply = self.model.invoke(self.messages(question, answer, sources))
        except Exception as error:  # endpoint down or slow: this item has no grade
            return Grade(None, "", "", f"{type(error).__name__}: {error}")
        content = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
        return parse_grade(content)


def judge_for(settings: Settings) -> Judge:
    """The judge over the configuration's endpoint; ValueError when it has none."""
    from assistant.components.llm import build_chat_model

    model = build_chat_model(settings)
    if model is None:
        raise ValueError("the LLM judge needs an endpoint (llm_mode: openai and llm_base_url)")
    return Judge(model, settings.llm_model)
