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
from textual.widgets import Button, Input, Static

from console.model import Service
from console.ops.guards import MAX, MIN, SINGLE_WRITER, Guards
from screens.format import aws
from screens.modals.input_row import InputRowScreen


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


class ScaleScreen(InputRowScreen[int]):
    DEFAULT_CSS = """
    ScaleScreen > Vertical { width: 64; }
    ScaleScreen #scale-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="scale.cancel")]
    prefix = "scale"

    def __init__(self, service: Service, rules: Guards) -> None:
        super().__init__()
        self.service = service
        self.rules = rules

    def compose_head(self) -> ComposeResult:
        s = self.service
        head = Text(end="")
        head.append("Scale ", style="bold")
        head.append_text(aws(f"{s.cluster_name}/{s.name}", "bold"))
        head.append(f"\ndesired {s.desired}, running {s.running}, pending {s.pending}")
        yield Static(head, id="scale-head")
        yield Static(aws(limits_text(self.rules)), id="scale-bounds")

    def make_input(self) -> Input:
        return Input(value=str(self.service.desired), type="integer", select_on_focus=True)

    def check(self, text: str) -> tuple[int | None, str]:
        return check_count(text, self.rules)

    @on(Input.Changed, "#scale-input")
    def _changed(self, event: Input.Changed) -> None:
        _count, why = check_count(event.value, self.rules)
        self.show_why(why)
        self.query_one("#scale-ok", Button).disabled = bool(why)
