"""Reads for the panes and commands: clusters, services with their alarms and metrics, tasks,
queues, log sources, details. The gathers that used to live in the screens are here."""

from __future__ import annotations

from console.aws.context import Gateways
from console.config import Settings


class Reads:
    def __init__(self, settings: Settings, gateways: Gateways) -> None:
        self.settings = settings
        self.gateways = gateways
