"""``c`` copies the selected row's ARN (or id), ``U`` opens its AWS console URL: in every pane.

The copy goes through the terminal's clipboard (OSC 52, ``App.copy_to_clipboard``), so it works
over ssh and in tmux with ``set-clipboard on``; the notice says what was copied, in full. ``U``
opens the URL in a desktop browser when one is there (never a terminal browser, which would
take over the console) and always shows the URL with its account and region, so it can be
copied from the status line (``c`` on the same row copies the ARN instead).
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding

from console.links import console_link, identity, log_group, open_in_browser
from screens.widgets.keyed_table import KeyedTable

COPY_OPEN_BINDINGS = [
    Binding("c", "copy_id", "Copy ARN", id="pane.copy", show=False),
    Binding("U", "open_url", "Open in AWS console", id="pane.url", show=False),
]
# What a pane may hold its selection as (the first that answers wins).
_SELECTORS = ("selected_service", "selected_task", "selected_queue", "selected_entry", "selected")
_HELD = ("task_", "queue", "detail", "service")


class CopyOpen:
    """Mixed into PaneScreen: the selected resource, its identity, its console link."""

    app: Any

    def selected_resource(self) -> object | None:
        """The pane's selected model value, else the focused table's row key (an ARN or an id)."""
        for name in _SELECTORS:
            method = getattr(self, name, None)
            if callable(method):
                found = method()
                if found is not None:
                    return found
        sources = getattr(self, "sources", None)  # the logs pane: the groups it follows
        if sources:
            first = sources[0]
            return log_group(first.group, first.region)
        for name in _HELD:
            held = getattr(self, name, None)
            if held is not None and not callable(held):
                return held
        focused = getattr(self.app, "focused", None)
        if isinstance(focused, KeyedTable) and focused.cursor_key:
            return focused.cursor_key
        return None

    def _tell(self, message: str, *, warning: bool = False, timeout: float = 6) -> None:
        """A toast and the pane's status line (which keeps it until the next thing said)."""
        severity = "warning" if warning else "information"
        self.app.notify(message, severity=severity, timeout=timeout, markup=False)
        status = getattr(self, "status", None)
        if status is not None:
            status.set_notice(message, severity=severity)

    def action_copy_id(self) -> None:
        found = identity(self.selected_resource())
        if found is None:
            self._tell("nothing selected to copy", warning=True)
            return
        what, text = found
        self.app.copy_to_clipboard(text)
        self._tell(f"copied {what}: {text}")

    def action_open_url(self) -> None:
        resource = self.selected_resource()
        link = console_link(resource) if resource is not None else None
        if link is None:
            self._tell("no AWS console page for this row", warning=True)
            return
        settings = getattr(getattr(self, "host", None), "settings", None)
        line = link.line(getattr(settings, "endpoint_url", None))
        opened = not getattr(settings, "endpoint_url", None) and open_in_browser(link.url)
        self._tell(("opened " if opened else "") + line, timeout=20)
