"""frameratr's auto scaling target, from the tests' side (boto3 on the demo)."""

from __future__ import annotations

from typing import Any

from console.demo.runtime import DemoRuntime

from .support import aws

FRAMERATR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")
REGION = "us-east-2"
RESOURCE = f"service/{FRAMERATR[0]}/{FRAMERATR[1]}"


def target(runtime: DemoRuntime) -> dict[str, Any]:
    found = aws(runtime, "application-autoscaling", REGION).describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[RESOURCE]
    )
    targets: list[dict[str, Any]] = found["ScalableTargets"]
    assert len(targets) == 1, targets
    return targets[0]


def set_scale_in(runtime: DemoRuntime, *, suspended: bool) -> None:
    """Suspend (or resume) frameratr's scale-in, as an operator does during an incident.

    Tests that scale frameratr by hand to check the scale operation itself hold it suspended,
    so that the demo's auto scaling (which applies the target-tracking policy) leaves their
    count alone; the auto scaling tests resume it.
    """
    aws(runtime, "application-autoscaling", REGION).register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=RESOURCE,
        ScalableDimension="ecs:service:DesiredCount",
        SuspendedState={"DynamicScalingInSuspended": suspended},
    )


def hold_scale_in(runtime: DemoRuntime) -> None:
    set_scale_in(runtime, suspended=True)
