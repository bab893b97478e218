"""``--since``/``--until`` values to epoch milliseconds, the unit CloudWatch Logs uses.

The same spellings as ``aws logs tail`` (``15m``, ``1h``, ``2d``, an ISO-8601
time) plus epoch milliseconds as CloudWatch prints them, so a timestamp copied
from a log line or an event can be pasted back.  A time without a zone is local
time, as in ``aws logs tail``.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from console.errors import BadInput

_UNITS_MS = {
    "ms": 1,
    "s": 1_000,
    "sec": 1_000,
    "m": 60_000,
    "min": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 7 * 86_400_000,
}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h|d|w)", re.IGNORECASE)
_DURATION = re.compile(r"^(?:\d+(?:\.\d+)?\s*(?:ms|sec|min|s|m|h|d|w)\s*)+$", re.IGNORECASE)
# Below this an integer is taken as epoch seconds (10 digits), above as milliseconds (13 digits).
_EPOCH_MS_FLOOR = 100_000_000_000


def now_ms() -> int:
    return int(time.time() * 1000)


def parse_duration_ms(text: str) -> int:
    """``90s``, ``15m``, ``1h30m``, ``2d`` -> milliseconds."""
    spec = text.strip()
    if not spec or not _DURATION.match(spec):
        raise BadInput(f"'{text}' is not a duration (like 30s, 15m, 1h, 2d, 1h30m)")
    return int(sum(float(n) * _UNITS_MS[unit.lower()] for n, unit in _PART.findall(spec)))


def parse_time_ms(text: str, *, option: str = "--since", now: int | None = None) -> int:
    """A point in time as epoch milliseconds.

    Accepts a duration ago (``15m``, ``1h``, ``2d``, ``30s``, ``1h30m``, with an
    optional leading ``-``), ``now``, an ISO-8601 date or time (``2026-01-02``,
    ``2026-01-02T03:04:05Z``, ``2026-01-02 03:04:05+05:30``), or epoch
    milliseconds (``1767225600000``; ten digits are taken as seconds).
    Raises :class:`BadInput` with one line naming the option.
    """
    current = now_ms() if now is None else now
    spec = text.strip()
    if not spec:
        raise BadInput(f"{option}: empty time")
    if spec.lower() == "now":
        return current
    body = spec[1:] if spec.startswith("-") else spec
    if _DURATION.match(body):
        return current - parse_duration_ms(body)
    if spec.isdigit():
        value = int(spec)
        return value if value >= _EPOCH_MS_FLOOR else value * 1000
    iso = spec[:-1] + "+00:00" if spec[-1:] in {"Z", "z"} else spec
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise BadInput(
            f"{option}: '{text}' is not a time (use 15m, 1h, 2d, an ISO-8601 time such as "
            "2026-01-02T03:04:05Z, or epoch milliseconds)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time, as aws logs tail reads it
    return int(moment.astimezone(UTC).timestamp() * 1000)


def parse_range_ms(
    since: str | None, until: str | None, *, now: int | None = None
) -> tuple[int | None, int | None]:
    """``(start, end)`` from ``--since``/``--until``, checking that start is before end."""
    current = now_ms() if now is None else now
    start = parse_time_ms(since, option="--since", now=current) if since else None
    end = parse_time_ms(until, option="--until", now=current) if until else None
    if start is not None and end is not None and start > end:
        raise BadInput(f"--since ({since}) is after --until ({until})")
    return start, end


def format_ms(ms: int, *, utc: bool = True) -> str:
    """``2026-01-02T03:04:05.678Z``: the form log output prints and :func:`parse_time_ms` reads."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if utc:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return moment.astimezone().isoformat(timespec="milliseconds")
