"""Operations while the embedded AWS throttles and fails: they complete, or say where the service stands."""

from __future__ import annotations

import pytest

from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec
from console.ops import audit

from .support import AliveWatcher, Recorder
from .test_cli_ops import FRAMERATR, WWHD, cli, describe

pytestmark = [pytest.mark.chaos, pytest.mark.usefixtures("fast_retries")]


def faults(runtime: DemoRuntime, spec: str) -> None:
    runtime.server.middleware.set_faults(FaultSpec.parse(spec))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scale_under_throttling_and_5xx_completes_or_reports_the_state(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder, seed: int
) -> None:
    faults(ops_world, f"throttle=0.3,5xx=0.2,only=ecs,seed={seed}")
    rc, out, err = cli(capsys, ops_world, "scale", *FRAMERATR, "3", "--yes", "--wait", "--timeout", "30")
    faults(ops_world, "")
    served_ok = len([name for name, _p, _status in recorder.calls if name.startswith("ecs.")])
    assert (
        sum(n for name, n in ops_world.counts().items() if name.startswith("ecs.")) > served_ok
    )  # faults hit
    svc = describe(ops_world, "us-east-2", *FRAMERATR)
    if rc == 0:
        assert "done: " in out
        assert (svc["desiredCount"], svc["runningCount"]) == (3, 3)
    else:
        assert rc == 1
        assert err.startswith("opsconsole: error: ") and err.count("\n") == 1
        assert "the service now: desired" in err or "nothing was changed" in err


def test_an_update_that_keeps_failing_says_where_the_service_is(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    faults(ops_world, "throttle=1,only=ecs,ops=UpdateService")
    rc, _out, err = cli(capsys, ops_world, "scale", *FRAMERATR, "3", "--yes", "--wait", "--timeout", "30")
    faults(ops_world, "")
    assert rc == 1
    assert "throttled by AWS during UpdateService" in err
    assert "the service now: desired 1, running 1" in err
    [entry] = list(audit.entries())
    assert entry["result"] == "failed" and "UpdateService" in entry["message"]
    assert describe(ops_world, "us-east-2", *FRAMERATR)["desiredCount"] == 1


def test_stop_then_start_under_faults_never_runs_two_tasks(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    faults(ops_world, "throttle=0.3,5xx=0.2,only=ecs,seed=11")
    with AliveWatcher("us-east-1", *WWHD) as watcher:
        rc, out, err = cli(capsys, ops_world, "redeploy", *WWHD, "--yes", "--wait", "--timeout", "30")
    faults(ops_world, "")
    assert max(watcher.samples) <= 1
    if rc == 0:
        assert "done: " in out and "1/1 running" in out
    else:
        assert rc == 1 and ("the service now:" in err or "nothing was changed" in err)
