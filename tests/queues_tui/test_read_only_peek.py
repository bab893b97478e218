"""Read-only peeks only where a peek cannot move messages: not a queue with a redrive policy.

A peek is a receive: it raises each message's receive count, and on a queue with a redrive
policy reaching maxReceiveCount is what sends a message to the DLQ. Read-only mode changes
nothing, so it refuses there (saying why) and peeks a DLQ as before; the CLI does the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from console.cli import main
from screens.widgets.bars import StatusLine

from .conftest import REGION, Pair, make_settings
from .helpers import make_app, open_detail, peek, wait_for


def receive_counts(pair: Pair, url: str) -> list[int]:
    """The receive count of each message as it was (this look raises them all by one)."""
    got = pair.sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["ApproximateReceiveCount"]
    )
    return sorted(int(m["Attributes"]["ApproximateReceiveCount"]) - 1 for m in got.get("Messages", []))


async def test_read_only_peek_refuses_a_source_queue_and_peeks_its_dlq(world: Any, pair: Pair) -> None:
    pair.sqs.send_message(QueueUrl=pair.source_url, MessageBody="keep my receive count")
    pair.fill_dlq(["failed once"])
    app = make_app(make_settings(world, read_only=True))
    async with app.run_test(size=(140, 50)) as pilot:
        source = await open_detail(pilot, pair.source_name)
        assert source.check_action("peek", ()) is None  # shown disabled
        await pilot.press("p")
        status = source.query_one(StatusLine)
        await wait_for(pilot, lambda: status.notice.startswith("read-only: peek is disabled"))
        assert "raises each message's receive count" in status.notice and pair.dlq_name in status.notice
        assert source.peeks == 0 and not source.messages
        await pilot.press("escape")
        dlq = await open_detail(pilot, pair.dlq_name)
        assert dlq.check_action("peek", ())
        await peek(pilot, dlq)  # a DLQ has no redrive policy: peeking it moves nothing
    assert receive_counts(pair, pair.source_url) == [0]


def test_cli_read_only_peek_refuses_a_source_queue(
    world: Any, pair: Pair, capsys: pytest.CaptureFixture[str]
) -> None:
    pair.sqs.send_message(QueueUrl=pair.source_url, MessageBody="keep my receive count")
    pair.fill_dlq(["failed once"])
    common = ["--endpoint-url", world.endpoint, "--region", REGION, "--read-only"]
    assert main(["peek", pair.source_name, *common]) == 2
    err = capsys.readouterr().err
    assert (
        "read-only: peek is disabled" in err and "receive count" in err and len(err.strip().splitlines()) == 1
    )
    assert main(["peek", pair.dlq_name, *common]) == 0
    assert "failed once" in capsys.readouterr().out
    assert receive_counts(pair, pair.source_url) == [0]
