"""CPU and memory metrics from the same models that decide OOM kills, and the queues' depths.

``AWS/ECS`` CPUUtilization / MemoryUtilization per service are one point a minute, the average
over the service's running tasks of what ``apps`` says each container uses (memory: the sum of
the task's containers over the task's memory). A day of points is written when the world is
seeded (from the tasks' real start times: docu-cr's leak climbs since its deploy 20 h ago, the
revision before it is flat); then the current minute's point is refined on every step until the
minute closes. Clusters with Container Insights get per-task ``ECS/ContainerInsights`` points
(MemoryUtilized in MiB, CpuUtilized in CPU units) with a ``TaskId`` dimension. ``AWS/SQS``
ApproximateNumberOfMessagesVisible and ApproximateAgeOfOldestMessage are written per queue.

moto stores metric timestamps as naive UTC (what its API parser makes): so do we.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.models import Dimension, MetricDatum

from console.demo import apps, ecr, fates, moto_access
from console.demo.clock import CLOCK
from console.demo.ecs_state import LOCK

BACKFILL = timedelta(hours=24)
TASK_BACKFILL = timedelta(hours=3)
STEP_S = 2.0  # real seconds between two refinements of the current minute

_INDEX: dict[tuple[str, str, str, str, tuple[tuple[str, str], ...], datetime], MetricDatum] = {}
_LAST: dict[str, datetime] = {}


def forget() -> None:
    _INDEX.clear()
    _LAST.clear()
    _BACKENDS.clear()
    SERIES.clear()
    BACKFILL_END.clear()


def minute(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(second=0, microsecond=0, tzinfo=None)


_DIMS: dict[tuple[tuple[str, str], ...], list[Dimension]] = {}
# The backfilled points by series, and where the backfill ended in each region's metric_data:
# the alarm evaluator reads these plus what was put after (live points, anyone's put_metric_data).
SERIES: dict[tuple[str, str, str, str, tuple[tuple[str, str], ...]], list[MetricDatum]] = {}
BACKFILL_END: dict[tuple[str, str], int] = {}
_BACKENDS: dict[tuple[str, str], Any] = {}


def _backend(account: str, region: str) -> Any:
    key = (account, region)
    backend = _BACKENDS.get(key)
    if backend is None or backend is not moto_access.cloudwatch(region, account):
        backend = _BACKENDS[key] = moto_access.cloudwatch(region, account)
    return backend


def put(
    account: str,
    region: str,
    namespace: str,
    name: str,
    dims: dict[str, str],
    at: datetime,
    value: float,
    unit: str,
    backend: Any = None,
    into: list[MetricDatum] | None = None,
) -> None:
    """The point of ``at``'s minute: created once, then updated in place (one point a minute).

    ``into``: collect past points (the backfill) instead of indexing them; only the current
    minute is ever refined.
    """
    stamp = minute(at)
    dim_key = tuple(sorted(dims.items()))
    key = (account, region, namespace, name, dim_key, stamp)
    if into is None:
        known = _INDEX.get(key)
        if known is not None:
            known.value = round(value, 2)
            return
    dimensions = _DIMS.get(dim_key)
    if dimensions is None:
        dimensions = _DIMS[dim_key] = [Dimension(k, v) for k, v in dims.items()]
    # moto's constructor rebuilds the dimensions per point: the same objects are shared instead.
    datum: MetricDatum = object.__new__(MetricDatum)
    datum.namespace, datum.name, datum.timestamp, datum.unit = namespace, name, stamp, unit
    datum.dimensions = dimensions
    datum.value = round(value, 2)
    if into is not None:
        into.append(datum)
        SERIES.setdefault((account, region, namespace, name, dim_key), []).append(datum)
        return
    (backend or _backend(account, region)).metric_data.append(datum)
    _INDEX[key] = datum


def _task_values(run: fates.TaskRun, task_memory: float, at: datetime) -> tuple[float, float, float]:
    """(CPU %, memory %, memory MiB) of one task at ``at``."""
    used = sum(fates.memory_mb(run, c, at) for c in run.containers)
    cpu = [apps.cpu_percent(c.app, at, run.task_id) for c in run.containers if c.app is not None]
    return (sum(cpu) / len(cpu) if cpu else 0.0), used / task_memory * 100, used


def _running(svc: Any) -> list[Any]:
    return [
        t for t in getattr(svc, "_demo_tasks", []) if t._status == "RUNNING" and t.desired_status == "RUNNING"
    ]


def step(regions: Iterable[str], skip_clusters: Iterable[str] = (), account: str | None = None) -> None:
    """Refine the current minute's points (every STEP_S real seconds)."""
    account = account or moto_access.acting()
    now = CLOCK.now()
    last = _LAST.get(account)
    if last is not None and (now - last).total_seconds() < STEP_S:
        return
    _LAST[account] = now
    skip = set(skip_clusters)
    for region in regions:
        be = moto_access.ecs(region, account)
        insights = {name for name, c in be.clusters.items() if _insights(c)}
        for svc in list(be.services.values()):
            if svc.cluster_name in skip:
                continue
            values = []
            for task in _running(svc):
                run = fates.RUNS.get(task.id)
                if run is None:
                    continue
                cpu, mem, used = _task_values(run, float(task.memory or 512), now)
                values.append((cpu, mem))
                if svc.cluster_name in insights:
                    _task_points(account, region, svc, task.id, now, cpu, used, float(task.cpu or 256))
            if values:
                _service_points(account, region, svc.cluster_name, svc.name, now, values)
        queues(account, region, now)


def _insights(cluster: Any) -> bool:
    return any(
        s.get("name") == "containerInsights" and s.get("value") == "enabled" for s in cluster.settings or []
    )


def _service_points(
    account: str,
    region: str,
    cluster: str,
    service: str,
    at: datetime,
    values: list[tuple[float, float]],
    into: list[MetricDatum] | None = None,
) -> None:
    dims = {"ClusterName": cluster, "ServiceName": service}
    cpu = sum(v[0] for v in values) / len(values)
    mem = sum(v[1] for v in values) / len(values)
    put(account, region, "AWS/ECS", "CPUUtilization", dims, at, cpu, "Percent", into=into)
    put(account, region, "AWS/ECS", "MemoryUtilization", dims, at, mem, "Percent", into=into)


def _task_points(
    account: str,
    region: str,
    svc: Any,
    task_id: str,
    at: datetime,
    cpu: float,
    used: float,
    units: float,
    into: list[MetricDatum] | None = None,
) -> None:
    family = str(svc.task_definition or "").rsplit("/", 1)[-1].split(":")[0]
    dims = {"ClusterName": svc.cluster_name, "TaskDefinitionFamily": family, "TaskId": task_id}
    put(account, region, "ECS/ContainerInsights", "MemoryUtilized", dims, at, used, "Megabytes", into=into)
    put(
        account,
        region,
        "ECS/ContainerInsights",
        "CpuUtilized",
        dims,
        at,
        cpu / 100 * units,
        "None",
        into=into,
    )


def _sent(message: Any) -> int:
    """When SQS accepted the message (ms), 0 if unknown (moto types it loosely)."""
    stamp: Any = getattr(message, "sent_timestamp", None)
    return int(stamp or 0)


def queues(account: str, region: str, at: datetime) -> None:
    now_ms = int(at.timestamp() * 1000)
    for name, queue in list(moto_access.sqs(region, account).queues.items()):
        messages = list(queue._messages)
        stamps = [t for m in messages if (t := _sent(m))]
        age = max(0.0, (now_ms - min(stamps)) / 1000) if stamps else 0.0
        dims = {"QueueName": name}
        put(account, region, "AWS/SQS", "ApproximateAgeOfOldestMessage", dims, at, age, "Seconds")
        put(
            account,
            region,
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dims,
            at,
            float(queue.approximate_number_of_messages),
            "Count",
        )


def backfill(
    regions: Iterable[str],
    skip_clusters: Iterable[str] = (),
    account: str | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """A day of one-minute points per service (and 3 h per task where Container Insights is on)."""
    account = account or moto_access.acting()
    now = CLOCK.now()
    skip = set(skip_clusters)
    first = minute(now - BACKFILL)
    minutes = int(BACKFILL.total_seconds() // 60)
    for region in regions:
        be = moto_access.ecs(region, account)
        insights = {name for name, c in be.clusters.items() if _insights(c)}
        into: list[MetricDatum] = []
        for svc in list(be.services.values()):
            if svc.cluster_name in skip:
                continue
            if cancelled():
                return
            with LOCK:
                tasks = [(t, fates.RUNS.get(t.id)) for t in _running(svc)]
            runs = [(t, r) for t, r in tasks if r is not None and r.started is not None]
            if not runs:
                continue
            deployed = min(r.started for _t, r in runs if r.started is not None)
            earlier = _previous_app(be, svc)
            task_memory = float(runs[0][0].memory or 512)
            for i in range(minutes + 1):
                at = (first + timedelta(minutes=i)).replace(tzinfo=UTC)
                values = []
                if at >= deployed:
                    for task, run in runs:
                        cpu, mem, used = _task_values(run, task_memory, at)
                        values.append((cpu, mem))
                        if svc.cluster_name in insights and now - at <= TASK_BACKFILL:
                            _task_points(
                                account, region, svc, task.id, at, cpu, used, float(task.cpu or 256), into
                            )
                elif earlier is not None:
                    for n in range(len(runs)):
                        seed = f"{svc.name}-previous-{n}"
                        used = sum(apps.memory_mb(app, at - timedelta(days=1), at, seed) for app in earlier)
                        cpu = sum(apps.cpu_percent(app, at, seed) for app in earlier) / len(earlier)
                        values.append((cpu, used / task_memory * 100))
                if values:
                    _service_points(account, region, svc.cluster_name, svc.name, at, values, into)
        for i in range(0, minutes + 1, 5):
            queues_at(account, region, (first + timedelta(minutes=i)).replace(tzinfo=UTC), into)
        data = _backend(account, region).metric_data
        data.extend(into)
        BACKFILL_END[(account, region)] = len(data)


def queues_at(account: str, region: str, at: datetime, into: list[MetricDatum] | None = None) -> None:
    """A past queue depth: the messages already sent by ``at`` (the seeded DLQ's history)."""
    at_ms = int(at.timestamp() * 1000)
    for name, queue in list(moto_access.sqs(region, account).queues.items()):
        sent = [t for m in list(queue._messages) if (t := _sent(m)) and t <= at_ms]
        age = (at_ms - min(sent)) / 1000 if sent else 0.0
        dims = {"QueueName": name}
        put(
            account,
            region,
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dims,
            at,
            float(len(sent)),
            "Count",
            into=into,
        )
        put(account, region, "AWS/SQS", "ApproximateAgeOfOldestMessage", dims, at, age, "Seconds", into=into)


def _previous_app(be: Any, svc: Any) -> list[apps.AppModel] | None:
    """The apps of the revision deployed before the current one (what ran before the last deploy)."""
    current = str(svc.task_definition or "")
    family, _, revision = current.rsplit("/", 1)[-1].partition(":")
    try:
        td = be.describe_task_definition(f"{family}:{int(revision) - 1}")
    except Exception:
        return None
    found = [ecr.pull(str(c.get("image", ""))).app for c in td.container_definitions]
    models = [a for a in found if a is not None]
    return models or None
