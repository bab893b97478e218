"""The live activity: log lines in each stack's format, ECS metrics, documents failing into the DLQ."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from console.demo.activity import Activity
from tests.demo.helpers import client


def test_a_round_writes_lines_metrics_and_lambda_logs(world):
    live = Activity(world.regions, metrics_every_s=0, dlq_every_s=0, seed=1)
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

    sqs = client(world, "sqs", "ap-south-1")
    dlq = sqs.get_queue_url(QueueName="document-verification-dlq")["QueueUrl"]
    held = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])
    assert int(held["Attributes"]["ApproximateNumberOfMessages"]) == 30  # 25 seeded + 1 per round

    cw = client(world, "cloudwatch", "ap-south-1")
    stats = cw.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Dimensions=[
            {"Name": "ClusterName", "Value": "asharvi-backend-cluster"},
            {"Name": "ServiceName", "Value": "asharvi-backend-prod"},
        ],
        StartTime=datetime.now(UTC) - timedelta(minutes=70),
        EndTime=datetime.now(UTC) + timedelta(minutes=1),
        Period=60,
        Statistics=["Average"],
    )["Datapoints"]
    assert len(stats) >= 55  # an hour of backfill plus the live points
    assert all(0 < p["Average"] < 100 for p in stats)


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
