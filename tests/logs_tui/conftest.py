"""Fixtures for the logs pane tests: the console on the embedded AWS, a log writer, helpers.

Each test writes to its own uniquely named log group (the demo's activity is off
in tests, and the scheduler only writes to the seed systems' groups), so the
lines on screen are exactly the lines a test wrote.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
from textual import events

import screens.app
from console.config import Settings, demo_profile
from console.demo.runtime import DemoRuntime
from screens.app import OpsConsoleApp
from screens.logs import LogsScreen
from screens.pane import PaneScreen
from screens.widgets.log_view import LogView

REGION = "us-east-1"
_counter = itertools.count()


@pytest.fixture(autouse=True)
def _fast_follow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(LogsScreen, "follow_interval", 0.1)
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def make_settings(runtime: DemoRuntime, **profile: Any) -> Settings:
    from dataclasses import replace

    base = replace(demo_profile(runtime.endpoint), **profile)
    regions = tuple(runtime.regions)
    return Settings(profile=base, regions=regions, endpoint_url=runtime.endpoint, read_only=False)


class LogsApp(OpsConsoleApp):
    """The console without its home pane: the clusters pane's ECS polling is not under test here.

    A base pane stays under the logs pane so that Esc pops it as in the console.
    """

    CSS_PATH = str(Path(screens.app.__file__).with_name("app.tcss"))

    def __init__(self, settings: Settings, *, no_poll: bool = False, **options: Any) -> None:
        """``no_poll``: each pane loads once (a poll interval longer than any test)."""
        if no_poll:
            options.setdefault("poll_interval", 3600.0)
        super().__init__(settings, **options)

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # OpsConsoleApp.on_mount would push (and poll) the clusters pane
        self.push_screen(PaneScreen())


@pytest.fixture
def settings(demo: DemoRuntime) -> Settings:
    return make_settings(demo)


class Writer:
    """boto3 (allowed in tests) writing lines as an awslogs driver would."""

    def __init__(self, endpoint: str, region: str = REGION) -> None:
        self.client = boto3.client(
            "logs",
            region_name=region,
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def group(self, stem: str = "tui", streams: Sequence[str] = ("app/web/task1",)) -> str:
        name = f"/test/logs-tui/{stem}-{next(_counter)}-{uuid.uuid4().hex[:6]}"
        self.client.create_log_group(logGroupName=name)
        for stream in streams:
            self.client.create_log_stream(logGroupName=name, logStreamName=stream)
        return name

    def stream(self, group: str, stream: str) -> None:
        self.client.create_log_stream(logGroupName=group, logStreamName=stream)

    def put(self, group: str, stream: str, messages: Sequence[str], *, ts: int | None = None) -> None:
        start = int(time.time() * 1000) if ts is None else ts
        events = [{"timestamp": start + i, "message": m} for i, m in enumerate(messages)]
        for offset in range(0, len(events), 5000):
            self.client.put_log_events(
                logGroupName=group, logStreamName=stream, logEvents=events[offset : offset + 5000]
            )


@pytest.fixture
def writer(demo: DemoRuntime) -> Writer:
    return Writer(demo.endpoint)


async def wait_for(pilot: Any, done: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Let the app run until ``done()`` or the deadline; the caller asserts what it needed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        await pilot.pause(0.05)
    return done()


async def open_logs(pilot: Any, timeout: float = 20.0) -> tuple[LogsScreen, LogView]:
    app: OpsConsoleApp = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), timeout)
    screen = app.screen
    assert isinstance(screen, LogsScreen), f"the logs pane did not open (top: {type(screen).__name__})"

    def started() -> bool:
        found = screen.query("#status")
        return screen.worker is not None or bool(found and getattr(found.first(), "error", ""))

    await wait_for(pilot, started, timeout)
    return screen, screen.view


def shown_messages(view: LogView) -> list[str]:
    return [line.event.message for line in view.lines()]


def screen_text(app: OpsConsoleApp) -> str:
    """What the terminal shows, as lines of text (from the SVG screenshot's text runs)."""
    svg = app.export_screenshot()
    rows: dict[int, list[str]] = {}
    for match in re.finditer(r'<text [^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">([^<]*)</text>', svg):
        rows.setdefault(int(match.group(1)), []).append(html.unescape(match.group(2)).replace("\xa0", " "))
    return "\n".join("".join(rows[y]) for y in sorted(rows))


async def settle(pilot: Any) -> None:
    await pilot.pause(0.1)
    await asyncio.sleep(0)
