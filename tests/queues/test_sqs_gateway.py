"""The SQS gateway against the embedded AWS: listing, DLQ links, resolving, peeking."""

from __future__ import annotations

import pytest

from console.aws.session import AwsContext
from console.aws.sqs import SqsGateway
from console.errors import BadInput, NotFound

from .conftest import REGION


async def test_queues_carry_counts_and_dlq_links(sqs_demo, pair):
    pair.fill_dlq([f"body-{i}" for i in range(7)])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        queues = {q.name: q for q in await gw.queues([REGION], prefix=pair.source_name.rsplit("-", 1)[0])}
    src, dlq = queues[pair.source_name], queues[pair.dlq_name]
    assert dlq.visible == 7 and dlq.in_flight == 0
    assert src.dlq_arn == pair.dlq_arn and src.max_receive_count == 3
    assert dlq.source_arns == (pair.source_arn,) and dlq.is_dlq and not src.is_dlq
    assert src.arn == pair.source_arn and not src.fifo
    assert src.visibility_timeout == 30 and src.retention_s == 345600


async def test_detail_asks_aws_for_dead_letter_sources(sqs_demo, pair):
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        assert dlq.source_arns == ()  # a single queue's attributes cannot know its sources
        detail = await gw.queue(dlq.url, dlq.region, detail=True)
    assert detail.source_arns == (pair.source_arn,)
    assert detail.oldest_age_s is None  # no CloudWatch data for a new queue


async def test_resolve_by_name_url_and_arn(sqs_demo, pair):
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        by_name = await gw.resolve(pair.dlq_name, [REGION, "ap-south-1"])
        by_url = await gw.resolve(pair.dlq_url, [REGION])
        by_arn = await gw.resolve(pair.dlq_arn, ["ap-south-1"])  # the ARN names its own region
    assert by_name.url == by_url.url == by_arn.url == pair.dlq_url


async def test_unknown_queue_names_close_matches(sqs_demo, pair):
    typo = pair.dlq_name.replace("-dlq", "-dql")
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        with pytest.raises(NotFound) as err:
            await gw.resolve(typo, [REGION])
        with pytest.raises(BadInput):
            await gw.resolve("arn:aws:s3:::bucket", [REGION])
    message = str(err.value)
    assert typo in message and pair.dlq_name in message and "\n" not in message


async def test_peek_does_not_consume(sqs_demo, pair):
    pair.fill_dlq(
        [f"peek-{i}" for i in range(25)],
        MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
    )
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        first = await gw.peek(dlq, 15)
        again = await gw.peek(dlq, 25)
    assert len(first) == 15 and len({m.message_id for m in first}) == 15
    assert len(again) == 25  # released at once: everything is visible to the next peek
    assert pair.counts(pair.dlq_url) == (25, 0)
    sample = first[0]
    assert sample.body.startswith("peek-") and sample.receive_count == 1
    assert sample.sent_at is not None and sample.message_attributes["origin"]["StringValue"] == "test"
    assert max(m.receive_count for m in again) == 2  # a peek is a receive: the count says so


async def test_peek_without_release_hides_for_the_short_timeout(sqs_demo, pair):
    pair.fill_dlq(["a", "b", "c"])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        peeked = await gw.peek(dlq, 10, release=False)
    assert sorted(m.body for m in peeked) == ["a", "b", "c"]
    assert pair.counts(pair.dlq_url) == (0, 3)  # in flight, not deleted


async def test_send_and_delete_batches_report_per_message(sqs_demo, pair):
    pair.fill_dlq([f"m{i}" for i in range(12)])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        src = await gw.resolve(pair.source_name, [REGION])
        got = await gw.peek(dlq, 12, visibility_timeout=60, release=False)
        sent = await gw.send_messages(src, got)
        deleted = await gw.delete_batch(dlq, got)
    assert sent.all_ok and sorted(sent.ok) == sorted(m.message_id for m in got)
    assert deleted.all_ok and len(deleted.ok) == 12
    assert pair.counts(pair.dlq_url) == (0, 0)
    assert sorted(m["Body"] for m in pair.drain(pair.source_url)) == sorted(f"m{i}" for i in range(12))
