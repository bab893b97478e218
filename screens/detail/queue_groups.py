"""The queue detail's DLQ triage: the peeked messages grouped by their error key (counts, first and
last sent), a group redriven or deleted on its own, and ``l`` from a message to its consumer's logs
around its first receive.

The grouping is console.triage.dlq_groups (pure); the reads and plans go through the facade
(``api.dlq``, ``operations.prepare_*_selected(group=…)``) and the app's one operation path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from console.api import QueueMessage
from console.triage.dlq_groups import MessageGroup, group_messages, group_of
from screens.format import aws, plain
from screens.widgets.keyed_table import KeyedTable

if TYPE_CHECKING:
    from screens.detail.queue import QueueDetailScreen

GROUP_COLUMNS = [("count", "COUNT"), ("key", "ERROR GROUP"), ("first", "FIRST SENT"), ("last", "LAST SENT")]


def groups_table() -> KeyedTable:
    table = KeyedTable(id="groups", classes="auto")
    table.set_columns(GROUP_COLUMNS)
    return table


def render_groups(screen: QueueDetailScreen) -> list[MessageGroup]:
    """Fill the groups table from the last peek (a DLQ's only); returns the groups shown."""
    table = screen.query_one("#groups", KeyedTable)
    heading = screen.query_one("#groups-heading")
    groups = group_messages(screen.messages.values()) if screen.queue.is_dlq else []
    present = screen.presenter
    now = present.now()
    table.sync(
        [
            (
                g.key,
                (
                    plain(g.count, "bold"),
                    aws(g.key),
                    plain(present.age(g.first_sent, now)),
                    plain(present.age(g.last_sent, now)),
                ),
            )
            for g in groups
        ]
    )
    table.display = heading.display = bool(groups)
    return groups


def current_group(screen: QueueDetailScreen) -> MessageGroup | None:
    """The group under the groups table's cursor when it has the focus, else the current message's."""
    groups = group_messages(screen.messages.values())
    table = screen.query_one("#groups", KeyedTable)
    if screen.focused is table and table.cursor_key:
        return next((g for g in groups if g.key == table.cursor_key), None)
    message = screen.current_message()
    return group_of(groups, message.message_id) if message is not None else None


def members(messages: Mapping[str, QueueMessage], group: MessageGroup) -> list[QueueMessage]:
    return [messages[mid] for mid in group.message_ids if mid in messages]


def group_action(screen: QueueDetailScreen, verb: str) -> None:
    """``m`` redrive / ``X`` delete the current group, through the one operation path."""
    if not screen.queue.is_dlq:
        screen.notify(f"{screen.queue.name} is no queue's DLQ: no error groups", severity="warning")
        return
    group = current_group(screen)
    if group is None:
        screen.notify(
            "peek first (p): the groups come from the peeked messages", severity="warning", timeout=4
        )
        return
    chosen = members(screen.messages, group)
    operations = screen.host.operations
    queue = screen.queue
    if verb == "redrive":
        prepare = lambda: operations.prepare_redrive_selected(queue, chosen, group=group.key)  # noqa: E731
    else:
        prepare = lambda: operations.prepare_delete_selected(queue, chosen, group=group.key)  # noqa: E731
    screen.app.run_worker(
        screen._on_chosen(prepare, chosen), group="operation", exclusive=True, exit_on_error=False
    )


async def open_consumer_logs(screen: QueueDetailScreen, message: QueueMessage) -> None:
    """``l``: the consumer's logs ±2 min around the message's first receive, filtered to its id."""
    from screens.timeline import LogsWindowScreen

    app = screen.host
    try:
        target = await screen.api.dlq.consumer_logs(screen.queue, message)
    except Exception as exc:
        screen.status.set_error(f"consumers of {screen.queue.name}: {type(exc).__name__}: {exc}")
        return
    if target is None:
        screen.host.say(
            f"no consumer of {screen.queue.name} found (no Lambda event source mapping, no ECS service "
            "whose task definition names the queue)",
            severity="warning",
        )
        return
    c = target.consumer
    pane = LogsWindowScreen(
        since_ms=target.since_ms,
        until_ms=target.until_ms,
        group=c.log_group or None,
        service=c.service,
        mention=target.message_id,
    )
    screen.navigation.push_pane(pane)
    when = f"{target.first_receive:%H:%M:%S}" if target.first_receive else "?"
    app.say(f"logs of {c.describe()} around the first receive ({when}) of {target.message_id}", timeout=8)
