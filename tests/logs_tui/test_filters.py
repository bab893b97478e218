"""Filters while following: include/exclude terms, regexes, highlights, errors only, server patterns."""

from __future__ import annotations

import pytest

from console.demo.runtime import DemoRuntime
from screens.widgets.log_line import HIGHLIGHT

from .conftest import LogsApp, Writer, make_settings, open_logs, shown_messages, wait_for

pytestmark = pytest.mark.timeout(90)
STREAM = "app/web/task1"
LINES = [
    "INFO:     GET /health 200",
    "INFO:     GET /api/users 200",
    "ERROR:    GET /api/orders 502 upstream timeout",
    "WARNING:  slow query on orders 1200ms",
    '{"level":"error","msg":"payment declined","code":"E42"}',
    "2026-01-02 03:04:05,678 - app - ERROR - Timeout talking to qdrant",
    "INFO:     GET /api/orders 500",
    "an error mentioned in prose is not an error line",
]


async def _type_filter(pilot: object, text: str) -> None:
    await pilot.press("slash")  # type: ignore[attr-defined]
    box = pilot.app.screen.query_one("#filter")  # type: ignore[attr-defined]
    box.value = ""
    await pilot.press(*text, "enter")  # type: ignore[attr-defined]


async def test_include_exclude_regex_and_errors_only(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("filters")
    writer.put(group, STREAM, LINES)
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= len(LINES))

        await _type_filter(pilot, "orders")
        assert shown_messages(view) == [LINES[2], LINES[3], LINES[6]]
        # the match is highlighted in the rendered row
        text = view.line_text(view.shown_line(0))
        highlighted = [text.plain[s.start : s.end] for s in text.spans if s.style == HIGHLIGHT]
        assert highlighted == ["orders"]

        await _type_filter(pilot, "orders !slow")
        assert shown_messages(view) == [LINES[2], LINES[6]]

        await _type_filter(pilot, r"/ 5\d\d/")
        assert shown_messages(view) == [LINES[2], LINES[6]]

        await _type_filter(pilot, "timeout")  # smart case: lower case matches any case
        assert shown_messages(view) == [LINES[2], LINES[5]]
        await _type_filter(pilot, "Timeout")
        assert shown_messages(view) == [LINES[5]]

        # lines that arrive while a filter is set are filtered too
        writer.put(group, STREAM, ["ERROR: Timeout again", "INFO: fine"])
        await wait_for(pilot, lambda: view.buffer.appended >= len(LINES) + 2)
        assert shown_messages(view) == [LINES[5], "ERROR: Timeout again"]
        await pilot.pause(0.3)
        assert "showing 2 (Timeout)" in screen.status.info

        await pilot.press("escape")  # clears the filter
        assert view.shown == len(LINES) + 2

        await pilot.press("e")
        assert shown_messages(view) == [LINES[2], LINES[4], LINES[5], "ERROR: Timeout again"]
        await pilot.press("e")
        assert view.shown == len(LINES) + 2

        await _type_filter(pilot, "/(unclosed/")
        assert "not a valid regular expression" in screen.status.error
        assert view.view_filter.text == "/(unclosed", "a bad regex keeps the last good filter (as typed)"
        await pilot.press("escape")
        assert view.shown == len(LINES) + 2 and not screen.status.error


async def test_server_side_pattern_restarts_the_follow(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("pattern")
    writer.put(group, STREAM, LINES)
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= len(LINES))
        first = screen.follower
        await pilot.press("F", *"orders", "enter")
        await wait_for(pilot, lambda: screen.follower is not first and view.shown >= 3)
        assert screen.pattern == "orders" and screen.follower is not None
        assert screen.follower.pattern == "orders"
        assert first is not None and first.stopped
        assert shown_messages(view) == [LINES[2], LINES[3], LINES[6]], "the server sent only matching lines"
