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
    state: dict[str, str] = {}
    for path in (data / "redrive").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            for mid, _digest in event["m"]:
                state[mid] = event["e"]
    return sum(1 for s in state.values() if s == "sent")


def test_kill_between_send_and_delete_at_1000_messages_no_duplicate(
    capsys: pytest.CaptureFixture[str], chaos_world: DemoRuntime, user_dirs: Path
) -> None:
    data = user_dirs / "data"  # the killed run and the rerun share the user data dir
    pair = Pair.make(chaos_world, MESSAGES)
    mw = chaos_world.server.middleware
    try:
        common = ["--region", "us-east-1", "--endpoint-url", chaos_world.endpoint]
        argv = [
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
        mw.set_faults(
            FaultSpec(
                stall=1.0,
                stall_seconds=HELD_DELETE_S,
                only=frozenset({"sqs"}),
                ops=frozenset({"DeleteMessageBatch"}),
            )
        )
        proc = cli_process(argv, str(data))
        try:
            deadline = time.monotonic() + 60
            while journal_sent(data) < WORKERS * 10 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.01)
            assert journal_sent(data) >= WORKERS * 10, "the run never sent a batch per worker"
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
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
        in_dlq, in_source = pair.accounting()
        assert not in_dlq, "the rerun left messages in the DLQ"
        missing = set(pair.bodies) - set(in_source)
        duplicates = sum(in_source.values()) - len(set(in_source))
        assert (len(missing), duplicates) == (0, 0)
        assert not list((data / "redrive").glob("*.jsonl")), "a drained DLQ leaves no journal behind"
    finally:
        mw.set_faults(None)
        pair.delete()
