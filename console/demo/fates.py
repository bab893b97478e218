"""Each task's fate, decided from what a real ECS task would meet in the world.

Before it runs: its secrets must resolve (``secrets_check``) and its images must pull (``ecr``).
Once running: an app that exits stops an essential container; a container over its hard memory
limit is killed (exit 137); a failing container health check or ELB health check (on the path the
app answers, ``apps``) makes ECS replace the task after the service's grace period; Qdrant will
not open storage whose lock another live task holds (a second wwhd task crash-loops).

The scheduler asks; this module answers from the world's state at that moment and keeps, per
task, only what the answer needs (when each container started, the app in its image, where its
targets are registered). The table is keyed by task id and cleared with the world.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from console.demo import apps, ecr, secrets_check
from console.demo.clock import CLOCK

PULL_S = 15.0  # ECS seconds from pull start to RUNNING
EXIT_AFTER_S = 4.0  # an app that exits does so a few seconds after it started
LOCK_EXIT_CODE = 101  # Rust's exit code on a panic (Qdrant)
OOM = "OutOfMemoryError: Container killed due to memory usage"
_CURL = re.compile(r"https?://(?:localhost|127\.0\.0\.1)(?::\d+)?(?P<path>/[^\s|'\"]*)")


@dataclass
class ContainerRun:
    name: str
    essential: bool
    limit_mb: float
    app: apps.AppModel | None = None
    health_path: str | None = None  # the container healthCheck's path; "" for a TCP check
    interval: float = 30.0
    retries: int = 3
    start_period: float = 0.0
    lock: tuple[str, str] | None = None  # (file system, path)
    started: datetime | None = None


@dataclass
class Target:
    group: str  # target group ARN
    port: int
    path: str
    matcher: str
    interval: float
    healthy_n: int
    unhealthy_n: int
    delay: float  # deregistration delay
    registered: datetime
    draining_since: datetime | None = None


@dataclass
class TaskRun:
    task_id: str
    account: str
    region: str
    containers: list[ContainerRun]
    grace: float = 0.0
    targets: list[Target] = field(default_factory=list)
    started: datetime | None = None
    ip: str = ""


Exits = dict[str, tuple[int | None, str | None]]  # container → (exit code, reason)


@dataclass(frozen=True)
class Verdict:
    """How a task ends: the task's stoppedReason/stopCode, each container's exit, a service event."""

    reason: str
    code: str
    exits: dict[str, tuple[int | None, str | None]]
    event: str | None = None
    drains: bool = False  # stopped by the scheduler (deregistered and drained) rather than dead
    logs: tuple[tuple[str, str, str], ...] = ()  # (container, stack, message) the app wrote as it exited


RUNS: dict[str, TaskRun] = {}
LOCKS: dict[tuple[str, str, str], str] = {}  # (account, file system, path) → task id holding it


def forget() -> None:
    RUNS.clear()
    LOCKS.clear()


def _health_path(check: dict[str, Any] | None) -> str | None:
    if not check:
        return None
    command = " ".join(str(c) for c in check.get("command") or [])
    match = _CURL.search(command)
    return match["path"] if match else ""


def prepare(
    task_id: str,
    account: str,
    region: str,
    td_containers: list[dict[str, Any]],
    task_memory: str | int | None,
    volumes: list[dict[str, Any]],
    grace: int | None,
) -> TaskRun:
    """Note what the task will need (nothing is decided yet)."""
    fs_of = {
        v.get("name"): (v.get("efsVolumeConfiguration") or {}).get("fileSystemId")
        for v in volumes or []
        if v.get("efsVolumeConfiguration")
    }
    runs = []
    for c in td_containers:
        limit = float(c.get("memory") or task_memory or 512)
        check = c.get("healthCheck")
        run = ContainerRun(
            name=str(c["name"]),
            essential=bool(c.get("essential", True)),
            limit_mb=limit,
            health_path=_health_path(check),
            interval=float((check or {}).get("interval", 30)),
            retries=int((check or {}).get("retries", 3)),
            start_period=float((check or {}).get("startPeriod", 0)),
        )
        run.app = None
        for mount in c.get("mountPoints") or []:
            fs = fs_of.get(mount.get("sourceVolume"))
            if fs:
                run.lock = (str(fs), str(mount.get("containerPath", "/")))
        runs.append(run)
    task = TaskRun(task_id, account, region, runs, grace=float(grace or 0))
    RUNS[task_id] = task
    return task


def start_failure(run: TaskRun, td_containers: list[dict[str, Any]]) -> Verdict | None:
    """Secrets, then images, as the agent fetches them; None when the task can start."""
    reason = secrets_check.check(td_containers, run.region, run.account)
    if reason is not None:
        exits: Exits = {c.name: (None, None) for c in run.containers}
        return Verdict(reason, "TaskFailedToStart", exits)
    for c, definition in zip(run.containers, td_containers, strict=False):
        pulled = ecr.pull(str(definition.get("image", "")))
        if pulled.error is not None:
            failed: Exits = {x.name: (None, pulled.error if x is c else None) for x in run.containers}
            return Verdict(pulled.error, "TaskFailedToStart", failed)
        c.app = pulled.app
    return None


def started(run: TaskRun, when: datetime) -> None:
    """The containers are up: Qdrant-like apps take their storage lock if it is free."""
    run.started = when
    for c in run.containers:
        c.started = when
        if c.app is not None and c.app.lock_path and c.lock is not None:
            key = (run.account, c.lock[0], c.app.lock_path)
            LOCKS.setdefault(key, run.task_id)


def release(task_id: str) -> None:
    for key, holder in list(LOCKS.items()):
        if holder == task_id:
            del LOCKS[key]


def memory_mb(run: TaskRun, c: ContainerRun, when: datetime) -> float:
    if c.app is None or c.started is None:
        return 0.0
    return apps.memory_mb(c.app, c.started, when, run.task_id)


def _exit_verdict(run: TaskRun, dead: ContainerRun, code: int, reason: str | None, message: str) -> Verdict:
    exits: dict[str, tuple[int | None, str | None]] = {}
    for c in run.containers:
        exits[c.name] = (code, reason) if c is dead else (0, None)
    task_reason = reason if reason == OOM else "Essential container in task exited"
    logs = ((dead.name, dead.app.stack, message),) if dead.app is not None and message else ()
    return Verdict(task_reason, "EssentialContainerExited", exits, logs=logs)


def running(run: TaskRun, when: datetime, service: str | None) -> Verdict | None:
    """The verdict on a running task at ``when``, or None while it lives on."""
    since = CLOCK.ecs_seconds_since(run.started, when)
    for c in run.containers:
        if c.app is None:
            continue
        if c.app.exit is not None and since >= EXIT_AFTER_S:
            return _exit_verdict(run, c, c.app.exit.code, None, c.app.exit.message)
        if c.app.lock_path and c.lock is not None and since >= EXIT_AFTER_S:
            holder = LOCKS.get((run.account, c.lock[0], c.app.lock_path))
            if holder is not None and holder != run.task_id:
                message = (
                    "Panic occurred in file lib/storage/src/content_manager/toc/mod.rs: Can't open storage "
                    f"at {c.lock[1]}: lock {c.app.lock_path} is held by another process (os error 11)"
                )
                return _exit_verdict(run, c, LOCK_EXIT_CODE, None, message)
        if memory_mb(run, c, when) > c.limit_mb:
            return _exit_verdict(run, c, 137, OOM, "")
    if service is None or since < run.grace:
        return None
    if container_health(run, when) == "UNHEALTHY":
        none: Exits = {c.name: (None, None) for c in run.containers}
        return Verdict("Task failed container health checks", "ServiceSchedulerInitiated", none, drains=True)
    for target in run.targets:
        state, _reason, description = target_health(run, target, when)
        if state == "unhealthy":
            event = (
                f"(service {service}) (port {target.port}) is unhealthy in (target-group {target.group}) "
                f"due to (reason {description})."
            )
            unset: Exits = {c.name: (None, None) for c in run.containers}
            return Verdict(
                f"Task failed ELB health checks in (target-group {target.group})",
                "ServiceSchedulerInitiated",
                unset,
                event=event,
                drains=True,
            )
    return None


def container_status(run: TaskRun, c: ContainerRun, when: datetime) -> str:
    """HEALTHY / UNHEALTHY / UNKNOWN of one container's own health check (Docker's rules)."""
    if c.health_path is None or c.started is None or c.app is None:
        return "UNKNOWN"
    since = CLOCK.ecs_seconds_since(c.started, when)
    passing = c.health_path == "" or 200 <= c.app.answers(c.health_path) < 400
    if passing:
        return "HEALTHY" if since >= min(c.interval, 10.0) else "UNKNOWN"
    if since >= c.start_period + c.interval * c.retries:
        return "UNHEALTHY"
    return "UNKNOWN"


def container_health(run: TaskRun, when: datetime) -> str:
    """The task's healthStatus: UNHEALTHY if an essential container is, HEALTHY once all checked ones are."""
    states = [
        (c.essential, container_status(run, c, when)) for c in run.containers if c.health_path is not None
    ]
    if not states:
        return "UNKNOWN"
    if any(essential and state == "UNHEALTHY" for essential, state in states):
        return "UNHEALTHY"
    if all(state == "HEALTHY" for _e, state in states):
        return "HEALTHY"
    return "UNKNOWN"


def add_target(run: TaskRun, target: Target) -> None:
    run.targets = [t for t in run.targets if t.group != target.group] + [target]


def target_health(run: TaskRun, target: Target, when: datetime) -> tuple[str, str | None, str | None]:
    """(State, Reason, Description) of the task's target as the ELB reports it."""
    if target.draining_since is not None:
        return "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
    since = CLOCK.ecs_seconds_since(target.registered, when)
    app = next((c.app for c in run.containers if c.app is not None), None)
    code = app.answers(target.path) if app is not None else 0
    ok = str(code) in {s.strip() for s in target.matcher.split(",")} or (
        "-" in target.matcher and _in_range(code, target.matcher)
    )
    if ok:
        if since >= target.interval * target.healthy_n:
            return "healthy", None, None
        return "initial", "Elb.InitialHealthChecking", "Initial health checks in progress"
    if since >= target.interval * target.unhealthy_n:
        if code == 0:
            return "unhealthy", "Target.FailedHealthChecks", "Health checks failed"
        return "unhealthy", "Target.ResponseCodeMismatch", f"Health checks failed with these codes: [{code}]"
    return "initial", "Elb.InitialHealthChecking", "Initial health checks in progress"


def _in_range(code: int, matcher: str) -> bool:
    low, _, high = matcher.partition("-")
    try:
        return int(low) <= code <= int(high)
    except ValueError:
        return False


def drained(run: TaskRun, when: datetime) -> bool:
    """True once every draining target has waited its target group's deregistration delay."""
    return all(
        t.draining_since is None or CLOCK.ecs_seconds_since(t.draining_since, when) >= t.delay
        for t in run.targets
    )


def healthy(run: TaskRun | None, when: datetime) -> bool:
    """Healthy as a rollout counts it: container checks HEALTHY (where defined), every target healthy."""
    if run is None:
        return True
    if any(c.health_path is not None for c in run.containers) and container_health(run, when) != "HEALTHY":
        return False
    return all(target_health(run, t, when)[0] == "healthy" for t in run.targets)
