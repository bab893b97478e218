"""Confirm a plan before anything is sent: what changes, before and after, and the warnings.

Every mutation shows its :class:`console.ops.plan.Plan` here (posting's
ConfirmationModal is the model: a ``ModalScreen[bool]`` answered with
``dismiss``).  With warnings, the focus starts on Cancel so a reflexive Enter
does not scale a single-writer service to two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.format import aws

if TYPE_CHECKING:
    from console.ops.plan import Plan


def plan_text(plan: Plan, *, reveal: bool = False) -> Text:
    out = Text(end="")
    out.append_text(aws(plan.title, "bold"))
    if plan.is_noop:
        out.append("\n  nothing to do: ", style="dim")
        out.append_text(aws(plan.noop_reason))
    for change in plan.changes:
        out.append("\n  ")
        out.append_text(aws(change.render(reveal=reveal), "cyan"))
    for detail in plan.details:
        out.append("\n  ")
        out.append_text(aws(detail))
    for warning in plan.warnings:
        out.append("\n  ⚠ ", style="bold yellow")
        out.append_text(aws(warning, "yellow"))
    return out


class ConfirmPlanScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "confirm", "Apply", id="confirm.yes"),
        Binding("n,escape", "cancel", "Cancel", id="confirm.no"),
        Binding("v", "reveal", "Reveal secrets", id="confirm.reveal", show=False),
        Binding("left,right,tab", "app.focus_next", "Move", show=False),
    ]

    def __init__(self, plan: Plan, *, confirm_label: str = "Apply [y]") -> None:
        super().__init__()
        self.plan = plan
        self.confirm_label = confirm_label
        self.reveal = False

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-body"):
            with VerticalScroll(id="confirm-plan"):
                yield Static(plan_text(self.plan), id="plan-text")
            with Horizontal(id="confirm-buttons"):
                yield Button(
                    self.confirm_label, id="confirm-button", variant="warning", disabled=self.plan.is_noop
                )
                yield Button("Cancel [n]", id="cancel-button")

    def on_mount(self) -> None:
        target = "#cancel-button" if (self.plan.warnings or self.plan.is_noop) else "#confirm-button"
        self.query_one(target, Button).focus()

    @on(Button.Pressed, "#confirm-button")
    def action_confirm(self) -> None:
        if not self.plan.is_noop:
            self.dismiss(True)

    @on(Button.Pressed, "#cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.query_one("#plan-text", Static).update(plan_text(self.plan, reveal=self.reveal))
