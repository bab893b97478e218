"""Alarms of note in the clusters pane and the service detail, from the demo's CloudWatch alarms."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static
from tui_helpers import command, make_app, rows, wait_for

from console.config import Settings
from console.demo.runtime import DemoRuntime
from console.demo.server import FaultSpec
from screens.clusters import ClustersScreen
from screens.detail.service import ServiceDetailScreen
from screens.services import ServicesScreen

DOCU_CR = "arn:aws:ecs:us-east-1:123456789012:cluster/docu-cr-backend-cluster"
ASHARVI = "arn:aws:ecs:ap-south-1:123456789012:cluster/asharvi-backend-cluster"
ALARMS = 7  # the ALARMS column


def alarms_column(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    table = app.screen.table
    return {key: table.plain_row(key)[ALARMS] for key in table.keys}


async def test_clusters_show_their_firing_alarms(settings: Settings, tui_world: DemoRuntime, boto) -> None:  # type: ignore[no-untyped-def]
    app = make_app(settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, ClustersScreen) and len(app.screen.table.keys) == 5
        )
        pane = app.screen
        await wait_for(pilot, lambda: "…" not in alarms_column(app).values())
        column = alarms_column(app)
        assert column[DOCU_CR] == "docu-cr-backend-memory-high"
        # frameratr's target-tracking AlarmLow is in ALARM too, but it only scales.
        assert all(v == "-" for k, v in column.items() if k != DOCU_CR)
        cell = pane.table._cells[DOCU_CR][ALARMS]
        assert isinstance(cell, Text) and "red" in str(cell.style)
        assert pane.clusters[DOCU_CR].alarms == ("docu-cr-backend-memory-high",)
        assert "2 alarms firing (1 on no cluster)" in pane.status.info  # the DLQ's is on no cluster

        await pilot.press("slash", *"memory-high", "enter")
        await wait_for(pilot, lambda: pane.table.keys == [DOCU_CR])
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(pane.table.keys) == 5)

        boto("cloudwatch", "ap-south-1").set_alarm_state(
            AlarmName="asharvi-backend-prod-cpu-high", StateValue="ALARM", StateReason="Threshold Crossed"
        )
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: alarms_column(app)[ASHARVI] == "asharvi-backend-prod-cpu-high")

        # A failing DescribeAlarms: every cluster stays, the column says "?", the pane has no error.
        tui_world.server.middleware.set_faults(
            FaultSpec(server_error=1.0, only=frozenset({"monitoring"}), ops=frozenset({"DescribeAlarms"}))
        )
        polls = pane.polls
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: pane.polls > polls and set(alarms_column(app).values()) == {"?"})
        assert len(pane.table.keys) == 5
        assert [r[3] for r in rows(app, "clusters")] == ["2", "1", "1", "1", "1"]  # services still counted
        assert not pane.status.error
        assert "alarms unknown in" in pane.status.info

        tui_world.server.middleware.set_faults(None)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: alarms_column(app)[DOCU_CR] == "docu-cr-backend-memory-high")


async def test_service_detail_shows_the_services_alarms(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(130, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        await command(pilot, "cluster docu-cr-backend-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceDetailScreen) and app.screen.polls > 0)
        assert [a.name for a in app.screen.alarms or ()] == ["docu-cr-backend-memory-high"]
        summary = str(app.screen.query_one("#summary", Static).render())
        assert "ALARM docu-cr-backend-memory-high" in summary
        assert "were greater than the threshold (55.0)" in summary  # CloudWatch's own reason


SERVICE_ALARMS = 5  # the services pane's ALARMS column


async def test_services_pane_names_each_services_firing_alarms(
    settings: Settings, tui_world: DemoRuntime, boto
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(settings)
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and app.screen.table.keys)
        await command(pilot, "cluster asharvi-backend-cluster")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.polls > 0)
        pane = app.screen

        def column() -> dict[str, str]:
            return {r[0]: r[SERVICE_ALARMS] for r in rows(app, "services")}

        assert column() == {"asharvi-backend-prod": "-", "asharvi-backend-staging": "-"}
        cw = boto("cloudwatch", "ap-south-1")
        for name in ("asharvi-backend-prod-cpu-high", "asharvi-backend-prod-memory-high"):
            cw.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="Threshold Crossed")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: column()["asharvi-backend-prod"] == "asharvi-backend-prod-cpu-high +1")
        assert column()["asharvi-backend-staging"] == "-"
        cell = pane.table._cells[pane.table.keys[0]][SERVICE_ALARMS]
        assert isinstance(cell, Text) and "red" in str(cell.style)

        while pane.sort_column != "alarms":  # o: sort by the next column; O: reverse (most alarms first)
            await pilot.press("o")
        await pilot.press("O")
        await wait_for(pilot, lambda: rows(app, "services")[0][0] == "asharvi-backend-prod")

        # A failing DescribeAlarms: the services stay, the column says "?", the pane has no error.
        tui_world.server.middleware.set_faults(
            FaultSpec(server_error=1.0, only=frozenset({"monitoring"}), ops=frozenset({"DescribeAlarms"}))
        )
        polls = pane.polls
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: pane.polls > polls and set(column().values()) == {"?"})
        assert not pane.status.error
        assert all(r[2].isdigit() for r in rows(app, "services"))  # running counts still shown
        tui_world.server.middleware.set_faults(None)


async def test_the_status_line_counts_the_alarms_of_the_regions_in_view(settings: Settings) -> None:
    app = make_app(settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(
            pilot, lambda: isinstance(app.screen, ClustersScreen) and len(app.screen.table.keys) == 5
        )
        pane = app.screen
        assert isinstance(pane, ClustersScreen)
        await wait_for(pilot, lambda: "2 alarms firing (1 on no cluster)" in pane.status.info)

        await command(pilot, "region us-east-1")  # the DLQ's alarm is in ap-south-1
        await wait_for(
            pilot,
            lambda: (
                pane.clusters
                and all(c.region == "us-east-1" for c in pane.clusters.values())
                and "1 regions" in pane.status.info
            ),
        )
        assert "1 alarm firing" in pane.status.info
        assert "on no cluster" not in pane.status.info
