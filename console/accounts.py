"""Accounts of a fleet, and the place (account, region) every read and write goes to.

A profile may list several AWS accounts (``[[accounts]]``), each reached through an AWS profile
of ``~/.aws/config`` (SSO, ``role_arn`` + ``source_profile``, ``credential_process``) or a
``role_arn`` assumed with the profile's own credentials. A profile with no accounts is one
account, as it always was.

Why a :class:`Place` is a ``str``: every gateway, resolver and model value of the console takes
and keeps a *region* string, and a fan-out over ``settings.regions`` is how every read already
reaches everything. A Place is the region's name (what botocore gets, what is shown) that also
knows its account, so the same fan-out covers each (account, region), a value read there keeps
its account in its ``region`` field, and a call made with that value goes back to the account
it came from, without threading an account argument through every signature.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from console.errors import BadInput

ACCOUNT_ID = re.compile(r"^\d{12}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/.+$")


@dataclass(frozen=True)
class Account:
    """One account of a fleet: how to reach it and what the profile says about it."""

    name: str
    id: str = ""  # 12 digits; may be empty for an aws_profile account (read from its ARNs)
    role_arn: str | None = None  # assumed with the profile's own credentials
    aws_profile: str | None = None  # a profile of ~/.aws/config that botocore resolves
    regions: tuple[str, ...] = ()
    read_only: bool = False

    @property
    def key(self) -> str:
        return self.id or self.name

    @property
    def label(self) -> str:
        """``name (id)``, as a plan and an error line name the account."""
        return f"{self.name} ({self.id})" if self.id else self.name

    def matches(self, text: str) -> bool:
        return text in (self.name, self.id) and bool(text)


class Place(str):
    """A region's name that carries the account it belongs to (see the module's docstring).

    Two places in the same region of different accounts are different (a dict keyed by
    region keeps both); a place equals its plain region's name, so ``region in regions``,
    ``:region us-east-1`` and botocore's ``region_name`` work as they did.
    """

    account: Account

    def __new__(cls, region: str, account: Account) -> Place:
        place = super().__new__(cls, region)
        place.account = account
        return place

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Place):
            return str.__eq__(self, other) and self.account.key == other.account.key
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Place, (str(self), self.account))

    @property
    def region(self) -> str:
        return str(self)

    @property
    def where(self) -> str:
        """``region, account name (id)``: how a line says where a call went."""
        return f"{self}, account {self.account.label}"


def account_of(region: str | None) -> Account | None:
    """The account a region string carries (None: the profile's own credentials, one account)."""
    return region.account if isinstance(region, Place) else None


def account_id_of(region: str | None, arn: str = "") -> str:
    """The account id of a value: its place's, else its ARN's (``arn:aws:svc:region:ACCOUNT:…``)
    or its queue URL's (``https://sqs.region.amazonaws.com/ACCOUNT/name``)."""
    account = account_of(region)
    if account is not None and account.id:
        return account.id
    if arn.startswith("arn:"):
        parts = arn.split(":", 5)
        return parts[4] if len(parts) > 4 else ""
    if arn.startswith("http"):
        parts = arn.rstrip("/").split("/")
        return parts[-2] if len(parts) >= 2 and ACCOUNT_ID.match(parts[-2]) else ""
    return ""


def account_name_of(region: str | None) -> str:
    account = account_of(region)
    return account.name if account is not None else ""


def places(
    accounts: Sequence[Account], regions: Sequence[str], *, only: Sequence[str] = ()
) -> tuple[str, ...]:
    """Every (account, region) to read: each account's own regions, else ``regions``; ``only``
    (``--region``) keeps those of them it names.

    With no accounts, the regions as they are (one account: the profile's credentials).
    """
    if not accounts:
        return tuple(regions)
    out: list[str] = []
    for account in accounts:
        for region in account.regions or regions:
            if not only or region in only:
                out.append(Place(region, account))
    return tuple(dict.fromkeys(out))


def narrow(regions: Sequence[str], wanted: str) -> tuple[str, ...]:
    """The places of the account named (or numbered) ``wanted``; BadInput names the accounts there are."""
    found = tuple(r for r in regions if (a := account_of(r)) is not None and a.matches(wanted))
    if found:
        return found
    known = accounts_in(regions)
    if not known:
        raise BadInput(f"--account {wanted}: this profile lists no accounts")
    names = ", ".join(a.label for a in known)
    raise BadInput(f"unknown account '{wanted}' (this profile has {names})")


def accounts_in(regions: Iterable[str]) -> list[Account]:
    """The accounts of ``regions``, in their order, each once."""
    seen: dict[str, Account] = {}
    for region in regions:
        account = account_of(region)
        if account is not None:
            seen.setdefault(account.key, account)
    return list(seen.values())


def in_place(regions: Sequence[str], region: str, account_id: str) -> str:
    """The place of ``regions`` in ``region`` of account ``account_id`` (an ARN's two fields),
    else ``region`` as given: an ARN pasted on the command line goes to its own account."""
    for place in regions:
        if place == region and account_id and account_id_of(place) == account_id:
            return place
    for place in regions:
        if str(place) == region and account_of(place) is None:
            return place
    return region


def ask_account(what: str, hits: Sequence[str]) -> None:
    """A name found in several accounts is not guessed: BadInput asks for ``--account`` (exit 2)."""
    found = accounts_in(hits)
    if len(found) > 1:
        names = ", ".join(a.label for a in found)
        raise BadInput(f"{what} exists in accounts {names}: choose one with --account NAME")


def near(region: str | None, place: str) -> str:
    """A region a resource names (a task definition's ``awslogs-region``) read from ``place``: the
    place itself when it is that region (same account), else the region as written."""
    return place if not region or region == place else region


def parse_accounts(raw: object, where: str) -> tuple[Account, ...]:
    """``[[accounts]]`` of a profile; bad input is one line naming the account and the field."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(a, dict) for a in raw):
        raise BadInput(f"{where}: [[accounts]] must be a list of tables")
    out: list[Account] = []
    for n, item in enumerate(raw, 1):
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise BadInput(f"{where}: account {n} has no name")
        here = f"{where}: account {name}"
        unknown = set(item) - {"name", "id", "role_arn", "aws_profile", "regions", "read_only"}
        if unknown:
            raise BadInput(f"{here}: unknown key {', '.join(sorted(unknown))}")
        account_id = str(item.get("id", "") or "")
        if account_id and not ACCOUNT_ID.match(account_id):
            raise BadInput(f"{here}: id must be 12 digits, not '{account_id}'")
        role_arn, aws_profile = item.get("role_arn"), item.get("aws_profile")
        if bool(role_arn) == bool(aws_profile):
            raise BadInput(f"{here}: give exactly one of role_arn or aws_profile")
        if role_arn is not None:
            match = ROLE_ARN.match(str(role_arn))
            if not match:
                raise BadInput(f"{here}: role_arn '{role_arn}' is not an IAM role ARN")
            if account_id and match.group(1) != account_id:
                raise BadInput(f"{here}: role_arn is in account {match.group(1)}, not {account_id}")
            account_id = account_id or match.group(1)
        regions = item.get("regions", [])
        if isinstance(regions, str):
            regions = [regions]
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise BadInput(f"{here}: regions must be a list of strings")
        read_only = item.get("read_only", False)
        if not isinstance(read_only, bool):
            raise BadInput(f"{here}: read_only must be true or false")
        out.append(
            Account(
                name=name,
                id=account_id,
                role_arn=str(role_arn) if role_arn else None,
                aws_profile=str(aws_profile) if aws_profile else None,
                regions=tuple(regions),
                read_only=read_only,
            )
        )
    names = [a.name for a in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise BadInput(f"{where}: account name {', '.join(twice)} is listed twice")
    return tuple(out)


def accounts_toml(accounts: Sequence[Account]) -> list[str]:
    """The ``[[accounts]]`` tables that :func:`parse_accounts` reads back unchanged."""

    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines: list[str] = []
    for a in accounts:
        lines += ["", "[[accounts]]"]
        fields = {"name": a.name, "id": a.id, "role_arn": a.role_arn, "aws_profile": a.aws_profile}
        lines += [f"{key} = {q(value)}" for key, value in fields.items() if value]
        lines += ["regions = [" + ", ".join(q(r) for r in a.regions) + "]"] if a.regions else []
        lines += ["read_only = true"] if a.read_only else []
    return lines
