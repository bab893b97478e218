"""Driving the console to a queue's detail, and reading what is on screen."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from console.api import ClientSettings, ConsoleApi
from console.config import Settings
from screens.app import OpsConsoleApp
from screens.detail.queue import QueueDetailScreen
from screens.queues import QueuesScreen
from tests.screens.tui_helpers import rows, screen_text, wait_for

__all__ = ["make_app", "open_detail", "rows", "screen_text", "wait_for"]


def make_app(settings: Settings, **options: Any) -> OpsConsoleApp:
    api = ConsoleApi(
        settings, client_settings=ClientSettings(max_attempts=2, connect_timeout=2, read_timeout=5)
    )
    options.setdefault("poll_interval", 0.5)
    return OpsConsoleApp(settings, api=api, **options)


async def open_detail(pilot: Pilot[Any], name: str) -> QueueDetailScreen:
    """:queues, the cursor on ``name``, Enter: the detail, polled once."""
    app: OpsConsoleApp = pilot.app  # type: ignore[assignment]
    await wait_for(pilot, lambda: len(app.screen_stack) >= 2)
    app.run_command_line("queues")

    def row_key() -> str | None:
        screen = app.screen
        if not isinstance(screen, QueuesScreen):
            return None
        return next((url for url, q in screen.queues.items() if q.name == name), None)

    await wait_for(pilot, row_key)
    key = row_key()
    assert key is not None
    await wait_for(pilot, lambda: key in app.screen.table.keys)  # type: ignore[attr-defined]
    app.screen.table.select_key(key)  # type: ignore[attr-defined]
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, QueueDetailScreen) and app.screen.polls > 0)
    screen = app.screen
    assert isinstance(screen, QueueDetailScreen)
    return screen


async def peek(pilot: Pilot[Any], screen: QueueDetailScreen, at_least: int = 1) -> None:
    before = screen.peeks
    await pilot.press("p")
    await wait_for(pilot, lambda: screen.peeks > before)
    assert len(screen.messages) >= at_least
