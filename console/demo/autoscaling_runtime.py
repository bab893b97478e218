"""Application Auto Scaling acting in the demo: target-tracking policies applied from the demo's metrics.

moto stores scalable targets and policies but nothing ever scales. On each scheduler tick this
reads every ECS scalable target of every account and region moto holds, and for each
target-tracking policy on ``ECSServiceAverageCPUUtilization`` (or memory) computes what AWS's
does: the capacity that brings the metric to the target, ``ceil(desired * metric / target)``,
with the metric the latest one-minute point the demo itself wrote for the service (the same
numbers the console's charts and alarms read). Several policies: the largest wins (AWS scales
out if any policy asks, in only if all do). The result is held within the target's min and max.

A change waits for the policy's cooldown since the count last moved (a person's scale or an
earlier activity), divided by the demo's time scale like every ECS step: a manual scale to 4 in
a quiet hour drifts back after ScaleInCooldown. Scale-in waits for nothing while it is suspended
or disabled, it does not happen. Each change is an UpdateService on moto's backend (so the
scheduler starts or drains tasks as for any count) and a Successful scaling activity naming the
policy's alarm, which DescribeScalingActivities serves (``scaling_activities``). Step scaling is
not applied (no seeded system uses it).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from console.demo import metrics, scaling_activities
from console.demo.clock import CLOCK
from console.demo.ecs_state import LOCK, log

DIMENSION = "ecs:service:DesiredCount"
METRIC_OF = {
    "ECSServiceAverageCPUUtilization": "CPUUtilization",
    "ECSServiceAverageMemoryUtilization": "MemoryUtilization",
}
DEFAULT_COOLDOWN_S = 300.0


@dataclass
class _Seen:
    desired: int
    moved_at: float  # time.monotonic() when the count last changed


_SEEN: dict[tuple[str, str, str], _Seen] = {}


def forget() -> None:
    _SEEN.clear()


def _latest(account: str, region: str, cluster: str, service: str, name: str) -> float | None:
    """The service's newest one-minute point of ``name`` (this minute's, else the last one's)."""
    dims = tuple(sorted({"ClusterName": cluster, "ServiceName": service}.items()))
    now = CLOCK.now()
    for back in (0, 1):
        stamp = metrics.minute(now - timedelta(minutes=back))
        datum = metrics._INDEX.get((account, region, "AWS/ECS", name, dims, stamp))
        if datum is not None:
            return float(datum.value)
    return None


@dataclass(frozen=True)
class _Want:
    count: int
    policy: Any  # moto's FakeApplicationAutoscalingPolicy
    metric: float


def _wanted(
    account: str, region: str, cluster: str, service: str, desired: int, policies: list[Any]
) -> _Want | None:
    best: _Want | None = None
    for policy in policies:
        config = policy.target_tracking_scaling_policy_configuration or {}
        kind = (config.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType", "")
        name = METRIC_OF.get(kind)
        target = float(config.get("TargetValue") or 0)
        if name is None or target <= 0:
            continue
        value = _latest(account, region, cluster, service, name)
        if value is None:
            continue
        count = max(1, math.ceil(desired * value / target - 1e-9)) if desired else 1
        if best is None or count > best.count:
            best = _Want(count, policy, value)
    return best


def _cause(policy: Any, up: bool) -> str:
    marker = "-AlarmHigh-" if up else "-AlarmLow-"
    alarm = next((a.name for a in getattr(policy, "alarms", []) if marker in a.name), "")
    if not alarm:
        return f"policy {policy.policy_name} asked for it"
    return f"monitor alarm {alarm} in state ALARM triggered policy {policy.policy_name}"


def _step_target(account: str, region: str, backend: Any, target: Any) -> None:
    rid = target.resource_id
    _kind, cluster, service = rid.split("/")
    ecs = backend.ecs_backend
    svc = ecs.services.get(f"{cluster}:{service}")
    if svc is None or svc.status != "ACTIVE":
        return
    desired = int(svc.desired_count)
    key = (account, region, rid)
    now = time.monotonic()
    seen = _SEEN.get(key)
    if seen is None or seen.desired != desired:
        _SEEN[key] = _Seen(desired, now)  # a person (or the last activity) moved it: cooldown starts
        return
    policies = [
        p
        for p in backend.policies.values()
        if p.resource_id == rid
        and p.scalable_dimension == DIMENSION
        and p.policy_type == "TargetTrackingScaling"
    ]
    want = _wanted(account, region, cluster, service, desired, policies)
    low, high = int(target.min_capacity or 0), int(target.max_capacity or 0)
    count = want.count if want is not None else desired
    count = min(max(count, low), high)
    if count == desired:
        return
    up = count > desired
    state = target.suspended_state or {}
    config = (want.policy.target_tracking_scaling_policy_configuration or {}) if want else {}
    if not up and (state.get("DynamicScalingInSuspended") or config.get("DisableScaleIn")):
        return
    if up and state.get("DynamicScalingOutSuspended"):
        return
    cooldown = config.get("ScaleOutCooldown" if up else "ScaleInCooldown")
    wait_s = float(DEFAULT_COOLDOWN_S if cooldown is None else cooldown) / CLOCK.scale
    if now - seen.moved_at < wait_s:
        return
    if want is not None and low <= want.count <= high:
        cause = _cause(want.policy, up)
    else:
        cause = f"{'minimum' if up else 'maximum'} capacity was set to {low if up else high}"
    ecs.update_service({"cluster": cluster, "service": service, "desired_count": count})
    scaling_activities.record(account, region, rid, desired=count, cause=cause, at=CLOCK.now())
    _SEEN[key] = _Seen(count, now)


def tick() -> None:
    """One pass over every ECS scalable target moto holds (the scheduler's extras call it)."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    for account, regions in list(applicationautoscaling_backends.items()):
        for region, backend in list(regions.items()):
            targets = list(backend.targets.get(DIMENSION, {}).values())
            for target in targets:
                if target.service_namespace != "ecs":
                    continue
                try:
                    with LOCK:
                        _step_target(account, region, backend, target)
                except Exception:  # one bad target must not stop the others
                    log.exception("demo auto scaling failed on %s", target.resource_id)
