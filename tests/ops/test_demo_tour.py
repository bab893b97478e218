"""The README's CLI tour against a real ``opsconsole demo serve`` process, as a new user runs it.

With no ``--profile`` the demo's own profile applies, and wwhd's and frameratr's guardrails,
which are tags on the services, refuse what they must (exit 2, one line naming the rule and
where it came from).  ``--profile demo`` works for every command, also without an endpoint
(the embedded AWS is started for the command).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

WWHD = ("wwhd-cluster", "wwhd-backend")
FRAMERATR = ("frameratr-dev-cluster", "frameratr-dev-backend-service")


def clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**env, "OPSCONSOLE_DATA_DIR": str(tmp / "data"), "OPSCONSOLE_CONFIG_DIR": str(tmp / "config")}


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = clean_env(tmp_path_factory.mktemp("serve"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.cli", "demo", "serve", "--no-activity", "--tick", "0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("endpoint: http://127.0.0.1:"), line
        yield line.split(" ", 1)[1].strip()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def opsconsole(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console.cli", *args],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        stdin=subprocess.DEVNULL,
        timeout=180,
    )


def test_the_tour_with_no_profile_applies_the_guards_of_the_tags(serve: str, tmp_path: Path) -> None:
    at = ("--endpoint-url", serve)
    done = opsconsole(tmp_path, "scale", *WWHD, "2", *at)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "2 tasks refused by rule single writer (service tag opsconsole:single-writer)" in done.stderr
    done = opsconsole(tmp_path, "scale", *FRAMERATR, "9", *at)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "9 tasks refused by rule max 4 (service tag opsconsole:max-count)" in done.stderr
    done = opsconsole(tmp_path, "redeploy", *WWHD, "--dry-run", *at)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("redeploy-stop-first service wwhd-cluster/wwhd-backend")
    assert "rule: single writer (service tag opsconsole:single-writer)" in done.stdout


def test_profile_demo_works_for_inventory_scale_and_logs(serve: str, tmp_path: Path) -> None:
    at = ("--profile", "demo", "--endpoint-url", serve)
    done = opsconsole(tmp_path, "inventory", *at)
    assert done.returncode == 0, done.stderr
    assert "wwhd-backend" in done.stdout and "frameratr-dev-backend-service" in done.stdout
    # frameratr scales itself (target tracking on CPU): hold its scale-in so that the 2 stays
    done = opsconsole(tmp_path, "autoscaling", *FRAMERATR, "--suspend-scale-in", "--yes", *at)
    assert done.returncode == 0, done.stderr
    done = opsconsole(tmp_path, "scale", *FRAMERATR, "2", "--yes", "--wait", "--poll-interval", "0.2", *at)
    assert done.returncode == 0, done.stderr
    assert "rule: max 4 (service tag opsconsole:max-count)" in done.stdout and "2/2 running" in done.stdout
    done = opsconsole(tmp_path, "logs", "/ecs/docu-cr-backend", "--since", "1d", *at)
    assert done.returncode == 0, done.stderr
    assert "docu-cr-backend" in done.stdout


def test_profile_demo_with_no_endpoint_starts_the_embedded_aws(tmp_path: Path) -> None:
    done = opsconsole(tmp_path, "--profile", "demo", "inventory")
    assert done.returncode == 0, done.stderr
    assert "demo profile: starting the embedded AWS" in done.stderr
    assert "amazonaws.com" not in done.stderr
    assert "wwhd-backend" in done.stdout


def test_an_unknown_profile_stops_with_one_line(tmp_path: Path) -> None:
    done = opsconsole(tmp_path, "--profile", "prdo", "inventory")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "unknown profile 'prdo'" in done.stderr
