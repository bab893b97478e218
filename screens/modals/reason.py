"""Ask why a task is being stopped: ECS keeps the reason as the task's stoppedReason."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from console.model import Task, short_name
from console.ops.stoptask import MAX_REASON
from screens.format import aws
from screens.modals import key_label


def check_reason(text: str) -> tuple[str | None, str]:
    reason = " ".join(text.split())
    if not reason:
        return None, "a reason is required (it is recorded in ECS and in the audit log)"
    if len(reason) > MAX_REASON:
        return None, f"{len(reason)} characters: ECS keeps at most {MAX_REASON}"
    return reason, ""


class StopReasonScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    StopReasonScreen { align: center middle; background: $background 60%; }
    StopReasonScreen > Vertical {
        width: 80; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    StopReasonScreen #reason-error { color: $error; height: auto; }
    StopReasonScreen Horizontal { height: 3; align: center middle; }
    StopReasonScreen Button { margin: 0 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="stop_reason.cancel")]

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_to_stop = task

    def compose(self) -> ComposeResult:
        t = self.task_to_stop
        head = Text(end="")
        head.append("Stop task ", style="bold")
        head.append_text(aws(t.id, "bold"))
        head.append("\n")  # our own line break; only the AWS values are made inert
        head.append_text(aws(short_name(t.task_definition)))
        head.append("  ")
        head.append_text(aws(t.last_status))
        if t.service_name:
            head.append("  (service ", style="dim")
            head.append_text(aws(t.service_name, "dim"))
            head.append(": ECS starts a replacement)", style="dim")
        with Vertical():
            yield Static(head, id="reason-head")
            yield Input(placeholder="why? (recorded as the task's stoppedReason)", id="reason-input")
            yield Static("", id="reason-error")
            with Horizontal():
                yield Button(key_label("Enter", "Plan"), id="reason-ok", variant="primary")
                yield Button(key_label("Esc", "Cancel"), id="reason-cancel")

    def on_mount(self) -> None:
        self.query_one("#reason-input", Input).focus()

    @on(Input.Submitted, "#reason-input")
    @on(Button.Pressed, "#reason-ok")
    def _submit(self) -> None:
        reason, why = check_reason(self.query_one("#reason-input", Input).value)
        if reason is None:
            self.query_one("#reason-error", Static).update(why)
            return
        self.dismiss(reason)

    @on(Button.Pressed, "#reason-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
