"""The logs pane's place in the navigation (``:logs``, ``l`` on a service, task or container).

The logs helper (issue 4) replaces this screen; the app opens it through
``OpsConsoleApp.open_logs(group=..., service=..., task=..., container=...)``,
so only this module changes.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from console.model import Service, Task
from screens.format import aws
from screens.pane import PaneScreen


class LogsScreen(PaneScreen):
    filterable = False
    poll_interval = 3600.0

    def __init__(
        self,
        *,
        group: str | None = None,
        service: Service | None = None,
        task: Task | None = None,
        container: str | None = None,
    ) -> None:
        super().__init__()
        self.group = group
        self.service = service
        self.task_ = task
        self.container = container
        target = group or (service.name if service else None) or (task.id[:12] if task else None) or "all"
        self.crumb = f"logs {target}"

    def compose_body(self) -> ComposeResult:
        text = Text("The logs pane comes with the logs issue. It will follow: ", end="")
        text.append_text(aws(self.crumb.removeprefix("logs "), "bold"))
        yield Static(text, id="logs-placeholder", classes="section")

    def action_open(self) -> None:
        """Nothing to open."""
