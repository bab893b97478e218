"""Change sets for a container's environment: computed, shown masked, applied in place.

An editing session or a ``.env`` sync ends in one new task-definition revision,
so every edit is first a value here: a diff a person reviews (secrets masked),
whose key names go to the audit log (never the values), and which is then
applied to the freshly described environment.  Applying refuses when that
environment no longer holds what the diff was computed from: someone else
changed it meanwhile, and overwriting their change silently is worse than asking
to reload.

Untouched variables keep their place, new ones are appended, so the registered
revision differs from the old one only where the diff says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from console.env.secrets_mask import MASK, display_value, is_secret_name
from console.errors import BadInput, OpsError

ChangeKind = Literal["added", "changed", "removed", "renamed"]

# Longest value a diff line shows; config values are short, a PEM or a JSON blob is cut.
MAX_SHOWN_VALUE = 120

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class StaleDiff(OpsError):
    """The environment changed between computing a diff and applying it."""


@dataclass(frozen=True)
class EnvChange:
    """One variable's change.  For ``renamed``, ``name`` is the new name and ``old_name`` the old one."""

    name: str
    kind: ChangeKind
    old: str | None
    new: str | None
    old_name: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the change touches (both for a rename)."""
        return (self.old_name, self.name) if self.old_name is not None else (self.name,)


class _ChangesOf:
    """``diff.added`` (``changed``, ``removed``, ``renamed``): the diff's changes of one kind, in order."""

    def __init__(self, kind: ChangeKind) -> None:
        self.kind = kind

    def __get__(self, diff: EnvDiff, owner: type | None = None) -> tuple[EnvChange, ...]:
        return tuple(c for c in diff.changes if c.kind == self.kind)


@dataclass(frozen=True)
class EnvDiff:
    changes: tuple[EnvChange, ...] = ()
    unchanged_count: int = 0

    added = _ChangesOf("added")
    changed = _ChangesOf("changed")
    removed = _ChangesOf("removed")
    renamed = _ChangesOf("renamed")

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        """``2 added, 1 changed, 0 removed, 14 unchanged`` (renames listed only when there are some)."""
        parts = [f"{len(self.added)} added", f"{len(self.changed)} changed", f"{len(self.removed)} removed"]
        if self.renamed:
            parts.append(f"{len(self.renamed)} renamed")
        parts.append(f"{self.unchanged_count} unchanged")
        return ", ".join(parts)

    def keys_changed(self) -> tuple[str, ...]:
        """Names of every touched variable, in change order: what the audit log may record."""
        return tuple(name for change in self.changes for name in change.names)

    def audit_text(self) -> str:
        """One line of names only: ``+NEW ~CHANGED -GONE OLD>RENAMED``."""
        marks = {"added": "+", "changed": "~", "removed": "-"}
        words = [
            f"{c.old_name}>{c.name}" if c.kind == "renamed" else f"{marks[c.kind]}{c.name}"
            for c in self.changes
        ]
        return " ".join(words) if words else "(no change)"

    def render_lines(self, *, reveal: bool = False) -> list[str]:
        """One plain line per change; secret-looking values masked unless ``reveal``.

        Values are escaped onto one line (control characters shown, never
        acted on) and cut at MAX_SHOWN_VALUE; the text carries no markup.
        """
        lines: list[str] = []
        for c in self.changes:

            def show(value: str | None, c: EnvChange = c) -> str:
                return shown_value(c.names, value or "", reveal=reveal)

            if c.kind == "added":
                lines.append(f"+ {c.name} = {show(c.new)}")
            elif c.kind == "changed":
                lines.append(f"~ {c.name} = {show(c.old)} → {show(c.new)}")
            elif c.kind == "removed":
                lines.append(f"- {c.name} = {show(c.old)}")
            elif c.old == c.new:
                lines.append(f"> {c.old_name} → {c.name} = {show(c.new)}")
            else:
                lines.append(f"> {c.old_name} → {c.name} = {show(c.old)} → {show(c.new)}")
        return lines


def one_line(value: str, *, max_len: int | None = MAX_SHOWN_VALUE) -> str:
    """``value`` on one line with control and bidi characters escaped, cut at ``max_len``."""
    cut = 0
    if max_len is not None and len(value) > max_len:
        cut = len(value) - max_len
        value = value[:max_len]
    text = _UNPRINTABLE.sub(lambda m: _ESCAPES.get(m.group()) or _escape(m.group()), value)
    return f"{text}… [+{cut} chars]" if cut else text


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown_value(
    names: Iterable[str], value: str, *, reveal: bool = False, max_len: int | None = MAX_SHOWN_VALUE
) -> str:
    """``value`` as a diff or table shows it: masked if any of ``names`` or the value looks secret.

    ``max_len`` cuts a long value for a table cell; the CLI's ``env show`` passes None (whole).
    """
    if reveal:
        return one_line(value, max_len=max_len)
    names = tuple(names)
    if any(is_secret_name(n) for n in names):
        return MASK
    return one_line(display_value(names[0] if names else "", value), max_len=max_len)


def env_mapping(entries: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """An ECS ``environment`` list as a mapping (a repeated name: the last one wins)."""
    return {e["name"]: e.get("value", "") for e in entries}


def diff_env(
    current: Mapping[str, str],
    desired: Mapping[str, str],
    *,
    prune: bool,
    renames: Mapping[str, str] | None = None,
) -> EnvDiff:
    """The changes that turn ``current`` into ``desired``.

    Without ``prune`` it is a merge: names missing from ``desired`` stay as
    they are.  ``renames`` (old name → new name, from the editor) become
    ``renamed`` changes; the old name must be in ``current`` and not in
    ``desired``, the new one in ``desired`` and not in ``current``.
    """
    renames = dict(renames or {})
    for old_name, new_name in renames.items():
        if old_name not in current:
            raise BadInput(f"cannot rename {old_name}: no such variable")
        if new_name in current:
            raise BadInput(f"cannot rename {old_name} to {new_name}: {new_name} already exists")
        if new_name not in desired or old_name in desired:
            raise BadInput(f"rename of {old_name} to {new_name} does not match the desired variables")
    if len(set(renames.values())) != len(renames):
        raise BadInput("two variables renamed to the same name")
    changes: list[EnvChange] = []
    unchanged = 0
    for name, old in current.items():
        if name in renames:
            new_name = renames[name]
            changes.append(EnvChange(new_name, "renamed", old, desired[new_name], old_name=name))
        elif name in desired:
            if desired[name] != old:
                changes.append(EnvChange(name, "changed", old, desired[name]))
            else:
                unchanged += 1
        elif prune:
            changes.append(EnvChange(name, "removed", old, None))
        else:
            unchanged += 1
    targets = set(renames.values())
    for name, new in desired.items():
        if name not in current and name not in targets:
            changes.append(EnvChange(name, "added", None, new))
    return EnvDiff(tuple(changes), unchanged)


def apply_env(current: Sequence[Mapping[str, str]], diff: EnvDiff) -> list[dict[str, str]]:
    """``current`` (an ECS ``environment`` list) with ``diff`` applied.

    Untouched entries keep their order (and any repeats); a changed or renamed
    variable stays where it was; added ones go at the end.  StaleDiff if
    ``current`` no longer matches what the diff was computed from.
    """
    present = env_mapping(current)
    touched: dict[str, EnvChange] = {}
    for change in diff.changes:
        if change.kind == "added":
            if change.name in present:
                raise StaleDiff(f"{change.name} was added by someone else since the diff was made; reload")
            continue
        source = change.old_name if change.kind == "renamed" else change.name
        assert source is not None
        if source not in present:
            raise StaleDiff(f"{source} was removed by someone else since the diff was made; reload")
        if present[source] != change.old:
            raise StaleDiff(f"{source} was changed by someone else since the diff was made; reload")
        if change.kind == "renamed" and change.name in present:
            raise StaleDiff(f"{change.name} was added by someone else since the diff was made; reload")
        touched[source] = change
    result: list[dict[str, str]] = []
    done: set[str] = set()
    for entry in current:
        name = entry["name"]
        hit = touched.get(name)
        if hit is None:
            result.append(dict(entry))
            continue
        if name in done:
            continue  # a repeated name collapses into its one changed entry
        done.add(name)
        if hit.kind != "removed":
            assert hit.new is not None
            result.append({"name": hit.name, "value": hit.new})
    result.extend({"name": c.name, "value": c.new or ""} for c in diff.added)
    return result


@dataclass(frozen=True)
class SyncPlan:
    """What syncing a ``.env`` file would do to one container.

    ``secret_overrides`` names secrets (``valueFrom``) that the caller must
    drop from the container's ``secrets`` because ``diff`` now sets them as
    plain variables; ``skipped`` names file variables left alone because they
    are secrets and overriding was not allowed.
    """

    diff: EnvDiff
    warnings: tuple[str, ...] = ()
    secret_overrides: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.diff.is_empty and not self.secret_overrides


def plan_sync(
    current_env: Mapping[str, str],
    secret_names: set[str] | frozenset[str],
    file_vars: Mapping[str, str],
    *,
    prune: bool,
    allow_secret_override: bool,
) -> SyncPlan:
    """The change set for syncing ``file_vars`` into a container.

    A name the container holds as a secret is never turned into a plain
    variable silently: it is skipped with a warning, or with
    ``allow_secret_override`` set as plain and listed in ``secret_overrides``.
    Pruning removes plain variables only; secrets are not the file's business.
    """
    warnings: list[str] = []
    overrides: list[str] = []
    skipped: list[str] = []
    desired: dict[str, str] = {} if prune else dict(current_env)
    for name, value in file_vars.items():
        if name in secret_names:
            if not allow_secret_override:
                skipped.append(name)
                if name in current_env:
                    desired[name] = current_env[name]
                warnings.append(
                    f"{name} is a secret (valueFrom) in the container; skipped "
                    "(allow a secret override to replace it with a plain value)"
                )
                continue
            overrides.append(name)
            warnings.append(f"{name}: the secret (valueFrom) will be replaced by a plain value")
        desired[name] = value
    diff = diff_env(current_env, desired, prune=prune)
    return SyncPlan(diff, tuple(warnings), tuple(overrides), tuple(skipped))
