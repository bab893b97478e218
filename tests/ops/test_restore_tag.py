"""The count a plain stop-then-start keeps in a service tag while the service is stopped.

Written before the scale-down (a failure to write it stops nothing), removed after the deploy
(a failure to remove it is harmless: it is read only at desiredCount 0), never written for a
single writer (it restarts with 1 whatever the tag says), and named in the plan when a rerun
restores from it.
"""

from __future__ import annotations

import pytest

from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec
from console.ops import audit
from console.ops.redeploy import RESTORE_TAG

from .support import Recorder, aws
from .test_cli_ops import DOCU, WWHD, cli, describe

REGION = "us-east-1"


def tags_of(runtime: DemoRuntime, cluster: str, service: str) -> dict[str, str]:
    arn = describe(runtime, REGION, cluster, service)["serviceArn"]
    tags = aws(runtime, "ecs", REGION).list_tags_for_resource(resourceArn=arn)["tags"]
    return {t["key"]: t["value"] for t in tags}


def interrupted(runtime: DemoRuntime, count: str) -> None:
    """DOCU as a stop-then-start killed after its scale-down leaves it: at 0, the count in the tag."""
    ecs = aws(runtime, "ecs", REGION)
    arn = describe(runtime, REGION, *DOCU)["serviceArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": RESTORE_TAG, "value": count}])
    ecs.update_service(cluster=DOCU[0], service=DOCU[1], desiredCount=0)


def test_the_tag_is_written_before_the_stop_and_removed_after_the_deploy(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, _out, err = cli(
        capsys, ops_world, "redeploy", *DOCU, "--stop-first", "--yes", "--wait", "--timeout", "30"
    )
    assert rc == 0, err
    writes = [
        (name, params.get("desiredCount"))
        for name, params, status in recorder.calls
        if status == 200 and name in ("ecs.TagResource", "ecs.UpdateService", "ecs.UntagResource")
    ]
    assert writes == [
        ("ecs.TagResource", None),
        ("ecs.UpdateService", 0),
        ("ecs.UpdateService", 2),
        ("ecs.UntagResource", None),
    ]
    [tagged] = recorder.of("ecs.TagResource")
    assert tagged["tags"] == [{"key": RESTORE_TAG, "value": "2"}]
    assert RESTORE_TAG not in tags_of(ops_world, *DOCU)


@pytest.mark.usefixtures("fast_retries")
def test_a_tag_that_cannot_be_written_stops_nothing(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    ops_world.server.middleware.set_faults(FaultSpec.parse("throttle=1,only=ecs,ops=TagResource"))
    rc, _out, err = cli(
        capsys, ops_world, "redeploy", *DOCU, "--stop-first", "--yes", "--wait", "--timeout", "30"
    )
    ops_world.server.middleware.set_faults(None)
    assert rc == 1
    assert err.startswith("opsconsole: error: ") and err.count("\n") == 1
    assert "TagResource" in err and "nothing was stopped or deployed" in err
    assert "still runs at desiredCount 2" in err
    assert not recorder.of("ecs.UpdateService")  # the scale-down was never sent
    svc = describe(ops_world, REGION, *DOCU)
    assert (svc["desiredCount"], svc["runningCount"]) == (2, 2)
    [entry] = list(audit.entries())
    assert entry["result"] == "failed"


@pytest.mark.usefixtures("fast_retries")
def test_a_tag_that_cannot_be_removed_is_left_and_the_deploy_stands(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    ops_world.server.middleware.set_faults(FaultSpec.parse("throttle=1,only=ecs,ops=UntagResource"))
    rc, out, err = cli(
        capsys, ops_world, "redeploy", *DOCU, "--stop-first", "--yes", "--wait", "--timeout", "30"
    )
    ops_world.server.middleware.set_faults(None)
    assert rc == 0, err
    assert "done: " in out and "2/2 running" in out
    assert tags_of(ops_world, *DOCU)[RESTORE_TAG] == "2"
    # Left on a running service it changes nothing: the next plan reads the desired count.
    rc, out, err = cli(capsys, ops_world, "redeploy", *DOCU, "--stop-first", "--dry-run")
    assert rc == 0, err
    assert "recorded" not in out and "desiredCount:" not in out


def test_a_single_writer_is_never_tagged(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, _out, err = cli(capsys, ops_world, "redeploy", *WWHD, "--yes", "--wait", "--timeout", "30")
    assert rc == 0, err
    assert not recorder.of("ecs.TagResource") and not recorder.of("ecs.UntagResource")


@pytest.mark.parametrize(
    "command",
    [
        ("redeploy", *DOCU, "--stop-first"),
        ("rollback", *DOCU, "--stop-first"),
        ("env", "set", *DOCU, "RESTORE_CHECK=1", "--stop-first"),
    ],
    ids=["redeploy", "rollback", "env-set"],
)
def test_the_plan_names_the_remembered_count(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, command: tuple[str, ...]
) -> None:
    interrupted(ops_world, "2")
    rc, out, err = cli(capsys, ops_world, *command, "--dry-run")
    assert rc == 0, err
    assert "desiredCount: 0 -> 2" in out
    assert f"recorded 2 task(s) on the service (tag {RESTORE_TAG}): it is started with 2" in out


def test_without_the_tag_a_stopped_service_restarts_with_none(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    """Scaled to 0 on purpose (no tag): the plan keeps 0 and says so."""
    aws(ops_world, "ecs", REGION).update_service(cluster=DOCU[0], service=DOCU[1], desiredCount=0)
    rc, out, err = cli(capsys, ops_world, "redeploy", *DOCU, "--stop-first", "--dry-run")
    assert rc == 0, err
    assert "recorded" not in out
    assert "the deployment starts no task" in out


def test_a_deliberate_scale_to_zero_forgets_the_count(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    """A tag left behind (its removal failed) must not bring tasks back after `scale ... 0`."""
    arn = describe(ops_world, REGION, *DOCU)["serviceArn"]
    aws(ops_world, "ecs", REGION).tag_resource(resourceArn=arn, tags=[{"key": RESTORE_TAG, "value": "2"}])
    rc, _out, err = cli(capsys, ops_world, "scale", *DOCU, "0", "--yes")
    assert rc == 0, err
    assert RESTORE_TAG not in tags_of(ops_world, *DOCU)
    rc, out, err = cli(capsys, ops_world, "redeploy", *DOCU, "--stop-first", "--dry-run")
    assert rc == 0, err
    assert "recorded" not in out and "the deployment starts no task" in out


def test_a_scale_to_zero_removes_only_the_restore_tag(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    arn = describe(ops_world, REGION, *DOCU)["serviceArn"]
    before = tags_of(ops_world, *DOCU)
    assert before  # the seeded service carries the team's tags
    rc, _out, err = cli(capsys, ops_world, "scale", *DOCU, "0", "--yes")
    assert rc == 0, err
    assert tags_of(ops_world, *DOCU) == before  # only the restore tag is ever removed
    assert describe(ops_world, REGION, *DOCU)["serviceArn"] == arn
