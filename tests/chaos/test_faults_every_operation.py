"""Every mutating operation under injected faults (10-30 %), then the state checked against the intended one.

Faults are set on the session demo's middleware: throttling, 5xx, dropped connections (half of
them after the call took effect, so the caller retries a change that was made) and stalls
(shortened from 2 s with ``stall_s`` to keep the suite fast). A run may fail under them, but
then in one line, and running it again converges (``until_done``). Afterwards, with the faults
off, the test's own boto3 eyes check: the service at the intended desired count and revision,
every task-definition field intact (only the environment changed by an env sync), and every
message accounted for (in the DLQ or the destination, never in neither).

tests/ops/test_faults.py and tests/queues cover single operations in depth; this suite runs the
same fault mixes across all of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec

from .support import (
    DOCU,
    DV,
    DV_CONTAINER,
    FRAMERATR,
    WWHD,
    AliveWatcher,
    Pair,
    comparable,
    demo_args,
    describe,
    env_of,
    revisions,
    task_definition,
    until_done,
)

pytestmark = [pytest.mark.chaos, pytest.mark.usefixtures("fast_retries")]

MIXES = {
    "throttle30-5xx10": "throttle=0.3,5xx=0.1",
    "drop15-5xx10": "drop=0.15,5xx=0.1",
    "stall10-drop10-throttle10": "stall=0.1,stall_s=0.3,drop=0.1,throttle=0.1",
}
WAIT = ["--yes", "--wait", "--timeout", "40", "--poll-interval", "0.1"]


def faults(runtime: DemoRuntime, spec: str, seed: int) -> None:
    runtime.server.middleware.set_faults(FaultSpec.parse(f"{spec},seed={seed}"))


def settle(runtime: DemoRuntime) -> None:
    runtime.server.middleware.set_faults(None)
    runtime.wait_steady(20)


@pytest.fixture(params=sorted(MIXES), ids=sorted(MIXES))
def mix(request: pytest.FixtureRequest) -> tuple[str, int]:
    return MIXES[request.param], sorted(MIXES).index(request.param) + 1


# --- ECS operations ----------------------------------------------------------------------------------


def test_scale(capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, mix: tuple[str, int]) -> None:
    region, cluster, service = FRAMERATR
    before = describe(chaos_world, region, cluster, service)
    td_before = task_definition(chaos_world, region, before["taskDefinition"])
    faults(chaos_world, *mix)
    assert until_done(capsys, chaos_world, ["scale", cluster, service, "3", *WAIT, *demo_args(chaos_world)])
    settle(chaos_world)
    after = describe(chaos_world, region, cluster, service)
    assert (after["desiredCount"], after["runningCount"]) == (3, 3)
    assert after["taskDefinition"] == before["taskDefinition"]
    assert task_definition(chaos_world, region, after["taskDefinition"]) == td_before


def test_rolling_redeploy(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, mix: tuple[str, int]
) -> None:
    region, cluster, service = DOCU
    before = describe(chaos_world, region, cluster, service)
    faults(chaos_world, *mix)
    assert until_done(capsys, chaos_world, ["redeploy", cluster, service, *WAIT, *demo_args(chaos_world)])
    settle(chaos_world)
    after = describe(chaos_world, region, cluster, service)
    assert (after["desiredCount"], after["runningCount"]) == (before["desiredCount"],) * 2
    assert after["taskDefinition"] == before["taskDefinition"]
    assert [d["id"] for d in after["deployments"]] != [d["id"] for d in before["deployments"]]
    assert len(after["deployments"]) == 1 and after["deployments"][0]["rolloutState"] == "COMPLETED"


def test_stop_then_start(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, mix: tuple[str, int]
) -> None:
    region, cluster, service = WWHD
    before = describe(chaos_world, region, cluster, service)
    faults(chaos_world, *mix)
    with AliveWatcher(region, cluster, service) as watcher:
        assert until_done(capsys, chaos_world, ["redeploy", cluster, service, *WAIT, *demo_args(chaos_world)])
        settle(chaos_world)
    assert max(watcher.samples) <= 1, "two tasks of a single-writer service were alive at once"
    assert 0 in watcher.samples  # it was stopped before it was started
    after = describe(chaos_world, region, cluster, service)
    assert (after["desiredCount"], after["runningCount"]) == (1, 1)
    assert after["taskDefinition"] == before["taskDefinition"]


def test_rollback_to_a_revision(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, mix: tuple[str, int]
) -> None:
    region, cluster, service = DOCU
    before = describe(chaos_world, region, cluster, service)
    family = before["taskDefinition"].rsplit("/", 1)[1].split(":")[0]
    known = revisions(chaos_world, region, family)
    target = known[-2]  # the one before the running one
    td_target = task_definition(chaos_world, region, target)
    faults(chaos_world, *mix)
    argv = ["rollback", cluster, service, "--to", target.rsplit(":", 1)[1], *WAIT, *demo_args(chaos_world)]
    assert until_done(capsys, chaos_world, argv)
    settle(chaos_world)
    after = describe(chaos_world, region, cluster, service)
    assert after["taskDefinition"] == target
    assert (after["desiredCount"], after["runningCount"]) == (before["desiredCount"],) * 2
    assert task_definition(chaos_world, region, target) == td_target
    assert revisions(chaos_world, region, family) == known  # nothing deregistered


def test_env_sync(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, mix: tuple[str, int], tmp_path: Path
) -> None:
    region, cluster, service = DV
    before = describe(chaos_world, region, cluster, service)
    td_before = task_definition(chaos_world, region, before["taskDefinition"])
    old_env = env_of(td_before, DV_CONTAINER)
    changed = next(iter(old_env))
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"{changed}=chaos-changed\nCHAOS_NEW='a b=c'\nCHAOS_EMPTY=\n", encoding="utf-8")
    faults(chaos_world, *mix)
    assert until_done(
        capsys, chaos_world, ["env", "sync", cluster, service, str(dotenv), *WAIT, *demo_args(chaos_world)]
    )
    settle(chaos_world)
    after = describe(chaos_world, region, cluster, service)
    td_after = task_definition(chaos_world, region, after["taskDefinition"])
    assert after["taskDefinition"] != before["taskDefinition"]
    assert (after["desiredCount"], after["runningCount"]) == (before["desiredCount"],) * 2
    assert env_of(td_after, DV_CONTAINER) == {
        **old_env,
        changed: "chaos-changed",
        "CHAOS_NEW": "a b=c",
        "CHAOS_EMPTY": "",
    }
    assert comparable(td_after, drop_env_of=DV_CONTAINER) == comparable(td_before, drop_env_of=DV_CONTAINER)
    # the revision it ran before is still there to roll back to
    assert (
        task_definition(chaos_world, region, before["taskDefinition"])["taskDefinition"]["status"] == "ACTIVE"
    )


# --- queues --------------------------------------------------------------------------------------------


def assert_all_moved(pair: Pair) -> None:
    in_dlq, in_source = pair.accounting()
    missing = set(pair.bodies) - set(in_dlq) - set(in_source)
    assert not missing, f"{len(missing)} messages lost: {sorted(missing)[:3]}"
    assert not in_dlq, f"{sum(in_dlq.values())} messages left in the DLQ"
    assert set(in_source) == set(pair.bodies)
    assert not set(in_source) - set(pair.bodies)  # nothing invented


def test_manual_redrive(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, mix: tuple[str, int]
) -> None:
    pair = Pair.make(chaos_world, 120)
    try:
        spec, seed = mix
        faults(chaos_world, f"{spec},only=sqs", seed)
        argv = [
            "redrive",
            pair.dlq_name,
            "--manual",
            "--yes",
            "--visibility-timeout",
            "2",
            "--region",
            "us-east-1",
        ]
        injected = 0
        for _ in range(4):  # a rerun redrives what a failed or partial run left (after it reappears)
            injected += until_done(capsys, chaos_world, [*argv, "--endpoint-url", chaos_world.endpoint])
            chaos_world.server.middleware.set_faults(None)
            pair.wait_visible(pair.dlq_url)
            if pair.counts(pair.dlq_url) == (0, 0):
                break
            faults(chaos_world, f"{spec},only=sqs", seed + 10)
        chaos_world.server.middleware.set_faults(None)
        assert injected
        assert_all_moved(pair)
    finally:
        pair.delete()


def test_native_redrive(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, mix: tuple[str, int]
) -> None:
    pair = Pair.make(chaos_world, 120)
    try:
        spec, seed = mix
        faults(chaos_world, f"{spec},only=sqs", seed)
        argv = ["redrive", pair.dlq_name, "--yes", "--wait", "--timeout", "40", "--region", "us-east-1"]
        assert until_done(capsys, chaos_world, [*argv, "--endpoint-url", chaos_world.endpoint])
        chaos_world.server.middleware.set_faults(None)
        assert_all_moved(pair)
    finally:
        pair.delete()
