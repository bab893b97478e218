"""Chaos suite helpers: boto3 views of the demo (the test's own eyes), the CLI, queues, a kill switch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from console.cli import main
from console.demo.runtime import DemoRuntime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FRAMERATR = ("us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service")  # bounds 1-4
DOCU = ("us-east-1", "docu-cr-backend-cluster", "docu-cr-backend-service")  # 2 tasks, revisions 1-4
WWHD = ("us-east-1", "wwhd-cluster", "wwhd-backend")  # single writer (profile), 1 task
DV = ("ap-south-1", "document-verification-cluster", "document-verification-service")  # one container
DV_CONTAINER = "document-verification-backend"

# Fields AWS sets on registration: they differ between two revisions by nature.
REGISTRATION_FIELDS = (
    "taskDefinitionArn",
    "revision",
    "status",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)


def client(runtime: DemoRuntime, service: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=runtime.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def describe(runtime: DemoRuntime, region: str, cluster: str, service: str) -> dict[str, Any]:
    return client(runtime, "ecs", region).describe_services(cluster=cluster, services=[service])["services"][
        0
    ]


def task_definition(runtime: DemoRuntime, region: str, ref: str) -> dict[str, Any]:
    resp = client(runtime, "ecs", region).describe_task_definition(taskDefinition=ref, include=["TAGS"])
    return {"taskDefinition": resp["taskDefinition"], "tags": resp.get("tags", [])}


def revisions(runtime: DemoRuntime, region: str, family: str) -> list[str]:
    ecs = client(runtime, "ecs", region)
    return list(ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"])


def comparable(td: dict[str, Any], *, drop_env_of: str | None = None) -> dict[str, Any]:
    """A task definition without what registering sets (and, optionally, one container's environment)."""
    body = {k: v for k, v in td["taskDefinition"].items() if k not in REGISTRATION_FIELDS}
    if drop_env_of:
        body["containerDefinitions"] = [
            {k: v for k, v in c.items() if not (c["name"] == drop_env_of and k == "environment")}
            for c in body["containerDefinitions"]
        ]
    return {"taskDefinition": body, "tags": sorted(td["tags"], key=lambda t: t["key"])}


def env_of(td: dict[str, Any], container: str) -> dict[str, str]:
    c = next(c for c in td["taskDefinition"]["containerDefinitions"] if c["name"] == container)
    return {e["name"]: e["value"] for e in c.get("environment", [])}


# --- the CLI ----------------------------------------------------------------------------------------


def demo_args(runtime: DemoRuntime) -> list[str]:
    return ["--profile", "demo", "--endpoint-url", runtime.endpoint]


def run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(argv)
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def assert_one_line_error(rc: int, err: str) -> None:
    """A failed run says what failed in one line, as the CLI promises (exit 1: failed, not bad input)."""
    assert rc == 1, err
    lines = [line for line in err.splitlines() if line.startswith("opsconsole: error: ")]
    assert len(lines) == 1, err


class Served:
    """Counts the requests the demo answered from moto; the middleware counts every request it got.

    The difference is what the faults answered instead (throttling, 5xx, dropped before moto):
    a test that claims to have run under faults checks that some were injected.
    """

    def __init__(self) -> None:
        self.n = 0
        self._lock = threading.Lock()

    def __call__(self, api: str, params: dict[str, Any], status: int) -> None:
        with self._lock:
            self.n += 1


def until_done(
    capsys: pytest.CaptureFixture[str], runtime: DemoRuntime, argv: list[str], *, attempts: int = 3
) -> int:
    """Run ``argv`` under the faults set until it succeeds (at most ``attempts``), then once without.

    A run may fail under faults, but it must say so in one line, and running it again (what a
    person does) must converge. Returns how many requests the faults answered.
    """
    served = Served()
    total_before = sum(runtime.counts().values())
    runtime.server.add_observer(served)
    try:
        for _ in range(attempts):
            rc, _out, err = run_cli(capsys, argv)
            if rc == 0:
                return sum(runtime.counts().values()) - total_before - served.n
            assert_one_line_error(rc, err)
        injected = sum(runtime.counts().values()) - total_before - served.n
    finally:
        runtime.server.middleware.observers.remove(served)
    runtime.server.middleware.set_faults(None)
    rc, _out, err = run_cli(capsys, argv)
    assert rc == 0, f"still failing without faults: {err}"
    return injected


def cli_process(argv: list[str], data_dir: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPSCONSOLE_DATA_DIR": data_dir, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "console.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )


@dataclass
class KillSwitch:
    """SIGKILLs a process from inside the demo server, right after it served a chosen request.

    The observer runs after the request took effect and before its response is sent: the
    change is made and the killed CLI never hears of it, the worst moment for a rerun.
    """

    api: str
    nth: int = 1
    when: Callable[[dict[str, Any]], bool] = lambda _params: True
    proc: subprocess.Popen[bytes] | None = None
    seen: int = 0
    fired: threading.Event = field(default_factory=threading.Event)

    def __call__(self, api: str, params: dict[str, Any], status: int) -> None:
        if api != self.api or status != 200 or self.fired.is_set() or not self.when(params):
            return
        self.seen += 1
        if self.seen >= self.nth and self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.fired.set()

    def run(self, runtime: DemoRuntime, argv: list[str], data_dir: str, timeout: float = 90) -> None:
        """Start the CLI, wait for it to be killed at the chosen request; fail if it ended by itself."""
        runtime.server.add_observer(self)
        try:
            self.proc = cli_process(argv, data_dir)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"the CLI did not reach {self.api} within {timeout}s")
            err = self.proc.stderr.read().decode() if self.proc.stderr else ""
            assert self.fired.is_set() and self.proc.returncode == -signal.SIGKILL, (
                f"the CLI ended (exit {self.proc.returncode}) before it was killed at {self.api}: "
                f"{err[-500:]}"
            )
        finally:
            runtime.server.middleware.observers.remove(self)


class AliveWatcher:
    """Samples, every few ms from the demo's ECS state, how many tasks of a service are not STOPPED."""

    def __init__(self, region: str, cluster: str, service: str) -> None:
        self.region, self.cluster, self.service = region, cluster, service
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from console.demo.scheduler import LOCK, backend

        while not self._stop.is_set():
            with LOCK:
                tasks = backend(self.region).tasks.get(self.cluster, {})
                self.samples.append(
                    sum(
                        1
                        for t in tasks.values()
                        if getattr(t, "group", "") == f"service:{self.service}" and t.last_status != "STOPPED"
                    )
                )
            self._stop.wait(0.005)

    def __enter__(self) -> AliveWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# --- queues ------------------------------------------------------------------------------------------


@dataclass
class Pair:
    """A source queue and its DLQ of the test's own (us-east-1), filled with numbered bodies."""

    sqs: Any
    source_url: str
    dlq_url: str
    dlq_name: str
    bodies: list[str]

    @classmethod
    def make(cls, runtime: DemoRuntime, n: int, region: str = "us-east-1") -> Pair:
        sqs = client(runtime, "sqs", region)
        tag = uuid.uuid4().hex[:8]
        dlq_name = f"chaos-{tag}-dlq"
        dlq_url = sqs.create_queue(QueueName=dlq_name)["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})
        src = sqs.create_queue(QueueName=f"chaos-{tag}-src", Attributes={"RedrivePolicy": policy})["QueueUrl"]
        bodies = [json.dumps({"doc": i, "tag": tag}) for i in range(n)]
        for start in range(0, n, 10):
            entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])]
            assert not sqs.send_message_batch(QueueUrl=dlq_url, Entries=entries).get("Failed")
        return cls(sqs, src, dlq_url, dlq_name, bodies)

    def counts(self, url: str) -> tuple[int, int]:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def wait_visible(self, url: str, timeout: float = 30) -> None:
        """Until nothing of ``url`` is in flight (a killed or failed run's receives time out)."""
        deadline = time.monotonic() + timeout
        while self.counts(url)[1] and time.monotonic() < deadline:
            time.sleep(0.1)

    def bodies_in(self, url: str) -> Counter[str]:
        """Every body in ``url``, received with a long visibility timeout (so each is seen once)."""
        found: Counter[str] = Counter()
        empty = 0
        while empty < 2:
            msgs = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=120).get(
                "Messages", []
            )
            if not msgs:
                empty += 1
                continue
            empty = 0
            found.update(m["Body"] for m in msgs)
        return found

    def accounting(self) -> tuple[Counter[str], Counter[str]]:
        """(bodies in the DLQ, bodies in the source); every body of ours must be in one of them."""
        self.wait_visible(self.dlq_url)
        self.wait_visible(self.source_url)
        return self.bodies_in(self.dlq_url), self.bodies_in(self.source_url)

    def delete(self) -> None:
        for url in (self.source_url, self.dlq_url):
            self.sqs.delete_queue(QueueUrl=url)
