"""Auto scaling through the CLI against the embedded AWS: scale's warning, the target operation,
and the demo applying frameratr's target-tracking policy (a manual scale drifts back).

These tests resume frameratr's scale-in, which the other operations tests hold suspended.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from console.demo.runtime import DemoRuntime
from console.ops import audit

from .scaling_support import FRAMERATR, REGION, RESOURCE, set_scale_in, target
from .support import Recorder, aws
from .test_cli_ops import cli

DOCU = ("docu-cr-backend-cluster", "docu-cr-backend-service")


@pytest.fixture
def scaling_world(ops_world: DemoRuntime) -> Iterator[DemoRuntime]:
    """The seeded world with frameratr's target as seeded: 1-4, its CPU policy acting."""
    set_scale_in(ops_world, suspended=False)
    ops_world.server.reset_counts()
    yield ops_world


def desired(runtime: DemoRuntime) -> int:
    svc = aws(runtime, "ecs", REGION).describe_services(cluster=FRAMERATR[0], services=[FRAMERATR[1]])
    return int(svc["services"][0]["desiredCount"])


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll a condition until it holds or ``timeout`` passes (never a blind sleep before asserting)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return bool(predicate())


def test_the_seeded_target_and_policy(capsys: pytest.CaptureFixture[str], scaling_world: DemoRuntime) -> None:
    found = target(scaling_world)
    assert (found["MinCapacity"], found["MaxCapacity"]) == (1, 4)
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *FRAMERATR)
    assert rc == 0, err
    assert f"target {RESOURCE} (account 123456789012, us-east-2): min 1, max 4, scaling" in out
    assert (
        "policy frameratr-cpu-target: target tracking: ECSServiceAverageCPUUtilization at 60 "
        "(cooldown out 60s, in 300s)"
    ) in out


def test_scale_plan_warns_for_frameratr_and_names_the_alternative(
    capsys: pytest.CaptureFixture[str], scaling_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, err = cli(capsys, scaling_world, "scale", *FRAMERATR, "4", "--dry-run")
    assert rc == 0, err
    assert "auto scaling: min 1, max 4, scaling" in out
    assert "warning: auto scaling will set the count back within about 20 minutes" in out
    assert "opsconsole autoscaling frameratr-dev-cluster frameratr-dev-backend-service --min 4" in out
    assert "--suspend-scale-in" in out
    assert recorder.mutations() == []


def test_a_service_without_a_target_gets_no_warning(
    capsys: pytest.CaptureFixture[str], scaling_world: DemoRuntime
) -> None:
    rc, out, err = cli(capsys, scaling_world, "scale", *DOCU, "2", "--dry-run")
    assert rc == 0, err
    assert "auto scaling" not in out
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *DOCU, "--min", "1", "--yes")
    assert rc == 2 and out == ""
    assert "has no auto scaling target" in err and err.count("\n") == 1


def test_min_and_max_change_the_target(
    capsys: pytest.CaptureFixture[str], scaling_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *FRAMERATR, "--min", "2", "--max", "3", "--yes")
    assert rc == 0, err
    assert "MinCapacity: 1 -> 2" in out and "MaxCapacity: 4 -> 3" in out
    assert "rule: max 4 (service tag opsconsole:max-count)" in out
    assert "done: the scalable target reads back as set" in out
    found = target(scaling_world)
    assert (found["MinCapacity"], found["MaxCapacity"]) == (2, 3)
    assert len(recorder.of("application-autoscaling.RegisterScalableTarget")) == 1
    entry, outcome = list(audit.entries())
    assert entry["action"] == "autoscaling" and entry["after"] == {"MinCapacity": 2, "MaxCapacity": 3}
    assert outcome["result"] == "completed"
    # min 2 above the count of 1: the demo's auto scaling raises it, as AWS's does
    assert wait_until(lambda: desired(scaling_world) == 2, timeout=30)


def test_suspend_and_resume_scale_in(capsys: pytest.CaptureFixture[str], scaling_world: DemoRuntime) -> None:
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *FRAMERATR, "--suspend-scale-in", "--yes")
    assert rc == 0, err
    assert "DynamicScalingInSuspended: false -> true" in out
    assert target(scaling_world)["SuspendedState"]["DynamicScalingInSuspended"] is True
    rc, out, err = cli(capsys, scaling_world, "scale", *FRAMERATR, "3", "--dry-run")
    assert "scale-in is suspended: auto scaling leaves this count until it is resumed" in out
    assert "warning: auto scaling" not in out
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *FRAMERATR, "--resume-scale-in", "--yes")
    assert rc == 0, err
    assert "DynamicScalingInSuspended: true -> false" in out
    assert target(scaling_world)["SuspendedState"]["DynamicScalingInSuspended"] is False


def test_read_only_and_the_guards_refuse_before_any_call(
    capsys: pytest.CaptureFixture[str], scaling_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, err = cli(capsys, scaling_world, "--read-only", "autoscaling", *FRAMERATR, "--min", "2", "--yes")
    assert rc == 2 and out == ""
    assert "read-only mode: 'autoscaling' is a mutating action and is disabled" in err
    assert recorder.calls == []
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *FRAMERATR, "--max", "9", "--yes")
    assert rc == 2
    assert "max 9 refused by rule max 4 (service tag opsconsole:max-count)" in err
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *FRAMERATR, "--min", "3", "--max", "2", "--yes")
    assert rc == 2 and "min 3 is above max 2" in err
    assert not recorder.of("application-autoscaling.RegisterScalableTarget")
    found = target(scaling_world)
    assert (found["MinCapacity"], found["MaxCapacity"]) == (1, 4)


def test_the_demo_drifts_a_manual_scale_back(
    capsys: pytest.CaptureFixture[str], scaling_world: DemoRuntime
) -> None:
    """frameratr's CPU is far under the policy's 60 %: four tasks are more than it wants."""
    rc, _out, err = cli(capsys, scaling_world, "scale", *FRAMERATR, "4", "--yes")
    assert rc == 0, err
    # the demo's metrics are written once its day of history is; the scale-in follows after the
    # policy's 300 s cooldown divided by the demo's time scale
    assert wait_until(lambda: desired(scaling_world) < 4, timeout=90), "auto scaling never acted"
    client = aws(scaling_world, "application-autoscaling", REGION)
    newest = client.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RESOURCE)[
        "ScalingActivities"
    ][0]
    assert newest["StatusCode"] == "Successful"
    assert newest["Description"].startswith("Setting desired count to ")
    assert "AlarmLow" in newest["Cause"] and "triggered policy frameratr-cpu-target" in newest["Cause"]
    rc, out, err = cli(capsys, scaling_world, "autoscaling", *FRAMERATR)
    assert "Successful: Setting desired count to" in out
