"""Operations for both front ends: ``prepare_*`` returns an Operation (its plan a value), ``run``
takes it through the one runner (console.ops.runner) with the front end's confirm and progress."""

from __future__ import annotations

from console.aws.context import Gateways
from console.config import Settings


class Operations:
    def __init__(self, settings: Settings, gateways: Gateways) -> None:
        self.settings = settings
        self.gateways = gateways
