"""The key hints line: the screen's bindings, greyed when disabled, and clickable."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.color import Color
from tui_helpers import make_app, wait_for

from console.config import Settings
from screens.clusters import ClustersScreen
from screens.queues import QueuesScreen
from screens.services import ServicesScreen
from screens.widgets.key_bar import KeyBar


async def test_hints_follow_the_screen_and_a_click_presses_the_key(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(175, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Services" in bar.hints)
        assert "? Help" in bar.hints and "^p palette" in bar.hints
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
        services_bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Redeploy" in services_bar.hints)
        assert "Services" not in services_bar.hints  # the clusters pane's hint is gone
        back = services_bar.hints.index(" esc Back")
        await pilot.click(KeyBar, offset=(back + 2, 0))  # a click on " esc Back" presses Esc
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen))


def _luminance(color: Color) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def _contrast(a: Color, b: Color) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hint_colors(bar: KeyBar) -> dict[str, Color]:
    out = {}
    for span in bar._text.spans:
        style = span.style if not isinstance(span.style, str) else None
        if style is not None and style.color is not None:
            out[bar._text.plain[span.start : span.end].strip()] = Color.from_rich_color(style.color)
    return out


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_read_only_dims_the_mutating_hints_in_both_themes(settings: Settings, theme: str) -> None:
    app = make_app(replace(settings, read_only=True))
    async with app.run_test(size=(160, 30)) as pilot:
        app.theme = theme
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
        bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Scale" in bar.hints)
        background = bar.styles.background
        colors = _hint_colors(bar)
        enabled, disabled = _contrast(colors["Detail"], background), _contrast(colors["Scale"], background)
        # Visibly dimmer, yet readable: an enabled hint at least 1.8x the contrast of a disabled one.
        assert enabled >= 1.8 * disabled and disabled >= 1.5, (theme, enabled, disabled)
        assert colors["s"] == colors["Scale"]  # the key of a disabled hint is dimmed too


async def test_every_key_that_has_room_in_order_of_use(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(190, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
        bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Scale" in bar.hints)
        hints = bar.hints
        assert "R Stop-then-start" in hints  # no longer only in ?
        order = [
            "⏎ Tasks",
            "d Detail",
            "s Scale",
            "r Redeploy",
            "R Stop-then-start",
            "b Deploy revision…",
            "i Deploy image…",
            "esc Back",
        ]
        assert [hints.index(h) for h in order] == sorted(hints.index(h) for h in order)
        assert hints.index("esc Back") < hints.index(": Command") < hints.index("? Help")

        app.run_command_line("queues")
        await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen) and app.screen.query(KeyBar))
        queues_bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Detail" in queues_bar.hints)
        assert "⏎ Detail" in queues_bar.hints and "R Redrive all" in queues_bar.hints


async def test_a_narrow_bar_shows_whole_hints_and_keeps_help(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
        bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Scale" in bar.hints)
        shown = bar.render().plain
        assert "…" not in shown and "? more" in shown  # no hint cut in the middle; ? lists the rest
        assert shown.startswith(" ⏎ Tasks  d Detail")
