"""A service's Application Auto Scaling as its detail shows it: target, policies, recent activities.

Read apart from the rest of the detail: a service with no target costs one DescribeScalableTargets
per poll and nothing more; the policies and activities are read only when there is a target. An
endpoint that lacks DescribeScalingActivities (or a role that may not call it) leaves the
activities ``None`` with the error kept, and the target and policies still show.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from console.aws.context import Gateways
from console.aws.scaling import (
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    scalable_target,
    scaling_activities,
    scaling_policies,
)
from console.model import Service

ACTIVITIES_SHOWN = 10


@dataclass(frozen=True)
class AutoScalingView:
    """``target`` None: the service does not scale by itself. ``account``/``region``: where it lives."""

    account: str
    region: str
    target: ScalableTarget | None = None
    policies: tuple[ScalingPolicy, ...] = ()
    activities: tuple[ScalingActivity, ...] | None = ()  # None: could not be read (see ``errors``)
    errors: tuple[Exception, ...] = ()

    def lines(self) -> list[str]:
        """The target, its policies and the activities, newest first: the CLI's output, the detail's section."""
        target = self.target
        if target is None:
            return ["no auto scaling target: only a person changes the desired count"]
        lines = [
            f"target {target.resource_id} (account {self.account or '?'}, {self.region}): "
            f"min {target.min_capacity}, max {target.max_capacity}, {target.state()}"
        ]
        lines += [f"policy {p.name}: {p.summary()}" for p in self.policies] or ["no scaling policy"]
        if self.activities is None:
            lines.append("scaling activities: could not be read")
        elif not self.activities:
            lines.append("no scaling activity lately")
        for a in reversed(self.activities or ()):
            lines.append(f"{a.at:%Y-%m-%d %H:%M:%S} {a.status}: {a.description} {a.cause}".rstrip())
        return lines


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


async def read_autoscaling(gw: Gateways, service: Service) -> AutoScalingView:
    """The target; then its policies and newest activities concurrently (failures kept as errors)."""
    where = (service.region, service.cluster_name, service.name)
    target = await scalable_target(gw.aws, gw.budget, *where)
    account = account_of(service.arn)
    if target is None:
        return AutoScalingView(account, service.region)
    policies, activities = await asyncio.gather(
        scaling_policies(gw.aws, gw.budget, *where),
        scaling_activities(gw.aws, gw.budget, *where, max_results=ACTIVITIES_SHOWN),
        return_exceptions=True,
    )
    errors = tuple(r for r in (policies, activities) if isinstance(r, Exception))
    return AutoScalingView(
        account=account,
        region=service.region,
        target=target,
        policies=() if isinstance(policies, BaseException) else tuple(policies),
        activities=None if isinstance(activities, BaseException) else tuple(activities[-ACTIVITIES_SHOWN:]),
        errors=errors,
    )
