"""Which environment values are secret-looking, and how they are hidden on screen.

Config screens get screenshotted, screen-shared and pasted into tickets, so a
value that might be a credential is masked unless someone asks to see it.  The
test is by name (``SECRET_KEY``, ``DB_PASSWORD``, ``STRIPE_API_KEY``…) and by
value (a URL carrying ``user:password@``, a PEM private key, a well-known token
format).  Names are split on ``_`` (and camelCase) and matched word by word, so
``KEYBOARD_LAYOUT``, ``AUTHOR`` or ``BYPASS_CACHE`` stay visible, while a name
whose last word says it describes a secret rather than holds one
(``JWT_ACCESS_TOKEN_LIFETIME``, ``PASSWORD_MIN_LENGTH``, ``AWS_ACCESS_KEY_ID``)
is not masked by name.  When in doubt it masks: a hidden harmless value costs a
keypress, a shown password cannot be taken back.

The mask has a fixed width: it tells nothing about the value's length.
"""

from __future__ import annotations

import re

MASK = "••••••••"

# Words that, standing alone in a name, mean the value is a credential.
_SECRET_WORDS = frozenset(
    {
        "KEY",
        "KEYS",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "TOKENS",
        "PASSWORD",
        "PASSWORDS",
        "PASSWD",
        "PASS",
        "PWD",
        "PASSPHRASE",
        "PRIVATE",
        "CREDENTIAL",
        "CREDENTIALS",
        "CREDS",
        "AUTH",
        "APIKEY",
        "SALT",
        "PEPPER",
        "COOKIE",
        "SIGNATURE",
        "PFX",
        "P12",
        "OTP",
        "PIN",
        "BEARER",
        "HMAC",
    }
)
# Words long enough to be recognised at the end of a glued word (DBPASSWORD, GITHUBTOKEN, CLIENTSECRET).
_SECRET_SUFFIXES = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "PASSPHRASE", "PRIVATEKEY")
# A name ending in one of these describes a secret (its length, lifetime, file, id…) instead of holding it.
_DESCRIBING_WORDS = frozenset(
    {
        "ID",
        "IDS",
        "NAME",
        "NAMES",
        "ARN",
        "FILE",
        "PATH",
        "DIR",
        "PREFIX",
        "SUFFIX",
        "REGION",
        "ENABLED",
        "DISABLED",
        "REQUIRED",
        "TTL",
        "LENGTH",
        "LEN",
        "SIZE",
        "ALGORITHM",
        "ALGORITHMS",
        "ALG",
        "HEADER",
        "TYPE",
        "EXPIRY",
        "EXPIRE",
        "EXPIRES",
        "EXPIRATION",
        "LIFETIME",
        "TIMEOUT",
        "FORMAT",
        "VERSION",
        "COLUMN",
        "FIELD",
        "COUNT",
        "MIN",
        "MAX",
        "LIMIT",
        "ROTATION",
        "DAYS",
        "HOURS",
        "MINUTES",
        "SECONDS",
        "ENDPOINT",
        "HOST",
        "PORT",
        "PROVIDER",
        "MODE",
        "BACKEND",
        "CLASS",
        "MODULE",
        "AGE",
        "DOMAIN",
        "SECURE",
        "HTTPONLY",
        "SAMESITE",
        "LAYOUT",
        "STRATEGY",
        "POLICY",
    }
)
_URL_NAME_WORDS = frozenset({"URL", "URI", "URLS", "URIS", "DSN", "DSNS", "CONNECTION", "CONN", "ADDR"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")

# scheme://user:password@host…: the password may hold '@' (the last '@' before the path ends it).
# A scheme starts only where a run of scheme characters starts: linear time on long base64 values.
_URL_CREDENTIALS = re.compile(
    r"(?P<head>(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://(?P<user>[^:@/?#\s]*):)(?P<password>[^/?#\s]*)@",
)
# Anything that still looks like `scheme://…:…@` (a password with '/' in it, say): masked whole.
# `host:8080/path?mail=a@b` is a port, not a password: a ':' followed by digits and the path does not count.
_LOOSE_CREDENTIALS = re.compile(
    r"(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:]*:(?!\d*(?:[/?#]|$))[^\s@]*@"
)
_SECRET_VALUE = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"
    r"|\bgithub_pat_[A-Za-z0-9_]{30,}"
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"
    r"|\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"
    r"|\bsk-[A-Za-z0-9_-]{20,}"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"  # a JWT
    r"|\bAIza[A-Za-z0-9_-]{35}"  # Google API key
)


def name_words(name: str) -> list[str]:
    """``dbPassword_2`` → ``['DB', 'PASSWORD', '2']``."""
    return [w.upper() for w in _WORD_SPLIT.split(_CAMEL.sub("_", name)) if w]


def _secret_by_name(words: list[str]) -> bool:
    if not words or words[-1] in _DESCRIBING_WORDS or words[-1] in _URL_NAME_WORDS:
        return False
    return any(w in _SECRET_WORDS or w.endswith(_SECRET_SUFFIXES) for w in words)


def is_secret_name(name: str) -> bool:
    """Whether the name alone says the value is a credential (``SECRET_KEY`` yes, ``DATABASE_URL`` no)."""
    return _secret_by_name(name_words(name))


def has_url_credentials(value: str) -> bool:
    """Whether ``value`` holds a URL with a password (``postgres://app:pw@db/app``)."""
    return _LOOSE_CREDENTIALS.search(value) is not None


def is_secret_value(value: str) -> bool:
    """Whether ``value`` itself looks like a credential, whatever its name."""
    return has_url_credentials(value) or _SECRET_VALUE.search(value) is not None


def is_secret_key(name: str, value: str | None = None) -> bool:
    """Whether the variable ``name`` (with ``value`` when known) should be masked.

    Without a value, a URL-like name (``DATABASE_URL``, ``SENTRY_DSN``) counts
    as secret: it may carry credentials and nothing says it does not.
    """
    words = name_words(name)
    if _secret_by_name(words):
        return True
    if value is None:
        return (bool(words) and words[-1] in _URL_NAME_WORDS) or name.upper().endswith("CONNECTION_STRING")
    return is_secret_value(value)


def mask(value: str) -> str:
    """A fixed-width stand-in for ``value``: nothing of it, not even its length."""
    del value
    return MASK


def mask_url_credentials(url: str) -> str:
    """``postgres://app:pw@db:5432/app`` → ``postgres://app:••••••••@db:5432/app``.

    Every URL in the text is treated; a credential-looking text that is not a
    clean URL is masked whole rather than half-shown.
    """
    masked = _URL_CREDENTIALS.sub(lambda m: f"{m.group('head')}{MASK}@", url)
    if has_url_credentials(_URL_CREDENTIALS.sub("", masked)):
        return MASK
    return masked


def display_value(name: str, value: str, *, reveal: bool = False) -> str:
    """``value`` as a table or diff shows it: masked by name, credentials masked in URLs."""
    if reveal:
        return value
    if is_secret_name(name) or _SECRET_VALUE.search(value):
        return mask(value)
    if has_url_credentials(value):
        return mask_url_credentials(value)
    return value
