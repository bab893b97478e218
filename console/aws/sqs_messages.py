"""SQS messages as the console holds them, and the per-entry outcome of a batch call.

A received message keeps everything needed to send it again unchanged (body, system and
message attributes, FIFO group and deduplication ids); a batch's outcome is keyed by the
caller's ids so a partial failure is never taken for a whole one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class QueueMessage:
    """A received message, with everything needed to send it again unchanged."""

    message_id: str
    body: str
    receipt_handle: str = ""
    md5_of_body: str = ""
    # System attributes as SQS sends them (SentTimestamp, ApproximateReceiveCount, MessageGroupId, ...).
    attributes: Mapping[str, str] = field(default_factory=dict, hash=False)
    # Message attributes in the wire shape SendMessage takes back ({"DataType", "StringValue"|"BinaryValue"}).
    message_attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, hash=False)

    @property
    def receive_count(self) -> int:
        try:
            return int(self.attributes.get("ApproximateReceiveCount", "0"))
        except ValueError:
            return 0

    @property
    def sent_at(self) -> datetime | None:
        return _epoch_ms(self.attributes.get("SentTimestamp"))

    @property
    def group_id(self) -> str:
        return self.attributes.get("MessageGroupId", "")

    @property
    def dedup_id(self) -> str:
        return self.attributes.get("MessageDeduplicationId", "")

    def body_json(self) -> Any | None:
        """The body parsed as JSON, or None when it is not JSON."""
        text = self.body.strip()
        if not text or text[0] not in "{[":
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def send_entry(self, entry_id: str, *, fifo: bool) -> dict[str, Any]:
        """A SendMessageBatch entry that recreates this message (body, attributes, FIFO ids)."""
        entry: dict[str, Any] = {"Id": entry_id, "MessageBody": self.body}
        if self.message_attributes:
            entry["MessageAttributes"] = {k: _wire_attribute(v) for k, v in self.message_attributes.items()}
        if fifo:
            entry["MessageGroupId"] = self.group_id or "default"
            if self.dedup_id:
                entry["MessageDeduplicationId"] = self.dedup_id
            else:  # a queue without content-based dedup needs one; the message id keeps it stable
                entry["MessageDeduplicationId"] = self.message_id
        return entry


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """Per-entry outcome of a Send/Delete batch: ids that succeeded and those that failed, with why."""

    ok: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()  # (entry id, "Code: message")
    # botocore retried the request: an earlier attempt may have taken effect unseen
    # (a send answered by a dropped connection), so a copy may exist twice.
    retried: bool = False

    @property
    def all_ok(self) -> bool:
        return not self.failed


def _wire_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"DataType": value.get("DataType", "String")}
    for key in ("StringValue", "BinaryValue", "StringListValues", "BinaryListValues"):
        if key in value and value[key] not in (None, [], b""):
            out[key] = value[key]
    if "StringValue" not in out and "BinaryValue" not in out:
        out["StringValue"] = ""
    return out


def _epoch_ms(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def to_message(raw: Mapping[str, Any]) -> QueueMessage:
    return QueueMessage(
        message_id=str(raw.get("MessageId", "")),
        body=str(raw.get("Body", "")),
        receipt_handle=str(raw.get("ReceiptHandle", "")),
        md5_of_body=str(raw.get("MD5OfBody", "")),
        attributes=dict(raw.get("Attributes") or {}),
        message_attributes={k: dict(v) for k, v in (raw.get("MessageAttributes") or {}).items()},
    )


def binary_preview(value: Mapping[str, Any]) -> str:
    """A message attribute value as text (binary values base64-encoded)."""
    if value.get("StringValue") is not None:
        return str(value["StringValue"])
    raw = value.get("BinaryValue")
    if isinstance(raw, (bytes, bytearray)):
        return "base64:" + base64.b64encode(bytes(raw)).decode()
    return "" if raw is None else str(raw)


def batch_outcome(resp: Mapping[str, Any]) -> BatchOutcome:
    ok = tuple(str(e.get("Id", "")) for e in resp.get("Successful", []))
    failed = tuple(
        (str(e.get("Id", "")), f"{e.get('Code', '')}: {e.get('Message', '')}") for e in resp.get("Failed", [])
    )
    retried = int((resp.get("ResponseMetadata") or {}).get("RetryAttempts") or 0) > 0
    return BatchOutcome(ok, failed, retried)


def merge_outcomes(outcomes: Iterable[BatchOutcome]) -> BatchOutcome:
    ok: list[str] = []
    failed: list[tuple[str, str]] = []
    retried = False
    for o in outcomes:
        ok += o.ok
        failed += o.failed
        retried = retried or o.retried
    return BatchOutcome(tuple(ok), tuple(failed), retried)
