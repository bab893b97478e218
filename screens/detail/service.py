"""One service: deployments, events (newest first, AWS's own words), targets, containers."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from console.model import Alarm, Cluster, Service, TargetHealth, TaskDefinition
from screens.autoscaling import AUTOSCALING_OPERATIONS, AutoScalingOperations, autoscaling_text
from screens.detail.containers import container_block
from screens.detail.tables import detail_table
from screens.format import ROLLOUT_STYLE, alarm_lines, aws, bar, plain, status
from screens.operations import SERVICE_OPERATIONS, ServiceOperations
from screens.pane import PaneScreen, matches
from screens.widgets.keyed_table import KeyedTable

MAX_EVENTS = 50


class ServiceDetailScreen(AutoScalingOperations, ServiceOperations, PaneScreen):
    BINDINGS = [
        Binding("t", "tasks", "Tasks", id="service_detail.tasks"),
        Binding("l", "logs", "Logs", id="service_detail.logs"),
        Binding("v", "reveal", "Reveal secrets", id="service_detail.reveal"),
        Binding("g", "charts", "Charts", id="service_detail.charts", show=False),
        *SERVICE_OPERATIONS,
        *AUTOSCALING_OPERATIONS,
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.crumb = f"{service.name} detail"
        self.targets: list[TargetHealth] = []
        self.task_definition: TaskDefinition | None = None
        self.alarms: tuple[Alarm, ...] | None = ()  # None: the last read failed
        self.reveal = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="summary", classes="section")
            yield Static("Deployments", classes="heading")
            yield detail_table(
                "deployments",
                "status=STATUS, revision=TASK DEF, rollout=ROLLOUT, counts=DESIRED/RUNNING/PENDING, failed=FAILED, created=CREATED, reason=REASON",
            )
            yield Static("Events (newest first)", classes="heading")
            yield detail_table("events", "age=AGE, message=MESSAGE")
            yield Static("Load balancer targets", classes="heading")
            yield detail_table("targets", "target=TARGET, port=PORT, state=STATE, reason=REASON, group=GROUP")
            yield Static("Auto scaling", classes="heading")
            yield Static(id="autoscaling", classes="section")
            yield Static("Containers", classes="heading")
            yield Static(id="containers", classes="section")

    async def load(self) -> None:
        detail, scaling = await asyncio.gather(
            self.api.reads.service_detail(
                self.service, on_error=lambda exc: self.notifier.note_error(exc, quiet=True)
            ),
            self.api.reads.autoscaling(self.service),
            return_exceptions=True,
        )
        if isinstance(detail, BaseException):
            raise detail
        self.query_one("#autoscaling", Static).update(
            autoscaling_text(None if isinstance(scaling, BaseException) else scaling)
        )
        self.service = detail.service
        if detail.task_definition is not None:
            self.task_definition = detail.task_definition
        if detail.targets is not None:
            self.targets = list(detail.targets)
        self.alarms = detail.alarms
        self.render_all()
        if detail.errors:  # the rest is shown; the status line says what is missing
            raise detail.errors[0]

    def render_all(self) -> None:
        s = self.service
        present = self.presenter
        now = present.now()
        summary = Text(end="")
        summary.append_text(aws(s.name, "bold"))
        summary.append("  ")
        summary.append_text(status(s.status))
        summary.append(f"  desired {s.desired}  running {s.running}  pending {s.pending}  ")
        summary.append_text(aws(s.revision))
        summary.append("  ")
        summary.append_text(aws(s.launch_type, "dim"))
        breaker = (
            "on" + (" with rollback" if s.circuit_breaker_rollback else "") if s.circuit_breaker else "off"
        )
        summary.append(f"\ncircuit breaker {breaker}", style="dim")
        summary.append("  cluster ", style="dim")
        summary.append_text(aws(s.cluster_name))
        summary.append(f"  {s.region}", style="dim")
        summary.append_text(alarm_lines(self.alarms))
        summary.append("\ng: CPU and memory charts, per task where Container Insights has them", style="dim")
        self.query_one("#summary", Static).update(summary)

        rows = []
        for d in s.deployments:
            state = d.rollout_state or "-"
            rollout = aws(state, ROLLOUT_STYLE.get(state, "dim"))
            if state == "IN_PROGRESS":
                rollout = plain(bar(d.running, d.desired, 8) + " ", "yellow") + rollout
            rows.append(
                (
                    d.id or d.task_definition,  # a key, never shown
                    (
                        aws(d.status, "bold" if d.status == "PRIMARY" else ""),
                        aws(d.revision),
                        rollout,
                        plain(f"{d.desired}/{d.running}/{d.pending}"),
                        plain(d.failed_tasks, "bold red" if d.failed_tasks else "dim"),
                        plain(present.age(d.created_at, now)),
                        aws(present.ident(d.rollout_reason), "dim", max_len=300),
                    ),
                )
            )
        self.query_one("#deployments", KeyedTable).sync(rows)

        events = []
        for i, e in enumerate(s.events[:MAX_EVENTS]):
            message = aws(present.ident(e.message), max_len=1000)
            if self.filter_text and not matches(message.plain, self.filter_text):
                continue
            events.append((e.id or f"event-{i}", (plain(present.age(e.created_at, now)), message)))
        self.query_one("#events", KeyedTable).sync(events)

        targets = [
            (
                f"{t.target_group_arn}|{t.target_id}|{t.port}",
                (
                    aws(present.ident(t.target_id)),
                    plain(t.port or "-"),
                    status(t.state),
                    aws(t.reason or t.description or "", "dim"),
                    aws(present.ident(t.target_group_arn.rsplit(":", 1)[-1]), "dim"),
                ),
            )
            for t in self.targets
        ]
        self.query_one("#targets", KeyedTable).sync(targets)
        if not s.target_group_arns:
            self.query_one("#targets", KeyedTable).display = False

        blocks = Text(end="")
        td = self.task_definition
        if td is not None:
            blocks.append_text(aws(f"{td.family}:{td.revision}", "bold"))
            blocks.append(f"  cpu {td.cpu or '-'}  memory {td.memory or '-'}  {td.status}", style="dim")
            for c in td.containers:
                blocks.append("\n")
                blocks.append_text(container_block(c, reveal=self.reveal, present=present))
        self.query_one("#containers", Static).update(blocks)
        self.status.set_info(
            f"{len(s.deployments)} deployments · {len(s.events)} events · v reveals masked values"
        )

    def apply_filter(self) -> None:
        self.render_all()

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.render_all()

    def action_tasks(self) -> None:
        s = self.service
        self.navigation.open_tasks(Cluster(arn=s.cluster_arn, name=s.cluster_name, region=s.region), s)

    def action_logs(self) -> None:
        self.navigation.open_logs(service=self.service)

    def action_charts(self) -> None:
        from screens.detail.service_charts import ServiceChartsScreen

        self.navigation.push_pane(ServiceChartsScreen(self.service))

    def selected_service(self) -> Service:
        return self.service

    def action_open(self) -> None:
        """Enter on a row of the detail tables does nothing yet."""
