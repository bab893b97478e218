"""The last lines of one log stream (GetLogEvents, newest page first): what a stopped task said last.

GetLogEvents has a bucket of its own (25 calls/s) apart from FilterLogEvents' 5: reading the tails of
a few failed tasks does not slow the error counts.
"""

from __future__ import annotations

from typing import Any

from console.aws.logs import _event, group_name
from console.aws.paging import Budget
from console.aws.session import AwsContext
from console.model import LogEvent

GET_BUCKET = "logs_get"  # GetLogEvents: 25 calls/s (console.aws.paging)


async def stream_tail(
    aws: AwsContext, budget: Budget, region: str, group: str, stream: str, *, limit: int = 30
) -> tuple[LogEvent, ...]:
    """The newest ``limit`` events of ``stream``, oldest first (one call)."""
    group = group_name(group)
    client = await aws.client("logs", region)
    kwargs: dict[str, Any] = {
        "logGroupName": group,
        "logStreamName": stream,
        "startFromHead": False,
        "limit": min(int(limit), 10_000),
    }
    page = await budget.call(region, GET_BUCKET, client.get_log_events, **kwargs)
    return tuple(
        _event(
            {**raw, "eventId": raw.get("eventId") or f"{stream}:{raw.get('timestamp', 0)}:{i}"}, group, stream
        )
        for i, raw in enumerate(page.get("events", []))
    )
