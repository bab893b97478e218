"""The CLI's smaller promises: a closed pipe, a fractional count, the audit's outcome and revision,
whole values in ``env show``, and each service event printed once."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from console.cli import main
from console.demo.runtime import DemoRuntime
from console.ops import audit

from .support import Recorder, demo_args

FRAMERATR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")
ASHARVI = ("asharvi-backend-cluster", "asharvi-backend-prod")
DV = ("document-verification-cluster", "document-verification-service")


def cli(capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(demo_args(runtime, *args))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_a_reader_that_leaves_early_gets_no_traceback(ops_world: DemoRuntime) -> None:
    """``opsconsole peek … | head``: the reader closed the pipe before the first line."""
    args = ["peek", "document-verification-dlq", "-n", "3", "--endpoint-url", ops_world.endpoint]
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `head` once it has its lines: every write now meets a closed pipe
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert err == ""
    assert proc.returncode == 141  # as a process the pipe's SIGPIPE ended


@pytest.mark.parametrize("count", ["4.5", "2e1", "three", "-1"])
def test_scale_asks_for_a_whole_number_before_any_call(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime, recorder: Recorder, count: str
) -> None:
    rc, out, err = cli(capsys, ops_world, "scale", *FRAMERATR, count, "--yes")
    assert rc == 2 and out == ""
    assert err == f"opsconsole: error: scale: N must be a whole number of tasks (0 or more), not '{count}'\n"
    assert recorder.calls == []


def test_the_audit_has_the_verified_outcome_and_the_revision_number(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    rc, _out, err = cli(capsys, ops_world, "env", "set", *DV, "LOG_LEVEL=DEBUG", "--yes", "--wait")
    assert rc == 0, err
    entry, outcome = list(audit.entries())
    before, after = entry["before"]["taskDefinition"], entry["after"]["taskDefinition"]
    family, revision = before.rsplit(":", 1)
    assert after == f"{family}:{int(revision) + 1}"  # not "(new revision)"
    assert outcome["outcome_of"] == entry["id"] and outcome["result"] == "completed"
    assert main(["audit"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[0].endswith(f"#{entry['id']}  : {entry['message']}")
    assert "completed env-set" in text[1] and f"outcome of #{entry['id']}" in text[1]


def test_a_rollback_the_breaker_undid_is_audited_so_and_its_events_print_once(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    rc, out, _err = cli(
        capsys, ops_world, "rollback", *ASHARVI, "--to", "5", "--yes", "--wait", "--timeout", "30"
    )
    assert rc == 1
    events = [line.split("event: ", 1)[-1].strip() for line in out.splitlines() if "event: " in line]
    assert events, out
    counts = Counter(line.strip() for line in out.splitlines())
    assert all(counts[e] == 0 for e in events)  # not repeated under "service events since the change"
    assert all(count == 1 for line, count in counts.items() if "event: " in line)
    assert list(audit.entries())[-1]["result"] == "rolled back by the circuit breaker"


def test_env_show_prints_whole_values_and_still_masks_secrets(
    capsys: pytest.CaptureFixture[str], ops_world: DemoRuntime
) -> None:
    long = "x" * 200 + "-end"
    token = "sk-" + "a" * 150
    rc, _out, err = cli(
        capsys, ops_world, "env", "set", *DV, f"LONG_NOTE={long}", f"API_TOKEN={token}", "--yes"
    )
    assert rc == 0, err
    capsys.readouterr()
    rc = main(["env", "show", *DV, "--profile", "demo", "--endpoint-url", ops_world.endpoint])
    out = capsys.readouterr().out
    assert rc == 0
    assert long in out and "chars]" not in out
    assert token not in out
