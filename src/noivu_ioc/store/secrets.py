"""Secrets of the installation, encrypted at rest, and the key that encrypts them.

A source's password, API token or key and a user's second-factor secret are kept as Fernet
tokens (AES-128-CBC with an HMAC-SHA256, from ``cryptography``) so that a copy of the
operational store hands out neither the sector databases' passwords nor the means to forge a
second factor. The key comes from ``IOC_SECRET_KEY`` or, by default, from a key file created
in the data directory with owner-only permissions.

Keys are rotated (``ioc secrets rotate-key``) without losing anything: earlier keys still
open what they sealed (``IOC_SECRET_KEY_PREVIOUS``, or the key files kept aside as
``secret.key.retired-<time>``), and the rotation seals every stored secret again with the
new key in one transaction. With the key file, the rotation writes the new key as
``secret.key.next`` first, seals everything again, and only then puts it in place of
``secret.key``; a box reads the files again when ``secret.key`` changes, or when a token
does not open with what it holds, so a running server follows a rotation made by the
command without a restart, and a rotation cut short at any point leaves every secret
readable.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from noivu_ioc.errors import ConfigurationError
from noivu_ioc.settings import Settings

log = logging.getLogger(__name__)

KEY_FILE = "secret.key"
NEXT_SUFFIX = ".next"  # the key a rotation under way is putting in place
RETIRED_SUFFIX = ".retired-"  # keys replaced by a rotation, kept to open old tokens
NEW_KEY_HINT = (
    "make one with: python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'"
)


@dataclass(frozen=True, slots=True)
class Keys:
    """The key that seals, then the earlier ones that still open."""

    current: bytes
    earlier: tuple[bytes, ...] = ()

    @property
    def all(self) -> tuple[bytes, ...]:
        return (self.current, *(k for k in self.earlier if k != self.current))


def _fernet(key: bytes, where: str) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise ConfigurationError(
            f"{where} is not a valid key: expected 44 characters of URL-safe base64 "
            f"({NEW_KEY_HINT})"
        ) from None


class SecretBox:
    """Seals and opens small JSON objects. The keys are read (or, the first time, created)
    only when a secret is sealed or opened, so that a server without secrets to keep never
    writes a key file; ``keys`` is a fixed key, fixed keys, or a function that reads them
    (called again when ``changed`` says so, or when a token does not open)."""

    def __init__(
        self,
        keys: bytes | Keys | Callable[[], Keys],
        changed: Callable[[], bool] | None = None,
    ) -> None:
        self._read = keys if callable(keys) else None
        self._fixed = Keys(keys) if isinstance(keys, bytes) else keys
        self._changed = changed
        self._lock = threading.Lock()
        self._keys: Keys | None = None
        self._box: MultiFernet | None = None

    def keys(self, *, reread: bool = False) -> Keys:
        with self._lock:
            stale = self._read is not None and (
                reread or (self._changed is not None and self._changed())
            )
            if self._keys is None or stale:
                keys = self._read() if self._read is not None else self._fixed
                assert isinstance(keys, Keys)
                box = MultiFernet([_fernet(k, "a secret key") for k in keys.all])
                self._keys, self._box = keys, box
            assert self._keys is not None
            return self._keys

    def _multi(self, *, reread: bool = False) -> MultiFernet:
        self.keys(reread=reread)
        assert self._box is not None
        return self._box

    def seal(self, values: dict[str, Any]) -> str | None:
        if not values:
            return None
        return self._multi().encrypt(json.dumps(values).encode()).decode()

    def _decrypt(self, token: str) -> bytes:
        return self._with_keys(lambda box: box.decrypt(token.encode()))

    def _with_keys(self, use: Callable[[MultiFernet], bytes]) -> bytes:
        try:
            return use(self._multi())
        except InvalidToken:
            if self._read is None:
                raise
        # Perhaps sealed under a key this box has not read yet (a rotation by another
        # process): read the keys again, once.
        return use(self._multi(reread=True))

    def open(self, token: str | None) -> dict[str, Any]:
        if not token:
            return {}
        try:
            data: dict[str, Any] = json.loads(self._decrypt(token))
        except InvalidToken:
            raise ConfigurationError(
                "a stored secret (a source's credentials or a second factor) cannot be "
                "decrypted with this server's keys: the key changed (IOC_SECRET_KEY or the key "
                "file in the data directory) and the old one is not kept; give the old key in "
                "IOC_SECRET_KEY_PREVIOUS (or restore its file), or enter the source's "
                "credentials again and reset the second factor"
            ) from None
        return data

    def reseal(self, token: str) -> str:
        """``token`` sealed again under the current key (opened with any known one)."""
        return self._with_keys(lambda box: box.rotate(token.encode())).decode()


def key_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / KEY_FILE


def next_path(settings: Settings) -> Path:
    path = key_path(settings)
    return path.with_name(path.name + NEXT_SUFFIX)


def retired_paths(settings: Settings) -> list[Path]:
    """The key files kept aside by earlier rotations, the newest first."""
    path = key_path(settings)
    if not path.parent.is_dir():
        return []
    return sorted(path.parent.glob(path.name + RETIRED_SUFFIX + "*"), reverse=True)


def write_key_file(path: Path, key: bytes) -> bool:
    """Write ``key`` at ``path``, owner-only, unless a file is there (O_EXCL: two processes
    starting together must not write two different keys); True when written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _checked(key: bytes, where: str) -> bytes:
    _fernet(key, where)
    return key


def previous_keys(settings: Settings) -> tuple[bytes, ...]:
    pieces = [k.strip() for k in settings.secret_key_previous.split(",") if k.strip()]
    return tuple(
        _checked(k.encode(), f"key {n} of IOC_SECRET_KEY_PREVIOUS")
        for n, k in enumerate(pieces, start=1)
    )


def secret_box(settings: Settings) -> SecretBox:
    """The box of this installation: the configured key (and the earlier ones), or the data
    directory's key files (the key file created on first use)."""
    if settings.secret_key:
        current = settings.secret_key.encode()
        return SecretBox(lambda: Keys(_checked(current, "IOC_SECRET_KEY"), previous_keys(settings)))
    path, pending = key_path(settings), next_path(settings)

    def files() -> Keys:
        if write_key_file(path, Fernet.generate_key()):
            log.info("created the key that encrypts stored secrets at %s", path)
        others = [
            _checked(p.read_bytes().strip(), str(p))
            for p in (pending, *retired_paths(settings))
            if p.exists()
        ]
        current = _checked(path.read_bytes().strip(), str(path))
        return Keys(current, (*others, *previous_keys(settings)))

    seen: list[tuple[int, int] | None] = [None]

    def changed() -> bool:
        try:
            info = path.stat()
        except FileNotFoundError:
            return True
        now = (info.st_ino, info.st_mtime_ns)
        stale, seen[0] = seen[0] is not None and seen[0] != now, now
        return stale

    return SecretBox(files, changed)
