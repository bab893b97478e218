"""SQS message move tasks (DLQ redrive) on top of moto's SQS backend.

moto answers StartMessageMoveTask, ListMessageMoveTasks and
CancelMessageMoveTask with HTTP 500; AWS runs them as asynchronous tasks, at
most one active per source queue, moving each message back to the queue it
was dead-lettered from unless a destination is given.  This module does the
same in a background thread per task, reaching into moto's in-process
backend (``moto.sqs.models.sqs_backends``).

moto does not record where a dead-lettered message came from, so
:func:`install` wraps the backend's ``receive_message`` to note the origin of
each message it moves to a DLQ; a message sent straight into a DLQ goes back
to the DLQ's only source queue (and fails the task when there are several,
as AWS fails for messages without a known origin).

A ``/moto-api/reset`` replaces the queues; tasks whose queues are gone are
dropped and their threads stop.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from moto.sqs import models as sqs_models

from console.demo import sqs_speedups
from console.demo.server import DemoApiError, DemoServer

DEFAULT_RATE = 500  # messages per second when the request names none (AWS "optimises" it)
MAX_RATE = 500  # AWS's upper bound for MaxNumberOfMessagesPerSecond
TICK_S = 0.02
KEEP_PER_SOURCE = 10  # ListMessageMoveTasks returns at most the 10 most recent

ACTIVE = {"RUNNING", "CANCELLING"}


@dataclass
class _Task:
    handle: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started_ms: int
    to_move: int
    source_queue: Any  # moto Queue object: identity tells a reset apart
    status: str = "RUNNING"
    moved: int = 0
    failure: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def entry(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "SourceArn": self.source_arn,
            "Status": self.status,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started_ms,
        }
        if self.status == "RUNNING":  # AWS populates TaskHandle only for running tasks
            out["TaskHandle"] = self.handle
        if self.destination_arn:
            out["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            out["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.status == "FAILED" and self.failure:
            out["FailureReason"] = self.failure
        return out


class MoveTasks:
    """The demo's message move tasks: one registry per process (moto's state is process-wide)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tasks: dict[str, _Task] = {}
        self.origins: dict[str, str] = {}  # message id -> ARN of the queue it was dead-lettered from
        self.default_rate = DEFAULT_RATE

    # --- moto access ----------------------------------------------------------------
    @staticmethod
    def _queue(arn: str) -> Any | None:
        parts = arn.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            return None
        _, _, _, region, account, name = parts
        try:
            backend = sqs_models.sqs_backends[account][region]
        except KeyError:
            return None
        return backend.queues.get(name)

    @staticmethod
    def _backend_of(queue: Any) -> Any:
        return sqs_models.sqs_backends[queue.account_id][queue.region]

    def _sources(self, dlq: Any) -> list[Any]:
        backend = self._backend_of(dlq)
        return [q for q in list(backend.queues.values()) if q.dead_letter_queue is dlq]

    def _alive(self, task: _Task) -> bool:
        return self._queue(task.source_arn) is task.source_queue

    def _prune(self) -> None:
        """Forget tasks whose queues a reset replaced."""
        with self.lock:
            for handle, task in list(self.tasks.items()):
                if not self._alive(task):
                    task.cancel.set()
                    del self.tasks[handle]

    # --- API ------------------------------------------------------------------------------
    def start(self, region: str, request: dict[str, Any]) -> dict[str, Any]:
        self._prune()
        source_arn = request.get("SourceArn")
        if not source_arn:
            raise DemoApiError("MissingParameter", "The request must contain the parameter SourceArn.")
        source = self._queue(source_arn)
        if source is None:
            raise DemoApiError(
                "ResourceNotFoundException",
                "The resource that you specified for the SourceArn parameter doesn't exist.",
            )
        if not self._sources(source):
            raise DemoApiError(
                "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.", 400
            )
        destination_arn = request.get("DestinationArn") or None
        if destination_arn is not None:
            destination = self._queue(destination_arn)
            if destination is None:
                raise DemoApiError(
                    "ResourceNotFoundException",
                    "The resource that you specified for the DestinationArn parameter doesn't exist.",
                )
            if destination is source:
                raise DemoApiError(
                    "InvalidParameterValue", "Source and destination queues must be different."
                )
        rate = request.get("MaxNumberOfMessagesPerSecond")
        if rate is not None:
            try:
                rate = int(rate)
            except (TypeError, ValueError):
                rate = -1
            if not 1 <= rate <= MAX_RATE:
                raise DemoApiError(
                    "InvalidParameterValue",
                    f"Value {request.get('MaxNumberOfMessagesPerSecond')} for parameter "
                    f"MaxNumberOfMessagesPerSecond is invalid. Reason: must be between 1 and {MAX_RATE}.",
                )
        with self.lock:
            if any(t.source_arn == source_arn and t.status in ACTIVE for t in self.tasks.values()):
                raise DemoApiError(
                    "InvalidParameterValue",
                    "There is already a task running. Only one active task is allowed for a source queue arn "
                    "at a given time.",
                )
            handle = _handle(source_arn)
            task = _Task(
                handle=handle,
                source_arn=source_arn,
                destination_arn=destination_arn,
                rate=rate,
                started_ms=int(time.time() * 1000),
                to_move=source.approximate_number_of_messages,
                source_queue=source,
            )
            self.tasks[handle] = task
            self._trim(source_arn)
        task.thread = threading.Thread(
            target=self._run, args=(task,), name=f"sqs-move-{handle[:8]}", daemon=True
        )
        task.thread.start()
        return {"TaskHandle": handle}

    def list(self, region: str, request: dict[str, Any]) -> dict[str, Any]:
        self._prune()
        source_arn = request.get("SourceArn")
        if not source_arn:
            raise DemoApiError("MissingParameter", "The request must contain the parameter SourceArn.")
        if self._queue(source_arn) is None:
            raise DemoApiError(
                "ResourceNotFoundException",
                "The resource that you specified for the SourceArn parameter doesn't exist.",
            )
        max_results = request.get("MaxResults", 1)
        try:
            max_results = int(max_results)
        except (TypeError, ValueError):
            max_results = 0
        if not 1 <= max_results <= 10:
            raise DemoApiError(
                "InvalidParameterValue",
                f"Value {request.get('MaxResults')} for parameter MaxResults is invalid. "
                "Reason: must be between 1 and 10.",
            )
        with self.lock:
            mine = [t for t in self.tasks.values() if t.source_arn == source_arn]
            mine.sort(key=lambda t: t.started_ms, reverse=True)
            return {"Results": [t.entry() for t in mine[:max_results]]}

    def cancel(self, region: str, request: dict[str, Any]) -> dict[str, Any]:
        self._prune()
        handle = request.get("TaskHandle") or ""
        with self.lock:
            task = self.tasks.get(handle)
            if task is None:
                raise DemoApiError("ResourceNotFoundException", "Task does not exist.")
            if task.status != "RUNNING":
                raise DemoApiError(
                    "InvalidParameterValue",
                    f"Only tasks in RUNNING status can be cancelled (this one is {task.status}).",
                )
            task.status = "CANCELLING"
            task.cancel.set()
            return {"ApproximateNumberOfMessagesMoved": task.moved}

    # --- the move itself --------------------------------------------------------------------
    def _trim(self, source_arn: str) -> None:
        mine = sorted(
            (t for t in self.tasks.values() if t.source_arn == source_arn), key=lambda t: t.started_ms
        )
        for old in mine[:-KEEP_PER_SOURCE]:
            if old.status not in ACTIVE:
                del self.tasks[old.handle]

    def _run(self, task: _Task) -> None:
        rate = task.rate or self.default_rate
        budget = 0.0
        last = time.monotonic()
        try:
            while task.moved < task.to_move and not task.cancel.is_set():
                if not self._alive(task):
                    return
                now = time.monotonic()
                budget = min(budget + (now - last) * rate, max(1.0, rate * 0.1))
                last = now
                while budget >= 1 and task.moved < task.to_move and not task.cancel.is_set():
                    moved = self._move_one(task)
                    if moved is None:  # nothing visible is left to move
                        task.to_move = task.moved
                        break
                    budget -= 1
                time.sleep(TICK_S)
        except _MoveFailed as exc:
            with self.lock:
                task.status = "FAILED"
                task.failure = str(exc)
            return
        except Exception as exc:  # never leave a task RUNNING forever
            with self.lock:
                task.status = "FAILED"
                task.failure = f"{type(exc).__name__}: {exc}"
            return
        with self.lock:
            task.status = "CANCELLED" if task.cancel.is_set() else "COMPLETED"

    def _move_one(self, task: _Task) -> bool | None:
        dlq = task.source_queue
        with self.lock:
            message = next((m for m in list(dlq._messages) if m.visible and not m.delayed), None)
            if message is None:
                return None
            destination = self._destination(task, message)
            try:
                dlq._messages.remove(message)
            except ValueError:  # a consumer deleted it meanwhile
                return True
            dlq._pending_messages.discard(message)
            # A fresh life in the destination: AWS resets the receive count, or the
            # message would go straight back to the DLQ on its next receive.
            message.approximate_receive_count = 0
            message.approximate_first_receive_timestamp = None
            message.visible_at = 0.0
            message.delayed_until = 0.0
            destination.add_message(message)
            self.origins.pop(message.id, None)
            task.moved += 1
        return True

    def _destination(self, task: _Task, message: Any) -> Any:
        if task.destination_arn:
            queue = self._queue(task.destination_arn)
            if queue is None:
                raise _MoveFailed("The destination queue does not exist anymore.")
            return queue
        origin = self.origins.get(message.id)
        if origin:
            queue = self._queue(origin)
            if queue is not None:
                return queue
        sources = self._sources(task.source_queue)
        if len(sources) == 1:
            return sources[0]
        raise _MoveFailed(
            "Could not determine the original source queue of a message: it was not dead-lettered by SQS and "
            "the DLQ has several source queues. Redrive it with a DestinationArn."
        )

    # --- origin tracking ------------------------------------------------------------------
    def note_dead_lettered(self, source: Any, candidates: set[str]) -> None:
        dlq = source.dead_letter_queue
        if dlq is None or not candidates:
            return
        for m in list(dlq._messages):
            if m.id in candidates:
                self.origins[m.id] = source.queue_arn


class _MoveFailed(Exception):
    pass


def _handle(source_arn: str) -> str:
    # AWS's handles are opaque base64 of a JSON document naming the task and its source.
    doc = json.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source_arn}, separators=(",", ":"))
    return base64.b64encode(doc.encode()).decode()


MOVES = MoveTasks()
_PATCHED = "_opsconsole_origin_tracking"


def _track_origins() -> None:
    """Wrap moto's receive_message once: note where each dead-lettered message came from, and lock."""
    backend_cls = sqs_models.SQSBackend
    if getattr(backend_cls, _PATCHED, False):
        return
    original = backend_cls.receive_message

    def receive_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.queues.get(queue_name)
        candidates: set[str] = set()
        if queue is not None and queue.dead_letter_queue is not None and queue.redrive_policy:
            limit = queue.redrive_policy.get("maxReceiveCount")
            if limit is not None:
                candidates = {
                    m.id for m in list(queue._messages) if m.approximate_receive_count >= int(limit)
                }
        if queue is None:
            return original(self, queue_name, *args, **kwargs)
        # moto's receive takes no lock: two concurrent receives can hand out the same
        # message.  The queue's own condition lock serialises them (a long poll's wait
        # releases it).
        with queue._messages_lock:
            result = original(self, queue_name, *args, **kwargs)
        if candidates:
            MOVES.note_dead_lettered(queue, candidates)
        return result

    backend_cls.receive_message = receive_message  # type: ignore[method-assign]
    setattr(backend_cls, _PATCHED, True)


def install(server: DemoServer, *, default_rate: int | None = None) -> MoveTasks:
    """Answer the three move-task operations on ``server`` (idempotent)."""
    sqs_speedups.install()
    _track_origins()
    if default_rate:
        MOVES.default_rate = default_rate
    server.register_override("sqs", "StartMessageMoveTask", MOVES.start)
    server.register_override("sqs", "ListMessageMoveTasks", MOVES.list)
    server.register_override("sqs", "CancelMessageMoveTask", MOVES.cancel)
    return MOVES
