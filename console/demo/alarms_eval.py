"""CloudWatch alarm evaluation over the demo's own metric points, with the history CloudWatch keeps.

moto stores alarms but never evaluates them. Here each metric alarm is evaluated as CloudWatch
does: the statistic of each of the last ``EvaluationPeriods`` periods (the newest one may still be
filling), ALARM when at least ``DatapointsToAlarm`` of them breach, OK when fewer do, the
StateReason worded as CloudWatch words it and its StateReasonData. Each change is written to the
alarm's history, which ``DescribeAlarmHistory`` (absent from moto) serves. When the world is
seeded, the last day is replayed minute by minute, so the history and the current state agree
with the backfilled points. ``SetAlarmState`` by anyone is recorded too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.models import Alarm, CloudWatchBackend

from console.demo import metrics, moto_access
from console.demo.clock import CLOCK

STEP_S = 2.0
HISTORY_KEPT = 500
HISTORY: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (account, region) → items, oldest first
# What the last evaluation said, per alarm object: a state is applied when the evaluation changes
# (or the alarm is new), so a SetAlarmState holds until the next evaluation that could change it:
# one period later, as CloudWatch's does.
_EVALUATED: dict[tuple[str, str, str], tuple[str, int]] = {}
_SET_BY_HAND: dict[tuple[str, str, str], datetime] = {}
_LAST: dict[str, datetime] = {}
_INSTALLED = {"done": False}

_BREACH = {
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}


def forget() -> None:
    HISTORY.clear()
    _LAST.clear()
    _EVALUATED.clear()
    _SET_BY_HAND.clear()


def _due(account: str, region: str, alarm: Alarm, state: str, now: datetime) -> bool:
    """Whether CloudWatch would set ``state`` now (see _EVALUATED)."""
    key = (account, region, alarm.name)
    previous = _EVALUATED.get(key)
    _EVALUATED[key] = (state, id(alarm))
    if previous is None or previous[1] != id(alarm) or previous[0] != state:
        return True
    by_hand = _SET_BY_HAND.get(key)
    return by_hand is not None and (now - by_hand).total_seconds() >= int(alarm.period)


def _naive(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def _points(
    backend: CloudWatchBackend, alarm: Alarm, since: datetime, account: str, region: str
) -> list[tuple[datetime, float]]:
    """The alarm's metric points since ``since``: the demo's backfill by series, then the rest.

    Only what was put after the backfill is scanned (live points and anyone's PutMetricData),
    so an evaluation costs little however long the history.
    """
    dim_key = tuple(sorted((str(d.name), str(d.value)) for d in alarm.dimensions))
    dims = set(dim_key)
    out: list[tuple[datetime, float]] = []
    for point in metrics.SERIES.get((account, region, alarm.namespace, alarm.metric_name, dim_key), []):
        if point.timestamp >= since:
            out.append((point.timestamp, float(point.value)))
    start = metrics.BACKFILL_END.get((account, region), 0)
    data = backend.metric_data
    if start > len(data):  # trimmed since: scan it all
        start = 0
    for datum in data[start:]:
        if datum.namespace != alarm.namespace or datum.name != alarm.metric_name:
            continue
        stamp = _naive(datum.timestamp)
        if stamp < since or {(d.name, d.value) for d in datum.dimensions} != dims:
            continue
        value = getattr(datum, "value", None)
        if value is not None:
            out.append((stamp, float(value)))
    return out


def _statistic(values: list[float], statistic: str) -> float:
    if statistic == "Maximum":
        return max(values)
    if statistic == "Minimum":
        return min(values)
    if statistic == "Sum":
        return sum(values)
    if statistic == "SampleCount":
        return float(len(values))
    return sum(values) / len(values)


Buckets = dict[datetime, list[float]]


def buckets(points: list[tuple[datetime, float]], alarm: Alarm) -> Buckets:
    """Points grouped by the start of the alarm's period they fall in."""
    period = timedelta(seconds=int(alarm.period))
    out: Buckets = {}
    for stamp, value in points:
        out.setdefault(_EPOCH + ((stamp - _EPOCH) // period) * period, []).append(value)
    return out


_EPOCH = datetime(1970, 1, 1)


def _periods(grouped: Buckets, alarm: Alarm, at: datetime) -> list[tuple[datetime, float]]:
    """(period start, statistic) of the last EvaluationPeriods periods that hold data, newest first."""
    period = timedelta(seconds=int(alarm.period))
    newest = _EPOCH + ((_naive(at) - _EPOCH) // period) * period
    out = []
    for i in range(int(alarm.evaluation_periods)):
        start = newest - i * period
        values = grouped.get(start)
        if values:
            out.append((start, _statistic(values, alarm.statistic or "Average")))
    return out


def state_at(alarm: Alarm, grouped: Buckets, at: datetime) -> str | None:
    """Only the state (cheap: the replay asks it for every minute of a day)."""
    periods = _periods(grouped, alarm, at)
    if not periods:
        return None
    breaches = _BREACH.get(alarm.comparison_operator, _BREACH["GreaterThanThreshold"])[0]
    threshold = float(alarm.threshold)
    m = int(alarm.datapoints_to_alarm or alarm.evaluation_periods)
    return "ALARM" if sum(1 for _s, v in periods if breaches(v, threshold)) >= m else "OK"


def evaluate(alarm: Alarm, grouped: Buckets, at: datetime) -> tuple[str, str, str] | None:
    """(state, reason, reason data) CloudWatch would set at ``at``; None with no data (kept as is)."""
    periods = _periods(grouped, alarm, at)
    if not periods:
        return None
    breaches, words = _BREACH.get(alarm.comparison_operator, _BREACH["GreaterThanThreshold"])
    threshold = float(alarm.threshold)
    n = int(alarm.evaluation_periods)
    m = int(alarm.datapoints_to_alarm or n)
    crossing = [(s, v) for s, v in periods if breaches(v, threshold)]
    shown = ", ".join(f"{round(v, 3)} ({s:%d/%m/%y %H:%M:%S})" for s, v in (crossing or periods))
    if len(crossing) >= m:
        state = "ALARM"
        reason = (
            f"Threshold Crossed: {len(crossing)} out of the last {n} datapoints [{shown}] were {words} the "
            f"threshold ({threshold}) (minimum {m} datapoint{'s' if m > 1 else ''} for OK -> ALARM transition)."
        )
    else:
        state = "OK"
        reason = (
            f"Threshold Crossed: {n - len(crossing)} out of the last {n} datapoints [{shown}] were not {words} "
            f"the threshold ({threshold}) (minimum 1 datapoint for ALARM -> OK transition)."
        )
    data = {
        "version": "1.0",
        "queryDate": f"{_naive(at):%Y-%m-%dT%H:%M:%S.000+0000}",
        "startDate": f"{periods[-1][0]:%Y-%m-%dT%H:%M:%S.000+0000}",
        "statistic": alarm.statistic or "Average",
        "period": int(alarm.period),
        "recentDatapoints": [round(v, 3) for _s, v in reversed(periods)],
        "threshold": threshold,
        "evaluatedDatapoints": [
            {"timestamp": f"{s:%Y-%m-%dT%H:%M:%S.000+0000}", "sampleCount": 1.0, "value": round(v, 3)}
            for s, v in periods
        ],
    }
    return state, reason, json.dumps(data)


def record(
    account: str, region: str, alarm: Alarm, old: tuple[str, str], new: tuple[str, str, str], at: datetime
) -> None:
    """One StateUpdate history item, as DescribeAlarmHistory returns it."""
    items = HISTORY.setdefault((account, region), [])
    history = {
        "version": "1.0",
        "oldState": {"stateValue": old[0], "stateReason": old[1]},
        "newState": {
            "stateValue": new[0],
            "stateReason": new[1],
            "stateReasonData": json.loads(new[2] or "{}"),
        },
    }
    items.append(
        {
            "AlarmName": alarm.name,
            "AlarmType": "MetricAlarm",
            "Timestamp": at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC),
            "HistoryItemType": "StateUpdate",
            "HistorySummary": f"Alarm updated from {old[0]} to {new[0]}",
            "HistoryData": json.dumps(history),
        }
    )
    if len(items) > HISTORY_KEPT:
        del items[: len(items) - HISTORY_KEPT]


def _apply(account: str, region: str, alarm: Alarm, verdict: tuple[str, str, str], at: datetime) -> None:
    if verdict[0] == alarm.state_value:
        return
    old = (alarm.state_value, alarm.state_reason)
    alarm.state_value, alarm.state_reason, alarm.state_reason_data = verdict
    alarm.state_updated_timestamp = _naive(at)
    record(account, region, alarm, old, verdict, at)


def _metric_alarms(backend: CloudWatchBackend) -> list[Alarm]:
    return [
        a for a in backend.alarms.values() if a.rule is None and a.metric_name and not a.metric_data_queries
    ]


def step(regions: Iterable[str], account: str | None = None) -> None:
    """Evaluate every metric alarm now (every STEP_S real seconds)."""
    account = account or moto_access.acting()
    now = CLOCK.now()
    last = _LAST.get(account)
    if last is not None and (now - last).total_seconds() < STEP_S:
        return
    _LAST[account] = now
    for region in regions:
        backend = moto_access.cloudwatch(region, account)
        for alarm in _metric_alarms(backend):
            window = timedelta(seconds=int(alarm.period) * (int(alarm.evaluation_periods) + 1))
            grouped = buckets(_points(backend, alarm, _naive(now - window), account, region), alarm)
            verdict = evaluate(alarm, grouped, now)
            if verdict is not None and _due(account, region, alarm, verdict[0], now):
                _SET_BY_HAND.pop((account, region, alarm.name), None)
                _apply(account, region, alarm, verdict, now)


def replay(regions: Iterable[str], hours: float = 24, account: str | None = None) -> None:
    """Evaluate the last ``hours`` period by period: the history and state the points imply.

    Each period's breach is decided once; a sliding count over the last EvaluationPeriods
    periods finds the transitions (a day of 13 alarms in a few milliseconds).
    """
    account = account or moto_access.acting()
    now = CLOCK.now()
    start = now - timedelta(hours=hours)
    for region in regions:
        backend = moto_access.cloudwatch(region, account)
        for alarm in _metric_alarms(backend):
            period = timedelta(seconds=int(alarm.period))
            n = int(alarm.evaluation_periods)
            m = int(alarm.datapoints_to_alarm or n)
            breaches = _BREACH.get(alarm.comparison_operator, _BREACH["GreaterThanThreshold"])[0]
            threshold = float(alarm.threshold)
            grouped = buckets(
                _points(backend, alarm, _naive(start - period * (n + 1)), account, region), alarm
            )
            first = _EPOCH + ((_naive(start) - _EPOCH) // period) * period
            last = _EPOCH + ((_naive(now) - _EPOCH) // period) * period
            flags: list[bool | None] = []
            at = first - period * (n - 1)
            while at <= last:
                values = grouped.get(at)
                flags.append(
                    None
                    if not values
                    else breaches(_statistic(values, alarm.statistic or "Average"), threshold)
                )
                at += period
            for i in range(n - 1, len(flags)):
                window = flags[i - n + 1 : i + 1]
                if all(f is None for f in window):
                    continue
                state = "ALARM" if sum(1 for f in window if f) >= m else "OK"
                if state != alarm.state_value:
                    moment = first + period * (i - n + 1)
                    when = min(moment.replace(tzinfo=UTC) + period, now)
                    verdict = evaluate(alarm, grouped, when - timedelta(seconds=1))
                    if verdict is not None:
                        _apply(account, region, alarm, verdict, when)
            verdict = evaluate(alarm, grouped, now)
            if verdict is not None:
                _apply(account, region, alarm, verdict, now)
                _EVALUATED[(account, region, alarm.name)] = (verdict[0], id(alarm))


def history(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    """DescribeAlarmHistory: newest first by default, filtered by name, type and dates."""
    items = list(HISTORY.get((account, region), []))
    name = request.get("AlarmName")
    if name:
        items = [i for i in items if i["AlarmName"] == name]
    kind = request.get("HistoryItemType")
    if kind:
        items = [i for i in items if i["HistoryItemType"] == kind]
    for key, keep in (
        ("StartDate", lambda i, d: i["Timestamp"] >= d),
        ("EndDate", lambda i, d: i["Timestamp"] <= d),
    ):
        bound = request.get(key)
        if isinstance(bound, datetime):
            bound = bound if bound.tzinfo else bound.replace(tzinfo=UTC)
            items = [i for i in items if keep(i, bound)]
    if request.get("ScanBy") != "TimestampAscending":
        items.reverse()
    limit = int(request.get("MaxRecords") or 100)
    offset = int(request.get("NextToken") or 0)
    page = items[offset : offset + limit]
    out: dict[str, Any] = {"AlarmHistoryItems": page}
    if offset + limit < len(items):
        out["NextToken"] = str(offset + limit)
    return out


def install() -> None:
    """Teach moto's CloudWatch DescribeAlarmHistory, and record SetAlarmState (once per process)."""
    if _INSTALLED["done"]:
        return
    _INSTALLED["done"] = True
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.core.responses import ActionResult

    def describe_alarm_history(self: CloudWatchResponse) -> ActionResult:
        request = {
            key: self._get_param(key)
            for key in (
                "AlarmName",
                "HistoryItemType",
                "StartDate",
                "EndDate",
                "MaxRecords",
                "NextToken",
                "ScanBy",
            )
        }
        for key in ("StartDate", "EndDate"):
            value = request.get(key)
            if isinstance(value, str):
                try:
                    request[key] = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    request[key] = None
        return ActionResult(history(self.current_account, self.region, request))

    CloudWatchResponse.describe_alarm_history = describe_alarm_history  # type: ignore[attr-defined]

    original = CloudWatchBackend.set_alarm_state

    def set_alarm_state(
        self: CloudWatchBackend, alarm_name: str, reason: str, reason_data: str, state_value: str
    ) -> None:
        alarm = self.alarms.get(alarm_name)
        old = (alarm.state_value, alarm.state_reason) if alarm is not None else None
        original(self, alarm_name, reason, reason_data, state_value)
        if alarm is not None:
            _SET_BY_HAND[(self.account_id, self.region_name, alarm_name)] = CLOCK.now()
        if alarm is not None and old is not None and old[0] != state_value:
            record(
                self.account_id,
                self.region_name,
                alarm,
                old,
                (state_value, reason, reason_data or "{}"),
                CLOCK.now(),
            )

    CloudWatchBackend.set_alarm_state = set_alarm_state  # type: ignore[method-assign]
