"""Log lines show literally on the rendered screen: markup, escapes, controls and huge lines stay inert."""

from __future__ import annotations

import pytest
from rich.segment import Segment

from console.demo.runtime import DemoRuntime
from console.model import LogEvent
from screens.app import OpsConsoleApp

from .conftest import LogsApp, Writer, make_settings, open_logs, screen_text, shown_messages, wait_for

pytestmark = pytest.mark.timeout(90)
STREAM = "app/web/task1"

HOSTILE = {
    "markup": ("[bold red]x[/] and [link=https://evil.example]click[/link]", "[bold red]x[/] and [link="),
    "csi": ("\x1b[31mred\x1b[0m \x1b[2J\x1b[H\x1b[10;10Hmoved", "␛[31mred␛[0m ␛[2J␛[H␛[10;10Hmoved"),
    "osc52": ("\x1b]52;c;aGVsbG8=\x07 clipboard", "␛]52;c;aGVsbG8=␇ clipboard"),
    "osc8": ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ end", "␛]8;;https://evil.example␛\\link"),
    "controls": ("bell\x07 nul\x00 bs\x08 cr\r del\x7f c1\x9b31m", "bell␇ nul␀ bs␈ cr␍ del␡ c1\\x9b31m"),
    "newline": ("two\nlines", "two␊lines"),
}


def _segments(app: OpsConsoleApp) -> list[Segment]:
    strips = app.screen._compositor.render_strips()  # what the terminal would be sent, row by row
    return [segment for strip in strips for segment in strip]


async def test_hostile_lines_render_as_inert_text(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("literal")
    messages = [message for message, _ in HOSTILE.values()]
    writer.put(group, STREAM, messages)
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        _screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= len(messages))
        assert shown_messages(view) == messages, "the model keeps the text exactly"
        await pilot.pause(0.3)
        text = screen_text(app)
        for name, (_, shown) in HOSTILE.items():
            assert shown in text, f"{name}: {shown!r} not shown literally"
        segments = _segments(app)
        rendered = "".join(s.text for s in segments)
        for byte in ("\x1b", "\x07", "\x00", "\x08", "\r", "\x9b", "\x7f"):
            assert byte not in rendered, f"{byte!r} reached the terminal"
        assert not any(s.style is not None and s.style.link for s in segments), "a link came from a line"
        markup_cells = [s for s in segments if "[bold red]x[/]" in s.text or s.text == "x"]
        assert markup_cells and not any(
            s.style and s.style.bold and s.style.color and s.style.color.name == "red" for s in markup_cells
        )
        assert app.clipboard == "", "OSC 52 in a line must not write the clipboard"


async def test_huge_empty_and_invalid_lines_do_not_break_the_view(demo: DemoRuntime, writer: Writer) -> None:
    group = writer.group("huge")
    huge = "{" + '"k":"' + "A" * 1_000_000 + '"}'
    writer.put(group, STREAM, ["before", huge, "after"])
    app = LogsApp(make_settings(demo), no_poll=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        app.open_logs(group=group)
        _screen, view = await open_logs(pilot)
        await wait_for(pilot, lambda: view.shown >= 3)
        # what CloudWatch cannot send but a decoder may produce: lone surrogates, and an empty message
        view.add(
            [
                LogEvent("x1", group, STREAM, 2**41, "bad \udcff\udcfe bytes"),
                LogEvent("x2", group, STREAM, 2**41 + 1, ""),
                LogEvent("x3", group, STREAM, 2**41 + 2, "last line"),
            ]
        )
        await pilot.pause(0.3)
        assert view.shown == 6
        assert len(view.shown_line(1).event.message) == len(huge), "kept whole for copy and JSON"
        text = screen_text(app)
        assert "before" in text and "after" in text and "last line" in text
        assert "bad \ufffd\ufffd bytes" in text
        row = view.line_text(view.shown_line(1)).plain
        assert row.endswith("chars in all; Enter shows the line]") and len(row) < 20_000, (
            "the huge line is cut for display, with a marker"
        )
        rows = [line for line in text.splitlines() if "AAAA" in line]
        assert len(rows) == 1, "a huge line takes one row without wrap"
        # wrap: the huge line (cut at the display limit) takes many rows, the view still scrolls
        await pilot.press("w")
        await pilot.pause(0.2)
        assert view.wrap and view.virtual_size.height > 100
        assert "last line" in screen_text(app)
        await pilot.press("up", "up", "up", "up")  # onto the huge line
        await pilot.pause(0.2)
        assert view.selected is not None and len(view.selected.event.message) == len(huge)
