"""A new service brought to its steady state at once, with a believable past (how the world is seeded).

So a fresh demo looks like a live account, not a brand-new one, and a reset is fast: the tasks
started ``age`` ago, their images pulled, their targets registered and healthy, and the service
events AWS would have written since (the steady-state line every six hours).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from moto.ecs.models import EC2ContainerServiceBackend, Service

from console.demo import fates
from console.demo.deployments import _groups, _ids, add_event, service_state
from console.demo.ecs_state import log, now, td_of
from console.demo.moto_access import DemoService, DemoTask
from console.demo.tasks import new_task, targets

if TYPE_CHECKING:
    from console.demo.scheduler import Scheduler


def settle_now(
    self: Scheduler,
    be: EC2ContainerServiceBackend,
    moto_svc: Service | DemoService,
    *,
    age: timedelta = timedelta(hours=6),
) -> None:
    """Bring a freshly created service to its steady state at once, with a believable past.

    Used by the world when seeding, so the demo starts as a live account looks, not as a
    brand-new one (and a reset is fast).
    """
    svc = service_state(moto_svc)
    primary = svc.deployments[0]
    started = now() - age
    td = td_of(be, primary["taskDefinition"])
    if td is None:
        return
    desired = int(svc.desired_count or 0)
    primary["createdAt"] = primary["updatedAt"] = started
    svc.created_at = min(svc.created_at, started) if svc.created_at else started
    made: list[DemoTask] = []
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
