"""Errors keep the app running and the rows on screen; AWS text never styles or moves the screen."""

from __future__ import annotations

from tui_helpers import command, make_app, rows, screen_text, wait_for

from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.demo.scheduler import LOCK, add_event, backend
from console.demo.server import FaultSpec
from screens.detail.service import ServiceDetailScreen
from screens.services import ServicesScreen
from screens.tasks import TasksScreen

HOSTILE = "[bold red]pwned[/] [link=http://x]y[/link] \x1b[2J\x1b]52;c;ZXZpbA==\x07 done"


async def test_errors_go_to_the_status_line_and_rows_stay(settings: Settings, tui_world: DemoRuntime) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
        pane = app.screen
        tui_world.server.middleware.set_faults(FaultSpec(server_error=1.0, only=frozenset({"ecs"})))
        pane.action_refresh()
        await wait_for(pilot, lambda: pane.status.error)
        assert "ListClusters" in pane.status.error or "failed" in pane.status.error
        assert len(pane.table.keys) == 5  # the data already shown stays
        assert pane.next_delay() > pane.poll_interval  # backs off
        tui_world.server.middleware.set_faults(FaultSpec(throttle=1.0, only=frozenset({"ecs"})))
        pane.action_refresh()
        await wait_for(pilot, lambda: "throttled" in pane.status.error)
        tui_world.server.middleware.set_faults(None)
        pane.action_refresh()
        await wait_for(pilot, lambda: not pane.status.error)
        assert app.is_running


async def test_unreachable_endpoint_is_one_line(settings: Settings) -> None:
    from dataclasses import replace

    app = make_app(replace(settings, endpoint_url="http://127.0.0.1:9"))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.screen.status.error)
        assert "unreachable" in app.screen.status.error or "connect" in app.screen.status.error.lower()
        assert app.is_running


async def test_deleted_service_shows_in_status_line(settings: Settings, boto) -> None:  # type: ignore[no-untyped-def]
    app = make_app(settings)
    async with app.run_test(size=(120, 34)) as pilot:
        await command(pilot, "cluster frameratr-dev-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceDetailScreen) and app.screen.polls > 0)
        detail = app.screen
        ecs = boto("ecs", "us-east-2")
        ecs.delete_service(
            cluster="frameratr-dev-cluster", service="frameratr-dev-backend-service", force=True
        )
        detail.action_refresh()
        await wait_for(pilot, lambda: "unknown service" in detail.status.error, timeout=40)
        assert "frameratr-dev-backend-service" in screen_text(app)  # last known state stays


async def test_hostile_aws_text_renders_literally(settings: Settings, tui_world: DemoRuntime, boto) -> None:  # type: ignore[no-untyped-def]
    with LOCK:
        svc = next(s for s in backend("us-east-1").services.values() if s.name == "wwhd-backend")
        add_event(svc, HOSTILE)
    ecs = boto("ecs", "us-east-1")
    task = ecs.list_tasks(cluster="wwhd-cluster")["taskArns"][0]
    ecs.stop_task(cluster="wwhd-cluster", task=task, reason=HOSTILE)
    app = make_app(settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await command(pilot, "cluster wwhd-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceDetailScreen) and app.screen.polls > 0)
        events = [r[1] for r in rows(app, "events")]
        shown = next(e for e in events if "pwned" in e)
        assert "[bold red]pwned[/]" in shown and "[link=http://x]" in shown
        assert "\x1b" not in shown and "\x07" not in shown and "␛" in shown and "␇" in shown
        table = app.screen.query_one("#events")
        cell = table.get_row(next(k for k in table.keys if "pwned" in " ".join(table.plain_row(k))))[1]
        assert not cell.spans and not str(cell.style)  # no style came from the text
        await pilot.press("escape")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TasksScreen) and app.screen.polls > 0)
        await pilot.press("a")
        await wait_for(pilot, lambda: any("pwned" in r[8] for r in rows(app, "tasks")))
        reason = next(r[8] for r in rows(app, "tasks") if "pwned" in r[8])
        assert reason.startswith("[bold red]pwned[/]") and "\x1b" not in reason
