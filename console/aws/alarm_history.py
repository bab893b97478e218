"""CloudWatch alarms in any state, their state-change history and the metric behind each one.

The alarms pane and the triage timeline need more than the firing alarms the panes poll
(``console.aws.alarms``): every alarm of a region with its threshold, operator, statistic and
period (one ``DescribeAlarms`` without a state filter, 100 a page), the StateUpdate history of a
window (one ``DescribeAlarmHistory`` per region, not per alarm), and the alarm's own metric as
CloudWatch evaluates it (one ``GetMetricData``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.aws.alarms import _alarm, metric_alarm_pages
from console.aws.paging import Budget, pages
from console.aws.session import AwsContext
from console.model import Alarm, MetricSeries

HISTORY_PAGE = 100  # DescribeAlarmHistory's MaxRecords limit
MAX_POINTS = 1440  # a chart wider than this many points shows nothing more
OPERATORS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


@dataclass(frozen=True, slots=True)
class AlarmDetail:
    """An alarm with what decides its state: ``value <operator> threshold`` over ``periods``."""

    alarm: Alarm
    account: str = ""
    threshold: float | None = None
    comparison: str = ""
    statistic: str = ""
    period: int = 60
    periods: int = 1
    updated_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.alarm.key

    @property
    def operator(self) -> str:
        return OPERATORS.get(self.comparison, self.comparison)

    def crosses(self, value: float) -> bool:
        """Whether one datapoint is on the alarming side of the threshold."""
        t = self.threshold
        if t is None:
            return False
        return {
            ">": value > t,
            ">=": value >= t,
            "<": value < t,
            "<=": value <= t,
        }.get(self.operator, False)


@dataclass(frozen=True, slots=True)
class AlarmChange:
    """One StateUpdate of an alarm's history (CloudWatch's own summary and reason)."""

    alarm: str
    region: str
    at: datetime
    summary: str
    old_state: str = ""
    new_state: str = ""
    reason: str = ""


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def to_detail(raw: dict[str, Any], region: str) -> AlarmDetail:
    alarm = _alarm(raw, region)
    threshold = raw.get("Threshold")
    return AlarmDetail(
        alarm=alarm,
        account=_account_of(alarm.arn),
        threshold=float(threshold) if threshold is not None else None,
        comparison=raw.get("ComparisonOperator", "") or "",
        statistic=raw.get("Statistic", "") or raw.get("ExtendedStatistic", "") or "Average",
        period=int(raw.get("Period") or 60),
        periods=int(raw.get("EvaluationPeriods") or 1),
        updated_at=raw.get("StateUpdatedTimestamp"),
    )


async def all_alarms(aws: AwsContext, budget: Budget, region: str) -> list[AlarmDetail]:
    """Every metric alarm of the region, whatever its state."""
    out: list[AlarmDetail] = []
    async for page in metric_alarm_pages(aws, budget, region, AlarmTypes=["MetricAlarm"]):
        out += [to_detail(raw, region) for raw in page]
    return sorted(out, key=lambda d: d.alarm.name)


def _change(raw: dict[str, Any], region: str) -> AlarmChange:
    old = new = reason = ""
    try:
        data = json.loads(raw.get("HistoryData") or "{}")
        old = str((data.get("oldState") or {}).get("stateValue", ""))
        new = str((data.get("newState") or {}).get("stateValue", ""))
        reason = str((data.get("newState") or {}).get("stateReason", ""))
    except (ValueError, AttributeError):
        pass
    return AlarmChange(
        alarm=raw.get("AlarmName", ""),
        region=region,
        at=raw["Timestamp"],
        summary=raw.get("HistorySummary", "") or "",
        old_state=old,
        new_state=new,
        reason=reason,
    )


async def alarm_history(
    aws: AwsContext,
    budget: Budget,
    region: str,
    start: datetime,
    end: datetime,
    *,
    name: str | None = None,
    max_pages: int = 5,
) -> list[AlarmChange]:
    """StateUpdate items of the region's alarms (or of one) between ``start`` and ``end``, oldest first.

    At most ``max_pages`` pages (500 changes): a flapping alarm must not make a timeline slow.
    """
    client = await aws.client("cloudwatch", region)
    kwargs: dict[str, Any] = {
        "HistoryItemType": "StateUpdate",
        "StartDate": start,
        "EndDate": end,
        "MaxRecords": HISTORY_PAGE,
    }
    if name:
        kwargs["AlarmName"] = name
    out: list[AlarmChange] = []
    n = 0
    async for page in pages(
        budget,
        region,
        "alarms",
        client.describe_alarm_history,
        token_in="NextToken",
        token_out="NextToken",
        **kwargs,
    ):
        out += [_change(raw, region) for raw in page.get("AlarmHistoryItems", []) if raw.get("Timestamp")]
        n += 1
        if n >= max_pages:
            break
    return sorted(out, key=lambda c: c.at)


def chart_period(detail: AlarmDetail, start: datetime, end: datetime) -> int:
    """The alarm's own period, widened (in whole minutes) until the window has at most MAX_POINTS."""
    seconds = max(60.0, (end - start).total_seconds())
    period = max(60, detail.period)
    while seconds / period > MAX_POINTS:
        period += 60
    return period


async def metric_window(
    aws: AwsContext,
    budget: Budget,
    region: str,
    *,
    namespace: str,
    metric: str,
    dimensions: tuple[tuple[str, str], ...],
    statistic: str,
    period: int,
    start: datetime,
    end: datetime,
    label: str = "",
) -> MetricSeries:
    """One metric over a window, oldest point first (one GetMetricData, following NextToken)."""
    client = await aws.client("cloudwatch", region)
    query = {
        "Id": "m0",
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions],
            },
            "Period": period,
            "Stat": statistic or "Average",
        },
        "ReturnData": True,
    }
    stamps: list[datetime] = []
    values: list[float] = []
    token: str | None = None
    for _ in range(10):
        kwargs: dict[str, Any] = {"MetricDataQueries": [query], "StartTime": start, "EndTime": end}
        if token:
            kwargs["NextToken"] = token
        resp = await budget.call(region, "metrics", client.get_metric_data, **kwargs)
        for result in resp.get("MetricDataResults", []):
            stamps += result.get("Timestamps", [])
            values += [float(v) for v in result.get("Values", [])]
        token = resp.get("NextToken")
        if not token:
            break
    pairs = sorted(zip(stamps, values, strict=False))
    return MetricSeries(
        name=metric,
        dimension=label or ",".join(f"{k}={v}" for k, v in dimensions),
        timestamps=tuple(p[0] for p in pairs),
        values=tuple(p[1] for p in pairs),
    )


async def alarm_metric(
    aws: AwsContext, budget: Budget, detail: AlarmDetail, start: datetime, end: datetime
) -> MetricSeries:
    """The alarm's metric as CloudWatch evaluates it (its statistic; its period or wider)."""
    alarm = detail.alarm
    return await metric_window(
        aws,
        budget,
        alarm.region,
        namespace=alarm.namespace,
        metric=alarm.metric,
        dimensions=alarm.dimensions,
        statistic=detail.statistic,
        period=chart_period(detail, start, end),
        start=start,
        end=end,
        label=alarm.name,
    )
