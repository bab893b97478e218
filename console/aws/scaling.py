"""Application Auto Scaling of an ECS service: its scalable target and what scaling did lately.

``autoscaling-moved-count`` needs to know whether something other than a person moves the
desired count. DescribeScalableTargets says whether the service scales at all (and within which
bounds); DescribeScalingActivities says what it did, with AWS's cause ("monitor alarm … in
state ALARM triggered policy …").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.aws.paging import Budget
from console.aws.session import AwsContext


@dataclass(frozen=True, slots=True)
class ScalableTarget:
    resource_id: str
    min_capacity: int
    max_capacity: int
    suspended: bool = False


@dataclass(frozen=True, slots=True)
class ScalingActivity:
    at: datetime
    status: str
    description: str
    cause: str = ""
    ended_at: datetime | None = None


def resource_id(cluster: str, service: str) -> str:
    return f"service/{cluster}/{service}"


async def scalable_target(
    aws: AwsContext, budget: Budget, region: str, cluster: str, service: str
) -> ScalableTarget | None:
    client = await aws.client("application-autoscaling", region)
    rid = resource_id(cluster, service)
    resp = await budget.call(
        region, "autoscaling", client.describe_scalable_targets, ServiceNamespace="ecs", ResourceIds=[rid]
    )
    for raw in resp.get("ScalableTargets", []):
        if raw.get("ScalableDimension") == "ecs:service:DesiredCount":
            state = raw.get("SuspendedState") or {}
            return ScalableTarget(
                resource_id=rid,
                min_capacity=int(raw.get("MinCapacity", 0)),
                max_capacity=int(raw.get("MaxCapacity", 0)),
                suspended=bool(
                    state.get("DynamicScalingInSuspended") or state.get("DynamicScalingOutSuspended")
                ),
            )
    return None


async def scaling_activities(
    aws: AwsContext, budget: Budget, region: str, cluster: str, service: str, *, max_results: int = 50
) -> list[ScalingActivity]:
    """The newest scaling activities of the service (one call), oldest first."""
    client = await aws.client("application-autoscaling", region)
    resp: dict[str, Any] = await budget.call(
        region,
        "autoscaling",
        client.describe_scaling_activities,
        ServiceNamespace="ecs",
        ResourceId=resource_id(cluster, service),
        ScalableDimension="ecs:service:DesiredCount",
        MaxResults=max_results,
    )
    out = [
        ScalingActivity(
            at=raw["StartTime"],
            status=raw.get("StatusCode", ""),
            description=raw.get("Description", ""),
            cause=raw.get("Cause", ""),
            ended_at=raw.get("EndTime"),
        )
        for raw in resp.get("ScalingActivities", [])
        if raw.get("StartTime")
    ]
    return sorted(out, key=lambda a: a.at)
