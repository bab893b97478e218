"""A DLQ's messages grouped by what went wrong, so that one kind of failure is redriven or deleted
on its own.

The key is the message's own word for its failure: a JSON field (``error_type``, ``errorType``,
``error_code``, ``error``) of the body, else its ``error_type`` message attribute, else the body's
first line. Ids, numbers and hashes are normalised so that two messages failing the same way
share a key however their documents are named. Pure: no I/O, unit-tested.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

JSON_KEYS = ("error_type", "errorType", "error_code", "error")
KEY_MAX = 80
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{12,}\b")
_NUMBER = re.compile(r"\d+(\.\d+)?")


class Message(Protocol):
    """What grouping needs of a received message (``console.aws.sqs_messages.QueueMessage``)."""

    @property
    def message_id(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def message_attributes(self) -> Mapping[str, Mapping[str, Any]]: ...
    @property
    def sent_at(self) -> datetime | None: ...


def normalize(text: str) -> str:
    """One line with its ids, hashes and numbers replaced, cut to KEY_MAX characters."""
    line = (text.strip().splitlines() or [""])[0].strip()
    line = _UUID.sub("<id>", line)
    line = _HEX.sub("<hex>", line)
    line = _NUMBER.sub("N", line)
    return line[:KEY_MAX]


def body_key(body: str) -> str:
    """The key of a body alone: its JSON error field, else its normalised first line."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in JSON_KEYS:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return normalize(value)
    return normalize(body) or "(empty)"


def group_key(message: Message) -> str:
    """The JSON field of the body, else the ``error_type`` attribute, else the first line."""
    key = body_key(message.body)
    try:
        data = json.loads(message.body)
    except ValueError:
        data = None
    has_field = isinstance(data, dict) and any(
        isinstance(data.get(k), str) and data.get(k) for k in JSON_KEYS
    )
    if not has_field:
        attribute = (message.message_attributes or {}).get("error_type") or {}
        value = attribute.get("StringValue")
        if isinstance(value, str) and value.strip():
            return normalize(value)
    return key


@dataclass(frozen=True, slots=True)
class MessageGroup:
    key: str
    message_ids: tuple[str, ...]
    first_sent: datetime | None = None
    last_sent: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.message_ids)


def group_messages(messages: Iterable[Message]) -> list[MessageGroup]:
    """Groups, the largest first (then by key); each keeps its messages in the order given."""
    ids: dict[str, list[str]] = {}
    times: dict[str, list[datetime]] = {}
    for m in messages:
        key = group_key(m)
        ids.setdefault(key, []).append(m.message_id)
        if m.sent_at is not None:
            times.setdefault(key, []).append(m.sent_at)
    groups = [
        MessageGroup(
            key,
            tuple(found),
            min(times[key]) if key in times else None,
            max(times[key]) if key in times else None,
        )
        for key, found in ids.items()
    ]
    return sorted(groups, key=lambda g: (-g.count, g.key))


def group_of(groups: Iterable[MessageGroup], message_id: str) -> MessageGroup | None:
    return next((g for g in groups if message_id in g.message_ids), None)
