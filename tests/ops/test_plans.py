"""Plan values of every operation, from model values alone (no AWS): warnings, refusals, requests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from console.config import ServiceRules
from console.errors import BadInput, Refused
from console.model import (
    ContainerDefinition,
    Deployment,
    EnvVar,
    SecretRef,
    Service,
    ServiceEvent,
    Task,
    TaskDefinition,
)
from console.ops.guards import merge
from console.ops.redeploy import redeploy_plan, restart_count
from console.ops.resolve import parse_arn
from console.ops.revision_diff import diff_revisions
from console.ops.rollback import previous_active, revision_ref, rollback_plan
from console.ops.rollout import COMPLETED, FAILED, IN_PROGRESS, assess, breaker_notes, new_events
from console.ops.scale import scale_plan
from console.ops.stoptask import stop_task_plan

REGION = "us-east-1"
ACCOUNT = "123456789012"


def td(
    rev: int,
    *,
    image: str = "repo/api:1.0",
    env: dict[str, str] | None = None,
    status: str = "ACTIVE",
    secrets: dict[str, str] | None = None,
    cpu: str = "256",
    memory: str = "512",
) -> TaskDefinition:
    env = {"LOG_LEVEL": "info", "API_TOKEN": "abc123"} if env is None else env
    secrets = {"DB_PASS": "arn:aws:secretsmanager:us-east-1:1:secret:db"} if secrets is None else secrets
    return TaskDefinition(
        arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:{rev}",
        family="api",
        revision=rev,
        status=status,
        cpu=cpu,
        memory=memory,
        containers=(
            ContainerDefinition(
                name="api",
                image=image,
                environment=tuple(EnvVar(k, v) for k, v in env.items()),
                secrets=tuple(SecretRef(k, v) for k, v in secrets.items()),
            ),
        ),
        registered_at=datetime(2026, 1, rev, tzinfo=UTC),
    )


def dep(
    id: str,
    rev: int,
    *,
    status: str = "PRIMARY",
    rollout: str = COMPLETED,
    desired: int = 2,
    running: int = 2,
    pending: int = 0,
    reason: str = "",
) -> Deployment:
    return Deployment(
        id=id,
        status=status,
        task_definition=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:{rev}",
        desired=desired,
        running=running,
        pending=pending,
        rollout_state=rollout,
        rollout_reason=reason,
    )


def service(
    desired: int = 2,
    running: int = 2,
    *,
    rev: int = 7,
    lb: bool = False,
    deployments: tuple[Deployment, ...] | None = None,
    events: tuple[ServiceEvent, ...] = (),
) -> Service:
    return Service(
        arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/api-cluster/api",
        name="api",
        cluster_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/api-cluster",
        region=REGION,
        status="ACTIVE",
        desired=desired,
        running=running,
        pending=0,
        task_definition=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:{rev}",
        deployments=deployments
        if deployments is not None
        else (dep("ecs-svc/1", rev, desired=desired, running=running),),
        events=events,
        load_balancers=({"targetGroupArn": "arn:tg", "containerName": "api", "containerPort": 80},)
        if lb
        else (),
    )


NO_RULES = merge({}, ServiceRules())
SINGLE = merge({}, ServiceRules(single_writer=True, min_count=0, max_count=1), "profile test")


# --- scale ------------------------------------------------------------------------------------


def test_scale_plan_sends_only_desired_count() -> None:
    plan = scale_plan(service(2), 3, NO_RULES)
    assert plan.action == "scale"
    assert plan.request == {"desiredCount": 3}
    assert [(c.field, c.before, c.after) for c in plan.changes] == [("desiredCount", 2, 3)]
    assert plan.target.name == "api" and plan.target.cluster == "api-cluster" and plan.target.region == REGION
    assert plan.warnings == ()
    assert "desiredCount: 2 -> 3" in plan.render()


def test_scale_to_zero_behind_a_load_balancer_warns_twice() -> None:
    plan = scale_plan(service(2, lb=True), 0, NO_RULES)
    text = " | ".join(plan.warnings)
    assert "scaling to 0" in text
    assert "load balancer" in text
    assert len(plan.warnings) == 2
    assert len(scale_plan(service(2), 0, NO_RULES).warnings) == 1


def test_scale_to_same_count_is_a_noop() -> None:
    plan = scale_plan(service(2), 2, NO_RULES)
    assert plan.is_noop and "already 2" in plan.noop_reason


@pytest.mark.parametrize("count", [0, 5, 9])
def test_scale_outside_profile_bounds_is_refused(count: int) -> None:
    with pytest.raises(Refused) as info:
        scale_plan(service(2), count, merge({}, ServiceRules(min_count=1, max_count=4)))
    assert info.value.exit_code == 2
    assert ("rule min 1 (profile)" if count < 1 else "rule max 4 (profile)") in str(info.value)


def test_scale_within_bounds_names_each_rule_and_its_source() -> None:
    plan = scale_plan(
        service(2), 4, merge({}, ServiceRules(min_count=1, max_count=4), "profile p, services.api")
    )
    assert plan.rules == ("rule: min 1 (profile p, services.api)", "rule: max 4 (profile p, services.api)")
    assert plan.lines()[1:3] == [
        "  rule: min 1 (profile p, services.api)",
        "  rule: max 4 (profile p, services.api)",
    ]


def test_single_writer_forbids_more_than_one() -> None:
    with pytest.raises(Refused, match=r"rule single writer \(profile\)"):
        scale_plan(service(1, 1), 2, merge({}, ServiceRules(single_writer=True)))
    plan = scale_plan(service(0, 0), 1, merge({}, ServiceRules(single_writer=True)))
    assert plan.rules == ("rule: single writer (profile)",)


def test_negative_count_is_bad_input() -> None:
    with pytest.raises(BadInput):
        scale_plan(service(2), -1, NO_RULES)


def test_inactive_revision_warns() -> None:
    plan = scale_plan(service(2), 3, NO_RULES, revision_status="INACTIVE")
    assert any("INACTIVE" in w for w in plan.warnings)


# --- redeploy ---------------------------------------------------------------------------------


def test_redeploy_sends_only_force_new_deployment() -> None:
    plan = redeploy_plan(service(2), NO_RULES)
    assert plan.action == "redeploy"
    assert plan.request == {"forceNewDeployment": True}
    assert not plan.is_noop


def test_single_writer_redeploy_is_stop_first_by_default() -> None:
    plan = redeploy_plan(service(1, 1), SINGLE)
    assert plan.action == "redeploy-stop-first"
    assert plan.request == {"forceNewDeployment": True, "desiredCount": 1}
    assert any("rule single writer (profile test)" in w for w in plan.warnings)
    assert any("downtime" in w for w in plan.warnings)
    assert plan.details[0].startswith("1. scale to 0")


def test_stop_first_never_restarts_a_single_writer_with_more_than_one() -> None:
    svc = service(2, 2)
    assert restart_count(svc, SINGLE) == 1
    assert restart_count(svc, NO_RULES) == 2
    plan = redeploy_plan(svc, SINGLE)
    assert ("desiredCount", 2, 1) in [(c.field, c.before, c.after) for c in plan.changes]
    plan = redeploy_plan(svc, NO_RULES, stop_first=True)
    assert plan.request == {"forceNewDeployment": True, "desiredCount": 2}


# --- rollback ---------------------------------------------------------------------------------


def test_previous_active_revision() -> None:
    assert previous_active(7, [8, 7, 5, 3]) == 5
    assert previous_active(3, [3, 4]) is None


def test_revision_ref_forms() -> None:
    assert revision_ref("5", "api") == "api:5"
    assert revision_ref("api:5", "api") == "api:5"
    arn = "arn:aws:ecs:us-east-1:1:task-definition/api:5"
    assert revision_ref(arn, "api") == arn
    with pytest.raises(BadInput):
        revision_ref("latest", "api")


def test_rollback_plan_has_the_diff_and_sends_only_the_task_definition() -> None:
    current = td(7, image="repo/api:1.1", env={"LOG_LEVEL": "debug", "API_TOKEN": "new-secret-value"})
    target = td(5, image="repo/api:1.0")
    plan = rollback_plan(service(2, rev=7), current, target, NO_RULES)
    assert plan.action == "rollback"
    assert plan.request == {"taskDefinition": target.arn}
    assert [(c.field, c.before, c.after) for c in plan.changes] == [("taskDefinition", "api:7", "api:5")]
    text = plan.render()
    assert "image: repo/api:1.1 -> repo/api:1.0" in text
    assert "env LOG_LEVEL: debug -> info" in text
    assert "new-secret-value" not in text and "abc123" not in text  # secret-looking env values masked
    assert "registered 2026-01-05" in text


def test_rollback_to_inactive_revision_is_refused() -> None:
    with pytest.raises(Refused, match="INACTIVE"):
        rollback_plan(service(2, rev=7), td(7), td(5, status="INACTIVE"), NO_RULES)


def test_rollback_to_the_running_revision_is_a_noop() -> None:
    plan = rollback_plan(service(2, rev=7), td(7), td(7), NO_RULES)
    assert plan.is_noop


def test_roll_forward_and_inactive_current_warn() -> None:
    plan = rollback_plan(service(2, rev=7), td(7, status="INACTIVE"), td(8), NO_RULES)
    text = " | ".join(plan.warnings)
    assert "rolls forward" in text
    assert "INACTIVE" in text


def test_single_writer_rollback_is_stop_first() -> None:
    plan = rollback_plan(service(1, 1, rev=7), td(7), td(6), SINGLE)
    assert plan.action == "rollback-stop-first"
    assert plan.request["desiredCount"] == 1
    assert plan.request["taskDefinition"].endswith("api:6")


def test_rollback_plan_shows_where_the_circuit_breaker_acted() -> None:
    events = (
        ServiceEvent(
            "e2",
            datetime(2026, 1, 9, 10, 1, tzinfo=UTC),
            "(service api) rolling back to deployment ecs-svc/1.",
        ),
        ServiceEvent(
            "e1",
            datetime(2026, 1, 9, 10, 0, tzinfo=UTC),
            "(service api) deployment ecs-svc/2 deployment failed: tasks failed to start.",
        ),
    )
    deps = (
        dep(
            "ecs-svc/3",
            7,
            rollout=COMPLETED,
            reason="ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
        ),
    )
    svc = service(2, rev=7, deployments=deps, events=events)
    notes = breaker_notes(svc)
    assert any("circuit breaker" in n for n in notes)
    assert notes[-2].endswith("deployment failed: tasks failed to start.")  # oldest event first
    plan = rollback_plan(svc, td(7), td(5), NO_RULES)
    assert "AWS's circuit breaker already acted on this service:" in plan.details


# --- revision diff ----------------------------------------------------------------------------


def test_diff_covers_image_env_secrets_cpu_memory_and_containers() -> None:
    old = td(5, env={"A": "1", "GONE": "x"}, secrets={"S1": "arn:1"}, cpu="256", memory="512")
    new_containers = (
        *td(6, image="repo/api:2.0", env={"A": "2", "NEW": "y"}, secrets={"S2": "arn:2"}).containers,
        ContainerDefinition(name="sidecar", image="qdrant/qdrant:1.9"),
    )
    new = replace(td(6), cpu="512", memory="1024", containers=new_containers)
    diff = diff_revisions(old, new)
    rendered = diff.lines()
    text = "\n".join(rendered)
    assert rendered[0] == "api:5 -> api:6:"
    for expected in (
        "task: cpu: 256 -> 512",
        "task: memory: 512 -> 1024",
        "api: image: repo/api:1.0 -> repo/api:2.0",
        "api: env A: 1 -> 2",
        "api: + env NEW = y",
        "api: - env GONE (was x)",
        "api: + secret S2 = arn:2",
        "api: - secret S1 (was arn:1)",
        "sidecar: + container = qdrant/qdrant:1.9",
    ):
        assert expected in text, expected
    assert diff.summary().startswith("cpu, memory, image")
    assert "2 secret" in diff.summary()
    assert diff_revisions(old, old).empty and diff_revisions(old, old).summary() == "same"


def test_diff_reveal_shows_secret_values() -> None:
    old, new = td(5, env={"API_TOKEN": "one"}), td(6, env={"API_TOKEN": "two"})
    masked = "\n".join(diff_revisions(old, new).lines())
    assert "one" not in masked and "two" not in masked
    assert "one -> two" in "\n".join(diff_revisions(old, new).lines(reveal=True))


# --- rollout assessment -----------------------------------------------------------------------


def test_assess_completed_in_progress_failed() -> None:
    steady = service(2, deployments=(dep("d2", 7),))
    assert assess(steady, deployment_id="d2", desired=2)[0] == COMPLETED
    assert assess(steady, deployment_id="d2", desired=3)[0] == IN_PROGRESS  # scale not yet caught up
    rolling = service(
        2, deployments=(dep("d2", 7, rollout=IN_PROGRESS, running=1), dep("d1", 6, status="ACTIVE"))
    )
    assert assess(rolling, deployment_id="d2", desired=None)[0] == IN_PROGRESS
    # The circuit breaker: d2 FAILED and a rollback deployment d3 is PRIMARY.
    rolled = service(
        2,
        deployments=(
            dep("d3", 6, rollout=IN_PROGRESS),
            dep(
                "d2",
                7,
                status="ACTIVE",
                rollout=FAILED,
                reason="ECS deployment circuit breaker: tasks failed to start.",
            ),
        ),
    )
    state, reason = assess(rolled, deployment_id="d2", desired=None)
    assert state == FAILED
    assert "tasks failed to start" in reason and "rolled back to api:6" in reason
    assert assess(service(2), deployment_id="gone", desired=None)[0] == FAILED


def test_new_events_are_oldest_first_and_not_repeated() -> None:
    events = tuple(ServiceEvent(f"e{i}", None, f"m{i}") for i in (3, 2, 1))
    svc = service(2, events=events)
    assert [e.message for e in new_events(svc, {"e1"})] == ["m2", "m3"]


# --- stop task, ARNs --------------------------------------------------------------------------


def task(**kw: object) -> Task:
    base = dict(
        arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/api-cluster/0123456789abcdef",
        cluster_arn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/api-cluster",
        region=REGION,
        task_definition=f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/api:7",
        last_status="RUNNING",
        desired_status="RUNNING",
        group="service:api",
    )
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def test_stop_task_plan_records_the_reason() -> None:
    plan = stop_task_plan(task(), "  memory leak,\n restarting ")
    assert plan.action == "stop-task"
    assert plan.request == {"reason": "memory leak, restarting"}
    _before, after = plan.audit_before_after()
    assert after["reason"] == "memory leak, restarting" and after["lastStatus"] == "STOPPED"
    assert any("replacement" in w for w in plan.warnings)
    with pytest.raises(BadInput):
        stop_task_plan(task(), "   ")
    with pytest.raises(BadInput):
        stop_task_plan(task(), "x" * 300)
    assert stop_task_plan(task(last_status="STOPPED"), "why").is_noop


def test_parse_arn() -> None:
    arn = parse_arn("arn:aws:ecs:ap-south-1:1:service/asharvi-cluster/asharvi-prod")
    assert arn is not None and arn.region == "ap-south-1" and arn.path == ("asharvi-cluster", "asharvi-prod")
    assert parse_arn("wwhd-backend") is None
    with pytest.raises(BadInput):
        parse_arn("arn:aws:sqs:us-east-1:1:queue")


def test_a_failed_deployment_that_drained_away_is_explained_by_its_events() -> None:
    svc = service(3, deployments=(dep("d3", 4, rollout=IN_PROGRESS),))
    events = [
        "(service api) (deployment d2) deployment failed: tasks failed to start.",
        "(service api) rolling back to deployment d1.",
    ]
    state, reason = assess(svc, deployment_id="d2", desired=None, events=events)
    assert state == FAILED
    assert reason == (
        "deployment d2 failed: deployment failed: tasks failed to start.; "
        "circuit breaker rolled back to api:4 (deployment d3)"
    )
    assert assess(svc, deployment_id="d2", desired=None)[1].startswith("deployment d2 is gone: replaced by")


def test_diff_masks_credentials_inside_urls() -> None:
    old = td(5, env={"MONGO_URI": "mongodb+srv://app:s3cretpw@db.example.net/app"})
    new = td(6, env={"MONGO_URI": "mongodb+srv://app:n3wpw@db2.example.net/app"})
    text = "\n".join(diff_revisions(old, new).lines())
    assert "s3cretpw" not in text and "n3wpw" not in text
    assert "db2.example.net" in text


def test_a_single_writer_left_at_zero_is_started_with_one() -> None:
    """A stop-then-start killed after its scale-down leaves 0 behind; the rerun restores the one task."""
    svc = service(0, 0)
    assert restart_count(svc, SINGLE) == 1
    plan = redeploy_plan(svc, SINGLE)
    assert plan.request == {"forceNewDeployment": True, "desiredCount": 1}
    assert any("interrupted stop-then-start" in w for w in plan.warnings)
