"""A one-line prompt that shows its label and what is typed, above the status line.

A prompt docked on its own at the bottom of a screen lands under the key bar (two
widgets docked at one edge overlap in Textual), so what the user types is
invisible.  This one is mounted inside the pane's ``#bottom`` stack, beside the
``/`` filter: label on the left, the input taking the rest of the row.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static


class Prompt(Horizontal):
    DEFAULT_CSS = """
    Prompt { display: none; height: 1; background: $boost; }
    Prompt.-shown { display: block; }
    Prompt > .prompt--label { width: auto; height: 1; padding: 0 1; text-style: bold; color: $accent; }
    Prompt > Input, Prompt > Input:focus {
        width: 1fr; height: 1; border: none; padding: 0 1 0 0; background: $boost;
    }
    """

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self.mode = ""
        self._input_id = f"{id}-input"

    def compose(self) -> ComposeResult:
        yield Static("", classes="prompt--label")
        yield Input(id=self._input_id)

    @property
    def input(self) -> Input:
        return self.query_one(f"#{self._input_id}", Input)

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")

    def ask(self, mode: str, label: str, placeholder: str, value: str = "") -> None:
        """Show the prompt with ``label`` (our text, shown as is) and focus its input."""
        self.mode = mode
        self.query_one(".prompt--label", Static).update(Text(label))
        box = self.input
        box.placeholder = placeholder
        box.value = value
        box.cursor_position = len(value)
        self.add_class("-shown")
        box.focus()

    def close(self) -> None:
        self.mode = ""
        self.remove_class("-shown")


__all__ = ["Prompt"]
