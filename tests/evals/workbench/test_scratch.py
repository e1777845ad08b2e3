"""Scratch chat services: a throwaway database in a temp folder, removed with the services closed."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from assistant.settings import Settings
from evals.workbench.scratch import scratch_chat_services


def test_the_services_use_a_database_in_a_temp_folder_that_is_removed_on_exit(settings: Settings) -> None:
    with scratch_chat_services(settings, "govassist-scratch-test-") as services:
        url = services.settings.database_url
        folder = Path(url.removeprefix("sqlite:///")).parent
        assert folder.name.startswith("govassist-scratch-test-")
        assert Path(tempfile.gettempdir()) == folder.parent
        assert services.chat.reply("你好", None).outcome
    assert not folder.exists()


def test_the_folder_is_removed_when_the_run_fails(settings: Settings) -> None:
    with (
        pytest.raises(RuntimeError, match="boom"),
        scratch_chat_services(settings, "govassist-scratch-test-") as services,
    ):
        folder = Path(services.settings.database_url.removeprefix("sqlite:///")).parent
        raise RuntimeError("boom")
    assert not folder.exists()
