"""The one facade both front ends use: the CLI's commands and the TUI's screens call this, never
``console.aws`` or ``console.demo`` directly.

``ConsoleApi`` owns the gateways and their budgets (one set per run), offers the reads the panes and
commands need (:class:`~console.api.reads.Reads`) and the operations they prepare and run
(:class:`~console.api.operations.Operations`). Concurrency lives here and below, not in the screens:
the coming per-account fan-out changes this package and nothing above it.
"""

from __future__ import annotations

from console.api.dlq import DlqTriage
from console.api.incidents import Incidents
from console.api.logs import Logs
from console.api.operations import Operations
from console.api.reads import Reads
from console.api.triage import Triage
from console.aws.context import Gateways, make_gateways
from console.aws.session import ClientSettings
from console.aws.sqs import QueueMessage, binary_preview
from console.config import Settings


class ConsoleApi:
    """What a front end holds for the length of a run."""

    def __init__(
        self,
        settings: Settings,
        gateways: Gateways | None = None,
        *,
        client_settings: ClientSettings | None = None,
    ) -> None:
        """``gateways``: a caller's own (it closes them); else made here from ``settings``, with
        ``client_settings`` (retries, timeouts) when given, and closed by :meth:`close`."""
        self.settings = settings
        self.gateways = gateways or make_gateways(settings, client_settings=client_settings)
        self._own_gateways = gateways is None
        self.reads = Reads(settings, self.gateways)
        self.operations = Operations(settings, self.gateways)
        self.logs = Logs(settings, self.gateways)
        self.incidents = Incidents(settings.endpoint_url)
        self.triage = Triage(settings, self.gateways)
        self.dlq = DlqTriage(self.gateways)

    async def close(self) -> None:
        await self.triage.close()
        if self._own_gateways:
            await self.gateways.aws.close()


# Values (not requests) a front end may name: the gateways' type, client settings, a peeked message.
__all__ = [
    "ClientSettings",
    "ConsoleApi",
    "Gateways",
    "Incidents",
    "Logs",
    "Operations",
    "QueueMessage",
    "Reads",
    "binary_preview",
]
