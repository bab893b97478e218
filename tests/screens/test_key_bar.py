"""The key hints line: the screen's bindings, greyed when disabled, and clickable."""

from __future__ import annotations

from dataclasses import replace

from tui_helpers import make_app, wait_for

from console.config import Settings
from screens.clusters import ClustersScreen
from screens.services import ServicesScreen
from screens.widgets.key_bar import KeyBar


async def test_hints_follow_the_screen_and_a_click_presses_the_key(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Services" in bar.hints)
        assert "? Help" in bar.hints and "^p palette" in bar.hints
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
        services_bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Redeploy" in services_bar.hints)
        assert "Services" not in services_bar.hints  # the clusters pane's hint is gone
        await pilot.click(KeyBar, offset=(2, 0))  # " esc Back": the first hint
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen))


async def test_read_only_greys_the_mutating_hints(settings: Settings) -> None:
    app = make_app(replace(settings, read_only=True))
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
        bar = app.screen.query_one(KeyBar)
        await wait_for(pilot, lambda: "Scale" in bar.hints)
        disabled = bar.get_component_rich_style("key-bar--disabled", partial=True)
        styles = {bar._text.plain[span.start : span.end].strip(): span.style for span in bar._text.spans}
        assert styles["Scale"] == disabled and styles["Detail"] != disabled
