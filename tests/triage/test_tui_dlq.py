"""DLQ triage in the queue detail (Pilot, the seeded demo): the peeked messages grouped by their
error key, one group redriven or deleted on its own through the one runner (plan, confirm, audit),
the redrive plan's warning that the destination's consumer retries at once, and ``l`` from a
message to its consumer's logs around its first receive."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from tui_helpers import make_app, screen_text, wait_for

from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.ops import audit
from screens.detail.queue import QueueDetailScreen
from screens.modals.confirm import ConfirmPlanScreen
from screens.timeline import LogsWindowScreen
from screens.widgets.keyed_table import KeyedTable
from tests.queues_tui.helpers import open_detail, peek

DLQ = "document-verification-dlq"
ERROR_TYPES = {"PDFPageCountError", "OCRTimeout", "ValidationError", "HMRCAuthError", "OperationalError"}


def client(runtime: DemoRuntime, service: str) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client(service, region_name="ap-south-1", endpoint_url=runtime.endpoint, **keys)  # type: ignore[call-overload]


def dlq_visible(runtime: DemoRuntime) -> int:
    sqs = client(runtime, "sqs")
    url = sqs.get_queue_url(QueueName=DLQ)["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def say_in_logs(runtime: DemoRuntime, group: str, at_ms: int, line: str) -> None:
    logs = client(runtime, "logs")
    stream = f"2026/12/02/[$LATEST]{uuid.uuid4().hex}"  # a Lambda stream
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": at_ms, "message": line}]
    )


async def peeked_detail(pilot, app) -> QueueDetailScreen:  # type: ignore[no-untyped-def]
    detail = await open_detail(pilot, DLQ)
    await peek(pilot, detail, at_least=5)
    table = detail.query_one("#groups", KeyedTable)
    await wait_for(pilot, lambda: bool(table.keys))
    return detail


async def test_the_dlq_groups_count_the_peeked_messages(
    settings: Settings, triage_world: DemoRuntime
) -> None:
    app = make_app(settings)
    async with app.run_test(size=(150, 60)) as pilot:
        detail = await peeked_detail(pilot, app)
        keys = list(detail.query_one("#groups", KeyedTable).keys)
        assert keys and all(k.split(":")[0] in ERROR_TYPES for k in keys), keys
        text = screen_text(app)
        assert "Error groups" in text and "m redrives" in text
        assert keys[0] in text


@pytest.mark.parametrize("verb", ["redrive", "delete"])
async def test_one_group_is_redriven_or_deleted_on_its_own(
    settings: Settings, triage_world: DemoRuntime, verb: str
) -> None:
    app = make_app(settings)
    async with app.run_test(size=(150, 60)) as pilot:
        detail = await peeked_detail(pilot, app)
        before = dlq_visible(triage_world)
        table = detail.query_one("#groups", KeyedTable)
        table.focus()
        key = table.cursor_key
        assert key
        from console.triage.dlq_groups import group_messages

        group = next(g for g in group_messages(detail.messages.values()) if g.key == key)
        await pilot.press("m" if verb == "redrive" else "X")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        assert isinstance(app.screen, ConfirmPlanScreen)
        plan_text = app.screen.plan.render()
        assert f"the group '{key}'" in plan_text and f"{group.count} peeked messages" in plan_text
        if verb == "redrive":
            # The document-processor Lambda reads the source queue by its event source mapping, and
            # document-verification-service names it in its task definition: both read it now.
            warning = " ".join(plan_text.split())
            assert (
                "document-verification-queue is consumed now by Lambda document-processor "
                "(enabled event source mapping), ECS service document-verification-service" in warning
            )
        await pilot.press("y")
        await wait_for(pilot, lambda: any(e.get("outcome_of") for e in audit.entries()), timeout=30)
        await wait_for(pilot, lambda: not any(m in detail.messages for m in group.message_ids))
    entries = [e for e in audit.entries() if e.get("action") in ("redrive-selected", "dlq-delete")]
    assert entries and entries[0]["action"] == ("redrive-selected" if verb == "redrive" else "dlq-delete")
    assert dlq_visible(triage_world) <= before - group.count


async def test_l_on_a_message_opens_its_consumers_logs_at_its_first_receive(
    settings: Settings, triage_world: DemoRuntime
) -> None:
    app = make_app(settings)
    async with app.run_test(size=(150, 60)) as pilot:
        detail = await peeked_detail(pilot, app)
        detail.query_one("#messages", KeyedTable).focus()
        message = detail.current_message()
        assert message is not None
        first = int(message.attributes["ApproximateFirstReceiveTimestamp"])
        # The Lambda logged its failure on the message's first receive (a seeded DLQ message's
        # first receive is older than the live poller's stream, so its line is written here).
        say_in_logs(
            triage_world,
            "/aws/lambda/document-processor",
            first,
            f"[ERROR]\tFailed to process message {message.message_id}: KeyError: 'p60'",
        )
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogsWindowScreen), timeout=20)
        logs = app.screen
        assert isinstance(logs, LogsWindowScreen)
        # The Lambda behind the source queue's event source mapping comes before the ECS service.
        assert logs.service is None
        assert logs.window == (first - 120_000, first + 120_000)
        assert logs.mention == message.message_id
        await wait_for(pilot, lambda: bool(logs.sources), timeout=30)
        assert {s.group for s in logs.sources} == {"/aws/lambda/document-processor"}
        assert (logs.since, logs.until) == logs.window
        await wait_for(pilot, lambda: logs.filter_text == message.message_id, timeout=40)
        assert message.message_id in screen_text(app)
