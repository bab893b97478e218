"""Service state the demo keeps, deployments as ECS writes them, service events in AWS's wording."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import datetime

from moto.ecs.models import Service

from console.demo import moto_access
from console.demo.ecs_state import (
    DEFAULT_DEPLOYMENT_CONFIGURATION,
    EVENTS_KEPT,
    new_deployment_id,
    now,
    short_id,
)
from console.demo.moto_access import DemoService, DemoTask, Deployment


def service_state(moto_svc: Service | DemoService) -> DemoService:
    """Give a moto Service what the demo needs (idempotent), and return it as the demo sees it."""
    svc = moto_access.demo_service(moto_svc)
    if getattr(svc, "_demo_ready", False):
        return svc
    svc._demo_tasks = []
    svc._demo_steady = False
    svc._demo_last_good = None  # (deployment id, task definition arn) of the last COMPLETED deployment
    svc._demo_next_start_tick = 0
    svc._demo_cb_stopped = False
    if not getattr(svc, "deployment_configuration", None):
        svc.deployment_configuration = {**DEFAULT_DEPLOYMENT_CONFIGURATION}
    if not getattr(svc, "created_at", None):
        svc.created_at = now()
    svc.created_by = f"arn:aws:iam::{svc._account_id}:role/opsconsole-demo"
    svc.running_count = 0
    svc.pending_count = 0
    svc.deployments = [make_deployment(svc, svc.task_definition)]
    svc.events = []
    svc._demo_ready = True
    return svc


def make_deployment(svc: DemoService, task_definition: str | None) -> Deployment:
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


def add_event(svc: DemoService, message: str, at: datetime | None = None) -> None:
    event = {"id": str(uuid.uuid4()), "createdAt": at or now(), "message": message}
    svc.events = [event, *svc.events[: EVENTS_KEPT - 1]]


def _ids(tasks: Iterable[DemoTask]) -> str:
    return " ".join(f"(task {short_id(t)})" for t in tasks)


def start_deployment(svc: DemoService, task_definition: str | None) -> Deployment:
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


def _groups(svc: DemoService) -> list[tuple[str, int]]:
    return [
        (lb["targetGroupArn"], int(lb.get("containerPort") or 80))
        for lb in svc.load_balancers or []
        if lb.get("targetGroupArn")
    ]


def circuit_threshold(desired: int) -> int:
    return min(200, max(3, math.ceil(desired * 0.5)))
