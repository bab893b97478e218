"""Services of one or more clusters, fast at 2,000: list first, describe what is seen first.

e1s needed about five minutes to show 2,000+ services (its #335) because it described every
service before showing any. Here the first page of ``ListServices`` is shown as names at once,
the rows the pane shows are described next (one ``DescribeServices`` per 10, concurrently), and
the rest are filled in the background in chunks nearest what is shown first, so scrolling pulls
the fill towards the user. The pane says what it shows through :class:`ListingView`; the listing
keeps the state (listed, described, metrics, alarms) and tells the view when to render.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

from console.api.views import FirstView, RegionAlarms, ServiceMetrics
from console.aws.alarms import alarms_or_unknown
from console.aws.context import Gateways
from console.aws.metrics import service_metrics
from console.model import Cluster, Service

FILL_CHUNK = 100  # services described per background step (10 calls, concurrently)
VISIBLE_MARGIN = 5
METRIC_MINUTES = 30


class ListingView(Protocol):
    """What the listing needs of the pane that shows it."""

    def visible_keys(self, margin: int = 0) -> list[str]:
        """Service ARNs of the rows in view (and ``margin`` rows around them)."""
        ...

    def shown_order(self) -> list[str]:
        """Every row's ARN in the order shown (the fill goes outwards from the middle of the view)."""
        ...

    def show(self, *, soon: bool) -> None:
        """Render from the listing's state; ``soon``: may be coalesced with other updates."""
        ...

    def first_page_shown(self) -> None: ...

    def first_screenful_shown(self) -> None: ...


def _ignore(_exc: Exception) -> None:
    pass


class ServiceListing:
    """The services of ``clusters``: one :meth:`refresh` per poll, state kept between polls."""

    def __init__(
        self,
        gateways: Gateways,
        clusters: Sequence[Cluster],
        view: ListingView,
        *,
        first_view: FirstView | None = None,
        on_error: Callable[[Exception], None] = _ignore,
    ) -> None:
        self.gateways = gateways
        self.clusters = list(clusters)
        self.view = view
        self.on_error = on_error  # metric and alarm failures: a column's "?", never the pane's error
        self._first_view = first_view
        self.listed: dict[str, tuple[str, str]] = {}  # service ARN -> (region, cluster ARN)
        self.services: dict[str, Service] = {}
        self.metrics: dict[str, ServiceMetrics] = {}
        self.alarms = RegionAlarms()
        self.first_screenful_done = False

    @property
    def described(self) -> int:
        return sum(1 for a in self.listed if a in self.services)

    def cluster_of(self, service: Service) -> Cluster:
        for cluster in self.clusters:
            if cluster.arn == service.cluster_arn:
                return cluster
        return Cluster(arn=service.cluster_arn, name=service.cluster_name, region=service.region)

    async def refresh(self) -> None:
        """List, describe (what is shown first), metrics and alarms; the view is told as they come."""
        view, self._first_view = self._first_view, None
        # One DescribeAlarms per region, beside the listing; a column, never the pane's error.
        await asyncio.gather(self._list_and_describe(view), self._load_alarms())
        self.view.show(soon=False)  # the poll ends with every column shown, alarms included

    async def _list_and_describe(self, first: FirstView | None) -> None:
        ecs = self.gateways.ecs
        seen: dict[str, tuple[str, str]] = {}
        described_now: set[str] = set()
        early: list[asyncio.Task[None]] = []
        resume: dict[str, str | None] = {}  # cluster ARN -> token the listing goes on from
        if first is not None:  # read while the UI loaded: show it now, list and describe the rest below
            where = (first.cluster.region, first.cluster.arn)
            resume[first.cluster.arn] = first.next_token
            for arn in first.first_page:
                seen[arn] = where
                self.listed.setdefault(arn, where)
            for service in first.services:
                self.services[service.arn] = service
                described_now.add(service.arn)
            self.view.show(soon=False)
            self.view.first_page_shown()
            if all(k in self.services for k in self.view.visible_keys()):
                self._note_first_screenful()

        async def list_cluster(cluster: Cluster) -> None:
            if cluster.arn in resume and resume[cluster.arn] is None:
                return  # its one page came with the first view
            async for page in ecs.service_arn_pages(
                cluster.region, cluster.arn, after=resume.get(cluster.arn)
            ):
                first_page = not self.listed
                for arn in page:
                    seen[arn] = (cluster.region, cluster.arn)
                    self.listed.setdefault(arn, (cluster.region, cluster.arn))
                self.view.show(soon=not first_page)
                if first_page:
                    self.view.first_page_shown()
                # The viewport first, then this page, while later pages are still being listed.
                visible = [k for k in self.view.visible_keys(VISIBLE_MARGIN) if k not in described_now]
                gate: asyncio.Future[None] | None = None
                if visible:
                    described_now.update(visible)
                    gate = asyncio.ensure_future(self._describe(visible))
                    early.append(gate)
                rest = [k for k in page if k not in described_now and k in self.listed]
                if rest:
                    described_now.update(rest)
                    early.append(asyncio.ensure_future(self._describe(rest, after=gate)))
                if gate is not None and not self.first_screenful_done:
                    await asyncio.wait([gate])  # nothing else queues ahead of the first screenful

        await asyncio.gather(*(list_cluster(c) for c in self.clusters))
        if early:
            await asyncio.gather(*early)
        for arn in [a for a in self.listed if a not in seen]:
            self._forget(arn)
        self.view.show(soon=False)
        visible = [k for k in self.view.visible_keys(VISIBLE_MARGIN) if k not in described_now]
        if visible:
            described_now.update(visible)
            await self._describe(visible)
        self._note_first_screenful()
        metrics = asyncio.ensure_future(self._load_metrics(self.view.visible_keys(VISIBLE_MARGIN)))
        try:
            while True:  # the rest, nearest the viewport first
                rest = self._nearest_first([k for k in self.listed if k not in described_now])
                if not rest:
                    break
                chunk = rest[:FILL_CHUNK]
                described_now.update(chunk)
                await self._describe(chunk)
        except BaseException:
            metrics.cancel()
            raise
        await metrics

    async def _describe(self, arns: Sequence[str], *, after: asyncio.Future[None] | None = None) -> None:
        if after is not None:
            await asyncio.wait([after])
        groups: dict[tuple[str, str], list[str]] = {}
        for arn in arns:
            where = self.listed.get(arn)
            if where is not None:
                groups.setdefault(where, []).append(arn)
        ecs = self.gateways.ecs
        results = await asyncio.gather(
            *(ecs.describe_services(r, c, names) for (r, c), names in groups.items())
        )
        returned: set[str] = set()
        for batch in results:
            for service in batch:
                returned.add(service.arn)
                if service.status == "INACTIVE":  # deleted; lingers in DescribeServices for a while
                    self._forget(service.arn)
                else:
                    self.services[service.arn] = service
        for arn in arns:
            if arn not in returned and arn in self.services:  # MISSING: gone since it was listed
                self._forget(arn)
        visible = set(self.view.visible_keys())
        self.view.show(soon=not any(arn in visible for arn in arns))
        if not self.first_screenful_done and all(k in self.services for k in self.view.visible_keys()):
            self._note_first_screenful()

    async def _load_metrics(self, arns: Sequence[str]) -> None:
        by_region: dict[str, list[Service]] = {}
        for arn in arns:
            service = self.services.get(arn)
            if service is not None:
                by_region.setdefault(service.region, []).append(service)
        for region, services in by_region.items():
            try:
                series = await service_metrics(
                    self.gateways.aws,
                    self.gateways.budget,
                    region,
                    [(s.cluster_name, s.name) for s in services],
                    minutes=METRIC_MINUTES,
                )
            except Exception as exc:  # sparklines are a nicety: note it, keep the table
                self.on_error(exc)
                continue
            for s in services:
                self.metrics[s.arn] = ServiceMetrics.of(series, s)
        self.view.show(soon=False)

    async def _load_alarms(self) -> None:
        regions = sorted({c.region for c in self.clusters})
        found = await alarms_or_unknown(self.gateways.aws, self.gateways.budget, regions, self.on_error)
        self.alarms = self.alarms.merged(RegionAlarms(found))
        self.view.show(soon=True)

    def _forget(self, arn: str) -> None:
        self.listed.pop(arn, None)
        self.services.pop(arn, None)
        self.metrics.pop(arn, None)

    def _nearest_first(self, arns: list[str]) -> list[str]:
        order = {k: i for i, k in enumerate(self.view.shown_order())}
        visible = self.view.visible_keys()
        middle = order.get(visible[len(visible) // 2], 0) if visible else 0
        return sorted(arns, key=lambda k: abs(order.get(k, 10**9) - middle))

    def _note_first_screenful(self) -> None:
        if not self.first_screenful_done:
            self.first_screenful_done = True
            self.view.first_screenful_shown()


__all__ = ["FILL_CHUNK", "VISIBLE_MARGIN", "ListingView", "ServiceListing"]
