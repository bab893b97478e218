"""The names the ``:`` command line completes, gathered from where the user is.

What is on screen comes at once (the clusters the console knows, the services and queues
of the panes on the stack); the listing behind it is read through console.api.names when
the line opens, for the kind being typed only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from console.model import Cluster, Service
from screens.commands import CommandNames
from screens.pane import PaneScreen
from screens.queues import QueuesScreen
from screens.services import ServicesScreen

if TYPE_CHECKING:
    from screens.app import OpsConsoleApp

P = TypeVar("P", bound=PaneScreen)


def pane_in_stack(app: OpsConsoleApp, kind: type[P]) -> P | None:
    """The topmost pane of ``kind`` on the stack, or None."""
    return next((s for s in reversed(app.screen_stack) if isinstance(s, kind)), None)


def known_names(app: OpsConsoleApp, kind: str) -> list[str]:
    """Names on screen already: completion starts with them while the listing is read."""
    if kind == "cluster":
        return sorted({c.name for c in app.known_clusters.values()})
    if kind == "services":
        services = pane_in_stack(app, ServicesScreen)
        return sorted({s.name for s in services.services.values()}) if services else []
    if kind == "queues":
        queues = pane_in_stack(app, QueuesScreen)
        return sorted({q.name for q in queues.queues.values()}) if queues else []
    if kind == "logs":
        return list(app.settings.profile.log_groups)
    return []


def place_services(app: OpsConsoleApp, clusters: Sequence[Cluster], service: Service | None) -> list[Service]:
    """The services whose log groups ``:logs`` offers: the one in view, or a cluster's."""
    if service is not None:
        return [service]
    pane = pane_in_stack(app, ServicesScreen)
    return list(pane.services.values()) if pane is not None and len(clusters) == 1 else []


async def read_names(app: OpsConsoleApp, kind: str) -> list[str]:
    from console.api import names

    if kind == "cluster":
        return await names.cluster_names(app.api, app.regions, app.settings.profile.clusters)
    clusters, service = app._nav_context()
    if kind == "services":
        clusters = clusters or list(app.known_clusters.values())
        return await names.service_names(app.api, clusters) if clusters else []
    if kind == "queues":
        return await names.queue_names(app.api, app.regions)
    return await names.log_groups_of_place(
        app.api,
        app.regions,
        services=place_services(app, clusters, service),
        profile_groups=app.settings.profile.log_groups,
    )


def command_names(app: OpsConsoleApp) -> CommandNames:
    """What one opening of the command line completes from."""

    async def load(kind: str) -> list[str]:
        return await read_names(app, kind)

    return CommandNames(known=lambda kind: known_names(app, kind), load=load)
