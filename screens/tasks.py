"""Tasks of a cluster or of one service: running ones, and stopped ones on a toggle."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding

from console.model import Cluster, Service, Task, short_name
from screens import fleet
from screens.format import aws, plain, status
from screens.operations import TASK_OPERATIONS, TaskOperations
from screens.pane import matches
from screens.table_pane import TablePane, TableSpec

COLUMNS = [
    ("id", "TASK"),
    ("service", "SERVICE"),
    ("status", "STATUS"),
    ("desired", "DESIRED"),
    ("health", "HEALTH"),
    ("revision", "TASK DEF"),
    ("started", "STARTED"),
    ("stopped", "STOPPED"),
    ("reason", "STOPPED REASON"),
]
# What a narrow terminal hides first (the id never): see KeyedTable.set_columns. The stop
# reason is free text: it takes the room the others leave (cut; the task's detail shows it whole).
DROP_ORDER = ("desired", "stopped", "revision", "started", "health", "service", "status")
FLEX = "reason"


class TasksScreen(TaskOperations, TablePane):
    spec = TableSpec("tasks", COLUMNS, DROP_ORDER, flex=FLEX)
    account_column = True
    BINDINGS = [
        Binding("enter", "open", "Containers", id="tasks.open"),
        Binding("a", "toggle_stopped", "Stopped too", id="tasks.toggle_stopped"),
        Binding("l", "logs", "Logs", id="tasks.logs"),
        *TASK_OPERATIONS,
    ]

    def __init__(self, cluster: Cluster, service: Service | None = None) -> None:
        super().__init__()
        self.cluster = cluster
        self.service = service
        self.crumb = f"{service.name} tasks" if service else f"{cluster.name} tasks"
        self.include_stopped = False
        self.tasks: dict[str, Task] = {}

    async def load(self) -> None:
        found = await self.api.reads.tasks(self.cluster, self.service, include_stopped=self.include_stopped)
        self.tasks = {t.arn: t for t in found}
        self.render_rows()

    def row(self, t: Task, now: datetime) -> tuple[object, ...]:
        return fleet.with_account_cell(self._row(t, now), self.host.settings.regions, t.region, t.arn)

    def _row(self, t: Task, now: datetime) -> tuple[object, ...]:
        present = self.presenter
        return (
            aws(present.ident(t.id), "bold"),
            aws(t.service_name or t.group or "-"),
            status(t.last_status),
            aws(t.desired_status, "dim"),
            health(t),
            aws(short_name(t.task_definition)),
            plain(present.age(t.started_at, now)),
            plain(present.age(t.stopped_at, now)),
            cut(aws(t.stopped_reason or "", "red" if t.stop_code else "dim", max_len=200)),
        )

    def render_rows(self) -> None:
        now = self.presenter.now()
        ordered = sorted(
            self.tasks.values(),
            key=lambda t: (t.last_status == "STOPPED", t.service_name, t.started_at or now, t.arn),
        )
        rows = []
        for t in ordered:
            cells = self.row(t, now)
            if self.filter_text and not matches(" ".join(c.plain for c in cells), self.filter_text):  # type: ignore[attr-defined]
                continue
            rows.append((t.arn, cells))
        self.table.sync(rows)
        shown = "running and stopped" if self.include_stopped else "running"
        self.status.set_info(f"{len(rows)} of {len(self.tasks)} tasks ({shown}; a toggles stopped)")

    def selected_task(self) -> Task | None:
        return self.under_cursor(self.tasks)

    def action_open(self) -> None:
        task = self.selected_task()
        if task is not None:
            self.navigation.open_task_detail(task)

    def action_toggle_stopped(self) -> None:
        self.include_stopped = not self.include_stopped
        self.action_refresh()

    def action_logs(self) -> None:
        task = self.selected_task()
        if task is not None:
            self.navigation.open_logs(task=task)


def health(t: Task) -> Text:
    """A task's health while it runs; a stopped task has none (ECS keeps reporting its last one)."""
    if t.last_status == "STOPPED":
        return plain("-", "dim")
    return status(t.health)


def cut(text: Text) -> Text:
    text.overflow = "ellipsis"
    return text
