"""The service detail's CPU and memory charts (Pilot): `g`, per-task lines where Container Insights
has them (asharvi), the service's lines alone where it does not (docu-cr), and `w` for 24 h."""

from __future__ import annotations

from textual.widgets import Static

from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.detail.service import ServiceDetailScreen
from screens.detail.service_charts import ServiceChartsScreen
from screens.widgets.chart import MetricChart

from .support import wait_for
from .test_tui_ops import make_app, services_pane, settings

__all__ = ["settings"]  # the fixture, shared with the other console tests


async def open_charts(pilot, app, service: str) -> ServiceChartsScreen:  # type: ignore[no-untyped-def]
    await services_pane(pilot, app, service)
    await pilot.press("d")
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, ServiceDetailScreen)
            and "g: CPU" in str(app.screen.query_one("#summary", Static).render())
        ),
    )
    assert "g: CPU and memory charts" in str(app.screen.query_one("#summary", Static).render())
    await pilot.press("g")
    await wait_for(
        pilot, lambda: isinstance(app.screen, ServiceChartsScreen) and app.screen.charts is not None
    )
    return app.screen  # type: ignore[no-any-return]


async def test_charts_per_task_where_container_insights_has_them(
    settings: Settings, ops_world: DemoRuntime
) -> None:
    app = make_app(settings, "asharvi-backend-cluster")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_charts(pilot, app, "asharvi-backend-prod")
        charts = screen.charts
        assert charts is not None
        assert len(charts.cpu.values) >= 120 and len(charts.memory.values) >= 120  # 3 h of 1-minute points
        assert charts.task_memory and charts.task_cpu  # one line per running task
        assert charts.memory_limit_mib is not None and charts.memory_limit_mib > 0
        assert all(max(line.series.values) < charts.memory_limit_mib for line in charts.task_memory)
        assert screen.query_one("#chart-task-memory", MetricChart).display
        head = str(screen.query_one("#charts-head", Static).render())
        assert "asharvi-backend-cluster/asharvi-backend-prod" in head and "CPU now" in head
        await pilot.press("w")
        await wait_for(pilot, lambda: screen.hours == 24 and screen.charts is not charts)
        await wait_for(pilot, lambda: screen.charts is not None and screen.charts.start < charts.start)
        assert screen.charts is not None
        assert (screen.charts.end - screen.charts.start).total_seconds() == 24 * 3600


async def test_the_service_lines_alone_where_the_cluster_has_no_container_insights(
    settings: Settings, ops_world: DemoRuntime
) -> None:
    app = make_app(settings, "docu-cr-backend-cluster")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_charts(pilot, app, "docu-cr-backend-service")
        charts = screen.charts
        assert charts is not None and charts.cpu.values and not charts.per_task
        assert not screen.query_one("#chart-task-memory", MetricChart).display
        assert "no Container Insights" in str(screen.query_one("#charts-head", Static).render())
