"""The service detail's auto scaling: its section (target, policies, activities) and the ``A`` key.

``A`` reads the target again, asks for min/max and scale-in in a modal, and hands the prepared
RegisterScalableTarget to the app's one operation path (plan modal, apply, audit, verify). A
service with no target says so in the status line and asks nothing.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from console.api.autoscaling import AutoScalingView
from console.api.operations import CANCELLED
from console.model import Service
from screens.bindings import mutating
from screens.format import aws

# Not in the key bar (Esc and / keep their room there): the section names the key, `?` lists it.
AUTOSCALING_OPERATIONS = [
    mutating("A", "autoscaling", "Auto scaling", id="service_detail.autoscaling", show=False)
]


def autoscaling_text(view: AutoScalingView | None) -> Text:
    """The section's text: AWS's values shown literally; "could not be read" when the read failed."""
    out = Text(end="")
    if view is None:
        out.append("auto scaling: could not be read", style="dim")
        return out
    for i, line in enumerate(view.lines()):
        if i:
            out.append("\n")
        out.append_text(aws(line, "" if i == 0 else "dim", max_len=400))
    if view.target is not None:
        out.append("\nA changes min/max or suspends scale-in", style="dim")
    return out


async def autoscaling_flow(app: Any, service: Service) -> None:
    from screens.modals.autoscaling import AutoScalingScreen

    ops = app.operations
    service = await ops.current(service)
    view = await app.api.reads.autoscaling(service)
    if view.target is None:
        app.say(f"{service.name} has no auto scaling target: only a person changes its count")
        return
    change = await app.push_screen_wait(AutoScalingScreen(service, view))
    if change is None:
        app.say(CANCELLED)
        return
    await app.run_operation(lambda: ops.prepare_autoscaling(service, change))


class AutoScalingOperations:
    """The ``A`` action for a pane with a selected service."""

    app: Any

    def action_autoscaling(self) -> None:
        from screens.operations import start

        service: Service | None = self.selected_service()  # type: ignore[attr-defined]  # the pane's
        if service is not None:
            start(self.app, autoscaling_flow(self.app, service))
