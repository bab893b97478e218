"""The demo publishes AWS/SQS ApproximateAgeOfOldestMessage, and the queue gateway reads it."""

from __future__ import annotations

from console.aws.paging import Budget
from console.aws.session import AwsContext
from console.aws.sqs import SqsGateway


async def test_dlq_age_comes_from_cloudwatch(world):
    async with AwsContext(endpoint_url=world.endpoint) as aws:
        queues = {q.name: q for q in await SqsGateway(aws, Budget()).queues(["ap-south-1"], ages=True)}
    dlq = queues["document-verification-dlq"]
    assert dlq.is_dlq and dlq.visible == 25
    assert dlq.oldest_age_s is not None and dlq.oldest_age_s > 3600  # the seeded failures are days old
    assert queues["document-verification-queue"].oldest_age_s == 0.0
