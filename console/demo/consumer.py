"""The ``document-processor`` Lambda, consuming ``document-verification-queue`` as its event source.

Its code handles identity, address and income documents; a message it cannot handle raises, so
the message is not deleted: SQS shows it again after the visibility timeout and moves it to the
DLQ on the receive after ``maxReceiveCount``. A failing message therefore needs
``visibility * maxReceiveCount`` (900 s * 3 on AWS, divided by the demo's time scale) to reach the
DLQ: new failures and re-failures arrive at the pace the redrive policy allows.

Every invocation writes its START / lines / END / REPORT to ``/aws/lambda/document-processor``,
with the REPORT's duration equal to the time between START and END.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from console.demo import lambdas, moto_access
from console.demo.clock import CLOCK

REGION = "ap-south-1"
CLUSTER = "document-verification-cluster"  # the system the queue and the Lambda belong to
QUEUE = "document-verification-queue"
GROUP = "/aws/lambda/document-processor"
HANDLED = frozenset({"identity", "address", "income"})
VISIBILITY_S = 900.0


@dataclass
class Consumer:
    """Polls the queue every ``every_s`` real seconds (Lambda's poller: up to 10 messages a batch)."""

    every_s: float = 1.0
    rng: random.Random = field(default_factory=lambda: random.Random(13))
    _last: datetime | None = None
    _stream: str | None = None
    invocations: int = 0
    failed_last: int = 0

    def visibility(self) -> int:
        """Seconds a failed message stays hidden: the queue's 900 s, scaled (moto counts whole seconds)."""
        return max(1, round(VISIBILITY_S / CLOCK.scale))

    def tick(self, account: str | None = None) -> None:
        account = account or moto_access.acting()
        now = CLOCK.now()
        if self._last is not None and (now - self._last).total_seconds() < self.every_s:
            return
        self._last = now
        try:
            sqs = moto_access.sqs(REGION, account)
            queue = sqs.queues.get(QUEUE)
            if queue is None:
                return
            lambdas.detach(queue)  # a mapping made with boto3 since: this poller is Lambda's
            if not lambdas.enabled(REGION, account, queue.queue_arn):
                return  # the mapping is disabled or gone: nothing consumes the queue
            batch = sqs.receive_message(QUEUE, 10, 0, self.visibility())
        except Exception:
            return
        if not batch:
            return
        self.invocations += 1
        lines: list[tuple[float, str]] = []
        request = str(uuid.UUID(int=self.rng.getrandbits(128)))
        elapsed = 0.0
        lines.append((elapsed, f"START RequestId: {request} Version: $LATEST"))
        for message in batch:
            elapsed += self.rng.uniform(0.05, 0.4)
            error = _process(message.body)
            head = "{stamp}\t" + request
            if error is None:
                lines.append((elapsed, f"[INFO]\t{head}\tProcessed message {message.id}"))
                try:
                    sqs.delete_message(QUEUE, str(message.receipt_handle))
                except Exception:
                    pass
            else:
                lines.append((elapsed, f"[ERROR]\t{head}\tFailed to process message {message.id}: {error}"))
                lines.append((elapsed, "Traceback (most recent call last):"))
                lines.append((elapsed, '  File "/var/task/handler.py", line 58, in handler'))
                lines.append((elapsed, "    parser = PARSERS[document['document_type']]"))
                lines.append((elapsed, error))
        elapsed += 0.002
        lines.append((elapsed, f"END RequestId: {request}"))
        duration = elapsed * 1000
        lines.append(
            (
                elapsed,
                f"REPORT RequestId: {request}\tDuration: {duration:.2f} ms\tBilled Duration: "
                f"{int(duration) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {self.rng.randint(140, 310)} MB",
            )
        )
        self._write(account, now - timedelta(seconds=elapsed), lines)
        self.failed_last = sum(1 for _at, text in lines if text.startswith("[ERROR]"))

    def _write(self, account: str, start: datetime, lines: list[tuple[float, str]]) -> None:
        """The invocation's lines, each at its own moment (START at the start, REPORT at the end)."""
        logs = moto_access.logs(REGION, account)
        group = logs.groups.get(GROUP)
        if group is None:
            return
        if self._stream is None:
            self._stream = f"{start:%Y/%m/%d}/[$LATEST]{uuid.UUID(int=self.rng.getrandbits(128)).hex}"
        if self._stream not in group.streams:
            group.create_log_stream(self._stream)
        base = int(start.timestamp() * 1000)
        events = []
        for at, text in lines:
            stamp_ms = base + int(at * 1000)
            when = datetime.fromtimestamp(stamp_ms / 1000, tz=start.tzinfo)
            stamp = f"{when:%Y-%m-%dT%H:%M:%S}.{stamp_ms % 1000:03d}Z"
            events.append({"timestamp": stamp_ms, "message": text.replace("{stamp}", stamp)})
        group.streams[self._stream].put_log_events(events)


def _process(body: str) -> str | None:
    """None when the handler succeeds; else the exception line it dies with."""
    try:
        document = json.loads(body)
    except ValueError:
        return "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"
    if not isinstance(document, dict):
        return "TypeError: string indices must be integers, not 'str'"
    kind = document.get("document_type")
    if "error" in document:  # the seeded failures carry what they died of
        return str(document["error"])
    if kind not in HANDLED:
        return f"KeyError: '{kind}'"
    if document.get("corrupt"):
        return "pdf2image.exceptions.PDFPageCountError: Unable to get page count."
    return None


def document(rng: random.Random, kind: str | None = None, corrupt: bool = False) -> str:
    """A message as the backend sends it when a document is uploaded."""
    doc = uuid.UUID(int=rng.getrandbits(128))
    kind = kind or rng.choice(sorted(HANDLED))
    body: dict[str, object] = {
        "document_id": str(doc),
        "task_id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "s3_key": f"uploads/{doc.hex[:8]}/{kind}.pdf",
        "document_type": kind,
    }
    if corrupt:
        body["corrupt"] = True
    return json.dumps(body)


def send(
    rng: random.Random,
    kind: str | None = None,
    corrupt: bool = False,
    account: str | None = None,
) -> None:
    sqs = moto_access.sqs(REGION, account)
    if QUEUE in sqs.queues:
        sqs.send_message(
            QUEUE,
            document(rng, kind, corrupt),
            message_attributes={
                "source": {"DataType": "String", "StringValue": "document-verification-backend"}
            },
        )
