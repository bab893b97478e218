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

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend, Service

from console.demo import fates, moto_access, organisation
from console.demo.clock import CLOCK
from console.demo.deployments import (
    _groups,
    _ids,
    add_event,
    circuit_threshold,
    make_deployment,
    service_state,
    start_deployment,
)
from console.demo.ecs_state import (  # noqa: F401  (re-exported)
    ACCOUNT,
    DEFAULT_DEPLOYMENT_CONFIGURATION,
    EVENTS_KEPT,
    LOCK,
    PENDING_STATES,
    STOPPED_KEPT,
    STOPPED_TTL,
    TaskHook,
    backend,
    log,
    new_deployment_id,
    now,
    short_id,
    td_of,
)
from console.demo.moto_access import DemoService, DemoTask, Deployment
from console.demo.tasks import (
    _SUBNET_CIDRS,
    drain,
    healthy,
    index_of,
    new_task,
    set_status,
    targets,
)


@dataclass
class Scheduler:
    """Ticks every ``tick_s`` over every ECS service of ``regions``, in every account of the organisation."""

    regions: tuple[str, ...]
    tick_s: float = 0.5
    hook: TaskHook | None = None
    tick_count: int = 0
    errors: int = 0
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _paused: threading.Event = field(default_factory=threading.Event)
    _stopped: dict[tuple[str, str], deque[DemoTask]] = field(default_factory=dict)  # (account, region)
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
        for account, region in self.places():
            try:
                with LOCK, organisation.acting_as(account):
                    self._tick_region(region)
            except Exception:  # the scheduler must never die
                self.errors += 1
                log.exception("demo scheduler tick failed in %s %s", account, region)
        for extra in list(self.extras):
            try:
                extra()
            except Exception:
                self.errors += 1
                log.exception("demo world step failed")

    def places(self) -> list[tuple[str, str]]:
        """The (account, region) pairs to tick: the organisation's, within ``regions``."""
        return [(a, r) for a, r in organisation.current().places() if r in self.regions]

    def _tick_region(self, region: str) -> None:
        be = backend(region)
        for svc in list(moto_access.services_of(be).values()):
            try:
                self.step_service(be, svc)
            except Exception:
                self.errors += 1
                log.exception("demo scheduler failed on service %s", getattr(svc, "name", "?"))
        demo = moto_access.demo_ecs(be)
        for task in list(getattr(demo, "_demo_loose", ())):
            self._advance(task, None)
            if task.last_status == "STOPPED":
                demo._demo_loose.remove(task)
        self.recount(be)
        self._prune(be)

    def recount(self, be: EC2ContainerServiceBackend) -> None:
        counts: dict[str, list[int]] = {name: [0, 0, 0] for name in be.clusters}
        for svc in be.services.values():
            if svc.status == "ACTIVE" and svc.cluster_name in counts:
                counts[svc.cluster_name][2] += 1
        for cluster_name, tasks in moto_access.tasks_of(be).items():
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

    def _prune(self, be: EC2ContainerServiceBackend) -> None:
        stopped = self._stopped.get((be.account_id, be.region_name))
        if not stopped:
            return
        cutoff = now() - STOPPED_TTL
        index = index_of(be)
        while stopped and (len(stopped) > STOPPED_KEPT or (stopped[0].stopped_at or cutoff) < cutoff):
            task = stopped.popleft()
            moto_access.tasks_of(be).get(task.cluster_name, {}).pop(task.task_arn, None)
            index.pop(task.id, None)
            fates.RUNS.pop(task.id, None)

    # ---- task lifecycle --------------------------------------------------------------
    def _emit(self, what: str, task: DemoTask, extra: dict[str, Any] | None = None) -> None:
        if self.hook is None:
            return
        try:
            self.hook(what, task, extra or {})
        except Exception:
            log.exception("demo task hook failed (%s)", what)

    def _advance(self, task: DemoTask, svc: DemoService | None) -> None:
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

    def _show_health(self, task: DemoTask, run: fates.TaskRun, at: datetime) -> None:
        by_name = {c.name: c for c in run.containers}
        for c in task.containers:
            cr = by_name.get(c["name"])
            if cr is not None and cr.health_path is not None:
                c["healthStatus"] = fates.container_status(run, cr, at)
        task.health_status = fates.container_health(run, at)

    def fail(self, task: DemoTask, svc: DemoService | None, verdict: fates.Verdict) -> None:
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

    def _count_failure(self, task: DemoTask, svc: DemoService | None) -> None:
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

    def stop_task(self, task: DemoTask, reason: str, code: str = "UserInitiated") -> None:
        """Ask a task to stop (StopTask, scale-in, a rollout): it drains, then stops."""
        if task.desired_status == "STOPPED":
            return
        task.desired_status = "STOPPED"
        task.stopped_reason = reason
        task.stop_code = code
        task.stopping_at = now()
        drain(task, task.stopping_at)
        self._emit("stopping", task)

    def _finish_stop(self, task: DemoTask, svc: DemoService | None) -> None:
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
        self._stopped.setdefault((task._account_id, task.region_name), deque()).append(task)
        self._emit("stopped", task)

    def launch(
        self, be: EC2ContainerServiceBackend, svc: DemoService, dep: Deployment, count: int
    ) -> list[DemoTask]:
        td = td_of(be, dep["taskDefinition"])
        if td is None or count <= 0:
            return []
        started: list[DemoTask] = []
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
    def step_service(self, be: EC2ContainerServiceBackend, svc: DemoService) -> None:
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
        stopped_now: list[DemoTask] = []

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

    def _trip(self, svc: DemoService, rollback: bool) -> None:
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

    def _update_counts(self, svc: DemoService) -> None:
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

    def _settle(self, svc: DemoService) -> None:
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
        self,
        be: EC2ContainerServiceBackend,
        svc: Service | DemoService,
        *,
        age: timedelta = timedelta(hours=6),
    ) -> None:
        """Bring a freshly created service to its steady state at once, with a believable past (settle.py)."""
        from console.demo.settle import settle_now

        settle_now(self, be, svc, age=age)

    def adopt_loose(self, be: EC2ContainerServiceBackend, task: DemoTask) -> None:
        """A task made by moto's run_task: give it our lifecycle."""
        demo = moto_access.demo_ecs(be)
        loose: list[DemoTask] | None = getattr(demo, "_demo_loose", None)
        if loose is None:
            loose = demo._demo_loose = []
        loose.append(task)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with LOCK:
                if predicate():
                    return True
            time.sleep(min(self.tick_s, 0.05))
        return False
