"""The redrive CLI in its own process: read-only refusal, peek output, and a SIGKILL midway."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from console.cli import main

from .conftest import REGION, QueuePair, bodies_of, make_pair


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "console.cli", *argv]


def test_cli_read_only_refuses_and_changes_nothing(sqs_demo, pair, capsys):
    pair.fill_dlq(["a", "b", "c"])
    common = ["--endpoint-url", sqs_demo.endpoint, "--region", REGION, "--read-only"]
    for argv in (
        ["redrive", pair.dlq_name, "--yes"],
        ["redrive", pair.dlq_name, "--manual", "--yes"],
        ["dlq", "delete", pair.dlq_name, "--match", "a", "--yes"],
        ["dlq", "purge", pair.dlq_name, "--yes", "--i-mean-purge"],
    ):
        assert main([*argv, *common]) == 2
        assert "read-only" in capsys.readouterr().err
    assert pair.counts(pair.dlq_url) == (3, 0)
    # a dry run changes nothing, so read-only mode allows it
    assert main(["redrive", pair.dlq_name, "--dry-run", *common]) == 0
    assert "dry run" in capsys.readouterr().out


def test_cli_peek_is_literal_and_does_not_consume(sqs_demo, pair, capsys):
    pair.fill_dlq(
        ['{"doc": 1, "note": "\\u001b[31mred\\u001b[0m"}', "plain \x1b]52;c;ZXZpbA==\x07 [bold]x[/bold]"]
    )
    common = ["--endpoint-url", sqs_demo.endpoint, "--region", REGION]
    assert main(["peek", pair.dlq_name, "-n", "5", *common]) == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold]x[/bold]" in text and '"doc": 1' in text
    assert main(["peek", pair.dlq_name, "--json", *common]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc) == 2 and {d["receive_count"] for d in doc} == {2}
    assert pair.counts(pair.dlq_url) == (2, 0)


def test_cli_manual_redrive_with_match(sqs_demo, pair, capsys):
    pair.fill_dlq([f"{'passport' if i % 2 else 'payslip'}-{i}" for i in range(20)])
    common = ["--endpoint-url", sqs_demo.endpoint, "--region", REGION]
    assert main(["redrive", pair.dlq_name, "--manual", "--match", "passport", "--yes", *common]) == 0
    out = capsys.readouterr().out
    assert "10 moved" in out and "10 not matching" in out
    assert sorted(bodies_of(pair.drain(pair.source_url))) == sorted(f"passport-{i}" for i in range(1, 20, 2))
    assert main(["redrive", pair.dlq_name, "--match", "x", *common]) == 2  # --match needs --manual
    audit = os.environ["OPSCONSOLE_DATA_DIR"] + "/audit.jsonl"
    assert "redrive-manual" in open(audit, encoding="utf-8").read()


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """A separate `opsconsole demo serve` process (a redrive process is killed against it)."""
    proc = subprocess.Popen(
        _cli("demo", "serve", "--no-activity", "--latency-ms", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("endpoint: "), line
        yield line.split(" ", 1)[1]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.chaos
def test_sigkill_midway_through_manual_redrive_loses_nothing(served, tmp_path):
    pair: QueuePair = make_pair(served)
    bodies = [f"kill-{i:05d}" for i in range(2000)]
    pair.fill_dlq(bodies)
    env = {**os.environ, "OPSCONSOLE_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.Popen(
        _cli(
            "redrive",
            pair.dlq_name,
            "--manual",
            "--yes",
            "--concurrency",
            "1",
            "--visibility-timeout",
            "3",
            "--endpoint-url",
            served,
            "--region",
            REGION,
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + 60
    while pair.counts(pair.source_url)[0] < 200 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL, "the redrive ended before it could be killed"
    moved_before_kill = pair.counts(pair.source_url)[0]
    assert 0 < moved_before_kill < 2000
    # What the killed run held in flight reappears in the DLQ when its visibility timeout ends.
    deadline = time.monotonic() + 15
    while pair.counts(pair.dlq_url)[1] and time.monotonic() < deadline:
        time.sleep(0.2)
    found = Counter(bodies_of(pair.drain(pair.dlq_url))) + Counter(bodies_of(pair.drain(pair.source_url)))
    missing = set(bodies) - set(found)
    assert not missing, f"lost {len(missing)} messages after SIGKILL: {sorted(missing)[:5]}"
    assert sum(found.values()) - len(bodies) <= 10  # at most the one batch in flight at the kill
