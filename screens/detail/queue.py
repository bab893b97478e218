"""One SQS queue: attributes, dead-letter links, live counts, move tasks, peek, and redrive.

The counts, links and the last move tasks are refreshed by the pane's poll
(never overlapping).  Peeking is explicit (``p``): it receives with a short
visibility timeout and releases the messages at once, never deleting them,
but each peek raises their receive count, which the screen says.

Every mutation is prepared by the facade (``console.api.Operations``) and goes
plan -> confirm modal -> apply (audited) -> verify in a progress modal through
the app's one path (``OpsConsoleApp.run_operation``), like the service
operations; a move task's progress modal carries a Cancel button and a purge
asks for the queue's name after the plan.  In read-only mode a queue with a
redrive policy is not peeked: its receive count is what sends messages to the DLQ.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import ProgressBar, Static

from console.api import QueueMessage
from console.errors import Refused, describe_aws_error
from console.model import Alarm, MessageMoveTask, Queue
from console.ops import redrive as ops
from console.ops.plan import Plan
from screens.bindings import mutating
from screens.detail import queue_groups as groups
from screens.detail.tables import detail_table
from screens.format import alarm_lines, aws, plain
from screens.host import host_of
from screens.modals.messages import MoveProgressScreen, TypeNameScreen, first_line, message_text
from screens.pane import PaneScreen, matches
from screens.widgets.keyed_table import KeyedTable

if TYPE_CHECKING:
    from console.ops.runner import Operation, Outcome

PEEK_N = 50
PEEK_NOTE = (
    "Peek receives messages with a short visibility timeout and makes them visible again at once: "
    "it never deletes, but each peeked message's receive count rises (a DLQ's source may count it)."
)


def duration(seconds: int) -> str:
    if seconds % 86400 == 0 and seconds >= 86400:
        return f"{seconds // 86400}d"
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0 and seconds >= 60:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def arn_name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


# --- the operations: prepared by the facade, run through the app's one path ------------------------


def _start(app: Any, flow: Awaitable[Any]) -> None:
    app.run_worker(flow, group="operation", exclusive=True, exit_on_error=False)


async def redrive_all_flow(app: App[Any], dlq: Queue) -> Outcome | None:
    """``R``: StartMessageMoveTask to the source queues, followed with moved/total and a Cancel button."""
    host = host_of(app)
    ops = host.operations

    def cancel(screen: MoveProgressScreen) -> None:
        """The progress modal's Cancel: the press is the confirmation, its lines go to the modal."""
        app.run_worker(
            host.run_operation(lambda: ops.prepare_cancel_redrive(dlq), confirmed_by=screen.note),
            group="move-cancel",
            exit_on_error=False,
        )

    return await host.run_operation(lambda: ops.prepare_redrive(dlq), on_cancel=cancel)


async def purge_flow(app: App[Any], queue: Queue) -> Outcome | None:
    host = host_of(app)
    ops = host.operations

    async def typed_name(_plan: Plan) -> bool:
        typed = await app.push_screen_wait(TypeNameScreen(queue.name))
        if typed is None:
            return False
        try:
            ops.check_purge_name(queue, typed)
        except Exception as exc:
            app.notify(str(exc), severity="error", timeout=6, markup=False)
            return False
        return True

    return await host.run_operation(lambda: ops.prepare_purge(queue), second_confirm=typed_name)


# --- the screen ---------------------------------------------------------------------------------------


class QueueDetailScreen(PaneScreen):
    DEFAULT_CSS = """
    QueueDetailScreen #peek-note { color: $warning; padding: 0 1; }
    QueueDetailScreen #message-body { padding: 0 1; border: round $panel; height: auto; }
    QueueDetailScreen #move-bar { padding: 0 1; }
    """
    BINDINGS = [
        Binding("p", "peek", "Peek", id="queue_detail.peek"),
        Binding("space", "toggle_select", "Select", id="queue_detail.select"),
        mutating("R", "redrive_all", "Redrive all", id="queue_detail.redrive_all"),
        mutating("M", "redrive_selected", "Move selected", id="queue_detail.redrive_selected"),
        mutating("D", "delete_selected", "Delete selected", id="queue_detail.delete_selected"),
        mutating("P", "purge", "Purge", id="queue_detail.purge"),
        mutating("m", "redrive_group", "Redrive group", id="queue_detail.redrive_group"),
        mutating("X", "delete_group", "Delete group", id="queue_detail.delete_group"),
        Binding("l", "consumer_logs", "Consumer logs", id="queue_detail.consumer_logs"),
        mutating("c", "cancel_move", "Cancel move", id="queue_detail.cancel_move", show=False),
    ]

    def __init__(self, queue: Queue) -> None:
        super().__init__()
        self.queue = queue
        self.crumb = f"{queue.name} detail"
        self.linked: dict[str, Queue | None] = {}  # ARN -> queue (None: not found)
        self.tasks: list[MessageMoveTask] = []
        self.messages: dict[str, QueueMessage] = {}  # the last peek, in order
        self.selected: set[str] = set()
        self.peeked = False
        self.peeks = 0
        self.shown_body: Text | None = None  # the message body panel's text, as shown
        self.alarms: tuple[Alarm, ...] | None = ()  # its firing alarms; None: the last read failed

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail"):
            yield Static(id="summary", classes="section")
            yield Static("Dead-letter links", classes="heading")
            yield detail_table("links", "role=LINK, name=QUEUE, visible=VISIBLE, in_flight=IN FLIGHT")
            yield Static("Redrive (message move tasks)", classes="heading", id="moves-heading")
            yield Static(id="move-state", classes="section")
            yield ProgressBar(total=None, show_eta=False, id="move-bar")
            yield detail_table(
                "moves",
                "status=STATUS, moved=MOVED/TOTAL, rate=MAX RATE, destination=DESTINATION, started=STARTED, reason=FAILURE",
            )
            yield Static("Messages (peek)", classes="heading")
            yield Static(PEEK_NOTE, id="peek-note")
            yield Static(
                "Error groups (m redrives, X deletes one group)", classes="heading", id="groups-heading"
            )
            yield groups.groups_table()
            yield detail_table("messages", "sel=SEL, sent=SENT, receives=RECEIVES, group=GROUP, body=BODY")
            yield Static(id="message-body")

    # --- polling ---------------------------------------------------------------------------
    async def load(self) -> None:
        detail, self.linked = await self.api.reads.queue_detail(
            self.queue, on_error=lambda exc: self.notifier.note_error(exc, quiet=True)
        )
        self.queue, self.tasks, self.alarms = detail.queue, list(detail.move_tasks), detail.alarms
        self.render_all()

    # --- rendering -------------------------------------------------------------------------
    def render_all(self) -> None:
        self._render_summary()
        self._render_links()
        self._render_moves()
        self._render_messages()

    def _render_summary(self) -> None:
        q = self.queue
        out = Text(end="")
        out.append_text(aws(q.name, "bold"))
        out.append(f"  {q.region}  {'FIFO' if q.fifo else 'standard'}", style="dim")
        if q.is_dlq:
            out.append("  dead-letter queue", style="bold red" if q.visible else "yellow")
        out.append("\n")
        out.append(f"visible {q.visible}  in flight {q.in_flight}  delayed {q.delayed}", style="bold")
        if q.oldest_age_s is not None:
            out.append(f"  oldest {duration(int(q.oldest_age_s))}")
        out.append("\n")
        out.append(
            f"visibility timeout {duration(q.visibility_timeout)}  retention {duration(q.retention_s)}"
            f"  delay {duration(q.delay_s)}",
        )
        if q.max_receive_count is not None:
            out.append(f"  max receive count {q.max_receive_count}")
        out.append("  encryption ")
        out.append_text(aws(q.encryption or "none"))
        out.append("\n")
        out.append_text(aws(q.arn, "dim"))
        out.append_text(alarm_lines(self.alarms))
        self.query_one("#summary", Static).update(out)

    def _render_links(self) -> None:
        q = self.queue
        rows = []
        for arn, linked in self.linked.items():
            role = "DLQ of this queue" if arn == q.dlq_arn else "source (dead-letters here)"
            if arn == q.dlq_arn and q.max_receive_count:
                role += f" after {q.max_receive_count} receives"
            name = linked.name if linked else arn_name(arn)
            rows.append(
                (
                    arn,
                    (
                        plain(role, "dim"),
                        aws(name, "bold"),
                        plain(linked.visible if linked else "?"),
                        plain(linked.in_flight if linked else "?"),
                    ),
                )
            )
        table = self.query_one("#links", KeyedTable)
        table.sync(rows)
        if not rows:
            table.display = False
            self.query_one("#links", KeyedTable).display = False
        else:
            table.display = True

    def running_task(self) -> MessageMoveTask | None:
        if self.tasks and self.tasks[0].status in ops.ACTIVE:
            return self.tasks[0]
        return None

    def _render_moves(self) -> None:
        q = self.queue
        is_dlq = q.is_dlq
        for selector in ("#moves-heading", "#move-state", "#move-bar", "#moves"):
            self.query_one(selector).display = is_dlq
        if not is_dlq:
            return
        running = self.running_task()
        bar = self.query_one("#move-bar", ProgressBar)
        state = Text(end="")
        if running is not None:
            total = running.to_move if running.to_move is not None else max(running.moved, 1)
            state.append(f"a move task is {running.status}: ", style="bold yellow")
            state.append(f"{running.moved}/{total} moved")
            state.append("  (one at a time per queue; c cancels it)", style="dim")
            bar.update(total=max(total, 1), progress=running.moved)
            bar.display = True
        else:
            state.append("no move task running", style="dim")
            state.append("  R redrives every message to its source queue", style="dim")
            bar.display = False
        self.query_one("#move-state", Static).update(state)
        present = self.presenter
        now = present.now()
        rows = []
        for i, t in enumerate(self.tasks):
            of = "?" if t.to_move is None else str(t.to_move)
            rows.append(
                (
                    t.handle or f"task-{i}",
                    (
                        aws(t.status, "bold" if t.status in ops.ACTIVE else ""),
                        plain(f"{t.moved}/{of}"),
                        plain(f"{t.max_per_second}/s" if t.max_per_second else "auto"),
                        aws(arn_name(t.destination_arn) if t.destination_arn else "original sources"),
                        plain(present.age(t.started_at, now)),
                        aws(t.failure_reason or "", "red"),
                    ),
                )
            )
        self.query_one("#moves", KeyedTable).sync(rows)

    def _render_messages(self) -> None:
        table = self.query_one("#messages", KeyedTable)
        present = self.presenter
        now = present.now()
        rows = []
        for mid, m in self.messages.items():
            body = first_line(m.body)
            if self.filter_text and not matches(m.body, self.filter_text):
                continue
            rows.append(
                (
                    mid,
                    (
                        plain("●" if mid in self.selected else " ", "bold yellow"),
                        plain(present.age(m.sent_at, now)),
                        plain(m.receive_count),
                        aws(m.group_id or ("-" if self.queue.fifo else "")),
                        body,
                    ),
                )
            )
        table.sync(rows)
        table.display = bool(rows) or self.peeked
        groups.render_groups(self)
        self._render_body()
        info = f"{self.queue.visible} visible"
        if self.peeked:
            info += f" · peeked {len(self.messages)} · {len(self.selected)} selected (space)"
        else:
            info += " · p peeks"
        self.status.set_info(info)

    def _render_body(self) -> None:
        box = self.query_one("#message-body", Static)
        message = self.current_message()
        if message is None:
            box.display = False
            return
        box.display = True
        self.shown_body = message_text(message)
        box.update(self.shown_body)

    def apply_filter(self) -> None:
        self._render_messages()

    def on_data_table_row_highlighted(self, event: KeyedTable.RowHighlighted) -> None:
        if event.data_table.id == "messages":
            self._render_body()

    def current_message(self) -> QueueMessage | None:
        key = self.query_one("#messages", KeyedTable).cursor_key
        return self.messages.get(key) if key else None

    # --- actions ---------------------------------------------------------------------------
    def action_open(self) -> None:
        """Enter on a message toggles its selection."""
        self.action_toggle_select()

    def refusal_of(self, action: str) -> str:
        """Read-only peeks only a queue without a redrive policy: a peek raises receive counts."""
        if action == "peek":
            try:
                self.host.operations.check_peek(self.queue)
            except Refused as exc:
                return str(exc)
        return ""

    def action_peek(self) -> None:
        if why := self.refusal_of("peek"):
            self.host.say(why, severity="warning")
            return
        self.run_worker(self._peek(), group="peek", exclusive=True, exit_on_error=False)

    async def _peek(self) -> None:
        self.status.set_info("peeking…")
        try:
            found = await self.api.reads.peek(self.queue, PEEK_N)
        except Exception as exc:
            self.status.set_error(describe_aws_error(exc))
            return
        self.messages = {m.message_id: m for m in found}
        self.selected &= set(self.messages)
        self.peeked = True
        self.peeks += 1
        self._render_messages()
        if found:
            self.query_one("#messages", KeyedTable).focus()
        else:
            self.notify(f"{self.queue.name}: no visible message to peek", timeout=3)

    def action_toggle_select(self) -> None:
        message = self.current_message()
        if message is None:
            return
        if message.message_id in self.selected:
            self.selected.discard(message.message_id)
        else:
            self.selected.add(message.message_id)
        self._render_messages()

    def chosen(self) -> list[QueueMessage]:
        return [m for mid, m in self.messages.items() if mid in self.selected]

    def action_redrive_all(self) -> None:
        if not self.queue.is_dlq:
            self.notify(f"{self.queue.name} is no queue's DLQ: nothing to redrive", severity="warning")
            return
        _start(self.app, redrive_all_flow(self.app, self.queue))

    def action_cancel_move(self) -> None:
        host = self.host
        _start(self.app, host.run_operation(lambda: host.operations.prepare_cancel_redrive(self.queue)))

    def action_redrive_selected(self) -> None:
        self._act_on_chosen(self.host.operations.prepare_redrive_selected)

    def action_delete_selected(self) -> None:
        self._act_on_chosen(self.host.operations.prepare_delete_selected)

    def _act_on_chosen(
        self, prepare: Callable[[Queue, Sequence[QueueMessage]], Awaitable[Operation]]
    ) -> None:
        """``M``/``D``: the operation on the selected messages (the peek's), through the one path."""
        chosen = self.chosen()
        if not chosen:
            self.notify("select messages first: p peeks, space selects", severity="warning", timeout=4)
            return
        _start(self.app, self._on_chosen(lambda: prepare(self.queue, chosen), chosen))

    async def _on_chosen(
        self, prepare: Callable[[], Awaitable[Operation]], chosen: Sequence[QueueMessage]
    ) -> None:
        outcome = await self.host.run_operation(prepare)
        if outcome is not None and outcome.confirmed:
            # Their receipt handles are spent and they left this queue: a new peek shows what is left.
            for m in chosen:
                self.messages.pop(m.message_id, None)
                self.selected.discard(m.message_id)
            self._render_messages()

    def action_purge(self) -> None:
        _start(self.app, purge_flow(self.app, self.queue))

    def action_redrive_group(self) -> None:
        groups.group_action(self, "redrive")

    def action_delete_group(self) -> None:
        groups.group_action(self, "delete")

    def action_consumer_logs(self) -> None:
        message = self.current_message()
        if message is None:
            self.notify("peek first (p), then choose a message", severity="warning", timeout=4)
            return
        self.run_worker(groups.open_consumer_logs(self, message), group="consumer-logs", exit_on_error=False)
