"""A modal that asks for one value: a heading, one input, one error line, and Enter / Esc buttons.

The stop reason, the scale count and a purge's typed name are each this shape; a subclass says
what the heading shows, how the input starts, and how a typed value is checked (the value, or
why not, shown in the error line and nothing dismissed). Enter (or the first button) submits,
Esc (or the second) cancels with None.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from screens.modals import key_label

T = TypeVar("T")


class InputRowScreen(ModalScreen[T | None], Generic[T]):
    DEFAULT_CSS = """
    InputRowScreen { align: center middle; background: $background 60%; }
    InputRowScreen > Vertical {
        width: 80; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    InputRowScreen .input-row-error { color: $error; height: auto; }
    InputRowScreen Horizontal { height: 3; align: center middle; }
    InputRowScreen Button { margin: 0 2; }
    """
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "cancel", "Cancel", id="input_row.cancel")
    ]

    prefix: ClassVar[str] = "input-row"  # the widgets' ids: PREFIX-input, -error, -ok, -cancel
    ok_label: ClassVar[str] = "Plan"
    ok_variant: ClassVar[str] = "primary"
    error_line: ClassVar[bool] = True  # False: every value is accepted, nothing to say

    def compose_head(self) -> ComposeResult:
        """What stands above the input (the subject and its limits)."""
        yield from ()

    def make_input(self) -> Input:
        return Input()

    def ok_text(self) -> str:
        return self.ok_label

    def check(self, text: str) -> tuple[T | None, str]:
        """(value, "") when ``text`` is acceptable, else (None, why not)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        p = self.prefix
        with Vertical():
            yield from self.compose_head()
            box = self.make_input()
            box.id = f"{p}-input"
            yield box
            if self.error_line:
                yield Static("", id=f"{p}-error", classes="input-row-error")
            with Horizontal():
                yield Button(key_label("Enter", self.ok_text()), id=f"{p}-ok", variant=self.ok_variant)  # type: ignore[arg-type]
                yield Button(key_label("Esc", "Cancel"), id=f"{p}-cancel")

    @property
    def input_box(self) -> Input:
        return self.query_one(f"#{self.prefix}-input", Input)

    def show_why(self, why: str) -> None:
        self.query_one(f"#{self.prefix}-error", Static).update(why)

    def on_mount(self) -> None:
        self.input_box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == f"{self.prefix}-input":
            event.stop()
            self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == f"{self.prefix}-ok":
            event.stop()
            self._submit()
        elif event.button.id == f"{self.prefix}-cancel":
            event.stop()
            self.action_cancel()

    def _submit(self) -> None:
        value, why = self.check(self.input_box.value)
        if value is None:
            self.show_why(why)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
