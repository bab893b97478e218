"""Operations for both front ends: ``prepare_*`` returns an Operation (its plan a value), ``run``
takes it through the one runner (console.ops.runner) with the front end's confirm and progress.

A front end asks what it needs (a count, a revision, a reason) in its own way, then calls
``prepare_*`` with it, shows the operation's plan and answers ``confirm``; everything else
(read-only refusal, the audit line, verify) is the runner's. Each ``prepare_*`` reads the
resource again first: a plan is made against what AWS holds now, not what a pane showed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from console.accounts import account_of
from console.api.deploys import DeployOperations
from console.api.dlq import DlqTriage
from console.aws.context import Gateways
from console.aws.sqs import QueueMessage
from console.config import ServiceRules, Settings
from console.model import Queue, Service, Task, TaskDefinition
from console.ops import redrive
from console.ops.autoscaling import TargetChange, prepare_target_change
from console.ops.envsync import ContainerEdit, EnvOp, current_task_definition, prepare_env_edit
from console.ops.guards import Guards, service_guards
from console.ops.plan import ProgressCallback
from console.ops.redeploy import prepare_redeploy
from console.ops.rollback import RevisionChoice, prepare_rollback, revision_choices
from console.ops.rollout import Pacing
from console.ops.runner import (
    CANCELLED,
    Confirm,
    Operation,
    Outcome,
    caller_arn,
    refuse_if_read_only,
    refuse_peek_if_read_only,
    run_operation,
)
from console.ops.scale import prepare_scale
from console.ops.stoptask import prepare_stop_task


def group_plan(op: Operation, group: str) -> Operation:
    """A group's redrive or delete: the plan names the group (its key) and says it is one group."""
    if group:
        n = len(op.plan.request.get("message_ids", ()))
        line = f"the group '{group}' of the DLQ triage: {n} peeked messages with this key"
        op.plan = replace(
            op.plan, details=(line, *op.plan.details), request={**op.plan.request, "group": group}
        )
    return op


class Operations(DeployOperations):
    """Prepare and run the console's mutations; one per run, beside :class:`~console.api.reads.Reads`."""

    def __init__(self, settings: Settings, gateways: Gateways) -> None:
        self.settings = settings
        self.gateways = gateways
        self._callers: dict[str, str] = {}  # per account: the audit's "who" there

    # --- what a front end asks before preparing ---------------------------------------------
    def rules_for(self, service: Service) -> ServiceRules:
        return self.settings.rules_for(service.cluster_name, service.name)

    async def guards_for(self, service: Service) -> Guards:
        """The rules ``service`` is held to now: its tags tightened by the profile (what the plan uses)."""
        return await service_guards(self.gateways.ecs, self.settings, service)

    async def current(self, service: Service) -> Service:
        """The service as it is now: plans are made against the current count and revision."""
        return await self.gateways.ecs.service(service.region, service.cluster_arn, service.name)

    async def revision_choices(self, service: Service) -> list[RevisionChoice]:
        """The revisions a rollback may go to, each with its diff against the running one."""
        return await revision_choices(self.gateways.ecs, service)

    async def env_base(self, service: Service) -> tuple[Service, TaskDefinition]:
        """The service now and the revision an env edit starts from."""
        fresh = await self.current(service)
        return fresh, await current_task_definition(self.gateways.ecs, fresh)

    def check_writable(self, action: str = "operation", at: str | None = None) -> None:
        """Refused in read-only mode (or in ``at``'s read-only account), before a plan is even
        read (the runner refuses again)."""
        refuse_if_read_only(self.settings, action, at)

    def check_peek(self, queue: Queue) -> None:
        """Refused (read-only) when peeking could move the queue's messages to its DLQ."""
        refuse_peek_if_read_only(self.settings, queue)

    # --- services and tasks ------------------------------------------------------------------
    async def prepare_scale(self, service: Service, count: int, *, pacing: Pacing | None = None) -> Operation:
        current = await self.current(service)
        return await prepare_scale(self.gateways.ecs, self.settings, current, count, pacing=pacing)

    async def prepare_redeploy(
        self, service: Service, *, stop_first: bool = False, pacing: Pacing | None = None
    ) -> Operation:
        """A force redeploy; ``stop_first``: stop-then-start (a single writer's is always)."""
        current = await self.current(service)
        return await prepare_redeploy(
            self.gateways.ecs, self.settings, current, stop_first=stop_first, pacing=pacing
        )

    async def prepare_rollback(self, service: Service, to: str, *, pacing: Pacing | None = None) -> Operation:
        current = await self.current(service)
        return await prepare_rollback(self.gateways.ecs, self.settings, current, to=to, pacing=pacing)

    async def prepare_env_save(
        self,
        service: Service,
        base: TaskDefinition,
        edits: Sequence[ContainerEdit],
        *,
        pacing: Pacing | None = None,
    ) -> EnvOp:
        """The env editor's Save: the edits against ``base``, one new revision and one rollout."""
        current = await self.current(service)
        changed = [e for e in edits if not e.is_empty]
        return await prepare_env_edit(  # reads the service's guard tags, as every prepare_* does
            self.gateways.ecs, self.settings, current, base, changed, action="env-edit", pacing=pacing
        )

    async def prepare_autoscaling(self, service: Service, change: TargetChange) -> Operation:
        """RegisterScalableTarget: the target's min/max, scale-in suspended or resumed."""
        current = await self.current(service)
        return await prepare_target_change(self.gateways.ecs, self.settings, current, change)

    async def prepare_stop_task(self, task: Task, reason: str, *, pacing: Pacing | None = None) -> Operation:
        return await prepare_stop_task(self.gateways.ecs, self.settings, task, reason, pacing=pacing)

    # --- queues -------------------------------------------------------------------------------
    async def prepare_redrive(self, dlq: Queue) -> Operation:
        """StartMessageMoveTask from the DLQ to its source queues."""
        return await self._warned(await redrive.prepare_native(self.gateways.sqs, dlq))

    async def _warned(self, op: Operation) -> Operation:
        """A redrive's plan warns when its destination has an enabled consumer (console.api.dlq)."""
        dlq = DlqTriage(self.gateways)
        warned: Operation = await dlq.warn_if_consumed(op, await dlq.destinations_of(op))
        return warned

    async def prepare_cancel_redrive(self, dlq: Queue) -> Operation:
        return await redrive.prepare_cancel(self.gateways.sqs, dlq)

    async def prepare_redrive_selected(
        self, dlq: Queue, messages: Sequence[QueueMessage], *, group: str = ""
    ) -> Operation:
        op = await redrive.prepare_selected_redrive(self.gateways.sqs, dlq, messages)
        return await self._warned(group_plan(op, group))

    async def prepare_delete_selected(
        self, queue: Queue, messages: Sequence[QueueMessage], *, group: str = ""
    ) -> Operation:
        return group_plan(await redrive.prepare_selected_delete(self.gateways.sqs, queue, messages), group)

    async def prepare_purge(self, queue: Queue) -> Operation:
        return await redrive.prepare_purge(self.gateways.sqs, queue)

    @staticmethod
    def check_purge_name(queue: Queue, typed: str) -> None:
        """A purge's second confirmation: the queue's name typed (BadInput when it is not)."""
        redrive.check_purge_confirmation(queue, yes=False, i_mean_purge=False, typed=typed)

    # --- running ------------------------------------------------------------------------------
    async def caller(self, at: str | None = None) -> str:
        """The audit line's "who" (STS) in ``at``'s account (the first place's when None), asked once
        per account and run, and only once a plan is confirmed."""
        place = at if at is not None else self.settings.regions[0]
        key = account_of(place)
        who = self._callers.get(key.key if key else "")
        if who is None:
            who = self._callers[key.key if key else ""] = await caller_arn(self.gateways.aws, place)()
        return who

    async def run(
        self,
        operation: Operation,
        confirm: Confirm,
        progress: ProgressCallback | None = None,
        *,
        wait: bool = True,
    ) -> Outcome:
        """plan -> ``confirm`` -> apply (audited) -> verify (``progress`` each step), or refused."""
        at = operation.plan.target.region

        async def caller() -> str:
            return await self.caller(at)

        return await run_operation(
            self.settings, operation, confirm=confirm, caller=caller, wait=wait, on_progress=progress
        )


__all__ = ["CANCELLED", "Operation", "Operations", "Outcome"]
