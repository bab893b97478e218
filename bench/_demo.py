"""Start `opsconsole demo serve` in a subprocess for a benchmark, and read its request counts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def opsconsole_cmd() -> list[str]:
    return [sys.executable, "-m", "console.cli"]


@contextmanager
def demo_serve(*args: str, timeout: float = 600) -> Iterator[str]:
    """Yield the endpoint of a `demo serve` subprocess started with ``args``."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [*opsconsole_cmd(), "demo", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + timeout
        endpoint = ""
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("demo serve exited before printing its endpoint")
            if line.startswith("endpoint: "):
                endpoint = line.split(": ", 1)[1].strip()
                break
        if not endpoint:
            raise RuntimeError("demo serve did not print its endpoint in time")
        yield endpoint
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def counts(endpoint: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{endpoint}/_opsconsole/counts", timeout=10) as resp:
        return dict(json.loads(resp.read()))


def reset_counts(endpoint: str) -> None:
    req = urllib.request.Request(f"{endpoint}/_opsconsole/counts", method="DELETE")
    urllib.request.urlopen(req, timeout=10).read()


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
