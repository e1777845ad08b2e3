"""Configurations compared in one run: each a YAML mapping of settings fields over the environment's.

A configuration that changes how the index is built (embedding model, chunking, …) gets its own index
folder under the run dir, so the product's index is never rebuilt with another model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.settings import Settings

INDEX_FIELDS = frozenset(
    {
        "embedding_mode",
        "embedding_model",
        "embedding_max_tokens",
        "chunk_max_chars",
        "chunk_overlap_chars",
        "chunk_min_chars",
        "index_guides",
        "knowledge_dir",
        "collection_name",
    }
)


class ConfigError(ValueError):
    """A configuration that cannot be used (bad file, unknown field, unreachable LLM endpoint)."""


WORKBENCH_OPTIONS = frozenset({"judge"})
"""Keys of a configuration's ``workbench:`` mapping: options of the evaluation, not settings."""


@dataclass(frozen=True)
class Config:
    name: str
    overrides: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    judge: bool = False
    """Grade the chat suites' answers with the configuration's LLM (evals/workbench/judge.py)."""


def load_config(path: Path) -> Config:
    """Read one override file; every key must be a settings field, except the ``workbench:`` options."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings fields")
    options = data.pop("workbench", None) or {}
    if not isinstance(options, dict) or set(options) - WORKBENCH_OPTIONS:
        raise ConfigError(f"{path}: 'workbench' takes only {', '.join(sorted(WORKBENCH_OPTIONS))}")
    if not isinstance(options.get("judge", False), bool):
        raise ConfigError(f"{path}: workbench.judge must be true or false")
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"{path}: not settings fields: {', '.join(map(str, unknown))}")
    return Config(path.stem, dict(data), str(path), bool(options.get("judge", False)))


def load_configs(paths: list[Path]) -> list[Config]:
    """The configurations to compare (the environment's settings as ``default`` when none); the first
    is the reference the others are compared with. Names are file stems, made unique."""
    configs = [load_config(p) for p in paths] or [Config("default")]
    names: set[str] = set()
    unique: list[Config] = []
    for config in configs:
        name, n = config.name, 2
        while name in names:
            name, n = f"{config.name}-{n}", n + 1
        names.add(name)
        unique.append(Config(name, config.overrides, config.path, config.judge))
    return unique


def settings_for(config: Config, run_dir: Path) -> Settings:
    """The settings of one configuration (validated), with its own index when it changes the index."""
    overrides = dict(config.overrides)
    if INDEX_FIELDS & set(overrides) and "data_dir" not in overrides:
        overrides["data_dir"] = run_dir / "index" / config.name
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(f"configuration {config.name}: {error}") from error


def check_llm(settings: Settings, timeout_s: float = 5.0) -> None:
    """Raise ConfigError when an LLM endpoint is configured but does not answer ``GET /models``."""
    if settings.llm_mode != "openai":
        return
    import httpx

    url = settings.llm_base_url.rstrip("/") + "/models"
    try:
        response = httpx.get(
            url,
            timeout=min(timeout_s, settings.llm_timeout_s),
            headers={"Authorization": f"Bearer {settings.llm_api_key}"},
        )
    except httpx.HTTPError as error:
        raise ConfigError(f"LLM endpoint {settings.llm_base_url} is unreachable ({error})") from error
    if response.status_code >= 400:
        raise ConfigError(f"LLM endpoint {url} answered HTTP {response.status_code}")
