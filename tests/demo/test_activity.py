"""The live activity: log lines in each stack's format, ECS metrics, documents failing into the DLQ."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

from console.demo.activity import Activity
from tests.demo.helpers import client, poll


def test_a_round_writes_lines_and_uploads_documents_the_consumer_handles(world):
    live = Activity(world.regions, upload_every_s=0, seed=1)
    logs = client(world, "logs", "ap-south-1")
    group = "/aws/ecs/asharvi-backend-prod"

    def count() -> int:
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        return sum(
            len(logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"])
            for s in streams
        )

    before = count()
    for _ in range(5):
        live.once()
    assert count() > before
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
    assert stream.startswith("ecs/asharvi-backend/")
    events = logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]
    node = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    assert node and all("level" in line for line in node)

    # The uploads are processed by the document-processor consumer (not thrown into the DLQ).
    found = poll(
        lambda: logs.filter_log_events(
            logGroupName="/aws/lambda/document-processor", filterPattern="Processed"
        )["events"],
        lambda evs: len(evs) >= 1,
    )
    assert found


def test_cpu_and_memory_points_cover_a_day(world):
    cw = client(world, "cloudwatch", "ap-south-1")
    stats = cw.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Dimensions=[
            {"Name": "ClusterName", "Value": "asharvi-backend-cluster"},
            {"Name": "ServiceName", "Value": "asharvi-backend-prod"},
        ],
        StartTime=datetime.now(UTC) - timedelta(hours=24),
        EndTime=datetime.now(UTC) + timedelta(minutes=1),
        Period=60,
        Statistics=["Average"],
    )["Datapoints"]
    assert len(stats) >= 24 * 60 - 2  # one a minute, a whole day
    assert all(0 < p["Average"] < 100 for p in stats)
    stamps = sorted(p["Timestamp"] for p in stats)
    assert max((b - a).total_seconds() for a, b in itertools.pairwise(stamps)) == 60
    # Per task where Container Insights is on (asharvi's cluster).
    task = client(world, "ecs", "ap-south-1").list_tasks(
        cluster="asharvi-backend-cluster", serviceName="asharvi-backend-prod"
    )["taskArns"][0]
    per_task = cw.get_metric_statistics(
        Namespace="ECS/ContainerInsights",
        MetricName="MemoryUtilized",
        Dimensions=[
            {"Name": "ClusterName", "Value": "asharvi-backend-cluster"},
            {"Name": "TaskDefinitionFamily", "Value": "asharvi-backend-prod"},
            {"Name": "TaskId", "Value": task.rsplit("/", 1)[-1]},
        ],
        StartTime=datetime.now(UTC) - timedelta(hours=3),
        EndTime=datetime.now(UTC) + timedelta(minutes=1),
        Period=60,
        Statistics=["Average"],
    )["Datapoints"]
    assert len(per_task) >= 170


def test_docu_cr_memory_climbs_since_its_deploy_and_its_alarm_says_so(world):
    cw = client(world, "cloudwatch", "us-east-1")
    points = cw.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="MemoryUtilization",
        Dimensions=[
            {"Name": "ClusterName", "Value": "docu-cr-backend-cluster"},
            {"Name": "ServiceName", "Value": "docu-cr-backend-service"},
        ],
        StartTime=datetime.now(UTC) - timedelta(hours=24),
        EndTime=datetime.now(UTC) + timedelta(minutes=1),
        Period=3600,
        Statistics=["Average"],
    )["Datapoints"]
    hourly = [p["Average"] for p in sorted(points, key=lambda p: p["Timestamp"])]
    assert hourly[-1] > 55 > hourly[5]  # the leak: over the alarm's threshold now, not after the deploy
    alarm = cw.describe_alarms(AlarmNames=["docu-cr-backend-memory-high"])["MetricAlarms"][0]
    assert alarm["StateValue"] == "ALARM"
    assert alarm["StateReason"].startswith("Threshold Crossed: 3 out of the last 3 datapoints")
    history = cw.describe_alarm_history(AlarmName="docu-cr-backend-memory-high")["AlarmHistoryItems"]
    assert history[0]["HistorySummary"] == "Alarm updated from OK to ALARM"


def test_broken_task_leaves_a_crash_in_its_stream(world):
    ecs = client(world, "ecs", "ap-south-1")
    ecs.update_service(
        cluster="asharvi-backend-cluster",
        service="asharvi-backend-staging",
        taskDefinition="asharvi-backend-prod:5",
    )
    logs = client(world, "logs", "ap-south-1")
    world.scheduler.wait_for(lambda: False, timeout=0.6)  # a dozen ticks
    stopped = ecs.list_tasks(
        cluster="asharvi-backend-cluster", serviceName="asharvi-backend-staging", desiredStatus="STOPPED"
    )["taskArns"]
    assert stopped
    task_id = stopped[0].rsplit("/", 1)[-1]
    events = logs.get_log_events(
        logGroupName="/aws/ecs/asharvi-backend-prod", logStreamName=f"ecs/asharvi-backend/{task_id}"
    )["events"]
    assert any("Cannot find module" in e["message"] for e in events)
