"""The timeline builder with signal values: order, diffs, error runs, DLQ depth, the alarm fallback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from console.aws.alarm_history import AlarmChange
from console.model import LogEvent, MetricSeries, ServiceEvent
from console.triage.signals import ErrorCounts, QueueSignal
from console.triage.sources import Notes, classify
from console.triage.timeline import build, parse_duration, parse_when

from .signals_factory import NOW, REGION, alarm, deployment, queue, revision, service, signals, task


def test_entries_are_oldest_first_and_a_deployment_says_what_it_changed() -> None:
    svc = service(
        deployment(
            5,
            ago=1,
            state="FAILED",
            reason="ECS deployment circuit breaker: tasks failed to start.",
            status="ACTIVE",
        ),
        deployment(4, ago=5),
        events=(
            ServiceEvent(
                "e1",
                NOW - timedelta(minutes=50),
                "(service shop-api) deployment ecs-svc/500 deployment failed: tasks failed to start.",
            ),
        ),
    )
    s = signals(
        svc,
        tasks=(
            task(
                5,
                1,
                reason="Essential container in task exited",
                code="EssentialContainerExited",
                exit_code=1,
                stopped_ago=0.9,
            ),
        ),
    )
    entries = build(s)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    started = next(e for e in entries if e.kind == "deployment" and "shop-api:5 started" in e.summary)
    assert "from shop-api:4: image" in started.summary
    assert started.ref.type == "revision" and started.ref.previous == "shop-api:4"
    assert any("image:" in line and "v1.5.0" in line for line in started.detail)
    failed = next(e for e in entries if e.kind == "deployment" and "FAILED" in e.summary)
    assert failed.severity == "critical" and "circuit breaker" in failed.summary
    stop = next(e for e in entries if e.kind == "task-stopped")
    assert "api exit 1" in stop.summary and stop.severity == "critical"
    assert stop.ref.stream == f"ecs/api/{s.tasks[0].id}" and stop.ref.group == "/ecs/shop-api"
    assert entries.index(started) < entries.index(stop)
    doc = stop.as_json()
    assert doc["at"].endswith("Z") and doc["ref"]["type"] == "task" and doc["kind"] == "task-stopped"


def test_revisions_registered_in_the_window_carry_their_diff() -> None:
    entries = [e for e in build(signals(start=NOW - timedelta(hours=24))) if e.kind == "revision"]
    assert [e.ref.revision for e in entries] == [f"shop-api:{r}" for r in range(1, 6)]
    assert [e.ref.revision for e in build(signals()) if e.kind == "revision"] == ["shop-api:4", "shop-api:5"]
    assert entries[0].ref.previous == "" and entries[1].ref.previous == "shop-api:1"
    assert "image" in entries[1].summary


def test_error_minutes_become_one_entry_per_run_with_its_peak() -> None:
    base = int((NOW - timedelta(hours=1)).timestamp() * 1000)
    base -= base % 60_000
    per_minute = ((base, 2), (base + 60_000, 9), (base + 120_000, 1), (base + 30 * 60_000, 4))
    sample = LogEvent(
        "1",
        "/ecs/shop-api",
        "ecs/api/abc",
        base + 61_000,
        '{"level": "error", "msg": "payment failed", "err": {"message": "timeout"}}',
    )
    entries = [e for e in build(signals(errors=ErrorCounts(per_minute, (sample,), 16))) if e.kind == "errors"]
    assert len(entries) == 2
    assert entries[0].summary.startswith("12 error lines in 3 min (peak 9/min at ")
    assert "payment failed: timeout" in entries[0].summary
    assert (
        entries[0].ref.type == "logs"
        and entries[0].ref.at_ms == base
        and entries[0].ref.stream == "ecs/api/abc"
    )
    assert entries[1].summary.startswith("4 error lines in 1 min")


def test_dlq_depth_changes_and_the_depth_alone_when_there_is_no_history() -> None:
    dlq = queue("shop-dlq", visible=7, sources=("arn:aws:sqs:x:1:shop-queue",))
    src = queue("shop-queue", dlq_arn=dlq.arn)
    points = tuple(NOW - timedelta(minutes=m) for m in (30, 25, 20))
    depth = MetricSeries("ApproximateNumberOfMessagesVisible", "shop-dlq", points, (0.0, 0.0, 7.0))
    (entry,) = [e for e in build(signals(queues=(QueueSignal(src, dlq, depth),))) if e.kind == "dlq"]
    assert entry.summary == "DLQ shop-dlq depth 0 -> 7" and entry.severity == "warning"
    (alone,) = [e for e in build(signals(queues=(QueueSignal(src, dlq, None),))) if e.kind == "dlq"]
    assert alone.summary == "DLQ shop-dlq holds 7 messages (no depth history)"


def test_alarm_changes_or_the_current_state_when_history_is_absent() -> None:
    change = AlarmChange(
        "shop-api-memory-high",
        REGION,
        NOW - timedelta(minutes=20),
        "Alarm updated from OK to ALARM",
        "OK",
        "ALARM",
        "Threshold Crossed",
    )
    (entry,) = [
        e
        for e in build(signals(alarms=(alarm("shop-api-memory-high"),), alarm_changes=(change,)))
        if e.kind == "alarm"
    ]
    assert entry.summary == "alarm shop-api-memory-high: OK -> ALARM: Threshold Crossed"
    assert entry.ref.type == "alarm" and entry.ref.alarm == "shop-api-memory-high"
    fallback = [
        e
        for e in build(signals(alarms=(alarm("shop-api-memory-high"),), alarm_history_available=False))
        if e.kind == "alarm"
    ]
    assert len(fallback) == 1 and "is ALARM (history not available)" in fallback[0].summary


def test_audit_entries_of_the_service_say_who_did_what() -> None:
    audit = (
        {
            "time": (NOW - timedelta(hours=2)).isoformat(),
            "action": "rollback",
            "result": "applied",
            "caller": "arn:aws:iam::123456789012:user/ana",
            "before": {"taskDefinition": "shop-api:5"},
            "after": {"taskDefinition": "shop-api:4"},
        },
    )
    (entry,) = [e for e in build(signals(audit=audit)) if e.kind == "audit"]
    assert (
        entry.summary
        == "opsconsole rollback applied (taskDefinition shop-api:5 -> shop-api:4) by arn:aws:iam::123456789012:user/ana"
    )


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("6h", 21600), ("2d", 172800), ("30", 1800)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


def test_bad_durations_and_times_name_the_text() -> None:
    with pytest.raises(ValueError, match="'yesterday'"):
        parse_duration("yesterday")
    with pytest.raises(ValueError, match="'noon'"):
        parse_when("noon", NOW)
    assert parse_when("2026-12-02T01:00Z", NOW).isoformat() == "2026-12-02T01:00:00+00:00"
    assert parse_when("1h", NOW) == NOW - timedelta(hours=1)


def error(code: str, status: int, op: str = "DescribeAlarmHistory") -> ClientError:
    return ClientError(
        {
            "Error": {"Code": code, "Message": "<!doctype html>"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        op,
    )


def test_classify_tells_throttled_absent_and_failed_apart() -> None:
    assert classify(error("ThrottlingException", 400))[0] == "throttled"
    state, message = classify(error("500", 500))
    assert state == "unavailable" and "html" not in message.lower()
    assert classify(error("UnknownOperationException", 400))[0] == "unavailable"
    assert classify(error("AccessDeniedException", 400))[0] == "failed"


async def test_an_absent_api_is_asked_once_per_endpoint() -> None:
    asked: list[int] = []

    async def absent() -> list[int]:
        asked.append(1)
        raise error("UnknownOperationException", 400)

    for _ in range(3):
        notes = Notes("http://127.0.0.1:1/test-absent")
        assert await notes.optional("cloudwatch.DescribeAlarmHistory", absent, []) == []
        assert notes.items["cloudwatch.DescribeAlarmHistory"].state == "unavailable"
    assert asked == [1]


def test_revision_factory_is_sane() -> None:
    assert revision(3).family_revision == "shop-api:3"
