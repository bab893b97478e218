"""The demo's SQS fast paths answer as moto does (console/demo/sqs_speedups.py).

The benchmark relies on them, so they must not change what a client sees:
every JSON answer is compared with moto's own serializer's, and the
receipt-handle index keeps moto's rules for old, deleted and moved handles.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.core.responses import BaseResponse
from moto.sqs.responses import SQSResponse

from .conftest import QueuePair, make_pair


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any, Any]]]:
    """(action, our answer, moto's serializer's answer) for every SQS answer meanwhile."""
    seen: list[tuple[str, Any, Any]] = []
    ours = SQSResponse.serialized

    def both(self: SQSResponse, action_result: Any) -> Any:
        got = ours(self, action_result)
        seen.append((self._get_action(), got, BaseResponse.serialized(self, action_result)))
        return got

    monkeypatch.setattr(SQSResponse, "serialized", both)
    yield seen


def _same(seen: list[tuple[str, Any, Any]]) -> set[str]:
    for action, (status, headers, body), (m_status, m_headers, m_body) in seen:
        assert status == m_status, action
        assert headers.get("Content-Type") == m_headers.get("Content-Type"), action
        assert json.loads(body) == json.loads(m_body), action
        assert body == m_body, f"{action}: same JSON, same bytes"
    return {action for action, _, _ in seen}


def test_answers_equal_moto_serializer(sqs_demo, pair: QueuePair, answers) -> None:
    sqs = pair.sqs
    attrs = {
        "text": {"DataType": "String", "StringValue": "OCRTimeout ünïcode"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\xffraw"},
        "n": {"DataType": "Number", "StringValue": "42"},
    }
    sqs.send_message(QueueUrl=pair.dlq_url, MessageBody="plain", MessageAttributes=attrs)
    sent = sqs.send_message_batch(
        QueueUrl=pair.dlq_url,
        Entries=[
            {"Id": "a", "MessageBody": json.dumps({"doc": 1})},
            {"Id": "b", "MessageBody": "b", "MessageAttributes": attrs},
            {"Id": "late", "MessageBody": "x", "DelaySeconds": 901},  # refused: a Failed entry
        ],
    )
    assert [e["Id"] for e in sent["Failed"]] == ["late"]
    got = sqs.receive_message(
        QueueUrl=pair.dlq_url,
        MaxNumberOfMessages=10,
        VisibilityTimeout=30,
        MessageAttributeNames=["All"],
        MessageSystemAttributeNames=["All"],
    )["Messages"]
    blobs = [m["MessageAttributes"]["blob"]["BinaryValue"] for m in got if "MessageAttributes" in m]
    assert blobs == [b"\x00\xffraw", b"\x00\xffraw"]
    sqs.change_message_visibility_batch(
        QueueUrl=pair.dlq_url,
        Entries=[{"Id": "0", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 0}],
    )
    deleted = sqs.delete_message_batch(
        QueueUrl=pair.dlq_url,
        Entries=[
            {"Id": "ok", "ReceiptHandle": got[1]["ReceiptHandle"]},
            {"Id": "bad", "ReceiptHandle": "not-a-handle"},
        ],
    )
    assert [e["Id"] for e in deleted["Successful"]] == ["ok"]
    assert [e["Id"] for e in deleted["Failed"]] == ["bad"]
    sqs.get_queue_attributes(QueueUrl=pair.dlq_url, AttributeNames=["All"])
    sqs.list_dead_letter_source_queues(QueueUrl=pair.dlq_url)
    actions = _same(answers)
    assert {"SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessageBatch"} <= actions
    assert {"ChangeMessageVisibilityBatch", "GetQueueAttributes"} <= actions


def test_fifo_answers_equal_moto_serializer(sqs_demo, answers) -> None:
    pair = make_pair(sqs_demo.endpoint, fifo=True)
    try:
        sqs = pair.sqs
        sqs.send_message_batch(
            QueueUrl=pair.dlq_url,
            Entries=[
                {
                    "Id": str(i),
                    "MessageBody": f"m{i}",
                    "MessageGroupId": "g",
                    "MessageDeduplicationId": f"d{i}",
                }
                for i in range(3)
            ],
        )
        got = sqs.receive_message(
            QueueUrl=pair.dlq_url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        )["Messages"]
        assert [m["Body"] for m in got] == ["m0", "m1", "m2"]
        assert {m["Attributes"]["MessageGroupId"] for m in got} == {"g"}
        assert "SequenceNumber" in got[0]["Attributes"]
        assert "SendMessageBatch" in _same(answers)
    finally:
        for url in (pair.source_url, pair.dlq_url):
            pair.sqs.delete_queue(QueueUrl=url)


def test_receipt_handles_keep_moto_rules(sqs_demo, pair: QueuePair) -> None:
    sqs = pair.sqs
    sqs.send_message(QueueUrl=pair.dlq_url, MessageBody="once")
    first = sqs.receive_message(QueueUrl=pair.dlq_url, VisibilityTimeout=0)["Messages"][0]
    second = sqs.receive_message(QueueUrl=pair.dlq_url, VisibilityTimeout=30)["Messages"][0]
    assert first["MessageId"] == second["MessageId"]
    assert first["ReceiptHandle"] != second["ReceiptHandle"]
    assert len(second["ReceiptHandle"]) == 185 and second["ReceiptHandle"].isalpha()
    sqs.delete_message(QueueUrl=pair.dlq_url, ReceiptHandle=first["ReceiptHandle"])  # an older handle
    assert pair.counts(pair.dlq_url) == (0, 0)
    sqs.delete_message(QueueUrl=pair.dlq_url, ReceiptHandle=second["ReceiptHandle"])  # again: no error
    with pytest.raises(ClientError) as err:
        sqs.delete_message(QueueUrl=pair.source_url, ReceiptHandle=second["ReceiptHandle"])
    assert err.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"


def test_handle_of_a_dead_lettered_message_is_invalid_in_its_source(sqs_demo) -> None:
    pair = make_pair(sqs_demo.endpoint, max_receive=1)
    try:
        sqs = pair.sqs
        sqs.send_message(QueueUrl=pair.source_url, MessageBody="fails")
        handle = sqs.receive_message(QueueUrl=pair.source_url, VisibilityTimeout=0)["Messages"][0][
            "ReceiptHandle"
        ]
        assert "Messages" not in sqs.receive_message(QueueUrl=pair.source_url)  # moved to the DLQ
        assert pair.counts(pair.dlq_url) == (1, 0)
        with pytest.raises(ClientError) as err:
            sqs.change_message_visibility(QueueUrl=pair.source_url, ReceiptHandle=handle, VisibilityTimeout=5)
        assert err.value.response["Error"]["Code"] == "ReceiptHandleIsInvalid"
        with pytest.raises(ClientError):
            sqs.delete_message(QueueUrl=pair.source_url, ReceiptHandle=handle)
        assert pair.counts(pair.dlq_url) == (1, 0)
    finally:
        for url in (pair.source_url, pair.dlq_url):
            pair.sqs.delete_queue(QueueUrl=url)


def test_counts_only_when_asked(sqs_demo, pair: QueuePair) -> None:
    pair.fill_dlq([f"c{i}" for i in range(5)])
    pair.sqs.receive_message(QueueUrl=pair.dlq_url, MaxNumberOfMessages=2, VisibilityTimeout=30)
    every = pair.sqs.get_queue_attributes(QueueUrl=pair.dlq_url, AttributeNames=["All"])["Attributes"]
    assert every["ApproximateNumberOfMessages"] == "3"
    assert every["ApproximateNumberOfMessagesNotVisible"] == "2"
    assert every["ApproximateNumberOfMessagesDelayed"] == "0"
    named = pair.sqs.get_queue_attributes(
        QueueUrl=pair.dlq_url, AttributeNames=["VisibilityTimeout", "ApproximateNumberOfMessages"]
    )["Attributes"]
    assert named == {"VisibilityTimeout": "30", "ApproximateNumberOfMessages": "3"}
    arn_only = pair.sqs.get_queue_attributes(QueueUrl=pair.dlq_url, AttributeNames=["QueueArn"])
    assert arn_only["Attributes"] == {"QueueArn": pair.dlq_arn}
    with pytest.raises(ClientError) as err:
        pair.sqs.get_queue_attributes(QueueUrl=pair.dlq_url, AttributeNames=["NoSuchAttribute"])
    assert err.value.response["Error"]["Code"] == "InvalidAttributeName"


def test_binary_values_travel_base64(sqs_demo, pair: QueuePair, answers) -> None:
    value = bytes(range(256))
    pair.sqs.send_message(
        QueueUrl=pair.dlq_url,
        MessageBody="bin",
        MessageAttributes={"raw": {"DataType": "Binary", "BinaryValue": value}},
    )
    pair.sqs.receive_message(QueueUrl=pair.dlq_url, MessageAttributeNames=["All"])
    receive = [body for action, (_, _, body), _ in answers if action == "ReceiveMessage"]
    encoded = json.loads(receive[-1])["Messages"][0]["MessageAttributes"]["raw"]["BinaryValue"]
    assert base64.b64decode(encoded) == value
    _same(answers)
