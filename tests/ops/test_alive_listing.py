"""A stop-then-start waits for the tasks it stopped: the listing never loses a task that is being stopped.

ListTasks filters on desiredStatus, and a task asked to stop moves from the RUNNING list to the
STOPPED list. Both lists read at once could straddle that move and miss a task that is still
alive; the stop-then-start then deployed before the old task had stopped (the chaos test
``test_stop_then_start`` caught it as "no moment with 0 tasks alive" under throttling).
"""

from __future__ import annotations

import threading
from typing import Any

from console.aws.ecs import EcsGateway
from console.aws.session import AwsContext
from console.demo.runtime import DemoRuntime
from console.demo.scheduler import LOCK, backend
from console.ops.redeploy import alive

REGION, CLUSTER, SERVICE = "us-east-1", "wwhd-cluster", "wwhd-backend"


async def test_a_task_asked_to_stop_between_the_two_lists_is_still_listed(ops_world: DemoRuntime) -> None:
    """The demo moves the task to desiredStatus STOPPED right after it answers the STOPPED list.

    A RUNNING list sent at the same time is held back until then (at most half a second), so
    reading both at once would see the task in neither list.
    """
    overrides = ops_world.server.middleware.overrides
    list_tasks = overrides[("ecs", "ListTasks")]
    [task] = [
        t
        for t in backend(REGION).tasks[CLUSTER].values()
        if t.group == f"service:{SERVICE}" and t.last_status != "STOPPED"
    ]
    moved = threading.Event()

    def racing(region: str, request: dict[str, Any]) -> dict[str, Any] | None:
        if request.get("serviceName") != SERVICE:
            return list_tasks(region, request)
        if request.get("desiredStatus", "RUNNING") == "RUNNING" and not moved.is_set():
            moved.wait(0.5)
        answer = list_tasks(region, request)
        if request.get("desiredStatus") == "STOPPED" and not moved.is_set():
            with LOCK:
                ops_world.scheduler.stop_task(task, "moved between the two lists")
            moved.set()
        return answer

    ops_world.scheduler.pause()  # the task stays alive (RUNNING, asked to stop) while we read
    overrides[("ecs", "ListTasks")] = racing
    try:
        async with AwsContext(endpoint_url=ops_world.endpoint) as aws:
            listed = await EcsGateway(aws).tasks(REGION, CLUSTER, service=SERVICE, include_stopped=True)
        with LOCK:
            state = (task.last_status, task.desired_status)
    finally:
        overrides[("ecs", "ListTasks")] = list_tasks
        ops_world.scheduler.resume()
    assert moved.is_set()  # the task did move during the read
    assert state == ("RUNNING", "STOPPED")  # and was alive the whole time
    assert [t.arn for t in alive(listed)] == [task.task_arn]
