"""The demo as an AWS organisation: which account each system lives in, and how it is reached.

Teams give each backend an account of its own; an on-call engineer reaches them through an ops
role assumed from one set of credentials. The demo does the same: its base credentials (the
org's management account, 123456789012) assume ``opsconsole-ops`` in each member account through
STS, and moto maps the assumed keys to that account, so every resource of a system lives in
``<service>_backends[account][region]`` of its own account.

The organisation is data (``Organisation.accounts``): ``profiles/demo.toml`` lists the same
accounts as ``[[accounts]]``, the demo server announces them on ``/_opsconsole/info``, and
``to_toml()`` writes them for a synthetic fleet (``demo serve --accounts K``).

``ORGANISED`` is the switch: until the console reads a profile's accounts, the demo keeps every
system in the base account (one account, as the console reads it); ``start_demo(organisation=True)``
or ``OPSCONSOLE_DEMO_ORGANISATION=1`` puts each in its own.

The world's code is written per region; the account it works in is the *acting* account (a
context variable, set per seeding job, per scheduler pass and per request), so a backend getter
called without an account reads the account being worked on, never a guess.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

BASE_ACCOUNT = "123456789012"
OPS_ROLE = "opsconsole-ops"
ORGANISED = False  # the default of start_demo(organisation=None); flipped once the console reads accounts
ORGANISATION_ENV = "OPSCONSOLE_DEMO_ORGANISATION"
REGIONS: tuple[str, ...] = ("us-east-1", "ap-south-1", "us-east-2")
FLEET_ID_BASE = 800_000_000_000  # synthetic account i is 800000000000 + i


@dataclass(frozen=True)
class Account:
    """One member account: what a profile's ``[[accounts]]`` entry says about it."""

    name: str
    id: str
    regions: tuple[str, ...]
    role_name: str | None = OPS_ROLE  # None: reached with the base credentials themselves

    @property
    def role_arn(self) -> str | None:
        return f"arn:aws:iam::{self.id}:role/{self.role_name}" if self.role_name else None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "id": self.id, "regions": list(self.regions)}
        if self.role_arn:
            out["role_arn"] = self.role_arn
        return out

    def to_toml(self) -> str:
        lines = ["[[accounts]]", f'name = "{self.name}"', f'id = "{self.id}"']
        if self.role_arn:
            lines.append(f'role_arn = "{self.role_arn}"')
        lines.append("regions = [" + ", ".join(f'"{r}"' for r in self.regions) + "]")
        return "\n".join(lines)


# The seed systems' accounts (document-verification's and frameratr's are the seeds' own ids).
SEED_ACCOUNTS: tuple[Account, ...] = (
    Account("docu-cr", "318264759034", ("us-east-1",)),
    Account("docverify", "177215708218", ("ap-south-1",)),
    Account("asharvi", "529617384025", ("ap-south-1",)),  # staging and prod share one
    Account("frameratr", "451904790164", ("us-east-2",)),
    Account("wwhd", "604738291546", ("us-east-1",)),
)
# system (its cluster) → the account name it lives in
SYSTEM_ACCOUNTS: dict[str, str] = {
    "docu-cr-backend-cluster": "docu-cr",
    "document-verification-cluster": "docverify",
    "asharvi-backend-cluster": "asharvi",
    "frameratr-dev-cluster": "frameratr",
    "wwhd-cluster": "wwhd",
}
SCALE_ACCOUNT = Account("scale", "100000000001", ("us-east-1",))  # `--scale N` alone, organised
SINGLE = Account("demo", BASE_ACCOUNT, REGIONS, role_name=None)


@dataclass(frozen=True)
class Organisation:
    """The accounts of one demo world; ``organised=False`` is the one base account."""

    accounts: tuple[Account, ...] = (SINGLE,)
    organised: bool = False
    fleet: tuple[Account, ...] = ()  # the synthetic accounts (also in ``accounts``)
    scale_account: str = BASE_ACCOUNT  # where a plain `--scale N` cluster goes

    @classmethod
    def make(cls, organised: bool, *, fleet_accounts: int = 0, scale: int = 0) -> Organisation:
        """The five systems' accounts (or the base one), plus ``fleet_accounts`` synthetic ones."""
        if fleet_accounts > 0:
            organised = True
        if not organised:
            return cls()
        fleet = tuple(
            Account(f"fleet-{i:02d}", f"{FLEET_ID_BASE + i:012d}", REGIONS)
            for i in range(1, fleet_accounts + 1)
        )
        extra = (SCALE_ACCOUNT,) if scale > 0 and not fleet else ()
        return cls(
            accounts=(*SEED_ACCOUNTS, *extra, *fleet),
            organised=True,
            fleet=fleet,
            scale_account=SCALE_ACCOUNT.id if extra else BASE_ACCOUNT,
        )

    def places(self) -> tuple[tuple[str, str], ...]:
        """Every (account id, region) the world spans."""
        return tuple((a.id, r) for a in self.accounts for r in a.regions)

    def regions_by_account(self, within: tuple[str, ...] | None = None) -> list[tuple[str, tuple[str, ...]]]:
        """(account id, its regions) for each account, its regions limited to ``within``."""
        out = []
        for a in self.accounts:
            regions = tuple(r for r in a.regions if within is None or r in within)
            if regions:
                out.append((a.id, regions))
        return out

    def account_of(self, cluster: str) -> str:
        """The account id a seed system (named by its cluster) lives in."""
        if not self.organised:
            return BASE_ACCOUNT
        name = SYSTEM_ACCOUNTS[cluster]
        return next(a.id for a in self.accounts if a.name == name)

    def by_id(self, account_id: str) -> Account | None:
        return next((a for a in self.accounts if a.id == account_id), None)

    def as_info(self) -> list[dict[str, Any]]:
        """For ``/_opsconsole/info``: what a console needs to reach each account."""
        return [a.as_dict() for a in self.accounts] if self.organised else []

    def to_toml(self) -> str:
        """The ``[[accounts]]`` entries of a profile for this organisation ("" when not organised)."""
        return "\n\n".join(a.to_toml() for a in self.accounts) + "\n" if self.organised else ""


def organised_by_default() -> bool:
    value = os.environ.get(ORGANISATION_ENV, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return ORGANISED


_CURRENT: dict[str, Organisation] = {"org": Organisation()}


def current() -> Organisation:
    """The organisation of this process's demo world."""
    return _CURRENT["org"]


def use(org: Organisation) -> None:
    _CURRENT["org"] = org


# ---- the acting account ------------------------------------------------------------------------

_ACTING: ContextVar[str] = ContextVar("opsconsole_demo_account", default=BASE_ACCOUNT)


def acting() -> str:
    """The account the world is working in on this thread (the base account unless told)."""
    return _ACTING.get()


@contextlib.contextmanager
def acting_as(account_id: str) -> Iterator[None]:
    token = _ACTING.set(account_id)
    try:
        yield
    finally:
        _ACTING.reset(token)


# ---- credentials: the base keys, and the ops role assumed in each member account ---------------

BASE_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass
class Credentials:
    """Keys per account, as an org's automation gets them: AssumeRole from the base credentials.

    Assumed once per account and kept (moto never expires them; the demo keeps IAM and STS across
    resets so they stay valid). The base account uses the base keys.
    """

    endpoint: str
    _keys: dict[str, dict[str, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def keys(self, account_id: str) -> dict[str, str]:
        if account_id == BASE_ACCOUNT:
            return dict(BASE_KEYS)
        with self._lock:
            known = self._keys.get(account_id)
            if known is not None:
                return known
        account = current().by_id(account_id)
        role = account.role_arn if account is not None else None
        role = role or f"arn:aws:iam::{account_id}:role/{OPS_ROLE}"
        import boto3

        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=self.endpoint, **BASE_KEYS)
        got = sts.assume_role(RoleArn=role, RoleSessionName="opsconsole-demo-seed")["Credentials"]
        keys = {
            "aws_access_key_id": got["AccessKeyId"],
            "aws_secret_access_key": got["SecretAccessKey"],
            "aws_session_token": got["SessionToken"],
        }
        with self._lock:
            self._keys[account_id] = keys
        return keys

    def forget(self) -> None:
        with self._lock:
            self._keys.clear()
