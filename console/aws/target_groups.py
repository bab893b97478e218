"""What a target group checks: protocol, port, path and the codes it accepts (DescribeTargetGroups).

An unhealthy target's reason code says *that* the check failed; the path says *what* failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from console.aws.paging import Budget, chunks
from console.aws.session import AwsContext

PER_CALL = 20  # DescribeTargetGroups takes up to 20 ARNs


@dataclass(frozen=True, slots=True)
class HealthCheck:
    target_group_arn: str
    name: str
    protocol: str
    port: str
    path: str
    matcher: str = ""


async def health_checks(
    aws: AwsContext, budget: Budget, region: str, arns: Sequence[str]
) -> dict[str, HealthCheck]:
    client = await aws.client("elbv2", region)
    out: dict[str, HealthCheck] = {}
    for batch in chunks(list(arns), PER_CALL):
        resp = await budget.call(region, "elb", client.describe_target_groups, TargetGroupArns=list(batch))
        for raw in resp.get("TargetGroups", []):
            arn = raw.get("TargetGroupArn", "")
            out[arn] = HealthCheck(
                target_group_arn=arn,
                name=raw.get("TargetGroupName", ""),
                protocol=raw.get("HealthCheckProtocol", "") or "",
                port=str(raw.get("HealthCheckPort", "") or ""),
                path=raw.get("HealthCheckPath", "") or "",
                matcher=(raw.get("Matcher") or {}).get("HttpCode", "") or "",
            )
    return out
