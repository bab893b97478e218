"""Message move tasks (native DLQ redrive) as the demo answers them, through the gateway."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from console.aws.session import AwsContext
from console.aws.sqs import SqsGateway

from .conftest import REGION, QueuePair


async def _wait_status(gw: SqsGateway, arn: str, statuses: set[str], timeout: float = 30) -> list:
    deadline = time.monotonic() + timeout
    while True:
        tasks = await gw.move_tasks(arn)
        if tasks and tasks[0].status in statuses:
            return tasks
        if time.monotonic() > deadline:
            raise AssertionError(f"move task still {tasks[0].status if tasks else 'absent'}")
        await asyncio.sleep(0.05)


def _dead_letter(pair: QueuePair, bodies: list[str]) -> None:
    """Send to the source and receive past maxReceiveCount, so SQS itself moves them to the DLQ."""
    for start in range(0, len(bodies), 10):
        pair.sqs.send_message_batch(
            QueueUrl=pair.source_url,
            Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])],
        )
    for _ in range(len(bodies) * 4):
        if not pair.sqs.receive_message(
            QueueUrl=pair.source_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages"):
            break


async def test_native_redrive_of_1000_messages(sqs_demo, pair):
    ids_to_body: dict[str, str] = {}
    bodies = [f"doc-{i:04d}-{uuid.uuid4().hex[:6]}" for i in range(1000)]
    pair.fill_dlq(bodies)
    for m in pair.sqs.receive_message(QueueUrl=pair.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0)[
        "Messages"
    ]:
        ids_to_body[m["MessageId"]] = m["Body"]
    assert pair.counts(pair.dlq_url) == (1000, 0) and pair.counts(pair.source_url) == (0, 0)
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        handle = await gw.start_move(pair.dlq_arn)
        assert handle
        tasks = await _wait_status(gw, pair.dlq_arn, {"COMPLETED", "FAILED"})
    task = tasks[0]
    assert task.status == "COMPLETED" and task.moved == 1000 and task.to_move == 1000
    assert task.destination_arn == "" and task.handle == ""  # a finished task's handle is not listed
    assert pair.counts(pair.dlq_url) == (0, 0)
    assert pair.counts(pair.source_url) == (1000, 0)
    moved = pair.drain(pair.source_url)
    assert sorted(m["Body"] for m in moved) == sorted(bodies)
    by_id = {m["MessageId"]: m["Body"] for m in moved}
    assert all(by_id.get(mid) == body or body in by_id.values() for mid, body in ids_to_body.items())
    assert all(m["Attributes"]["ApproximateReceiveCount"] == "1" for m in moved)  # a fresh life


async def test_cancel_midway_keeps_the_rest_in_the_dlq(sqs_demo, pair):
    pair.fill_dlq([f"c{i}" for i in range(300)])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        handle = await gw.start_move(pair.dlq_arn, max_per_second=50)
        deadline = time.monotonic() + 20
        while (await gw.move_tasks(pair.dlq_arn))[0].moved < 10 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        moved_at_cancel = await gw.cancel_move(handle, REGION)
        tasks = await _wait_status(gw, pair.dlq_arn, {"CANCELLED"})
    task = tasks[0]
    assert 10 <= moved_at_cancel <= task.moved < 300
    assert task.max_per_second == 50 and task.to_move == 300
    in_source, _ = pair.counts(pair.source_url)
    in_dlq, _ = pair.counts(pair.dlq_url)
    assert in_source == task.moved and in_source + in_dlq == 300


async def test_one_move_task_per_queue_and_history(sqs_demo, pair):
    pair.fill_dlq([f"h{i}" for i in range(40)])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        handle = await gw.start_move(pair.dlq_arn, max_per_second=5)
        with pytest.raises(ClientError) as err:
            await gw.start_move(pair.dlq_arn)
        assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
        assert "Only one active task is allowed" in err.value.response["Error"]["Message"]
        await gw.cancel_move(handle, REGION)
        await _wait_status(gw, pair.dlq_arn, {"CANCELLED"})
        with pytest.raises(ClientError):  # only RUNNING tasks can be cancelled
            await gw.cancel_move(handle, REGION)
        await gw.start_move(pair.dlq_arn, destination_arn=pair.source_arn)
        await _wait_status(gw, pair.dlq_arn, {"COMPLETED"})
        history = await gw.move_tasks(pair.dlq_arn, 10)
        client = await aws.client("sqs", REGION)
        newest_only = await client.list_message_move_tasks(SourceArn=pair.dlq_arn)
    assert [t.status for t in history] == ["COMPLETED", "CANCELLED"]
    assert history[0].destination_arn == pair.source_arn
    assert history[0].started_at >= history[1].started_at
    assert len(newest_only["Results"]) == 1 and newest_only["Results"][0]["Status"] == "COMPLETED"
    assert pair.counts(pair.source_url)[0] == 40


async def test_move_task_refuses_a_queue_that_is_no_dlq(sqs_demo, pair):
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        with pytest.raises(ClientError) as err:
            await gw.start_move(pair.source_arn)
        with pytest.raises(ClientError) as missing:
            await gw.start_move(pair.dlq_arn.replace("-dlq", "-nope"))
    assert err.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


async def test_messages_go_back_to_the_queue_they_came_from(sqs_demo, pair):
    """Two sources share a DLQ: each dead-lettered message returns to its own source."""
    other_name = pair.source_name.replace("-src", "-src2")
    policy = pair.sqs.get_queue_attributes(QueueUrl=pair.source_url, AttributeNames=["RedrivePolicy"])
    other_url = pair.sqs.create_queue(
        QueueName=other_name, Attributes={"RedrivePolicy": policy["Attributes"]["RedrivePolicy"]}
    )["QueueUrl"]
    try:
        other = QueuePair(pair.sqs, other_url, "", pair.dlq_url, pair.dlq_arn, other_name, pair.dlq_name)
        _dead_letter(pair, [f"first-{i}" for i in range(15)])
        _dead_letter(other, [f"second-{i}" for i in range(15)])
        assert pair.counts(pair.dlq_url) == (30, 0)
        async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
            gw = SqsGateway(aws)
            await gw.start_move(pair.dlq_arn)
            tasks = await _wait_status(gw, pair.dlq_arn, {"COMPLETED", "FAILED"})
        assert tasks[0].status == "COMPLETED", tasks[0].failure_reason
        assert sorted(m["Body"] for m in pair.drain(pair.source_url)) == sorted(
            f"first-{i}" for i in range(15)
        )
        assert sorted(m["Body"] for m in pair.drain(other_url)) == sorted(f"second-{i}" for i in range(15))
    finally:
        pair.sqs.delete_queue(QueueUrl=other_url)


async def test_fifo_redrive_keeps_group_and_dedup_ids(sqs_demo, fifo_pair):
    pair = fifo_pair
    for start in range(0, 30, 10):
        pair.sqs.send_message_batch(
            QueueUrl=pair.dlq_url,
            Entries=[
                {
                    "Id": str(i),
                    "MessageBody": f"f{i}",
                    "MessageGroupId": f"g{i % 3}",
                    "MessageDeduplicationId": f"d{i}",
                    "MessageAttributes": {"n": {"DataType": "Number", "StringValue": str(i)}},
                }
                for i in range(start, start + 10)
            ],
        )
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        await gw.start_move(pair.dlq_arn)
        tasks = await _wait_status(gw, pair.dlq_arn, {"COMPLETED", "FAILED"})
    assert tasks[0].status == "COMPLETED" and tasks[0].moved == 30
    moved = pair.drain(pair.source_url, fifo=True)
    assert len(moved) == 30
    for m in moved:
        i = int(m["Body"][1:])
        assert m["Attributes"]["MessageGroupId"] == f"g{i % 3}"
        assert m["Attributes"]["MessageDeduplicationId"] == f"d{i}"
        assert m["MessageAttributes"]["n"]["StringValue"] == str(i)
    per_group = [int(m["Body"][1:]) for m in moved if m["Attributes"]["MessageGroupId"] == "g0"]
    assert per_group == sorted(per_group)  # order within a group is kept
