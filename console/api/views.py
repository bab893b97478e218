"""What the reads return to a front end: values a pane renders, never a gateway or a future.

Each view says what is known and what is not: a region whose alarm read failed is ``None``
(a pane shows "?"), a part of a detail whose read failed carries its error beside what was
read, so a pane can show the rest and still say what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from console.aws.alarms import by_cluster, of_note, of_queue, of_service
from console.model import (
    Alarm,
    Cluster,
    MessageMoveTask,
    MetricSeries,
    Queue,
    Service,
    TargetHealth,
    Task,
    TaskDefinition,
)


@dataclass(frozen=True)
class RegionAlarms:
    """Each region's alarms in ALARM state; a region maps to None when its read failed."""

    by_region: Mapping[str, tuple[Alarm, ...] | None] = field(default_factory=dict)

    def known(self, region: str) -> bool:
        """Read (successfully or not): False while a region was never asked."""
        return region in self.by_region

    def failed(self, region: str) -> bool:
        return region in self.by_region and self.by_region[region] is None

    def unknown_regions(self, regions: Iterable[str] | None = None) -> list[str]:
        """Regions (of ``regions``, or every one read) whose last read failed, sorted."""
        wanted = self.by_region if regions is None else regions
        return sorted(r for r in wanted if self.failed(r))

    def firing(self, regions: Iterable[str] | None = None) -> list[Alarm]:
        """Alarms of note in ``regions`` (every region read when None): what a status line counts."""
        wanted = self.by_region if regions is None else regions
        return [a for r in wanted for a in of_note(self.by_region.get(r) or ())]

    def of_service(self, service: Service) -> tuple[Alarm, ...] | None:
        found = self.by_region.get(service.region)
        return None if found is None else of_service(found, service.cluster_name, service.name)

    def of_queue(self, queue: Queue) -> tuple[Alarm, ...] | None:
        found = self.by_region.get(queue.region)
        return None if found is None else of_queue(found, queue.region, queue.name)

    def of_cluster(self, cluster: Cluster) -> tuple[Alarm, ...] | None:
        if self.by_region.get(cluster.region) is None:
            return None
        every = [a for known in self.by_region.values() if known for a in known]
        return by_cluster(every).get((cluster.region, cluster.name), ())

    def named_on(self, cluster: Cluster) -> Cluster:
        """The cluster carrying the names of its alarms of note (none while its region is unread)."""
        names = tuple(a.name for a in self.of_cluster(cluster) or ())
        return cluster if names == cluster.alarms else replace(cluster, alarms=names)

    def merged(self, other: RegionAlarms) -> RegionAlarms:
        return RegionAlarms({**self.by_region, **other.by_region})


@dataclass(frozen=True)
class ClustersView:
    """The clusters pane: clusters (alarm names filled in), alarms, active deployment counts."""

    clusters: Sequence[Cluster] = ()
    alarms: RegionAlarms = field(default_factory=RegionAlarms)
    deploying: Mapping[str, int] = field(default_factory=dict)  # cluster ARN -> count; absent: not counted


@dataclass(frozen=True)
class ServiceMetrics:
    """A service's CPU and memory series (percent), oldest first; empty when CloudWatch has none."""

    cpu: tuple[float, ...] = ()
    memory: tuple[float, ...] = ()

    @classmethod
    def of(cls, series: Mapping[tuple[str, str, str], MetricSeries], service: Service) -> ServiceMetrics:
        cpu = series.get((service.cluster_name, service.name, "CPUUtilization"))
        mem = series.get((service.cluster_name, service.name, "MemoryUtilization"))
        return cls(cpu.values if cpu else (), mem.values if mem else ())


@dataclass(frozen=True)
class ServiceDetail:
    """One service as its detail shows it; ``errors`` are the parts that could not be read."""

    service: Service
    task_definition: TaskDefinition | None = None
    targets: Sequence[TargetHealth] | None = None  # None: not read (no target group, or it failed)
    alarms: tuple[Alarm, ...] | None = ()  # None: the read failed
    errors: Sequence[Exception] = ()


@dataclass(frozen=True)
class TaskDetail:
    """One task (read again) and its task definition: the task and container screens' read."""

    task: Task
    task_definition: TaskDefinition | None = None


@dataclass(frozen=True)
class QueuesView:
    queues: Sequence[Queue] = ()
    alarms: RegionAlarms = field(default_factory=RegionAlarms)


@dataclass(frozen=True)
class QueueDetail:
    """One queue: attributes, DLQ sources and the oldest message's age; its move tasks; alarms."""

    queue: Queue
    move_tasks: Sequence[MessageMoveTask] = ()
    alarms: tuple[Alarm, ...] | None = ()  # None: the read failed


@dataclass
class FirstView:
    """What the services pane of one cluster shows first: its first page, the top rows described.

    Read while the UI loads (console.prefetch); the services pane starts from it.
    """

    cluster: Cluster
    first_page: list[str] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    next_token: str | None = None  # where the listing goes on; None: the first page was the last
