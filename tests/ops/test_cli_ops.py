"""Every operation end to end through the CLI, against the embedded AWS.

Each test starts from the seeded world (reset per test), runs ``console.cli.main`` in-process
(one test runs the real ``opsconsole`` process), and checks the exit code, the output, the
requests the demo served, the state ECS ends in, and the audit log.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from console.cli import main
from console.demo.runtime import DemoRuntime
from console.ops import audit

from .support import AliveWatcher, Recorder, aws, demo_args

FRAMERATR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")  # us-east-2, profile bounds 1-4
DOCU = ("docu-cr-backend-cluster", "docu-cr-backend-service")  # us-east-1, behind a load balancer
WWHD = ("wwhd-cluster", "wwhd-backend")  # us-east-1, single writer
ASHARVI = ("asharvi-backend-cluster", "asharvi-backend-prod")  # ap-south-1, circuit breaker, broken :5


def cli(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(demo_args(runtime, *args))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def describe(runtime: DemoRuntime, region: str, cluster: str, service: str) -> dict:
    return aws(runtime, "ecs", region).describe_services(cluster=cluster, services=[service])["services"][0]


# --- scale ----------------------------------------------------------------------------------------


def test_scale_sends_only_desired_count_and_waits_until_steady(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, err = cli(capsys, ops_world, "scale", *FRAMERATR, "3", "--yes", "--wait", "--timeout", "30")
    assert rc == 0, err
    assert "desiredCount: 1 -> 3" in out
    assert "rule: min 1 (service tag opsconsole:min-count)" in out
    assert "rule: max 4 (service tag opsconsole:max-count)" in out
    assert "done: " in out and "3/3 running" in out
    updates = recorder.of("ecs.UpdateService")
    assert len(updates) == 1
    sent = {k: v for k, v in updates[0].items() if k not in ("account", "region")}
    assert sent == {"cluster": sent["cluster"], "service": "frameratr-dev-backend-service", "desiredCount": 3}
    svc = describe(ops_world, "us-east-2", *FRAMERATR)
    assert (svc["desiredCount"], svc["runningCount"]) == (3, 3)


def test_scale_outside_the_profile_bounds_is_refused_before_any_write(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, _out, err = cli(capsys, ops_world, "scale", *FRAMERATR, "5", "--yes")
    assert rc == 2
    assert "5 tasks refused by rule max 4 (service tag opsconsole:max-count)" in err
    assert recorder.mutations() == []


def test_single_writer_cannot_scale_above_one(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, _out, err = cli(capsys, ops_world, "scale", *WWHD, "2", "--yes")
    assert rc == 2 and "single-writer" in err
    assert recorder.mutations() == []


def test_scale_to_zero_behind_a_load_balancer_warns_and_dry_run_sends_nothing(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, _err = cli(capsys, ops_world, "scale", *DOCU, "0", "--dry-run")
    assert rc == 0
    assert "warning: scaling to 0" in out
    assert "warning: the service is behind a load balancer" in out
    assert "dry run: nothing was sent" in out
    assert recorder.mutations() == []
    assert not audit.audit_path().exists()


def test_scale_accepts_a_service_arn(capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime) -> None:
    arn = describe(ops_world, "us-east-2", *FRAMERATR)["serviceArn"]
    rc, out, err = cli(capsys, ops_world, "scale", "ignored-when-the-arn-names-it", arn, "2", "--yes")
    assert rc == 0, err
    assert "not waiting for the rollout" in out
    assert describe(ops_world, "us-east-2", *FRAMERATR)["desiredCount"] == 2


def test_unknown_names_list_close_matches(capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime) -> None:
    rc, _out, err = cli(capsys, ops_world, "scale", "frameratr-dev-clustr", FRAMERATR[1], "2", "--yes")
    assert rc == 2
    assert err.count("\n") == 1 and "did you mean frameratr-dev-cluster" in err
    rc, _out, err = cli(capsys, ops_world, "redeploy", DOCU[0], "docu-cr-backend-svc", "--yes")
    assert rc == 2
    assert "unknown service 'docu-cr-backend-svc'" in err and "docu-cr-backend-service" in err


# --- redeploy -------------------------------------------------------------------------------------


def test_redeploy_forces_a_new_deployment_only(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    before = describe(ops_world, "us-east-1", *DOCU)
    rc, out, err = cli(capsys, ops_world, "redeploy", *DOCU, "--yes", "--wait", "--timeout", "30")
    assert rc == 0, err
    assert "[COMPLETED]" in out and "deployment completed" in out
    updates = recorder.of("ecs.UpdateService")
    assert [
        {k: v for k, v in u.items() if k not in ("account", "region", "cluster", "service")} for u in updates
    ] == [{"forceNewDeployment": True}]
    after = describe(ops_world, "us-east-1", *DOCU)
    assert after["taskDefinition"] == before["taskDefinition"]
    assert after["deployments"][0]["id"] != before["deployments"][0]["id"]
    assert after["deployments"][0]["rolloutState"] == "COMPLETED"


def test_stop_then_start_never_has_two_tasks_alive(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    with AliveWatcher("us-east-1", *WWHD) as watcher:
        rc, out, err = cli(capsys, ops_world, "redeploy", *WWHD, "--yes", "--wait", "--timeout", "30")
    assert rc == 0, err
    assert "redeploy-stop-first" in out  # the profile's single_writer makes it the default
    assert "no task alive" in out
    assert "done: " in out and "1/1 running" in out
    assert watcher.samples
    assert max(watcher.samples) <= 1, "two wwhd tasks were alive at once"
    updates = [
        {k: v for k, v in u.items() if k not in ("account", "region", "cluster", "service")}
        for u in recorder.of("ecs.UpdateService")
    ]
    assert updates == [{"desiredCount": 0}, {"forceNewDeployment": True, "desiredCount": 1}]
    tasks = aws(ops_world, "ecs", "us-east-1").list_tasks(cluster=WWHD[0], serviceName=WWHD[1])["taskArns"]
    assert len(tasks) == 1


def test_stop_first_on_request_for_an_ordinary_service(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    desired = describe(ops_world, "us-east-1", *DOCU)["desiredCount"]
    with AliveWatcher("us-east-1", *DOCU) as watcher:
        rc, out, err = cli(
            capsys, ops_world, "redeploy", *DOCU, "--stop-first", "--yes", "--wait", "--timeout", "30"
        )
    assert rc == 0, err
    assert watcher.samples and max(watcher.samples) <= desired
    assert "no task alive" in out  # it went through zero before deploying
    assert f"{desired}/{desired} running" in out


# --- rollback -------------------------------------------------------------------------------------


def test_rollback_to_the_previous_active_revision_never_deregisters(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    ecs = aws(ops_world, "ecs", "ap-south-1")
    active_before = ecs.list_task_definitions(familyPrefix=ASHARVI[1], status="ACTIVE")["taskDefinitionArns"]
    rc, out, err = cli(capsys, ops_world, "rollback", *ASHARVI, "--yes", "--wait", "--timeout", "30")
    assert rc == 0, err
    assert "taskDefinition: asharvi-backend-prod:4 -> asharvi-backend-prod:3" in out
    assert "image:" in out and "v1.7.0 -> " in out and "v1.6.1" in out  # the diff is in the plan
    assert describe(ops_world, "ap-south-1", *ASHARVI)["taskDefinition"].endswith(":3")
    assert not [name for name, _p, _s in recorder.calls if "Deregister" in name or "Delete" in name]
    active_after = ecs.list_task_definitions(familyPrefix=ASHARVI[1], status="ACTIVE")["taskDefinitionArns"]
    assert sorted(active_after) == sorted(active_before)


def test_rollback_list_shows_revisions_with_their_diffs(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    rc, out, _err = cli(capsys, ops_world, "rollback", *ASHARVI, "--list", "--read-only")
    assert rc == 0
    assert "* asharvi-backend-prod:4" in out and "(running)" in out
    assert "> asharvi-backend-prod:3" in out and "(default)" in out
    assert "v1.8.0" in out
    assert recorder.mutations() == []


def test_a_broken_revision_ends_failed_with_the_events_that_explain_it(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    rc, out, err = cli(
        capsys, ops_world, "rollback", *ASHARVI, "--to", "5", "--yes", "--wait", "--timeout", "30"
    )
    assert rc == 1
    assert "rolls forward" in out
    assert "  event: " in out  # each event once, as it came (not again under "service events since")
    assert "deployment failed: tasks failed to start" in out
    assert "rolling back to deployment" in out
    assert "FAILED" in err and "circuit breaker rolled back to asharvi-backend-prod:4" in err
    assert err.count("\n") == 1
    # AWS rolled it back by itself: the service ends on the last good revision; the next plan says so.
    assert describe(ops_world, "ap-south-1", *ASHARVI)["taskDefinition"].endswith(":4")
    rc, out, _err = cli(capsys, ops_world, "rollback", *ASHARVI, "--dry-run")
    assert "AWS's circuit breaker already acted on this service:" in out
    *_, entry, outcome = list(audit.entries())
    assert entry["action"] == "rollback" and entry["result"] == "applied"
    assert outcome["outcome_of"] == entry["id"] and outcome["result"] == "rolled back by the circuit breaker"


def test_rollback_to_an_unknown_revision_lists_the_active_ones(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    rc, _out, err = cli(capsys, ops_world, "rollback", *ASHARVI, "--to", "42", "--yes")
    assert rc == 2
    assert "unknown revision 'asharvi-backend-prod:42'" in err and "asharvi-backend-prod:3" in err


def test_rollback_to_an_inactive_revision_is_refused(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    aws(ops_world, "ecs", "ap-south-1").deregister_task_definition(taskDefinition=f"{ASHARVI[1]}:2")
    recorder.calls.clear()
    rc, _out, err = cli(capsys, ops_world, "rollback", *ASHARVI, "--to", "2", "--yes")
    assert rc == 2 and "INACTIVE" in err
    assert recorder.mutations() == []


# --- stop task ------------------------------------------------------------------------------------


def test_stop_task_records_its_reason(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder
) -> None:
    ecs = aws(ops_world, "ecs", "us-east-1")
    arn = ecs.list_tasks(cluster=DOCU[0], serviceName=DOCU[1])["taskArns"][0]
    task_id = arn.rsplit("/", 1)[-1]
    rc, out, err = cli(
        capsys,
        ops_world,
        "stop-task",
        DOCU[0],
        task_id[:10],
        "--reason",
        "leaking memory (INC-42)",
        "--yes",
        "--wait",
        "--timeout",
        "30",
    )
    assert rc == 0, err
    assert "ECS starts a replacement" in out
    assert f"task {task_id} STOPPED" in out
    assert recorder.of("ecs.StopTask")[0]["reason"] == "leaking memory (INC-42)"
    task = ecs.describe_tasks(cluster=DOCU[0], tasks=[arn])["tasks"][0]
    assert task["lastStatus"] == "STOPPED"
    assert task["stoppedReason"] == "leaking memory (INC-42)"
    entry = [e for e in audit.entries() if "id" in e][-1]
    assert entry["action"] == "stop-task" and entry["after"]["reason"] == "leaking memory (INC-42)"


# --- refusals, confirmation, audit ----------------------------------------------------------------

MUTATING = [
    ("scale", *FRAMERATR, "2"),
    ("redeploy", *DOCU),
    ("redeploy", *WWHD, "--stop-first"),
    ("rollback", *ASHARVI),
    ("stop-task", DOCU[0], "0123456789abcdef", "--reason", "why"),
]


@pytest.mark.parametrize(
    "command", MUTATING, ids=lambda c: c[0] + (" --stop-first" if "--stop-first" in c else "")
)
def test_read_only_refuses_every_mutating_action(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder, command: tuple[str, ...]
) -> None:
    rc, _out, err = cli(capsys, ops_world, *command, "--yes", "--read-only")
    assert rc == 2
    assert "read-only mode" in err and command[0] in err
    assert recorder.mutations() == []
    assert not audit.audit_path().exists()


def test_read_only_from_the_profile(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, user_dirs, recorder: Recorder
) -> None:
    profile = user_dirs / "ro.toml"
    profile.write_text('name = "ro"\naws_profile = "demo"\nread_only = true\n')
    capsys.readouterr()
    rc = main(
        ["scale", *FRAMERATR, "2", "--yes", "--config", str(profile), "--endpoint-url", ops_world.endpoint]
    )
    assert rc == 2
    assert "read-only mode" in capsys.readouterr().err
    assert recorder.mutations() == []


def test_no_terminal_and_no_yes_is_refused(
    capsys: pytest.CaptureFixture[str],
    ops_world: DemoRuntime,
    recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(tty=False))
    rc, out, err = cli(capsys, ops_world, "scale", *FRAMERATR, "2")
    assert rc == 2
    assert "desiredCount: 1 -> 2" in out  # the plan is still shown
    assert "pass --yes" in err
    assert recorder.mutations() == []


class _Stdin:
    def __init__(self, tty: bool, answer: str = "") -> None:
        self.tty, self.answer = tty, answer

    def isatty(self) -> bool:
        return self.tty

    def readline(self) -> str:
        return self.answer + "\n"


@pytest.mark.parametrize(("answer", "rc", "desired"), [("n", 2, 1), ("", 2, 1), ("y", 0, 2)])
def test_confirmation_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
    ops_world: DemoRuntime,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    rc: int,
    desired: int,
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(tty=True, answer=answer))
    monkeypatch.setattr("builtins.input", lambda prompt="": answer)
    got, out, _err = cli(capsys, ops_world, "scale", *FRAMERATR, "2")
    assert got == rc
    assert ("cancelled: nothing was sent" in out) == (rc == 2)
    assert describe(ops_world, "us-east-2", *FRAMERATR)["desiredCount"] == desired


def test_audit_lines_and_the_audit_command(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    assert cli(capsys, ops_world, "scale", *FRAMERATR, "2", "--yes")[0] == 0
    assert cli(capsys, ops_world, "redeploy", *DOCU, "--yes")[0] == 0
    entries = list(audit.entries())
    assert [e["action"] for e in entries] == ["scale", "redeploy"]
    first = entries[0]
    for key in ("time", "caller", "profile", "region", "action", "target", "before", "after", "result"):
        assert key in first, key
    assert first["caller"].startswith("arn:aws:")
    assert first["profile"] == "demo" and first["region"] == "us-east-2"
    assert first["target"] == "service frameratr-dev-cluster/frameratr-dev-backend-service (us-east-2)"
    assert (first["before"], first["after"], first["result"]) == (
        {"desiredCount": 1},
        {"desiredCount": 2},
        "applied",
    )
    capsys.readouterr()
    assert main(["audit", "--json", "-n", "1"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in shown] == ["redeploy"]
    assert main(["audit"]) == 0
    text = capsys.readouterr().out
    assert "scale" in text and "desiredCount 1 -> 2" in text and "redeploy" in text


# --- as a real process ----------------------------------------------------------------------------


def test_scale_as_a_subprocess(ops_world: DemoRuntime, user_dirs) -> None:
    env = {
        **os.environ,
        "OPSCONSOLE_DATA_DIR": str(user_dirs / "data"),
        "OPSCONSOLE_CONFIG_DIR": str(user_dirs / "c"),
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "console.cli",
            *demo_args(ops_world, "scale", *FRAMERATR, "4", "--yes", "--wait", "--timeout", "30"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert "done: " in proc.stdout and "4/4 running" in proc.stdout
    assert describe(ops_world, "us-east-2", *FRAMERATR)["runningCount"] == 4
    lines = (user_dirs / "data" / "audit.jsonl").read_text().splitlines()
    first, outcome = (json.loads(line) for line in lines[-2:])
    assert first["after"] == {"desiredCount": 4}
    assert (outcome["outcome_of"], outcome["result"]) == (first["id"], "completed")
    no_yes = subprocess.run(
        [sys.executable, "-m", "console.cli", *demo_args(ops_world, "scale", *FRAMERATR, "2")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert no_yes.returncode == 2 and "pass --yes" in no_yes.stderr


async def test_stop_then_start_checks_the_task_count_on_every_poll(ops_world: DemoRuntime) -> None:
    from console.aws.context import open_gateways
    from console.config import Settings, demo_profile
    from console.ops.redeploy import prepare_redeploy
    from console.ops.resolve import resolve_service
    from console.ops.rollout import Pacing
    from console.ops.runner import run_operation

    settings = Settings(demo_profile(ops_world.endpoint), tuple(ops_world.regions), ops_world.endpoint, False)
    steps = []

    async def yes(_plan: object) -> bool:
        return True

    async def who() -> str:
        return "tester"

    async with open_gateways(settings) as gw:
        service = await resolve_service(gw.ecs, settings.regions, *WWHD)
        op = await prepare_redeploy(gw.ecs, settings, service, pacing=Pacing(timeout=30, poll_interval=0.1))
        outcome = await run_operation(settings, op, confirm=yes, caller=who, on_progress=steps.append)
    assert outcome.ok, outcome
    sequence = op.sequence
    assert sequence is not None
    verify_polls = sum(1 for p in steps if p.message.startswith("wwhd-backend: running"))
    assert (
        sequence.polls >= verify_polls + 2
    )  # every verify poll also counted the tasks, plus the drain and the end
    assert sequence.max_alive_seen == 1 and sequence.violations == []
    assert [p.state for p in steps][-1] == "COMPLETED"
