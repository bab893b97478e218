"""The demo's data agrees with itself: log times, history without gaps, status codes, Lambda reports, alarms."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.demo.helpers import client, poll, service

DOCU = ("us-east-1", "docu-cr-backend-cluster", "docu-cr-backend-service")


def events(logs: Any, group: str, stream: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    token = None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, **kwargs)
        out += page["events"]
        if not page["events"] or page.get("nextForwardToken") == token:
            return out
        token = page["nextForwardToken"]


def streams(logs: Any, group: str) -> list[str]:
    return [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group)["logStreams"]]


def test_each_event_time_is_the_time_in_its_message(world):
    logs = client(world, "logs", "ap-south-1")
    checked = 0
    for stream in streams(logs, "/aws/ecs/asharvi-backend-prod"):
        for event in events(logs, "/aws/ecs/asharvi-backend-prod", stream):
            if event["message"].startswith("{"):
                assert json.loads(event["message"])["time"] == event["timestamp"]
                checked += 1
    logs_us = client(world, "logs", "us-east-2")
    stamp = re.compile(r"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) \+0000\]")
    for stream in streams(logs_us, "/ecs/frameratr-dev-backend"):
        for event in events(logs_us, "/ecs/frameratr-dev-backend", stream):
            match = stamp.search(event["message"])
            if match:
                at = datetime.fromtimestamp(event["timestamp"] / 1000, UTC)
                assert match[1] == f"{at:%d/%b/%Y:%H:%M:%S}"
                checked += 1
    assert checked > 100


def test_a_day_of_lines_per_task_without_gaps_and_health_answers_200(world):
    logs = client(world, "logs", "us-east-1")
    ecs = client(world, "ecs", "us-east-1")
    tasks = ecs.list_tasks(cluster=DOCU[1], serviceName=DOCU[2])["taskArns"]
    now_ms = datetime.now(UTC).timestamp() * 1000
    for arn in tasks:
        task_id = arn.rsplit("/", 1)[-1]
        found = events(logs, "/ecs/docu-cr-backend", f"ecs/docu-cr-backend/{task_id}")
        stamps = [e["timestamp"] for e in found]
        assert stamps == sorted(stamps)
        assert now_ms - stamps[0] >= 19 * 3600 * 1000  # since the task started, 20 h ago
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert max(gaps) <= 12 * 60 * 1000  # thinner in the past, never a hole
        assert now_ms - stamps[-1] <= 2 * 60 * 1000
        recent = [g for a, g in zip(stamps, gaps, strict=False) if now_ms - a < 3600 * 1000]
        old = [g for a, g in zip(stamps, gaps, strict=False) if now_ms - a > 12 * 3600 * 1000]
        assert sum(recent) / len(recent) < sum(old) / len(old)
        health = [e["message"] for e in found if '"GET /health' in e["message"]]
        assert health and all(m.endswith(" 200 OK") for m in health)
        assert not [e for e in found if "ocr.py" in e["message"] or "retriever.py" in e["message"]]


def test_lambda_reports_agree_with_their_start_and_end(world):
    logs = client(world, "logs", "ap-south-1")
    found = logs.filter_log_events(logGroupName="/aws/lambda/document-processor")["events"]
    starts = {m[1]: e["timestamp"] for e in found if (m := re.match(r"START RequestId: (\S+)", e["message"]))}
    ends = {m[1]: e["timestamp"] for e in found if (m := re.match(r"END RequestId: (\S+)", e["message"]))}
    reports = {
        m[1]: float(m[2])
        for e in found
        if (m := re.match(r"REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms", e["message"]))
    }
    assert reports
    for request, duration in reports.items():
        assert abs((ends[request] - starts[request]) - duration) <= 2


def test_an_alarm_goes_to_alarm_then_ok_from_the_demos_own_points(world):
    region, cluster, name = DOCU
    cw = client(world, "cloudwatch", region)
    ecs = client(world, "ecs", region)
    cw.put_metric_alarm(
        AlarmName="docu-cr-memory-over-half",
        Namespace="AWS/ECS",
        MetricName="MemoryUtilization",
        Dimensions=[{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": name}],
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=50,
        ComparisonOperator="GreaterThanThreshold",
    )

    def alarm() -> dict[str, Any]:
        return cw.describe_alarms(AlarmNames=["docu-cr-memory-over-half"])["MetricAlarms"][0]

    firing = poll(alarm, lambda a: a["StateValue"] == "ALARM", timeout=20)
    assert firing["StateValue"] == "ALARM"  # the leaking image has memory above 50 % now
    assert "were greater than the threshold (50.0)" in firing["StateReason"]
    data = json.loads(firing["StateReasonData"])
    assert data["evaluatedDatapoints"][0]["value"] > 50
    # The fix: deploy the revision before the leak; fresh tasks sit near their baseline.
    ecs.update_service(cluster=cluster, service=name, taskDefinition="docu-cr-backend:3")
    poll(lambda: service(ecs, cluster, name), lambda s: len(s["deployments"]) == 1, timeout=30)
    calm = poll(alarm, lambda a: a["StateValue"] == "OK", timeout=20)
    assert calm["StateValue"] == "OK"
    history = cw.describe_alarm_history(
        AlarmName="docu-cr-memory-over-half", StartDate=datetime.now(UTC) - timedelta(hours=1)
    )["AlarmHistoryItems"]
    assert [h["HistorySummary"] for h in history][:2] == [
        "Alarm updated from ALARM to OK",
        "Alarm updated from OK to ALARM",
    ]
