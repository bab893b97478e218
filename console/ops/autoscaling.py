"""Auto scaling and the count: what scale's plan must say, and ``opsconsole autoscaling`` itself.

A service with an Application Auto Scaling target has two writers of its desired count: a person
and the target's policies. A manual scale the policies disagree with is undone at their next
activity, silently unless the plan says so. So scale's plan warns, with the time it will take
(from the policy's alarm evaluation and cooldown) and the alternative: change the target's
min/max (RegisterScalableTarget), or suspend scale-in while an incident lasts. That change is
an operation like any other here: plan (each field before and after), confirm, audit, verify by
reading the target back; refused in read-only mode; bounded by the service's guardrails.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, replace

from console.aws.ecs import EcsGateway
from console.aws.scaling import (
    ScalableTarget,
    ScalingPolicy,
    register_target,
    scalable_target,
    scaling_policies,
)
from console.config import Settings
from console.errors import BadInput, NotFound, Refused
from console.model import Service
from console.ops.guards import MAX, MIN, SINGLE_WRITER, Guards, service_guards
from console.ops.plan import ApplyResult, Change, Plan, ProgressCallback, VerifyResult
from console.ops.rollout import COMPLETED, FAILED, ServiceOp, service_target

# What AWS sets on a target-tracking policy's alarms (not adjustable): AlarmHigh fires after 3
# one-minute datapoints over the target, AlarmLow after 15 under 90 % of it.
SCALE_OUT_MINUTES = 3
SCALE_IN_MINUTES = 15
DEFAULT_COOLDOWN_S = 300  # what AWS assumes when a policy names none
MAX_CAPACITY = 5000  # ECS's tasks per service


@dataclass(frozen=True)
class Scaling:
    """The target and policies a plan was made against (``target`` None: no auto scaling)."""

    target: ScalableTarget | None
    policies: tuple[ScalingPolicy, ...] = ()


async def read_scaling(ecs: EcsGateway, service: Service, *, policies: bool = True) -> Scaling:
    where = (service.region, service.cluster_name, service.name)
    target = await scalable_target(ecs.aws, ecs.budget, *where)
    if target is None or not policies:
        return Scaling(target)
    return Scaling(target, tuple(await scaling_policies(ecs.aws, ecs.budget, *where)))


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def _back_in(policy: ScalingPolicy, up: bool) -> int | None:
    """Minutes until ``policy`` acts against a count set up (scale-in) or down (scale-out); None: never."""
    if policy.kind == "TargetTrackingScaling":
        if up and policy.disable_scale_in:
            return None
        cooldown = policy.scale_in_cooldown if up else policy.scale_out_cooldown
        alarm = SCALE_IN_MINUTES if up else SCALE_OUT_MINUTES
        return alarm + _minutes(DEFAULT_COOLDOWN_S if cooldown is None else cooldown)
    if policy.kind == "StepScaling":
        return 1 + _minutes(DEFAULT_COOLDOWN_S if policy.cooldown is None else policy.cooldown)
    return None


def alternative(service: Service, count: int) -> str:
    where = f"{service.cluster_name} {service.name}"
    return (
        f"to keep {count}, change the target instead: opsconsole autoscaling {where} "
        f"--{'min' if count > service.desired else 'max'} {count} (A in the service detail), "
        "or --suspend-scale-in during an incident"
    )


def scale_warnings(service: Service, count: int, scaling: Scaling) -> tuple[list[str], list[str]]:
    """(warnings, details) for scale's plan when the service has an auto scaling target."""
    target = scaling.target
    if target is None or count == service.desired:
        return [], []
    up = count > service.desired
    details = [f"auto scaling: min {target.min_capacity}, max {target.max_capacity}, {target.state()}"]
    details += [f"policy {p.name}: {p.summary()}" for p in scaling.policies]
    warnings: list[str] = []
    if count > target.max_capacity or count < target.min_capacity:
        bound = "max" if count > target.max_capacity else "min"
        limit = target.max_capacity if bound == "max" else target.min_capacity
        warnings.append(
            f"{count} is outside the auto scaling target's {target.min_capacity}–{target.max_capacity}: "
            f"its next scaling activity sets the count back to its {bound} {limit}; {alternative(service, count)}"
        )
        return warnings, details
    suspended = target.scale_in_suspended if up else target.scale_out_suspended
    if suspended:
        details.append(
            f"scale-{'in' if up else 'out'} is suspended: auto scaling leaves this count until it is resumed"
        )
        return warnings, details
    minutes = [m for p in scaling.policies if (m := _back_in(p, up)) is not None]
    if minutes:
        named = ", ".join(p.name for p in scaling.policies)
        warnings.append(
            f"auto scaling will set the count back within about {max(minutes)} minutes if policy {named} "
            f"wants {'fewer' if up else 'more'} tasks (its alarm's evaluation, then its cooldown); "
            + alternative(service, count)
        )
    return warnings, details


async def with_scaling_warnings(ecs: EcsGateway, service: Service, plan: Plan, count: int) -> Plan:
    """Scale's plan with what auto scaling will do about it (unchanged when it cannot be read)."""
    if plan.is_noop:
        return plan
    try:
        scaling = await read_scaling(ecs, service)
    except Exception:
        # No target visible (no permission, an endpoint without the API): the plan says it did not look.
        return replace(plan, details=(*plan.details, "auto scaling: could not be read"))
    warnings, details = scale_warnings(service, count, scaling)
    return replace(plan, warnings=(*plan.warnings, *warnings), details=(*plan.details, *details))


# --- opsconsole autoscaling ---------------------------------------------------------------------


@dataclass(frozen=True)
class TargetChange:
    """What was asked: None leaves a field as it is."""

    min_capacity: int | None = None
    max_capacity: int | None = None
    scale_in_suspended: bool | None = None

    @property
    def empty(self) -> bool:
        return self == TargetChange()


def _check_guards(where: str, low: int, high: int, rules: Guards) -> None:
    if rules.single_writer and high > 1:
        raise Refused(f"{where}: max {high} refused by rule {rules.describe(SINGLE_WRITER)}: at most 1")
    if rules.max_count is not None and high > rules.max_count:
        raise Refused(f"{where}: max {high} refused by rule {rules.describe(MAX)}")
    if rules.min_count is not None and low < rules.min_count:
        raise Refused(f"{where}: min {low} refused by rule {rules.describe(MIN)}")


def target_plan(service: Service, target: ScalableTarget, change: TargetChange, rules: Guards) -> Plan:
    where = f"{service.cluster_name}/{service.name}"
    if change.empty:
        raise BadInput("say what to set: --min N, --max N, --suspend-scale-in or --resume-scale-in")
    low = target.min_capacity if change.min_capacity is None else change.min_capacity
    high = target.max_capacity if change.max_capacity is None else change.max_capacity
    for name, value in (("min", low), ("max", high)):
        if value < 0 or value > MAX_CAPACITY:
            raise BadInput(f"--{name} {value}: a count of tasks from 0 to {MAX_CAPACITY}")
    if low > high:
        raise BadInput(f"min {low} is above max {high}: no count would be allowed")
    _check_guards(where, low, high, rules)
    scale_in = target.scale_in_suspended if change.scale_in_suspended is None else change.scale_in_suspended
    changes = tuple(
        Change(name, before, after)
        for name, before, after in (
            ("MinCapacity", target.min_capacity, low),
            ("MaxCapacity", target.max_capacity, high),
            ("DynamicScalingInSuspended", target.scale_in_suspended, scale_in),
        )
        if before != after
    )
    warnings: list[str] = []
    if changes and service.desired > high:
        warnings.append(f"desiredCount {service.desired} is above the new max {high}: auto scaling lowers it")
    if changes and service.desired < low:
        warnings.append(f"desiredCount {service.desired} is below the new min {low}: auto scaling raises it")
    if changes and scale_in and not target.scale_in_suspended:
        warnings.append("while scale-in is suspended the count only grows: resume it with --resume-scale-in")
    plan = Plan(
        action="autoscaling",
        target=service_target(service),
        changes=changes,
        warnings=tuple(warnings),
        details=(f"scalable target {target.resource_id}: now {target.state()}",),
        request={
            "min_capacity": low,
            "max_capacity": high,
            "suspended": {
                "DynamicScalingInSuspended": scale_in,
                "DynamicScalingOutSuspended": target.scale_out_suspended,
                "ScheduledScalingSuspended": target.scheduled_suspended,
            },
        },
        noop_reason="" if changes else "the auto scaling target already says so",
    )
    return rules.stamp(plan, service.name)


@dataclass
class TargetOp(ServiceOp):
    """One RegisterScalableTarget with the whole suspended state (AWS would reset what is left out)."""

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        s = self.service
        req = plan.request
        arn = await register_target(
            self.ecs.aws,
            self.ecs.budget,
            s.region,
            s.cluster_name,
            s.name,
            min_capacity=req["min_capacity"],
            max_capacity=req["max_capacity"],
            suspended=req["suspended"],
        )
        after = {c.field: c.after for c in plan.changes}
        message = ", ".join(f"{c.field} {c.before} -> {c.after}" for c in plan.changes)
        return ApplyResult(ok=True, message=message, after=after, data={"arn": arn})

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        """Read the target back; a second look after a second covers a slow replica."""
        s = self.service
        wrong: list[str] = []
        for delay in (0.0, 1.0):
            await asyncio.sleep(delay)
            found = await scalable_target(self.ecs.aws, self.ecs.budget, s.region, s.cluster_name, s.name)
            wrong = [f"{k}={v!r}" for k, v in _read_back(found, applied.after).items()]
            if not wrong:
                return VerifyResult(True, COMPLETED, "the scalable target reads back as set")
        return VerifyResult(False, FAILED, f"the scalable target reads back differently: {', '.join(wrong)}")


def _read_back(found: ScalableTarget | None, wanted: dict[str, object]) -> dict[str, object]:
    """The fields of ``wanted`` the target does not hold, with what it holds instead."""
    now: dict[str, object] = {}
    if found is not None:
        now = {
            "MinCapacity": found.min_capacity,
            "MaxCapacity": found.max_capacity,
            "DynamicScalingInSuspended": found.scale_in_suspended,
        }
    return {k: now.get(k) for k, v in wanted.items() if now.get(k) != v}


async def prepare_target_change(
    ecs: EcsGateway, settings: Settings, service: Service, change: TargetChange
) -> TargetOp:
    """The plan against the target as AWS holds it now; NotFound when the service has none."""
    scaling = await read_scaling(ecs, service, policies=False)
    if scaling.target is None:
        raise NotFound(
            f"{service.cluster_name}/{service.name} ({service.region}) has no auto scaling target "
            "(register one with its policies first: this command changes an existing one)"
        )
    rules = await service_guards(ecs, settings, service)
    return TargetOp(ecs, service, target_plan(service, scaling.target, change, rules))
