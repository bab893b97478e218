"""SQS queues of the profile's regions: depth, age of the oldest message, and who feeds which DLQ."""

from __future__ import annotations

from textual.binding import Binding

from console.api.views import RegionAlarms
from console.model import Queue
from screens import fleet
from screens.bindings import mutating
from screens.format import alarm_names, aws, plain
from screens.pane import matches
from screens.table_pane import TablePane, TableSpec

COLUMNS = [
    ("name", "QUEUE"),
    ("region", "REGION"),
    ("visible", "VISIBLE"),
    ("in_flight", "IN FLIGHT"),
    ("delayed", "DELAYED"),
    ("oldest", "OLDEST"),
    ("dlq", "DEAD-LETTER"),
    ("alarms", "ALARMS"),
]
# What a narrow terminal hides first (the name never): see KeyedTable.set_columns.
# The alarm names go first (the status line still counts them; a DLQ's depth is already red).
DROP_ORDER = ("alarms", "delayed", "in_flight", "region", "oldest", "dlq", "visible")
ALARM_NAMES_SHOWN = 1  # then "+N"


class QueuesScreen(TablePane):
    spec = TableSpec("queues", COLUMNS, DROP_ORDER)
    account_column = True
    crumb = "queues"
    poll_interval = 10.0
    BINDINGS = [
        Binding("enter", "open", "Detail", id="queues.open"),
        mutating("R", "redrive_all", "Redrive all", id="queues.redrive_all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queues: dict[str, Queue] = {}
        self.alarms = RegionAlarms()  # the last read of each region (None: it failed, "?")

    async def load(self) -> None:
        view = await self.api.reads.queues_view(
            self.host.regions, on_error=lambda exc: self.notifier.note_error(exc, quiet=True)
        )
        self.queues = {q.url: q for q in view.queues}
        self.alarms = view.alarms
        self.render_rows()

    def alarms_cell(self, q: Queue) -> object:
        found = self.alarms.of_queue(q)
        return alarm_names(None if found is None else [a.name for a in found], ALARM_NAMES_SHOWN)

    def oldest_cell(self, q: Queue) -> object:
        """The oldest message's age; "?" when messages wait and CloudWatch gave no age (never "-")."""
        if q.oldest_age_s is None and q.visible:
            return plain("?", "yellow")
        return plain(self.presenter.duration(q.oldest_age_s), "yellow" if (q.oldest_age_s or 0) > 300 else "")

    def row(self, q: Queue) -> tuple[object, ...]:
        by_arn = {x.arn: x for x in self.queues.values() if x.arn}
        if q.is_dlq:
            sources = ", ".join(
                by_arn[a].name if a in by_arn else a.rsplit(":", 1)[-1] for a in q.source_arns
            )
            dlq = aws(f"DLQ of {sources}", "bold red" if q.visible else "yellow")
        elif q.dlq_arn:
            target = by_arn[q.dlq_arn].name if q.dlq_arn in by_arn else q.dlq_arn.rsplit(":", 1)[-1]
            suffix = f" after {q.max_receive_count}" if q.max_receive_count else ""
            dlq = aws(f"→ {target}{suffix}", "dim")
        else:
            dlq = plain("-", "dim")
        depth_style = "bold reverse red" if q.is_dlq and q.visible else ""
        return fleet.with_account_cell(
            self._row(q, dlq, depth_style), self.host.settings.regions, q.region, q.url
        )

    def _row(self, q: Queue, dlq: object, depth_style: str) -> tuple[object, ...]:
        return (
            aws(q.name, "bold"),
            plain(q.region),
            plain(q.visible, depth_style),
            plain(q.in_flight),
            plain(q.delayed),
            self.oldest_cell(q),
            dlq,
            self.alarms_cell(q),
        )

    def render_rows(self) -> None:
        rows = []
        for q in sorted(self.queues.values(), key=lambda q: (q.account_name, q.region, q.name)):
            cells = self.row(q)
            if self.filter_text and not matches(" ".join(c.plain for c in cells), self.filter_text):  # type: ignore[attr-defined]
                continue
            rows.append((q.url, cells))
        self.table.sync(rows)
        dlqs = [q for q in self.queues.values() if q.is_dlq and q.visible]
        note = f" · {len(dlqs)} DLQ(s) holding messages" if dlqs else ""
        firing = sum(len(self.alarms.of_queue(q) or ()) for q in self.queues.values())
        if firing:
            note += f" · {firing} queue alarm(s) firing"
        unknown = self.alarms.unknown_regions(self.host.regions)
        if unknown:
            note += f" · alarms unknown in {', '.join(unknown)}"
        note += fleet.per_account((q.account_name for q in self.queues.values()), self.host.regions)
        self.status.set_info(f"{len(rows)} of {len(self.queues)} queues{note}")

    def selected_queue(self) -> Queue | None:
        return self.under_cursor(self.queues)

    def action_open(self) -> None:
        queue = self.selected_queue()
        if queue is not None:
            from screens.detail.queue import QueueDetailScreen

            self.navigation.push_pane(QueueDetailScreen(queue))

    def action_redrive_all(self) -> None:
        """``R`` on a DLQ: its messages back to their source queues (native move task)."""
        queue = self.selected_queue()
        if queue is None:
            return
        if not queue.is_dlq:
            self.notify(f"{queue.name} is no queue's DLQ: R works on a DLQ row", severity="warning")
            return
        from screens.detail.queue import redrive_all_flow

        self.app.run_worker(
            redrive_all_flow(self.app, queue), group="operation", exclusive=True, exit_on_error=False
        )
