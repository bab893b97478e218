"""DLQ triage for both front ends: the consumers of a queue, where a message's consumer logged
around its first receive, and the redrive plan's warning when the destination is consumed now.

The grouping itself is pure (``console.triage.dlq_groups``); the reads are here so that screens
reach AWS only through the facade.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from console.aws.context import Gateways
from console.aws.sqs import QueueMessage
from console.model import Queue
from console.triage.consumers import Consumer, find_consumers, retry_warning

WINDOW_MS = 2 * 60_000  # the consumer's logs around a message's first receive: ±2 min


@dataclass(frozen=True, slots=True)
class ConsumerLogs:
    """Where to read: the consumer, the window around the first receive, the id to look for."""

    consumer: Consumer
    since_ms: int
    until_ms: int
    message_id: str
    first_receive: datetime | None


def first_receive_ms(message: QueueMessage) -> int | None:
    raw = message.attributes.get("ApproximateFirstReceiveTimestamp") or message.attributes.get(
        "SentTimestamp"
    )
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


class DlqTriage:
    def __init__(self, gateways: Gateways) -> None:
        self.gateways = gateways

    async def consumers(self, queue: Queue) -> list[Consumer]:
        return await find_consumers(self.gateways, queue)

    async def source_queues(self, dlq: Queue) -> list[Queue]:
        arns = dlq.source_arns or tuple(await self.gateways.sqs.source_arns(dlq))
        found = await asyncio.gather(
            *(self.gateways.sqs.resolve_arn(a) for a in arns), return_exceptions=True
        )
        return [q for q in found if isinstance(q, Queue)]

    async def message_consumers(self, queue: Queue) -> list[Consumer]:
        """Who received a message of ``queue``: a DLQ's source queues' consumers, else the queue's."""
        places = await self.source_queues(queue) if queue.is_dlq else [queue]
        found = await asyncio.gather(*(self.consumers(q) for q in places))
        return [c for batch in found for c in batch]

    async def consumer_logs(self, queue: Queue, message: QueueMessage) -> ConsumerLogs | None:
        """The first consumer's logs around the message's first receive (None: nobody reads it)."""
        consumers = await self.message_consumers(queue)
        at = first_receive_ms(message)
        if not consumers or at is None:
            return None
        first = sorted(consumers, key=lambda c: (c.kind != "lambda", not c.enabled))[0]
        when = datetime.fromtimestamp(at / 1000).astimezone()
        return ConsumerLogs(first, at - WINDOW_MS, at + WINDOW_MS, message.message_id, when)

    async def warn_if_consumed(self, op: Any, destinations: Sequence[Queue]) -> Any:
        """Add to ``op``'s plan the warning that a destination's enabled consumer retries at once."""
        lines = []
        for dest in destinations:
            try:
                line = retry_warning(dest, await self.consumers(dest))
            except Exception as exc:  # the plan still stands; it says what it could not check
                line = f"could not check who consumes {dest.name}: {type(exc).__name__}"
            if line:
                lines.append(line)
        if lines:
            op.plan = replace(op.plan, warnings=(*op.plan.warnings, *lines))
        return op

    async def destinations_of(self, op: Any) -> list[Queue]:
        """A redrive's destination (one named) or the DLQ's source queues."""
        dest = getattr(op, "destination", None)
        if isinstance(dest, Queue):
            return [dest]
        arn = op.plan.request.get("DestinationArn")
        if arn:
            return [await self.gateways.sqs.resolve_arn(arn)]
        return await self.source_queues(op.dlq)
