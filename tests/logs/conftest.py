"""Fixtures for the logs tests: the embedded AWS, a boto3 writer, unique group names.

moto's state is process-wide, so these tests use the suite's session ``demo``
server when tests/conftest.py provides one, and start their own only when it
does not.  Every test makes its own uniquely named log groups, so a reset
between tests (or none) does not matter.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import boto3
import pytest

REGION = "us-east-1"
_own_server: Any = None


@pytest.fixture(scope="session")
def logs_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    global _own_server
    try:
        demo = request.getfixturevalue("demo")
    except pytest.FixtureLookupError:
        demo = None
    if demo is not None:
        yield str(demo.endpoint)
        return
    from console.demo.server import DemoServer

    _own_server = DemoServer()
    endpoint = _own_server.start()
    try:
        yield endpoint
    finally:
        _own_server.stop()
        _own_server = None


@pytest.fixture(autouse=True)
def _logs_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # A local endpoint gets test credentials only when none are configured.
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def set_faults(endpoint: str, spec: str) -> None:
    """Fault injection through the server's admin endpoint (works with any server fixture)."""
    req = urllib.request.Request(f"{endpoint}/_opsconsole/faults", data=spec.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        answer = json.loads(resp.read())
    assert answer.get("ok"), answer


_counter = itertools.count()


class LogWriter:
    """boto3 (tests may use it) writing log lines as an application's awslogs driver would."""

    def __init__(self, endpoint: str, region: str = REGION) -> None:
        self.client = boto3.client(
            "logs",
            region_name=region,
            endpoint_url=endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self.region = region

    def group(self, stem: str = "g", streams: Sequence[str] = ("app/web/task1",)) -> str:
        name = f"/test/logs/{stem}-{next(_counter)}-{uuid.uuid4().hex[:6]}"
        self.client.create_log_group(logGroupName=name)
        for stream in streams:
            self.client.create_log_stream(logGroupName=name, logStreamName=stream)
        return name

    def stream(self, group: str, stream: str) -> None:
        self.client.create_log_stream(logGroupName=group, logStreamName=stream)

    def put(
        self, group: str, stream: str, messages: Sequence[str], *, ts: int | None = None, step: int = 1
    ) -> int:
        """Write messages (timestamps ``ts``, ``ts+step``…; default now); returns the last timestamp."""
        start = int(time.time() * 1000) if ts is None else ts
        events = [{"timestamp": start + i * step, "message": m} for i, m in enumerate(messages)]
        for offset in range(0, len(events), 5000):
            self.client.put_log_events(
                logGroupName=group, logStreamName=stream, logEvents=events[offset : offset + 5000]
            )
        return start + (len(messages) - 1) * step


@pytest.fixture
def writer(logs_endpoint: str) -> LogWriter:
    return LogWriter(logs_endpoint)
