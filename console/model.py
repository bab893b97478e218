"""Typed, frozen values for what the console shows.

Everything the gateway returns is one of these, so screens and the CLI never
read raw botocore dictionaries, and a refresh can compare old and new rows by
equality to update only what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.accounts import account_id_of, account_name_of


def short_name(arn_or_name: str) -> str:
    """The last path segment of an ARN (``.../cluster/name`` -> ``name``)."""
    return arn_or_name.rsplit("/", 1)[-1] if arn_or_name else arn_or_name


class InAccount:
    """Every resource carries its account: id (its place's, or its ARN's) and name (the fleet's)."""

    __slots__ = ()
    region: str
    arn: str

    @property
    def account(self) -> str:
        return account_id_of(self.region, self.arn)

    @property
    def account_name(self) -> str:
        """The fleet's name for the account ("" with no accounts in the profile)."""
        return account_name_of(self.region)


@dataclass(frozen=True, slots=True)
class Cluster(InAccount):
    arn: str
    name: str
    region: str
    status: str = "ACTIVE"
    active_services: int = 0
    running_tasks: int = 0
    pending_tasks: int = 0
    active_deployments: int = 0
    alarms: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.arn


@dataclass(frozen=True, slots=True)
class Deployment:
    id: str
    status: str  # PRIMARY | ACTIVE | INACTIVE
    task_definition: str
    desired: int
    running: int
    pending: int
    failed_tasks: int = 0
    rollout_state: str = ""  # IN_PROGRESS | COMPLETED | FAILED
    rollout_reason: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def revision(self) -> str:
        return short_name(self.task_definition)


@dataclass(frozen=True, slots=True)
class ServiceEvent:
    id: str
    created_at: datetime | None
    message: str


@dataclass(frozen=True, slots=True)
class Service(InAccount):
    arn: str
    name: str
    cluster_arn: str
    region: str
    status: str
    desired: int
    running: int
    pending: int
    task_definition: str
    launch_type: str = "FARGATE"
    deployments: tuple[Deployment, ...] = ()
    events: tuple[ServiceEvent, ...] = ()
    load_balancers: tuple[dict[str, Any], ...] = ()
    circuit_breaker: bool = False
    circuit_breaker_rollback: bool = False
    created_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.arn

    @property
    def cluster_name(self) -> str:
        return short_name(self.cluster_arn)

    @property
    def revision(self) -> str:
        """``family:revision`` of the service's task definition."""
        return short_name(self.task_definition)

    @property
    def primary(self) -> Deployment | None:
        return next((d for d in self.deployments if d.status == "PRIMARY"), None)

    @property
    def rollout_state(self) -> str:
        primary = self.primary
        return primary.rollout_state if primary else ""

    @property
    def last_event_at(self) -> datetime | None:
        return self.events[0].created_at if self.events else None

    @property
    def target_group_arns(self) -> tuple[str, ...]:
        return tuple(lb["targetGroupArn"] for lb in self.load_balancers if lb.get("targetGroupArn"))


@dataclass(frozen=True, slots=True)
class Container:
    name: str
    last_status: str = ""
    exit_code: int | None = None
    reason: str = ""
    health: str = ""
    image: str = ""
    runtime_id: str = ""


@dataclass(frozen=True, slots=True)
class Task(InAccount):
    arn: str
    cluster_arn: str
    region: str
    task_definition: str
    last_status: str
    desired_status: str
    group: str = ""  # "service:NAME" for tasks a service started
    health: str = "UNKNOWN"
    launch_type: str = "FARGATE"
    cpu: str = ""
    memory: str = ""
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    created_at: datetime | None = None
    stopped_reason: str = ""
    stop_code: str = ""
    containers: tuple[Container, ...] = ()

    @property
    def key(self) -> str:
        return self.arn

    @property
    def id(self) -> str:
        return short_name(self.arn)

    @property
    def service_name(self) -> str:
        return self.group.split(":", 1)[1] if self.group.startswith("service:") else ""


@dataclass(frozen=True, slots=True)
class EnvVar:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class SecretRef:
    name: str
    value_from: str


@dataclass(frozen=True, slots=True)
class ContainerDefinition:
    name: str
    image: str
    cpu: int = 0
    memory: int | None = None
    essential: bool = True
    ports: tuple[int, ...] = ()
    environment: tuple[EnvVar, ...] = ()
    secrets: tuple[SecretRef, ...] = ()
    environment_files: tuple[str, ...] = ()
    health_check: tuple[str, ...] = ()
    log_driver: str = ""
    log_options: tuple[tuple[str, str], ...] = ()

    def log_option(self, key: str) -> str:
        return dict(self.log_options).get(key, "")


@dataclass(frozen=True, slots=True)
class TaskDefinition:
    arn: str
    family: str
    revision: int
    status: str
    cpu: str = ""
    memory: str = ""
    containers: tuple[ContainerDefinition, ...] = ()
    registered_at: datetime | None = None
    # The describe_task_definition response (taskDefinition + tags) as AWS sent it:
    # registering a new revision starts from this so that no field is lost.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return self.arn

    @property
    def family_revision(self) -> str:
        return f"{self.family}:{self.revision}"

    def container(self, name: str) -> ContainerDefinition | None:
        return next((c for c in self.containers if c.name == name), None)


@dataclass(frozen=True, slots=True)
class Queue(InAccount):
    url: str
    name: str
    region: str
    arn: str = ""
    visible: int = 0
    in_flight: int = 0
    delayed: int = 0
    oldest_age_s: float | None = None
    fifo: bool = False
    visibility_timeout: int = 30
    retention_s: int = 345600
    delay_s: int = 0
    encryption: str = ""
    dlq_arn: str = ""  # this queue's DLQ (from its RedrivePolicy)
    max_receive_count: int | None = None
    source_arns: tuple[str, ...] = ()  # queues that use this one as their DLQ

    @property
    def key(self) -> str:
        return self.url

    @property
    def account(self) -> str:
        return account_id_of(self.region, self.arn or self.url)

    @property
    def is_dlq(self) -> bool:
        return bool(self.source_arns)


@dataclass(frozen=True, slots=True)
class MessageMoveTask:
    handle: str
    status: str  # RUNNING | COMPLETED | CANCELLING | CANCELLED | FAILED
    source_arn: str
    destination_arn: str = ""
    moved: int = 0
    to_move: int | None = None
    max_per_second: int | None = None
    started_at: datetime | None = None
    failure_reason: str = ""


@dataclass(frozen=True, slots=True)
class LogEvent:
    event_id: str
    group: str
    stream: str
    timestamp: int  # milliseconds since the epoch, as CloudWatch sends it
    message: str
    ingestion_time: int = 0


@dataclass(frozen=True, slots=True)
class MetricSeries:
    name: str  # e.g. CPUUtilization
    dimension: str  # e.g. the service name
    timestamps: tuple[datetime, ...] = ()
    values: tuple[float, ...] = ()

    @property
    def last(self) -> float | None:
        return self.values[-1] if self.values else None


@dataclass(frozen=True, slots=True)
class Alarm(InAccount):
    """A CloudWatch metric alarm, tied to ECS by its dimensions (``ClusterName``, ``ServiceName``)."""

    name: str
    region: str
    arn: str = ""
    state: str = "ALARM"  # OK | ALARM | INSUFFICIENT_DATA
    namespace: str = ""
    metric: str = ""
    dimensions: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    since: datetime | None = None
    actions: tuple[str, ...] = ()
    description: str = ""  # the team's words: what it means, what to do

    @property
    def key(self) -> str:
        return self.arn or f"{self.region}/{self.name}"

    def dimension(self, name: str) -> str:
        return dict(self.dimensions).get(name, "")

    @property
    def cluster(self) -> str:
        return self.dimension("ClusterName")

    @property
    def service(self) -> str:
        return self.dimension("ServiceName")

    @property
    def queue(self) -> str:
        return self.dimension("QueueName")

    @property
    def scaling(self) -> bool:
        """Only drives auto scaling (a target-tracking AlarmLow is in ALARM whenever load is low)."""
        return bool(self.actions) and all(a.startswith("arn:aws:autoscaling:") for a in self.actions)


@dataclass(frozen=True, slots=True)
class TargetHealth:
    target_group_arn: str
    target_id: str
    port: int | None
    state: str
    reason: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class CallerIdentity:
    account: str
    arn: str
    user_id: str = ""
