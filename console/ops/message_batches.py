"""Receive, choose and hand on a queue's messages in batches of 10: the engine under manual
redrive and message deletion.

Workers receive with a visibility timeout, choose by ``--match``/``--limit``, and hand the
chosen ones to a handler (send-then-delete, or delete); messages not chosen stay hidden
until the run ends and are released.  :class:`Tally` records, message by message, where
each one is, so a run's summary never claims more than happened.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from console.aws.sqs import MAX_BATCH, BatchOutcome, QueueMessage, SqsGateway
from console.errors import BadInput
from console.literal import literal_text
from console.model import Queue
from console.ops.plan import (
    ApplyResult,
    OpTarget,
    Progress,
    ProgressCallback,
)
from console.ops.redrive_journal import SENDING, SENT, Journal, by_state, in_doubt_may_repeat

DEFAULT_CONCURRENCY = 8
DEFAULT_VISIBILITY_S = 60
MAX_VISIBILITY_S = 43_200  # SQS's limit: 12 hours
POLL_S = 0.5
ACTIVE = ("RUNNING", "CANCELLING")  # a move task in these states blocks another


def queue_target(queue: Queue) -> OpTarget:
    return OpTarget(region=queue.region, kind="queue", name=queue.name, arn=queue.arn)


def _nothing(_: Progress) -> None:
    return None


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
    finished: list[str] = field(default_factory=list)  # sent by an interrupted run: deleted, not sent again
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
        if self.finished:
            parts.append(
                f"{len(self.finished)} of them sent by an interrupted run (deleted from the DLQ, not sent again)"
            )
        if self.maybe_twice:
            parts.append(f"{len(self.maybe_twice)} sent again after a retry or a crash mid-send")
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
    always: Callable[[QueueMessage], bool] | None = None,
) -> Tally:
    """Receive from ``source`` in batches of 10 with ``concurrency`` workers; hand chosen messages on.

    A message is chosen when ``match`` is a substring of its body; at most
    ``limit`` are chosen.  The others stay hidden until the end of the run
    and are then made visible again.  ``always`` chooses a message whatever
    ``match`` says (one an interrupted run already sent: it is only deleted).
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
                    if match is not None and match not in m.body and not (always and always(m)):
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
    journal: Journal | None = None,
) -> None:
    """Send copies, then delete from ``source`` exactly the messages whose send succeeded.

    A send that raised (retries exhausted, connection dropped) has an unknown
    outcome: it is sent again, and the copies are counted as possible
    duplicates; after ``attempts`` the originals simply stay in the source.
    With a ``journal`` (console.ops.redrive_journal) each step is written down
    first, and a message an earlier run sent is deleted here, not sent again.
    """
    split = by_state(journal, batch)
    if split[SENT]:
        await _delete_sent(gw, source, split[SENT], tally, journal)
    pending = [*split[SENDING], *split["new"]]
    if journal is not None:
        tally.maybe_twice.update(
            m.message_id for m in split[SENDING] if in_doubt_may_repeat(journal, m, fifo=destination.fifo)
        )
        journal.sending(pending)
    sent_ok: list[QueueMessage] = []
    raised = False
    for attempt in range(attempts):
        if not pending:
            break
        try:
            sent: BatchOutcome = await gw.send_messages(destination, pending)
        except Exception:
            raised = True
            tally.maybe_twice.update(m.message_id for m in pending)
            await asyncio.sleep(0.1 * (attempt + 1))
            continue
        if sent.retried:
            tally.maybe_twice.update(sent.ok)
        ok = set(sent.ok)
        now_sent = [m for m in pending if m.message_id in ok]
        if journal is not None:
            journal.sent(now_sent)
        sent_ok += now_sent
        failed = dict(sent.failed)
        pending = [m for m in pending if m.message_id in failed]
        if pending and attempt == attempts - 1:
            tally.send_failed += [(m.message_id, failed[m.message_id]) for m in pending]
            if journal is not None and not raised:  # refused every time: never sent
                journal.deleted(pending)
            pending = []
    tally.unknown += [m.message_id for m in pending]  # the journal keeps them as in doubt
    if sent_ok:
        await _delete_sent(gw, source, sent_ok, tally, journal, earlier=False)


async def _delete_sent(
    gw: SqsGateway,
    source: Queue,
    sent: Sequence[QueueMessage],
    tally: Tally,
    journal: Journal | None,
    *,
    earlier: bool = True,
) -> None:
    """Delete sent messages from the source (with this run's receipt handles); a failed delete
    leaves them journalled as sent, so the next run deletes them instead of sending again."""
    try:
        deleted = await gw.delete_batch(source, sent)
    except Exception:
        deleted = await _retry_delete(gw, source, sent)
    else:
        if deleted.failed:  # receipt handles that SQS refused: retry only those
            again = await _retry_delete(gw, source, [m for m in sent if m.message_id in dict(deleted.failed)])
            deleted = BatchOutcome(deleted.ok + again.ok, again.failed, deleted.retried or again.retried)
    if journal is not None:
        gone = set(deleted.ok)
        journal.deleted([m for m in sent if m.message_id in gone])
    tally.moved += list(deleted.ok)
    if earlier:
        tally.finished += list(deleted.ok)
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


def chosen_lines(messages: Sequence[QueueMessage], shown: int = 10) -> tuple[str, ...]:
    """The plan's list of chosen messages: id and the first line of the body, inert."""
    lines = []
    for m in messages[:shown]:
        first = next((x for x in m.body.splitlines() if x.strip()), "").strip()
        lines.append(f"{m.message_id}  {literal_text(first, max_len=60)}")
    if len(messages) > shown:
        lines.append(f"… and {len(messages) - shown} more")
    return tuple(lines)
