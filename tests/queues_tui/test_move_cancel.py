"""The move task's Cancel button: the same one path as every operation (plan, audit), no modal.

The press is the confirmation: CancelMessageMoveTask goes through ``OpsConsoleApp.run_operation``
with ``confirmed_by`` (the runner audits it like any other), and its outcome is the progress
modal's note. The demo moves slowly here (2 messages/s), so the task is still running when
the button is pressed.
"""

from __future__ import annotations

import pytest

from console.config import Settings
from console.demo import sqs_moves
from console.ops import audit
from screens.modals.confirm import ConfirmPlanScreen
from screens.modals.messages import MoveProgressScreen

from .conftest import Pair
from .helpers import make_app, open_detail, screen_text, wait_for


async def test_cancel_button_cancels_the_move_through_the_runner(
    settings: Settings, pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqs_moves.MOVES, "default_rate", 2)
    pair.fill_dlq([f"m{i}" for i in range(40)])
    app = make_app(settings)
    async with app.run_test(size=(140, 50)) as pilot:
        detail = await open_detail(pilot, pair.dlq_name)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmPlanScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, MoveProgressScreen))
        progress = app.screen
        assert isinstance(progress, MoveProgressScreen)
        assert "c Cancel move" in str(progress.query_one("#move-cancel").render())
        await pilot.press("c")
        await wait_for(pilot, lambda: progress.finished, timeout=60)
        assert "cancel" in screen_text(app).lower()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail)
        await wait_for(pilot, lambda: bool(detail.tasks) and detail.tasks[0].status == "CANCELLED")
    actions = [e["action"] for e in audit.entries()]
    assert actions[:1] == ["redrive"] and "redrive-cancel" in actions
    left, _ = pair.counts(pair.dlq_url)
    assert left > 0  # stopped before the end
