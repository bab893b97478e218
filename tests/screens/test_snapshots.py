"""Snapshots of the main screens on the seeded demo world, on the fetch path users get.

The panes read everything (metrics, queue ages, the detail's parts); a still presenter
(tests/screens/still.py) draws ages and sparklines as fixed marks and generated ids as
``#id``, and a poll interval longer than the test loads each pane once, so a snapshot is
taken of a screen that no longer changes.  Review a report before ``--snapshot-update``.
"""

from __future__ import annotations

from typing import Any

import pytest
from still import StillPresenter
from textual.pilot import Pilot
from tui_helpers import command, make_app, wait_for

from console.config import Settings
from screens.app import LIGHT_THEME
from screens.detail.service import ServiceDetailScreen
from screens.queues import QueuesScreen
from screens.services import ServicesScreen

ONE_LOAD = 3600.0  # a poll interval longer than any test: each pane loads once


def frozen_app(settings: Settings, **options: Any):  # type: ignore[no-untyped-def]
    return make_app(
        settings, presenter=StillPresenter(), poll_interval=ONE_LOAD, demo_label="DEMO", **options
    )


async def clusters_loaded(pilot: Pilot[Any]) -> None:
    app = pilot.app
    # A session world may still be back-filling its day of metrics: the status line says so
    # until it is whole, so the screen is still only once the facade has nothing more to say.
    await wait_for(pilot, lambda: app.api.world.done, timeout=120)
    await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)
    await wait_for(
        pilot, lambda: "…" not in [app.screen.table.plain_row(k)[6] for k in app.screen.table.keys]
    )
    await pilot.pause()


async def open_asharvi(pilot: Pilot[Any]) -> None:
    await clusters_loaded(pilot)
    await command(pilot, "cluster asharvi-backend-cluster")
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.polls > 0)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (140, 36)])
def test_clusters_snapshot(snap_compare, settings: Settings, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(frozen_app(settings), run_before=clusters_loaded, terminal_size=size)


def test_services_snapshot(snap_compare, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(frozen_app(settings), run_before=open_asharvi, terminal_size=(140, 30))


def test_services_light_theme_80x24(snap_compare, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    app = frozen_app(settings)
    app.theme = LIGHT_THEME
    assert snap_compare(app, run_before=open_asharvi, terminal_size=(80, 24))


def test_help_snapshot(snap_compare, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_asharvi(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(frozen_app(settings), run_before=run_before, terminal_size=(120, 40))


def test_service_detail_snapshot(snap_compare, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_asharvi(pilot)
        app = pilot.app
        app.screen.table.select_key(
            next(k for k in app.screen.table.keys if k.endswith("/asharvi-backend-prod"))
        )
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceDetailScreen) and app.screen.polls > 0)
        await pilot.pause()

    assert snap_compare(frozen_app(settings), run_before=run_before, terminal_size=(130, 44))


def test_queues_snapshot(snap_compare, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[Any]) -> None:
        await clusters_loaded(pilot)
        await command(pilot, "queues")
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, QueuesScreen) and app.screen.queues)
        await pilot.pause()

    assert snap_compare(frozen_app(settings), run_before=run_before, terminal_size=(120, 24))
