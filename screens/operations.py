"""Operation keys for the panes: ``s`` scale, ``r`` redeploy, ``b`` roll back, ``k`` stop a task.

Each key asks what it needs in a modal of its own (a count within the bounds,
a revision with its diff, a reason), then hands the prepared operation to
:meth:`screens.app.OpsConsoleApp.run_operation`: the plan in the confirm
modal, apply (audited), and verify in the progress modal.  All AWS work is
``console.ops``; nothing here builds a request.  The bindings come from
:func:`screens.bindings.mutating`, so read-only mode shows them disabled.

A pane takes them by listing the bindings and mixing in the actions::

    class ServicesScreen(ServiceOperations, PaneScreen):
        BINDINGS = [..., *SERVICE_OPERATIONS]
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from console.model import Service, Task
from console.ops.plan import ApplyResult, Plan, Progress, ProgressCallback, VerifyResult
from console.ops.rollout import DEFAULT_POLL_INTERVAL, Pacing, breaker_notes
from console.ops.runner import Operation
from screens.bindings import mutating
from screens.modals.progress import ProgressScreen

if TYPE_CHECKING:
    from screens.app import OpsConsoleApp

SERVICE_OPERATIONS = [
    mutating("s", "scale", "Scale", id="service.scale"),
    mutating("r", "redeploy", "Redeploy", id="service.redeploy"),
    mutating("R", "redeploy_stop_first", "Stop-first redeploy", id="service.redeploy_stop_first", show=False),
    mutating("b", "rollback", "Rollback", id="service.rollback"),
]
TASK_OPERATIONS = [mutating("k", "stop_task", "Stop task", id="task.stop")]


def pacing_for(app: OpsConsoleApp) -> Pacing:
    interval = app.poll_interval or DEFAULT_POLL_INTERVAL
    return Pacing(poll_interval=min(interval, DEFAULT_POLL_INTERVAL))


def _progress_of(app: OpsConsoleApp) -> ProgressCallback:
    """The progress modal's update, once confirmed: a stop-then-start reports while it applies."""
    screen = app.screen
    if isinstance(screen, ProgressScreen):
        return screen.update

    def ignore(_p: Progress) -> None:
        return None

    return ignore


async def run_prepared(app: OpsConsoleApp, prepare: Callable[[], Awaitable[Operation]]) -> None:
    """Plan (by preparing the operation), confirm, apply, verify: through the app's one path."""
    box: dict[str, Operation] = {}

    async def plan_factory() -> Plan:
        box["op"] = await prepare()
        return box["op"].plan

    async def apply(plan: Plan) -> ApplyResult:
        return await box["op"].apply(plan, _progress_of(app))

    async def verify(plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        return await box["op"].verify(plan, applied, progress)

    await app.run_operation(plan_factory, apply, verify)


def start(app: OpsConsoleApp, flow: Awaitable[None]) -> None:
    app.run_worker(flow, group="operation", exclusive=True, exit_on_error=False)


async def fresh(app: OpsConsoleApp, service: Service) -> Service:
    """The service as it is now: a plan is made against the current desired count and revision."""
    return await app.gateways.ecs.service(service.region, service.cluster_arn, service.name)


async def scale_flow(app: OpsConsoleApp, service: Service) -> None:
    from console.ops.scale import prepare_scale
    from screens.modals.scale import ScaleScreen

    service = await fresh(app, service)
    rules = app.settings.rules_for(service.cluster_name, service.name)
    count = await app.push_screen_wait(ScaleScreen(service, rules))
    if count is None:
        return
    await run_prepared(
        app, lambda: prepare_scale(app.gateways.ecs, app.settings, service, count, pacing=pacing_for(app))
    )


async def redeploy_flow(app: OpsConsoleApp, service: Service, *, stop_first: bool = False) -> None:
    from console.ops.redeploy import prepare_redeploy

    async def prepare() -> Operation:
        current = await fresh(app, service)
        return await prepare_redeploy(
            app.gateways.ecs, app.settings, current, stop_first=stop_first, pacing=pacing_for(app)
        )

    await run_prepared(app, prepare)


async def rollback_flow(app: OpsConsoleApp, service: Service) -> None:
    from console.ops.rollback import prepare_rollback, revision_choices
    from screens.modals.revisions import RevisionPickerScreen

    service = await fresh(app, service)
    choices = await revision_choices(app.gateways.ecs, service)
    picked = await app.push_screen_wait(RevisionPickerScreen(service, choices, breaker_notes(service)))
    if picked is None:
        return
    await run_prepared(
        app,
        lambda: prepare_rollback(app.gateways.ecs, app.settings, service, to=picked, pacing=pacing_for(app)),
    )


async def stop_task_flow(app: OpsConsoleApp, task: Task) -> None:
    from console.ops.stoptask import prepare_stop_task
    from screens.modals.reason import StopReasonScreen

    reason = await app.push_screen_wait(StopReasonScreen(task))
    if reason is None:
        return
    await run_prepared(
        app, lambda: prepare_stop_task(app.gateways.ecs, app.settings, task, reason, pacing=pacing_for(app))
    )


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
