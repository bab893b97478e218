"""The tasks pane with stopped tasks shown (``a``): every column at 160, no health on a stopped task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui_helpers import make_app, rows, wait_for

from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.clusters import ClustersScreen
from screens.tasks import TasksScreen

WWHD = "wwhd-cluster"


async def test_stopped_tasks_show_every_column_and_no_health(
    settings: Settings, tui_world: DemoRuntime, boto: Callable[[str, str], Any]
) -> None:
    ecs = boto("ecs", "us-east-1")
    running = ecs.list_tasks(cluster=WWHD, desiredStatus="RUNNING")["taskArns"]
    ecs.stop_task(
        cluster=WWHD,
        task=running[0],
        reason="Scaling activity initiated by (deployment ecs-svc/1234567890123456789) for a long reason",
    )
    stopped_id = running[0].rsplit("/", 1)[-1]
    app = make_app(settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, ClustersScreen) and len(app.screen.clusters) == 5
        )
        home = app.screen
        assert isinstance(home, ClustersScreen)
        home.table.select_key(next(arn for arn, c in home.clusters.items() if c.name == WWHD))
        await pilot.press("t")  # the cluster's tasks
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and bool(app.screen.tasks))
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        await pilot.press("a")

        def stopped_row() -> list[str] | None:
            return next((r for r in rows(app, "tasks") if r[0] == stopped_id and r[2] == "STOPPED"), None)

        await wait_for(pilot, stopped_row)
        await pilot.pause()
        assert screen.table.shown_columns == screen.table.column_keys  # 160 columns hold them all
        row = stopped_row()
        assert row is not None
        columns = screen.table.column_keys
        assert row[columns.index("health")] == "-"  # a stopped task has no health
        assert row[columns.index("desired")] == "STOPPED"
        assert row[columns.index("stopped")] != "-"
        running_rows = [r for r in rows(app, "tasks") if r[2] == "RUNNING"]
        assert running_rows and all(r[columns.index("health")] != "-" for r in running_rows)
