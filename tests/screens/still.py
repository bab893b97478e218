"""A presenter that holds still what moves from run to run, for snapshot tests.

The panes fetch and render as for a user (metrics, ages, queue details are all read);
only the moving parts are drawn as fixed marks: ages and sparklines as ``·``, generated ids
(task and deployment ids, addresses, a secret ARN's random suffix) as ``#id``/``#ip``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from screens.format import Presenter

GENERATED_IDS = (
    (
        re.compile(
            r"\b[0-9a-f]{32}\b|ecs-svc/\d+|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f-]{27}\b|\b[0-9a-f]{16}\b"
        ),
        "#id",
    ),
    (re.compile(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"), "#ip"),
    (re.compile(r"(secret:[^:\s]+)-[A-Za-z0-9]{6}\b"), r"\1-#id"),
)
STILL_NOW = datetime(2026, 1, 1, tzinfo=UTC)


class StillPresenter(Presenter):
    def __init__(self) -> None:
        super().__init__(clock=lambda: STILL_NOW)

    def age(self, when: datetime | None, now: datetime | None = None) -> str:
        return "-" if when is None else "·"

    def duration(self, seconds: float | None) -> str:
        return "-" if seconds is None else "·"

    def spark(self, values: Sequence[float], width: int = 6) -> str:
        return "-" if not values else "·"

    def ident(self, value: object) -> str:
        text = super().ident(value)
        for pattern, mark in GENERATED_IDS:
            text = pattern.sub(mark, text)
        return text
