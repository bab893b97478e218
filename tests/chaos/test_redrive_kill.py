"""Manual redrive exactly once across a SIGKILL: the journal turns "sent, not yet deleted" into
a delete on the rerun, instead of a second send.

The moment that used to make duplicates is made certain, not hoped for: every
DeleteMessageBatch is held by the demo for a while before it takes effect, so the
run's workers each send a batch and then wait in their delete; the CLI is killed
when its journal shows those sends done.  No send is in flight at that moment, so
every one of those messages is in both queues (sent, never deleted) when the rerun
starts: without the journal each would be sent twice.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec

from .support import Pair, cli_process, run_cli

pytestmark = pytest.mark.chaos

MESSAGES = 1_000
WORKERS = 8
HELD_DELETE_S = 20.0  # far longer than the few ms between the last journalled send and the kill


def journal_sent(data: Path) -> int:
    """Messages the killed run's journal holds as sent and not deleted."""
    return sum(1 for s in journal_states(data).values() if s == "sent")


def journal_states(data: Path) -> dict[str, str]:
    state: dict[str, str] = {}
    for path in (data / "redrive").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            for mid, _digest in event["m"]:
                state[mid] = event["e"]
    return state


def assert_exactly_once(pair: Pair, data: Path) -> None:
    in_dlq, in_source = pair.accounting()
    assert not in_dlq, "the rerun left messages in the DLQ"
    missing = set(pair.bodies) - set(in_source)
    duplicates = sum(in_source.values()) - len(set(in_source))
    assert (len(missing), duplicates) == (0, 0)
    assert not list((data / "redrive").glob("*.jsonl")), "a drained DLQ leaves no journal behind"


def kill_when(argv: list[str], data: Path, ready: Callable[[], bool], timeout: float = 60) -> None:
    """Run the CLI and SIGKILL it once ``ready()`` (or at the deadline, or when it ended by itself)."""
    proc = cli_process(argv, str(data))
    try:
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def redrive_argv(pair: Pair, runtime: DemoRuntime) -> list[str]:
    common = ["--region", "us-east-1", "--endpoint-url", runtime.endpoint]
    return [
        "redrive",
        pair.dlq_name,
        "--manual",
        "--yes",
        "--concurrency",
        str(WORKERS),
        "--visibility-timeout",
        "2",
        *common,
    ]


def test_kill_with_sends_in_flight_at_1000_messages_no_duplicate(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, user_dirs: Path
) -> None:
    """Every worker's SendMessageBatch has taken effect and its answer is held when the kill comes:
    each of those messages is journalled as being sent and is in both queues.  The rerun reads the
    destination before it sends anything, finds their copies, and deletes them from the DLQ."""
    data = user_dirs / "data"
    pair = Pair.make(chaos_world, MESSAGES)
    mw = chaos_world.server.middleware
    try:
        argv = redrive_argv(pair, chaos_world)
        hold = FaultSpec(stall=1.0, stall_seconds=HELD_DELETE_S, stall_after=True, only=frozenset({"sqs"}))
        mw.set_faults(replace(hold, ops=frozenset({"SendMessageBatch"})))
        kill_when(argv, data, lambda: pair.counts(pair.source_url)[0] >= WORKERS * 10)
        mw.set_faults(None)
        states = journal_states(data)
        in_doubt = sum(1 for s in states.values() if s == "sending")
        assert in_doubt >= WORKERS * 10, f"the sends in flight at the kill are in doubt ({in_doubt})"
        assert pair.counts(pair.source_url)[0] >= WORKERS * 10, "and their copies arrived"
        pair.wait_visible(pair.dlq_url)

        rc, out, err = run_cli(capsys, argv)
        assert rc == 0, err + out
        assert f"{in_doubt} message(s) were being sent when that run stopped" in out
        assert_exactly_once(pair, data)
    finally:
        mw.set_faults(None)
        pair.delete()


def test_kill_between_send_and_delete_at_1000_messages_no_duplicate(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, user_dirs: Path
) -> None:
    data = user_dirs / "data"  # the killed run and the rerun share the user data dir
    pair = Pair.make(chaos_world, MESSAGES)
    mw = chaos_world.server.middleware
    try:
        argv = redrive_argv(pair, chaos_world)
        mw.set_faults(
            FaultSpec(
                stall=1.0,
                stall_seconds=HELD_DELETE_S,
                only=frozenset({"sqs"}),
                ops=frozenset({"DeleteMessageBatch"}),
            )
        )
        kill_when(argv, data, lambda: journal_sent(data) >= WORKERS * 10)
        assert journal_sent(data) >= WORKERS * 10, "the run never sent a batch per worker"
        mw.set_faults(None)
        in_both = journal_sent(data)
        sent_before = pair.counts(pair.source_url)[0]
        assert sent_before >= in_both  # those copies are in the source queue, their originals in the DLQ
        pair.wait_visible(pair.dlq_url)  # what the killed run held comes back

        rc, out, err = run_cli(capsys, argv)
        assert rc == 0, err + out
        assert "exactly once unless the journal is lost" in out  # the plan states the guarantee
        assert f"{in_both} message(s) it sent and had not deleted" in out
        assert "not sent again" in out
        assert_exactly_once(pair, data)
    finally:
        mw.set_faults(None)
        pair.delete()
