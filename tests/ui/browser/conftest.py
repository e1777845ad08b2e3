"""Browser tests of the web pages: a live server on loopback over real services, driven by Playwright.

The browser is Debian's ``/usr/bin/chromium`` (``make install`` apt-installs it); Playwright never
downloads one. Without it, or without Playwright, these tests skip and say why. Screenshots and timings
go to ``test-artifacts/`` at the project root (gitignored).
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant.components.database import make_engine
from assistant.container import Services
from assistant.settings import PROJECT_ROOT
from tests.handoff_db import services_on

CHROMIUM = Path(os.environ.get("GOVASSIST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
TIMINGS_FILE = ARTIFACTS / "browser_timings.json"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the pages in headless Chromium (skips without it)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    """The app served on ``url``; ``services`` are the very objects behind it (same process)."""

    url: str
    services: Services


@pytest.fixture(scope="session")
def live_server(chat_services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The FastAPI app with the citizen page, uvicorn in a thread on a free loopback port; the shared
    indexed services with records on their own SQLite file."""
    import uvicorn

    from assistant.api.app import create_app

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}")
    services = services_on(chat_services, engine)
    app = create_app(services=services, mount_ui=True)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="browser-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", services)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian; skips with the reason when it or Playwright is missing.

    Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is open,
    which would break later tests that call ``asyncio.run``."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} not found (apt-get install chromium chromium-driver, or `make install` as root)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@dataclass
class Console:
    """Console errors and uncaught page errors seen by a page."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def context(browser: Any, console: Console) -> Iterator[Any]:
    """A fresh browser context (own localStorage) at desktop size, Chinese locale."""
    created = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    created.set_default_timeout(15_000)
    created.on("page", console.watch)
    yield created
    created.close()
    assert console.errors == [], "console errors on the page"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def timings(artifacts: Path) -> Iterator[dict[str, Any]]:
    """Measurements recorded (not asserted) by the tests, written to browser_timings.json at the end."""
    recorded: dict[str, Any] = {}
    yield recorded
    if recorded:
        TIMINGS_FILE.write_text(json.dumps(recorded, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def shoot(artifacts: Path) -> Any:
    """``shoot(page, name)`` saves a full-page screenshot as ``test-artifacts/<name>.png``."""

    def take(page: Any, name: str) -> Path:
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
