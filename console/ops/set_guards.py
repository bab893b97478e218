"""``opsconsole guard``: set a service's guardrails, as tags on the service, like any operation.

The plan shows each tag before and after; apply is one TagResource (rules set) and one
UntagResource (rules removed); verify reads the tags back.  A rule switched off is a tag
removed: no tag means no rule.  The service's current guards apply to this operation too:
a protected service asks for its name even to lift its protection.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from console.aws.ecs import EcsGateway
from console.config import Settings
from console.errors import BadInput
from console.model import Service
from console.ops.guards import MAX_TAG, MIN_TAG, PROTECTED_TAG, SINGLE_WRITER_TAG, guards_from_tags
from console.ops.plan import ApplyResult, Change, Plan, ProgressCallback, VerifyResult
from console.ops.rollout import COMPLETED, FAILED, ServiceOp, service_target

ABSENT = None  # a tag not set: the rule is off


@dataclass(frozen=True)
class GuardChange:
    """What the command line asked for: None leaves a rule as it is."""

    single_writer: bool | None = None
    min_count: int | None = None
    max_count: int | None = None
    protected: bool | None = None
    no_min: bool = False
    no_max: bool = False

    def wanted(self, current: dict[str, str]) -> dict[str, str | None]:
        """The guard tags after the change (None: absent)."""
        after: dict[str, str | None] = {
            k: current.get(k) for k in (SINGLE_WRITER_TAG, MIN_TAG, MAX_TAG, PROTECTED_TAG)
        }
        for key, flag in ((SINGLE_WRITER_TAG, self.single_writer), (PROTECTED_TAG, self.protected)):
            if flag is not None:
                after[key] = "true" if flag else ABSENT
        for key, count, off in (
            (MIN_TAG, self.min_count, self.no_min),
            (MAX_TAG, self.max_count, self.no_max),
        ):
            if count is not None and off:
                raise BadInput(f"{key}: a count and its removal at once")
            if count is not None:
                if count < 0:
                    raise BadInput(f"{key}: {count} is not a count (0 or more)")
                after[key] = str(count)
            elif off:
                after[key] = ABSENT
        return after

    @property
    def empty(self) -> bool:
        return self == GuardChange()


def _count(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def guard_plan(service: Service, settings: Settings, tags: dict[str, str], change: GuardChange) -> Plan:
    if change.empty:
        raise BadInput(
            "say what to set: --single-writer/--no-single-writer, --min N, --max N, --protected/--no-protected"
        )
    after = change.wanted(tags)
    low, high = _count(after[MIN_TAG]), _count(after[MAX_TAG])
    if low is not None and high is not None and low > high:
        raise BadInput(f"min {low} is above max {high}: no count would be allowed")
    changes = tuple(
        Change(f"tag {key}", tags.get(key), value) for key, value in after.items() if tags.get(key) != value
    )
    warnings: list[str] = []
    if after[SINGLE_WRITER_TAG] and service.desired > 1:
        warnings.append(
            f"desiredCount {service.desired}: a single writer runs at most 1 (the count is not changed)"
        )
    if high is not None and service.desired > high:
        warnings.append(f"desiredCount {service.desired} is above the new max {high}: it is not changed")
    if low is not None and service.desired < low:
        warnings.append(f"desiredCount {service.desired} is below the new min {low}: it is not changed")
    plan = Plan(
        action="guard",
        target=service_target(service),
        changes=changes,
        warnings=tuple(warnings) if changes else (),
        details=("the rules are tags on the service: every profile, the console and the CLI apply them",),
        request={
            "tag": {k: v for k, v in after.items() if v is not None and tags.get(k) != v},
            "untag": [k for k, v in after.items() if v is None and k in tags],
        },
        noop_reason="" if changes else "the service's tags already say so",
    )
    # The service's rules as they stand (a protected service asks for its name here too).
    return guards_from_tags(settings, service, tags).stamp(plan, service.name)


@dataclass
class GuardOp(ServiceOp):
    """The guard tags set and removed in two calls, then read back."""

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        svc = self.service
        tag: dict[str, str] = plan.request["tag"]
        untag: list[str] = plan.request["untag"]
        if tag:
            await self.ecs.tag_service(svc.region, svc.arn, tag)
        if untag:
            await self.ecs.untag_service(svc.region, svc.arn, untag)
        return ApplyResult(
            ok=True,
            message=", ".join([*(f"{k}={v}" for k, v in tag.items()), *(f"{k} removed" for k in untag)]),
            after={f"tag {k}": v for k, v in tag.items()} | {f"tag {k}": None for k in untag},
        )

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        """Read the tags back: ECS's tagging is immediate, a second look covers a slow replica."""
        svc = self.service
        wrong: list[str] = []
        for attempt in range(2):
            tags = await self.ecs.service_tags(svc.region, svc.arn)
            wrong = [
                f"{k}={tags.get(k)!r}"
                for k, v in [*plan.request["tag"].items(), *((k, None) for k in plan.request["untag"])]
                if tags.get(k) != v
            ]
            if not wrong:
                return VerifyResult(True, COMPLETED, "the tags read back as set")
            if attempt == 0:
                await asyncio.sleep(1)
        return VerifyResult(False, FAILED, f"the tags read back differ: {', '.join(wrong)}")


async def prepare_guard(
    ecs: EcsGateway, settings: Settings, service: Service, change: GuardChange
) -> GuardOp:
    tags = await ecs.service_tags(service.region, service.arn)
    return GuardOp(ecs, service, guard_plan(service, settings, tags, change))
