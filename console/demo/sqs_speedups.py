"""moto's SQS at the cost of AWS's: per request, not per message in the queue.

moto recomputes every queue attribute (three passes over the queue) for each
message it sends, builds the list of visible messages on every receive,
finds a receipt handle by scanning the queue, serializes each answer field
by field through six alias lookups, and locates the backend of each request
by listing moto's package directory under a global lock.  With a DLQ of
10,000 messages the in-process demo server spent its CPU there, so a
benchmark of the client's redrive measured moto instead of the client.

The patches below (process-wide, demo only) give the same answers:

* the dispatcher remembers which backend serves a host (every service);
* ``Queue.attributes`` leaves out the three message counts, which only
  ``GetQueueAttributes`` returns (one pass, when they are asked for);
* a receive judges visibility only until it has its messages, and copies
  the messages it answers with shallowly;
* deletes and visibility changes find the message by its receipt handle in
  an index, under the queue's own lock (moto rebuilt the list without one,
  so concurrent deletes could resurrect a deleted message);
* receipt handles (185 random letters) come from one call, not 185;
* JSON answers are plain dicts dumped (moto's serializer for anything unusual);
* AWS's 12-hour visibility limit counts from the receive, not from the send.

Visibility, receive counts, the move to the DLQ after maxReceiveCount, FIFO
groups and deduplication stay moto's (tests/queues/test_demo_sqs_speedups.py
compares the answers with moto's serializer's).
"""

from __future__ import annotations

import base64
import copy
import json
import time
import weakref
from collections.abc import Iterator
from typing import Any

from botocore.model import OperationNotFoundError, Shape
from moto import settings
from moto.core.responses import ActionResult
from moto.core.utils import camelcase_to_underscores, get_service_model, unix_time_millis
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.sqs import models as sqs_models
from moto.sqs.exceptions import InvalidAttributeName, InvalidParameterValue, ReceiptHandleIsInvalid
from moto.sqs.responses import SQSResponse

_PATCHED = "_opsconsole_fast_paths"

COUNTS = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
)
MAX_VISIBILITY_S = 43200


def install() -> None:
    """Patch moto once per process (idempotent)."""
    if getattr(sqs_models.Queue, _PATCHED, False):
        return
    _remember_backends()
    _queue_fast_paths()
    _plain_json_answers()
    setattr(sqs_models.Queue, _PATCHED, True)


# --- dispatch -------------------------------------------------------------------------------


def _remember_backends() -> None:
    """The backend of a host never changes; moto lists its package directory to find it per request.

    The listing runs under the dispatcher's lock, so every concurrent request
    of every service queued behind it.
    """
    original = DomainDispatcherApplication.get_backend_for_host
    known: dict[str | None, Any] = {}

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        try:
            return known[host]
        except KeyError:
            backend = known[host] = original(self, host)
            return backend

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


# --- counts and attributes ----------------------------------------------------------------


def counts(queue: Any) -> tuple[int, int, int]:
    """(visible, not visible, delayed) in one pass, as moto's three properties count them."""
    now = unix_time_millis()
    visible = not_visible = delayed = 0
    for m in list(queue._messages):
        is_visible = now > m.visible_at
        if not is_visible:
            not_visible += 1
        if now < m.delayed_until:
            delayed += 1
        elif is_visible:
            visible += 1
    return visible, not_visible, delayed


_FIELD: dict[str, str] = {}  # attribute name -> the Queue field moto keeps it in


def _field(name: str) -> str:
    try:
        return _FIELD[name]
    except KeyError:
        field = _FIELD[name] = camelcase_to_underscores(name)
        return field


def attributes(queue: Any, *, with_counts: bool) -> dict[str, Any]:
    """moto's ``Queue.attributes``, the counts only when asked for (they need a pass over the queue)."""
    computed = dict(zip(COUNTS, counts(queue), strict=True)) if with_counts else {}
    names = list(queue.BASE_ATTRIBUTES)
    if queue.fifo_queue:
        names += queue.FIFO_ATTRIBUTES
    if queue.kms_master_key_id:
        names += queue.KMS_ATTRIBUTES
    result: dict[str, Any] = {}
    for name in names:
        if name in COUNTS:
            if with_counts:
                result[name] = computed[name]
            continue
        result[name] = getattr(queue, _field(name))
    if queue.policy:
        result["Policy"] = queue.policy
    if queue.redrive_policy:
        result["RedrivePolicy"] = json.dumps(queue.redrive_policy)
    for key, value in result.items():
        if isinstance(value, bool):
            result[key] = str(value).lower()
    return result


def get_queue_attributes(backend: Any, queue_name: str, attribute_names: list[str]) -> dict[str, Any]:
    """moto's answer (same validation, same None-dropping), counting messages only when asked."""
    queue = backend.get_queue(queue_name)
    if not attribute_names:
        return {}
    valid = {"All", *queue.BASE_ATTRIBUTES, *queue.FIFO_ATTRIBUTES, *queue.KMS_ATTRIBUTES}
    invalid = next((name for name in attribute_names if name not in valid), None)
    if invalid or invalid == "":
        raise InvalidAttributeName(invalid)
    every = "All" in attribute_names
    attrs = attributes(queue, with_counts=every or any(n in COUNTS for n in attribute_names))
    if every:
        return attrs
    return {name: attrs[name] for name in attribute_names if attrs.get(name) is not None}


# --- receive ------------------------------------------------------------------------------


class VisibleMessages:
    """``Queue.messages`` (visible, not delayed), judged while iterated.

    A receive stops after its 10 messages, and a long poll only asks whether
    there is one; moto built the whole list each time.  Judged against the
    time the view was made, over the messages the queue held then.
    """

    def __init__(self, queue: Any) -> None:
        self._messages = list(queue._messages)
        self._now = unix_time_millis()

    def __iter__(self) -> Iterator[Any]:
        now = self._now
        for m in self._messages:
            if now > m.visible_at and not now < m.delayed_until:
                yield m

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    def __len__(self) -> int:
        return sum(1 for _ in self)


_LETTERS = bytes(ord("a") + i % 26 for i in range(256))


def _receipt_handle() -> str:
    """moto's handle (185 random lowercase letters) from one call instead of 185."""
    return mock_random.randbytes(185).translate(_LETTERS).decode()


def _copy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """moto deep-copies each received message to filter its attributes for the answer.

    The filter assigns a new attribute dict and the answer only reads the
    copy, so a shallow copy with its own lists and dicts answers the same.
    """
    if isinstance(value, sqs_models.Message):
        out = copy.copy(value)
        out.message_attributes = dict(value.message_attributes)
        out.system_attributes = dict(value.system_attributes)
        out._old_receipt_handles = list(value._old_receipt_handles)
        return out
    return copy.deepcopy(value, memo)


# --- receipt handles ----------------------------------------------------------------------

# Every receipt handle moto hands out -> its message (moto accepts a message's older handles
# too).  Weak: a deleted message leaves the index when it is collected.
_BY_HANDLE: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()


def _find(queue: Any, receipt_handle: str) -> Any | None:
    """The message of ``queue`` that was given ``receipt_handle`` (its latest or an older one).

    The caller holds the queue's lock.  A handle whose message has left the
    queue (deleted, purged, moved to a DLQ) finds nothing, as in moto.
    """
    message = _BY_HANDLE.get(receipt_handle)
    if message is not None:
        return message if message in queue._messages else None
    # A handle given before these patches (none in practice): moto's scan.
    return next((m for m in queue._messages if m.had_receipt_handle(receipt_handle)), None)


def _queue_fast_paths() -> None:
    queue_cls = sqs_models.Queue
    backend_cls = sqs_models.SQSBackend
    message_cls = sqs_models.Message
    original_mark_received = message_cls.mark_received

    def mark_received(self: Any, visibility_timeout: int | None = None) -> None:
        original_mark_received(self, visibility_timeout)
        _BY_HANDLE[self.receipt_handle] = self

    def delete_message(self: Any, receipt_handle: str) -> None:
        with self._messages_lock:
            if receipt_handle in self.deleted_messages:
                return
            target = _find(self, receipt_handle)
            if target is None:
                raise ReceiptHandleIsInvalid()
            self._pending_messages.discard(target)
            self.deleted_messages.update(target.all_receipt_handles)
            self._messages.remove(target)

    def retention_ok(self: Any, queue_name: str, message: Any) -> bool:
        retention = int(self.get_queue(queue_name).message_retention_period)
        return bool(retention + message.sent_timestamp / 1000 > time.time())

    def change_message_visibility(
        self: Any, queue_name: str, receipt_handle: str, visibility_timeout: int
    ) -> None:
        # moto measures AWS's 12-hour limit from the message's *send* time, so a message
        # older than 12 hours (the seeded DLQ's) can never be made visible again; AWS
        # measures it from the receive.
        queue = self.get_queue(queue_name)
        with queue._messages_lock:
            message = _find(queue, receipt_handle)
        if message is None:
            raise ReceiptHandleIsInvalid()
        if int(visibility_timeout) > MAX_VISIBILITY_S:
            raise InvalidParameterValue(
                f"Value {visibility_timeout} for parameter VisibilityTimeout is invalid. "
                f"Reason: Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY_S} seconds]"
            )
        message.change_visibility(visibility_timeout)
        if message.visible:
            queue.pending_messages.discard(message)

    sqs_models.generate_receipt_handle = _receipt_handle  # type: ignore[assignment]
    sqs_models.deepcopy = _copy  # type: ignore[attr-defined,assignment]  # moto's deepcopy, our faster copy
    message_cls.mark_received = mark_received  # type: ignore[method-assign]
    queue_cls.messages = property(VisibleMessages)  # type: ignore[method-assign,assignment]
    queue_cls.attributes = property(lambda self: attributes(self, with_counts=False))  # type: ignore[method-assign,assignment]
    queue_cls.approximate_number_of_messages = property(lambda self: counts(self)[0])  # type: ignore[method-assign,assignment]
    queue_cls.approximate_number_of_messages_not_visible = property(lambda self: counts(self)[1])  # type: ignore[method-assign,assignment]
    queue_cls.approximate_number_of_messages_delayed = property(lambda self: counts(self)[2])  # type: ignore[method-assign,assignment]
    queue_cls.delete_message = delete_message  # type: ignore[method-assign]
    backend_cls.is_message_valid_based_on_retention_period = retention_ok  # type: ignore[method-assign]
    backend_cls.get_queue_attributes = get_queue_attributes  # type: ignore[method-assign,assignment]
    backend_cls.change_message_visibility = change_message_visibility  # type: ignore[method-assign]


# --- answers --------------------------------------------------------------------------------


class _Unusual(Exception):
    """A value moto's serializer would treat in a way of its own: let it."""


def plain_json(value: Any, shape: Shape) -> Any:
    """What moto's JSON serializer makes of ``value`` for ``shape``, for the plain cases.

    moto's serializer looks each member up through six alias providers, a
    context object per field; for SQS's answers (dicts keyed by the shape's
    own member names, strings, numbers, booleans and blobs) that is a dict
    lookup.  Anything else raises _Unusual and moto serializes it.
    """
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict) or getattr(shape, "is_document_type", False):
            raise _Unusual
        members = shape.members  # type: ignore[attr-defined]
        if not value.keys() <= members.keys():
            raise _Unusual  # moto would look for aliases
        out: dict[str, Any] = {}
        for key, member in members.items():
            item = value.get(key)
            if item is None:
                continue
            if "name" in member.serialization:
                raise _Unusual
            out[key] = plain_json(item, member)
        return out
    if kind == "list":
        member = shape.member  # type: ignore[attr-defined]
        if not isinstance(value, list | tuple) or "name" in member.serialization:
            raise _Unusual
        if any(item is None for item in value):
            raise _Unusual
        return [plain_json(item, member) for item in value]
    if kind == "map":
        if not isinstance(value, dict) or "name" in shape.value.serialization:  # type: ignore[attr-defined]
            raise _Unusual
        return {k: plain_json(v, shape.value) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind == "string":
        return str(value) if value not in (None, {}, []) else value
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    if kind == "boolean":
        return value
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return base64.b64encode(raw).strip().decode("utf-8")
    raise _Unusual


def _plain_json_answers() -> None:
    """SQS's JSON answers without moto's generic serializer (a third of the server's CPU in a redrive)."""
    original = SQSResponse.serialized

    def serialized(self: SQSResponse, action_result: ActionResult) -> Any:
        result = action_result.result
        if (
            type(action_result) is not ActionResult
            or not isinstance(result, dict)
            or settings.PRETTIFY_RESPONSES
        ):
            return original(self, action_result)
        service_model = get_service_model(self.boto3_service_name)
        if self.determine_response_protocol(service_model) != "json":
            return original(self, action_result)
        try:
            operation = service_model.operation_model(self._get_action())
            output = operation.output_shape
            body = json.dumps(plain_json(result, output) if output is not None else {})
        except (OperationNotFoundError, _Unusual):
            return original(self, action_result)
        version = service_model.metadata.get("jsonVersion", "1.0")
        headers: dict[str, Any] = {"Content-Type": f"application/x-amz-json-{version}"}
        headers.update(self.response_headers)
        return operation.http.get("responseCode", 200), headers, body

    SQSResponse.serialized = serialized  # type: ignore[method-assign,assignment]  # narrower self than BaseResponse
