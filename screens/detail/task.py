"""One task: status, health, times, stop reason and code, and its containers with exit codes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from console.model import Task, TaskDefinition, short_name
from screens.detail.containers import container_block
from screens.detail.tables import detail_table
from screens.format import aws, plain, status
from screens.operations import TASK_OPERATIONS, TaskOperations
from screens.pane import PaneScreen
from screens.widgets.keyed_table import KeyedTable


class TaskPane(PaneScreen):
    """A pane of one task: the task read again on every poll, its task definition once."""

    filterable = False

    def __init__(self, task: Task, task_definition: TaskDefinition | None = None) -> None:
        super().__init__()
        self.task_ = task
        self.task_definition = task_definition

    async def load(self) -> None:
        detail = await self.api.reads.task_detail(self.task_, self.task_definition)
        self.task_, self.task_definition = detail.task, detail.task_definition
        self.render_all()

    def render_all(self) -> None:
        """Show ``task_`` and ``task_definition`` (panes override)."""


class TaskDetailScreen(TaskOperations, TaskPane):
    BINDINGS = [
        Binding("enter", "open", "Container", id="task_detail.open"),
        Binding("l", "logs", "Logs", id="task_detail.logs"),
        *TASK_OPERATIONS,
    ]

    def __init__(self, task: Task) -> None:
        super().__init__(task)
        self.crumb = f"task {task.id[:12]}"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="summary", classes="section")
            yield Static("Containers", classes="heading")
            yield detail_table(
                "containers",
                "name=CONTAINER, status=STATUS, exit=EXIT, health=HEALTH, reason=REASON, image=IMAGE",
            )

    def render_all(self) -> None:
        t = self.task_
        present = self.presenter
        now = present.now()
        out = Text(end="")
        out.append_text(aws(present.ident(t.id), "bold"))
        out.append("  ")
        out.append_text(status(t.last_status))
        out.append(" (desired ")
        out.append_text(aws(t.desired_status))
        out.append(")  health ")
        out.append_text(status(t.health))
        out.append("\nservice ", style="dim")
        out.append_text(aws(t.service_name or t.group or "-"))
        out.append("  task def ", style="dim")
        out.append_text(aws(short_name(t.task_definition)))
        out.append(f"  cpu {t.cpu or '-'} memory {t.memory or '-'}  {t.launch_type}", style="dim")
        out.append("\nstarted ", style="dim")
        out.append(present.age(t.started_at, now))
        out.append(" ago  stopped ", style="dim")
        out.append(present.age(t.stopped_at, now))
        if t.stop_code or t.stopped_reason:
            out.append("\nstop code ", style="dim")
            out.append_text(aws(t.stop_code or "-", "bold red"))
            out.append("  reason ", style="dim")
            out.append_text(aws(t.stopped_reason or "-", "red"))
        self.query_one("#summary", Static).update(out)
        rows = []
        for c in t.containers:
            exit_style = "" if c.exit_code in (None, 0) else "bold red"
            rows.append(
                (
                    c.name,
                    (
                        aws(c.name, "bold"),
                        status(c.last_status),
                        plain("-" if c.exit_code is None else c.exit_code, exit_style),
                        status(c.health or "-"),
                        aws(c.reason or "", "red" if c.reason else "dim", max_len=300),
                        aws(c.image, "dim"),
                    ),
                )
            )
        self.query_one("#containers", KeyedTable).sync(rows)
        self.status.set_info(f"{len(t.containers)} containers · Enter: container definition · l: logs")

    def action_open(self) -> None:
        name = self.query_one("#containers", KeyedTable).cursor_key
        if name:
            self.navigation.push_pane(ContainerScreen(self.task_, name, self.task_definition))

    def action_logs(self) -> None:
        self.navigation.open_logs(task=self.task_)


class ContainerScreen(TaskPane):
    """A container of a task: what runs (status, exit code) and what was asked (its definition)."""

    BINDINGS = [
        Binding("v", "reveal", "Reveal secrets", id="container.reveal"),
        Binding("l", "logs", "Logs", id="container.logs"),
    ]

    def __init__(self, task: Task, container: str, task_definition: TaskDefinition | None) -> None:
        super().__init__(task, task_definition)
        self.container = container
        self.crumb = container
        self.reveal = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="runtime", classes="section")
            yield Static(id="definition", classes="section")

    def render_all(self) -> None:
        running = next((c for c in self.task_.containers if c.name == self.container), None)
        out = Text(end="")
        if running is not None:
            out.append_text(aws(running.name, "bold"))
            out.append("  ")
            out.append_text(status(running.last_status))
            out.append(f"  exit {'-' if running.exit_code is None else running.exit_code}")
            out.append("  health ")
            out.append_text(status(running.health or "-"))
            if running.reason:
                out.append("\nreason ", style="dim")
                out.append_text(aws(running.reason, "red"))
            out.append("\nimage ", style="dim")
            out.append_text(aws(running.image))
        self.query_one("#runtime", Static).update(out)
        definition = self.task_definition.container(self.container) if self.task_definition else None
        self.query_one("#definition", Static).update(
            container_block(definition, reveal=self.reveal, present=self.presenter)
            if definition
            else Text("(no definition)")
        )
        self.status.set_info("v reveals masked values · l: logs")

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.render_all()

    def action_logs(self) -> None:
        self.navigation.open_logs(task=self.task_, container=self.container)

    def action_open(self) -> None:
        """Nothing below a container."""
