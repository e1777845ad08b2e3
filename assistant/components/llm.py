"""Chat model for the optional LLM answerer: any OpenAI-compatible endpoint (vLLM, Ollama, a cloud API)."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.settings import Settings


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    """The configured chat model, or None when ``llm_mode`` is ``none`` (the offline default).

    No retries (a slow endpoint falls back to the extractive answer instead) and nothing that
    needs tiktoken: the model is only invoked and streamed, never asked to count tokens.
    """
    if settings.llm_mode == "none":
        return None
    from langchain_openai import ChatOpenAI  # lazy: only deployments with an endpoint pay for the import

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,  # type: ignore[arg-type]
        model=settings.llm_model,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        streaming=False,
    )
