"""Confirm a plan before anything is sent: what changes, before and after, and the warnings.

Every mutation shows its :class:`console.ops.plan.Plan` here (posting's
ConfirmationModal is the model: a ``ModalScreen[bool]`` answered with
``dismiss``).  The rules, the same in every plan, so a reflex is never wrong:

* the buttons show their keys as they are typed: ``y Apply``, ``n Cancel``;
* the focus starts on Apply and moves (←/→, Tab) only between the two buttons;
* Enter presses the focused button, except that on a plan with warnings Enter
  on Apply does nothing and says so (``y`` applies it): a reflexive Enter must
  neither scale a single-writer service to two nor cancel without a word;
* Esc and ``n`` cancel, always; the line under the buttons says what Enter does;
* a protected service's plan (``opsconsole:protected``) asks for its name, typed in a
  field that shows what is typed: Enter applies only when the name matches (the modal
  answers with the typed text, which the runner checks again); ``y`` and ``n`` are
  letters there, so Esc cancels.

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
from textual.widgets import Button, Input, Static

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


def type_hint(name: str) -> str:
    return f"type {name} and press Enter to apply · Esc cancels, nothing is sent"


def mistyped(typed: str, name: str) -> str:
    return f"typed {typed!r}, not {name!r}: nothing was sent · type the name exactly, or Esc cancels"


def plan_text(plan: Plan, *, reveal: bool = False) -> Text:
    out = Text(end="")
    out.append_text(aws(plan.title, "bold"))
    for rule in plan.rules:
        out.append("\n  ")
        out.append_text(aws(rule, "dim"))
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


class ConfirmPlanScreen(ModalScreen[bool | str]):
    BINDINGS = [
        Binding("y", "confirm", "Apply", id="confirm.yes"),
        Binding("n,escape", "cancel", "Cancel", id="confirm.no"),
        Binding("enter", "enter", "Enter", id="confirm.enter", show=False, priority=True),
        Binding("v", "reveal", "Reveal secrets", id="confirm.reveal", show=False),
        Binding("shift+tab", "move(-1)", "Move", show=False, priority=True),
        Binding("tab", "move(1)", "Move", show=False, priority=True),
        Binding("left", "arrow(-1)", "Move", show=False, priority=True),
        Binding("right", "arrow(1)", "Move", show=False, priority=True),
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
    def protected(self) -> bool:
        """The service's name must be typed to apply (``Plan.type_to_confirm``)."""
        return bool(self.plan.type_to_confirm) and not self.plan.is_noop

    @property
    def guarded(self) -> bool:
        """Enter does not apply this plan: it has warnings to read first."""
        return bool(self.plan.warnings)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="modal-body"):
            with VerticalScroll(id="confirm-plan", can_focus=False):
                yield Static(plan_text(self.plan), id="plan-text")
            if self.protected:
                yield Static(aws(f"rule: {self.plan.type_reason}", "bold yellow"), id="confirm-type-reason")
                yield Input(placeholder=self.plan.type_to_confirm, id="confirm-name")
            with Horizontal(id="confirm-buttons"):
                if self.plan.is_noop:
                    yield Button(key_label("Esc", "Close"), id="cancel-button")
                elif self.protected:
                    yield Button(
                        key_label("Enter", self.confirm_label), id="confirm-button", variant="warning"
                    )
                    yield Button(key_label("Esc", "Cancel"), id="cancel-button")
                else:
                    yield Button(key_label("y", self.confirm_label), id="confirm-button", variant="warning")
                    yield Button(key_label("n", "Cancel"), id="cancel-button")
            yield Static(id="confirm-hint")

    def on_mount(self) -> None:
        if self.protected:
            self.query_one("#confirm-name", Input).focus()
        else:
            self.query_one(BUTTONS[1] if self.plan.is_noop else BUTTONS[0], Button).focus()
        self._hint()

    def _hint(self, refused: bool = False) -> None:
        if self.protected:
            typed = self.query_one("#confirm-name", Input).value.strip()
            name = self.plan.type_to_confirm
            if self._focused_id() == "cancel-button":
                text = ENTER_CANCELS.replace(" · y applies", "")
            elif refused:
                text = mistyped(typed, name)
            else:
                text = type_hint(name)
            self.query_one("#confirm-hint", Static).update(aws(text, "bold yellow"))
            return
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

    def action_arrow(self, step: int) -> None:
        """←/→: the cursor in the name field, else the other button."""
        if isinstance(self.focused, Input):
            if step < 0:
                self.focused.action_cursor_left()
            else:
                self.focused.action_cursor_right()
            return
        self.action_move(step)

    def action_move(self, step: int) -> None:
        """Focus the next of the name field and the buttons; nothing else here takes the focus."""
        buttons: list[Input | Button] = [b for b in self.query(Button) if b.display and not b.disabled]
        if self.protected:
            buttons.insert(0, self.query_one("#confirm-name", Input))
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
        if self.protected and self._focused_id() != "cancel-button":
            self._typed()
            return
        if self.plan.is_noop or self._focused_id() == "cancel-button":
            self.action_cancel()
        elif self.guarded:
            self.app.bell()
            self._hint(refused=True)
        else:
            self.action_confirm()

    def _typed(self) -> None:
        """Apply when the name field holds the service's name; otherwise say what was typed."""
        typed = self.query_one("#confirm-name", Input).value.strip()
        if typed == self.plan.type_to_confirm:
            self.dismiss(typed)
        else:
            self.app.bell()
            self._hint(refused=True)

    @on(Input.Changed, "#confirm-name")
    def _name_changed(self) -> None:
        self._hint()

    @on(Button.Pressed, "#confirm-button")
    def action_confirm(self) -> None:
        if self.protected:
            self._typed()
        elif not self.plan.is_noop:
            self.dismiss(True)

    @on(Button.Pressed, "#cancel-button")
    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_reveal(self) -> None:
        self.reveal = not self.reveal
        self.query_one("#plan-text", Static).update(plan_text(self.plan, reveal=self.reveal))
