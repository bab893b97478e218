"""Services of one or more clusters, fast at 2,000: the rows as they are listed and described.

The listing (console.api.service_listing) lists first and describes what this pane shows first;
the pane tells it which rows are in view and renders whenever it is told. Renders of rows out
of view are coalesced (at most 4 passes a second), since any cell update repaints the viewport.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable

from console.api.service_listing import ServiceListing
from console.api.views import FirstView, RegionAlarms, ServiceMetrics
from console.model import Cluster, Service, short_name
from screens import fleet
from screens.format import (
    PLACEHOLDER,
    ROLLOUT_STYLE,
    alarm_names,
    aws,
    bar,
    plain,
    seconds_ago,
)
from screens.heap import freeze_startup_heap
from screens.operations import SERVICE_OPERATIONS, ServiceOperations
from screens.pane import PaneScreen, matches
from screens.widgets.keyed_table import KeyedTable

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
        Binding("T", "timeline", "Timeline", id="services.timeline", show=False),
        Binding("D", "why", "Why", id="services.why", show=False),
        *SERVICE_OPERATIONS,
    ]

    def __init__(self, clusters: Sequence[Cluster], *, first_view: FirstView | None = None) -> None:
        super().__init__()
        self.clusters = list(clusters)
        self._first_view = first_view
        self._listing: ServiceListing | None = None
        self.crumb = clusters[0].name if len(clusters) == 1 else f"{len(clusters)} clusters"
        self.sort_column = "name"
        self.sort_reverse = False
        self._rows: dict[str, tuple[object, tuple[object, ...]]] = {}
        self._render_timer: Timer | None = None
        self._clock: datetime | None = None
        columns = list(COLUMNS)
        if len(self.clusters) > 1:
            columns.insert(1, CLUSTER_COLUMN)
        self.columns = columns
        self.drop_order: tuple[str, ...] = DROP_ORDER

    def compose_body(self) -> ComposeResult:
        table = KeyedTable(id="services")
        self.columns, self.drop_order = fleet.with_account(
            self.columns, DROP_ORDER, self.host.settings.regions
        )
        table.set_columns(self.columns, drop_order=self.drop_order)
        yield table

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#services", KeyedTable)

    # --- fetching: the listing reads, this pane shows (console.api.service_listing) ------
    @property
    def listing(self) -> ServiceListing:
        if self._listing is None:
            self._listing = self.api.reads.service_listing(
                self.clusters,
                self,
                first_view=self._first_view,
                on_error=lambda exc: self.notifier.note_error(exc, quiet=True),
            )
            self._first_view = None
        return self._listing

    @property
    def listed(self) -> dict[str, tuple[str, str]]:
        return self.listing.listed

    @property
    def services(self) -> dict[str, Service]:
        return self.listing.services

    @property
    def alarms(self) -> RegionAlarms:
        return self.listing.alarms

    async def load(self) -> None:
        self._clock = self.presenter.now()
        await self.listing.refresh()

    # ListingView: what the listing asks of this pane.
    def visible_keys(self, margin: int = 0) -> list[str]:
        return self.table.visible_keys(margin)

    def shown_order(self) -> list[str]:
        return list(self.table.keys)

    def show(self, *, soon: bool) -> None:
        self.render_rows(soon=soon)

    def first_page_shown(self) -> None:
        self.notifier.milestone("services_first_page")

    def first_screenful_shown(self) -> None:
        freeze_startup_heap()  # before the background fill adds 2,000 rows of objects
        self.call_after_refresh(self.notifier.milestone, "services_first_screenful")

    def service_alarms(self, service: Service) -> tuple[str, ...] | None:
        """Names of the service's alarms of note; None while unknown (not read yet, or failed)."""
        found = self.alarms.of_service(service)
        return None if found is None else tuple(a.name for a in found)

    def alarms_cell(self, service: Service) -> object:
        if not self.alarms.known(service.region):
            return plain(PLACEHOLDER, "dim")
        return alarm_names(self.service_alarms(service), ALARM_NAMES_SHOWN)

    # --- rendering -------------------------------------------------------------------
    def row(self, arn: str, now: datetime) -> tuple[tuple[object, ...], tuple[object, ...]]:
        """(cells, sort values) of one service; placeholders while it is only listed."""
        service = self.services.get(arn)
        region, cluster_arn = self.listed.get(arn, ("", ""))
        cluster = short_name(cluster_arn)
        account = fleet.account_name(self.host.settings.regions, region, arn)
        name = short_name(arn)
        present = self.presenter
        if service is None:
            dots = plain(PLACEHOLDER, "dim")
            cells: dict[str, object] = {c: dots for c, _ in self.columns}
            cells["name"] = aws(name)
            cells["cluster"] = aws(cluster, "dim")
            cells["account"] = fleet.account_cell(account)
            sort_values: dict[str, object] = {c: "" for c, _ in self.columns}
            sort_values.update(
                name=name,
                cluster=cluster,
                account=account,
                desired=-1,
                running=-1,
                pending=-1,
                alarms=-1,
                cpu=-1.0,
                mem=-1.0,
            )
            sort_values["event"] = float("inf")
        else:
            primary = service.primary
            state = service.rollout_state or "-"
            rollout = aws(state, ROLLOUT_STYLE.get(state, "dim"))
            if state == "IN_PROGRESS" and primary is not None:
                rollout = plain(f"{bar(primary.running, primary.desired, 6)} ", "yellow") + rollout
            metrics = self.listing.metrics.get(arn) or ServiceMetrics()
            cpu, mem = metrics.cpu, metrics.memory
            health = "green" if service.running >= service.desired else "yellow"
            cells = {
                "name": aws(service.name, "bold"),
                "cluster": aws(cluster, "dim"),
                "account": fleet.account_cell(account),
                "desired": plain(service.desired),
                "running": plain(service.running, health),
                "pending": plain(service.pending, "yellow" if service.pending else ""),
                "rollout": rollout,
                "alarms": self.alarms_cell(service),
                "revision": aws(service.revision),
                "launch": aws(service.launch_type or "-", "dim"),
                "cpu": plain(present.spark(cpu), "cyan"),
                "mem": plain(present.spark(mem), "magenta"),
                "event": plain(present.age(service.last_event_at, now)),
            }
            sort_values = {
                "name": service.name,
                "cluster": cluster,
                "account": account,
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
        now = self._clock or self.presenter.now()
        present = self.presenter
        listing = self.listing
        for gone in [k for k in self._rows if k not in listing.listed]:
            del self._rows[gone]
        built: list[tuple[str, tuple[object, ...], tuple[object, ...]]] = []
        for arn in listing.listed:
            service = listing.services.get(arn)
            signature = (
                service,
                listing.metrics.get(arn),
                present.age(service.last_event_at, now) if service else None,
                (self.alarms.known(service.region), self.service_alarms(service)) if service else None,
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
        regions = self.host.settings.regions
        if fleet.is_fleet(regions):
            info += fleet.per_account(
                (fleet.account_name(regions, r, a) for a, (r, _c) in self.listed.items()), regions
            )
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
            self.navigation.open_tasks(self.listing.cluster_of(service), service)

    def action_detail(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            self.navigation.open_service_detail(service)

    def action_logs(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            self.navigation.open_logs(service=service)

    def action_timeline(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            from screens.timeline import TimelineScreen

            self.navigation.push_pane(TimelineScreen([service], label=service.name))

    def action_why(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            from screens.timeline import WhyScreen

            self.navigation.push_pane(WhyScreen(service))

    def action_env_editor(self) -> None:
        service = self._selected_or_warn()
        if service is not None:
            from screens.env_editor import EnvEditorScreen

            self.app.push_screen(EnvEditorScreen(service))

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


def _plain(cell: object) -> str:
    return getattr(cell, "plain", str(cell))


def _sortable(value: object) -> tuple[int, object]:
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower())
