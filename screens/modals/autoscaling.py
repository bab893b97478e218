"""Ask for a service's new auto scaling bounds (min, max) and whether scale-in is suspended.

What is typed is checked as it is typed (two whole numbers, min not above max); the guardrails
and the read-only refusal are the plan's and the runner's, as for every operation.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from console.api.autoscaling import AutoScalingView
from console.model import Service
from console.ops.autoscaling import TargetChange
from screens.format import aws
from screens.modals import key_label


def check_bounds(low: str, high: str) -> tuple[tuple[int, int] | None, str]:
    """((min, max), "") when both are whole numbers and min ≤ max, else (None, why not)."""
    values: list[int] = []
    for name, text in (("min", low.strip()), ("max", high.strip())):
        if not text.isdigit():
            return None, f"{name}: a whole number of tasks, please"
        values.append(int(text))
    if values[0] > values[1]:
        return None, f"min {values[0]} is above max {values[1]}"
    return (values[0], values[1]), ""


class AutoScalingScreen(ModalScreen[TargetChange | None]):
    DEFAULT_CSS = """
    AutoScalingScreen { align: center middle; background: $background 60%; }
    AutoScalingScreen > Vertical {
        width: 64; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    AutoScalingScreen #as-error { color: $error; height: auto; }
    AutoScalingScreen .as-row { height: 3; }
    AutoScalingScreen .as-row Static { width: 6; padding: 1 0; }
    AutoScalingScreen .as-row Input { width: 12; }
    AutoScalingScreen .as-buttons { height: 3; align: center middle; }
    AutoScalingScreen Button { margin: 0 2; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="autoscaling.cancel")]

    def __init__(self, service: Service, view: AutoScalingView) -> None:
        super().__init__()
        self.service = service
        assert view.target is not None
        self.target = view.target
        self.view = view

    def compose(self) -> ComposeResult:
        s, t = self.service, self.target
        head = Text(end="")
        head.append("Auto scaling ", style="bold")
        head.append_text(aws(f"{s.cluster_name}/{s.name}", "bold"))
        head.append(f"\ndesired {s.desired} · now min {t.min_capacity}, max {t.max_capacity}, {t.state()}")
        with Vertical():
            yield Static(head, id="as-head")
            with Horizontal(classes="as-row"):
                yield Static("min")
                yield Input(str(t.min_capacity), type="integer", id="as-min", select_on_focus=True)
                yield Static("max")
                yield Input(str(t.max_capacity), type="integer", id="as-max", select_on_focus=True)
            yield Checkbox("suspend scale-in (during an incident)", t.scale_in_suspended, id="as-suspend")
            yield Static("", id="as-error")
            with Horizontal(classes="as-buttons"):
                yield Button(key_label("Enter", "Plan"), id="as-ok", variant="primary")
                yield Button(key_label("Esc", "Cancel"), id="as-cancel")

    def on_mount(self) -> None:
        self.query_one("#as-min", Input).focus()

    def _bounds(self) -> tuple[tuple[int, int] | None, str]:
        return check_bounds(self.query_one("#as-min", Input).value, self.query_one("#as-max", Input).value)

    @on(Input.Changed)
    def _changed(self) -> None:
        _found, why = self._bounds()
        self.query_one("#as-error", Static).update(why)
        self.query_one("#as-ok", Button).disabled = bool(why)

    @on(Input.Submitted)
    @on(Button.Pressed, "#as-ok")
    def _submit(self) -> None:
        found, why = self._bounds()
        if found is None:
            self.query_one("#as-error", Static).update(why)
            return
        t = self.target
        suspend = self.query_one("#as-suspend", Checkbox).value
        self.dismiss(
            TargetChange(
                min_capacity=found[0] if found[0] != t.min_capacity else None,
                max_capacity=found[1] if found[1] != t.max_capacity else None,
                scale_in_suspended=suspend if suspend != t.scale_in_suspended else None,
            )
        )

    @on(Button.Pressed, "#as-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
