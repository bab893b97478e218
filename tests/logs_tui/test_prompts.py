"""Every prompt of the logs pane is visible: its label and what is typed, at 160x45 and 80x24."""

from __future__ import annotations

import pytest

from console.demo.runtime import DemoRuntime

from .conftest import LogsApp, Writer, make_settings, open_logs, screen_text, wait_for

pytestmark = pytest.mark.timeout(120)
STREAM = "app/web/task1"


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
async def test_time_pattern_and_save_prompts_show_label_and_typed_text(
    demo: DemoRuntime, writer: Writer, size: tuple[int, int]
) -> None:
    group = writer.group("prompts")
    writer.put(group, STREAM, ["a line"])
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 1)
        for key, label, typed in (("t", "time range:", "90m"), ("F", "server filter:", "ERROR")):
            await pilot.press(key, *typed)
            await pilot.pause(0.1)
            text = screen_text(app)
            row = next((r for r in text.splitlines() if label in r), "")
            assert row, f"{label!r} not on screen:\n{text}"
            assert typed in row, f"what is typed shows beside its label: {row!r}"
            assert "esc Back" in text, "the key bar stays whole"
            await pilot.press("escape")
            await wait_for(pilot, lambda label=label: label not in screen_text(app))  # type: ignore[misc]
        await pilot.press("s")
        await pilot.pause(0.1)
        row = next((r for r in screen_text(app).splitlines() if "save the lines shown to:" in r), "")
        assert "opsconsole-logs-" in row, row
        await pilot.press("escape")
        assert screen.follower is not None
