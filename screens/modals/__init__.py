"""Modal screens: help, the command line, plan confirmation and operation progress.

Operations (scale, redeploy, rollback, env editor, redrive) add their own
modals here and reuse :class:`screens.modals.confirm.ConfirmPlanScreen` and
:class:`screens.modals.progress.ProgressScreen` through
``OpsConsoleApp.run_operation``.  Every button shows its key first, as it is
typed (:func:`key_label`): ``y Apply``, ``Esc Cancel``.
"""

from __future__ import annotations

from rich.text import Text


def key_label(key: str, label: str) -> Text:
    """A button's label with its key first, as typed (a Text: never read as markup)."""
    out = Text(end="")
    out.append(key, style="bold underline")
    out.append(f" {label}")
    return out
