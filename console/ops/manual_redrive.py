"""Manual redrive: receive from the DLQ, send a copy, delete from the DLQ only after the send.

For chosen messages (``--match``, ``--limit``, or picked in a peek) where a native move task
cannot choose.  What a crash in the middle leaves is described by the plan; the journal
(console.ops.redrive_journal) makes a rerun finish the job instead of sending again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from console.aws.paging import chunks
from console.aws.sqs import MAX_BATCH, QueueMessage, SqsGateway
from console.errors import BadInput
from console.model import Queue
from console.ops.message_batches import (
    DEFAULT_CONCURRENCY,
    DEFAULT_VISIBILITY_S,
    Tally,
    check_options,
    chosen_lines,
    destination_for,
    move_batch,
    queue_target,
    select_and_handle,
)
from console.ops.plan import ApplyResult, Change, Plan, Progress, ProgressCallback, VerifyResult
from console.ops.redrive_journal import Journal, plan_lines
from console.ops.redrive_settle import settle_in_doubt


def remaining(visible: int, *, limit: int | None, match: str | None) -> int | str:
    """What the plan says will be left in the DLQ: a number only when it is known in advance.

    With ``--match`` nobody knows how many bodies match until they are read, so the plan says
    that in words (and how many at most leave, with ``--limit``) instead of a number.
    """
    count = visible if limit is None else min(limit, visible)
    if match is None:
        return visible - count
    most = f", at most {count} fewer" if count < visible else ""
    return f"{visible} less those whose body contains {match!r} (counted as they are read{most})"


def manual_plan(
    dlq: Queue,
    destination: Queue,
    *,
    limit: int | None,
    match: str | None,
    action: str = "redrive-manual",
    journal: Journal | None = None,
) -> Plan:
    scope = "every visible message" if limit is None else f"up to {limit} messages"
    if match is not None:
        scope += f" whose body contains {match!r}"
    journalled = plan_lines(journal, fifo=destination.fifo) if journal is not None else ()
    return Plan(
        action=action,
        target=queue_target(dlq),
        changes=(
            Change(f"messages in {dlq.name}", dlq.visible, remaining(dlq.visible, limit=limit, match=match)),
            Change("destination", None, destination.name),
        ),
        details=(
            f"{scope}: receive 10 at a time, send to {destination.name}, "
            f"delete from {dlq.name} after the send",
            *journalled,
            "a fault leaves a message in the DLQ, the destination or both (never neither); "
            "the summary counts any possible duplicate",
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
    journal: Journal | None = None

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        journal = self.journal

        async def handle(batch: Sequence[QueueMessage], tally: Tally) -> None:
            await move_batch(self.gw, self.dlq, self.destination, batch, tally, journal=journal)

        try:
            if journal is not None:  # before anything is sent: in-doubt sends whose copy arrived
                await settle_in_doubt(self.gw, self.destination, journal)
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
                always=(lambda m: journal.state_of(m) is not None) if journal is not None else None,
            )
        finally:
            if journal is not None:
                journal.close()
        return tally.moved_result()

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        dlq, dest = await asyncio.gather(
            self.gw.queue(self.dlq.url, self.dlq.region),
            self.gw.queue(self.destination.url, self.destination.region),
        )
        if self.journal is not None and not (dlq.visible or dlq.in_flight or dlq.delayed):
            self.journal.close(drained=True)  # nothing can come back: the journal has done its work
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
        destination = await gw.resolve_arn(sources[0], dlq.region)
    journal = Journal.open(dlq, destination)
    plan = manual_plan(dlq, destination, limit=limit, match=match, journal=journal)
    return ManualRedrive(gw, dlq, destination, plan, concurrency, visibility_timeout, journal=journal)


@dataclass
class SelectedRedrive:
    """Move the messages chosen in a peek: send a copy, delete from the DLQ only after the send."""

    gw: SqsGateway
    dlq: Queue
    destination: Queue
    messages: Sequence[QueueMessage]
    plan: Plan
    tally: Tally = field(default_factory=Tally)
    journal: Journal | None = None

    async def apply(self, plan: Plan, progress: ProgressCallback) -> ApplyResult:
        tally = self.tally
        total = len(self.messages)
        try:
            if self.journal is not None:
                await settle_in_doubt(self.gw, self.destination, self.journal)
            for batch in chunks(list(self.messages), MAX_BATCH):
                await move_batch(self.gw, self.dlq, self.destination, batch, tally, journal=self.journal)
                progress(Progress(len(tally.moved), total, "IN_PROGRESS", f"to {self.destination.name}"))
        finally:
            if self.journal is not None:
                self.journal.close()
        return tally.moved_result()

    async def verify(self, plan: Plan, applied: ApplyResult, progress: ProgressCallback) -> VerifyResult:
        dlq, dest = await asyncio.gather(
            self.gw.queue(self.dlq.url, self.dlq.region),
            self.gw.queue(self.destination.url, self.destination.region),
        )
        message = f"{applied.message}; {dlq.name}: {dlq.visible} visible; {dest.name}: {dest.visible} visible"
        return VerifyResult(applied.ok, "COMPLETED" if applied.ok else "FAILED", message)


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
            *(plan_lines(manual.journal, fifo=dest.fifo) if manual.journal is not None else ()),
            "a fault leaves a message in the DLQ, the destination or both (never neither)",
            *chosen_lines(messages),
        ),
        warnings=(("FIFO: group and deduplication ids are kept",) if dlq.fifo else ()),
        request={"message_ids": [m.message_id for m in messages], "destination": dest.url},
        noop_reason="" if messages else "no message chosen",
    )
    return SelectedRedrive(gw, dlq, dest, list(messages), plan, journal=manual.journal)
