"""The manual redrive's journal: which messages were sent and not yet deleted from the DLQ.

Send-then-delete leaves a window: a run killed after a send and before its delete
leaves the message in both queues, and a rerun, receiving it again from the DLQ,
would send it a second time.  The journal closes that window.  Per (DLQ,
destination) it records, before each send, the messages about to be sent
(``sending``), after the send the ones SQS accepted (``sent``), and after the
delete the ones gone from the DLQ (``deleted``).  A rerun that receives a message
the journal holds as ``sent`` deletes it from the DLQ instead of sending it again.

Messages are matched by MessageId and a digest of body and attributes, never by
receipt handle: a handle belongs to one receive, and the killed run's handles are
worthless once the messages became visible again, so the rerun deletes with the
handle of its own receive.

A message journalled as ``sending`` (the run died while that send was in flight)
may or may not have reached the destination: SQS cannot be asked by id.  Before it
sends anything the rerun reads the destination for copies with the same digest
(console.ops.redrive_settle) and treats those found as sent; the others are sent
again (a FIFO destination also drops a copy by its deduplication id within 5
minutes).  So: exactly once unless the journal is lost, or a consumer took an
in-doubt copy from the destination before the rerun looked.

Each event is one ``os.write`` of one JSON line to a file opened O_APPEND: a killed
process loses no event it wrote (only the machine losing power can, and then the
journal is lost: the guarantee falls back to at least once). Entries older than
SQS's longest retention (14 days) are dropped when the journal is opened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from console.aws.sqs import QueueMessage
from console.config import data_dir
from console.model import Queue

RETENTION_S = 14 * 86_400  # SQS keeps a message at most 14 days: no entry can matter longer
FIFO_DEDUP_WINDOW_S = 300  # a FIFO queue drops a repeated deduplication id within 5 minutes
SENDING, SENT, DELETED = "sending", "sent", "deleted"

GUARANTEE = (
    "exactly once unless the journal is lost: a rerun after a crash deletes from the DLQ what an "
    "earlier run had sent, instead of sending it again"
)


def digest(message: QueueMessage) -> str:
    """Body and message attributes, hashed: the same message whatever receive it came from."""
    attrs = {
        name: {
            k: base64.b64encode(bytes(v)).decode() if isinstance(v, (bytes, bytearray)) else v
            for k, v in sorted(value.items())
        }
        for name, value in sorted(message.message_attributes.items())
    }
    raw = json.dumps([message.body, attrs], sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()[:32]


def journal_dir() -> Path:
    return data_dir() / "redrive"


def journal_path(dlq: Queue, destination: Queue) -> Path:
    """One file per (DLQ, destination), named so a person can tell which is which."""
    key = hashlib.sha256(f"{dlq.arn or dlq.url}>{destination.arn or destination.url}".encode()).hexdigest()
    return journal_dir() / f"{dlq.name}--{destination.name}--{key[:12]}.jsonl"


@dataclass
class Entry:
    state: str
    digest: str
    at: float


@dataclass
class Pending:
    """What an interrupted run left: sent and not deleted, and in flight when it stopped."""

    sent: int = 0
    sending: int = 0

    def __bool__(self) -> bool:
        return bool(self.sent or self.sending)


@dataclass
class Journal:
    path: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    _fd: int | None = None

    @classmethod
    def open(cls, dlq: Queue, destination: Queue) -> Journal:
        journal = cls(journal_path(dlq, destination))
        journal.load()
        return journal

    # --- reading ----------------------------------------------------------------------
    def load(self) -> None:
        """Replay the file; a torn or foreign line is skipped, old entries are forgotten."""
        self.entries.clear()
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return
        horizon = time.time() - RETENTION_S
        for line in lines:
            try:
                event = json.loads(line)
                state, at, ids = str(event["e"]), float(event["t"]), event["m"]
            except (ValueError, KeyError, TypeError):
                continue
            if at < horizon:
                continue
            for mid, dg in ids:
                if state == DELETED:
                    self.entries.pop(str(mid), None)
                else:
                    self.entries[str(mid)] = Entry(state, str(dg), at)

    def state_of(self, message: QueueMessage) -> Entry | None:
        """The journal's entry for this message (same id and same content), or None."""
        entry = self.entries.get(message.message_id)
        return entry if entry is not None and entry.digest == digest(message) else None

    def pending(self) -> Pending:
        states = [e.state for e in self.entries.values()]
        return Pending(sent=states.count(SENT), sending=states.count(SENDING))

    # --- writing ----------------------------------------------------------------------
    def _write(self, state: str, messages: Iterable[QueueMessage]) -> None:
        ids = [[m.message_id, digest(m)] for m in messages]
        if ids:
            self._append(state, ids)

    def _append(self, state: str, ids: list[list[str]]) -> None:
        now = time.time()
        for mid, dg in ids:
            if state == DELETED:
                self.entries.pop(mid, None)
            else:
                self.entries[mid] = Entry(state, dg, now)
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        line = json.dumps({"e": state, "t": round(now, 3), "m": ids}, separators=(",", ":")) + "\n"
        os.write(self._fd, line.encode())

    def settled(self, message_ids: Sequence[str]) -> None:
        """In-doubt entries whose copy was found in the destination: sent (console.ops.redrive_settle)."""
        ids = [[mid, self.entries[mid].digest] for mid in message_ids if mid in self.entries]
        if ids:
            self._append(SENT, ids)

    def sending(self, messages: Sequence[QueueMessage]) -> None:
        self._write(SENDING, messages)

    def sent(self, messages: Sequence[QueueMessage]) -> None:
        self._write(SENT, messages)

    def deleted(self, messages: Sequence[QueueMessage]) -> None:
        """Gone from the DLQ, or never sent (refused by SQS): nothing left to do for them."""
        self._write(DELETED, messages)

    def close(self, *, drained: bool = False) -> None:
        """End of a run. ``drained``: the DLQ holds no message at all, so no entry can come back
        and the file goes; otherwise it is rewritten with the pending entries only."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if drained or not self.entries:
            self.path.unlink(missing_ok=True)
            self.entries.clear()
            return
        tmp = self.path.with_suffix(".tmp")
        lines = [
            json.dumps({"e": e.state, "t": round(e.at, 3), "m": [[mid, e.digest]]}, separators=(",", ":"))
            for mid, e in self.entries.items()
        ]
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(tmp, self.path)


def by_state(journal: Journal | None, messages: Sequence[QueueMessage]) -> Mapping[str, list[QueueMessage]]:
    """Split a received batch: ``sent`` (delete only), ``sending`` (in doubt), ``new``."""
    out: dict[str, list[QueueMessage]] = {SENT: [], SENDING: [], "new": []}
    for m in messages:
        entry = journal.state_of(m) if journal is not None else None
        out[entry.state if entry is not None else "new"].append(m)
    return out


def in_doubt_may_repeat(journal: Journal, message: QueueMessage, *, fifo: bool) -> bool:
    """Can sending this in-doubt message again make a second copy? Not on FIFO within 5 minutes."""
    entry = journal.state_of(message)
    if entry is None:
        return False
    return not (fifo and time.time() - entry.at < FIFO_DEDUP_WINDOW_S - 20)


def plan_lines(journal: Journal, *, fifo: bool) -> tuple[str, ...]:
    """What the plan says about an interrupted run and about the guarantee."""
    lines = [f"{GUARANTEE} (journal: {journal.path})"]
    pending = journal.pending()
    if pending.sent:
        lines.append(
            f"an earlier run was interrupted: {pending.sent} message(s) it sent and had not deleted "
            "are deleted from the DLQ when met, not sent again"
        )
    if pending.sending:
        repeat = (
            "the destination also drops a copy by its deduplication id within 5 minutes"
            if fifo
            else "a copy a consumer already took cannot be seen, and may arrive twice"
        )
        lines.append(
            f"{pending.sending} message(s) were being sent when that run stopped: the destination is "
            "read first (never deleted from; receive counts rise by one) and those whose copy is there "
            f"are deleted from the DLQ, the others sent again ({repeat})"
        )
    return tuple(lines)
