"""Manual redrive, delete and purge against the embedded AWS: choose, keep, lose nothing."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from console.aws.session import AwsContext, ClientSettings
from console.aws.sqs import SqsGateway
from console.config import Profile, Settings
from console.demo.server import FaultSpec
from console.errors import BadInput, Refused
from console.ops import redrive as ops
from console.ops.plan import Progress
from console.ops.runner import execute

from .conftest import REGION, QueuePair, bodies_of


async def _manual(endpoint: str, pair: QueuePair, *, client: ClientSettings | None = None, **kwargs):
    progress: list[Progress] = []
    async with AwsContext(endpoint_url=endpoint, settings=client or ClientSettings()) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        op = await ops.prepare_manual(gw, dlq, regions=[REGION], **kwargs)
        applied = await op.apply(op.plan, progress.append)
    return op, applied, progress


async def test_manual_redrive_moves_only_matching_messages(sqs_demo, pair):
    bodies = [f'{{"doc": {i}, "type": "{"passport" if i % 3 == 0 else "payslip"}"}}' for i in range(30)]
    pair.fill_dlq(
        bodies, MessageAttributes={"error_type": {"DataType": "String", "StringValue": "OCRTimeout"}}
    )
    op, applied, progress = await _manual(sqs_demo.endpoint, pair, match="passport")
    assert op.destination.name == pair.source_name  # the DLQ's only source queue by default
    assert applied.ok and len(op.tally.moved) == 10 and len(op.tally.skipped) == 20
    assert not op.tally.duplicates_possible
    assert progress and progress[-1].state == "COMPLETED" and progress[-1].done == 10
    assert pair.counts(pair.dlq_url) == (20, 0)  # the others are visible again at once
    moved = pair.drain(pair.source_url)
    assert sorted(bodies_of(moved)) == sorted(b for b in bodies if "passport" in b)
    assert all(m["MessageAttributes"]["error_type"]["StringValue"] == "OCRTimeout" for m in moved)
    assert all("passport" not in b for b in bodies_of(pair.drain(pair.dlq_url)))


async def test_manual_redrive_limit_and_destination(sqs_demo, pair):
    other = pair.sqs.create_queue(QueueName=pair.source_name.replace("-src", "-other"))["QueueUrl"]
    try:
        pair.fill_dlq([f"m{i}" for i in range(35)])
        op, applied, _ = await _manual(sqs_demo.endpoint, pair, limit=7, to=other)
        assert applied.ok and len(op.tally.moved) == 7
        assert pair.counts(pair.dlq_url) == (28, 0) and pair.counts(other) == (7, 0)
        assert pair.counts(pair.source_url) == (0, 0)
    finally:
        pair.sqs.delete_queue(QueueUrl=other)


async def test_manual_redrive_refuses_unclear_destinations(sqs_demo, pair, fifo_pair):
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        with pytest.raises(BadInput, match="into itself"):
            await ops.prepare_manual(gw, dlq, to=pair.dlq_name, regions=[REGION])
        with pytest.raises(BadInput, match=r"FIFO|standard"):
            await ops.prepare_manual(gw, dlq, to=fifo_pair.source_name, regions=[REGION])
        src = await gw.resolve(pair.source_name, [REGION])
        with pytest.raises(BadInput, match="no queue's DLQ"):
            await ops.prepare_manual(gw, src, regions=[REGION])


async def test_fifo_manual_redrive_keeps_group_and_dedup_ids(sqs_demo, fifo_pair):
    pair = fifo_pair
    for start in range(0, 40, 10):
        pair.sqs.send_message_batch(
            QueueUrl=pair.dlq_url,
            Entries=[
                {
                    "Id": str(i),
                    "MessageBody": f"f{i:02d}",
                    "MessageGroupId": f"g{i % 4}",
                    "MessageDeduplicationId": f"d{i}",
                }
                for i in range(start, start + 10)
            ],
        )
    op, applied, _ = await _manual(sqs_demo.endpoint, pair)
    assert applied.ok and len(op.tally.moved) == 40
    moved = pair.drain(pair.source_url, fifo=True)
    assert sorted(bodies_of(moved)) == [f"f{i:02d}" for i in range(40)]
    for m in moved:
        i = int(m["Body"][1:])
        assert m["Attributes"]["MessageGroupId"] == f"g{i % 4}"
        assert m["Attributes"]["MessageDeduplicationId"] == f"d{i}"
    for group in range(4):
        order = [int(m["Body"][1:]) for m in moved if m["Attributes"]["MessageGroupId"] == f"g{group}"]
        assert order == sorted(order), f"group g{group} out of order"


@pytest.mark.chaos
async def test_faults_during_manual_redrive_lose_nothing(sqs_demo, pair, fast_retries):
    bodies = [f"chaos-{i:04d}" for i in range(200)]
    pair.fill_dlq(bodies)
    middleware = sqs_demo.server.middleware
    middleware.set_faults(FaultSpec.parse("throttle=0.2,5xx=0.1,drop=0.1,only=sqs,seed=7"))
    try:
        # Standard retries: adaptive mode's client-side rate limiter would slow the run to a crawl
        # under 20 % throttling without testing anything more.
        op, applied, _ = await _manual(
            sqs_demo.endpoint, pair, visibility_timeout=3, client=ClientSettings(retry_mode="standard")
        )
    finally:
        middleware.set_faults(None)
    tally = op.tally
    # Messages whose receive answer was lost stay hidden in the DLQ until their timeout ends.
    deadline = time.monotonic() + 10
    while pair.counts(pair.dlq_url)[1] and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    in_dlq = bodies_of(pair.drain(pair.dlq_url))
    in_source = bodies_of(pair.drain(pair.source_url))
    found = Counter(in_dlq) + Counter(in_source)
    missing = set(bodies) - set(found)
    assert not missing, f"lost {len(missing)} messages: {sorted(missing)[:5]}"
    assert set(found) == set(bodies)
    assert len(tally.moved) >= 150  # faults slow the run; they do not stop it
    assert set(in_source) >= {b for b in bodies if b not in in_dlq}
    twice = [b for b, n in found.items() if n > 1]
    if twice:  # a message in both places (or sent twice) must have been reported
        assert tally.duplicates_possible
    assert applied.data["duplicates_possible"] == tally.duplicates_possible


async def test_delete_chosen_messages_and_selected_ones(sqs_demo, pair):
    pair.fill_dlq([f"{'junk' if i < 6 else 'keep'}-{i}" for i in range(20)])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        with pytest.raises(BadInput):
            await ops.prepare_delete(gw, dlq)  # deleting "everything" is a purge, not a delete
        op = await ops.prepare_delete(gw, dlq, match="junk")
        applied = await op.apply(op.plan, lambda _p: None)
        assert applied.ok and len(op.tally.deleted) == 6
        peeked = await gw.peek(dlq, 3)
        tally = await ops.delete_selected(gw, dlq, peeked)
    assert len(tally.deleted) == 3
    left = bodies_of(pair.drain(pair.dlq_url))
    assert len(left) == 11 and all(b.startswith("keep-") for b in left)
    assert not set(left) & {m.body for m in peeked}


async def test_read_only_refuses_redrive_delete_and_purge(sqs_demo, pair):
    pair.fill_dlq(["x", "y"])
    settings = Settings(
        profile=Profile(name="ro", read_only=True),
        regions=(REGION,),
        endpoint_url=sqs_demo.endpoint,
        read_only=True,
    )

    async def never(_plan):
        raise AssertionError("a read-only run must not even ask")

    async def caller():
        return "tester"

    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        ops_list = [
            await ops.prepare_native(gw, dlq),
            await ops.prepare_manual(gw, dlq),
            await ops.prepare_delete(gw, dlq, limit=1),
            await ops.prepare_purge(gw, dlq),
        ]
        for op in ops_list:

            async def apply(plan, op=op):
                return await op.apply(plan, lambda _p: None)

            with pytest.raises(Refused, match="read-only"):
                await execute(settings, op.plan, apply=apply, confirm=never, caller=caller)
    assert pair.counts(pair.dlq_url) == (2, 0) and pair.counts(pair.source_url) == (0, 0)


async def test_purge_needs_two_confirmations(sqs_demo, pair):
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
    with pytest.raises(Refused):
        ops.check_purge_confirmation(dlq, yes=True, i_mean_purge=False, typed=None)
    with pytest.raises(Refused):
        ops.check_purge_confirmation(dlq, yes=False, i_mean_purge=False, typed="other-queue")
    ops.check_purge_confirmation(dlq, yes=True, i_mean_purge=True, typed=None)
    ops.check_purge_confirmation(dlq, yes=False, i_mean_purge=False, typed=pair.dlq_name)


async def test_native_plan_says_when_a_task_is_running(sqs_demo, pair):
    pair.fill_dlq([f"n{i}" for i in range(50)])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        first = await ops.prepare_native(gw, dlq, max_per_second=5)
        assert not first.plan.is_noop and first.plan.request["MaxNumberOfMessagesPerSecond"] == 5
        await first.apply(first.plan, lambda _p: None)
        second = await ops.prepare_native(gw, dlq)
        assert second.plan.is_noop and "already RUNNING" in second.plan.noop_reason
        cancel = await ops.prepare_cancel(gw, dlq)
        await cancel.apply(cancel.plan, lambda _p: None)
        result = await cancel.verify(cancel.plan, None, lambda _p: None)  # type: ignore[arg-type]
        history = await ops.history(gw, dlq)
    assert result.ok and result.state == "CANCELLED"
    assert history[0].status == "CANCELLED" and history[0].max_per_second == 5
