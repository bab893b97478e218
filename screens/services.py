"""Services of one or more clusters, fast at 2,000: list first, describe what is seen first.

e1s needed about five minutes to show 2,000+ services (its #335) because it
described every service before showing any.  Here the first page of
``ListServices`` is on screen as names at once, the rows in the viewport are
described next (one ``DescribeServices`` per 10, concurrently), and the rest
are filled in the background in chunks nearest the viewport first, so
scrolling pulls the fill towards the user.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable

from console.aws.alarms import alarms_or_unknown, of_service
from console.aws.metrics import service_metrics
from console.model import Alarm, Cluster, Service, short_name
from console.prefetch import FirstView
from screens.format import (
    PLACEHOLDER,
    ROLLOUT_STYLE,
    age,
    alarm_names,
    aws,
    bar,
    now_utc,
    plain,
    seconds_ago,
    sparkline,
)
from screens.heap import freeze_startup_heap
from screens.operations import SERVICE_OPERATIONS, ServiceOperations
from screens.pane import PaneScreen, matches
from screens.widgets.keyed_table import KeyedTable

FILL_CHUNK = 100  # services described per background step (10 calls, concurrently)
VISIBLE_MARGIN = 5
RENDER_COALESCE_S = 0.25

COLUMNS = [
    ("name", "NAME"),
    ("desired", "DESIRED"),
    ("running", "RUNNING"),
    ("pending", "PENDING"),
    ("rollout", "ROLLOUT"),
    ("alarms", "ALARMS"),
    ("revision", "TASK DEF"),
    ("launch", "LAUNCH"),
    ("cpu", "CPU"),
    ("mem", "MEM"),
    ("event", "LAST EVENT"),
]
CLUSTER_COLUMN = ("cluster", "CLUSTER")
# What a narrow terminal hides first (the name never): see KeyedTable.set_columns.
DROP_ORDER = (
    "launch",
    "pending",
    "event",
    "mem",
    "revision",
    "cpu",
    "desired",
    "cluster",
    "rollout",
    "alarms",
    "running",
)
ALARM_NAMES_SHOWN = 1  # then "+N": the detail (d) lists them all


class ServicesScreen(ServiceOperations, PaneScreen):
    BINDINGS = [
        Binding("enter", "open", "Tasks", id="services.open"),
        Binding("d", "detail", "Detail", id="services.detail"),
        Binding("l", "logs", "Logs", id="services.logs"),
        Binding("e", "env_editor", "Env", id="services.env"),
        Binding("o", "sort", "Sort", id="services.sort"),
        Binding("O", "sort_reverse", "Reverse", id="services.sort_reverse", show=False),
        *SERVICE_OPERATIONS,
    ]

    def __init__(self, clusters: Sequence[Cluster], *, first_view: FirstView | None = None) -> None:
        super().__init__()
        self.clusters = list(clusters)
        self._first_view = first_view
        self.crumb = clusters[0].name if len(clusters) == 1 else f"{len(clusters)} clusters"
        self.listed: dict[str, tuple[str, str]] = {}  # service ARN -> (region, cluster ARN)
        self.services: dict[str, Service] = {}
        self.metrics: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {}
        # region -> its alarms in ALARM, or None when the last read failed ("?")
        self.alarms: dict[str, tuple[Alarm, ...] | None] = {}
        self.sort_column = "name"
        self.sort_reverse = False
        self._rows: dict[str, tuple[object, tuple[object, ...]]] = {}
        self._first_screenful_done = False
        self._render_timer: Timer | None = None
        self._clock = now_utc()
        columns = list(COLUMNS)
        if len(self.clusters) > 1:
            columns.insert(1, CLUSTER_COLUMN)
        self.columns = columns

    def compose_body(self) -> ComposeResult:
        table = KeyedTable(id="services")
        table.set_columns(self.columns, drop_order=DROP_ORDER)
        yield table

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#services", KeyedTable)

    # --- fetching --------------------------------------------------------------------
    async def load(self) -> None:
        self._clock = now_utc()
        view, self._first_view = self._first_view, None
        # One DescribeAlarms per region, beside the listing; a column, never the pane's error.
        await asyncio.gather(self._list_and_describe(view), self._load_alarms())
        self.render_rows()  # the poll ends with every column shown, alarms included

    async def _list_and_describe(self, view: FirstView | None) -> None:
        app = self.console_app
        ecs = app.gateways.ecs
        seen: dict[str, tuple[str, str]] = {}
        described_now: set[str] = set()
        early: list[asyncio.Task[None]] = []
        resume: dict[str, str | None] = {}  # cluster ARN -> token the listing goes on from
        if view is not None:  # read while the UI loaded: show it now, list and describe the rest below
            where = (view.cluster.region, view.cluster.arn)
            resume[view.cluster.arn] = view.next_token
            for arn in view.first_page:
                seen[arn] = where
                self.listed.setdefault(arn, where)
            for service in view.services:
                self.services[service.arn] = service
                described_now.add(service.arn)
            self.render_rows()
            app.milestone("services_first_page")
            if all(k in self.services for k in self.table.visible_keys()):
                self._note_first_screenful()

        async def list_cluster(cluster: Cluster) -> None:
            if cluster.arn in resume and resume[cluster.arn] is None:
                return  # its one page came with the first view
            async for page in ecs.service_arn_pages(
                cluster.region, cluster.arn, after=resume.get(cluster.arn)
            ):
                for arn in page:
                    seen[arn] = (cluster.region, cluster.arn)
                    self.listed.setdefault(arn, (cluster.region, cluster.arn))
                first_page = not self.table.keys
                self.render_rows(soon=not first_page)
                if first_page:
                    app.milestone("services_first_page")
                # The viewport first, then this page, while later pages are still being listed.
                visible = [k for k in self.table.visible_keys(VISIBLE_MARGIN) if k not in described_now]
                gate: asyncio.Future[None] | None = None
                if visible:
                    described_now.update(visible)
                    gate = asyncio.ensure_future(self._describe(visible))
                    early.append(gate)
                rest = [k for k in page if k not in described_now and k in self.listed]
                if rest:
                    described_now.update(rest)
                    early.append(asyncio.ensure_future(self._describe(rest, after=gate)))
                if gate is not None and not self._first_screenful_done:
                    await asyncio.wait([gate])  # nothing else queues ahead of the first screenful

        await asyncio.gather(*(list_cluster(c) for c in self.clusters))
        if early:
            await asyncio.gather(*early)
        for arn in [a for a in self.listed if a not in seen]:
            self._forget(arn)
        self.render_rows()
        visible = [k for k in self.table.visible_keys(VISIBLE_MARGIN) if k not in described_now]
        if visible:
            described_now.update(visible)
            await self._describe(visible)
        self._note_first_screenful()
        metrics = asyncio.ensure_future(self._load_metrics(self.table.visible_keys(VISIBLE_MARGIN)))
        while True:  # the rest, nearest the viewport first
            rest = self._nearest_first([k for k in self.listed if k not in described_now])
            if not rest:
                break
            chunk = rest[:FILL_CHUNK]
            described_now.update(chunk)
            await self._describe(chunk)
        await metrics

    async def _describe(self, arns: Sequence[str], *, after: asyncio.Future[None] | None = None) -> None:
        if after is not None:
            await asyncio.wait([after])
        groups: dict[tuple[str, str], list[str]] = {}
        for arn in arns:
            where = self.listed.get(arn)
            if where is not None:
                groups.setdefault(where, []).append(arn)
        ecs = self.console_app.gateways.ecs
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
        visible = set(self.table.visible_keys())
        self.render_rows(soon=not any(arn in visible for arn in arns))
        if not self._first_screenful_done and all(k in self.services for k in self.table.visible_keys()):
            self._note_first_screenful()

    async def _load_metrics(self, arns: Sequence[str]) -> None:
        if self.console_app.frozen:
            return
        app = self.console_app
        by_region: dict[str, list[Service]] = {}
        for arn in arns:
            service = self.services.get(arn)
            if service is not None:
                by_region.setdefault(service.region, []).append(service)
        for region, services in by_region.items():
            try:
                series = await service_metrics(
                    app.gateways.aws,
                    app.gateways.budget,
                    region,
                    [(s.cluster_name, s.name) for s in services],
                    minutes=30,
                )
            except Exception as exc:  # sparklines are a nicety: note it, keep the table
                app.note_error(exc, quiet=True)
                continue
            for s in services:
                cpu = series.get((s.cluster_name, s.name, "CPUUtilization"))
                mem = series.get((s.cluster_name, s.name, "MemoryUtilization"))
                self.metrics[s.arn] = (cpu.values if cpu else (), mem.values if mem else ())
        self.render_rows()

    async def _load_alarms(self) -> None:
        app = self.console_app
        regions = sorted({c.region for c in self.clusters})
        self.alarms.update(
            await alarms_or_unknown(
                app.gateways.aws, app.gateways.budget, regions, lambda exc: app.note_error(exc, quiet=True)
            )
        )
        self.render_rows(soon=True)

    def service_alarms(self, service: Service) -> tuple[str, ...] | None:
        """Names of the service's alarms of note; None while unknown (not read yet, or failed)."""
        found = self.alarms.get(service.region)
        if found is None:
            return None
        return tuple(a.name for a in of_service(found, service.cluster_name, service.name))

    def alarms_cell(self, service: Service) -> object:
        if service.region not in self.alarms:
            return plain(PLACEHOLDER, "dim")
        return alarm_names(self.service_alarms(service), ALARM_NAMES_SHOWN)

    def _forget(self, arn: str) -> None:
        self.listed.pop(arn, None)
        self.services.pop(arn, None)
        self.metrics.pop(arn, None)
        self._rows.pop(arn, None)

    def _nearest_first(self, arns: list[str]) -> list[str]:
        order = {k: i for i, k in enumerate(self.table.keys)}
        visible = self.table.visible_keys()
        middle = order.get(visible[len(visible) // 2], 0) if visible else 0
        return sorted(arns, key=lambda k: abs(order.get(k, 10**9) - middle))

    def _note_first_screenful(self) -> None:
        if not self._first_screenful_done:
            self._first_screenful_done = True
            freeze_startup_heap()  # before the background fill adds 2,000 rows of objects
            self.call_after_refresh(self.console_app.milestone, "services_first_screenful")

    # --- rendering -------------------------------------------------------------------
    def row(self, arn: str, now: datetime) -> tuple[tuple[object, ...], tuple[object, ...]]:
        """(cells, sort values) of one service; placeholders while it is only listed."""
        service = self.services.get(arn)
        _region, cluster_arn = self.listed.get(arn, ("", ""))
        cluster = short_name(cluster_arn)
        name = short_name(arn)
        frozen = self.console_app.frozen
        if service is None:
            dots = plain(PLACEHOLDER, "dim")
            cells: dict[str, object] = {c: dots for c, _ in self.columns}
            cells["name"] = aws(name)
            cells["cluster"] = aws(cluster, "dim")
            sort_values: dict[str, object] = {c: "" for c, _ in self.columns}
            sort_values.update(
                name=name, cluster=cluster, desired=-1, running=-1, pending=-1, alarms=-1, cpu=-1.0, mem=-1.0
            )
            sort_values["event"] = float("inf")
        else:
            primary = service.primary
            state = service.rollout_state or "-"
            rollout = aws(state, ROLLOUT_STYLE.get(state, "dim"))
            if state == "IN_PROGRESS" and primary is not None:
                rollout = plain(f"{bar(primary.running, primary.desired, 6)} ", "yellow") + rollout
            cpu, mem = self.metrics.get(arn, ((), ()))
            health = "green" if service.running >= service.desired else "yellow"
            cells = {
                "name": aws(service.name, "bold"),
                "cluster": aws(cluster, "dim"),
                "desired": plain(service.desired),
                "running": plain(service.running, health),
                "pending": plain(service.pending, "yellow" if service.pending else ""),
                "rollout": rollout,
                "alarms": self.alarms_cell(service),
                "revision": aws(service.revision),
                "launch": aws(service.launch_type or "-", "dim"),
                "cpu": plain(_spark(cpu, frozen), "cyan"),
                "mem": plain(_spark(mem, frozen), "magenta"),
                "event": plain(age(service.last_event_at, now, frozen=frozen)),
            }
            sort_values = {
                "name": service.name,
                "cluster": cluster,
                "desired": service.desired,
                "running": service.running,
                "pending": service.pending,
                "rollout": state,
                "alarms": len(names) if (names := self.service_alarms(service)) is not None else -1,
                "revision": service.revision,
                "launch": service.launch_type,
                "cpu": cpu[-1] if cpu else -1.0,
                "mem": mem[-1] if mem else -1.0,
                "event": seconds_ago(service.last_event_at, now),
            }
        columns = [c for c, _ in self.columns]
        return tuple(cells[c] for c in columns), tuple(sort_values[c] for c in columns)

    def render_rows(self, *, soon: bool = False) -> None:
        """Show the rows; ``soon``: coalesce with other updates (at most 4 passes a second).

        Any cell update re-renders the whole viewport of a DataTable, so off-screen updates
        of the background fill are batched; updates the user can see are shown at once.
        """
        if soon:
            if self._render_timer is None:
                self._render_timer = self.set_timer(RENDER_COALESCE_S, self._render_later)
            return
        if self._render_timer is not None:
            self._render_timer.stop()
            self._render_timer = None
        self._render_now()

    def _render_later(self) -> None:
        self._render_timer = None
        self._render_now()

    def _render_now(self) -> None:
        # Ages move on once per poll, not on every pass of the background fill: a column of
        # seconds ticking in the viewport would repaint the whole table four times a second.
        now = self._clock
        frozen = self.console_app.frozen
        built: list[tuple[str, tuple[object, ...], tuple[object, ...]]] = []
        for arn in self.listed:
            service = self.services.get(arn)
            signature = (
                service,
                self.metrics.get(arn),
                age(service.last_event_at, now, frozen=frozen) if service else None,
                (service.region in self.alarms, self.service_alarms(service)) if service else None,
            )
            cached = self._rows.get(arn)
            if cached is None or cached[0] != signature:
                cells, sort_values = self.row(arn, now)
                self._rows[arn] = (signature, (cells, sort_values))
            cells, sort_values = self._rows[arn][1]  # type: ignore[misc,assignment]
            if self.filter_text and not matches(" ".join(_plain(c) for c in cells), self.filter_text):
                continue
            built.append((arn, cells, sort_values))
        index = [c for c, _ in self.columns].index(self.sort_column)
        built.sort(key=lambda r: (_sortable(r[2][index]), r[2][0]), reverse=self.sort_reverse)
        self.table.sync([(arn, cells) for arn, cells, _ in built])
        described = sum(1 for a in self.listed if a in self.services)
        info = f"{len(built)} of {len(self.listed)} services"
        if described < len(self.listed):
            info += f" · described {described}/{len(self.listed)}"
        arrow = "↓" if self.sort_reverse else "↑"
        self.status.set_info(f"{info} · sort {self.sort_column}{arrow}")

    def apply_filter(self) -> None:
        self.render_rows()

    # --- actions ---------------------------------------------------------------------
    def selected_service(self) -> Service | None:
        """The service under the cursor, if described (operations act on it)."""
        key = self.table.cursor_key
        return self.services.get(key) if key else None

    def _selected_or_warn(self) -> Service | None:
        service = self.selected_service()
        if service is None:
            self.notify("that service is still being described", severity="warning", timeout=2)
        return service

    def action_open(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            self.console_app.open_tasks(self._cluster_of(service), service)

    def action_detail(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            self.console_app.open_service_detail(service)

    def action_logs(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            self.console_app.open_logs(service=service)

    def action_env_editor(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            from screens.env_editor import EnvEditorScreen

            self.app.push_screen(EnvEditorScreen(service))

    def _cluster_of(self, service: Service) -> Cluster:
        for cluster in self.clusters:
            if cluster.arn == service.cluster_arn:
                return cluster
        return Cluster(arn=service.cluster_arn, name=service.cluster_name, region=service.region)

    def action_sort(self) -> None:
        columns = [c for c, _ in self.columns]
        self.sort_column = columns[(columns.index(self.sort_column) + 1) % len(columns)]
        self.render_rows()

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.render_rows()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        column = str(event.column_key.value)
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self.render_rows()


def _spark(values: Sequence[float], frozen: bool) -> str:
    if frozen:
        return "·"
    if not values:
        return "-"
    return f"{sparkline(values, 6)} {values[-1]:3.0f}%"


def _plain(cell: object) -> str:
    return getattr(cell, "plain", str(cell))


def _sortable(value: object) -> tuple[int, object]:
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower())
