"""What makes the demo feel alive: log lines, CPU/memory metrics, messages failing into the DLQ.

Two parts:

* ``LogBook`` is the scheduler's task hook: when a task starts it creates the awslogs streams
  (``prefix/container/task-id``) and writes the container's start-up lines; a crash writes a
  stack trace; a stop writes the shutdown lines. It runs even with ``activity=False`` because
  streams belong to tasks, not to the live activity.
* ``Activity`` is a background thread (off with ``--no-activity``): every second or so a few
  lines per running task in the format of each stack (uvicorn/FastAPI, Flask/gunicorn, Node JSON
  lines, Qdrant), now and then an error with a Python traceback; ``AWS/ECS`` CPUUtilization and
  MemoryUtilization per service; sometimes a document that fails three times and lands in
  ``document-verification-dlq``; and the Lambda's invocation lines.

Everything is written in-process to moto's backends: cheap, and never counted as API calls.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from console.demo import consumer, fates, metrics, moto_access, organisation
from console.demo.loglines import (
    METRICS_KEPT,
    PY_TRACES,
    STACKS,
    STREAM_EVENTS_KEPT,
    Lines,
    _now,
    ms,
)
from console.demo.moto_access import DemoTask
from console.demo.scheduler import LOCK, backend, td_of

log = logging.getLogger("opsconsole.demo.activity")


def _streams(task: DemoTask) -> list[tuple[str, str, str, str]]:
    """(log group, stream, container name, stack) for each awslogs container of the task."""
    be = backend(task.region_name, task._account_id)
    td = td_of(be, task.task_definition_arn)
    if td is None:
        return []
    out = []
    for c in td.container_definitions:
        conf = c.get("logConfiguration") or {}
        opts = conf.get("options") or {}
        if conf.get("logDriver") != "awslogs" or "awslogs-group" not in opts:
            continue
        prefix = opts.get("awslogs-stream-prefix")
        name = c["name"]
        stream = f"{prefix}/{name}/{task.id}" if prefix else str(task.id)
        out.append((opts["awslogs-group"], stream, name, STACKS.get(name, "fastapi")))
    return out


def put_lines(
    region: str, group: str, stream: str, lines: Iterable[str], at: datetime | None = None, spread_ms: int = 0
) -> None:
    logs = moto_access.logs(region)
    log_group = logs.groups.get(group)
    if log_group is None:
        return
    if stream not in log_group.streams:
        log_group.create_log_stream(stream)
    base = ms(at or _now())
    events = [{"timestamp": base + i * spread_ms, "message": line} for i, line in enumerate(lines)]
    if events:
        target = log_group.streams[stream]
        target.put_log_events(events)
        if len(target.events) > STREAM_EVENTS_KEPT:
            del target.events[: len(target.events) - STREAM_EVENTS_KEPT]


class LogBook:
    """The scheduler's task hook: streams and the lines of starting, crashing and stopping tasks."""

    def __init__(self, seed: int = 11) -> None:
        self.lines = Lines(random.Random(seed))

    def __call__(self, what: str, task: DemoTask, extra: dict[str, Any]) -> None:
        if what not in ("started", "crashed", "stopping"):
            return
        at = self.lines.pin(task.started_at or _now()) if what == "started" else self.lines.pin(_now())
        with organisation.acting_as(task._account_id):
            try:
                for group, stream, container, stack in _streams(task):
                    if what == "started":
                        put_lines(
                            task.region_name, group, stream, self.lines.startup(stack, container, task), at
                        )
                    elif what == "crashed":
                        if extra.get("container", container) == container:
                            lines = self.lines.crash(
                                str(extra.get("stack", stack)), str(extra.get("message", ""))
                            )
                            put_lines(task.region_name, group, stream, lines, at)
                    else:
                        put_lines(task.region_name, group, stream, self.lines.shutdown(stack), at)
            finally:
                self.lines.at = None


def _service_tasks(region: str) -> list[tuple[str, str, list[DemoTask]]]:
    be = backend(region)
    return [
        (svc.cluster_name, svc.name, list(getattr(svc, "_demo_tasks", [])))
        for svc in list(moto_access.services_of(be).values())
    ]


def _health_of(task: DemoTask) -> dict[str, int]:
    """What the task's app answers on its health paths (so access logs agree with the ELB)."""
    run = fates.RUNS.get(task.id)
    app = next((c.app for c in run.containers if c.app is not None), None) if run else None
    return dict(app.health) if app is not None else {}


def _gap_s(age_s: float, rng: random.Random) -> float:
    """Seconds to the next backfilled line: dense in the last hour, thinner further back."""
    base = 30.0 if age_s < 3600 else 120.0 if age_s < 6 * 3600 else 480.0
    return base * rng.uniform(0.6, 1.4)


def backfill_logs(
    regions: Iterable[str],
    skip_clusters: Iterable[str] = (),
    seed: int = 21,
    cancelled: Callable[[], bool] = lambda: False,
) -> int:
    """Each running task's lines from its start (at most a day back) to now, with no gap.

    The request lines are those the live activity writes, each at its own time; the gaps grow
    from about 30 s in the last hour to about 8 min a day back.
    """
    rng = random.Random(seed)
    lines = Lines(rng)
    skip = set(skip_clusters)
    written = 0
    now = _now()
    for region in regions:
        with LOCK:
            services = _service_tasks(region)
        for cluster, _service, tasks in services:
            if cluster in skip:
                continue
            for task in tasks:
                if task._status != "RUNNING" or task.started_at is None:
                    continue
                if cancelled():
                    return written
                health = _health_of(task)
                start = max(task.started_at + timedelta(seconds=2), now - timedelta(hours=24))
                for group, stream, container, stack in _streams(task):
                    events: list[tuple[datetime, list[str]]] = []
                    at = start
                    while at < now:
                        lines.pin(at)
                        events.append((lines.at or at, lines.request(stack, container, health)))
                        at += timedelta(seconds=_gap_s((now - at).total_seconds(), rng))
                    lines.at = None
                    put_many(region, group, stream, events)
                    written += len(events)
    return written


def put_many(region: str, group: str, stream: str, batches: list[tuple[datetime, list[str]]]) -> None:
    """Several moments' lines in one put (chronological, as CloudWatch Logs keeps them)."""
    logs = moto_access.logs(region)
    log_group = logs.groups.get(group)
    if log_group is None or not batches:
        return
    if stream not in log_group.streams:
        log_group.create_log_stream(stream)
    events = [{"timestamp": ms(when), "message": line} for when, chunk in batches for line in chunk]
    target = log_group.streams[stream]
    target.put_log_events(events)
    if len(target.events) > STREAM_EVENTS_KEPT:
        del target.events[: len(target.events) - STREAM_EVENTS_KEPT]


# --------------------------------------------------------------------------- the DLQ


def fail_documents(
    region: str,
    count: int,
    rng: random.Random,
    *,
    queue: str = "document-verification-queue",
    backdate: timedelta | None = None,
) -> int:
    """Send ``count`` documents that fail processing three times, so SQS moves them to the DLQ."""
    sqs = moto_access.sqs(region)
    try:
        main = sqs.get_queue(queue)
    except Exception:
        return 0
    errors = [
        ("PDFPageCountError", "Unable to get page count. Is poppler installed and in PATH?"),
        ("OCRTimeout", "Textract job did not finish within 300 seconds"),
        ("ValidationError", "companies_house_number: field required"),
        ("HMRCAuthError", "401 Unauthorized from https://api.service.hmrc.gov.uk/oauth/token"),
        ("OperationalError", "could not connect to server: Connection timed out"),
    ]
    sent = []
    for _ in range(count):
        doc = uuid.UUID(int=rng.getrandbits(128))
        kind, error = rng.choice(errors)
        body = json.dumps(
            {
                "document_id": str(doc),
                "task_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                "s3_key": f"uploads/{doc.hex[:8]}/{rng.choice(['passport', 'utility-bill', 'payslip', 'p60'])}.pdf",
                "document_type": rng.choice(["identity", "address", "income"]),
                "error": f"{kind}: {error}",
                "attempt": 3,
            }
        )
        message = sqs.send_message(
            queue,
            body,
            message_attributes={
                "source": {"DataType": "String", "StringValue": "document-processor"},
                "error_type": {"DataType": "String", "StringValue": kind},
                "retry_count": {"DataType": "Number", "StringValue": "3"},
            },
        )
        sent.append(message)
    for _ in range(6 * max(1, (count + 9) // 10)):
        got = sqs.receive_message(queue, 10, 0, 0)
        if not got and not main.messages:
            break
    if backdate is not None and main.dead_letter_queue is not None:
        for message in sent:
            ago = timedelta(seconds=rng.uniform(0, backdate.total_seconds()))
            stamp = int((_now() - ago).timestamp() * 1000)
            message.sent_timestamp = stamp  # type: ignore[assignment]  # moto types it None until sent
    return len(sent)


# --------------------------------------------------------------------------- the thread


class Activity:
    """The live part; cheap enough to run during tests and benchmarks."""

    def __init__(
        self,
        regions: tuple[str, ...],
        *,
        interval_s: float = 1.0,
        upload_every_s: float = 5.0,
        skip_clusters: Iterable[str] = (),
        seed: int = 3,
    ) -> None:
        self.regions = regions
        self.interval_s = interval_s
        self.upload_every_s = upload_every_s
        self.skip = set(skip_clusters)
        self.rng = random.Random(seed)
        self.lines = Lines(self.rng)
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self._round_lock = threading.Lock()
        self._last_upload = time.monotonic()
        self.rounds = 0
        self.errors = 0

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="demo-activity", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def pause(self) -> None:
        """Stop the rounds; returns once a round in progress has finished."""
        self._paused.set()
        with self._round_lock:
            pass

    def resume(self) -> None:
        self._paused.clear()

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            with self._round_lock:
                if self._paused.is_set():
                    continue
                try:
                    self.once()
                except Exception:
                    self.errors += 1
                    log.exception("demo activity round failed")

    def once(self) -> None:
        """One round: request lines of every running task; now and then a document is uploaded.

        Uploaded documents go to document-verification-queue, where the document-processor
        consumer (console.demo.consumer) handles them: a corrupt one (about 1 in 25) fails each
        receive and reaches the DLQ after maxReceiveCount receives, at the pace SQS allows.
        """
        self.rounds += 1
        mono = time.monotonic()
        for account, region in self.places():
            with organisation.acting_as(account):
                self._requests(region)
        if mono - self._last_upload >= self.upload_every_s:
            self._last_upload = mono
            dv = organisation.current().account_of(consumer.CLUSTER)
            consumer.send(self.rng, corrupt=self.rng.random() < 0.04, account=dv)
        self._trim_metrics()

    def places(self) -> list[tuple[str, str]]:
        """The (account, region) pairs of the organisation within this activity's regions."""
        return [(a, r) for a, r in organisation.current().places() if r in self.regions]

    def _requests(self, region: str) -> None:
        """Request lines of the running tasks of the acting account in ``region``."""
        with LOCK:
            services = _service_tasks(region)
        for cluster, _service, tasks in services:
            if cluster in self.skip:
                continue
            running = [t for t in tasks if t._status == "RUNNING" and t.desired_status == "RUNNING"]
            for task in running:
                health = _health_of(task)
                for group, stream, container, stack in _streams(task):
                    if self.rng.random() < 0.7:
                        when = self.lines.pin(_now())
                        put_lines(region, group, stream, self.lines.request(stack, container, health), when)
            self.lines.at = None

    def _trim_metrics(self) -> None:
        for account, region in self.places():
            data = moto_access.cloudwatch(region, account).metric_data
            if len(data) > METRICS_KEPT:
                cut = len(data) - METRICS_KEPT
                del data[:cut]
                key = (account, region)
                if key in metrics.BACKFILL_END:  # the evaluator's bookmark moves with the list
                    metrics.BACKFILL_END[key] = max(0, metrics.BACKFILL_END[key] - cut)


def seed_logs_and_queues(regions: tuple[str, ...], skip_clusters: Iterable[str], seed: int = 9) -> int:
    """What a live account already has: a DLQ with failed documents, the Lambda's failed invocations.

    Each invocation's START, ERROR, END and REPORT lines sit at their own moments, the REPORT's
    duration being the time from START to END (metrics come from console.demo.metrics).
    """
    rng = random.Random(seed)
    moved = fail_documents("ap-south-1", 25, rng, backdate=timedelta(days=3))
    past = _now() - timedelta(minutes=30)
    for i in range(3):
        request = str(uuid.UUID(int=rng.getrandbits(128)))
        stream = f"{past:%Y/%m/%d}/[$LATEST]{uuid.UUID(int=rng.getrandbits(128)).hex}"
        start = past + timedelta(minutes=i * 7)
        failed = start + timedelta(milliseconds=1180)
        duration = 4210.55
        end = start + timedelta(milliseconds=duration)
        group = "/aws/lambda/document-processor"
        put_lines(
            "ap-south-1",
            group,
            stream,
            [
                "INIT_START Runtime Version: python:3.12.v38\tRuntime Version ARN: arn:aws:lambda:ap-south-1::runtime:demo",
                f"START RequestId: {request} Version: $LATEST",
            ],
            start - timedelta(milliseconds=1),
            1,
        )
        put_lines(
            "ap-south-1",
            group,
            stream,
            [
                f"[ERROR]\t{failed:%Y-%m-%dT%H:%M:%S}.{failed.microsecond // 1000:03d}Z\t{request}\tDocument processing failed",
                *PY_TRACES[i % len(PY_TRACES)],
            ],
            failed,
        )
        put_lines(
            "ap-south-1",
            group,
            stream,
            [
                f"END RequestId: {request}",
                f"REPORT RequestId: {request}\tDuration: {duration} ms\tBilled Duration: 4211 ms\tMemory Size: 512 MB"
                "\tMax Memory Used: 233 MB",
            ],
            end,
        )
    return moved
