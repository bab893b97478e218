"""Ask why a task is being stopped: ECS keeps the reason as the task's stoppedReason."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from console.model import Task, short_name
from console.ops.stoptask import MAX_REASON
from screens.format import aws
from screens.modals.input_row import InputRowScreen


def check_reason(text: str) -> tuple[str | None, str]:
    reason = " ".join(text.split())
    if not reason:
        return None, "a reason is required (it is recorded in ECS and in the audit log)"
    if len(reason) > MAX_REASON:
        return None, f"{len(reason)} characters: ECS keeps at most {MAX_REASON}"
    return reason, ""


class StopReasonScreen(InputRowScreen[str]):
    DEFAULT_CSS = """
    StopReasonScreen #reason-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="stop_reason.cancel")]
    prefix = "reason"

    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task_to_stop = task

    def compose_head(self) -> ComposeResult:
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
        yield Static(head, id="reason-head")

    def make_input(self) -> Input:
        return Input(placeholder="why? (recorded as the task's stoppedReason)")

    def check(self, text: str) -> tuple[str | None, str]:
        return check_reason(text)
