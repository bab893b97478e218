"""CloudWatch Logs reads: groups and filtered events, as model values.

Every FilterLogEvents call is taken from the ``logs_filter`` bucket (5 TPS per
account and region, shared by every group followed), so a follow of many
groups slows down instead of being throttled.  Errors are left to the caller:
the follow engine decides which ones it waits out and which it reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.aws.paging import Budget, pages
from console.aws.session import AwsContext
from console.model import LogEvent

FILTER_BUCKET = "logs_filter"
DESCRIBE_BUCKET = "logs_describe"
MAX_STREAM_NAMES = 100  # FilterLogEvents accepts at most 100 logStreamNames


@dataclass(frozen=True, slots=True)
class LogGroup:
    name: str
    region: str
    arn: str = ""
    created_at: int = 0  # epoch ms
    retention_days: int | None = None
    stored_bytes: int = 0


@dataclass(frozen=True, slots=True)
class FilterPage:
    events: tuple[LogEvent, ...]
    next_token: str | None


def group_name(group: str) -> str:
    """A log group's name from its name or ARN (``arn:…:log-group:NAME[:*]``)."""
    if group.startswith("arn:") and ":log-group:" in group:
        name = group.split(":log-group:", 1)[1]
        return name[:-2] if name.endswith(":*") else name
    return group


def _event(raw: dict[str, Any], group: str, stream: str = "") -> LogEvent:
    return LogEvent(
        event_id=str(raw.get("eventId", "")),
        group=group,
        stream=str(raw.get("logStreamName", stream)),
        timestamp=int(raw.get("timestamp", 0)),
        message=str(raw.get("message", "")),
        ingestion_time=int(raw.get("ingestionTime", 0) or 0),
    )


async def list_log_groups(
    aws: AwsContext, budget: Budget, region: str, *, prefix: str = "", limit: int | None = None
) -> list[LogGroup]:
    """Log groups in ``region`` whose name starts with ``prefix``, every page (or the first ``limit``)."""
    client = await aws.client("logs", region)
    kwargs: dict[str, Any] = {}
    if prefix:
        kwargs["logGroupNamePrefix"] = prefix
    out: list[LogGroup] = []
    async for page in pages(budget, region, DESCRIBE_BUCKET, client.describe_log_groups, **kwargs):
        for raw in page.get("logGroups", []):
            out.append(
                LogGroup(
                    name=raw["logGroupName"],
                    region=region,
                    arn=raw.get("arn", ""),
                    created_at=int(raw.get("creationTime", 0) or 0),
                    retention_days=raw.get("retentionInDays"),
                    stored_bytes=int(raw.get("storedBytes", 0) or 0),
                )
            )
            if limit is not None and len(out) >= limit:
                return out
    return out


async def describe_log_group(aws: AwsContext, budget: Budget, region: str, name: str) -> LogGroup | None:
    """The group named exactly ``name`` in ``region``, or None."""
    name = group_name(name)
    for group in await list_log_groups(aws, budget, region, prefix=name):
        if group.name == name:
            return group
    return None


async def filter_page(
    aws: AwsContext,
    budget: Budget,
    region: str,
    group: str,
    *,
    start: int | None = None,
    end: int | None = None,
    stream_names: Sequence[str] = (),
    stream_prefix: str = "",
    pattern: str = "",
    token: str | None = None,
    limit: int | None = None,
) -> FilterPage:
    """One FilterLogEvents page.  ``start`` and ``end`` are inclusive epoch milliseconds.

    ``stream_names`` and ``stream_prefix`` are exclusive on AWS; names win.  The
    server's answer is returned as is: callers that need the prefix enforced
    (moto ignores it) filter the events themselves.
    """
    group = group_name(group)
    client = await aws.client("logs", region)
    # ``interleaved`` is ignored by AWS (always interleaved since 2019) but makes other servers sort.
    kwargs: dict[str, Any] = {"logGroupName": group, "interleaved": True}
    if start is not None:
        kwargs["startTime"] = max(0, int(start))
    if end is not None:
        kwargs["endTime"] = max(0, int(end))
    if stream_names:
        kwargs["logStreamNames"] = list(stream_names)[:MAX_STREAM_NAMES]
    elif stream_prefix:
        kwargs["logStreamNamePrefix"] = stream_prefix
    if pattern:
        kwargs["filterPattern"] = pattern
    if token:
        kwargs["nextToken"] = token
    if limit:
        kwargs["limit"] = min(int(limit), 10_000)
    page = await budget.call(region, FILTER_BUCKET, client.filter_log_events, **kwargs)
    events = tuple(_event(raw, group) for raw in page.get("events", []))
    return FilterPage(events, page.get("nextToken") or None)
