"""Waiting on a live app without sleeping blindly: poll a condition between Pilot pauses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from console.api import ClientSettings, ConsoleApi
from console.config import Settings
from screens.app import OpsConsoleApp


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"condition not met within {timeout}s")


def make_app(settings: Settings, **options: Any) -> OpsConsoleApp:
    """The console with few retries (error tests finish fast) and quick polls."""
    api = ConsoleApi(
        settings, client_settings=ClientSettings(max_attempts=2, connect_timeout=2, read_timeout=5)
    )
    options.setdefault("poll_interval", 2.0)
    return OpsConsoleApp(settings, api=api, **options)


def rows(app: OpsConsoleApp, table_id: str) -> list[list[str]]:
    from screens.widgets.keyed_table import KeyedTable

    table = app.screen.query_one(f"#{table_id}", KeyedTable)
    return [table.plain_row(key) for key in table.keys]


def screen_text(app: OpsConsoleApp) -> str:
    """Everything visible on the current screen, as plain text (what a person reads)."""
    from textual.widgets import Static

    from screens.widgets.keyed_table import KeyedTable

    parts: list[str] = []
    for widget in app.screen.query("*"):
        if isinstance(widget, KeyedTable):
            parts += [" ".join(widget.plain_row(k)) for k in widget.keys]
        elif isinstance(widget, Static):
            rendered = widget.render()
            parts.append(getattr(rendered, "plain", str(rendered)))
    return "\n".join(parts)


async def command(pilot: Pilot[Any], text: str) -> None:
    """Type ``:text`` Enter, as a person would (the command line opens before typing starts)."""
    from screens.modals.command_line import CommandLineScreen

    await pilot.press("colon")
    await wait_for(
        pilot, lambda: isinstance(pilot.app.screen, CommandLineScreen) and pilot.app.screen.focused
    )
    await pilot.press(*text, "enter")
    await pilot.pause()
