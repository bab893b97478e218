"""``timeline`` and ``why`` end to end against the embedded AWS, as the demo is today."""

from __future__ import annotations

import json

import pytest

from console.cli import main
from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec

ASHARVI = ("asharvi-backend-cluster", "asharvi-backend-prod")
DOCU = ("docu-cr-backend-cluster", "docu-cr-backend-service")
DOCVERIFY = ("document-verification-cluster", "document-verification-service")


def cli(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([*args, "--profile", "demo", "--endpoint-url", runtime.endpoint])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def deploy_broken(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime) -> str:
    rc, out, _err = cli(
        capsys,
        runtime,
        "rollback",
        *ASHARVI,
        "--to",
        "5",
        "--yes",
        "--wait",
        "--poll-interval",
        "0.1",
        "--timeout",
        "60",
    )
    assert rc == 1
    return out


def test_a_failed_verify_shows_why_right_there(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    out = deploy_broken(capsys, triage_world)
    assert "why it failed:" in out
    assert "essential-container-exited" in out
    assert "Cannot find module '/app/dist/config/env.js'" in out


def test_why_json_after_the_broken_deploy_names_the_crash_and_the_breaker(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    deploy_broken(capsys, triage_world)
    rc, out, err = cli(capsys, triage_world, "why", *ASHARVI, "--json")
    assert rc == 0, err
    doc = json.loads(out)
    codes = [f["code"] for f in doc["findings"]]
    assert codes[:2] == ["essential-container-exited", "circuit-breaker-rolled-back"]
    first = doc["findings"][0]
    assert first["severity"] == "critical"
    texts = " ".join(e["text"] for e in first["evidence"])
    assert "exit code 1" in texts and "Cannot find module '/app/dist/config/env.js'" in texts
    assert all(e["at"] for e in first["evidence"])
    assert "asharvi-backend-prod:5" in doc["findings"][1]["summary"]
    assert "asharvi-backend-prod:4" in doc["findings"][1]["summary"]
    assert doc["findings"][1]["next"]["command"].startswith(
        "opsconsole rollback asharvi-backend-cluster asharvi-backend-prod"
    )
    assert doc["region"] == "ap-south-1" and doc["account"] == "123456789012"


def test_timeline_json_puts_the_change_before_the_first_failure(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    deploy_broken(capsys, triage_world)
    rc, out, err = cli(capsys, triage_world, "timeline", *ASHARVI, "--since", "2h", "--json")
    assert rc == 0, err
    doc = json.loads(out)
    entries = doc["entries"]
    assert entries and all(set(e) >= {"at", "kind", "source", "summary", "ref"} for e in entries)
    assert all(e["at"].endswith("Z") for e in entries)
    stops = [i for i, e in enumerate(entries) if e["kind"] == "task-stopped" and e["severity"] == "critical"]
    assert stops, entries
    first_failure = entries[stops[0]]
    assert "exit 1" in first_failure["summary"] and first_failure["ref"]["type"] == "task"
    assert first_failure["ref"]["stream"].startswith("ecs/asharvi-backend/")
    changes = [
        i
        for i, e in enumerate(entries)
        if (
            e["kind"] in ("revision", "deployment", "service-event")
            and "asharvi-backend-prod:5" in e["summary"] + json.dumps(e["ref"])
        )
        or (e["kind"] == "service-event" and "has started" in e["summary"])
    ]
    assert changes and changes[0] < stops[0]
    assert any(e["kind"] == "service-event" and "rolling back" in e["summary"] for e in entries)
    states = {s["source"]: s["state"] for s in doc["sources"]}
    assert states["ecs.ListTasks/DescribeTasks"] == "ok"


def test_why_names_the_firing_memory_alarm(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    rc, out, err = cli(capsys, triage_world, "why", *DOCU, "--json")
    assert rc == 0, err
    first = json.loads(out)["findings"][0]
    assert first["code"] == "alarm-firing"
    assert "docu-cr-backend-memory-high" in first["summary"] and "> 55" in first["summary"]
    assert any("Threshold Crossed" in e["text"] for e in first["evidence"])


def test_why_finds_the_dlq_of_the_queue_the_service_names(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    rc, out, err = cli(capsys, triage_world, "why", *DOCVERIFY)
    assert rc == 0, err
    lines = out.splitlines()
    assert "dlq-growing: DLQ document-verification-dlq holds" in lines[1]
    assert "error group '" in out
    assert "`opsconsole peek document-verification-dlq -n 5`" in out


def test_a_cluster_timeline_merges_its_services(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    rc, out, err = cli(
        capsys, triage_world, "timeline", "asharvi-backend-cluster", "--since", "24h", "--json"
    )
    assert rc == 0, err
    services = {e["ref"].get("service") for e in json.loads(out)["entries"]}
    assert {"asharvi-backend-prod", "asharvi-backend-staging"} <= services


@pytest.mark.usefixtures("fast_retries")
def test_a_failing_source_degrades_and_says_which(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    triage_world.server.middleware.set_faults(FaultSpec.parse("throttle=1,only=logs"))
    rc, out, err = cli(capsys, triage_world, "timeline", *DOCU, "--since", "1h")
    assert rc == 0, err
    assert "degraded: logs.FilterLogEvents: throttled" in out
    assert "timeline " in out.splitlines()[0]


def test_bad_windows_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    rc, _out, err = cli(capsys, triage_world, "timeline", *DOCU, "--since", "yesterday")
    assert rc == 2 and err.strip().count("\n") == 0 and "--since" in err and "yesterday" in err
    rc, _out, err = cli(capsys, triage_world, "why", *DOCU, "--since", "0x")
    assert rc == 2 and "--since" in err


def test_an_unknown_service_lists_close_matches(
    capsys: pytest.CaptureFixture[str], triage_world: DemoRuntime
) -> None:
    rc, _out, err = cli(capsys, triage_world, "why", "asharvi-backend-cluster", "asharvi-backend-prd")
    assert rc == 2 and "asharvi-backend-prod" in err
