"""The top bar (breadcrumb, profile, regions, DEMO / READ-ONLY marks) and the status line.

The status line is where refresh errors go: one line from
``console.errors.describe_aws_error``, shown next to the age of the data still
on screen, so an expired token or a throttled call never blanks a table.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from screens.format import aws


class TopBar(Static):
    DEFAULT_CSS = """
    TopBar { dock: top; height: 1; padding: 0 1; }
    """

    def show(
        self, crumbs: list[str], *, profile: str, regions: str, demo: str | None, read_only: bool
    ) -> None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if demo:
            text.append(" DEMO ", style="bold reverse yellow")
            text.append(" ")
            if demo.strip().upper() != "DEMO":
                text.append_text(aws(demo, "dim"))
                text.append("  ")
        if read_only:
            text.append(" READ-ONLY ", style="bold reverse red")
            text.append(" ")
        for i, crumb in enumerate(crumbs):
            if i:
                text.append(" › ", style="dim")
            text.append_text(aws(crumb, "bold" if i == len(crumbs) - 1 else ""))
        text.append("   ")
        text.append_text(aws(f"{profile} · {regions}", "dim"))
        self.update(text)


class StatusLine(Static):
    """One line: what the pane shows, when it last refreshed, and the last error if any."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; }
    StatusLine.-error { color: $text-error; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.info = ""
        self.error = ""
        self.notice = ""  # what was just done or refused (screens.app.say): kept until the next
        self.notice_style = "bold"

    def set_info(self, info: str) -> None:
        self.info = info
        self._render_line()

    def set_error(self, error: str) -> None:
        self.error = error
        self.set_class(bool(error), "-error")
        self._render_line()

    def set_notice(self, notice: str, *, severity: str = "information") -> None:
        self.notice = notice
        self.notice_style = {"error": "bold red", "warning": "bold yellow"}.get(severity, "bold")
        self._render_line()

    def _render_line(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if self.notice:
            text.append_text(aws(self.notice, self.notice_style))
            text.append("  ·  ", style="dim")
        if self.error:
            text.append("⚠ ", style="bold")
            text.append_text(aws(self.error))
            if self.info:
                text.append("  ·  " + self.info, style="dim")
        else:
            text.append(self.info)
        self.update(text, layout=False)  # one row, the width of the screen: a new text never resizes it
