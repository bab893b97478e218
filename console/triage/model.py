"""The values triage hands to the front ends: timeline entries, findings and their evidence.

Each carries where it lives (account, region) and a :class:`Ref` that says where its evidence is
(a task, a revision, an alarm, a log stream at a time), so the TUI can jump there and the JSON
can be scripted against.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

OK = "ok"
FAILED = "failed"
THROTTLED = "throttled"
UNAVAILABLE = "unavailable"
PARTIAL = "partial"

CRITICAL = "critical"
WARNING = "warning"
INFO = "info"


def iso(at: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the second (what the JSON carries)."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Ref:
    """Where an entry's evidence is: ``type`` is logs, revision, task, alarm, deployment, event,
    audit, queue or service; the other fields are those that type needs."""

    type: str
    region: str = ""
    account: str = ""
    cluster: str = ""
    service: str = ""
    task: str = ""  # task ARN
    revision: str = ""  # family:revision
    previous: str = ""  # the family:revision it replaced
    alarm: str = ""
    group: str = ""  # log group
    stream: str = ""
    container: str = ""
    queue: str = ""
    deployment: str = ""
    at_ms: int | None = None  # the moment to open logs at (epoch ms)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    kind: str  # deployment | service-event | task-stopped | alarm | revision | audit | errors | dlq | scaling
    source: str  # the AWS API or local file it came from
    summary: str
    ref: Ref
    detail: tuple[str, ...] = ()  # further lines: a revision diff, each container's exit
    severity: str = INFO

    @property
    def key(self) -> str:
        return f"{iso(self.at)}|{self.kind}|{self.summary}"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "at": iso(self.at),
            "kind": self.kind,
            "source": self.source,
            "summary": self.summary,
            "ref": self.ref.as_dict(),
            "severity": self.severity,
        }
        if self.detail:
            out["detail"] = list(self.detail)
        return out


@dataclass(frozen=True, slots=True)
class SourceNote:
    """How one source fared: ``state`` ok, failed, throttled, unavailable (the endpoint lacks the
    API) or partial (bounded: only part was read)."""

    source: str
    state: str
    message: str = ""

    def line(self) -> str:
        return f"{self.source}: {self.state}" + (f" ({self.message})" if self.message else "")

    def as_json(self) -> dict[str, str]:
        return {"source": self.source, "state": self.state, "message": self.message}


@dataclass(frozen=True, slots=True)
class Timeline:
    entries: tuple[TimelineEntry, ...]
    notes: tuple[SourceNote, ...]
    start: datetime
    end: datetime
    calls: int = 0

    @property
    def degraded(self) -> tuple[SourceNote, ...]:
        return tuple(n for n in self.notes if n.state != OK)

    def as_json(self) -> dict[str, Any]:
        return {
            "start": iso(self.start),
            "end": iso(self.end),
            "entries": [e.as_json() for e in self.entries],
            "sources": [n.as_json() for n in self.notes],
            "calls": self.calls,
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # event | reason | exit-code | target-health | alarm | log | revision | queue | audit | scaling | task
    text: str
    at: datetime | None = None
    ref: Ref | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "at": iso(self.at)}
        if self.ref is not None:
            out["ref"] = self.ref.as_dict()
        return out

    def line(self) -> str:
        stamp = iso(self.at) or "-"
        return f"{stamp}  {self.kind}: {self.text}"


@dataclass(frozen=True, slots=True)
class Next:
    text: str
    command: str = ""

    def line(self) -> str:
        return f"{self.text}: `{self.command}`" if self.command else self.text


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    summary: str
    evidence: tuple[Evidence, ...]
    next: Next
    weight: int = 50  # how much it explains: the root cause outranks what follows from it
    at: datetime | None = None  # when it began

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "summary": self.summary,
            "evidence": [e.as_json() for e in self.evidence],
            "next": {"text": self.next.text, "command": self.next.command},
            "at": iso(self.at),
        }


SEVERITY_ORDER = {CRITICAL: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True, slots=True)
class WhyReport:
    account: str
    region: str
    cluster: str
    service: str
    findings: tuple[Finding, ...]
    notes: tuple[SourceNote, ...] = ()
    calls: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "region": self.region,
            "cluster": self.cluster,
            "service": self.service,
            "findings": [f.as_json() for f in self.findings],
            "sources": [n.as_json() for n in self.notes],
            "calls": self.calls,
        }
