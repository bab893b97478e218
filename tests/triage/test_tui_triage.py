"""The timeline screen (T), its jumps to evidence, why's findings (D), the alarms pane and its chart."""

from __future__ import annotations

import asyncio

from tui_helpers import command, make_app, rows, screen_text, wait_for

from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.alarms import AlarmDetailScreen, AlarmsScreen
from screens.clusters import ClustersScreen
from screens.detail.task import TaskDetailScreen
from screens.services import ServicesScreen
from screens.timeline import LogsWindowScreen, TextScreen, TimelineScreen, WhyScreen
from screens.widgets.chart import MetricChart

ASHARVI_PROD = "arn:aws:ecs:ap-south-1:123456789012:service/asharvi-backend-cluster/asharvi-backend-prod"
DOCU = "arn:aws:ecs:us-east-1:123456789012:service/docu-cr-backend-cluster/docu-cr-backend-service"


async def open_services(pilot, app, cluster: str) -> ServicesScreen:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
    await command(pilot, f"cluster {cluster}")
    await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
    return app.screen


async def on_service(pilot, app, cluster: str, arn: str) -> ServicesScreen:  # type: ignore[no-untyped-def]
    """The services pane of ``cluster`` with the cursor on the service ``arn``."""
    services = await open_services(pilot, app, cluster)
    await wait_for(pilot, lambda: arn in services.services)
    assert services.table.select_key(arn)
    return services


def deploy_broken(runtime: DemoRuntime) -> None:
    from console.cli import main

    rc = main(
        [
            "rollback",
            "asharvi-backend-cluster",
            "asharvi-backend-prod",
            "--to",
            "5",
            "--yes",
            "--wait",
            "--poll-interval",
            "0.1",
            "--timeout",
            "60",
            "--profile",
            "demo",
            "--endpoint-url",
            runtime.endpoint,
        ]
    )
    assert rc == 1


async def test_timeline_of_a_service_and_its_jumps(settings: Settings, triage_world: DemoRuntime) -> None:
    await asyncio.to_thread(deploy_broken, triage_world)
    app = make_app(settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await on_service(pilot, app, "asharvi-backend-cluster", ASHARVI_PROD)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen) and app.screen.entries)
        timeline = app.screen
        assert timeline.crumb == "timeline asharvi-backend-prod"
        kinds = {e.kind for e in timeline.entries.values()}
        assert {"task-stopped", "service-event", "revision"} <= kinds
        assert "entries in the last 6 h" in timeline.status.info

        # a task stop: Enter opens the task detail, l the logs of that task ±2 min
        stop_key = next(
            k for k, e in timeline.entries.items() if e.kind == "task-stopped" and e.severity == "critical"
        )
        stop = timeline.entries[stop_key]
        assert timeline.table.select_key(stop_key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TaskDetailScreen))
        assert app.screen.task_.arn == stop.ref.task
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is timeline)
        assert timeline.table.select_key(stop_key)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsWindowScreen) and app.screen.sources)
        logs = app.screen
        assert stop.ref.at_ms is not None
        assert (logs.since, logs.until) == (stop.ref.at_ms - 120_000, stop.ref.at_ms + 120_000)
        assert logs.sources and all(
            s.streams and all(stop.ref.task.rsplit("/", 1)[1] in x for x in s.streams) for s in logs.sources
        )
        await wait_for(
            pilot, lambda: "Cannot find module" in "\n".join(line.event.message for line in logs.view.lines())
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is timeline)

        # a revision: Enter shows its diff against the previous one
        rev_key = next(
            k for k, e in timeline.entries.items() if e.kind == "revision" and e.ref.revision.endswith(":5")
        )
        assert timeline.table.select_key(rev_key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen))
        text = screen_text(app)
        assert "asharvi-backend-prod:4 -> asharvi-backend-prod:5" in text and "image" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is timeline)

        # D: why's findings of the same service
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen) and app.screen.report is not None)
        text = screen_text(app)
        assert "essential-container-exited" in text and "circuit-breaker-rolled-back" in text
        assert text.index("essential-container-exited") < text.index("circuit-breaker-rolled-back")
        assert "next:" in text and "opsconsole rollback asharvi-backend-cluster asharvi-backend-prod" in text


async def test_d_on_a_service_shows_why(settings: Settings, triage_world: DemoRuntime) -> None:
    app = make_app(settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await on_service(pilot, app, "docu-cr-backend-cluster", DOCU)
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyScreen) and app.screen.report is not None)
        text = screen_text(app)
        assert "alarm-firing" in text and "docu-cr-backend-memory-high" in text
        await pilot.press("enter")  # its evidence: the alarm's chart
        await wait_for(
            pilot, lambda: isinstance(app.screen, AlarmDetailScreen) and app.screen.chart is not None
        )


async def test_cluster_timeline_from_the_clusters_pane(settings: Settings, triage_world: DemoRuntime) -> None:
    app = make_app(settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        key = next(k for k in app.screen.table.keys if k.endswith("/asharvi-backend-cluster"))
        assert app.screen.table.select_key(key)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, TimelineScreen) and app.screen.entries)
        services = {e.ref.service for e in app.screen.entries.values()}
        assert {"asharvi-backend-prod", "asharvi-backend-staging"} <= services
        await pilot.press("w")  # the window: 6 h -> 24 h
        await wait_for(pilot, lambda: "in the last 24 h" in app.screen.status.info)


async def test_alarms_pane_and_chart(settings: Settings, triage_world: DemoRuntime) -> None:
    app = make_app(settings)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, ClustersScreen) and "alarm" in app.screen.status.info
        )
        await pilot.click("#status")  # the status line's alarm count
        await wait_for(pilot, lambda: isinstance(app.screen, AlarmsScreen) and app.screen.view is not None)
        pane = app.screen
        names = [r[0] for r in rows(app, "alarms")]
        assert "docu-cr-backend-memory-high" in names and "document-verification-dlq-not-empty" in names
        assert not any(n.startswith("TargetTracking") for n in names)  # scaling-only alarms are no news
        assert "2 firing" in pane.status.info
        key = next(k for k, d in pane.details.items() if d.alarm.name == "docu-cr-backend-memory-high")
        assert pane.table.select_key(key)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: isinstance(app.screen, AlarmDetailScreen) and app.screen.chart is not None
        )
        detail = app.screen
        chart = detail.query_one(MetricChart)
        assert detail.chart is not None and detail.chart.series.values  # the demo's memory points
        text = screen_text(app)
        assert "datapoint(s) crossed the threshold" in text and "> 55" in text
        assert len(detail.chart.crossings) == sum(1 for v in detail.chart.series.values if v > 55)
        assert chart.size.height >= 10
        assert "over 3 h" in detail.status.info
        await pilot.press("w")
        await wait_for(pilot, lambda: "over 24 h" in detail.status.info)
        await pilot.press("l")  # the logs of the alarmed service for the chart's window
        await wait_for(pilot, lambda: isinstance(app.screen, LogsWindowScreen))
        logs = app.screen
        assert logs.service is not None and logs.service.name == "docu-cr-backend-service"
        assert detail.chart is not None
        assert logs.window == (
            int(detail.chart.start.timestamp() * 1000),
            int(detail.chart.end.timestamp() * 1000),
        )


async def test_alarms_command_opens_the_pane(settings: Settings, triage_world: DemoRuntime) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen))
        await command(pilot, "alarms")
        await wait_for(pilot, lambda: isinstance(app.screen, AlarmsScreen) and app.screen.view is not None)
