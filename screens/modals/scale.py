"""Ask for a service's new desired count, within the profile's bounds.

The bounds are checked as the number is typed (and again by the plan): a
single-writer service offers 0 or 1 and nothing else.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Input, Static

from console.config import ServiceRules
from console.model import Service
from screens.format import aws
from screens.modals.input_row import InputRowScreen


def bounds(rules: ServiceRules) -> tuple[int, int | None]:
    """(lowest, highest or None) the profile allows."""
    low = rules.min_count or 0
    high = rules.max_count
    if rules.single_writer:
        high = 1 if high is None else min(high, 1)
    return low, high


def check_count(text: str, rules: ServiceRules) -> tuple[int | None, str]:
    """(count, "") when ``text`` is an allowed count, else (None, why not)."""
    text = text.strip()
    if not text or not text.lstrip("-").isdigit():
        return None, "a whole number, please"
    count = int(text)
    low, high = bounds(rules)
    if count < 0:
        return None, "the count cannot be negative"
    if count < low:
        return None, f"the profile's minimum is {low}"
    if high is not None and count > high:
        why = (
            "single-writer service: at most 1" if rules.single_writer else f"the profile's maximum is {high}"
        )
        return None, why
    return count, ""


class ScaleScreen(InputRowScreen[int]):
    DEFAULT_CSS = """
    ScaleScreen > Vertical { width: 64; }
    ScaleScreen #scale-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="scale.cancel")]
    prefix = "scale"

    def __init__(self, service: Service, rules: ServiceRules) -> None:
        super().__init__()
        self.service = service
        self.rules = rules

    def compose_head(self) -> ComposeResult:
        s = self.service
        low, high = bounds(self.rules)
        head = Text(end="")
        head.append("Scale ", style="bold")
        head.append_text(aws(f"{s.cluster_name}/{s.name}", "bold"))
        head.append(f"\ndesired {s.desired}, running {s.running}, pending {s.pending}")
        limits = f"allowed: {low}–{high if high is not None else 'any'}"
        if self.rules.single_writer:
            limits += " (single-writer: never two tasks)"
        yield Static(head, id="scale-head")
        yield Static(limits, id="scale-bounds")

    def make_input(self) -> Input:
        return Input(value=str(self.service.desired), type="integer", select_on_focus=True)

    def check(self, text: str) -> tuple[int | None, str]:
        return check_count(text, self.rules)

    @on(Input.Changed, "#scale-input")
    def _changed(self, event: Input.Changed) -> None:
        _count, why = check_count(event.value, self.rules)
        self.show_why(why)
        self.query_one("#scale-ok", Button).disabled = bool(why)
