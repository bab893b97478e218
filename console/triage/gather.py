"""Read one service's signals from AWS, concurrently and with bounded calls.

Two rounds: first everything that needs only the service (tasks with the stopped ones, revisions,
target health, alarms and their history, service deployments, auto scaling, the audit log), then
what needs the task definition (the log groups to count errors in and the stopped tasks' last
lines, the queues its environment names and their DLQs). Every read is bounded (pages, items) and
wrapped in :class:`~console.triage.sources.Notes`, so a failing source is a note, not an error.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Any

from console.aws import logs as cwlogs
from console.aws.alarm_history import AlarmChange, AlarmDetail, alarm_history, all_alarms, metric_window
from console.aws.context import Gateways
from console.aws.elb import target_health
from console.aws.log_tail import stream_tail
from console.aws.scaling import ScalingActivity, scalable_target, scaling_activities
from console.aws.service_deployments import ServiceDeploymentRecord, service_deployments
from console.aws.session import AwsContext
from console.aws.target_groups import health_checks
from console.config import Settings
from console.logs.loglevel import Level, detect_level
from console.model import LogEvent, MetricSeries, Queue, Service, Task, TaskDefinition, short_name
from console.ops import audit
from console.ops.guards import profile_guards, service_guards
from console.triage.dlq_groups import body_key
from console.triage.model import PARTIAL, SourceNote, utc
from console.triage.signals import ErrorCounts, QueueSignal, Signals, TaskTail
from console.triage.sources import Notes

REVISIONS_READ = 6  # the newest revisions of the family described for diffs
ERROR_PAGES = 4  # FilterLogEvents pages per log group (10,000 events each) for error counts
ERROR_PAGE_SIZE = 10_000
SAMPLES_PER_MINUTE = 3
TAILED_TASKS = 3  # stopped tasks whose last lines are read (one GetLogEvents per container)
TAIL_LINES = 30
DLQ_PEEK = 10
# FilterLogEvents' OR of terms: AWS matches these anywhere in a line; each hit is checked again
# here (detect_level), so an endpoint that ignores the pattern gives the same counts.
ERROR_PATTERN = "?ERROR ?Error ?Exception ?Traceback ?FATAL ?CRITICAL ?panic"
SQS_URL = re.compile(r"https://sqs\.([a-z0-9-]+)\.amazonaws\.com/(\d+)/([A-Za-z0-9_.-]+)")
SQS_ARN = re.compile(r"arn:aws:sqs:([a-z0-9-]+):(\d+):([A-Za-z0-9_.-]+)")


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def calls_made(gateways: Gateways) -> int:
    buckets = getattr(gateways.budget, "_buckets", {})
    return sum(b.calls for b in buckets.values())


def is_error_line(message: str) -> bool:
    return detect_level(message) >= Level.ERROR


def alarm_of_service(detail: AlarmDetail, cluster: str, service: str, queues: set[str]) -> bool:
    a = detail.alarm
    return (a.cluster == cluster and a.service == service) or (bool(a.queue) and a.queue in queues)


def audit_of_service(entry: dict[str, Any], service: Service) -> bool:
    target = str(entry.get("target", ""))
    return (
        entry.get("region") == service.region
        and f"/{service.name} " in f"{target} "
        and service.cluster_name in target
    )


def queue_refs(tds: list[TaskDefinition]) -> list[tuple[str, str, str]]:
    """(region, account, name) of every SQS queue named in the containers' environment."""
    found: dict[tuple[str, str, str], None] = {}
    for td in tds:
        for c in td.containers:
            for env in c.environment:
                for rx in (SQS_URL, SQS_ARN):
                    for m in rx.finditer(env.value):
                        found[(m.group(1), m.group(2), m.group(3))] = None
    return list(found)


def group_key(body: str) -> str:
    """A DLQ message's group, from its body (console.triage.dlq_groups, the queue detail's groups)."""
    return body_key(body)


class Gatherer:
    def __init__(self, gateways: Gateways, settings: Settings, notes: Notes, optional: AwsContext) -> None:
        self.gw = gateways
        self.settings = settings
        self.notes = notes
        self.optional = optional  # few retries: for the APIs an endpoint may lack

    # --- round one ---------------------------------------------------------------------------
    async def tasks(self, service: Service) -> list[Task]:
        found = await self.gw.ecs.tasks(
            service.region, service.cluster_arn, service=service.name, include_stopped=True
        )
        return [t for t in found if t.group == f"service:{service.name}"]

    async def task_definitions(self, service: Service) -> dict[str, TaskDefinition]:
        family = short_name(service.task_definition).split(":")[0]
        wanted = [service.task_definition, *(d.task_definition for d in service.deployments)]
        try:
            revisions = await self.gw.ecs.task_definition_revisions(service.region, family)
        except Exception as exc:  # the deployed revisions are still read
            self.notes.set(SourceNote("ecs.ListTaskDefinitions", "failed", str(exc)))
            revisions = []
        wanted += revisions[:REVISIONS_READ]
        arns = list(dict.fromkeys(a for a in wanted if a))
        found = await asyncio.gather(
            *(self.gw.ecs.task_definition(service.region, a) for a in arns), return_exceptions=True
        )
        return {td.family_revision: td for td in found if isinstance(td, TaskDefinition)}

    async def targets(self, service: Service) -> tuple[list[Any], dict[str, Any]]:
        arns = service.target_group_arns
        if not arns:
            return [], {}
        health, checks = await asyncio.gather(
            target_health(self.gw.aws, self.gw.budget, service.region, arns),
            health_checks(self.gw.aws, self.gw.budget, service.region, arns),
        )
        return health, checks

    async def scaling(self, service: Service) -> tuple[Any, list[Any]]:
        target = await scalable_target(
            self.gw.aws, self.gw.budget, service.region, service.cluster_name, service.name
        )
        if target is None:
            return None, []
        none: list[ScalingActivity] = []
        activities = await self.notes.optional(
            "application-autoscaling.DescribeScalingActivities",
            lambda: scaling_activities(
                self.optional, self.gw.budget, service.region, service.cluster_name, service.name
            ),
            none,
        )
        return target, activities

    # --- round two ---------------------------------------------------------------------------
    async def errors(
        self, service: Service, tds: list[TaskDefinition], start: datetime, end: datetime
    ) -> ErrorCounts:
        groups = sorted({c.log_option("awslogs-group") for td in tds for c in td.containers} - {""})
        per_minute: Counter[int] = Counter()
        samples: list[LogEvent] = []
        per_sample: Counter[int] = Counter()
        scanned = 0
        truncated = False
        start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        for group in groups:
            pages = 0
            token: str | None = None
            while True:
                page = await cwlogs.filter_page(
                    self.gw.aws,
                    self.gw.budget,
                    service.region,
                    group,
                    start=start_ms,
                    end=end_ms,
                    pattern=ERROR_PATTERN,
                    token=token,
                    limit=ERROR_PAGE_SIZE,
                )
                pages += 1
                for event in page.events:
                    scanned += 1
                    if not is_error_line(event.message):
                        continue
                    minute = event.timestamp - event.timestamp % 60_000
                    per_minute[minute] += 1
                    if per_sample[minute] < SAMPLES_PER_MINUTE:
                        per_sample[minute] += 1
                        samples.append(event)
                if pages >= ERROR_PAGES and page.next_token:
                    truncated = True
                    break
                if not page.next_token or page.next_token == token:
                    break
                token = page.next_token
        if truncated:
            self.notes.set(
                SourceNote(
                    "logs.FilterLogEvents", PARTIAL, f"error counts from the first {scanned} matching lines"
                )
            )
        return ErrorCounts(tuple(sorted(per_minute.items())), tuple(samples), scanned, truncated)

    async def tails(
        self, service: Service, tasks: list[Task], tds: dict[str, TaskDefinition]
    ) -> list[TaskTail]:
        failed = [
            t
            for t in tasks
            if t.last_status == "STOPPED"
            and (
                t.stop_code in ("EssentialContainerExited", "TaskFailedToStart")
                or any(c.exit_code for c in t.containers)
            )
        ]
        failed.sort(
            key=lambda t: t.stopped_at or t.created_at or datetime.min.replace(tzinfo=None), reverse=True
        )
        jobs = []
        for task in failed[:TAILED_TASKS]:
            td = tds.get(short_name(task.task_definition))
            if td is None:
                continue
            for c in td.containers:
                group, prefix = c.log_option("awslogs-group"), c.log_option("awslogs-stream-prefix")
                if group and prefix:
                    jobs.append((task.arn, c.name, group, f"{prefix}/{c.name}/{task.id}"))

        async def one(task_arn: str, container: str, group: str, stream: str) -> TaskTail:
            lines = await stream_tail(
                self.gw.aws, self.gw.budget, service.region, group, stream, limit=TAIL_LINES
            )
            return TaskTail(task_arn, container, group, stream, lines)

        found = await asyncio.gather(*(one(*j) for j in jobs), return_exceptions=True)
        return [t for t in found if isinstance(t, TaskTail)]

    async def queues(
        self, tds: list[TaskDefinition], start: datetime, end: datetime, *, peek: bool
    ) -> list[QueueSignal]:
        async def one(region: str, account: str, name: str) -> QueueSignal | None:
            # The URL the task definition names, read directly (no ListQueues); by name if that fails.
            url = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            try:
                queue = await self.gw.sqs.queue(url, region)
            except Exception:
                queue = await self.gw.sqs.resolve(name, [region])
            if queue.is_dlq and not queue.dlq_arn:
                return QueueSignal(queue=queue, dlq=queue)
            if not queue.dlq_arn:
                return QueueSignal(queue=queue)
            d_region, d_account, d_name = [*queue.dlq_arn.split(":"), "", "", "", "", ""][3:6]
            if queue.region == d_region:  # a DLQ is in its source's account and region
                d_region = queue.region
            try:
                dlq = await self.gw.sqs.queue(
                    f"https://sqs.{d_region}.amazonaws.com/{d_account}/{d_name}", d_region
                )
            except Exception:
                dlq = await self.gw.sqs.resolve_arn(queue.dlq_arn, queue.region)
            depth: MetricSeries | None = await self.notes.run(
                "cloudwatch.GetMetricData (DLQ depth)",
                metric_window(
                    self.gw.aws,
                    self.gw.budget,
                    dlq.region,
                    namespace="AWS/SQS",
                    metric="ApproximateNumberOfMessagesVisible",
                    dimensions=(("QueueName", dlq.name),),
                    statistic="Maximum",
                    period=300,
                    start=start,
                    end=end,
                ),
                None,
            )
            groups: tuple[tuple[str, int], ...] = ()
            sampled = 0
            # A peek raises the receive count: only on a DLQ with no DLQ of its own, where it moves nothing.
            if peek and dlq.visible and not dlq.dlq_arn:
                messages = await self.notes.run(
                    "sqs.ReceiveMessage (DLQ sample)", self.gw.sqs.peek(dlq, DLQ_PEEK), []
                )
                sampled = len(messages)
                groups = tuple(Counter(group_key(m.body) for m in messages).most_common())
            return QueueSignal(queue=queue, dlq=dlq, dlq_depth=depth, groups=groups, sampled=sampled)

        found = await asyncio.gather(*(one(*ref) for ref in queue_refs(tds)), return_exceptions=True)
        return [q for q in found if isinstance(q, QueueSignal)]


async def gather(
    gateways: Gateways,
    settings: Settings,
    service: Service,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    logs: bool = True,
    peek: bool = False,
    optional: AwsContext | None = None,
) -> Signals:
    """Every signal of ``service`` between ``start`` and ``end``.

    ``optional``: the AWS context for DescribeAlarmHistory, ListServiceDeployments and
    DescribeScalingActivities (few retries: an endpoint without them answers with errors).
    """
    notes = Notes(settings.endpoint_url)
    opt = optional or gateways.aws
    g = Gatherer(gateways, settings, notes, opt)
    region = service.region
    no_tasks: list[Task] = []
    no_tds: dict[str, TaskDefinition] = {}
    no_targets: tuple[list[Any], dict[str, Any]] = ([], {})
    no_alarms: list[AlarmDetail] = []
    no_changes: list[AlarmChange] | None = None
    no_deployments: list[ServiceDeploymentRecord] = []
    no_scaling: tuple[Any, list[Any]] = (None, [])
    f_tasks = asyncio.ensure_future(notes.run("ecs.ListTasks/DescribeTasks", g.tasks(service), no_tasks))
    f_tds = asyncio.ensure_future(
        notes.run("ecs.DescribeTaskDefinition", g.task_definitions(service), no_tds)
    )
    f_targets = asyncio.ensure_future(notes.run("elbv2.DescribeTargetHealth", g.targets(service), no_targets))
    f_alarms = asyncio.ensure_future(
        notes.run("cloudwatch.DescribeAlarms", all_alarms(gateways.aws, gateways.budget, region), no_alarms)
    )
    f_changes = asyncio.ensure_future(
        notes.optional(
            "cloudwatch.DescribeAlarmHistory",
            lambda: _some(alarm_history(opt, gateways.budget, region, start, end)),
            no_changes,
        )
    )
    f_deployments = asyncio.ensure_future(
        notes.optional(
            "ecs.ListServiceDeployments",
            lambda: service_deployments(
                opt, gateways.budget, region, service.cluster_arn, service.name, after=start
            ),
            no_deployments,
        )
    )
    f_scaling = asyncio.ensure_future(
        notes.run("application-autoscaling.DescribeScalableTargets", g.scaling(service), no_scaling)
    )
    f_audit = asyncio.ensure_future(
        notes.run(
            "opsconsole audit log",
            asyncio.to_thread(lambda: [e for e in audit.entries() if audit_of_service(e, service)]),
            [],
        )
    )
    # Single writer and the other guards travel as service tags (the profile only tightens them).
    f_guards = asyncio.ensure_future(
        notes.run(
            "ecs.ListTagsForResource (guards)",
            service_guards(gateways.ecs, settings, service),
            profile_guards(settings, service.cluster_name, service.name),
        )
    )
    # Round two needs only the tasks and the revisions: it starts while the rest are still read.
    await asyncio.gather(f_tasks, f_tds)
    tasks, tds = f_tasks.result(), f_tds.result()
    td_list = list(tds.values())
    current = [
        td
        for td in td_list
        if td.family_revision
        in {short_name(d.task_definition) for d in service.deployments}
        | {short_name(service.task_definition)}
    ]
    errors, tails, queues = await asyncio.gather(
        notes.run("logs.FilterLogEvents", g.errors(service, current or td_list, start, end), ErrorCounts())
        if logs
        else _none(ErrorCounts()),
        notes.run("logs.GetLogEvents", g.tails(service, tasks, tds), []),
        notes.run("sqs.GetQueueAttributes", g.queues(current or td_list, start, end, peek=peek), []),
    )
    await asyncio.gather(f_targets, f_alarms, f_changes, f_deployments, f_scaling, f_audit, f_guards)
    (targets, checks), alarms, changes = f_targets.result(), f_alarms.result(), f_changes.result()
    deployments, (scalable, scaling), audit_entries = (
        f_deployments.result(),
        f_scaling.result(),
        f_audit.result(),
    )
    queue_names = {q.queue.name for q in queues} | {q.dlq.name for q in queues if q.dlq}
    mine = tuple(a for a in alarms if alarm_of_service(a, service.cluster_name, service.name, queue_names))
    names = {a.alarm.name for a in mine}
    history_available = changes is not None
    if not history_available:
        state = notes.items.get("cloudwatch.DescribeAlarmHistory")
        if state is not None:
            notes.set(
                SourceNote(state.source, state.state, f"{state.message}; current alarm states shown instead")
            )
    return Signals(
        account=account_of(service.arn),
        service=service,
        start=start,
        end=end,
        now=now,
        tasks=tuple(tasks),
        task_definitions=tds,
        targets=tuple(targets),
        health_checks=checks,
        alarms=mine,
        alarm_changes=tuple(c for c in (changes or []) if c.alarm in names),
        alarm_history_available=history_available,
        errors=errors,
        tails=tuple(tails),
        queues=tuple(queues),
        audit=tuple(audit_entries),
        deployments=tuple(deployments),
        scalable=scalable,
        scaling=tuple(scaling),
        single_writer=bool(f_guards.result().single_writer),
        notes=notes.all(),
    )


async def _none(value: ErrorCounts) -> ErrorCounts:
    return value


async def _some(coro: Awaitable[list[AlarmChange]]) -> list[AlarmChange] | None:
    return await coro


def window(since: timedelta, until: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    end = utc(until) if until else now
    return end - since, end


__all__ = ["AlarmChange", "Queue", "Signals", "gather", "window"]
