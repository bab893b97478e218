"""A catch-up larger than the bound: what the bound drops at once is counted, never built, and the lines
kept are exactly the newest, a traceback cut by the bound keeping its level."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from console.demo.runtime import DemoRuntime
from console.logs.loglevel import Level

from .conftest import LogsApp, Writer, make_settings, open_logs, shown_messages, wait_for

pytestmark = pytest.mark.timeout(120)
STREAM = "app/web/task1"


async def test_a_range_past_the_bound_keeps_the_newest_and_counts_the_rest(
    demo: DemoRuntime, writer: Writer
) -> None:
    group = writer.group("catchup")
    start = int(time.time() * 1000) - 20 * 60_000
    written = [f"request {i:05d} handled" for i in range(3_000)]
    # A traceback whose first line is the last one the bound of 200 leaves out.
    trace = ["Traceback (most recent call last):", '  File "/app/x.py", line 3, in f', "ValueError: bad"]
    written[-201:-198] = trace
    writer.put(group, STREAM, written, ts=start)
    settings = make_settings(demo)
    settings = replace(settings, profile=replace(settings.profile, log_max_lines=200))
    app = LogsApp(settings, no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await pilot.press("t", *"1h", "enter")
        assert await wait_for(pilot, lambda: view.buffer.appended >= 3_000), view.buffer.appended
        assert view.buffer.appended == 3_000
        assert len(view.buffer) == 200 and view.buffer.dropped == 2_800
        assert shown_messages(view) == written[-200:]
        assert view.shown_line(0).event.message == trace[1]
        assert view.shown_line(0).level is Level.ERROR, "the frame keeps its traceback's level"
        assert view.shown_line(1).level is Level.ERROR
        assert view.shown_line(10).level is not Level.ERROR
        assert "200/200 kept · 2,800 dropped" in screen.status_text()
        await wait_for(pilot, lambda: view.selected is not None and view.painted_seq == view.selected.seq)
        assert view.selected is not None and view.selected.event.message == written[-1]
        assert view.painted_seq == view.selected.seq, "the newest line is drawn once the arrivals stop"
