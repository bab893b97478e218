"""The one place that names moto's backends, typed, so the rest of the demo reads them without guesses.

moto keeps each service's state in ``<service>_backends[account][region]``. The demo world reads
and writes that state in-process (fast, and never counted as an API call). Going through these
getters keeps the account explicit (an account of None is the acting one, see organisation) and
gives mypy real types.

The demo also gives moto's ECS objects fields moto does not have (a task's lifecycle times, a
service's scheduler state, a task definition's registration). ``DemoTask``, ``DemoService`` and
``DemoTaskDefinition`` say what those objects carry once the demo has dressed them, and the
``demo_*`` / ``*_of`` getters below are the only places that look at a moto object as one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from console.demo.organisation import BASE_ACCOUNT as DEFAULT_ACCOUNT  # noqa: F401  (re-exported)
from console.demo.organisation import acting

if TYPE_CHECKING:
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.ec2.models import EC2Backend
    from moto.ecr.models import ECRBackend
    from moto.ecs.models import EC2ContainerServiceBackend, Service, Task, TaskDefinition
    from moto.elbv2.models import ELBv2Backend
    from moto.logs.models import LogsBackend
    from moto.secretsmanager.models import SecretsManagerBackend
    from moto.sqs.models import SQSBackend


def ecs(region: str, account: str | None = None) -> EC2ContainerServiceBackend:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account or acting()][region]


def ecr(region: str, account: str | None = None) -> ECRBackend:
    from moto.ecr.models import ecr_backends

    return ecr_backends[account or acting()][region]


def secrets(region: str, account: str | None = None) -> SecretsManagerBackend:
    from moto.secretsmanager.models import secretsmanager_backends

    return secretsmanager_backends[account or acting()][region]


def elbv2(region: str, account: str | None = None) -> ELBv2Backend:
    from moto.elbv2.models import elbv2_backends

    return elbv2_backends[account or acting()][region]


def cloudwatch(region: str, account: str | None = None) -> CloudWatchBackend:
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account or acting()][region]


def logs(region: str, account: str | None = None) -> LogsBackend:
    from moto.logs.models import logs_backends

    return logs_backends[account or acting()][region]


def sqs(region: str, account: str | None = None) -> SQSBackend:
    from moto.sqs.models import sqs_backends

    return sqs_backends[account or acting()][region]


def ec2(region: str, account: str | None = None) -> EC2Backend:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account or acting()][region]


# --------------------------------------------------------------------------- ECS as the demo dresses it

Deployment = dict[str, Any]
"""One of a service's deployments, keyed as DescribeServices shows it (id, status, rolloutState…)."""

ContainerState = dict[str, Any]
"""One of a task's containers as DescribeTasks shows it, plus the demo's ``_essential`` and ``_health``."""


class DemoTask(Protocol):
    """A moto Task as ``tasks.new_task`` makes it: moto's fields and the lifecycle's (times, status, ticks)."""

    id: str
    _status: str | None
    status: str | None
    last_status: str
    cluster_name: str
    cluster_arn: str
    container_instance_arn: str | None
    desired_status: str
    task_definition_arn: str
    overrides: dict[str, Any]
    started_by: str
    tags: list[dict[str, str]]
    launch_type: str
    capacity_provider_name: str | None
    platform_version: str | None
    platform_family: str
    stopped_reason: str
    resource_requirements: dict[str, str] | None
    region_name: str
    _account_id: str
    _backend: EC2ContainerServiceBackend
    group: str
    cpu: str | None
    memory: str | None
    version: int
    enable_execute_command: bool
    ephemeral_storage: dict[str, int]
    network_configuration: dict[str, Any]
    attachments: list[dict[str, Any]]
    availability_zone: str
    private_ip: str
    containers: list[ContainerState]
    health_status: str
    created_at: datetime
    pull_started_at: datetime | None
    pull_stopped_at: datetime | None
    started_at: datetime | None
    stopping_at: datetime | None
    execution_stopped_at: datetime | None
    stopped_at: datetime | None
    stop_code: str | None
    connectivity: str | None
    connectivity_at: datetime | None
    ticks: int  # ticks spent in the current lastStatus
    # A service's tasks only (read with getattr elsewhere):
    service_name: str
    target_groups: list[tuple[str, int]]
    # A task that stopped on its own only:
    failed: bool

    @property
    def task_arn(self) -> str: ...


class DemoService(Protocol):
    """A moto Service once ``deployments.service_state`` has given it the scheduler's state.

    Besides moto's fields: what the patched create_service keeps (deploymentConfiguration & co.)
    and the scheduler's ``_demo_*`` state.
    """

    name: str
    cluster_name: str
    cluster_arn: str
    region_name: str
    _account_id: str
    status: str
    task_definition: str | None
    desired_count: int
    running_count: int
    pending_count: int
    deployments: list[Deployment]
    events: list[dict[str, Any]]
    launch_type: str | None
    platform_version: str | None
    network_configuration: dict[str, Any]
    load_balancers: list[dict[str, Any]]
    service_registries: list[dict[str, Any]]
    scheduling_strategy: list[dict[str, Any]] | str
    deployment_controller: dict[str, str]
    propagate_tags: str
    role_arn: str | None
    tags: list[dict[str, str]]
    deployment_configuration: dict[str, Any]
    health_check_grace_period_seconds: int | None
    enable_execute_command: bool
    enable_ecs_managed_tags: bool
    created_at: datetime | None
    created_by: str
    _demo_ready: bool
    _demo_tasks: list[DemoTask]
    _demo_steady: bool
    _demo_last_good: tuple[str, str | None] | None  # (deployment id, task definition) last COMPLETED
    _demo_next_start_tick: int
    _demo_cb_stopped: bool
    _demo_service_deployments: dict[str, dict[str, Any]]

    @property
    def arn(self) -> str: ...


class DemoTaskDefinition(Protocol):
    """A moto TaskDefinition with the registration moto leaves out (see ecs_fixes)."""

    arn: str
    family: str
    revision: int
    status: str
    cpu: str | None
    memory: str | None
    container_definitions: list[dict[str, Any]]
    volumes: list[dict[str, Any]]
    registered_at: datetime
    registered_by: str


class DemoEcs(Protocol):
    """What the demo keeps on an ECS backend: a task index and the tasks run outside services."""

    _demo_task_index: dict[str, DemoTask]
    _demo_loose: list[DemoTask]


def bare_task(status: str) -> DemoTask:
    """A moto Task made without moto's constructor (no ENI in EC2), in ``status``; the caller fills it."""
    from moto.ecs.models import Task
    from moto.moto_api._internal.managed_state_model import ManagedState

    task = cast("Task", Task.__new__(Task))
    ManagedState.__init__(task, model_name="ecs::task", transitions=[(status, status)])
    return demo_task(task)


def demo_task(task: Task) -> DemoTask:
    """A task moto hands back (from the demo's own tasks, or dressed by ecs_fixes)."""
    return cast("DemoTask", task)


def moto_task(task: DemoTask) -> Task:
    """The same object as moto's own type, for the patched moto calls that return it."""
    return cast("Task", task)


def demo_service(svc: Service | DemoService) -> DemoService:
    """A service moto hands back; its ``_demo_*`` state is there once service_state has run."""
    return cast("DemoService", svc)


def demo_task_definition(td: TaskDefinition) -> DemoTaskDefinition:
    return cast("DemoTaskDefinition", td)


def demo_ecs(be: EC2ContainerServiceBackend) -> DemoEcs:
    return cast("DemoEcs", be)


def tasks_of(be: EC2ContainerServiceBackend) -> dict[str, dict[str, DemoTask]]:
    """Cluster name → task ARN → task: every task of the backend is one the demo made or dressed."""
    return cast("dict[str, dict[str, DemoTask]]", be.tasks)


def services_of(be: EC2ContainerServiceBackend) -> dict[str, DemoService]:
    """``cluster:name`` → service."""
    return cast("dict[str, DemoService]", be.services)
