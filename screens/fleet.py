"""The fleet in the panes: an ACCOUNT column, the per-account count, `:account`, failed accounts.

A profile with no ``[[accounts]]`` is one account and the panes look as they always did: every
helper here is a no-op then. With accounts, the clusters, services, tasks, queues and alarms
panes show the account's name beside the row's name (the first column a narrow terminal
hides, never the name itself), and `/` matches it, since it is part of the row's text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from rich.text import Text

from console.accounts import Account, account_id_of, accounts_in, narrow
from screens.format import aws, plain

ACCOUNT_COLUMN = ("account", "ACCOUNT")


def is_fleet(regions: Sequence[str]) -> bool:
    return bool(accounts_in(regions))


def with_account(
    columns: Sequence[tuple[str, str]], drop_order: Sequence[str], regions: Sequence[str]
) -> tuple[list[tuple[str, str]], tuple[str, ...]]:
    """The pane's columns with ACCOUNT after the name, hidden first when the terminal is narrow."""
    if not is_fleet(regions):
        return list(columns), tuple(drop_order)
    return [columns[0], ACCOUNT_COLUMN, *columns[1:]], ("account", *drop_order)


def account_name(regions: Sequence[str], region: str, arn: str = "") -> str:
    """The fleet's name for the account of a value (by its place, else by the id in its ARN)."""
    named = getattr(region, "account", None)
    if named is not None:
        return str(named.name)
    wanted = account_id_of(region, arn)
    found = next((a for a in accounts_in(regions) if a.id and a.id == wanted), None)
    return found.name if found is not None else wanted


def account_cell(name: str) -> Text:
    return aws(name or "-", "cyan")


def with_account_cell(
    cells: tuple[object, ...], regions: Sequence[str], region: str, arn: str
) -> tuple[object, ...]:
    """A row's cells with its account's name second (when the pane shows ACCOUNT)."""
    if not is_fleet(regions):
        return cells
    return (cells[0], account_cell(account_name(regions, region, arn)), *cells[1:])


def per_account(names: Iterable[str], regions: Sequence[str]) -> str:
    """`` · docverify 3, frameratr 1``: the status line's count per account ("" with none)."""
    if not is_fleet(regions):
        return ""
    counts = Counter(names)
    order = [a.name for a in accounts_in(regions)]
    parts = [f"{n} {counts[n]}" for n in order if counts.get(n)]
    return f" · {', '.join(parts)}" if parts else ""


def where_label(regions: Sequence[str]) -> str:
    """The top bar's "where": the regions once each, and how many accounts."""
    names = ", ".join(dict.fromkeys(str(r) for r in regions))
    accounts = accounts_in(regions)
    if not accounts:
        return names
    if len(accounts) == 1:
        return f"{names} · account {accounts[0].name}"
    return f"{names} · {len(accounts)} accounts"


def narrow_regions(all_regions: Sequence[str], text: str) -> tuple[str, ...]:
    """``:region R[,R2]``: the places of those regions (of every account), or the names as typed."""
    wanted = [r.strip() for r in text.split(",") if r.strip()]
    places = tuple(p for p in all_regions if str(p) in wanted)
    return places if is_fleet(all_regions) and places else tuple(wanted)


def narrow_account(all_regions: Sequence[str], text: str) -> tuple[str, ...]:
    """``:account NAME|ID``: that account's places; ``:account`` alone: every account again.
    BadInput (one line naming the accounts there are) for one the profile does not list."""
    text = text.strip()
    if not text or text == "all":
        return tuple(all_regions)
    return narrow(all_regions, text)


def account_names(regions: Sequence[str]) -> list[str]:
    return [a.name for a in accounts_in(regions)]


def error_row(account: Account, message: str, width: int) -> tuple[str, tuple[object, ...]]:
    """A failed account as a row: its one line in the name column (never hidden), "-" elsewhere."""
    cells: list[object] = [aws(f"⚠ {message}", "bold red")]
    cells += [account_cell(account.name)] + [plain("-", "dim")] * (width - 2)
    return f"account-problem:{account.key}", tuple(cells[:width])


def problems_in_view(problems: Sequence[Any], regions: Sequence[str]) -> list[Any]:
    """The failed accounts among those in view (after ``:account``, that one's only)."""
    keys = {a.key for a in accounts_in(regions)}
    return [p for p in problems if p.account.key in keys]


def read_only_account(node: object) -> str:
    """The name of the read-only account the node's selected row is in ("" when it is not)."""
    for getter in ("selected_service", "selected_task", "selected"):
        pick = getattr(node, getter, None)
        if callable(pick):
            try:
                value = pick()
            except Exception:  # a pane not mounted yet has no table to ask
                value = None
            if value is not None:
                break
    else:
        value = None
    for attr in ("service", "task_", "queue"):
        value = value or getattr(node, attr, None)
    account = getattr(getattr(value, "region", None), "account", None)
    return str(account.name) if account is not None and account.read_only else ""
