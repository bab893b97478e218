"""Stop one task, with the reason recorded (in ECS's stoppedReason and in the audit log).

A reason is required: "who stopped this and why" is the first question after
an incident, and ECS keeps only what StopTask was given.  A task that belongs
to a service is replaced by the scheduler; the plan says so.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from console.aws.ecs import EcsGateway
from console.config import Settings
from console.errors import BadInput, NotFound, OpsError, describe_aws_error
from console.model import Task, short_name
from console.ops.guards import SINGLE_WRITER, Guards, profile_guards, service_guards
from console.ops.plan import ApplyResult, Change, OpTarget, Plan, Progress, ProgressCallback, VerifyResult
from console.ops.rollout import COMPLETED, TIMEOUT, Pacing, emit

MAX_REASON = 255  # StopTask's limit


def stop_task_plan(task: Task, reason: str, rules: Guards | None = None) -> Plan:
    reason = " ".join(reason.split())
    if not reason:
        raise BadInput("a reason is required to stop a task (it is recorded in ECS and the audit log)")
    if len(reason) > MAX_REASON:
        raise BadInput(f"the reason is {len(reason)} characters; ECS keeps at most {MAX_REASON}")
    target = OpTarget(
        region=task.region, kind="task", name=task.id, cluster=short_name(task.cluster_arn), arn=task.arn
    )
    warnings: list[str] = []
    if task.service_name:
        warnings.append(f"the task belongs to service {task.service_name}: ECS starts a replacement")
        if rules is not None and rules.single_writer:
            warnings.append(
                f"rule {rules.describe(SINGLE_WRITER)}: the replacement starts only after this task has stopped"
            )
    details = [f"task definition: {short_name(task.task_definition)}", f"reason: {reason}"]
    if task.started_at:
        details.append(f"started: {task.started_at:%Y-%m-%d %H:%M:%S %Z}".strip())
    noop = ""
    if task.last_status == "STOPPED":
        noop = "the task is already STOPPED"
    elif task.desired_status == "STOPPED":
        noop = f"the task is already stopping ({task.last_status})"
    plan = Plan(
        action="stop-task",
        target=target,
        changes=(Change("lastStatus", task.last_status, "STOPPED"), Change("reason", None, reason)),
        warnings=tuple(warnings),
        details=tuple(details),
        request={"reason": reason},
        noop_reason=noop,
    )
    # A protected service's task: the service's name is what is typed to confirm.
    return rules.stamp(plan, task.service_name) if rules is not None else plan


@dataclass
class StopTaskOp:
    ecs: EcsGateway
    task: Task
    plan: Plan
    pacing: Pacing

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        t = self.task
        try:
            stopped = await self.ecs.stop_task(t.region, t.cluster_arn, t.arn, str(plan.request["reason"]))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            state = await self._state()
            raise OpsError(
                f"{describe_aws_error(exc)} (while stopping task {t.id}); the task now: {state}"
            ) from exc
        return ApplyResult(
            ok=True,
            message=f"task {t.id} asked to stop ({stopped.last_status} -> STOPPED)",
            after={"desiredStatus": stopped.desired_status, "reason": stopped.stopped_reason},
            data={},
        )

    async def _state(self) -> str:
        t = self.task
        try:
            found = await self.ecs.describe_tasks(t.region, t.cluster_arn, [t.arn])
        except Exception as exc:
            return f"unknown ({describe_aws_error(exc)})"
        return f"{found[0].last_status} (desired {found[0].desired_status})" if found else "gone"

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        t = self.task
        deadline = time.monotonic() + self.pacing.timeout
        last = t.last_status
        while True:
            try:
                found = await self.ecs.describe_tasks(t.region, t.cluster_arn, [t.arn])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                found = None
                await emit(
                    progress,
                    Progress(0, 1, "STOPPING", f"could not read the task ({describe_aws_error(exc)})"),
                )
            if found is not None:
                now = found[0] if found else None
                if now is None or now.last_status == "STOPPED":
                    reason = now.stopped_reason if now else ""
                    await emit(
                        progress, Progress(1, 1, COMPLETED, f"task {t.id} STOPPED: {reason}".rstrip(": "))
                    )
                    return VerifyResult(
                        True, COMPLETED, f"task {t.id} STOPPED ({reason or 'reason not shown'})"
                    )
                last = now.last_status
                await emit(progress, Progress(0, 1, "STOPPING", f"task {t.id}: {last}"))
            if time.monotonic() >= deadline:
                return VerifyResult(
                    False, TIMEOUT, f"timed out after {self.pacing.timeout:g}s: task {t.id} is still {last}"
                )
            await asyncio.sleep(self.pacing.poll_interval)


async def prepare_stop_task(
    ecs: EcsGateway, settings: Settings, task: Task, reason: str, *, pacing: Pacing | None = None
) -> StopTaskOp:
    rules = None
    if task.service_name:
        try:
            service = await ecs.service(task.region, task.cluster_arn, task.service_name)
        except NotFound:  # the service is gone and the task lingers: the profile's rules only
            rules = profile_guards(settings, task.cluster_arn, task.service_name)
        else:
            rules = await service_guards(ecs, settings, service)
    return StopTaskOp(ecs=ecs, task=task, plan=stop_task_plan(task, reason, rules), pacing=pacing or Pacing())
