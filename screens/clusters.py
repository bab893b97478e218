"""Clusters of every region of the profile, side by side: the console's first pane."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.binding import Binding

from console.model import Cluster
from screens.format import aws, plain, status
from screens.pane import PaneScreen, matches
from screens.widgets.keyed_table import KeyedTable

# Counting active deployments means describing a cluster's services: done for
# clusters up to this size on every poll, left to the services pane above it.
DEPLOYMENT_COUNT_LIMIT = 200

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

    def compose_body(self) -> ComposeResult:
        table = KeyedTable(id="clusters")
        table.set_columns(COLUMNS, drop_order=DROP_ORDER)
        yield table

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#clusters", KeyedTable)

    async def load(self) -> None:
        app = self.console_app
        found = await app.gateways.ecs.clusters(app.regions, app.settings.profile.clusters)
        self.clusters = {c.arn: c for c in found}
        app.remember_clusters(found)
        self.render_rows()
        small = [c for c in found if c.active_services <= DEPLOYMENT_COUNT_LIMIT]
        results = await asyncio.gather(
            *(app.gateways.ecs.services(c.region, c.arn) for c in small), return_exceptions=True
        )
        for cluster, result in zip(small, results, strict=True):
            if isinstance(result, BaseException):
                continue
            self.deploying[cluster.arn] = sum(
                1 for s in result if s.rollout_state == "IN_PROGRESS" or len(s.deployments) > 1
            )
        self.render_rows()

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
            aws(", ".join(c.alarms) or "-", "bold red" if c.alarms else "dim"),
        )

    def render_rows(self) -> None:
        rows = []
        for c in sorted(self.clusters.values(), key=lambda c: (c.region, c.name)):
            cells = self.row(c)
            if self.filter_text and not matches(f"{c.name} {c.region} {c.status}", self.filter_text):
                continue
            rows.append((c.arn, cells))
        self.table.sync(rows)
        self.status.set_info(
            f"{len(rows)} of {len(self.clusters)} clusters · {len(self.console_app.regions)} regions"
        )

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
