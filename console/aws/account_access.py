"""Reaching each account of a fleet: its session, its credentials, and what is wrong with it.

An account is reached by a role assumed with the profile's own credentials (refreshed before
they expire, as aiobotocore's refreshable credentials do) or by an AWS profile botocore resolves
(SSO, ``role_arn`` + ``source_profile``, ``credential_process``). Getting there is bounded by
the connect timeout; an account that fails (denied, an expired SSO session, no answer) is one
line saying what failed and the fix, is asked again only after a backoff (5 s, doubling, at most
5 min), and until then fails at once: no read of another account ever waits for it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from aiobotocore.credentials import AioRefreshableCredentials
from aiobotocore.session import AioSession

from console.accounts import Account, Place, account_of
from console.errors import OpsError, aws_error_code, aws_error_message

T = TypeVar("T")
BACKOFF_FIRST_S = 5.0
BACKOFF_MAX_S = 300.0
ROLE_SESSION = "opsconsole"
ROLE_DURATION_S = 3600


class AccountUnavailable(OpsError):
    """An account that cannot be read now; its message is the row's one line."""

    def __init__(self, account: Account, message: str) -> None:
        super().__init__(message)
        self.account = account


@dataclass(frozen=True)
class AccountProblem:
    """What a pane shows for an account that failed: where, the one line, when it is asked again."""

    account: Account
    message: str
    region: str = ""  # empty: the whole account (its credentials)
    retry_in_s: float = 0.0


@dataclass
class _State:
    failures: int = 0
    retry_at: float = 0.0
    message: str = ""
    region: str = ""


@dataclass
class AccountAccess:
    """Sessions per account and each account's state, for one :class:`AwsContext`."""

    connect_timeout: float
    _sessions: dict[str, AioSession] = field(default_factory=dict)
    _states: dict[str, _State] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def check(self, account: Account) -> None:
        """Fail at once while the account is in its backoff (the last failure's line)."""
        state = self._states.get(account.key)
        if state is not None and state.message and time.monotonic() < state.retry_at:
            raise AccountUnavailable(account, state.message)

    async def session(self, account: Account, make: Callable[[Account], Awaitable[AioSession]]) -> AioSession:
        """The account's session, its credentials resolved within the connect timeout."""
        found = self._sessions.get(account.key)
        if found is not None:
            return found
        self.check(account)
        lock = self._locks.setdefault(account.key, asyncio.Lock())
        async with lock:
            found = self._sessions.get(account.key)
            if found is not None:
                return found
            self.check(account)
            try:
                session = await asyncio.wait_for(make(account), self.connect_timeout)
            except Exception as exc:
                raise self.failed(account, exc) from exc
            self._sessions[account.key] = session
            self._states.pop(account.key, None)
            return session

    def failed(self, account: Account, exc: BaseException, region: str = "") -> AccountUnavailable:
        """Note a failure of the account (its credentials, or a read in ``region``): its line, its backoff."""
        if isinstance(exc, AccountUnavailable):
            return exc
        state = self._states.setdefault(account.key, _State())
        state.failures += 1
        wait = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (state.failures - 1))
        state.retry_at = time.monotonic() + wait
        state.message = problem_line(account, exc, self.connect_timeout)
        state.region = region
        if not region:  # a session that failed to get credentials is made again on the retry
            self._sessions.pop(account.key, None)
        return AccountUnavailable(account, state.message)

    def succeeded(self, account: Account) -> None:
        state = self._states.get(account.key)
        if state is not None and time.monotonic() >= state.retry_at:
            self._states.pop(account.key, None)

    def problems(self, accounts: Sequence[Account] | None = None) -> list[AccountProblem]:
        """The accounts that failed and are not read again yet (or whose retry is due)."""
        now = time.monotonic()
        out = []
        for state_key, state in self._states.items():
            if not state.message:
                continue
            account = next((a for a in accounts or () if a.key == state_key), None)
            if account is None and accounts is not None:
                continue
            out.append(
                AccountProblem(
                    account or Account(name=state_key),
                    state.message,
                    state.region,
                    max(0.0, state.retry_at - now),
                )
            )
        return out


def problem_line(account: Account, exc: BaseException, timeout: float) -> str:
    """One line: which account, what failed, and the fix."""
    where = f"account {account.label}"
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return f"{where}: no answer within {timeout:g} s (asked again with backoff)"
    code = aws_error_code(exc)
    operation = getattr(exc, "operation_name", "")
    if operation == "AssumeRole":
        if code in {"AccessDenied", "AccessDeniedException"}:
            return (
                f"{where}: AssumeRole of {account.role_arn} was denied ({aws_error_message(exc)});"
                f" fix: the role's trust policy must allow this profile's caller"
            )
        return f"{where}: AssumeRole of {account.role_arn} failed ({code}): {aws_error_message(exc)}"
    from console.setup.discovery import explain_credentials_error  # what doctor says, with the fix

    return f"{where}: {explain_credentials_error(exc, account.aws_profile)[1]}"


async def assumed_session(
    base_sts: Any, account: Account, new_session: Callable[[], AioSession]
) -> AioSession:
    """A session whose credentials are ``account.role_arn`` assumed through ``base_sts``, refreshed
    before they expire (aiobotocore's refreshable credentials call back here)."""

    async def fetch() -> dict[str, str]:
        resp = await base_sts.assume_role(
            RoleArn=account.role_arn, RoleSessionName=ROLE_SESSION, DurationSeconds=ROLE_DURATION_S
        )
        creds = resp["Credentials"]
        expiry = creds.get("Expiration")
        if not isinstance(expiry, datetime):
            expiry = datetime.now(UTC) + timedelta(seconds=ROLE_DURATION_S)
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiry.astimezone(UTC).isoformat(),
        }

    credentials = AioRefreshableCredentials.create_from_metadata(
        metadata=await fetch(), refresh_using=fetch, method="assume-role"
    )
    session = new_session()
    session._credentials = credentials  # what AioSession.get_credentials returns once set
    return session


async def profile_session(account: Account, new_session: Callable[[], AioSession]) -> AioSession:
    """A session on ``account.aws_profile``; its credentials resolved now, so an expired SSO
    session is told before the first read rather than in it."""
    session = new_session()
    session.set_config_variable("profile", account.aws_profile)
    credentials = await session.get_credentials()
    if credentials is None:
        from botocore.exceptions import NoCredentialsError

        raise NoCredentialsError()
    await credentials.get_frozen_credentials()
    return session


async def per_place(
    access: AccountAccess | None,
    regions: Sequence[str],
    read: Callable[[str], Awaitable[list[T]]],
    *,
    timeout: float | None = None,
) -> list[T]:
    """``read(place)`` for every place at once, flattened, in the places' order.

    In a fleet a place that fails (or gives no answer within ``timeout``) is its account's row
    state and is left out; only when every place failed is the first error raised. With no
    accounts (one set of credentials) any failure is raised, as it always was.
    """

    async def one(place: str) -> list[T]:
        if timeout is None or account_of(place) is None:
            return await read(place)
        return await asyncio.wait_for(read(place), timeout)

    results = await asyncio.gather(*(one(p) for p in regions), return_exceptions=True)
    out: list[T] = []
    errors: list[BaseException] = []
    for place, result in zip(regions, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            account = account_of(place)
            if access is None or account is None:
                raise result
            errors.append(access.failed(account, result, region=str(place)))
            continue
        account = account_of(place)
        if access is not None and account is not None:
            access.succeeded(account)
        out += result
    if errors and len(errors) == len(regions):
        raise errors[0]
    return out


__all__ = [
    "AccountAccess",
    "AccountProblem",
    "AccountUnavailable",
    "Place",
    "assumed_session",
    "per_place",
    "profile_session",
]
