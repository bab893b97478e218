"""Clusters of every region of the profile, side by side: the console's first pane."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding

from console.aws.alarms import alarms_or_unknown, by_cluster, of_note
from console.model import Alarm, Cluster
from screens.format import alarm_names, aws, plain, status
from screens.pane import PaneScreen, matches
from screens.widgets.keyed_table import KeyedTable

# Counting active deployments means describing a cluster's services: done for
# clusters up to this size on every poll, left to the services pane above it.
DEPLOYMENT_COUNT_LIMIT = 200
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


class ClustersScreen(PaneScreen):
    crumb = "clusters"
    BINDINGS = [
        Binding("enter", "open", "Services", id="clusters.open"),
        Binding("t", "tasks", "Tasks", id="clusters.tasks"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.clusters: dict[str, Cluster] = {}
        self.deploying: dict[str, int] = {}
        # region -> its alarms in ALARM, or None when the last read failed ("?")
        self.alarms: dict[str, tuple[Alarm, ...] | None] = {}
        self._alarm_names: dict[tuple[str, str], tuple[str, ...]] = {}  # (region, cluster) -> names

    def compose_body(self) -> ComposeResult:
        table = KeyedTable(id="clusters")
        table.set_columns(COLUMNS, drop_order=DROP_ORDER)
        yield table

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#clusters", KeyedTable)

    async def load(self) -> None:
        app = self.console_app
        # One DescribeAlarms per region, alongside the cluster list.
        alarms = asyncio.ensure_future(self._load_alarms(app.regions))
        try:
            found = await app.gateways.ecs.clusters(app.regions, app.settings.profile.clusters)
            self.clusters = {c.arn: self._with_alarms(c) for c in found}
            app.remember_clusters(found)
            self.render_rows()
            small = [c for c in found if c.active_services <= DEPLOYMENT_COUNT_LIMIT]
            results = await asyncio.gather(
                *(app.gateways.ecs.services(c.region, c.arn) for c in small), return_exceptions=True
            )
            await alarms
        finally:
            if not alarms.done():  # the cluster list failed, or the poll was cancelled
                alarms.cancel()
        for cluster, result in zip(small, results, strict=True):
            if isinstance(result, BaseException):
                continue
            self.deploying[cluster.arn] = sum(
                1 for s in result if s.rollout_state == "IN_PROGRESS" or len(s.deployments) > 1
            )
        self.render_rows()

    async def _load_alarms(self, regions: Sequence[str]) -> None:
        """Alarms are a column, not the pane: a region whose read fails shows "?" and the rest go on."""
        app = self.console_app
        self.alarms.update(
            await alarms_or_unknown(
                app.gateways.aws, app.gateways.budget, regions, lambda exc: app.note_error(exc, quiet=True)
            )
        )
        every = [a for known in self.alarms.values() if known for a in known]
        self._alarm_names = {key: tuple(a.name for a in of) for key, of in by_cluster(every).items()}
        self.clusters = {arn: self._with_alarms(c) for arn, c in self.clusters.items()}
        self.render_rows()

    def _with_alarms(self, cluster: Cluster) -> Cluster:
        names = self._alarm_names.get((cluster.region, cluster.name), ())
        return cluster if names == cluster.alarms else replace(cluster, alarms=names)

    def alarms_cell(self, c: Cluster) -> object:
        if c.region not in self.alarms:
            return plain("…", "dim")
        return alarm_names(None if self.alarms[c.region] is None else c.alarms, ALARM_NAMES_SHOWN)

    def row(self, c: Cluster) -> tuple[object, ...]:
        deploying = self.deploying.get(c.arn)
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
        for c in sorted(self.clusters.values(), key=lambda c: (c.region, c.name)):
            cells = self.row(c)
            haystack = f"{c.name} {c.region} {c.status} {' '.join(c.alarms)}"
            if self.filter_text and not matches(haystack, self.filter_text):
                continue
            rows.append((c.arn, cells))
        self.table.sync(rows)
        info = f"{len(rows)} of {len(self.clusters)} clusters · {len(self.console_app.regions)} regions"
        firing = [a for found in self.alarms.values() if found for a in of_note(found)]
        if firing:
            info += f" · {len(firing)} alarm{'s' if len(firing) > 1 else ''} firing"
            elsewhere = sum(1 for a in firing if not a.cluster)
            if elsewhere:
                info += f" ({elsewhere} on no cluster)"
        unknown = sorted(region for region, found in self.alarms.items() if found is None)
        if unknown:
            info += f" · alarms unknown in {', '.join(unknown)}"
        self.status.set_info(info)

    def apply_filter(self) -> None:
        self.render_rows()

    def selected(self) -> Cluster | None:
        key = self.table.cursor_key
        return self.clusters.get(key) if key else None

    def action_open(self) -> None:
        cluster = self.selected()
        if cluster is not None:
            self.console_app.open_services([cluster])

    def action_tasks(self) -> None:
        cluster = self.selected()
        if cluster is not None:
            self.console_app.open_tasks(cluster)
