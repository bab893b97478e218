"""Who the console acts as: recorded in every audit line and shown by setup/doctor."""

from __future__ import annotations

from console.aws.session import AwsContext
from console.model import CallerIdentity


async def caller_identity(aws: AwsContext, region: str) -> CallerIdentity:
    client = await aws.client("sts", region)
    resp = await client.get_caller_identity()
    return CallerIdentity(
        account=resp.get("Account", ""), arn=resp.get("Arn", ""), user_id=resp.get("UserId", "")
    )
