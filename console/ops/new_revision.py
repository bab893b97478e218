"""A new revision made from the running one, proved to differ only where it was meant to, rolled out once.

``env sync`` (the environment of a container) and ``deploy`` (the image of a container) both
register a revision built from the service's current one (``describe_task_definition`` with tags),
read it back and compare it field by field with the one it came from: anything else that differs
(a registry that dropped a field, a default ECS filled in) leaves the service untouched. Then one
UpdateService, or the stop-then-start sequence of a single writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from console.aws.ecs import EcsGateway
from console.env.envdiff import StaleDiff
from console.env.taskdef import RevisionMismatch, check_accepted, unexpected_changes
from console.model import Service, TaskDefinition
from console.ops import redeploy
from console.ops.guards import Guards
from console.ops.plan import ApplyResult, Change, Plan, Progress, ProgressCallback
from console.ops.redeploy import StopThenStart
from console.ops.rollout import Pacing, deployment_of, emit, service_target, write_service, written

Check = Callable[[TaskDefinition], list[str]]


async def fresh_service(ecs: EcsGateway, service: Service, base: TaskDefinition) -> Service:
    """The service now; StaleDiff if it no longer runs the revision the change was made against."""
    fresh = await ecs.service(service.region, service.cluster_arn, service.name)
    if fresh.task_definition != base.arn:
        raise StaleDiff(
            f"{service.cluster_name}/{service.name} now runs {fresh.revision}, not {base.family_revision} "
            "the change was made against; reload and try again (nothing was changed)"
        )
    return fresh


async def register_checked(
    ecs: EcsGateway,
    region: str,
    base: TaskDefinition,
    request: Mapping[str, Any],
    *,
    edited: Mapping[str, Iterable[str]],
    check: Check,
    what: str,
    progress: ProgressCallback,
) -> TaskDefinition:
    """Register ``request`` and read it back: only ``edited``'s fields may differ from ``base``.

    ``check`` says what is wrong with the edited fields themselves (not what was sent);
    ``what`` names the change in the refusal ("the environment", "the image of web").
    """
    check_accepted(request)
    await emit(progress, Progress(0, 2, "REGISTERING", f"registering a new revision of {base.family}"))
    created = await ecs.register_task_definition(region, dict(request))
    new = await ecs.task_definition(region, created.arn)
    problems = unexpected_changes(base.raw, new.raw, edited=edited) + check(new)
    if problems:
        shown = "; ".join(problems[:6]) + (f"; and {len(problems) - 6} more" if len(problems) > 6 else "")
        raise RevisionMismatch(
            f"registered {new.family_revision} but it differs from {base.family_revision} beyond "
            f"{what} ({shown}); the service was not changed and still runs {base.family_revision}"
        )
    await emit(progress, Progress(1, 2, "REGISTERED", f"registered {new.family_revision}"))
    return new


async def roll_out(
    ecs: EcsGateway,
    fresh: Service,
    rules: Guards,
    new: TaskDefinition,
    *,
    stop_first: bool,
    pacing: Pacing,
    progress: ProgressCallback,
) -> tuple[ApplyResult, StopThenStart | None]:
    """Deploy the registered ``new`` once: one UpdateService, or stop-then-start (returned for verify)."""
    if stop_first:
        remembered = await redeploy.remembered_count(ecs, fresh, rules)
        sequence = redeploy.stop_then_start(
            ecs, fresh, rules, {"taskDefinition": new.arn}, remembered, pacing
        )
        result = await sequence.run(progress)
        return (
            ApplyResult(
                ok=result.ok,
                message=f"registered {new.family_revision}; {result.message}",
                after={**result.after, "taskDefinition": new.family_revision},
                data={**result.data, "task_definition": new.arn},
            ),
            sequence,
        )
    after = await write_service(ecs, fresh, f"deploying {new.family_revision}", taskDefinition=new.arn)
    await emit(progress, Progress(2, 2, "IN_PROGRESS", f"deployment {deployment_of(after)}"))
    message = f"registered {new.family_revision}; deployment {deployment_of(after)} started"
    return written(after, message, {"taskDefinition": new.family_revision}, task_definition=new.arn), None


def stop_first_parts(
    action: str,
    service: Service,
    rules: Guards,
    deploying: str,
    parts: tuple[list[Change], list[str], list[str]],
    *,
    stop_first: bool,
    remembered: int | None,
) -> tuple[str, list[Change], list[str], list[str]]:
    """A deploy's (action, changes, warnings, details), made stop-then-start where it must be:
    asked for, or a single writer. ``deploying`` names what step 3 deploys."""
    changes, warnings, details = parts
    if not redeploy.stop_first_for(rules, stop_first):
        return action, changes, warnings, details
    restart = redeploy.restart_count(service, rules, remembered)
    if restart != service.desired:
        changes = [*changes, Change("desiredCount", service.desired, restart)]
    warnings = redeploy.stop_first_warnings(service, rules, restart) + warnings
    details = [*redeploy.stop_first_steps(service, deploying, restart), *details]
    return f"{action}-stop-first", changes, warnings, details


def service_plan(
    action: str,
    service: Service,
    rules: Guards,
    parts: tuple[list[Change], list[str], list[str]],
    request: dict[str, Any],
    noop: str = "",
) -> Plan:
    """The plan of a change to ``service`` from its (changes, warnings, details), stamped with its rules."""
    changes, warnings, details = parts
    plan = Plan(
        action=action,
        target=service_target(service),
        changes=tuple(changes),
        warnings=tuple(warnings),
        details=tuple(details),
        request=request,
        noop_reason=noop,
    )
    return rules.stamp(plan, service.name)
