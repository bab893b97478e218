"""Clusters of every region of the profile, side by side: the console's first pane."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from console.api.views import ClustersView, RegionAlarms
from console.model import Cluster
from screens import fleet
from screens.format import alarm_names, aws, plain, status
from screens.pane import matches
from screens.table_pane import TablePane, TableSpec

ALARM_NAMES_SHOWN = 2  # then "+N"

COLUMNS = [
    ("name", "NAME"),
    ("region", "REGION"),
    ("status", "STATUS"),
    ("services", "SERVICES"),
    ("running", "RUNNING"),
    ("pending", "PENDING"),
    ("deploying", "DEPLOYING"),
    ("alarms", "ALARMS"),
]
# What a narrow terminal hides first (the name never): see KeyedTable.set_columns.
DROP_ORDER = ("status", "pending", "deploying", "services", "region", "running", "alarms")


class ClustersScreen(TablePane):
    spec = TableSpec("clusters", COLUMNS, DROP_ORDER)
    account_column = True
    crumb = "clusters"
    BINDINGS = [
        Binding("enter", "open", "Services", id="clusters.open"),
        Binding("t", "tasks", "Tasks", id="clusters.tasks"),
        Binding("T", "timeline", "Timeline", id="clusters.timeline", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.clusters: dict[str, Cluster] = {}
        self.deploying: dict[str, int] = {}
        self.alarms = RegionAlarms()  # the last read of each region (None: it failed, "?")
        self.problems: list[Any] = []  # the fleet's accounts that failed: a row each

    async def load(self) -> None:
        host = self.host
        view = await self.api.reads.clusters_view(
            host.regions,
            host.settings.profile.clusters,
            on_clusters=self._show,
            on_error=lambda exc: self.notifier.note_error(exc, quiet=True),
        )
        self.problems = self.api.reads.account_problems()
        self._show(view)
        self.deploying = dict(view.deploying)
        self.render_rows()

    def _show(self, view: ClustersView) -> None:
        """The clusters as listed (the deployment counts of the last poll stay until counted again)."""
        self.alarms = self.alarms.merged(view.alarms)  # a region not read yet keeps its last alarms
        self.clusters = {c.arn: self.alarms.named_on(c) for c in view.clusters}
        self.host.remember_clusters(view.clusters)
        self.render_rows()

    def alarms_cell(self, c: Cluster) -> object:
        if not self.alarms.known(c.region):
            return plain("…", "dim")
        return alarm_names(None if self.alarms.failed(c.region) else c.alarms, ALARM_NAMES_SHOWN)

    def row(self, c: Cluster) -> tuple[object, ...]:
        deploying = self.deploying.get(c.arn)
        return fleet.with_account_cell(self._row(c, deploying), self.host.settings.regions, c.region, c.arn)

    def _row(self, c: Cluster, deploying: int | None) -> tuple[object, ...]:
        return (
            aws(c.name, "bold"),
            plain(c.region),
            status(c.status),
            plain(c.active_services),
            plain(c.running_tasks),
            plain(c.pending_tasks, "yellow" if c.pending_tasks else ""),
            plain("…" if deploying is None else deploying, "yellow" if deploying else ""),
            self.alarms_cell(c),
        )

    def render_rows(self) -> None:
        rows = []
        for c in sorted(self.clusters.values(), key=lambda c: (c.account_name, c.region, c.name)):
            cells = self.row(c)
            haystack = f"{c.name} {c.account_name} {c.region} {c.status} {' '.join(c.alarms)}"
            if self.filter_text and not matches(haystack, self.filter_text):
                continue
            rows.append((c.arn, cells))
        shown = len(rows)
        regions = self.host.regions
        failing = fleet.problems_in_view(self.problems, regions)
        rows += [fleet.error_row(p.account, p.message, len(self.table.column_keys)) for p in failing]
        self.table.sync(rows)
        info = f"{shown} of {len(self.clusters)} clusters · {len(dict.fromkeys(map(str, regions)))} regions"
        info += fleet.per_account((c.account_name for c in self.clusters.values()), regions)
        if failing:
            info += f" · {len(failing)} account{'s' if len(failing) > 1 else ''} failing"
        firing = self.alarms.firing(regions)  # the regions in view only (after :region too)
        if firing:
            info += f" · {len(firing)} alarm{'s' if len(firing) > 1 else ''} firing"
            elsewhere = sum(1 for a in firing if not a.cluster)
            if elsewhere:
                info += f" ({elsewhere} on no cluster)"
        unknown = self.alarms.unknown_regions(regions)
        if unknown:
            info += f" · alarms unknown in {', '.join(unknown)}"
        self.status.set_info(info)

    def selected(self) -> Cluster | None:
        return self.under_cursor(self.clusters)

    def action_open(self) -> None:
        cluster = self.selected()
        if cluster is not None:
            self.navigation.open_services([cluster])

    def action_tasks(self) -> None:
        cluster = self.selected()
        if cluster is not None:
            self.navigation.open_tasks(cluster)

    def action_timeline(self) -> None:
        cluster = self.selected()
        if cluster is not None:
            from screens.timeline import TimelineScreen

            self.navigation.push_pane(TimelineScreen([], label=cluster.name, cluster=cluster))
