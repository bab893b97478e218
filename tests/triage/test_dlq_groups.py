"""DLQ triage's pure parts: a message's error key, the groups with their counts, who reads a queue,
and the redrive plan's warning when the destination is consumed now."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from console.aws.sqs import QueueMessage
from console.model import ContainerDefinition, EnvVar, Queue, Service, TaskDefinition
from console.triage.consumers import Consumer, names_queue, retry_warning, service_consumers
from console.triage.dlq_groups import group_key, group_messages, group_of, normalize

QUEUE = Queue(
    url="https://sqs.ap-south-1.amazonaws.com/123456789012/orders",
    name="orders",
    region="ap-south-1",
    arn="arn:aws:sqs:ap-south-1:123456789012:orders",
)


def msg(mid: str, body: str, *, error_type: str = "", sent_ms: int = 0) -> QueueMessage:
    attrs = {"error_type": {"DataType": "String", "StringValue": error_type}} if error_type else {}
    return QueueMessage(mid, body, attributes={"SentTimestamp": str(sent_ms)}, message_attributes=attrs)


def test_normalize_hides_ids_numbers_and_hashes() -> None:
    a = normalize("KeyError: 'p60' in doc 1b4e28ba-2fa1-11d2-883f-0016d3cca427 after 3 tries\nTraceback")
    b = normalize("KeyError: 'p61' in doc 6fa459ea-ee8a-3ca4-894e-db77e160355e after 4 tries")
    assert a == "KeyError: 'pN' in doc <id> after N tries" and a == b
    assert normalize("task 9f86d081884c7d659a2feaa0 failed") == "task <hex> failed"


def test_the_key_is_a_json_field_then_the_attribute_then_the_first_line() -> None:
    assert group_key(msg("1", json.dumps({"error_type": "OCRTimeout", "error": "x"}))) == "OCRTimeout"
    assert group_key(msg("2", json.dumps({"error": "ValidationError: field 12 required"}))) == (
        "ValidationError: field N required"
    )
    assert group_key(msg("3", json.dumps({"doc": 1}), error_type="HMRCAuthError")) == "HMRCAuthError"
    assert group_key(msg("4", "Timeout after 30s\nstack")) == "Timeout after Ns"
    assert group_key(msg("5", "   ")) == "(empty)"


def test_groups_count_and_order_the_messages() -> None:
    messages = [
        msg("a", json.dumps({"error_type": "OCRTimeout"}), sent_ms=3_000),
        msg("b", json.dumps({"error_type": "PDFPageCountError"}), sent_ms=1_000),
        msg("c", json.dumps({"error_type": "OCRTimeout"}), sent_ms=2_000),
    ]
    groups = group_messages(messages)
    assert [(g.key, g.count, g.message_ids) for g in groups] == [
        ("OCRTimeout", 2, ("a", "c")),
        ("PDFPageCountError", 1, ("b",)),
    ]
    assert groups[0].first_sent == datetime.fromtimestamp(2, UTC)
    assert groups[0].last_sent == datetime.fromtimestamp(3, UTC)
    group = group_of(groups, "b")
    assert group is not None and group.key == "PDFPageCountError"
    assert group_of(groups, "zzz") is None


def service(name: str, desired: int = 1) -> Service:
    return Service(
        arn=f"arn:aws:ecs:ap-south-1:123456789012:service/c/{name}",
        name=name,
        cluster_arn="arn:aws:ecs:ap-south-1:123456789012:cluster/c",
        status="ACTIVE",
        desired=desired,
        running=desired,
        pending=0,
        task_definition=f"arn:aws:ecs:ap-south-1:123456789012:task-definition/{name}:1",
        region="ap-south-1",
    )


def td(value: str) -> TaskDefinition:
    container = ContainerDefinition(name="app", image="x", environment=(EnvVar("QUEUE", value),))
    return TaskDefinition(arn="arn:td", family="f", revision=1, status="ACTIVE", containers=(container,))


def test_a_service_reads_the_queue_its_task_definition_names() -> None:
    assert names_queue(td(QUEUE.url), QUEUE)
    assert names_queue(td(QUEUE.arn), QUEUE)
    assert not names_queue(td(QUEUE.url.replace("orders", "orders-dlq")), QUEUE)
    assert not names_queue(td(QUEUE.url.replace("ap-south-1", "us-east-1")), QUEUE)
    found = service_consumers(QUEUE, [(service("reader"), td(QUEUE.url)), (service("other"), td("none"))])
    assert [(c.kind, c.name, c.enabled, c.account) for c in found] == [
        ("service", "reader", True, "123456789012")
    ]


def test_the_redrive_warning_names_each_enabled_consumer() -> None:
    fn = Consumer("lambda", "processor", "ap-south-1", "123456789012", True, "/aws/lambda/processor")
    off = Consumer("lambda", "old", "ap-south-1", "123456789012", False, "/aws/lambda/old")
    warning = retry_warning(QUEUE, [fn, off])
    assert "orders is consumed now by Lambda processor (enabled event source mapping)" in warning
    assert "retried at once" in warning and "old" not in warning
    assert retry_warning(QUEUE, [off]) == ""
    assert retry_warning(QUEUE, service_consumers(QUEUE, [(service("idle", 0), td(QUEUE.url))])) == ""
