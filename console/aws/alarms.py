"""CloudWatch alarms in ALARM state, tied to clusters and services by their ECS dimensions.

One ``DescribeAlarms`` (StateValue=ALARM, 100 a page) per region covers every
cluster of it, so the clusters pane's poll costs one call per region, not one
per cluster.  Alarms that only drive auto scaling are kept in the result but
are not "of note": a target-tracking AlarmLow sits in ALARM whenever load is low.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any

from console.aws.account_access import AccountUnavailable
from console.aws.paging import Budget, pages
from console.aws.session import AwsContext
from console.model import Alarm

PAGE_SIZE = 100  # DescribeAlarms' MaxRecords limit


async def metric_alarm_pages(
    aws: AwsContext, budget: Budget, region: str, **filters: Any
) -> AsyncIterator[list[dict[str, Any]]]:
    """DescribeAlarms' metric alarms of ``region``, a page at a time (``filters``: StateValue, AlarmTypes)."""
    client = await aws.client("cloudwatch", region)
    async for page in pages(
        budget,
        region,
        "alarms",
        client.describe_alarms,
        token_in="NextToken",
        token_out="NextToken",
        MaxRecords=PAGE_SIZE,
        **filters,
    ):
        yield list(page.get("MetricAlarms", []))


async def firing_alarms(aws: AwsContext, budget: Budget, region: str) -> tuple[Alarm, ...]:
    """The region's metric alarms in ALARM state, by name."""
    found: list[Alarm] = []
    async for page in metric_alarm_pages(aws, budget, region, StateValue="ALARM"):
        for raw in page:
            # An endpoint that ignores the filter (or a state change between pages) must not
            # turn an OK alarm red.
            if raw.get("StateValue") == "ALARM":
                found.append(_alarm(raw, region))
    return tuple(sorted(found, key=lambda a: a.name))


async def firing_alarms_by_region(
    aws: AwsContext, budget: Budget, regions: Sequence[str]
) -> dict[str, tuple[Alarm, ...] | Exception]:
    """Each region's alarms, concurrently; a region whose call failed maps to its error."""
    results = await asyncio.gather(
        *(firing_alarms(aws, budget, region) for region in regions), return_exceptions=True
    )
    out: dict[str, tuple[Alarm, ...] | Exception] = {}
    for region, result in zip(regions, results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result  # cancellation, KeyboardInterrupt: not a region's failure
        out[region] = result
    return out


async def alarms_or_unknown(
    aws: AwsContext, budget: Budget, regions: Sequence[str], on_error: Callable[[Exception], None]
) -> dict[str, tuple[Alarm, ...] | None]:
    """Each region's alarms; None for a region whose read failed, after telling ``on_error``.

    Alarms are a column of a pane, never the pane's error: a failed region shows "?".
    """
    out: dict[str, tuple[Alarm, ...] | None] = {}
    for region, result in (await firing_alarms_by_region(aws, budget, regions)).items():
        if isinstance(result, Exception):
            if not isinstance(result, AccountUnavailable):  # the account's row says it once
                on_error(result)
            out[region] = None
        else:
            out[region] = result
    return out


def of_note(alarms: Iterable[Alarm]) -> list[Alarm]:
    return [a for a in alarms if not a.scaling]


def by_cluster(alarms: Iterable[Alarm]) -> dict[tuple[str, str], tuple[Alarm, ...]]:
    """(region, cluster name) -> its alarms of note (any alarm with a ClusterName dimension)."""
    out: dict[tuple[str, str], list[Alarm]] = {}
    for alarm in of_note(alarms):
        if alarm.cluster:
            out.setdefault((alarm.region, alarm.cluster), []).append(alarm)
    return {key: tuple(found) for key, found in out.items()}


def of_service(alarms: Iterable[Alarm], cluster: str, service: str) -> tuple[Alarm, ...]:
    """The alarms of note on one service (its ClusterName and ServiceName dimensions)."""
    return tuple(a for a in of_note(alarms) if a.service == service and a.cluster == cluster)


def of_queue(alarms: Iterable[Alarm], region: str, queue: str) -> tuple[Alarm, ...]:
    """The alarms of note on one queue (its ``QueueName`` dimension, in its region)."""
    return tuple(a for a in of_note(alarms) if a.queue == queue and a.region == region)


def _alarm(raw: dict[str, Any], region: str) -> Alarm:
    dimensions = [(d["Name"], d["Value"]) for d in raw.get("Dimensions", []) if "Name" in d]
    metric = raw.get("MetricName", "")
    namespace = raw.get("Namespace", "")
    for query in raw.get("Metrics", []):  # a metric-math alarm: the dimensions of its inputs
        stat_metric = query.get("MetricStat", {}).get("Metric", {})
        metric = metric or stat_metric.get("MetricName", "")
        namespace = namespace or stat_metric.get("Namespace", "")
        for d in stat_metric.get("Dimensions", []):
            if "Name" in d and all(name != d["Name"] for name, _ in dimensions):
                dimensions.append((d["Name"], d["Value"]))
    return Alarm(
        name=raw.get("AlarmName", ""),
        region=region,
        arn=raw.get("AlarmArn", ""),
        state=raw.get("StateValue", ""),
        namespace=namespace,
        metric=metric,
        dimensions=tuple(dimensions),
        reason=raw.get("StateReason", ""),
        since=raw.get("StateUpdatedTimestamp"),
        actions=tuple(raw.get("AlarmActions", [])),
        description=raw.get("AlarmDescription", "") or "",
    )
