"""What changes between two task-definition revisions, in the terms an operator checks.

A rollback is only safe when one can see what it undoes: the image, the
environment, which secrets are injected, cpu/memory, ports, health check and
log configuration.  Values of secret-looking environment variables are masked
unless asked; secret *references* (``valueFrom``) are ARNs, not values, and
are shown by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.env.secrets_mask import display_value, is_secret_key
from console.model import ContainerDefinition, TaskDefinition


@dataclass(frozen=True)
class DiffEntry:
    """One difference; ``container`` is "" for a task-level field."""

    container: str
    field: str
    before: str | None  # None: absent in the old revision
    after: str | None  # None: absent in the new revision
    secret: bool = False
    env_key: str = ""  # for an env entry: the variable's name, which decides how its values are shown

    @property
    def kind(self) -> str:
        return self.field.split(" ", 1)[0]

    def render(self, *, reveal: bool = False) -> str:
        where = f"{self.container}: " if self.container else "task: "
        before, after = self.before, self.after
        if self.env_key and not reveal:
            before = display_value(self.env_key, before) if before else before
            after = display_value(self.env_key, after) if after else after
        if before is None:
            return f"{where}+ {self.field} = {_q(after)}"
        if after is None:
            return f"{where}- {self.field} (was {_q(before)})"
        return f"{where}{self.field}: {_q(before)} -> {_q(after)}"


def _q(value: str | None) -> str:
    if value is None:
        return "(none)"
    return value if value else '""'


@dataclass(frozen=True)
class RevisionDiff:
    old: str  # family:revision
    new: str
    entries: tuple[DiffEntry, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.entries

    def lines(self, *, reveal: bool = False) -> list[str]:
        if self.empty:
            return [f"{self.old} -> {self.new}: no differences in image, env, secrets, cpu/memory"]
        return [f"{self.old} -> {self.new}:"] + [f"  {e.render(reveal=reveal)}" for e in self.entries]

    def summary(self) -> str:
        """A few words for a picker row: 'image, 2 env, 1 secret, memory'."""
        if self.empty:
            return "same"
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
        parts = []
        for kind, n in counts.items():
            parts.append(f"{n} {kind}" if kind in ("env", "secret") or n > 1 else kind)
        return ", ".join(parts)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def _compare(out: list[DiffEntry], container: str, name: str, before: object, after: object) -> None:
    b, a = _text(before), _text(after)
    if b != a:
        out.append(DiffEntry(container, name, b, a))


def _diff_container(old: ContainerDefinition, new: ContainerDefinition) -> list[DiffEntry]:
    out: list[DiffEntry] = []
    name = new.name
    _compare(out, name, "image", old.image, new.image)
    _compare(out, name, "cpu", old.cpu, new.cpu)
    _compare(out, name, "memory", old.memory, new.memory)
    _compare(out, name, "essential", old.essential, new.essential)
    _compare(out, name, "ports", old.ports, new.ports)
    old_env = {e.name: e.value for e in old.environment}
    new_env = {e.name: e.value for e in new.environment}
    for key in sorted(old_env.keys() | new_env.keys()):
        before, after = old_env.get(key), new_env.get(key)
        if before != after:
            secret = is_secret_key(key, before) or is_secret_key(key, after)
            out.append(DiffEntry(name, f"env {key}", before, after, secret=secret, env_key=key))
    old_sec = {s.name: s.value_from for s in old.secrets}
    new_sec = {s.name: s.value_from for s in new.secrets}
    for key in sorted(old_sec.keys() | new_sec.keys()):
        before, after = old_sec.get(key), new_sec.get(key)
        if before != after:
            out.append(DiffEntry(name, f"secret {key}", before, after))
    _compare(out, name, "environmentFiles", old.environment_files, new.environment_files)
    _compare(out, name, "healthCheck", old.health_check, new.health_check)
    _compare(out, name, "logDriver", old.log_driver, new.log_driver)
    old_log, new_log = dict(old.log_options), dict(new.log_options)
    for key in sorted(old_log.keys() | new_log.keys()):
        if old_log.get(key) != new_log.get(key):
            out.append(DiffEntry(name, f"log {key}", old_log.get(key), new_log.get(key)))
    return out


def diff_revisions(old: TaskDefinition, new: TaskDefinition) -> RevisionDiff:
    """Differences from ``old`` to ``new`` (what deploying ``new`` over ``old`` changes)."""
    out: list[DiffEntry] = []
    _compare(out, "", "cpu", old.cpu, new.cpu)
    _compare(out, "", "memory", old.memory, new.memory)
    old_by_name = {c.name: c for c in old.containers}
    new_by_name = {c.name: c for c in new.containers}
    for name in [c.name for c in new.containers] + [
        c.name for c in old.containers if c.name not in new_by_name
    ]:
        before, after = old_by_name.get(name), new_by_name.get(name)
        if before is None and after is not None:
            out.append(DiffEntry(name, "container", None, after.image))
        elif after is None and before is not None:
            out.append(DiffEntry(name, "container", before.image, None))
        elif before is not None and after is not None:
            out += _diff_container(before, after)
    return RevisionDiff(old=old.family_revision, new=new.family_revision, entries=tuple(out))
