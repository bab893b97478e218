"""The document-processor Lambda is in the world as AWS holds it (function, role, event source
mapping), and its mapping is what makes it consume: disabled with plain boto3, nothing reads the
queue; enabled again, the messages are processed and logged."""

from __future__ import annotations

import json

from console.demo.consumer import Consumer
from tests.demo.helpers import client, poll

QUEUE = "document-verification-queue"


def queue_arn(sqs) -> str:  # type: ignore[no-untyped-def]
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def test_the_queue_has_an_enabled_mapping_to_the_document_processor(world):
    sqs, lam = client(world, "sqs", "ap-south-1"), client(world, "lambda", "ap-south-1")
    mappings = lam.list_event_source_mappings(EventSourceArn=queue_arn(sqs))["EventSourceMappings"]
    assert [(m["FunctionArn"].rsplit(":", 1)[-1], m["State"], m["BatchSize"]) for m in mappings] == [
        ("document-processor", "Enabled", 10)
    ]
    fn = lam.get_function(FunctionName="document-processor")["Configuration"]
    assert fn["Role"].endswith(":role/document-processor-role") and fn["Handler"] == "handler.handler"


def test_a_disabled_mapping_stops_the_consumer_and_enabling_it_resumes(world):
    sqs, lam = client(world, "sqs", "ap-south-1"), client(world, "lambda", "ap-south-1")
    arn = queue_arn(sqs)
    mapping = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"][0]
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Disabled"
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    body = {"document_id": "d-1", "document_type": "identity", "task_id": "t-1"}
    sent = sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))["MessageId"]

    poller = Consumer(every_s=0.0)
    poller.tick()
    assert poller.invocations == 0  # the mapping is off: the poller did not receive
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert int(attrs["Attributes"]["ApproximateNumberOfMessages"]) >= 1  # nor did anything else

    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    logs = client(world, "logs", "ap-south-1")
    poller.tick()
    found = poll(
        lambda: logs.filter_log_events(
            logGroupName="/aws/lambda/document-processor", filterPattern=f'"Processed message {sent}"'
        )["events"],
        lambda events: bool(events),
    )
    assert found, "the message was not processed once the mapping was enabled again"
