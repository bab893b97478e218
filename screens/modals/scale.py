"""Ask for a service's new desired count, within the bounds the service is held to.

The bounds are the service's guard tags tightened by the profile (the same
:class:`~console.ops.guards.Guards` the plan uses, so the modal never offers
what the plan refuses nor refuses what it allows); each shows where it comes
from. They are checked as the number is typed (and again by the plan): a
single-writer service offers 0 or 1 and nothing else.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from console.model import Service
from console.ops.guards import MAX, MIN, SINGLE_WRITER, Guards
from screens.format import aws
from screens.modals import key_label


def bounds(rules: Guards) -> tuple[int, int | None]:
    """(lowest, highest or None) the service's rules allow."""
    low = rules.min_count or 0
    high = rules.max_count
    if rules.single_writer:
        high = 1 if high is None else min(high, 1)
    return low, high


def check_count(text: str, rules: Guards) -> tuple[int | None, str]:
    """(count, "") when ``text`` is an allowed count, else (None, why not)."""
    text = text.strip()
    if not text or not text.lstrip("-").isdigit():
        return None, "a whole number, please"
    count = int(text)
    low, high = bounds(rules)
    if count < 0:
        return None, "the count cannot be negative"
    if count < low:
        return None, f"below the rule {rules.describe(MIN)}"
    if high is not None and count > high:
        if rules.single_writer and (rules.max_count is None or rules.max_count > 1):
            return None, f"at most 1: rule {rules.describe(SINGLE_WRITER)}"
        return None, f"above the rule {rules.describe(MAX)}"
    return count, ""


def limits_text(rules: Guards) -> str:
    """``allowed: 1-4`` (an en dash) and, one per line, each rule that sets a bound, with its source."""
    low, high = bounds(rules)
    lines = [f"allowed: {low}–{high if high is not None else 'any'}"]
    present = {SINGLE_WRITER: rules.single_writer, MIN: rules.min_count is not None}
    present[MAX] = rules.max_count is not None
    lines += [f"  rule: {rules.describe(kind)}" for kind, on in present.items() if on]
    if rules.single_writer:
        lines.append("  single-writer: never two tasks")
    return "\n".join(lines)


class ScaleScreen(ModalScreen[int | None]):
    DEFAULT_CSS = """
    ScaleScreen { align: center middle; background: $background 60%; }
    ScaleScreen > Vertical {
        width: 64; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    ScaleScreen #scale-error { color: $error; height: auto; }
    ScaleScreen Horizontal { height: 3; align: center middle; }
    ScaleScreen Button { margin: 0 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="scale.cancel")]

    def __init__(self, service: Service, rules: Guards) -> None:
        super().__init__()
        self.service = service
        self.rules = rules

    def compose(self) -> ComposeResult:
        s = self.service
        head = Text(end="")
        head.append("Scale ", style="bold")
        head.append_text(aws(f"{s.cluster_name}/{s.name}", "bold"))
        head.append(f"\ndesired {s.desired}, running {s.running}, pending {s.pending}")
        with Vertical():
            yield Static(head, id="scale-head")
            yield Static(aws(limits_text(self.rules)), id="scale-bounds")
            yield Input(value=str(s.desired), type="integer", id="scale-input", select_on_focus=True)
            yield Static("", id="scale-error")
            with Horizontal():
                yield Button(key_label("Enter", "Plan"), id="scale-ok", variant="primary")
                yield Button(key_label("Esc", "Cancel"), id="scale-cancel")

    def on_mount(self) -> None:
        self.query_one("#scale-input", Input).focus()

    @on(Input.Changed, "#scale-input")
    def _changed(self, event: Input.Changed) -> None:
        _count, why = check_count(event.value, self.rules)
        self.query_one("#scale-error", Static).update(why)
        self.query_one("#scale-ok", Button).disabled = bool(why)

    @on(Input.Submitted, "#scale-input")
    @on(Button.Pressed, "#scale-ok")
    def _submit(self) -> None:
        count, why = check_count(self.query_one("#scale-input", Input).value, self.rules)
        if count is None:
            self.query_one("#scale-error", Static).update(why)
            return
        self.dismiss(count)

    @on(Button.Pressed, "#scale-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
