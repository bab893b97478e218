"""The logs pane follows a group as lines are written: every line once, bounded, pausable, in time."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

import pytest

from console.demo.runtime import DemoRuntime
from screens.logs import LogsScreen

from .conftest import LogsApp, Writer, make_settings, open_logs, screen_text, shown_messages, wait_for

pytestmark = pytest.mark.timeout(90)
STREAM = "app/web/task1"


async def test_follows_lines_as_they_are_written(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("follow", (STREAM, "app/web/task2"))
    writer.put(group, STREAM, ["before-0", "before-1"])
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.buffer.appended >= 2)
        written = ["before-0", "before-1"]
        for burst in range(4):
            lines = [f"burst {burst} line {i}" for i in range(25)]
            writer.put(group, STREAM if burst % 2 else "app/web/task2", lines)
            written += lines
            await pilot.pause(0.15)
        await wait_for(pilot, lambda: view.buffer.appended >= len(written))
        await pilot.pause(0.5)  # a few more polls: an overlap repeat would show up now
        messages = shown_messages(view)
        assert Counter(messages) == Counter(written), "every written line exactly once"
        assert len({line.event.event_id for line in view.lines()}) == len(written)
        assert view.tail and view.selected is not None and view.selected.event.message == written[-1]
        await pilot.pause(0.3)
        assert "burst 3 line 24" in screen_text(app)
        assert f"{len(written)}/10,000 kept" in screen.status_text()
        assert screen.state == "following"


async def test_keeps_at_most_the_profile_bound(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("bound")
    settings = make_settings(demo)
    settings = replace(settings, profile=replace(settings.profile, log_max_lines=100))
    app = LogsApp(settings, no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        written = [f"line {i:04d}" for i in range(350)]
        for offset in range(0, 350, 70):
            writer.put(group, STREAM, written[offset : offset + 70])
            await pilot.pause(0.1)
        await wait_for(pilot, lambda: view.buffer.appended >= 350)
        assert len(view.buffer) == 100 and view.shown == 100
        assert view.buffer.dropped == 250
        assert shown_messages(view) == written[-100:]
        assert "100/100 kept · 250 dropped" in screen.status_text()


async def test_pause_counts_what_arrived_and_resume_shows_it(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("pause")
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        writer.put(group, STREAM, [f"first {i}" for i in range(10)])
        await wait_for(pilot, lambda: view.shown >= 10)
        await pilot.press("p")
        assert view.paused
        writer.put(group, STREAM, [f"later {i}" for i in range(30)])
        await wait_for(pilot, lambda: view.arrived_paused >= 30)
        assert view.arrived_paused == 30
        assert view.shown == 10, "nothing new is shown while paused"
        await pilot.pause(0.3)
        assert "paused · 30 new" in screen.status.info
        await pilot.press("p")
        assert not view.paused
        assert view.shown == 40
        assert shown_messages(view)[-1] == "later 29"


async def test_time_range_and_paging_back(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("range")
    now = int(time.time() * 1000)
    writer.put(group, STREAM, [f"old {i}" for i in range(20)], ts=now - 40 * 60_000)  # 40 min ago
    writer.put(group, STREAM, [f"mid {i}" for i in range(5)], ts=now - 20 * 60_000)
    writer.put(group, STREAM, [f"new {i}" for i in range(5)], ts=now - 60_000)
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 5)
        assert shown_messages(view) == [f"new {i}" for i in range(5)], "the default look-back is 10m"

        # page back: older lines appear above, and the follow goes on
        await pilot.press("b")
        await wait_for(pilot, lambda: view.shown >= 30)
        older = [f"old {i}" for i in range(20)] + [f"mid {i}" for i in range(5)]
        assert shown_messages(view) == older + [f"new {i}" for i in range(5)]
        writer.put(group, STREAM, ["after paging"])
        await wait_for(pilot, lambda: "after paging" in shown_messages(view))
        assert shown_messages(view)[-1] == "after paging"

        # jump to a range: since 1h follows from there
        await pilot.press("t")
        assert screen.prompt_bar.shown
        await pilot.press(*"1h", "enter")
        await wait_for(pilot, lambda: view.shown >= 31)
        assert shown_messages(view)[:2] == ["old 0", "old 1"] and view.shown == 31
        assert screen.state == "following"

        # an explicit START END range is loaded and not followed
        start, end = now - 41 * 60_000, now - 30 * 60_000
        await pilot.press("t", *f"{start} {end}", "enter")
        await wait_for(pilot, lambda: screen.state == "range loaded")
        assert shown_messages(view) == [f"old {i}" for i in range(20)]


async def test_leaving_the_pane_stops_the_follow(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("leave")
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, _view = await open_logs(pilot)
        worker, follower = screen.worker, screen.follower
        assert worker is not None and follower is not None
        await wait_for(pilot, lambda: follower.stats.polls >= 1)
        await pilot.press("escape")
        await wait_for(pilot, lambda: worker.is_finished)
        assert not isinstance(app.screen, LogsScreen)
        assert worker.is_cancelled or worker.is_finished
        assert follower.stopped
        polls = follower.stats.polls
        await pilot.pause(0.5)
        assert follower.stats.polls == polls, "no poll after the pane is gone"
