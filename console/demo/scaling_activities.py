"""DescribeScalingActivities, which moto lacks: the activities the demo's auto scaling wrote.

Application Auto Scaling records each change it makes to a scalable target's capacity as an
activity ("Setting desired count to 2.", its cause naming the alarm and the policy, Successful
once ECS took the count). The demo's runtime (``autoscaling_runtime``) records them here, per
(account, region, resource id), and moto's Application Auto Scaling answers them: newest first,
``MaxResults`` and ``NextToken`` as AWS pages them.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime
from typing import Any

KEPT = 100  # per target: AWS keeps six weeks; a demo run needs far fewer

_LOCK = threading.Lock()
_ACTIVITIES: dict[tuple[str, str, str], list[dict[str, Any]]] = {}


def forget() -> None:
    with _LOCK:
        _ACTIVITIES.clear()


def record(
    account: str,
    region: str,
    resource_id: str,
    *,
    desired: int,
    cause: str,
    at: datetime,
    dimension: str = "ecs:service:DesiredCount",
) -> dict[str, Any]:
    """One Successful activity that set the desired count (ECS takes a count at once)."""
    item = {
        "ActivityId": str(uuid.uuid4()),
        "ServiceNamespace": "ecs",
        "ResourceId": resource_id,
        "ScalableDimension": dimension,
        "Description": f"Setting desired count to {desired}.",
        "Cause": cause,
        "StartTime": at.timestamp(),
        "EndTime": at.timestamp(),
        "StatusCode": "Successful",
        "StatusMessage": f"Successfully set desired count to {desired}. Change successfully fulfilled by ecs.",
    }
    with _LOCK:
        kept = _ACTIVITIES.setdefault((account, region, resource_id), [])
        kept.append(item)
        del kept[:-KEPT]
    return item


def activities(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    """The answer to one DescribeScalingActivities request (newest first)."""
    namespace = request.get("ServiceNamespace")
    resource = request.get("ResourceId")
    dimension = request.get("ScalableDimension")
    with _LOCK:
        items = [
            dict(item)
            for (acct, reg, rid), kept in _ACTIVITIES.items()
            if acct == account and reg == region and (not resource or rid == resource)
            for item in kept
        ]
    items = [
        i
        for i in items
        if (not namespace or i["ServiceNamespace"] == namespace)
        and (not dimension or i["ScalableDimension"] == dimension)
    ]
    items.sort(key=lambda i: i["StartTime"], reverse=True)
    limit = int(request.get("MaxResults") or 50)
    offset = int(request.get("NextToken") or 0)
    out: dict[str, Any] = {"ScalingActivities": items[offset : offset + limit]}
    if offset + limit < len(items):
        out["NextToken"] = str(offset + limit)
    return out


def _describe(response: Any) -> str:
    """moto's handler for the operation (a method of its ApplicationAutoScalingResponse)."""
    return json.dumps(
        activities(response.current_account, response.region, json.loads(response.body or "{}"))
    )


def install() -> None:
    """Teach moto's Application Auto Scaling DescribeScalingActivities (idempotent)."""
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    ApplicationAutoScalingResponse.describe_scaling_activities = _describe  # type: ignore[attr-defined]
