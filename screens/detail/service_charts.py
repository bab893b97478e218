"""A service's CPU and memory as charts with time and value axes (``g`` in the service detail).

Two charts of the service's own lines (percent of what its tasks reserve), and, where the
cluster has Container Insights, one line per running task: memory in MiB against the task's
hard limit (the line an OOM kill crosses) and CPU in units against the task's reservation.
``w`` switches between the last 3 and 24 hours, as in an alarm's chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from console.model import MetricSeries, Service
from screens.chart_pane import ChartPane
from screens.format import aws
from screens.widgets.chart import MetricChart

if TYPE_CHECKING:
    from console.api.charts import ServiceCharts, TaskLine


def _last(series: MetricSeries, unit: str) -> str:
    return f"now {series.last:.1f}{unit}" if series.last is not None else "no datapoints"


def _lines(task_lines: tuple[TaskLine, ...]) -> list[tuple[str, Sequence[datetime], Sequence[float]]]:
    return [(line.task_id[:8], line.series.timestamps, line.series.values) for line in task_lines]


class ServiceChartsScreen(ChartPane["ServiceCharts"]):
    CSS_PATH = "service_charts.tcss"
    BINDINGS = [Binding("w", "window", "3 h/24 h", id="service_charts.window")]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.crumb = f"{service.name} charts"
        self.charts: ServiceCharts | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="charts-head")
        # The scroll takes the focus (so the keys reach the screen) and keeps the charts usable
        # on a short terminal.
        with VerticalScroll(id="charts-main"), Grid(id="charts-grid"):
            yield MetricChart(id="chart-cpu")
            yield MetricChart(id="chart-memory")
            yield MetricChart(id="chart-task-cpu")
            yield MetricChart(id="chart-task-memory")

    async def read(self, hours: int) -> ServiceCharts:
        return await self.api.reads.service_charts(self.service, hours=hours)

    def show(self, c: ServiceCharts) -> None:
        self.charts = c
        window = f"last {self.hours} h"
        head = Text(end="")
        head.append_text(aws(f"{c.service.cluster_name}/{c.service.name}", "bold"))
        head.append(f"  ({c.service.region})  CPU {_last(c.cpu, '%')} · memory {_last(c.memory, '%')}")
        for note in c.notes:
            head.append("\n")
            head.append_text(aws(note, "yellow"))
        if not c.per_task:
            head.append("\nno per-task lines: the cluster has no Container Insights metrics", style="dim")
        self.query_one("#charts-head", Static).update(head)
        for chart_id, series, name in (("#chart-cpu", c.cpu, "CPU"), ("#chart-memory", c.memory, "memory")):
            self.query_one(chart_id, MetricChart).show(
                series.timestamps,
                series.values,
                start=c.start,
                end=c.end,
                threshold=100.0,
                title=f"{name} % of reserved · service average · {window}",
                unit="%",
            )
        limit = f"{c.memory_limit_mib:g} MiB" if c.memory_limit_mib is not None else "-"
        per_task = (
            (
                "#chart-task-memory",
                c.task_memory,
                c.memory_limit_mib,
                f"memory per task (MiB) · limit {limit}",
                "MiB",
            ),
            (
                "#chart-task-cpu",
                c.task_cpu,
                c.cpu_units,
                f"CPU per task (units) · reserved {c.cpu_units or '-'}",
                "units",
            ),
        )
        for chart_id, lines, line_limit, title, unit in per_task:
            chart = self.query_one(chart_id, MetricChart)
            chart.display = c.per_task
            if c.per_task:
                chart.show_lines(
                    _lines(lines),
                    start=c.start,
                    end=c.end,
                    limit=line_limit,
                    title=f"{title} · {window}",
                    unit=unit,
                )
        self.status.set_info(f"{len(c.cpu.values)} CPU points over {self.hours} h · w: {self.other_hours} h")
