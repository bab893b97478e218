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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.aws.paging import chunks
from console.aws.sqs import MAX_BATCH, BatchOutcome, QueueMessage, SqsGateway
from console.errors import BadInput, OpsError, Refused
from console.literal import literal_text
from console.model import MessageMoveTask, Queue
from console.ops.plan import (
    ApplyResult,
    Change,
    OpTarget,
    Plan,
    Progress,
    ProgressCallback,
    VerifyResult,
)

DEFAULT_CONCURRENCY = 8
DEFAULT_VISIBILITY_S = 60
MAX_VISIBILITY_S = 43_200  # SQS's limit: 12 hours
POLL_S = 0.5
ACTIVE = ("RUNNING", "CANCELLING")


def queue_target(queue: Queue) -> OpTarget:
    return OpTarget(region=queue.region, kind="queue", name=queue.name, arn=queue.arn)


def _nothing(_: Progress) -> None:
    return None


async def running_task(gw: SqsGateway, dlq: Queue) -> MessageMoveTask | None:
    tasks = await gw.move_tasks(dlq.arn, 1)
    return tasks[0] if tasks and tasks[0].status in ACTIVE else None


async def destination_for(gw: SqsGateway, dlq: Queue, to: str | None, regions: Sequence[str]) -> Queue | None:
    """The queue named by ``--to``; None means "each message's original source queue"."""
    if not to:
        return None
    dest = await gw.resolve(to, regions)
    if dest.arn == dlq.arn:
        raise BadInput(f"{dlq.name} cannot be redriven into itself")
    if dest.fifo != dlq.fifo:
        kind = "FIFO" if dlq.fifo else "standard"
        raise BadInput(
            f"{dlq.name} is a {kind} queue; {dest.name} is not: messages cannot keep their order/ids"
        )
    return dest


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


# --- manual redrive, delete ------------------------------------------------------------


def check_options(
    *,
    limit: int | None,
    visibility_timeout: int = DEFAULT_VISIBILITY_S,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> None:
    """Bad numbers are bad input before anything is planned, confirmed or audited.

    A visibility timeout of 0 is valid for SQS but not here: the messages a
    run does not choose would come straight back to its own workers, and the
    run would never see an empty queue.
    """
    if limit is not None and limit < 1:
        raise BadInput(f"--limit must be 1 or more (got {limit})")
    if not 1 <= visibility_timeout <= MAX_VISIBILITY_S:
        raise BadInput(
            f"--visibility-timeout must be between 1 and {MAX_VISIBILITY_S} seconds "
            f"(SQS's 12 hours; got {visibility_timeout})"
        )
    if concurrency < 1:
        raise BadInput(f"--concurrency must be 1 or more (got {concurrency})")


@dataclass
class Tally:
    """What a manual run did, message by message (ids are the DLQ's message ids)."""

    moved: list[str] = field(default_factory=list)  # sent and deleted from the source
    deleted: list[str] = field(default_factory=list)  # deleted only (delete action)
    skipped: set[str] = field(default_factory=set)  # not chosen: left in the source
    send_failed: list[tuple[str, str]] = field(default_factory=list)  # refused by SQS: left in the source
    unknown: list[str] = field(
        default_factory=list
    )  # send outcome unknown: left in the source, maybe also sent
    both: list[str] = field(default_factory=list)  # sent, but the delete failed: in both queues
    maybe_twice: set[str] = field(default_factory=set)  # sent by a retried request: a copy may exist twice
    received: int = 0

    @property
    def duplicates_possible(self) -> bool:
        return bool(self.unknown or self.both or self.maybe_twice)

    def summary(self, verb: str = "moved") -> str:
        done = len(self.moved) if verb == "moved" else len(self.deleted)
        parts = [f"{done} {verb}"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} not matching (left in place)")
        if self.send_failed:
            parts.append(f"{len(self.send_failed)} refused by the destination (left in the DLQ)")
        if self.unknown:
            parts.append(f"{len(self.unknown)} with an unknown send outcome (left in the DLQ)")
        if self.both:
            parts.append(f"{len(self.both)} sent but not deleted (now in both queues)")
        if self.maybe_twice:
            parts.append(f"{len(self.maybe_twice)} sent after a retry")
        text = ", ".join(parts)
        if self.duplicates_possible:
            text += "; duplicates possible"
        return text

    def moved_result(self) -> ApplyResult:
        """A move's outcome: ok only if every chosen message is in exactly one queue now."""
        return ApplyResult(
            ok=not (self.send_failed or self.unknown or self.both),
            message=self.summary(),
            after={"moved": len(self.moved)},
            data={"tally": self, "duplicates_possible": self.duplicates_possible},
        )

    def deleted_result(self) -> ApplyResult:
        return ApplyResult(
            ok=not self.send_failed, message=self.summary("deleted"), after={"deleted": len(self.deleted)}
        )


Handler = Callable[[Sequence[QueueMessage], Tally], Awaitable[None]]


async def select_and_handle(
    gw: SqsGateway,
    source: Queue,
    handle: Handler,
    *,
    limit: int | None = None,
    match: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    visibility_timeout: int = DEFAULT_VISIBILITY_S,
    total_hint: int = 0,
    verb: str = "moved",
    progress: ProgressCallback = _nothing,
) -> Tally:
    """Receive from ``source`` in batches of 10 with ``concurrency`` workers; hand chosen messages on.

    A message is chosen when ``match`` is a substring of its body; at most
    ``limit`` are chosen.  The others stay hidden until the end of the run
    and are then made visible again.
    """
    check_options(limit=limit, visibility_timeout=visibility_timeout, concurrency=concurrency)
    tally = Tally()
    chosen = 0
    held: list[QueueMessage] = []  # not chosen: released at the end
    seen: set[str] = set()
    lock = asyncio.Lock()
    stop = asyncio.Event()
    started = time.monotonic()
    target = limit if limit is not None else total_hint

    def report(state: str = "IN_PROGRESS") -> None:
        done = len(tally.moved) + len(tally.deleted)
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = done / elapsed
        extra = f", {len(tally.skipped)} not matching" if tally.skipped else ""
        if tally.duplicates_possible:
            extra += ", duplicates possible"
        progress(Progress(done, max(target, done), state, f"{verb} at {rate:.0f} msg/s{extra}"))

    async def worker() -> None:
        nonlocal chosen
        empty = 0
        while not stop.is_set():
            async with lock:
                want = MAX_BATCH if limit is None else min(MAX_BATCH, limit - chosen)
            if want <= 0:
                return
            try:
                batch = await gw.receive(
                    source,
                    max_messages=MAX_BATCH,
                    visibility_timeout=visibility_timeout,
                    wait_seconds=1 if empty else 0,
                )
            except Exception:
                # The receive failed or its answer was lost: whatever it took stays in the
                # source (hidden until its visibility timeout ends), so nothing is lost.
                empty += 1
                if empty > 6:
                    return
                await asyncio.sleep(0.1 * empty)
                continue
            if not batch:
                empty += 1
                if empty >= 2:
                    return
                continue
            empty = 0
            take: list[QueueMessage] = []
            async with lock:
                tally.received += len(batch)
                for m in batch:
                    if m.message_id in seen:  # seen again after its visibility ended: handled already
                        held.append(m)
                        continue
                    seen.add(m.message_id)
                    if match is not None and match not in m.body:
                        tally.skipped.add(m.message_id)
                        held.append(m)
                    elif limit is not None and chosen >= limit:
                        seen.discard(m.message_id)
                        held.append(m)
                    else:
                        chosen += 1
                        take.append(m)
                if limit is not None and chosen >= limit:
                    stop.set()
            if take:
                await handle(take, tally)
                report()

    workers = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
    try:
        await asyncio.gather(*workers)
    finally:
        for w in workers:
            w.cancel()
        if held:
            await _release(gw, source, held)
    report("COMPLETED")
    return tally


async def _release(gw: SqsGateway, queue: Queue, messages: Sequence[QueueMessage]) -> None:
    """Make messages visible again; a failure only delays them until their timeout ends."""
    try:
        await gw.change_visibility(queue, messages, 0)
    except Exception:
        pass


async def move_batch(
    gw: SqsGateway,
    source: Queue,
    destination: Queue,
    batch: Sequence[QueueMessage],
    tally: Tally,
    *,
    attempts: int = 3,
) -> None:
    """Send copies, then delete from ``source`` exactly the messages whose send succeeded.

    A send that raised (retries exhausted, connection dropped) has an unknown
    outcome: it is sent again, and the copies are counted as possible
    duplicates; after ``attempts`` the originals simply stay in the source.
    """
    pending = list(batch)
    sent_ok: list[QueueMessage] = []
    for attempt in range(attempts):
        if not pending:
            break
        try:
            sent: BatchOutcome = await gw.send_messages(destination, pending)
        except Exception:
            tally.maybe_twice.update(m.message_id for m in pending)
            await asyncio.sleep(0.1 * (attempt + 1))
            continue
        if sent.retried:
            tally.maybe_twice.update(sent.ok)
        ok = set(sent.ok)
        sent_ok += [m for m in pending if m.message_id in ok]
        failed = dict(sent.failed)
        pending = [m for m in pending if m.message_id in failed]
        if pending and attempt == attempts - 1:
            tally.send_failed += [(m.message_id, failed[m.message_id]) for m in pending]
            pending = []
    unknown = [m.message_id for m in pending]
    tally.unknown += unknown
    if not sent_ok:
        return
    try:
        deleted = await gw.delete_batch(source, sent_ok)
    except Exception:
        deleted = await _retry_delete(gw, source, sent_ok)
    else:
        if deleted.failed:  # receipt handles that SQS refused: retry only those
            again = await _retry_delete(
                gw, source, [m for m in sent_ok if m.message_id in dict(deleted.failed)]
            )
            deleted = BatchOutcome(deleted.ok + again.ok, again.failed, deleted.retried or again.retried)
    tally.moved += list(deleted.ok)
    tally.both += [mid for mid, _ in deleted.failed]


async def _retry_delete(gw: SqsGateway, source: Queue, messages: Sequence[QueueMessage]) -> BatchOutcome:
    """A delete whose answer was lost: deleting again is harmless (DeleteMessage is idempotent)."""
    done: list[str] = []
    failed: dict[str, str] = {m.message_id: "delete outcome unknown" for m in messages}
    for attempt in range(3):
        await asyncio.sleep(0.2 * (attempt + 1))
        try:
            out = await gw.delete_batch(source, messages)
        except Exception:
            continue
        done += out.ok
        failed = dict(out.failed)
        messages = [m for m in messages if m.message_id in failed]
        if not messages:
            break
    return BatchOutcome(tuple(done), tuple(failed.items()))


async def delete_chosen(gw: SqsGateway, source: Queue, batch: Sequence[QueueMessage], tally: Tally) -> None:
    try:
        deleted = await gw.delete_batch(source, batch)
    except Exception:
        deleted = await _retry_delete(gw, source, batch)
    tally.deleted += list(deleted.ok)
    tally.send_failed += list(deleted.failed)


def manual_plan(
    dlq: Queue, destination: Queue, *, limit: int | None, match: str | None, action: str = "redrive-manual"
) -> Plan:
    scope = "every visible message" if limit is None else f"up to {limit} messages"
    if match is not None:
        scope += f" whose body contains {match!r}"
    count = dlq.visible if limit is None else min(limit, dlq.visible)
    return Plan(
        action=action,
        target=queue_target(dlq),
        changes=(
            Change(
                f"messages in {dlq.name}",
                dlq.visible,
                f"{dlq.visible - count}+" if match else dlq.visible - count,
            ),
            Change("destination", None, destination.name),
        ),
        details=(
            f"{scope}: receive 10 at a time, send to {destination.name}, "
            f"delete from {dlq.name} after the send",
            "at least once: a fault leaves a message in the DLQ, the destination or both (never neither)",
            "messages are received, so their receive count rises",
        ),
        warnings=(
            (
                "FIFO: group and deduplication ids are kept; the destination drops a message whose "
                "deduplication id it saw in the last 5 minutes",
            )
            if dlq.fifo
            else ()
        ),
        request={"limit": limit, "match": match, "destination": destination.url},
        noop_reason="" if dlq.visible else f"{dlq.name} has no visible message",
    )


@dataclass
class ManualRedrive:
    gw: SqsGateway
    dlq: Queue
    destination: Queue
    plan: Plan
    concurrency: int = DEFAULT_CONCURRENCY
    visibility_timeout: int = DEFAULT_VISIBILITY_S
    tally: Tally | None = None

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        async def handle(batch: Sequence[QueueMessage], tally: Tally) -> None:
            await move_batch(self.gw, self.dlq, self.destination, batch, tally)

        self.tally = tally = await select_and_handle(
            self.gw,
            self.dlq,
            handle,
            limit=plan.request.get("limit"),
            match=plan.request.get("match"),
            concurrency=self.concurrency,
            visibility_timeout=self.visibility_timeout,
            total_hint=self.dlq.visible,
            progress=progress,
        )
        return tally.moved_result()

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        dlq, dest = await asyncio.gather(
            self.gw.queue(self.dlq.url, self.dlq.region),
            self.gw.queue(self.destination.url, self.destination.region),
        )
        message = (
            f"{dlq.name}: {dlq.visible} visible, {dlq.in_flight} in flight; "
            f"{dest.name}: {dest.visible} visible, {dest.in_flight} in flight"
        )
        return VerifyResult(applied.ok, "COMPLETED" if applied.ok else "FAILED", message)


async def prepare_manual(
    gw: SqsGateway,
    dlq: Queue,
    *,
    to: str | None = None,
    regions: Sequence[str] = (),
    limit: int | None = None,
    match: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    visibility_timeout: int = DEFAULT_VISIBILITY_S,
) -> ManualRedrive:
    check_options(limit=limit, visibility_timeout=visibility_timeout, concurrency=concurrency)
    dlq = await gw.queue(dlq.url, dlq.region)
    destination = await destination_for(gw, dlq, to, regions or [dlq.region])
    if destination is None:
        sources = await gw.source_arns(dlq)
        if not sources:
            raise BadInput(f"{dlq.name} is no queue's DLQ: name a destination with --to")
        if len(sources) > 1:
            names = ", ".join(s.rsplit(":", 1)[-1] for s in sources)
            raise BadInput(f"{dlq.name} is the DLQ of several queues ({names}): choose one with --to")
        destination = await gw.resolve_arn(sources[0])
    plan = manual_plan(dlq, destination, limit=limit, match=match)
    return ManualRedrive(gw, dlq, destination, plan, concurrency, visibility_timeout)


def delete_plan(queue: Queue, *, limit: int | None, match: str | None) -> Plan:
    check_options(limit=limit)
    if limit is None and match is None:
        raise BadInput(
            "choose the messages to delete with --match TEXT and/or --limit N (or purge the queue)"
        )
    scope = "every visible message" if limit is None else f"up to {limit} messages"
    if match is not None:
        scope += f" whose body contains {match!r}"
    return Plan(
        action="dlq-delete",
        target=queue_target(queue),
        changes=(Change(f"messages in {queue.name}", queue.visible, f"fewer by {scope}"),),
        details=(f"{scope} are received and deleted; the others are made visible again",),
        warnings=("deleted messages cannot be recovered",),
        request={"limit": limit, "match": match},
        noop_reason="" if queue.visible else f"{queue.name} has no visible message",
    )


@dataclass
class DeleteMessages:
    gw: SqsGateway
    queue: Queue
    plan: Plan
    concurrency: int = DEFAULT_CONCURRENCY
    tally: Tally | None = None

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        async def handle(batch: Sequence[QueueMessage], tally: Tally) -> None:
            await delete_chosen(self.gw, self.queue, batch, tally)

        self.tally = tally = await select_and_handle(
            self.gw,
            self.queue,
            handle,
            limit=plan.request.get("limit"),
            match=plan.request.get("match"),
            concurrency=self.concurrency,
            total_hint=self.queue.visible,
            verb="deleted",
            progress=progress,
        )
        return tally.deleted_result()

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        q = await self.gw.queue(self.queue.url, self.queue.region)
        return VerifyResult(applied.ok, "COMPLETED" if applied.ok else "FAILED", f"{q.visible} visible left")


async def prepare_delete(
    gw: SqsGateway, queue: Queue, *, limit: int | None = None, match: str | None = None
) -> DeleteMessages:
    check_options(limit=limit)
    queue = await gw.queue(queue.url, queue.region)
    return DeleteMessages(gw, queue, delete_plan(queue, limit=limit, match=match))


async def delete_selected(gw: SqsGateway, queue: Queue, messages: Sequence[QueueMessage]) -> Tally:
    """Delete messages chosen in a view (by their latest receipt handles, e.g. from a peek)."""
    tally = Tally()
    for start in range(0, len(messages), MAX_BATCH):
        await delete_chosen(gw, queue, messages[start : start + MAX_BATCH], tally)
    return tally


# --- messages chosen in a view (the queue detail's peek) --------------------------------


def chosen_lines(messages: Sequence[QueueMessage], shown: int = 10) -> tuple[str, ...]:
    """The plan's list of chosen messages: id and the first line of the body, inert."""
    lines = []
    for m in messages[:shown]:
        first = next((x for x in m.body.splitlines() if x.strip()), "").strip()
        lines.append(f"{m.message_id}  {literal_text(first, max_len=60)}")
    if len(messages) > shown:
        lines.append(f"… and {len(messages) - shown} more")
    return tuple(lines)


@dataclass
class SelectedRedrive:
    """Move the messages chosen in a peek: send a copy, delete from the DLQ only after the send."""

    gw: SqsGateway
    dlq: Queue
    destination: Queue
    messages: Sequence[QueueMessage]
    plan: Plan
    tally: Tally = field(default_factory=Tally)

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        tally = self.tally
        total = len(self.messages)
        for batch in chunks(list(self.messages), MAX_BATCH):
            await move_batch(self.gw, self.dlq, self.destination, batch, tally)
            progress(Progress(len(tally.moved), total, "IN_PROGRESS", f"to {self.destination.name}"))
        return tally.moved_result()

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        dlq, dest = await asyncio.gather(
            self.gw.queue(self.dlq.url, self.dlq.region),
            self.gw.queue(self.destination.url, self.destination.region),
        )
        message = f"{applied.message}; {dlq.name}: {dlq.visible} visible; {dest.name}: {dest.visible} visible"
        return VerifyResult(applied.ok, "COMPLETED" if applied.ok else "FAILED", message)


@dataclass
class SelectedDelete:
    """Delete the messages chosen in a peek, by their latest receipt handles."""

    gw: SqsGateway
    queue: Queue
    messages: Sequence[QueueMessage]
    plan: Plan

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        tally = await delete_selected(self.gw, self.queue, self.messages)
        progress(Progress(len(tally.deleted), len(self.messages), "IN_PROGRESS", "deleted"))
        return tally.deleted_result()

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        q = await self.gw.queue(self.queue.url, self.queue.region)
        return VerifyResult(
            applied.ok,
            "COMPLETED" if applied.ok else "FAILED",
            f"{applied.message}; {q.visible} visible left",
        )


async def prepare_selected_redrive(
    gw: SqsGateway, dlq: Queue, messages: Sequence[QueueMessage]
) -> SelectedRedrive:
    """Plan the move of chosen messages to the DLQ's one source queue (an unclear one is refused)."""
    manual = await prepare_manual(gw, dlq, limit=max(1, len(messages)))
    dlq, dest = manual.dlq, manual.destination
    n = len(messages)
    plan = Plan(
        action="redrive-selected",
        target=queue_target(dlq),
        changes=(
            Change(f"messages in {dlq.name}", dlq.visible, max(dlq.visible - n, 0)),
            Change("destination", None, dest.name),
        ),
        details=(
            f"{n} chosen messages: send a copy to {dest.name}, then delete from {dlq.name} after the send",
            "at least once: a fault leaves a message in the DLQ, the destination or both (never neither)",
            *chosen_lines(messages),
        ),
        warnings=(("FIFO: group and deduplication ids are kept",) if dlq.fifo else ()),
        request={"message_ids": [m.message_id for m in messages], "destination": dest.url},
        noop_reason="" if messages else "no message chosen",
    )
    return SelectedRedrive(gw, dlq, dest, list(messages), plan)


async def prepare_selected_delete(
    gw: SqsGateway, queue: Queue, messages: Sequence[QueueMessage]
) -> SelectedDelete:
    queue = await gw.queue(queue.url, queue.region)
    n = len(messages)
    plan = Plan(
        action="dlq-delete",
        target=queue_target(queue),
        changes=(Change(f"messages in {queue.name}", queue.visible, max(queue.visible - n, 0)),),
        details=(f"delete these {n} messages:", *chosen_lines(messages)),
        warnings=("deleted messages cannot be recovered",),
        request={"message_ids": [m.message_id for m in messages]},
        noop_reason="" if messages else "no message chosen",
    )
    return SelectedDelete(gw, queue, list(messages), plan)


def purge_plan(queue: Queue) -> Plan:
    total = queue.visible + queue.in_flight + queue.delayed
    return Plan(
        action="purge",
        target=queue_target(queue),
        changes=(Change(f"messages in {queue.name}", total, 0),),
        warnings=(
            "every message is deleted, including in-flight and delayed ones; this cannot be undone",
            "AWS allows one purge per queue every 60 seconds; "
            "messages sent during the purge may be deleted too",
        ),
        request={"QueueUrl": queue.url},
        noop_reason="" if total else f"{queue.name} is empty",
    )


@dataclass
class PurgeQueue:
    gw: SqsGateway
    queue: Queue
    plan: Plan

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        await self.gw.purge(self.queue)
        return ApplyResult(ok=True, message=f"purge of {self.queue.name} requested")

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        deadline = time.monotonic() + 60
        while True:
            q = await self.gw.queue(self.queue.url, self.queue.region)
            left = q.visible + q.in_flight + q.delayed
            progress(Progress(max(plan.changes[0].before - left, 0), plan.changes[0].before, "IN_PROGRESS"))
            if left == 0:
                return VerifyResult(True, "COMPLETED", f"{q.name} is empty")
            if time.monotonic() > deadline:
                return VerifyResult(False, "TIMEOUT", f"{left} messages still counted after 60s")
            await asyncio.sleep(1)


async def prepare_purge(gw: SqsGateway, queue: Queue) -> PurgeQueue:
    queue = await gw.queue(queue.url, queue.region)
    return PurgeQueue(gw, queue, purge_plan(queue))


def check_purge_confirmation(queue: Queue, *, yes: bool, i_mean_purge: bool, typed: str | None) -> None:
    """Purge needs two confirmations: ``--yes --i-mean-purge``, or the queue's name typed."""
    if yes and i_mean_purge:
        return
    if typed is not None and typed.strip() == queue.name:
        return
    if typed is not None:
        raise Refused(f"purge not confirmed: '{typed.strip()}' is not '{queue.name}'")
    raise Refused("purge needs a double confirmation: pass --yes --i-mean-purge, or type the queue name")


__all__ = [
    "CancelRedrive",
    "DeleteMessages",
    "ManualRedrive",
    "NativeRedrive",
    "OpsError",
    "PurgeQueue",
    "SelectedDelete",
    "SelectedRedrive",
    "Tally",
    "check_options",
    "check_purge_confirmation",
    "chosen_lines",
    "delete_selected",
    "follow_move",
    "history",
    "move_batch",
    "prepare_cancel",
    "prepare_delete",
    "prepare_manual",
    "prepare_native",
    "prepare_purge",
    "prepare_selected_delete",
    "prepare_selected_redrive",
    "select_and_handle",
]
