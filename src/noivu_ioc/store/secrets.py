"""Credentials of sources, encrypted at rest.

A source's password, API token or key is kept as a Fernet token (AES-128-CBC with an
HMAC-SHA256, from ``cryptography``) so that a copy of the operational store does not hand
out the sector databases' passwords. The key comes from ``IOC_SECRET_KEY`` or, by default,
from a key file created in the data directory with owner-only permissions.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from noivu_ioc.errors import ConfigurationError
from noivu_ioc.settings import Settings

log = logging.getLogger(__name__)

KEY_FILE = "secret.key"


class SecretBox:
    """Encrypts and decrypts small JSON objects of credentials. The key is read (or, the
    first time, created) only when a credential is sealed or opened, so that a server
    without credentials to keep never writes a key file."""

    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        self._key = key
        self._fernet: Fernet | None = None

    def _box(self) -> Fernet:
        if self._fernet is None:
            key = self._key() if callable(self._key) else self._key
            try:
                self._fernet = Fernet(key)
            except (ValueError, TypeError):
                raise ConfigurationError(
                    "IOC_SECRET_KEY is not a valid key: expected 44 characters of URL-safe "
                    "base64 (make one with: python -c 'from cryptography.fernet import "
                    "Fernet; print(Fernet.generate_key().decode())')"
                ) from None
        return self._fernet

    def seal(self, values: dict[str, Any]) -> str | None:
        if not values:
            return None
        return self._box().encrypt(json.dumps(values).encode()).decode()

    def open(self, token: str | None) -> dict[str, Any]:
        if not token:
            return {}
        try:
            data: dict[str, Any] = json.loads(self._box().decrypt(token.encode()))
        except InvalidToken:
            raise ConfigurationError(
                "a source's credentials cannot be decrypted with this server's key: the key "
                "changed (IOC_SECRET_KEY or the key file in the data directory); restore the "
                "key, or enter the source's credentials again"
            ) from None
        return data


def secret_box(settings: Settings) -> SecretBox:
    """The box of this installation: the configured key, or the data directory's key file
    (created on first use)."""
    if settings.secret_key:
        return SecretBox(settings.secret_key.encode())
    path = Path(settings.data_dir) / KEY_FILE

    def key_file() -> bytes:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL: two processes starting together must not write two different keys.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(Fernet.generate_key())
                log.info("created the key that encrypts source credentials at %s", path)
        return path.read_bytes().strip()

    return SecretBox(key_file)
