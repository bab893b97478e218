"""Fail fast on the demo's bad image, then ``opsconsole abort``: the previous revision steady again."""

from __future__ import annotations

import pytest
from ops.support import Recorder, aws
from ops.test_cli_ops import cli, describe

from console.demo.runtime import DemoRuntime
from console.env.taskdef import registration_request

from .helpers import FRAMERATR, FRAMERATR_REGION, running_td

BAD_TAG = "b4d1e55"  # never pushed: every task stops with CannotPullContainerError


def register_bad_image(runtime: DemoRuntime) -> int:
    """A build whose push never happened, registered as a person's script would (boto3)."""
    td = running_td(runtime)
    request = registration_request({"taskDefinition": td})
    container = request["containerDefinitions"][0]
    container["image"] = container["image"].rsplit(":", 1)[0] + f":{BAD_TAG}"
    ecs = aws(runtime, "ecs", FRAMERATR_REGION)
    return int(ecs.register_task_definition(**request)["taskDefinition"]["revision"])


def test_fail_fast_ends_the_wait_after_three_identical_stops_and_abort_rolls_back(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    before = running_td(ops_world)["revision"]
    bad = register_bad_image(ops_world)
    rc, out, err = cli(
        capsys, ops_world, "rollback", *FRAMERATR, "--to", str(bad), "--yes", "--wait", "--timeout", "300"
    )
    assert rc == 1, out + err
    text = out + err
    assert "fail fast: 3 tasks of deployment ecs-svc/" in text
    assert "CannotPullContainerError" in text and BAD_TAG in text
    assert "opsconsole abort frameratr-dev-cluster frameratr-dev-backend-service" in text
    svc = describe(ops_world, FRAMERATR_REGION, *FRAMERATR)
    assert svc["deployments"][0]["rolloutState"] == "IN_PROGRESS"  # the wait ended, not the deployment
    assert svc["deployments"][0]["failedTasks"] >= 3

    recorder.calls.clear()
    rc, out, err = cli(capsys, ops_world, "abort", *FRAMERATR, "--yes", "--wait", "--timeout", "120")
    assert rc == 0, out + err
    assert "abort service frameratr-dev-cluster/frameratr-dev-backend-service (us-east-2)" in out
    assert f"stopped, rolled back to frameratr-dev-backend:{before}" in out
    assert "StopServiceDeployment arn:aws:ecs:us-east-2:123456789012:service-deployment/" in out
    assert "done: the previous " in out
    stops = recorder.of("ecs.StopServiceDeployment")
    assert len(stops) == 1 and stops[0]["stopType"] == "ROLLBACK"
    assert not [m for m in recorder.mutations() if m != "ecs.StopServiceDeployment"]
    svc = describe(ops_world, FRAMERATR_REGION, *FRAMERATR)
    assert svc["taskDefinition"].endswith(f":{before}")
    assert len(svc["deployments"]) == 1 and svc["runningCount"] == svc["desiredCount"] == 1


def test_abort_with_nothing_in_progress_sends_nothing(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, _err = cli(capsys, ops_world, "abort", *FRAMERATR, "--yes")
    assert rc == 0
    assert (
        "nothing to do: no deployment in progress on frameratr-dev-cluster/frameratr-dev-backend-service"
        in out
    )
    assert recorder.mutations() == []
