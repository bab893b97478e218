"""Application Auto Scaling of an ECS service: its scalable target and what scaling did lately.

``autoscaling-moved-count`` needs to know whether something other than a person moves the
desired count. DescribeScalableTargets says whether the service scales at all (and within which
bounds); DescribeScalingActivities says what it did, with AWS's cause ("monitor alarm … in
state ALARM triggered policy …"). The service detail shows the target, its policies
(DescribeScalingPolicies) and the activities; ``opsconsole autoscaling`` changes the target
(RegisterScalableTarget: min, max, and the suspended state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.aws.paging import Budget
from console.aws.session import AwsContext

DIMENSION = "ecs:service:DesiredCount"


@dataclass(frozen=True, slots=True)
class ScalableTarget:
    resource_id: str
    min_capacity: int
    max_capacity: int
    suspended: bool = False  # any dynamic scaling suspended
    scale_in_suspended: bool = False
    scale_out_suspended: bool = False
    scheduled_suspended: bool = False
    arn: str = ""
    region: str = ""

    @property
    def account(self) -> str:
        """The account the target lives in (from its ARN; "" when AWS gave none)."""
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    def state(self) -> str:
        """ "scaling", or what is suspended, in words."""
        off = [
            name
            for name, flag in (
                ("scale-in", self.scale_in_suspended),
                ("scale-out", self.scale_out_suspended),
                ("scheduled", self.scheduled_suspended),
            )
            if flag
        ]
        return f"{', '.join(off)} suspended" if off else "scaling"


@dataclass(frozen=True, slots=True)
class ScalingPolicy:
    """One scaling policy of a target: target tracking (value, metric) or step scaling (steps)."""

    name: str
    kind: str  # TargetTrackingScaling | StepScaling | PredictiveScaling
    arn: str = ""
    target_value: float | None = None
    metric: str = ""  # the predefined metric type, or NAMESPACE/MetricName of a customized one
    scale_in_cooldown: int | None = None  # seconds
    scale_out_cooldown: int | None = None
    disable_scale_in: bool = False
    steps: tuple[str, ...] = ()  # step scaling: "[lower, upper) +N", as AWS's adjustments say
    adjustment_type: str = ""
    cooldown: int | None = None  # step scaling's one cooldown
    alarms: tuple[str, ...] = ()

    def summary(self) -> str:
        if self.kind == "TargetTrackingScaling":
            text = f"target tracking: {self.metric or '?'} at {self.target_value:g}"
            cool = f"cooldown out {self.scale_out_cooldown or 0}s, in {self.scale_in_cooldown or 0}s"
            return f"{text} ({cool}{', scale-in disabled' if self.disable_scale_in else ''})"
        if self.kind == "StepScaling":
            steps = "; ".join(self.steps) or "no steps"
            return f"step scaling ({self.adjustment_type or 'ChangeInCapacity'}): {steps}" + (
                f" (cooldown {self.cooldown}s)" if self.cooldown is not None else ""
            )
        return self.kind


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
        if raw.get("ScalableDimension") == DIMENSION:
            return target_of(raw, region)
    return None


def target_of(raw: dict[str, Any], region: str) -> ScalableTarget:
    """DescribeScalableTargets' item as a value."""
    state = raw.get("SuspendedState") or {}
    scale_in = bool(state.get("DynamicScalingInSuspended"))
    scale_out = bool(state.get("DynamicScalingOutSuspended"))
    return ScalableTarget(
        resource_id=str(raw.get("ResourceId", "")),
        min_capacity=int(raw.get("MinCapacity") or 0),
        max_capacity=int(raw.get("MaxCapacity") or 0),
        suspended=scale_in or scale_out,
        scale_in_suspended=scale_in,
        scale_out_suspended=scale_out,
        scheduled_suspended=bool(state.get("ScheduledScalingSuspended")),
        arn=str(raw.get("ScalableTargetARN", "")),
        region=region,
    )


def _metric(config: dict[str, Any]) -> str:
    predefined = config.get("PredefinedMetricSpecification") or {}
    if predefined.get("PredefinedMetricType"):
        return str(predefined["PredefinedMetricType"])
    custom = config.get("CustomizedMetricSpecification") or {}
    if custom.get("MetricName"):
        return f"{custom.get('Namespace', '')}/{custom['MetricName']} ({custom.get('Statistic', '')})"
    return "a metric math expression" if custom.get("Metrics") else ""


def _bound(value: Any) -> str:
    return "" if value is None else f"{float(value):g}"


def policy_of(raw: dict[str, Any]) -> ScalingPolicy:
    """DescribeScalingPolicies' item as a value."""
    kind = str(raw.get("PolicyType", ""))
    alarms = tuple(str(a.get("AlarmName", "")) for a in raw.get("Alarms") or [])
    name, arn = str(raw.get("PolicyName", "")), str(raw.get("PolicyARN", ""))
    tracking = raw.get("TargetTrackingScalingPolicyConfiguration")
    if kind == "TargetTrackingScaling" and isinstance(tracking, dict):
        return ScalingPolicy(
            name=name,
            kind=kind,
            arn=arn,
            target_value=float(tracking.get("TargetValue") or 0),
            metric=_metric(tracking),
            scale_in_cooldown=_int(tracking.get("ScaleInCooldown")),
            scale_out_cooldown=_int(tracking.get("ScaleOutCooldown")),
            disable_scale_in=bool(tracking.get("DisableScaleIn")),
            alarms=alarms,
        )
    step = raw.get("StepScalingPolicyConfiguration")
    if kind == "StepScaling" and isinstance(step, dict):
        steps = tuple(
            f"[{_bound(a.get('MetricIntervalLowerBound'))}, {_bound(a.get('MetricIntervalUpperBound'))}) "
            f"{int(a.get('ScalingAdjustment', 0)):+d}"
            for a in step.get("StepAdjustments") or []
        )
        return ScalingPolicy(
            name=name,
            kind=kind,
            arn=arn,
            steps=steps,
            adjustment_type=str(step.get("AdjustmentType", "")),
            cooldown=_int(step.get("Cooldown")),
            alarms=alarms,
        )
    return ScalingPolicy(name=name, kind=kind, arn=arn, alarms=alarms)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


async def _target_call(
    aws: AwsContext, budget: Budget, region: str, op: str, cluster: str, service: str, **kwargs: Any
) -> dict[str, Any]:
    """One Application Auto Scaling call about the service's DesiredCount dimension."""
    client = await aws.client("application-autoscaling", region)
    where = {
        "ServiceNamespace": "ecs",
        "ResourceId": resource_id(cluster, service),
        "ScalableDimension": DIMENSION,
    }
    resp: dict[str, Any] = await budget.call(region, "autoscaling", getattr(client, op), **where, **kwargs)
    return resp


async def scaling_policies(
    aws: AwsContext, budget: Budget, region: str, cluster: str, service: str
) -> list[ScalingPolicy]:
    """The policies of the service's target (one call: a service has a handful at most)."""
    resp = await _target_call(aws, budget, region, "describe_scaling_policies", cluster, service)
    return [policy_of(raw) for raw in resp.get("ScalingPolicies", [])]


async def register_target(
    aws: AwsContext,
    budget: Budget,
    region: str,
    cluster: str,
    service: str,
    *,
    min_capacity: int | None = None,
    max_capacity: int | None = None,
    suspended: dict[str, bool] | None = None,
) -> str:
    """RegisterScalableTarget on an existing target: only the fields given are sent. The target's ARN."""
    kwargs: dict[str, Any] = {}
    if min_capacity is not None:
        kwargs["MinCapacity"] = min_capacity
    if max_capacity is not None:
        kwargs["MaxCapacity"] = max_capacity
    if suspended:
        kwargs["SuspendedState"] = dict(suspended)
    resp = await _target_call(aws, budget, region, "register_scalable_target", cluster, service, **kwargs)
    return str(resp.get("ScalableTargetARN", ""))


async def scaling_activities(
    aws: AwsContext, budget: Budget, region: str, cluster: str, service: str, *, max_results: int = 50
) -> list[ScalingActivity]:
    """The newest scaling activities of the service (one call), oldest first."""
    resp = await _target_call(
        aws, budget, region, "describe_scaling_activities", cluster, service, MaxResults=max_results
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
