"""``opsconsole demo serve`` in its own process, reached by the aws CLI, stopped by SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def test_demo_serve_prints_endpoint_serves_aws_cli_and_exits_on_sigterm(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "demo", "serve", "--no-activity", "--tick", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline()  # the one line, flushed before anything else
        assert line.startswith("endpoint: http://127.0.0.1:"), (
            line,
            proc.stderr.read() if proc.poll() else "",
        )
        endpoint = line.split(" ", 1)[1].strip()
        aws = VENV_BIN / "aws"
        cli = [str(aws)] if aws.exists() else [sys.executable, "-m", "awscli"]
        out = subprocess.run(
            [
                *cli,
                "--endpoint-url",
                endpoint,
                "ecs",
                "list-clusters",
                "--region",
                "ap-south-1",
                "--output",
                "json",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env={**env, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
        )
        assert out.returncode == 0, out.stderr
        names = {a.rsplit("/", 1)[-1] for a in json.loads(out.stdout)["clusterArns"]}
        assert names == {"document-verification-cluster", "asharvi-backend-cluster"}
        proc.send_signal(signal.SIGTERM)
        rest, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "ecs.ListClusters" in rest and "requests served: 1" in rest


def test_bad_fault_spec_is_one_line_error():
    out = subprocess.run(
        [sys.executable, "-m", "console.cli", "demo", "serve", "--faults", "boom=1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "unknown fault 'boom'" in out.stderr
