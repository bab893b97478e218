"""Queue messages shown literally, a move task's progress with a Cancel button, and the purge name check.

A message body is someone else's text: it is pretty-printed when it is JSON
and otherwise shown line by line through :func:`screens.format.aws`, so Rich
markup stays characters and escape sequences become visible pictures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Static

from console.api import QueueMessage, binary_preview
from screens.format import aws
from screens.modals import key_label
from screens.modals.input_row import InputRowScreen
from screens.modals.progress import ProgressScreen

if TYPE_CHECKING:
    from console.ops.plan import Plan

MAX_BODY_LINES = 400
SYSTEM_ATTRIBUTES = (
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "MessageGroupId",
    "MessageDeduplicationId",
    "SequenceNumber",
    "DeadLetterQueueSourceArn",
    "SenderId",
)


def first_line(body: str, width: int = 80) -> Text:
    """The first non-blank line of a body, for a table cell."""
    line = next((x for x in body.splitlines() if x.strip()), "")
    return aws(line.strip(), max_len=width)


def body_text(message: QueueMessage) -> Text:
    """The whole body: indented when it parses as JSON, else as sent; always inert."""
    parsed = message.body_json()
    text = json.dumps(parsed, indent=2, ensure_ascii=False) if parsed is not None else message.body
    lines = text.split("\n")
    out = Text(end="")
    for i, line in enumerate(lines[:MAX_BODY_LINES]):
        if i:
            out.append("\n")
        out.append_text(aws(line, max_len=4_000))
    if len(lines) > MAX_BODY_LINES:
        out.append(f"\n… {len(lines) - MAX_BODY_LINES} more lines", style="dim")
    return out


def message_text(message: QueueMessage) -> Text:
    """Body, message attributes and system attributes of one message."""
    out = Text(end="")
    out.append("message ", style="dim")
    out.append_text(aws(message.message_id, "bold"))
    out.append("  JSON\n" if message.body_json() is not None else "  text\n", style="dim")
    out.append_text(body_text(message))
    if message.message_attributes:
        out.append("\n\nmessage attributes", style="bold")
        for name, value in sorted(message.message_attributes.items()):
            out.append("\n  ")
            out.append_text(aws(name, "cyan"))
            out.append_text(aws(f" ({value.get('DataType', 'String')})", "dim"))
            out.append(" = ")
            out.append_text(aws(binary_preview(value), max_len=1_000))
    shown = [(k, message.attributes[k]) for k in SYSTEM_ATTRIBUTES if message.attributes.get(k)]
    if shown:
        out.append("\n\nsystem attributes", style="bold")
        for key, text in shown:
            out.append(f"\n  {key} = ", style="dim")
            out.append_text(aws(text))
    return out


class MoveProgressScreen(ProgressScreen):
    """The progress of a message move task, with ``c`` / a button to cancel it (CancelMessageMoveTask)."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="progress.close"),
        Binding("c", "cancel_move", "Cancel move", id="move_progress.cancel"),
    ]

    def __init__(self, plan: Plan, on_cancel: Callable[[MoveProgressScreen], None]) -> None:
        super().__init__(plan)
        self.on_cancel = on_cancel
        self.cancel_requested = False

    def on_mount(self) -> None:
        box = self.query_one("#progress-box", Vertical)
        box.mount(Static("", id="move-note"))
        box.mount(Button(key_label("c", "Cancel move"), id="move-cancel", variant="error"))

    @on(Button.Pressed, "#move-cancel")
    def action_cancel_move(self) -> None:
        if self.finished or self.cancel_requested:
            return
        self.cancel_requested = True
        self.note("cancelling the move task (CancelMessageMoveTask)…")
        for button in self.query("#move-cancel"):
            button.disabled = True
        self.on_cancel(self)

    def note(self, message: str) -> None:
        for widget in self.query("#move-note"):
            if isinstance(widget, Static):
                widget.update(aws(message, "yellow"))

    def finish(self, ok: bool, message: str) -> None:
        super().finish(ok, message)
        for button in self.query("#move-cancel"):
            button.display = False


class TypeNameScreen(InputRowScreen[str]):
    """The second confirmation of a purge: the queue's name, typed."""

    DEFAULT_CSS = """
    TypeNameScreen > Vertical { border: round $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="type_name.cancel")]
    prefix = "type-name"
    ok_variant = "error"
    error_line = False

    def __init__(self, name: str, what: str = "purge") -> None:
        super().__init__()
        self.expected = name
        self.what = what

    def compose_head(self) -> ComposeResult:
        head = Text(end="")
        head.append(f"Type the queue's name to {self.what} it: ", style="bold")
        head.append_text(aws(self.expected, "bold red"))
        yield Static(head, id="type-name-head")

    def make_input(self) -> Input:
        return Input(placeholder="queue name")

    def ok_text(self) -> str:
        return self.what.capitalize()

    def check(self, text: str) -> tuple[str | None, str]:
        return text, ""  # compared with the name by the caller, which says what differs
