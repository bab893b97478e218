"""Every pane and drill-down on the embedded AWS: clusters, services, detail, tasks, task, container."""

from __future__ import annotations

from tui_helpers import make_app, rows, screen_text, wait_for

from console.config import Settings
from screens.clusters import ClustersScreen
from screens.detail.service import ServiceDetailScreen
from screens.detail.task import ContainerScreen, TaskDetailScreen
from screens.services import ServicesScreen
from screens.tasks import TasksScreen

WWHD = "arn:aws:ecs:us-east-1:123456789012:cluster/wwhd-cluster"


async def test_clusters_of_every_region(settings: Settings) -> None:
    app = make_app(settings, demo_label="DEMO")
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, ClustersScreen) and len(app.screen.table.keys) == 5
        )
        table = rows(app, "clusters")
        names = {r[0] for r in table}
        assert {"wwhd-cluster", "frameratr-dev-cluster", "asharvi-backend-cluster"} <= names
        assert {r[1] for r in table} == {"us-east-1", "ap-south-1", "us-east-2"}
        wwhd = next(r for r in table if r[0] == "wwhd-cluster")
        assert wwhd[3] == "1"  # one service
        await wait_for(pilot, lambda: "…" not in [r[6] for r in rows(app, "clusters")])
        assert "DEMO" in screen_text(app)


async def test_drill_down_and_back(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 34)) as pilot:
        await wait_for(pilot, lambda: WWHD in app.screen.table.keys)
        app.screen.table.select_key(WWHD)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        services = app.screen
        assert app.breadcrumb() == ["clusters", "wwhd-cluster"]
        row = rows(app, "services")[0]
        assert row[0] == "wwhd-backend"
        assert row[1] == row[2] == "1"  # desired, running
        assert row[5] == "-"  # alarms: none firing
        assert row[6].startswith("wwhd-backend")  # family:revision

        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceDetailScreen) and app.screen.polls > 0)
        text = screen_text(app)
        assert "PRIMARY" in text
        assert "has reached a steady state" in text
        assert "qdrant" in text  # the sidecar container of the task definition
        await pilot.press("escape")
        assert app.screen is services

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.tasks)
        assert app.breadcrumb()[-1] == "wwhd-backend tasks"
        task_rows = rows(app, "tasks")
        assert len(task_rows) == 1 and task_rows[0][2] == "RUNNING"

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetailScreen) and app.screen.polls > 0)
        containers = rows(app, "containers")
        assert {c[0] for c in containers} >= {"qdrant"}
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ContainerScreen) and app.screen.polls > 0)
        assert "image" in screen_text(app)

        for expected in (TaskDetailScreen, TasksScreen, ServicesScreen, ClustersScreen):
            await pilot.press("escape")
            assert isinstance(app.screen, expected)
        await pilot.press("escape")  # nothing below the clusters pane
        assert isinstance(app.screen, ClustersScreen)


async def test_stopped_tasks_toggle(settings: Settings, boto) -> None:  # type: ignore[no-untyped-def]
    ecs = boto("ecs", "us-east-1")
    arn = ecs.list_tasks(cluster="wwhd-cluster")["taskArns"][0]
    ecs.stop_task(cluster="wwhd-cluster", task=arn, reason="stopped by test")
    app = make_app(settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: WWHD in app.screen.table.keys)
        app.screen.table.select_key(WWHD)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.polls > 0)
        await pilot.press("a")
        await wait_for(pilot, lambda: any(r[2] == "STOPPED" for r in rows(app, "tasks")))
        stopped = next(r for r in rows(app, "tasks") if r[2] == "STOPPED")
        assert "stopped by test" in stopped[8]
