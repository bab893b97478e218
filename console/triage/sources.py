"""Running a source so that its failure is a note, not the end of the answer.

A timeline with one source throttled is still a timeline: each read is wrapped, and what went
wrong becomes a :class:`~console.triage.model.SourceNote` saying which source and why (throttled,
not available on this endpoint, failed) while the others are shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from console.errors import THROTTLE_CODES, describe_aws_error
from console.triage.model import FAILED, OK, THROTTLED, UNAVAILABLE, SourceNote

T = TypeVar("T")

# What an endpoint answers for an API it does not have (AWS, LocalStack, moto's server).
UNSUPPORTED_CODES = {
    "InvalidAction",
    "UnknownOperationException",
    "UnknownOperation",
    "NotImplemented",
    "NotImplementedError",
    "UnsupportedOperation",
    "InternalFailure",
    "404",
    "501",
}
SOURCE_TIMEOUT_S = 10.0  # a source slower than this is reported, the others shown


def classify(exc: BaseException) -> tuple[str, str]:
    """(state, message) of a failed read."""
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        err: dict[str, Any] = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in THROTTLE_CODES:
            return THROTTLED, describe_aws_error(exc)
        if code in UNSUPPORTED_CODES or status in (404, 501) or "not implemented" in str(exc).lower():
            return UNAVAILABLE, f"{exc.operation_name} is not available on this endpoint"
        if status >= 500 and (not code or code.isdigit()):  # a bare 500 page: the API is not served here
            return UNAVAILABLE, f"{exc.operation_name} is not available on this endpoint"
    if isinstance(exc, asyncio.TimeoutError):
        return FAILED, f"no answer within {SOURCE_TIMEOUT_S:g} s"
    if isinstance(exc, AttributeError):  # the SDK has no such operation
        return UNAVAILABLE, str(exc)
    return FAILED, describe_aws_error(exc)


# (endpoint, source) pairs that answered "not here" once: not asked again in this process, so a
# cluster's timeline does not pay the endpoint's error once per service.
_ABSENT: set[tuple[str, str]] = set()


class Notes:
    """Collects one note per source."""

    def __init__(self, endpoint: str | None = None) -> None:
        self.items: dict[str, SourceNote] = {}
        self.endpoint = endpoint or "aws"

    async def optional(self, source: str, make: Callable[[], Awaitable[T]], default: T) -> T:
        """Like :meth:`run`, for an API some endpoints lack: once absent, not asked again."""
        key = (self.endpoint, source)
        if key in _ABSENT:
            self.items[source] = SourceNote(source, UNAVAILABLE, "not available on this endpoint")
            return default
        result = await self.run(source, make(), default)
        note = self.items.get(source)
        if note is not None and note.state == UNAVAILABLE:
            _ABSENT.add(key)
        return result

    def ok(self, source: str, message: str = "") -> None:
        self.items.setdefault(source, SourceNote(source, OK, message))

    def set(self, note: SourceNote) -> None:
        self.items[note.source] = note

    async def run(self, source: str, coro: Awaitable[T], default: T) -> T:
        try:
            result = await asyncio.wait_for(coro, SOURCE_TIMEOUT_S)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            state, message = classify(exc)
            self.items[source] = SourceNote(source, state, message)
            return default
        self.ok(source)
        return result

    def all(self) -> tuple[SourceNote, ...]:
        return tuple(sorted(self.items.values(), key=lambda n: (n.state == OK, n.source)))
