"""The alarms pane (``:alarms``, or a click on the status line's alarm count): the firing alarms and
those that changed in the last 24 h; Enter shows one alarm's metric as a chart with its threshold
(3 h or 24 h, ``w`` toggles), the datapoints that crossed it and its history; ``l`` opens the logs
of the alarmed service for the chart's window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from console.api.triage import AlarmDetail
from console.triage.model import iso
from screens import fleet
from screens.chart_pane import ChartPane
from screens.format import aws, plain
from screens.host import host_of
from screens.pane import matches
from screens.table_pane import TablePane, TableSpec
from screens.timeline import LogsWindowScreen
from screens.widgets.chart import MetricChart

if TYPE_CHECKING:
    from console.api.triage import AlarmChart, AlarmsView

COLUMNS = [
    ("name", "ALARM"),
    ("state", "STATE"),
    ("region", "REGION"),
    ("metric", "METRIC"),
    ("rule", "RULE"),
    ("since", "SINCE (UTC)"),
    ("reason", "REASON"),
]
DROP_ORDER = ("reason", "region", "since", "rule", "metric")
STATE_STYLE = {"ALARM": "bold reverse red", "INSUFFICIENT_DATA": "yellow", "OK": "green"}
CROSSINGS_SHOWN = 12


def rule_of(d: AlarmDetail) -> str:
    if d.threshold is None:
        return "-"
    return f"{d.statistic} {d.operator} {d.threshold:g} for {d.periods}×{d.period}s"


class AlarmsScreen(TablePane):
    spec = TableSpec("alarms", COLUMNS, DROP_ORDER)
    account_column = True
    CSS_PATH = "alarms.tcss"
    crumb = "alarms"
    poll_interval = 20.0
    BINDINGS = [Binding("enter", "open", "Chart", id="alarms.open")]

    def __init__(self) -> None:
        super().__init__()
        self.view: AlarmsView | None = None
        self.details: dict[str, AlarmDetail] = {}

    async def load(self) -> None:
        self.view = await self.api.triage.alarms()
        self.details = {d.key: d for d in self.view.alarms}
        self.render_rows()
        self.set_focus(self.table)

    def render_rows(self) -> None:
        view = self.view
        if view is None:
            return
        rows = []
        regions = self.host.settings.regions
        for d in view.alarms:
            a = d.alarm
            cells: tuple[object, ...] = (
                aws(a.name, "bold"),
                plain(a.state, STATE_STYLE.get(a.state, "")),
                plain(a.region),
                aws(f"{a.namespace}/{a.metric}"),
                plain(rule_of(d)),
                plain((iso(d.updated_at or a.since) or "-")[5:16].replace("T", " ")),
                aws(a.reason, "dim"),
            )
            cells = fleet.with_account_cell(cells, regions, a.region, a.arn)
            if self.filter_text and not matches(
                f"{a.name} {fleet.account_name(regions, a.region, a.arn)} {a.state} {a.metric} {a.reason}",
                self.filter_text,
            ):
                continue
            rows.append((d.key, cells))
        self.table.sync(rows)
        firing = sum(1 for d in view.alarms if d.alarm.state == "ALARM")
        degraded = "; ".join(n.line() for n in view.notes if n.state != "ok")
        info = f"{firing} firing, {len(view.alarms) - firing} changed in 24 h · Enter: chart"
        self.status.set_info(info + (f" · degraded: {degraded}" if degraded else ""))

    def selected(self) -> AlarmDetail | None:
        return self.under_cursor(self.details)

    def action_open(self) -> None:
        detail = self.selected()
        if detail is None:
            self.notify("no alarm selected", severity="warning")
            return
        self.navigation.push_pane(AlarmDetailScreen(detail))


class AlarmDetailScreen(ChartPane["AlarmChart"]):
    """One alarm: its metric with the threshold, the crossing datapoints, its history."""

    CSS_PATH = "alarms.tcss"
    BINDINGS = [
        Binding("w", "window", "3 h/24 h", id="alarm.window"),
        Binding("l", "logs", "Logs of the window", id="alarm.logs"),
    ]

    def __init__(self, detail: AlarmDetail) -> None:
        super().__init__()
        self.detail = detail
        self.crumb = f"alarm {detail.alarm.name}"
        self.chart: AlarmChart | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(id="alarm-head")
        with Horizontal(id="alarm-main"):
            yield MetricChart(id="alarm-chart")
            with VerticalScroll(id="alarm-side"):
                yield Static(id="alarm-side-body")

    async def read(self, hours: int) -> AlarmChart:
        return await self.api.triage.alarm_chart(self.detail, hours=hours)

    def show(self, chart: AlarmChart) -> None:
        self.chart = chart
        d, a = self.detail, self.detail.alarm
        head = Text(end="")
        head.append_text(aws(a.name, "bold"))
        head.append(f"  {a.state}", style=STATE_STYLE.get(a.state, ""))
        head.append(f"  {a.namespace}/{a.metric}  {rule_of(d)}  ({a.region})\n")
        head.append_text(aws(a.reason, "dim"))
        self.query_one("#alarm-head", Static).update(head)
        series = chart.series
        self.query_one("#alarm-chart", MetricChart).show(
            series.timestamps,
            series.values,
            start=chart.start,
            end=chart.end,
            threshold=d.threshold,
            crossing=[d.crosses(v) for v in series.values],
            title=f"{a.metric} · last {self.hours} h · threshold {d.threshold if d.threshold is not None else '-'}",
        )
        side = Text(end="")
        crossings = chart.crossings
        side.append(f"{len(crossings)} datapoint(s) crossed the threshold\n", style="bold")
        for at, value in crossings[-CROSSINGS_SHOWN:]:
            side.append(f"  {(iso(at) or '')[11:16]}  {value:g}\n", style="red")
        side.append("\nhistory\n", style="bold")
        if not chart.history:
            absent = any(n.state == "unavailable" for n in chart.notes)
            side.append(
                "  not available on this endpoint\n" if absent else "  no state change in the window\n",
                style="dim",
            )
        for change in chart.history[-10:]:
            side.append(
                f"  {(iso(change.at) or '')[5:16].replace('T', ' ')} {change.old_state} -> {change.new_state}\n"
            )
            side.append_text(aws(f"    {change.reason or change.summary}", "dim"))
            side.append("\n")
        if a.description:
            side.append("\n")
            side.append_text(aws(a.description, "italic"))
        self.query_one("#alarm-side-body", Static).update(side)
        self.status.set_info(
            f"{len(series.values)} datapoints over {self.hours} h · w: {self.other_hours} h · l: logs of this window"
        )

    def action_logs(self) -> None:
        a = self.detail.alarm
        if not (a.cluster and a.service):
            self.notify(
                f"{a.name} is not on an ECS service (no ClusterName/ServiceName dimension)",
                severity="warning",
            )
            return
        self.app.run_worker(self._open_logs(), group="evidence", exclusive=True, exit_on_error=False)

    async def _open_logs(self) -> None:
        a = self.detail.alarm
        service = await self.api.triage.service_named(a.region, a.cluster, a.service)
        end = self.chart.end if self.chart else None
        start = self.chart.start if self.chart else None
        if start is None or end is None:
            return
        self.navigation.push_pane(
            LogsWindowScreen(
                since_ms=int(start.timestamp() * 1000), until_ms=int(end.timestamp() * 1000), service=service
            )
        )


async def open_alarm(app: App[Any], region: str, name: str) -> None:
    """The chart of the alarm named ``name`` in ``region`` (from a timeline or a finding)."""
    view = await host_of(app).api.triage.alarms()
    found = next((d for d in view.alarms if d.alarm.name == name and d.alarm.region == region), None)
    if found is None:
        app.notify(f"alarm {name} is neither firing nor changed in 24 h: see :alarms", severity="warning")
        return
    host_of(app).navigation.push_pane(AlarmDetailScreen(found))
