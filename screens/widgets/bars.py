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
    """Marks, breadcrumb, then profile and regions; the current place is never the part cut.

    When the line is too narrow the profile and regions are cut first (down to
    WHERE_KEPT cells), then the breadcrumb loses its oldest crumbs (the CUT mark says so)
    cut), then the profile and regions go; the current place is cut last, from its
    left, so its end (the name one acts on) stays on screen.
    """

    DEFAULT_CSS = """
    TopBar { dock: top; height: 1; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: tuple[list[str], str, str, str | None, bool] | None = None

    def show(
        self, crumbs: list[str], *, profile: str, regions: str, demo: str | None, read_only: bool
    ) -> None:
        self._shown = (list(crumbs), profile, regions, demo, read_only)
        self.update(self.line(self.content_size.width or self.app.size.width - 2))

    def on_resize(self) -> None:
        if self._shown is not None:
            self.update(self.line(self.content_size.width))

    def line(self, width: int) -> Text:
        assert self._shown is not None
        crumbs, profile, regions, demo, read_only = self._shown
        marks = Text(no_wrap=True, end="")
        if demo:
            marks.append(" DEMO ", style="bold reverse yellow")
            marks.append(" ")
            if demo.strip().upper() != "DEMO":
                marks.append_text(aws(demo, "dim"))
                marks.append("  ")
        if read_only:
            marks.append(" READ-ONLY ", style="bold reverse red")
            marks.append(" ")
        where = Text("   ", end="")
        where.append_text(aws(f"{profile} · {regions}", "dim"))
        room = width - marks.cell_len
        budget = room - min(where.cell_len, WHERE_KEPT)  # profile and regions beyond this are cut
        current = aws(crumbs[-1]).cell_len + (len(CUT) if len(crumbs) > 1 else 0) if crumbs else 0
        if current > budget:  # the current place goes before the profile and regions
            where, budget = Text(""), room
        trail = breadcrumb_text(crumbs, max(budget, 1))
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append_text(marks)
        text.append_text(trail)
        text.append_text(where)
        return text


CUT = "… › "
WHERE_KEPT = 24  # cells of "profile · regions" the breadcrumb leaves before it cuts its own crumbs


def breadcrumb_text(crumbs: list[str], width: int) -> Text:
    """The crumbs within ``width`` cells: the oldest dropped first behind CUT; the last one
    (the current place) kept whole if it fits, else its end with ``…`` in front."""

    def joined(parts: list[str], cut: bool) -> Text:
        text = Text(end="")
        if cut:
            text.append(CUT, style="dim")
        for i, crumb in enumerate(parts):
            if i:
                text.append(" › ", style="dim")
            text.append_text(aws(crumb, "bold" if i == len(parts) - 1 else ""))
        return text

    for first in range(len(crumbs)):
        text = joined(crumbs[first:], first > 0)
        if text.cell_len <= width:
            return text
    if not crumbs:
        return Text("", end="")
    last = aws(crumbs[-1], "bold")
    keep = max(width - 1, 1)
    return Text.assemble(Text("…", style="dim"), last[max(len(last) - keep, 0) :], end="")


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
        self.waiting = ""
        self.world = ""  # the world behind the endpoint is still being made (screens.world_notice)

    def on_mount(self) -> None:
        self.world = str(getattr(self.app, "world_notice", "") or "")
        if self.world:
            self._render_line()

    # The setters, in the order the line shows their parts.
    def set_notice(self, notice: str, *, severity: str = "information") -> None:
        self.notice = notice
        self.notice_style = {"error": "bold red", "warning": "bold yellow"}.get(severity, "bold")
        self._render_line()

    def set_world(self, world: str) -> None:
        self.world = world
        self._render_line()

    def set_waiting(self, waiting: str) -> None:
        """What a pane with nothing read yet is waiting for ("connecting to … (3 s)"); "" when done."""
        self.waiting = waiting
        self._render_line()

    def set_error(self, error: str) -> None:
        self.error = error
        self.set_class(bool(error), "-error")
        self._render_line()

    def set_info(self, info: str) -> None:
        self.info = info
        self._render_line()

    def _render_line(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if self.notice:
            text.append_text(aws(self.notice, self.notice_style))
            text.append("  ·  ", style="dim")
        if self.world:  # first: the panes look emptier than they will until it goes
            text.append_text(aws(self.world, "italic yellow"))
            text.append("  ·  ", style="dim")
        if self.waiting:
            text.append("… ", style="bold")
            text.append_text(aws(self.waiting, "bold yellow"))
            if self.error:
                text.append("  ·  last try: ", style="dim")
                text.append_text(aws(self.error, "dim"))
        elif self.error:
            text.append("⚠ ", style="bold")
            text.append_text(aws(self.error))
            if self.info:
                text.append("  ·  " + self.info, style="dim")
        else:
            text.append(self.info)
        self.update(text, layout=False)  # one row, the width of the screen: a new text never resizes it
