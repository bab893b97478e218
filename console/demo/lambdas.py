"""The ``document-processor`` Lambda as AWS holds it: a function, its role, and the event source
mapping from ``document-verification-queue``.

The console finds a queue's consumer the way an engineer would, from ListEventSourceMappings (the
DLQ's ``l`` opens the function's logs, a redrive's plan warns that the mapping retries at once), so
the demo world must hold the mapping, not only the function's log group.

moto, given an enabled mapping, would run the function's code in Docker on every send. The demo's
own poller (console.demo.consumer) plays Lambda's part instead, so the queue's link to the mapping
is dropped (``detach``) and the poller asks ``enabled`` on each tick: a mapping disabled or deleted
with plain boto3 stops the consumption, as it would on AWS.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

FUNCTION = "document-processor"
ROLE = "document-processor-role"
HANDLER = '''"""document-processor: verifies an uploaded document (the demo runs its poller instead)."""


def handler(event, context):
    for record in event["Records"]:
        print("Processed message", record["messageId"])
'''
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def _policy(queue_arn: str) -> dict[str, Any]:
    """What AWSLambdaSQSQueueExecutionRole grants, for this queue (moto has no managed policies)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": queue_arn,
            },
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/lambda/document-processor:*",
            },
        ],
    }


def _code() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("handler.py", HANDLER)
    return buf.getvalue()


def seed(clients: Any, region: str, queue_arn: str) -> str:
    """The function, its role and an enabled mapping from ``queue_arn``, made with boto3; its UUID."""
    iam = clients("iam", region)
    try:
        role = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:  # IAM outlives the demo's reset (global)
        role = iam.get_role(RoleName=ROLE)["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=ROLE, PolicyName="consume-queue", PolicyDocument=json.dumps(_policy(queue_arn))
    )
    lam = clients("lambda", region)
    lam.create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": _code()},
        Timeout=60,
        MemorySize=512,
        Description="Verifies uploaded documents from document-verification-queue",
    )
    mapping = lam.create_event_source_mapping(
        EventSourceArn=queue_arn, FunctionName=FUNCTION, BatchSize=10, Enabled=True
    )
    return str(mapping["UUID"])


def _mappings(region: str, account: str) -> list[Any]:
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[account][region]
    return list(backend._event_source_mappings.values())


def enabled(region: str, account: str, queue_arn: str) -> bool:
    """Whether an enabled mapping hands ``queue_arn``'s messages to a function now."""
    try:
        return any(m.event_source_arn == queue_arn and m.enabled for m in _mappings(region, account))
    except Exception:  # no Lambda backend in this account yet: nothing consumes
        return False


def detach(queue: Any) -> None:
    """Drop moto's link from the queue to its mappings (moto would invoke the code in Docker)."""
    links = getattr(queue, "lambda_event_source_mappings", None)
    if links:
        links.clear()
