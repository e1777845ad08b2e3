"""The page-affinity check drives a real page event (join, then the data stream) through one process: it
is handled, as every event is when both requests reach the process that queued it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import cast

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.container import build_services
from assistant.settings import Settings
from deploy.page_affinity_check import citizen_event, one_event


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("affinity"),
        embedding_mode="hash",
        index_guides=False,
    )
    services = build_services(settings, ensure_index=True)
    with TestClient(create_app(services=services, mount_ui=True)) as test_client:
        yield test_client
    services.close()


def test_an_event_on_one_process_is_handled(client: TestClient) -> None:
    def connect() -> AbstractContextManager[httpx.Client]:  # the in-process app, kept open
        return nullcontext(cast(httpx.Client, client))

    index, dependency = citizen_event("", connect)
    assert [one_event("", index, dependency, connect) for _ in range(3)] == ["handled"] * 3
