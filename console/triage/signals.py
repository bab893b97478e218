"""What triage read about one service: plain values, so rules and the timeline are pure functions.

Every field is what AWS (or the local audit log) returned; an empty field means "not read or
nothing there", and :attr:`Signals.notes` says which sources failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.aws.alarm_history import AlarmChange, AlarmDetail
from console.aws.scaling import ScalableTarget, ScalingActivity
from console.aws.service_deployments import ServiceDeploymentRecord
from console.aws.target_groups import HealthCheck
from console.model import LogEvent, MetricSeries, Queue, Service, TargetHealth, Task, TaskDefinition
from console.triage.model import Ref, SourceNote


@dataclass(frozen=True, slots=True)
class ErrorCounts:
    """Error lines per minute of the service's log groups (epoch ms of the minute -> count)."""

    per_minute: tuple[tuple[int, int], ...] = ()
    samples: tuple[LogEvent, ...] = ()  # the first error lines of each minute, for evidence
    scanned: int = 0
    truncated: bool = False

    @property
    def total(self) -> int:
        return sum(n for _, n in self.per_minute)

    def between(self, start_ms: int, end_ms: int) -> int:
        return sum(n for m, n in self.per_minute if start_ms <= m < end_ms)


@dataclass(frozen=True, slots=True)
class QueueSignal:
    """A queue the service's task definition names, its DLQ, and how the DLQ's depth moved."""

    queue: Queue
    dlq: Queue | None = None
    dlq_depth: MetricSeries | None = None
    groups: tuple[tuple[str, int], ...] = ()  # DLQ messages grouped by error key, largest first
    sampled: int = 0


@dataclass(frozen=True, slots=True)
class TaskTail:
    """The last lines a (stopped) task's container wrote."""

    task_arn: str
    container: str
    group: str
    stream: str
    lines: tuple[LogEvent, ...] = ()


@dataclass(frozen=True)
class Signals:
    account: str
    service: Service
    start: datetime
    end: datetime
    now: datetime
    tasks: tuple[Task, ...] = ()
    task_definitions: dict[str, TaskDefinition] = field(default_factory=dict)  # by family:revision
    targets: tuple[TargetHealth, ...] = ()
    health_checks: dict[str, HealthCheck] = field(default_factory=dict)
    alarms: tuple[AlarmDetail, ...] = ()
    alarm_changes: tuple[AlarmChange, ...] = ()
    alarm_history_available: bool = True
    errors: ErrorCounts = field(default_factory=ErrorCounts)
    tails: tuple[TaskTail, ...] = ()
    queues: tuple[QueueSignal, ...] = ()
    audit: tuple[dict[str, Any], ...] = ()
    deployments: tuple[ServiceDeploymentRecord, ...] = ()
    scalable: ScalableTarget | None = None
    scaling: tuple[ScalingActivity, ...] = ()
    single_writer: bool = False
    notes: tuple[SourceNote, ...] = ()

    @property
    def region(self) -> str:
        return self.service.region

    @property
    def cluster(self) -> str:
        return self.service.cluster_name

    @property
    def name(self) -> str:
        return self.service.name

    def ref(self, type_: str, **fields: Any) -> Ref:
        """A :class:`Ref` of ``type_`` in this service (its account, region, cluster and name)."""
        return Ref(
            type=type_,
            region=self.region,
            account=self.account,
            cluster=self.cluster,
            service=self.name,
            **fields,
        )

    def task_definition(self, ref: str) -> TaskDefinition | None:
        """By ARN or family:revision."""
        key = ref.rsplit("/", 1)[-1]
        return self.task_definitions.get(key)

    def tasks_of(self, revision: str) -> list[Task]:
        return [t for t in self.tasks if t.task_definition.rsplit("/", 1)[-1] == revision]

    def stopped(self) -> list[Task]:
        return sorted(
            (t for t in self.tasks if t.last_status == "STOPPED" or t.desired_status == "STOPPED"),
            key=lambda t: t.stopped_at or t.created_at or self.now,
        )

    def tail_of(self, task_arn: str) -> tuple[TaskTail, ...]:
        return tuple(t for t in self.tails if t.task_arn == task_arn)
