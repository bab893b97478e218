"""Roll a service back (or forward) to another revision of its task definition.

The picker offers the family's ACTIVE revisions with their registration time
and what each would change against the running one; the default is the
newest ACTIVE revision older than the current.  Revisions are never
deregistered here: an INACTIVE revision cannot be deployed again, so
deregistering would take away the very thing a rollback needs.  Where ECS's
circuit breaker already rolled a failed deployment back by itself, the plan
says so, so nobody "rolls back" what AWS already did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import ClientError

from console.aws.ecs import EcsGateway
from console.config import Settings
from console.errors import BadInput, NotFound, Refused, aws_error_code
from console.model import Service, TaskDefinition, short_name
from console.ops.guards import Guards, service_guards
from console.ops.new_revision import service_plan
from console.ops.plan import ApplyResult, Change, Plan
from console.ops.redeploy import (
    FollowsRollout,
    remembered_count,
    restart_count,
    stop_first_for,
    stop_first_steps,
    stop_first_warnings,
    stop_then_start,
)
from console.ops.revision_diff import RevisionDiff, diff_revisions
from console.ops.rollout import Pacing, breaker_notes, deployment_of, write_service, written

PICKER_LIMIT = 10


def when(stamp: datetime | None) -> str:
    return stamp.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if stamp else "(registration time unknown)"


@dataclass(frozen=True)
class RevisionChoice:
    """One row of the rollback picker."""

    arn: str
    family_revision: str
    revision: int
    status: str
    registered_at: datetime | None
    diff: RevisionDiff
    current: bool = False
    default: bool = False
    td: TaskDefinition | None = field(default=None, compare=False, repr=False)  # to diff any two

    def line(self) -> str:
        mark = "*" if self.current else (">" if self.default else " ")
        tag = " (running)" if self.current else (" (default)" if self.default else "")
        return f"{mark} {self.family_revision:<32} {when(self.registered_at):<24} {self.diff.summary()}{tag}"


def previous_active(current: int, active: Sequence[int]) -> int | None:
    """The newest ACTIVE revision older than ``current``."""
    older = [r for r in active if r < current]
    return max(older) if older else None


def revision_ref(to: str, family: str) -> str:
    """``5`` → ``family:5``; ``family:5`` and ARNs as given."""
    to = to.strip()
    if to.isdigit():
        return f"{family}:{int(to)}"
    if to.startswith("arn:") or ":" in to:
        return to
    raise BadInput(f"--to takes a revision number, family:revision or an ARN, not '{to}'")


async def revision_choices(
    ecs: EcsGateway, service: Service, *, limit: int = PICKER_LIMIT
) -> list[RevisionChoice]:
    """The family's newest ACTIVE revisions (and the running one), each diffed against the running one."""
    current = await ecs.task_definition(service.region, service.task_definition)
    arns = await ecs.task_definition_revisions(service.region, current.family)
    chosen = arns[:limit]
    if current.arn not in chosen:
        chosen.append(current.arn)
    tds = await asyncio.gather(*(ecs.task_definition(service.region, a) for a in chosen))
    default = previous_active(current.revision, [int(a.rsplit(":", 1)[-1]) for a in arns])
    out = [
        RevisionChoice(
            arn=td.arn,
            family_revision=td.family_revision,
            revision=td.revision,
            status=td.status,
            registered_at=td.registered_at,
            diff=diff_revisions(current, td),
            current=td.arn == current.arn,
            default=td.revision == default and td.family == current.family,
            td=td,
        )
        for td in tds
    ]
    return sorted(out, key=lambda c: c.revision, reverse=True)


def rollback_plan(
    service: Service,
    current: TaskDefinition,
    target: TaskDefinition,
    rules: Guards,
    *,
    stop_first: bool = False,
    remembered: int | None = None,
) -> Plan:
    if target.status == "INACTIVE":
        raise Refused(
            f"{target.family_revision} is INACTIVE (deregistered): ECS does not deploy an INACTIVE revision"
        )
    diff = diff_revisions(current, target)
    details = [f"{target.family_revision} registered {when(target.registered_at)}", *diff.lines()]
    notes = breaker_notes(service)
    if notes:
        details.append("AWS's circuit breaker already acted on this service:")
        details += [f"  {n}" for n in notes]
    warnings: list[str] = []
    if target.family != current.family:
        warnings.append(
            f"{target.family_revision} is of another family than the running {current.family_revision}"
        )
    elif target.revision > current.revision:
        warnings.append(
            f"{target.family_revision} is newer than the running {current.family_revision}: "
            "this rolls forward"
        )
    if current.status == "INACTIVE":
        warnings.append(
            f"the running {current.family_revision} is INACTIVE (deregistered): you cannot come back to it"
        )
    if len(service.deployments) > 1 or service.rollout_state == "IN_PROGRESS":
        warnings.append("a deployment is in progress: this one replaces it")
    changes = [Change("taskDefinition", current.family_revision, target.family_revision)]
    request: dict[str, object] = {"taskDefinition": target.arn}
    action = "rollback"
    if stop_first_for(rules, stop_first):
        action = "rollback-stop-first"
        restart = restart_count(service, rules, remembered)
        request["desiredCount"] = restart
        if restart != service.desired:
            changes.append(Change("desiredCount", service.desired, restart))
        warnings = stop_first_warnings(service, rules, restart) + warnings
        details = [*stop_first_steps(service, target.family_revision, restart), *details]
    noop = f"it already runs {target.family_revision}" if target.arn == current.arn else ""
    return service_plan(action, service, rules, (changes, warnings, details), request, noop)


@dataclass
class RollbackOp(FollowsRollout):
    """A deployment of another registered revision: ``current`` is what runs, ``target`` what comes."""

    current: TaskDefinition
    target: TaskDefinition

    async def deploy(self, plan: Plan) -> ApplyResult:
        svc = await write_service(
            self.ecs, self.service, f"deploying {self.target.family_revision}", **plan.request
        )
        message = f"deployment {deployment_of(svc)} of {self.target.family_revision}"
        return written(svc, message, {"taskDefinition": svc.revision})


async def describe_revision(ecs: EcsGateway, region: str, ref: str, family: str) -> TaskDefinition:
    try:
        return await ecs.task_definition(region, ref)
    except ClientError as exc:
        if aws_error_code(exc) not in ("ClientException", "InvalidParameterException"):
            raise
    active = await ecs.task_definition_revisions(region, family)
    known = ", ".join(short_name(a) for a in active[:8]) or "none"
    raise NotFound(f"unknown revision '{ref}' in {region} (ACTIVE revisions of {family}: {known})")


async def prepare_rollback(
    ecs: EcsGateway,
    settings: Settings,
    service: Service,
    *,
    to: str | None = None,
    stop_first: bool = False,
    pacing: Pacing | None = None,
) -> RollbackOp:
    pacing = pacing or Pacing()
    current = await ecs.task_definition(service.region, service.task_definition)
    if to is not None:  # an empty --to is bad input, not "the default"
        target = await describe_revision(
            ecs, service.region, revision_ref(to, current.family), current.family
        )
    else:
        arns = await ecs.task_definition_revisions(service.region, current.family)
        previous = previous_active(current.revision, [int(a.rsplit(":", 1)[-1]) for a in arns])
        if previous is None:
            raise BadInput(
                f"{current.family} has no ACTIVE revision older than {current.revision} to roll back to"
            )
        target = await ecs.task_definition(service.region, f"{current.family}:{previous}")
    rules = await service_guards(ecs, settings, service)
    remembered = await remembered_count(ecs, service, rules, stop_first=stop_first)
    plan = rollback_plan(service, current, target, rules, stop_first=stop_first, remembered=remembered)
    sequence = None
    if plan.action == "rollback-stop-first":
        sequence = stop_then_start(ecs, service, rules, plan.request, remembered, pacing)
    return RollbackOp(
        ecs=ecs, service=service, current=current, target=target, plan=plan, pacing=pacing, sequence=sequence
    )
