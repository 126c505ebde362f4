"""Settings from environment variables (prefix ``IOC_``) or a ``.env`` file.

Unknown ``IOC_`` variables are refused with the list of valid names, so that a typo such as
``IOC_DATABSE_URL`` does not silently fall back to a default.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from noivu_ioc.errors import ConfigurationError

ENV_PREFIX = "IOC_"


class Settings(BaseSettings):
    """Everything the IOC reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="forbid"
    )

    data_dir: Path = Field(
        default=Path("data"), description="Folder of the embedded stores and generated files."
    )
    database_url: str | None = Field(
        default=None,
        description="Operational store URL (SQLAlchemy). Default: SQLite file in data_dir.",
    )
    warehouse_url: str | None = Field(
        default=None,
        description="Warehouse URL, duckdb:///path. Default: DuckDB file in data_dir.",
    )
    host: str = Field(default="127.0.0.1", description="Address the web server binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web server binds.")
    session_hours: float = Field(default=12.0, gt=0, description="Lifetime of a login session.")
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (set true behind HTTPS)."
    )
    default_language: str = Field(
        default="vi", pattern="^(vi|en)$", description="Language of pages: vi or en."
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    secret_key: str | None = Field(
        default=None,
        description="Key that encrypts source credentials (Fernet, 44 characters of base64). "
        "Default: a key file created in data_dir. Give every server of one store the same key.",
    )
    secret_key_previous: str = Field(
        default="",
        description="Earlier values of IOC_SECRET_KEY (comma-separated), kept so that what "
        "they encrypted can still be read after a rotation: set IOC_SECRET_KEY to a new key and "
        "the old one here, then run `ioc secrets rotate-key` to encrypt everything again with "
        "the new key; afterwards the old one can go.",
    )
    push_max_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Largest batch a push endpoint accepts."
    )
    upload_max_bytes: int = Field(
        default=200 * 1024 * 1024, gt=0, description="Largest file a steward may upload."
    )
    scheduler: bool = Field(
        default=True,
        description="Run scheduled syncs, the freshness check and the alert rules in this "
        "server process.",
    )
    alert_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often the alert rules are evaluated, and escalations, reminders and "
        "the outbox looked at.",
    )
    redis_url: str | None = Field(
        default=None,
        description="Redis for live events between server processes (redis://host:6379/0); "
        "without it each process reads new events from the operational store every second.",
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail notifications; none: no e-mail."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP login, if the server needs one.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS."
    )
    smtp_from: str = Field(
        default="ioc@moha.gov.vn", description="Sender address of e-mail notifications."
    )
    sms_webhook_url: str | None = Field(
        default=None,
        description="SMS gateway hook: each SMS is POSTed there as JSON {to, text, ref}; none: "
        "no SMS.",
    )
    sms_token: str | None = Field(
        default=None, description="Bearer token sent to the SMS gateway hook."
    )
    audit_reads: bool = Field(
        default=True,
        description="Audit every read that shows personal or sensitive fields in clear (turn "
        "off only to measure what the audit costs).",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address of the IOC as users reach it, for links in e-mails.",
    )
    # -- accounts: lock-out, sessions, second factor, CSRF, sign-in through OpenID Connect --
    session_idle_minutes: float = Field(
        default=120.0,
        gt=0,
        description="A login ends after this long without a request (measured to the minute).",
    )
    session_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How long a server process keeps a resolved session in memory: a session "
        "revoked or a user disabled in another process stops working here within this time.",
    )
    login_user_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins of one username within the window that lock it.",
    )
    login_address_failures: int = Field(
        default=50,
        ge=1,
        description="Failed logins from one client address within the window that lock it.",
    )
    login_window_minutes: float = Field(
        default=15.0, gt=0, description="The window in which failed logins are counted."
    )
    login_lock_minutes: float = Field(
        default=15.0,
        gt=0,
        description="First lock-out of a username or address; each further one lasts twice as "
        "long, up to login_lock_max_minutes.",
    )
    login_lock_max_minutes: float = Field(
        default=1440.0, gt=0, description="Longest lock-out of a username or address."
    )
    totp_issuer: str = Field(
        default="IOC Bộ Nội vụ",
        min_length=1,
        description="Name under which authenticator apps list the IOC's second factor.",
    )
    request_max_bytes: int = Field(
        default=16 * 1024 * 1024,
        gt=0,
        description="Largest body of a request other than file uploads, attachments and push "
        "batches (those have their own limits).",
    )
    csrf_trusted_origins: str = Field(
        default="",
        description="Other origins (comma-separated, e.g. https://ioc.moha.gov.vn) whose pages "
        "may post to the IOC; its own address and public_url always may.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Reverse proxies (comma-separated addresses or networks, e.g. "
        "10.0.0.5,10.1.0.0/24) whose X-Forwarded-For and X-Forwarded-Proto are believed: "
        "behind one, the audit trail and the per-address login lock-out see the user's "
        "address, not the proxy's. Default: none (the peer's own address).",
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="Issuer URL of an OpenID Connect provider; set, the login page offers "
        "sign-in through it.",
    )
    oidc_client_id: str | None = Field(default=None, description="The IOC's client id there.")
    oidc_client_secret: str | None = Field(
        default=None, description="The IOC's client secret there."
    )
    oidc_scopes: str = Field(
        default="openid profile email", description="Scopes asked for (space-separated)."
    )
    oidc_user_claim: str = Field(
        default="preferred_username",
        description="Claim of the ID token that names an existing IOC account the first time "
        "a person signs in (afterwards the provider's subject is used).",
    )
    oidc_user_field: str = Field(
        default="username",
        pattern="^(username|email)$",
        description="Field of the IOC account that oidc_user_claim is compared with.",
    )
    oidc_logout: bool = Field(
        default=True,
        description="When a person who signed in through the provider logs out of the IOC, "
        "send them on to the provider's end_session_endpoint so that their session there ends "
        "too (OpenID Connect RP-Initiated Logout); register IOC_PUBLIC_URL + /login there as a "
        "post-logout redirect URI.",
    )
    oidc_label: str = Field(
        default="SSO",
        min_length=1,
        description="Name of the provider on the login button.",
    )
    # -- the verifiable ledger: the key that signs its tree heads, the witnesses it trusts --
    ledger_key: str | None = Field(
        default=None,
        description="Ed25519 private key that signs the ledger's tree heads: base64 of its 32 "
        "raw bytes. Default: the key file (ledger_key_file). Give every server of one store "
        "the same key.",
    )
    ledger_key_file: Path | None = Field(
        default=None,
        description="PEM file of the ledger's signing key, created with owner-only permissions "
        "when missing. Default: ledger.key in data_dir.",
    )
    ledger_witnesses: dict[str, str] = Field(
        default_factory=dict,
        description="Witnesses whose cosignatures of tree heads the IOC accepts, as JSON: "
        '{"name": "base64 of the witness\'s 32-byte Ed25519 public key", ...}.',
    )
    ledger_retired_keys: dict[str, str] = Field(
        default_factory=dict,
        description="Earlier signing keys of the ledger, replaced by a rotation (`ioc ledger "
        "rotate-key`): the heads they signed still verify under them, new heads are signed by "
        'the current key only. JSON: {"name": "base64 of the 32-byte Ed25519 public key", '
        "...}.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for piece in (p.strip() for p in value.split(",")):
            if not piece:
                continue
            try:
                ipaddress.ip_network(piece, strict=False)
            except ValueError:
                raise ValueError(
                    f"{piece!r} is not an IP address or network; give addresses such as "
                    "10.0.0.5 or networks such as 10.1.0.0/24, separated by commas"
                ) from None
        return ",".join(p.strip() for p in value.split(",") if p.strip())

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ioc.sqlite3').resolve()}"

    @property
    def resolved_warehouse_url(self) -> str:
        if self.warehouse_url:
            return self.warehouse_url
        return f"duckdb:///{(self.data_dir / 'warehouse.duckdb').resolve()}"


def _check_unknown_environment() -> None:
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    unknown = sorted(k for k in os.environ if k.startswith(ENV_PREFIX) and k not in known)
    # IOC_TEST_* variables belong to the test suite, not to the application.
    unknown = [k for k in unknown if not k.startswith(ENV_PREFIX + "TEST_")]
    if unknown:
        raise ConfigurationError(
            f"unknown setting {', '.join(unknown)}; valid settings are {', '.join(sorted(known))}"
        )


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's errors into one clear message."""
    _check_unknown_environment()
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ENV_PREFIX + "_".join(str(p) for p in err["loc"]).upper()
            value = err.get("input")
            if err["type"] == "extra_forbidden":
                problems.append(
                    f"unknown setting {name} in .env; remove it or use one of "
                    + ", ".join(sorted(ENV_PREFIX + n.upper() for n in Settings.model_fields))
                )
            else:
                problems.append(f"{name}={value!r}: {err['msg']}")
        raise ConfigurationError("; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
