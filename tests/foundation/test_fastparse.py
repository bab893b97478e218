"""The compiled JSON parser gives what botocore's parser gives, on the demo's real responses.

Every response the console reads (ECS, Logs, SQS) is captured raw and parsed both ways;
the only allowed difference is a member the client's model does not know (kept by ours).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.session
from aiobotocore.parsers import AioJSONParser

from console.aws.fastparse import CompiledJSONParser
from console.aws.session import AwsContext, parse_timestamp
from console.demo.runtime import DemoRuntime


def known_only(ours: Any, theirs: Any) -> Any:
    """``ours`` without the keys ``theirs`` lacks (members unknown to the model)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return {k: known_only(v, theirs[k]) for k, v in ours.items() if k in theirs}
    if isinstance(ours, list) and isinstance(theirs, list):
        return [known_only(a, b) for a, b in zip(ours, theirs, strict=False)]
    return ours


async def both(response: dict[str, Any], shape: Any) -> tuple[Any, Any]:
    theirs = await AioJSONParser(timestamp_parser=parse_timestamp).parse(response, shape)
    ours = await CompiledJSONParser(timestamp_parser=parse_timestamp).parse(response, shape)
    return theirs, ours


async def test_same_result_as_botocore_on_every_demo_response(world: DemoRuntime) -> None:
    captured: list[tuple[Any, dict[str, Any]]] = []

    def keep(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
        captured.append((operation_model, dict(response_dict)))

    async with AwsContext(endpoint_url=world.endpoint) as aws:
        region = "ap-south-1"
        ecs, logs, sqs = [await aws.client(s, region) for s in ("ecs", "logs", "sqs")]
        for client in (ecs, logs, sqs):
            client.meta.events.register("before-parse", keep)
        for arn in (await ecs.list_clusters())["clusterArns"]:
            await ecs.describe_clusters(clusters=[arn], include=["STATISTICS", "TAGS"])
            services = (await ecs.list_services(cluster=arn))["serviceArns"]
            if services:
                found = await ecs.describe_services(cluster=arn, services=services[:10], include=["TAGS"])
                await ecs.describe_task_definition(
                    taskDefinition=found["services"][0]["taskDefinition"], include=["TAGS"]
                )
            tasks = (await ecs.list_tasks(cluster=arn))["taskArns"]
            if tasks:
                await ecs.describe_tasks(cluster=arn, tasks=tasks, include=["TAGS"])
        for group in (await logs.describe_log_groups())["logGroups"][:3]:
            await logs.filter_log_events(logGroupName=group["logGroupName"], limit=200)
        for url in (await sqs.list_queues()).get("QueueUrls", []):
            await sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            await sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, MessageAttributeNames=["All"]
            )

    names = {model.name for model, _ in captured}
    assert {"DescribeServices", "DescribeTasks", "FilterLogEvents", "ReceiveMessage"} <= names
    for model, response in captured:
        theirs, ours = await both(response, model.output_shape)
        assert known_only(ours, theirs) == theirs, model.name


async def test_timestamps_blobs_nulls_and_maps_converted_as_botocore_does() -> None:
    """A hand-made response through shapes with every kind of member that needs converting."""
    ecs = botocore.session.get_session().get_service_model("ecs")
    shape = ecs.operation_model("DescribeServices").output_shape
    body = {
        "services": [
            {
                "serviceName": "api",
                "createdAt": 1700000000.5,
                "deployments": [
                    {"id": "d1", "createdAt": 1700000001, "updatedAt": None, "rolloutState": None}
                ],
                "events": [{"id": "e1", "createdAt": 1700000002.25, "message": "[bold]x[/]"}],
                "tags": [{"key": "k", "value": None}],
                "loadBalancers": None,
            }
        ],
        "failures": [],
        "nextToken": None,
    }
    response = {
        "status_code": 200,
        "headers": {"x-amzn-requestid": "r-1"},
        "body": json.dumps(body).encode(),
        "context": {},
    }
    theirs, ours = await both(response, shape)
    assert ours == theirs
    assert ours["services"][0]["events"][0]["createdAt"].timestamp() == 1700000002.25
    assert "updatedAt" not in ours["services"][0]["deployments"][0]
    assert ours["ResponseMetadata"]["RequestId"] == "r-1"

    kms = botocore.session.get_session().get_service_model("kms")
    blob_shape = kms.operation_model("Encrypt").output_shape
    blob = {"CiphertextBlob": base64.b64encode(b"\x00\x01secret").decode(), "KeyId": "k"}
    response = {"status_code": 200, "headers": {}, "body": json.dumps(blob).encode(), "context": {}}
    theirs, ours = await both(response, blob_shape)
    assert ours == theirs and ours["CiphertextBlob"] == b"\x00\x01secret"


async def test_a_body_that_is_not_json_does_not_break_the_parse() -> None:
    """As botocore: the text becomes a ``message`` (which botocore then drops as unknown)."""
    shape = (
        botocore.session.get_session()
        .get_service_model("logs")
        .operation_model("FilterLogEvents")
        .output_shape
    )
    response = {"status_code": 200, "headers": {}, "body": b"<html>proxy error</html>", "context": {}}
    theirs, ours = await both(response, shape)
    assert known_only(ours, theirs) == theirs
    assert ours["message"] == "<html>proxy error</html>"
