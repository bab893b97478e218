"""Send dead-lettered messages back, delete them, or purge a DLQ: plan -> apply -> verify.

Two ways to redrive:

* **native**: ``StartMessageMoveTask`` (AWS moves the messages itself, to
  their original source queues or to one destination); progress comes from
  ``ListMessageMoveTasks``; one task per DLQ at a time.
* **manual** (chosen messages: ``--match``, ``--limit``): receive a batch of
  10 from the DLQ, send copies to the destination, and delete from the DLQ
  only the messages whose send succeeded.  Delivery is at least once: a
  crash or a fault leaves each message in the DLQ, the destination, or both,
  never in neither.  "Both" happens when a send's outcome is unknown (a
  dropped connection after AWS accepted it, a retried request) and the run
  reports "duplicates possible" then.  Messages not chosen stay hidden until
  the run ends (so workers do not see them again) and are made visible again
  at the end; after a crash they reappear when their visibility timeout ends.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from console.aws.sqs import SqsGateway
from console.errors import BadInput, OpsError
from console.model import MessageMoveTask, Queue
from console.ops.dlq_delete import (
    DeleteMessages,
    PurgeQueue,
    SelectedDelete,
    check_purge_confirmation,
    delete_selected,
    prepare_delete,
    prepare_purge,
    prepare_selected_delete,
)
from console.ops.manual_redrive import (
    ManualRedrive,
    SelectedRedrive,
    prepare_manual,
    prepare_selected_redrive,
)
from console.ops.message_batches import (
    ACTIVE,
    DEFAULT_CONCURRENCY,
    DEFAULT_VISIBILITY_S,
    POLL_S,
    destination_for,
    queue_target,
)
from console.ops.plan import ApplyResult, Change, Plan, Progress, ProgressCallback, VerifyResult


async def running_task(gw: SqsGateway, dlq: Queue) -> MessageMoveTask | None:
    tasks = await gw.move_tasks(dlq.arn, 1)
    return tasks[0] if tasks and tasks[0].status in ACTIVE else None


# --- native redrive ---------------------------------------------------------------------


def native_plan(
    dlq: Queue,
    sources: Sequence[str],
    destination: Queue | None,
    *,
    max_per_second: int | None,
    running: MessageMoveTask | None,
) -> Plan:
    if not sources and destination is None:
        raise BadInput(f"{dlq.name} is no queue's DLQ: name a destination with --to")
    if max_per_second is not None and not 1 <= max_per_second <= 500:
        raise BadInput("--max-per-second must be between 1 and 500 (AWS's limit)")
    to_text = (
        destination.name
        if destination
        else "original source queues (" + ", ".join(s.rsplit(":", 1)[-1] for s in sources) + ")"
    )
    noop = ""
    if running is not None:
        total = "?" if running.to_move is None else running.to_move
        noop = (
            f"a move task is already {running.status} on {dlq.name} ({running.moved}/{total} moved); "
            "AWS allows one at a time: wait for it or cancel it (--cancel)"
        )
    elif dlq.visible == 0:
        noop = f"{dlq.name} has no visible message to move"
    warnings: list[str] = []
    if dlq.in_flight:
        warnings.append(
            f"{dlq.in_flight} messages are in flight (being read): they are moved only if visible"
        )
    if dlq.fifo:
        warnings.append(
            "FIFO: a destination drops a message whose deduplication id it saw in the last 5 minutes"
        )
    request: dict[str, Any] = {"SourceArn": dlq.arn}
    if destination is not None:
        request["DestinationArn"] = destination.arn
    if max_per_second:
        request["MaxNumberOfMessagesPerSecond"] = max_per_second
    rate = f"{max_per_second}/s" if max_per_second else "AWS-optimised rate"
    return Plan(
        action="redrive",
        target=queue_target(dlq),
        changes=(
            Change(f"messages in {dlq.name}", dlq.visible, 0),
            Change("destination", None, to_text),
        ),
        warnings=tuple(warnings),
        details=(f"native move task (StartMessageMoveTask) at {rate}",),
        request=request,
        noop_reason=noop,
    )


@dataclass
class NativeRedrive:
    gw: SqsGateway
    dlq: Queue
    plan: Plan
    poll_s: float = POLL_S
    timeout_s: float | None = None

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        request = plan.request
        handle = await self.gw.start_move(
            request["SourceArn"], request.get("DestinationArn"), request.get("MaxNumberOfMessagesPerSecond")
        )
        return ApplyResult(
            ok=True, message=f"move task started ({self.dlq.visible} to move)", data={"handle": handle}
        )

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        return await follow_move(self.gw, self.dlq, progress, poll_s=self.poll_s, timeout_s=self.timeout_s)


async def follow_move(
    gw: SqsGateway,
    dlq: Queue,
    progress: ProgressCallback,
    *,
    poll_s: float = POLL_S,
    timeout_s: float | None = None,
) -> VerifyResult:
    """Poll ListMessageMoveTasks until the newest task ends; progress with moved/total and rate."""
    start = time.monotonic()
    first_moved: int | None = None
    while True:
        tasks = await gw.move_tasks(dlq.arn, 1)
        if not tasks:
            return VerifyResult(False, "FAILED", "no move task found")
        task = tasks[0]
        elapsed = time.monotonic() - start
        if first_moved is None:
            first_moved = task.moved
        rate = (task.moved - first_moved) / elapsed if elapsed > 0.2 else 0.0
        total = task.to_move if task.to_move is not None else max(task.moved, 1)
        progress(Progress(task.moved, total, task.status, f"{rate:.0f} msg/s"))
        if task.status not in ACTIVE:
            ok = task.status == "COMPLETED"
            message = f"{task.moved}/{total} moved"
            if task.failure_reason:
                message += f": {task.failure_reason}"
            return VerifyResult(ok, task.status, message)
        if timeout_s is not None and elapsed > timeout_s:
            return VerifyResult(
                False, "TIMEOUT", f"still {task.status} after {timeout_s:g}s ({task.moved}/{total})"
            )
        await asyncio.sleep(poll_s)


async def prepare_native(
    gw: SqsGateway,
    dlq: Queue,
    *,
    to: str | None = None,
    regions: Sequence[str] = (),
    max_per_second: int | None = None,
) -> NativeRedrive:
    dlq = await gw.queue(dlq.url, dlq.region)
    destination, sources, running = await asyncio.gather(
        destination_for(gw, dlq, to, regions or [dlq.region]), gw.source_arns(dlq), running_task(gw, dlq)
    )
    plan = native_plan(dlq, sources, destination, max_per_second=max_per_second, running=running)
    return NativeRedrive(gw, dlq, plan)


def cancel_plan(dlq: Queue, running: MessageMoveTask | None) -> Plan:
    noop = "" if running and running.status == "RUNNING" else f"no move task is running on {dlq.name}"
    moved = running.moved if running else 0
    return Plan(
        action="redrive-cancel",
        target=queue_target(dlq),
        changes=(Change("move task", "RUNNING", "CANCELLED"),),
        details=(f"{moved} messages already moved stay where they are",),
        request={"TaskHandle": running.handle if running else ""},
        noop_reason=noop,
    )


@dataclass
class CancelRedrive:
    gw: SqsGateway
    dlq: Queue
    plan: Plan

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        moved = await self.gw.cancel_move(plan.request["TaskHandle"], self.dlq.region)
        return ApplyResult(ok=True, message=f"cancelling ({moved} moved so far)", after={"moved": moved})

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        result = await follow_move(self.gw, self.dlq, progress)
        return VerifyResult(result.state == "CANCELLED", result.state, result.message)


async def prepare_cancel(gw: SqsGateway, dlq: Queue) -> CancelRedrive:
    return CancelRedrive(gw, dlq, cancel_plan(dlq, await running_task(gw, dlq)))


async def history(gw: SqsGateway, dlq: Queue) -> list[MessageMoveTask]:
    return await gw.move_tasks(dlq.arn, 10)


__all__ = [
    "ACTIVE",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_VISIBILITY_S",
    "CancelRedrive",
    "DeleteMessages",
    "ManualRedrive",
    "NativeRedrive",
    "OpsError",
    "PurgeQueue",
    "SelectedDelete",
    "SelectedRedrive",
    "check_purge_confirmation",
    "delete_selected",
    "follow_move",
    "history",
    "prepare_cancel",
    "prepare_delete",
    "prepare_manual",
    "prepare_native",
    "prepare_purge",
    "prepare_selected_delete",
    "prepare_selected_redrive",
]
