"""SIGKILL the CLI midway through each mutating operation; a rerun converges and nothing is lost.

The CLI runs in its own process against the session's demo AWS; the demo kills it from inside
the server right after the request that matters took effect and before its answer is sent
(:class:`KillSwitch`): the change is made and the CLI never learns it.  Then the same command is
run again (in-process) and the final state is checked as in the fault suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime

from .support import (
    DOCU,
    DV,
    DV_CONTAINER,
    FRAMERATR,
    WWHD,
    AliveWatcher,
    KillSwitch,
    Pair,
    client,
    comparable,
    demo_args,
    describe,
    env_of,
    revisions,
    run_cli,
    task_definition,
)

pytestmark = pytest.mark.chaos

WAIT = ["--yes", "--wait", "--timeout", "40", "--poll-interval", "0.1"]


def rerun(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, argv: list[str]) -> str:
    rc, out, err = run_cli(capsys, argv)
    assert rc == 0, f"the rerun did not converge: {err}\n{out}"
    runtime.wait_steady(20)
    return out


def test_scale_killed_after_the_update(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path
) -> None:
    region, cluster, service = FRAMERATR
    argv = ["scale", cluster, service, "3", *WAIT, *demo_args(chaos_world)]
    KillSwitch("ecs.UpdateService").run(chaos_world, argv, str(tmp_path))
    assert describe(chaos_world, region, cluster, service)["desiredCount"] == 3  # made, never heard of
    out = rerun(capsys, chaos_world, argv)
    assert "nothing to do: desiredCount is already 3" in out
    after = describe(chaos_world, region, cluster, service)
    assert (after["desiredCount"], after["runningCount"]) == (3, 3)


def test_rolling_redeploy_killed_after_the_update(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path
) -> None:
    region, cluster, service = DOCU
    before = describe(chaos_world, region, cluster, service)
    argv = ["redeploy", cluster, service, *WAIT, *demo_args(chaos_world)]
    KillSwitch("ecs.UpdateService").run(chaos_world, argv, str(tmp_path))
    rerun(capsys, chaos_world, argv)
    after = describe(chaos_world, region, cluster, service)
    assert after["taskDefinition"] == before["taskDefinition"]
    assert (after["desiredCount"], after["runningCount"]) == (2, 2)
    assert len(after["deployments"]) == 1 and after["deployments"][0]["rolloutState"] == "COMPLETED"


def test_stop_then_start_killed_while_stopped(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path
) -> None:
    """Killed between "scale to 0" and "deploy and scale back": the rerun must bring back 1 task."""
    region, cluster, service = WWHD
    before = describe(chaos_world, region, cluster, service)
    argv = ["redeploy", cluster, service, *WAIT, *demo_args(chaos_world)]
    with AliveWatcher(region, cluster, service) as watcher:
        KillSwitch("ecs.UpdateService", when=lambda p: p.get("desiredCount") == 0).run(
            chaos_world, argv, str(tmp_path)
        )
        assert describe(chaos_world, region, cluster, service)["desiredCount"] == 0
        rerun(capsys, chaos_world, argv)
    assert max(watcher.samples) <= 1
    after = describe(chaos_world, region, cluster, service)
    assert after["taskDefinition"] == before["taskDefinition"]
    assert (after["desiredCount"], after["runningCount"]) == (1, 1), "the rerun left the service stopped"


def test_plain_stop_then_start_killed_while_stopped_restores_its_count(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path
) -> None:
    """Not a single writer: the count to restore is read from the tag the killed run left."""
    from console.ops.redeploy import RESTORE_TAG

    region, cluster, service = DOCU
    before = describe(chaos_world, region, cluster, service)
    assert before["desiredCount"] == 2
    argv = ["redeploy", cluster, service, "--stop-first", *WAIT, *demo_args(chaos_world)]
    KillSwitch("ecs.UpdateService", when=lambda p: p.get("desiredCount") == 0).run(
        chaos_world, argv, str(tmp_path)
    )
    stopped = describe(chaos_world, region, cluster, service)
    assert stopped["desiredCount"] == 0
    ecs = client(chaos_world, "ecs", region)
    tags = ecs.list_tags_for_resource(resourceArn=stopped["serviceArn"])["tags"]
    assert {t["key"]: t["value"] for t in tags}[RESTORE_TAG] == "2"  # written before the scale-down
    out = rerun(capsys, chaos_world, argv)
    assert "recorded 2 task(s)" in out  # the plan says where the count came from
    after = describe(chaos_world, region, cluster, service)
    assert (after["desiredCount"], after["runningCount"]) == (2, 2), "the rerun left the service stopped"
    tags = ecs.list_tags_for_resource(resourceArn=after["serviceArn"])["tags"]
    assert RESTORE_TAG not in {t["key"] for t in tags}  # removed once the deploy was made


def test_rollback_killed_after_the_update(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path
) -> None:
    region, cluster, service = DOCU
    family = describe(chaos_world, region, cluster, service)["taskDefinition"].rsplit("/", 1)[1].split(":")[0]
    known = revisions(chaos_world, region, family)
    target = known[-2]
    argv = ["rollback", cluster, service, "--to", target.rsplit(":", 1)[1], *WAIT, *demo_args(chaos_world)]
    KillSwitch("ecs.UpdateService").run(chaos_world, argv, str(tmp_path))
    out = rerun(capsys, chaos_world, argv)
    assert "nothing to do: it already runs" in out
    after = describe(chaos_world, region, cluster, service)
    assert after["taskDefinition"] == target
    assert (after["desiredCount"], after["runningCount"]) == (2, 2)
    assert revisions(chaos_world, region, family) == known


@pytest.mark.parametrize("kill_at", ["ecs.RegisterTaskDefinition", "ecs.UpdateService"])
def test_env_sync_killed_midway(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path, kill_at: str
) -> None:
    region, cluster, service = DV
    before = describe(chaos_world, region, cluster, service)
    td_before = task_definition(chaos_world, region, before["taskDefinition"])
    old_env = env_of(td_before, DV_CONTAINER)
    dotenv = tmp_path / ".env"
    dotenv.write_text("KILLED_SYNC=1\nSECOND='two words'\n", encoding="utf-8")
    argv = ["env", "sync", cluster, service, str(dotenv), *WAIT, *demo_args(chaos_world)]
    KillSwitch(kill_at).run(chaos_world, argv, str(tmp_path))
    rerun(capsys, chaos_world, argv)
    after = describe(chaos_world, region, cluster, service)
    td_after = task_definition(chaos_world, region, after["taskDefinition"])
    assert env_of(td_after, DV_CONTAINER) == {**old_env, "KILLED_SYNC": "1", "SECOND": "two words"}
    assert comparable(td_after, drop_env_of=DV_CONTAINER) == comparable(td_before, drop_env_of=DV_CONTAINER)
    assert (after["desiredCount"], after["runningCount"]) == (1, 1)
    # a third run finds nothing to do
    rc, out, _err = run_cli(capsys, argv)
    assert rc == 0 and "nothing to do" in out


def test_manual_redrive_killed_between_send_and_delete(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path
) -> None:
    pair = Pair.make(chaos_world, 300)
    try:
        common = ["--region", "us-east-1", "--endpoint-url", chaos_world.endpoint]
        argv = [
            "redrive",
            pair.dlq_name,
            "--manual",
            "--yes",
            "--concurrency",
            "1",
            "--visibility-timeout",
            "2",
        ]
        data = str(tmp_path / "data")  # the user data dir of the rerun too: the redrive journal is there
        KillSwitch("sqs.SendMessageBatch", nth=5).run(chaos_world, [*argv, *common], data)
        sent = pair.counts(pair.source_url)[0]
        assert 0 < sent < 300
        pair.wait_visible(pair.dlq_url)  # what the killed run held comes back
        rc, out, err = run_cli(capsys, [*argv, *common])
        assert rc == 0, err
        # killed while that send was in flight: SQS cannot say whether it arrived; the rerun says so
        assert "10 message(s) were being sent when that run stopped" in out
        in_dlq, in_source = pair.accounting()
        assert not in_dlq
        assert set(in_source) == set(pair.bodies), "a message was lost"
        assert sum(in_source.values()) == len(pair.bodies), (
            "the copy sent in flight was found, not sent again"
        )
    finally:
        pair.delete()


def test_native_redrive_killed_after_the_start(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, tmp_path: Path
) -> None:
    pair = Pair.make(chaos_world, 300)
    try:
        common = ["--region", "us-east-1", "--endpoint-url", chaos_world.endpoint]
        argv = ["redrive", pair.dlq_name, "--yes", "--wait", "--timeout", "40"]
        KillSwitch("sqs.StartMessageMoveTask").run(chaos_world, [*argv, *common], str(tmp_path))
        # the move task the killed run started goes on: the rerun follows it to its end
        rc, out, err = run_cli(capsys, [*argv, *common])
        assert rc == 0, err + out
        in_dlq, in_source = pair.accounting()
        assert not in_dlq and set(in_source) == set(pair.bodies)
        assert sum(in_source.values()) == len(pair.bodies)  # a native move has no duplicates
    finally:
        pair.delete()
