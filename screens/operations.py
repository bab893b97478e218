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

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from textual.app import App

from console.api.operations import CANCELLED
from console.model import Service, Task
from console.ops.rollout import DEFAULT_POLL_INTERVAL, Pacing, breaker_notes
from screens.bindings import mutating
from screens.deploys import abort_flow, again_if_failed, deploy_image_flow, revision_outcomes
from screens.host import Host, host_of

SERVICE_OPERATIONS = [
    mutating("s", "scale", "Scale", id="service.scale"),
    mutating("r", "redeploy", "Redeploy", id="service.redeploy"),
    mutating("R", "redeploy_stop_first", "Stop-then-start", id="service.redeploy_stop_first"),
    mutating("b", "rollback", "Deploy revision…", id="service.rollback"),
    mutating("i", "deploy_image", "Deploy image…", id="service.deploy_image"),
    mutating("x", "abort_deployment", "Abort deployment", id="service.abort", show=False),
]
TASK_OPERATIONS = [mutating("k", "stop_task", "Stop task", id="task.stop")]


def pacing_for(host: Host) -> Pacing:
    interval = host.poll_interval or DEFAULT_POLL_INTERVAL
    return Pacing(
        poll_interval=min(interval, DEFAULT_POLL_INTERVAL), fail_fast=host.settings.profile.fail_fast_stops
    )


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
    outcomes = await revision_outcomes(app, service)
    picked = await app.push_screen_wait(
        RevisionPickerScreen(service, choices, breaker_notes(service), outcomes)
    )
    if picked is None:
        host.say(CANCELLED)
        return
    await host.run_operation(
        lambda: ops.prepare_rollback(service, picked, pacing=pacing_for(host)),
        second_confirm=again_if_failed(app, outcomes.get(picked)),
    )


async def stop_task_flow(app: App[Any], task: Task) -> None:
    from screens.modals.reason import StopReasonScreen

    host = host_of(app)
    reason = await app.push_screen_wait(StopReasonScreen(task))
    if reason is None:
        host.say(CANCELLED)
        return
    ops = host.operations
    await host.run_operation(lambda: ops.prepare_stop_task(task, reason, pacing=pacing_for(host)))


def _on_service(flow: Callable[[App[Any], Service], Awaitable[None]]) -> Callable[[ServiceOperations], None]:
    """The action that runs ``flow`` on the pane's selected service (none selected: it says so)."""

    def action(pane: ServiceOperations) -> None:
        if service := pane._service_or_say():
            start(pane.app, flow(pane.app, service))

    return action


class ServiceOperations:
    """Actions for a pane that has a selected service (``selected_service()``)."""

    app: Any

    def _service_or_say(self) -> Service | None:
        service: Service | None = self.selected_service()  # type: ignore[attr-defined]  # the pane's
        if service is None:
            self.app.notify("no service selected", timeout=3)
        return service

    action_scale = _on_service(scale_flow)
    action_redeploy = _on_service(redeploy_flow)
    action_redeploy_stop_first = _on_service(partial(redeploy_flow, stop_first=True))
    action_rollback = _on_service(rollback_flow)
    action_deploy_image = _on_service(deploy_image_flow)
    action_abort_deployment = _on_service(abort_flow)


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
