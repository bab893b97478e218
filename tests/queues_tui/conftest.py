"""Fixtures for the queue detail tests: the console on the embedded AWS, reset per test.

Destructive tests make queues of their own (a fresh suffix, in us-east-1), so the
seeded ``document-verification-dlq`` is only read (and peeked) here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from console.config import Settings, demo_profile
from console.demo.runtime import DemoRuntime

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


def make_settings(world: DemoRuntime, *, read_only: bool = False) -> Settings:
    profile = demo_profile(world.endpoint)
    return Settings(
        profile=profile, regions=tuple(world.regions), endpoint_url=world.endpoint, read_only=read_only
    )


@pytest.fixture
def settings(world: DemoRuntime) -> Settings:
    world.server.middleware.set_faults(None)
    return make_settings(world)


@pytest.fixture
def sqs(world: DemoRuntime) -> Callable[[str], Any]:
    def make(region: str = REGION) -> Any:
        return boto3.client(
            "sqs",
            region_name=region,
            endpoint_url=world.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


@dataclass
class Pair:
    sqs: Any
    source_url: str
    dlq_url: str
    source_name: str
    dlq_name: str

    def counts(self, url: str) -> tuple[int, int]:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def fill_dlq(self, bodies: list[str]) -> None:
        for start in range(0, len(bodies), 10):
            entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start : start + 10])]
            assert not self.sqs.send_message_batch(QueueUrl=self.dlq_url, Entries=entries).get("Failed")

    def bodies(self, url: str) -> list[str]:
        """Every body in ``url``: each message received once, then made visible again.

        Each call raises the receive counts by one (the source's maxReceiveCount is 4).
        """
        seen: dict[str, tuple[str, str]] = {}
        empty = 0
        while empty < 2:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)
            messages = got.get("Messages", [])
            empty = 0 if messages else empty + 1
            for m in messages:
                seen[m["MessageId"]] = (m["Body"], m["ReceiptHandle"])
        handles = [h for _, h in seen.values()]
        for start in range(0, len(handles), 10):
            self.sqs.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
                    for i, h in enumerate(handles[start : start + 10])
                ],
            )
        return sorted(b for b, _ in seen.values())


@pytest.fixture
def pair(sqs: Callable[[str], Any]) -> Pair:
    client = sqs(REGION)
    tag = uuid.uuid4().hex[:8]
    dlq_name, src_name = f"qt-{tag}-dlq", f"qt-{tag}-src"
    dlq_url = client.create_queue(QueueName=dlq_name)["QueueUrl"]
    dlq_arn = client.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "4"})
    src_url = client.create_queue(
        QueueName=src_name, Attributes={"RedrivePolicy": policy, "VisibilityTimeout": "45"}
    )["QueueUrl"]
    return Pair(client, src_url, dlq_url, src_name, dlq_name)
