"""``:``: a k9s-style command line at the bottom of the screen, with completion of its verbs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input

from screens.commands import COMMAND_WORDS


class CommandLineScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="command_line.cancel")]

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="clusters · svc · tasks · queues · logs [GROUP] · cluster NAME · region R · profile",
            suggester=SuggestFromList(COMMAND_WORDS, case_sensitive=False),
            id="command-input",
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
