"""The manual redrive's journal and what its plan promises: a message an interrupted run sent is
deleted from the DLQ by the rerun, not sent again; the plan says what will happen, in words."""

from __future__ import annotations

from pathlib import Path

from console.aws.session import AwsContext
from console.aws.sqs import QueueMessage, SqsGateway
from console.ops import redrive as ops
from console.ops.redrive_journal import Journal, digest, journal_path

from .conftest import REGION, QueuePair, bodies_of


def _message(mid: str, body: str) -> QueueMessage:
    return QueueMessage(
        message_id=mid, body=body, message_attributes={"k": {"DataType": "String", "StringValue": "v"}}
    )


def test_journal_replays_states_and_matches_by_id_and_content(user_dirs: Path) -> None:
    from console.model import Queue

    dlq = Queue(url="https://q/1/dlq", name="dlq", region=REGION, arn="arn:aws:sqs:us-east-1:1:dlq")
    dest = Queue(url="https://q/1/src", name="src", region=REGION, arn="arn:aws:sqs:us-east-1:1:src")
    a, b, c = _message("a", "one"), _message("b", "two"), _message("c", "three")
    journal = Journal.open(dlq, dest)
    journal.sending([a, b, c])
    journal.sent([a, b])
    journal.deleted([a])
    with journal_path(dlq, dest).open("a", encoding="utf-8") as torn:
        torn.write('{"e":"sent","t":1')  # a line cut by a kill is skipped
    again = Journal.open(dlq, dest)
    assert again.state_of(a) is None
    assert again.state_of(b) is not None and again.state_of(b).state == "sent"
    assert again.state_of(c) is not None and again.state_of(c).state == "sending"
    assert again.state_of(_message("b", "other body")) is None  # same id, other content: not ours
    assert digest(b) == digest(_message("b", "two"))
    assert (again.pending().sent, again.pending().sending) == (1, 1)
    again.close()
    assert Journal.open(dlq, dest).pending().sent == 1  # compacted, still pending
    Journal.open(dlq, dest).close(drained=True)
    assert not journal_path(dlq, dest).exists()


async def test_rerun_deletes_what_an_interrupted_run_sent(sqs_demo, pair: QueuePair) -> None:
    bodies = [f"doc-{i}" for i in range(25)]
    pair.fill_dlq(bodies)
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        # an interrupted run: 5 messages received, sent to the source, journalled, never deleted
        first = await gw.receive(dlq, max_messages=5, visibility_timeout=1)
        dest = await gw.resolve(pair.source_name, [REGION])
        assert len(first) == 5 and (await gw.send_messages(dest, first)).all_ok
        journal = Journal.open(dlq, dest)
        journal.sending(first)
        journal.sent(first)
        journal.close()
        await gw.change_visibility(dlq, first, 0)

        op = await ops.prepare_manual(gw, dlq, regions=[REGION])
        text = "\n".join(op.plan.details)
        assert "exactly once unless the journal is lost" in text
        assert (
            "5 message(s) it sent and had not deleted are deleted from the DLQ when met, not sent again"
            in text
        )
        applied = await op.apply(op.plan, lambda _p: None)
        await op.verify(op.plan, applied, lambda _p: None)
    assert applied.ok and len(op.tally.moved) == 25 and len(op.tally.finished) == 5
    assert "5 of them sent by an interrupted run (deleted from the DLQ, not sent again)" in applied.message
    assert not op.tally.duplicates_possible
    moved = bodies_of(pair.drain(pair.source_url))
    assert sorted(moved) == sorted(bodies)  # each exactly once
    assert pair.counts(pair.dlq_url) == (0, 0)
    assert not journal_path(dlq, dest).exists()


async def test_match_plan_says_what_will_be_left_in_words(sqs_demo, pair: QueuePair) -> None:
    pair.fill_dlq([f"timeout {i}" if i % 2 else f"other {i}" for i in range(29)])
    async with AwsContext(endpoint_url=sqs_demo.endpoint) as aws:
        gw = SqsGateway(aws)
        dlq = await gw.resolve(pair.dlq_name, [REGION])
        op = await ops.prepare_manual(gw, dlq, regions=[REGION], match="timeout")
        limited = await ops.prepare_manual(gw, dlq, regions=[REGION], match="timeout", limit=5)
        plain = await ops.prepare_manual(gw, dlq, regions=[REGION], limit=5)
    line = op.plan.changes[0].render()
    assert "0+" not in line
    assert (
        line
        == f"messages in {pair.dlq_name}: 29 -> 29 less those whose body contains 'timeout' (counted as they are read)"
    )
    assert limited.plan.changes[0].render().endswith("(counted as they are read, at most 5 fewer)")
    assert plain.plan.changes[0].render() == f"messages in {pair.dlq_name}: 29 -> 24"
