"""``?``: every binding of the screen it was opened on, with its id (for ``[keys]`` remaps)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from screens.bindings import is_mutating_binding


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close_alt"),
        Binding("q", "dismiss", "Close", show=False, id="help.close_q"),
    ]

    def __init__(self, rows: list[tuple[str, str, str, str, bool]], title: str) -> None:
        """rows: (key, description, action, binding id, enabled)."""
        super().__init__()
        self.rows = rows
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="modal-body"):
            yield Static(Text(f"Keys: {self.title_text}", style="bold"), classes="heading")
            table: DataTable[Text] = DataTable(id="help-table", cursor_type="row")
            table.add_column("KEY", key="key")
            table.add_column("ACTION", key="action")
            table.add_column("ID", key="id")
            table.add_column("", key="state")
            for key, description, _action, binding_id, enabled in self.rows:
                state = "" if enabled else "disabled (read-only)"
                style = "" if enabled else "dim"
                table.add_row(
                    Text(key, style="bold " + style),
                    Text(description, style=style),
                    Text(binding_id, style="dim"),
                    Text(state, style="red"),
                )
            yield table
            yield Static(Text("Esc closes · remap keys in the profile's [keys] table by id", style="dim"))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


def binding_rows(screen: object) -> list[tuple[str, str, str, str, bool]]:
    """The active bindings of a screen (app, screen and focused widget), one row per action."""
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    rows: list[tuple[str, str, str, str, bool]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        description = binding.description or binding.action
        if (binding.action, description) in seen and not binding.id:
            continue
        seen.add((binding.action, description))
        if is_mutating_binding(binding):
            description += " ⚠"  # changes AWS
        display = binding.key_display or screen.app.get_key_display(binding)
        rows.append((display or key, description, binding.action, binding.id or "", active.enabled))
    rows.sort(key=lambda r: (r[3].split(".")[0] if r[3] else "~", r[0]))
    return rows
