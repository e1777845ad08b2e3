"""Configurations: YAML settings overrides, their own index when they change it, the LLM probe."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from evals.workbench.configs import Config, ConfigError, check_llm, load_config, load_configs, settings_for


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_overrides_are_validated(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("synonym_expansion: false\nsparse_weight: 2\n", encoding="utf-8")
    (tmp_path / "typo.yaml").write_text("synonyms: false\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- 1\n", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("rrf_k: -3\n", encoding="utf-8")
    config = load_config(tmp_path / "a.yaml")
    assert config.name == "a" and config.overrides == {"synonym_expansion": False, "sparse_weight": 2}
    settings = settings_for(config, tmp_path)
    assert settings.synonym_expansion is False and settings.sparse_weight == 2
    with pytest.raises(ConfigError, match="not settings fields: synonyms"):
        load_config(tmp_path / "typo.yaml")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(tmp_path / "list.yaml")
    with pytest.raises(ConfigError, match="rrf_k"):
        settings_for(load_config(tmp_path / "bad.yaml"), tmp_path)
    names = [c.name for c in load_configs([tmp_path / "a.yaml", tmp_path / "a.yaml"])]
    assert names == ["a", "a-2"]
    assert [c.name for c in load_configs([])] == ["default"]


def test_a_config_that_changes_the_index_gets_its_own_data_dir(tmp_path: Path) -> None:
    own = settings_for(Config("e5", {"embedding_model": "/models/e5"}), tmp_path)
    assert own.data_dir == tmp_path / "index" / "e5"
    shared = settings_for(Config("w", {"dense_weight": 0.5}), tmp_path)
    assert shared.data_dir != tmp_path / "index" / "w"


def test_an_unreachable_llm_endpoint_is_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    settings = settings_for(Config("llm", {"llm_mode": "openai", "llm_base_url": url}), tmp_path)
    with pytest.raises(ConfigError, match=f"LLM endpoint {url} is unreachable"):
        check_llm(settings, timeout_s=2)
    check_llm(settings_for(Config("offline"), tmp_path))  # no endpoint configured: nothing to check


def test_a_reachable_llm_endpoint_passes_the_probe(tmp_path: Path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Models(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/v1/models" else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"object": "list", "data": []}')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Models)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        check_llm(settings_for(Config("llm", {"llm_mode": "openai", "llm_base_url": f"{base}/v1"}), tmp_path))
        wrong = settings_for(Config("llm", {"llm_mode": "openai", "llm_base_url": f"{base}/nope"}), tmp_path)
        with pytest.raises(ConfigError, match="HTTP 404"):
            check_llm(wrong)
    finally:
        server.shutdown()
        server.server_close()


def test_the_example_configurations_are_valid(tmp_path: Path) -> None:
    examples = sorted(
        (Path(__file__).resolve().parents[3] / "evals" / "workbench" / "examples").glob("*.yaml")
    )
    assert len(examples) >= 3
    for config in load_configs(examples):
        settings_for(config, tmp_path)
