"""The demo refuses what ECS refuses: RegisterTaskDefinition beyond ECS's documented limits.

moto registers a task definition of any size; real ECS answers a ClientException.  The
check is the console's own (console.env.limits), so the demo and the console can never
disagree about where the limit lies; this only turns it into ECS's error.
"""

from __future__ import annotations

from typing import Any

from console.demo.server import DemoApiError, DemoServer
from console.env.limits import limit_problem


def register_task_definition(region: str, request: dict[str, Any]) -> None:
    problem = limit_problem(request)
    if problem is not None:
        raise DemoApiError("ClientException", problem)
    return None  # within the limits: moto registers it


def install(server: DemoServer) -> None:
    server.register_override("ecs", "RegisterTaskDefinition", register_task_definition)
