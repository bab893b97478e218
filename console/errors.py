"""Errors the console shows to a person: one line naming what failed and where."""

from __future__ import annotations

from typing import Any


class OpsError(Exception):
    """An error with a one-line message fit for a status line or stderr.

    ``exit_code`` follows the CLI's convention: 1 for an operation that failed
    or timed out, 2 for bad input or a refusal.
    """

    exit_code = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return " ".join(str(self.args[0]).split()) if self.args else ""


class BadInput(OpsError):
    exit_code = 2


class NotFound(BadInput):
    pass


class Refused(OpsError):
    """Read-only mode, bounds or single-writer rules said no."""

    exit_code = 2


class ApiMissing(OpsError):
    """The endpoint does not offer an API (a local emulator, an older partition): say which, and
    what to do instead, in one line."""


UNKNOWN_OPERATION_CODES = {
    "InvalidAction",
    "UnknownOperation",
    "UnknownOperationException",
    "NotImplemented",
    "NotImplementedException",
}


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith("<") and ("html" in head or "<head" in head or "<body" in head)


def is_missing_api(exc: BaseException, *, page_means_missing: bool = False) -> bool:
    """An endpoint without this API: HTTP 501, or an unknown-operation error code, instead of
    an AWS error about the request.  A 500 answered with a web page is also a crash of an
    emulator, so it counts only where the caller knows the API is one emulators lack
    (``page_means_missing``)."""
    from botocore.exceptions import ClientError

    if not isinstance(exc, ClientError):
        return False
    return is_missing_api_answer(exc.response, page_means_missing=page_means_missing)


def is_missing_api_answer(
    parsed: dict[str, Any], status: int | None = None, *, page_means_missing: bool = False
) -> bool:
    """:func:`is_missing_api` on a parsed answer (botocore's dict), before any retry of it."""
    err: dict[str, Any] = parsed.get("Error", {}) or {}
    code, msg = str(err.get("Code", "")), str(err.get("Message", ""))
    if status is None:
        status = int(parsed.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    lowered = msg.lower()
    if code in UNKNOWN_OPERATION_CODES or status == 501 or "not yet implemented" in lowered:
        return True
    if status == 500 and "notimplemented" in lowered.replace(" ", ""):
        return True
    return page_means_missing and status == 500 and looks_like_html(msg)


CREDENTIAL_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}
THROTTLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded"}


def aws_error_code(exc: BaseException) -> str:
    """The error code AWS sent (``ThrottlingException``, ``AccessDenied``…); "" for anything else.

    The one place that reads a ClientError's response: any exception with botocore's
    ``response`` shape works, so callers need not import botocore to ask.
    """
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    error = response.get("Error")
    return str(error.get("Code", "")) if isinstance(error, dict) else ""


def aws_error_message(exc: BaseException) -> str:
    """AWS's own wording of the error (its ``Message``), else the code; "" for anything else."""
    response = getattr(exc, "response", None)
    error = response.get("Error") if isinstance(response, dict) else None
    message = str(error.get("Message", "")) if isinstance(error, dict) else ""
    return message or aws_error_code(exc)


def describe_aws_error(exc: BaseException, *, where: str = "") -> str:
    """Turn a botocore/aiohttp exception into one readable line."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        ProfileNotFound,
        ReadTimeoutError,
        SSOTokenLoadError,
        TokenRetrievalError,
        UnauthorizedSSOTokenError,
    )

    prefix = f"{where}: " if where else ""
    if isinstance(exc, OpsError):
        return f"{prefix}{exc}"
    if isinstance(exc, ClientError):
        code = aws_error_code(exc)
        msg = aws_error_message(exc)
        op = exc.operation_name
        if is_missing_api(exc):
            return f"{prefix}this endpoint does not offer {op}"
        if looks_like_html(msg):  # a proxy's or emulator's error page: never shown
            return f"{prefix}{op} failed ({code}): the endpoint answered with a web page, not an AWS error"
        if code in CREDENTIAL_CODES:
            return f"{prefix}credentials rejected by AWS ({code}) during {op}: {msg}"
        if code in THROTTLE_CODES:
            return f"{prefix}throttled by AWS during {op} (retries exhausted): {msg}"
        if code in {"AccessDenied", "AccessDeniedException"}:
            return f"{prefix}access denied for {op}: {msg}"
        return f"{prefix}{op} failed ({code}): {msg}"
    if isinstance(exc, (UnauthorizedSSOTokenError, SSOTokenLoadError, TokenRetrievalError)):
        return f"{prefix}SSO session expired or missing: run `aws sso login` for this profile ({exc})"
    if isinstance(exc, NoCredentialsError):
        return f"{prefix}no AWS credentials found (set AWS_PROFILE, run `aws configure`, or use `opsconsole demo`)"
    if isinstance(exc, ProfileNotFound):
        return f"{prefix}{exc}"
    if isinstance(exc, NoRegionError):
        return f"{prefix}no region given (use --region or set one in the profile)"
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError)):
        return f"{prefix}endpoint unreachable: {exc}"
    if isinstance(exc, ReadTimeoutError):
        return f"{prefix}AWS did not answer in time: {exc}"
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{prefix}{type(exc).__name__}: {text}"
