"""Follow a service until its rollout is steady, failed, or out of time.

Every operation on a service ends here (scale, redeploy, rollback, env sync):
after the one write, poll ``describe_services`` and report running/desired,
the rollout state and the service events that appeared since the plan, so a
person sees *why* a deployment failed (AWS's own words), not just that it did.

The judgement is made on the deployment the write created (or, for a scale,
the primary one): ECS marks it ``FAILED`` when the circuit breaker trips and,
with rollback enabled, starts a new PRIMARY deployment of the last good
revision.  A poll that fails (throttling, a 5xx) is reported and retried
until the deadline; it never ends the watch early.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from console.aws.ecs import EcsGateway
from console.errors import NotFound, OpsError, describe_aws_error
from console.model import Deployment, Service, ServiceEvent, Task, short_name
from console.ops.plan import ApplyResult, OpTarget, Plan, Progress, ProgressCallback, VerifyResult

# The count a plain stop-then-start restores, kept on the service while it is at 0 (redeploy.py).
RESTORE_TAG = "opsconsole:stop-then-start-restore"
IN_PROGRESS = "IN_PROGRESS"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
TIMEOUT = "TIMEOUT"
# How a FAILED verify says ECS's circuit breaker put the last good revision back (the audit reads it).
BREAKER_ROLLED_BACK = "circuit breaker rolled back"

DEFAULT_TIMEOUT = 600.0
# Fail fast: this many tasks of a new deployment stopping in a row with the same reason end the wait.
DEFAULT_FAIL_FAST = 3
DEFAULT_POLL_INTERVAL = 3.0  # well inside ECS's 20 describes/s, and fast enough for a person

# A check run on every poll (e.g. "never two tasks of a single-writer service"): a message ends the watch.
PollCheck = Callable[[Service], Awaitable[str | None]]


@dataclass(frozen=True)
class Pacing:
    """How long to follow and how often to look."""

    timeout: float = DEFAULT_TIMEOUT
    poll_interval: float = DEFAULT_POLL_INTERVAL
    fail_fast: int = DEFAULT_FAIL_FAST  # 0: wait for the circuit breaker (or the timeout) as before


def _after_id(message: str, deployment_id: str) -> str:
    """'(service x) deployment ecs-svc/1 deployment failed: why.' -> 'deployment failed: why.'"""
    tail = message.split(deployment_id, 1)[-1].strip(" )")
    return tail or message


def deployment(service: Service, deployment_id: str | None) -> Deployment | None:
    if not deployment_id:
        return service.primary
    return next((d for d in service.deployments if d.id == deployment_id), None)


def state_line(service: Service) -> str:
    """Where the service stands, in one line (for timeouts and failed applies)."""
    deps = "; ".join(
        f"{d.revision} {d.status} {d.rollout_state or '-'} {d.running}/{d.desired}"
        for d in service.deployments
    )
    return f"desired {service.desired}, running {service.running}, pending {service.pending}" + (
        f"; deployments: {deps}" if deps else ""
    )


def breaker_notes(service: Service) -> tuple[str, ...]:
    """Where ECS's circuit breaker failed a deployment and rolled back by itself."""
    notes: list[str] = []
    for dep in service.deployments:
        if "circuit breaker" in dep.rollout_reason.lower():
            notes.append(f"deployment {dep.id} ({dep.revision}, {dep.rollout_state}): {dep.rollout_reason}")
    for event in reversed(service.events):
        text = event.message.lower()
        if "rolling back" in text or "deployment failed" in text or "circuit breaker" in text:
            notes.append(event_line(event))
    return tuple(notes)


def event_line(event: ServiceEvent) -> str:
    stamp = event.created_at.strftime("%Y-%m-%d %H:%M:%S") if event.created_at else "-"
    return f"{stamp} {event.message}"


def new_events(service: Service, seen: set[str]) -> list[ServiceEvent]:
    """Events not seen before, oldest first (AWS lists them newest first)."""
    fresh = [e for e in service.events if e.id not in seen]
    fresh.reverse()
    return fresh


def assess(
    service: Service, *, deployment_id: str | None, desired: int | None, events: Sequence[str] = ()
) -> tuple[str, str]:
    """(state, reason) of the rollout being followed: IN_PROGRESS, COMPLETED or FAILED.

    ``events`` are the service event messages seen since the change: a failed
    deployment that has already drained away is explained by them.
    """
    dep = deployment(service, deployment_id)
    primary = service.primary
    if dep is None:
        rolled = f" to {primary.revision} (deployment {primary.id})" if primary else ""
        failed = [e for e in events if deployment_id and deployment_id in e and "failed" in e.lower()]
        if failed:
            reason = f"deployment {deployment_id} failed: {_after_id(failed[-1], deployment_id or '')}"
            if any("rolling back" in e.lower() for e in events):
                reason += f"; {BREAKER_ROLLED_BACK}{rolled}"
            return FAILED, reason
        return FAILED, f"deployment {deployment_id} is gone: replaced{' by' + rolled if primary else ''}"
    if dep.rollout_state == FAILED:
        reason = dep.rollout_reason or "rollout failed"
        if primary is not None and primary.id != dep.id:
            reason += f"; {BREAKER_ROLLED_BACK} to {primary.revision} (deployment {primary.id})"
        return FAILED, reason
    if dep.status != "PRIMARY":
        by = f" by {primary.id} ({primary.revision})" if primary else ""
        return FAILED, f"deployment {dep.id} ({dep.revision}) was superseded{by}"
    want = dep.desired if desired is None else desired
    steady = (
        len(service.deployments) == 1
        and dep.desired == want
        and dep.running == want
        and dep.pending == 0
        and dep.rollout_state in (COMPLETED, "")
    )
    if steady:
        return COMPLETED, f"{dep.revision} steady with {dep.running}/{want} running"
    return IN_PROGRESS, dep.rollout_state or IN_PROGRESS


class RolloutWatch:
    """Polls one service; iterate :meth:`steps` for Progress, then read :attr:`result`."""

    def __init__(
        self,
        ecs: EcsGateway,
        region: str,
        cluster: str,
        service: str,
        *,
        deployment_id: str | None = None,
        desired: int | None = None,
        known_events: Iterable[str] = (),
        pacing: Pacing | None = None,
        check: PollCheck | None = None,
    ) -> None:
        self.ecs = ecs
        self.region = region
        self.cluster = cluster
        self.service = service
        self.deployment_id = deployment_id
        self.desired = desired
        self.seen: set[str] = set(known_events)
        self.pacing = pacing or Pacing()
        self.check = check
        self.collected: list[str] = []  # every new event line, for the final report
        self.messages: list[str] = []  # the same events' messages, for :func:`assess`
        self.last: Service | None = None
        self.result: VerifyResult | None = None
        self.polls = 0

    def _finish(self, ok: bool, state: str, message: str) -> VerifyResult:
        self.result = VerifyResult(ok=ok, state=state, message=message, events=tuple(self.collected))
        return self.result

    async def steps(self) -> AsyncIterator[Progress]:
        deadline = time.monotonic() + self.pacing.timeout
        name = short_name(self.service)
        while True:
            error = ""
            svc: Service | None = None
            try:
                svc = await self.ecs.service(self.region, self.cluster, self.service)
            except NotFound as exc:
                self._finish(False, FAILED, str(exc))
                yield Progress(0, 0, FAILED, str(exc))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # throttled or a 5xx past botocore's retries: look again
                error = describe_aws_error(exc)
            self.polls += 1
            if svc is not None:
                self.last = svc
                fresh = new_events(svc, self.seen)
                self.seen.update(e.id for e in fresh)
                lines = tuple(event_line(e) for e in fresh)
                self.collected += lines
                self.messages += [e.message for e in fresh]
                state, reason = assess(
                    svc, deployment_id=self.deployment_id, desired=self.desired, events=self.messages
                )
                if state != FAILED and self.check is not None:
                    problem = await self.check(svc)
                    if problem:
                        state, reason = FAILED, problem
                dep = deployment(svc, self.deployment_id)
                if state == IN_PROGRESS and dep is not None:
                    streak = await same_stops(self.ecs, svc, dep, self.pacing.fail_fast)
                    if streak:
                        state, reason = FAILED, streak
                running = dep.running if dep else svc.running
                total = dep.desired if dep else svc.desired
                message = f"{name}: running {running}/{total}, pending {dep.pending if dep else svc.pending}"
                if dep is not None:
                    message += f", {dep.revision} {dep.rollout_state or '-'}"
                if len(svc.deployments) > 1:
                    message += f", {len(svc.deployments)} deployments"
                if state == COMPLETED:
                    self._finish(True, COMPLETED, reason)
                    yield Progress(running, total, COMPLETED, message, lines)
                    return
                if state == FAILED:
                    self._finish(False, FAILED, reason)
                    yield Progress(running, total, FAILED, f"{message}: {reason}", lines)
                    return
                yield Progress(
                    running, total, dep.rollout_state if dep and dep.rollout_state else state, message, lines
                )
            else:
                yield Progress(0, 0, IN_PROGRESS, f"{name}: could not read the service ({error}); retrying")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                where = state_line(self.last) if self.last else "unknown (no successful describe)"
                self._finish(
                    False, TIMEOUT, f"timed out after {self.pacing.timeout:g}s; the service now: {where}"
                )
                yield Progress(0, 0, TIMEOUT, self.result.message if self.result else "")
                return
            await asyncio.sleep(min(self.pacing.poll_interval, remaining))


async def emit(on_progress: ProgressCallback | None, progress: Progress) -> None:
    if on_progress is None:
        return
    maybe = on_progress(progress)
    if inspect.isawaitable(maybe):
        await maybe


async def follow_applied(
    ecs: EcsGateway,
    service: Service,
    applied: ApplyResult,
    *,
    pacing: Pacing | None,
    on_progress: ProgressCallback,
    desired: int | None = None,
    check: PollCheck | None = None,
) -> VerifyResult:
    """Verify an applied write to ``service``: follow the deployment apply reported, past the events seen at plan time."""
    watch = RolloutWatch(
        ecs,
        service.region,
        service.cluster_arn,
        service.name,
        deployment_id=applied.data.get("deployment_id"),
        desired=desired,
        known_events=[e.id for e in service.events],
        pacing=pacing,
        check=check,
    )
    return await follow_watch(watch, on_progress)


@dataclass
class ServiceOp:
    """What every operation on one service holds: its gateway, the service as planned, the plan."""

    ecs: EcsGateway
    service: Service
    plan: Plan


@dataclass
class FollowsWrite(ServiceOp):
    """A service operation whose verify follows the deployment its write left, paced by ``pacing``."""

    pacing: Pacing

    async def follow(
        self, applied: ApplyResult, progress: ProgressCallback, *, desired: int | None = None
    ) -> VerifyResult:
        return await follow_applied(
            self.ecs, self.service, applied, pacing=self.pacing, on_progress=progress, desired=desired
        )


async def follow_watch(watch: RolloutWatch, on_progress: ProgressCallback | None) -> VerifyResult:
    """Follow until COMPLETED, FAILED or TIMEOUT, calling ``on_progress`` at every poll."""
    async for step in watch.steps():
        await emit(on_progress, step)
    assert watch.result is not None
    return watch.result


async def describe_state(ecs: EcsGateway, region: str, cluster: str, service: str) -> str:
    """The service's state for an error message; never raises."""
    try:
        svc = await ecs.service(region, cluster, service)
    except Exception as exc:
        return f"unknown (could not read it: {describe_aws_error(exc)})"
    return state_line(svc)


def deployment_of(service: Service) -> str:
    """The primary deployment's id, as a message shows it ("?" when there is none)."""
    return service.primary.id if service.primary else "?"


def written(service: Service, message: str, after: dict[str, object], **data: object) -> ApplyResult:
    """The result of one UpdateService: verify follows the primary deployment it left behind."""
    primary = service.primary
    return ApplyResult(
        ok=True, message=message, after=after, data={"deployment_id": primary.id if primary else None, **data}
    )


def service_target(service: Service) -> OpTarget:
    return OpTarget(
        region=service.region,
        kind="service",
        name=service.name,
        cluster=service.cluster_name,
        arn=service.arn,
    )


async def write_service(ecs: EcsGateway, service: Service, doing: str, **fields: object) -> Service:
    """One UpdateService with exactly ``fields``; a failure says where the service was left."""
    try:
        return await ecs.update_service(service.region, service.cluster_arn, service.name, **fields)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        state = await describe_state(ecs, service.region, service.cluster_arn, service.name)
        raise OpsError(f"{describe_aws_error(exc)} (while {doing}); the service now: {state}") from exc


def stop_reason(task: Task) -> str:
    """What stopped a task, as ECS words it: the stopped reason and each container's own reason."""
    parts = [task.stopped_reason] + [c.reason for c in task.containers if c.reason]
    return "; ".join(dict.fromkeys(p for p in parts if p))


async def same_stops(ecs: EcsGateway, svc: Service, dep: Deployment, n: int) -> str:
    """Fail fast: the last ``n`` stopped tasks of ``dep`` stopped with one same reason → why; else "".

    Read only once the deployment counts ``n`` failed tasks (ListTasks + DescribeTasks then), so a
    healthy rollout costs nothing more. A read that fails is no evidence: the next poll looks again.
    """
    if n <= 0 or dep.failed_tasks < n:
        return ""
    try:
        tasks = await ecs.tasks(svc.region, svc.cluster_arn, service=svc.name, include_stopped=True)
    except asyncio.CancelledError:
        raise
    except Exception:
        return ""
    mine = [
        t
        for t in tasks
        if t.last_status == "STOPPED"
        and t.task_definition == dep.task_definition
        and (dep.created_at is None or t.created_at is None or t.created_at >= dep.created_at)
    ]
    mine.sort(key=lambda t: t.stopped_at.timestamp() if t.stopped_at else 0.0)
    reasons = [stop_reason(t) for t in mine[-n:]]
    if len(reasons) < n or len(set(reasons)) != 1 or not reasons[0]:
        return ""
    return (
        f"fail fast: {n} tasks of deployment {dep.id} ({dep.revision}) stopped in a row with the same "
        f"reason: {reasons[0]}; stopped waiting instead of waiting for the circuit breaker. "
        f"Stop it and roll back now: opsconsole abort {svc.cluster_name} {svc.name}"
    )
