"""Bindings with ids (remappable from a profile's ``[keys]``) and the mark on mutating ones.

Every binding has an ``id`` such as ``services.detail``; a profile remaps it
with ``[keys] "services.detail" = "i"`` (``App.set_keymap``).  Operations add
their keys with :func:`mutating`, which records the action in
:data:`MUTATING_ACTIONS`: in read-only mode ``check_action`` answers None for
those, so the footer and the help screen show them disabled, not hidden
(k9s strips its ``dangerous`` actions; showing them says why nothing happens).
"""

from __future__ import annotations

from textual.binding import Binding

MUTATING_ACTIONS: set[str] = set()
"""Action names (``scale``, ``redeploy``, ...) that change AWS: disabled in read-only mode."""

MUTATING_IDS: set[str] = set()
"""Binding ids of the same actions (``service.scale``, ...), for help and docs."""


def mutating(key: str, action: str, description: str, *, id: str, show: bool = True) -> Binding:
    """A binding for an action that changes AWS: marked, so read-only mode disables it."""
    MUTATING_ACTIONS.add(action.split("(", 1)[0])
    MUTATING_IDS.add(id)
    return Binding(
        key, action, description, id=id, show=show, tooltip="changes AWS (disabled when read-only)"
    )


def is_mutating(action: str) -> bool:
    return action.split("(", 1)[0] in MUTATING_ACTIONS
