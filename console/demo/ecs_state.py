"""The demo's ECS basics: the lock every mutation takes, the backends, ids and times."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend

from console.demo import moto_access
from console.demo.moto_access import DemoTask, DemoTaskDefinition

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

TaskHook = Callable[[str, DemoTask, dict[str, Any]], None]


def now() -> datetime:
    return datetime.now(UTC)


def new_deployment_id() -> str:
    return f"ecs-svc/{random.randint(10**18, 10**19 - 1)}"


def short_id(task: DemoTask) -> str:
    return str(task.id)


def backend(region: str, account: str | None = None) -> EC2ContainerServiceBackend:
    """ECS of ``account`` in ``region`` (None: the acting account, see organisation)."""
    return moto_access.ecs(region, account)


def td_of(be: EC2ContainerServiceBackend, ref: str | None) -> DemoTaskDefinition | None:
    if not ref:
        return None
    try:
        return moto_access.demo_task_definition(be.describe_task_definition(ref))
    except Exception:
        return None
