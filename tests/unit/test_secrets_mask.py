"""Which values are masked, and that a mask gives nothing away."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.env.secrets_mask import (
    MASK,
    display_value,
    has_url_credentials,
    is_secret_key,
    is_secret_name,
    mask,
    mask_url_credentials,
    name_words,
)

SECRET_NAMES = [
    "SECRET_KEY",
    "JWT_SECRET",
    "OPENAI_API_KEY",
    "COMPANIES_HOUSE_API_KEY",
    "HMRC_CLIENT_SECRET",
    "AWS_SECRET_ACCESS_KEY",
    "DB_PASS",
    "DB_PASSWORD",
    "SMTP_PASS",
    "MYSQL_PWD",
    "TMDB_TOKEN",
    "GITHUB_TOKEN",
    "GITHUBTOKEN",
    "DBPASSWORD",
    "dbPassword",
    "stripeApiKey",
    "PRIVATE_KEY",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "BASIC_AUTH",
    "AUTH_HEADER_VALUE",
    "SESSION_SALT",
    "SSH_PASSPHRASE",
    "APIKEY",
]
PLAIN_NAMES = [
    "KEYBOARD_LAYOUT",
    "MONKEY_PATCH",
    "AUTHOR",
    "AUTHOR_EMAIL",
    "BYPASS_CACHE",
    "PASSENGER_LIMIT",
    "TOKENIZER_MODEL",
    "SECRETARY_EMAIL",
    "CORS_ORIGINS",
    "LOG_LEVEL",
    "USE_SQS",
    "SQS_QUEUE_URL",
    "DB_HOST",
    "DB_USER",
    "SMTP_USER",
    "HMRC_CLIENT_ID",
    "AWS_ACCESS_KEY_ID",
    "AWS_REGION",
    "JWT_ACCESS_TOKEN_LIFETIME",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "PASSWORD_MIN_LENGTH",
    "SECRET_KEY_FILE",
    "SESSION_COOKIE_SECURE",
    "AWS_S3_SIGNATURE_VERSION",
    "TMDB_SLEEP_SEC",
    "",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_names_are_masked_whatever_the_value(name: str) -> None:
    assert is_secret_name(name)
    assert is_secret_key(name)
    assert is_secret_key(name, "harmless")
    assert display_value(name, "hunter2") == MASK


@pytest.mark.parametrize("name", PLAIN_NAMES)
def test_plain_names_with_plain_values_are_shown(name: str) -> None:
    assert not is_secret_name(name)
    assert not is_secret_key(name, "some-value")
    assert display_value(name, "some-value") == "some-value"


def test_names_split_on_underscores_and_camel_case() -> None:
    assert name_words("dbPassword_2") == ["DB", "PASSWORD", "2"]
    assert name_words("API-KEY.v2") == ["API", "KEY", "V2"]


@pytest.mark.parametrize(
    "url",
    [
        "postgres://app:s3cret@db.internal:5432/app",
        "postgresql+asyncpg://app:s3cret@db/app",
        "redis://:s3cret@cache:6379/0",
        "amqp://guest:guest@rabbit//",
        "mongodb+srv://u:p@cluster0.x.mongodb.net/db?retryWrites=true",
    ],
)
def test_urls_with_credentials_are_secret_and_show_only_the_password_masked(url: str) -> None:
    assert has_url_credentials(url)
    assert is_secret_key("DATABASE_URL", url)
    shown = display_value("DATABASE_URL", url)
    assert "s3cret" not in shown
    assert MASK in shown
    assert shown == mask_url_credentials(url)


def test_mask_url_credentials_keeps_user_host_and_path() -> None:
    assert mask_url_credentials("postgres://app:pw@db:5432/app") == f"postgres://app:{MASK}@db:5432/app"
    assert mask_url_credentials("redis://:pw@h:6379/0") == f"redis://:{MASK}@h:6379/0"
    # A password holding '@': the last '@' before the path ends it.
    assert mask_url_credentials("postgres://u:p@ss@h/db?mail=a@b") == f"postgres://u:{MASK}@h/db?mail=a@b"
    both = mask_url_credentials("postgres://a:one@h1/x,redis://:two@h2/0")
    assert both == f"postgres://a:{MASK}@h1/x,redis://:{MASK}@h2/0"


def test_a_password_that_breaks_the_url_masks_the_whole_value() -> None:
    assert mask_url_credentials("postgres://u:pa/ss@h/db") == MASK
    assert display_value("DATABASE_URL", "postgres://u:pa/ss@h/db") == MASK


@pytest.mark.parametrize(
    "url",
    ["postgres://db.internal:5432/app", "https://host:8443/path?mail=a@b.c", "postgres://app@h/db", "plain"],
)
def test_urls_without_a_password_are_shown(url: str) -> None:
    assert not has_url_credentials(url)
    assert not is_secret_key("DATABASE_URL", url)
    assert display_value("DATABASE_URL", url) == url
    assert mask_url_credentials(url) == url


def test_url_names_without_a_value_are_treated_as_secret() -> None:
    assert is_secret_key("DATABASE_URL")
    assert is_secret_key("SENTRY_DSN")
    assert is_secret_key("AZURE_CONNECTION_STRING")
    assert not is_secret_key("LOG_LEVEL")


@pytest.mark.parametrize(
    "value",
    [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
        "ghp_" + "a" * 36,
        "xoxb-123456789012-abcdefghij",
        "sk_live_" + "x" * 24,
        "sk-proj-" + "x" * 40,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    ],
)
def test_credential_shaped_values_are_masked_under_any_name(value: str) -> None:
    assert is_secret_key("SOME_SETTING", value)
    assert display_value("SOME_SETTING", value) == MASK


@given(st.text())
def test_mask_is_fixed_width_and_leaks_nothing(value: str) -> None:
    assert mask(value) == MASK


def test_reveal_shows_the_value() -> None:
    assert display_value("SECRET_KEY", "abc", reveal=True) == "abc"
    url = "postgres://u:p@h/db"
    assert display_value("DATABASE_URL", url, reveal=True) == url


@pytest.mark.timeout(30)
def test_long_blob_values_are_checked_in_linear_time() -> None:
    """A base64 certificate in an env var must not stall a redraw (no quadratic regex)."""
    blob = "QUJD+/9" * 100_000
    assert display_value("CONFIG_BLOB", blob) == blob
    assert not is_secret_key("CONFIG_BLOB", blob)
    assert mask_url_credentials("x" * 200_000 + "://") == "x" * 200_000 + "://"
