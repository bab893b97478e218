"""Load-balancer target health of a service's target groups."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from console.aws.paging import Budget
from console.aws.session import AwsContext
from console.model import TargetHealth


async def target_health(
    aws: AwsContext, budget: Budget, region: str, target_group_arns: Sequence[str]
) -> list[TargetHealth]:
    client = await aws.client("elbv2", region)

    async def one(arn: str) -> list[TargetHealth]:
        resp = await budget.call(region, "elb", client.describe_target_health, TargetGroupArn=arn)
        return [
            TargetHealth(
                target_group_arn=arn,
                target_id=d.get("Target", {}).get("Id", ""),
                port=d.get("Target", {}).get("Port"),
                state=d.get("TargetHealth", {}).get("State", ""),
                reason=d.get("TargetHealth", {}).get("Reason", ""),
                description=d.get("TargetHealth", {}).get("Description", ""),
            )
            for d in resp.get("TargetHealthDescriptions", [])
        ]

    results = await asyncio.gather(*(one(a) for a in target_group_arns))
    return [t for batch in results for t in batch]
