"""The selected line: JSON on demand (literal), copy (inert), save what is shown, wrap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime
from screens.logs import JsonScreen

from .conftest import LogsApp, Writer, make_settings, open_logs, screen_text, wait_for

pytestmark = pytest.mark.timeout(90)
STREAM = "app/web/task1"


async def test_json_copy_and_save(demo: DemoRuntime, writer: Writer, tmp_path: Path) -> None:
    group = writer.group("actions")
    doc = {"level": "error", "msg": "boom \x1b[31m[bold]x[/bold]", "user": {"id": 42}}
    lines = ["plain line", json.dumps(doc), "INFO: skip me", "last \x07 line"]
    writer.put(group, STREAM, lines)
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(140, 34)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 4)

        await pilot.press("up", "up")
        assert view.selected is not None and view.selected.event.message == lines[1]
        assert not view.tail
        await pilot.press("j")
        await wait_for(pilot, lambda: isinstance(app.screen, JsonScreen))
        await pilot.pause(0.2)
        text = screen_text(app)
        assert '"user": {' in text and '"id": 42' in text, "indented JSON"
        assert '"msg": "boom \\u001b[31m[bold]x[/bold]"' in text, "values shown literally (JSON escapes)"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)

        await pilot.press("down", "down", "c")
        assert app.clipboard == "last ␇ line"

        await pilot.press("slash", *"line", "enter")
        assert view.shown == 2
        target = tmp_path / "saved.log"
        await pilot.press("s")
        screen.prompt.value = str(target)
        await pilot.press("enter")
        saved = target.read_text(encoding="utf-8").splitlines()
        assert len(saved) == 2
        assert saved[0].endswith(f"{group}:{STREAM} plain line")
        assert saved[1].endswith("last ␇ line") and "\x07" not in target.read_text(encoding="utf-8")

        await pilot.press("w")
        assert view.wrap
        await pilot.press("w")
        assert not view.wrap
