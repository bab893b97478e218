"""SQS: queues, their dead-letter links, peeking, batches and message move tasks.

Queues are listed once per region (1,000 a page) and their attributes read
concurrently within the budget; which queues feed a DLQ is computed from the
other queues' RedrivePolicy, so a listing costs one call per queue and no
``ListDeadLetterSourceQueues`` per queue (detail views ask for that one).
The age of the oldest message comes from CloudWatch, for all queues of a
region in one GetMetricData call, and only when asked: it costs money on AWS.

Peeking receives with a short visibility timeout and never deletes; it does
raise each message's receive count, which callers must say.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from console.accounts import account_id_of, ask_account, in_place
from console.aws.account_access import per_place
from console.aws.paging import Budget, chunks, pages
from console.aws.session import AwsContext
from console.aws.sqs_messages import (
    BatchOutcome,
    QueueMessage,
    batch_outcome,
    binary_preview,
    merge_outcomes,
    to_message,
)
from console.errors import ApiMissing, BadInput, NotFound, is_missing_api, is_missing_api_answer
from console.model import MessageMoveTask, Queue
from console.names import did_you_mean

MAX_BATCH = 10  # SendMessageBatch / DeleteMessageBatch / ReceiveMessage limit
LIST_PAGE = 1000
METRIC_QUERIES_PER_CALL = 500
PEEK_VISIBILITY_S = 10
AGE_TIMEOUT_S = 3.0
NO_MOVE_TASKS = "this endpoint has no SQS message move tasks: use --manual"
MOVE_TASK_OPERATIONS = ("StartMessageMoveTask", "ListMessageMoveTasks", "CancelMessageMoveTask")


def _missing_move_tasks(response: Any = None, **_: Any) -> None:
    """botocore's needs-retry hook: an endpoint without the API answers the same on every retry
    (moto's 500 page, a 501), so stop at the first answer instead of backing off for seconds."""
    if response is None:
        return
    http, parsed = response
    if is_missing_api_answer(parsed, int(getattr(http, "status_code", 0) or 0), page_means_missing=True):
        raise ApiMissing(NO_MOVE_TASKS)


# SQS quotas are far above ECS's: standard queues are "nearly unlimited", FIFO
# queues 300 calls/s per API without high-throughput mode.
SQS_BUCKETS: dict[str, tuple[float, int]] = {
    "sqs": (1000, 1000),
    "sqs_fifo": (300, 300),
    "cloudwatch": (50, 50),
}

_ARN = re.compile(r"^arn:(?P<partition>[^:]+):sqs:(?P<region>[^:]+):(?P<account>\d*):(?P<name>[^:/]+)$")
_URL_REGION = re.compile(
    r"(?:^|\.)sqs\.(?P<r1>[a-z0-9-]+)\.amazonaws\.com|^(?P<r2>[a-z0-9-]+)\.queue\.amazonaws\.com"
)


def parse_arn(arn: str) -> tuple[str, str, str]:
    """(region, account, name) of a queue ARN; BadInput when it is not one."""
    match = _ARN.match(arn)
    if not match:
        raise BadInput(f"not an SQS queue ARN: {arn}")
    return match["region"], match["account"], match["name"]


def name_of_url(url: str) -> str:
    return urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]


def region_of_url(url: str) -> str | None:
    host = urlparse(url).hostname or ""
    match = _URL_REGION.search(host)
    if not match:
        return None
    return match["r1"] or match["r2"]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def to_queue(url: str, region: str, attrs: Mapping[str, str], *, source_arns: Iterable[str] = ()) -> Queue:
    policy: dict[str, Any] = {}
    if attrs.get("RedrivePolicy"):
        try:
            policy = json.loads(attrs["RedrivePolicy"])
        except ValueError:
            policy = {}
    if attrs.get("KmsMasterKeyId"):
        encryption = f"SSE-KMS ({attrs['KmsMasterKeyId']})"
    elif str(attrs.get("SqsManagedSseEnabled", "")).lower() == "true":
        encryption = "SSE-SQS"
    else:
        encryption = ""
    mrc = policy.get("maxReceiveCount")
    return Queue(
        url=url,
        name=name_of_url(url),
        region=region,
        arn=attrs.get("QueueArn", ""),
        visible=_int(attrs.get("ApproximateNumberOfMessages")),
        in_flight=_int(attrs.get("ApproximateNumberOfMessagesNotVisible")),
        delayed=_int(attrs.get("ApproximateNumberOfMessagesDelayed")),
        fifo=str(attrs.get("FifoQueue", "")).lower() == "true",
        visibility_timeout=_int(attrs.get("VisibilityTimeout"), 30),
        retention_s=_int(attrs.get("MessageRetentionPeriod"), 345600),
        delay_s=_int(attrs.get("DelaySeconds")),
        encryption=encryption,
        dlq_arn=str(policy.get("deadLetterTargetArn", "")),
        max_receive_count=_int(mrc) if mrc is not None else None,
        source_arns=tuple(sorted(source_arns)),
    )


def to_move_task(raw: Mapping[str, Any]) -> MessageMoveTask:
    started = raw.get("StartedTimestamp")
    started_at: datetime | None = None
    if isinstance(started, datetime):
        started_at = started
    elif isinstance(started, (int, float)):
        started_at = datetime.fromtimestamp(started / 1000, tz=UTC)
    to_move = raw.get("ApproximateNumberOfMessagesToMove")
    rate = raw.get("MaxNumberOfMessagesPerSecond")
    return MessageMoveTask(
        handle=str(raw.get("TaskHandle", "")),
        status=str(raw.get("Status", "")),
        source_arn=str(raw.get("SourceArn", "")),
        destination_arn=str(raw.get("DestinationArn", "") or ""),
        moved=_int(raw.get("ApproximateNumberOfMessagesMoved")),
        to_move=_int(to_move) if to_move is not None else None,
        max_per_second=_int(rate) if rate is not None else None,
        started_at=started_at,
        failure_reason=str(raw.get("FailureReason", "") or ""),
    )


def with_sources(queues: Sequence[Queue]) -> list[Queue]:
    """Fill each queue's ``source_arns`` from the other queues' RedrivePolicy."""
    sources: dict[str, set[str]] = {}
    for q in queues:
        if q.dlq_arn:
            sources.setdefault(q.dlq_arn, set()).add(q.arn)
    out: list[Queue] = []
    for q in queues:
        found = sources.get(q.arn, set()) | set(q.source_arns)
        out.append(
            q if tuple(sorted(found)) == q.source_arns else _replace(q, source_arns=tuple(sorted(found)))
        )
    return out


def _replace(queue: Queue, **changes: Any) -> Queue:
    from dataclasses import replace

    return replace(queue, **changes)


def by_message_id(out: BatchOutcome, batch: Sequence[QueueMessage]) -> BatchOutcome:
    """A batch's outcome keyed by message id instead of its entry ids (the batch's positions)."""
    ids = {str(i): m.message_id for i, m in enumerate(batch)}
    return BatchOutcome(
        tuple(ids[i] for i in out.ok if i in ids),
        tuple((ids.get(i, i), why) for i, why in out.failed),
        out.retried,
    )


class SqsGateway:
    """Every SQS (and SQS-metric) call of the console."""

    def __init__(self, aws: AwsContext, budget: Budget | None = None) -> None:
        self.aws = aws
        self.budget = budget or Budget()
        for name, spec in SQS_BUCKETS.items():
            self.budget.specs.setdefault(name, spec)
        self._ages_unavailable: set[str] = set()

    async def _call(self, region: str, op: str, *, fifo: bool = False, **kwargs: Any) -> dict[str, Any]:
        client = await self.aws.client("sqs", region)
        return await self.budget.call(region, "sqs_fifo" if fifo else "sqs", getattr(client, op), **kwargs)

    # --- listing ------------------------------------------------------------------
    async def list_queue_urls(self, region: str, prefix: str = "") -> list[str]:
        client = await self.aws.client("sqs", region)
        kwargs: dict[str, Any] = {"MaxResults": LIST_PAGE}
        if prefix:
            kwargs["QueueNamePrefix"] = prefix
        urls: list[str] = []
        async for page in pages(
            self.budget,
            region,
            "sqs",
            client.list_queues,
            token_in="NextToken",
            token_out="NextToken",
            **kwargs,
        ):
            urls.extend(page.get("QueueUrls", []))
        return urls

    async def attributes(self, url: str, region: str) -> dict[str, str]:
        resp = await self._call(region, "get_queue_attributes", QueueUrl=url, AttributeNames=["All"])
        return dict(resp.get("Attributes", {}))

    async def queue(self, url: str, region: str, *, detail: bool = False) -> Queue:
        """One queue; ``detail`` adds ListDeadLetterSourceQueues and the oldest message's age."""
        q = to_queue(url, region, await self.attributes(url, region))
        if detail:
            sources, age = await asyncio.gather(self.source_arns(q), self.oldest_ages(region, [q]))
            q = _replace(q, source_arns=tuple(sorted(sources)), oldest_age_s=age.get(q.name))
        return q

    async def queues(self, regions: Sequence[str], *, ages: bool = False, prefix: str = "") -> list[Queue]:
        """Every queue of ``regions`` with counts and DLQ links (sources computed, not asked)."""

        async def region_queues(region: str) -> list[Queue]:
            urls = await self.list_queue_urls(region, prefix)
            results = await asyncio.gather(*(self._queue_or_none(url, region) for url in urls))
            found = [q for q in results if q is not None]
            if ages and found:
                age_of = await self.oldest_ages(region, found)
                found = [_replace(q, oldest_age_s=age_of.get(q.name)) for q in found]
            return found

        # In a fleet an account that fails is its row state (aws.access.problems()), not the read's.
        listed = await per_place(
            self.aws.access, list(regions), region_queues, timeout=self.aws.account_deadline
        )
        return sorted(with_sources(listed), key=lambda q: (q.region, q.name))

    async def _queue_or_none(self, url: str, region: str) -> Queue | None:
        from botocore.exceptions import ClientError

        try:
            return to_queue(url, region, await self.attributes(url, region))
        except ClientError as exc:  # deleted between list and describe
            if "NonExistentQueue" in str(exc.response.get("Error", {}).get("Code", "")):
                return None
            raise

    async def source_arns(self, queue: Queue) -> list[str]:
        """Queues whose RedrivePolicy names ``queue`` as their DLQ (AWS's own answer)."""
        client = await self.aws.client("sqs", queue.region)
        urls: list[str] = []
        async for page in pages(
            self.budget,
            queue.region,
            "sqs",
            client.list_dead_letter_source_queues,
            token_in="NextToken",
            token_out="NextToken",
            QueueUrl=queue.url,
            MaxResults=LIST_PAGE,
        ):
            urls.extend(page.get("queueUrls", []))
        attrs = await asyncio.gather(*(self._arn_of(url, queue.region) for url in urls))
        return [a for a in attrs if a]

    async def _arn_of(self, url: str, region: str) -> str:
        resp = await self._call(region, "get_queue_attributes", QueueUrl=url, AttributeNames=["QueueArn"])
        return str(resp.get("Attributes", {}).get("QueueArn", ""))

    async def oldest_ages(
        self, region: str, queues: Sequence[Queue], *, minutes: int = 15
    ) -> dict[str, float]:
        """ApproximateAgeOfOldestMessage (seconds) per queue name, from CloudWatch; {} when unknown.

        One GetMetricData call per 500 queues; a queue without data is absent.
        """
        from botocore.exceptions import BotoCoreError, ClientError

        if not queues:
            return {}
        client = await self.aws.client("cloudwatch", region)
        end = datetime.now(tz=UTC)
        start = end - timedelta(minutes=minutes)
        ages: dict[str, float] = {}
        for batch in chunks(list(queues), METRIC_QUERIES_PER_CALL):
            ids = {f"q{i}": q.name for i, q in enumerate(batch)}
            queries = [
                {
                    "Id": qid,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/SQS",
                            "MetricName": "ApproximateAgeOfOldestMessage",
                            "Dimensions": [{"Name": "QueueName", "Value": name}],
                        },
                        "Period": 60,
                        "Stat": "Maximum",
                    },
                    "ReturnData": True,
                }
                for qid, name in ids.items()
            ]
            if region in self._ages_unavailable:
                return ages
            try:
                resp = await asyncio.wait_for(
                    self.budget.call(
                        region,
                        "cloudwatch",
                        client.get_metric_data,
                        MetricDataQueries=queries,
                        StartTime=start,
                        EndTime=end,
                        ScanBy="TimestampDescending",
                    ),
                    AGE_TIMEOUT_S,
                )
            except (TimeoutError, ClientError, BotoCoreError) as exc:
                # The age is a nicety: a slow or failing CloudWatch must not break or slow a
                # listing (the ages are unknown this time, asked again next time); no metric
                # permission will not change, so that region is not asked again.
                if isinstance(exc, ClientError) and "AccessDenied" in str(
                    exc.response.get("Error", {}).get("Code", "")
                ):
                    self._ages_unavailable.add(region)
                return ages
            for result in resp.get("MetricDataResults", []):
                values = result.get("Values") or []
                if values and result.get("Id") in ids:
                    ages[ids[result["Id"]]] = float(values[0])
        return ages

    # --- finding a queue ----------------------------------------------------------
    async def resolve(self, ref: str, regions: Sequence[str]) -> Queue:
        """A queue by name, URL or ARN across ``regions``; NotFound names close matches."""
        ref = ref.strip()
        if not ref:
            raise BadInput("no queue given")
        if ref.startswith("arn:"):
            region, account, name = parse_arn(ref)
            search_regions: Sequence[str] = [in_place(regions, region, account)]
            match_key = "arn"
        elif ref.startswith(("http://", "https://")):
            url_region = region_of_url(ref)
            search_regions = [url_region] if url_region else regions
            name = name_of_url(ref)
            match_key = "url"
        else:
            search_regions, name, match_key = regions, ref, "name"
        if not search_regions:
            raise BadInput("no region to look for the queue in (use --region)")
        listed = await asyncio.gather(*(self.list_queue_urls(r) for r in search_regions))
        candidates = [(r, url) for r, urls in zip(search_regions, listed, strict=True) for url in urls]
        hits = [(r, url) for r, url in candidates if name_of_url(url) == name]
        if match_key == "url":
            exact = [(r, url) for r, url in hits if url.rstrip("/") == ref.rstrip("/")]
            hits = exact or hits
        if not hits:
            names = sorted({name_of_url(url) for _, url in candidates})
            where = ", ".join(search_regions)
            raise NotFound(f"no queue '{name}' in {where}{did_you_mean(name, names)}")
        if len(hits) > 1 and match_key != "arn":
            ask_account(f"queue '{name}'", [r for r, _ in hits])
            regions_hit = ", ".join(sorted(r for r, _ in hits))
            raise BadInput(
                f"queue '{name}' exists in several regions ({regions_hit}): give its ARN or --region"
            )
        region, url = hits[0]
        q = await self.queue(url, region)
        if match_key == "arn" and q.arn and q.arn != ref:
            raise NotFound(f"no queue {ref}")
        return q

    async def resolve_arn(self, arn: str, near: str | None = None) -> Queue:
        """The queue of ``arn``; ``near``: the place of the queue that names it (its DLQ or source
        is in the same account and region, so it is read with that account's credentials)."""
        region, account, _ = parse_arn(arn)
        here = (
            near if near is not None and near == region and account_id_of(near) in ("", account) else region
        )
        return await self.resolve(arn, [here])

    # --- messages -----------------------------------------------------------------
    async def receive(
        self,
        queue: Queue,
        *,
        max_messages: int = MAX_BATCH,
        visibility_timeout: int | None = None,
        wait_seconds: int = 0,
    ) -> list[QueueMessage]:
        kwargs: dict[str, Any] = {
            "QueueUrl": queue.url,
            "MaxNumberOfMessages": max(1, min(MAX_BATCH, max_messages)),
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
            "WaitTimeSeconds": wait_seconds,
        }
        if visibility_timeout is not None:
            kwargs["VisibilityTimeout"] = visibility_timeout
        resp = await self._call(queue.region, "receive_message", fifo=queue.fifo, **kwargs)
        return [to_message(m) for m in resp.get("Messages", [])]

    async def peek(
        self, queue: Queue, n: int = 10, *, visibility_timeout: int = PEEK_VISIBILITY_S, release: bool = True
    ) -> list[QueueMessage]:
        """Up to ``n`` messages, received with a short visibility timeout and never deleted.

        With ``release`` the peeked messages are made visible again at once, so
        consumers are not held up for the timeout; their receive count still rose.
        """
        seen: dict[str, QueueMessage] = {}
        empty_rounds = 0
        while len(seen) < n and empty_rounds < 2:
            batch = await self.receive(
                queue, max_messages=min(MAX_BATCH, n - len(seen)), visibility_timeout=visibility_timeout
            )
            fresh = [m for m in batch if m.message_id not in seen]
            if not fresh:
                empty_rounds += 1
                continue
            for m in fresh:
                seen[m.message_id] = m
        messages = list(seen.values())[:n]
        if release and messages:
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                await self.change_visibility(queue, messages, 0)
            except (ClientError, BotoCoreError):
                pass  # they become visible anyway when the short timeout ends
        return messages

    async def change_visibility(
        self, queue: Queue, messages: Sequence[QueueMessage], timeout: int
    ) -> BatchOutcome:
        ok: list[str] = []
        failed: list[tuple[str, str]] = []
        for batch in chunks(list(messages), MAX_BATCH):
            entries = [
                {"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": timeout}
                for i, m in enumerate(batch)
            ]
            resp = await self._call(
                queue.region,
                "change_message_visibility_batch",
                fifo=queue.fifo,
                QueueUrl=queue.url,
                Entries=entries,
            )
            by_id = {str(i): m.message_id for i, m in enumerate(batch)}
            ok += [by_id[e["Id"]] for e in resp.get("Successful", []) if e.get("Id") in by_id]
            failed += [
                (by_id.get(e.get("Id", ""), ""), f"{e.get('Code', '')}: {e.get('Message', '')}")
                for e in resp.get("Failed", [])
            ]
        return BatchOutcome(tuple(ok), tuple(failed))

    async def send_batch(self, queue: Queue, entries: Sequence[Mapping[str, Any]]) -> BatchOutcome:
        """SendMessageBatch of at most 10 entries (their ``Id`` is the caller's key)."""
        if len(entries) > MAX_BATCH:
            raise BadInput(f"a batch holds at most {MAX_BATCH} messages")
        if not entries:
            return BatchOutcome()
        resp = await self._call(
            queue.region, "send_message_batch", fifo=queue.fifo, QueueUrl=queue.url, Entries=list(entries)
        )
        return batch_outcome(resp)

    async def send_messages(self, queue: Queue, messages: Sequence[QueueMessage]) -> BatchOutcome:
        """Send copies of ``messages`` (batches of 10, concurrently); outcome keyed by message id."""

        async def one(batch: Sequence[QueueMessage]) -> BatchOutcome:
            entries = [m.send_entry(str(i), fifo=queue.fifo) for i, m in enumerate(batch)]
            return by_message_id(await self.send_batch(queue, entries), batch)

        return merge_outcomes(await asyncio.gather(*(one(b) for b in chunks(list(messages), MAX_BATCH))))

    async def delete_batch(self, queue: Queue, messages: Sequence[QueueMessage]) -> BatchOutcome:
        """DeleteMessageBatch by receipt handle; outcome keyed by message id."""

        async def one(batch: Sequence[QueueMessage]) -> BatchOutcome:
            entries = [{"Id": str(i), "ReceiptHandle": m.receipt_handle} for i, m in enumerate(batch)]
            resp = await self._call(
                queue.region, "delete_message_batch", fifo=queue.fifo, QueueUrl=queue.url, Entries=entries
            )
            return by_message_id(batch_outcome(resp), batch)

        return merge_outcomes(await asyncio.gather(*(one(b) for b in chunks(list(messages), MAX_BATCH))))

    async def purge(self, queue: Queue) -> None:
        await self._call(queue.region, "purge_queue", fifo=queue.fifo, QueueUrl=queue.url)

    # --- message move tasks (native redrive) ----------------------------------------
    async def _move_call(self, region: str, op: str, **kwargs: Any) -> dict[str, Any]:
        """Move-task APIs are the newest of SQS (2023): an endpoint without them (moto, older
        emulators) gets one line naming what is missing and the way that works there."""
        client = await self.aws.client("sqs", region)
        for name in MOVE_TASK_OPERATIONS:  # once per client: a unique id makes it idempotent
            client.meta.events.register_first(
                f"needs-retry.sqs.{name}", _missing_move_tasks, unique_id=f"opsconsole-no-move-{name}"
            )
        try:
            return await self._call(region, op, **kwargs)
        except Exception as exc:
            if is_missing_api(exc, page_means_missing=True):
                raise ApiMissing(NO_MOVE_TASKS) from exc
            raise

    async def start_move(
        self, source_arn: str, destination_arn: str | None = None, max_per_second: int | None = None
    ) -> str:
        region, _, _ = parse_arn(source_arn)
        kwargs: dict[str, Any] = {"SourceArn": source_arn}
        if destination_arn:
            kwargs["DestinationArn"] = destination_arn
        if max_per_second:
            kwargs["MaxNumberOfMessagesPerSecond"] = int(max_per_second)
        resp = await self._move_call(region, "start_message_move_task", **kwargs)
        return str(resp.get("TaskHandle", ""))

    async def move_tasks(self, source_arn: str, max_results: int = 10) -> list[MessageMoveTask]:
        """The most recent move tasks of a DLQ, newest first (AWS keeps up to 10)."""
        region, _, _ = parse_arn(source_arn)
        resp = await self._move_call(
            region, "list_message_move_tasks", SourceArn=source_arn, MaxResults=max(1, min(10, max_results))
        )
        return [to_move_task(r) for r in resp.get("Results", [])]

    async def cancel_move(self, handle: str, region: str) -> int:
        """Cancel a RUNNING task; the number of messages it had moved."""
        resp = await self._move_call(region, "cancel_message_move_task", TaskHandle=handle)
        return _int(resp.get("ApproximateNumberOfMessagesMoved"))


__all__ = [  # the messages' types are re-exported: callers keep importing them from here
    "MAX_BATCH",
    "BatchOutcome",
    "QueueMessage",
    "SqsGateway",
    "binary_preview",
    "name_of_url",
    "parse_arn",
    "to_message",
    "to_queue",
]
