"""Queues of our own on the embedded AWS, apart from the seeded world's.

Uses the session ``demo`` fixture of tests/conftest.py when it exists (one
demo server per process), else starts one server for the session.  Every
test gets queue names with a fresh suffix, so no reset is needed and the
seeded document-verification queues are never touched.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from console.demo import sqs_moves
from console.demo.server import DemoServer

REGION = "us-east-1"


@dataclass
class SqsDemo:
    endpoint: str
    server: DemoServer


_OWN: list[DemoServer] = []


@pytest.fixture(scope="session")
def sqs_demo(request: pytest.FixtureRequest) -> Iterator[SqsDemo]:
    try:
        demo = request.getfixturevalue("demo")
        server, endpoint = demo.server, demo.endpoint
    except pytest.FixtureLookupError:
        if not _OWN:
            _OWN.append(DemoServer())
            _OWN[0].start()
        server = _OWN[0]
        endpoint = server.endpoint
    sqs_moves.install(server)
    yield SqsDemo(endpoint=endpoint, server=server)


def sqs_client(endpoint: str, region: str = REGION) -> Any:
    return boto3.client(
        "sqs",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass
class QueuePair:
    """A source queue and its DLQ (and the boto3 client that made them)."""

    sqs: Any
    source_url: str
    source_arn: str
    dlq_url: str
    dlq_arn: str
    source_name: str
    dlq_name: str

    def counts(self, url: str) -> tuple[int, int]:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]), int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def fill_dlq(self, bodies: list[str], **extra: Any) -> None:
        for start in range(0, len(bodies), 10):
            entries = [
                {"Id": str(i), "MessageBody": body, **extra}
                for i, body in enumerate(bodies[start : start + 10])
            ]
            resp = self.sqs.send_message_batch(QueueUrl=self.dlq_url, Entries=entries)
            assert not resp.get("Failed")

    def drain(self, url: str, *, fifo: bool = False) -> list[dict[str, Any]]:
        """Receive and delete everything in ``url``."""
        out: list[dict[str, Any]] = []
        empty = 0
        while empty < 2:
            resp = self.sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=10,
                VisibilityTimeout=30,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            msgs = resp.get("Messages", [])
            if not msgs:
                empty += 1
                continue
            out += msgs
            self.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)],
            )
        return out


def make_pair(endpoint: str, *, fifo: bool = False, max_receive: int = 3, region: str = REGION) -> QueuePair:
    sqs = sqs_client(endpoint, region)
    tag = uuid.uuid4().hex[:8]
    suffix = ".fifo" if fifo else ""
    fifo_attrs = {"FifoQueue": "true"} if fifo else {}
    dlq_name = f"t-{tag}-dlq{suffix}"
    src_name = f"t-{tag}-src{suffix}"
    dlq_url = sqs.create_queue(QueueName=dlq_name, Attributes=fifo_attrs)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    policy = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receive)})
    src_url = sqs.create_queue(QueueName=src_name, Attributes={"RedrivePolicy": policy, **fifo_attrs})[
        "QueueUrl"
    ]
    src_arn = sqs.get_queue_attributes(QueueUrl=src_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return QueuePair(sqs, src_url, src_arn, dlq_url, dlq_arn, src_name, dlq_name)


@pytest.fixture
def pair(sqs_demo: SqsDemo) -> Iterator[QueuePair]:
    p = make_pair(sqs_demo.endpoint)
    yield p
    for url in (p.source_url, p.dlq_url):
        p.sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def fifo_pair(sqs_demo: SqsDemo) -> Iterator[QueuePair]:
    p = make_pair(sqs_demo.endpoint, fifo=True)
    yield p
    for url in (p.source_url, p.dlq_url):
        p.sqs.delete_queue(QueueUrl=url)


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Audit log and profiles of the test's own, never the developer's."""
    monkeypatch.setenv("OPSCONSOLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OPSCONSOLE_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retry backoff in milliseconds (same attempts), so fault tests stay short."""
    from botocore.retries import standard

    def delay_amount(self: standard.ExponentialBackoff, context: standard.RetryContext) -> float:
        return float(self._random()) * min(0.01 * 2 ** (context.attempt_number - 1), 0.2)

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", delay_amount)


def bodies_of(messages: list[dict[str, Any]]) -> list[str]:
    return [m["Body"] for m in messages]
