"""The base of the pickers of what to deploy to a service: an image (``i``), a revision (``b``).

Both are a framed list over the pane, headed by what goes to which service; Esc dismisses
with None, Enter on an option dismisses with what the deploy takes, and the plan comes next.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import ModalScreen
from textual.widgets import OptionList

from console.model import Service
from screens.format import aws


class PickerScreen(ModalScreen[str | None]):
    DEFAULT_CSS = """
    PickerScreen { align: center middle; background: $background 60%; }
    PickerScreen > Vertical { width: 90%; max-width: 120; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, service: Service) -> None:
        super().__init__()
        self.service = service

    def head(self, what: str) -> Text:
        """The head's first words: "Deploy ``what`` to cluster/service"."""
        head = Text(end="")
        head.append(f"Deploy {what} to ", style="bold")
        head.append_text(aws(f"{self.service.cluster_name}/{self.service.name}", "bold"))
        return head

    def focus_list(self, highlight: int | None) -> None:
        """Focus the list, the option at ``highlight`` highlighted (None: an empty list)."""
        options = self.query_one(OptionList)
        if highlight is not None:
            options.highlighted = highlight
        options.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
