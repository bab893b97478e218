"""The fleet view in the console: an ACCOUNT column, `/` and `:account` on it, a failed account's row."""

from __future__ import annotations

from tui_helpers import command, wait_for

from console.api import ClientSettings, ConsoleApi
from console.config import resolve_settings
from screens.app import OpsConsoleApp
from screens.clusters import ClustersScreen
from screens.detail.service import ServiceDetailScreen
from screens.services import ServicesScreen

from .conftest import FRAMERATR, PROD, STAGING, Fleet

FRAMERATR_CLUSTER = f"arn:aws:ecs:us-east-2:{FRAMERATR}:cluster/frameratr-dev-cluster"
PROD_CLUSTER = f"arn:aws:ecs:us-east-1:{PROD}:cluster/shop-cluster"
STAGING_CLUSTER = f"arn:aws:ecs:us-east-1:{STAGING}:cluster/shop-cluster"


def fleet_app(fleet: Fleet) -> OpsConsoleApp:
    settings = resolve_settings(config_file=str(fleet.profile), endpoint_url=fleet.endpoint)
    api = ConsoleApi(settings, client_settings=ClientSettings(max_attempts=2, read_timeout=10))
    return OpsConsoleApp(settings, api=api, poll_interval=2.0)


def cluster_keys(app: OpsConsoleApp) -> set[str]:
    return {k for k in app.screen.table.keys if k.startswith("arn:")}


async def test_fleet_view_account_column_filter_account_command_and_failed_account(
    fleet_lapsed: Fleet,
) -> None:
    app = fleet_app(fleet_lapsed)
    async with app.run_test(size=(180, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and len(cluster_keys(app)) == 4)
        pane = app.screen
        table = pane.table
        assert table.column_keys[:2] == ["name", "account"]
        assert table.plain_row(FRAMERATR_CLUSTER)[:2] == ["frameratr-dev-cluster", "frameratr"]
        assert table.plain_row(PROD_CLUSTER)[1] == "shop-prod"
        assert table.plain_row(STAGING_CLUSTER)[1] == "shop-staging"
        # The account whose SSO session expired is a row of its own, with the fix; the others loaded.
        await wait_for(pilot, lambda: "account-problem:999988887777" in table.keys)
        problem = table.plain_row("account-problem:999988887777")
        assert "aws sso login --profile lapsed-sso" in problem[0]
        assert problem[1] == "lapsed"
        assert "docverify 1, frameratr 1, shop-staging 1, shop-prod 1" in pane.status.info
        assert "1 account failing" in pane.status.info

        await pilot.press("slash", *"shop-prod", "enter")  # `/` matches the ACCOUNT column
        await wait_for(pilot, lambda: cluster_keys(app) == {PROD_CLUSTER})
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(cluster_keys(app)) == 4)

        await command(pilot, "account frameratr")
        await wait_for(
            pilot, lambda: isinstance(app.screen, ClustersScreen) and cluster_keys(app) == {FRAMERATR_CLUSTER}
        )
        pane = app.screen
        assert "account-problem:999988887777" not in pane.table.keys  # not in view
        assert "frameratr 1" in pane.status.info and "docverify" not in pane.status.info

        # A row of any account opens: services, then the detail, read with that account's keys.
        pane.table.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
        services = app.screen
        arn = f"arn:aws:ecs:us-east-2:{FRAMERATR}:service/frameratr-dev-cluster/frameratr-dev-backend-service"
        await wait_for(pilot, lambda: services.table.plain_row(arn)[1] == "frameratr")
        await pilot.press("d")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, ServiceDetailScreen) and app.screen.task_definition is not None,
        )
        assert app.screen.service.account == FRAMERATR  # read again, in its own account

        await command(pilot, "account")  # alone: every account again
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and len(cluster_keys(app)) == 4)


async def test_a_narrow_terminal_hides_account_first_never_the_name(fleet: Fleet) -> None:
    app = fleet_app(fleet)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and len(cluster_keys(app)) == 4)
        shown = app.screen.table.shown_columns
        assert shown[0] == "name" and "account" not in shown
    app = fleet_app(fleet)
    async with app.run_test(size=(180, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and len(cluster_keys(app)) == 4)
        assert "account" in app.screen.table.shown_columns


async def test_read_only_account_disables_its_keys_where_the_other_account_scales(fleet: Fleet) -> None:
    from screens.modals.scale import ScaleScreen

    app = fleet_app(fleet)
    async with app.run_test(size=(180, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen) and len(cluster_keys(app)) == 4)
        for cluster, account, refused in ((PROD_CLUSTER, PROD, True), (STAGING_CLUSTER, STAGING, False)):
            clusters = app.screen
            clusters.table.move_cursor(row=clusters.table.keys.index(cluster))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ServicesScreen) and app.screen.services)
            pane = app.screen
            assert pane.selected_service().account == account
            await pilot.press("s")
            if refused:
                said = "read-only account shop-prod: scale is disabled"
                await wait_for(pilot, lambda pane=pane, said=said: str(pane.status.notice) == said)
                assert app.screen is pane
            else:
                await wait_for(pilot, lambda: isinstance(app.screen, ScaleScreen))
                await pilot.press("escape")
                await wait_for(pilot, lambda pane=pane: app.screen is pane)
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ClustersScreen))
    for account in (PROD, STAGING):  # nothing was sent to either
        ecs = fleet.client(account, "ecs", "us-east-1")
        assert (
            ecs.describe_services(cluster="shop-cluster", services=["shop-api"])["services"][0][
                "desiredCount"
            ]
            == 1
        )
