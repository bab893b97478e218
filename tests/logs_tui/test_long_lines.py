"""Lines the pane cannot show whole: dates when not today, cut lines marked, the detail wraps, tracebacks whole."""

from __future__ import annotations

import time

import pytest

from console.demo.runtime import DemoRuntime
from screens.logs import JsonScreen
from screens.widgets.log_line import clock

from .conftest import LogsApp, Writer, make_settings, open_logs, screen_text, shown_messages, wait_for

pytestmark = pytest.mark.timeout(120)
STREAM = "app/web/task1"


async def test_a_cut_line_ends_with_a_marker_and_its_length_and_the_detail_wraps(
    demo: DemoRuntime, writer: Writer
) -> None:
    group = writer.group("long")
    long = "x" * 19_990 + " THE END"
    writer.put(group, STREAM, [long, "short line"])
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        _screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 2)
        row = view.line_text(view.shown_line(0)).plain
        assert row.endswith("[cut: 19,998 chars in all; Enter shows the line]"), row[-80:]
        await pilot.press("up")
        view.scroll_to(x=view.max_scroll_x, animate=False, immediate=True)
        await pilot.pause(0.1)
        assert "cut: 19,998 chars" in screen_text(app), "the marker is on screen at the line's right end"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JsonScreen))
        await pilot.pause(0.2)
        text = screen_text(app)
        assert max(len(r) for r in text.splitlines()) <= 80
        assert sum("xxxxxxxxxx" in r for r in text.splitlines()) >= 10, "the detail wraps the line"


async def test_lines_from_another_day_show_their_date(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("dated")
    yesterday = int(time.time() * 1000) - 86_400_000
    writer.put(group, STREAM, ["from yesterday"], ts=yesterday)
    writer.put(group, STREAM, ["from today"])
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        _screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 1)
        assert shown_messages(view) == ["from today"]
        if not view.dated:  # the default 10 minutes back may reach into yesterday just after midnight
            row = next(r for r in screen_text(app).splitlines() if "from today" in r)
            assert clock(view.shown_line(0).event.timestamp) in row
            assert clock(view.shown_line(0).event.timestamp, dated=True)[:10] not in row, "today: no date"
        await pilot.press("t", *"2d", "enter")
        await wait_for(pilot, lambda: view.shown >= 2)
        assert view.dated
        text = screen_text(app)
        day = clock(yesterday, dated=True)
        assert day in text, f"yesterday's line carries its date {day}:\n{text}"
        assert clock(view.shown_line(1).event.timestamp, dated=True) in text, (
            "today's too, in the same column"
        )


async def test_errors_only_keeps_a_traceback_whole(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("trace")
    trace = [
        "Traceback (most recent call last):",
        '  File "/app/app/services/ocr.py", line 88, in extract_text',
        "    pages = convert_from_bytes(payload, dpi=200)",
        '  File "/usr/local/lib/python3.12/site-packages/pdf2image/pdf2image.py", line 127, in convert',
        "    raise PDFPageCountError(",
        "pdf2image.exceptions.PDFPageCountError: Unable to get page count.",
        "Syntax Error: Couldn't find trailer dictionary",
    ]
    base = int(time.time() * 1000) - 5_000
    writer.put(group, STREAM, ["INFO:     GET /health 200"], ts=base)
    writer.put(group, STREAM, trace, ts=base + 100)
    writer.put(
        group, STREAM, ["INFO:     GET /api 200", "    indented but not after an error"], ts=base + 3_000
    )
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        _screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= len(trace) + 3)
        await pilot.press("e")
        assert shown_messages(view) == trace


async def test_the_pane_keeps_at_most_log_max_bytes(demo: DemoRuntime, writer: Writer) -> None:
    from dataclasses import replace

    group = writer.group("bytes")
    big = "z" * 256_000
    base = int(time.time() * 1000) - 10_000
    for n in range(12):  # 3 MB in all, one event per put (a put is at most 1 MB)
        writer.put(group, STREAM, [f"{n:02d} {big}"], ts=base + n)
    settings = make_settings(demo)
    settings = replace(settings, profile=replace(settings.profile, log_max_bytes=2**20))
    app = LogsApp(settings, no_poll=True)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.buffer.appended >= 12)
        assert view.buffer.bytes <= 2**20 and len(view.buffer) == 4, "the byte bound, not the 10,000 lines"
        assert [m[:2] for m in shown_messages(view)] == ["08", "09", "10", "11"], "the newest kept"
        assert "dropped" in screen.status_text()
