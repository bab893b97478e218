"""Operation keys for the panes: ``s`` scale, ``r`` redeploy, ``b`` roll back, ``k`` stop a task.

Each key asks what it needs in a modal of its own (a count within the bounds,
a revision with its diff, a reason), then hands ``console.api.Operations``'s
prepared operation to :meth:`screens.app.OpsConsoleApp.run_operation`: the
plan in the confirm modal, apply (audited), and verify in the progress modal.
All AWS work is behind the facade; nothing here builds a request.  The bindings come from
:func:`screens.bindings.mutating`, so read-only mode shows them disabled.

A pane takes them by listing the bindings and mixing in the actions::

    class ServicesScreen(ServiceOperations, PaneScreen):
        BINDINGS = [..., *SERVICE_OPERATIONS]
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from textual.app import App

from console.api.operations import CANCELLED
from console.model import Service, Task
from console.ops.rollout import DEFAULT_POLL_INTERVAL, Pacing, breaker_notes
from screens.bindings import mutating
from screens.host import Host, host_of

SERVICE_OPERATIONS = [
    mutating("s", "scale", "Scale", id="service.scale"),
    mutating("r", "redeploy", "Redeploy", id="service.redeploy"),
    mutating("R", "redeploy_stop_first", "Stop-then-start", id="service.redeploy_stop_first"),
    mutating("b", "rollback", "Rollback", id="service.rollback"),
]
TASK_OPERATIONS = [mutating("k", "stop_task", "Stop task", id="task.stop")]


def pacing_for(host: Host) -> Pacing:
    interval = host.poll_interval or DEFAULT_POLL_INTERVAL
    return Pacing(poll_interval=min(interval, DEFAULT_POLL_INTERVAL))


def start(app: App[Any], flow: Awaitable[Any]) -> None:
    app.run_worker(flow, group="operation", exclusive=True, exit_on_error=False)


async def scale_flow(app: App[Any], service: Service) -> None:
    from screens.modals.scale import ScaleScreen

    host = host_of(app)
    ops = host.operations
    service = await ops.current(service)
    count = await app.push_screen_wait(ScaleScreen(service, await ops.guards_for(service)))
    if count is None:
        host.say(CANCELLED)
        return
    await host.run_operation(lambda: ops.prepare_scale(service, count, pacing=pacing_for(host)))


async def redeploy_flow(app: App[Any], service: Service, *, stop_first: bool = False) -> None:
    host = host_of(app)
    ops = host.operations
    await host.run_operation(
        lambda: ops.prepare_redeploy(service, stop_first=stop_first, pacing=pacing_for(host))
    )


async def rollback_flow(app: App[Any], service: Service) -> None:
    from screens.modals.revisions import RevisionPickerScreen

    host = host_of(app)
    ops = host.operations
    service = await ops.current(service)
    choices = await ops.revision_choices(service)
    picked = await app.push_screen_wait(RevisionPickerScreen(service, choices, breaker_notes(service)))
    if picked is None:
        host.say(CANCELLED)
        return
    await host.run_operation(lambda: ops.prepare_rollback(service, picked, pacing=pacing_for(host)))


async def stop_task_flow(app: App[Any], task: Task) -> None:
    from screens.modals.reason import StopReasonScreen

    host = host_of(app)
    reason = await app.push_screen_wait(StopReasonScreen(task))
    if reason is None:
        host.say(CANCELLED)
        return
    ops = host.operations
    await host.run_operation(lambda: ops.prepare_stop_task(task, reason, pacing=pacing_for(host)))


class ServiceOperations:
    """Actions for a pane that has a selected service (``selected_service()``)."""

    app: Any

    def _service_or_say(self) -> Service | None:
        service: Service | None = self.selected_service()  # type: ignore[attr-defined]  # the pane's
        if service is None:
            self.app.notify("no service selected", timeout=3)
        return service

    def action_scale(self) -> None:
        if service := self._service_or_say():
            start(self.app, scale_flow(self.app, service))

    def action_redeploy(self) -> None:
        if service := self._service_or_say():
            start(self.app, redeploy_flow(self.app, service))

    def action_redeploy_stop_first(self) -> None:
        if service := self._service_or_say():
            start(self.app, redeploy_flow(self.app, service, stop_first=True))

    def action_rollback(self) -> None:
        if service := self._service_or_say():
            start(self.app, rollback_flow(self.app, service))


class TaskOperations:
    """Actions for a pane that has a selected task (``selected_task()``, or ``task_`` in a detail)."""

    app: Any

    def action_stop_task(self) -> None:
        selected = getattr(self, "selected_task", None)  # the tasks pane's; a task's detail has task_
        task: Task | None = selected() if selected else getattr(self, "task_", None)
        if task is None:
            self.app.notify("no task selected", timeout=3)
            return
        start(self.app, stop_task_flow(self.app, task))
