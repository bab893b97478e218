"""Settling a killed manual redrive's in-doubt sends before a rerun sends anything.

A run killed while a SendMessageBatch was in flight leaves those messages journalled as
``sending`` (console.ops.redrive_journal): SQS may or may not have taken the copies.
SQS cannot be asked by id (a copy has a new MessageId), but the copy keeps the original's
body and attributes, so its digest is the journal's.  The rerun first reads the
destination (received with a visibility timeout, released at once, never deleted) and
marks as ``sent`` each in-doubt entry whose copy it finds there (one copy settles one
entry, so equal bodies are counted, not merged); the run then deletes those from the DLQ
instead of sending them again.  What it cannot see stays in doubt and is sent again: a copy
a consumer has already received or deleted.  The read raises the receive count of the
destination's messages by one, so it is done only when the journal holds in-doubt entries.
"""

from __future__ import annotations

from console.aws.sqs import MAX_BATCH, QueueMessage, SqsGateway
from console.model import Queue
from console.ops.redrive_journal import SENDING, Journal, digest

SCAN_VISIBILITY_S = 60  # long enough for the read of a large queue; released at the end
SCAN_MARGIN = 100  # messages read beyond the count the queue reported (it moves while read)


async def settle_in_doubt(gw: SqsGateway, destination: Queue, journal: Journal) -> int:
    """Mark as sent the in-doubt entries whose copy is in ``destination``; returns how many."""
    wanted: dict[str, list[str]] = {}
    for mid, entry in journal.entries.items():
        if entry.state == SENDING:
            wanted.setdefault(entry.digest, []).append(mid)
    if not wanted:
        return 0
    queue = await gw.queue(destination.url, destination.region)
    limit = queue.visible + SCAN_MARGIN
    seen: dict[str, QueueMessage] = {}
    found: list[str] = []
    empty_rounds = 0
    try:
        while len(seen) < limit and empty_rounds < 2 and any(wanted.values()):
            batch = await gw.receive(queue, max_messages=MAX_BATCH, visibility_timeout=SCAN_VISIBILITY_S)
            fresh = [m for m in batch if m.message_id not in seen]
            if not fresh:
                empty_rounds += 1
                continue
            empty_rounds = 0
            for message in fresh:
                seen[message.message_id] = message
                ids = wanted.get(digest(message))
                if ids:
                    found.append(ids.pop())
    finally:
        if seen:
            await gw.change_visibility(queue, list(seen.values()), 0)
    journal.settled(found)
    return len(found)


__all__ = ["settle_in_doubt"]
