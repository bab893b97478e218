"""Opening on a cluster from reads made while the UI loaded (console.prefetch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tui_helpers import rows, wait_for

from console import prefetch
from console.api import ConsoleApi
from console.config import Settings
from console.demo.runtime import DemoRuntime
from screens.app import OpsConsoleApp
from screens.clusters import ClustersScreen
from screens.services import ServicesScreen


async def test_read_first_view_lists_and_describes_the_top_rows(settings: Settings) -> None:
    api = ConsoleApi(settings)
    try:
        view = await prefetch.read_first_view(api, settings.regions, "asharvi-backend-cluster")
    finally:
        await api.close()
    assert view.cluster.name == "asharvi-backend-cluster" and view.cluster.region == "ap-south-1"
    assert sorted(a.rsplit("/", 1)[-1] for a in view.first_page) == [
        "asharvi-backend-prod",
        "asharvi-backend-staging",
    ]
    assert {s.name for s in view.services} == {"asharvi-backend-prod", "asharvi-backend-staging"}


async def test_the_console_starts_from_the_first_view_then_keeps_polling(settings: Settings) -> None:
    api = ConsoleApi(settings)
    first = prefetch.start(api, settings.regions, "asharvi-backend-cluster")
    app = OpsConsoleApp(
        settings, api=api, first_view=first, cluster="asharvi-backend-cluster", poll_interval=2.0
    )
    milestones = app.milestones
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen))
            screen = app.screen
            assert isinstance(screen, ServicesScreen)
            await wait_for(pilot, lambda: "services_first_screenful" in milestones)
            assert first.done() and app.first_view is None  # used once, for the start
            await wait_for(pilot, lambda: screen.polls >= 1)  # the pane's own poll ran after it
            names = [r[0] for r in rows(app, "services")]
            assert names == ["asharvi-backend-prod", "asharvi-backend-staging"]
            assert all(r[1] != "…" for r in rows(app, "services"))  # described, not placeholders
            await pilot.press("escape")  # the clusters pane was held while covered: it loads now
            await wait_for(
                pilot, lambda: isinstance(app.screen, ClustersScreen) and len(app.screen.table.keys) == 5
            )
    finally:
        await api.close()


async def test_an_unknown_cluster_is_reported_and_the_clusters_pane_loads(settings: Settings) -> None:
    api = ConsoleApi(settings)
    first = prefetch.start(api, settings.regions, "asharvi-backend-clustr")
    app = OpsConsoleApp(settings, api=api, first_view=first, cluster="asharvi-backend-clustr")
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await wait_for(pilot, lambda: any("did you mean" in str(n.message) for n in app._notifications))
            message = next(str(n.message) for n in app._notifications if "did you mean" in str(n.message))
            assert "asharvi-backend-clustr" in message and "asharvi-backend-cluster" in message
            assert isinstance(app.screen, ClustersScreen)
            await wait_for(pilot, lambda: len(app.screen.table.keys) == 5)  # type: ignore[attr-defined]
    finally:
        await api.close()


async def open_on(settings: Settings, cluster: str) -> list[str]:
    """Open the console on ``cluster`` and wait for its first load; the services pane's rows."""
    api = ConsoleApi(settings)
    app = OpsConsoleApp(
        settings,
        api=api,
        first_view=prefetch.start(api, settings.regions, cluster),
        cluster=cluster,
        poll_interval=600.0,  # one load only: the calls counted are the start's
    )
    try:
        async with app.run_test(size=(140, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.polls >= 1)
            return [r[0] for r in rows(app, "services")]
    finally:
        await api.close()


async def test_the_first_page_read_ahead_is_not_listed_again(
    settings: Settings, tui_world: DemoRuntime, boto: Callable[[str, str], Any]
) -> None:
    tui_world.server.reset_counts()
    names = await open_on(settings, "asharvi-backend-cluster")
    assert names == ["asharvi-backend-prod", "asharvi-backend-staging"]
    assert tui_world.counts().get("ecs.ListServices") == 1  # its only page, read once

    ecs = boto("ecs", "ap-south-1")
    prod = ecs.describe_services(cluster="asharvi-backend-cluster", services=["asharvi-backend-prod"])
    family = prod["services"][0]["taskDefinition"]
    extra = [f"pagefill-{i:03d}" for i in range(110)]  # with the two: 112, two pages of 100
    for name in extra:
        ecs.create_service(cluster="asharvi-backend-cluster", serviceName=name, taskDefinition=family)
    tui_world.server.reset_counts()
    names = await open_on(settings, "asharvi-backend-cluster")
    assert sorted(names) == sorted(["asharvi-backend-prod", "asharvi-backend-staging", *extra])
    assert tui_world.counts().get("ecs.ListServices") == 2  # the first page ahead, the second after it
