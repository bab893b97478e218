"""What to follow: a log group in a region, narrowed to streams, and which streams are whose.

The awslogs driver names a stream ``PREFIX/CONTAINER/TASK_ID``; a service's
containers are found in its task definitions.  Pure values and functions: the
reads that find them are in :mod:`console.logs.resolve`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from console.accounts import near
from console.errors import BadInput
from console.model import LogEvent, TaskDefinition, short_name

# --- what to follow -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogSource:
    """One log group in one region, optionally only some of its streams.

    ``streams`` (exact names) win over prefixes; ``stream_prefix`` and
    ``stream_prefixes`` keep streams starting with any of them (several
    containers of a service sharing one group).  The server is asked for
    their common prefix and the rest is checked here.
    """

    group: str
    region: str
    streams: tuple[str, ...] = ()
    stream_prefix: str = ""
    label: str = ""  # what to call it on screen; the group name when empty
    stream_prefixes: tuple[str, ...] = ()

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(p for p in (self.stream_prefix, *self.stream_prefixes) if p)

    @property
    def server_prefix(self) -> str:
        """The prefix to send: the longest one that every wanted stream starts with."""
        if self.streams:
            return ""
        return _common_prefix(sorted(self.prefixes))

    def accepts(self, event: LogEvent) -> bool:
        if self.streams:
            return event.stream in self.streams
        prefixes = self.prefixes
        return not prefixes or event.stream.startswith(prefixes)

    @property
    def name(self) -> str:
        return self.label or self.group


def parse_source(spec: str, default_region: str) -> LogSource:
    """``GROUP``, ``REGION:GROUP``, ``GROUP:STREAM_PREFIX*`` or a log group ARN -> LogSource.

    Log group names cannot contain ``:``, so a colon is unambiguous.
    """
    text = spec.strip()
    if not text:
        raise BadInput("empty log group name")
    if text.startswith("arn:"):
        parts = text.split(":")
        if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
            raise BadInput(f"'{spec}' is not a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)")
        return LogSource(group=parts[6], region=parts[3] or default_region)
    region = default_region
    prefix = ""
    head, sep, rest = text.partition(":")
    if sep and re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", head):
        region, text = head, rest
    group, sep, stream = text.partition(":")
    if sep:
        prefix = stream[:-1] if stream.endswith("*") else stream
    if not re.fullmatch(r"[\w.\-/#]{1,512}", group):
        raise BadInput(f"'{group}' is not a log group name (letters, digits, _ - / . #)")
    return LogSource(group=group, region=region, stream_prefix=prefix)


# --- display helpers ------------------------------------------------------------------------


def stream_label(stream: str) -> str:
    """A short name for a stream: ``prefix/container/0123456789abcdef`` -> ``container/01234567``."""
    parts = stream.split("/")
    if len(parts) >= 3 and re.fullmatch(r"[0-9a-f]{32}", parts[-1]):
        return f"{parts[-2]}/{parts[-1][:8]}"
    if "]" in stream:  # Lambda: 2026/01/02/[$LATEST]0123456789abcdef...
        return stream.rsplit("/", 1)[-1][:20]
    return stream if len(stream) <= 40 else f"…{stream[-39:]}"


def stream_slot(stream: str, slots: int) -> int:
    """A stable colour index for a stream (the same stream gets the same colour in every run)."""
    return zlib.crc32(stream.encode("utf-8", "replace")) % max(1, slots)


# --- which streams belong to what -----------------------------------------------------------


def _task_id(task: str) -> str:
    return short_name(task)


def streams_for_task(task_definition: TaskDefinition, task_id: str) -> list[tuple[str, str]]:
    """``(group, stream)`` of each container of a task that logs with awslogs.

    The awslogs driver names a stream ``PREFIX/CONTAINER/TASK_ID``: the container
    name is in the middle, so every container of a two-container task has its
    own stream (and a task's lines are never another container's).  Containers
    without ``awslogs-stream-prefix`` (only allowed on EC2) get the container
    id as stream name, which the task definition cannot tell: they are left out.
    """
    return [(group, stream) for group, stream, _region, _name in _task_streams(task_definition, task_id)]


def _task_streams(task_definition: TaskDefinition, task_id: str) -> list[tuple[str, str, str, str]]:
    tid = _task_id(task_id)
    out: list[tuple[str, str, str, str]] = []
    for container in task_definition.containers:
        if container.log_driver != "awslogs":
            continue
        group = container.log_option("awslogs-group")
        prefix = container.log_option("awslogs-stream-prefix")
        if not group or not prefix:
            continue
        out.append(
            (
                group,
                f"{prefix}/{container.name}/{tid}",
                container.log_option("awslogs-region"),
                container.name,
            )
        )
    return out


def sources_for_task(task_definition: TaskDefinition, task_id: str, region: str) -> list[LogSource]:
    """The task's streams as LogSources, one per (region, group) of its containers."""
    by_group: dict[tuple[str, str], list[str]] = {}
    for group, stream, log_region, _name in _task_streams(task_definition, task_id):
        by_group.setdefault((near(log_region, region), group), []).append(stream)
    return [
        LogSource(group=group, region=reg, streams=tuple(streams), label=f"{group} {_task_id(task_id)[:8]}")
        for (reg, group), streams in by_group.items()
    ]


def groups_for_service(
    task_definition: TaskDefinition, region: str, *, task_ids: Sequence[str] = (), container: str = ""
) -> list[LogSource]:
    """What to follow for a service: each group of its task definition, narrowed to its streams.

    Without ``task_ids`` a source covers every task of the service (now and
    after a deployment) through the stream prefix ``PREFIX/CONTAINER/`` (or the
    common ``PREFIX/`` when several containers share a group); with them, only
    those tasks' streams.  ``container`` keeps one container only.
    """
    by_group: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for c in task_definition.containers:
        if c.log_driver != "awslogs" or (container and c.name != container):
            continue
        group = c.log_option("awslogs-group")
        if not group:
            continue
        key = (near(c.log_option("awslogs-region"), region), group)  # a place keeps its account
        by_group.setdefault(key, []).append((c.log_option("awslogs-stream-prefix"), c.name))
    out: list[LogSource] = []
    for (reg, group), containers in by_group.items():
        if task_ids:
            streams = tuple(
                f"{prefix}/{name}/{_task_id(t)}" for prefix, name in containers if prefix for t in task_ids
            )
            out.append(LogSource(group=group, region=reg, streams=streams))
            continue
        prefixes = sorted({f"{prefix}/{name}/" if prefix else "" for prefix, name in containers})
        if "" in prefixes:  # a container without a prefix: its streams cannot be told apart
            out.append(LogSource(group=group, region=reg))
        else:
            out.append(LogSource(group=group, region=reg, stream_prefixes=tuple(prefixes)))
    return out


def _common_prefix(items: Sequence[str]) -> str:
    if not items or "" in items:
        return ""
    first, last = items[0], items[-1]
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


__all__ = [
    "LogSource",
    "groups_for_service",
    "parse_source",
    "sources_for_task",
    "stream_label",
    "stream_slot",
    "streams_for_task",
]
