"""A service's CPU and memory over hours, for the service detail's charts (``g``).

The service's own lines come from ``AWS/ECS`` (percent of what its tasks reserve); where the
cluster has Container Insights, each running task gets its own line from
``ECS/ContainerInsights`` (memory in MiB, CPU in units), drawn against the task's hard memory
limit: the line an OOM kill crosses. Every series of a chart is one GetMetricData call.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from console.aws.context import Gateways
from console.aws.metrics import MetricQuery, metric_series
from console.model import MetricSeries, Service, Task

CHART_HOURS = (3, 24)
MAX_TASK_LINES = 8  # beyond this a chart is a thicket; the busiest tasks are the ones kept


@dataclass(frozen=True)
class TaskLine:
    task_id: str
    series: MetricSeries


@dataclass(frozen=True)
class ServiceCharts:
    """What the charts screen draws: the window, the service's lines, one line per task where known."""

    service: Service
    start: datetime
    end: datetime
    cpu: MetricSeries
    memory: MetricSeries
    task_cpu: tuple[TaskLine, ...] = ()
    task_memory: tuple[TaskLine, ...] = ()
    memory_limit_mib: float | None = None  # the task's hard limit, where the task definition has one
    cpu_units: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def per_task(self) -> bool:
        return bool(self.task_memory or self.task_cpu)


def _family(task_definition_arn: str) -> str:
    return task_definition_arn.rsplit("/", 1)[-1].split(":")[0]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


async def service_charts(
    gateways: Gateways, service: Service, *, hours: int = 3, now: datetime | None = None
) -> ServiceCharts:
    """The service's CPU and memory over the last ``hours``; per task where Container Insights has it."""
    end = now or datetime.now(UTC)
    start = end - timedelta(hours=hours)
    period = 60 if hours <= 3 else 300  # 24 h of 1-minute points is more than a terminal can draw
    region, cluster = service.region, service.cluster_name
    notes: list[str] = []
    tasks_read, td_read = await asyncio.gather(
        gateways.ecs.tasks(region, service.cluster_arn, service=service.name),
        gateways.ecs.task_definition(region, service.task_definition),
        return_exceptions=True,
    )
    tasks: list[Task] = [] if isinstance(tasks_read, BaseException) else list(tasks_read)
    if isinstance(tasks_read, BaseException):
        notes.append("per-task lines: the service's tasks could not be read")
    service_dims = (("ClusterName", cluster), ("ServiceName", service.name))
    wanted = [
        MetricQuery(("service", "cpu"), "AWS/ECS", "CPUUtilization", service_dims),
        MetricQuery(("service", "memory"), "AWS/ECS", "MemoryUtilization", service_dims),
    ]
    family = _family(service.task_definition)
    for task in tasks[:MAX_TASK_LINES]:
        dims = (("ClusterName", cluster), ("TaskDefinitionFamily", family), ("TaskId", task.id))
        wanted.append(
            MetricQuery(("task", "memory", task.id), "ECS/ContainerInsights", "MemoryUtilized", dims)
        )
        wanted.append(MetricQuery(("task", "cpu", task.id), "ECS/ContainerInsights", "CpuUtilized", dims))
    found = await metric_series(
        gateways.aws, gateways.budget, region, wanted, start=start, end=end, period=period
    )

    def lines(kind: str) -> tuple[TaskLine, ...]:
        return tuple(
            TaskLine(key[2], series)
            for key, series in found.items()
            if key[0] == "task" and key[1] == kind and series.values
        )

    empty = MetricSeries(name="", dimension=service.name)
    td = None if isinstance(td_read, BaseException) else td_read
    return ServiceCharts(
        service=service,
        start=start,
        end=end,
        cpu=found.get(("service", "cpu"), empty),
        memory=found.get(("service", "memory"), empty),
        task_cpu=lines("cpu"),
        task_memory=lines("memory"),
        memory_limit_mib=_number(td.memory) if td is not None else None,
        cpu_units=_number(td.cpu) if td is not None else None,
        notes=tuple(notes),
    )
