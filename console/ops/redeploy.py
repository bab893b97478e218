"""Force a new deployment, or deploy stop-then-start for a single-writer service.

The everyday redeploy is one ``UpdateService(forceNewDeployment=True)`` and
nothing else.  A single-writer service (wwhd: Qdrant holds a file lock on
EFS) must never run two tasks, and ECS's rolling deployment starts the new
task before it stops the old one.  So it is deployed stop-then-start: scale
to 0, wait until no task of the service is alive (not merely "desired
stopped": a STOPPING container still holds the lock), then deploy and scale
back in one call, and verify exactly one task runs.  The task count is
checked on every poll from the first write to the end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console.aws.ecs import EcsGateway
from console.config import Settings
from console.errors import OpsError, describe_aws_error
from console.model import Service, Task, short_name
from console.ops.guards import SINGLE_WRITER, Guards, service_guards
from console.ops.plan import ApplyResult, Change, Plan, Progress, ProgressCallback, VerifyResult
from console.ops.rollout import (
    FAILED,
    RESTORE_TAG,
    FollowsWrite,
    Pacing,
    deployment_of,
    emit,
    follow_applied,
    service_target,
    write_service,
    written,
)
from console.ops.scale import revision_status


def stop_first_for(rules: Guards, requested: bool) -> bool:
    """Stop-then-start when asked, and always for a single-writer service."""
    return requested or rules.single_writer


def restart_count(service: Service, rules: Guards, remembered: int | None = None) -> int:
    """How many tasks to start again after the stop.

    A stop-then-start killed after its scale-down leaves desiredCount 0 behind, and the rerun
    must bring the tasks back rather than read that 0 as the count to restore. A single writer
    runs exactly one task, whatever it reads now; any other service gets the count the
    interrupted run wrote in a tag on the service before it stopped it (``remembered``).
    """
    if rules.single_writer:
        return 1
    if service.desired == 0 and remembered:
        return remembered
    return service.desired


async def remembered_count(
    ecs: EcsGateway, service: Service, rules: Guards, *, stop_first: bool = True
) -> int | None:
    """The count an interrupted stop-then-start left in the service's tag.

    Read only for a requested stop-then-start of a service at desiredCount 0 that is not a
    single writer (that one restarts with 1 whatever the tag says).
    """
    if not stop_first or rules.single_writer or service.desired != 0:
        return None
    value = (await ecs.service_tags(service.region, service.arn)).get(RESTORE_TAG, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def stop_first_steps(service: Service, deploying: str, restart: int) -> tuple[str, ...]:
    return (
        f"1. scale to 0 (desiredCount {service.desired} -> 0)"
        if service.desired
        else "1. already at desiredCount 0",
        "2. wait until no task of the service is alive (all STOPPED)",
        f"3. deploy {deploying} and scale back to {restart} in one UpdateService",
        f"4. verify exactly {restart} task(s) run; the task count is checked on every poll",
    )


def stop_first_warnings(service: Service, rules: Guards, restart: int) -> list[str]:
    out = []
    if service.running or service.desired:
        out.append(
            f"downtime: no task runs between stopping the current {service.running} and starting {restart}"
        )
    if rules.single_writer:
        out.append(
            f"rule {rules.describe(SINGLE_WRITER)}: deployed stop-then-start so two tasks never run at once"
        )
        if service.desired == 0:
            out.append("desiredCount is 0 now (an interrupted stop-then-start?): it is started with 1 task")
    elif service.desired == 0 and restart:
        out.append(
            f"desiredCount is 0 now: an interrupted stop-then-start recorded {restart} task(s) "
            f"on the service (tag {RESTORE_TAG}): it is started with {restart}"
        )
    if restart == 0:
        out.append("desiredCount is 0: the deployment starts no task")
    return out


def redeploy_plan(
    service: Service,
    rules: Guards,
    *,
    stop_first: bool = False,
    revision_status: str = "ACTIVE",
    remembered: int | None = None,
) -> Plan:
    primary = service.primary
    now = f"{primary.id} ({service.revision})" if primary else service.revision
    warnings: list[str] = []
    if revision_status == "INACTIVE":
        warnings.append(
            f"its revision {service.revision} is INACTIVE (deregistered): "
            "once replaced it cannot be deployed again"
        )
    if len(service.deployments) > 1 or service.rollout_state == "IN_PROGRESS":
        warnings.append("a deployment is already in progress: this one replaces it")
    changes = [Change("deployment", now, f"new deployment of {service.revision}")]
    if stop_first_for(rules, stop_first):
        restart = restart_count(service, rules, remembered)
        if restart != service.desired:
            changes.insert(0, Change("desiredCount", service.desired, restart))
        plan = Plan(
            action="redeploy-stop-first",
            target=service_target(service),
            changes=tuple(changes),
            warnings=tuple(stop_first_warnings(service, rules, restart) + warnings),
            details=stop_first_steps(service, f"a new deployment of {service.revision}", restart),
            request={"forceNewDeployment": True, "desiredCount": restart},
        )
        return rules.stamp(plan, service.name)
    if service.desired == 0:
        warnings.append("desiredCount is 0: the new deployment starts no task")
    plan = Plan(
        action="redeploy",
        target=service_target(service),
        changes=tuple(changes),
        warnings=tuple(warnings),
        details=(f"running now: {service.running}/{service.desired}",),
        request={"forceNewDeployment": True},
    )
    return rules.stamp(plan, service.name)


def alive(tasks: list[Task]) -> list[Task]:
    """Tasks that may still hold resources: anything not yet STOPPED, whatever it is asked to become."""
    return [t for t in tasks if t.last_status != "STOPPED"]


def stop_then_start(
    ecs: EcsGateway,
    service: Service,
    rules: Guards,
    fields: Mapping[str, Any],
    remembered: int | None,
    pacing: Pacing,
) -> StopThenStart:
    """The sequence for ``service``: ``fields`` deployed with the count to restart."""
    restart = restart_count(service, rules, remembered)
    return StopThenStart(
        ecs, service, {**fields, "desiredCount": restart}, restart, pacing, remember=not rules.single_writer
    )


@dataclass
class StopThenStart:
    """The stop-then-start sequence, shared by redeploy and rollback."""

    ecs: EcsGateway
    service: Service
    final_fields: Mapping[str, Any]  # the one UpdateService that deploys and scales back
    restart: int
    pacing: Pacing
    # Keep the count to restore in a service tag while stopped (not for a single writer: it
    # always restarts with 1, and the tag would only be one more write that can fail).
    remember: bool = True
    max_alive_seen: int = 0
    polls: int = 0
    violations: list[str] = field(default_factory=list)
    armed: bool = False  # from the deploy on, more than `restart` alive tasks is a violation

    @property
    def where(self) -> str:
        return f"{self.service.cluster_name}/{self.service.name}"

    async def alive_tasks(self) -> list[Task]:
        tasks = await self.ecs.tasks(
            self.service.region, self.service.cluster_arn, service=self.service.name, include_stopped=True
        )
        live = alive(tasks)
        self.polls += 1
        self.max_alive_seen = max(self.max_alive_seen, len(live))
        if self.armed and len(live) > max(self.restart, 1):
            ids = ", ".join(f"{t.id} {t.last_status}" for t in live)
            self.violations.append(f"{len(live)} tasks alive at once: {ids}")
        return live

    async def run(self, progress: ProgressCallback) -> ApplyResult:
        svc = self.service
        if svc.desired != 0:
            await emit(progress, Progress(0, 3, "STOPPING", f"{self.where}: desiredCount {svc.desired} -> 0"))
            if self.remember:
                await self._remember()
            await write_service(self.ecs, svc, "scaling to 0 before the deploy", desiredCount=0)
        await self._wait_until_stopped(progress)
        await emit(
            progress,
            Progress(2, 3, "DEPLOYING", f"{self.where}: deploying, desiredCount 0 -> {self.restart}"),
        )
        self.armed = True
        try:
            after = await write_service(
                self.ecs, svc, f"deploying and scaling back to {self.restart}", **dict(self.final_fields)
            )
        except OpsError as exc:
            raise OpsError(
                f"{exc}. It was stopped for the deploy: start it again with "
                f"`opsconsole scale {svc.cluster_name} {svc.name} {self.restart}`"
            ) from exc
        if self.remember:
            await self._forget(progress)
        await emit(
            progress, Progress(3, 3, "IN_PROGRESS", f"{self.where}: deployment {deployment_of(after)}")
        )
        return written(
            after,
            f"stopped every task, deployed {after.revision} with desiredCount {after.desired}",
            {"desiredCount": after.desired, "taskDefinition": after.revision},
        )

    async def _remember(self) -> None:
        """Tag the service with the count to restore, before the stop.

        A run killed while the service is at 0 leaves the count on the service itself, where
        the rerun reads it (remembered_count). If the tag cannot be written, nothing is stopped.
        """
        svc = self.service
        try:
            await self.ecs.tag_service(svc.region, svc.arn, {RESTORE_TAG: str(self.restart)})
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise OpsError(
                f"{describe_aws_error(exc)} (while tagging {self.where} with the count to restore, "
                f"{RESTORE_TAG}={self.restart}, before the stop); nothing was stopped or deployed: "
                f"it still runs at desiredCount {svc.desired}"
            ) from exc

    async def _forget(self, progress: ProgressCallback) -> None:
        """Remove the tag once deployed; one left behind is harmless (read only at desiredCount 0)."""
        svc = self.service
        try:
            await self.ecs.untag_service(svc.region, svc.arn, [RESTORE_TAG])
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            note = f"could not remove tag {RESTORE_TAG} ({describe_aws_error(exc)}): harmless"
            await emit(progress, Progress(2, 3, "DEPLOYING", note))

    async def _wait_until_stopped(self, progress: ProgressCallback) -> None:
        deadline = time.monotonic() + self.pacing.timeout
        first: int | None = None
        while True:
            try:
                live = await self.alive_tasks()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await emit(
                    progress, Progress(1, 3, "STOPPING", f"could not list tasks ({describe_aws_error(exc)})")
                )
                live = None
            if live is not None:
                first = len(live) if first is None else first
                if not live:
                    await emit(progress, Progress(1, 3, "STOPPED", f"{self.where}: no task alive"))
                    return
                states = ", ".join(f"{t.id[:8]} {t.last_status}" for t in live)
                await emit(
                    progress, Progress(1, 3, "STOPPING", f"{self.where}: waiting for {len(live)}: {states}")
                )
            if time.monotonic() >= deadline:
                n = "some" if live is None else str(len(live))
                svc = self.service
                raise OpsError(
                    f"timed out after {self.pacing.timeout:g}s waiting for the tasks of {self.where} "
                    f"to stop: it is at desiredCount 0 with {n} task(s) still alive and nothing was "
                    "deployed; run the command again once they stopped, or start it as it was with "
                    f"`opsconsole scale {svc.cluster_name} {svc.name} {svc.desired}`"
                )
            await asyncio.sleep(self.pacing.poll_interval)

    async def check(self, _svc: Service) -> str | None:
        try:
            await self.alive_tasks()
        except asyncio.CancelledError:
            raise
        except Exception:
            return None  # a failed poll is not evidence; the next one checks again
        return self.violations[0] if self.violations else None

    async def verify(self, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        result = await follow_applied(
            self.ecs,
            self.service,
            applied,
            pacing=self.pacing,
            on_progress=progress,
            desired=self.restart,
            check=self.check,
        )
        if not result.ok:
            return result
        live = await self.alive_tasks()
        if len(live) != self.restart or self.violations:
            why = self.violations[0] if self.violations else f"{len(live)} task(s) alive"
            return VerifyResult(
                False, FAILED, f"expected exactly {self.restart} task(s): {why}", result.events
            )
        ids = ", ".join(short_name(t.arn) for t in live) or "none"
        return VerifyResult(True, result.state, f"{result.message}; alive: {ids}", result.events)


@dataclass
class FollowsRollout(FollowsWrite):
    """An operation that deploys one service once: stop-then-start (``sequence``) or one write.

    ``apply`` runs the sequence when there is one, else the operation's own ``deploy``;
    ``verify`` follows what either left.
    """

    sequence: StopThenStart | None = field(default=None, repr=False, kw_only=True)

    async def deploy(self, plan: Plan) -> ApplyResult:
        raise NotImplementedError

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        if self.sequence is not None:
            return await self.sequence.run(progress)
        return await self.deploy(plan)

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        if self.sequence is not None:
            return await self.sequence.verify(applied, progress)
        return await self.follow(applied, progress)


@dataclass
class RedeployOp(FollowsRollout):
    """A forced new deployment of the running revision (stop-then-start for a single writer)."""

    async def deploy(self, plan: Plan) -> ApplyResult:
        svc = await write_service(self.ecs, self.service, "forcing a new deployment", **plan.request)
        return written(
            svc, f"new deployment {deployment_of(svc)} of {svc.revision}", {"deployment": deployment_of(svc)}
        )


async def prepare_redeploy(
    ecs: EcsGateway,
    settings: Settings,
    service: Service,
    *,
    stop_first: bool = False,
    pacing: Pacing | None = None,
) -> RedeployOp:
    pacing = pacing or Pacing()
    rules = await service_guards(ecs, settings, service)
    remembered = await remembered_count(ecs, service, rules, stop_first=stop_first)
    plan = redeploy_plan(
        service,
        rules,
        stop_first=stop_first,
        revision_status=await revision_status(ecs, service),
        remembered=remembered,
    )
    sequence = None
    if plan.action == "redeploy-stop-first":
        sequence = stop_then_start(ecs, service, rules, plan.request, remembered, pacing)
    return RedeployOp(ecs=ecs, service=service, plan=plan, pacing=pacing, sequence=sequence)
