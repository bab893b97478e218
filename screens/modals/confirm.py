"""Confirm a plan before anything is sent: what changes, before and after, and the warnings.

Every mutation shows its :class:`console.ops.plan.Plan` here (posting's
ConfirmationModal is the model: a ``ModalScreen[bool]`` answered with
``dismiss``).  The rules, the same in every plan, so a reflex is never wrong:

* the buttons show their keys as they are typed: ``y Apply``, ``n Cancel``;
* the focus starts on Apply and moves (←/→, Tab) only between the two buttons;
* Enter presses the focused button, except that on a plan with warnings Enter
  on Apply does nothing and says so (``y`` applies it): a reflexive Enter must
  neither scale a single-writer service to two nor cancel without a word;
* Esc and ``n`` cancel, always; the line under the buttons says what Enter does.

A no-op plan ("nothing to do: ...") has one button, ``Esc Close``.
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
from screens.modals import key_label

if TYPE_CHECKING:
    from console.ops.plan import Plan

BUTTONS = ("#confirm-button", "#cancel-button")
ENTER_APPLIES = "Enter applies (y) · Esc or n cancels, nothing is sent"
ENTER_CANCELS = "Enter cancels, nothing is sent · y applies"
ENTER_BLOCKED = "this plan has warnings: Enter does not apply it · y applies · Esc or n cancels"
ENTER_REFUSED = "Enter does nothing on a plan with warnings: read them, then y applies · Esc or n cancels"
ENTER_CLOSES = "Enter or Esc closes: nothing to do"


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
        Binding("enter", "enter", "Enter", id="confirm.enter", show=False, priority=True),
        Binding("v", "reveal", "Reveal secrets", id="confirm.reveal", show=False),
        Binding("left,shift+tab", "move(-1)", "Move", show=False, priority=True),
        Binding("right,tab", "move(1)", "Move", show=False, priority=True),
        Binding("up", "scroll_plan(-1)", "Scroll", show=False),
        Binding("down", "scroll_plan(1)", "Scroll", show=False),
        Binding("pageup", "scroll_plan(-10)", "Scroll", show=False),
        Binding("pagedown", "scroll_plan(10)", "Scroll", show=False),
    ]

    def __init__(self, plan: Plan, *, confirm_label: str = "Apply") -> None:
        super().__init__()
        self.plan = plan
        self.confirm_label = confirm_label
        self.reveal = False

    @property
    def guarded(self) -> bool:
        """Enter does not apply this plan: it has warnings to read first."""
        return bool(self.plan.warnings)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-body"):
            with VerticalScroll(id="confirm-plan", can_focus=False):
                yield Static(plan_text(self.plan), id="plan-text")
            with Horizontal(id="confirm-buttons"):
                if self.plan.is_noop:
                    yield Button(key_label("Esc", "Close"), id="cancel-button")
                else:
                    yield Button(key_label("y", self.confirm_label), id="confirm-button", variant="warning")
                    yield Button(key_label("n", "Cancel"), id="cancel-button")
            yield Static(id="confirm-hint")

    def on_mount(self) -> None:
        self.query_one(BUTTONS[1] if self.plan.is_noop else BUTTONS[0], Button).focus()
        self._hint()

    def _hint(self, refused: bool = False) -> None:
        if self.plan.is_noop:
            text = ENTER_CLOSES
        elif self._focused_id() == "cancel-button":
            text = ENTER_CANCELS
        elif self.guarded:
            text = ENTER_REFUSED if refused else ENTER_BLOCKED
        else:
            text = ENTER_APPLIES
        hint = self.query_one("#confirm-hint", Static)
        hint.update(Text(text, style="bold yellow" if refused or self.guarded else "dim"))

    def _focused_id(self) -> str:
        return (self.focused.id or "") if self.focused is not None else ""

    def action_move(self, step: int) -> None:
        """Focus the other button; nothing else here takes the focus (no invisible stops)."""
        buttons = [b for b in self.query(Button) if b.display and not b.disabled]
        if not buttons:
            return
        ids = [b.id for b in buttons]
        at = ids.index(self._focused_id()) if self._focused_id() in ids else 0
        buttons[(at + step) % len(buttons)].focus()
        self._hint()

    def on_descendant_focus(self) -> None:
        self._hint()  # a click moved the focus: the line says what Enter does now

    def action_scroll_plan(self, lines: int) -> None:
        plan = self.query_one("#confirm-plan", VerticalScroll)
        plan.scroll_relative(y=lines, animate=False)

    def action_enter(self) -> None:
        if self.plan.is_noop or self._focused_id() == "cancel-button":
            self.action_cancel()
        elif self.guarded:
            self.app.bell()
            self._hint(refused=True)
        else:
            self.action_confirm()

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
