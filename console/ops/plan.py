"""The shape every mutation takes: plan -> confirm -> apply -> verify.

A :class:`Plan` is a value: what will change (before and after), warnings,
and the exact request apply will send.  The TUI shows it in a modal, the CLI
prints it (and stops there with ``--dry-run``), tests compare it.  Nothing is
sent to AWS before a plan has been confirmed, and read-only mode refuses at
the one place every apply passes through (:func:`console.ops.runner.execute`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from console.accounts import account_id_of, account_of
from console.env.secrets_mask import mask


@dataclass(frozen=True)
class Change:
    """One field before and after, e.g. ``desiredCount 2 -> 0``."""

    field: str
    before: Any
    after: Any
    secret: bool = False

    def render(self, *, reveal: bool = False) -> str:
        before, after = self.before, self.after
        if self.secret and not reveal:
            before = mask(str(before)) if before not in (None, "") else before
            after = mask(str(after)) if after not in (None, "") else after
        return f"{self.field}: {_show(before)} -> {_show(after)}"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value if value else '""'
    return json.dumps(value, default=str)


@dataclass(frozen=True)
class OpTarget:
    region: str
    kind: str  # "service", "task", "queue"
    name: str
    cluster: str = ""
    arn: str = ""

    def __str__(self) -> str:
        where = f"{self.cluster}/" if self.cluster else ""
        account = account_of(self.region)  # a fleet's plan names the account, by name and id
        place = f"{self.region}, account {account.label}" if account is not None else self.region
        return f"{self.kind} {where}{self.name} ({place})"

    @property
    def account(self) -> str:
        return account_id_of(self.region, self.arn)


@dataclass(frozen=True)
class Plan:
    action: str  # scale | redeploy | redeploy-stop-first | rollback | stop-task | env-sync | redrive | ...
    target: OpTarget
    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()
    details: tuple[str, ...] = ()  # extra lines worth reading: a revision diff, the messages chosen
    # What apply will send, kept out of equality so plans compare on what a person sees.
    request: dict[str, Any] = field(default_factory=dict, compare=False)
    noop_reason: str = ""  # non-empty: nothing to do, apply would change nothing
    # The guardrails that applied, each with its source ("rule: max 4 (service tag ...)"), and notes.
    rules: tuple[str, ...] = ()
    # Non-empty: a protected service; the confirmation must be this name, typed (runner.execute checks).
    type_to_confirm: str = ""
    type_reason: str = ""  # why: "protected: ... (service tag opsconsole:protected)"

    @property
    def is_noop(self) -> bool:
        return bool(self.noop_reason)

    @property
    def title(self) -> str:
        return f"{self.action} {self.target}"

    def lines(self, *, reveal: bool = False) -> list[str]:
        out = [self.title]
        out += [f"  {r}" for r in self.rules]
        if self.is_noop:
            out.append(f"  nothing to do: {self.noop_reason}")
        out += [f"  {c.render(reveal=reveal)}" for c in self.changes]
        out += [f"  {d}" for d in self.details]
        out += [f"  warning: {w}" for w in self.warnings]
        return out

    def render(self, *, reveal: bool = False) -> str:
        return "\n".join(self.lines(reveal=reveal))

    def audit_before_after(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """before/after for the audit log: secret values replaced by a marker, never written."""
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for c in self.changes:
            before[c.field] = "(secret changed)" if c.secret else c.before
            after[c.field] = "(secret changed)" if c.secret else c.after
        return before, after


@dataclass(frozen=True)
class ApplyResult:
    ok: bool
    message: str
    after: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Progress:
    """One step of verify, for a progress bar (TUI) or a progress line (CLI)."""

    done: float  # 0..total
    total: float
    state: str  # IN_PROGRESS | COMPLETED | FAILED | ...
    message: str = ""
    events: tuple[str, ...] = ()  # new service events since the last step, AWS's text

    def line(self) -> str:
        return f"[{self.state}] {self.done:g}/{self.total:g} {self.message}".rstrip()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    state: str  # COMPLETED | FAILED | TIMEOUT | CANCELLED
    message: str
    events: tuple[str, ...] = ()


ProgressCallback = Callable[[Progress], Any]
