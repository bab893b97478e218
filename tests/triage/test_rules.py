"""Each rule of ``why`` with signal values as AWS returns them (no server: the rules are pure)."""

from __future__ import annotations

from datetime import timedelta

from console.aws.alarm_history import AlarmChange
from console.aws.scaling import ScalableTarget, ScalingActivity
from console.aws.target_groups import HealthCheck
from console.model import LogEvent, MetricSeries, SecretRef, ServiceEvent, TargetHealth
from console.triage import rules
from console.triage.signals import ErrorCounts, QueueSignal, TaskTail

from .signals_factory import (
    ACCOUNT,
    NOW,
    REGION,
    alarm,
    deployment,
    queue,
    revision,
    service,
    signals,
    task,
)

PULL_REASON = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref "
    f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/shop-api:v9.9.9: {ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/"
    "shop-api:v9.9.9: not found"
)
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/stripe-key-AbCdEf"
SECRET_REASON = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
    f"unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret {SECRET} "
    "from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret."
)
ESSENTIAL = "Essential container in task exited"
OOM = "OutOfMemoryError: Container killed due to memory usage"


def codes(s: object) -> list[str]:
    return [f.code for f in rules.findings(s)]  # type: ignore[arg-type]


def failed_rollout() -> object:
    return service(
        deployment(
            5,
            state="FAILED",
            reason="ECS deployment circuit breaker: tasks failed to start.",
            status="ACTIVE",
            ago=0.3,
            failed=3,
        ),
        deployment(4, ago=30),
        events=(
            ServiceEvent(
                "e2", NOW - timedelta(minutes=5), "(service shop-api) rolling back to deployment ecs-svc/400."
            ),
            ServiceEvent(
                "e1",
                NOW - timedelta(minutes=6),
                "(service shop-api) deployment ecs-svc/500 deployment failed: tasks failed to start.",
            ),
        ),
    )


def test_a_steady_service_has_no_findings() -> None:
    assert rules.findings(signals()) == []


def test_every_code_is_listed_once() -> None:
    assert len(set(rules.CODES)) == len(rules.CODES) == 12


def test_image_pull_failed_names_the_image_tag_and_ranks_above_the_circuit_breaker() -> None:
    s = signals(
        failed_rollout(),
        tasks=(
            task(5, 1, reason=PULL_REASON, code="TaskFailedToStart"),
            task(5, 2, reason=PULL_REASON, code="TaskFailedToStart"),
        ),
    )
    found = rules.findings(s)
    assert [f.code for f in found][:2] == ["image-pull-failed", "circuit-breaker-rolled-back"]
    first = found[0]
    assert "shop-api:v9.9.9" in first.summary and "2 task(s) of shop-api:5" in first.summary
    assert any("CannotPullContainerError" in e.text for e in first.evidence)
    assert first.next.command.startswith("opsconsole rollback shop shop-api")


def test_secret_missing_names_the_secret_and_the_env_var() -> None:
    tds = {
        f"shop-api:{r}": revision(r, secrets=(SecretRef("STRIPE_KEY", SECRET),) if r == 5 else ())
        for r in range(1, 6)
    }
    s = signals(
        failed_rollout(),
        task_definitions=tds,
        tasks=(task(5, 1, reason=SECRET_REASON, code="TaskFailedToStart"),),
    )
    first = rules.findings(s)[0]
    assert first.code == "secret-missing"
    assert "shop/stripe-key-AbCdEf" in first.summary and "STRIPE_KEY" in first.summary
    assert "secretsmanager describe-secret" in first.next.command


def test_oom_killed_shows_exit_code_137_and_the_memory_limit() -> None:
    s = signals(
        tasks=(
            task(
                4, 1, reason=ESSENTIAL, code="EssentialContainerExited", exit_code=137, container_reason=OOM
            ),
        ),
        alarms=(alarm("shop-api-memory-high"),),
    )
    found = rules.findings(s)
    assert [f.code for f in found] == ["oom-killed", "alarm-firing"]
    assert "exit code 137" in found[0].summary and "512 MiB" in found[0].summary
    assert any(e.kind == "exit-code" and "137" in e.text for e in found[0].evidence)
    assert not any(f.code == "essential-container-exited" for f in found)  # the OOM explains the exit


def test_health_check_failing_names_the_path_and_the_reason_code() -> None:
    arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/shop-tg/abc"
    s = signals(
        targets=(
            TargetHealth(
                arn,
                "10.0.1.5",
                8080,
                "unhealthy",
                "Target.ResponseCodeMismatch",
                "Health checks failed with these codes: [503]",
            ),
        ),
        health_checks={arn: HealthCheck(arn, "shop-tg", "HTTP", "traffic-port", "/health", "200")},
        tasks=(
            task(
                4,
                1,
                reason=f"Task failed ELB health checks in (target-group {arn})",
                code="ServiceSchedulerInitiated",
            ),
        ),
    )
    first = rules.findings(s)[0]
    assert first.code == "health-check-failing"
    assert (
        "/health" in first.summary
        and "Target.ResponseCodeMismatch" in first.summary
        and "[503]" in first.summary
    )
    assert "--include /health" in first.next.command


def test_essential_container_exited_quotes_the_last_error_line() -> None:
    t = task(5, 1, reason=ESSENTIAL, code="EssentialContainerExited", exit_code=1)
    tail = TaskTail(
        t.arn,
        "api",
        "/ecs/shop-api",
        f"ecs/api/{t.id}",
        (
            LogEvent("1", "/ecs/shop-api", f"ecs/api/{t.id}", 1, "> node dist/main.js"),
            LogEvent(
                "2",
                "/ecs/shop-api",
                f"ecs/api/{t.id}",
                2,
                "Error: Cannot find module '/app/dist/config/env.js'",
            ),
        ),
    )
    s = signals(failed_rollout(), tasks=(t,), tails=(tail,))
    found = rules.findings(s)
    assert [f.code for f in found] == ["essential-container-exited", "circuit-breaker-rolled-back"]
    assert "Cannot find module '/app/dist/config/env.js'" in found[0].summary
    assert any(
        e.kind == "log" and e.ref is not None and e.ref.stream == f"ecs/api/{t.id}" for e in found[0].evidence
    )


def test_circuit_breaker_names_both_revisions_and_tells_that_the_good_one_runs() -> None:
    s = signals(failed_rollout())
    (f,) = rules.findings(s)
    assert f.code == "circuit-breaker-rolled-back"
    assert "shop-api:5" in f.summary and "rolled back to shop-api:4" in f.summary
    assert "shop-api:4" in f.next.text


def test_rollback_next_names_the_revision_and_how_long_it_was_steady() -> None:
    svc = service(deployment(5, ago=0.5, state="IN_PROGRESS"), deployment(4, status="ACTIVE", ago=72))
    t = task(5, 1, reason=ESSENTIAL, code="EssentialContainerExited", exit_code=1)
    (f, *_rest) = rules.findings(signals(svc, tasks=(t,)))
    assert f.code == "essential-container-exited"
    assert f.next.text.startswith("roll back to shop-api:4, steady for 3 d")
    assert f.next.command == "opsconsole rollback shop shop-api --to 4 --wait"


def test_deployment_stuck_after_fifteen_minutes_without_progress() -> None:
    svc = service(
        deployment(5, state="IN_PROGRESS", ago=0.5), deployment(4, status="ACTIVE", ago=30), desired=2
    )
    assert codes(signals(svc)) == ["deployment-stuck"]
    young = service(deployment(5, state="IN_PROGRESS", ago=0.05))
    assert codes(signals(young)) == []


def test_alarm_firing_skips_scaling_alarms_and_ok_ones() -> None:
    scaling = alarm("TargetTracking-low")
    scaling = type(scaling)(
        **{
            **{k: getattr(scaling, k) for k in scaling.__slots__},
            "alarm": type(scaling.alarm)(
                **{
                    **{k: getattr(scaling.alarm, k) for k in scaling.alarm.__slots__},
                    "actions": ("arn:aws:autoscaling:x",),
                }
            ),
        }
    )
    s = signals(
        alarms=(alarm("cpu-high", state="OK"), scaling, alarm("memory-high")),
        alarm_changes=(
            AlarmChange(
                "memory-high",
                REGION,
                NOW - timedelta(minutes=20),
                "Alarm updated from OK to ALARM",
                "OK",
                "ALARM",
                "crossed",
            ),
        ),
    )
    (f,) = rules.findings(s)
    assert f.code == "alarm-firing" and "memory-high" in f.summary and "> 80" in f.summary
    assert any("OK -> ALARM" in e.text for e in f.evidence)


def test_dlq_growing_names_the_largest_error_group() -> None:
    dlq = queue("shop-dlq", visible=12, sources=("arn:aws:sqs:x:1:shop-queue",))
    src = queue("shop-queue", dlq_arn=dlq.arn)
    depth = MetricSeries(
        "ApproximateNumberOfMessagesVisible", "shop-dlq", (NOW - timedelta(hours=1), NOW), (2.0, 12.0)
    )
    s = signals(queues=(QueueSignal(src, dlq, depth, (("PdfParseError", 7), ("Timeout", 3)), 10),))
    (f,) = rules.findings(s)
    assert f.code == "dlq-growing"
    assert "12 failed messages" in f.summary and "+10" in f.summary and "PdfParseError" in f.summary
    assert f.next.command == "opsconsole peek shop-dlq -n 5"


def test_error_spike_after_deploy_compares_rates_before_and_after() -> None:
    svc = service(deployment(5, ago=1), deployment(4, status="ACTIVE", ago=30))
    d_ms = int((NOW - timedelta(hours=1)).timestamp() * 1000)
    per_minute = tuple((d_ms - 120 * 60_000 + i * 60_000, 1) for i in range(0, 120, 30)) + tuple(
        (d_ms + i * 60_000, 5) for i in range(30)
    )
    sample = LogEvent("x", "/ecs/shop-api", "ecs/api/t", d_ms + 60_000, "ERROR: payment provider 500")
    s = signals(svc, errors=ErrorCounts(per_minute, (sample,), 200))
    (f,) = rules.findings(s)
    assert f.code == "error-spike-after-deploy" and "shop-api:5" in f.summary
    assert f.next.command == "opsconsole rollback shop shop-api --to 4 --wait"
    quiet = signals(svc, errors=ErrorCounts(tuple((d_ms + i * 60_000, 1) for i in range(5)), (), 5))
    assert codes(quiet) == []


def test_single_writer_conflict_names_the_second_task_and_outranks_its_exits() -> None:
    holder = task(4, 1, stopped_ago=None, started_ago=3)
    second = task(
        4, 2, reason=ESSENTIAL, code="EssentialContainerExited", exit_code=1, started_ago=0.2, stopped_ago=0.1
    )
    tail = TaskTail(
        second.arn,
        "api",
        "/ecs/shop-api",
        f"ecs/api/{second.id}",
        (LogEvent("1", "/ecs/shop-api", "s", 1, "Error: lock file /qdrant/storage/.lock is already in use"),),
    )
    s = signals(tasks=(holder, second), tails=(tail,), single_writer=True)
    found = rules.findings(s)
    assert found[0].code == "single-writer-conflict"
    assert second.id[:8] in found[0].summary and holder.id[:8] in found[0].summary
    assert any("lock" in e.text for e in found[0].evidence)
    assert "essential-container-exited" not in [f.code for f in found]
    assert second.id in found[0].next.command


def test_autoscaling_moved_count_from_scaling_activities() -> None:
    act = ScalingActivity(
        NOW - timedelta(minutes=30),
        "Successful",
        "Setting desired count to 3.",
        "monitor alarm TargetTracking-high in state ALARM triggered policy cpu-target",
    )
    s = signals(
        service(deployment(4), desired=3),
        scalable=ScalableTarget("service/shop/shop-api", 1, 4),
        scaling=(act,),
    )
    (f,) = rules.findings(s)
    assert f.code == "autoscaling-moved-count" and "1-4" in f.summary and f.severity == "info"
    assert any("Setting desired count to 3." in e.text for e in f.evidence)


def test_autoscaling_moved_count_from_the_audit_when_activities_are_absent() -> None:
    audit = (
        {"time": (NOW - timedelta(hours=1)).isoformat(), "action": "scale", "after": {"desiredCount": 3}},
    )
    s = signals(
        service(deployment(4), desired=1), scalable=ScalableTarget("service/shop/shop-api", 1, 4), audit=audit
    )
    assert codes(s) == ["autoscaling-moved-count"]
    assert (
        codes(signals(service(deployment(4), desired=1), audit=audit)) == []
    )  # no scalable target: a person did it
