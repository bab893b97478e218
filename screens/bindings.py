"""Bindings with ids (remappable from a profile's ``[keys]``) and the mark on mutating ones.

Every binding has an ``id`` such as ``services.detail``; a profile remaps it
with ``[keys] "services.detail" = "i"`` (``App.set_keymap``).  Operations add
their keys with :func:`mutating`, which marks the binding itself (k9s's
``dangerous``): the mark travels with the binding through Textual's copies and
keymaps, so which actions of a screen change AWS is read from the screen's own
bindings (:func:`mutating_actions`), never from a process-wide registry.  The
app decides what read-only mode does with them (``OpsConsoleApp.read_only_refuses``):
shown disabled, and refused with a line saying so when pressed.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.dom import DOMNode

MUTATING_TOOLTIP = "changes AWS (disabled when read-only)"
"""The mark of a mutating binding (a Binding field Textual keeps when it copies one)."""


def mutating(key: str, action: str, description: str, *, id: str, show: bool = True) -> Binding:
    """A binding for an action that changes AWS: marked, so read-only mode disables it."""
    return Binding(key, action, description, id=id, show=show, tooltip=MUTATING_TOOLTIP)


def is_mutating_binding(binding: Binding) -> bool:
    return binding.tooltip == MUTATING_TOOLTIP


def action_name(action: str) -> str:
    """``redeploy`` of ``redeploy`` or ``redeploy(1)``."""
    return action.split("(", 1)[0]


def mutating_bindings(node: DOMNode) -> dict[str, Binding]:
    """The node's mutating bindings by action name (the first binding of each action)."""
    found: dict[str, Binding] = {}
    for bindings in node._bindings.key_to_bindings.values():
        for binding in bindings:
            if is_mutating_binding(binding):
                found.setdefault(action_name(binding.action), binding)
    return found


def mutating_actions(node: DOMNode) -> frozenset[str]:
    """Action names of the node's bindings that change AWS."""
    return frozenset(mutating_bindings(node))
