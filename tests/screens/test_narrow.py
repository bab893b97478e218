"""At 80x24 the wide tables hide their least important columns instead of scrolling sideways."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from tui_helpers import command, make_app, rows, wait_for

from console.config import Settings
from screens.clusters import ClustersScreen
from screens.queues import QueuesScreen
from screens.services import ServicesScreen
from screens.tasks import TasksScreen
from screens.widgets.keyed_table import KeyedTable

ASHARVI = "arn:aws:ecs:ap-south-1:123456789012:cluster/asharvi-backend-cluster"


def assert_fits(table: KeyedTable) -> list[str]:
    """The name column shows, some column is hidden, and nothing is left to scroll sideways to."""
    shown = table.shown_columns
    assert shown[0] == table.column_keys[0]
    assert len(shown) < len(table.column_keys)
    assert table.virtual_size.width <= table.size.width
    assert table.max_scroll_x == 0
    return shown


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await pilot.pause()


async def test_every_table_fits_80_columns(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, ClustersScreen) and len(app.screen.table.keys) == 5
        )
        await wait_for(pilot, lambda: "…" not in [r[6] for r in rows(app, "clusters")])
        await settle(pilot)
        shown = assert_fits(app.screen.table)
        assert {"name", "alarms", "running"} <= set(shown)
        # Hidden, not removed: every cell is still kept by its column key.
        assert all(len(r) == len(app.screen.table.column_keys) for r in rows(app, "clusters"))

        await command(pilot, "cluster asharvi-backend-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.polls > 0)
        await settle(pilot)
        shown = assert_fits(app.screen.table)
        assert {"name", "desired", "running", "rollout"} <= set(shown)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.tasks)
        await settle(pilot)
        shown = assert_fits(app.screen.table)
        assert {"id", "status"} <= set(shown)

        await command(pilot, "queues")
        await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen) and app.screen.queues)
        await settle(pilot)
        shown = assert_fits(app.screen.table)
        assert {"name", "visible"} <= set(shown)

        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        assert app.screen.table.shown_columns == app.screen.table.column_keys


async def test_widening_shows_columns_again_and_keeps_the_cursor(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: ASHARVI in app.screen.table.keys)
        await wait_for(pilot, lambda: "…" not in [r[6] for r in rows(app, "clusters")])
        table = app.screen.table
        assert table.shown_columns == table.column_keys
        table.select_key(ASHARVI)

        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        narrow = table.shown_columns
        assert "name" in narrow and len(narrow) < len(table.column_keys)
        await pilot.press("ctrl+r")  # a refresh while columns are hidden updates rows in place
        await wait_for(pilot, lambda: app.screen.polls > 1)
        assert table.cursor_key == ASHARVI

        await pilot.resize_terminal(160, 30)
        await settle(pilot)
        assert table.shown_columns == table.column_keys
        assert table.cursor_key == ASHARVI
        assert rows(app, "clusters")[table.keys.index(ASHARVI)][0] == "asharvi-backend-cluster"
