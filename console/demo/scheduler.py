"""The ECS behaviour moto lacks: tasks follow desiredCount, deployments roll, circuit breakers trip.

moto stores services and tasks but never schedules anything. This module reaches into
``moto.ecs.models.ecs_backends`` and, on a background thread ticking every ``tick_s``, does what
ECS's service scheduler does: start and stop tasks (PROVISIONING → PENDING → RUNNING, and
DEACTIVATING → STOPPING → STOPPED), roll deployments within minimumHealthyPercent/maximumPercent,
mark them COMPLETED or FAILED, roll back on a tripped circuit breaker, and write service events in
AWS's wording, newest first, capped at 100.

Every mutation of moto's ECS state (ours and the request threads' patched calls) happens under
``LOCK`` so that a describe never sees a half-made task. A tick never raises: an error is logged
and the next tick runs.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend, Service, Task, TaskDefinition
from moto.moto_api._internal.managed_state_model import ManagedState

from console.demo import fates, moto_access
from console.demo.clock import CLOCK

log = logging.getLogger("opsconsole.demo.scheduler")

ACCOUNT = moto_access.DEFAULT_ACCOUNT
LOCK = threading.RLock()
EVENTS_KEPT = 100  # AWS keeps the last 100 service events
STOPPED_KEPT = 300  # stopped tasks remembered per region (AWS: about an hour)
STOPPED_TTL = timedelta(hours=1)

PENDING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")
DEFAULT_DEPLOYMENT_CONFIGURATION: dict[str, Any] = {
    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
    "maximumPercent": 200,
    "minimumHealthyPercent": 100,
}

TaskHook = Callable[[str, "Task", dict[str, Any]], None]


def now() -> datetime:
    return datetime.now(UTC)


def new_deployment_id() -> str:
    return f"ecs-svc/{random.randint(10**18, 10**19 - 1)}"


def short_id(task: Task) -> str:
    return str(task.id)


def backend(region: str, account: str = ACCOUNT) -> EC2ContainerServiceBackend:
    return moto_access.ecs(region, account)


def td_of(be: EC2ContainerServiceBackend, ref: str | None) -> TaskDefinition | None:
    if not ref:
        return None
    try:
        return be.describe_task_definition(ref)
    except Exception:
        return None


# --------------------------------------------------------------------------- tasks


def _fake_ip(subnet_cidr: str | None) -> str:
    try:
        net = ipaddress.ip_network(subnet_cidr or "10.0.0.0/16", strict=False)
        return str(net.network_address + random.randint(4, max(5, net.num_addresses - 2)))
    except ValueError:
        return f"10.0.{random.randint(0, 255)}.{random.randint(4, 250)}"


_SUBNET_CIDRS: dict[tuple[str, str], str] = {}


def _subnet_cidr(region: str, subnet_id: str) -> str | None:
    key = (region, subnet_id)
    if key not in _SUBNET_CIDRS:
        try:
            from moto.ec2.models import ec2_backends

            subnet = ec2_backends[ACCOUNT][region].get_subnet(subnet_id)
            _SUBNET_CIDRS[key] = subnet.cidr_block
        except Exception:
            return None
    return _SUBNET_CIDRS.get(key)


def new_task(
    be: EC2ContainerServiceBackend,
    cluster_name: str,
    td: TaskDefinition,
    *,
    group: str,
    started_by: str,
    network_configuration: dict[str, Any] | None,
    launch_type: str = "FARGATE",
    platform_version: str = "1.4.0",
    status: str = "PROVISIONING",
    created_at: datetime | None = None,
    tags: list[dict[str, str]] | None = None,
    grace: int | None = None,
) -> Task:
    """A moto Task made without moto's constructor (no ENI in EC2: fast, and immune to the state manager)."""
    cluster = be.clusters[cluster_name]
    task = Task.__new__(Task)
    ManagedState.__init__(task, model_name="ecs::task", transitions=[(status, status)])
    task_id = uuid.uuid4().hex
    region = be.region_name
    created = created_at or now()
    task.id = task_id
    task.cluster_name = cluster.name
    task.cluster_arn = cluster.arn
    task.container_instance_arn = None
    task.desired_status = "RUNNING"
    task.task_definition_arn = td.arn
    task.overrides = {"containerOverrides": [{"name": c["name"]} for c in td.container_definitions]}
    task.started_by = started_by
    task.tags = tags or []
    task.launch_type = launch_type
    task.capacity_provider_name = None
    task.platform_version = platform_version
    task.platform_family = "Linux"
    task.stopped_reason = ""
    task.resource_requirements = None
    task.region_name = region
    task._account_id = be.account_id
    task._backend = be
    task.group = group
    task.cpu = td.cpu
    task.memory = td.memory
    task.version = 1
    task.enable_execute_command = False
    task.ephemeral_storage = {"sizeInGiB": 20}
    task.created_at = created
    task.pull_started_at = None
    task.pull_stopped_at = None
    task.started_at = None
    task.stopping_at = None
    task.execution_stopped_at = None
    task.stopped_at = None
    task.stop_code = None
    task.connectivity = None
    task.connectivity_at = None
    task.health_status = "UNKNOWN"
    task.network_configuration = network_configuration or {}
    subnets = (network_configuration or {}).get("awsvpcConfiguration", {}).get("subnets") or []
    subnet = subnets[0] if subnets else "subnet-00000000"
    ip = _fake_ip(_subnet_cidr(region, subnet))
    attachment_id = str(uuid.uuid4())
    eni = f"eni-{uuid.uuid4().hex[:17]}"
    task.attachments = [
        {
            "id": attachment_id,
            "type": "ElasticNetworkInterface",
            "status": "PRECREATED",
            "details": [
                {"name": "subnetId", "value": subnet},
                {"name": "networkInterfaceId", "value": eni},
                {"name": "macAddress", "value": "0a:" + ":".join(f"{b:02x}" for b in random.randbytes(5))},
                {"name": "privateDnsName", "value": f"ip-{ip.replace('.', '-')}.{region}.compute.internal"},
                {"name": "privateIPv4Address", "value": ip},
            ],
        }
    ]
    task.availability_zone = f"{region}{'ab'[hash(subnet) % 2]}"
    task.private_ip = ip
    task.containers = [
        {
            "containerArn": f"{cluster.arn.replace(':cluster/', ':container/')}/{task_id}/{uuid.uuid4()}",
            "taskArn": "",
            "name": c["name"],
            "image": c.get("image", ""),
            "runtimeId": f"{task_id}-{random.randint(10**9, 10**10 - 1)}",
            "lastStatus": "PENDING",
            "networkBindings": [],
            "networkInterfaces": [{"attachmentId": attachment_id, "privateIpv4Address": ip}],
            "healthStatus": "UNKNOWN",
            "cpu": str(c.get("cpu", 0)),
            **({"memory": str(c["memory"])} if c.get("memory") else {}),
            **({"memoryReservation": str(c["memoryReservation"])} if c.get("memoryReservation") else {}),
            "_essential": c.get("essential", True),
            "_health": bool(c.get("healthCheck")),
        }
        for c in td.container_definitions
    ]
    task.ticks = 0  # ticks spent in the current lastStatus
    fates.prepare(
        task_id,
        be.account_id,
        region,
        td.container_definitions,
        td.memory,
        list(getattr(td, "volumes", None) or []),
        grace,
    )
    arn = task.task_arn
    for container in task.containers:
        container["taskArn"] = arn
    be.tasks.setdefault(cluster.name, {})[arn] = task
    index_of(be)[task_id] = task
    return task


def index_of(be: EC2ContainerServiceBackend) -> dict[str, Task]:
    """Task id → Task, so describes do not scan every task of the region."""
    index = getattr(be, "_demo_task_index", None)
    if index is None:
        index = {}
        for tasks in be.tasks.values():
            for task in tasks.values():
                index[str(task.task_arn).rsplit("/", 1)[-1]] = task
        be._demo_task_index = index
    return index


def targets(task: Task, register: bool, at: datetime | None = None) -> None:
    """Register a running task's IP in its service's target groups, or take it out (after draining).

    The ELB's view of each target (initial, healthy, unhealthy, draining) is the fates module's,
    from what the app answers on the target group's health check path.
    """
    groups = getattr(task, "target_groups", ())
    run = fates.RUNS.get(task.id)
    if not groups:
        return
    try:
        elb = moto_access.elbv2(task.region_name, task._account_id)
        for arn, port in groups:
            target = [{"Id": task.private_ip, "Port": port}]
            if register:
                elb.register_targets(arn, target)
                tg = elb.target_groups.get(arn)
                if run is not None and tg is not None:
                    run.ip = task.private_ip
                    fates.add_target(run, _target_of(tg, port, at or now()))
            else:
                elb.deregister_targets(arn, target)
    except Exception:  # a target group deleted by someone: the task runs on regardless
        log.debug("target registration failed for %s", task.id, exc_info=True)


def _target_of(tg: Any, port: int, registered: datetime) -> fates.Target:
    matcher = (getattr(tg, "matcher", None) or {}).get("HttpCode", "200")
    return fates.Target(
        group=tg.arn,
        port=port,
        path=tg.health_check_path or "/",
        matcher=str(matcher),
        interval=float(tg.health_check_interval_seconds or 30),
        healthy_n=int(tg.healthy_threshold_count or 5),
        unhealthy_n=int(tg.unhealthy_threshold_count or 2),
        delay=float(tg.attributes.get("deregistration_delay.timeout_seconds", 300)),
        registered=registered,
    )


def drain(task: Task, at: datetime) -> None:
    """Targets of a stopping task go to ``draining`` for the target group's deregistration delay."""
    run = fates.RUNS.get(task.id)
    if run is not None:
        for target in run.targets:
            target.draining_since = target.draining_since or at


def set_status(task: Task, status: str) -> None:
    task.status = status
    task.ticks = 0


def healthy(task: Task) -> bool:
    if task.last_status != "RUNNING" or task.desired_status != "RUNNING":
        return False
    return fates.healthy(fates.RUNS.get(task.id), now())


# --------------------------------------------------------------------------- services


def service_state(svc: Service) -> None:
    """Give a moto Service what the demo needs (idempotent)."""
    if getattr(svc, "_demo_ready", False):
        return
    svc._demo_tasks = []
    svc._demo_steady = False
    svc._demo_last_good = None  # (deployment id, task definition arn) of the last COMPLETED deployment
    svc._demo_next_start_tick = 0
    svc._demo_cb_stopped = False
    if not getattr(svc, "deployment_configuration", None):
        svc.deployment_configuration = {**DEFAULT_DEPLOYMENT_CONFIGURATION}
    if not getattr(svc, "created_at", None):
        svc.created_at = now()
    svc.created_by = f"arn:aws:iam::{ACCOUNT}:role/opsconsole-demo"
    svc.running_count = 0
    svc.pending_count = 0
    svc.deployments = [make_deployment(svc, svc.task_definition)]
    svc.events = []
    svc._demo_ready = True


def make_deployment(svc: Service, task_definition: str | None) -> dict[str, Any]:
    stamp = now()
    dep_id = new_deployment_id()
    return {
        "id": dep_id,
        "status": "PRIMARY",
        "taskDefinition": task_definition,
        "desiredCount": svc.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": stamp,
        "updatedAt": stamp,
        "launchType": svc.launch_type or "FARGATE",
        "platformVersion": svc.platform_version or "1.4.0",
        "platformFamily": "Linux",
        "networkConfiguration": svc.network_configuration or None,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {dep_id} in progress.",
    }


def add_event(svc: Service, message: str, at: datetime | None = None) -> None:
    event = {"id": str(uuid.uuid4()), "createdAt": at or now(), "message": message}
    svc.events = [event, *svc.events[: EVENTS_KEPT - 1]]


def _ids(tasks: Iterable[Task]) -> str:
    return " ".join(f"(task {short_id(t)})" for t in tasks)


def start_deployment(svc: Service, task_definition: str | None) -> dict[str, Any]:
    """A new PRIMARY deployment; the previous ones become ACTIVE (they drain as the new one rolls)."""
    service_state(svc)
    dep = make_deployment(svc, task_definition)
    old = []
    for d in svc.deployments:
        d = dict(d)
        d["status"] = "ACTIVE"
        old.append(d)
    svc.deployments = [dep, *old]
    svc._demo_steady = False
    svc._demo_cb_stopped = False
    svc._demo_next_start_tick = 0
    return dep


def _groups(svc: Service) -> list[tuple[str, int]]:
    return [
        (lb["targetGroupArn"], int(lb.get("containerPort") or 80))
        for lb in svc.load_balancers or []
        if lb.get("targetGroupArn")
    ]


def circuit_threshold(desired: int) -> int:
    return min(200, max(3, math.ceil(desired * 0.5)))


@dataclass
class Scheduler:
    """Ticks every ``tick_s`` over every ECS service of ``regions``."""

    regions: tuple[str, ...]
    tick_s: float = 0.5
    hook: TaskHook | None = None
    tick_count: int = 0
    errors: int = 0
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _paused: threading.Event = field(default_factory=threading.Event)
    _stopped: dict[str, deque[Task]] = field(default_factory=dict)
    _tick_lock: threading.Lock = field(default_factory=threading.Lock)
    # The rest of the world that moves with ECS's clock (the queue's consumer, incidents, alarms).
    extras: list[Callable[[], None]] = field(default_factory=list)

    # ---- thread -------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="demo-ecs-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def pause(self) -> None:
        """Stop ticking; returns once a tick in progress has finished."""
        self._paused.set()
        with self._tick_lock:
            pass

    def resume(self) -> None:
        self._paused.clear()

    def _run(self) -> None:
        while not self._stop.wait(self.tick_s):
            with self._tick_lock:
                if not self._paused.is_set():
                    self.tick()

    def forget(self) -> None:
        """After moto's reset: the backends are new objects."""
        self._stopped.clear()
        _SUBNET_CIDRS.clear()
        fates.forget()

    # ---- one tick ------------------------------------------------------------------
    def tick(self) -> None:
        self.tick_count += 1
        for region in self.regions:
            try:
                with LOCK:
                    self._tick_region(region)
            except Exception:  # the scheduler must never die
                self.errors += 1
                log.exception("demo scheduler tick failed in %s", region)
        for extra in list(self.extras):
            try:
                extra()
            except Exception:
                self.errors += 1
                log.exception("demo world step failed")

    def _tick_region(self, region: str) -> None:
        be = backend(region)
        for svc in list(be.services.values()):
            try:
                self.step_service(be, svc)
            except Exception:
                self.errors += 1
                log.exception("demo scheduler failed on service %s", getattr(svc, "name", "?"))
        for task in list(getattr(be, "_demo_loose", ())):
            self._advance(task, None)
            if task.last_status == "STOPPED":
                be._demo_loose.remove(task)
        self.recount(be)
        self._prune(region, be)

    def recount(self, be: EC2ContainerServiceBackend) -> None:
        counts: dict[str, list[int]] = {name: [0, 0, 0] for name in be.clusters}
        for svc in be.services.values():
            if svc.status == "ACTIVE" and svc.cluster_name in counts:
                counts[svc.cluster_name][2] += 1
        for cluster_name, tasks in be.tasks.items():
            if cluster_name not in counts:
                continue
            for task in tasks.values():
                status = task._status
                if status == "RUNNING":
                    counts[cluster_name][0] += 1
                elif status in PENDING_STATES:
                    counts[cluster_name][1] += 1
        for name, (running, pending, services) in counts.items():
            cluster = be.clusters[name]
            cluster.running_tasks_count = running
            cluster.pending_tasks_count = pending
            cluster.active_services_count = services

    def _prune(self, region: str, be: EC2ContainerServiceBackend) -> None:
        stopped = self._stopped.get(region)
        if not stopped:
            return
        cutoff = now() - STOPPED_TTL
        index = index_of(be)
        while stopped and (len(stopped) > STOPPED_KEPT or (stopped[0].stopped_at or cutoff) < cutoff):
            task = stopped.popleft()
            be.tasks.get(task.cluster_name, {}).pop(task.task_arn, None)
            index.pop(task.id, None)
            fates.RUNS.pop(task.id, None)

    # ---- task lifecycle --------------------------------------------------------------
    def _emit(self, what: str, task: Task, extra: dict[str, Any] | None = None) -> None:
        if self.hook is None:
            return
        try:
            self.hook(what, task, extra or {})
        except Exception:
            log.exception("demo task hook failed (%s)", what)

    def _advance(self, task: Task, svc: Service | None) -> None:
        """One tick of one task's lifecycle; each step waits its ECS duration (see clock)."""
        task.ticks += 1
        status = task._status
        stamp = now()
        run = fates.RUNS.get(task.id)
        if task.desired_status == "STOPPED":
            if status == "RUNNING":
                set_status(task, "DEACTIVATING")
                task.stopping_at = task.stopping_at or stamp
            elif status == "DEACTIVATING":
                if run is None or fates.drained(run, stamp):  # connection draining first
                    set_status(task, "STOPPING")
            elif status != "STOPPED":
                self._finish_stop(task, svc)
            return
        if status == "PROVISIONING":
            set_status(task, "PENDING")
            task.pull_started_at = stamp
            for c in task.containers:
                c["lastStatus"] = "PENDING"
            for a in task.attachments:
                a["status"] = "ATTACHED"
        elif status in ("PENDING", "ACTIVATING"):
            if CLOCK.ecs_seconds_since(task.pull_started_at, stamp) < fates.PULL_S:
                return
            td = td_of(backend(task.region_name, task._account_id), task.task_definition_arn)
            verdict = fates.start_failure(run, td.container_definitions) if run and td else None
            if verdict is not None:
                self.fail(task, svc, verdict)
                return
            set_status(task, "RUNNING")
            task.pull_stopped_at = stamp
            task.started_at = stamp
            task.connectivity = "CONNECTED"
            task.connectivity_at = stamp
            for c in task.containers:
                c["lastStatus"] = "RUNNING"
            if run is not None:
                fates.started(run, stamp)
            targets(task, True, stamp)
            self._emit("started", task)
        elif status == "RUNNING" and run is not None:
            verdict = fates.running(run, stamp, svc.name if svc is not None else None)
            if verdict is not None and verdict.drains:
                if svc is not None and verdict.event:
                    add_event(svc, verdict.event)
                self.stop_task(task, verdict.reason, verdict.code)
                self._count_failure(task, svc)
                return
            if verdict is not None:
                self.fail(task, svc, verdict)
                return
            self._show_health(task, run, stamp)

    def _show_health(self, task: Task, run: fates.TaskRun, at: datetime) -> None:
        by_name = {c.name: c for c in run.containers}
        for c in task.containers:
            cr = by_name.get(c["name"])
            if cr is not None and cr.health_path is not None:
                c["healthStatus"] = fates.container_status(run, cr, at)
        task.health_status = fates.container_health(run, at)

    def fail(self, task: Task, svc: Service | None, verdict: fates.Verdict) -> None:
        """The task stops on its own: it failed to start, or an essential container exited."""
        for container, stack, message in verdict.logs:
            self._emit("crashed", task, {"container": container, "stack": stack, "message": message})
        for c in task.containers:
            code, reason = verdict.exits.get(c["name"], (None, None))
            if code is not None:
                c["exitCode"] = code
            if reason:
                c["reason"] = reason
            c["lastStatus"] = "STOPPED"
            if c.get("_health"):
                c["healthStatus"] = "UNKNOWN" if verdict.code == "TaskFailedToStart" else "UNHEALTHY"
        task.desired_status = "STOPPED"
        task.stop_code = verdict.code
        task.stopped_reason = verdict.reason
        task.health_status = "UNKNOWN" if verdict.code == "TaskFailedToStart" else "UNHEALTHY"
        task.stopping_at = now()
        task.failed = True
        targets(task, False)
        self._finish_stop(task, svc)
        self._count_failure(task, svc)

    def _count_failure(self, task: Task, svc: Service | None) -> None:
        """A failed task counts towards its deployment's circuit breaker; the next start backs off."""
        if svc is None:
            return
        primary_id = svc.deployments[0]["id"] if svc.deployments else None
        for dep in svc.deployments:
            if dep["id"] == task.started_by:
                dep["failedTasks"] = dep.get("failedTasks", 0) + 1
        if task.started_by == primary_id:
            failed = svc.deployments[0]["failedTasks"]
            svc._demo_next_start_tick = self.tick_count + min(2**failed, 16)

    def stop_task(self, task: Task, reason: str, code: str = "UserInitiated") -> None:
        """Ask a task to stop (StopTask, scale-in, a rollout): it drains, then stops."""
        if task.desired_status == "STOPPED":
            return
        task.desired_status = "STOPPED"
        task.stopped_reason = reason
        task.stop_code = code
        task.stopping_at = now()
        drain(task, task.stopping_at)
        self._emit("stopping", task)

    def _finish_stop(self, task: Task, svc: Service | None) -> None:
        stamp = now()
        set_status(task, "STOPPED")
        task.execution_stopped_at = stamp
        task.stopped_at = stamp
        task.connectivity = task.connectivity and "DISCONNECTED"
        started = task.started_at is not None
        for c in task.containers:
            c["lastStatus"] = "STOPPED"
            if started:  # SIGTERM on a stop: the apps exit cleanly
                c.setdefault("exitCode", 0)
        for a in task.attachments:
            a["status"] = "DELETED"
        if task.stop_code != "TaskFailedToStart" and not getattr(task, "failed", False):
            targets(task, False)
        fates.release(task.id)
        if svc is not None and task in svc._demo_tasks:
            svc._demo_tasks.remove(task)
        self._stopped.setdefault(task.region_name, deque()).append(task)
        self._emit("stopped", task)

    def launch(
        self, be: EC2ContainerServiceBackend, svc: Service, dep: dict[str, Any], count: int
    ) -> list[Task]:
        td = td_of(be, dep["taskDefinition"])
        if td is None or count <= 0:
            return []
        started = []
        for _ in range(count):
            task = new_task(
                be,
                svc.cluster_name,
                td,
                group=f"service:{svc.name}",
                started_by=dep["id"],
                network_configuration=svc.network_configuration,
                launch_type=svc.launch_type or "FARGATE",
                platform_version=svc.platform_version or "1.4.0",
                tags=list(svc.tags) if svc.propagate_tags == "SERVICE" else None,
                grace=getattr(svc, "health_check_grace_period_seconds", None),
            )
            task.service_name = svc.name
            task.target_groups = _groups(svc)
            svc._demo_tasks.append(task)
            started.append(task)
        add_event(svc, f"(service {svc.name}) has started {len(started)} tasks: {_ids(started)}.")
        return started

    # ---- one service -------------------------------------------------------------------
    def step_service(self, be: EC2ContainerServiceBackend, svc: Service) -> None:
        service_state(svc)
        tasks = svc._demo_tasks
        for task in list(tasks):
            self._advance(task, svc)
        if svc.status != "ACTIVE":
            for task in list(tasks):
                self.stop_task(
                    task, "Scaling activity initiated by (deployment ecs-svc)", "ServiceSchedulerInitiated"
                )
            if not tasks and svc.status == "DRAINING":
                svc.status = "INACTIVE"
            self._update_counts(svc)
            return
        if not svc.deployments:
            svc.deployments = [make_deployment(svc, svc.task_definition)]
        primary = svc.deployments[0]
        desired = max(0, int(svc.desired_count or 0))
        primary["desiredCount"] = desired
        cfg = svc.deployment_configuration or DEFAULT_DEPLOYMENT_CONFIGURATION
        max_total = math.floor(desired * int(cfg.get("maximumPercent", 200)) / 100)
        min_healthy = math.ceil(desired * int(cfg.get("minimumHealthyPercent", 100)) / 100)
        breaker = cfg.get("deploymentCircuitBreaker") or {}

        # The circuit breaker.
        if (
            breaker.get("enable")
            and primary.get("rolloutState") == "IN_PROGRESS"
            and primary.get("failedTasks", 0) >= circuit_threshold(desired)
        ):
            self._trip(svc, bool(breaker.get("rollback")))
            primary = svc.deployments[0]

        active = [t for t in tasks if t.desired_status == "RUNNING"]
        mine = [t for t in active if t.started_by == primary["id"]]
        others = [t for t in active if t.started_by != primary["id"]]
        stopped_now: list[Task] = []

        # Old deployments: pending tasks go at once; running ones while enough healthy tasks remain.
        healthy_count = sum(1 for t in active if healthy(t))
        for task in sorted(others, key=lambda t: healthy(t)):
            if not healthy(task):
                self.stop_task(
                    task,
                    "Scaling activity initiated by (deployment {})".format(primary["id"]),
                    "ServiceSchedulerInitiated",
                )
                stopped_now.append(task)
            elif healthy_count - 1 >= min_healthy and not svc._demo_cb_stopped:
                self.stop_task(
                    task,
                    "Scaling activity initiated by (deployment {})".format(primary["id"]),
                    "ServiceSchedulerInitiated",
                )
                stopped_now.append(task)
                healthy_count -= 1
        # Scale-in of the primary.
        if len(mine) > desired:
            extra = sorted(mine, key=lambda t: (healthy(t), t.created_at), reverse=False)[
                : len(mine) - desired
            ]
            for task in extra:
                self.stop_task(
                    task,
                    "Scaling activity initiated by (deployment {})".format(primary["id"]),
                    "ServiceSchedulerInitiated",
                )
                stopped_now.append(task)
            mine = [t for t in mine if t not in extra]
        if stopped_now:
            svc._demo_steady = False
            if svc.load_balancers:
                add_event(
                    svc, f"(service {svc.name}) has begun draining connections on {len(stopped_now)} tasks."
                )
            add_event(
                svc,
                f"(service {svc.name}) has stopped {len(stopped_now)} running tasks: {_ids(stopped_now)}.",
            )

        # Start tasks of the primary within maximumPercent (tasks still stopping count).
        want = desired - len(mine)
        in_flight = len([t for t in tasks if t.desired_status == "RUNNING" or t._status != "STOPPED"])
        room = max_total - in_flight
        if max_total < desired:
            room = max(room, 0)
        if (
            want > 0
            and room > 0
            and not svc._demo_cb_stopped
            and self.tick_count >= svc._demo_next_start_tick
        ):
            started = self.launch(be, svc, primary, min(want, room))
            if started:
                svc._demo_steady = False

        self._update_counts(svc)
        self._settle(svc)

    def _trip(self, svc: Service, rollback: bool) -> None:
        primary = svc.deployments[0]
        primary["rolloutState"] = "FAILED"
        primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
        primary["updatedAt"] = now()
        add_event(
            svc, f"(service {svc.name}) deployment {primary['id']} deployment failed: tasks failed to start."
        )
        good = svc._demo_last_good
        if rollback and good and good[1] != primary["taskDefinition"]:
            add_event(svc, f"(service {svc.name}) rolling back to deployment {good[0]}.")
            svc.task_definition = good[1]
            kept = next((d for d in svc.deployments[1:] if d["id"] == good[0]), None)
            if kept is not None:
                # The last completed deployment still runs its tasks: it becomes PRIMARY again and
                # keeps them (nothing healthy is stopped); only the failed deployment's tasks go.
                failed = dict(primary, status="ACTIVE")
                kept = dict(kept, status="PRIMARY", updatedAt=now())
                kept["rolloutStateReason"] = (
                    f"ECS deployment circuit breaker: rolling back to deploymentId {good[0]}."
                )
                rest = [d for d in svc.deployments[1:] if d["id"] != good[0]]
                svc.deployments = [kept, failed, *rest]
                svc._demo_steady = False
                svc._demo_next_start_tick = 0
            else:
                dep = start_deployment(svc, good[1])
                dep["rolloutStateReason"] = (
                    f"ECS deployment circuit breaker: rolling back to deploymentId {good[0]}."
                )
        else:
            svc._demo_cb_stopped = True

    def _update_counts(self, svc: Service) -> None:
        running = pending = 0
        per: dict[str, list[int]] = {}
        for task in svc._demo_tasks:
            status = task._status
            slot = per.setdefault(task.started_by, [0, 0, 0])
            if task.desired_status == "RUNNING":
                slot[2] += 1
            if status == "RUNNING":
                running += 1
                slot[0] += 1
            elif status in PENDING_STATES:
                pending += 1
                slot[1] += 1
        svc.running_count = running
        svc.pending_count = pending
        stamp = now()
        for i, dep in enumerate(svc.deployments):
            r, p, d = per.get(dep["id"], [0, 0, 0])
            if (dep["runningCount"], dep["pendingCount"]) != (r, p):
                dep["updatedAt"] = stamp
            dep["runningCount"] = r
            dep["pendingCount"] = p
            if i > 0:
                dep["desiredCount"] = d

    def _settle(self, svc: Service) -> None:
        primary = svc.deployments[0]
        live = {t.started_by for t in svc._demo_tasks}
        kept = [primary] + [d for d in svc.deployments[1:] if d["id"] in live]
        if len(kept) != len(svc.deployments):
            svc.deployments = kept
        desired = primary["desiredCount"]
        done = (
            len(kept) == 1
            and primary["runningCount"] == desired
            and primary["pendingCount"] == 0
            and all(t.desired_status == "RUNNING" and healthy(t) for t in svc._demo_tasks)
        )
        if not done:
            return
        if primary.get("rolloutState") == "IN_PROGRESS":
            primary["rolloutState"] = "COMPLETED"
            primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
            primary["updatedAt"] = now()
            svc._demo_last_good = (primary["id"], primary["taskDefinition"])
            add_event(svc, f"(service {svc.name}) (deployment {primary['id']}) deployment completed.")
        if not svc._demo_steady and primary.get("rolloutState") != "FAILED":
            svc._demo_steady = True
            add_event(svc, f"(service {svc.name}) has reached a steady state.")

    # ---- seeding shortcut --------------------------------------------------------------
    def settle_now(
        self, be: EC2ContainerServiceBackend, svc: Service, *, age: timedelta = timedelta(hours=6)
    ) -> None:
        """Bring a freshly created service to its steady state at once, with a believable past.

        Used by the world when seeding, so the demo starts as a live account looks, not as a
        brand-new one (and a reset is fast).
        """
        service_state(svc)
        primary = svc.deployments[0]
        started = now() - age
        td = td_of(be, primary["taskDefinition"])
        if td is None:
            return
        desired = int(svc.desired_count or 0)
        primary["createdAt"] = primary["updatedAt"] = started
        svc.created_at = min(svc.created_at, started) if svc.created_at else started
        made = []
        for i in range(desired):
            created = started + timedelta(seconds=5 + i)
            task = new_task(
                be,
                svc.cluster_name,
                td,
                group=f"service:{svc.name}",
                started_by=primary["id"],
                network_configuration=svc.network_configuration,
                launch_type=svc.launch_type or "FARGATE",
                platform_version=svc.platform_version or "1.4.0",
                status="RUNNING",
                created_at=created,
                grace=getattr(svc, "health_check_grace_period_seconds", None),
            )
            task.service_name = svc.name
            task.target_groups = _groups(svc)
            task.pull_started_at = created + timedelta(seconds=3)
            task.pull_stopped_at = created + timedelta(seconds=21)
            task.started_at = task.connectivity_at = created + timedelta(seconds=34)
            run = fates.RUNS[task.id]
            if fates.start_failure(run, td.container_definitions) is not None:
                log.warning("seeded task of %s could not start: the world is inconsistent", svc.name)
            fates.started(run, task.started_at)
            targets(task, True, task.started_at)
            task.connectivity = "CONNECTED"
            task.ticks = 5
            task.health_status = "HEALTHY" if any(c.get("_health") for c in task.containers) else "UNKNOWN"
            for c in task.containers:
                c["lastStatus"] = "RUNNING"
                if c.get("_health"):
                    c["healthStatus"] = "HEALTHY"
            for a in task.attachments:
                a["status"] = "ATTACHED"
            svc._demo_tasks.append(task)
            made.append(task)
            self._emit("started", task, {"backfill": True})
        primary["rolloutState"] = "COMPLETED"
        primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
        svc._demo_last_good = (primary["id"], primary["taskDefinition"])
        svc._demo_steady = True
        if made:
            add_event(svc, f"(service {svc.name}) has started {len(made)} tasks: {_ids(made)}.", started)
        add_event(
            svc,
            f"(service {svc.name}) (deployment {primary['id']}) deployment completed.",
            started + timedelta(minutes=1),
        )
        add_event(
            svc,
            f"(service {svc.name}) has reached a steady state.",
            started + timedelta(minutes=1, seconds=5),
        )
        # AWS repeats the steady-state event every six hours while nothing changes.
        when = started + timedelta(hours=6, minutes=1)
        while when < now():
            add_event(svc, f"(service {svc.name}) has reached a steady state.", when)
            when += timedelta(hours=6)
        self._update_counts(svc)

    def adopt_loose(self, be: EC2ContainerServiceBackend, task: Task) -> None:
        """A task made by moto's run_task: give it our lifecycle."""
        loose = getattr(be, "_demo_loose", None)
        if loose is None:
            loose = be._demo_loose = []
        loose.append(task)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with LOCK:
                if predicate():
                    return True
            time.sleep(min(self.tick_s, 0.05))
        return False
