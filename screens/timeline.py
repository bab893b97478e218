"""The timeline of a service or a cluster (``T``), ``why``'s findings (``D``), and the jumps from an
entry to its evidence: the logs at that moment (±2 min, the task's own stream), the revision diff,
the task detail, or the alarm.

Everything is read through the facade (``console.api.ConsoleApi.triage``); text from AWS is shown
literally (``screens.format.aws``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.model import Cluster, Service, short_name
from console.triage.model import Finding, Ref, TimelineEntry, WhyReport, iso
from screens.format import aws, plain
from screens.host import host_of
from screens.logs import LogsScreen
from screens.pane import PaneScreen, matches
from screens.table_pane import TablePane, TableSpec

if TYPE_CHECKING:
    from console.api.triage import Triage

WINDOW_MS = 2 * 60_000  # the logs around an entry: ±2 min
COLUMNS = [("at", "AT (UTC)"), ("kind", "KIND"), ("source", "SOURCE"), ("summary", "WHAT")]
DROP_ORDER = ("source", "kind")
SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": ""}
WINDOWS = (timedelta(hours=6), timedelta(hours=24), timedelta(hours=1))


def triage_of(app: App[Any]) -> Triage:
    """The facade's triage reads (the host's ``api``: a :profile switch replaces it)."""
    return host_of(app).api.triage


class LogsWindowScreen(LogsScreen):
    """The logs pane opened on a time range (``since_ms``..``until_ms``) instead of following."""

    def __init__(self, *, since_ms: int, until_ms: int, mention: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.window = (since_ms, until_ms)
        self.mention = mention  # a message id: the lines naming it come first, as they arrive
        self.mention_shown = False

    async def load(self) -> None:
        if self.sources is None:
            self.state = "finding log groups"
            self.sources = await self.resolve_sources()
            self.view.set_groups(s.group for s in self.sources)
            self.since, self.until = self.window
            self.start_follow()

    def on_mount(self) -> None:  # Textual runs LogsScreen's on_mount too (one handler per class)
        if self.mention:  # the pane follows rather than polls: look at the lines as they arrive
            self.set_interval(0.5, self.show_mentions)

    async def _follow(self, follower: Any, generation: int) -> None:
        await super()._follow(follower, generation)
        if self.mention and self.state == "range loaded":
            self.show_mentions(final=True)

    def show_mentions(self, *, final: bool = False) -> None:
        """Once a line names ``mention``, those lines come first (as the filter, which ``/`` then
        Esc clears); when the whole window is read and none does, a line says so."""
        if not self.mention or self.mention_shown:
            return
        found = sum(1 for line in self.view.lines() if self.mention in line.event.message)
        if found:
            self.mention_shown = True
            self._set_filter(self.mention)
            self.notify(f"lines mentioning {self.mention} (filtered; / then Esc shows all)", timeout=8)
        elif final:
            self.mention_shown = True
            self.notify(
                f"no line of this window mentions {self.mention}: the whole window is shown", timeout=8
            )


class TextScreen(ModalScreen[None]):
    """A few lines to read (a revision diff, an event's whole text); Esc or q closes."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="text.close"),
        Binding("q", "dismiss", "Close", id="text.quit", show=False),
    ]
    DEFAULT_CSS = """
    TextScreen { align: center middle; }
    TextScreen > VerticalScroll { width: 90%; height: auto; max-height: 80%; border: round $accent; padding: 0 1; background: $surface; }
    """

    def __init__(self, title: str, lines: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        body = Text(end="")
        body.append_text(aws(self.title_text, "bold"))
        for line in self.lines:
            body.append("\n")
            body.append_text(aws(line))
        body.append("\n\nEsc closes", style="dim")
        with VerticalScroll():
            yield Static(body, id="text-body")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)


async def open_ref(app: App[Any], ref: Ref, *, logs: bool = False, title: str = "") -> None:
    """Go to where ``ref``'s evidence is (inside a worker: it may read the task or the diff first)."""
    triage = triage_of(app)
    navigation = host_of(app).navigation
    if (logs or ref.type == "logs") and (ref.group or ref.task) and ref.at_ms is not None:
        task = await triage.task(ref.region, ref.cluster, ref.task) if ref.task else None
        pane = LogsWindowScreen(
            since_ms=ref.at_ms - WINDOW_MS,
            until_ms=ref.at_ms + WINDOW_MS,
            group=None if task else ref.group,
            task=task,
            container=ref.container or None,
        )
        navigation.push_pane(pane)
    elif ref.type == "task" and ref.task:
        task = await triage.task(ref.region, ref.cluster, ref.task)
        if task is None:
            app.notify(
                f"task {short_name(ref.task)} is no longer known to ECS (stopped tasks stay about an hour)",
                severity="warning",
            )
            return
        navigation.open_task_detail(task)
    elif ref.type == "revision" and ref.revision:
        if not ref.previous:
            app.push_screen(
                TextScreen(f"{ref.revision}: the first revision read, nothing to compare with", [])
            )
            return
        diff = await triage.revision_diff(ref.region, ref.previous, ref.revision)
        app.push_screen(TextScreen(diff.lines()[0], [line.strip() for line in diff.lines()[1:]]))
    elif ref.type == "alarm" and ref.alarm:
        from screens.alarms import open_alarm

        await open_alarm(app, ref.region, ref.alarm)
    elif ref.type == "queue" and ref.queue:
        navigation.open_queues()
    else:
        app.push_screen(TextScreen(title or ref.type, []))


class TimelineScreen(TablePane):
    spec = TableSpec("timeline", COLUMNS, DROP_ORDER)
    CSS_PATH = "timeline.tcss"
    """One time axis for a service (or every service of a cluster), newest at the bottom."""

    poll_interval = 30.0
    BINDINGS = [
        Binding("enter", "open", "Evidence", id="timeline.open"),
        Binding("l", "logs", "Logs ±2 min", id="timeline.logs"),
        Binding("w", "window", "Window", id="timeline.window"),
        Binding("D", "why", "Why", id="timeline.why"),
    ]

    def __init__(self, services: Sequence[Service], *, label: str, cluster: Cluster | None = None) -> None:
        """``cluster``: every service of it (listed on the first load) instead of ``services``."""
        super().__init__()
        self.services = list(services)
        self.cluster = cluster
        self.label = label
        self.crumb = f"timeline {label}"
        self.window_index = 0
        self.entries: dict[str, TimelineEntry] = {}

    @property
    def since(self) -> timedelta:
        return WINDOWS[self.window_index]

    async def load(self) -> None:
        triage = self.api.triage
        if self.cluster is not None and not self.services:
            self.services = await triage.cluster_services(self.cluster.region, self.cluster.arn)
        timeline = await triage.services_timeline(self.services, since=self.since)
        self.entries = {e.key: e for e in timeline.entries}
        self.render_rows()
        degraded = "; ".join(n.line() for n in timeline.degraded)
        hours = self.since.total_seconds() / 3600
        info = f"{len(timeline.entries)} entries in the last {hours:g} h ({timeline.calls} calls) · w: window"
        self.status.set_info(info + (f" · degraded: {degraded}" if degraded else ""))
        self.set_focus(self.table)

    def render_rows(self) -> None:
        rows = []
        for key, e in self.entries.items():
            style = SEVERITY_STYLE.get(e.severity, "")
            cells = (
                plain((iso(e.at) or "")[5:16].replace("T", " ")),
                plain(e.kind, style),
                plain(e.source, "dim"),
                aws(e.summary, style),
            )
            if self.filter_text and not matches(f"{e.kind} {e.source} {e.summary}", self.filter_text):
                continue
            rows.append((key, cells))
        self.table.sync(rows)
        if rows and self.table.cursor_key is None:
            self.table.select_key(rows[-1][0])

    def selected_entry(self) -> TimelineEntry | None:
        return self.under_cursor(self.entries)

    def _go(self, *, logs: bool) -> None:
        entry = self.selected_entry()
        if entry is None:
            self.notify("no entry selected", severity="warning")
            return
        if logs and not (entry.ref.group or entry.ref.task):
            self.notify(
                f"{entry.kind} entries have no log stream: Enter opens their evidence", severity="warning"
            )
            return
        self.app.run_worker(
            open_ref(self.app, entry.ref, logs=logs, title=entry.summary),
            group="evidence",
            exclusive=True,
            exit_on_error=False,
        )

    def action_open(self) -> None:
        self._go(logs=False)

    def action_logs(self) -> None:
        self._go(logs=True)

    def action_window(self) -> None:
        self.window_index = (self.window_index + 1) % len(WINDOWS)
        self.status.set_info(f"reading the last {self.since.total_seconds() / 3600:g} h…")
        self.action_refresh()

    def action_why(self) -> None:
        if len(self.services) != 1:
            self.notify("D works on one service: open the timeline of a service", severity="warning")
            return
        self.navigation.push_pane(WhyScreen(self.services[0]))


def finding_text(f: Finding, index: int) -> Text:
    text = Text(end="")
    text.append(f"{index}. ", style="bold")
    text.append(f"[{f.severity}] {f.code}", style=SEVERITY_STYLE.get(f.severity, "") or "bold")
    text.append(": ")
    text.append_text(aws(f.summary, "bold"))
    for e in f.evidence:
        text.append(f"\n   {iso(e.at) or '-':<20} {e.kind}: ", style="dim")
        text.append_text(aws(e.text))
    text.append("\n   next: ", style="bold green")
    text.append_text(aws(f.next.text))
    if f.next.command:
        text.append("\n         ")
        text.append_text(aws(f.next.command, "bold"))
    return text


class WhyScreen(PaneScreen):
    CSS_PATH = "timeline.tcss"
    """``why``'s findings for one service, most explaining first; Enter opens the first evidence."""

    poll_interval = 30.0
    filterable = False
    BINDINGS = [
        Binding("enter", "open", "Evidence", id="why.open"),
        Binding("j", "next_finding", "Next", id="why.next", show=False),
        Binding("k", "previous_finding", "Previous", id="why.previous", show=False),
        Binding("T", "timeline", "Timeline", id="why.timeline"),
    ]

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service
        self.crumb = f"why {service.name}"
        self.report: WhyReport | None = None
        self.index = 0

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="why-box"):
            yield Static(Text("reading the service's signals…", style="dim"), id="why-body")

    async def load(self) -> None:
        self.report = await self.api.triage.why_of(self.service)
        self.render_report()

    def render_report(self) -> None:
        report = self.report
        if report is None:
            return
        body = Text(end="")
        if not report.findings:
            body.append(
                f"{report.cluster}/{report.service}: nothing found that explains a failure", style="green"
            )
        for i, f in enumerate(report.findings, start=1):
            if i > 1:
                body.append("\n\n")
            line = finding_text(f, i)
            if i - 1 == self.index:
                line.stylize("reverse", 0, len(f"{i}. "))
            body.append_text(line)
        for note in report.notes:
            if note.state != "ok":
                body.append(f"\n\ndegraded: {note.line()}", style="yellow")
        self.query_one("#why-body", Static).update(body)
        self.status.set_info(
            f"{len(report.findings)} finding(s) · {report.calls} calls · Enter: evidence of the selected finding · j/k: select"
        )

    def action_next_finding(self) -> None:
        if self.report and self.report.findings:
            self.index = min(self.index + 1, len(self.report.findings) - 1)
            self.render_report()

    def action_previous_finding(self) -> None:
        self.index = max(0, self.index - 1)
        self.render_report()

    def action_open(self) -> None:
        if not self.report or not self.report.findings:
            self.notify("no finding to open", severity="warning")
            return
        f = self.report.findings[self.index]
        ref = next((e.ref for e in f.evidence if e.ref is not None), None)
        if ref is None:
            self.notify(f"{f.code}: its evidence is all on this screen", severity="information")
            return
        self.app.run_worker(
            open_ref(self.app, ref, title=f.summary),
            group="evidence",
            exclusive=True,
            exit_on_error=False,
        )

    def action_timeline(self) -> None:
        self.navigation.push_pane(TimelineScreen([self.service], label=self.service.name))
