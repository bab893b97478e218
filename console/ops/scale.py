"""Scale a service: change desiredCount, and only desiredCount.

The request carries nothing but ``desiredCount``: resending the task
definition or network configuration needs IAM permissions a scaling role
should not have (e1s #429), and could start a deployment nobody asked for.
The service's guardrails (tags, tightened by the profile: console/ops/guards.py)
are enforced here, before anything is sent.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from console.aws.ecs import EcsGateway
from console.config import Settings
from console.errors import BadInput, Refused
from console.model import Service
from console.ops.autoscaling import with_scaling_warnings
from console.ops.guards import MAX, MIN, SINGLE_WRITER, Guards, service_guards
from console.ops.plan import ApplyResult, Change, Plan, ProgressCallback, VerifyResult
from console.ops.rollout import RESTORE_TAG, FollowsWrite, Pacing, service_target, write_service, written

# ECS's quota of tasks per service (not adjustable): a larger desiredCount is a typo, and one the
# API would only refuse after the plan was confirmed.
MAX_DESIRED = 5000


def scale_plan(service: Service, count: int, rules: Guards, *, revision_status: str = "ACTIVE") -> Plan:
    """The plan to set ``service``'s desiredCount to ``count``; Refused outside the service's guards."""
    where = f"{service.cluster_name}/{service.name}"
    if count < 0:
        raise BadInput(f"desired count must be 0 or more, not {count}")
    if count > MAX_DESIRED:
        shown = str(count) if len(str(count)) <= 12 else f"{str(count)[:12]}… ({len(str(count))} digits)"
        raise BadInput(f"desired count {shown} is above ECS's limit of {MAX_DESIRED} tasks per service")
    if rules.single_writer and count > 1:
        raise Refused(f"{where}: {count} tasks refused by rule {rules.describe(SINGLE_WRITER)}: at most 1")
    if rules.min_count is not None and count < rules.min_count:
        raise Refused(f"{where}: {count} tasks refused by rule {rules.describe(MIN)}")
    if rules.max_count is not None and count > rules.max_count:
        raise Refused(f"{where}: {count} tasks refused by rule {rules.describe(MAX)}")
    warnings: list[str] = []
    if count == 0:
        warnings.append("scaling to 0 stops every task of the service: it serves nothing until scaled up")
        if service.load_balancers:
            warnings.append(
                "the service is behind a load balancer: with no task its target group has no healthy "
                "targets and requests fail (HTTP 503)"
            )
    if revision_status == "INACTIVE":
        warnings.append(
            f"its revision {service.revision} is INACTIVE (deregistered): scaling works, "
            "but it cannot be deployed again once replaced"
        )
    if len(service.deployments) > 1 or service.rollout_state == "IN_PROGRESS":
        warnings.append("a deployment is in progress: the new count applies to the new revision's tasks")
    details = [f"running now: {service.running} (pending {service.pending})"]
    plan = Plan(
        action="scale",
        target=service_target(service),
        changes=(Change("desiredCount", service.desired, count),),
        warnings=tuple(warnings),
        details=tuple(details),
        request={"desiredCount": count},
        noop_reason=f"desiredCount is already {count}" if count == service.desired else "",
    )
    return rules.stamp(plan, service.name)


@dataclass
class ScaleOp(FollowsWrite):
    @property
    def count(self) -> int:
        return int(self.plan.request["desiredCount"])

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        svc = await write_service(
            self.ecs, self.service, f"setting desiredCount to {self.count}", **plan.request
        )
        if self.count == 0:
            # Stopped on purpose: a count an interrupted stop-then-start left on the service must
            # not bring tasks back at the next --stop-first. Best effort: the plan warns if it stays.
            with contextlib.suppress(Exception):
                await self.ecs.untag_service(svc.region, svc.arn, [RESTORE_TAG])
        return written(
            svc, f"desiredCount {self.service.desired} -> {svc.desired}", {"desiredCount": svc.desired}
        )

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        return await self.follow(applied, progress, desired=self.count)


async def revision_status(ecs: EcsGateway, service: Service) -> str:
    """ACTIVE or INACTIVE for the service's revision; "" when it cannot be read (not worth failing for)."""
    try:
        return (await ecs.task_definition(service.region, service.task_definition)).status
    except Exception:
        return ""


async def prepare_scale(
    ecs: EcsGateway, settings: Settings, service: Service, count: int, *, pacing: Pacing | None = None
) -> ScaleOp:
    rules = await service_guards(ecs, settings, service)
    plan = scale_plan(service, count, rules, revision_status=await revision_status(ecs, service))
    plan = await with_scaling_warnings(ecs, service, plan, count)  # auto scaling may undo it
    return ScaleOp(ecs=ecs, service=service, plan=plan, pacing=pacing or Pacing())
