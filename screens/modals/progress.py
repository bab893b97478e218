"""An operation under way: a progress bar (running/desired), rollout state and new service events.

``update`` is the ``on_progress`` callback of ``console.ops.runner.execute``;
``finish`` shows how it ended.  Esc closes it once finished (or hides it while
the operation carries on in its worker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from screens.format import aws

if TYPE_CHECKING:
    from console.ops.plan import Plan, Progress

MAX_EVENT_LINES = 200


class ProgressScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close", id="progress.close")]

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan
        self.events: list[str] = []
        self.finished = False
        self.ok: bool | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="progress-box", classes="modal-body"):
            yield Static(aws(self.plan.title, "bold"), id="progress-title")
            yield ProgressBar(total=None, show_eta=False, id="progress-bar")
            yield Static("starting…", id="progress-state")
            with VerticalScroll(id="progress-events"):
                yield Static(id="progress-log")

    def update(self, progress: Progress) -> None:
        if not self.is_attached:
            return
        bar = self.query_one("#progress-bar", ProgressBar)
        bar.update(total=max(progress.total, 1), progress=progress.done)
        line = Text(end="")
        line.append(progress.state, style="bold")
        line.append(f"  {progress.done:g}/{progress.total:g}  ")
        line.append_text(aws(progress.message))
        self.query_one("#progress-state", Static).update(line)
        if progress.events:
            self.events = (self.events + list(progress.events))[-MAX_EVENT_LINES:]
            log = Text(end="")
            for i, event in enumerate(self.events):
                if i:
                    log.append("\n")
                log.append_text(aws(event))
            self.query_one("#progress-log", Static).update(log)

    def finish(self, ok: bool, message: str) -> None:
        self.finished = True
        self.ok = ok
        if not self.is_attached:
            return
        state = self.query_one("#progress-state", Static)
        state.update(aws(("✓ " if ok else "✗ ") + message, "bold green" if ok else "bold red"))
        self.query_one("#progress-bar", ProgressBar).display = ok

    def action_close(self) -> None:
        self.dismiss(None)
