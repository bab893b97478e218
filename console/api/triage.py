"""Triage reads for both front ends: the timeline, ``why``'s findings, the alarms and their charts.

The CLI's ``timeline``/``why`` and the TUI's timeline, findings and alarms screens call these;
the reading is :mod:`console.triage.gather` (concurrent, bounded), the judging
:mod:`console.triage.rules` and :mod:`console.triage.timeline` (pure).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from console.aws.alarm_history import AlarmChange, AlarmDetail, alarm_history, alarm_metric, all_alarms
from console.aws.context import Gateways
from console.aws.session import AwsContext, ClientSettings
from console.config import Settings
from console.model import MetricSeries, Service, Task, short_name
from console.ops.resolve import resolve_cluster, resolve_service
from console.ops.revision_diff import RevisionDiff, diff_revisions
from console.triage import rules
from console.triage.gather import calls_made, gather
from console.triage.model import OK, SourceNote, Timeline, WhyReport, utc
from console.triage.signals import Signals
from console.triage.sources import Notes
from console.triage.timeline import build

DEFAULT_SINCE = timedelta(hours=6)
WHY_SINCE = timedelta(hours=6)
CLUSTER_CONCURRENCY = 4  # services of a cluster gathered at once (each is itself concurrent)
RECENT_ALARMS = timedelta(hours=24)
OPTIONAL_ATTEMPTS = 1  # no retry: an absent API answers once; a throttled one is reported at once


@dataclass(frozen=True)
class AlarmsView:
    """The alarms of the profile's regions: firing ones and those that changed lately."""

    alarms: tuple[AlarmDetail, ...]
    changes: tuple[AlarmChange, ...]
    notes: tuple[SourceNote, ...]

    def last_change(self, detail: AlarmDetail) -> AlarmChange | None:
        mine = [c for c in self.changes if c.alarm == detail.alarm.name and c.region == detail.alarm.region]
        return mine[-1] if mine else None


@dataclass(frozen=True)
class AlarmChart:
    detail: AlarmDetail
    series: MetricSeries
    start: datetime
    end: datetime
    history: tuple[AlarmChange, ...]
    notes: tuple[SourceNote, ...]

    @property
    def crossings(self) -> list[tuple[datetime, float]]:
        return [
            (t, v)
            for t, v in zip(self.series.timestamps, self.series.values, strict=False)
            if self.detail.crosses(v)
        ]


class Triage:
    def __init__(self, settings: Settings, gateways: Gateways) -> None:
        self.settings = settings
        self.gateways = gateways
        self._optional: AwsContext | None = None

    @property
    def optional(self) -> AwsContext:
        """Clients with few retries for the APIs an endpoint may lack (alarm history, service
        deployments, scaling activities): their absence costs one quick error, not six retries."""
        if self._optional is None:
            self._optional = self.gateways.aws.sibling(
                ClientSettings(
                    connect_timeout=self.gateways.aws.settings.connect_timeout,
                    read_timeout=10.0,
                    max_attempts=OPTIONAL_ATTEMPTS,
                    retry_mode="standard",
                )
            )
        return self._optional

    async def close(self) -> None:
        if self._optional is not None:
            await self._optional.close()
            self._optional = None

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def service(self, cluster: str, service: str) -> Service:
        return await resolve_service(self.gateways.ecs, self.settings.regions, cluster, service)

    async def signals(
        self,
        service: Service,
        *,
        since: timedelta = DEFAULT_SINCE,
        until: datetime | None = None,
        logs: bool = True,
        peek: bool = False,
    ) -> Signals:
        now = self.now()
        end = utc(until) if until else now
        return await gather(
            self.gateways,
            self.settings,
            service,
            start=end - since,
            end=end,
            now=now,
            logs=logs,
            peek=peek,
            optional=self.optional,
        )

    async def timeline(
        self,
        cluster: str,
        service: str | None = None,
        *,
        since: timedelta = DEFAULT_SINCE,
        until: datetime | None = None,
    ) -> Timeline:
        before = calls_made(self.gateways)
        if service:
            svc = await self.service(cluster, service)
            return self._timeline([await self.signals(svc, since=since, until=until)], before, since, until)
        ref = await resolve_cluster(self.gateways.ecs, self.settings.regions, cluster)
        services = await self.gateways.ecs.services(ref.region, ref.arn)
        return await self.services_timeline(services, since=since, until=until, before=before)

    async def services_timeline(
        self,
        services: Sequence[Service],
        *,
        since: timedelta = DEFAULT_SINCE,
        until: datetime | None = None,
        before: int | None = None,
    ) -> Timeline:
        """A cluster's timeline: every service's, merged on one axis."""
        start_calls = calls_made(self.gateways) if before is None else before
        gate = asyncio.Semaphore(CLUSTER_CONCURRENCY)

        async def one(svc: Service) -> Signals:
            async with gate:
                return await self.signals(svc, since=since, until=until)

        return self._timeline(
            list(await asyncio.gather(*(one(s) for s in services))), start_calls, since, until
        )

    def _timeline(
        self, signals: list[Signals], before: int, since: timedelta, until: datetime | None
    ) -> Timeline:
        entries = sorted((e for s in signals for e in build(s)), key=lambda e: e.at)
        several = len(signals) > 1
        notes = Notes()
        for s in signals:
            for note in s.notes:
                name = f"{s.name}: {note.source}" if several and note.state != OK else note.source
                notes.set(SourceNote(name, note.state, note.message)) if note.state != OK else notes.ok(name)
        end = utc(until) if until else self.now()
        return Timeline(tuple(entries), notes.all(), end - since, end, calls_made(self.gateways) - before)

    async def why(self, cluster: str, service: str, *, since: timedelta = WHY_SINCE) -> WhyReport:
        before = calls_made(self.gateways)
        svc = await self.service(cluster, service)
        return await self.why_of(svc, since=since, before=before)

    async def why_of(
        self, service: Service, *, since: timedelta = WHY_SINCE, before: int | None = None, peek: bool = True
    ) -> WhyReport:
        """``peek``: sample up to 10 messages of a DLQ that has no DLQ of its own, to name the error
        groups (their receive count rises; nothing else changes)."""
        start_calls = calls_made(self.gateways) if before is None else before
        s = await self.signals(service, since=since, peek=peek)
        return WhyReport(
            account=s.account,
            region=s.region,
            cluster=s.cluster,
            service=s.name,
            findings=tuple(rules.findings(s)),
            notes=s.notes,
            calls=calls_made(self.gateways) - start_calls,
        )

    # --- alarms --------------------------------------------------------------------------------
    async def alarms(self, *, recent: timedelta = RECENT_ALARMS) -> AlarmsView:
        """Firing alarms and those that changed within ``recent``, of every region of the profile."""
        notes = Notes(self.settings.endpoint_url)
        end = self.now()
        regions = list(self.settings.regions)
        found = await asyncio.gather(
            *(
                notes.run(
                    f"cloudwatch.DescribeAlarms {r}",
                    all_alarms(self.gateways.aws, self.gateways.budget, r),
                    [],
                )
                for r in regions
            )
        )
        none: list[AlarmChange] = []
        history = await asyncio.gather(
            *(
                notes.optional(
                    "cloudwatch.DescribeAlarmHistory",
                    partial(alarm_history, self.optional, self.gateways.budget, r, end - recent, end),
                    none,
                )
                for r in regions
            )
        )
        changes = tuple(sorted((c for batch in history for c in batch), key=lambda c: c.at))
        changed = {(c.region, c.alarm) for c in changes}
        cutoff = end - recent
        shown = [
            d
            for batch in found
            for d in batch
            if not d.alarm.scaling
            and (
                d.alarm.state == "ALARM"
                or (d.alarm.region, d.alarm.name) in changed
                or (d.updated_at is not None and utc(d.updated_at) >= cutoff and d.alarm.state != "OK")
            )
        ]
        shown.sort(key=lambda d: (d.alarm.state != "ALARM", d.alarm.region, d.alarm.name))
        return AlarmsView(tuple(shown), changes, notes.all())

    async def alarm_chart(self, detail: AlarmDetail, *, hours: int = 3) -> AlarmChart:
        notes = Notes(self.settings.endpoint_url)
        end = self.now()
        start = end - timedelta(hours=hours)
        no_history: list[AlarmChange] = []
        series, history = await asyncio.gather(
            notes.run(
                "cloudwatch.GetMetricData",
                alarm_metric(self.gateways.aws, self.gateways.budget, detail, start, end),
                MetricSeries(name=detail.alarm.metric, dimension=detail.alarm.name),
            ),
            notes.optional(
                "cloudwatch.DescribeAlarmHistory",
                lambda: alarm_history(
                    self.optional,
                    self.gateways.budget,
                    detail.alarm.region,
                    start,
                    end,
                    name=detail.alarm.name,
                ),
                no_history,
            ),
        )
        return AlarmChart(detail, series, start, end, tuple(history), notes.all())

    # --- evidence ------------------------------------------------------------------------------
    async def revision_diff(self, region: str, old: str, new: str) -> RevisionDiff:
        a, b = await asyncio.gather(
            self.gateways.ecs.task_definition(region, old), self.gateways.ecs.task_definition(region, new)
        )
        return diff_revisions(a, b)

    async def task(self, region: str, cluster: str, task_arn: str) -> Task | None:
        found = await self.gateways.ecs.describe_tasks(region, cluster, [task_arn])
        return found[0] if found else None

    async def cluster_services(self, region: str, cluster_arn: str) -> list[Service]:
        return await self.gateways.ecs.services(region, cluster_arn)

    async def service_named(self, region: str, cluster: str, name: str) -> Service:
        return await self.gateways.ecs.service(region, cluster, name)


__all__ = ["AlarmChart", "AlarmDetail", "AlarmsView", "Triage", "short_name"]
