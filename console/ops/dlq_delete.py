"""Deleting messages from a queue (chosen by text or limit, or picked in a peek) and purging it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from console.aws.sqs import MAX_BATCH, QueueMessage, SqsGateway
from console.errors import BadInput, Refused
from console.model import Queue
from console.ops.message_batches import (
    DEFAULT_CONCURRENCY,
    Tally,
    check_options,
    chosen_lines,
    delete_chosen,
    queue_target,
    select_and_handle,
)
from console.ops.plan import ApplyResult, Change, Plan, Progress, ProgressCallback, VerifyResult


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
